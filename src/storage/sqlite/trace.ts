/**
 * Diagnostic tracing of the writer and checkpointer threads, off unless the environment
 * variable K8TS_SQLITE_TRACE names a file. Each thread appends one JSON line per group commit
 * (writer: `<file>`) or per checkpoint pass (checkpointer: `<file>.ckpt`), so a slow write can
 * be taken apart: how long its batch waited, ran its statements, committed (the WAL write and
 * fsync), and how much of that the thread spent waiting for a CPU rather than running or
 * blocked in I/O (from /proc/thread-self/schedstat). Lines are buffered and written once a
 * second, never inside a commit.
 */
import { appendFileSync, readFileSync } from 'node:fs';

/** TRACE_FILE is the writer's trace file, undefined when tracing is off. */
export const TRACE_FILE = process.env.K8TS_SQLITE_TRACE || undefined;

/**
 * sched is this thread's [ms on a CPU, ms runnable but waiting for one] so far, or [0, 0] where
 * /proc/thread-self/schedstat does not exist.
 */
export function sched(): [number, number] {
  try {
    const f = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return [Number(f[0]) / 1e6, Number(f[1]) / 1e6];
  } catch {
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
  }
}
