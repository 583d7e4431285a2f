/**
 * TimerHeap runs every delayed task of one kubelet process (probes, backoffs, heartbeats,
 * status resyncs) from one binary min-heap armed on a single clock timer, so 10 000 probes
 * cost one pending timeout instead of 10 000 intervals.
 */
import type { Clock } from './clock.js';

/** TimerHandle cancels a scheduled task; cancelling twice or after it ran is a no-op. */
export interface TimerHandle {
  cancel(): void;
  readonly at: number;
}

interface Entry {
  at: number;
  seq: number;
  fn: () => void;
  index: number;
}

export class TimerHeap {
  private heap: Entry[] = [];
  private seq = 0;
  private armedAt = Infinity;
  private disarm: (() => void) | undefined;
  private stopped = false;

  constructor(readonly clock: Clock) {}

  /** after schedules fn to run ms from now (ties run in scheduling order). */
  after(ms: number, fn: () => void): TimerHandle {
    return this.at(this.clock.now() + Math.max(0, ms), fn);
  }

  /** at schedules fn to run at the absolute time `at` (ms since epoch). */
  at(at: number, fn: () => void): TimerHandle {
    const e: Entry = { at, seq: this.seq++, fn, index: this.heap.length };
    this.heap.push(e);
    this.up(e.index);
    this.arm();
    return {
      at,
      cancel: () => {
        if (e.index < 0) return;
        this.remove(e);
        this.arm();
      },
    };
  }

  /** size is the number of pending tasks. */
  get size(): number {
    return this.heap.length;
  }

  /** stop drops every pending task and the clock timer; later scheduling is ignored. */
  stop(): void {
    this.stopped = true;
    for (const e of this.heap) e.index = -1;
    this.heap = [];
    this.disarm?.();
    this.disarm = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) {
      for (const e of this.heap) e.index = -1;
      this.heap = [];
      return;
    }
    const first = this.heap[0];
    const want = first ? first.at : Infinity;
    if (want === this.armedAt) return;
    this.disarm?.();
    this.disarm = undefined;
    this.armedAt = want;
    if (want === Infinity) return;
    this.disarm = this.clock.setTimer(want - this.clock.now(), () => {
      this.disarm = undefined;
      this.armedAt = Infinity;
      this.runDue();
    });
  }

  private runDue(): void {
    const now = this.clock.now();
    // Bound the batch so tasks that reschedule themselves at `now` cannot starve the loop.
    let budget = this.heap.length;
    while (budget-- > 0 && this.heap.length > 0 && this.heap[0]!.at <= now) {
      const e = this.heap[0]!;
      this.remove(e);
      try {
        e.fn();
      } catch (err) {
        // A failing task must not take the other tasks of the kubelet down with it.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.arm();
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    a.index = j;
    b.index = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < n && this.less(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private remove(e: Entry): void {
    const i = e.index;
    const last = this.heap.pop()!;
    e.index = -1;
    if (last !== e) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
  }
}
