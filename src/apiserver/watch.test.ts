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
async function watchPair(count: number): Promise<{ streams: WatchStream[]; bodies: Promise<string[]>; close: () => void }> {
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
  return { streams, bodies, close: () => server.close() };
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
