/**
 * The kubelet's HTTP server (upstream pkg/kubelet/server): `/healthz`, `/pods`,
 * `/containerLogs/{ns}/{pod}/{container}`, and the streaming endpoints `/exec`, `/attach` and
 * `/portForward` over WebSocket. The apiserver proxies `pods/log`, `pods/exec`,
 * `pods/attach` and `pods/portforward` here.
 *
 * Streaming protocols spoken: `v5.channel.k8s.io`, `v4.channel.k8s.io`, `channel.k8s.io` and
 * `base64.channel.k8s.io` for exec/attach (one channel byte per message: 0 stdin, 1 stdout,
 * 2 stderr, 3 error/status, 4 resize, 255 close in v5); for port-forward, SPDY/3.1 (spdy.ts)
 * either tunnelled in WebSocket binary messages (`SPDY/3.1+portforward.k8s.io`, what kubectl
 * ≥ 1.31 asks for) or on a plain `Upgrade: SPDY/3.1` (older kubectl, and kubectl's fallback),
 * plus the WebSocket channel protocol `portforward.k8s.io` / `v4.channel.k8s.io` (two channels
 * per port, each opened with the port as a little-endian uint16). Exec and attach also speak
 * SPDY/3.1 (`Upgrade: SPDY/3.1`, protocols v5/v4/v3/v2/channel.k8s.io: one stream per `error`,
 * `stdin`, `stdout`, `stderr` and `resize`), for kubectl before 1.30 and for kubectl's fallback
 * when the WebSocket upgrade fails. With `auth` (auth.ts) callers are authenticated (client
 * certificate, TokenReview) and authorized (SubjectAccessReview on nodes/proxy etc.) as
 * upstream's webhook mode; without it the API is open: bind it to a trusted address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodLifecycle } from './pods.js';
import { readLogs } from './logs.js';
import type { StreamSession } from './runtime/api.js';
import { RST_PROTOCOL_ERROR, SpdySession, type SpdyStream } from './spdy.js';
import type { KubeletAuth } from './auth.js';

export interface KubeletServerOptions {
  lifecycle: PodLifecycle;
  /** address to bind (default 127.0.0.1) and port (0: any free port). */
  address?: string;
  port?: number;
  /** tls serves HTTPS with this PEM certificate and key; `clientCA` verifies client certificates (`--client-ca-file`). */
  tls?: { cert: string | Buffer; key: string | Buffer; clientCA?: string | Buffer };
  /** auth authenticates and authorizes every request but /healthz (auth.ts); without it the API is open. */
  auth?: KubeletAuth;
  /** healthz reports extra health (the node agent's sync loop); default healthy. */
  healthy?: () => boolean;
}

export interface KubeletServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];
/** SPDY tunnelled in WebSocket binary messages: what kubectl ≥ 1.31 asks for first. */
const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
/** ws rejects '/' in subprotocol tokens, so the tunnel protocol is renamed on the way in and back on the way out. */
const SPDY_TUNNEL_TOKEN = 'SPDY-3.1-portforward.k8s.io';
/** SPDY remotecommand protocols, preferred first (v5 over SPDY is v4: stdin's close is the stream's FIN). */
const SPDY_EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const PORTFORWARD_PROTOCOLS = [SPDY_TUNNEL_TOKEN, 'portforward.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io', 'v4.base64.channel.k8s.io', 'base64.channel.k8s.io'];

/** upgradeToSpdy answers a SPDY/3.1 upgrade for `protocol` and runs a SpdySession over the raw socket. */
function upgradeToSpdy(socket: Duplex, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const session = new SpdySession((b) => {
    if (!socket.destroyed) socket.write(b);
  });
  socket.on('data', (b: Buffer) => session.feed(b));
  socket.on('close', () => session.close());
  socket.on('error', () => session.close());
  session.on('close', () => socket.destroy());
  return session;
}

