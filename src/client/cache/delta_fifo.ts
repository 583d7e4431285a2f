/**
 * DeltaFIFO as client-go's: a queue of keys, each carrying the ordered list of changes
 * (deltas) seen for that object since it was last popped. The reflector feeds it; the
 * informer pops it and applies each delta to the indexer before telling handlers.
 */
import { DeletedFinalStateUnknown, type KeyFunc } from './store.js';
import { Fifo } from '../../util/fifo.js';

export type DeltaType = 'Added' | 'Updated' | 'Deleted' | 'Replaced' | 'Sync';

export interface Delta<T> {
  type: DeltaType;
  /** object is the new state, or for Deleted the last known state (maybe a tombstone). */
  object: T | DeletedFinalStateUnknown<T>;
}

/** KeyListerGetter is what DeltaFIFO needs of the indexer to detect deletions on relist. */
export interface KeyListerGetter<T> {
  listKeys(): string[];
  getByKey(key: string): T | undefined;
}

export interface DeltaFIFOOptions<T> {
  keyFunc: KeyFunc<T>;
  /** knownObjects is the indexer the popped deltas are applied to. */
  knownObjects?: KeyListerGetter<T>;
}

export class DeltaFIFO<T> {
  private readonly items = new Map<string, Delta<T>[]>();
  private queue = new Fifo<string>();
  private populated = false;
  private initialPopulationCount = 0;
  private closed = false;
  private waiters: Array<() => void> = [];
  private readonly keyFunc: KeyFunc<T>;
  private readonly knownObjects: KeyListerGetter<T> | undefined;

  constructor(opts: DeltaFIFOOptions<T>) {
    this.keyFunc = opts.keyFunc;
    this.knownObjects = opts.knownObjects;
  }

  /** hasSynced is true once the first replace() (or add) has been fully popped. */
  hasSynced(): boolean {
    return this.populated && this.initialPopulationCount === 0;
  }

  add(obj: T): void {
    this.populated = true;
    this.queueAction('Added', obj);
  }

  update(obj: T): void {
    this.populated = true;
    this.queueAction('Updated', obj);
  }

  /**
   * delete queues a Deleted delta, unless the object is neither known to the indexer nor
   * queued (it is already gone: nothing to tell anyone).
   */
  delete(obj: T | DeletedFinalStateUnknown<T>): void {
    const key = this.keyFunc(obj);
    this.populated = true;
    if (!this.items.has(key)) {
      if (this.knownObjects ? this.knownObjects.getByKey(key) === undefined : true) return;
    }
    this.queueAction('Deleted', obj);
  }

  private queueAction(type: DeltaType, obj: T | DeletedFinalStateUnknown<T>): void {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    const deltas = old ? [...old, { type, object: obj }] : [{ type, object: obj }];
    dedupDeltas(deltas);
    if (!old) this.queue.push(key);
    this.items.set(key, deltas);
    const w = this.waiters.shift();
    if (w) w();
  }

  /**
   * replace is called with a full list (after a list or relist): every object gets a
   * Replaced delta, and every known object missing from the list a Deleted delta carrying a
   * DeletedFinalStateUnknown tombstone.
   */
  replace(list: T[], _resourceVersion: string): void {
    const keys = new Set<string>();
    for (const obj of list) {
      const key = this.keyFunc(obj);
      keys.add(key);
      this.queueAction('Replaced', obj);
    }
    let deletions = 0;
    if (this.knownObjects) {
      for (const k of this.knownObjects.listKeys()) {
        if (keys.has(k)) continue;
        const last = this.knownObjects.getByKey(k) as T;
        deletions++;
        this.queueAction('Deleted', new DeletedFinalStateUnknown(k, last));
      }
    } else {
      for (const [k, deltas] of this.items) {
        if (keys.has(k)) continue;
        const newest = deltas[deltas.length - 1] as Delta<T>;
        if (newest.type === 'Deleted') continue;
        deletions++;
        const obj = newest.object instanceof DeletedFinalStateUnknown ? newest.object.obj : newest.object;
        this.queueAction('Deleted', new DeletedFinalStateUnknown(k, obj));
      }
    }
    if (!this.populated) {
      this.populated = true;
      this.initialPopulationCount = keys.size + deletions;
    }
  }

  /** resync queues a Sync delta for every known object that has no pending deltas. */
  resync(): void {
    if (!this.knownObjects) return;
    for (const k of this.knownObjects.listKeys()) {
      if (this.items.has(k)) continue;
      const obj = this.knownObjects.getByKey(k);
      if (obj !== undefined) this.queueAction('Sync', obj);
    }
  }

  /** len is the number of keys waiting. */
  len(): number {
    return this.queue.length;
  }

  /** listKeys returns the keys with pending deltas. */
  listKeys(): string[] {
    return this.queue.toArray();
  }

  /** getByKey returns the pending deltas of key (a copy). */
  getByKey(key: string): Delta<T>[] | undefined {
    const d = this.items.get(key);
    return d ? [...d] : undefined;
  }

  /**
   * pop waits for a key, removes it with its deltas and runs `process` synchronously on them
   * before hasSynced() can observe the pop. `isInInitialList` is true for items of the first
   * list. Resolves false once the queue is closed (and nothing is left), true otherwise.
   * If `process` throws, the error propagates and the deltas are dropped.
   */
  async pop(process: (deltas: Delta<T>[], isInInitialList: boolean) => void): Promise<boolean> {
    while (this.queue.length === 0) {
      if (this.closed) return false;
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const key = this.queue.shift()!;
    const deltas = this.items.get(key) as Delta<T>[];
    this.items.delete(key);
    const initial = this.initialPopulationCount > 0;
    try {
      process(deltas, initial);
    } finally {
      if (initial) this.initialPopulationCount--;
    }
    return true;
  }

  /** close makes pop() resolve false once drained, and wakes waiting poppers. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
  }

  isClosed(): boolean {
    return this.closed;
  }
}

/** dedupDeltas collapses two trailing deletions into one, as upstream's isDeletionDup. */
function dedupDeltas<T>(deltas: Delta<T>[]): void {
  const n = deltas.length;
  if (n < 2) return;
  const a = deltas[n - 2] as Delta<T>;
  const b = deltas[n - 1] as Delta<T>;
  if (a.type !== 'Deleted' || b.type !== 'Deleted') return;
  // Keep the one with more information: a real final state beats a tombstone.
  const keep = b.object instanceof DeletedFinalStateUnknown ? a : b;
  deltas.splice(n - 2, 2, keep);
}
