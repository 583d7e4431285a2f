/**
 * DelayingQueue adds addAfter to Queue (upstream: workqueue.DelayingInterface). Waiting items
 * live in one min-heap ordered by ready time with a single timer armed for the earliest,
 * never one timer per item. Re-adding a waiting item keeps the earlier of the two times.
 */
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import { IndexedHeap } from '../../util/heap.js';
import { Queue } from './queue.js';

interface Waiting<T> {
  item: T;
  readyAt: number;
  index: number;
}

export class DelayingQueue<T> extends Queue<T> {
  private readonly heap = new IndexedHeap<Waiting<T>>((a, b) => a.readyAt < b.readyAt);
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
        this.heap.fix(existing);
      }
    } else {
      const w: Waiting<T> = { item, readyAt, index: -1 };
      this.heap.push(w);
      this.waiting.set(item, w);
    }
    this.arm();
  }

  /** waitingLen returns how many items are waiting for their delay to pass. */
  waitingLen(): number {
    return this.heap.size;
  }

  private arm(): void {
    const first = this.heap.peek();
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
    for (let first = this.heap.peek(); first && first.readyAt <= now; first = this.heap.peek()) {
      this.heap.pop();
      this.waiting.delete(first.item);
      this.add(first.item);
    }
    this.arm();
  }

  protected override onShutDown(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap.clear();
    this.waiting.clear();
  }
}
