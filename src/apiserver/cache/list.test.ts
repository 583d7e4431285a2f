import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeForStorage } from '../encoding.js';
import { writeJsonList } from './list.js';
import { entryOf, type CachedObject } from './object.js';

const PAD = 'x'.repeat(2000);

function items(n: number): { items: CachedObject[]; want: unknown[] } {
  const out: CachedObject[] = [];
  const want: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const rv = 100 + i;
    let value: Buffer;
    if (i % 3 === 1) value = Buffer.from(`{"data":{"pad":"${PAD}"},"metadata":{"name":"c${i}"},"kind":"ConfigMap","apiVersion":"v1"}`); // another layout
    else if (i % 7 === 2) value = Buffer.from(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"pad":"${PAD}"}}`); // empty metadata
    else value = encodeForStorage({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'a' }, data: { pad: PAD } });
    const obj = JSON.parse(value.toString()) as { metadata: Record<string, string> };
    obj.metadata.resourceVersion = String(rv);
    want.push(obj);
    if (i % 5 === 4) {
      // An item listed from storage (not a cache entry) carries its bytes as they are.
      const bytes = Buffer.from(JSON.stringify(obj));
      out.push({ key: `k${i}`, namespace: 'a', name: `c${i}`, rv, bytes, labels: {}, field: () => undefined });
    } else out.push(entryOf(`k${i}`, 'a', `c${i}`, rv, value, {}, {}));
  }
  return { items: out, want };
}

test('writeJsonList: small and large lists, every item at its revision, exact Content-Length', async () => {
  let current: CachedObject[] = [];
  const server = createServer((_req, res) => writeJsonList(res, Buffer.from('{"kind":"ConfigMapList","items":['), current, Buffer.from(']}')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const get = (): Promise<{ length: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
  try {
    for (const [name, n] of [['empty', 0], ['one item', 1], ['small (one buffer)', 40], ['large (written piecewise)', 900]] as const) {
      const l = items(n);
      current = l.items;
      const { length, body } = await get();
      assert.equal(length, body.length, `${name}: Content-Length`);
      assert.deepEqual(JSON.parse(body.toString()), { kind: 'ConfigMapList', items: l.want }, name);
    }
  } finally {
    server.close();
  }
});

/** serve answers every request with writeJsonList over `list()` and returns a GET for it. */
async function serve(list: () => CachedObject[], after?: (items: CachedObject[]) => void): Promise<{ get: () => Promise<{ length: number; body: Buffer }>; port: number; close: () => void }> {
  const server = createServer((_req, res) => {
    const items = list();
    writeJsonList(res, Buffer.from('{"kind":"ConfigMapList","items":['), items, Buffer.from(']}'));
    after?.(items);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const get = (): Promise<{ length: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      // A body shorter than its Content-Length would leave the client waiting: fail instead.
      const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ length: Number(res.headers['content-length']), body: Buffer.concat(chunks) }));
      });
      req.on('timeout', () => req.destroy(new Error('response incomplete after 5 s')));
      req.on('error', reject).end();
    });
  return { get, port, close: () => server.close() };
}

test('writeJsonList: a large list is the items as they were when it was called', async () => {
  const l = items(900);
  const other = items(900).items.map((o, i) => entryOf(o.key, o.namespace, o.name, 9000 + i, Buffer.from(`{"metadata":{"name":"changed-${i}"}}`), {}, {}));
  // The cache replaces entries of its sorted arrays in place: do that while the list is written.
  const s = await serve(() => [...l.items], (arr) => arr.forEach((_, i) => (arr[i] = other[i]!)));
  try {
    const { length, body } = await s.get();
    assert.equal(length, body.length);
    assert.deepEqual(JSON.parse(body.toString()), { kind: 'ConfigMapList', items: l.want });
  } finally {
    s.close();
  }
});

test('writeJsonList: items larger than a slice, and a client that leaves mid-list', async () => {
  const huge = 'y'.repeat(600 * 1024);
  const list: CachedObject[] = [];
  const want: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `h${i}` }, data: { pad: i % 2 ? huge : 'small' } };
    list.push(entryOf(`k${i}`, 'a', `h${i}`, 10 + i, encodeForStorage(obj), {}, {}));
    want.push({ ...obj, metadata: { name: `h${i}`, resourceVersion: String(10 + i) } });
  }
  const s = await serve(() => list);
  try {
    const { length, body } = await s.get();
    assert.equal(length, body.length);
    assert.deepEqual(JSON.parse(body.toString()), { kind: 'ConfigMapList', items: want });
    // A client that goes away after the first bytes: the server stops writing and keeps serving.
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s.port, path: '/' }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      }).on('error', () => {});
      req.on('error', reject);
      req.end();
    });
    const again = await s.get();
    assert.equal(again.length, again.body.length, 'served after a client left');
  } finally {
    s.close();
  }
});
