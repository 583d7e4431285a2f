/**
 * Http1Client: a small HTTP/1.1 client over any byte pipe — the in-memory transports'
 * (InProcessTransport, PortTransport) and HttpTransport's TCP/TLS sockets. Node's http client
 * (ClientRequest, Agent, an llhttp parser and an IncomingMessage per response, plus a Duplex
 * socket per in-memory connection) cost the scheduler, the controller-manager and the
 * simulated kubelets more CPU per request than the request itself; here a request is one
 * header string written to the pipe (with its body, when small, in the same write) and the
 * response is parsed off the pipe in place.
 *
 * The servers are untouched (node's http.Server parses the request and writes the response),
 * so what travels is the same HTTP/1.1 as before: status codes, headers, Content-Length and
 * chunked bodies (watch streams), keep-alive reuse and `Connection: close`. Errors keep node's
 * shapes: an abort rejects (or errors the body) with an AbortError, a connection closed before
 * the response rejects with `socket hang up` (ECONNRESET), one closed mid-body errors the body
 * with `aborted` (ECONNRESET), a socket error (ECONNREFUSED, TLS verification) is passed on.
 */
import type http from 'node:http';
import { Readable } from 'node:stream';
import type { TransportRequest, TransportResponse } from './transport.js';

/** ByteConn is the writing side of one connection, as the client sees it. */
export interface ByteConn {
  write(chunk: Uint8Array): void;
  /** destroy closes the connection both ways. */
  destroy(): void;
  /** idle tells a network connection it waits in the pool (it should not keep the process alive) or is in use again. */
  idle?(idle: boolean): void;
  /**
   * pause and resume stop and restart the incoming bytes while a response body's consumer is
   * behind (node's Readable backpressure, as IncomingMessage did), so a stalled watch is held
   * back by TCP at the server instead of buffered without bound here. Pipes without them
   * deliver regardless.
   */
  pause?(): void;
  resume?(): void;
}

/** ConnSink receives what arrives on a connection. */
export interface ConnSink {
  data(chunk: Buffer): void;
  /** closed: the peer ended or closed the connection; nothing more arrives. */
  closed(): void;
  /** error: the connection failed (refused, reset, TLS verification): the exchange on it fails with `err`. */
  error(err: Error): void;
}

/** Connect opens a connection whose incoming bytes go to `sink`. */
export type Connect = (sink: ConnSink) => ByteConn;

/** MAX_HEAD bounds a response's status line and headers (node's default max header size). */
const MAX_HEAD = 16 * 1024;
/** Http1ClientOptions bound the pool. */
export interface Http1ClientOptions {
  /** maxConns caps the connections open at once; more requests wait for one (default: no cap). */
  maxConns?: number;
  /** maxFree bounds the idle connections kept for reuse (default 1024). */
  maxFree?: number;
  /**
   * keepAliveBufferMs, when set, retires an idle connection this long before the server's
   * `Keep-Alive: timeout=N` says the server closes it, as node's Agent does, so a request is
   * not written onto a connection the server is closing (default: the hint is ignored, for
   * in-memory servers, which never time out).
   */
  keepAliveBufferMs?: number;
}

/** Bodies up to this size travel in one write with the head (one TLS record, one syscall). */
const COALESCE_BODY = 64 * 1024;

const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
/** Paths node's ClientRequest refuses: controls, spaces and anything beyond latin1 (which the latin1 head would mangle). */
const UNESCAPED_PATH = /[^\u0021-\u00ff]/;
/** chunkSizeEnd is where the line read by the last successful chunkSizeAt ends (past its LF). */
let chunkSizeEnd = 0;

/**
 * chunkSizeAt reads a chunk-size line of the plain form `<1-12 hex digits>\r\n` at b[at] and
 * returns the size (setting chunkSizeEnd), or -1 for anything else — extensions, whitespace, a
 * line cut by the end of b, a bad line — which the general path then reads or refuses.
 */
function chunkSizeAt(b: Buffer, at: number): number {
  let size = 0;
  let i = at;
  for (; i < b.length && i - at <= 12; i++) {
    const c = b[i]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) break;
    size = size * 16 + d;
  }
  const digits = i - at;
  if (digits === 0 || digits > 12 || b[i] !== 13 || b[i + 1] !== 10) return -1;
  chunkSizeEnd = i + 2;
  return size;
}

/** Methods whose requests carry `content-length: 0` without a body, as node's client sends them. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Response headers node keeps only the first of when repeated (IncomingMessage's rules). */
const SINGLE = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);

function codeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

