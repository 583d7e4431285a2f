import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHTTPSServer, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startApiServer, type RunningApiServer } from '../server.js';
import { requestInfo } from '../requestinfo.js';
import { ApiServerMetrics, cleanScope, reportedVerb, REQUEST_DURATION_BUCKETS } from './index.js';

/** samples parses the text format into `name{labels} value` entries (enough for these assertions). */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a text-format line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!;
    out.push({ name: m[1]!, labels, value: m[3] === '+Inf' ? Infinity : Number(m[3]) });
  }
  return out;
}

test('reportedVerb and cleanScope follow upstream MonitorRequest', () => {
  const cases: Array<{ name: string; method: string; path: string; query?: string; contentType?: string; verb: string; scope: string }> = [
    { name: 'get one pod', method: 'GET', path: '/api/v1/namespaces/ns/pods/p', verb: 'GET', scope: 'resource' },
    { name: 'list pods in a namespace', method: 'GET', path: '/api/v1/namespaces/ns/pods', verb: 'LIST', scope: 'namespace' },
    { name: 'list nodes', method: 'GET', path: '/api/v1/nodes', verb: 'LIST', scope: 'cluster' },
    { name: 'get a namespace', method: 'GET', path: '/api/v1/namespaces/ns', verb: 'GET', scope: 'resource' },
    { name: 'watch by query', method: 'GET', path: '/api/v1/namespaces/ns/pods', query: 'watch=true', verb: 'WATCH', scope: 'namespace' },
    { name: 'legacy watch path', method: 'GET', path: '/api/v1/watch/namespaces/ns/pods', verb: 'WATCH', scope: 'namespace' },
    { name: 'create is resource scoped', method: 'POST', path: '/api/v1/namespaces/ns/pods', verb: 'POST', scope: 'resource' },
    { name: 'update', method: 'PUT', path: '/apis/apps/v1/namespaces/ns/deployments/d', verb: 'PUT', scope: 'resource' },
    { name: 'merge patch', method: 'PATCH', path: '/api/v1/namespaces/ns/pods/p/status', contentType: 'application/merge-patch+json', verb: 'PATCH', scope: 'resource' },
    { name: 'server-side apply', method: 'PATCH', path: '/api/v1/namespaces/ns/pods/p', contentType: 'application/apply-patch+yaml', verb: 'APPLY', scope: 'resource' },
    { name: 'delete', method: 'DELETE', path: '/api/v1/namespaces/ns/pods/p', verb: 'DELETE', scope: 'resource' },
    { name: 'delete collection', method: 'DELETE', path: '/api/v1/namespaces/ns/pods', verb: 'DELETE', scope: 'namespace' },
    { name: 'logs are CONNECT', method: 'GET', path: '/api/v1/namespaces/ns/pods/p/log', verb: 'CONNECT', scope: 'resource' },
    { name: 'unknown method', method: 'OPTIONS', path: '/api/v1/nodes', verb: 'other', scope: 'cluster' },
  ];
  for (const c of cases) {
    const info = requestInfo(c.method, c.path, new URLSearchParams(c.query ?? ''));
    assert.equal(cleanScope(info), c.scope, c.name);
    assert.equal(reportedVerb(c.method, info, c.contentType), c.verb, c.name);
  }
});

