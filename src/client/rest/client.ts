/**
 * RestClient sends Kubernetes API requests through a Transport with client-side rate
 * limiting (token bucket, default 5 qps / burst 10 as client-go), authentication headers,
 * retries of 429/5xx responses that carry Retry-After, and errors surfaced as StatusError.
 */
import { readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { realClock, type Clock } from '../util/clock.js';
import { TokenBucket } from '../util/token_bucket.js';
import { statusErrorFrom } from './errors.js';
import { HttpTransport, type Transport, type TransportResponse } from './transport.js';
import { parseWatchStream, type WatchDecodeOptions, type WatchEvent } from './watch.js';
import { ResourceClient } from './resource.js';
import type { GroupVersionResource } from '../../api/types.js';
import type { ApiObject } from '../object.js';

/** RestConfig is everything needed to reach and authenticate to an apiserver (rest.Config). */
export interface RestConfig {
  /** host is the apiserver base URL, e.g. `https://127.0.0.1:6443`. */
  host: string;
  /** caData is the PEM CA bundle for the server certificate. */
  caData?: string | Buffer;
  /** certData and keyData are the PEM client certificate and key. */
  certData?: string | Buffer;
  keyData?: string | Buffer;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** bearerToken is sent as `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** bearerTokenFile is re-read at most once a minute, so rotated tokens are picked up. */
  bearerTokenFile?: string;
  username?: string;
  password?: string;
  /** qps and burst bound the request rate; defaults 5 and 10. qps <= 0 means the default; Infinity disables. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** timeoutMs bounds each non-watch request; 0 or unset means no timeout. */
  timeoutMs?: number;
  /**
   * warningHandler receives each `Warning` header text the server sends (deprecations,
   * unknown fields). Default: ignored; kubectl prints them as `Warning: <text>`.
   */
  warningHandler?: (message: string) => void;
  /** maxRetries for 429/5xx responses with Retry-After (default 10 as client-go). */
  maxRetries?: number;
  /** namespace is the default namespace of the kubeconfig context or service account. */
  namespace?: string;
  /** transport replaces the HTTP(S) transport, e.g. with an InProcessTransport. */
  transport?: Transport;
  /**
   * maxConnections caps the HTTP(S) transport's keep-alive connections for ordinary requests
   * (default transport.ts DEFAULT_MAX_SOCKETS; watches have a pool of their own). Unused with `transport`.
   */
  maxConnections?: number;
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** path is the absolute API path without query: `/api/v1/namespaces/default/pods`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** body is sent as-is when a string or bytes, otherwise JSON-encoded. */
  body?: unknown;
  /** contentType defaults to application/json when there is a body. */
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** timeoutMs overrides RestConfig.timeoutMs; 0 disables. */
  timeoutMs?: number;
}

const DEFAULT_USER_AGENT = `k8ts/v0.1.0 (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch})`;
const DEFAULT_QPS = 5;
const DEFAULT_BURST = 10;
const TOKEN_FILE_TTL_MS = 60_000;

/** encodeQuery renders query parameters in a stable order, repeating arrays (`dryRun=All`). */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  let s = '';
  for (const k in query) {
    const v = query[k];
    if (v === undefined || v === '') continue;
    if (Array.isArray(v)) for (const x of v as readonly string[]) s += `&${formEncode(k)}=${formEncode(x)}`;
    else s += `&${formEncode(k)}=${formEncode(String(v))}`;
  }
  return s ? `?${s.slice(1)}` : '';
}

/**
 * formEncode escapes as URLSearchParams does (application/x-www-form-urlencoded: space as `+`,
 * only `*-._` and alphanumerics left as they are), without building a URLSearchParams per request.
 */
function formEncode(s: string): string {
  if (/^[A-Za-z0-9*._-]*$/.test(s)) return s;
  // a lone surrogate: encodeURIComponent throws where URLSearchParams writes U+FFFD
  if (/[\uD800-\uDFFF]/.test(s) && !/^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/.test(s)) return new URLSearchParams([['', s]]).toString().slice(1);
  return encodeURIComponent(s).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class RestClient {
  readonly config: Readonly<RestConfig>;
  readonly transport: Transport;
  private readonly limiter: TokenBucket | undefined;
  private readonly clock: Clock;
  private tokenCache: { token: string; readAt: number } | undefined;

  constructor(config: RestConfig, opts: { clock?: Clock } = {}) {
    this.config = config;
    this.clock = opts.clock ?? realClock;
    this.transport =
      config.transport ??
      new HttpTransport(config.host, {
        ca: config.caData,
        cert: config.certData,
        key: config.keyData,
        insecureSkipTLSVerify: config.insecureSkipTLSVerify,
        serverName: config.tlsServerName,
      }, config.maxConnections ? { maxSockets: config.maxConnections } : {});
    const qps = config.qps && config.qps > 0 ? config.qps : DEFAULT_QPS;
    const burst = config.burst && config.burst > 0 ? config.burst : DEFAULT_BURST;
    this.limiter = qps === Infinity ? undefined : new TokenBucket(qps, Math.max(1, burst), this.clock);
  }

  /**
   * resource returns the typed verbs for one resource:
   * `client.resource<Pod>({ group: '', version: 'v1', resource: 'pods' }).namespace('default').list()`.
   */
  resource<T extends ApiObject>(gvr: GroupVersionResource): ResourceClient<T> {
    return new ResourceClient<T>(this, gvr);
  }

  /** close releases the transport's connections. */
  close(): void {
    this.transport.close();
  }

  private authHeader(): string | undefined {
    const c = this.config;
    if (c.bearerTokenFile) {
      const now = this.clock.now();
      if (!this.tokenCache || now - this.tokenCache.readAt > TOKEN_FILE_TTL_MS) {
        try {
          this.tokenCache = { token: readFileSync(c.bearerTokenFile, 'utf8').trim(), readAt: now };
        } catch (err) {
          // A transient read failure keeps the last good token, as client-go's cachingTokenSource.
          if (!this.tokenCache && !c.bearerToken) throw err;
        }
      }
      if (this.tokenCache) return `Bearer ${this.tokenCache.token}`;
    }
    if (c.bearerToken) return `Bearer ${c.bearerToken}`;
    if (c.username !== undefined && c.password !== undefined) return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    return undefined;
  }

  /**
   * request sends one request (waiting for the rate limiter, retrying as described above)
   * and resolves with the 2xx response, whose body the caller must consume. Non-2xx responses
   * reject with a StatusError.
   */
  async request(opts: RequestOptions): Promise<TransportResponse> {
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json', ...opts.headers };
    const ua = this.config.userAgent ?? DEFAULT_USER_AGENT;
    headers['user-agent'] = ua;
    const auth = this.authHeader();
    if (auth) headers['authorization'] = auth;
    let body: Uint8Array | string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' || opts.body instanceof Uint8Array ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.contentType ?? 'application/json';
      // Explicit length: Node does not chunk DELETE bodies, and a bare body breaks the framing.
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    }
    const path = opts.path + encodeQuery(opts.query);
    const maxRetries = this.config.maxRetries ?? 10;
    const timeoutMs = opts.timeoutMs ?? this.config.timeoutMs ?? 0;
    for (let attempt = 0; ; attempt++) {
      if (this.limiter) await this.limiter.wait(opts.signal);
      const signal = timeoutMs > 0 ? anySignal(opts.signal, AbortSignal.timeout(timeoutMs)) : opts.signal;
      let res: TransportResponse;
      try {
        res = await this.transport.request({ method: opts.method, path, headers, body, signal });
      } catch (err) {
        // Only idempotent reads are retried on a dropped connection, as client-go.
        if (opts.method === 'GET' && attempt < maxRetries && isConnectionReset(err) && !opts.signal?.aborted) {
          await this.clock.after(1000, opts.signal);
          continue;
        }
        throw err;
      }
      if (this.config.warningHandler) for (const w of parseWarnings(res.headers['warning'])) this.config.warningHandler(w);
      if (res.status >= 200 && res.status < 300) return res;
      const text = await readAll(res.body);
      const retryAfter = parseRetryAfter(res.headers['retry-after']);
      if ((res.status === 429 || res.status >= 500) && retryAfter !== undefined && attempt < maxRetries) {
        await this.clock.after(retryAfter * 1000, opts.signal);
        continue;
      }
      throw statusErrorFrom(res.status, text, retryAfter);
    }
  }

  /** requestJSON sends a request and parses the JSON response body. */
  async requestJSON<T>(opts: RequestOptions): Promise<T> {
    const res = await this.request(opts);
    const text = await readAll(res.body);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * requestDiscard sends a request and reads the response body without decoding it, for writes
   * whose answer the caller does not use (events): decoding an object nobody reads was most of
   * such a request's cost on the client.
   */
  async requestDiscard(opts: RequestOptions): Promise<void> {
    const res = await this.request(opts);
    const done = bodyEnd(res.body);
    res.body.resume();
    await done;
  }

  /** requestText sends a request and returns the response body as text (e.g. pod logs). */
  async requestText(opts: RequestOptions): Promise<string> {
    const res = await this.request({ accept: '*/*', ...opts });
    return readAll(res.body);
  }

  /**
   * watch opens a watch (adding `watch=true` to the query) and yields its events until the
   * server ends the stream, `signal` aborts (the iteration then just ends), or the consumer
   * breaks out of the loop. Errors opening the watch reject as StatusError. `decode` adjusts
   * how events are decoded (see WatchDecodeOptions).
   */
  async *watch<T>(opts: Omit<RequestOptions, 'method' | 'body'>, decode: WatchDecodeOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    const res = await this.request({ ...opts, method: 'GET', query: { ...opts.query, watch: 'true' }, timeoutMs: 0 });
    try {
      for await (const ev of parseWatchStream<T>(res.body, decode)) {
        // Events already buffered are not delivered after an abort.
        if (opts.signal?.aborted) return;
        yield ev;
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      throw err;
    }
  }

  /** stream sends a GET and returns the raw body (follow=true logs). */
  async stream(opts: Omit<RequestOptions, 'method' | 'body'>): Promise<Readable> {
    const res = await this.request({ accept: '*/*', ...opts, method: 'GET', timeoutMs: 0 });
    return res.body;
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}

function isConnectionReset(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || (err instanceof Error && err.message === 'socket hang up');
}

/**
 * parseWarnings extracts the texts of RFC 7234 warning headers with code 299
 * (`299 - "text"`), the form the apiserver sends.
 */
export function parseWarnings(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  const out: string[] = [];
  for (const h of Array.isArray(v) ? v : [v]) {
    const re = /(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"(?: "[^"]*")?\s*(?:,\s*|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(h))) if (m[1] === '299') out.push((m[3] as string).replace(/\\(.)/g, '$1'));
  }
  return out;
}

function parseRetryAfter(v: string | string[] | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(Array.isArray(v) ? v[0] : v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/**
 * readAll reads a response body to a string. It listens for the body's events rather than
 * iterating it: an async iterator per response (its end-of-stream watcher and destroy path)
 * cost more than reading the few chunks of a typical response.
 */
export async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  body.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
  await bodyEnd(body);
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/**
 * bodyEnd settles when a body has been read to its end, rejecting with its error; a body
 * destroyed without an error and without its end fails as an iteration would
 * (ERR_STREAM_PREMATURE_CLOSE) rather than leaving the reader waiting forever.
 */
function bodyEnd(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    body.once('end', () => {
      ended = true;
      resolve();
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!ended) reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    });
  });
}
