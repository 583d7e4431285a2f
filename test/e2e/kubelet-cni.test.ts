/**
 * End-to-end, as root with Debian's CNI plugins: `k8ts server` (controllers assign the node's
 * spec.podCIDR from --cluster-cidr) and `k8ts kubelet --network cni` with the process runtime.
 * Three replicas all listening on port 8080 run side by side on one node, each in its own
 * network namespace with an IP from the node's pod CIDR, become Ready through their readiness
 * probe on that IP, and reach each other by pod IP; deleting them removes their namespaces,
 * veths and iptables chains. Skipped without root or /usr/lib/cni.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlPath, type KubectlResult } from './helpers/kubectl.js';
import { cniAvailable } from '../../src/kubelet/runtime/cni.js';
import { until } from './helpers/wait.js';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'k8ts.js');

const netnsNames = (): string[] => (existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith('k8ts-')) : []);

if (!kubectlPath() || !cniAvailable()) test('kubelet CNI e2e', { skip: 'needs kubectl, root and the CNI plugins in /usr/lib/cni' }, () => {});
else {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-cni-e2e-'));
  const kubeconfig = join(dir, 'admin.yaml');
  // A subnet and bridge of this run's own, so parallel runs on one host do not collide.
  const octet = 100 + Math.floor(Math.random() * 100);
  const bridge = `k8ts${Math.floor(Math.random() * 1e6)}`;
  const procs: ChildProcess[] = [];
  const before0 = new Set(netnsNames());
  let serverOut = '';
  let kubeletOut = '';
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(args, { kubeconfig, timeoutMs: 20_000 });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await k(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    const server = spawn(process.execPath, [bin, 'server', '--data-dir', join(dir, 'data'), '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--advertise-address', '192.0.2.10', '--disable-agent', '--cluster-cidr', `10.${octet}.0.0/16`, '-o', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(server);
    server.stderr!.on('data', (b: Buffer) => (serverOut += b.toString()));
    server.stdout!.on('data', (b: Buffer) => (serverOut += b.toString()));
    await until('server', async () => (existsSync(kubeconfig) && /controller-manager: ready/.test(serverOut) ? true : undefined)).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${serverOut}`);
    });
    const kubelet = spawn(process.execPath, [bin, 'kubelet', '--kubeconfig', kubeconfig, '--node-name', 'cni-node', '--node-ip', '127.0.0.1', '--root-dir', join(dir, 'kubelet'), '--port', '0', '--network', 'cni', '--cni-bridge', bridge], { stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(kubelet);
    kubelet.stderr!.on('data', (b: Buffer) => (kubeletOut += b.toString()));
  });

  after(async () => {
    await k('delete', 'deployment', '--all', '--wait=true').catch(() => undefined);
    await until('pods gone', async () => ((await ok('get', 'pods', '--no-headers')).trim() === '' ? true : undefined), 20_000).catch(() => undefined);
    for (const p of procs.reverse()) {
      if (p.exitCode !== null) continue;
      p.kill('SIGTERM');
      await new Promise((r) => p.once('exit', r));
    }
    // Only what this run created, by name: the bridge (its namespaces are checked by the test).
    try {
      execFileSync('ip', ['link', 'delete', bridge, 'type', 'bridge'], { stdio: 'ignore' });
    } catch {
      // never created
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test('three replicas on port 8080 on one node, each with its own pod IP, reach each other', async () => {
    const cidr = await until('node podCIDR', async () => (await ok('get', 'node', 'cni-node', '-o', 'jsonpath={.spec.podCIDR}')) || undefined);
    assert.match(cidr, new RegExp(`^10\\.${octet}\\.\\d+\\.0/24$`));
    const prefix = cidr.replace(/\.0\/24$/, '.');
    writeFileSync(
      join(dir, 'web.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 2
      containers:
      - name: web
        image: python
        command: ["python3", "-m", "http.server", "8080"]
        ports: [{containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1
`,
    );
    await ok('apply', '-f', join(dir, 'web.yaml'));
    await until('3 ready replicas', async () => ((await ok('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '3' ? true : undefined), 60_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\nkubelet:\n${kubeletOut.slice(-3000)}`);
    });
    const rows = (await ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{"\\n"}{end}')).trim().split('\n').map((l) => l.split(' ') as [string, string]);
    assert.equal(rows.length, 3);
    const ips = rows.map((r) => r[1]);
    assert.equal(new Set(ips).size, 3, `distinct pod IPs: ${ips.join(' ')}`);
    for (const ip of ips) assert.ok(ip.startsWith(prefix), `${ip} in ${cidr}`);
    const created = netnsNames().filter((n) => !before0.has(n));
    assert.equal(created.length, 3, 'one network namespace per pod');

    // Each pod reaches every pod by IP (itself included) on port 8080.
    for (const [name] of rows) {
      const script = `import urllib.request\nfor ip in ${JSON.stringify(ips)}:\n    print(ip, urllib.request.urlopen('http://%s:8080/' % ip, timeout=5).status)`;
      const out = await ok('exec', name, '--', 'python3', '-c', script);
      for (const ip of ips) assert.match(out, new RegExp(`${ip.replace(/\./g, '\\.')} 200`));
      // Its own interface carries the pod IP.
      const own = rows.find((r) => r[0] === name)![1];
      assert.match(await ok('exec', name, '--', 'ip', '-4', '-o', 'addr', 'show', 'eth0'), new RegExp(`inet ${own.replace(/\./g, '\\.')}/24`));
    }

    await ok('delete', 'deployment', 'web', '--wait=true');
    await until('namespaces removed', async () => (netnsNames().filter((n) => created.includes(n)).length === 0 ? true : undefined), 30_000);
    const veths = execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).trim();
    assert.equal(veths, '', 'no veth left on the bridge');
    const nat = execFileSync('iptables', ['-t', 'nat', '-S'], { encoding: 'utf8' });
    for (const ip of ips) assert.ok(!nat.includes(`-s ${ip}/32`), `no masquerade rule left for ${ip}`);
  });
}
