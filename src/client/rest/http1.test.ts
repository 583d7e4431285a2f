/**
 * Http1Client against scripted response bytes: framing (Content-Length, chunked with
 * extensions and trailers, close-delimited, interim 1xx, HEAD), bytes split at every offset,
 * header folding as node's IncomingMessage, keep-alive reuse and `Connection: close`, and the
 * error shapes of dropped connections and aborts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { Http1Client, type ConnSink, type Http1ClientOptions } from './http1.js';

interface Script {
  /** the response bytes, or a function writing them (and closing) through the sink. */
  reply: string | ((sink: ConnSink) => void);
  /** split delivers the reply in pieces of this many bytes. */
  split?: number;
  /** close closes the connection after the reply. */
  close?: boolean;
}

/** scripted returns a client whose every request is answered from `scripts` in order, and its connection log. */
function scripted(scripts: Script[], opts: Http1ClientOptions = {}): { client: Http1Client; requests: string[]; opened: () => number; destroyed: () => number } {
  const requests: string[] = [];
  let opened = 0;
  let destroyed = 0;
  const client = new Http1Client((sink) => {
    opened++;
    let gone = false;
    return {
      write(chunk) {
        const text = Buffer.from(chunk).toString('latin1');
        if (!text.startsWith('GET ') && !text.startsWith('HEAD ') && !text.startsWith('POST ')) {
          requests[requests.length - 1] += text;
          return;
        }
        requests.push(text);
        const s = scripts.shift();
        if (!s) throw new Error('no script left');
        queueMicrotask(() => {
          if (typeof s.reply === 'function') return s.reply(sink);
          const bytes = Buffer.from(s.reply, 'latin1');
          const step = s.split ?? bytes.length;
          for (let i = 0; i < bytes.length && !gone; i += step) sink.data(bytes.subarray(i, i + step));
          if (s.close && !gone) sink.closed();
        });
      },
      destroy() {
        gone = true;
        destroyed++;
      },
    };
  }, 'test-host', opts);
  return { client, requests, opened: () => opened, destroyed: () => destroyed };
}

async function text(body: Readable): Promise<string> {
  let s = '';
  for await (const c of body) s += (c as Buffer).toString('latin1');
  return s;
}

const CHUNKED = 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: t\r\n\r\n';

