/**
 * exec, attach and port-forward over the Kubernetes WebSocket streaming protocols
 * (`v5.channel.k8s.io` / `v4.channel.k8s.io`: one channel byte per message — 0 stdin,
 * 1 stdout, 2 stderr, 3 status, 4 resize, 255 close in v5), through the apiserver's pod
 * subresources, as kubectl 1.30+ does before falling back to SPDY (which k8ts does not speak).
 */
import { createServer, type Socket } from 'node:net';
import WebSocket from 'ws';
import { statusErrorFrom } from '../client/rest/index.js';
import type { RestConfig } from '../client/rest/index.js';
import { Flags, type FlagSpecs } from './args.js';
import { CmdError, type Factory } from './factory.js';
import type { KubeObject } from '../api/types.js';

const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export const EXEC_FLAGS: FlagSpecs = {
  stdin: { type: 'bool', short: 'i' },
  tty: { type: 'bool', short: 't' },
  container: { type: 'string', short: 'c' },
  quiet: { type: 'bool', short: 'q' },
  filename: { type: 'array', short: 'f' },
  'pod-running-timeout': { type: 'string' },
};

/**
 * openSocket dials a WebSocket to an API path, resolving once upgraded or rejecting with the
 * server's Status. onMessage is attached before the upgrade completes: frames can arrive in the
 * same read as the handshake.
 */
function openSocket(cfg: RestConfig, path: string, query: URLSearchParams, protocols: string[], onMessage: (data: Buffer) => void): Promise<WebSocket> {
  const url = new URL(cfg.host);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = path;
  url.search = query.toString();
  const headers: Record<string, string> = {};
  if (cfg.bearerToken) headers['authorization'] = `Bearer ${cfg.bearerToken}`;
  else if (cfg.username !== undefined && cfg.password !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`).toString('base64')}`;
  const ws = new WebSocket(url, protocols, {
    headers,
    ...(cfg.caData ? { ca: cfg.caData } : {}),
    ...(cfg.certData ? { cert: cfg.certData } : {}),
    ...(cfg.keyData ? { key: cfg.keyData } : {}),
    rejectUnauthorized: !cfg.insecureSkipTLSVerify,
    ...(cfg.tlsServerName ? { servername: cfg.tlsServerName } : {}),
  });
  ws.on('message', (d: Buffer) => onMessage(d));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(statusErrorFrom(res.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))));
    });
    ws.once('error', reject);
  });
}

