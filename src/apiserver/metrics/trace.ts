/**
 * Diagnostic request tracing, off unless the environment variable K8TS_APISERVER_TRACE names a
 * file: one JSON line per non-long-running resource request, so a slow request can be taken
 * apart on the apiserver's main thread. Fields (ms, from `recv`, when the HTTP server handed the
 * request to the handler): `authn` (authenticated), `apf` (admitted by priority and fairness,
 * queue wait included), `authz` (authorized), `body` (its body was read, when it has one),
 * `store` (its last storage write was submitted), `acked` (storage answered it), `sent` (the
 * response was handed whole to the connection: what apiserver_request_duration_seconds
 * measures), `finish` (its write completed), `end` (the response closed); `t` is `recv` in epoch ms. The storage backend traces its own share of
 * a write (K8TS_SQLITE_TRACE). Lines are buffered and appended once a second, never on a
 * request's path. Tracing follows requests through their awaits with AsyncLocalStorage: it
 * costs CPU, so compare latencies between traced runs only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Storage } from '../../storage/interface.js';

/** TRACE_FILE is the trace's path, undefined when tracing is off. */
const TRACE_FILE = process.env.K8TS_APISERVER_TRACE || undefined;

/** Stage names a request may be stamped with, in the order they happen. */
export type TraceStage = 'authn' | 'apf' | 'authz' | 'body' | 'store' | 'acked';

/** RequestTrace is one request's stamps (performance.now() ms). */
interface RequestTrace {
  recv: number;
  /** sent is when the response was handed whole to the connection ('prefinish'); finish, when its write completed ('finish'). */
  sent?: number;
  finish?: number;
  stamps: Partial<Record<TraceStage, number>>;
}

const traces = new WeakMap<IncomingMessage, RequestTrace>();
let lines: string[] = [];
let timer: NodeJS.Timeout | undefined;

function flush(): void {
  if (lines.length === 0 || !TRACE_FILE) return;
  const text = lines.join('\n') + '\n';
  lines = [];
  try {
    appendFileSync(TRACE_FILE, text);
  } catch {
    // A trace that cannot be written is dropped; it never fails a request.
  }
}

/** tracing is true when K8TS_APISERVER_TRACE is set. */
export const tracing = TRACE_FILE !== undefined;

/**
 * traceRequest starts tracing `req` (received at `recv`, performance.now() ms) and writes its
 * line when `res` closes, labelled with `what` (verb and resource). Does nothing when tracing is off.
 */
export function traceRequest(req: IncomingMessage, res: ServerResponse, recv: number, what: string): void {
  if (!tracing) return;
  const tr: RequestTrace = { recv, stamps: {} };
  traces.set(req, tr);
  if (!timer) {
    timer = setInterval(flush, 1000);
    timer.unref();
    process.once('exit', flush);
  }
  res.once('prefinish', () => {
    tr.sent = performance.now();
  });
  res.once('finish', () => {
    tr.finish = performance.now();
  });
  res.once('close', () => {
    const r = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round((x - recv) * 100) / 100);
    const rec: Record<string, string | number | undefined> = { t: Math.round(performance.timeOrigin + recv), what, code: res.statusCode };
    for (const [k, v] of Object.entries(tr.stamps)) rec[k] = r(v);
    rec['sent'] = r(tr.sent);
    rec['finish'] = r(tr.finish);
    rec['end'] = r(performance.now());
    lines.push(JSON.stringify(rec));
  });
}

/** stamp records that `req` reached `stage` now (the last call per stage wins); a no-op when tracing is off or `req` is not traced. */
export function stamp(req: IncomingMessage | undefined, stage: TraceStage): void {
  if (!tracing || !req) return;
  const tr = traces.get(req);
  if (tr) tr.stamps[stage] = performance.now();
}

/** current follows a traced request through its awaits (undefined when tracing is off). */
const current = TRACE_FILE ? new AsyncLocalStorage<IncomingMessage>() : undefined;

/** withRequest runs `fn` as part of `req` (storage stamps find it); just calls `fn` when tracing is off. */
export function withRequest<T>(req: IncomingMessage, fn: () => T): T {
  return current ? current.run(req, fn) : fn();
}

/**
 * tracedStorage stamps the request in progress around each write of `s` ('store' when
 * submitted, 'acked' when answered; a guaranteedUpdate's 'store' is its start, before its
 * tryUpdate runs); `s` itself when tracing is off.
 */
export function tracedStorage(s: Storage): Storage {
  if (!current) return s;
  const timed = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
    const req = current.getStore();
    stamp(req, 'store');
    return fn(...a).finally(() => stamp(req, 'acked'));
  };
  return new Proxy(s, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      const bound = (v as (...a: unknown[]) => unknown).bind(target);
      return prop === 'create' || prop === 'update' || prop === 'delete' || prop === 'guaranteedUpdate' ? timed(bound as (...a: unknown[]) => Promise<unknown>) : bound;
    },
  });
}
