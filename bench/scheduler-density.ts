/**
 * scheduler-density: a repeatable, single-thread CPU-time benchmark of the whole Scheduler
 * (event handlers, cache, queue, every default plugin, assume and bind) on bench/density's
 * workload: simulated nodes as k8ts' SimulatedNodes register them, Deployments of 100 replicas
 * whose pods ask 1m / 1Mi with a nodeSelector and no spread constraints of their own (so the
 * system-default topology spreading applies through their ReplicaSet). Each pod reaches the
 * scheduler as the watch delivers it: a freshly parsed object per event — created (Pending),
 * bound (the binding's echo) and Running (the kubelet's status patch).
 *
 * Time and randomness are injected (a counter clock, a seeded PRNG for selectHost's tie
 * breaks), so the printed checksum of chosen nodes depends only on the scheduler's decisions:
 * it must not change when only performance changes. CPU is process.cpuUsage() summed over the
 * scheduler's calls of the measured Deployments (warm-up ones and the harness's JSON parsing
 * excluded), the figure to compare on a loaded machine.
 *
 *   npm run bench:scheduler-density -- [--nodes 1000] [--deployments 300] [--warmup 20] [--running-lag 2]
 *   (or, once built: node dist/bench/scheduler-density.js [same flags])
 *
 * --running-lag K delivers a Deployment's Running updates K Deployments after its bindings (the
 * kubelets' status patches trail the bindings in the real run). --thrash MB walks that much
 * fresh memory (untimed) before each timed step, evicting the CPU caches as the real scheduler
 * thread's watch decoding does between its scheduling slices; a step is then 10 pods.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { TimerHandle, Clock } from '../src/client/util/clock.js';
import { MemoryLister, Scheduler, type SchedulerClient } from '../src/scheduler/index.js';
import { seededRandom } from '../src/util/random.js';

const args = process.argv.slice(2);
const num = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const NODES = num('--nodes', 1000);
const DEPLOYMENTS = num('--deployments', 300);
const WARMUP = num('--warmup', 20);
const RUNNING_LAG = num('--running-lag', 2);
const THRASH_MB = num('--thrash', 0);
const REPLICAS = 100;
const STEP = THRASH_MB > 0 ? 10 : REPLICAS;
const NS = 'density';


/** counterClock: every now() is one millisecond later; timers never fire (nothing here waits on one). */
function counterClock(): Clock {
  let t = Date.UTC(2026, 0, 1);
  let id = 0;
  return {
    now: () => ++t,
    setTimeout: () => ++id as unknown as TimerHandle,
    clearTimeout: () => {},
    after: () => new Promise<void>(() => {}),
  };
}

const hex = (n: number, len: number): string => n.toString(16).padStart(len, '0').slice(-len);
const uid = (n: number): string => `${hex(n * 2654435761, 8)}-${hex(n, 4)}-4${hex(n * 7, 3)}-8${hex(n * 13, 3)}-${hex(n * 40503, 12)}`;
const hash = (d: number): string => hex(d * 2246822519 + 0x5bd1e995, 10).replace(/[0-9]/g, (c) => 'bcdfghjklm'[Number(c)]!);

function nodeJSON(i: number): string {
  const name = `density-node-${i}`;
  const capacity = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
  return JSON.stringify({
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name,
      uid: uid(1_000_000 + i),
      resourceVersion: String(100 + i),
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        type: 'kwok',
        'node.kubernetes.io/simulated': 'true',
      },
    },
    spec: {},
    status: {
      capacity,
      allocatable: capacity,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      addresses: [{ type: 'InternalIP', address: `10.1.${i >> 8}.${i & 255}` }],
      nodeInfo: { kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'simulated://0.1.0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  });
}

function replicaSet(d: number): ReplicaSet {
  const labels = { app: 'density', deployment: `density-${d}`, 'pod-template-hash': hash(d) };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: `density-${d}-${hash(d)}`, namespace: NS, uid: uid(2_000_000 + d) },
    spec: { replicas: REPLICAS, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } },
  };
}

