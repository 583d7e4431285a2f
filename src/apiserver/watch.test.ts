import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeForStorage } from './encoding.js';
import { entryOf } from './cache/object.js';
import { WatchStream } from './watch.js';

const pod = (name: string, rv: number) =>
  entryOf(`/registry/pods/a/${name}`, 'a', name, rv, encodeForStorage({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'a' } }), {}, {});

/** watchPair serves `count` watch responses and reads each client's body until it ends. */
async function watchPair(count: number): Promise<{ streams: WatchStream[]; responses: ServerResponse[]; bodies: Promise<string[]>; close: () => void }> {
  const responses: ServerResponse[] = [];
  let ready: () => void;
  const allConnected = new Promise<void>((r) => (ready = r));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    responses.push(res);
    if (responses.length === count) ready();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const bodies = Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<string>((resolve, reject) => {
          request({ host: '127.0.0.1', port, path: '/' }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (c: string) => (body += c));
            res.on('end', () => resolve(body));
          })
            .on('error', reject)
            .end();
        }),
    ),
  );
  await allConnected;
  const streams = responses.map(
    (res) =>
      new WatchStream({
        res,
        namespace: '',
        filter: () => true,
        bookmarkObject: (rv) => ({ kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(rv) } }),
        allowBookmarks: true,
        onStop: () => {},
      }),
  );
  return { streams, responses, bodies, close: () => server.close() };
}

const lines = (body: string): Array<{ type: string; name?: string; rv: string }> =>
  body
    .trim()
    .split('\n')
    .map((l) => {
      const e = JSON.parse(l) as { type: string; object: { metadata: { name?: string; resourceVersion: string } } };
      return { type: e.type, ...(e.object.metadata.name ? { name: e.object.metadata.name } : {}), rv: e.object.metadata.resourceVersion };
    });

test('WatchStream: frames of one turn reach every watcher in order, bookmarks included, and a stop sends what was queued', async () => {
  const w = await watchPair(3);
  try {
    const [a, b, c] = w.streams as [WatchStream, WatchStream, WatchStream];
    // One turn: the same events to a and b (shared), a different sequence to c.
    for (let i = 1; i <= 5; i++) {
      const o = pod(`p${i}`, 10 + i);
      a.deliver(i === 1 ? 'ADDED' : 'MODIFIED', o, o.rv);
      b.deliver(i === 1 ? 'ADDED' : 'MODIFIED', o, o.rv);
      if (i % 2) c.deliver('MODIFIED', o, o.rv);
    }
    b.bookmark(20);
    await new Promise((r) => setImmediate(r));
    // A later turn, then stops with frames still queued.
    const p9 = pod('p9', 30);
    for (const s of [a, b, c]) s.deliver('DELETED', p9, 30);
    for (const s of [a, b, c]) s.stop('closed');
    const [ba, bb, bc] = await w.bodies;
    const five = [1, 2, 3, 4, 5].map((i) => ({ type: i === 1 ? 'ADDED' : 'MODIFIED', name: `p${i}`, rv: String(10 + i) }));
    const del = { type: 'DELETED', name: 'p9', rv: '30' };
    assert.deepEqual(lines(ba!), [...five, del], 'a');
    assert.deepEqual(lines(bb!), [...five, { type: 'BOOKMARK', rv: '20' }, del], 'b: its bookmark after its events');
    assert.deepEqual(lines(bc!), [{ ...five[0]!, type: 'MODIFIED' }, five[2], five[4], del], 'c');
    assert.equal(a.lastRv, 30);
  } finally {
    w.close();
  }
});

