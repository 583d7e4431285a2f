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
import { MemorySocket, type MemoryPeer, type Transport, type TransportRequest, type TransportResponse } from './transport.js';
import { Http1Client, type ConnSink } from './http1.js';

/** Frame kinds of the protocol on the port: open a connection, bytes, half-close, close. */
const KIND_OPEN = 0;
const KIND_DATA = 1;
const KIND_END = 2;
const KIND_CLOSE = 3;
/** HEADER is a frame's header: kind (1 byte), connection id (4), payload length (4). */
const HEADER = 9;

/**
 * Outbox batches what one side posts: every message of one turn of the event loop (a watch
 * fan-out writes to many connections at once; one poll phase reads many requests) travels in a
 * single postMessage, with consecutive chunks of one connection merged, instead of one
 * postMessage per chunk. The batch is one transferred buffer of frames rather than an array of
 * message objects: structured cloning walks every object and property name, a transfer does not.
 */
class Outbox {
  private frames: Array<{ kind: number; id: number; chunks: Uint8Array[] | undefined }> = [];
  private bytes = 0;
  private scheduled = false;
  constructor(private readonly port: MessagePort) {}

  /** post queues one frame for connection `id`; `buf` is the payload of a KIND_DATA frame. */
  post(kind: number, id: number, buf?: Uint8Array): void {
    const last = this.frames[this.frames.length - 1];
    if (buf) {
      if (last?.kind === KIND_DATA && last.id === id) last.chunks!.push(buf);
      else {
        this.frames.push({ kind: KIND_DATA, id, chunks: [buf] });
        this.bytes += HEADER;
      }
      this.bytes += buf.byteLength;
    } else {
      this.frames.push({ kind, id, chunks: undefined });
      this.bytes += HEADER;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate, not a microtask: the batch collects a whole poll phase's writes, not one callback's.
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const frames = this.frames;
    if (!frames.length) return;
    // One copy of every chunk into a buffer of its own, which is transferred, not cloned: a
    // chunk may be a view into a shared pool or cache, and cloning a view copies its whole
    // backing store. allocUnsafeSlow: an ArrayBuffer of its own (transferable, unlike a pool
    // slice) and not zero-filled, since every byte is written below.
    const out = Buffer.allocUnsafeSlow(this.bytes);
    const view = new DataView(out.buffer);
    this.frames = [];
    this.bytes = 0;
    let at = 0;
    for (const f of frames) {
      view.setUint8(at, f.kind);
      view.setUint32(at + 1, f.id, true);
      let length = 0;
      if (f.chunks) {
        let p = at + HEADER;
        for (const c of f.chunks) {
          out.set(c, p);
          p += c.byteLength;
        }
        length = p - at - HEADER;
      }
      view.setUint32(at + 5, length, true);
      at += HEADER + length;
    }
    this.port.postMessage(out, [out.buffer]);
  };
}

/**
 * readFrames calls `each` for every frame of a batch an Outbox posted, in order. Data payloads
 * are views into the batch's buffer, not copies.
 */
function readFrames(batch: Uint8Array, each: (kind: number, id: number, payload: Buffer | undefined) => void): void {
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  let at = 0;
  while (at + HEADER <= batch.byteLength) {
    const kind = view.getUint8(at);
    const id = view.getUint32(at + 1, true);
    const length = view.getUint32(at + 5, true);
    each(kind, id, kind === KIND_DATA ? Buffer.from(batch.buffer, batch.byteOffset + at + HEADER, length) : undefined);
    at += HEADER + length;
  }
}

/**
 * PortEnd is the port's end of one server connection, the peer of the server's MemorySocket:
 * what the server writes leaves as frames at once, with no second stream (and its buffering
 * and events) in between.
 */
class PortEnd implements MemoryPeer {
  destroyed = false;
  constructor(
    private readonly out: Outbox,
    private readonly id: number,
    private readonly onGone: () => void,
  ) {}

  push(chunk: Buffer | null): boolean {
    if (this.destroyed) return false;
    // null: the server ended its side (half-close); it may still read.
    this.out.post(chunk ? KIND_DATA : KIND_END, this.id, chunk ?? undefined);
    return true;
  }

  /** destroy closes the connection and tells the client. */
  destroy(): void {
    if (this.gone()) this.out.post(KIND_CLOSE, this.id);
  }

  /** gone marks the connection over without telling the client (it closed it); false when already over. */
  gone(): boolean {
    if (this.destroyed) return false;
    this.destroyed = true;
    this.onGone();
    return true;
  }
}

/**
 * PortTransport is the client side: requests are HTTP over connections multiplexed on `port`,
 * spoken by an Http1Client straight onto the frames (no socket objects on this side), with
 * keep-alive reuse and no cap on connections, since nothing but memory is at stake.
 */
export class PortTransport implements Transport {
  private readonly client: Http1Client;
  private readonly conns = new Map<number, ConnSink>();
  private nextId = 1;
  private readonly out: Outbox;
  private readonly onMessage = (batch: Uint8Array): void => {
    readFrames(batch, (kind, id, payload) => {
      const sink = this.conns.get(id);
      if (!sink) return;
      if (kind === KIND_DATA) sink.data(payload!);
      else {
        // The server ended or closed its side: it sends nothing more, so the connection is over.
        this.conns.delete(id);
        if (kind === KIND_END) this.out.post(KIND_CLOSE, id);
        sink.closed();
      }
    });
  };

  constructor(private readonly port: MessagePort) {
    this.out = new Outbox(port);
    port.on('message', this.onMessage);
    this.client = new Http1Client((sink) => {
      const id = this.nextId++;
      this.conns.set(id, sink);
      this.out.post(KIND_OPEN, id);
      return {
        write: (chunk) => {
          if (this.conns.has(id)) this.out.post(KIND_DATA, id, chunk);
        },
        destroy: () => {
          if (this.conns.delete(id)) this.out.post(KIND_CLOSE, id);
        },
      };
    }, 'in-process');
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    return this.client.request(req);
  }

  close(): void {
    this.client.close();
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
  const conns = new Map<number, { end: PortEnd; socket: MemorySocket }>();
  const out = new Outbox(port);
  /** closeSocket ends and destroys the server's socket of a connection that is over. */
  const closeSocket = (socket: MemorySocket): void => {
    socket.peer = undefined;
    if (socket.destroyed) return;
    socket.push(null);
    socket.destroy();
  };
  const onMessage = (batch: Uint8Array): void => {
    readFrames(batch, (kind, id, payload) => {
      if (kind === KIND_OPEN) {
        const socket = new MemorySocket();
        const end = new PortEnd(out, id, () => conns.delete(id));
        socket.peer = end;
        conns.set(id, { end, socket });
        server.emit('connection', socket);
        return;
      }
      const c = conns.get(id);
      if (!c) return;
      if (kind === KIND_DATA) {
        if (!c.socket.destroyed) c.socket.push(payload!);
      } else if (kind === KIND_END) {
        if (!c.socket.destroyed) c.socket.push(null);
      } else if (kind === KIND_CLOSE) {
        c.end.gone();
        closeSocket(c.socket);
      }
    });
  };
  port.on('message', onMessage);
  return () => {
    port.off('message', onMessage);
    for (const c of [...conns.values()]) {
      c.end.destroy();
      closeSocket(c.socket);
    }
    conns.clear();
  };
}
