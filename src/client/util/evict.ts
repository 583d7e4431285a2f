/**
 * OldestFirst trims a Map to a size bound by deleting its oldest entries (insertion order),
 * exactly as `map.delete(map.keys().next().value)` per entry over the bound — but with one
 * iterator kept across calls. V8 leaves a hole for each deleted entry until the table is
 * rebuilt, and a fresh iterator walks every hole from the front, so evicting with a new
 * iterator each time costs O(holes) per eviction; at a full bounded cache that was most of the
 * event correlator's CPU. The kept iterator passes each hole once. It stays at the oldest live
 * entry because everything it has passed was deleted by trim and new entries go to the end.
 */
export class OldestFirst<K, V> {
  private it: Iterator<K> | undefined;

  constructor(private readonly map: Map<K, V>) {}

  /** trim deletes the oldest entries until at most `max` remain, calling `evicted` for each. */
  trim(max: number, evicted?: (key: K, value: V) => void): void {
    while (this.map.size > max) {
      let n = this.it?.next();
      if (!n || n.done) {
        this.it = this.map.keys();
        n = this.it.next();
      }
      const key = n.value as K;
      const value = this.map.get(key) as V;
      this.map.delete(key);
      evicted?.(key, value);
    }
  }
}
