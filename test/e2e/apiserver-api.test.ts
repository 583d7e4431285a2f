/**
 * End-to-end over plain HTTP: the API semantics kubectl does not show directly (discovery
 * negotiation, list pagination and resourceVersion rules, watch streaming, Table output,
 * fieldValidation, dryRun, status/spec split, allocation, namespace lifecycle, conversion).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';

interface Res {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

describe('apiserver HTTP semantics', () => {
  let srv: TestApiServer;

  before(async () => {
    srv = await startTestApiServer({ watchCacheEvents: 50, bookmarkIntervalMs: 200 });
  });
  after(async () => {
    await srv?.stop();
  });

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const r = await fetch(srv.url + path, init);
    const text = await r.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // non-JSON bodies (healthz) are checked through `text`
    }
    return { status: r.status, headers: r.headers, body: parsed, text };
  }

  const cm = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });

  /** watchLines opens a watch and collects its JSON lines until `until` holds or it times out. */
  function watchLines(path: string, until: (lines: Array<Record<string, unknown>>) => boolean, timeoutMs = 5000, headers: Record<string, string> = {}): { done: Promise<Array<Record<string, unknown>>>; status: Promise<number> } {
    let resolveStatus!: (n: number) => void;
    const status = new Promise<number>((r) => (resolveStatus = r));
    const done = new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const lines: Array<Record<string, unknown>> = [];
      const req = request(srv.url + path, { headers }, (res) => {
        resolveStatus(res.statusCode ?? 0);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            lines.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
            buf = buf.slice(i + 1);
          }
          if (until(lines)) {
            req.destroy();
            resolve(lines);
          }
        });
        res.on('end', () => resolve(lines));
      });
      req.on('error', (err) => (err.message.includes('aborted') || err.message.includes('socket hang up') ? resolve(lines) : reject(err)));
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve(lines);
      }, timeoutMs);
    });
    return { done, status };
  }

  test('health and version endpoints', async () => {
    for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await call('GET', p)).text, 'ok');
    assert.match((await call('GET', '/readyz?verbose')).text, /readyz check passed/);
    assert.equal((await call('GET', '/version')).body.gitVersion, 'v1.32.0+k8ts');
  });

  test('discovery: legacy and aggregated (v2, v2beta1)', async () => {
    const api = await call('GET', '/api');
    assert.deepEqual(api.body.versions, ['v1']);
    const groups = (await call('GET', '/apis')).body.groups as Array<{ name: string; preferredVersion: { version: string } }>;
    assert.equal(groups.find((g) => g.name === 'autoscaling')?.preferredVersion.version, 'v2');
    for (const v of ['v2', 'v2beta1']) {
      const accept = `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList,application/json`;
      const agg = await call('GET', '/apis', undefined, { Accept: accept });
      assert.equal(agg.headers.get('content-type'), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
      const items = agg.body.items as Array<{ metadata: { name: string }; versions: Array<{ version: string; resources: Array<{ resource: string; scope: string; subresources?: Array<{ subresource: string }> }> }> }>;
      const apps = items.find((i) => i.metadata.name === 'apps')!;
      const deployments = apps.versions[0]!.resources.find((r) => r.resource === 'deployments')!;
      assert.equal(deployments.scope, 'Namespaced');
      assert.deepEqual(deployments.subresources?.map((s) => s.subresource), ['status', 'scale']);
      const core = await call('GET', '/api', undefined, { Accept: accept });
      assert.equal(((core.body.items as Array<{ versions: Array<{ version: string }> }>)[0]!.versions[0]!.version), 'v1');
    }
    const v1 = (await call('GET', '/api/v1')).body.resources as Array<{ name: string }>;
    assert.ok(v1.some((r) => r.name === 'pods/status'));
    assert.equal((await call('GET', '/apis/nope.example.com/v1')).status, 404);
  });

  test('generateName gets a 5-character suffix', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    assert.equal(r.status, 201);
    assert.match((r.body.metadata as { name: string }).name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    // A base past 58 characters is cut, so the generated name still fits 63 (upstream's SimpleNameGenerator).
    const long = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'g'.repeat(70) } });
    assert.equal(long.status, 201);
    assert.match((long.body.metadata as { name: string }).name, /^g{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal((long.body.metadata as { generateName: string }).generateName, 'g'.repeat(70));
  });

  test('list: limit and continue page through sorted items; remainingItemCount', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) assert.equal((await call('POST', '/api/v1/namespaces/default/configmaps', cm(n, {}, { page: 'yes' }))).status, 201);
    const names: string[] = [];
    let cont = '';
    let pages = 0;
    let rv = '';
    do {
      const r = await call('GET', `/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes&limit=2${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      assert.equal(r.status, 200);
      const meta = r.body.metadata as { continue?: string; resourceVersion: string };
      if (rv) assert.equal(meta.resourceVersion, rv, 'all pages are served at the first page revision');
      rv = meta.resourceVersion;
      names.push(...(r.body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name));
      cont = meta.continue ?? '';
      pages++;
    } while (cont && pages < 5);
    assert.deepEqual(names, ['page-a', 'page-b', 'page-c']);
    assert.equal(pages, 2);
    const first = await call('GET', '/api/v1/namespaces/default/configmaps?limit=1');
    assert.equal(typeof (first.body.metadata as { remainingItemCount?: number }).remainingItemCount, 'number');
  });

  test('list: field selectors, unsupported field label, resourceVersion rules', async () => {
    const byName = await call('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dpage-b');
    assert.deepEqual((byName.body.items as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name), ['page-b']);
    const bad = await call('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=spec.foo%3Dbar');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    assert.match(bad.body.message as string, /spec\.foo/);
    const before = (await call('GET', '/api/v1/namespaces/default/configmaps')).body.metadata as { resourceVersion: string };
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('later'));
    const exact = await call('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${before.resourceVersion}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200);
    assert.ok(!(exact.body.items as Array<{ metadata: { name: string } }>).some((i) => i.metadata.name === 'later'), 'Exact reads the old revision');
    const any = await call('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
    assert.ok((any.body.items as Array<{ metadata: { name: string } }>).some((i) => i.metadata.name === 'later'));
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps?resourceVersionMatch=Exact')).status, 400);
  });

  test('as=Table and as=PartialObjectMetadataList', async () => {
    const t = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    assert.equal(t.body.kind, 'Table');
    assert.equal(t.body.apiVersion, 'meta.k8s.io/v1');
    const rows = t.body.rows as Array<{ cells: unknown[]; object: { kind: string; metadata: { name: string } } }>;
    assert.equal(rows.length, 3);
    assert.equal(rows[0]!.object.kind, 'PartialObjectMetadata');
    assert.equal(rows[0]!.cells[0], 'page-a');
    const full = await call('GET', '/api/v1/namespaces/default/configmaps/page-a?includeObject=Object', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal((full.body.rows as Array<{ object: { kind: string } }>)[0]!.object.kind, 'ConfigMap');
    const p = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=page%3Dyes', undefined, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(p.body.kind, 'PartialObjectMetadataList');
    assert.equal((p.body.items as Array<{ kind: string }>)[0]!.kind, 'PartialObjectMetadata');
  });

  test('watch: events after a resourceVersion, in order, with the right types', async () => {
    const rv = ((await call('GET', '/api/v1/namespaces/default/configmaps')).body.metadata as { resourceVersion: string }).resourceVersion;
    const w = watchLines(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, (ls) => ls.length >= 3);
    assert.equal(await w.status, 200);
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('w1'));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/w1', { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
    await call('DELETE', '/api/v1/namespaces/default/configmaps/w1');
    const lines = await w.done;
    assert.deepEqual(lines.map((l) => l.type), ['ADDED', 'MODIFIED', 'DELETED']);
    const rvs = lines.map((l) => Number((l.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion));
    assert.ok(rvs[0]! > Number(rv) && rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);
  });

  test('watch as=Table: only the first event carries columnDefinitions (upstream sets NoHeaders after it)', async () => {
    const rv = ((await call('GET', '/api/v1/namespaces/default/configmaps')).body.metadata as { resourceVersion: string }).resourceVersion;
    const w = watchLines(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, (ls) => ls.length >= 3, 5000, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(await w.status, 200);
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('wt1'));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/wt1', { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
    await call('DELETE', '/api/v1/namespaces/default/configmaps/wt1');
    const tables = (await w.done).map((l) => l.object as { kind: string; columnDefinitions: Array<{ name: string }> | null; rows: Array<{ cells: unknown[] }> });
    assert.deepEqual(tables.map((t) => t.kind), ['Table', 'Table', 'Table']);
    assert.deepEqual(tables[0]!.columnDefinitions!.map((c) => c.name), ['Name', 'Data', 'Age']);
    assert.equal(tables[1]!.columnDefinitions, null);
    assert.equal(tables[2]!.columnDefinitions, null);
    assert.deepEqual(tables.map((t) => t.rows[0]!.cells[0]), ['wt1', 'wt1', 'wt1']);
  });

  test('EndpointSlices: generation follows upstream (labels or anything outside metadata); PUT never creates one', async () => {
    const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'gen' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [] };
    const gen = async (): Promise<number> => ((await call('GET', `${path}/gen`)).body.metadata as { generation: number }).generation;
    assert.equal((await call('POST', path, slice)).status, 201);
    assert.equal(await gen(), 1);
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    await call('PATCH', `${path}/gen`, { metadata: { annotations: { a: 'b' } } }, merge);
    assert.equal(await gen(), 1, 'an annotation alone keeps the generation');
    await call('PATCH', `${path}/gen`, { metadata: { labels: { l: 'v' } } }, merge);
    assert.equal(await gen(), 2, 'a label change bumps it');
    await call('PATCH', `${path}/gen`, { endpoints: [{ addresses: ['10.0.0.2'] }] }, merge);
    assert.equal(await gen(), 3, 'an endpoints change bumps it');
    const put = await call('PUT', `${path}/absent`, { ...slice, metadata: { name: 'absent' } });
    assert.equal(put.status, 404);
    assert.equal(put.body.reason, 'NotFound');
    await call('DELETE', `${path}/gen`);
  });

  test('watch: label selector transitions become ADDED/DELETED; no initial events for an explicit RV', async () => {
    const rv = ((await call('GET', '/api/v1/namespaces/default/configmaps')).body.metadata as { resourceVersion: string }).resourceVersion;
    const w = watchLines(`/api/v1/namespaces/default/configmaps?watch=true&labelSelector=sel%3Dyes&resourceVersion=${rv}`, (ls) => ls.length >= 2);
    await w.status;
    await call('POST', '/api/v1/namespaces/default/configmaps', cm('sel1'));
    await call('PATCH', '/api/v1/namespaces/default/configmaps/sel1', { metadata: { labels: { sel: 'yes' } } }, { 'Content-Type': 'application/merge-patch+json' });
    await call('PATCH', '/api/v1/namespaces/default/configmaps/sel1', { metadata: { labels: { sel: 'no' } } }, { 'Content-Type': 'application/merge-patch+json' });
    const lines = await w.done;
    assert.deepEqual(lines.map((l) => l.type), ['ADDED', 'DELETED']);
  });

  test('watch: sendInitialEvents ends with the initial-events-end bookmark; RV unset replays state', async () => {
    const w = watchLines(
      '/api/v1/namespaces/default/configmaps?watch=1&labelSelector=page%3Dyes&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&resourceVersion=',
      (ls) => ls.some((l) => l.type === 'BOOKMARK'),
    );
    const lines = await w.done;
    assert.deepEqual(lines.map((l) => l.type), ['ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
    const bm = lines[3]!.object as { kind: string; metadata: { annotations: Record<string, string>; resourceVersion: string } };
    assert.equal(bm.kind, 'ConfigMap');
    assert.equal(bm.metadata.annotations['k8s.io/initial-events-end'], 'true');
    const plain = await watchLines('/api/v1/namespaces/default/configmaps?watch=1&labelSelector=page%3Dyes', (ls) => ls.length >= 3).done;
    assert.deepEqual(plain.map((l) => l.type), ['ADDED', 'ADDED', 'ADDED']);
  });

  test('watch: periodic bookmarks when allowed; timeoutSeconds ends the stream', async () => {
    const start = Date.now();
    const lines = await watchLines('/api/v1/namespaces/kube-public/configmaps?watch=1&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=1', () => false, 4000).done;
    assert.ok(lines.some((l) => l.type === 'BOOKMARK'));
    assert.ok(Date.now() - start < 3000, 'the server closed the watch after timeoutSeconds');
  });

  test('watch: a resourceVersion older than the cache window is 410 Gone (Expired)', async () => {
    for (let i = 0; i < 60; i++) await call('POST', '/api/v1/namespaces/default/configmaps', cm(`churn-${i}`));
    const r = await call('GET', '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=2');
    assert.equal(r.status, 410);
    assert.equal(r.body.reason, 'Expired');
    assert.match(r.body.message as string, /^too old resource version: 2 \(\d+\)$/);
  });

  test('fieldValidation: Strict rejects duplicate fields; Warn answers with a Warning header', async () => {
    const dup = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup"},"data":{"a":"1"},"data":{"b":"2"}}';
    const strict = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', dup);
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data"');
    const warn = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', dup);
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "duplicate field \\"data\\""');
    const bad = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Sometimes', cm('x'));
    assert.equal(bad.status, 400);
  });

  test('fieldValidation: unknown fields are dropped under Warn and Ignore, never stored', async () => {
    for (const fv of ['Warn', 'Ignore']) {
      const name = `unknown-${fv.toLowerCase()}`;
      const body = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}","bogus":1},"data":{"a":"1"},"extra":{"x":1}}`;
      const r = await call('POST', `/api/v1/namespaces/default/configmaps?fieldValidation=${fv}`, body);
      assert.equal(r.status, 201, fv);
      assert.equal(r.headers.get('warning') !== null, fv === 'Warn', `${fv}: warnings only under Warn`);
      const got = (await call('GET', `/api/v1/namespaces/default/configmaps/${name}`)).body;
      assert.equal(got['extra'], undefined, fv);
      assert.equal((got['metadata'] as Record<string, unknown>)['bogus'], undefined, fv);
      assert.deepEqual(got['data'], { a: '1' });
    }
  });

  test('dryRun=All validates without persisting', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  });

  test('request bodies over 3 MiB are 413 RequestEntityTooLarge', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('big', { x: 'y'.repeat(3 * 1024 * 1024 + 10) }));
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, 'RequestEntityTooLarge');
  });

  test('status subresource: main PUT keeps status, /status PUT changes only status', async () => {
    const d = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'split' },
      spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
      status: { replicas: 5 },
    };
    const created = await call('POST', '/apis/apps/v1/namespaces/default/deployments', d);
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.status, {}, 'status is reset on create');
    const cur = created.body as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    const st = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/split/status', { ...cur, spec: { ...cur.spec, replicas: 9 }, status: { replicas: 1, observedGeneration: 1 } });
    assert.equal(st.status, 200);
    assert.equal((st.body.spec as { replicas: number }).replicas, 1, 'status PUT ignores spec');
    assert.equal((st.body.status as { replicas: number }).replicas, 1);
    const main = await call('PUT', '/apis/apps/v1/namespaces/default/deployments/split', { ...(st.body as object), spec: { ...cur.spec, replicas: 3 }, status: { replicas: 42 } });
    assert.equal((main.body.spec as { replicas: number }).replicas, 3);
    assert.equal((main.body.status as { replicas: number }).replicas, 1, 'main PUT ignores status');
    assert.equal((main.body.metadata as { generation: number }).generation, 2);
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/split/scale');
    assert.deepEqual([scale.body.kind, scale.body.apiVersion, (scale.body.spec as { replicas: number }).replicas, (scale.body.status as { selector: string }).selector], ['Scale', 'autoscaling/v1', 3, 'a=b']);
  });

  test('Services: ClusterIP and NodePort allocation, immutable clusterIP, headless, release on delete', async () => {
    const svc = (name: string, spec: object): object => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
    const np = await call('POST', '/api/v1/namespaces/default/services', svc('np', { type: 'NodePort' }));
    assert.equal(np.status, 201);
    const spec = np.body.spec as { clusterIP: string; ports: Array<{ nodePort: number }> };
    assert.match(spec.clusterIP, /^10\.43\./);
    assert.ok(spec.ports[0]!.nodePort >= 30000 && spec.ports[0]!.nodePort <= 32767);
    const headless = await call('POST', '/api/v1/namespaces/default/services', svc('hl', { clusterIP: 'None' }));
    assert.equal((headless.body.spec as { clusterIP: string }).clusterIP, 'None');
    const taken = await call('POST', '/api/v1/namespaces/default/services', svc('dup-ip', { clusterIP: spec.clusterIP }));
    assert.equal(taken.status, 422);
    assert.match(taken.body.message as string, /provided IP is already allocated/);
    const change = await call('PATCH', '/api/v1/namespaces/default/services/np', { spec: { clusterIP: '10.43.200.200' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(change.status, 422);
    assert.match(change.body.message as string, /may not change once set/);
    assert.equal((await call('DELETE', '/api/v1/namespaces/default/services/np')).status, 200);
    const reuse = await call('POST', '/api/v1/namespaces/default/services', svc('reuse', { clusterIP: spec.clusterIP }));
    assert.equal(reuse.status, 201, 'a released ClusterIP can be requested again');
  });

  test('namespace lifecycle: Terminating, no new content, finalize removes it', async () => {
    await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const del = await call('DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    const ns = await call('GET', '/api/v1/namespaces/doomed');
    assert.equal((ns.body.status as { phase: string }).phase, 'Terminating');
    const blocked = await call('POST', '/api/v1/namespaces/doomed/configmaps', cm('late'));
    assert.equal(blocked.status, 403);
    assert.equal(blocked.body.message, 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    const fin = await call('PUT', '/api/v1/namespaces/doomed/finalize', { ...(ns.body as object), spec: { finalizers: [] } });
    assert.equal(fin.status, 200);
    assert.equal((await call('GET', '/api/v1/namespaces/doomed')).status, 404);
  });

  test('conversion: core Event seen through events.k8s.io, HPA v2 through autoscaling/v1', async () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev1' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      message: 'Started container',
      type: 'Normal',
      source: { component: 'kubelet' },
    };
    assert.equal((await call('POST', '/api/v1/namespaces/default/events', ev)).status, 201);
    // Events expire after an hour: the stored key carries a lease.
    assert.ok(((await srv.server.storage.get('/registry/events/default/ev1')).kv?.lease ?? 0) > 0);
    const e2 = await call('GET', '/apis/events.k8s.io/v1/namespaces/default/events/ev1');
    assert.deepEqual([e2.body.apiVersion, e2.body.note, (e2.body.regarding as { name: string }).name], ['events.k8s.io/v1', 'Started container', 'p']);
    const hpa = {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'split' }, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 70 },
    };
    assert.equal((await call('POST', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', hpa)).status, 201);
    const v2 = await call('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/h');
    assert.deepEqual((v2.body.spec as { metrics: unknown[] }).metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }]);
    const v1 = await call('GET', '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h');
    assert.equal((v1.body.spec as { targetCPUUtilizationPercentage: number }).targetCPUUtilizationPercentage, 70);
  });

  test('errors: unknown resource 404, wrong method 405, bad kind 400, unsupported patch type 415', async () => {
    const nf = await call('GET', '/api/v1/namespaces/default/widgets');
    assert.equal(nf.status, 404);
    const m = await call('PUT', '/api/v1/namespaces/default/bindings/x', {});
    assert.equal(m.status, 405);
    assert.equal(m.body.reason, 'MethodNotAllowed');
    const kind = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } });
    assert.equal(kind.status, 400);
    const patch = await call('PATCH', '/api/v1/namespaces/default/configmaps/page-a', {}, { 'Content-Type': 'text/plain' });
    assert.equal(patch.status, 415);
  });
  test('watch: pods by spec.nodeName (the kubelet pattern) see binding and deletion only for their node', async () => {
    const pod = (name: string): object => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] } });
    const rv = ((await call('GET', '/api/v1/pods')).body.metadata as { resourceVersion: string }).resourceVersion;
    const n1 = watchLines(`/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dnode-a&resourceVersion=${rv}`, (ls) => ls.length >= 3);
    const unscheduled = watchLines(`/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3D&resourceVersion=${rv}`, (ls) => ls.length >= 4);
    await Promise.all([n1.status, unscheduled.status]);
    for (const name of ['pa', 'pb']) assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod(name))).status, 201);
    const bind = (name: string, node: string): Promise<Res> => call('POST', `/api/v1/namespaces/default/pods/${name}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: node } });
    assert.equal((await bind('pa', 'node-a')).status, 201);
    assert.equal((await bind('pb', 'node-b')).status, 201);
    const again = await bind('pa', 'node-b');
    assert.equal(again.status, 409);
    assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "pa": pod pa is already assigned to node "node-a"');
    // graceful: the pod stays with a deletionTimestamp, then the kubelet deletes with grace 0
    const pending = await call('DELETE', '/api/v1/namespaces/default/pods/pa');
    assert.equal(pending.status, 200);
    assert.equal((pending.body.metadata as { deletionGracePeriodSeconds: number }).deletionGracePeriodSeconds, 30);
    assert.equal((await call('DELETE', '/api/v1/namespaces/default/pods/pa?gracePeriodSeconds=0')).status, 200);
    const a = await n1.done;
    assert.deepEqual(a.map((l) => `${l.type} ${(l.object as { metadata: { name: string } }).metadata.name}`), ['ADDED pa', 'MODIFIED pa', 'DELETED pa']);
    const u = await unscheduled.done;
    assert.deepEqual(u.map((l) => `${l.type} ${(l.object as { metadata: { name: string } }).metadata.name}`), ['ADDED pa', 'ADDED pb', 'DELETED pa', 'DELETED pb']);
  });

  test('max-in-flight (APF off): excess concurrent writes get 429 TooManyRequests with Retry-After', async () => {
    // A file database commits in a writer thread, so concurrent requests really overlap.
    const small = await startTestApiServer({ maxMutatingRequestsInflight: 1, enablePriorityAndFairness: false, datastoreEndpoint: `sqlite://${srv.dir}/inflight.db` });
    try {
      const rs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          fetch(`${small.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(cm(`c${i}`)) }),
        ),
      );
      const limited = rs.filter((r) => r.status === 429);
      assert.ok(limited.length > 0);
      assert.equal(limited[0]!.headers.get('retry-after'), '1');
      assert.equal(((await limited[0]!.json()) as { reason: string }).reason, 'TooManyRequests');
      await Promise.all(rs.filter((r) => !r.bodyUsed).map((r) => r.body?.cancel()));
    } finally {
      await small.stop();
    }
  });
  test('restart on the same datastore keeps objects and allocations and boots cleanly', async () => {
    const endpoint = `sqlite://${srv.dir}/restart.db`;
    const first = await startTestApiServer({ datastoreEndpoint: endpoint });
    let ip = '';
    try {
      const r = await fetch(`${first.url}/api/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'keep' }, spec: { ports: [{ port: 80 }] } }),
      });
      ip = ((await r.json()) as { spec: { clusterIP: string } }).spec.clusterIP;
    } finally {
      await first.stop();
    }
    const second = await startTestApiServer({ datastoreEndpoint: endpoint });
    try {
      const kept = (await (await fetch(`${second.url}/api/v1/namespaces/default/services/keep`)).json()) as { spec: { clusterIP: string } };
      assert.equal(kept.spec.clusterIP, ip);
      const dup = await fetch(`${second.url}/api/v1/namespaces/default/services`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup' }, spec: { clusterIP: ip, ports: [{ port: 80 }] } }),
      });
      assert.equal(dup.status, 422, 'allocations are rebuilt from storage on start');
      await dup.body?.cancel();
    } finally {
      await second.stop();
    }
  });
  test('server-side apply (simple): creates, merges, records an Apply manager; fieldManager is required', async () => {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n';
    const missing = await call('PATCH', '/api/v1/namespaces/default/configmaps/ssa', body, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(missing.status, 400);
    const created = await call('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=tester', body, { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(created.status, 201);
    const updated = await call('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=tester', body.replace('a: "1"', 'b: "2"'), { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.data, { a: '1', b: '2' });
    const mf = (updated.body.metadata as { managedFields: Array<{ manager: string; operation: string }> }).managedFields;
    assert.ok(mf.some((e) => e.manager === 'tester' && e.operation === 'Apply'));
  });
});
