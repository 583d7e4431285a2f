import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { FakeClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { SimulatedRuntime, simulatedAnnotations } from './runtime/simulated.js';
import { createHash } from 'node:crypto';
import { deepEqual } from '../api/patch/json.js';
import { PodLifecycle, type PodHost, goDuration, podsDifferSemantically, containerHash, labels as containerLabels, annotations as containerAnnotations } from './pods.js';

interface Recorded {
  statuses: PodStatus[];
  events: string[];
  deleted: string[];
}

function setup() {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const heap = new TimerHeap(clock);
  const runtime = new SimulatedRuntime({ heap, podIP: '10.0.0.9' });
  const rootDir = mkdtempSync(join(tmpdir(), 'k8ts-pods-'));
  const rec: Recorded = { statuses: [], events: [], deleted: [] };
  const host: PodHost = {
    recordEvent: (_pod, type, reason, message) => rec.events.push(`${type} ${reason} ${message}`),
    setPodStatus: (_pod, status) => void rec.statuses.push(status),
    deletePod: async (pod) => void rec.deleted.push(pod.metadata?.name ?? ''),
  };
  const pl = new PodLifecycle({
    runtime,
    heap,
    rootDir,
    nodeName: 'node-a',
    nodeIP: '10.0.0.9',
    host,
    sources: { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async () => [] },
  });
  const settle = async (uid: string): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      await pl.whenIdle(uid);
    }
  };
  const advance = async (uid: string, ms: number, step = 1000): Promise<void> => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(Math.min(step, ms - t));
      await settle(uid);
    }
  };
  return {
    clock,
    heap,
    runtime,
    pl,
    rec,
    settle,
    advance,
    last: () => rec.statuses.at(-1)!,
    /** countLists counts the runtime's ListContainers calls from now on (each pod sync reads it). */
    countLists: (): (() => number) => {
      let n = 0;
      const list = runtime.listContainers.bind(runtime);
      runtime.listContainers = (req) => (n++, list(req));
      return () => n;
    },
    cleanup: async () => {
      pl.stop();
      await runtime.close();
      heap.stop();
      rmSync(rootDir, { recursive: true, force: true });
    },
  };
}

const pod = (name: string, annotations: Record<string, string>, spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, annotations },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'img' }], ...spec },
});

test('goDuration prints like Go', () => {
  assert.deepEqual([10_000, 20_000, 80_000, 160_000, 300_000, 3_600_000].map(goDuration), ['10s', '20s', '1m20s', '2m40s', '5m0s', '1h0m0s']);
});

