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
 *
 * It names the thread by its id rather than passing pid 0: Linux takes 0 as the calling thread
 * too, but elsewhere 0 is the whole process, main thread included; without /proc/thread-self
 * nothing changes. Threads the caller starts afterwards inherit its value (the checkpointer,
 * which the writer thread starts); threads that already run, the main thread and libuv's pool
 * among them, keep theirs.
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
 * CHECKPOINTER_NICE: the checkpointer runs at the writer's priority. Below it, a writer busy with
 * a 50 MiB/s stream left it too little CPU on a loaded machine and the WAL passed its 64 MiB
 * bound (wal.integration.test failed 2 runs in 6 with the checkpointer at nice 0, 3 in 4 at 5);
 * its CPU per write is a fifth of the writer's.
 */
export const CHECKPOINTER_NICE = WRITER_NICE;
