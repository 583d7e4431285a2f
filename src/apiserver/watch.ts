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
/** A watcher's queue array is reused after a flush up to this many frames. */
const QUEUE_KEEP = 64;
/** NO_FRAME fills the written slots of a kept queue array (they would otherwise keep their frames alive). */
const NO_FRAME = Buffer.alloc(0);
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
  /**
   * The frames queued this turn are queued[0, queuedCount), in order; queuedBytes their total
   * length. The array outlives a flush: emptied by a count, not by length = 0 (which gives it up
   * for the empty array, so the next turn's first frame would allocate it again).
   */
  private queued: Buffer[] = [];
  private queuedCount = 0;
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
    if (this.queuedCount === 0) scheduleFlush(this);
    if (this.queuedCount < this.queued.length) this.queued[this.queuedCount] = frame;
    else this.queued.push(frame);
    this.queuedCount++;
    this.queuedBytes += frame.length;
  }

  /** pending is the frames queued this turn: the first pendingCount of the list, in order, pendingBytes long. */
  get pending(): readonly Buffer[] {
    return this.queued;
  }

  get pendingCount(): number {
    return this.queuedCount;
  }

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /**
   * sendPending writes the queued frames (joined: already one buffer) and empties the queue.
   * The queue array is kept for the next turn's frames (a flush is per watcher, a hundred times
   * a second), unless a large initial list grew it; written slots stop holding their frames.
   */
  sendPending(joined: Buffer | undefined): void {
    this.write(this.queued, this.queuedCount, joined);
    if (this.queued.length > QUEUE_KEEP) this.queued = [];
    else this.queued.fill(NO_FRAME, 0, this.queuedCount);
    this.queuedCount = 0;
    this.queuedBytes = 0;
  }

  /** write sends frames as one chunk (joined: already one buffer). */
  private write(frames: readonly Buffer[], count: number, joined: Buffer | undefined): void {
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
    else for (let i = 0; i < count; i++) res.write(frames[i]!);
    res.uncork();
  }

  stop(_reason: 'slow' | 'closed'): void {
    if (this.stopped) return;
    this.stopped = true;
    // What was queued before the stop still goes out, in order, before the end.
    if (this.queuedCount > 0) this.sendPending(joinFrames(this.queued, this.queuedCount, this.queuedBytes));
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

/** Streams with frames queued this turn, in the order they were first sent one (and a spare list to swap in). */
let dirty: WatchStream[] = [];
let spare: WatchStream[] = [];
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
  dirty = spare;
  let memoJoined: Buffer | undefined;
  for (const s of streams) {
    const n = s.pendingCount;
    if (n === 0) continue;
    const frames = s.pending;
    let joined: Buffer | undefined;
    if (n > 1 && memoJoined && sameFrames(memoFrames, memoCount, frames, n)) joined = memoJoined;
    else {
      joined = joinFrames(frames, n, s.pendingBytes);
      if (n > 1 && joined) {
        for (let i = 0; i < n; i++) memoFrames[i] = frames[i]!;
        memoCount = n;
        memoJoined = joined;
      }
    }
    s.sendPending(joined);
  }
  streams.length = 0;
  spare = streams;
  memoFrames.fill(NO_FRAME, 0, memoCount);
  memoCount = 0;
  // The memos keep nothing alive between flushes (a joined initial list can be a megabyte).
  chunkOf = chunk = undefined;
}

/** memoFrames[0, memoCount): the frames flushAll last joined (a copy: each stream's queue is emptied once written). */
const memoFrames: Buffer[] = [];
let memoCount = 0;

/** joinFrames returns the first `count` frames as one buffer (a single frame is itself), or undefined when too large to copy. */
function joinFrames(frames: readonly Buffer[], count: number, bytes: number): Buffer | undefined {
  if (count === 1) return frames[0];
  if (bytes > JOIN_MAX_BYTES) return undefined;
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out.set(frames[i]!, at);
    at += frames[i]!.length;
  }
  return out;
}

function sameFrames(a: readonly Buffer[], aCount: number, b: readonly Buffer[], bCount: number): boolean {
  if (aCount !== bCount) return false;
  for (let i = 0; i < aCount; i++) if (a[i] !== b[i]) return false;
  return true;
}
