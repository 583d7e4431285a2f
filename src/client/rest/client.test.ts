import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isStatusError } from '../../api/errors.js';
import { FakeClock } from '../util/clock.js';
import { RestClient, encodeQuery, parseWarnings } from './client.js';
import { InProcessTransport, type Transport } from './transport.js';
import { resourcePath } from './resource.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A scripted HTTP server: each path answers per its handler; every request is recorded. */
function scriptedServer(): { server: http.Server; seen: Seen[]; counts: Map<string, number> } {
  const seen: Seen[] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0] as string;
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const json = (code: number, v: unknown, h: Record<string, string> = {}): void => {
        res.writeHead(code, { 'content-type': 'application/json', ...h });
        res.end(JSON.stringify(v));
      };
      switch (path) {
        case '/api/v1/namespaces/default/pods/flaky':
          if (n <= 2) json(429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'slow down' }, { 'retry-after': '0' });
          else json(200, { kind: 'Pod', metadata: { name: 'flaky' } });
          return;
        case '/api/v1/namespaces/default/pods/missing':
          json(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "missing" not found', details: { name: 'missing', kind: 'pods' } });
          return;
        case '/api/v1/namespaces/default/pods/broken':
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('kaboom');
          return;
        case '/api/v1/namespaces/default/pods/unavailable':
          json(503, { kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503, message: 'try later' }, { 'retry-after': '0' });
          return;
        case '/api/v1/namespaces/taken/pods':
          json(409, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'AlreadyExists', code: 409, message: 'pods "y" already exists', details: { name: 'y', kind: 'pods' } });
          return;
        case '/nothing':
          res.writeHead(404);
          res.end('404 page not found');
          return;
        case '/api/v1/pods':
          if (req.url?.includes('watch=true')) {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write(JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '1' } } }) + '\n');
            res.write(JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } }).slice(0, 10));
            setTimeout(() => {
              res.write(JSON.stringify({ type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '2' } } }).slice(10) + '\n');
              res.write(JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '5' } } }) + '\n');
              if (req.url?.includes('timeoutSeconds=1')) res.end();
            }, 5);
            return;
          }
          json(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '7' }, items: [] });
          return;
        default:
          json(201, { echo: { method: req.method, url: req.url, body: body ? JSON.parse(body) : null } });
      }
    });
  });
  return { server, seen, counts };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

