/**
 * LIST bodies served from the watch cache: the items' cached JSON with each revision spliced in,
 * written without re-serializing anything.
 */
import type { ServerResponse } from 'node:http';
import { Entry, type CachedObject } from './object.js';

/** Lists up to this size are built as one buffer in one turn of the event loop. */
const ONE_BUFFER_BYTES = 1 << 20;
/**
 * A larger list is written in slices of about this size, one per turn of the event loop: every
 * write that arrives meanwhile waits for one slice (a fraction of a millisecond), not for the
 * whole list (a namespace of 3000 pods is ~6 MB, ~10 ms; all pods of a large cluster, seconds).
 */
const SLICE_BYTES = 256 * 1024;

/**
 * writeJsonList answers 200 with head + the items' served JSON joined by commas + tail, as
 * application/json with a Content-Length. A small list is copied into one buffer and written at
 * once. A large one is copied slice by slice into a few reused buffers, yielding to the event
 * loop between slices (and waiting for the socket to drain when the client reads slowly): its
 * items are a snapshot taken now, as cache entries never change. It returns before a large list
 * is written; a client that goes away stops it.
 */
export function writeJsonList(res: ServerResponse, head: Buffer, items: readonly CachedObject[], tail: Buffer): void {
  let size = head.length + tail.length + Math.max(0, items.length - 1);
  const plain: Array<Buffer | undefined> = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    if (o instanceof Entry) size += o.servedLength;
    else size += (plain[i] = o.bytes).length;
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': size, 'Cache-Control': 'no-cache, private' });
  if (size <= ONE_BUFFER_BYTES) {
    const out = Buffer.allocUnsafe(size);
    let at = head.length;
    out.set(head, 0);
    for (let i = 0; i < items.length; i++) {
      if (i) out[at++] = 0x2c; // ,
      at = copyItem(out, at, items[i]!, plain[i]);
    }
    out.set(tail, at);
    res.end(out);
    return;
  }
  new SlicedList(res, head, items.slice(), plain, tail).next();
}

/** copyItem writes one item's served JSON at `at` and returns the offset after it. */
function copyItem(out: Buffer, at: number, o: CachedObject, plain: Buffer | undefined): number {
  if (plain) {
    out.set(plain, at);
    return at + plain.length;
  }
  return (o as Entry).copyTo(out, at);
}

function itemLength(o: CachedObject, plain: Buffer | undefined): number {
  return plain ? plain.length : (o as Entry).servedLength;
}

/** SlicedList writes a large list body one slice per event-loop turn. */
class SlicedList {
  /** next item to write; items.length once only the tail is left. */
  private i = 0;
  private headWritten = false;
  /** Slice buffers the socket is done with, reused for later slices. */
  private readonly free: Buffer[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly head: Buffer,
    private readonly items: readonly CachedObject[],
    private readonly plain: ReadonlyArray<Buffer | undefined>,
    private readonly tail: Buffer,
  ) {}

  /** next writes one slice, then schedules the next (after a drain when the socket is full). */
  readonly next = (): void => {
    const res = this.res;
    if (res.destroyed) return;
    if (this.i >= this.items.length) {
      res.end(this.tail);
      return;
    }
    const buf = this.free.pop() ?? Buffer.allocUnsafeSlow(SLICE_BYTES);
    let at = 0;
    if (!this.headWritten) {
      // The head is small (list metadata); a slice always has room for it.
      buf.set(this.head, 0);
      at = this.head.length;
      this.headWritten = true;
    }
    const items = this.items;
    const plain = this.plain;
    let big: CachedObject | undefined;
    while (this.i < items.length) {
      const i = this.i;
      const need = itemLength(items[i]!, plain[i]) + (i ? 1 : 0);
      if (at + need > buf.length) {
        // An item larger than a slice goes out in a buffer of its own.
        if (at === 0) big = items[i];
        break;
      }
      if (i) buf[at++] = 0x2c; // ,
      at = copyItem(buf, at, items[i]!, plain[i]);
      this.i++;
    }
    let ok: boolean;
    if (big) {
      const i = this.i++;
      const out = Buffer.allocUnsafe(itemLength(big, plain[i]) + (i ? 1 : 0));
      if (i) out[0] = 0x2c;
      copyItem(out, i ? 1 : 0, big, plain[i]);
      this.free.push(buf);
      ok = res.write(out);
    } else ok = res.write(buf.subarray(0, at), () => this.free.push(buf));
    if (ok) setImmediate(this.next);
    else this.waitDrain();
  };

  private waitDrain(): void {
    const res = this.res;
    const go = (): void => {
      res.off('drain', go);
      res.off('close', go);
      this.next();
    };
    res.on('drain', go);
    res.on('close', go);
  }
}
