/**
 * Builders for scheduler tests and benchmarks: nodes and pods with the fields plugins read.
 */
import type { Container, Node, Pod, PodSpec, Taint } from 'kubernetes-types/core/v1.js';
import { Cache, Snapshot } from './cache/cache.js';
import type { Handle, SchedulerListers } from './framework/interface.js';
import { InMemoryCluster } from './memory.js';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '32Gi', pods: o.pods ?? '110', ...o.extra },
      capacity: { cpu: o.cpu ?? '4', memory: o.memory ?? '32Gi', pods: o.pods ?? '110', ...o.extra },
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

export interface PodOpts {
  namespace?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  nodeName?: string;
  priority?: number;
  spec?: Partial<PodSpec>;
  containers?: Container[];
  uid?: string;
}

let uidCounter = 0;
export function makePod(name: string, o: PodOpts = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests['cpu'] = o.cpu;
  if (o.memory) requests['memory'] = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: o.uid ?? `test-uid-${++uidCounter}`,
      labels: o.labels ?? {},
      creationTimestamp: new Date(Date.UTC(2026, 0, 1) + uidCounter * 1000).toISOString(),
    },
    spec: {
      containers: o.containers ?? [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests } }],
      schedulerName: 'default-scheduler',
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...o.spec,
    },
    status: { phase: 'Pending' },
  };
}

/** newHandle builds a Handle over a cache holding `nodes` and the bound `pods`. */
export function newHandle(nodes: Node[], pods: Pod[] = [], listers: SchedulerListers = {}): Handle & { snapshot: Snapshot; cache: Cache } {
  const cache = new Cache(() => 0);
  for (const n of nodes) cache.addNode(n);
  for (const p of pods) cache.addPod(p);
  const snapshot = new Snapshot(cache);
  snapshot.update();
  const handle = {
    snapshot,
    cache,
    listers,
    client: new InMemoryCluster(),
    nominatedPodsForNode: () => [],
    framework: undefined as unknown as Handle['framework'],
  };
  return handle;
}
