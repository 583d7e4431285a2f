/**
 * LIST bodies served from the watch cache: the items' cached JSON with each revision spliced in,
 * written without re-serializing anything.
 */
import type { ServerResponse } from 'node:http';
import { Entry, type CachedObject } from './object.js';

/** Lists up to this size are built as one buffer; larger ones are written piecewise. */
const ONE_BUFFER_BYTES = 1 << 20;
const COMMA = Buffer.from(',');

/**
 * writeJsonList answers 200 with head + the items' served JSON joined by commas + tail, as
 * application/json with a Content-Length. A small list is copied into one buffer; a large one
 * (a namespace of thousands of pods) is written as views of the cached bytes, each item's head
 * and revision copied into one small arena: copying megabytes per list into fresh memory costs
 * page faults and GC pressure that writing the cached bytes as they are does not.
 */
export function writeJsonList(res: ServerResponse, head: Buffer, items: readonly CachedObject[], tail: Buffer): void {
  let size = head.length + tail.length + Math.max(0, items.length - 1);
  let arenaSize = 0;
  const plain: Array<Buffer | undefined> = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const o = items[i]!;
    if (o instanceof Entry) {
      size += o.servedLength;
      arenaSize += o.maxHeadLength;
    } else {
      size += (plain[i] = o.bytes).length;
      arenaSize++;
    }
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': size, 'Cache-Control': 'no-cache, private' });
  if (size <= ONE_BUFFER_BYTES) {
    const out = Buffer.allocUnsafe(size);
    out.set(head, 0);
    let at = head.length;
    for (let i = 0; i < items.length; i++) {
      if (i) out[at++] = 0x2c; // ,
      const b = plain[i];
      if (b) {
        out.set(b, at);
        at += b.length;
      } else at = (items[i] as Entry).copyTo(out, at);
    }
    out.set(tail, at);
    res.end(out);
    return;
  }
  const arena = Buffer.allocUnsafe(arenaSize);
  let used = 0;
  res.cork();
  res.write(head);
  for (let i = 0; i < items.length; i++) {
    const b = plain[i];
    if (b) {
      if (i) res.write(COMMA);
      res.write(b);
    } else {
      // The comma goes into the item's head: two writes per item.
      const [h, t] = (items[i] as Entry).pieces(arena, used, i ? 0x2c : undefined);
      used += h.length;
      if (h.length) res.write(h);
      res.write(t);
    }
  }
  res.end(tail);
  res.uncork();
}
