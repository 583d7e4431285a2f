/**
 * Reading the sqlite store's commit trace (K8TS_SQLITE_TRACE, src/storage/sqlite/trace.ts) in a
 * benchmark. A write is acknowledged once its group commit is on disk, so every write that
 * arrives while a commit waits for the disk waits with it. The trace gives each commit's span
 * and how much of it the writer thread spent neither on a CPU nor waiting for one: blocked in
 * the WAL's write and fsync. Spans blocked that long are the storage's disk waits; a request that
 * overlapped none of them was not slowed by the disk.
 */
import { readFileSync } from 'node:fs';

/** A disk wait: [start (epoch ms), span ms, ms blocked in I/O]. */
export type DiskWait = [number, number, number];

interface CommitRecord {
  t: number;
  total?: number;
  commit?: number;
  commitCpu?: number;
  commitRunq?: number;
  writerCheckpoint?: number;
}

/**
 * diskWaits reads the writer's trace and returns its spans that were blocked in I/O for at least
 * `minMs`: group commits (blocked: the COMMIT's time off-CPU and off the run queue) and the
 * writer's own checkpoints (which hold every commit behind them; all of their time counts).
 * Records before `from` (epoch ms) are skipped. A missing trace reads as no waits.
 */
export function diskWaits(file: string, minMs: number, from = 0): DiskWait[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const waits: DiskWait[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as CommitRecord;
    if (r.t < from) continue;
    if (r.total !== undefined && r.commit !== undefined) {
      // schedstat's CPU time can run a little past the clock's span: never below zero.
      const blocked = Math.max(0, r.commit - (r.commitCpu ?? 0) - (r.commitRunq ?? 0));
      if (blocked >= minMs) waits.push([r.t, r.total, blocked]);
    } else if (r.writerCheckpoint !== undefined && r.writerCheckpoint >= minMs) {
      waits.push([r.t, r.writerCheckpoint, r.writerCheckpoint]);
    }
  }
  return waits;
}

/** outsideWaits keeps the samples ([start (epoch ms), latency ms, ...]) whose span overlaps no wait. */
export function outsideWaits<T extends readonly number[]>(samples: readonly T[], waits: readonly DiskWait[]): T[] {
  if (waits.length === 0) return [...samples];
  return samples.filter((s) => {
    const from = s[0]!;
    const to = from + s[1]!;
    return !waits.some(([a, span]) => from < a + span && to > a);
  });
}
