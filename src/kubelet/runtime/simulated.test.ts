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
