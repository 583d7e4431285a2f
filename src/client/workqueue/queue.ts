/**
 * Queue is client-go's util/workqueue Type: a FIFO of distinct items with the guarantee that
 * one item is never handed to two workers at once. An item added while it is being processed
 * is marked dirty and re-queued when the worker calls done(); adding an item already waiting
 * is a no-op. Items are compared with SameValueZero (use string keys such as `ns/name`).
 */
export class Queue<T> {
  private queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
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
    this.push(item);
  }

  private push(item: T): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w({ item });
      return;
    }
    this.queue.push(item);
  }

  /** len returns the number of items waiting (not those being processed). */
  len(): number {
    return this.queue.length - this.head;
  }

  /**
   * get waits for the next item and marks it processing; the caller must call done(item).
   * Resolves `undefined` once the queue is shut down and (for shutDownWithDrain) empty.
   */
  get(): Promise<T | undefined> {
    if (this.len() > 0) {
      const item = this.queue[this.head++] as T;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
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
    if (this.dirty.has(item)) this.push(item);
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