/** podJSON: a pod as the apiserver returns it after defaulting and admission, in one of its three versions. */
function podJSON(d: number, k: number, phase: 'Pending' | 'Bound' | 'Running', nodeName: string, rv: number): string {
  const rs = `density-${d}-${hash(d)}`;
  const n = d * REPLICAS + k;
  const conditions: unknown[] = [];
  if (phase !== 'Pending') conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:01Z' });
  if (phase === 'Running') {
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']) conditions.push({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:02Z' });
  }
  return JSON.stringify({
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: `${rs}-${hash(n).slice(0, 5)}`,
      generateName: `${rs}-`,
      namespace: NS,
      uid: uid(n),
      resourceVersion: String(rv),
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'density', deployment: `density-${d}`, 'pod-template-hash': hash(d) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: uid(2_000_000 + d), controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      volumes: [{ name: `kube-api-access-${hash(n).slice(0, 5)}`, projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }], defaultMode: 420 } }],
      containers: [
        {
          name: 'c',
          image: 'registry.k8s.io/pause:3.9',
          resources: { requests: { cpu: '1m', memory: '1Mi' } },
          volumeMounts: [{ name: `kube-api-access-${hash(n).slice(0, 5)}`, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      dnsPolicy: 'ClusterFirst',
      nodeSelector: { 'node.kubernetes.io/simulated': 'true' },
      serviceAccountName: 'default',
      serviceAccount: 'default',
      ...(phase === 'Pending' ? {} : { nodeName }),
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: {
      phase: phase === 'Running' ? 'Running' : 'Pending',
      ...(conditions.length ? { conditions } : {}),
      ...(phase === 'Running'
        ? {
            hostIP: '10.1.0.1',
            podIP: `10.42.${n >> 8 & 255}.${n & 255}`,
            startTime: '2026-01-01T00:00:01Z',
            containerStatuses: [{ name: 'c', state: { running: { startedAt: '2026-01-01T00:00:02Z' } }, ready: true, restartCount: 0, image: 'registry.k8s.io/pause:3.9', imageID: 'sha256:0', containerID: 'simulated://0', started: true }],
          }
        : {}),
      qosClass: 'Burstable',
    },
  });
}

interface Placed {
  d: number;
  k: number;
  node: string;
  last: Pod;
}

async function main(): Promise<void> {
  const replicaSets = new MemoryLister<ReplicaSet>();
  const bound = new Map<string, string>();
  const client: SchedulerClient = {
    bind: async (pod, nodeName) => void bound.set(pod.metadata!.uid!, nodeName),
    updatePodScheduledCondition: async () => {},
    deletePod: async () => {},
    markDisruptionTarget: async () => {},
    annotateSelectedNode: async () => {},
    bindPersistentVolume: async () => {},
    event: () => {},
  };
  const s = new Scheduler({ client, listers: { replicaSets, services: new MemoryLister() }, clock: counterClock(), random: seededRandom(42) });
  for (let i = 0; i < NODES; i++) s.addNode(JSON.parse(nodeJSON(i)) as Node);
  let rv = 10_000;
  let checksum = 0;
  const pendingRunning: Placed[][] = [];
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  // CPU is summed over the scheduler's calls only: parsing the events is the harness's work
  let cpuUs = 0;
  let measuring = false;
  const thrash = THRASH_MB > 0 ? new Float64Array((THRASH_MB * 1024 * 1024) / 8) : undefined;
  let sink = 0;
  const timed = async (fn: () => void | Promise<void>): Promise<void> => {
    if (thrash) {
      for (let i = 0; i < thrash.length; i += 8) thrash[i] = sink += thrash[i]! + i;
    }
    const c = process.cpuUsage();
    await fn();
    if (!measuring) return;
    const u = process.cpuUsage(c);
    cpuUs += u.user + u.system;
  };
  const t0 = performance.now();
  for (let d = 0; d < DEPLOYMENTS + RUNNING_LAG; d++) {
    if (d === WARMUP) measuring = true;
    if (d < DEPLOYMENTS) {
      replicaSets.set(replicaSet(d));
      const created: Pod[] = [];
      for (let k = 0; k < REPLICAS; k++) created.push(JSON.parse(podJSON(d, k, 'Pending', '', ++rv)) as Pod);
      await timed(() => {
        for (const p of created) s.addPod(p);
      });
      for (let left = REPLICAS; left > 0; left -= STEP) {
        await timed(() => {
          for (let i = 0; i < STEP; i++) {
            const q = s.queue.tryPop();
            if (q) s.scheduleQueued(q);
          }
        });
      }
      // the binding cycles finish (the client answers at once)
      await timed(tick);
      const placed: Placed[] = [];
      for (let k = 0; k < REPLICAS; k++) {
        const node = bound.get(created[k]!.metadata!.uid!);
        if (!node) throw new Error(`pod ${d}/${k} was not bound`);
        checksum = (checksum * 31 + Number(node.slice(node.lastIndexOf('-') + 1)) + 1) % 1_000_000_007;
        placed.push({ d, k, node, last: JSON.parse(podJSON(d, k, 'Bound', node, ++rv)) as Pod });
      }
      // the watch echoes each binding
      for (let k0 = 0; k0 < REPLICAS; k0 += STEP) {
        await timed(() => {
          for (let k = k0; k < Math.min(REPLICAS, k0 + STEP); k++) s.updatePod(created[k]!, placed[k]!.last);
        });
      }
      pendingRunning.push(placed);
    }
    if (d >= RUNNING_LAG) {
      const batch = pendingRunning.shift() ?? [];
      const next = batch.map((p) => JSON.parse(podJSON(p.d, p.k, 'Running', p.node, ++rv)) as Pod);
      for (let i0 = 0; i0 < batch.length; i0 += STEP) {
        await timed(() => {
          for (let i = i0; i < Math.min(batch.length, i0 + STEP); i++) s.updatePod(batch[i]!.last, next[i]!);
        });
      }
    }
  }
  const measured = (DEPLOYMENTS - WARMUP) * REPLICAS;
  const ms = cpuUs / 1000;
  console.log(
    `scheduler-density: ${NODES} nodes, ${DEPLOYMENTS} × ${REPLICAS} pods: ${ms.toFixed(0)} CPU ms for the last ${measured} pods ` +
      `(${((ms * 1000) / measured).toFixed(1)} µs/pod), ${((performance.now() - t0) / 1000).toFixed(1)} s wall, checksum ${checksum}, ` +
      `scheduled ${s.stats.scheduled}, unschedulable ${s.stats.unschedulable}`,
  );
}

await main();
