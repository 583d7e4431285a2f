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

/**
 * parseWatchStream yields the events of an NDJSON body in order. It ends when the body ends;
 * it throws if a line is not a JSON event, or with the AbortError of an aborted request.
 * Breaking out of the loop destroys the body (closing the watch).
 */
export async function* parseWatchStream<T>(body: Readable): AsyncGenerator<WatchEvent<T>, void, undefined> {
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
        if (line.trim()) yield parseEvent<T>(line);
      }
      if (start > 0) buf = buf.slice(start);
    }
    const rest = buf.trim();
    if (rest) yield parseEvent<T>(rest);
  } finally {
    if (!body.destroyed) body.destroy();
  }
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
