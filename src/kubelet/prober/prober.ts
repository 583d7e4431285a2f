/**
 * One probe run, as upstream's pkg/probe: exec (through the runtime's ExecSync), httpGet
 * (2xx/3xx succeed; unlike upstream, redirects are not followed, a 3xx itself counts as
 * success; body capped at 10 KiB), tcpSocket (a connection opens), grpc (grpc.health.v1
 * Check says SERVING). Results are values, faults are results too: a probe never throws.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Client, credentials, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { RuntimeError, type RuntimeService } from '../runtime/api.js';

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** output is the message upstream records in the Unhealthy event. */
  output: string;
}

export interface ProbeContext {
  pod: Pod;
  container: Container;
  containerId: string;
  runtime: RuntimeService;
  /** podIP is the default host for httpGet and tcpSocket. */
  podIP: string;
  /** userAgent: upstream sends `kube-probe/<major>.<minor>`. */
  userAgent?: string;
}

const MAX_BODY = 10 * 1024;

/** resolvePort turns a number or a named container port into a port number. */
export function resolvePort(port: number | string | undefined, container: Container): number | undefined {
  if (typeof port === 'number') return port > 0 && port < 65536 ? port : undefined;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) return await execProbe(probe.exec.command ?? [], timeoutMs, ctx);
    if (probe.httpGet) {
      const port = resolvePort(probe.httpGet.port as number | string, ctx.container);
      if (port === undefined) return { result: 'Unknown', output: `couldn't find port: ${String(probe.httpGet.port)} in ${ctx.container.name}` };
      const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
      const host = probe.httpGet.host || ctx.podIP;
      let path = probe.httpGet.path ?? '';
      if (!path.startsWith('/')) path = `/${path}`;
      const headers: Record<string, string> = { 'User-Agent': ctx.userAgent ?? 'kube-probe/1.31', Accept: '*/*' };
      for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
      return await httpProbe(scheme === 'https' ? 'https' : 'http', host, port, path, headers, timeoutMs);
    }
    if (probe.tcpSocket) {
      const port = resolvePort(probe.tcpSocket.port as number | string, ctx.container);
      if (port === undefined) return { result: 'Unknown', output: `couldn't find port: ${String(probe.tcpSocket.port)} in ${ctx.container.name}` };
      return await tcpProbe(probe.tcpSocket.host || ctx.podIP, port, timeoutMs);
    }
    if (probe.grpc) return await grpcProbe(probe.grpc.service ?? '', ctx.podIP, probe.grpc.port, timeoutMs);
    return { result: 'Unknown', output: 'missing probe handler' };
  } catch (e) {
    return { result: 'Unknown', output: e instanceof Error ? e.message : String(e) };
  }
}

async function execProbe(cmd: string[], timeoutMs: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  try {
    const r = await ctx.runtime.execSync({ containerId: ctx.containerId, cmd, timeout: Math.ceil(timeoutMs / 1000) });
    const output = Buffer.concat([r.stdout, r.stderr]).toString('utf8');
    return r.exitCode === 0 ? { result: 'Success', output } : { result: 'Failure', output };
  } catch (e) {
    if (e instanceof RuntimeError && e.code === 'DeadlineExceeded') return { result: 'Failure', output: `command timed out: "${cmd.join(' ')}" timed out after ${timeoutMs / 1000}s` };
    return { result: 'Unknown', output: e instanceof Error ? e.message : String(e) };
  }
}

export function httpProbe(scheme: 'http' | 'https', host: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeOutcome> {
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = (scheme === 'https' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        if (size < MAX_BODY) chunks.push(b.subarray(0, MAX_BODY - size));
        size += b.length;
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 400) done({ result: 'Success', output: body });
        else done({ result: 'Failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', (e) => done({ result: 'Failure', output: e.message }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ result: 'Failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (e) => done({ result: 'Failure', output: `Get "${url}": ${describe(e)}` }));
    req.end();
  });
}

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ result: 'Success', output: '' });
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      resolve({ result: 'Failure', output: `dial tcp ${host}:${port}: ${describe(e)}` });
    });
  });
}

function describe(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connect: connection refused';
  return e.message;
}

/** encodeHealthCheckRequest is grpc.health.v1.HealthCheckRequest { string service = 1; }. */
function encodeHealthCheckRequest(service: string): Buffer {
  // An empty service is still written out (0a 00): some servers mishandle zero-length messages.
  const b = Buffer.from(service);
  const len: number[] = [];
  let n = b.length;
  while (n > 127) {
    len.push((n & 127) | 128);
    n >>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([0x0a, ...len]), b]);
}

/** decodeServingStatus reads field 1 (enum ServingStatus) of HealthCheckResponse; 0 when absent. */
function decodeServingStatus(b: Buffer): number {
  let i = 0;
  while (i < b.length) {
    const tag = b[i++]!;
    if (tag === 0x08) {
      let v = 0;
      let shift = 0;
      while (i < b.length) {
        const x = b[i++]!;
        v |= (x & 127) << shift;
        if (!(x & 128)) break;
        shift += 7;
      }
      return v;
    }
    return 0;
  }
  return 0;
}

/**
 * grpcProbe calls grpc.health.v1.Health/Check as upstream's gRPC probe: SERVING succeeds, any
 * other status or an RPC error fails with upstream's messages.
 */
export function grpcProbe(service: string, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = new Client(target, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      '/grpc.health.v1.Health/Check',
      (s: string) => encodeHealthCheckRequest(s),
      (b: Buffer) => decodeServingStatus(b),
      service,
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
      (err, value) => {
        client.close();
        if (err) {
          if (err.code === grpcStatus.DEADLINE_EXCEEDED) resolve({ result: 'Failure', output: `timeout: health rpc did not complete within ${timeoutMs / 1000}s` });
          else if (err.code === grpcStatus.UNAVAILABLE) resolve({ result: 'Failure', output: `timeout: failed to connect service "${target}" within ${timeoutMs / 1000}s: ${err.details}` });
          else resolve({ result: 'Failure', output: `error: health rpc probe failed: ${err.details}` });
          return;
        }
        if (value === 1) resolve({ result: 'Success', output: 'service healthy' });
        else resolve({ result: 'Failure', output: `service unhealthy (responded with "${['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'][value ?? 0] ?? value}")` });
      },
    );
  });
}
