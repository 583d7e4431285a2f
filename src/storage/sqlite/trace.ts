/**
 * Diagnostic tracing of the writer and checkpointer threads, off unless the environment
 * variable K8TS_SQLITE_TRACE names a file. Each thread appends one JSON line per group commit
 * (writer: `<file>`) or per checkpoint pass (checkpointer: `<file>.ckpt`), so a slow write can
 * be taken apart: how long its batch waited, ran its statements, committed (the WAL write and
 * fsync), and how much of that the thread spent waiting for a CPU rather than running or
 * blocked in I/O (from /proc/thread-self/schedstat). Lines are buffered and written once a
 * second, never inside a commit.
 */
import { appendFileSync, closeSync, openSync, readSync } from 'node:fs';

/** TRACE_FILE is the writer's trace file, undefined when tracing is off. */
export const TRACE_FILE = process.env.K8TS_SQLITE_TRACE || undefined;

/**
 * schedFd is this thread's /proc/thread-self/schedstat, opened on first use (each thread loads
 * this module anew, so each has its own), -1 where it cannot be opened. Re-read in place into
 * one small buffer: readFileSync of a procfs file (whose size reads as 0) allocates 64 KiB each
 * time, and at four reads per commit that external memory drove the writer thread into a major
 * GC every second or so.
 */
let schedFd: number | undefined;
const schedBuf = Buffer.alloc(128);

/**
 * sched is this thread's [ms on a CPU, ms runnable but waiting for one] so far, or [0, 0] where
 * /proc/thread-self/schedstat does not exist.
 */
export function sched(): [number, number] {
  try {
    schedFd ??= openSync('/proc/thread-self/schedstat', 'r');
    if (schedFd < 0) return [0, 0];
    const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
    const f = schedBuf.toString('latin1', 0, n).split(' ');
    return [Number(f[0]) / 1e6, Number(f[1]) / 1e6];
  } catch {
    schedFd = -1;
    return [0, 0];
  }
}

/** Tracer buffers JSON lines for one file and appends them at most once a second. */
export class Tracer {
  private lines: string[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly file: string) {
    this.timer = setInterval(() => this.flush(), 1000);
    this.timer.unref();
  }

  add(rec: Record<string, number>): void {
    this.lines.push(JSON.stringify(rec));
  }

  flush(): void {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    this.lines = [];
    try {
      appendFileSync(this.file, text);
    } catch {
      // A trace that cannot be written is dropped; it never fails the store.
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    // Descriptors are the process's, not the thread's: a thread that ends must not leave its own.
    if (schedFd !== undefined && schedFd >= 0) closeSync(schedFd);
    schedFd = undefined;
  }
}
