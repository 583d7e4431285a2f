import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from './testing.js';

let t: TestApiServer;
before(async () => {
  t = await startTestApiServer();
});
after(async () => {
  await t.stop();
});

interface Obj {
  metadata: { name?: string; resourceVersion: string; continue?: string };
  data?: Record<string, string>;
  items?: Obj[];
  reason?: string;
}

async function call(method: string, path: string, body?: unknown): Promise<{ code: number; body: Obj }> {
  const res = await fetch(t.url + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { code: res.status, body: (await res.json()) as Obj };
}

describe('resourceVersion semantics of reads (watch cache)', () => {
  const base = '/api/v1/namespaces/default/configmaps';

  it('GET with resourceVersion 0, N and unset', async () => {
    const created = await call('POST', base, { metadata: { name: 'rv' }, data: { v: '1' } });
    assert.equal(created.code, 201);
    const updated = await call('PUT', `${base}/rv`, { ...created.body, data: { v: '2' } });
    assert.equal(updated.code, 200);
    const rv = updated.body.metadata.resourceVersion;
    const cases: Array<{ name: string; query: string }> = [
      { name: 'unset reads storage', query: '' },
      { name: '"0" serves the cache', query: '?resourceVersion=0' },
      { name: 'N serves a state not older than N', query: `?resourceVersion=${rv}` },
      { name: 'an older N may serve newer state', query: `?resourceVersion=${created.body.metadata.resourceVersion}` },
    ];
    for (const c of cases) {
      const r = await call('GET', `${base}/rv${c.query}`);
      assert.equal(r.code, 200, c.name);
      assert.equal(r.body.data?.v, '2', c.name);
      assert.equal(r.body.metadata.resourceVersion, rv, c.name);
    }
    assert.equal((await call('GET', `${base}/absent?resourceVersion=0`)).code, 404);
    assert.equal((await call('GET', `${base}/rv?resourceVersion=x`)).code, 400);
  });

  it('LIST with resourceVersion 0 is served from the cache and ignores limit; without it limit pages', async () => {
    for (const n of ['l1', 'l2', 'l3']) assert.equal((await call('POST', base, { metadata: { name: n } })).code, 201);
    const cached = await call('GET', `${base}?resourceVersion=0&limit=1`);
    assert.equal(cached.code, 200);
    assert.ok((cached.body.items ?? []).length >= 3);
    assert.equal(cached.body.metadata.continue, undefined);
    const paged = await call('GET', `${base}?limit=1`);
    assert.equal(paged.body.items?.length, 1);
    assert.ok(paged.body.metadata.continue);
  });
});
