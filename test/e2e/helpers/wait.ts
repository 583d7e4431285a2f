/** Small waiting and process helpers shared by the e2e suites that run real servers and kubelets. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

/** K8TS_BIN is the k8ts command of this checkout (bin/k8ts.js). */
export const K8TS_BIN = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'k8ts.js');

/**
 * startKubeletProcess runs `k8ts kubelet` against `kubeconfig` as node `nodeName` (node IP
 * 127.0.0.1, its API on a free port, `rootDir` for its state) with `extra` flags, and resolves
 * once it says it is running; it rejects with its stderr if it exits first. `detached` makes it
 * lead its own process group.
 */
export async function startKubeletProcess(o: { kubeconfig: string; nodeName: string; rootDir: string; extra?: string[]; detached?: boolean }): Promise<ChildProcess> {
  const args = [K8TS_BIN, 'kubelet', '--kubeconfig', o.kubeconfig, '--node-name', o.nodeName, '--node-ip', '127.0.0.1', '--root-dir', o.rootDir, '--port', '0', ...(o.extra ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: o.detached ?? false });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes('running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`kubelet exited ${code}: ${err}`)));
  });
  return child;
}

/**
 * until polls fn until it returns something other than undefined. A thrown error counts as
 * "not yet"; when the deadline passes, the last one is part of the timeout message.
 */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 200): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** pidsUnder lists the processes whose command line (arguments joined by spaces) mentions root, e.g. a test's own temp dir. */
export function pidsUnder(root: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(root);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** freePort asks the kernel for a loopback port that is free right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** killGroupsUnder SIGKILLs the process groups led by processes under root: whatever a failed run left behind. */
export function killGroupsUnder(root: string): void {
  for (const pid of pidsUnder(root)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader, or gone already
    }
  }
}

/** stopChild sends SIGTERM (or `signal`) and waits for the exit, with SIGKILL after graceMs. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
}