const HTTP_PREFIX = Buffer.from('HTTP/1.', 'latin1');

/**
 * headError checks the head bytes buf[at, stop) received so far (with llhttp's codes): they must
 * start as `HTTP/1.` and every line must end with CRLF.
 */
function headError(buf: Buffer, at: number, stop: number): Error | undefined {
  const n = Math.min(HTTP_PREFIX.length, stop - at);
  if (buf.compare(HTTP_PREFIX, 0, n, at, at + n) !== 0) return codeError('Parse Error: Expected HTTP/', 'HPE_INVALID_CONSTANT');
  for (let nl = buf.indexOf(10, at); nl >= 0 && nl < stop; nl = buf.indexOf(10, nl + 1)) {
    if (buf[nl - 1] !== 13) return codeError('Parse Error: Missing expected CR after header line', 'HPE_CR_EXPECTED');
  }
  return undefined;
}

/** Phases of a connection's response parser. */
const enum Phase {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailer,
  UntilClose,
}

interface Pending {
  method: string;
  resolve: (r: TransportResponse) => void;
  reject: (e: Error) => void;
  signal: AbortSignal | undefined;
  body: Readable | undefined;
}

class Conn implements ConnSink {
  readonly pipe: ByteConn;
  private phase = Phase.Idle;
  private cur: Pending | undefined;
  /** head (or chunk-size/trailer line) bytes received so far when they span chunks. */
  private partial: Buffer | undefined;
  private remaining = 0;
  private keepAlive = true;
  /** keepAliveMs is the server's idle timeout hint of the last response, if it sent one. */
  keepAliveMs: number | undefined;
  /** paused: the pipe is paused because the current body's buffer is full. */
  private paused = false;
  /** expires is when an idle connection is retired (ms since epoch). */
  expires = Infinity;
  dead = false;

  constructor(
    private readonly client: Http1Client,
    connect: Connect,
  ) {
    this.pipe = connect(this);
  }

  send(req: TransportRequest, head: string, body: Buffer | undefined, resolve: Pending['resolve'], reject: Pending['reject']): void {
    const cur: Pending = { method: req.method, resolve, reject, signal: req.signal, body: undefined };
    this.cur = cur;
    this.phase = Phase.Head;
    this.keepAlive = true;
    if (req.signal) req.signal.addEventListener('abort', this.onAbort, { once: true });
    if (body && body.byteLength > 0 && body.byteLength <= COALESCE_BODY) {
      const out = Buffer.allocUnsafe(head.length + body.byteLength);
      out.write(head, 0, 'latin1');
      out.set(body, head.length);
      this.pipe.write(out);
      return;
    }
    this.pipe.write(Buffer.from(head, 'latin1'));
    if (body && body.byteLength > 0 && this.cur === cur) this.pipe.write(body);
  }

  error(err: Error): void {
    if (this.cur) this.fail(err);
    else this.kill();
  }

  private readonly onAbort = (): void => {
    const cur = this.cur;
    if (!cur?.signal) return;
    this.fail(abortError(cur.signal));
  };

  /** fail ends the current exchange with `err` (rejecting it, or erroring its body) and drops the connection. */
  private fail(err: Error): void {
    const cur = this.cur;
    this.cur = undefined;
    this.phase = Phase.Idle;
    this.kill();
    if (!cur) return;
    cur.signal?.removeEventListener('abort', this.onAbort);
    const body = cur.body;
    if (!body) cur.reject(err);
    else if (body.listenerCount('error') > 0) body.destroy(err);
    // The body may have been resolved in this same read (head and a framing error in one
    // packet): its consumer attaches once the promise continuations ran, and an 'error' with
    // no listener would be an uncaught exception, so it is errored a turn later.
    else if (!body.destroyed) setImmediate(() => body.destroyed || body.destroy(err));
  }

  /** kill closes the connection and forgets it. */
  kill(): void {
    if (this.dead) return;
    this.dead = true;
    this.client.forget(this);
    this.pipe.destroy();
  }

  /** drop closes the connection from this side: an exchange on it fails as on a dropped connection (a close-delimited body is cut short, not complete). */
  drop(): void {
    if (this.cur) this.fail(this.cur.body ? codeError('aborted', 'ECONNRESET') : codeError('socket hang up', 'ECONNRESET'));
    else this.kill();
  }

  closed(): void {
    if (this.phase === Phase.UntilClose && this.cur?.body) {
      this.cur.body.push(null);
      this.done(false);
      return;
    }
    if (this.cur) this.fail(this.cur.body ? codeError('aborted', 'ECONNRESET') : codeError('socket hang up', 'ECONNRESET'));
    else this.kill();
  }

