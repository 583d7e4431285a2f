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
    let writes = 0;
    const write = res.write.bind(res) as (chunk: Buffer) => boolean;
    res.write = ((chunk: Buffer) => (writes++, write(chunk))) as typeof res.write;
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
