import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/types.js';
import { FakeClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { SimulatedRuntime } from './runtime/simulated.js';
import { PodLifecycle } from './pods.js';
import { PodRouter } from './simnodes.js';

const pod = (name: string, nodeName: string): Pod & KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, managedFields: [{ manager: 'test', operation: 'Update' }] },
  spec: { nodeName, containers: [{ name: 'c', image: 'pause' }] },
});

test('PodRouter: pods go to their node; a relist keeps the listed pods and removes the ones deleted meanwhile', async () => {
  const heap = new TimerHeap(new FakeClock());
  const runtime = new SimulatedRuntime({ heap });
  const removed: string[] = [];
  const statuses: string[] = [];
  const node = new PodLifecycle({
    runtime,
    heap,
    rootDir: '/nonexistent/router',
    nodeName: 'n1',
    nodeIP: '10.0.0.1',
    fileless: true,
    sources: { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async () => [] },
    host: { recordEvent: () => {}, setPodStatus: (p, s) => void statuses.push(`${p.metadata?.name} ${s.phase}`), deletePod: async () => {} },
  });
  const router = new PodRouter((p) => (p.spec?.nodeName === 'n1' ? node : undefined), (uid) => removed.push(uid));
  const idle = () => Promise.all(['a', 'b', 'other'].map((n) => node.whenIdle(`uid-${n}`)));
  try {
    const a = pod('a', 'n1');
    router.replace([a, pod('b', 'n1'), pod('other', 'n2')]);
    await idle();
    assert.equal(a.metadata!.managedFields, undefined, 'listed pods lose their managedFields');
    assert.deepEqual(node.pods().map((p) => p.metadata?.name).sort(), ['a', 'b'], 'a pod of another node is not run here');
    assert.deepEqual(statuses.sort(), ['a Running', 'b Running']);

    // b was deleted while the watch was down: the relist no longer has it.
    router.replace([pod('a', 'n1'), pod('other', 'n2')]);
    await idle();
    assert.deepEqual(removed, ['uid-b']);
    assert.deepEqual(node.pods().map((p) => p.metadata?.name), ['a']);
    assert.equal((await runtime.listPodSandbox()).items.length, 1, "b's sandbox is removed");

    router.delete(pod('a', 'n1'));
    await idle();
    assert.deepEqual(removed, ['uid-b', 'uid-a']);
    assert.equal(node.pods().length, 0);
  } finally {
    node.stop();
    heap.stop();
  }
});