describe('GET /metrics without security', () => {
  let server: RunningApiServer;
  before(async () => {
    server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0 });
  });
  after(() => server?.close());

  test('a few requests show up in apiserver_request_total and the duration histogram with upstream labels', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
    const post = (name: string, q = ''): Promise<Response> => fetch(`${server.url}/api/v1/namespaces/default/pods${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...pod, metadata: { name } }) });
    assert.equal((await post('p1')).status, 201);
    assert.equal((await post('p2')).status, 201);
    assert.equal((await post('p1')).status, 409);
    assert.equal((await post('p3', '?dryRun=All')).status, 201);
    assert.equal((await fetch(`${server.url}/api/v1/namespaces/default/pods`)).status, 200);
    assert.equal((await fetch(`${server.url}/api/v1/namespaces/default/pods/p1`)).status, 200);

    const r = await fetch(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    assert.match(text, /# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component\.\n# TYPE apiserver_request_duration_seconds histogram/);
    assert.match(text, /# TYPE apiserver_request_total counter/);
    assert.match(text, /# TYPE apiserver_current_inflight_requests gauge/);
    const all = samples(text);
    const base = { dry_run: '', group: '', version: 'v1', resource: 'pods', subresource: '', component: 'apiserver' };
    const find = (name: string, labels: Record<string, string>): number | undefined => all.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length)?.value;
    const cases: Array<{ name: string; metric: string; labels: Record<string, string>; want: number }> = [
      { name: 'created', metric: 'apiserver_request_total', labels: { ...base, verb: 'POST', scope: 'resource', code: '201' }, want: 2 },
      { name: 'conflict', metric: 'apiserver_request_total', labels: { ...base, verb: 'POST', scope: 'resource', code: '409' }, want: 1 },
      { name: 'dry run', metric: 'apiserver_request_total', labels: { ...base, dry_run: 'All', verb: 'POST', scope: 'resource', code: '201' }, want: 1 },
      { name: 'list', metric: 'apiserver_request_total', labels: { ...base, verb: 'LIST', scope: 'namespace', code: '200' }, want: 1 },
      { name: 'get', metric: 'apiserver_request_total', labels: { ...base, verb: 'GET', scope: 'resource', code: '200' }, want: 1 },
      { name: 'POST histogram count', metric: 'apiserver_request_duration_seconds_count', labels: { ...base, verb: 'POST', scope: 'resource' }, want: 3 },
      { name: 'POST +Inf bucket', metric: 'apiserver_request_duration_seconds_bucket', labels: { ...base, verb: 'POST', scope: 'resource', le: '+Inf' }, want: 3 },
    ];
    for (const c of cases) assert.equal(find(c.metric, c.labels), c.want, c.name);
    // Every upstream bucket is there, cumulative, and the sum is plausible.
    const buckets = all.filter((s) => s.name === 'apiserver_request_duration_seconds_bucket' && s.labels['verb'] === 'POST' && s.labels['dry_run'] === '');
    assert.deepEqual(buckets.map((s) => s.labels['le']), [...REQUEST_DURATION_BUCKETS.map(String), '+Inf']);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i]!.value >= buckets[i - 1]!.value);
    const sum = find('apiserver_request_duration_seconds_sum', { ...base, verb: 'POST', scope: 'resource' })!;
    assert.ok(sum > 0 && sum < 10, `sum ${sum}`);
    // The scrape itself is a non-resource request: not counted, as upstream.
    assert.equal(all.filter((s) => s.name === 'apiserver_request_total' && s.labels['resource'] === '').length, 0);
  });

  test('paths of resources the apiserver does not serve add no series', async () => {
    const paths = ['/api/v1/namespaces/default/made-up-1', '/apis/made.up/v9/things', '/api/v1/namespaces/default/pods/p1/made-up-sub'];
    for (const p of paths) assert.equal((await fetch(`${server.url}${p}`)).status, 404, p);
    const all = samples(await (await fetch(`${server.url}/metrics`)).text());
    const leaked = all.filter((s) => s.labels['resource'] === 'made-up-1' || s.labels['group'] === 'made.up' || s.labels['subresource'] === 'made-up-sub');
    assert.deepEqual(leaked, []);
  });

  test('a watch is long-running while open and a WATCH observation once it ends', async () => {
    const ac = new AbortController();
    const w = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=1`, { signal: ac.signal });
    assert.equal(w.status, 200);
    const scrape = async (): Promise<ReturnType<typeof samples>> => samples(await (await fetch(`${server.url}/metrics`)).text());
    const open = await scrape();
    assert.equal(open.find((s) => s.name === 'apiserver_longrunning_requests' && s.labels['verb'] === 'WATCH' && s.labels['resource'] === 'configmaps')?.value, 1);
    ac.abort();
    await w.body?.cancel().catch(() => undefined);
    let watchCount: number | undefined;
    for (let i = 0; i < 100 && watchCount === undefined; i++) {
      watchCount = (await scrape()).find((s) => s.name === 'apiserver_request_duration_seconds_count' && s.labels['verb'] === 'WATCH' && s.labels['resource'] === 'configmaps')?.value;
      if (watchCount === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(watchCount, 1);
    const closed = await scrape();
    assert.equal(closed.find((s) => s.name === 'apiserver_longrunning_requests' && s.labels['verb'] === 'WATCH' && s.labels['resource'] === 'configmaps')?.value, 0);
  });
});

