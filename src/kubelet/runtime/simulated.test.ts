import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock, FakeClock } from '../clock.js';
import { TimerHeap } from '../timerheap.js';
import { SimulatedRuntime, simulatedAnnotations } from './simulated.js';
import { runtimeConformance, sandboxConfig } from './runtime.case.js';
import type { ContainerConfig } from './api.js';

const config = (name: string, annotations: Record<string, string> = {}): ContainerConfig => ({
  metadata: { name, attempt: 0 },
  image: { image: 'registry.k8s.io/pause:3.10' },
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.container.name': name },
  annotations,
});

runtimeConformance('simulated', async () => {
  const heap = new TimerHeap(realClock);
  const runtime = new SimulatedRuntime({ heap });
  return {
    runtime,
    logDir: '/nonexistent/simulated-logs',
    runs: (name) => config(name),
    exits: (name, code) => config(name, { [simulatedAnnotations.exitAfterMs]: '5', [simulatedAnnotations.exitCode]: String(code) }),
    execCommand: () => ['true'],
    cleanup: async () => {
      await runtime.close();
      heap.stop();
    },
  };
});

test('simulated runtime: start delay and scripted exit follow the injected clock', async () => {
  const clock = new FakeClock();
  const heap = new TimerHeap(clock);
  const rt = new SimulatedRuntime({ heap, podIP: '10.1.2.3' });
  const sc = sandboxConfig('/logs');
  const { podSandboxId } = await rt.runPodSandbox({ config: sc });
  assert.equal((await rt.podSandboxStatus({ podSandboxId })).status.network.ip, '10.1.2.3');
  const { containerId } = await rt.createContainer({
    podSandboxId,
    sandboxConfig: sc,
    config: config('c', {
      [simulatedAnnotations.startDelayMs]: '1000',
      [simulatedAnnotations.exitAfterMs]: '5000',
      [simulatedAnnotations.exitCode]: '2',
      [simulatedAnnotations.execExitCode]: '1',
    }),
  });
  await rt.startContainer({ containerId });
  const state = async (): Promise<string> => (await rt.containerStatus({ containerId })).status.state;
  assert.equal(await state(), 'CONTAINER_CREATED');
  clock.advance(1000);
  assert.equal(await state(), 'CONTAINER_RUNNING');
  assert.equal((await rt.execSync({ containerId, cmd: ['x'], timeout: 1 })).exitCode, 1);
  clock.advance(4999);
  assert.equal(await state(), 'CONTAINER_RUNNING');
  clock.advance(1);
  const st = (await rt.containerStatus({ containerId })).status;
  assert.equal(st.state, 'CONTAINER_EXITED');
  assert.equal(st.exitCode, 2);
  assert.equal(st.finishedAt - st.startedAt, 5000n * 1_000_000n);
  await rt.close();
  heap.stop();
});

test('runtime store: lists by pod uid label see that pod only, through creations, removals and re-creations', async () => {
  const heap = new TimerHeap(realClock);
  const rt = new SimulatedRuntime({ heap });
  try {
    const uid = 'io.kubernetes.pod.uid';
    const ids: Record<string, { sandbox: string; containers: string[] }> = {};
    for (const pod of ['a', 'b']) {
      const sc = { ...sandboxConfig('/logs'), labels: { [uid]: pod } };
      const { podSandboxId } = await rt.runPodSandbox({ config: sc });
      const containers: string[] = [];
      for (const name of ['x', 'y']) {
        const c = config(name);
        containers.push((await rt.createContainer({ podSandboxId, sandboxConfig: sc, config: { ...c, labels: { ...c.labels, [uid]: pod } } })).containerId);
      }
      ids[pod] = { sandbox: podSandboxId, containers };
    }
    const containersOf = async (pod: string): Promise<string[]> => (await rt.listContainers({ filter: { labelSelector: { [uid]: pod } } })).containers.map((c) => c.id).sort();
    assert.deepEqual(await containersOf('a'), [...ids['a']!.containers].sort());
    assert.deepEqual((await rt.listPodSandbox({ filter: { labelSelector: { [uid]: 'b' } } })).items.map((s) => s.id), [ids['b']!.sandbox]);
    assert.deepEqual(await containersOf('c'), []);
    // The index and a further label must both hold.
    assert.deepEqual((await rt.listContainers({ filter: { labelSelector: { [uid]: 'a', 'io.kubernetes.container.name': 'y' } } })).containers.map((c) => c.id), [ids['a']!.containers[1]]);
    await rt.removeContainer({ containerId: ids['a']!.containers[0]! });
    assert.deepEqual(await containersOf('a'), [ids['a']!.containers[1]]);
    await rt.removePodSandbox({ podSandboxId: ids['a']!.sandbox });
    assert.deepEqual(await containersOf('a'), []);
    assert.deepEqual((await rt.listPodSandbox({ filter: { labelSelector: { [uid]: 'a' } } })).items, []);
    assert.equal((await rt.listContainers()).containers.length, 2, 'pod b untouched');
    assert.equal(new Set([...ids['a']!.containers, ...ids['b']!.containers, ids['a']!.sandbox, ids['b']!.sandbox]).size, 6, 'ids are unique');
    assert.match(ids['a']!.sandbox, /^[0-9a-f]{64}$/, 'CRI-shaped ids');
  } finally {
    await rt.close();
    heap.stop();
  }
});
