/**
 * WatchHub fans committed events out to in-process watchers. Each watcher has its own queue
 * drained in a microtask, so callbacks never run inside the caller of deliver() and a watcher's
 * replayed history always precedes its live events.
 */
import { StorageError, type WatchEvent, type WatchOptions, type Watcher } from './interface.js';

interface Entry {
  opts: WatchOptions;
  /** last is the highest revision handed to (or skipped for) this watcher. */
  last: number;
  queue: WatchEvent[];
  scheduled: boolean;
  active: boolean;
  sinceProgress: boolean;
}

export class WatchHub {
  private readonly entries = new Set<Entry>();
  private progressTimer: NodeJS.Timeout | undefined;
  /** delivered is the newest revision whose events have been handed to deliver(). */
  delivered: number;

  constructor(startRevision: number, progressIntervalMs: number) {
    this.delivered = startRevision;
    if (progressIntervalMs > 0) {
      this.progressTimer = setInterval(() => this.progress(), progressIntervalMs);
      this.progressTimer.unref();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * add registers a watcher whose history (events after opts.afterRevision up to `delivered`)
   * is `backlog`; live events follow through deliver().
   */
  add(opts: WatchOptions, backlog: WatchEvent[]): Watcher {
    const e: Entry = { opts, last: opts.afterRevision, queue: [], scheduled: false, active: true, sinceProgress: false };
    this.entries.add(e);
    this.push(e, backlog);
    return {
      close: () => {
        e.active = false;
        this.entries.delete(e);
      },
    };
  }

  /** fail ends one watch with an error, asynchronously. */
  failLater(opts: WatchOptions, err: StorageError): Watcher {
    let active = true;
    queueMicrotask(() => {
      if (active) opts.onError(err);
    });
    return { close: () => (active = false) };
  }

  /** deliver hands events (in revision order, none skipped) to every matching watcher. */
  deliver(events: WatchEvent[], revision: number): void {
    if (events.length > 0) {
      for (const e of this.entries) this.push(e, events);
    }
    if (revision > this.delivered) this.delivered = revision;
  }

  private push(e: Entry, events: WatchEvent[]): void {
    const prefix = e.opts.prefix;
    for (const ev of events) {
      if (ev.kv.modRevision <= e.last || !ev.kv.key.startsWith(prefix)) continue;
      e.last = ev.kv.modRevision;
      if (ev.type === 'PUT' && !e.opts.withPrevKv && ev.prevKv) e.queue.push({ type: 'PUT', kv: ev.kv });
      else e.queue.push(ev);
    }
    if (e.queue.length > 0 && !e.scheduled) {
      e.scheduled = true;
      queueMicrotask(() => this.drain(e));
    }
  }

  private drain(e: Entry): void {
    e.scheduled = false;
    if (!e.active || e.queue.length === 0) return;
    const batch = e.queue;
    e.queue = [];
    e.sinceProgress = true;
    try {
      e.opts.onEvents(batch);
    } catch (err) {
      // A throwing consumer ends its own watch; others are unaffected.
      e.active = false;
      this.entries.delete(e);
      e.opts.onError(new StorageError('Unavailable', `watch consumer failed: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err }));
    }
  }

  private progress(): void {
    for (const e of this.entries) {
      if (!e.opts.onProgress || e.queue.length > 0) continue;
      if (e.sinceProgress) {
        e.sinceProgress = false;
        continue;
      }
      if (e.last < this.delivered) e.last = this.delivered;
      e.opts.onProgress(this.delivered);
    }
  }

  /** closeAll ends every watch with a 'Closed' error (the store is shutting down). */
  closeAll(): void {
    clearInterval(this.progressTimer);
    const all = [...this.entries];
    this.entries.clear();
    for (const e of all) {
      if (!e.active) continue;
      e.active = false;
      e.opts.onError(new StorageError('Closed', 'storage closed'));
    }
  }
}
