/**
 * End-to-end: container stdin through the kubelet's attach endpoint, driven by the real kubectl
 * on `k8ts server` with the process runtime: `kubectl run -i --rm` (stdinOnce: the container's
 * stdin closes when kubectl's does), `kubectl attach -i` to a `stdin: true` container over
 * WebSocket (v5.channel.k8s.io) and over SPDY (forced, and kubectl 1.27 which speaks only
 * SPDY), exec over SPDY, stdin kept open across sessions without stdinOnce, `-it` on a
 * `tty: true` container, attach to a container without stdin, and the OOMKilled status of a
 * container over its memory limit (with its cgroups removed with the pod).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { Cgroups } from '../../src/kubelet/runtime/cgroups.js';
import { kubectl, kubectlPath, type KubectlResult } from './helpers/kubectl.js';
import { killGroupsUnder, stopChild, until } from './helpers/wait.js';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'k8ts.js');

const hasScript = spawnSync('sh', ['-c', 'command -v script']).status === 0;
const canCgroup = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/memory/cgroup.procs') && existsSync('/sys/fs/cgroup/cpu/cgroup.procs');

/** oldKubectl is kubectl 1.27 next to the default one: it speaks SPDY only. */
function oldKubectl(): string | undefined {
  const main = kubectlPath();
  if (!main) return undefined;
  const p = join(dirname(realpathSync(main)), 'kubectl.1.27');
  return existsSync(p) ? p : undefined;
}

