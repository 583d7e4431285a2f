/**
 * Watch responses on a kept-alive connection, through a real in-process apiserver: chunks are
 * written to the socket directly (watch.ts), so the connection must come out of a watch exactly
 * as the HTTP layer left it, ready for the client's next request (client-go reuses it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { startTestApiServer, type TestApiServer } from './testing.js';

let srv: TestApiServer;
before(async () => {
  srv = await startTestApiServer();
});
after(async () => {
  await srv.stop();
});

function send(agent: Agent, method: string, path: string, body?: object): Promise<{ res: IncomingMessage; text: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const url = new URL(srv.url + path);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, agent, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ res, text, socket: req.socket as Socket }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test('a watch that ends by timeoutSeconds leaves its kept-alive connection ready for the next request', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const cm = (name: string): object => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
    const first = await send(agent, 'POST', '/api/v1/namespaces/default/configmaps', cm('ka-0'));
    assert.equal(first.res.statusCode, 201);
    const rv = (JSON.parse(first.text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    // Events written while the watch is open go out as chunks on the connection itself.
    const watching = send(agent, 'GET', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`);
    await new Promise((r) => setTimeout(r, 100));
    const writer = new Agent({ keepAlive: false });
    for (let i = 1; i <= 3; i++) assert.equal((await send(writer, 'POST', '/api/v1/namespaces/default/configmaps', cm(`ka-${i}`))).res.statusCode, 201);
    writer.destroy();
    const w = await watching;
    assert.equal(w.res.statusCode, 200);
    assert.equal(w.res.headers['transfer-encoding'], 'chunked');
    const events = w.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED ka-1', 'ADDED ka-2', 'ADDED ka-3']);
    // The same socket serves the next request, and its answer is whole.
    const next = await send(agent, 'GET', '/api/v1/namespaces/default/configmaps/ka-2');
    assert.equal(next.socket, w.socket, 'the connection was reused');
    assert.equal(next.res.statusCode, 200);
    assert.equal((JSON.parse(next.text) as { metadata: { name: string } }).metadata.name, 'ka-2');
  } finally {
    agent.destroy();
  }
});
