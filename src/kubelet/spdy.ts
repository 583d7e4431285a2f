/**
 * The server side of SPDY/3.1 as Kubernetes streaming uses it (moby/spdystream): the peer opens
 * streams with SYN_STREAM, we answer SYN_REPLY, data flows in DATA frames (FIN half-closes),
 * RST_STREAM aborts a stream, PING is echoed, GOAWAY ends the session. Header blocks are zlib
 * streams (one context per direction for the whole session) primed with SPDY/3's dictionary.
 * No flow control: spdystream neither sends nor honours WINDOW_UPDATE, so none is kept here.
 *
 * The session is transport-free: `feed` it the bytes read (a raw upgraded socket, or the binary
 * messages of a `SPDY/3.1+portforward.k8s.io` WebSocket tunnel) and it calls `send` with bytes.
 */
import { EventEmitter } from 'node:events';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';

const WORDS = [
  'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow',
  'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5',
  'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma', 'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after',
  'server', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK',
  'version', 'HTTP/1.1', 'url', 'public', 'set-cookie', 'keep-alive', 'origin',
];
const TAIL =
  '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505' +
  '203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found' +
  '500 Internal Server Error501 Not Implemented503 Service Unavailable' +
  'Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT' +
  'chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdch' +
  'charset=utf-8charset=iso-8859-1,utf-,*,enq=0.';

/** SPDY_DICTIONARY is SPDY/3's header-compression dictionary (draft 3, section 2.6.10.1): length-prefixed words, then raw text. */
export const SPDY_DICTIONARY: Buffer = Buffer.concat([
  ...WORDS.map((w) => {
    const b = Buffer.alloc(4 + w.length);
    b.writeUInt32BE(w.length);
    b.write(w, 4, 'latin1');
    return b;
  }),
  Buffer.from(TAIL, 'latin1'),
]);

export const enum FrameType {
  SynStream = 1,
  SynReply = 2,
  RstStream = 3,
  Settings = 4,
  Ping = 6,
  GoAway = 7,
  Headers = 8,
  WindowUpdate = 9,
}
const FLAG_FIN = 0x01;
/** RST_STREAM status codes used here. */
export const RST_PROTOCOL_ERROR = 1;
export const RST_CANCEL = 5;

type HeaderMap = Record<string, string[]>;

/** ZContext runs one direction's zlib stream, flushing (Z_SYNC_FLUSH) after every header block. */
class ZContext {
  private readonly z: Deflate | Inflate;
  private queue: Promise<unknown> = Promise.resolve();
  constructor(kind: 'deflate' | 'inflate') {
    this.z = kind === 'deflate' ? createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 }) : createInflate({ dictionary: SPDY_DICTIONARY });
    this.z.on('error', () => undefined);
  }
  run(input: Buffer): Promise<Buffer> {
    const next = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const onError = (e: Error): void => reject(e);
          this.z.once('error', onError);
          if (input.length) this.z.write(input);
          this.z.flush(zc.Z_SYNC_FLUSH, () => {
            this.z.off('error', onError);
            const out: Buffer[] = [];
            for (let c = this.z.read() as Buffer | null; c !== null; c = this.z.read() as Buffer | null) out.push(c);
            resolve(Buffer.concat(out));
          });
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }
  close(): void {
    this.z.destroy();
  }
}

export function encodeHeaderBlock(h: HeaderMap): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.alloc(4);
  const names = Object.keys(h);
  count.writeUInt32BE(names.length);
  parts.push(count);
  for (const name of names) {
    for (const s of [name.toLowerCase(), h[name]!.join('\0')]) {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(b: Buffer): HeaderMap {
  const out: HeaderMap = {};
  let off = 0;
  const str = (): string => {
    const n = b.readUInt32BE(off);
    off += 4;
    const s = b.toString('utf8', off, off + n);
    off += n;
    return s;
  };
  const count = b.readUInt32BE(off);
  off += 4;
  for (let i = 0; i < count; i++) {
    const name = str().toLowerCase();
    out[name] = str().split('\0');
  }
  return out;
}

export function controlFrame(type: FrameType, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8003);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(payload.length, 4);
  h[4] = flags;
  return Buffer.concat([h, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff);
  h.writeUInt32BE(data.length, 4);
  h[4] = flags;
  return Buffer.concat([h, data]);
}

/** SpdyStream is one peer-opened stream: 'data' (Buffer), 'end' (peer FIN), 'reset' (RST_STREAM or session end). */
export class SpdyStream extends EventEmitter {
  /** localClosed: we sent FIN (or reset). */
  localClosed = false;
  remoteClosed = false;
  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: HeaderMap,
  ) {
    super();
  }
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }
  write(data: Buffer): void {
    if (this.localClosed) return;
    for (let off = 0; off < data.length; off += 0xffff) this.session.sendData(this.id, 0, data.subarray(off, off + 0xffff));
  }
  /** end half-closes our side (DATA with FIN). */
  end(data?: Buffer): void {
    if (data?.length) this.write(data);
    if (this.localClosed) return;
    this.localClosed = true;
    this.session.sendData(this.id, FLAG_FIN, Buffer.alloc(0));
  }
  reset(status = RST_CANCEL): void {
    if (this.localClosed && this.remoteClosed) return;
    this.localClosed = this.remoteClosed = true;
    this.session.sendReset(this.id, status);
  }
}

