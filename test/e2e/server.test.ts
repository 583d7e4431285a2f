/**
 * End-to-end: `k8ts server` as a child process, driven with the real kubectl. It shows its
 * start-up progress and how to use the cluster, writes the admin kubeconfig, brings a Ready
 * node up (flags from the environment and from a config file take effect), runs a Deployment's
 * pods, refuses a second server on its data dir, lets `k8ts agent` join a second node with the
 * printed join command (and host simulated nodes), and stops cleanly on SIGTERM, leaving no
 * process behind.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlPath } from './helpers/kubectl.js';
import { until } from './helpers/wait.js';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'k8ts.js');

/** Proc is a k8ts child process whose stderr is collected for assertions. */
class Proc {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stdout!.on('data', (b: Buffer) => (this.out += b.toString()));
    this.child.stderr!.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }
  /** waitFor resolves with the first match of `re` in the output; rejects on exit or timeout. */
  async waitFor(re: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const m = this.out.match(re);
      if (m) return m;
      if (this.child.exitCode !== null) throw new Error(`process exited ${this.child.exitCode} before ${re}:\n${this.out}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/** descendants lists the live processes below `pid` (by walking /proc parent links). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [c, pp] of parent) if (pp === p) (out.push(c), walk(c));
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

if (!kubectlPath()) test('k8ts server e2e', { skip: 'kubectl not installed' }, () => {});
else {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-server-e2e-'));
  const dataDir = join(dir, 'data');
  const kubeconfig = join(dir, 'out', 'admin.yaml');
  const configFile = join(dir, 'config.yaml');
  let server: Proc;
  const procs: Proc[] = [];
  const k = (...args: string[]) => kubectl(args, { kubeconfig, timeoutMs: 20_000 });

  before(async () => {
    // The node label comes from the config file, the node name from the environment; the
    // command line names the rest (port 0: free ports).
    writeFileSync(configFile, ['node-label:', '  - e2e.k8ts.io/from=config-file', 'write-kubeconfig-mode: "0640"', 'node-name: overridden-by-env', ''].join('\n'));
    server = new Proc(['server', '--data-dir', dataDir, '--https-listen-port', '0', '--kubelet-port', '0', '--config', configFile, '-o', kubeconfig, '--stop-pods-on-exit'], {
      K8TS_NODE_NAME: 'e2e-server',
    });
    procs.push(server);
    await server.waitFor(/k8ts server is ready: node e2e-server Ready in ([\d.]+) s \(([\d.]+) s CPU\)/, 60_000);
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('start-up shows each component starting and ready, then how to use the cluster', () => {
    for (const c of ['certificates', 'datastore', 'apiserver', 'controller-manager', 'scheduler', 'kubelet', 'node']) {
      assert.match(server.out, new RegExp(`k8ts server: \\[ *[\\d.]+s\\] ${c}: starting`), c);
      assert.match(server.out, new RegExp(`k8ts server: \\[ *[\\d.]+s\\] ${c}: ready`), c);
    }
    assert.match(server.out, new RegExp(`kubeconfig: +${kubeconfig.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(server.out, /kubectl get nodes/);
    assert.match(server.out, /join a node: +k8ts agent --server https:\/\/\S+ --token K10[0-9a-f]{64}::server:\S+/);
    const [, wall, cpu] = server.out.match(/Ready in ([\d.]+) s \(([\d.]+) s CPU\)/)!;
    console.log(`k8ts server: process start to Ready node: ${wall} s wall, ${cpu} s CPU (first start, CA generation included)`);
  });

  test('the kubeconfig is written (with the config file\'s mode) and kubectl sees a Ready node labelled from the config file', async () => {
    assert.ok(existsSync(kubeconfig));
    assert.equal(statSync(kubeconfig).mode & 0o777, 0o640);
    assert.ok(existsSync(join(dataDir, 'kubeconfig.yaml')));
    assert.ok(existsSync(join(dataDir, 'server', 'db', 'state.db')), 'sqlite at k3s\'s <data-dir>/server/db/state.db');
    assert.match(readFileSync(join(dataDir, 'server', 'token'), 'utf8'), /^K10[0-9a-f]{64}::server:/);
    const r = await k('get', 'nodes', '--show-labels');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /e2e-server\s+Ready\s+control-plane,master/);
    assert.match(r.stdout, /e2e\.k8ts\.io\/from=config-file/);
  });

  test('k8ts kubectl get nodes, as the start-up message suggests, shows the Ready node', async () => {
    assert.match(server.out, /^ +k8ts kubectl get nodes$/m);
    const kc = new Proc(['kubectl', 'get', 'nodes'], { KUBECONFIG: kubeconfig });
    assert.equal(await kc.exited, 0, kc.out);
    assert.match(kc.out, /e2e-server\s+Ready/);
  });

  test('a Deployment gets running pods (controller-manager, scheduler and kubelet at work)', async () => {
    const c = await k('create', 'deployment', 'sleeper', '--image=busybox', '--replicas=2', '--', 'sleep', '3600');
    assert.equal(c.code, 0, c.stderr);
    await until('2 running pods', async () => {
      const r = await k('get', 'pods', '-l', 'app=sleeper', '-o', 'jsonpath={range .items[*]}{.status.phase} {.spec.nodeName}{"\\n"}{end}');
      const lines = r.stdout.trim().split('\n').filter(Boolean);
      return lines.length === 2 && lines.every((l) => l === 'Running e2e-server') ? true : undefined;
    });
  });

  test('a second server on the same data dir refuses with a clear message', async () => {
    const second = new Proc(['server', '--data-dir', dataDir, '--https-listen-port', '0', '--kubelet-port', '0']);
    procs.push(second);
    assert.equal(await second.exited, 1);
    assert.match(second.out, new RegExp(`data dir ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another k8ts server \\(pid ${server.child.pid}\\); stop it first`));
  });

  test('a component that cannot start is reported as failed, with why and what to do', async () => {
    // The kubelet serves HTTPS on every address (the apiserver dials the node's InternalIP).
    const [, port] = server.out.match(/kubelet: ready \(kubelet API on https:\/\/0\.0\.0\.0:(\d+)\)/)!;
    const clash = new Proc(['server', '--data-dir', join(dir, 'clash'), '--https-listen-port', '0', '--kubelet-port', port!]);
    procs.push(clash);
    assert.equal(await clash.exited, 1);
    assert.match(clash.out, new RegExp(`kubelet: failed \\(listen EADDRINUSE: address already in use 0\\.0\\.0\\.0:${port}: another k8ts \\(or k3s\\) running\\? pick a free port with --kubelet-port\\)`));
    assert.ok(!existsSync(join(dir, 'clash', 'server', 'k8ts.lock')), 'a failed start releases the lock');
  });

  test('k8ts agent joins a second node with the printed join command', async () => {
    const [, url, token] = server.out.match(/k8ts agent --server (\S+) --token (\S+)/)!;
    const agent = new Proc(['agent', '--server', url!, '--data-dir', join(dir, 'agent'), '--node-name', 'e2e-agent', '--kubelet-port', '0', '--stop-pods-on-exit'], { K8TS_TOKEN: token! });
    procs.push(agent);
    await agent.waitFor(/node e2e-agent joined \S+ and Ready/);
    const r = await k('get', 'nodes');
    assert.match(r.stdout, /e2e-agent\s+Ready/);
    assert.match(r.stdout, /e2e-server\s+Ready/);
    // The agent is its own node identity (a client certificate issued at join), not the admin.
    assert.match(readFileSync(join(dir, 'agent', 'agent', 'kubelet.kubeconfig'), 'utf8'), /name: system:node:e2e-agent/);
    // kubectl logs reaches the agent's kubelet at its InternalIP over TLS, as the apiserver's kubelet client.
    const run = await k('run', 'on-agent', '--image=busybox', '--restart=Never', '--overrides', JSON.stringify({ spec: { nodeName: 'e2e-agent' } }), '--command', '--', 'sh', '-c', 'echo from-agent; sleep 3600');
    assert.equal(run.code, 0, run.stderr);
    await until('logs from the agent node', async () => ((await k('logs', 'on-agent')).stdout === 'from-agent\n' ? true : undefined));
    assert.equal((await k('delete', 'pod', 'on-agent', '--grace-period=0', '--force')).code, 0);
    assert.equal(await agent.stop(), 0);

    // Another machine (data dir) claiming the same node name has another node password: refused.
    const impostor = new Proc(['agent', '--server', url!, '--token', token!, '--data-dir', join(dir, 'impostor'), '--node-name', 'e2e-agent', '--kubelet-port', '0']);
    procs.push(impostor);
    assert.equal(await impostor.exited, 1);
    assert.match(impostor.out, /failed to join: join: node certificate request refused: HTTP 403: nodes "e2e-agent" is forbidden: Node password rejected/);
  });

  test('k8ts agent --simulate-nodes: with the join token (a node certificate each) and kwok-style with a kubeconfig', async () => {
    const [, url, token] = server.out.match(/k8ts agent --server (\S+) --token (\S+)/)!;
    const certs = new Proc(['agent', '--server', url!, '--token', token!, '--data-dir', join(dir, 'sim-certs'), '--node-name', 'simcert', '--simulate-nodes', '2']);
    const kwok = new Proc(['agent', '--kubeconfig', kubeconfig, '--data-dir', join(dir, 'sim-kwok'), '--node-name', 'simkwok', '--simulate-nodes', '3']);
    procs.push(certs, kwok);
    await certs.waitFor(/2 simulated nodes joined \S+ and Ready/);
    await kwok.waitFor(/3 simulated nodes joined \S+ and Ready/);
    const r = await k('get', 'nodes', '--no-headers');
    for (const n of ['simcert-0', 'simcert-1', 'simkwok-0', 'simkwok-1', 'simkwok-2']) assert.match(r.stdout, new RegExp(`^${n}\\s+Ready`, 'm'), n);
    assert.equal(await certs.stop(), 0);
    assert.equal(await kwok.stop(), 0);
  });

  test('a wrong token is refused before any node registers', async () => {
    const [, url] = server.out.match(/k8ts agent --server (\S+) --token/)!;
    const agent = new Proc(['agent', '--server', url!, '--token', `K10${'0'.repeat(64)}::server:nope`, '--data-dir', join(dir, 'bad-agent'), '--node-name', 'bad']);
    procs.push(agent);
    assert.equal(await agent.exited, 1);
    assert.match(agent.out, /failed to join: join: the server CA does not match the join token/);
  });

  test('SIGTERM stops the server and, with --stop-pods-on-exit, its pods: no process is left', async () => {
    const pid = server.child.pid!;
    const below = descendants(pid);
    assert.ok(below.length >= 2, `expected the pods' processes below the server, got ${below.join(',')}`);
    assert.equal(await server.stop(), 0);
    assert.match(server.out, /SIGTERM received, stopping/);
    assert.match(server.out, /server: stopped/);
    await until('no leftover processes', async () => (below.some(alive) ? undefined : true), 10_000);
    assert.ok(!existsSync(join(dataDir, 'server', 'k8ts.lock')), 'the data-dir lock is released');
  });
}
