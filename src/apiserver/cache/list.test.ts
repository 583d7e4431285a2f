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
      out.push({ key: `k${i}`, namespace: 'a', name: `c${i}`, rv, bytes, labels: {}, fields: {} });
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
