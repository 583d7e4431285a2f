/**
 * Scheduling priority of the storage threads. Every acknowledged write waits for the writer
 * thread, which needs the CPU only briefly per group commit (about a millisecond): on a machine
 * whose cores are busy (the apiserver's own event loop, GC, other processes) it can wait tens of
 * milliseconds in the run queue after its fsync returns, and that wait lands on every write in
 * the batch.
 */
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * setThreadNice sets the calling thread's nice value (Linux: a thread id is a valid target of
 * setpriority, and only that thread changes). It returns false where that is not allowed (a
 * negative value needs root or CAP_SYS_NICE) or not supported; the thread then keeps its
 * priority, which is only slower, never wrong.
 */
export function setThreadNice(nice: number): boolean {
  try {
    const tid = Number(readFileSync('/proc/thread-self/stat', 'latin1').split(' ', 1)[0]);
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, nice);
    return true;
  } catch {
    return false;
  }
}

/**
 * WRITER_NICE: the writer thread runs ahead of ordinary threads when the process may raise it.
 * Its CPU use is bounded by the writes it is given, so it cannot starve anyone for long.
 */
export const WRITER_NICE = -5;
/**
 * CHECKPOINTER_NICE: the checkpointer runs as an ordinary thread, not with the boost it inherits
 * from the writer that starts it. Not lower either: at nice 5 on a loaded machine it fell behind
 * a 50 MiB/s write stream and the WAL grew past its 64 MiB bound (wal.integration.test) while
 * the writer's own checkpoints, which hold up commits, had to catch up.
 */
export const CHECKPOINTER_NICE = 0;
