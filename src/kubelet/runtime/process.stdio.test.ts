/**
 * The process runtime's container stdin (attach, stdinOnce, tty) and cgroup placement (limits,
 * OOMKilled, removal), against real processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { realClock } from '../clock.js';
import { TimerHeap } from '../timerheap.js';
import { openProcessRuntime, type ProcessRuntime } from './process.js';
import { sandboxConfig, waitFor } from './runtime.case.js';
import type { ContainerConfig, StreamSession } from './api.js';
import { Cgroups, linuxResources } from './cgroups.js';
import { ptyPython } from './pty.js';

const config = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image: 'busybox' },
  command,
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.container.name': name },
  ...extra,
});

async function withRuntime(fn: (rt: ProcessRuntime, dir: string, cgroups: Cgroups | null) => Promise<void>, cgroups: Cgroups | null = null): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-stdio-'));
  const heap = new TimerHeap(realClock);
  const rt = await openProcessRuntime({ stateDir: join(dir, 'state'), heap, podIP: '127.0.0.1', pumpIntervalMs: 20, cgroups });
  try {
    await fn(rt, dir, cgroups);
  } finally {
    for (const s of (await rt.listPodSandbox()).items) await rt.removePodSandbox({ podSandboxId: s.id });
    await rt.close();
    heap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(rt: ProcessRuntime, dir: string, c: ContainerConfig, uid = 'pod-uid-1'): Promise<{ containerId: string; warnings?: string[] }> {
  const sc = { ...sandboxConfig(join(dir, 'logs')), metadata: { name: 'p', uid, namespace: 'default', attempt: 0 } };
  const { podSandboxId } = await rt.runPodSandbox({ config: sc });
  const r = await rt.createContainer({ podSandboxId, sandboxConfig: sc, config: c });
  await rt.startContainer({ containerId: r.containerId });
  return r;
}

const collect = (r: Readable | undefined): { text: () => string } => {
  let out = '';
  r?.on('data', (b: Buffer) => (out += b.toString()));
  return { text: () => out };
};

const status = async (rt: ProcessRuntime, id: string) => (await rt.containerStatus({ containerId: id })).status;

test('attach: stdin reaches a stdinOnce container and ending the session closes it (cat exits 0)', () =>
  withRuntime(async (rt, dir) => {
    const { containerId } = await run(rt, dir, config('cat', ['cat'], { stdin: true, stdinOnce: true }));
    // Before any attach the container waits on stdin instead of reading EOF.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await status(rt, containerId)).state, 'CONTAINER_RUNNING');
    const s: StreamSession = await rt.attach({ containerId, stdin: true, stdout: true, stderr: true });
    const out = collect(s.stdout);
    s.stdin!.write('hello\n');
    await waitFor('echo', async () => out.text() === 'hello\n');
    s.stdin!.end();
    assert.equal(await s.exited, 0);
    assert.equal((await status(rt, containerId)).reason, 'Completed');
  }));

test('attach: without stdinOnce the container keeps its stdin across sessions', () =>
  withRuntime(async (rt, dir) => {
    const { containerId } = await run(rt, dir, config('reader', ['sh', '-c', 'read a; echo got $a; read b; echo got $b'], { stdin: true }));
    const first = await rt.attach({ containerId, stdin: true, stdout: true });
    const out1 = collect(first.stdout);
    first.stdin!.end('one\n');
    await waitFor('first line', async () => out1.text() === 'got one\n');
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await status(rt, containerId)).state, 'CONTAINER_RUNNING', 'a closed session must not close the stdin');
    const second = await rt.attach({ containerId, stdin: true, stdout: true });
    const out2 = collect(second.stdout);
    second.stdin!.end('two\n');
    assert.equal(await second.exited, 0);
    await waitFor('second line', async () => out2.text().includes('got two'));
  }));

test('attach: stdin asked of a container without stdin is dropped, output still streams', () =>
  withRuntime(async (rt, dir) => {
    const { containerId } = await run(rt, dir, config('ticker', ['sh', '-c', 'while true; do echo tick; sleep 0.1; done']));
    const s = await rt.attach({ containerId, stdin: true, stdout: true });
    const out = collect(s.stdout);
    s.stdin!.write('ignored\n');
    await waitFor('ticks', async () => out.text().includes('tick\n'));
    s.close();
  }));

test('attach: a tty container runs on a pty, echoes input and takes resizes', { skip: ptyPython() ? false : 'no python3 for the pty helper' }, () =>
  withRuntime(async (rt, dir) => {
    const { containerId } = await run(rt, dir, config('term', ['sh', '-c', 'tty; read x; stty size; echo "x=$x"'], { stdin: true, stdinOnce: true, tty: true }));
    const s = await rt.attach({ containerId, stdin: true, stdout: true, stderr: true, tty: true });
    assert.equal(s.stderr, undefined, 'a TTY merges stderr into stdout');
    const out = collect(s.stdout);
    await waitFor('tty name', async () => /\/dev\/pts\/\d+/.test(out.text()));
    s.resize!(91, 17);
    await new Promise((r) => setTimeout(r, 200));
    s.stdin!.write('hi\n');
    assert.equal(await s.exited, 0);
    await waitFor('answer', async () => /17 91\r?\n/.test(out.text()) && /x=hi/.test(out.text()));
  }));

test('linuxResources: shares from the CPU request, CFS quota from the limit, memory limit as is (upstream figures)', () => {
  const cases = [
    { name: 'best effort', in: {}, want: { cpuShares: 2 } },
    { name: 'half a CPU requested', in: { cpuRequestMilli: 500 }, want: { cpuShares: 512 } },
    { name: 'limits', in: { cpuRequestMilli: 100, cpuLimitMilli: 250, memoryLimitBytes: 64 << 20 }, want: { cpuShares: 102, cpuPeriod: 100000, cpuQuota: 25000, memoryLimitInBytes: 64 << 20 } },
    { name: 'tiny limit keeps the minimum quota', in: { cpuLimitMilli: 1 }, want: { cpuShares: 2, cpuPeriod: 100000, cpuQuota: 1000 } },
  ];
  for (const c of cases) assert.deepEqual(linuxResources(c.in), c.want, c.name);
});

const canCgroup = process.getuid?.() === 0 && existsSync('/sys/fs/cgroup/memory/cgroup.procs') && existsSync('/sys/fs/cgroup/cpu/cgroup.procs');

test('cgroups: limits are written, a container over its memory limit is OOMKilled (137), the cgroups go with the pod', { skip: canCgroup ? false : 'needs root and cgroup v1 memory+cpu' }, async () => {
  const cgroups = new Cgroups();
  const uid = `k8ts-test-${process.pid}`;
  try {
    await withRuntime(async (rt, dir) => {
      const hog = config('hog', ['sh', '-c', 'head -c 400000000 /dev/zero | tail -n 1 > /dev/null'], {
        linux: { resources: linuxResources({ cpuRequestMilli: 250, cpuLimitMilli: 500, memoryLimitBytes: 32 << 20 }) },
      });
      const { containerId, warnings } = await run(rt, dir, hog, uid);
      assert.equal(warnings, undefined);
      const [memDir, cpuDir] = cgroups.containerDirs(uid, containerId) as [string, string];
      assert.equal(readFileSync(join(memDir, 'memory.limit_in_bytes'), 'utf8').trim(), String(32 << 20));
      assert.equal(readFileSync(join(cpuDir, 'cpu.shares'), 'utf8').trim(), '256');
      assert.equal(readFileSync(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
      await waitFor('exit', async () => (await status(rt, containerId)).state === 'CONTAINER_EXITED', 20_000);
      const st = await status(rt, containerId);
      assert.equal(st.exitCode, 137);
      assert.equal(st.reason, 'OOMKilled');
      for (const s of (await rt.listPodSandbox()).items) await rt.removePodSandbox({ podSandboxId: s.id });
      for (const d of cgroups.podDirs(uid)) assert.equal(existsSync(d), false, `${d} removed with the pod`);
    }, cgroups);
  } finally {
    cgroups.removePod(uid);
  }
});

test('cgroups: where placement is impossible the container runs without limits and the first container says so once', async () => {
  const cgroups = new Cgroups({ mountRoot: join(tmpdir(), `k8ts-no-cgroups-${process.pid}`) });
  await withRuntime(async (rt, dir) => {
    const sc = { ...sandboxConfig(join(dir, 'logs')), metadata: { name: 'p', uid: 'u1', namespace: 'default', attempt: 0 } };
    const { podSandboxId } = await rt.runPodSandbox({ config: sc });
    const first = await rt.createContainer({ podSandboxId, sandboxConfig: sc, config: config('a', ['sh', '-c', 'echo ran'], { linux: { resources: { memoryLimitInBytes: 1 << 20 } } }) });
    const second = await rt.createContainer({ podSandboxId, sandboxConfig: sc, config: config('b', ['true']) });
    assert.match(first.warnings?.[0] ?? '', /run without resource limits: cgroup v1 memory controller not mounted/);
    assert.equal(second.warnings, undefined);
    await rt.startContainer({ containerId: first.containerId });
    await waitFor('exit', async () => (await status(rt, first.containerId)).state === 'CONTAINER_EXITED');
    assert.equal((await status(rt, first.containerId)).exitCode, 0);
  }, cgroups);
});
