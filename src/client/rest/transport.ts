/**
 * Transport is the seam between the REST client and the wire. HttpTransport speaks HTTP(S) to
 * a remote apiserver over keep-alive sockets; InProcessTransport hands an in-memory socket to
 * the apiserver's own `http.Server` in the same process and speaks HTTP/1.1 on it with the small
 * Http1Client (http1.ts), so requests skip the network and node's client machinery but keep
 * exactly the same HTTP semantics (status codes, headers, chunked watch streams).
 */
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { Http1Client, type ConnSink } from './http1.js';

export interface TransportRequest {
  method: string;
  /** path is the absolute request path including the query string: `/api/v1/pods?limit=5`. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
  /** signal aborts the request; an aborted response body errors with an AbortError. */
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** body must be fully read or destroyed by the caller. */
  body: Readable;
}

export interface Transport {
  /** request sends one request and resolves once the response headers have arrived. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** close releases pooled connections; in-flight requests are destroyed. */
  close(): void;
}

/** TLSOptions configure HttpTransport for an `https:` server. */
export interface TLSOptions {
  /** ca is the PEM bundle trusted for the server certificate (default: system roots). */
  ca?: string | Buffer;
  /** cert and key are the PEM client certificate and key (client-certificate auth). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** insecureSkipTLSVerify disables server certificate verification. */
  insecureSkipTLSVerify?: boolean;
  /** serverName overrides the SNI / verification host name (kubeconfig `tls-server-name`). */
  serverName?: string;
}

/** requestTarget is what `send` needs of a base URL, worked out once per transport rather than per request. */
interface RequestTarget {
  protocol: string;
  hostname: string;
  port: string | undefined;
  /** prefix is the base URL's path without trailing slashes, prepended to every request path. */
  prefix: string;
}

function targetOf(base: URL): RequestTarget {
  return { protocol: base.protocol, hostname: base.hostname.replace(/^\[|\]$/g, ''), port: base.port || undefined, prefix: base.pathname.replace(/\/+$/, '') };
}

function send(mod: typeof http | typeof https, target: RequestTarget, agent: http.Agent, req: TransportRequest, servername: string | undefined): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const r = mod.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: target.prefix + req.path,
        headers: req.headers,
        agent,
        signal: req.signal,
        ...(servername ? { servername } : {}),
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/**
 * DEFAULT_MAX_SOCKETS caps the keep-alive connections of ordinary (short) requests per
 * HttpTransport. Without a cap, a burst of N concurrent requests opened N TLS connections and,
 * past Node's 256 idle sockets, closed the surplus, so every burst paid fresh handshakes on both
 * ends (a quarter of the simulated nodes' CPU at 3000 pods). A capped pool queues the burst on
 * warm connections instead — upstream's clients get the same effect from HTTP/2 multiplexing.
 */
export const DEFAULT_MAX_SOCKETS = 64;

/**
 * isLongRunning tells watches and followed logs, which hold their connection for as long as
 * they last, from ordinary requests: they get their own uncapped pool, so a capped pool can
 * never be exhausted by watches and hang the requests queued behind them.
 */
export function isLongRunning(path: string): boolean {
  const q = path.indexOf('?');
  if ((q < 0 ? path : path.slice(0, q)).includes('/watch/')) return true;
  return q >= 0 && /[?&](?:watch|follow)=(?:1|true)(?:&|$)/.test(path.slice(q));
}

/**
 * HttpTransport sends requests to `baseUrl` (http: or https:) over keep-alive connections:
 * ordinary requests share a pool of at most `agentOptions.maxSockets` (default
 * DEFAULT_MAX_SOCKETS) connections; watches and followed logs get a pool of their own without
 * a cap. Every TLS connection of the transport shares one secure context (CA, client
 * certificate and key parsed once, not per connection).
 */
export class HttpTransport implements Transport {
  private readonly target: RequestTarget;
  private readonly mod: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly streams: http.Agent;
  private readonly servername: string | undefined;

