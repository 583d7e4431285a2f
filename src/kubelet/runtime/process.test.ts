import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realClock } from '../clock.js';
import { TimerHeap } from '../timerheap.js';
import { openProcessRuntime, processAlive, type ProcessRuntime } from './process.js';
import { runtimeConformance, sandboxConfig, waitFor } from './runtime.case.js';
import { type ContainerConfig, RuntimeError } from './api.js';

const config = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image: 'busybox' },
  command,
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.container.name': name },
  ...extra,
});

interface Env {
  dir: string;
  heap: TimerHeap;
  rt: ProcessRuntime;
  /** pids started, so cleanup can kill any survivor by pid (never by name). */
  cleanup(): Promise<void>;
}

async function open(dir = mkdtempSync(join(tmpdir(), 'k8ts-proc-'))): Promise<Env> {
  const heap = new TimerHeap(realClock);
  const rt = await openProcessRuntime({ stateDir: join(dir, 'state'), heap, podIP: '127.0.0.1', pumpIntervalMs: 20, adoptPollMs: 50 });
  return {
    dir,
    heap,
    rt,
    cleanup: async () => {
      for (const s of (await rt.listPodSandbox()).items) await rt.removePodSandbox({ podSandboxId: s.id });
      await rt.close();
      heap.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

runtimeConformance('process', async () => {
  const e = await open();
  return {
    runtime: e.rt,
    logDir: join(e.dir, 'logs'),
    runs: (name) => config(name, ['sleep', '60']),
    exits: (name, code) => config(name, ['sh', '-c', `exit ${code}`]),
    execCommand: (code) => ['sh', '-c', `exit ${code}`],
    cleanup: e.cleanup,
  };
});

const state = async (rt: ProcessRuntime, id: string) => (await rt.containerStatus({ containerId: id })).status;

test('process runtime: stdout/stderr land in a CRI-format log; env, working dir and mounts are set', async () => {
  const e = await open();
  try {
    const logDir = join(e.dir, 'logs');
    const sc = sandboxConfig(logDir);
    const vol = join(e.dir, 'vol');
    mkdirSync(vol);
    writeFileSync(join(vol, 'key'), 'from-volume');
    const { podSandboxId } = await e.rt.runPodSandbox({ config: sc });
    const script = 'echo "hello $GREETING"; pwd; cat ../etc/config/key; echo; printf partial; echo oops >&2; exit 0';
    const { containerId } = await e.rt.createContainer({
      podSandboxId,
      sandboxConfig: sc,
      config: config('app', ['sh', '-c'], {
        args: [script],
        envs: [{ key: 'GREETING', value: 'world' }],
        workingDir: '/work',
        mounts: [{ containerPath: '/etc/config', hostPath: vol, readonly: true }],
      }),
    });
    await e.rt.startContainer({ containerId });
    await waitFor('exit', async () => (await state(e.rt, containerId)).state === 'CONTAINER_EXITED');
    const st = await state(e.rt, containerId);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    const lines = readFileSync(st.logPath, 'utf8').trimEnd().split('\n');
    const re = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) (F|P) (.*)$/;
    const parsed = lines.map((l) => {
      const m = re.exec(l);
      assert.ok(m, `CRI log line: ${l}`);
      return `${m[1]} ${m[2]} ${m[3]}`;
    });
    assert.deepEqual(parsed.filter((l) => l.startsWith('stdout')), [
      'stdout F hello world',
      `stdout F ${join(e.dir, 'state', 'containers', containerId, 'rootfs', 'work')}`,
      'stdout F from-volume',
      'stdout P partial',
    ]);
    assert.deepEqual(parsed.filter((l) => l.startsWith('stderr')), ['stderr F oops']);
  } finally {
    await e.cleanup();
  }
});

test('process runtime: a container without command, or with an unknown one, fails with a clear error', async () => {
  const e = await open();
  try {
    const sc = sandboxConfig(join(e.dir, 'logs'));
    const { podSandboxId } = await e.rt.runPodSandbox({ config: sc });
    await assert.rejects(
      e.rt.createContainer({ podSandboxId, sandboxConfig: sc, config: config('nginx', []) }),
      (err: unknown) => err instanceof RuntimeError && err.code === 'FailedPrecondition' && /must set "command"/.test(err.message),
    );
    const { containerId } = await e.rt.createContainer({ podSandboxId, sandboxConfig: sc, config: config('x', ['no-such-binary-k8ts']) });
    await assert.rejects(e.rt.startContainer({ containerId }), /exec: "no-such-binary-k8ts": executable file not found in \$PATH/);
  } finally {
    await e.cleanup();
  }
});

test('process runtime: StopContainer sends SIGTERM, waits the grace period, then SIGKILLs the whole group', async () => {
  const e = await open();
  try {
    const sc = sandboxConfig(join(e.dir, 'logs'));
    const { podSandboxId } = await e.rt.runPodSandbox({ config: sc });
    // Ignores SIGTERM and leaves a grandchild in its process group.
    const { containerId } = await e.rt.createContainer({
      podSandboxId,
      sandboxConfig: sc,
      config: config('stubborn', ['sh', '-c', 'trap "" TERM; sleep 60 & echo $! > child.pid; while :; do sleep 0.05; done']),
    });
    await e.rt.startContainer({ containerId });
    const childPidFile = join(e.dir, 'state', 'containers', containerId, 'rootfs', 'child.pid');
    const grandchild = await waitFor('grandchild', () => (existsSync(childPidFile) ? Number(readFileSync(childPidFile, 'utf8')) || undefined : undefined));
    const t0 = Date.now();
    await e.rt.stopContainer({ containerId, timeout: 1 });
    const took = Date.now() - t0;
    assert.ok(took >= 950 && took < 3000, `honoured the 1 s grace period (took ${took} ms)`);
    const st = await state(e.rt, containerId);
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.exitCode, 137);
    await waitFor('grandchild gone', () => !processAlive(grandchild, undefined));
  } finally {
    await e.cleanup();
  }
});

test('process runtime: a restarted runtime adopts running processes and learns their exit code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-proc-'));
  const first = await open(dir);
  const sc = sandboxConfig(join(dir, 'logs'));
  const { podSandboxId } = await first.rt.runPodSandbox({ config: sc });
  const flag = join(dir, 'go');
  const { containerId } = await first.rt.createContainer({
    podSandboxId,
    sandboxConfig: sc,
    config: config('app', ['sh', '-c', `echo before; while [ ! -e ${flag} ]; do sleep 0.02; done; echo after; exit 7`]),
  });
  await first.rt.startContainer({ containerId });
  await waitFor('before', () => {
    const p = join(dir, 'logs', 'app', '0.log');
    return existsSync(p) && readFileSync(p, 'utf8').includes('before');
  });
  // The kubelet goes away without stopping anything (as after SIGKILL).
  await first.rt.close();
  first.heap.stop();

  const second = await open(dir);
  try {
    const st = await state(second.rt, containerId);
    assert.equal(st.state, 'CONTAINER_RUNNING', 'adopted, not restarted');
    assert.equal((await second.rt.listContainers()).containers.length, 1);
    writeFileSync(flag, '');
    await waitFor('adopted exit', async () => (await state(second.rt, containerId)).state === 'CONTAINER_EXITED');
    const done = await state(second.rt, containerId);
    assert.equal(done.exitCode, 7);
    const log = readFileSync(done.logPath, 'utf8');
    assert.equal(log.match(/stdout F before/g)?.length, 1, 'no line pumped twice');
    assert.match(log, /stdout F after/);
  } finally {
    await second.cleanup();
  }
});
