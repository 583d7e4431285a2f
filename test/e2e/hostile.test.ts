/**
 * Hostile input against a running apiserver: malformed and oversized bodies, deep nesting,
 * path tricks in names and URLs, header floods and slow-loris connections. Every case must get
 * a clear 4xx with upstream's message, the server must keep answering, and nothing stored may
 * change (the full storage listing is compared before and after).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';

interface Res {
  status: number;
  text: string;
}

describe('hostile input', () => {
  let srv: TestApiServer;
  let port: number;
  let snapshot: string;

  /** call sends one request with an exact body (Buffer or string) and reads the whole answer. */
  function call(method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<Res> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent: false, method, path, headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      // The server may answer (413) and close before a huge body is fully sent.
      req.on('error', reject);
      req.end(body);
    });
  }

  /** raw writes bytes on a fresh socket and resolves with everything read until the server closes it. */
  function raw(bytes: string | Buffer, opts: { keepOpenMs?: number } = {}): Promise<{ text: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const t0 = Date.now();
      const sock = connect(port, '127.0.0.1');
      const chunks: Buffer[] = [];
      sock.on('data', (c: Buffer) => chunks.push(c));
      sock.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
      sock.on('close', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - t0 }));
      sock.write(bytes);
      if (!opts.keepOpenMs) return;
      setTimeout(() => sock.destroy(), opts.keepOpenMs).unref();
    });
  }

  async function storedState(): Promise<string> {
    const { kvs } = await srv.server.storage.list('/registry/');
    return kvs.map((kv) => `${kv.key}@${kv.modRevision}`).join('\n');
  }

  before(async () => {
    srv = await startTestApiServer({ connectionLimits: { headersTimeoutMs: 400, requestTimeoutMs: 1500 } });
    port = Number(new URL(srv.url).port);
    const seed = await call('POST', '/api/v1/namespaces/default/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'top-secret' }, stringData: { password: 'hunter2' } }));
    assert.equal(seed.status, 201, seed.text);
    snapshot = await storedState();
  });
  after(async () => {
    await srv?.stop();
  });

  const pod = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const cm = (name: string, data: unknown): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
  const deep = (n: number): string => '['.repeat(n) + ']'.repeat(n);

  interface Case {
    name: string;
    method: string;
    path: string;
    body?: Buffer | string;
    headers?: Record<string, string>;
    status: number;
    message: RegExp;
  }
  const cases: Case[] = [
    { name: 'malformed JSON', method: 'POST', path: '/api/v1/namespaces/default/pods', body: '{"apiVersion":"v1","kind":"Pod",', status: 400, message: /json parse error/ },
    { name: 'malformed YAML', method: 'POST', path: '/api/v1/namespaces/default/pods', body: 'apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n', headers: { 'Content-Type': 'application/yaml' }, status: 400, message: /error converting YAML to JSON/ },
    { name: 'JSON that is not an object', method: 'POST', path: '/api/v1/namespaces/default/pods', body: '[1,2,3]', status: 400, message: /Object 'Kind' is missing/ },
    {
      name: 'invalid UTF-8 outside strings',
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: Buffer.concat([Buffer.from('{"apiVersion":"v1",'), Buffer.from([0xff, 0xfe]), Buffer.from('}')]),
      status: 400,
      message: /json parse error/,
    },
    {
      // Go's decoder turns invalid UTF-8 into U+FFFD, which name validation then refuses.
      name: 'invalid UTF-8 in a name',
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: Buffer.concat([Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]),
      status: 422,
      message: /metadata.name: Invalid value/,
    },
    { name: 'body over 3 MiB', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: cm('huge', { x: 'a'.repeat(4 * 1024 * 1024) }), status: 413, message: /^Request entity too large: limit is 3145728$/ },
    { name: 'object over etcd\'s 1.5 MiB', method: 'POST', path: '/api/v1/namespaces/default/pods', body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'big' }, spec: { containers: [{ name: 'c', image: 'busybox', command: ['a'.repeat(2 * 1024 * 1024)] }] } }), status: 413, message: /^Request entity too large: etcdserver: request is too large$/ },
    { name: 'JSON nested 20000 deep', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":${deep(20000)}}`, status: 400, message: /exceeded max depth/ },
    { name: 'YAML nested 20000 deep', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nx: ${deep(20000)}\n`, headers: { 'Content-Type': 'application/yaml' }, status: 400, message: /exceeded max depth/ },
    {
      name: 'YAML alias bomb',
      method: 'POST',
      path: '/api/v1/namespaces/default/configmaps',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\na: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n',
      headers: { 'Content-Type': 'application/yaml' },
      status: 400,
      message: /error converting YAML to JSON/,
    },
    { name: 'pod named ..', method: 'POST', path: '/api/v1/namespaces/default/pods', body: pod('..'), status: 422, message: /metadata.name: Invalid value: "\.\."/ },
    { name: 'clusterrole named ..', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', body: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: '..' } }), status: 422, message: /may not be '\.\.'/ },
    { name: 'clusterrole named .', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', body: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: '.' } }), status: 422, message: /may not be '\.'/ },
    { name: 'clusterrole name with /', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', body: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a/../b' } }), status: 422, message: /may not contain '\/'/ },
    { name: 'clusterrole name with %', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/clusterroles', body: JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'a%2fb' } }), status: 422, message: /may not contain '%'/ },
    { name: 'encoded traversal in a URL name', method: 'GET', path: '/api/v1/namespaces/default/pods/..%2f..%2fsecrets', status: 404, message: /not found|could not find/ },
    { name: 'raw traversal in a URL', method: 'GET', path: '/api/v1/namespaces/default/pods/../../secrets/top-secret', status: 404, message: /not found|could not find/ },
    { name: 'NUL in a URL name', method: 'GET', path: '/api/v1/namespaces/default/secrets/top-secret%00', status: 404, message: /not found/ },
    { name: 'PUT to a traversal name', method: 'PUT', path: '/api/v1/namespaces/default/secrets/..%2ftop-secret', body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: '../top-secret' } }), status: 404, message: /secrets "\.\.\/top-secret" not found/ },
    { name: 'overlong URL', method: 'GET', path: `/api/v1/namespaces/default/pods/${'a'.repeat(20_000)}`, status: 431, message: /^$/ },
    { name: 'one huge header', method: 'GET', path: '/api/v1/namespaces/default/pods', headers: { 'X-Flood': 'a'.repeat(20_000) }, status: 431, message: /^$/ },
  ];

  for (const c of cases) {
    test(c.name, async () => {
      const res = await call(c.method, c.path, c.body, c.headers);
      assert.equal(res.status, c.status, res.text.slice(0, 300));
      if (c.status !== 431) {
        const status = JSON.parse(res.text) as { kind: string; message: string; code: number };
        assert.equal(status.kind, 'Status');
        assert.equal(status.code, c.status);
        assert.match(status.message, c.message);
      }
      assert.doesNotMatch(res.text, /hunter2|aHVudGVyMg/, 'the secret never leaks');
      assert.equal((await call('GET', '/api/v1/namespaces/default/secrets/top-secret')).status, 200, 'the server still answers');
    });
  }

  test('a flood of 5000 small headers answers 431', async () => {
    const headers = Array.from({ length: 5000 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const { text } = await raw(`GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
    assert.match(text, /^HTTP\/1\.1 431 /);
  });

  test('slow-loris: a client that never finishes its headers is cut off', async () => {
    const { text, ms } = await raw('GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ', { keepOpenMs: 10_000 });
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.ok(ms < 5000, `closed after ${ms} ms`);
  });

  test('slow body: a request whose body never arrives is cut off', async () => {
    const { text, ms } = await raw('POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"apiVersion"', { keepOpenMs: 10_000 });
    assert.ok(ms < 6000, `closed after ${ms} ms`);
    assert.match(text, /^(HTTP\/1\.1 408 |$)/);
  });

  test('in-flight cap (APF off): a mutating request over --max-mutating-requests-inflight gets 429 with Retry-After', async () => {
    // APF (the default) queues such a request instead; this is the max-in-flight filter of --enable-priority-and-fairness=false.
    const capped = await startTestApiServer({ maxMutatingRequestsInflight: 1, maxRequestsInflight: 1, enablePriorityAndFairness: false });
    try {
      const u = new URL(capped.url);
      // The first POST holds its slot by never finishing its body.
      const holder = connect(Number(u.port), '127.0.0.1');
      holder.write('POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${capped.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }) });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '1');
      assert.equal(((await res.json()) as { message: string }).message, 'Too many requests, please try again later.');
      // Reads have their own budget, and watches are not counted at all.
      assert.equal((await fetch(`${capped.url}/api/v1/namespaces`)).status, 200);
      holder.destroy();
    } finally {
      await capped.stop();
    }
  });

  test('the server still serves and nothing stored changed', async () => {
    const res = await call('GET', '/api/v1/namespaces/default/secrets/top-secret');
    assert.equal(res.status, 200);
    assert.equal(await storedState(), snapshot);
  });
});
