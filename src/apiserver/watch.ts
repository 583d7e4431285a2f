/**
 * Watch streaming over HTTP: a CacheWatcher that writes JSON lines of {type, object} to the
 * response, with bookmarks, `timeoutSeconds`, and a bounded send buffer (a watcher that cannot
 * keep up is closed and its client relists, as upstream's cacher does).
 *
 * Frames are queued during a turn of the event loop (a storage batch is many events) and written
 * at its end as one HTTP chunk per watcher; under a steady stream of events at most once every
 * FLUSH_INTERVAL_MS, so that the events of later turns share the chunk. Watchers that were sent
 * the same frames (every unfiltered watcher of a resource) share one joined buffer, framed once
 * as an HTTP chunk and written to each watcher's connection in one call, so fan-out costs one
 * write per watcher per flush rather than one per event.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { watchFrame, type CachedObject, type CacheWatcher, type WatchEventType } from './cache/watchcache.js';

/** The most a slow watcher may have queued before it is closed. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;
/** Frames queued in one turn up to this size go out joined into one buffer (one chunk). */
const JOIN_MAX_BYTES = 1 << 20;

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
  /** Frames queued this turn, in order, and their total length. */
  private queued: Buffer[] = [];
  private queuedBytes = 0;

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
    this.queue(this.o.encode ? this.o.encode(type, obj) : watchFrame(type, obj));
    this.lastRv = rv;
    return this.o.res.writableLength + this.queuedBytes < MAX_BUFFERED_BYTES;
  }

  /** bookmark sends a BOOKMARK at rv (the caller ensures no older event is pending). */
  bookmark(rv: number, initialEventsEnd = false): void {
    if (this.stopped) return;
    if (rv > this.lastRv) this.lastRv = rv;
    this.queue(Buffer.from(JSON.stringify({ type: 'BOOKMARK', object: this.o.bookmarkObject(this.lastRv, initialEventsEnd) }) + '\n'));
  }

  private queue(frame: Buffer): void {
    if (this.queued.length === 0) scheduleFlush(this);
    this.queued.push(frame);
    this.queuedBytes += frame.length;
  }

  /** takeQueued hands over the frames queued this turn (undefined when none). */
  takeQueued(): { frames: Buffer[]; bytes: number } | undefined {
    if (this.queued.length === 0) return undefined;
    const out = { frames: this.queued, bytes: this.queuedBytes };
    this.queued = [];
    this.queuedBytes = 0;
    return out;
  }

  /** write sends frames as one chunk (joined: already one buffer). */
  write(frames: Buffer[], joined: Buffer | undefined): void {
    const res = this.o.res;
    if (res.writableEnded) return;
    const conn = joined ? ownedConnection(res) : undefined;
    if (conn) {
      conn.write(httpChunk(joined!));
      return;
    }
    // Corked, a chunk's size line, data and CRLF leave in one writev rather than three writes.
    res.cork();
    if (joined) res.write(joined);
    // Too much to join (the initial events of a large list): one writev of the frames.
    else for (const f of frames) res.write(f);
    res.uncork();
  }

  stop(_reason: 'slow' | 'closed'): void {
    if (this.stopped) return;
    this.stopped = true;
    // What was queued before the stop still goes out, in order, before the end.
    const q = this.takeQueued();
    if (q) this.write(q.frames, joinFrames(q.frames, q.bytes));
    this.o.res.end();
    this.o.onStop();
  }

  get isStopped(): boolean {
    return this.stopped;
  }
}

/**
 * ownedConnection returns the connection a chunked response may write its chunks to itself: its
 * headers are out, it is the connection's current response (not one pipelined behind another)
 * and it holds nothing queued of its own, so bytes written to the socket land in order. That
 * spares, per watcher and flush, the response's three buffered writes (size line, data, CRLF)
 * and the stream machinery's writev bookkeeping: at 100 watchers and 100 flushes a second that
 * bookkeeping was a third of the server's allocations.
 */
function ownedConnection(res: ServerResponse): Socket | undefined {
  const r = res as ServerResponse & { chunkedEncoding?: boolean; outputData?: readonly unknown[] };
  const conn = res.socket as (Socket & { _httpMessage?: unknown }) | null;
  if (!conn || conn.destroyed || !res.headersSent || r.chunkedEncoding !== true) return undefined;
  if (conn._httpMessage !== res || (r.outputData?.length ?? 0) !== 0) return undefined;
  return conn;
}

/** httpChunk frames data as one HTTP/1.1 chunk; flushes write the same data to watchers back to back, so the last is memoized. */
let chunkOf: Buffer | undefined;
let chunk: Buffer | undefined;
function httpChunk(data: Buffer): Buffer {
  if (data === chunkOf) return chunk!;
  const size = data.length.toString(16);
  const out = Buffer.allocUnsafe(size.length + 2 + data.length + 2);
  out.write(size, 0, 'latin1');
  out[size.length] = 0x0d;
  out[size.length + 1] = 0x0a;
  data.copy(out, size.length + 2);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  chunkOf = data;
  chunk = out;
  return out;
}

/** Streams with frames queued this turn, in the order they were first sent one. */
let dirty: WatchStream[] = [];
let flushScheduled = false;

/**
 * FLUSH_INTERVAL_MS: flushes come at most this often. Each is one socket write per watcher, and
 * a write on loopback also runs the receiving side's TCP work: at 200 events a second to 100
 * watchers, writing every event apart was a fifth of the main thread. An event after a quiet
 * spell still goes out at the end of its turn; under a steady stream, events wait at most this
 * long and share their watchers' writes.
 */
const FLUSH_INTERVAL_MS = 10;
/** lastFlushAt: when flushAll last ran (performance.now()). */
let lastFlushAt = -Infinity;

function scheduleFlush(s: WatchStream): void {
  dirty.push(s);
  if (flushScheduled) return;
  flushScheduled = true;
  // setImmediate: every event of this turn (one storage batch, or a whole initial list) is queued first.
  const wait = lastFlushAt + FLUSH_INTERVAL_MS - performance.now();
  if (wait <= 0) setImmediate(flushAll);
  else setTimeout(flushAll, wait);
}

/**
 * flushAll writes each dirty stream's frames. The cache offers an event to its watchers back to
 * back, so streams sent the same frames come one after another: a one-entry memo joins them once.
 */
function flushAll(): void {
  flushScheduled = false;
  lastFlushAt = performance.now();
  const streams = dirty;
  dirty = [];
  let memoFrames: Buffer[] | undefined;
  let memoJoined: Buffer | undefined;
  for (const s of streams) {
    const q = s.takeQueued();
    if (!q) continue;
    let joined: Buffer | undefined;
    if (q.frames.length > 1 && memoFrames && sameFrames(memoFrames, q.frames)) joined = memoJoined;
    else {
      joined = joinFrames(q.frames, q.bytes);
      if (q.frames.length > 1 && joined) {
        memoFrames = q.frames;
        memoJoined = joined;
      }
    }
    s.write(q.frames, joined);
  }
}

/** joinFrames returns the frames as one buffer (a single frame is itself), or undefined when too large to copy. */
function joinFrames(frames: Buffer[], bytes: number): Buffer | undefined {
  if (frames.length === 1) return frames[0];
  return bytes <= JOIN_MAX_BYTES ? Buffer.concat(frames, bytes) : undefined;
}

function sameFrames(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
