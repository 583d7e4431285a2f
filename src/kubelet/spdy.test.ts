import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants as zc, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { FrameType, SPDY_DICTIONARY, SpdySession, type SpdyStream, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock } from './spdy.js';

/** run pushes one header block through a long-lived zlib context, as a SPDY peer does. */
function run(z: Deflate | Inflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve) => {
    if (input.length) z.write(input);
    z.flush(zc.Z_SYNC_FLUSH, () => {
      const out: Buffer[] = [];
      for (let c = z.read() as Buffer | null; c !== null; c = z.read() as Buffer | null) out.push(c);
      resolve(Buffer.concat(out));
    });
  });
}

/** A minimal SPDY client: what kubectl's spdystream sends, parsed back frame by frame. */
class Client {
  readonly deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  readonly inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  received: Buffer = Buffer.alloc(0);
  frames(): Array<{ control: boolean; type: number; flags: number; payload: Buffer; streamId: number }> {
    const out = [];
    let b = this.received;
    while (b.length >= 8) {
      const len = b.readUInt32BE(4) & 0xffffff;
      const control = (b[0]! & 0x80) !== 0;
      const payload = b.subarray(8, 8 + len);
      out.push({ control, type: control ? b.readUInt16BE(2) : 0, flags: b[4]!, payload, streamId: control ? (payload.length >= 4 ? payload.readUInt32BE(0) & 0x7fffffff : 0) : b.readUInt32BE(0) & 0x7fffffff });
      b = b.subarray(8 + len);
    }
    return out;
  }
  async synStream(id: number, headers: Record<string, string[]>): Promise<Buffer> {
    const head = Buffer.alloc(10);
    head.writeUInt32BE(id);
    return controlFrame(FrameType.SynStream, 0, Buffer.concat([head, await run(this.deflate, encodeHeaderBlock(headers))]));
  }
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

test('the SPDY dictionary is draft 3\'s (1423 bytes, length-prefixed words first)', () => {
  assert.equal(SPDY_DICTIONARY.length, 1423);
  assert.deepEqual([...SPDY_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
  assert.equal(SPDY_DICTIONARY.subarray(-6).toString(), 'enq=0.');
});

test('header blocks round-trip, names lower-cased and multiple values NUL-joined', () => {
  assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ StreamType: ['data'], port: ['8080'], multi: ['a', 'b'] })), { streamtype: ['data'], port: ['8080'], multi: ['a', 'b'] });
});

test('a session answers SYN_STREAM with SYN_REPLY, carries data and FIN both ways, echoes PING, resets', async () => {
  const c = new Client();
  const s = new SpdySession((b) => (c.received = Buffer.concat([c.received, b])));
  const streams: SpdyStream[] = [];
  s.on('stream', (st: SpdyStream) => streams.push(st));

  // Two streams in one chunk, split across feeds at an awkward offset: the shared zlib context must stay in step.
  const both = Buffer.concat([await c.synStream(1, { streamtype: ['error'], port: ['80'], requestid: ['0'] }), await c.synStream(3, { streamtype: ['data'], port: ['80'], requestid: ['0'] })]);
  s.feed(both.subarray(0, 13));
  s.feed(both.subarray(13));
  await settle();
  assert.deepEqual(streams.map((st) => [st.id, st.header('streamtype'), st.header('port'), st.header('requestid')]), [
    [1, 'error', '80', '0'],
    [3, 'data', '80', '0'],
  ]);
  const replies = c.frames().filter((f) => f.control && f.type === FrameType.SynReply);
  assert.deepEqual(replies.map((f) => f.streamId), [1, 3]);
  // Reply header blocks decode with the client's own inflate context.
  for (const r of replies) assert.deepEqual(decodeHeaderBlock(await run(c.inflate, r.payload.subarray(4))), {});

  const data = streams[1]!;
  const got: Buffer[] = [];
  let ended = false;
  data.on('data', (b: Buffer) => got.push(b));
  data.on('end', () => (ended = true));
  s.feed(dataFrame(3, 0, Buffer.from('hello ')));
  s.feed(dataFrame(3, 1, Buffer.from('pod')));
  await settle();
  assert.equal(Buffer.concat(got).toString(), 'hello pod');
  assert.ok(ended, 'FIN from the client ends the stream');

  c.received = Buffer.alloc(0);
  data.write(Buffer.alloc(70_000, 120));
  data.end();
  const ping = Buffer.alloc(4);
  ping.writeUInt32BE(7);
  s.feed(controlFrame(FrameType.Ping, 0, ping));
  await settle();
  const out = c.frames();
  const dataFrames = out.filter((f) => !f.control);
  assert.equal(dataFrames.reduce((n, f) => n + f.payload.length, 0), 70_000, 'large writes are split into frames');
  assert.equal(dataFrames.at(-1)!.flags & 1, 1, 'end() sends FIN');
  assert.ok(out.some((f) => f.control && f.type === FrameType.Ping && f.payload.readUInt32BE(0) === 7), 'PING echoed');

  let reset = false;
  streams[0]!.on('reset', () => (reset = true));
  const rst = Buffer.alloc(8);
  rst.writeUInt32BE(1);
  rst.writeUInt32BE(5, 4);
  s.feed(controlFrame(FrameType.RstStream, 0, rst));
  await settle();
  assert.ok(reset, 'RST_STREAM resets the stream');

  let closed = false;
  s.on('close', () => (closed = true));
  s.feed(controlFrame(FrameType.GoAway, 0, Buffer.alloc(8)));
  await settle();
  assert.ok(closed, 'GOAWAY closes the session');
  c.deflate.close();
  c.inflate.close();
});
