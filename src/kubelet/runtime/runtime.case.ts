/**
 * The conformance suite every RuntimeService implementation passes (as upstream's
 * storage/testing suites run against every backend). A runtime's test file calls
 * `runtimeConformance` with a fixture that knows how to script containers for that runtime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ContainerConfig, type ContainerState, type PodSandboxConfig, type RuntimeService, isNotFound } from './api.js';

export interface RuntimeFixture {
  runtime: RuntimeService;
  logDir: string;
  /** runs is a container config that runs until stopped. */
  runs(name: string): ContainerConfig;
  /** exits is a container config that exits by itself soon with `code`. */
  exits(name: string, code: number): ContainerConfig;
  /** execExitCode: ExecSync of `cmd` in a `runs` container returns `code` (exec probes). */
  execCommand(code: number): string[];
  cleanup(): Promise<void>;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function sandboxConfig(logDir: string, name = 'web', labels: Record<string, string> = {}): PodSandboxConfig {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    logDirectory: logDir,
    labels: { 'io.kubernetes.pod.name': name, ...labels },
  };
}

export function runtimeConformance(name: string, setup: () => Promise<RuntimeFixture>): void {
  const withFixture = (title: string, fn: (f: RuntimeFixture) => Promise<void>): void => {
    test(`${name} runtime: ${title}`, async () => {
      const f = await setup();
      try {
        await fn(f);
      } finally {
        await f.cleanup();
      }
    });
  };

  const stateOf = async (rt: RuntimeService, id: string): Promise<ContainerState> => (await rt.containerStatus({ containerId: id })).status.state;

  withFixture('Version names the runtime and API v1', async ({ runtime }) => {
    const v = await runtime.version();
    assert.equal(v.runtimeApiVersion, 'v1');
    assert.ok(v.runtimeName.length > 0);
  });

  withFixture('sandbox lifecycle: run, status, list with filters, stop, remove (idempotent)', async ({ runtime, logDir }) => {
    const { podSandboxId: a } = await runtime.runPodSandbox({ config: sandboxConfig(logDir, 'a', { app: 'x' }) });
    const { podSandboxId: b } = await runtime.runPodSandbox({ config: sandboxConfig(logDir, 'b', { app: 'y' }) });
    const st = (await runtime.podSandboxStatus({ podSandboxId: a })).status;
    assert.equal(st.state, 'SANDBOX_READY');
    assert.equal(st.metadata.name, 'a');
    assert.match(st.network.ip, /^\d+\.\d+\.\d+\.\d+$|:/);
    assert.ok(st.createdAt > 0n);
    assert.deepEqual((await runtime.listPodSandbox({ filter: { labelSelector: { app: 'y' } } })).items.map((s) => s.id), [b]);
    assert.equal((await runtime.listPodSandbox()).items.length, 2);
    await runtime.stopPodSandbox({ podSandboxId: a });
    await runtime.stopPodSandbox({ podSandboxId: a });
    assert.equal((await runtime.podSandboxStatus({ podSandboxId: a })).status.state, 'SANDBOX_NOTREADY');
    assert.deepEqual((await runtime.listPodSandbox({ filter: { state: 'SANDBOX_READY' } })).items.map((s) => s.id), [b]);
    await runtime.removePodSandbox({ podSandboxId: a });
    await runtime.removePodSandbox({ podSandboxId: a });
    await assert.rejects(runtime.podSandboxStatus({ podSandboxId: a }), isNotFound);
  });

  withFixture('container lifecycle: created, running, stopped with a grace period, removed', async (f) => {
    const { runtime, logDir } = f;
    const sc = sandboxConfig(logDir);
    const { podSandboxId } = await runtime.runPodSandbox({ config: sc });
    const { containerId } = await runtime.createContainer({ podSandboxId, config: f.runs('app'), sandboxConfig: sc });
    let st = (await runtime.containerStatus({ containerId })).status;
    assert.equal(st.state, 'CONTAINER_CREATED');
    assert.equal(st.metadata.name, 'app');
    assert.equal(st.startedAt, 0n);
    assert.ok(st.logPath.startsWith(logDir));
    await runtime.startContainer({ containerId });
    await waitFor('running', async () => (await stateOf(runtime, containerId)) === 'CONTAINER_RUNNING');
    st = (await runtime.containerStatus({ containerId })).status;
    assert.ok(st.startedAt >= st.createdAt);
    assert.deepEqual((await runtime.listContainers({ filter: { podSandboxId, state: 'CONTAINER_RUNNING' } })).containers.map((c) => c.id), [containerId]);
    assert.equal((await runtime.listContainers({ filter: { labelSelector: { 'io.kubernetes.container.name': 'app' } } })).containers.length, 1);
    await runtime.stopContainer({ containerId, timeout: 5 });
    st = (await runtime.containerStatus({ containerId })).status;
    assert.equal(st.state, 'CONTAINER_EXITED');
    assert.equal(st.exitCode, 143, 'SIGTERM exit code');
    assert.equal(st.reason, 'Error');
    assert.ok(st.finishedAt >= st.startedAt);
    await runtime.stopContainer({ containerId, timeout: 5 });
    await runtime.removeContainer({ containerId });
    await runtime.removeContainer({ containerId });
    await assert.rejects(runtime.containerStatus({ containerId }), isNotFound);
    assert.equal((await runtime.listContainers()).containers.length, 0);
  });

  withFixture('containers that exit report exit code and reason Completed / Error', async (f) => {
    const { runtime, logDir } = f;
    const sc = sandboxConfig(logDir);
    const { podSandboxId } = await runtime.runPodSandbox({ config: sc });
    for (const [code, reason] of [
      [0, 'Completed'],
      [3, 'Error'],
    ] as const) {
      const { containerId } = await runtime.createContainer({ podSandboxId, config: f.exits(`c${code}`, code), sandboxConfig: sc });
      await runtime.startContainer({ containerId });
      await waitFor(`exit ${code}`, async () => (await stateOf(runtime, containerId)) === 'CONTAINER_EXITED');
      const st = (await runtime.containerStatus({ containerId })).status;
      assert.equal(st.exitCode, code);
      assert.equal(st.reason, reason);
    }
  });

  withFixture('ExecSync returns the exit code; exec in a stopped container fails', async (f) => {
    const { runtime, logDir } = f;
    const sc = sandboxConfig(logDir);
    const { podSandboxId } = await runtime.runPodSandbox({ config: sc });
    const { containerId } = await runtime.createContainer({ podSandboxId, config: f.runs('app'), sandboxConfig: sc });
    await runtime.startContainer({ containerId });
    await waitFor('running', async () => (await stateOf(runtime, containerId)) === 'CONTAINER_RUNNING');
    assert.equal((await runtime.execSync({ containerId, cmd: f.execCommand(0), timeout: 5 })).exitCode, 0);
    await runtime.stopContainer({ containerId, timeout: 0 });
    await assert.rejects(runtime.execSync({ containerId, cmd: f.execCommand(0), timeout: 5 }));
  });

  withFixture('container events and StopPodSandbox stopping what still runs', async (f) => {
    const { runtime, logDir } = f;
    const sc = sandboxConfig(logDir);
    const events: ContainerState[] = [];
    const off = runtime.onContainerEvent((e) => events.push(e.state));
    const { podSandboxId } = await runtime.runPodSandbox({ config: sc });
    const { containerId } = await runtime.createContainer({ podSandboxId, config: f.runs('app'), sandboxConfig: sc });
    await runtime.startContainer({ containerId });
    await waitFor('running', async () => (await stateOf(runtime, containerId)) === 'CONTAINER_RUNNING');
    await runtime.stopPodSandbox({ podSandboxId });
    assert.equal(await stateOf(runtime, containerId), 'CONTAINER_EXITED');
    await waitFor('exit event', () => events.includes('CONTAINER_EXITED'));
    assert.deepEqual(events, ['CONTAINER_RUNNING', 'CONTAINER_EXITED']);
    off();
    await assert.rejects(runtime.createContainer({ podSandboxId, config: f.runs('late'), sandboxConfig: sc }));
  });
}
