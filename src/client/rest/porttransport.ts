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

/** PortMessage is the wire protocol on the port (sent in arrays): open a connection, bytes, half-close, close. */
export type PortMessage = { t: 'open'; id: number } | { t: 'data'; id: number; buf: Uint8Array } | { t: 'end'; id: number } | { t: 'close'; id: number };

/**
 * Outbox batches what one side posts: every message of one turn of the event loop (a watch
 * fan-out writes to many connections at once) travels in a single postMessage, with
 * consecutive chunks of one connection merged, instead of one postMessage per chunk.
 */
class Outbox {
  private batch: Array<PortMessage | { t: 'chunks'; id: number; chunks: Buffer[]; length: number }> = [];
  private scheduled = false;
  constructor(private readonly port: MessagePort) {}

  post(m: PortMessage): void {
    const last = this.batch[this.batch.length - 1];
    if (m.t === 'data') {
      if (last?.t === 'chunks' && last.id === m.id) {
        last.chunks.push(m.buf as Buffer);
        last.length += m.buf.byteLength;
      } else this.batch.push({ t: 'chunks', id: m.id, chunks: [m.buf as Buffer], length: m.buf.byteLength });
    } else this.batch.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!batch.length) return;
    // Each connection's bytes are copied once into a buffer of their own, which is transferred,
    // not cloned: a chunk may be a view into a shared pool or cache, and cloning a view copies
    // its whole backing store.
    const transfer: ArrayBuffer[] = [];
    const msgs: PortMessage[] = batch.map((m) => {
      if (m.t !== 'chunks') return m;
      const buf = new Uint8Array(m.length);
      let at = 0;
      for (const c of m.chunks) {
        buf.set(c, at);
        at += c.byteLength;
      }
      transfer.push(buf.buffer);
      return { t: 'data', id: m.id, buf };
    });
    this.port.postMessage(msgs, transfer);
  }
}

/**
 * pump joins `local` (one end of an in-memory pair) to connection `id`: what is written into
 * the pair's other end leaves as `data`/`end`/`close` messages, and the returned function feeds
 * incoming messages into it.
 */
function pump(out: Outbox, id: number, local: MemorySocket, onGone: () => void): (m: PortMessage) => void {
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    onGone();
    out.post({ t: 'close', id });
  };
  local.on('data', (buf: Buffer) => out.post({ t: 'data', id, buf }));
  local.on('end', () => {
    if (!closed) out.post({ t: 'end', id });
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
  private readonly out: Outbox;
  private readonly onMessage = (batch: PortMessage[]): void => {
    for (const m of batch) this.conns.get(m.id)?.(m);
  };

  constructor(private readonly port: MessagePort) {
    this.out = new Outbox(port);
    port.on('message', this.onMessage);
    const agent = new http.Agent({ keepAlive: true, scheduling: 'lifo', maxFreeSockets: 1024 });
    (agent as unknown as { createConnection: () => Duplex }).createConnection = () => {
      const [client, local] = memorySocketPair();
      const id = this.nextId++;
      this.conns.set(id, pump(this.out, id, local, () => this.conns.delete(id)));
      this.out.post({ t: 'open', id });
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
  const out = new Outbox(port);
  const onMessage = (batch: PortMessage[]): void => {
    for (const m of batch) {
      if (m.t !== 'open') {
        conns.get(m.id)?.deliver(m);
        continue;
      }
      const [serverSide, local] = memorySocketPair();
      conns.set(m.id, { deliver: pump(out, m.id, local, () => conns.delete(m.id)), local });
      server.emit('connection', serverSide);
    }
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    for (const c of [...conns.values()]) c.local.destroy();
    conns.clear();
  };
}
