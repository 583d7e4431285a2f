/**
 * The pod engine on the real process runtime: real processes, real probes, real files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { ConfigMap, Pod, PodStatus, Secret } from 'kubernetes-types/core/v1.js';
import { realClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { openProcessRuntime, processAlive, type ProcessRuntime } from './runtime/process.js';
import { PodLifecycle, type PodHost } from './pods.js';
import { readLogs } from './logs.js';
import { waitFor } from './runtime/runtime.case.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

async function setup(dir = mkdtempSync(join(tmpdir(), 'k8ts-kl-'))) {
  const heap = new TimerHeap(realClock);
  const runtime: ProcessRuntime = await openProcessRuntime({ stateDir: join(dir, 'runtime'), heap, podIP: '127.0.0.1', pumpIntervalMs: 50, adoptPollMs: 100 });
  const statuses = new Map<string, PodStatus>();
  const events: string[] = [];
  const deleted: string[] = [];
  const host: PodHost = {
    recordEvent: (_p, type, reason, message) => events.push(`${type} ${reason} ${message}`),
    setPodStatus: (p, s) => void statuses.set(p.metadata!.name!, s),
    deletePod: async (p) => void deleted.push(p.metadata!.name!),
  };
  const cms: Record<string, ConfigMap> = { cfg: { metadata: { name: 'cfg' }, data: { greeting: 'hello from configmap' } } };
  const secrets: Record<string, Secret> = { creds: { metadata: { name: 'creds' }, data: { password: Buffer.from('hunter2').toString('base64') } } };
  const pl = new PodLifecycle({
    runtime,
    heap,
    rootDir: dir,
    nodeName: 'node-a',
    nodeIP: '127.0.0.1',
    host,
    sources: { getConfigMap: async (_n, name) => cms[name], getSecret: async (_n, name) => secrets[name], listServices: async () => [] },
  });
  return {
    dir,
    runtime,
    pl,
    heap,
    statuses,
    events,
    deleted,
    /** detach stops this kubelet without touching its processes (as a SIGKILL would). */
    detach: async () => {
      pl.stop();
      await runtime.close();
      heap.stop();
    },
    cleanup: async () => {
      pl.stop();
      for (const s of (await runtime.listPodSandbox()).items) await runtime.removePodSandbox({ podSandboxId: s.id });
      await runtime.close();
      heap.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const mkPod = (name: string, spec: Partial<Pod['spec']>): Pod => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` },
  spec: { nodeName: 'node-a', terminationGracePeriodSeconds: 2, containers: [], ...spec },
});

test('process pods: an http.server becomes Ready only when its readiness probe passes', async () => {
  const s = await setup();
  try {
    const port = await freePort();
    s.pl.updatePod(
      mkPod('web', {
        containers: [
          {
            name: 'web',
            image: 'python:3',
            // Listen only after a second, so the pod is Running but not Ready at first.
            command: ['sh', '-c', `sleep 1; exec python3 -m http.server ${port} --bind 127.0.0.1`],
            readinessProbe: { httpGet: { path: '/', port }, periodSeconds: 1 },
          },
        ],
      }),
    );
    const running = await waitFor('running', () => (s.statuses.get('web')?.phase === 'Running' ? s.statuses.get('web') : undefined));
    assert.equal(running.conditions!.find((c) => c.type === 'Ready')!.status, 'False');
    const ready = await waitFor('ready', () => (s.statuses.get('web')?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? s.statuses.get('web') : undefined), 10_000);
    assert.equal(ready.containerStatuses![0]!.ready, true);
    assert.equal(ready.podIP, '127.0.0.1');
  } finally {
    await s.cleanup();
  }
});

test('process pods: ConfigMap volume and Secret env reach the process; logs are readable', async () => {
  const s = await setup();
  try {
    s.pl.updatePod(
      mkPod('cfg', {
        volumes: [{ name: 'cfg', configMap: { name: 'cfg' } }],
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'cat etc/cfg/greeting; echo; echo "password=$PASSWORD"; echo "$(MSG)"; sleep 60'],
            env: [
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
              { name: 'MSG', value: 'expanded' },
            ],
            volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }],
          },
        ],
      }),
    );
    await waitFor('running', () => s.statuses.get('cfg')?.phase === 'Running');
    const found = s.pl.findContainer('default', 'cfg', undefined);
    assert.ok('logPath' in found);
    const text = await waitFor('log', async () => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (b: Buffer) => chunks.push(b));
      await readLogs(found.logPath, {}, out);
      const t = Buffer.concat(chunks).toString();
      return t.includes('password=') ? t : undefined;
    });
    assert.equal(text, 'hello from configmap\npassword=hunter2\nexpanded\n', 'the kubelet expands $(MSG) in command before the shell sees it');
  } finally {
    await s.cleanup();
  }
});

test('process pods: a failing liveness probe restarts the container', async () => {
  const s = await setup();
  try {
    s.pl.updatePod(
      mkPod('live', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sh', '-c', 'touch healthy; sleep 1; rm healthy; sleep 60'],
            livenessProbe: { exec: { command: ['test', '-e', 'healthy'] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    const st = await waitFor('restarted', () => {
      const cs = s.statuses.get('live')?.containerStatuses?.[0];
      return cs && cs.restartCount! >= 1 && cs.state?.running ? cs : undefined;
    }, 15_000);
    assert.ok(st.lastState?.terminated, 'previous instance is lastState');
    assert.ok(s.events.includes('Normal Killing Container app failed liveness probe, will be restarted'));
    assert.ok(s.events.some((e) => e.startsWith('Warning Unhealthy Liveness probe failed')));
  } finally {
    await s.cleanup();
  }
});

test('process pods: deleting the pod stops its processes within the grace period', async () => {
  const s = await setup();
  try {
    const p = mkPod('del', {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'] }],
    });
    s.pl.updatePod(p);
    await waitFor('running', () => s.statuses.get('del')?.phase === 'Running');
    const [c] = (await s.runtime.listContainers()).containers;
    const rec = JSON.parse((await import('node:fs')).readFileSync(join(s.dir, 'runtime', 'containers', c!.id, 'container.json'), 'utf8')) as { pid: number };
    const t0 = Date.now();
    s.pl.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 1 } });
    await waitFor('deleted', () => s.deleted.includes('del'), 5000);
    const took = Date.now() - t0;
    assert.ok(took < 2500, `stopped within the grace period (+ margin): ${took} ms`);
    assert.equal(processAlive(rec.pid, undefined), false);
    assert.equal((await s.runtime.listContainers()).containers.length, 0);
  } finally {
    await s.cleanup();
  }
});

test('process pods: a restarted kubelet adopts running processes and never duplicates them', async () => {
  const first = await setup();
  const p = mkPod('adopt', { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '60'] }] });
  first.pl.updatePod(p);
  await waitFor('running', () => first.statuses.get('adopt')?.phase === 'Running');
  const before = (await first.runtime.listContainers()).containers;
  await first.detach();

  const second = await setup(first.dir);
  try {
    second.pl.updatePod(p);
    await waitFor('status', () => second.statuses.get('adopt'));
    await second.pl.whenIdle('uid-adopt');
    const after = (await second.runtime.listContainers()).containers;
    assert.deepEqual(after.map((c) => c.id), before.map((c) => c.id));
    const cs = second.statuses.get('adopt')!.containerStatuses![0]!;
    assert.equal(cs.restartCount, 0);
    assert.ok(cs.state?.running);
    assert.ok(!second.events.some((e) => e.includes('Created container')), 'nothing started twice');
  } finally {
    await second.cleanup();
  }
});
