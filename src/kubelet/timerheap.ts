/**
 * TimerHeap runs every delayed task of one kubelet process (probes, backoffs, heartbeats,
 * status resyncs) from one binary min-heap armed on a single clock timer, so 10 000 probes
 * cost one pending timeout instead of 10 000 intervals.
 */
import { IndexedHeap } from '../util/heap.js';
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

const earlier = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class TimerHeap {
  private readonly heap = new IndexedHeap<Entry>(earlier);
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
    const e: Entry = { at, seq: this.seq++, fn, index: -1 };
    this.heap.push(e);
    this.arm();
    return {
      at,
      cancel: () => {
        if (e.index < 0) return;
        this.heap.remove(e);
        this.arm();
      },
    };
  }

  /** size is the number of pending tasks. */
  get size(): number {
    return this.heap.size;
  }

  /** stop drops every pending task and the clock timer; later scheduling is ignored. */
  stop(): void {
    this.stopped = true;
    this.heap.clear();
    this.disarm?.();
    this.disarm = undefined;
    this.armedAt = Infinity;
  }

  private arm(): void {
    if (this.stopped) {
      this.heap.clear();
      return;
    }
    const want = this.heap.peek()?.at ?? Infinity;
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
    let budget = this.heap.size;
    for (let e = this.heap.peek(); budget-- > 0 && e && e.at <= now; e = this.heap.peek()) {
      this.heap.remove(e);
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
}