  data(chunk: Buffer): void {
    let buf = chunk;
    let at = 0;
    while (at < buf.length) {
      const cur = this.cur;
      if (!cur) {
        // Bytes nobody asked for: the connection is out of step, so it is dropped.
        this.kill();
        return;
      }
      switch (this.phase) {
        case Phase.Head: {
          if (this.partial) {
            buf = Buffer.concat([this.partial, buf.subarray(at)]);
            at = 0;
            this.partial = undefined;
          } else {
            // Empty lines before a status line are tolerated (llhttp does too).
            while (at < buf.length && (buf[at] === 13 || buf[at] === 10)) at++;
            if (at === buf.length) return;
          }
          const end = buf.indexOf('\r\n\r\n', at, 'latin1');
          const stop = end < 0 ? buf.length : end;
          // Checked as the bytes arrive, not once the head is complete: a server that is not
          // speaking HTTP/1.x (or ends lines with a bare LF) may never send a blank line.
          const bad = headError(buf, at, stop);
          if (bad) return this.fail(bad);
          if (stop - at > MAX_HEAD) return this.fail(codeError('Header overflow', 'HPE_HEADER_OVERFLOW'));
          if (end < 0) {
            this.partial = Buffer.from(buf.subarray(at));
            return;
          }
          const head = buf.toString('latin1', at, end);
          at = end + 4;
          this.onHead(cur, head);
          break;
        }
        case Phase.Length: {
          const n = Math.min(this.remaining, buf.length - at);
          this.push(cur.body!, buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.finish(cur);
          break;
        }
        case Phase.UntilClose:
          this.push(cur.body!, at === 0 ? buf : buf.subarray(at));
          return;
        case Phase.ChunkData: {
          const n = Math.min(this.remaining, buf.length - at);
          this.push(cur.body!, buf.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) {
            this.phase = Phase.ChunkEnd;
            this.remaining = 2;
          }
          break;
        }
        case Phase.ChunkEnd: {
          // The CRLF after a chunk's data: anything else means the framing is lost.
          const want = this.remaining === 2 ? 13 : 10;
          if (buf[at] !== want) return this.fail(buf[at] === 10 ? codeError('Parse Error: Missing expected CR after chunk data', 'HPE_CR_EXPECTED') : codeError('Parse Error: Expected LF after chunk data', 'HPE_STRICT'));
          at++;
          if (--this.remaining === 0) this.phase = Phase.ChunkSize;
          break;
        }
        case Phase.ChunkSize:
        case Phase.Trailer: {
          if (this.phase === Phase.ChunkSize && !this.partial) {
            // The usual size line, hex digits then CRLF, read off the bytes: a watch event is
            // one chunk, so this runs once per event (decoding the line to a string and
            // matching it cost as much as the chunk's data).
            const size = chunkSizeAt(buf, at);
            if (size >= 0) {
              at = chunkSizeEnd;
              if (size === 0) this.phase = Phase.Trailer;
              else {
                this.phase = Phase.ChunkData;
                this.remaining = size;
              }
              break;
            }
          }
          const nl = buf.indexOf(10, at);
          if (nl < 0) {
            this.partial = this.partial ? Buffer.concat([this.partial, buf.subarray(at)]) : Buffer.from(buf.subarray(at));
            if (this.partial.length > MAX_HEAD) return this.fail(codeError('Chunk header overflow', 'HPE_HEADER_OVERFLOW'));
            return;
          }
          let line = buf.toString('latin1', at, nl);
          if (this.partial) {
            line = this.partial.toString('latin1') + line;
            this.partial = undefined;
          }
          at = nl + 1;
          if (line.endsWith('\r')) line = line.slice(0, -1);
          if (this.phase === Phase.Trailer) {
            if (line === '') this.finish(cur);
            break;
          }
          const semi = line.indexOf(';');
          const hex = (semi < 0 ? line : line.slice(0, semi)).trim();
          const size = /^[0-9a-fA-F]{1,12}$/.test(hex) ? parseInt(hex, 16) : NaN;
          if (Number.isNaN(size)) return this.fail(codeError('Invalid character in chunk size', 'HPE_INVALID_CHUNK_SIZE'));
          if (size === 0) this.phase = Phase.Trailer;
          else {
            this.phase = Phase.ChunkData;
            this.remaining = size;
          }
          break;
        }
        case Phase.Idle:
          return this.kill();
      }
    }
  }

  private onHead(cur: Pending, head: string): void {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status) return this.fail(codeError('Parse Error: Invalid response status', 'HPE_INVALID_CONSTANT'));
    const code = Number(status[2]);
    const headers: http.IncomingHttpHeaders = {};
    const h = headers as Record<string, string | string[] | undefined>;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) return this.fail(codeError('Parse Error: Invalid header token', 'HPE_INVALID_HEADER_TOKEN'));
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      const had = h[name];
      if (had === undefined) h[name] = name === 'set-cookie' ? [value] : value;
      else if (name === 'set-cookie') (had as string[]).push(value);
      else if (!SINGLE.has(name)) h[name] = `${had as string}${name === 'cookie' ? '; ' : ', '}${value}`;
    }
    // 1xx (but 101) are interim: the real response follows on the same connection.
    if (code >= 100 && code < 200 && code !== 101) return;
    const connection = (headers.connection ?? '').toLowerCase();
    // After a 101 the connection speaks another protocol: it is never reused for HTTP.
    this.keepAlive = code !== 101 && (status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection));
    const hint = headers['keep-alive'] === undefined ? undefined : /\btimeout=(\d+)/.exec(headers['keep-alive'] as string);
    this.keepAliveMs = hint ? Number(hint[1]) * 1000 : undefined;
    const body = new Readable({
      read: () => {
        // The consumer wants more: restart the pipe if this body's backlog paused it.
        if (this.paused && this.cur === cur) this.unpause();
      },
    });
    body.on('close', () => {
      // The consumer destroyed the body before the response ended: the connection carries the rest of it, so it goes.
      if (this.cur === cur) this.fail(codeError('aborted', 'ECONNRESET'));
    });
    cur.body = body;
    const te = headers['transfer-encoding'];
    const cl = headers['content-length'];
    if (cur.method === 'HEAD' || code === 204 || code === 304 || code === 101) this.finish(cur);
    else if (te !== undefined && /\bchunked\b/i.test(te)) this.phase = Phase.ChunkSize;
    else if (cl !== undefined) {
      const n = /^\d+$/.test(cl) ? Number(cl) : NaN;
      if (Number.isNaN(n)) return this.fail(codeError('Parse Error: Invalid content-length', 'HPE_INVALID_CONTENT_LENGTH'));
      this.remaining = n;
      this.phase = Phase.Length;
      if (n === 0) this.finish(cur);
    } else this.phase = Phase.UntilClose;
    cur.resolve({ status: code, headers, body });
  }

  /** push hands body bytes to the consumer, pausing the pipe once its buffer is full. */
  private push(body: Readable, chunk: Buffer): void {
    if (!body.push(chunk) && !this.paused && this.pipe.pause) {
      this.paused = true;
      this.pipe.pause();
    }
  }

  private unpause(): void {
    this.paused = false;
    this.pipe.resume?.();
  }

  /** finish completes the response: the body ends and the connection is free again (or closed). */
  private finish(cur: Pending): void {
    cur.body!.push(null);
    this.done(this.keepAlive);
  }

  private done(reuse: boolean): void {
    const cur = this.cur;
    this.cur = undefined;
    this.phase = Phase.Idle;
    cur?.signal?.removeEventListener('abort', this.onAbort);
    // A reused or idle connection reads again (an idle one must see the server close it).
    if (this.paused) this.unpause();
    if (reuse && !this.dead) this.client.release(this);
    else this.kill();
  }
}

