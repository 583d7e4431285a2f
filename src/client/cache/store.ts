/**
 * Store and Indexer as client-go's tools/cache: objects by key (`namespace/name`, or `name`
 * for cluster-scoped objects), with named indexes maintained on every write.
 */
import type { ApiObject } from '../object.js';

/**
 * DeletedFinalStateUnknown is the tombstone delivered when an object was deleted while the
 * watch was down: `obj` is the last state we knew, possibly stale.
 */
export class DeletedFinalStateUnknown<T> {
  constructor(
    readonly key: string,
    readonly obj: T,
  ) {}
}

const NONE: readonly string[] = [];

/** KeyFunc maps an object to its store key. */
export type KeyFunc<T> = (obj: T | DeletedFinalStateUnknown<T>) => string;

/** metaNamespaceKeyFunc returns `namespace/name`, or `name` without a namespace; a tombstone's own key. */
export function metaNamespaceKeyFunc(obj: ApiObject | DeletedFinalStateUnknown<ApiObject>): string {
  if (obj instanceof DeletedFinalStateUnknown) return obj.key;
  const m = obj.metadata;
  if (!m?.name) throw new Error('object has no metadata.name');
  return m.namespace ? `${m.namespace}/${m.name}` : m.name;
}

/** splitMetaNamespaceKey is the inverse of metaNamespaceKeyFunc. */
export function splitMetaNamespaceKey(key: string): { namespace: string; name: string } {
  const parts = key.split('/');
  if (parts.length === 1) return { namespace: '', name: key };
  if (parts.length === 2) return { namespace: parts[0] as string, name: parts[1] as string };
  throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
}

/** IndexFunc returns the index values of an object (an object may sit under several). */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

/** NAMESPACE_INDEX is the name of the built-in index by metadata.namespace. */
export const NAMESPACE_INDEX = 'namespace';

/** metaNamespaceIndexFunc indexes an object by its namespace ('' for cluster-scoped). */
export function metaNamespaceIndexFunc(obj: ApiObject): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** Store is a key/object cache (read side of an informer). */
export interface Store<T> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T | DeletedFinalStateUnknown<T>): void;
  list(): T[];
  listKeys(): string[];
  get(obj: T): T | undefined;
  getByKey(key: string): T | undefined;
  /** replace swaps the whole content for `list` (resourceVersion is informational). */
  replace(list: T[], resourceVersion: string): void;
  /** resync is a no-op for plain stores; queues use it to emit Sync deltas. */
  resync(): void;
}

/** Indexer is a Store with named indexes. */
export interface Indexer<T> extends Store<T> {
  /** index returns the objects sharing any index value with obj under the named index. */
  index(indexName: string, obj: T): T[];
  /** byIndex returns the objects whose named index contains value. Throws for an unknown index. */
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
  listIndexFuncValues(indexName: string): string[];
  getIndexers(): Readonly<Indexers<T>>;
  /** addIndexers adds indexes (and indexes existing items). Throws on a duplicate name. */
  addIndexers(indexers: Indexers<T>): void;
}

/**
 * ThreadSafeStore is the Indexer implementation (the name is upstream's; JavaScript's single
 * thread makes every method atomic). Objects are stored as given: callers must not mutate them.
 */
export class ThreadSafeStore<T> implements Indexer<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers: Indexers<T> = {};
  /** indices[indexName][value] = set of keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** indexList pairs each index function with its index, walked on every write. */
  private indexList: Array<{ fn: IndexFunc<T>; idx: Map<string, Set<string>> }> = [];

  constructor(
    private readonly keyFunc: KeyFunc<T>,
    indexers: Indexers<T> = {},
  ) {
    this.addIndexers(indexers);
  }

  private updateIndices(oldObj: T | undefined, newObj: T | undefined, key: string): void {
    for (const { fn, idx } of this.indexList) {
      const oldVals = oldObj === undefined ? NONE : fn(oldObj);
      const newVals = newObj === undefined ? NONE : fn(newObj);
      // The common case (same single value) touches nothing.
      if (oldVals.length === 1 && newVals.length === 1 && oldVals[0] === newVals[0]) continue;
      for (const v of oldVals) {
        const s = idx.get(v);
        if (!s) continue;
        s.delete(key);
        if (s.size === 0) idx.delete(v);
      }
      for (const v of newVals) {
        let s = idx.get(v);
        if (!s) idx.set(v, (s = new Set()));
        s.add(key);
      }
    }
  }

  /** addByKey stores obj under key. */
  addByKey(key: string, obj: T): void {
    const old = this.items.get(key);
    this.items.set(key, obj);
    this.updateIndices(old, obj, key);
  }

  deleteByKey(key: string): void {
    const old = this.items.get(key);
    if (old === undefined) return;
    this.items.delete(key);
    this.updateIndices(old, undefined, key);
  }

  add(obj: T): void {
    this.addByKey(this.keyFunc(obj), obj);
  }
  update(obj: T): void {
    this.addByKey(this.keyFunc(obj), obj);
  }
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    this.deleteByKey(this.keyFunc(obj));
  }
  list(): T[] {
    return [...this.items.values()];
  }
  listKeys(): string[] {
    return [...this.items.keys()];
  }
  get(obj: T): T | undefined {
    return this.items.get(this.keyFunc(obj));
  }
  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }
  replace(list: T[], _resourceVersion: string): void {
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const obj of list) this.addByKey(this.keyFunc(obj), obj);
  }
  resync(): void {}

  private indexOf(indexName: string): { fn: IndexFunc<T>; idx: Map<string, Set<string>> } {
    const fn = this.indexers[indexName];
    const idx = this.indices.get(indexName);
    if (!fn || !idx) throw new Error(`Index with name ${indexName} does not exist`);
    return { fn, idx };
  }

  index(indexName: string, obj: T): T[] {
    const { fn, idx } = this.indexOf(indexName);
    const keys = new Set<string>();
    for (const v of fn(obj)) for (const k of idx.get(v) ?? []) keys.add(k);
    return [...keys].map((k) => this.items.get(k) as T);
  }
  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k) as T);
  }
  indexKeys(indexName: string, value: string): string[] {
    const { idx } = this.indexOf(indexName);
    return [...(idx.get(value) ?? [])];
  }
  listIndexFuncValues(indexName: string): string[] {
    return [...this.indexOf(indexName).idx.keys()];
  }
  getIndexers(): Readonly<Indexers<T>> {
    return this.indexers;
  }
  addIndexers(indexers: Indexers<T>): void {
    for (const name of Object.keys(indexers)) if (this.indexers[name]) throw new Error(`indexer conflict: ${name}`);
    for (const [name, fn] of Object.entries(indexers)) {
      this.indexers[name] = fn;
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      this.indexList.push({ fn, idx });
      for (const [key, obj] of this.items) {
        for (const v of fn(obj)) {
          let s = idx.get(v);
          if (!s) idx.set(v, (s = new Set()));
          s.add(key);
        }
      }
    }
  }
}

/** newIndexer returns an Indexer keyed by namespace/name with the namespace index built in. */
export function newIndexer<T extends ApiObject>(indexers: Indexers<T> = {}): ThreadSafeStore<T> {
  return new ThreadSafeStore<T>(metaNamespaceKeyFunc as KeyFunc<T>, { [NAMESPACE_INDEX]: metaNamespaceIndexFunc, ...indexers });
}
