/**
 * PortTransport ↔ servePort over a MessageChannel (the same port pair a worker thread gets):
 * requests, bodies, status codes, keep-alive reuse, streamed responses and closing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { MessageChannel } from 'node:worker_threads';
import { RestClient } from './client.js';
import { PortTransport, servePort } from './porttransport.js';

function readAll(body: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    body.on('data', (c: Buffer) => (s += c.toString()));
    body.on('end', () => resolve(s));
    body.on('error', reject);
  });
}

test('PortTransport carries requests, bodies, errors and streams to a server on the other port', async () => {
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'application/json' });
      let i = 0;
      const t = setInterval(() => {
        res.write(`{"n":${i}}\n`);
        if (++i === 3) {
          clearInterval(t);
          res.end();
        }
      }, 5);
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'nope' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body, auth: req.headers['authorization'] }));
    });
  });
  server.on('connection', () => connections++);
  const { port1, port2 } = new MessageChannel();
  const stop = servePort(port2, server);
  const transport = new PortTransport(port1);
  const client = new RestClient({ host: 'http://in-process', transport, bearerToken: 't0k', qps: Infinity });
  try {
    const cases: Array<{ name: string; method: 'GET' | 'POST'; path: string; body?: unknown; want: unknown }> = [
      { name: 'GET', method: 'GET', path: '/a', want: { method: 'GET', url: '/a', body: '', auth: 'Bearer t0k' } },
      { name: 'POST with a body', method: 'POST', path: '/b', body: { x: 1 }, want: { method: 'POST', url: '/b', body: '{"x":1}', auth: 'Bearer t0k' } },
    ];
    for (const c of cases) assert.deepEqual(await client.requestJSON({ method: c.method, path: c.path, body: c.body }), c.want, c.name);
    await assert.rejects(client.requestJSON({ method: 'GET', path: '/missing' }), /nope/);
    // Sequential requests reuse the one keep-alive connection.
    assert.equal(connections, 1);
    // Concurrent requests open more connections, each carried correctly.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => client.requestJSON<{ url: string }>({ method: 'GET', path: `/p${i}` })));
    assert.deepEqual(many.map((r) => r.url), Array.from({ length: 20 }, (_, i) => `/p${i}`));
    // Concurrent bodies of different sizes share batches (one frame per connection): none is cut or mixed.
    const bodies = Array.from({ length: 12 }, (_, i) => String.fromCharCode(97 + i).repeat(i * 7919 + 1));
    const echoes = await Promise.all(bodies.map((b, i) => client.requestJSON<{ body: string }>({ method: 'POST', path: `/c${i}`, body: b, contentType: 'text/plain' })));
    assert.deepEqual(echoes.map((e) => e.body), bodies);
    // A large body crosses in many chunks, merged and transferred per turn: byte for byte.
    const big = 'x'.repeat(300_000) + 'é';
    const echoed = await client.requestJSON<{ body: string }>({ method: 'POST', path: '/big', body: big, contentType: 'text/plain' });
    assert.equal(echoed.body, big);
    const res = await transport.request({ method: 'GET', path: '/stream', headers: {} });
    assert.equal(await readAll(res.body), '{"n":0}\n{"n":1}\n{"n":2}\n');
  } finally {
    transport.close();
    stop();
    port1.close();
    port2.close();
  }
});