for (const mode of ['http', 'in-process'] as const) {
  test(`RestClient over ${mode}: verbs, auth, errors, retries and watch`, async () => {
    const { server, seen, counts } = scriptedServer();
    let host = 'http://in-process';
    let transport: Transport | undefined;
    if (mode === 'http') host = await listen(server);
    else transport = new InProcessTransport(server);
    const c = new RestClient({ host, bearerToken: 'tkn', qps: Infinity, userAgent: 'test/1', transport });
    try {
      const pods = c.resource<{ metadata?: { name?: string; resourceVersion?: string } }>({ group: '', version: 'v1', resource: 'pods' });

      const created = await pods.namespace('default').create({ metadata: { name: 'x' } }, { fieldManager: 'me', dryRun: 'All' });
      assert.deepEqual(created, { echo: { method: 'POST', url: '/api/v1/namespaces/default/pods?dryRun=All&fieldManager=me', body: { metadata: { name: 'x' } } } });
      const last = seen[seen.length - 1] as Seen;
      assert.equal(last.headers.authorization, 'Bearer tkn');
      assert.equal(last.headers['user-agent'], 'test/1');
      assert.equal(last.headers['content-type'], 'application/json');

      assert.equal(await pods.namespace('default').createDiscard({ metadata: { name: 'y' } }, { fieldManager: 'me' }), undefined, 'createDiscard resolves without the object');
      assert.deepEqual({ method: seen.at(-1)?.method, url: seen.at(-1)?.url, body: JSON.parse(seen.at(-1)?.body ?? '') }, { method: 'POST', url: '/api/v1/namespaces/default/pods?fieldManager=me', body: { metadata: { name: 'y' } } });
      await assert.rejects(pods.namespace('default').createDiscard({ metadata: { name: 'z' } }, { signal: AbortSignal.abort() }), { name: 'AbortError' });
      const createErr = await pods.namespace('taken').create({ metadata: { name: 'y' } }).then(() => undefined, (err: unknown) => err);
      const discardErr = await pods.namespace('taken').createDiscard({ metadata: { name: 'y' } }).then(() => undefined, (err: unknown) => err);
      assert.ok(isStatusError(createErr, 'AlreadyExists'));
      assert.ok(isStatusError(discardErr, 'AlreadyExists'), 'createDiscard rejects as create does');
      assert.deepEqual({ code: discardErr.code, message: discardErr.message, status: discardErr.status }, { code: createErr.code, message: createErr.message, status: createErr.status });

      await pods.namespace('default').patch('x', 'merge', { metadata: { labels: { a: 'b' } } }, { subresource: 'status' });
      assert.equal((seen[seen.length - 1] as Seen).headers['content-type'], 'application/merge-patch+json');
      assert.equal((seen[seen.length - 1] as Seen).url, '/api/v1/namespaces/default/pods/x/status');

      await pods.namespace('default').delete('x', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });
      assert.deepEqual(JSON.parse((seen[seen.length - 1] as Seen).body), { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', gracePeriodSeconds: 0 });

      assert.equal((await pods.namespace('default').get('flaky')).metadata?.name, 'flaky', '429 with Retry-After is retried');
      assert.equal(counts.get('/api/v1/namespaces/default/pods/flaky'), 3);

      await assert.rejects(pods.namespace('default').get('missing'), (err) => {
        assert.ok(isStatusError(err, 'NotFound'));
        assert.equal(err.message, 'pods "missing" not found');
        assert.equal(err.status.details?.name, 'missing');
        return true;
      });
      await assert.rejects(pods.namespace('default').get('broken'), (err) => {
        assert.ok(isStatusError(err, 'InternalError'));
        assert.equal(err.code, 500);
        assert.match(err.message, /an error on the server \("kaboom"\) has prevented the request from succeeding/);
        return true;
      });
      assert.equal(counts.get('/api/v1/namespaces/default/pods/broken'), 1, 'a 5xx without Retry-After is not retried');

      const c2 = new RestClient({ host, qps: Infinity, maxRetries: 2, transport });
      await assert.rejects(c2.requestJSON({ method: 'GET', path: '/api/v1/namespaces/default/pods/unavailable' }), (err) => isStatusError(err, 'ServiceUnavailable'));
      assert.equal(counts.get('/api/v1/namespaces/default/pods/unavailable'), 3, 'maxRetries bounds the retries');

      await assert.rejects(c.requestJSON({ method: 'GET', path: '/nothing' }), (err) => {
        assert.ok(isStatusError(err, 'NotFound'));
        assert.equal(err.message, 'the server could not find the requested resource');
        return true;
      });

      const events: string[] = [];
      for await (const ev of pods.watch({ timeoutSeconds: 1, allowWatchBookmarks: true })) events.push(`${ev.type}:${ev.object.metadata?.resourceVersion}`);
      assert.deepEqual(events, ['ADDED:1', 'MODIFIED:2', 'BOOKMARK:5'], 'events split across chunks are reassembled');
      assert.match((seen[seen.length - 1] as Seen).url, /allowWatchBookmarks=true/);

      const ctl = new AbortController();
      const got: string[] = [];
      for await (const ev of pods.watch({ signal: ctl.signal })) {
        got.push(ev.type);
        if (got.length === 2) ctl.abort();
      }
      assert.deepEqual(got, ['ADDED', 'MODIFIED'], 'abort ends the iteration quietly');
    } finally {
      c.close();
      server.close();
      server.closeAllConnections();
    }
  });
}

test('RestClient: QPS/burst limit spaces requests on the injected clock', async () => {
  const { server, seen } = scriptedServer();
  const clock = new FakeClock();
  const c = new RestClient({ host: 'http://in-process', qps: 2, burst: 1, transport: new InProcessTransport(server) }, { clock });
  try {
    const p = Promise.all([1, 2, 3].map((i) => c.requestJSON({ method: 'GET', path: `/r${i}` })));
    await clock.step(0);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(seen.length, 1, 'burst 1: only the first request is sent at once');
    await clock.step(500);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(seen.length, 2);
    await clock.step(500);
    await p;
    assert.equal(seen.length, 3);
  } finally {
    c.close();
  }
});

test('encodeQuery and resourcePath', () => {
  assert.equal(encodeQuery({ a: 'x y', b: undefined, c: '', d: 5, e: true, f: ['1', '2'] }), '?a=x+y&d=5&e=true&f=1&f=2');
  assert.equal(encodeQuery({}), '');
  // every character escapes exactly as URLSearchParams would (form encoding), lone surrogates included
  let all = '';
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  const forms: Array<Record<string, string>> = [
    { labelSelector: 'a=b,c in (x, y),!d', fieldSelector: 'spec.nodeName=n-1' },
    { all, 'k e y': "!'()*~-._ é日本 %+&=?/#" },
    { pair: '\u{1F600}a', lone: 'a\uD800b', trail: '\uDC00' },
  ];
  for (const q of forms) assert.equal(encodeQuery(q), `?${new URLSearchParams(Object.entries(q)).toString()}`);
  const cases = [
    { name: 'core list all namespaces', args: [{ group: '', version: 'v1', resource: 'pods' }] as const, want: '/api/v1/pods' },
    { name: 'group namespaced sub', args: [{ group: 'apps', version: 'v1', resource: 'deployments' }, 'ns', 'd', 'scale'] as const, want: '/apis/apps/v1/namespaces/ns/deployments/d/scale' },
    { name: 'cluster-scoped', args: [{ group: '', version: 'v1', resource: 'nodes' }, undefined, 'n1'] as const, want: '/api/v1/nodes/n1' },
  ];
  for (const c of cases) assert.equal(resourcePath(...(c.args as unknown as Parameters<typeof resourcePath>)), c.want, c.name);
});

test('parseWarnings: 299 warnings, comma-joined and escaped', () => {
  const cases = [
    { name: 'one', h: '299 - "v1 ComponentStatus is deprecated in v1.19+"', want: ['v1 ComponentStatus is deprecated in v1.19+'] },
    { name: 'joined with escapes', h: '299 - "unknown field \\"spec.foo\\"", 299 - "second"', want: ['unknown field "spec.foo"', 'second'] },
    { name: 'other codes ignored', h: '199 - "misc"', want: [] },
    { name: 'absent', h: undefined, want: [] },
  ];
  for (const c of cases) assert.deepEqual(parseWarnings(c.h), c.want, c.name);
});