test('each ApiServerMetrics has its own registry', async () => {
  const a = new ApiServerMetrics();
  const b = new ApiServerMetrics();
  assert.notEqual(a.registry, b.registry);
  assert.match(await a.render(), /apiserver_current_inflight_requests\{request_kind="readOnly"\} 0/);
});

test('a request whose client left before begin() leaves nothing in flight', async () => {
  const m = new ApiServerMetrics();
  const closed = new Promise<{ req: IncomingMessage; res: ServerResponse }>((resolve) => {
    const server = createServer((req, res) => {
      req.socket.destroy();
      res.once('close', () => {
        server.close();
        resolve({ req, res });
      });
    });
    server.listen(0, '127.0.0.1', () => {
      request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/api/v1/namespaces/ns/pods' }).on('error', () => {}).end();
    });
  });
  const { req, res } = await closed;
  const url = new URL('/api/v1/namespaces/ns/pods', 'http://localhost');
  m.begin(req, res, requestInfo('GET', url.pathname, url.searchParams), url, performance.now());
  // The first scrape reports the most seen since the last one, the second what is in flight now.
  await m.render();
  assert.match(await m.render(), /apiserver_current_inflight_requests\{request_kind="readOnly"\} 0/);
});

describe('GET /metrics with security on', () => {
  let dir: string;
  let server: RunningApiServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-metrics-'));
    writeFileSync(join(dir, 'tokens.csv'), 'mon,prometheus,1,system:monitoring\nplain,plain,2\n');
    server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, security: { dataDir: dir, tls: false, tokenAuthFile: join(dir, 'tokens.csv') } });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('only system:monitoring members (and admins) may scrape', async () => {
    const get = async (token?: string): Promise<number> => (await fetch(`${server.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
    // The bootstrap RBAC policy is reconciled at start; its bindings reach the authorizer's cache shortly after.
    let mon = 0;
    for (let i = 0; i < 200 && (mon = await get('mon')) !== 200; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(mon, 200);
    assert.equal(await get('plain'), 403);
    // Anonymous requests are let in only for the health endpoints: 401 here.
    assert.equal(await get(), 401);
  });
});

test('a request is timed until its response is handed to the connection, not until a TLS write completes', async () => {
  // On TLS a response's 'finish' and 'close' wait for the write's completion callback, which
  // Node defers to the loop's check phase (its TLS layer simulates an asynchronous write even
  // when the bytes left at once): under load, after every other request the poll phase still
  // reads. Upstream observes when the handler returns.
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-metrics-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const m = new ApiServerMetrics();
    const busyMs = 300;
    let closedAfterMs = 0;
    const server = createHTTPSServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const start = performance.now();
      m.begin(req, res, requestInfo(req.method ?? 'GET', url.pathname, url.searchParams), url, start);
      res.once('close', () => (closedAfterMs = performance.now() - start));
      res.end('{}');
      // The rest of a busy poll phase: other requests handled after this one's response.
      queueMicrotask(() => {
        const until = performance.now() + busyMs;
        while (performance.now() < until);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port, method: 'PATCH', path: '/api/v1/namespaces/ns/pods/p/status', rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end('{}');
    });
    await new Promise<void>((r) => server.close(() => r()));
    const sum = samples(await m.render()).find((s) => s.name === 'apiserver_request_duration_seconds_sum' && s.labels['verb'] === 'PATCH');
    assert.ok(sum, 'the PATCH was recorded');
    assert.ok(closedAfterMs >= busyMs, `the response closed only after the busy turn (${closedAfterMs.toFixed(0)} ms): the case this test is about`);
    assert.ok(sum.value < busyMs / 2000, `recorded ${(sum.value * 1000).toFixed(0)} ms, at most ${busyMs / 2} ms expected`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