/**
 * SpdySession is the server end of a SPDY/3 connection. Events: 'stream' (SpdyStream, already
 * answered with SYN_REPLY), 'close' (GOAWAY received, protocol error, or `close()`).
 */
export class SpdySession extends EventEmitter {
  private buf: Buffer = Buffer.alloc(0);
  private readonly inflate = new ZContext('inflate');
  private readonly deflate = new ZContext('deflate');
  private readonly streams = new Map<number, SpdyStream>();
  /** Everything sent goes through this chain so frames leave in order despite async header compression. */
  private out: Promise<void> = Promise.resolve();
  private inbound: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  closed = false;

  constructor(private readonly send: (b: Buffer) => void) {
    super();
  }

  /** feed hands the session bytes read from the transport. */
  feed(chunk: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.inbound = this.inbound.then(() => this.handle(frame)).catch(() => this.close());
    }
  }

  private async handle(f: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = f[4]!;
    const payload = f.subarray(8);
    if ((f[0]! & 0x80) === 0) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s || s.remoteClosed) return;
      if (payload.length) s.emit('data', Buffer.from(payload));
      if (flags & FLAG_FIN) this.remoteEnd(s);
      return;
    }
    const type = f.readUInt16BE(2);
    switch (type) {
      case FrameType.SynStream: {
        const id = payload.readUInt32BE(0) & 0x7fffffff;
        const headers = decodeHeaderBlock(await this.inflate.run(payload.subarray(10)));
        this.lastStreamId = Math.max(this.lastStreamId, id);
        const s = new SpdyStream(this, id, headers);
        this.streams.set(id, s);
        await this.reply(id);
        this.emit('stream', s);
        if (flags & FLAG_FIN) this.remoteEnd(s);
        return;
      }
      case FrameType.Headers:
        // Header blocks still advance the shared zlib context even when unused.
        await this.inflate.run(payload.subarray(4));
        return;
      case FrameType.SynReply:
        await this.inflate.run(payload.subarray(4));
        return;
      case FrameType.RstStream: {
        const s = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          s.localClosed = s.remoteClosed = true;
          this.streams.delete(s.id);
          s.emit('reset');
        }
        return;
      }
      case FrameType.Ping:
        this.enqueue(async () => controlFrame(FrameType.Ping, 0, Buffer.from(payload)));
        return;
      case FrameType.GoAway:
        this.close();
        return;
      default:
        // SETTINGS and WINDOW_UPDATE carry nothing this server acts on.
        return;
    }
  }

  private remoteEnd(s: SpdyStream): void {
    s.remoteClosed = true;
    s.emit('end');
    if (s.localClosed) this.streams.delete(s.id);
  }

  private enqueue(make: () => Promise<Buffer>): Promise<void> {
    const next = this.out.then(async () => {
      if (this.closed) return;
      this.send(await make());
    });
    this.out = next.catch(() => undefined);
    return this.out;
  }

  private reply(id: number): Promise<void> {
    const sid = Buffer.alloc(4);
    sid.writeUInt32BE(id);
    return this.enqueue(async () => controlFrame(FrameType.SynReply, 0, Buffer.concat([sid, await this.deflate.run(encodeHeaderBlock({}))])));
  }

  sendData(id: number, flags: number, data: Buffer): void {
    void this.enqueue(async () => dataFrame(id, flags, data));
    const s = this.streams.get(id);
    if (s && flags & FLAG_FIN && s.remoteClosed) this.streams.delete(id);
  }

  sendReset(id: number, status: number): void {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(id);
    p.writeUInt32BE(status, 4);
    void this.enqueue(async () => controlFrame(FrameType.RstStream, 0, p));
    this.streams.delete(id);
  }

  /** goAway tells the peer no more streams are accepted, then closes. */
  goAway(): void {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(this.lastStreamId);
    void this.enqueue(async () => controlFrame(FrameType.GoAway, 0, p)).then(() => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.emit('reset');
    this.streams.clear();
    this.inflate.close();
    this.deflate.close();
    this.emit('close');
  }
}
