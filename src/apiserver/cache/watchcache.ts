/**
 * The watch cache, as kube-apiserver's cacher: one storage watch on `/registry/` feeds an
 * in-memory copy of every resource plus a window of recent events. Lists and watches are served
 * from it; watchers share that single storage watch.
 *
 * Each object's served JSON is built from storage's own bytes once per event for all watchers
 * (`watchFrame`), and once per GET or LIST item; only labels and selectable fields are kept
 * parsed (see ./object.ts). Watchers are indexed by namespace and by pod `spec.nodeName` so an
 * event is only offered to watchers that can want it.
 */
import { isStorageError, type KeyValue, type Storage, type StorageError, type Watcher, type WatchEvent } from '../../storage/interface.js';
import { entryOf, type CachedObject, type Entry } from './object.js';
import { smallInt } from '../../util/smallint.js';

export type { CachedObject } from './object.js';
export { writeJsonList } from './list.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: WatchEventType;
  rv: number;
  obj: Entry;
  prev?: Entry;
  /** at is when the event was applied, in tenths of a second since the cache's first event. */
  at: number;
}

const FRAME_PREFIX: Record<WatchEventType, Buffer> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
};
const FRAME_SUFFIX = Buffer.from('}\n');

/**
 * watchFrame returns a watch event's JSON line, built from the object's cached bytes. Fan-out
 * offers one event to all its watchers back to back, so a one-entry memo builds each line once
 * per event without keeping copies alive in the cache.
 */
let memoObj: CachedObject | undefined;
let memoType: WatchEventType | undefined;
let memoFrame: Buffer | undefined;
export function watchFrame(type: WatchEventType, obj: CachedObject): Buffer {
  if (obj === memoObj && type === memoType) return memoFrame!;
  memoFrame = isEntry(obj) ? obj.framed(FRAME_PREFIX[type], FRAME_SUFFIX) : Buffer.concat([FRAME_PREFIX[type], obj.bytes, FRAME_SUFFIX]);
  memoObj = obj;
  memoType = type;
  return memoFrame;
}

function isEntry(o: CachedObject): o is Entry {
  return typeof (o as Partial<Entry>).framed === 'function';
}

/**
 * CacheWatcher receives the events of one resource that pass its filter. `deliver` returns
 * false when the watcher can no longer keep up; the cache then stops it.
 */
export interface CacheWatcher {
  /** namespace restricts the watcher to one namespace (index); '' for all. */
  namespace: string;
  /** nodeName restricts the watcher to pods of one node (index); undefined when not indexed. */
  nodeName?: string;
  /** afterRv: only events with a newer revision are delivered (set by addWatcher). */
  afterRv: number;
  filter(obj: CachedObject): boolean;
  deliver(type: WatchEventType, obj: CachedObject, rv: number): boolean;
  /** stop ends the watch (the cache removed it). */
  stop(reason: 'slow' | 'closed'): void;
}

/** Indexer derives the labels and selectable fields of a decoded object. */
export type Indexer = (key: string, value: Buffer, rv: number) => { labels: Record<string, string>; fields: Record<string, string> };

/** ResourceCache is the cached state and recent history of one storage prefix. */
export class ResourceCache {
  readonly objects = new Map<string, Entry>();
  private readonly byNamespace = new Map<string, Map<string, Entry>>();
  private readonly sorted = new Map<string, Entry[]>();
  private events: CacheEvent[] = [];
  /** oldestRv: a watch from resourceVersion N can be served iff N >= oldestRv. */
  oldestRv = 0;
  private readonly watchersAll = new Set<CacheWatcher>();
  private readonly watchersByNs = new Map<string, Set<CacheWatcher>>();
  private readonly watchersByNode = new Map<string, Set<CacheWatcher>>();

  constructor(
    readonly prefix: string,
    private readonly indexer: Indexer,
    private readonly historyMs: number,
    private readonly maxEvents: number,
  ) {}

  get watcherCount(): number {
    let n = this.watchersAll.size;
    for (const s of this.watchersByNs.values()) n += s.size;
    for (const s of this.watchersByNode.values()) n += s.size;
    return n;
  }

