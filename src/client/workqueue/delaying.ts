/**
 * DelayingQueue adds addAfter to Queue (upstream: workqueue.DelayingInterface). Waiting items
 * live in one min-heap ordered by ready time with a single timer armed for the earliest,
 * never one timer per item. Re-adding a waiting item keeps the earlier of the two times.
 */
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import { Queue } from './queue.js';

interface Waiting<T> {
  item: T;
  readyAt: number;
  index: number;
}

export class DelayingQueue<T> extends Queue<T> {
  private heap: Waiting<T>[] = [];
  private readonly waiting = new Map<T, Waiting<T>>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;

  constructor(protected readonly clock: Clock = realClock) {
    super();
  }

  /** addAfter adds item once `ms` milliseconds have passed; ms <= 0 adds it now. */
  addAfter(item: T, ms: number): void {
    if (this.shuttingDown()) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(item);
    if (existing) {
      if (readyAt < existing.readyAt) {
        existing.readyAt = readyAt;
        this.up(existing.index);
      }
    } else {
      const w: Waiting<T> = { item, readyAt, index: this.heap.length };
      this.heap.push(w);
      this.waiting.set(item, w);
      this.up(w.index);
    }
    this.arm();
  }

  /** waitingLen returns how many items are waiting for their delay to pass. */
  waitingLen(): number {
    return this.heap.length;
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first) {
      if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    if (this.timer !== undefined && this.timerAt <= first.readyAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = first.readyAt;
    this.timer = this.clock.setTimeout(() => this.fire(), first.readyAt - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (;;) {
      const first = this.heap[0];
      if (!first || first.readyAt > now) break;
      this.pop();
      this.waiting.delete(first.item);
      this.add(first.item);
    }
    this.arm();
  }

  protected override onShutDown(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap = [];
    this.waiting.clear();
  }

  private pop(): void {
    const last = this.heap.pop() as Waiting<T>;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      last.index = 0;
      this.down(0);
    }
  }

  private less(i: number, j: number): boolean {
    return (this.heap[i] as Waiting<T>).readyAt < (this.heap[j] as Waiting<T>).readyAt;
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as Waiting<T>;
    const b = this.heap[j] as Waiting<T>;
    this.heap[i] = b;
    this.heap[j] = a;
    a.index = j;
    b.index = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      if (l + 1 < n && this.less(l + 1, l)) m = l + 1;
      if (!this.less(m, i)) break;
      this.swap(i, m);
      i = m;
    }
  }
}
