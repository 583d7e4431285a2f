/**
 * SortedMap: string keys in sorted order with O(log n) lookup and cheap inserts, as a list of
 * bounded sorted chunks (a flat B-tree). Range scans walk chunks in order.
 */
const MAX_CHUNK = 512;

export class SortedMap<V> {
  private chunks: Array<{ keys: string[]; vals: V[] }> = [{ keys: [], vals: [] }];
  private readonly index = new Map<string, V>();

  get size(): number {
    return this.index.size;
  }

  get(key: string): V | undefined {
    return this.index.get(key);
  }

  set(key: string, value: V): void {
    const had = this.index.has(key);
    this.index.set(key, value);
    const ci = this.chunkFor(key);
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    if (had) {
      c.vals[i] = value;
      return;
    }
    c.keys.splice(i, 0, key);
    c.vals.splice(i, 0, value);
    if (c.keys.length > MAX_CHUNK) {
      const half = c.keys.length >> 1;
      this.chunks.splice(ci + 1, 0, { keys: c.keys.splice(half), vals: c.vals.splice(half) });
    }
  }

  delete(key: string): boolean {
    if (!this.index.delete(key)) return false;
    const ci = this.chunkFor(key);
    const c = this.chunks[ci]!;
    const i = lowerBound(c.keys, key);
    c.keys.splice(i, 1);
    c.vals.splice(i, 1);
    if (c.keys.length === 0 && this.chunks.length > 1) this.chunks.splice(ci, 1);
    return true;
  }

  /** range visits entries with from <= key < to (to undefined: no upper bound) in key order until visit returns false. */
  range(from: string, to: string | undefined, visit: (key: string, value: V) => boolean): void {
    const first = this.chunkFor(from);
    for (let ci = first; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci]!;
      for (let i = ci === first ? lowerBound(c.keys, from) : 0; i < c.keys.length; i++) {
        const k = c.keys[i]!;
        if (to !== undefined && k >= to) return;
        if (!visit(k, c.vals[i]!)) return;
      }
    }
  }

  /** countRange counts keys with from <= key < to. */
  countRange(from: string, to: string | undefined): number {
    let n = 0;
    const first = this.chunkFor(from);
    for (let ci = first; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci]!;
      const lo = ci === first ? lowerBound(c.keys, from) : 0;
      if (to === undefined || (c.keys.length > 0 && c.keys[c.keys.length - 1]! < to)) {
        n += c.keys.length - lo;
        continue;
      }
      n += lowerBound(c.keys, to) - lo;
      return n;
    }
    return n;
  }

  /** chunkFor is the index of the chunk that holds (or would hold) key. */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const first = this.chunks[mid]!.keys[0];
      if (first !== undefined && first <= key) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