  private toCached(kv: KeyValue, rv: number, value: Buffer): Entry {
    const rest = kv.key.slice(this.prefix.length);
    const slash = rest.indexOf('/');
    const { labels, fields } = this.indexer(kv.key, value, rv);
    return entryOf(kv.key, slash < 0 ? '' : rest.slice(0, slash), slash < 0 ? rest : rest.slice(slash + 1), rv, value, labels, fields);
  }

  /** reset drops all state before a relist (watchers must already be stopped). */
  reset(): void {
    this.objects.clear();
    this.byNamespace.clear();
    this.sorted.clear();
    this.events = [];
    this.head = 0;
  }

  /** load fills the cache from a storage list (no events). */
  load(kv: KeyValue): void {
    this.put(this.toCached(kv, smallInt(kv.modRevision), kv.value));
  }

  /** changes counts every object put or removed: it differs whenever the cached set differs. */
  private changeCount = 0;

  /** changes is a cheap revision of the whole cached set, for callers that recompute on change. */
  get changes(): number {
    return this.changeCount;
  }

  private put(o: Entry): Entry | undefined {
    this.changeCount++;
    const prev = this.objects.get(o.key);
    this.objects.set(o.key, o);
    let ns = this.byNamespace.get(o.namespace);
    if (!ns) this.byNamespace.set(o.namespace, (ns = new Map()));
    ns.set(o.name, o);
    if (!prev) this.sorted.delete(o.namespace);
    else {
      // keep the sorted snapshot valid by replacing in place
      const arr = this.sorted.get(o.namespace);
      if (arr) {
        const i = binarySearch(arr, o.name);
        if (i >= 0) arr[i] = o;
      }
    }
    return prev;
  }

  private remove(key: string): Entry | undefined {
    const prev = this.objects.get(key);
    if (!prev) return undefined;
    this.changeCount++;
    this.objects.delete(key);
    const ns = this.byNamespace.get(prev.namespace);
    ns?.delete(prev.name);
    if (ns && ns.size === 0) this.byNamespace.delete(prev.namespace);
    this.sorted.delete(prev.namespace);
    return prev;
  }

  /** apply records one storage event and fans it out to the watchers. */
  apply(ev: WatchEvent, wallNow: number): void {
    const rv = smallInt(ev.kv.modRevision);
    // Event times are tenths of a second since the cache's first event: small integers stay
    // unboxed in the retained CacheEvents, where epoch milliseconds cost a heap number each.
    const now = smallInt(Math.floor((wallNow - (this.epoch ??= wallNow)) / 100));
    let cev: CacheEvent;
    if (ev.type === 'DELETE') {
      const prev = this.remove(ev.kv.key);
      const lastValue = ev.prevKv?.value;
      // The deleted object is served at the revision of the delete, as upstream. The cache's
      // previous entry is that last value already indexed (events apply in order).
      let obj: Entry;
      if (prev) obj = prev.atRevision(rv);
      else if (lastValue?.length) obj = this.toCached(ev.kv, rv, lastValue);
      else return;
      cev = { type: 'DELETED', rv, obj, at: now };
      if (prev) cev.prev = prev;
    } else {
      const obj = this.toCached(ev.kv, rv, ev.kv.value);
      const prev = this.put(obj);
      cev = { type: prev ? 'MODIFIED' : 'ADDED', rv, obj, at: now };
      if (prev) cev.prev = prev;
    }
    this.events.push(cev);
    this.trim(now);
    this.dispatch(cev);
  }

  private epoch: number | undefined;
  /** head is the index of the oldest retained event; trimmed slots are reclaimed in bulk. */
  private head = 0;

  private trim(now: number): void {
    const ev = this.events;
    let h = this.head;
    const keep = (): number => ev.length - h;
    while (h < ev.length && (keep() > this.maxEvents || (keep() > Math.min(100, this.maxEvents) && ev[h]!.at < now - this.historyMs / 100))) h++;
    if (h > this.head) this.oldestRv = ev[h - 1]!.rv;
    // Compacting the array only once half of it is dead keeps trimming O(1) amortized.
    if (h > 1024 && h * 2 > ev.length) {
      this.events = ev.slice(h);
      h = 0;
    }
    this.head = h;
  }

