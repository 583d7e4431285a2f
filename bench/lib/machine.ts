/**
 * The machine's CPU steal from /proc/stat, for telling a slow run's cause apart: on a virtual
 * machine the host can take the vCPUs away, and every thread of the server and of the load
 * generator then waits for a CPU however little work it has.
 */
import { readFileSync } from 'node:fs';

/** parseStealTicks reads the steal time (clock ticks, USER_HZ 100 a second) of /proc/stat's aggregate `cpu` line. */
export function parseStealTicks(stat: string): number {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no aggregate cpu line in /proc/stat');
  // cpu user nice system idle iowait irq softirq steal ...
  return Number(line.trim().split(/\s+/)[8] ?? 0);
}

/** stealTicks samples the machine's steal time; undefined where /proc/stat is unreadable. */
export function stealTicks(): number | undefined {
  try {
    return parseStealTicks(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * stealPct is the CPU time the host took from this machine between two samples, in percent of
 * one CPU over `ms` (as the benches' other CPU figures): 50 means half a CPU was missing.
 */
export function stealPct(a: number | undefined, b: number | undefined, ms: number): number {
  if (a === undefined || b === undefined || ms <= 0) return -1;
  return Math.round(((b - a) * 10 * 100) / ms);
}