test('PodLifecycle: a running pod reports Running/Ready with pod IP and events', async () => {
  const s = setup();
  try {
    const p = pod('web', {});
    s.pl.updatePod(p);
    await s.settle('uid-web');
    const st = s.last();
    assert.equal(st.phase, 'Running');
    assert.equal(st.podIP, '10.0.0.9');
    assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    assert.equal(st.containerStatuses![0]!.restartCount, 0);
    assert.match(st.containerStatuses![0]!.containerID!, /^simulated:\/\//);
    assert.deepEqual(s.rec.events, ['Normal Created Created container app', 'Normal Started Started container app']);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: CrashLoopBackOff restarts at 10s, 20s, 40s ... 5m with an injected clock', async () => {
  const s = setup();
  try {
    // The container runs 1 s then exits 1, forever.
    const p = pod('crash', { [simulatedAnnotations.exitAfterMs]: '1000', [simulatedAnnotations.exitCode]: '1' });
    s.pl.updatePod(p);
    await s.settle('uid-crash');
    const starts: number[] = [];
    const t0 = s.clock.now();
    let lastCount = -1;
    for (let t = 0; t < 16 * 60_000; t += 1000) {
      const cs = s.last().containerStatuses![0]!;
      if (cs.state?.running && cs.restartCount !== lastCount) {
        starts.push((s.clock.now() - t0) / 1000);
        lastCount = cs.restartCount!;
      }
      await s.advance('uid-crash', 1000);
    }
    // Gaps between starts: the first restart is immediate (run 1 s), then 10, 20, 40 ... capped at 300 s.
    const gaps = starts.slice(1).map((x, i) => x - starts[i]!);
    assert.deepEqual(gaps.slice(0, 7), [1, 11, 21, 41, 81, 161, 301]);
    const cs = s.last().containerStatuses![0]!;
    assert.ok(cs.restartCount! >= 7);
    assert.equal(s.last().phase, 'Running');
    assert.ok(s.rec.events.some((e) => e.startsWith('Warning BackOff Back-off restarting failed container app in pod crash_default(uid-crash)')));
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: status shows CrashLoopBackOff waiting with lastState terminated', async () => {
  const s = setup();
  try {
    s.pl.updatePod(pod('cl', { [simulatedAnnotations.exitAfterMs]: '1000', [simulatedAnnotations.exitCode]: '2' }));
    await s.settle('uid-cl');
    await s.advance('uid-cl', 2000);
    const cs = s.last().containerStatuses![0]!;
    assert.equal(cs.state!.waiting!.reason, 'CrashLoopBackOff');
    assert.equal(cs.state!.waiting!.message, 'back-off 10s restarting failed container=app pod=cl_default(uid-cl)');
    assert.equal(cs.lastState!.terminated!.exitCode, 2);
    assert.equal(cs.lastState!.terminated!.reason, 'Error');
    assert.equal(cs.restartCount, 1);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: restartPolicy Never/OnFailure end in Succeeded/Failed; init containers run first, in order', async () => {
  const s = setup();
  try {
    s.pl.updatePod(pod('job', { [simulatedAnnotations.exitAfterMs]: '2000', [simulatedAnnotations.exitCode]: '0' }, {
      restartPolicy: 'OnFailure',
      initContainers: [{ name: 'init-a', image: 'i' }, { name: 'init-b', image: 'i' }],
    }));
    await s.settle('uid-job');
    assert.equal(s.last().phase, 'Pending');
    assert.equal(s.last().conditions!.find((c) => c.type === 'Initialized')!.message, 'containers with incomplete status: [init-a init-b]');
    await s.advance('uid-job', 2000);
    assert.equal(s.last().initContainerStatuses![0]!.state!.terminated!.reason, 'Completed');
    assert.ok(s.last().initContainerStatuses![1]!.state!.running);
    await s.advance('uid-job', 2000);
    assert.equal(s.last().phase, 'Running');
    await s.advance('uid-job', 2000);
    assert.equal(s.last().phase, 'Succeeded');
    const created = s.rec.events.filter((e) => e.includes('Created container')).map((e) => e.split(' ').at(-1));
    assert.deepEqual(created, ['init-a', 'init-b', 'app']);

    s.pl.updatePod(pod('fail', { [simulatedAnnotations.exitAfterMs]: '1000', [simulatedAnnotations.exitCode]: '3' }, { restartPolicy: 'Never' }));
    await s.settle('uid-fail');
    await s.advance('uid-fail', 5000);
    assert.equal(s.last().phase, 'Failed');
    assert.equal(s.last().containerStatuses![0]!.restartCount, 0);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: deleting a pod stops its containers, reports, deletes the object, cleans up', async () => {
  const s = setup();
  try {
    const p = pod('gone', {});
    s.pl.updatePod(p);
    await s.settle('uid-gone');
    assert.equal((await s.runtime.listContainers()).containers.length, 1);
    s.pl.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(s.clock.now()).toISOString(), deletionGracePeriodSeconds: 30 } });
    await s.settle('uid-gone');
    assert.deepEqual(s.rec.deleted, ['gone']);
    assert.equal(s.last().containerStatuses![0]!.state!.terminated!.exitCode, 143);
    assert.equal((await s.runtime.listContainers()).containers.length, 0);
    assert.equal((await s.runtime.listPodSandbox()).items.length, 0);
    assert.ok(s.rec.events.includes('Normal Killing Stopping container app'));
    assert.equal(s.pl.pods().length, 0);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a missing ConfigMap is CreateContainerConfigError until it appears', async () => {
  const s = setup();
  try {
    s.pl.updatePod(pod('cfg', {}, { containers: [{ name: 'app', image: 'img', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'x' } } }] }] }));
    await s.settle('uid-cfg');
    const cs = s.last().containerStatuses![0]!;
    assert.deepEqual(cs.state, { waiting: { reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' } });
    assert.ok(s.rec.events.includes('Warning Failed Error: configmap "settings" not found'));
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a changed container spec (new image) restarts the container', async () => {
  const s = setup();
  try {
    const p = pod('img', {}, { restartPolicy: 'Never' });
    s.pl.updatePod(p);
    await s.settle('uid-img');
    assert.equal(s.last().containerStatuses![0]!.image, 'img');
    s.pl.updatePod({ ...p, spec: { ...p.spec!, containers: [{ name: 'app', image: 'img:v2' }] } });
    await s.settle('uid-img');
    const cs = s.last().containerStatuses![0]!;
    assert.equal(cs.image, 'img:v2');
    assert.equal(cs.restartCount, 1);
    assert.ok(cs.state?.running);
    assert.ok(s.rec.events.includes('Normal Killing Container app definition changed, will be restarted'));
  } finally {
    await s.cleanup();
  }
});

test('podsDifferSemantically: only spec, labels, annotations and deletion ask the kubelet for a sync', () => {
  const base: Pod = { metadata: { name: 'p', labels: { a: '1' }, annotations: { x: 'y' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' } };
  const cases: Array<[string, Pod, boolean]> = [
    ['status only', { ...base, status: { phase: 'Running' } }, false],
    ['resourceVersion only', { ...base, metadata: { ...base.metadata, resourceVersion: '9' } }, false],
    ['spec', { ...base, spec: { ...base.spec!, nodeName: 'n' } }, true],
    ['labels', { ...base, metadata: { ...base.metadata, labels: { a: '2' } } }, true],
    ['annotations', { ...base, metadata: { ...base.metadata, annotations: {} } }, true],
    ['deletionTimestamp', { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, true],
    ['deletionGracePeriodSeconds', { ...base, metadata: { ...base.metadata, deletionGracePeriodSeconds: 0 } }, true],
  ];
  for (const [name, next, want] of cases) assert.equal(podsDifferSemantically(base, next), want, name);
});

test('PodLifecycle: a status-only update (our own status echoed by the watch) does not sync; a spec change does', async () => {
  const s = setup();
  try {
    const syncs = s.countLists();
    const p = pod('echo', {});
    s.pl.updatePod(p);
    await s.settle('uid-echo');
    const after = syncs();
    s.pl.updatePod({ ...p, status: s.last() });
    await s.settle('uid-echo');
    assert.equal(syncs(), after, 'no runtime calls for a status echo');
    s.pl.updatePod({ ...p, metadata: { ...p.metadata, labels: { l: 'v' } }, status: s.last() });
    await s.settle('uid-echo');
    assert.ok(syncs() > after, 'a label change syncs');
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a container that starts at once is reported Running in the first status, after one sync', async () => {
  const s = setup();
  try {
    const lists = s.countLists();
    s.pl.updatePod(pod('fast', {}));
    await s.settle('uid-fast');
    assert.deepEqual(s.rec.statuses.map((st) => st.phase), ['Running'], 'one status, already Running');
    // One read before acting and one after starting the container: the Started event of its
    // own start does not cost a second sync.
    assert.equal(lists(), 2);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a container created under the SHA-256 spec hash is adopted, not restarted as changed', async () => {
  const s = setup();
  try {
    const p = pod('legacy', {});
    const spec = p.spec!.containers[0]!;
    const legacy = createHash('sha256').update(JSON.stringify({ ...spec, resources: undefined })).digest('hex').slice(0, 8);
    const uidLabel = { [containerLabels.podUID]: 'uid-legacy', [containerLabels.podName]: 'legacy', [containerLabels.podNamespace]: 'default' };
    const sandboxConfig = { metadata: { name: 'legacy', namespace: 'default', uid: 'uid-legacy', attempt: 0 }, logDirectory: '/nonexistent', labels: uidLabel };
    const { podSandboxId } = await s.runtime.runPodSandbox({ config: sandboxConfig });
    const { containerId } = await s.runtime.createContainer({
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name: 'app', attempt: 0 }, image: { image: 'img' }, logPath: 'app/0.log', labels: { ...uidLabel, [containerLabels.containerName]: 'app' }, annotations: { [containerAnnotations.hash]: legacy, [containerAnnotations.restartCount]: '0' } },
    });
    await s.runtime.startContainer({ containerId });
    assert.notEqual(containerHash(spec), legacy, 'the hashes differ, so only the legacy match keeps it');
    s.pl.updatePod(p);
    await s.settle('uid-legacy');
    assert.deepEqual(s.rec.events, [], 'no Killing, no Created');
    assert.equal(s.last().containerStatuses![0]!.containerID, `simulated://${containerId}`);
  } finally {
    await s.cleanup();
  }
});

test('containerHash: FNV-1a of the spec without resources, as upstream', () => {
  const c = { name: 'c', image: 'img:1' };
  const cases: Array<[string, typeof c & Record<string, unknown>, boolean]> = [
    ['same spec, new object', { name: 'c', image: 'img:1' }, true],
    ['resources differ', { name: 'c', image: 'img:1', resources: { requests: { cpu: '1' } } }, true],
    ['image differs', { name: 'c', image: 'img:2' }, false],
    ['command added', { name: 'c', image: 'img:1', command: ['sh'] }, false],
  ];
  for (const [name, other, same] of cases) assert.equal(containerHash(other) === containerHash(c), same, name);
  assert.match(containerHash(c), /^[0-9a-f]{1,8}$/);
});

test('deepEqual (api/patch), as the kubelet compares pods: equal exactly when the JSON serialisations would be (key order aside)', () => {
  const cases: Array<[string, unknown, unknown, boolean]> = [
    ['same scalars', 1, 1, true],
    ['different scalars', 'a', 'b', false],
    ['null vs object', null, {}, false],
    ['undefined field vs absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['extra key', { a: 1 }, { a: 1, b: 2 }, false],
    ['nested difference', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } }, false],
    ['nested equal', { a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, true],
    ['array vs object', [1], { 0: 1 }, false],
    ['array length', [1, 2], [1], false],
    ['both absent', undefined, undefined, true],
  ];
  for (const [name, a, b, want] of cases) assert.equal(deepEqual(a, b), want, name);
});

test('PodLifecycle: a container that exits on its own during a sync gets a sync of its own (only the sync\'s own start is skipped)', async () => {
  const s = setup();
  try {
    // While the sync starts container b, container a (started just before by the same sync)
    // exits on its own: that event is not the sync's doing and must be acted on.
    const start = s.runtime.startContainer.bind(s.runtime);
    let killedA = false;
    s.runtime.startContainer = async (req) => {
      await start(req);
      if (killedA) return;
      const { containers } = await s.runtime.listContainers();
      const a = containers.find((c) => c.metadata.name === 'a' && c.state === 'CONTAINER_RUNNING');
      const b = containers.find((c) => c.metadata.name === 'b');
      if (a && b) {
        killedA = true;
        await s.runtime.stopContainer({ containerId: a.id, timeout: 0 });
      }
    };
    s.pl.updatePod(pod('two', {}, { containers: [{ name: 'a', image: 'img' }, { name: 'b', image: 'img' }] }));
    await s.settle('uid-two');
    assert.ok(killedA);
    const a = s.last().containerStatuses!.find((c) => c.name === 'a')!;
    assert.equal(a.restartCount, 1, 'a was restarted without waiting for the periodic resync');
    assert.ok(a.state?.running);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a pod past its activeDeadlineSeconds is killed with its grace period, Failed DeadlineExceeded, never restarted', async () => {
  const s = setup();
  try {
    const stops: number[] = [];
    const stop = s.runtime.stopContainer.bind(s.runtime);
    s.runtime.stopContainer = (req) => (stops.push(req.timeout), stop(req));
    // restartPolicy Always (the default) and a container that exits every second: only a
    // terminal pod keeps it from coming back.
    s.pl.updatePod(pod('dl', { [simulatedAnnotations.exitAfterMs]: '1500', [simulatedAnnotations.exitCode]: '1' }, { activeDeadlineSeconds: 2, terminationGracePeriodSeconds: 7 }));
    await s.settle('uid-dl');
    assert.equal(s.last().phase, 'Running');
    await s.advance('uid-dl', 1999, 1999);
    assert.equal(s.last().phase, 'Running', 'not before the deadline');
    assert.equal(s.last().containerStatuses![0]!.restartCount, 1, 'restarted once after its exit at 1.5 s');
    await s.advance('uid-dl', 1, 1);
    const st = s.last();
    assert.equal(st.phase, 'Failed');
    assert.equal(st.reason, 'DeadlineExceeded');
    assert.equal(st.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal(st.containerStatuses![0]!.state!.terminated!.exitCode, 143);
    assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.reason, 'PodFailed');
    assert.equal(st.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.status, 'False');
    assert.deepEqual(stops, [7], 'stopped once, with the pod\'s terminationGracePeriodSeconds');
    assert.deepEqual(s.rec.events.slice(-2), ['Normal DeadlineExceeded Pod was active on the node longer than the specified deadline', 'Normal Killing Stopping container app']);
    assert.deepEqual((await s.runtime.listPodSandbox()).items.map((x) => x.state), ['SANDBOX_NOTREADY']);
    assert.deepEqual(s.rec.deleted, [], 'the API object stays');

    await s.advance('uid-dl', 120_000, 10_000);
    const later = s.last();
    assert.equal(later.phase, 'Failed');
    assert.equal(later.reason, 'DeadlineExceeded');
    assert.equal(later.containerStatuses![0]!.restartCount, 1);
    assert.equal((await s.runtime.listContainers()).containers.filter((c) => c.state === 'CONTAINER_RUNNING').length, 0);
    assert.equal(s.rec.events.filter((e) => e.includes('DeadlineExceeded')).length, 1, 'one event');
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: activeDeadlineSeconds set or lowered on a running pod takes effect at the new deadline', async () => {
  const cases: Array<{ name: string; before?: number; after: number; updateAtMs: number; failAtMs: number }> = [
    { name: 'set on a pod that had none, already passed', after: 5, updateAtMs: 10_000, failAtMs: 10_000 },
    { name: 'set on a pod that had none, still ahead', after: 15, updateAtMs: 10_000, failAtMs: 15_000 },
    { name: 'lowered from 60 to 20', before: 60, after: 20, updateAtMs: 5_000, failAtMs: 20_000 },
  ];
  for (const c of cases) {
    const s = setup();
    try {
      const p = pod('up', {}, c.before !== undefined ? { activeDeadlineSeconds: c.before } : {});
      s.pl.updatePod(p);
      await s.settle('uid-up');
      const t0 = s.clock.now();
      await s.advance('uid-up', c.updateAtMs);
      assert.equal(s.last().phase, 'Running', c.name);
      s.pl.updatePod({ ...p, spec: { ...p.spec!, activeDeadlineSeconds: c.after }, status: s.last() });
      await s.settle('uid-up');
      while (s.last().phase === 'Running' && s.clock.now() - t0 < 120_000) await s.advance('uid-up', 100, 100);
      assert.equal(s.last().reason, 'DeadlineExceeded', c.name);
      assert.equal(s.clock.now() - t0, c.failAtMs, c.name);
    } finally {
      await s.cleanup();
    }
  }
});

test('PodLifecycle: a pod whose status.startTime is past its deadline (a restarted kubelet) fails without starting containers', async () => {
  const s = setup();
  try {
    const startTime = new Date(s.clock.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    s.pl.updatePod({ ...pod('old', {}, { activeDeadlineSeconds: 30 }), status: { phase: 'Pending', startTime } });
    await s.settle('uid-old');
    assert.equal(s.last().phase, 'Failed');
    assert.equal(s.last().reason, 'DeadlineExceeded');
    assert.equal(s.last().startTime, startTime);
    assert.equal((await s.runtime.listContainers()).containers.length, 0);
  } finally {
    await s.cleanup();
  }
});

test('PodLifecycle: a restarted kubelet stops the still-running containers of a pod the API reports Failed, and keeps its reason', async () => {
  const s = setup();
  try {
    const uidLabel = { [containerLabels.podUID]: 'uid-over', [containerLabels.podName]: 'over', [containerLabels.podNamespace]: 'default' };
    const sandboxConfig = { metadata: { name: 'over', namespace: 'default', uid: 'uid-over', attempt: 0 }, logDirectory: '/nonexistent', labels: uidLabel };
    const { podSandboxId } = await s.runtime.runPodSandbox({ config: sandboxConfig });
    const { containerId } = await s.runtime.createContainer({
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name: 'app', attempt: 0 }, image: { image: 'img' }, logPath: 'app/0.log', labels: { ...uidLabel, [containerLabels.containerName]: 'app' }, annotations: { [containerAnnotations.restartCount]: '0' } },
    });
    await s.runtime.startContainer({ containerId });
    const startTime = new Date(s.clock.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    s.pl.updatePod({ ...pod('over', {}, { activeDeadlineSeconds: 30 }), status: { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline', startTime } });
    await s.settle('uid-over');
    assert.deepEqual((await s.runtime.listContainers()).containers.map((c) => c.state), ['CONTAINER_EXITED']);
    assert.deepEqual((await s.runtime.listPodSandbox()).items.map((x) => x.state), ['SANDBOX_NOTREADY']);
    assert.equal(s.last().phase, 'Failed');
    assert.equal(s.last().reason, 'DeadlineExceeded');
    assert.ok(!s.rec.events.some((e) => e.includes('DeadlineExceeded')), 'the eviction was reported before the restart, not again');
  } finally {
    await s.cleanup();
  }
});
