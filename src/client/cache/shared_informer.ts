/**
 * SharedIndexInformer as client-go's: one Reflector feeding one DeltaFIFO, whose deltas are
 * applied to an Indexer and then fanned out to any number of event handlers. Handlers should
 * only enqueue keys; they run synchronously in delta order, and one that throws is logged
 * and does not affect the others.
 */
import type { ApiObject } from '../object.js';
import { realClock, type Clock } from '../util/clock.js';
import { DeltaFIFO, type Delta } from './delta_fifo.js';
import { Reflector, type BackoffOptions, type ListerWatcher } from './reflector.js';
import { DeletedFinalStateUnknown, metaNamespaceKeyFunc, newIndexer, type Indexer, type Indexers, type KeyFunc } from './store.js';

/** ResourceEventHandler receives notifications; every callback is optional. */
export interface ResourceEventHandler<T> {
  /** add is called for new objects; isInInitialList is true for those of the first list. */
  add?(obj: T, isInInitialList: boolean): void;
  /** update is called on changes, and with old === new object state on resyncs. */
  update?(oldObj: T, newObj: T): void;
  /** delete gets the final state, or a DeletedFinalStateUnknown tombstone if it was missed. */
  delete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

/** ResourceEventHandlerRegistration is returned by addEventHandler. */
export interface ResourceEventHandlerRegistration {
  /** hasSynced is true once the handler has been told about every item of the initial list. */
  hasSynced(): boolean;
  /** remove stops notifications to this handler. */
  remove(): void;
}

export interface SharedIndexInformerOptions<T> {
  name?: string;
  /** resyncPeriodMs > 0 re-delivers every cached object as update(obj, obj) that often. */
  resyncPeriodMs?: number;
  indexers?: Indexers<T>;
  clock?: Clock;
  backoff?: BackoffOptions;
  pageSize?: number;
  minWatchTimeoutSeconds?: number;
  onError?: (err: unknown) => void;
  /**
   * transform rewrites each object before it is cached (upstream: SetTransform), e.g. to drop
   * managedFields and save memory. It may mutate and return its argument.
   */
  transform?: (obj: T) => T;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  removed: boolean;
}

export class SharedIndexInformer<T extends ApiObject> {
  private readonly indexer: Indexer<T>;
  private readonly fifo: DeltaFIFO<T>;
  private readonly reflector: Reflector<T>;
  /** listeners is replaced, never changed in place, so a delivery walks the list as it was. */
  private listeners: Listener<T>[] = [];
  private started = false;
  private stopped = false;
  private readonly name: string;
  private syncWaiters: Array<() => void> = [];

  constructor(
    listerWatcher: ListerWatcher<T>,
    opts: SharedIndexInformerOptions<T> = {},
  ) {
    this.name = opts.name ?? 'informer';
    this.indexer = newIndexer<T>(opts.indexers ?? {});
    const tf = opts.transform ?? ((o: T): T => o);
    this.fifo = new DeltaFIFO<T>({ keyFunc: metaNamespaceKeyFunc as KeyFunc<T>, knownObjects: this.indexer });
    this.reflector = new Reflector<T>({
      name: this.name,
      listerWatcher,
      store: {
        add: (o) => this.fifo.add(tf(o)),
        update: (o) => this.fifo.update(tf(o)),
        delete: (o) => this.fifo.delete(tf(o)),
        resync: () => this.fifo.resync(),
        // An empty first list syncs without any pop, so check right here too.
        replace: (list, rv) => {
          this.fifo.replace(list.map(tf), rv);
          this.notifySynced();
        },
      },
      resyncPeriodMs: opts.resyncPeriodMs,
      clock: opts.clock ?? realClock,
      backoff: opts.backoff,
      pageSize: opts.pageSize,
      minWatchTimeoutSeconds: opts.minWatchTimeoutSeconds,
      onError: opts.onError,
    });
  }

