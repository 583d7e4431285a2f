/**
 * Queue is client-go's util/workqueue Type: a FIFO of distinct items with the guarantee that
 * one item is never handed to two workers at once. An item added while it is being processed
 * is marked dirty and re-queued when the worker calls done(); adding an item already waiting
 * is a no-op. Items are compared with SameValueZero (use string keys such as `ns/name`).
 *
 * addUrgent puts an item in a second lane that get() serves first (controller-runtime's
 * priority queue, with two levels): a controller whose keys mostly come from routine status
 * changes can have the changes that need real work (a new ReplicaSet to fill) served next
 * instead of after every routine key already waiting. Both lanes are FIFO. So that a steady
 * stream of urgent items cannot starve the routine ones, after URGENT_RUN urgent items in a
 * row the next get() takes a routine one, if any waits.
 */

/** URGENT_RUN is how many urgent items get() hands out in a row while routine ones wait. */
export const URGENT_RUN = 4;

export class Queue<T> {
  // addUrgent of an item waiting in the routine lane appends it to the urgent lane instead of
  // searching the routine lane; its routine entry is then stale, and staleRoutine counts such
  // entries per item. Each entry is older than any live one of its item (lanes are FIFO), so
  // take() skips an item's first staleRoutine routine entries: an entry never comes back to life
  // when its item is added again, and the urgent lane holds only live entries.
  private queue: T[] = [];
  private head = 0;
  private urgent: T[] = [];
  private urgentHead = 0;
  /** waitingCount counts the items that are dirty and not processing (each has a live lane entry). */
  private waitingCount = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  /** urgentOnDone: items re-added urgently while being processed, queued urgently by done(). */
  private readonly urgentOnDone = new Set<T>();
  /** inUrgentLane: waiting items with an entry in the urgent lane (a repeated addUrgent adds none). */
  private readonly inUrgentLane = new Set<T>();
  /** staleRoutine: per item, how many of its routine lane entries were superseded by addUrgent. */
  private readonly staleRoutine = new Map<T, number>();
  /** urgentRun counts the urgent items handed out since the last routine one. */
  private urgentRun = 0;
  private waiters: Array<(v: { item: T } | undefined) => void> = [];
  private shuttingDownFlag = false;
  private drain = false;
  private drainWaiters: Array<() => void> = [];

  /** add marks item as needing processing. Ignored after shutDown. */
  add(item: T): void {
    if (this.shuttingDownFlag) return;
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item, false);
  }

  /**
   * addUrgent is add, except that the item is handed out before every item added with add (in
   * the order of addUrgent calls). An item already waiting moves to the urgent lane; one being
   * processed is queued urgently when done() is called. Ignored after shutDown.
   */
  addUrgent(item: T): void {
    if (this.shuttingDownFlag) return;
    if (this.processing.has(item)) {
      this.dirty.add(item);
      this.urgentOnDone.add(item);
      return;
    }
    if (this.dirty.has(item)) {
      // Waiting in the routine lane: an entry here, the routine one goes stale.
      if (this.inUrgentLane.has(item)) return;
      this.inUrgentLane.add(item);
      this.urgent.push(item);
      this.staleRoutine.set(item, (this.staleRoutine.get(item) ?? 0) + 1);
      return;
    }
    this.dirty.add(item);
    this.push(item, true);
  }

  private push(item: T, urgent: boolean): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w({ item });
      return;
    }
    this.waitingCount++;
    if (urgent) {
      this.inUrgentLane.add(item);
      this.urgent.push(item);
    } else this.queue.push(item);
  }

  /** len returns the number of items waiting (not those being processed). */
  len(): number {
    return this.waitingCount;
  }

  /**
   * take removes the next live entry: the urgent lane's, unless it is empty or URGENT_RUN urgent
   * items went in a row while routine ones waited. Only called while waitingCount > 0.
   */
  private take(): T {
    // Every item in inUrgentLane has a live urgent entry; the others waiting have a live routine one.
    const routineWaiting = this.waitingCount - this.inUrgentLane.size;
    if (routineWaiting === 0 && this.head < this.queue.length) {
      // Only stale entries are left there: drop them, or a key made urgent after each add would
      // grow the routine lane for as long as no routine item is taken.
      this.queue = [];
      this.head = 0;
      this.staleRoutine.clear();
    }
    if (this.inUrgentLane.size > 0 && (routineWaiting === 0 || this.urgentRun < URGENT_RUN)) {
      this.urgentRun++;
      const item = this.urgent[this.urgentHead++] as T;
      if (this.urgentHead > 1024 && this.urgentHead * 2 > this.urgent.length) {
        this.urgent = this.urgent.slice(this.urgentHead);
        this.urgentHead = 0;
      }
      return item;
    }
    this.urgentRun = 0;
    while (this.head < this.queue.length) {
      const item = this.queue[this.head++] as T;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      const stale = this.staleRoutine.get(item);
      if (stale === undefined) return item;
      if (stale === 1) this.staleRoutine.delete(item);
      else this.staleRoutine.set(item, stale - 1);
    }
    throw new Error('workqueue: an item counted as waiting has no entry');
  }

  /**
   * get waits for the next item and marks it processing; the caller must call done(item).
   * Resolves `undefined` once the queue is shut down and (for shutDownWithDrain) empty.
   */
  get(): Promise<T | undefined> {
    if (this.waitingCount > 0) {
      const item = this.take();
      this.waitingCount--;
      this.inUrgentLane.delete(item);
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDownFlag) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push((v) => resolve(v?.item)));
  }

  /** done ends processing of item; if it was added meanwhile it goes back in the queue. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    const urgent = this.urgentOnDone.delete(item);
    if (this.dirty.has(item)) this.push(item, urgent);
    if (this.drain && this.processing.size === 0) {
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /**
   * shutDown stops accepting new items. Items already queued are still handed out by get();
   * once none are left, get() resolves undefined (waiting callers are released at once).
   */
  shutDown(): void {
    this.shuttingDownFlag = true;
    if (this.len() === 0) for (const w of this.waiters.splice(0)) w(undefined);
    this.drain = false;
    for (const w of this.drainWaiters.splice(0)) w();
    this.onShutDown();
  }

  /**
   * shutDownWithDrain stops accepting new items, then resolves once every item currently
   * being processed has been marked done (upstream: ShutDownWithDrain).
   */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    this.drain = true;
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** shuttingDown reports whether shutDown has been called. */
  shuttingDown(): boolean {
    return this.shuttingDownFlag;
  }

  /** onShutDown lets subclasses release timers. */
  protected onShutDown(): void {}
}
