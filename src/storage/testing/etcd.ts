/**
 * startEtcd runs a real etcd (the `etcd` binary on PATH, or $ETCD_BIN) on free loopback ports
 * with a temporary data dir, for integration tests. stop() kills it by pid and removes the dir.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningEtcd {
  /** endpoint is the client URL, e.g. http://127.0.0.1:41234 */
  endpoint: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** etcdBinary is the etcd executable to run, or undefined when none is installed. */
export function etcdBinary(): string | undefined {
  const bin = process.env.ETCD_BIN ?? 'etcd';
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return r.status === 0 ? bin : undefined;
}

/**
 * etcdUnavailableReason says why etcd tests cannot run here, or undefined when they can. Tests
 * skip with this reason locally; under CI (process.env.CI set) a missing etcd is a failure.
 */
export function etcdUnavailableReason(): string | undefined {
  if (etcdBinary() !== undefined) return undefined;
  const why = 'etcd binary not found on PATH (install etcd-server or set ETCD_BIN)';
  if (process.env.CI) throw new Error(`${why}; CI must run the etcd tests`);
  return why;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === 'true';
  } catch {
    return false;
  }
}

/** startEtcd starts etcd and resolves once it reports healthy (or rejects after ~15 s). */
export async function startEtcd(opts: { quotaBackendBytes?: number } = {}): Promise<RunningEtcd> {
  const bin = etcdBinary();
  if (!bin) throw new Error('etcd binary not found on PATH (install etcd-server or set ETCD_BIN)');
  const dataDir = mkdtempSync(join(tmpdir(), 'k8ts-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'k8ts-test',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `k8ts-test=${peer}`,
    '--log-level', 'error',
    '--logger', 'zap',
  ];
  if (opts.quotaBackendBytes) args.push('--quota-backend-bytes', String(opts.quotaBackendBytes));
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 8192) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let dead = false;
  child.once('exit', () => (dead = true));
  const stop = async (): Promise<void> => {
    if (!dead && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await healthy(endpoint))) {
    if (dead || Date.now() > deadline) {
      await stop();
      throw new Error(`etcd did not become healthy on ${endpoint}: ${stderr.trim().slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint, dataDir, stop };
}
