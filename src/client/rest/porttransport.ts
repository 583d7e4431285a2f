/**
 * PortTransport carries HTTP between threads of one process: a component in a worker thread
 * talks to the apiserver's `http.Server` on the main thread through a MessagePort, with the
 * same HTTP semantics as InProcessTransport (parsing, status codes, chunked watch streams) and
 * no TLS or kernel sockets. Each connection the client's agent opens is an in-memory socket
 * whose bytes are posted over the one port, tagged with the connection's id; servePort, on the
 * server's side, turns each id into a connection of the server.
 */
import http from 'node:http';
import type { MessagePort } from 'node:worker_threads';
import type { Duplex } from 'node:stream';
import { memorySocketPair, type MemorySocket, type Transport, type TransportRequest, type TransportResponse } from './transport.js';

/** PortMessage is the wire protocol on the port: open a connection, bytes, half-close, close. */
export type PortMessage = { t: 'open'; id: number } | { t: 'data'; id: number; buf: Uint8Array } | { t: 'end'; id: number } | { t: 'close'; id: number };

/**
 * pump joins `local` (one end of an in-memory pair) to connection `id` on `port`: what is
 * written into the pair's other end leaves as `data`/`end`/`close` messages, and deliver()
 * feeds incoming messages into it.
 */
function pump(port: MessagePort, id: number, local: MemorySocket, onGone: () => void): (m: PortMessage) => void {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    onGone();
    port.postMessage({ t: 'close', id } satisfies PortMessage);
  };
  local.on('data', (buf: Buffer) => port.postMessage({ t: 'data', id, buf } satisfies PortMessage));
  local.on('end', () => {
    if (!closed) port.postMessage({ t: 'end', id } satisfies PortMessage);
  });
  local.on('close', close);
  local.on('error', () => {});
  return (m) => {
    if (m.t === 'data') local.write(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
    else if (m.t === 'end') local.end();
    else if (m.t === 'close') {
      closed = true;
      onGone();
      local.destroy();
    }
  };
}

/**
 * PortTransport is the client side: requests are HTTP over connections multiplexed on `port`
 * (a keep-alive pool as HttpTransport's, uncapped since nothing but memory is at stake).
 */
export class PortTransport implements Transport {
  private readonly agent: http.Agent;
  private readonly conns = new Map<number, (m: PortMessage) => void>();
  private nextId = 1;
  private readonly onMessage = (m: PortMessage): void => this.conns.get(m.id)?.(m);

  constructor(private readonly port: MessagePort) {
    port.on('message', this.onMessage);
    const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 1024 });
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
      const [client, local] = memorySocketPair();
      const id = this.nextId++;
      this.conns.set(id, pump(port, id, local, () => this.conns.delete(id)));
      port.postMessage({ t: 'open', id } satisfies PortMessage);
      return client;
    };
    this.agent = agent;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const r = http.request(
        { protocol: 'http:', hostname: 'in-process', method: req.method, path: req.path, headers: req.headers, agent: this.agent, signal: req.signal },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      r.on('error', reject);
      if (req.body !== undefined) r.end(req.body);
      else r.end();
    });
  }

  close(): void {
    this.agent.destroy();
    this.port.off('message', this.onMessage);
  }
}

/**
 * servePort is the server side: every connection a PortTransport opens on the other end of
 * `port` becomes a connection of `server` (which need not be listening). Returns a function
 * that closes every such connection and stops serving.
 */
export function servePort(port: MessagePort, target: http.Server | http.RequestListener): () => void {
  const server = typeof target === 'function' ? http.createServer(target) : target;
  const conns = new Map<number, { deliver: (m: PortMessage) => void; local: MemorySocket }>();
  const onMessage = (m: PortMessage): void => {
    if (m.t !== 'open') {
      conns.get(m.id)?.deliver(m);
      return;
    }
    const [serverSide, local] = memorySocketPair();
    conns.set(m.id, { deliver: pump(port, m.id, local, () => conns.delete(m.id)), local });
    server.emit('connection', serverSide);
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    for (const c of [...conns.values()]) c.local.destroy();
    conns.clear();
  };
}
