/**
 * HttpTransport's Http1Client against raw `net` servers writing hand-crafted responses: how a
 * client must behave against any HTTP/1.1 server (kube-apiserver, proxies), not only node's
 * http.Server — framing, malformed heads, backpressure on slow consumers, aborts, the request
 * bytes, and node's error shapes for dropped connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { HttpTransport, type TransportRequest } from './transport.js';

/** Req is one request as the raw server read it. */
interface Req {
  head: string;
  body: Buffer;
}

/** raw starts a server that hands each parsed request (head and content-length body) to `reply`. */
async function raw(reply: (sock: net.Socket, req: Req, n: number) => void): Promise<{ url: string; port: number; requests: Req[]; conns: net.Socket[]; close: () => Promise<void> }> {
  const requests: Req[] = [];
  const conns: net.Socket[] = [];
  const server = net.createServer((sock) => {
    conns.push(sock);
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + len) return;
        const req = { head, body: buf.subarray(end + 4, end + 4 + len) };
        buf = buf.subarray(end + 4 + len);
        requests.push(req);
        reply(sock, req, requests.length);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    conns,
    close: async () => {
      for (const c of conns) c.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

async function text(body: Readable): Promise<string> {
  let s = '';
  for await (const c of body) s += (c as Buffer).toString('latin1');
  return s;
}

/** writeSlowly writes `s` in pieces of `step` bytes, one per event-loop turn (so they arrive as separate reads). */
async function writeSlowly(sock: net.Socket, s: string, step: number): Promise<void> {
  const b = Buffer.from(s, 'latin1');
  for (let i = 0; i < b.length; i += step) {
    sock.write(b.subarray(i, i + step));
    await new Promise((r) => setTimeout(r, 1));
  }
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: no answer within ${ms} ms (hang)`)), ms).unref())]);

test('wire: framings from a raw server, split across reads', async () => {
  const cases: Array<{ name: string; reply: string; method?: string; status: number; body: string; headers?: Record<string, unknown>; reused: boolean }> = [
    { name: 'uppercase hex, extensions, trailers', reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA;name="v"\r\n0123456789\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0;last\r\nX-Trailer: t\r\nY: u\r\n\r\n', status: 200, body: '0123456789abcdefghijklmnopqrstuvwxyz', reused: true },
    { name: 'chunk sizes padded before CRLF, and twelve digits with leading zeros', reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3 \r\nabc\r\n000000000002\r\nde\r\n0\r\n\r\n', status: 200, body: 'abcde', reused: true },
    { name: 'HTTP/1.0 close-delimited', reply: 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close', status: 200, body: 'until close', reused: false },
    { name: 'HTTP/1.0 with content-length: not reused', reply: 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', status: 200, body: 'ok', reused: false },
    { name: '304 ignores its content-length', reply: 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n', status: 304, body: '', reused: true },
    { name: '204 ignores transfer-encoding', reply: 'HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n', status: 204, body: '', reused: true },
    { name: 'HEAD ignores its content-length', method: 'HEAD', reply: 'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n', status: 200, body: '', reused: true },
    { name: 'two interim 1xx', reply: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', status: 200, body: 'ok', reused: true },
    {
      name: 'padded, mixed-case and repeated headers',
      reply: 'HTTP/1.1 200 OK\r\nCONTENT-LENGTH:   2  \r\nX-Dup: 1\r\nx-dup: 2\r\nSet-Cookie: a=1\r\nSET-COOKIE: b=2\r\n\r\nok',
      status: 200,
      body: 'ok',
      headers: { 'x-dup': '1, 2', 'set-cookie': ['a=1', 'b=2'] },
      reused: true,
    },
  ];
  for (const c of cases) {
    for (const step of [1, 3, 4096]) {
      const srv = await raw((sock, req) => {
        if (req.head.startsWith('GET /next')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
        else void writeSlowly(sock, c.reply, step).then(() => (c.reused ? undefined : sock.end()));
      });
      const t = new HttpTransport(srv.url);
      try {
        const what = `${c.name} / ${step}-byte reads`;
        const res = await within(t.request({ method: c.method ?? 'GET', path: '/x', headers: {} }), 2000, what);
        assert.equal(res.status, c.status, what);
        for (const [k, v] of Object.entries(c.headers ?? {})) assert.deepEqual(res.headers[k], v, `${what}: ${k}`);
        assert.equal(await within(text(res.body), 2000, what), c.body, what);
        const next = await within(t.request({ method: 'GET', path: '/next', headers: {} }), 2000, what);
        assert.equal(await text(next.body), 'next', what);
        assert.equal(srv.conns.length, c.reused ? 1 : 2, `${what}: connection reuse`);
      } finally {
        t.close();
        await srv.close();
      }
    }
  }
});

test('wire: malformed responses fail with a clear error, never a hang', async () => {
  const cases: Array<{ name: string; reply: string; code: string; body?: boolean }> = [
    { name: 'garbage status line, connection kept open', reply: 'garbage without an end of head', code: 'HPE_INVALID_CONSTANT' },
    { name: 'garbage status line with an end of head', reply: 'SPDY/3 200 OK\r\n\r\n', code: 'HPE_INVALID_CONSTANT' },
    { name: 'a head larger than the limit in one read', reply: `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20 * 1024)}\r\ncontent-length: 0\r\n\r\n`, code: 'HPE_HEADER_OVERFLOW' },
    { name: 'a head larger than the limit, never ending', reply: `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20 * 1024)}`, code: 'HPE_HEADER_OVERFLOW' },
    { name: 'obs-fold header continuation (rejected as node does)', reply: 'HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 0\r\n\r\n', code: 'HPE_INVALID_HEADER_TOKEN' },
    { name: 'bare LF line ends', reply: 'HTTP/1.1 200 OK\nContent-Length: 1\n\nx', code: 'HPE_CR_EXPECTED' },
    { name: 'chunk size of thirteen hex digits', reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\nx\r\n', code: 'HPE_INVALID_CHUNK_SIZE', body: true },
    { name: 'chunk size not hex', reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nx\r\n', code: 'HPE_INVALID_CHUNK_SIZE', body: true },
    { name: 'chunk data not followed by CRLF', reply: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY5\r\nhello\r\n0\r\n\r\n', code: 'HPE_STRICT', body: true },
  ];
  for (const c of cases) {
    const srv = await raw((sock) => sock.write(c.reply));
    const t = new HttpTransport(srv.url);
    try {
      const p = t.request({ method: 'GET', path: '/x', headers: {} });
      if (c.body) await within(assert.rejects(text((await p).body), { code: c.code }, c.name), 2000, c.name);
      else await within(assert.rejects(p, { code: c.code }, c.name), 2000, c.name);
    } finally {
      t.close();
      await srv.close();
    }
  }
});

test('wire: a stalled consumer of a long stream pauses the socket (TCP pushes back to the server)', async () => {
  const chunk = `${(1 << 16).toString(16)}\r\n${'x'.repeat(1 << 16)}\r\n`;
  let serverBlocked = false;
  let written = 0;
  const srv = await raw((sock) => {
    sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const pump = (): void => {
      // Write until the kernel buffers are full and the socket says so, up to 64 MiB.
      while (written < 64 << 20) {
        written += 1 << 16;
        if (!sock.write(chunk)) {
          serverBlocked = true;
          sock.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  const t = new HttpTransport(srv.url);
  try {
    const res = await t.request({ method: 'GET', path: '/api/v1/pods?watch=true', headers: {} });
    // Nobody reads the body for a while.
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(serverBlocked, 'the server saw backpressure');
    assert.ok(res.body.readableLength < 1 << 20, `the client buffered ${res.body.readableLength} bytes unread`);
    // Reading resumes the stream: the server writes again once the client has drained the
    // kernel buffers between them, however large this machine's TCP autotuning made them.
    const before = written;
    const resumed = new Promise<void>((resolve) => {
      res.body.on('data', () => {
        if (written > before) {
          res.body.destroy();
          resolve();
        }
      });
    });
    await within(resumed, 10_000, 'the server could write again');
    assert.ok(written > before, 'the server could write again');
  } finally {
    t.close();
    await srv.close();
  }
});

test('wire: the request bytes — Host (IPv6 in brackets), lengths, no body on GET, injection and unescaped paths refused', async () => {
  const srv = await raw((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  const t = new HttpTransport(`${srv.url}/`);
  try {
    for (const r of <TransportRequest[]>[
      { method: 'GET', path: '/a?b=%20c', headers: { accept: 'application/json' } },
      { method: 'POST', path: '/p', headers: { 'content-type': 'application/json' }, body: '{"é":1}' },
      { method: 'DELETE', path: '/d', headers: {} },
    ]) (await t.request(r)).body.resume();
    assert.equal(srv.requests[0]!.head, `GET /a?b=%20c HTTP/1.1\r\nhost: 127.0.0.1:${srv.port}\r\nconnection: keep-alive\r\naccept: application/json`);
    assert.equal(srv.requests[1]!.head, `POST /p HTTP/1.1\r\nhost: 127.0.0.1:${srv.port}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: 8`);
    assert.equal(srv.requests[1]!.body.toString(), '{"é":1}');
    assert.equal(srv.requests[2]!.head, `DELETE /d HTTP/1.1\r\nhost: 127.0.0.1:${srv.port}\r\nconnection: keep-alive`);
    for (const [name, req, code] of [
      ['CR LF in a header value', { method: 'GET', path: '/', headers: { 'x-a': 'v\r\nx-injected: 1' } }, 'ERR_INVALID_CHAR'],
      ['LF alone in a header value', { method: 'GET', path: '/', headers: { 'x-a': 'v\nx' } }, 'ERR_INVALID_CHAR'],
      ['a header name with a space', { method: 'GET', path: '/', headers: { 'x a': 'v' } }, 'ERR_INVALID_HTTP_TOKEN'],
      ['a space in the path', { method: 'GET', path: '/a b', headers: {} }, 'ERR_UNESCAPED_CHARACTERS'],
      ['a character beyond latin1 in the path', { method: 'GET', path: '/€', headers: {} }, 'ERR_UNESCAPED_CHARACTERS'],
    ] as const) await assert.rejects(t.request(req), { code }, name);
    assert.equal(srv.requests.length, 3, 'refused requests were not sent');
  } finally {
    t.close();
    await srv.close();
  }
  // IPv6 literal: connect to ::1, Host in brackets (skipped where the machine has no IPv6 loopback).
  const v6 = net.createServer((sock) => sock.once('data', (d: Buffer) => sock.end(`HTTP/1.1 200 OK\r\nContent-Length: ${d.length}\r\n\r\n${d.toString('latin1')}`)));
  const listening = await new Promise<boolean>((r) => {
    v6.once('error', () => r(false));
    v6.listen(0, '::1', () => r(true));
  });
  if (!listening) return;
  const port = (v6.address() as AddressInfo).port;
  const t6 = new HttpTransport(`http://[::1]:${port}`);
  try {
    const echoed = await text((await t6.request({ method: 'GET', path: '/', headers: {} })).body);
    assert.match(echoed, new RegExp(`\r\nhost: \\[::1\\]:${port}\r\n`));
  } finally {
    t6.close();
    await new Promise((r) => v6.close(r));
  }
});

