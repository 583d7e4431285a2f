/**
 * Transport is the seam between the REST client and the wire. HttpTransport speaks HTTP(S) to
 * a remote apiserver over keep-alive sockets; InProcessTransport hands an in-memory socket to
 * the apiserver's own `http.Server` in the same process and speaks HTTP/1.1 on it with the small
 * Http1Client (http1.ts), so requests skip the network and node's client machinery but keep
 * exactly the same HTTP semantics (status codes, headers, chunked watch streams).
 */
import http from 'node:http';
import { createSecureContext, connect as tlsConnect } from 'node:tls';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';
import { Http1Client, type ByteConn, type Connect, type ConnSink } from './http1.js';

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
 * HttpTransport sends requests to `baseUrl` (http: or https:) over keep-alive connections,
 * speaking HTTP/1.1 with the same small Http1Client as the in-memory transports (node's
 * ClientRequest/Agent/IncomingMessage machinery was a quarter of the simulated nodes' CPU):
 * ordinary requests share a pool of at most `agentOptions.maxSockets` (default
 * DEFAULT_MAX_SOCKETS) connections and wait for one beyond that; watches and followed logs get
 * a pool of their own without a cap. Every TLS connection of the transport shares one secure
 * context (CA, client certificate and key parsed once, not per connection). As node's Agent,
 * idle connections do not keep the process alive and are retired a second before the server's
 * `Keep-Alive: timeout` hint; SNI is the host name unless it is an IP address (or `serverName`).
 */
export class HttpTransport implements Transport {
  private readonly prefix: string;
  private readonly pool: Http1Client;
  private readonly streams: Http1Client;

  constructor(baseUrl: string, tls: TLSOptions = {}, agentOptions: http.AgentOptions = {}) {
    const base = new URL(baseUrl);
    this.prefix = base.pathname.replace(/\/+$/, '');
    const host = base.hostname.replace(/^\[|\]$/g, '');
    let connect: Connect;
    if (base.protocol === 'https:') {
      const secureContext = createSecureContext({
        ...(tls.ca ? { ca: tls.ca } : {}),
        ...(tls.cert ? { cert: tls.cert } : {}),
        ...(tls.key ? { key: tls.key } : {}),
      });
      const port = Number(base.port || 443);
      const servername = tls.serverName ?? (isIP(host) ? undefined : host);
      const rejectUnauthorized = !tls.insecureSkipTLSVerify;
      connect = (sink) => wire(tlsConnect({ host, port, secureContext, rejectUnauthorized, ...(servername ? { servername } : {}) }), sink);
    } else if (base.protocol === 'http:') {
      const port = Number(base.port || 80);
      connect = (sink) => wire(netConnect({ host, port }), sink);
    } else {
      throw new Error(`unsupported server URL scheme ${JSON.stringify(base.protocol)} in ${baseUrl}`);
    }
    const maxSockets = agentOptions.maxSockets ?? DEFAULT_MAX_SOCKETS;
    // Idle connections are kept up to the cap, so a burst never closes what the next one needs.
    const maxFree = agentOptions.maxFreeSockets ?? (Number.isFinite(maxSockets) ? maxSockets : 256);
    this.pool = new Http1Client(connect, base.host, { maxConns: maxSockets, maxFree, keepAliveBufferMs: KEEP_ALIVE_BUFFER_MS });
    this.streams = new Http1Client(connect, base.host, { maxFree: 16, keepAliveBufferMs: KEEP_ALIVE_BUFFER_MS });
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    const r = this.prefix ? { ...req, path: this.prefix + req.path } : req;
    return (isLongRunning(req.path) ? this.streams : this.pool).request(r);
  }

  close(): void {
    this.pool.close();
    this.streams.close();
  }
}

/** KEEP_ALIVE_BUFFER_MS: an idle connection is retired this long before the server's keep-alive timeout (node's Agent: 1 s). */
const KEEP_ALIVE_BUFFER_MS = 1000;

/** wire joins a network socket to a connection of an Http1Client. */
function wire(sock: Socket, sink: ConnSink): ByteConn {
  sock.setNoDelay(true);
  sock.setKeepAlive(true, 1000);
  sock.on('data', (b: Buffer) => sink.data(b));
  sock.on('error', (err: Error) => sink.error(err));
  sock.on('end', () => sink.closed());
  sock.on('close', () => sink.closed());
  return {
    write: (chunk) => {
      sock.write(chunk);
    },
    destroy: () => {
      sock.destroy();
    },
    idle: (idle) => {
      if (idle) sock.unref();
      else sock.ref();
    },
    pause: () => {
      sock.pause();
    },
    resume: () => {
      sock.resume();
    },
  };
}

/**
 * MemoryPeer is what a MemorySocket writes into: a bare end with no stream machinery, the one
 * an Http1Client reads (SinkEnd) or the one servePort posts over a port (PortEnd).
 */
export interface MemoryPeer {
  readonly destroyed: boolean;
  push(chunk: Buffer | null): boolean;
  destroy(): void;
}

/**
 * MemorySocket is the server's end of an in-memory connection (its peer is a SinkEnd, or
 * servePort's PortEnd). It carries the few net.Socket methods that Node's HTTP server calls
 * (timeouts and keep-alive are no-ops: there is no network to time out on); clients read the
 * other end through Http1Client, not node's http client.
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

/** SinkEnd is the client's end of an in-process connection: what the server writes goes to `sink`. */
class SinkEnd implements MemoryPeer {
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
