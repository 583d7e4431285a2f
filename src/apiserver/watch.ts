/**
 * Watch streaming over HTTP: a CacheWatcher that writes JSON lines of {type, object} to the
 * response, with bookmarks, `timeoutSeconds`, and a bounded send buffer (a watcher that cannot
 * keep up is closed and its client relists, as upstream's cacher does).
 */
import type { ServerResponse } from 'node:http';
import { watchFrame, type CachedObject, type CacheWatcher, type WatchEventType } from './cache/watchcache.js';

/** The most a slow watcher may have queued before it is closed. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface WatchStreamOptions {
  res: ServerResponse;
  namespace: string;
  nodeName?: string;
  filter(obj: CachedObject): boolean;
  /** encode turns an event into a frame; undefined uses the shared memoized frame. */
  encode?: (type: WatchEventType, obj: CachedObject) => Buffer;
  /** bookmarkObject renders the object of a BOOKMARK event at a revision. */
  bookmarkObject(rv: number, initialEventsEnd: boolean): object;
  allowBookmarks: boolean;
  onStop(): void;
}

export class WatchStream implements CacheWatcher {
  readonly namespace: string;
  readonly nodeName?: string;
  afterRv = 0;
  /** lastRv is the newest revision this watcher has been sent (or knows is complete). */
  lastRv = 0;
  private stopped = false;
  private corked = false;

  constructor(private readonly o: WatchStreamOptions) {
    this.namespace = o.namespace;
    if (o.nodeName !== undefined) this.nodeName = o.nodeName;
  }

  get allowBookmarks(): boolean {
    return this.o.allowBookmarks;
  }

  filter(obj: CachedObject): boolean {
    return this.o.filter(obj);
  }

  deliver(type: WatchEventType, obj: CachedObject, rv: number): boolean {
    if (this.stopped) return true;
    this.cork();
    this.o.res.write(this.o.encode ? this.o.encode(type, obj) : watchFrame(type, obj));
    this.lastRv = rv;
    return this.o.res.writableLength < MAX_BUFFERED_BYTES;
  }

  /**
   * cork batches the frames of one storage batch into a single socket write: events arrive in
   * batches, and one writev per watcher per batch instead of per event is what keeps fan-out to
   * many watchers cheap.
   */
  private cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.o.res.cork();
    setImmediate(() => {
      this.corked = false;
      this.o.res.uncork();
    });
  }

  /** bookmark sends a BOOKMARK at rv (the caller ensures no older event is pending). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.stopped) return;
    if (rv > this.lastRv) this.lastRv = rv;
    this.o.res.write(JSON.stringify({ type: 'BOOKMARK', object: this.o.bookmarkObject(this.lastRv, initialEventsEnd) }) + '\n');
  }

  stop(_reason: 'slow' | 'closed'): void {
    if (this.stopped) return;
    this.stopped = true;
    this.o.res.end();
    this.o.onStop();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}
