/**
 * Watch streams: newline-delimited JSON `{type, object}` events (upstream: watch.Event over
 * the streaming JSON framer).
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
 * Breaking out of the loop destroys the body (closing the watch).
 */
export async function* parseWatchStream<T>(body: Readable, opts: WatchDecodeOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const skip = opts.skipManagedFields === true;
  let buf = '';
  body.setEncoding('utf8');
  try {
    for await (const chunk of body as AsyncIterable<string>) {
      buf += chunk;
      // One pass over the buffer per chunk; the unfinished tail is kept once at the end.
      let start = 0;
      let nl: number;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        const line = buf.slice(start, nl);
        start = nl + 1;
        if (line.trim()) yield parseEvent<T>(line, skip);
      }
      if (start > 0) buf = buf.slice(start);
    }
    const rest = buf.trim();
    if (rest) yield parseEvent<T>(rest, skip);
  } finally {
    if (!body.destroyed) body.destroy();
  }
}

function parseEvent<T>(line: string, skipManagedFields: boolean): WatchEvent<T> {
  let ev: unknown;
  try {
    ev = JSON.parse(skipManagedFields ? withoutManagedFields(line) : line);
  } catch (err) {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`, { cause: err });
  }
  const e = ev as { type?: unknown; object?: unknown };
  if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.object !== 'object') {
    throw new Error(`watch: malformed event: ${line.slice(0, 200)}`);
  }
  return e as WatchEvent<T>;
}

const WS = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/** stringEnd returns the index of the quote closing the JSON string opened at `i`, or -1. */
function stringEnd(s: string, i: number): number {
  let j = i;
  for (;;) {
    j = s.indexOf('"', j + 1);
    if (j < 0) return -1;
    let b = j - 1;
    while (s.charCodeAt(b) === 92) b--;
    // an even run of backslashes before it: the quote is not escaped
    if ((j - 1 - b) % 2 === 0) return j;
  }
}

/** arrayEnd returns the index just past the `]` closing the array opened at `i`, or -1. */
function arrayEnd(s: string, i: number): number {
  let depth = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      j = stringEnd(s, j);
      if (j < 0) return -1;
    } else if (c === 91 || c === 123) depth++;
    else if (c === 93 || c === 125) {
      if (--depth === 0) return j + 1;
    }
  }
  return -1;
}

/**
 * withoutManagedFields returns the watch event text `line` with the `managedFields` member of
 * `object.metadata` cut out (with its comma). The scan follows the JSON structure — strings,
 * nesting, and the keys `object` and `metadata` on the way down — so a `managedFields` anywhere
 * else (inside a string, a spec, a template) is left alone. It stops at the end of
 * `object.metadata`; text it does not recognise is returned unchanged, for JSON.parse to judge.
 */
export function withoutManagedFields(line: string): string {
  const n = line.length;
  let depth = 0;
  let lastKey = '';
  let inObject = false;
  let inMeta = false;
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(line, i);
      if (end < 0) return line;
      let j = end + 1;
      while (j < n && WS(line.charCodeAt(j))) j++;
      if (line.charCodeAt(j) !== 58) {
        i = end; // a string value
        continue;
      }
      if (inMeta && depth === 3 && end - i === 14 && line.startsWith('managedFields', i + 1)) {
        let v = j + 1;
        while (v < n && WS(line.charCodeAt(v))) v++;
        if (line.charCodeAt(v) !== 91) return line;
        const close = arrayEnd(line, v);
        if (close < 0) return line;
        let before = i - 1;
        while (before >= 0 && WS(line.charCodeAt(before))) before--;
        if (line.charCodeAt(before) === 44) return line.slice(0, before) + line.slice(close);
        // the first member: its following comma goes instead
        let after = close;
        while (after < n && WS(line.charCodeAt(after))) after++;
        return line.slice(0, i) + line.slice(line.charCodeAt(after) === 44 ? after + 1 : close);
      }
      if (depth <= 2) lastKey = line.slice(i + 1, end);
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
      if (depth === 3 && inMeta) return line;
      depth--;
    }
  }
  return line;
}