  /**
   * dispatch offers an event to the watchers that can want it. Each watcher sits in exactly one
   * index (node, else namespace, else all), and the event's old and new node are different keys
   * when both are looked up, so no watcher is offered an event twice.
   */
  private dispatch(ev: CacheEvent): void {
    for (const w of this.watchersAll) this.offer(w, ev);
    const ns = ev.obj.namespace;
    if (ns) {
      const s = this.watchersByNs.get(ns);
      if (s) for (const w of s) this.offer(w, ev);
    }
    if (this.watchersByNode.size) {
      const node = ev.obj.field('spec.nodeName');
      const s = node !== undefined ? this.watchersByNode.get(node) : undefined;
      if (s) for (const w of s) this.offer(w, ev);
      // A pod leaving a node (its watcher sees DELETED) is offered to that node's watchers too.
      const prevNode = ev.prev?.field('spec.nodeName');
      const p = prevNode !== undefined && prevNode !== node ? this.watchersByNode.get(prevNode) : undefined;
      if (p) for (const w of p) this.offer(w, ev);
    }
  }

  private offer(w: CacheWatcher, ev: CacheEvent): void {
    if (ev.rv <= w.afterRv) return;
    const prevMatch = ev.prev ? w.filter(ev.prev) : false;
    let ok = true;
    if (ev.type === 'DELETED') {
      if (ev.prev ? prevMatch : w.filter(ev.obj)) ok = w.deliver('DELETED', ev.obj, ev.rv);
    } else {
      const match = w.filter(ev.obj);
      if (match && prevMatch) ok = w.deliver('MODIFIED', ev.obj, ev.rv);
      else if (match) ok = w.deliver('ADDED', ev.obj, ev.rv);
      else if (prevMatch) ok = w.deliver('DELETED', ev.obj, ev.rv);
    }
    if (!ok) {
      this.removeWatcher(w);
      w.stop('slow');
    }
  }

  /** list returns the objects of one namespace ('' = all), sorted by namespace then name. */
  list(namespace: string): CachedObject[] {
    if (namespace) return this.sortedNamespace(namespace);
    const out: Entry[] = [];
    for (const ns of [...this.byNamespace.keys()].sort()) for (const o of this.sortedNamespace(ns)) out.push(o);
    return out;
  }