test('wire: dropped connections and aborts keep node http error shapes; the connection is destroyed, not reused', async () => {
  const cases: Array<{ name: string; reply: (sock: net.Socket) => void; abort?: 'before' | 'head' | 'body'; rejects?: object; bodyError?: object }> = [
    { name: 'closed as the request arrives (stale keep-alive)', reply: (sock) => sock.end(), rejects: { code: 'ECONNRESET', message: 'socket hang up' } },
    { name: 'reset mid-body', reply: (sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', () => setTimeout(() => sock.resetAndDestroy(), 20)), bodyError: { code: 'ECONNRESET' } },
    { name: 'closed mid-body', reply: (sock) => sock.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), bodyError: { code: 'ECONNRESET', message: 'aborted' } },
    { name: 'aborted before connecting', reply: () => {}, abort: 'before', rejects: { name: 'AbortError' } },
    { name: 'aborted mid-head', reply: (sock) => sock.write('HTTP/1.1 200 OK\r\nContent-'), abort: 'head', rejects: { name: 'AbortError' } },
    { name: 'aborted mid-body', reply: (sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'), abort: 'body', bodyError: { name: 'AbortError' } },
  ];
  for (const c of cases) {
    const closed: string[] = [];
    const srv = await raw((sock, req) => {
      if (req.head.startsWith('GET /next')) sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      else c.reply(sock);
    });
    const t = new HttpTransport(srv.url);
    try {
      const ctl = new AbortController();
      if (c.abort === 'before') ctl.abort();
      const p = t.request({ method: 'GET', path: '/x', headers: {}, signal: ctl.signal });
      if (c.abort === 'head') {
        while (srv.requests.length === 0) await new Promise((r) => setTimeout(r, 2));
        await new Promise((r) => setTimeout(r, 20));
        ctl.abort();
      }
      if (c.rejects) await within(assert.rejects(p, c.rejects, c.name), 2000, c.name);
      else {
        const res = await within(p, 2000, c.name);
        if (c.abort === 'body') ctl.abort();
        await within(assert.rejects(text(res.body), c.bodyError!, c.name), 2000, c.name);
      }
      for (const s of srv.conns) s.on('close', () => closed.push('x'));
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(closed.length + srv.conns.filter((s) => s.destroyed).length >= srv.conns.length, true, `${c.name}: the connection was closed`);
      const next = await within(t.request({ method: 'GET', path: '/next', headers: {} }), 2000, c.name);
      assert.equal(await text(next.body), 'ok', c.name);
      assert.equal(srv.conns.length, c.abort === 'before' ? 1 : 2, `${c.name}: a fresh connection for the next request`);
    } finally {
      t.close();
      await srv.close();
    }
  }
});

test('wire: idle pooled connections do not keep the process alive', async () => {
  const srv = await raw((sock) => sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  try {
    const transportJs = new URL('./transport.js', import.meta.url).href;
    const script = `const { HttpTransport } = await import(${JSON.stringify(transportJs)});
      const t = new HttpTransport(${JSON.stringify(srv.url)});
      const res = await t.request({ method: 'GET', path: '/', headers: {} });
      res.body.resume();
      res.body.on('end', () => console.log('done'));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill(), 5000);
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(timer);
    assert.equal(out.trim(), 'done');
    assert.equal(code, 0, 'the process exited on its own with the connection still pooled');
  } finally {
    await srv.close();
  }
});

test('wire: a 101 answer hands the connection over, so it is never reused; a caller transfer-encoding is not sent beside content-length, a caller host or connection replaces the default', async () => {
  const srv = await raw((sock, req) => {
    if (req.head.startsWith('GET /upgrade')) sock.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    else sock.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
  });
  const t = new HttpTransport(srv.url);
  try {
    const up = await t.request({ method: 'GET', path: '/upgrade', headers: { connection: 'Upgrade', upgrade: 'websocket' } });
    assert.equal(up.status, 101);
    up.body.resume();
    const next = await within(t.request({ method: 'GET', path: '/next', headers: {} }), 2000, 'after 101');
    assert.equal(await text(next.body), 'ok');
    assert.equal(srv.conns.length, 2, 'the upgraded connection was not reused');

    const posted = await t.request({ method: 'POST', path: '/te', headers: { 'Transfer-Encoding': 'chunked' }, body: 'abc' });
    assert.equal(await text(posted.body), 'ok');
    const head = srv.requests.at(-1)!.head;
    assert.doesNotMatch(head, /transfer-encoding/i, 'one framing only: the body is whole, so it goes with its length');
    assert.match(head, /\r\ncontent-length: 3$/);
    assert.equal(srv.requests.at(-1)!.body.toString(), 'abc');

    (await t.request({ method: 'GET', path: '/host', headers: { Host: 'example.test', Connection: 'close' } })).body.resume();
    const hosted = srv.requests.at(-1)!.head;
    assert.equal(hosted.match(/\r\nhost:/gi)?.length, 1, 'one Host header: the caller\'s');
    assert.equal(hosted.match(/\r\nconnection:/gi)?.length, 1, 'one Connection header: the caller\'s');
    assert.match(hosted, /\r\nHost: example.test\r\n/);
  } finally {
    t.close();
    await srv.close();
  }
});

test('wire: an answer sent before the request body is read (413, connection closed) reaches the caller', async () => {
  const server = net.createServer((sock) => {
    sock.on('error', () => {});
    sock.once('data', () => sock.end('HTTP/1.1 413 Request Entity Too Large\r\nConnection: close\r\nContent-Length: 8\r\n\r\ntoo long'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const t = new HttpTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  try {
    const res = await within(t.request({ method: 'POST', path: '/big', headers: {}, body: Buffer.alloc(8 << 20, 97) }), 3000, '413');
    assert.equal(res.status, 413);
    assert.equal(await text(res.body), 'too long');
  } finally {
    t.close();
    await new Promise((r) => server.close(r));
  }
});

test('wire: closing the transport cuts a close-delimited body short with aborted (ECONNRESET), not a clean end', async () => {
  const srv = await raw((sock) => sock.write('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial'));
  const t = new HttpTransport(srv.url);
  try {
    const res = await t.request({ method: 'GET', path: '/logs', headers: {} });
    const read = text(res.body);
    await new Promise((r) => setTimeout(r, 20));
    t.close();
    await within(assert.rejects(read, { code: 'ECONNRESET', message: 'aborted' }), 2000, 'close');
  } finally {
    t.close();
    await srv.close();
  }
});