  /** getIndexer returns the cache (read-only by convention: never mutate its objects). */
  getIndexer(): Indexer<T> {
    return this.indexer;
  }

  getStore(): Indexer<T> {
    return this.indexer;
  }

  /** hasSynced is true once the first list has been fully applied to the cache. */
  hasSynced(): boolean {
    return this.fifo.hasSynced();
  }

  /** lastSyncResourceVersion is the newest resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion();
  }

  /** isStopped reports whether run() has finished. */
  isStopped(): boolean {
    return this.stopped;
  }

  /** addIndexers adds indexes; allowed before and after start. */
  addIndexers(indexers: Indexers<T>): void {
    this.indexer.addIndexers(indexers);
  }

  /**
   * addEventHandler registers a handler. One added while the informer runs is first told
   * about every object already cached, through add(obj, true), before it returns.
   */
  addEventHandler(handler: ResourceEventHandler<T>): ResourceEventHandlerRegistration {
    const l: Listener<T> = { handler, removed: false };
    this.listeners = [...this.listeners, l];
    if (this.started) for (const obj of this.indexer.list()) this.call(l, () => handler.add?.(obj, true));
    return {
      // Delivery is synchronous, so a handler has seen the initial list once the cache has.
      hasSynced: () => !l.removed && this.hasSynced(),
      remove: () => {
        l.removed = true;
        this.listeners = this.listeners.filter((x) => x !== l);
      },
    };
  }

  private call(l: Listener<T>, fn: () => void): void {
    if (l.removed) return;
    try {
      fn();
    } catch (err) {
      this.handlerFailed(err);
    }
  }

  private handlerFailed(err: unknown): void {
    console.error(`${this.name}: event handler failed:`, err);
  }

  // One loop per kind of notification, calling each handler directly: a closure per handler
  // and event (a pod informer has a dozen handlers, and several events per pod) was garbage.
  private notifyAdd(o: T, isInInitialList: boolean): void {
    for (const l of this.listeners) {
      if (l.removed || !l.handler.add) continue;
      try {
        l.handler.add(o, isInInitialList);
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private notifyUpdate(old: T, o: T): void {
    for (const l of this.listeners) {
      if (l.removed || !l.handler.update) continue;
      try {
        l.handler.update(old, o);
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private notifyDelete(obj: T | DeletedFinalStateUnknown<T>): void {
    for (const l of this.listeners) {
      if (l.removed || !l.handler.delete) continue;
      try {
        l.handler.delete(obj);
      } catch (err) {
        this.handlerFailed(err);
      }
    }
  }

  private process(deltas: Delta<T>[], isInInitialList: boolean): void {
    for (const d of deltas) {
      const obj = d.object;
      if (d.type === 'Deleted') {
        this.indexer.delete(obj);
        this.notifyDelete(obj);
        continue;
      }
      const o = obj as T;
      const old = this.indexer.get(o);
      if (old !== undefined) {
        this.indexer.update(o);
        this.notifyUpdate(old, o);
      } else {
        this.indexer.add(o);
        this.notifyAdd(o, isInInitialList);
      }
    }
  }

  /**
   * waitForSync resolves true once hasSynced(), or false if `signal` aborts or the informer
   * stops first.
   */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.hasSynced()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = (): void => done(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => done(this.hasSynced()));
    });
  }

  private notifySynced(): void {
    if (this.syncWaiters.length > 0 && this.hasSynced()) for (const w of this.syncWaiters.splice(0)) w();
  }

  /**
   * run starts the reflector and the processing loop, and resolves once `signal` aborts and
   * both have stopped. Calling it twice is an error.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`${this.name}: informer already started`);
    this.started = true;
    const onAbort = (): void => this.fifo.close();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) this.fifo.close();
    const reflecting = this.reflector.run(signal);
    try {
      for (;;) {
        const more = await this.fifo.pop((deltas, initial) => this.process(deltas, initial));
        this.notifySynced();
        if (!more) break;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      await reflecting;
      this.stopped = true;
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }
}