function textError(res: ServerResponse, code: number, msg: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${msg}\n`);
}

const truthy = (v: string | null): boolean => v === 'true' || v === '1';

export async function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const lifecycle = opts.lifecycle;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols, req) => {
      const list = req.url?.startsWith('/portForward') ? PORTFORWARD_PROTOCOLS : EXEC_PROTOCOLS;
      for (const p of list) if (protocols.has(p)) return p;
      return false;
    },
  });

  wss.on('headers', (headers: string[]) => {
    const i = headers.findIndex((h) => h.toLowerCase() === `sec-websocket-protocol: ${SPDY_TUNNEL_TOKEN}`.toLowerCase());
    if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${SPDY_TUNNEL_PROTOCOL}`;
  });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://kubelet').pathname;
    if (!opts.auth || path === '/healthz') return serve(req, res);
    opts.auth.check(req).then(
      (d) => (d.ok ? serve(req, res) : textError(res, d.code, d.message)),
      (err: unknown) => textError(res, 500, String(err)),
    );
  };

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.pathname === '/healthz' || url.pathname === '/healthz/ping' || url.pathname === '/healthz/syncloop') {
      const ok = opts.healthy?.() ?? true;
      res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(ok ? 'ok' : 'unhealthy');
      return;
    }
    if (url.pathname === '/pods' || url.pathname === '/pods/') {
      const items: Pod[] = lifecycle.pods();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items }));
      return;
    }
    if (parts[0] === 'containerLogs' && parts.length === 4 && req.method === 'GET') {
      void serveLogs(lifecycle, parts[1]!, parts[2]!, parts[3]!, url.searchParams, req, res);
      return;
    }
    if (parts[0] === 'exec' || parts[0] === 'attach' || parts[0] === 'portForward') {
      textError(res, 400, `${parts[0]} requires an upgrade: WebSocket (protocols: ${(parts[0] === 'portForward' ? PORTFORWARD_PROTOCOLS : EXEC_PROTOCOLS).join(', ')}) or SPDY/3.1`);
      return;
    }
    textError(res, 404, '404 page not found');
  };

  const server: Server = opts.tls
    ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, ...(opts.tls.clientCA ? { ca: opts.tls.clientCA, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
    : createServer(handler);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!opts.auth) return upgrade(req, socket, head);
    opts.auth.check(req).then(
      (d) => {
        if (d.ok) return upgrade(req, socket, head);
        socket.end(`HTTP/1.1 ${d.code} ${d.code === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${d.message}\n`);
      },
      () => socket.destroy(),
    );
  });

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const kind = parts[0];
    if (kind !== 'exec' && kind !== 'attach' && kind !== 'portForward') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    const protoHeader = String(req.headers['sec-websocket-protocol'] ?? '');
    if (kind === 'portForward' && !protoHeader && /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) {
      // A plain SPDY upgrade (older kubectl, or kubectl's fallback dialer).
      const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
      if (!versions.includes('portforward.k8s.io')) {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nunable to upgrade: unable to negotiate protocol: client supports ' + versions.join(', ') + ', server supports [portforward.k8s.io]\n');
        return;
      }
      const session = upgradeToSpdy(socket, 'portforward.k8s.io');
      servePortForwardSpdy(lifecycle, session, parts);
      if (head.length) session.feed(head);
      return;
    }
    if (kind !== 'portForward' && !protoHeader && /^spdy\/3\.1$/i.test(String(req.headers.upgrade ?? ''))) {
      const offered = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim()).filter(Boolean);
      const protocol = SPDY_EXEC_PROTOCOLS.find((p) => offered.includes(p));
      if (!protocol) {
        socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nunable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(SPDY_EXEC_PROTOCOLS)}\n`);
        return;
      }
      const session = upgradeToSpdy(socket, protocol);
      serveExecSpdy(lifecycle, session, protocol, kind, parts, url.searchParams);
      if (head.length) session.feed(head);
      return;
    }
    if (!protoHeader) {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nunsupported upgrade: use WebSocket or SPDY/3.1\n');
      return;
    }
    if (kind === 'portForward' && protoHeader.includes(SPDY_TUNNEL_PROTOCOL)) req.headers['sec-websocket-protocol'] = protoHeader.split(SPDY_TUNNEL_PROTOCOL).join(SPDY_TUNNEL_TOKEN);
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (kind === 'portForward' && ws.protocol === SPDY_TUNNEL_TOKEN) {
        const session = new SpdySession((b) => {
          if (ws.readyState === ws.OPEN) ws.send(b);
        });
        ws.on('message', (data: Buffer) => session.feed(Buffer.isBuffer(data) ? data : Buffer.from(data)));
        ws.on('close', () => session.close());
        session.on('close', () => ws.close(1000));
        servePortForwardSpdy(lifecycle, session, parts);
      } else if (kind === 'portForward') void servePortForward(lifecycle, ws, parts, url.searchParams);
      else void serveExec(lifecycle, ws, kind, parts, url.searchParams);
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.address ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serveLogs(lifecycle: PodLifecycle, ns: string, pod: string, container: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const found = lifecycle.findContainer(ns, pod, container, truthy(q.get('previous')));
  if ('error' in found) return textError(res, found.code, found.error);
  const num = (k: string): number | undefined => {
    const v = q.get(k);
    return v === null || v === '' ? undefined : Number(v);
  };
  let sinceTime: number | undefined;
  if (q.get('sinceTime')) sinceTime = Date.parse(q.get('sinceTime')!);
  const sinceSeconds = num('sinceSeconds');
  if (sinceSeconds !== undefined) sinceTime = Date.now() - sinceSeconds * 1000;
  for (const k of ['tailLines', 'limitBytes', 'sinceSeconds']) {
    const v = num(k);
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) return textError(res, 400, `invalid ${k}: ${q.get(k)}`);
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const ac = new AbortController();
  req.on('close', () => ac.abort());
  const id = found.container.id;
  const stillRunning = (): boolean => {
    const again = lifecycle.findContainer(ns, pod, container);
    return !('error' in again) && again.container.id === id && again.container.state === 'CONTAINER_RUNNING';
  };
  try {
    await readLogs(found.logPath, { follow: truthy(q.get('follow')), tailLines: num('tailLines'), sinceTime, timestamps: truthy(q.get('timestamps')), limitBytes: num('limitBytes') }, res, ac.signal, stillRunning);
  } finally {
    res.end();
  }
}

/** ChannelWriter frames data for one channel, in binary or base64 protocols. */
function sendChannel(ws: WebSocket, base64: boolean, channel: number, data: Buffer): void {
  if (ws.readyState !== ws.OPEN) return;
  if (base64) ws.send(String.fromCharCode(48 + channel) + data.toString('base64'));
  else ws.send(Buffer.concat([Buffer.from([channel]), data]));
}

function decodeFrame(base64: boolean, data: Buffer | string): { channel: number; payload: Buffer } | undefined {
  if (base64) {
    const s = typeof data === 'string' ? data : data.toString('utf8');
    if (!s.length) return undefined;
    return { channel: s.charCodeAt(0) - 48, payload: Buffer.from(s.slice(1), 'base64') };
  }
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  if (!b.length) return undefined;
  return { channel: b[0]!, payload: b.subarray(1) };
}

/** exitStatus is the metav1.Status the error channel carries in v4+ (kubectl reads the exit code from it). */
export function exitStatus(cmd: string[], code: number): string {
  if (code === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${cmd.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

/** StreamRequest is an exec or attach request's parsed query. */
interface StreamRequest {
  cmd: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function streamRequest(q: URLSearchParams): StreamRequest {
  return {
    cmd: q.getAll('command'),
    stdin: truthy(q.get('stdin')) || truthy(q.get('input')),
    stdout: q.get('stdout') === null ? true : truthy(q.get('stdout')) || truthy(q.get('output')),
    stderr: q.get('stderr') === null ? true : truthy(q.get('stderr')) || truthy(q.get('error')),
    tty: truthy(q.get('tty')),
  };
}

/**
 * openStreamSession finds the container and starts the exec or attach; a string is the failure
 * to report on the error channel.
 */
async function openStreamSession(lifecycle: PodLifecycle, kind: 'exec' | 'attach', parts: string[], r: StreamRequest): Promise<StreamSession | string> {
  // /exec/{ns}/{pod}/{container} or /exec/{ns}/{pod}/{uid}/{container}
  const [ns, pod] = [parts[1]!, parts[2]!];
  const container = parts.length >= 5 ? parts[4]! : parts[3];
  const found = lifecycle.findContainer(ns, pod, container);
  if ('error' in found) return found.error;
  if (found.container.state !== 'CONTAINER_RUNNING') return `container ${found.container.name} is not running`;
  const req = { containerId: found.container.id, stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, tty: r.tty };
  try {
    return kind === 'exec' ? await lifecycle.runtime.exec({ ...req, cmd: r.cmd }) : await lifecycle.runtime.attach(req);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * finalStatus is what the error channel carries when a session ends: exec reports the command's
 * exit code; attach reports Success however the container ended (upstream's attach returns no
 * error when the container exits; `kubectl run -i` reads the exit code from the pod).
 */
function finalStatus(kind: 'exec' | 'attach', cmd: string[], code: number): string {
  return exitStatus(cmd, kind === 'attach' ? 0 : code);
}

/** failureStatus is an InternalError Status for a session that could not start (v4+). */
const failureStatus = (msg: string): string => JSON.stringify({ metadata: {}, status: 'Failure', message: msg, reason: 'InternalError', details: {}, code: 500 });

/** parseResizes reads the concatenated `{"Width":w,"Height":h}` objects a resize channel carries. */
function parseResizes(text: string): Array<{ Width: number; Height: number }> {
  const out: Array<{ Width: number; Height: number }> = [];
  for (const m of text.matchAll(/\{[^{}]*\}/g)) {
    try {
      const size = JSON.parse(m[0]) as { Width?: number; Height?: number };
      if (typeof size.Width === 'number' && typeof size.Height === 'number') out.push({ Width: size.Width, Height: size.Height });
    } catch {
      // a malformed resize message is ignored, as upstream does
    }
  }
  return out;
}

async function serveExec(lifecycle: PodLifecycle, ws: WebSocket, kind: 'exec' | 'attach', parts: string[], q: URLSearchParams): Promise<void> {
  const protocol = ws.protocol;
  const base64 = protocol.startsWith('base64');
  const v4plus = protocol.startsWith('v4') || protocol.startsWith('v5');
  const r = streamRequest(q);
  const opened = await openStreamSession(lifecycle, kind, parts, r);
  if (typeof opened === 'string') {
    sendChannel(ws, base64, 3, Buffer.from(v4plus ? failureStatus(opened) : opened));
    ws.close(1000);
    return;
  }
  const session = opened;
  const pipe = (rd: Readable | undefined, channel: number): Promise<void> =>
    new Promise((resolve) => {
      if (!rd) return resolve();
      rd.on('data', (b: Buffer) => sendChannel(ws, base64, channel, b));
      rd.once('end', resolve);
      rd.once('close', resolve);
      rd.once('error', () => resolve());
    });
  const outputsDone = Promise.all([pipe(session.stdout, 1), pipe(session.stderr, 2)]);
  ws.on('message', (data: Buffer | string) => {
    const f = decodeFrame(base64, data as Buffer);
    if (!f) return;
    if (f.channel === 0) session.stdin?.write(f.payload);
    else if (f.channel === 4) for (const size of parseResizes(f.payload.toString())) session.resize?.(size.Width, size.Height);
    else if (f.channel === 255 && f.payload[0] === 0) session.stdin?.end();
  });
  ws.on('close', () => session.close());
  const code = await session.exited;
  await Promise.race([outputsDone, new Promise((res) => setTimeout(res, 1000))]);
  if (v4plus) sendChannel(ws, base64, 3, Buffer.from(finalStatus(kind, r.cmd, code)));
  else if (kind === 'exec' && code !== 0) sendChannel(ws, base64, 3, Buffer.from(`command terminated with non-zero exit code: ${code}`));
  ws.close(1000);
}

/**
 * serveExecSpdy serves exec/attach over SPDY as upstream's remotecommand server: the client
 * opens an `error` stream, then `stdin`, `stdout`, `stderr` and (with a TTY, v3+) `resize` as it
 * asked for in the query; once they are all there the session runs. Output streams are
 * half-closed at the end, then the error stream carries the result (a Status in v4+, text
 * before) and is closed.
 */
function serveExecSpdy(lifecycle: PodLifecycle, spdy: SpdySession, protocol: string, kind: 'exec' | 'attach', parts: string[], q: URLSearchParams): void {
  const r = streamRequest(q);
  const v4plus = protocol.startsWith('v4') || protocol.startsWith('v5');
  const v3plus = v4plus || protocol.startsWith('v3');
  const streams = new Map<string, SpdyStream>();
  const expected = 1 + (r.stdin ? 1 : 0) + (r.stdout ? 1 : 0) + (r.stderr && !r.tty ? 1 : 0) + (r.tty && v3plus ? 1 : 0);
  let started = false;
  // Upstream gives the client 30 s (streamCreationTimeout) to open its streams.
  const timeout = setTimeout(() => spdy.goAway(), 30_000);
  spdy.on('close', () => clearTimeout(timeout));
  spdy.on('stream', (st: SpdyStream) => {
    const type = st.header('streamtype') ?? '';
    if (!['error', 'stdin', 'stdout', 'stderr', 'resize'].includes(type) || streams.has(type)) {
      st.reset(RST_PROTOCOL_ERROR);
      return;
    }
    streams.set(type, st);
    if (!started && streams.size >= expected && streams.has('error')) {
      started = true;
      clearTimeout(timeout);
      void run();
    }
  });
  const run = async (): Promise<void> => {
    const error = streams.get('error')!;
    const opened = await openStreamSession(lifecycle, kind, parts, r);
    const finish = (text: string | undefined): void => {
      for (const t of ['stdout', 'stderr']) streams.get(t)?.end();
      error.end(text === undefined ? undefined : Buffer.from(text));
      // Give the client a moment to read the result before the connection goes.
      setTimeout(() => spdy.goAway(), 100).unref();
    };
    if (typeof opened === 'string') return finish(v4plus ? failureStatus(opened) : opened);
    const session = opened;
    const pipe = (rd: Readable | undefined, st: SpdyStream | undefined): Promise<void> =>
      new Promise((resolve) => {
        if (!rd) return resolve();
        rd.on('data', (b: Buffer) => st?.write(b));
        rd.once('end', resolve);
        rd.once('close', resolve);
        rd.once('error', () => resolve());
      });
    const outputsDone = Promise.all([pipe(session.stdout, streams.get('stdout')), pipe(session.stderr, streams.get('stderr'))]);
    const stdin = streams.get('stdin');
    stdin?.on('data', (b: Buffer) => session.stdin?.write(b));
    stdin?.on('end', () => session.stdin?.end());
    const resize = streams.get('resize');
    let pending = '';
    resize?.on('data', (b: Buffer) => {
      pending += b.toString();
      for (const size of parseResizes(pending)) session.resize?.(size.Width, size.Height);
      pending = pending.slice(pending.lastIndexOf('}') + 1);
    });
    spdy.on('close', () => session.close());
    const code = await session.exited;
    await Promise.race([outputsDone, new Promise((res) => setTimeout(res, 1000))]);
    if (v4plus) finish(finalStatus(kind, r.cmd, code));
    else finish(kind === 'exec' && code !== 0 ? `command terminated with non-zero exit code: ${code}` : undefined);
  };
}

async function servePortForward(lifecycle: PodLifecycle, ws: WebSocket, parts: string[], q: URLSearchParams): Promise<void> {
  const base64 = ws.protocol.includes('base64');
  const [ns, pod] = [parts[1]!, parts[2]!];
  const ports = q.getAll('ports').flatMap((p) => p.split(',')).map((p) => Number(p.trim()));
  const found = lifecycle.findContainer(ns, pod, lifecycle.pods().find((p) => p.metadata?.namespace === ns && p.metadata?.name === pod)?.spec?.containers[0]?.name);
  if ('error' in found || ports.length === 0 || ports.some((p) => !Number.isInteger(p) || p <= 0 || p > 65535)) {
    ws.close(1011, 'error' in found ? found.error.slice(0, 120) : 'query parameter "port" is required');
    return;
  }
  const podIP = found.pod.status?.podIP ?? '127.0.0.1';
  const sockets = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    sendChannel(ws, base64, 2 * i, portBytes);
    sendChannel(ws, base64, 2 * i + 1, portBytes);
    const sock = connect({ host: podIP === '' ? '127.0.0.1' : podIP, port });
    sock.on('data', (b: Buffer) => sendChannel(ws, base64, 2 * i, b));
    sock.on('error', (e) => sendChannel(ws, base64, 2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${pod}: ${e.message}`)));
    sock.on('close', () => {
      if (sockets.every((s) => s.destroyed)) ws.close(1000);
    });
    return sock;
  });
  ws.on('message', (data: Buffer | string) => {
    const f = decodeFrame(base64, data as Buffer);
    if (!f || f.channel % 2 !== 0) return;
    sockets[f.channel / 2]?.write(f.payload);
  });
  ws.on('close', () => {
    for (const s of sockets) s.destroy();
  });
}

