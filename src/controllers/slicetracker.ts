/**
 * SliceTracker remembers, per owner key (a Service's or an Endpoints' `namespace/name`), the
 * EndpointSlices a controller wrote and the state the informer cache must reach before the
 * controller reconciles that key again: a write's resourceVersion, or -1 for a delete. Upstream's
 * EndpointSliceTracker does the same by metadata.generation; k8ts resourceVersions are ordered
 * storage revisions, so "at least this version" says the cache has seen the write.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Lister } from '../client/index.js';

/** DELETED: the tracked state of a slice the controller deleted. */
export const DELETED = -1;

const rvAtLeast = (have: string | undefined, want: number): boolean => {
  const n = Number(have);
  return Number.isFinite(n) && n >= want;
};

export class SliceTracker {
  private readonly byKey = new Map<string, Map<string, number>>();

  /** track records that slice `name` of `key` must reach resourceVersion `rv` (DELETED: be gone). */
  track(key: string, name: string, rv: number): void {
    let t = this.byKey.get(key);
    if (!t) this.byKey.set(key, (t = new Map()));
    t.set(name, rv);
  }

  /** expected returns what the tracker awaits for slice `name` of `key` (undefined: nothing). */
  expected(key: string, name: string): number | undefined {
    return this.byKey.get(key)?.get(name);
  }

  /** forget stops waiting for slice `name` of `key`. */
  forget(key: string, name: string): void {
    const t = this.byKey.get(key);
    if (!t) return;
    t.delete(name);
    if (!t.size) this.byKey.delete(key);
  }

  /** delete forgets every slice of `key`. */
  delete(key: string): void {
    this.byKey.delete(key);
  }

  /**
   * stale reports whether the cache (`slices`, namespace `ns`) does not yet show a write tracked
   * for `key`; the writes it shows stop being tracked.
   */
  stale(key: string, ns: string, slices: Lister<EndpointSlice>): boolean {
    const t = this.byKey.get(key);
    if (!t) return false;
    let stale = false;
    for (const [name, rv] of t) {
      const s = slices.namespace(ns).get(name);
      if (rv === DELETED ? !s : !!s && rvAtLeast(s.metadata?.resourceVersion, rv)) t.delete(name);
      else stale = true;
    }
    if (!t.size) this.byKey.delete(key);
    return stale;
  }
}

/**
 * recycleSlices is upstream's reconciler finalize step, shared by both EndpointSlice
 * controllers: while the first slice to create has the address type of a slice to delete, the
 * two become one update of the deleted slice, so the owner never shows both at once (e.g. a
 * Service's empty placeholder next to its first real slice). It takes the pairs out of
 * `toCreate` and `toDelete` and returns them as [created, deleted].
 */
export function recycleSlices<C>(toCreate: C[], toDelete: EndpointSlice[], addressTypeOf: (c: C) => string | undefined): Array<[C, EndpointSlice]> {
  const pairs: Array<[C, EndpointSlice]> = [];
  for (let i = 0; i < toDelete.length && toCreate.length; ) {
    const old = toDelete[i]!;
    if (old.addressType !== addressTypeOf(toCreate[0]!)) {
      i++;
      continue;
    }
    pairs.push([toCreate.shift()!, old]);
    toDelete.splice(i, 1);
  }
  return pairs;
}