async function resolvePod(f: Factory, arg: string | undefined): Promise<KubeObject> {
  if (!arg) throw new CmdError('pod or type/name must be specified');
  const { namespace } = f.namespace();
  const c = f.client();
  if (!arg.includes('/') || arg.startsWith('pod/') || arg.startsWith('pods/') || arg.startsWith('po/')) {
    const name = arg.includes('/') ? arg.slice(arg.indexOf('/') + 1) : arg;
    return c.requestJSON<KubeObject>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(name)}` });
  }
  const d = await f.discovery();
  const m = d.resolve(arg.slice(0, arg.indexOf('/')));
  if (!m) throw new CmdError(`the server doesn't have a resource type "${arg.slice(0, arg.indexOf('/'))}"`);
  const base = m.group ? `/apis/${m.group}/${m.version}` : `/api/${m.version}`;
  const obj = await c.requestJSON<KubeObject>({ method: 'GET', path: `${base}/namespaces/${namespace}/${m.resource}/${arg.slice(arg.indexOf('/') + 1)}` });
  const sel = ((obj['spec'] as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {}) as Record<string, string>;
  const pods = await c.requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods`, query: { labelSelector: Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') } });
  const pod = pods.items[0];
  if (!pod) throw new CmdError(`no pods found for ${arg}`);
  return pod;
}

export function defaultContainer(f: Factory, pod: KubeObject, flags: Flags): string {
  const containers = ((pod['spec'] as { containers?: Array<{ name: string }> } | undefined)?.containers ?? []).map((c) => c.name);
  if (flags.str('container')) return flags.str('container');
  const dflt = pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (dflt) return dflt;
  if (containers.length > 1 && !flags.bool('quiet')) f.io.err(`Defaulted container "${containers[0]}" out of: ${containers.join(', ')}\n`);
  return containers[0] ?? '';
}

/** runExec implements `kubectl exec` and `kubectl attach`: the exit code is the remote command's. */
export async function runExec(f: Factory, flags: Flags, args: string[], afterDash: string[] | undefined, kind: 'exec' | 'attach'): Promise<number> {
  const command = kind === 'exec' ? (afterDash ?? args.slice(1)) : [];
  if (kind === 'exec' && command.length === 0) throw new CmdError('you must specify at least one command for the container');
  const pod = await resolvePod(f, args[0]);
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CmdError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  const container = defaultContainer(f, pod, flags);
  const stdin = flags.bool('stdin');
  let tty = flags.bool('tty');
  if (tty && stdin && f.io.stdin?.isTTY !== true) {
    // As kubectl: a pty needs a terminal on our side; without one the session runs without.
    f.io.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', container);
  if (stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!tty) q.set('stderr', 'true');
  if (tty) q.set('tty', 'true');
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/${kind}`;
  if (kind === 'attach' && flags.bool('stdin') && !flags.bool('quiet')) f.io.err("If you don't see a command prompt, try pressing enter.\n");
  let exitCode = 0;
  let statusError: string | undefined;
  const onMessage = (data: Buffer): void => {
    const ch = data[0];
    const payload = data.subarray(1);
    if (ch === 1) f.io.out(payload.toString('utf8'));
    else if (ch === 2) f.io.err(payload.toString('utf8'));
    else if (ch === 3 && payload.length > 0) {
      const st = JSON.parse(payload.toString('utf8')) as { status?: string; reason?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
      if (st.status === 'Failure') {
        const c = st.details?.causes?.find((x) => x.reason === 'ExitCode');
        if (st.reason === 'NonZeroExitCode' && c) exitCode = Number(c.message);
        else statusError = st.message ?? 'error executing command';
      }
    }
  };
  const ws = await openSocket(f.config(), path, q, EXEC_PROTOCOLS, onMessage);
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const done = new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.on('close', () => resolve());
    ws.on('error', () => resolve());
  });
  const stopInput = stdin ? streamStdin(f, ws, v5, tty) : (): void => {};
  await done;
  stopInput();
  if (statusError) throw new CmdError(statusError);
  if (exitCode !== 0) {
    f.io.err(`command terminated with exit code ${exitCode}\n`);
    return exitCode;
  }
  return 0;
}

/**
 * streamStdin sends standard input to the stream's channel 0 as it arrives (keystrokes as typed,
 * raw when on a pty) and, on a pty, the terminal's size on channel 4 now and on every resize; at
 * the end of input a v5 stream is told stdin closed. Returns what undoes it all.
 */
function streamStdin(f: Factory, ws: WebSocket, v5: boolean, tty: boolean): () => void {
  const send = (b: Buffer): void => {
    if (ws.readyState === WebSocket.OPEN) ws.send(b);
  };
  const input = f.io.stdin;
  if (!input) {
    void f.io.readStdin().then((text) => {
      if (text) send(Buffer.concat([Buffer.from([0]), Buffer.from(text)]));
      if (v5) send(Buffer.from([255, 0]));
    });
    return () => {};
  }
  const raw = tty && typeof input.setRawMode === 'function';
  if (raw) input.setRawMode!(true);
  const onData = (c: Buffer | string): void => send(Buffer.concat([Buffer.from([0]), typeof c === 'string' ? Buffer.from(c) : c]));
  const onEnd = (): void => {
    if (v5) send(Buffer.from([255, 0]));
  };
  input.on('data', onData);
  input.once('end', onEnd);
  const resize = (): void => {
    const size = f.io.terminalSize?.();
    if (size) send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: size.width, Height: size.height }))]));
  };
  let unsubscribe = (): void => {};
  if (tty) {
    resize();
    unsubscribe = f.io.onTerminalResize?.(resize) ?? unsubscribe;
  }
  return () => {
    input.off('data', onData);
    input.off('end', onEnd);
    unsubscribe();
    if (raw) input.setRawMode!(false);
    // Stop reading so the process can exit with the session.
    input.pause();
    (input as { unref?: () => void }).unref?.();
  };
}