if (!kubectlPath()) test('kubelet attach e2e', { skip: 'kubectl not installed' }, () => {});
else {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-attach-e2e-'));
  const kubeconfig = join(dir, 'admin.yaml');
  let server: ChildProcess;
  let serverOut = '';
  const k = (args: string[], o: { stdin?: string; env?: Record<string, string>; binary?: string } = {}): Promise<KubectlResult> => kubectl(args, { kubeconfig, timeoutMs: 30_000, ...o });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await k(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const running = (pod: string): Promise<true> => until(`${pod} running`, async () => ((await ok('get', 'pod', pod, '-o', 'jsonpath={.status.phase}')) === 'Running' ? true : undefined));

  before(async () => {
    server = spawn(process.execPath, [bin, 'server', '--data-dir', join(dir, 'data'), '--https-listen-port', '0', '--kubelet-port', '0', '--stop-pods-on-exit', '-o', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (b: Buffer) => (serverOut += b.toString()));
    server.stderr!.on('data', (b: Buffer) => (serverOut += b.toString()));
    await until('server ready', async () => (/k8ts server is ready/.test(serverOut) ? true : server.exitCode !== null ? Promise.reject(new Error(serverOut)) : undefined));
    await until('node Ready', async () => (/\sReady\s/.test((await k(['get', 'nodes', '--no-headers'])).stdout) ? true : undefined));
    await until('default service account', async () => ((await k(['get', 'serviceaccount', 'default'])).code === 0 ? true : undefined));
  });

  after(async () => {
    // The pods' cgroups, removed by name should the server not get to it.
    const uids = server?.exitCode === null ? (await k(['get', 'pods', '-A', '-o', 'jsonpath={.items[*].metadata.uid}']).catch(() => ({ stdout: '' }))).stdout.split(' ').filter(Boolean) : [];
    await stopChild(server);
    killGroupsUnder(dir);
    const cgroups = new Cgroups();
    for (const uid of uids) cgroups.removePod(uid);
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubectl run -i --rm: stdin reaches cat, its EOF ends the container, the pod is deleted', async () => {
    const r = await k(['run', '-i', '--rm', '--restart=Never', '--image=busybox', 'catter', '--', 'cat'], { stdin: 'hello from stdin\nsecond line\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello from stdin\nsecond line\n/);
    assert.match(r.stdout + r.stderr, /pod "catter" deleted/);
    await until('pod gone', async () => ((await k(['get', 'pod', 'catter'])).code !== 0 ? true : undefined));
  });

  test('kubectl run -i: the container exit code is kubectl run exit code', async () => {
    const r = await k(['run', '-i', '--rm', '--restart=Never', '--image=busybox', 'failer', '--', 'sh', '-c', 'read x; echo "read $x"; exit 3'], { stdin: 'word\n' });
    assert.match(r.stdout, /read word/);
    assert.equal(r.code, 3, r.stdout + r.stderr);
  });

  test('kubectl attach -i over WebSocket and over SPDY; without stdinOnce stdin stays open between sessions', async () => {
    writeFileSync(
      join(dir, 'reader.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: reader}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    stdin: true
    command: ["sh", "-c", "while read l; do echo \\"got $l\\"; done; echo stdin-closed"]
`,
    );
    await ok('apply', '-f', join(dir, 'reader.yaml'));
    await running('reader');
    const sessions: Array<{ name: string; env?: Record<string, string>; binary?: string }> = [
      { name: 'websocket' },
      { name: 'spdy (websockets off)', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } },
      ...(oldKubectl() ? [{ name: 'kubectl 1.27 (spdy only)', binary: oldKubectl()! }] : []),
    ];
    for (const [i, s] of sessions.entries()) {
      // kubectl attach streams until the container exits (or it is interrupted), also after its
      // own stdin ended; the container reads on.
      const child = spawn(s.binary ?? 'kubectl', ['--kubeconfig', kubeconfig, 'attach', '-i', 'reader'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...(s.env ?? {}) } });
      let out = '';
      child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
      child.stdin!.end(`line ${i}\n`);
      try {
        await until(`${s.name}: echoed through attach`, async () => (out.includes(`got line ${i}\n`) ? true : undefined), 10_000);
      } finally {
        child.kill('SIGKILL');
      }
      assert.match(await ok('logs', 'reader'), new RegExp(`got line ${i}\n`), s.name);
      assert.equal(await ok('get', 'pod', 'reader', '-o', 'jsonpath={.status.containerStatuses[0].ready}'), 'true', `${s.name}: still running`);
    }
    assert.doesNotMatch(await ok('logs', 'reader'), /stdin-closed/);
    // exec over SPDY too: stdin, stdout, stderr and the exit code from the v4 error stream.
    for (const s of sessions.slice(1)) {
      const o = { ...(s.env ? { env: s.env } : {}), ...(s.binary ? { binary: s.binary } : {}) };
      const cat = await k(['exec', '-i', 'reader', '--', 'cat'], { stdin: 'via spdy\n', ...o });
      assert.equal(cat.stdout, 'via spdy\n', `${s.name}: ${cat.stderr}`);
      const failing = await k(['exec', 'reader', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], o);
      assert.equal(failing.code, 3, `${s.name}: ${failing.stderr}`);
      assert.equal(failing.stdout, 'out\n');
      assert.match(failing.stderr, /err\n/);
    }
    await ok('delete', 'pod', 'reader', '--wait=false');
  });

  test('kubectl attach -i to a container without stdin streams its output; -t on a container without a TTY is refused by kubectl', async () => {
    await ok('run', 'ticker', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'while true; do echo tick; sleep 0.3; done');
    await running('ticker');
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'attach', '-i', '-t', 'ticker'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.stdin!.write('ignored\n');
    try {
      await until('ticks through attach', async () => (/tick\n/.test(out) ? true : undefined), 10_000);
      assert.match(out, /Unable to use a TTY - container ticker did not allocate one/);
    } finally {
      child.kill('SIGKILL');
    }
    await ok('delete', 'pod', 'ticker', '--wait=false');
  });

  test('kubectl attach -it to a tty container: a terminal inside, input echoed, stdinOnce ends it', { skip: hasScript ? false : 'no script(1) to give kubectl a terminal' }, async () => {
    writeFileSync(
      join(dir, 'term.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: term}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    stdin: true
    stdinOnce: true
    tty: true
    command: ["sh", "-c", "read x; tty; echo \\"answer=$x\\""]
`,
    );
    await ok('apply', '-f', join(dir, 'term.yaml'));
    await running('term');
    const r = spawnSync('script', ['-qec', `kubectl --kubeconfig ${kubeconfig} attach -it term`, '/dev/null'], { encoding: 'utf8', timeout: 20_000, input: 'forty-two\n' });
    assert.match(r.stdout, /answer=forty-two/, r.stdout + r.stderr);
    assert.match(r.stdout, /\/dev\/pts\/\d+/);
    await until('term Succeeded', async () => ((await ok('get', 'pod', 'term', '-o', 'jsonpath={.status.phase}')) === 'Succeeded' ? true : undefined), 10_000);
  });

  test('a container over its memory limit is OOMKilled with exit code 137', { skip: canCgroup ? false : 'needs root and cgroup v1 memory+cpu' }, async () => {
    writeFileSync(
      join(dir, 'hog.yaml'),
      `apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "head -c 400000000 /dev/zero | tail -n 1 > /dev/null"]
    resources:
      limits: {memory: 32Mi, cpu: 500m}
`,
    );
    await ok('apply', '-f', join(dir, 'hog.yaml'));
    const term = await until('hog terminated', async () => {
      const out = await ok('get', 'pod', 'hog', '-o', 'jsonpath={.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode}');
      return out.trim() ? out : undefined;
    });
    assert.equal(term, 'OOMKilled 137');
    assert.match(await ok('get', 'pod', 'hog'), /OOMKilled/);
    const uid = await ok('get', 'pod', 'hog', '-o', 'jsonpath={.metadata.uid}');
    await ok('delete', 'pod', 'hog');
    // The pod's cgroups go with it (nested under the server's own cgroup, whichever that is).
    const own = /^\d+:memory:(.*)$/m.exec(readFileSync(`/proc/${server.pid}/cgroup`, 'utf8'))?.[1] ?? '/';
    await until('pod cgroup removed', async () => (existsSync(join('/sys/fs/cgroup/memory', own, 'kubepods', `pod${uid}`)) ? undefined : true), 10_000);
  });
}