test('WatchStream: a steady stream of events shares its writes; the first after a quiet spell is not held back', async () => {
  const w = await watchPair(1);
  try {
    const s = w.streams[0]!;
    const res = w.responses[0]!;
    // Each flush is one write on the connection: the chunk, framed whole (not the response's
    // size line, data and CRLF).
    let writes = 0;
    let viaResponse = 0;
    const conn = res.socket!;
    const write = conn.write.bind(conn) as (chunk: Buffer) => boolean;
    conn.write = ((chunk: Buffer) => (writes++, write(chunk))) as typeof conn.write;
    const resWrite = res.write.bind(res) as (chunk: Buffer) => boolean;
    res.write = ((chunk: Buffer) => (viaResponse++, resWrite(chunk))) as typeof res.write;
    const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
    // Quiet: no flush in the last interval (other tests share the module's flush clock).
    await new Promise((r) => setTimeout(r, 50));
    s.deliver('ADDED', pod('p0', 100), 100);
    await turn();
    assert.equal(writes, 1, 'the first event is written at the end of its turn');
    // One event per turn, as uniform writes arrive: without the interval, one write each.
    const t0 = performance.now();
    const n = 60;
    for (let i = 1; i <= n; i++) {
      s.deliver('MODIFIED', pod(`p${i}`, 100 + i), 100 + i);
      await turn();
    }
    const elapsed = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(writes - 1 <= Math.ceil(elapsed / 10) + 1, `${writes - 1} writes for ${n} events over ${elapsed.toFixed(1)} ms`);
    assert.equal(viaResponse, 0, 'chunks go to the connection, framed once');
    s.stop('closed');
    const [body] = await w.bodies;
    assert.deepEqual(
      lines(body!).map((e) => e.rv),
      Array.from({ length: n + 1 }, (_, i) => String(100 + i)),
      'every event, in order',
    );
  } finally {
    // A failed assertion leaves the response open: end it, or the client keeps the process alive.
    for (const st of w.streams) st.stop('closed');
    w.close();
  }
});

test('WatchStream: a watch pipelined behind another response queues its events until the connection is its own', async () => {
  let first: ServerResponse | undefined;
  let stream: WatchStream | undefined;
  let watchArrived: () => void;
  const arrived = new Promise<void>((r) => (watchArrived = r));
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      first = res;
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    stream = new WatchStream({ res, namespace: '', filter: () => true, bookmarkObject: () => ({}), allowBookmarks: false, onStop: () => {} });
    watchArrived();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const { connect } = await import('node:net');
  const sock = connect(port, '127.0.0.1');
  let raw = '';
  sock.setEncoding('latin1').on('data', (d: string) => (raw += d));
  const closed = new Promise<void>((r) => sock.on('close', () => r()));
  try {
    sock.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /watch HTTP/1.1\r\nHost: x\r\n\r\n');
    await arrived;
    // The watch's response is queued behind /slow's: its connection is not yet its own.
    stream!.deliver('ADDED', pod('q1', 5), 5);
    await new Promise((r) => setTimeout(r, 30));
    first!.end('slow done');
    await new Promise((r) => setTimeout(r, 30));
    stream!.deliver('MODIFIED', pod('q1', 6), 6);
    await new Promise((r) => setTimeout(r, 30));
    stream!.stop('closed');
    await new Promise((r) => setTimeout(r, 30));
    sock.end();
    await closed;
    const second = raw.slice(raw.indexOf('HTTP/1.1 200', raw.indexOf('slow done')));
    assert.ok(raw.indexOf('slow done') > 0 && raw.indexOf('slow done') < raw.indexOf('"ADDED"'), 'the first response comes out whole, first');
    const body = second.slice(second.indexOf('\r\n\r\n') + 4);
    // Decode the chunked body strictly: size line, exactly that many bytes, CRLF; a zero chunk ends it.
    let text = '';
    let at = 0;
    for (;;) {
      const eol = body.indexOf('\r\n', at);
      const size = parseInt(body.slice(at, eol), 16);
      assert.ok(Number.isInteger(size), `chunk size at ${at}: ${JSON.stringify(body.slice(at, at + 20))}`);
      if (size === 0) break;
      text += body.slice(eol + 2, eol + 2 + size);
      assert.equal(body.slice(eol + 2 + size, eol + 4 + size), '\r\n');
      at = eol + 4 + size;
    }
    assert.deepEqual(lines(text), [
      { type: 'ADDED', name: 'q1', rv: '5' },
      { type: 'MODIFIED', name: 'q1', rv: '6' },
    ]);
  } finally {
    stream?.stop('closed');
    sock.destroy();
    server.close();
  }
});