interface Queued {
  req: TransportRequest;
  head: string;
  body: Buffer | undefined;
  resolve: Pending['resolve'];
  reject: Pending['reject'];
  onAbort: (() => void) | undefined;
}

/**
 * Http1Client sends requests over connections `connect` opens, one request at a time per
 * connection, keeping idle ones for reuse (most recently used first). `host` is sent as the
 * Host header.
 */
export class Http1Client {
  private readonly free: Conn[] = [];
  private readonly all = new Set<Conn>();
  private readonly waiting: Queued[] = [];
  private readonly maxConns: number;
  private readonly maxFree: number;

  constructor(
    private readonly connect: Connect,
    private readonly host: string,
    private readonly opts: Http1ClientOptions = {},
  ) {
    this.maxConns = opts.maxConns ?? Infinity;
    this.maxFree = opts.maxFree ?? 1024;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    if (req.signal?.aborted) return Promise.reject(abortError(req.signal));
    if (UNESCAPED_PATH.test(req.path)) return Promise.reject(Object.assign(new TypeError('Request path contains unescaped characters'), { code: 'ERR_UNESCAPED_CHARACTERS' }));
    let fields = '';
    let hasLength = false;
    let hasHost = false;
    let hasConnection = false;
    for (const name in req.headers) {
      const value = req.headers[name]!;
      if (!HTTP_TOKEN.test(name)) return Promise.reject(Object.assign(new TypeError(`Header name must be a valid HTTP token ["${name}"]`), { code: 'ERR_INVALID_HTTP_TOKEN' }));
      if (INVALID_HEADER_CHAR.test(value)) return Promise.reject(Object.assign(new TypeError(`Invalid character in header content ["${name}"]`), { code: 'ERR_INVALID_CHAR' }));
      // The framing and connection headers are the client's own, sent once: a caller's host or
      // connection replaces the default (as node's), and a caller's transfer-encoding is dropped,
      // since the body is whole and goes with its content-length (a head with both is refused
      // as request smuggling by servers).
      const n = name.length;
      if (n === 4 || n === 10 || n === 14 || n === 17) {
        const lower = name.toLowerCase();
        if (lower === 'transfer-encoding') continue;
        if (lower === 'content-length') hasLength = true;
        else if (lower === 'host') hasHost = true;
        else if (lower === 'connection') hasConnection = true;
      }
      fields += `${name}: ${value}\r\n`;
    }
    let head = `${req.method} ${req.path} HTTP/1.1\r\n${hasHost ? '' : `host: ${this.host}\r\n`}${hasConnection ? '' : 'connection: keep-alive\r\n'}${fields}`;
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    if (!hasLength && (body !== undefined || BODY_METHODS.has(req.method))) head += `content-length: ${body?.byteLength ?? 0}\r\n`;
    head += '\r\n';
    return new Promise<TransportResponse>((resolve, reject) => {
      const conn = this.take();
      if (conn) {
        conn.send(req, head, body, resolve, reject);
        return;
      }
      // At the cap: wait for a connection, unless aborted first.
      const q: Queued = { req, head, body, resolve, reject, onAbort: undefined };
      if (req.signal) {
        const signal = req.signal;
        q.onAbort = () => {
          const i = this.waiting.indexOf(q);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          reject(abortError(signal));
        };
        signal.addEventListener('abort', q.onAbort, { once: true });
      }
      this.waiting.push(q);
    });
  }

