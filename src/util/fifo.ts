/**
 * Fifo is a first-in first-out queue with O(1) push and shift. `Array.prototype.shift` moves
 * every remaining element once the array is large, which made a busy event broadcaster's drain
 * loop quadratic in its backlog; Fifo reads from a head index and reclaims the consumed prefix
 * in one splice once it dominates the array.
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** toArray returns the queued items, oldest first (a copy). */
  toArray(): T[] {
    return this.items.slice(this.head);
  }

  /** shift removes and returns the oldest item, or undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T; // drop the reference for the collector
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}
