/**
 * IndexedHeap is a binary min-heap whose entries remember their own position, so an entry can
 * be removed or re-keyed in O(log n) without a search (Go's container/heap with Fix/Remove).
 * The kubelet's timer heap and the client's delaying queue both order timers with it.
 */

/** HeapEntry is what the heap stores; `index` is owned by the heap (-1 once removed). */
export interface HeapEntry {
  index: number;
}

export class IndexedHeap<E extends HeapEntry> {
  private items: E[] = [];

  /** less orders entries: the entry for which less(a, b) holds against all others is on top. */
  constructor(private readonly less: (a: E, b: E) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  /** peek returns the smallest entry without removing it. */
  peek(): E | undefined {
    return this.items[0];
  }

  push(e: E): void {
    e.index = this.items.length;
    this.items.push(e);
    this.up(e.index);
  }

  /** pop removes and returns the smallest entry. */
  pop(): E | undefined {
    const top = this.items[0];
    if (top) this.remove(top);
    return top;
  }

  /** remove takes e out of the heap; removing an entry that is not in it is a no-op. */
  remove(e: E): void {
    const i = e.index;
    if (i < 0 || this.items[i] !== e) return;
    const last = this.items.pop()!;
    e.index = -1;
    if (last !== e) {
      this.items[i] = last;
      last.index = i;
      this.fix(last);
    }
  }

  /** fix restores the order after e's key changed in place. */
  fix(e: E): void {
    this.down(e.index);
    this.up(e.index);
  }

  /** clear drops every entry (each is marked removed). */
  clear(): void {
    for (const e of this.items) e.index = -1;
    this.items = [];
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    a.index = j;
    b.index = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.items[i]!, this.items[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      if (l + 1 < n && this.less(this.items[l + 1]!, this.items[l]!)) m = l + 1;
      if (!this.less(this.items[m]!, this.items[i]!)) break;
      this.swap(i, m);
      i = m;
    }
  }
}
