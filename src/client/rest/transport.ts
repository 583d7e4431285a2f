/**
 * Transport is the seam between the REST client and the wire. HttpTransport speaks HTTP(S) to
 * a remote apiserver over keep-alive sockets; InProcessTransport hands an in-memory socket pair
 * to the apiserver's own `http.Server` in the same process, so requests skip the network but
 * keep exactly the same HTTP semantics (parsing, status codes, chunked watch streams).
 */
import http from 'node:http';
import https from 'node:https';
import { Duplex } from 'node:stream';
import type { Readable } from 'node:stream';

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

function send(
  mod: typeof http | typeof https,
  base: URL,
  agent: http.Agent,
  req: TransportRequest,
  extra: https.RequestOptions,
): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    const prefix = base.pathname.replace(/\/+$/, '');
    const r = mod.request(
      {
        ...extra,
        protocol: base.protocol,
        hostname: base.hostname.replace(/^\[|\]$/g, ''),
        port: base.port || undefined,
        method: req.method,
        path: prefix + req.path,
        headers: req.headers,
        agent,
        signal: req.signal,
      },
      (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** HttpTransport sends requests to `baseUrl` (http: or https:) over a keep-alive agent. */
export class HttpTransport implements Transport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly tlsExtra: https.RequestOptions = {};

  constructor(baseUrl: string, tls: TLSOptions = {}, agentOptions: http.AgentOptions = {}) {
    this.base = new URL(baseUrl);
    // No socket cap: every watch holds a connection, and a queued request behind 256 watches would hang.
    const opts: https.AgentOptions = { keepAlive: true, ...agentOptions };
    if (this.base.protocol === 'https:') {
      if (tls.ca) opts.ca = tls.ca;
      if (tls.cert) opts.cert = tls.cert;
      if (tls.key) opts.key = tls.key;
      opts.rejectUnauthorized = !tls.insecureSkipTLSVerify;
      if (tls.serverName) {
        opts.servername = tls.serverName;
        this.tlsExtra.servername = tls.serverName;
      }
      this.agent = new https.Agent(opts);
    } else if (this.base.protocol === 'http:') {
      this.agent = new http.Agent(opts);
    } else {
      throw new Error(`unsupported server URL scheme ${JSON.stringify(this.base.protocol)} in ${baseUrl}`);
    }
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return send(this.base.protocol === 'https:' ? https : http, this.base, this.agent, req, this.tlsExtra);
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * MemorySocket is one end of an in-memory duplex pair. It carries the few net.Socket methods
 * that Node's HTTP client, agent and server call (timeouts and keep-alive are no-ops: there is
 * no network to time out on).
 */
class MemorySocket extends Duplex {
  peer: MemorySocket | undefined;
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

/** memorySocketPair returns two connected in-memory sockets. */
function memorySocketPair(): [MemorySocket, MemorySocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * InProcessTransport serves requests from an `http.Server` (or a bare request listener)
 * living in this process, through in-memory sockets. The server need not be listening.
 * Authentication sees the same headers as over the network; there is no client certificate.
 */
export class InProcessTransport implements Transport {
  private readonly server: http.Server;
  private readonly agent: http.Agent;
  private readonly base = new URL('http://in-process');

  constructor(target: http.Server | http.RequestListener) {
    this.server = typeof target === 'function' ? http.createServer(target) : target;
    const agent = new http.Agent({ keepAlive: true });
    const server = this.server;
    // The agent asks for a connection; we give it one end of a pair and the server the other.
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
      const [client, serverSide] = memorySocketPair();
      server.emit('connection', serverSide);
      return client;
    };
    this.agent = agent;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return send(http, this.base, this.agent, req, {});
  }

  close(): void {
    this.agent.destroy();
  }
}