  constructor(baseUrl: string, tls: TLSOptions = {}, agentOptions: http.AgentOptions = {}) {
    const base = new URL(baseUrl);
    this.target = targetOf(base);
    const maxSockets = agentOptions.maxSockets ?? DEFAULT_MAX_SOCKETS;
    // Idle connections are kept up to the cap, so a burst never closes what the next one needs.
    const opts: https.AgentOptions = { keepAlive: true, scheduling: 'lifo', ...agentOptions, maxSockets, maxFreeSockets: agentOptions.maxFreeSockets ?? (Number.isFinite(maxSockets) ? maxSockets : 256) };
    const streamOpts: https.AgentOptions = { keepAlive: true, scheduling: 'lifo', maxSockets: Infinity, maxFreeSockets: 16 };
    if (base.protocol === 'https:') {
      const secureContext = createSecureContext({
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
      });
      const shared: https.AgentOptions = { secureContext, rejectUnauthorized: !tls.insecureSkipTLSVerify, ...(tls.serverName ? { servername: tls.serverName } : {}) };
      this.servername = tls.serverName;
      this.mod = https;
      this.agent = new https.Agent({ ...opts, ...shared });
      this.streams = new https.Agent({ ...streamOpts, ...shared });
    } else if (base.protocol === 'http:') {
      this.mod = http;
      this.agent = new http.Agent(opts);
      this.streams = new http.Agent(streamOpts);
    } else {
      throw new Error(`unsupported server URL scheme ${JSON.stringify(base.protocol)} in ${baseUrl}`);
    }
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return send(this.mod, this.target, isLongRunning(req.path) ? this.streams : this.agent, req, this.servername);
  }

  close(): void {
    this.agent.destroy();
    this.streams.destroy();
  }
}

/**
 * MemoryPeer is what a MemorySocket writes into: another MemorySocket, or the bare client end
 * an Http1Client reads (no stream machinery on that side).
 */
export interface MemoryPeer {
  peer: MemoryPeer | undefined;
  readonly destroyed: boolean;
  push(chunk: Buffer | null): boolean;
  destroy(): void;
}

/**
 * MemorySocket is one end of an in-memory duplex pair. It carries the few net.Socket methods
 * that Node's HTTP client, agent and server call (timeouts and keep-alive are no-ops: there is
 * no network to time out on).
 */
export class MemorySocket extends Duplex {
  peer: MemoryPeer | undefined;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly remoteFamily = 'IPv4';
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly encrypted = false;
  connecting = false;

  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const p = this.peer;
    if (!p || p.destroyed) {
      cb(new Error('socket hang up'));
      return;
    }
    p.push(chunk);
    cb();
  }
  override _final(cb: (err?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const p = this.peer;
    this.peer = undefined;
    if (p && !p.destroyed) {
      p.peer = undefined;
      p.push(null);
      p.destroy();
    }
    cb(err);
  }
  setTimeout(_ms: number, _cb?: () => void): this {
    return this;
  }
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }
  setKeepAlive(_enable?: boolean, _delay?: number): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } {
    return { address: '127.0.0.1', family: 'IPv4', port: 0 };
  }
}

/** memorySocketPair returns two connected in-memory sockets (servePort pumps one end of each). */
export function memorySocketPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** SinkEnd is the client's end of an in-process connection: what the server writes goes to `sink`. */
class SinkEnd implements MemoryPeer {
  peer: MemoryPeer | undefined;
  destroyed = false;
  constructor(private readonly sink: ConnSink) {}
  push(chunk: Buffer | null): boolean {
    if (this.destroyed) return false;
    if (chunk) this.sink.data(chunk);
    else this.destroy();
    return true;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.sink.closed();
  }
}

/**
 * InProcessTransport serves requests from an `http.Server` (or a bare request listener)
 * living in this process, through in-memory sockets. The server need not be listening.
 * Authentication sees the same headers as over the network; there is no client certificate.
 */
export class InProcessTransport implements Transport {
  private readonly client: Http1Client;

  constructor(target: http.Server | http.RequestListener) {
    const server = typeof target === 'function' ? http.createServer(target) : target;
    // Each connection: the server gets a MemorySocket; the client side is a bare end that hands
    // what the server writes straight to the client's parser.
    this.client = new Http1Client((sink) => {
      const serverSide = new MemorySocket();
      const end = new SinkEnd(sink);
      serverSide.peer = end;
      end.peer = serverSide;
      server.emit('connection', serverSide);
      return {
        write: (chunk) => {
          if (!serverSide.destroyed) serverSide.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        },
        destroy: () => {
          end.destroy();
          serverSide.destroy();
        },
      };
    }, 'in-process');
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return this.client.request(req);
  }

  close(): void {
    this.client.close();
  }
}
