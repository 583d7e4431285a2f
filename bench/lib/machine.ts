/**
 * The machine's CPU time from /proc/stat, for telling a slow run's cause apart: on a virtual
 * machine the host can take the vCPUs away (steal), and every thread of the server and of the
 * load generator then waits for a CPU however little work it has.
 */
import { readFileSync } from 'node:fs';

/** CpuTimes are the machine's total CPU times in clock ticks (USER_HZ, 100 a second). */
export interface CpuTimes {
  user: number;
  system: number;
  idle: number;
  iowait: number;
  steal: number;
}

/** parseCpuTimes reads the aggregate `cpu` line of /proc/stat text. */
export function parseCpuTimes(stat: string): CpuTimes {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  // user nice system idle iowait irq softirq steal ...
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return { user: (f[0] ?? 0) + (f[1] ?? 0), system: (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0), idle: f[3] ?? 0, iowait: f[4] ?? 0, steal: f[7] ?? 0 };
}

/** cpuTimes samples the machine's CPU times; undefined where /proc/stat is unreadable. */
export function cpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * stealPct is the CPU time the host took from this machine between two samples, in percent of
 * one CPU over `ms` (as the benches' other CPU figures): 50 means half a CPU was missing.
 */
export function stealPct(a: CpuTimes | undefined, b: CpuTimes | undefined, ms: number): number {
  if (!a || !b || ms <= 0) return -1;
  return Math.round(((b.steal - a.steal) * 10 * 100) / ms);
}
