/**
 * Parity of the streaming verbs against a real k8ts kubelet (process runtime): logs, exec
 * (output, exit codes, stdin, errors) and port-forward, each run with the real kubectl and with
 * `k8ts kubectl` against the same cluster. Prints `parity (kubelet): N/M identical`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { kubectlPath, runCommand } from './helpers/kubectl.js';
import { freePort, startKubeletProcess, until } from './helpers/wait.js';

const cli = join(import.meta.dirname, '..', '..', 'src', 'kubectl', 'cli.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], kubeconfig: string, stdin = ''): Promise<Result> {
  return runCommand(cmd, args, { env: { KUBECONFIG: kubeconfig }, stdin });
}

const httpGet = (port: number, path: string): Promise<string> =>
  new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });

const binary = kubectlPath();

describe('k8ts kubectl parity against a kubelet', { skip: binary ? false : 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let dir: string;
  let kubelet: ChildProcess | undefined;

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.20' });
    dir = mkdtempSync(join(tmpdir(), 'k8ts-kubectl-kubelet-'));
    // detached: the kubelet leads its own process group, so cleanup reaches its container shims.
    kubelet = await startKubeletProcess({ kubeconfig: srv.kubeconfig, nodeName: 'kn', rootDir: join(dir, 'root'), detached: true });
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  nodeName: kn
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo first; echo second; echo oops >&2; sleep 600"]
`;
    await run(binary!, ['apply', '-f', '-'], srv.kubeconfig, pod);
    for (let i = 0; i < 100; i++) {
      const r = await run(binary!, ['get', 'pod', 'sleeper', '-o', 'jsonpath={.status.phase}'], srv.kubeconfig);
      if (r.stdout === 'Running') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Running comes before the container has written its first lines: wait for them too.
    for (let i = 0; i < 100; i++) {
      const r = await run(binary!, ['logs', 'sleeper'], srv.kubeconfig);
      if (r.stdout.includes('oops')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  after(async () => {
    await run(binary!, ['delete', 'pod', 'sleeper', '--grace-period=1'], srv.kubeconfig).catch(() => undefined);
    if (kubelet && kubelet.exitCode === null) {
      const exited = new Promise((r) => kubelet!.once('exit', r));
      kubelet.kill('SIGTERM');
      await exited;
    }
    try {
      if (kubelet?.pid) process.kill(-kubelet.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
    await srv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const steps: Array<{ name: string; args: string[]; stdin?: string }> = [
    { name: 'logs', args: ['logs', 'sleeper'] },
    { name: 'logs --tail', args: ['logs', 'sleeper', '--tail=1'] },
    { name: 'logs -c unknown', args: ['logs', 'sleeper', '-c', 'nope'] },
    { name: 'exec output', args: ['exec', 'sleeper', '--', 'echo', 'hi'] },
    { name: 'exec stderr', args: ['exec', 'sleeper', '--', 'sh', '-c', 'echo to-stderr >&2'] },
    { name: 'exec exit code', args: ['exec', 'sleeper', '--', 'sh', '-c', 'exit 3'] },
    { name: 'exec stdin', args: ['exec', '-i', 'sleeper', '--', 'cat'], stdin: 'piped\n' },
    { name: 'exec missing command', args: ['exec', 'sleeper', '--', 'no-such-command-k8ts'] },
    { name: 'exec unknown container', args: ['exec', 'sleeper', '-c', 'nope', '--', 'true'] },
    { name: 'exec missing pod', args: ['exec', 'nopod', '--', 'true'] },
    { name: 'run -i --rm', args: ['run', 'once', '--image=busybox', '-i', '--rm', '--restart=Never', '--overrides={"spec":{"nodeName":"kn"}}', '--', 'sh', '-c', 'sleep 1; cat; echo out'], stdin: 'piped\n' },
    { name: 'run -i --rm failing', args: ['run', 'fails', '--image=busybox', '-i', '--rm', '--restart=Never', '--overrides={"spec":{"nodeName":"kn"}}', '--', 'sh', '-c', 'sleep 1; cat >&2; exit 3'], stdin: 'to stderr\n' },
    { name: 'run -i --dry-run', args: ['run', 'dry', '--image=busybox', '-i', '--dry-run=client', '--', 'cat'] },
  ];
  // attach -i needs a fresh stdinOnce container per tool: the step names the pod by tool.
  const attachPod = (name: string): string => `{"spec":{"nodeName":"kn","containers":[{"name":"${name}","image":"busybox","stdin":true,"stdinOnce":true,"command":["sh","-c","cat; echo bye"]}]}}`;

  test('logs and exec print what kubectl prints', async () => {
    const differences: string[] = [];
    let identical = 0;
    for (const s of steps) {
      const ra = await run(binary!, s.args, srv.kubeconfig, s.stdin);
      const rb = await run(process.execPath, [cli, ...s.args], srv.kubeconfig, s.stdin);
      if (ra.code === rb.code && ra.stdout === rb.stdout && ra.stderr === rb.stderr) identical++;
      else differences.push(`--- ${s.name}\n[kubectl] ${JSON.stringify(ra)}\n[k8ts] ${JSON.stringify(rb)}`);
    }
    // attach -i: each tool attaches to its own pod; outputs must match.
    const attached: Result[] = [];
    for (const [tool, args] of [
      [binary!, ['attach', '-i', 'att-a']],
      [process.execPath, [cli, 'attach', '-i', 'att-b']],
    ] as const) {
      const pod = tool === binary ? 'att-a' : 'att-b';
      await run(binary!, ['run', pod, '--image=busybox', '--restart=Never', `--overrides=${attachPod(pod)}`], srv.kubeconfig);
      await run(binary!, ['wait', '--for=jsonpath={.status.phase}=Running', `pod/${pod}`, '--timeout=20s'], srv.kubeconfig);
      attached.push(await run(tool, [...args], srv.kubeconfig, 'attached stdin\n'));
    }
    if (JSON.stringify(attached[0]) === JSON.stringify(attached[1])) identical++;
    else differences.push(`--- attach -i\n[kubectl] ${JSON.stringify(attached[0])}\n[k8ts] ${JSON.stringify(attached[1])}`);
    await run(binary!, ['delete', 'pod', 'att-a', 'att-b', '--wait=false'], srv.kubeconfig);
    console.log(`parity (kubelet): ${identical}/${steps.length + 1} identical`);
    assert.deepEqual(differences, [], differences.join('\n'));
  });

  test('cp copies to and from the pod like kubectl', async () => {
    // The process runtime runs the container on the host: remote paths are host paths.
    const src = join(dir, 'cp-src');
    mkdirSync(join(src, 'tree', 'sub'), { recursive: true });
    mkdirSync(join(src, 'tree', 'empty'));
    writeFileSync(join(src, 'tree', 'a.txt'), 'hello\n');
    writeFileSync(join(src, 'tree', 'sub', 'b.bin'), Buffer.from([0, 1, 2, 254, 255]));
    writeFileSync(join(src, 'tree', 'sub', 'n'.repeat(120) + '.txt'), 'long name\n');
    symlinkSync('a.txt', join(src, 'tree', 'link'));
    const cases: Array<{ name: string; args: (d: string) => string[] }> = [
      { name: 'file to pod', args: (d) => ['cp', join(src, 'tree', 'a.txt'), `sleeper:${d}/remote/a1.txt`] },
      { name: 'directory into a pod directory', args: (d) => ['cp', join(src, 'tree'), `sleeper:${d}/remote`] },
      { name: 'directory to a new pod path', args: (d) => ['cp', join(src, 'tree'), `default/sleeper:${d}/remote/renamed`] },
      { name: 'to a missing pod directory', args: (d) => ['cp', join(src, 'tree', 'a.txt'), `sleeper:${d}/nope/deeper/x`] },
      { name: 'file from pod', args: (d) => ['cp', `sleeper:${d}/remote/a1.txt`, `${d}/local/a.txt`] },
      { name: 'directory from pod (symlink skipped)', args: (d) => ['cp', `sleeper:${d}/remote/tree`, `${d}/local/tree`] },
      { name: 'file from pod onto a directory', args: (d) => ['cp', `sleeper:${d}/remote/a1.txt`, `${d}/local/`] },
      { name: 'missing file in pod', args: (d) => ['cp', `sleeper:${d}/remote/nope`, `${d}/local/nope`] },
      { name: 'missing local source', args: (d) => ['cp', `${d}/nope`, `sleeper:${d}/remote/x`] },
      { name: 'two local paths', args: (d) => ['cp', `${d}/a`, `${d}/b`] },
      { name: 'two pods', args: () => ['cp', 'sleeper:/a', 'sleeper:/b'] },
      { name: 'bad filespec', args: () => ['cp', 'a/b/c:/x', '/tmp/x'] },
      { name: 'missing pod', args: (d) => ['cp', 'nopod:/etc/hostname', `${d}/local/x`] },
    ];
    const tree = (root: string): string[] => {
      const out: string[] = [];
      const walk = (p: string, rel: string): void => {
        for (const e of readdirSync(p).sort()) {
          const full = join(p, e);
          const st = statSync(full, { throwIfNoEntry: false });
          const l = (() => {
            try {
              return readlinkSync(full);
            } catch {
              return undefined;
            }
          })();
          if (l !== undefined) out.push(`${rel}${e} -> ${l}`);
          else if (st?.isDirectory()) {
            out.push(`${rel}${e}/`);
            walk(full, `${rel}${e}/`);
          } else out.push(`${rel}${e} ${readFileSync(full).toString('base64')}`);
        }
      };
      walk(root, '');
      return out;
    };
    const differences: string[] = [];
    let identical = 0;
    const roots = { kubectl: join(dir, 'cp-kubectl'), k8ts: join(dir, 'cp-k8ts') };
    for (const r of Object.values(roots)) {
      mkdirSync(join(r, 'remote'), { recursive: true });
      mkdirSync(join(r, 'local'), { recursive: true });
    }
    // What the remote tar prints when copying from the pod races kubectl's return (kubectl stops
    // at the archive's end, and may cut tar's last line short), so tar's own lines are not compared.
    const norm = (x: Result, root: string): Result => ({ code: x.code, stdout: x.stdout.replaceAll(root, 'ROOT').replace(/^\S*tar: .*(\n|$)/gm, ''), stderr: x.stderr.replaceAll(root, 'ROOT') });
    for (const c of cases) {
      const ra = norm(await run(binary!, c.args(roots.kubectl), srv.kubeconfig), roots.kubectl);
      const rb = norm(await run(process.execPath, [cli, ...c.args(roots.k8ts)], srv.kubeconfig), roots.k8ts);
      if (ra.code === rb.code && ra.stdout === rb.stdout && ra.stderr === rb.stderr) identical++;
      else differences.push(`--- ${c.name}\n[kubectl] ${JSON.stringify(ra)}\n[k8ts] ${JSON.stringify(rb)}`);
    }
    console.log(`parity (kubelet cp): ${identical}/${cases.length} identical`);
    assert.deepEqual(differences, [], differences.join('\n'));
    assert.deepEqual(tree(roots.k8ts), tree(roots.kubectl));
    assert.ok(tree(roots.k8ts).includes('local/tree/sub/b.bin AAEC/v8='), tree(roots.k8ts).join('\n'));
  });

  test('exec -i streams stdin as it is typed: each line echoes back before input ends', async () => {
    const child = spawn(process.execPath, [cli, 'exec', '-i', 'sleeper', '--', 'cat'], { env: { ...process.env, KUBECONFIG: srv.kubeconfig }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      child.stdin.write('one\n');
      // With stdin still open, the first line must already have made the round trip.
      await until('first line echoed', async () => (out === 'one\n' ? true : undefined), 15_000);
      child.stdin.end('two\n');
      assert.equal(await exited, 0);
      assert.equal(out, 'one\ntwo\n');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('port-forward forwards a local port to the pod like kubectl', async () => {
    // The process runtime shares the host network: forward to the apiserver's own port.
    const target = new URL(srv.url).port;
    const local = await freePort();
    const child = spawn(process.execPath, [cli, 'port-forward', 'sleeper', `${local}:${target}`, '--address', '127.0.0.1'], { env: { ...process.env, KUBECONFIG: srv.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${out}`)), 15_000);
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (out.includes('Forwarding from')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.equal(out, `Forwarding from 127.0.0.1:${local} -> ${target}\n`);
      const version = JSON.parse(await httpGet(local, '/version')) as { gitVersion: string };
      assert.match(version.gitVersion, /k8ts/);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