/** runPortForward forwards local ports to a pod; one WebSocket (v4.channel.k8s.io) per local connection. */
export async function runPortForward(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const pod = await resolvePod(f, args[0]);
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase !== 'Running') throw new CmdError(`unable to forward port because pod is not running. Current status=${phase ?? ''}`);
  const specs = args.slice(1);
  if (specs.length === 0) throw new CmdError('at least 1 PORT is required for port-forward');
  const addresses = flags.list('address').length > 0 ? flags.list('address') : ['localhost'];
  const path = `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}/portforward`;
  const cfg = f.config();
  const servers: Array<ReturnType<typeof createServer>> = [];
  for (const spec of specs) {
    const [l, r] = spec.includes(':') ? spec.split(':') : [spec, spec];
    const remote = Number(r);
    for (const addr of addresses) {
      const hosts = addr === 'localhost' ? ['127.0.0.1', '::1'] : [addr];
      for (const host of hosts) {
        const server = createServer((sock: Socket) => {
          const local = server.address();
          f.io.out(`Handling connection for ${local && typeof local === 'object' ? local.port : l}\n`);
          void forwardOne(cfg, path, remote, sock).catch((err: unknown) => f.io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`));
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(l === '' ? 0 : Number(l), host, () => resolve());
        }).catch((err: unknown) => {
          if (host === '::1') return; // no IPv6 loopback: kubectl skips it too
          throw err;
        });
        const a = server.address();
        if (a && typeof a === 'object') {
          f.io.out(`Forwarding from ${host.includes(':') ? `[${host}]` : host}:${a.port} -> ${remote}\n`);
          servers.push(server);
        }
      }
    }
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  for (const s of servers) s.close();
  return 0;
}

async function forwardOne(cfg: RestConfig, path: string, port: number, sock: Socket): Promise<void> {
  // The first frame on each channel carries the port (2 bytes, little endian); skip them.
  const seen = new Set<number>();
  const ws = await openSocket(cfg, path, new URLSearchParams({ ports: String(port) }), ['v4.channel.k8s.io'], (data: Buffer) => {
    const ch = data[0]!;
    let payload = data.subarray(1);
    if (!seen.has(ch)) {
      seen.add(ch);
      payload = payload.subarray(2);
    }
    if (ch === 0 && payload.length > 0) sock.write(payload);
  });
  sock.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
  sock.on('close', () => ws.close());
  ws.on('close', () => sock.end());
}

/** ExecResult is how a remote command ended: its exit code, or the failure Status's message. */
export interface ExecResult {
  exitCode: number;
  statusError: string | undefined;
}

/**
 * execInPod runs a command in a container over the exec WebSocket with binary stdout/stderr
 * (what `kubectl cp` streams tar archives through). stdin, when given, is sent whole and then
 * closed (v5 close frame), as kubectl does when its input reaches EOF.
 */
export async function execInPod(
  cfg: RestConfig,
  pod: { namespace: string; name: string; container: string },
  command: readonly string[],
  io: { stdin?: Buffer; onStdout: (b: Buffer) => void; onStderr: (b: Buffer) => void },
  subresource: 'exec' | 'attach' = 'exec',
): Promise<ExecResult> {
  const q = new URLSearchParams();
  for (const c of command) q.append('command', c);
  q.set('container', pod.container);
  if (io.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  const result: ExecResult = { exitCode: 0, statusError: undefined };
  const onMessage = (data: Buffer): void => {
    const ch = data[0];
    const payload = data.subarray(1);
    if (ch === 1) io.onStdout(payload);
    else if (ch === 2) io.onStderr(payload);
    else if (ch === 3 && payload.length > 0) {
      const st = JSON.parse(payload.toString('utf8')) as { status?: string; reason?: string; message?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
      if (st.status === 'Failure') {
        const c = st.details?.causes?.find((x) => x.reason === 'ExitCode');
        if (st.reason === 'NonZeroExitCode' && c) result.exitCode = Number(c.message);
        else result.statusError = st.message ?? 'error executing command';
      }
    }
  };
  const ws = await openSocket(cfg, `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/${subresource}`, q, EXEC_PROTOCOLS, onMessage);
  const done = new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.on('close', () => resolve());
    ws.on('error', () => resolve());
  });
  if (io.stdin) {
    // Large archives go in chunks so no single frame is huge.
    for (let off = 0; off < io.stdin.length; off += 32 * 1024) ws.send(Buffer.concat([Buffer.from([0]), io.stdin.subarray(off, off + 32 * 1024)]));
    if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.from([255, 0]));
  }
  await done;
  return result;
}
