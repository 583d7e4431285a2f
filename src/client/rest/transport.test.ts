/**
 * HttpTransport's connection pools: ordinary requests share a capped keep-alive pool, watches
 * and followed logs get their own, so a burst reuses warm connections and watches never starve
 * the requests queued behind them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransport, isLongRunning } from './transport.js';

test('isLongRunning', () => {
  const cases: Array<[string, string, boolean]> = [
    ['plain get', '/api/v1/namespaces/default/pods/p', false],
    ['list', '/api/v1/pods?limit=500', false],
    ['watch=true', '/api/v1/pods?watch=true&resourceVersion=5', true],
    ['watch=1 after other params', '/api/v1/pods?labelSelector=a%3Db&watch=1', true],
    ['watch=false', '/api/v1/pods?watch=false', false],
    ['legacy watch path', '/api/v1/watch/namespaces/default/pods', true],
    ['follow logs', '/api/v1/namespaces/default/pods/p/log?follow=true', true],
    ['logs without follow', '/api/v1/namespaces/default/pods/p/log?tailLines=10', false],
    ['watch only in a value', '/api/v1/pods?labelSelector=watch%3Dtrue', false],
  ];
  for (const [name, path, want] of cases) assert.equal(isLongRunning(path), want, name);
});

test('a burst of requests reuses at most maxSockets connections while watches keep their own', async () => {
  let connections = 0;
  let held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').includes('watch=true')) {
      // A watch: headers now, body never (until the test ends it).
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
      held.push(res);
      return;
    }
    setTimeout(() => res.end('{}'), 2);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = new HttpTransport(url, {}, { maxSockets: 4 });
  try {
    // Six watches: more than the ordinary pool's cap, and none of them may block the burst.
    const watches = await Promise.all(Array.from({ length: 6 }, () => t.request({ method: 'GET', path: '/api/v1/pods?watch=true', headers: {} })));
    assert.equal(connections, 6);
    const burst = async (): Promise<void> => {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const res = await t.request({ method: 'GET', path: '/api/v1/pods', headers: {} });
          res.body.resume();
          await new Promise((r) => res.body.once('end', r));
        }),
      );
    };
    await burst();
    assert.equal(connections, 6 + 4, 'the burst used the capped pool only');
    await burst();
    assert.equal(connections, 6 + 4, 'a second burst reused the idle connections');
    for (const w of watches) w.body.destroy();
  } finally {
    for (const r of held) r.destroy();
    held = [];
    t.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('HttpTransport: base path and Host header as node sent them, refused connections and server-closed idle ones', async () => {
  const seen: Array<{ url: string | undefined; host: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, host: req.headers.host });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t = new HttpTransport(`http://127.0.0.1:${port}/base/`);
  try {
    const res = await t.request({ method: 'GET', path: '/api?x=1', headers: {} });
    res.body.resume();
    assert.deepEqual(seen.pop(), { url: '/base/api?x=1', host: `127.0.0.1:${port}` });
    // The server drops its idle keep-alive connection: the next request opens a fresh one.
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 20));
    const again = await t.request({ method: 'GET', path: '/again', headers: {} });
    assert.equal(again.status, 200);
    again.body.resume();
  } finally {
    t.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  const refused = new HttpTransport(`http://127.0.0.1:${port}`);
  await assert.rejects(refused.request({ method: 'GET', path: '/', headers: {} }), { code: 'ECONNREFUSED' });
  refused.close();
});

test('RestConfig.maxConnections sizes the pool of the transport a RestClient makes', async () => {
  const { RestClient } = await import('./client.js');
  let connections = 0;
  const server = http.createServer((_req, res) => setTimeout(() => res.end('{}'), 2));
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const [name, maxConnections, want] of [
      ['three', 3, 3],
      ['default', undefined, 40],
    ] as const) {
      connections = 0;
      const c = new RestClient({ host, qps: Infinity, ...(maxConnections ? { maxConnections } : {}) });
      await Promise.all(Array.from({ length: 40 }, () => c.requestText({ method: 'GET', path: '/api/v1/pods' })));
      c.close();
      assert.equal(connections, want, name);
    }
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