test('Http1Client parses every framing, whatever the split of the bytes', async () => {
  const cases: Array<{ name: string; reply: string; method?: string; status: number; body: string }> = [
    { name: 'content-length', reply: 'HTTP/1.1 201 Created\r\ncontent-length: 5\r\n\r\nabcde', status: 201, body: 'abcde' },
    { name: 'chunked with extensions and trailers', reply: CHUNKED, status: 200, body: 'hello, world' },
    { name: 'empty content-length', reply: 'HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n', status: 200, body: '' },
    { name: '204 has no body', reply: 'HTTP/1.1 204 No Content\r\n\r\n', status: 204, body: '' },
    { name: 'interim 100 is skipped', reply: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', status: 200, body: 'ok' },
    { name: 'HEAD has no body despite its length', method: 'HEAD', reply: 'HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n', status: 200, body: '' },
  ];
  for (const c of cases) {
    for (const split of [1, 2, 3, 7, 1000]) {
      const { client, opened } = scripted([{ reply: c.reply, split }, { reply: 'HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nnext', split }]);
      const res = await client.request({ method: c.method ?? 'GET', path: '/x', headers: {} });
      assert.equal(res.status, c.status, `${c.name} / split ${split}`);
      assert.equal(await text(res.body), c.body, `${c.name} / split ${split}`);
      // the connection is reused for the next request once the response is complete
      const again = await client.request({ method: 'GET', path: '/y', headers: {} });
      assert.equal(await text(again.body), 'next', `${c.name} / split ${split}: reuse`);
      assert.equal(opened(), 1, `${c.name} / split ${split}: one connection`);
    }
  }
});

test('Http1Client: the request bytes, headers as node folds them, close-delimited bodies and Connection: close', async () => {
  const { client, requests, opened } = scripted([
    { reply: 'HTTP/1.1 200 OK\r\nWarning: 299 - "a"\r\nwarning: 299 - "b"\r\nSet-Cookie: x=1\r\nset-cookie: y=2\r\nContent-Type: a/b\r\ncontent-type: c/d\r\nConnection: close\r\n\r\nuntil the end', close: true },
    { reply: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok' },
  ]);
  const res = await client.request({ method: 'POST', path: '/p?q=1', headers: { authorization: 'Bearer t', 'content-type': 'text/plain' }, body: 'héllo' });
  assert.equal(res.headers['warning'], '299 - "a", 299 - "b"');
  assert.deepEqual(res.headers['set-cookie'], ['x=1', 'y=2']);
  assert.equal(res.headers['content-type'], 'a/b');
  assert.equal(await text(res.body), 'until the end');
  assert.equal(requests[0], 'POST /p?q=1 HTTP/1.1\r\nhost: test-host\r\nconnection: keep-alive\r\nauthorization: Bearer t\r\ncontent-type: text/plain\r\ncontent-length: 6\r\n\r\n' + Buffer.from('héllo').toString('latin1'));
  const next = await client.request({ method: 'GET', path: '/q', headers: {} });
  assert.equal(await text(next.body), 'ok');
  assert.equal(opened(), 2, 'Connection: close is not reused');
  await assert.rejects(client.request({ method: 'GET', path: '/r', headers: { bad: 'a\r\nb' } }), { code: 'ERR_INVALID_CHAR' });
  await assert.rejects(client.request({ method: 'GET', path: '/a b', headers: {} }), { code: 'ERR_UNESCAPED_CHARACTERS' });
});

test('Http1Client: dropped connections and aborts fail as node http does', async () => {
  const cases: Array<{ name: string; script: Script; abortAfter?: 'send' | 'head'; destroyBody?: boolean; rejects?: RegExp; bodyError?: RegExp }> = [
    { name: 'closed before the response', script: { reply: 'HTTP/1.1 200', close: true }, rejects: /socket hang up/ },
    { name: 'closed mid-body', script: { reply: 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc', close: true }, bodyError: /aborted/ },
    { name: 'closed mid-chunk', script: { reply: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab', close: true }, bodyError: /aborted/ },
    { name: 'not HTTP', script: { reply: 'HTTX/1.1 200 OK\r\n\r\n' }, rejects: /Expected HTTP\// },
    { name: 'malformed status line', script: { reply: 'HTTP/1.1 2000 OK\r\n\r\n' }, rejects: /Invalid response status/ },
    { name: 'bad chunk size', script: { reply: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n' }, bodyError: /chunk size/ },
    { name: 'abort before the response', script: { reply: () => {} }, abortAfter: 'send', rejects: /aborted/ },
    { name: 'abort mid-body', script: { reply: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n' }, abortAfter: 'head', bodyError: /aborted/ },
    { name: 'consumer destroys the body mid-response', script: { reply: 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n' }, destroyBody: true },
  ];
  for (const c of cases) {
    const { client, opened, destroyed } = scripted([c.script, { reply: 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok' }]);
    const ctl = new AbortController();
    const pending = client.request({ method: 'GET', path: '/w', headers: {}, signal: ctl.signal });
    if (c.abortAfter === 'send') ctl.abort();
    if (c.rejects) {
      await assert.rejects(pending, c.rejects, c.name);
      if (c.abortAfter === 'send') await assert.rejects(pending, { name: 'AbortError' }, c.name);
    } else {
      const res = await pending;
      if (c.abortAfter === 'head') ctl.abort();
      if (c.destroyBody) {
        res.body.destroy();
        await new Promise((r) => setImmediate(r));
      } else await assert.rejects(text(res.body), c.bodyError!, c.name);
    }
    assert.equal(destroyed(), 1, `${c.name}: the connection is dropped`);
    // the next request gets a fresh connection and works
    const next = await client.request({ method: 'GET', path: '/n', headers: {} });
    assert.equal(await text(next.body), 'ok', c.name);
    assert.equal(opened(), 2, c.name);
  }
});

test('Http1Client: maxConns queues requests for freed connections; keep-alive hints retire idle ones', async () => {
  const ok = (n: string): Script => ({ reply: `HTTP/1.1 200 OK\r\ncontent-length: ${n.length}\r\n\r\n${n}` });
  // Two connections at most: the third and fourth requests wait; the third is aborted while waiting.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const slow: Script = { reply: (sink) => void held.then(() => sink.data(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nslow'))) };
  const { client, opened } = scripted([slow, slow, ok('four')], { maxConns: 2 });
  const first = client.request({ method: 'GET', path: '/1', headers: {} });
  const second = client.request({ method: 'GET', path: '/2', headers: {} });
  const ctl = new AbortController();
  const third = client.request({ method: 'GET', path: '/3', headers: {}, signal: ctl.signal });
  const fourth = client.request({ method: 'GET', path: '/4', headers: {} });
  ctl.abort();
  await assert.rejects(third, { name: 'AbortError' });
  release();
  assert.equal(await text((await first).body), 'slow');
  assert.equal(await text((await second).body), 'slow');
  assert.equal(await text((await fourth).body), 'four', 'the waiting request ran on a freed connection');
  assert.equal(opened(), 2);

  // A server saying Keep-Alive: timeout=1 with a 1 s buffer: the idle connection is retired at once.
  const hinted = scripted([{ reply: 'HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 1\r\n\r\na' }, ok('b')], { keepAliveBufferMs: 1000 });
  assert.equal(await text((await hinted.client.request({ method: 'GET', path: '/a', headers: {} })).body), 'a');
  assert.equal(await text((await hinted.client.request({ method: 'GET', path: '/b', headers: {} })).body), 'b');
  assert.equal(hinted.opened(), 2, 'a new connection instead of the expiring one');
  assert.equal(hinted.destroyed(), 1);
});
