/**
 * End-to-end: streaming through the apiserver to the kubelet, on `k8ts server` with the
 * process runtime, driven by the real kubectl: a Deployment becomes Ready only once its
 * readiness probe passes, then `kubectl logs` (-f, --tail, --timestamps, --since, -c,
 * --all-containers, --previous), `kubectl exec` (exit codes, stdin, and `-it` through a pty
 * made by `script`), `kubectl attach`, `kubectl cp` (tar over exec), and `kubectl port-forward`
 * (SPDY tunnelled in WebSocket, as kubectl ≥ 1.31 does) with `curl` through it. The server runs
 * with its default node IP (the host's address): the kubelet serves HTTPS there and admits only
 * authenticated, authorized callers (the apiserver with its kube-apiserver-kubelet-client cert).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { signCert } from '../../src/pki/index.js';
import { Cgroups } from '../../src/kubelet/runtime/cgroups.js';
import { kubectl, kubectlPath, type KubectlResult } from './helpers/kubectl.js';
import { freePort, killGroupsUnder, stopChild, until } from './helpers/wait.js';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'k8ts.js');

const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;
const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;

if (!kubectlPath()) test('kubelet streaming e2e', { skip: 'kubectl not installed' }, () => {});
else {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-stream-e2e-'));
  const kubeconfig = join(dir, 'admin.yaml');
  let server: ChildProcess;
  let serverOut = '';
  const k = (...args: string[]): Promise<KubectlResult> => kubectl(args, { kubeconfig, timeoutMs: 20_000 });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await k(...args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    // Default node IP and advertise address: the apiserver dials the kubelet at the node's InternalIP.
    server = spawn(process.execPath, [bin, 'server', '--data-dir', join(dir, 'data'), '--https-listen-port', '0', '--kubelet-port', '0', '--stop-pods-on-exit', '-o', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b: Buffer) => (serverOut += b.toString()));
    server.stderr!.on('data', (b: Buffer) => (serverOut += b.toString()));
    await until('server ready', async () => (/k8ts server is ready/.test(serverOut) ? true : server.exitCode !== null ? Promise.reject(new Error(serverOut)) : undefined));
    await until('node Ready', async () => (/\sReady\s/.test((await k('get', 'nodes', '--no-headers')).stdout) ? true : undefined));
  });

  after(async () => {
    // The pods' cgroups, removed by name should the server not get to it.
    const uids = server?.exitCode === null ? (await k('get', 'pods', '-A', '-o', 'jsonpath={.items[*].metadata.uid}').catch(() => ({ stdout: '' }))).stdout.split(' ').filter(Boolean) : [];
    await stopChild(server);
    killGroupsUnder(dir);
    const cgroups = new Cgroups();
    for (const uid of uids) cgroups.removePod(uid);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the kubelet API at the node InternalIP refuses anonymous callers (401) and non-admins (403 on nodes/proxy)', async () => {
    const addr = await ok('get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address} {.items[0].status.daemonEndpoints.kubeletEndpoint.Port}');
    const [ip, port] = addr.split(' ');
    assert.ok(ip && Number(port) > 0, addr);
    // The default node IP is the host's first non-loopback IPv4 address (loopback only on a host without one).
    const hostIP = Object.values(networkInterfaces()).flatMap((a) => a ?? []).find((a) => !a.internal && a.family === 'IPv4')?.address;
    assert.equal(ip, hostIP ?? '127.0.0.1');
    const tls = join(dir, 'data', 'server', 'tls');
    const clientCA = { certPem: readFileSync(join(tls, 'client-ca.crt'), 'utf8'), keyPem: readFileSync(join(tls, 'client-ca.key'), 'utf8') };
    const get = (path: string, cred?: { certPem: string; keyPem: string }): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        // The kubelet's serving certificate is signed by the server CA; this test checks the client side only.
        const req = httpsRequest({ host: ip, port: Number(port), path, rejectUnauthorized: false, ...(cred ? { cert: cred.certPem, key: cred.keyPem } : {}) }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const cases: Array<{ name: string; cred?: { certPem: string; keyPem: string }; status: number; body?: RegExp }> = [
      { name: 'anonymous', status: 401, body: /Unauthorized/ },
      { name: 'non-admin user', cred: await signCert(clientCA, { commonName: 'jane', organizations: ['developers'], usage: 'client' }), status: 403, body: /Forbidden \(user=jane, verb=get, resource=nodes, subresource\(s\)=\[proxy\]\)/ },
      { name: 'apiserver kubelet client', cred: { certPem: readFileSync(join(tls, 'client-kube-apiserver.crt'), 'utf8'), keyPem: readFileSync(join(tls, 'client-kube-apiserver.key'), 'utf8') }, status: 200 },
    ];
    for (const c of cases) {
      const r = await get('/pods', c.cred);
      assert.equal(r.status, c.status, `${c.name}: ${r.body}`);
      if (c.body) assert.match(r.body, c.body, c.name);
    }
  });

  test('logs, exec, attach, cp and port-forward through the apiserver', async () => {
    const port = await freePort();
    // The server only serves once the marker file exists: readiness must wait for it.
    writeFileSync(
      join(dir, 'web.yaml'),
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      # The readiness probe dials the pod IP, which is the node IP with the process runtime.
      - name: server
        image: python
        command: ["sh", "-c", "echo starting; echo to-stderr >&2; while [ ! -f ready ]; do sleep 0.2; done; echo serving; exec python3 -m http.server ${port} --bind 0.0.0.0"]
        ports: [{containerPort: ${port}}]
        readinessProbe:
          httpGet: {path: /, port: ${port}}
          periodSeconds: 1
      - name: ticker
        image: busybox
        command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.5; done"]
`,
    );
    await ok('apply', '-f', join(dir, 'web.yaml'));
    const pod = await until('pod running', async () => {
      const out = await ok('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}');
      return /^(\S+) Running$/m.exec(out)?.[1];
    });
    // Running, but not Ready until the readiness probe passes.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await ok('get', 'pod', pod, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'), 'False');

    // exec: exit code, stdout/stderr, stdin.
    const failing = await k('exec', pod, '-c', 'server', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(failing.code, 3, failing.stderr);
    assert.equal(failing.stdout, 'out\n');
    assert.match(failing.stderr, /err\n/);
    assert.equal((await kubectl(['exec', '-i', pod, '-c', 'server', '--', 'cat'], { kubeconfig, stdin: 'through stdin\n' })).stdout, 'through stdin\n');
    await ok('exec', pod, '-c', 'server', '--', 'touch', 'ready');
    await until('Ready', async () => ((await ok('get', 'deploy', 'web', '-o', 'jsonpath={.status.readyReplicas}')) === '1' ? true : undefined));

    // logs: container choice, tail, timestamps, since, all containers, follow.
    assert.match(await ok('logs', pod, '-c', 'server'), /^starting\nto-stderr\nserving\n/);
    assert.match(await ok('logs', pod, '-c', 'ticker', '--tail', '1'), /^tick \d+\n$/);
    assert.match(await ok('logs', pod, '-c', 'server', '--timestamps'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z starting\n/);
    const recent = await ok('logs', pod, '-c', 'ticker', '--since', '2s');
    assert.ok(recent.split('\n').filter(Boolean).length <= 6 && /tick/.test(recent), recent);
    const all = await ok('logs', pod, '--all-containers');
    assert.match(all, /serving/);
    assert.match(all, /tick 0/);
    const follower = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', pod, '-c', 'ticker', '--tail', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follower.stdout!.on('data', (b: Buffer) => (followed += b.toString()));
    await until('follow streams new lines', async () => (followed.split('\n').filter(Boolean).length >= 3 ? true : undefined), 10_000);
    follower.kill('SIGTERM');
    const ticks = followed.split('\n').filter(Boolean).map((l) => Number(l.split(' ')[1]));
    assert.ok(ticks[1]! > ticks[0]!, followed);
    assert.match((await k('logs', pod, '-c', 'ticker', '--previous')).stderr, /previous terminated container "ticker" in pod ".*" not found/);

    // attach streams the running container's output.
    const attach = spawn('kubectl', ['--kubeconfig', kubeconfig, 'attach', pod, '-c', 'ticker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let attached = '';
    attach.stdout!.on('data', (b: Buffer) => (attached += b.toString()));
    await until('attach output', async () => (/tick \d+\n/.test(attached) ? true : undefined), 10_000);
    attach.kill('SIGTERM');

    // cp both ways (tar over exec).
    writeFileSync(join(dir, 'upload.txt'), 'copied in\n');
    await ok('cp', join(dir, 'upload.txt'), `${pod}:upload.txt`, '-c', 'server');
    assert.equal(await ok('exec', pod, '-c', 'server', '--', 'cat', 'upload.txt'), 'copied in\n');
    await ok('cp', `${pod}:upload.txt`, join(dir, 'download.txt'), '-c', 'server');
    assert.equal(readFileSync(join(dir, 'download.txt'), 'utf8'), 'copied in\n');

    // port-forward then curl, with a body larger than one SPDY frame.
    await ok('exec', pod, '-c', 'server', '--', 'sh', '-c', 'head -c 300000 /dev/zero | tr "\\0" x > big.txt');
    const local = await freePort();
    const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, 'port-forward', `pod/${pod}`, `${local}:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let pfOut = '';
    pf.stdout!.on('data', (b: Buffer) => (pfOut += b.toString()));
    pf.stderr!.on('data', (b: Buffer) => (pfOut += b.toString()));
    try {
      await until('port-forward listening', async () => (/Forwarding from 127\.0\.0\.1/.test(pfOut) ? true : undefined), 10_000);
      const get = async (path: string): Promise<string> => {
        if (hasCurl) {
          const r = spawnSync('curl', ['-sS', '-m', '5', `http://127.0.0.1:${local}${path}`], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          return r.stdout;
        }
        return (await fetch(`http://127.0.0.1:${local}${path}`)).text();
      };
      assert.match(await get('/upload.txt'), /copied in/);
      assert.equal((await get('/big.txt')).length, 300_000);
      assert.match(await get('/'), /Directory listing/);
    } finally {
      pf.kill('SIGTERM');
    }

    // exec -it: a real terminal inside, through `script` providing kubectl's own pty.
    if (hasScript) {
      const r = spawnSync('script', ['-qec', `kubectl --kubeconfig ${kubeconfig} exec -it ${pod} -c server -- sh -c 'tty; stty size; exit 4'`, '/dev/null'], {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, COLUMNS: '90', LINES: '33' },
        input: '',
      });
      assert.match(r.stdout, /\/dev\/pts\/\d+/, r.stdout + r.stderr);
      assert.equal(r.status, 4, r.stdout);
    }
  });
}
