/**
 * Watch streams: newline-delimited JSON `{type, object}` events (upstream: watch.Event over
 * the streaming JSON framer).
 *
 * Lines are split and inspected as bytes and each is decoded to a string once, just before
 * JSON.parse: decoding every chunk through a StringDecoder and concatenating strings cost as
 * much as the managedFields cut saved (the scheduler, the controller-manager and every
 * simulated kubelet pay it for each event).
 */
import type { Readable } from 'node:stream';
import type { Status } from 'kubernetes-types/meta/v1.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * WatchEvent is one event of a watch. For BOOKMARK only `metadata.resourceVersion` (and
 * annotations such as `k8s.io/initial-events-end`) of `object` are meaningful; for ERROR the
 * object is a metav1.Status.
 */
export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

/** WatchDecodeOptions are client-side choices about decoding a watch's events. */
export interface WatchDecodeOptions {
  /**
   * skipManagedFields decodes each event's object without `metadata.managedFields`, for
   * consumers that drop them anyway (the informers' default transform): they are a third or
   * more of a pod's bytes and the costliest part to parse (many small objects).
   */
  skipManagedFields?: boolean;
}

/**
 * parseWatchStream yields the events of an NDJSON body in order. It ends when the body ends;
 * it throws if a line is not a JSON event, or with the AbortError of an aborted request.
 * Breaking out of the loop destroys the body (closing the watch). Bodies with an encoding set
 * (string chunks) are read too.
 */