  private sortedNamespace(ns: string): Entry[] {
    let arr = this.sorted.get(ns);
    if (!arr) {
      const m = this.byNamespace.get(ns);
      arr = m ? [...m.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : [];
      this.sorted.set(ns, arr);
    }
    return arr;
  }

  /**
   * addWatcher registers a watcher that has seen everything up to `fromRv`, replaying the
   * retained events after it. Returns false (watcher not added) when `fromRv` is too old.
   */
  addWatcher(w: CacheWatcher, fromRv: number): boolean {
    if (fromRv < this.oldestRv) return false;
    w.afterRv = fromRv;
    // Events are in revision order: start the replay at the first one after fromRv instead of
    // offering the whole history (up to maxEvents) to every new watcher.
    for (let i = this.firstAfter(fromRv); i < this.events.length; i++) this.offer(w, this.events[i]!);
    if (w.nodeName !== undefined) addTo(this.watchersByNode, w.nodeName, w);
    else if (w.namespace) addTo(this.watchersByNs, w.namespace, w);
    else this.watchersAll.add(w);
    return true;
  }

  /** firstAfter returns the index of the first retained event with a revision above rv. */
  private firstAfter(rv: number): number {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  removeWatcher(w: CacheWatcher): void {
    this.watchersAll.delete(w);
    if (w.nodeName !== undefined) this.watchersByNode.get(w.nodeName)?.delete(w);
    if (w.namespace) this.watchersByNs.get(w.namespace)?.delete(w);
  }

  /** stopAll ends every watcher (shutdown). */
  stopAll(): void {
    const all = [...this.watchersAll, ...[...this.watchersByNs.values()].flatMap((s) => [...s]), ...[...this.watchersByNode.values()].flatMap((s) => [...s])];
    this.watchersAll.clear();
    this.watchersByNs.clear();
    this.watchersByNode.clear();
    for (const w of all) w.stop('closed');
  }
}

function addTo(m: Map<string, Set<CacheWatcher>>, k: string, w: CacheWatcher): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(w);
}

function binarySearch(arr: Entry[], name: string): number {
  let lo = 0;
  let hi = arr.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = arr[mid]!.name;
    if (n === name) return mid;
    if (n < name) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** WatchCache owns the single storage watch and the per-prefix caches. */
export class WatchCache {
  /** rv is the newest storage revision the cache has applied. */
  rv = 0;
  private readonly caches = new Map<string, ResourceCache>();
  private watcher: Watcher | undefined;
  private waiters: Array<{ rv: number; resolve: () => void }> = [];
  private failed: StorageError | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly opts: { historyMs?: number; maxEvents?: number; now?: () => number } = {},
  ) {}

  /** register adds a cache for a storage prefix (`/registry/pods/`); call before start. */
  register(prefix: string, indexer: Indexer): ResourceCache {
    let c = this.caches.get(prefix);
    if (!c) {
      c = new ResourceCache(prefix, indexer, this.opts.historyMs ?? 75_000, this.opts.maxEvents ?? 100_000);
      this.caches.set(prefix, c);
    }
    return c;
  }

  private cacheFor(key: string): ResourceCache | undefined {
    const i = key.indexOf('/', '/registry/'.length);
    if (i < 0) return undefined;
    return this.caches.get(key.slice(0, i + 1));
  }

  /** start lists everything once and then follows storage's watch. */
  async start(): Promise<void> {
    for (const c of this.caches.values()) c.reset();
    const list = await this.storage.list('/registry/');
    for (const kv of list.kvs) this.cacheFor(kv.key)?.load(kv);
    this.rv = list.revision;
    for (const c of this.caches.values()) c.oldestRv = list.revision;
    this.watcher = this.storage.watch({
      prefix: '/registry/',
      afterRevision: list.revision,
      withPrevKv: true,
      onEvents: (events) => {
        const now = (this.opts.now ?? Date.now)();
        for (const ev of events) {
          this.cacheFor(ev.kv.key)?.apply(ev, now);
          if (ev.kv.modRevision > this.rv) this.rv = ev.kv.modRevision;
        }
        this.wake();
      },
      onProgress: (rv) => {
        if (rv > this.rv) {
          this.rv = rv;
          this.wake();
        }
      },
      onError: (err) => {
        for (const c of this.caches.values()) c.stopAll();
        if (this.stopped || isStorageError(err, 'Closed')) {
          this.failed = err;
          this.wake();
          return;
        }
        // As upstream's cacher: drop every watcher (clients relist) and rebuild from a fresh
        // list; until then the cache reports unhealthy.
        console.error(`watch cache: storage watch ended (${(err as Error).message}); relisting`);
        this.failed = err;
        this.watcher = undefined;
        const retry = (): void => {
          if (this.stopped) return;
          this.start().then(
            () => {
              this.failed = undefined;
              this.wake();
            },
            () => setTimeout(retry, 1000).unref(),
          );
        };
        setTimeout(retry, 100).unref();
      },
    });
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const keep: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.rv >= w.rv || this.failed) w.resolve();
      else keep.push(w);
    }
    this.waiters = keep;
  }

  /** waitFor resolves true once the cache has applied revision `rv`, false on timeout. */
  waitFor(rv: number, timeoutMs: number): Promise<boolean> {
    if (this.rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(this.rv >= rv);
      }, timeoutMs);
      const waiter = {
        rv,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** waitForFresh waits until the cache has seen storage's current revision. */
  async waitForFresh(timeoutMs = 3000): Promise<boolean> {
    const rv = await this.storage.currentRevision();
    return this.waitFor(rv, timeoutMs);
  }

  get healthy(): boolean {
    return this.watcher !== undefined && this.failed === undefined;
  }

  private stopped = false;

  stop(): void {
    this.stopped = true;
    this.watcher?.close();
    for (const c of this.caches.values()) c.stopAll();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