/**
 * servePortForwardSpdy serves upstream's SPDY port-forward protocol: the client opens an
 * `error` and a `data` stream per connection (headers `streamtype`, `port`, `requestid`); bytes
 * on the data stream go to the pod's port and back, half-closes carried both ways, and a failure
 * is written to the error stream as upstream's message before both streams are closed.
 */
function servePortForwardSpdy(lifecycle: PodLifecycle, session: SpdySession, parts: string[]): void {
  const [ns, podName] = [parts[1]!, parts[2]!];
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  session.on('stream', (s: SpdyStream) => {
    const type = s.header('streamtype');
    const port = Number(s.header('port'));
    const requestId = s.header('requestid') ?? String(type === 'error' ? s.id + 2 : s.id);
    if ((type !== 'data' && type !== 'error') || !Number.isInteger(port) || port <= 0 || port > 65535) {
      s.reset(RST_PROTOCOL_ERROR);
      return;
    }
    const pair = pairs.get(requestId) ?? {};
    pair[type] = s;
    pairs.set(requestId, pair);
    if (!pair.data || !pair.error) return;
    pairs.delete(requestId);
    const { data, error } = pair as { data: SpdyStream; error: SpdyStream };
    const pod = lifecycle.pods().find((p) => p.metadata?.namespace === ns && p.metadata?.name === podName);
    const fail = (msg: string): void => {
      error.end(Buffer.from(`error forwarding port ${port} to pod ${podName}, uid ${pod?.metadata?.uid ?? ''}: ${msg}`));
      data.end();
    };
    if (!pod) return fail(`pod ${ns}/${podName} not found on this node`);
    const ip = pod.status?.podIP;
    const sock = connect({ host: ip && pod.spec?.hostNetwork !== true ? ip : '127.0.0.1', port });
    data.on('data', (b: Buffer) => sock.write(b));
    data.on('end', () => sock.end());
    data.on('reset', () => sock.destroy());
    error.on('reset', () => sock.destroy());
    sock.on('data', (b: Buffer) => data.write(b));
    sock.on('end', () => {
      data.end();
      error.end();
    });
    sock.on('error', (e) => fail(e.message));
  });
  session.on('close', () => pairs.clear());
}