export async function* parseWatchStream<T>(body: Readable, opts: WatchDecodeOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const skip = opts.skipManagedFields === true;
  // The start of a line still waiting for its newline: pieces of earlier chunks, kept as they
  // came (a stream hands its chunks over; they are not reused).
  let carry: Buffer[] = [];
  let carried = 0;
  try {
    for await (const c of body as AsyncIterable<Buffer | string>) {
      // A string chunk is encoded back to the bytes its decoder read (the body is UTF-8 JSON
      // whatever encoding the stream was given).
      const chunk = typeof c === 'string' ? Buffer.from(c, body.readableEncoding ?? 'utf8') : c;
      let start = 0;
      let nl = chunk.indexOf(10);
      while (nl >= 0) {
        let ev: WatchEvent<T> | undefined;
        if (carried > 0) {
          carry.push(chunk.subarray(0, nl));
          const n = carried + nl;
          const line = joined(carry, n);
          carry = [];
          carried = 0;
          ev = decodeLine<T>(line, 0, n, skip);
        } else {
          ev = decodeLine<T>(chunk, start, nl, skip);
        }
        start = nl + 1;
        if (ev) yield ev;
        nl = chunk.indexOf(10, start);
      }
      if (start < chunk.length) {
        carry.push(start === 0 ? chunk : chunk.subarray(start));
        carried += chunk.length - start;
      }
    }
    if (carried > 0) {
      const line = joined(carry, carried);
      carry = [];
      const ev = decodeLine<T>(line, 0, carried, skip);
      if (ev) yield ev;
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
}

/**
 * scratch holds a line while it is assembled or cut, and is decoded at once: no await comes
 * between, so every stream of the thread can share it. Lines beyond SCRATCH_MAX get a buffer
 * of their own instead of growing it for good.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);
const SCRATCH_MAX = 1024 * 1024;

function scratchFor(n: number): Buffer {
  if (n <= scratch.length) return scratch;
  if (n > SCRATCH_MAX) return Buffer.allocUnsafe(n);
  scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(n, scratch.length * 2)));
  return scratch;
}

/**
 * joined copies pieces (n bytes in all) into the first n bytes of one buffer (the scratch one
 * when it fits), or returns the only piece.
 */
function joined(pieces: Buffer[], n: number): Buffer {
  if (pieces.length === 1) return pieces[0]!;
  const out = scratchFor(n);
  let at = 0;
  for (const p of pieces) {
    p.copy(out, at);
    at += p.length;
  }
  return out;
}

/**
 * decodeLine parses the event in b[start, end): undefined for a blank line, the event with
 * `object.metadata.managedFields` cut out of the bytes first when `skip`.
 */
function decodeLine<T>(b: Buffer, start: number, end: number, skip: boolean): WatchEvent<T> | undefined {
  let s = start;
  while (s < end && isWS(b[s]!)) s++;
  if (s === end) return undefined;
  let text: string;
  const cut = skip ? managedFieldsRange(b, s, end) : undefined;
  if (!cut) text = b.toString('utf8', s, end);
  else {
    // The two kept parts side by side, decoded into one flat string for JSON.parse.
    const head = cut[0] - s;
    const n = head + (end - cut[1]);
    if (b === scratch) {
      b.copyWithin(cut[0], cut[1], end);
      text = b.toString('utf8', s, s + n);
    } else {
      const out = scratchFor(n);
      b.copy(out, 0, s, cut[0]);
      b.copy(out, head, cut[1], end);
      text = out.toString('utf8', 0, n);
    }
  }
  return parseEvent<T>(text);
}

function parseEvent<T>(line: string): WatchEvent<T> {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch (err) {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`, { cause: err });
  }
  const e = ev as { type?: unknown; object?: unknown };
  if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.object !== 'object') {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`);
  }
  return e as WatchEvent<T>;
}

/** isWS: JSON whitespace (space, tab, LF, CR). */
const isWS = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * stringEnd returns the index of the quote closing the JSON string opened at `i`, or -1.
 * Bytes of multi-byte UTF-8 characters are all >= 0x80, so they never look like a quote or a
 * backslash.
 */
function stringEnd(b: Uint8Array, i: number, n: number): number {
  for (let j = i + 1; j < n; j++) {
    const c = b[j]!;
    if (c === 92) j++;
    else if (c === 34) return j;
  }
  return -1;
}

/** arrayEnd returns the index just past the `]` closing the array opened at `i`, or -1. */
function arrayEnd(b: Uint8Array, i: number, n: number): number {
  let depth = 0;
  for (let j = i; j < n; j++) {
    const c = b[j]!;
    if (c === 34) {
      j = stringEnd(b, j, n);
      if (j < 0) return -1;
    } else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/** keyIs reports whether the raw key text b(i, end) (between its quotes) is `word` (ASCII). */
function keyIs(b: Uint8Array, i: number, end: number, word: string): boolean {
  if (end - i - 1 !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + 1 + k] !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * managedFieldsRange finds the `managedFields` member of `object.metadata` (with its comma)
 * in the watch event text b[start, n) and returns the byte range to cut, or undefined when
 * there is none. The scan follows the JSON structure — strings, nesting, and the keys
 * `object` and `metadata` on the way down — so a `managedFields` anywhere else (inside a
 * string, a spec, a template) is left alone. It stops at the end of `object.metadata`; text it
 * does not recognise is left whole, for JSON.parse to judge. Bytes at n and beyond are never
 * read: b may be the shared scratch buffer, whose tail holds an earlier line.
 */
export function managedFieldsRange(b: Uint8Array, start: number, n: number): [number, number] | undefined {
  let depth = 0;
  let lastKey: 'object' | 'metadata' | '' = '';
  let inObject = false;
  let inMeta = false;
  for (let i = start; i < n; i++) {
    const c = b[i]!;
    if (c === 34) {
      const end = stringEnd(b, i, n);
      if (end < 0) return undefined;
      let j = end + 1;
      while (j < n && isWS(b[j]!)) j++;
      if (j >= n || b[j] !== 58) {
        i = end; // a string value
        continue;
      }
      if (inMeta && depth === 3 && keyIs(b, i, end, 'managedFields')) {
        let v = j + 1;
        while (v < n && isWS(b[v]!)) v++;
        if (b[v] !== 91) return undefined;
        const close = arrayEnd(b, v, n);
        if (close < 0) return undefined;
        let before = i - 1;
        while (before >= start && isWS(b[before]!)) before--;
        if (b[before] === 44) return [before, close];
        // the first member: its following comma goes instead
        let after = close;
        while (after < n && isWS(b[after]!)) after++;
        return [i, after < n && b[after] === 44 ? after + 1 : close];
      }
      if (depth <= 2) lastKey = keyIs(b, i, end, 'object') ? 'object' : keyIs(b, i, end, 'metadata') ? 'metadata' : '';
      i = j;
      continue;
    }
    if (c === 123 || c === 91) {
      depth++;
      if (depth === 2) inObject = c === 123 && lastKey === 'object';
      else if (depth === 3) inMeta = c === 123 && inObject && lastKey === 'metadata';
      lastKey = '';
    } else if (c === 125 || c === 93) {
      // metadata ended without managedFields: nothing to cut
      if (depth === 3 && inMeta) return undefined;
      depth--;
    }
  }
  return undefined;
}