  /** dispatch sends a waiting request on `conn`. */
  private dispatch(q: Queued, conn: Conn): void {
    if (q.onAbort) q.req.signal!.removeEventListener('abort', q.onAbort);
    conn.send(q.req, q.head, q.body, q.resolve, q.reject);
  }

  /** take returns an idle connection, or a new one while under the cap. */
  private take(): Conn | undefined {
    const now = this.opts.keepAliveBufferMs === undefined ? 0 : Date.now();
    for (let c = this.free.pop(); c; c = this.free.pop()) {
      if (c.expires <= now) {
        c.kill();
        continue;
      }
      c.pipe.idle?.(false);
      return c;
    }
    if (this.all.size >= this.maxConns) return undefined;
    const c = new Conn(this, this.connect);
    this.all.add(c);
    return c;
  }

  /** release hands a connection whose exchange is complete to a waiting request, or to the pool. */
  release(c: Conn): void {
    const next = this.waiting.shift();
    if (next) {
      this.dispatch(next, c);
      return;
    }
    if (this.free.length >= this.maxFree) {
      c.kill();
      return;
    }
    const buffer = this.opts.keepAliveBufferMs;
    c.expires = buffer !== undefined && c.keepAliveMs !== undefined ? Date.now() + c.keepAliveMs - buffer : Infinity;
    c.pipe.idle?.(true);
    this.free.push(c);
  }

  /** forget drops a closed connection from the pool; a waiting request may open a new one. */
  forget(c: Conn): void {
    this.all.delete(c);
    const i = this.free.lastIndexOf(c);
    if (i >= 0) this.free.splice(i, 1);
    if (this.waiting.length > 0 && this.all.size < this.maxConns) {
      // on a later tick: forget runs inside the failing connection's own callbacks
      queueMicrotask(() => {
        if (this.waiting.length === 0 || this.all.size >= this.maxConns) return;
        this.dispatch(this.waiting.shift()!, this.take()!);
      });
    }
  }

  /** close closes every connection; requests in flight fail as on a dropped connection, waiting ones with it. */
  close(): void {
    for (const q of this.waiting.splice(0)) {
      if (q.onAbort) q.req.signal!.removeEventListener('abort', q.onAbort);
      q.reject(codeError('socket hang up', 'ECONNRESET'));
    }
    for (const c of [...this.all]) c.drop();
    this.free.length = 0;
  }
}
