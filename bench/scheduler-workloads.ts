/**
 * Workloads of bench:scheduler, modelled on scheduler_perf's SchedulingBasic (node and pod
 * templates: 4 cpu / 32Gi / 110 pods nodes in 3 zones; pause pods asking 100m / 500Mi) plus
 * pod anti-affinity and topology-spread variants.
 */
import { readFileSync } from 'node:fs';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export type Variant = 'basic' | 'affinity' | 'spread';

export function benchNode(i: number): Node {
  const name = `node-${i}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: {},
    status: {
      allocatable: { cpu: '4', memory: '32Gi', pods: '110' },
      capacity: { cpu: '4', memory: '32Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

export function benchPod(name: string, variant: Variant, group: string): Pod {
  const spec: NonNullable<Pod['spec']> = {
    containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }],
    schedulerName: 'default-scheduler',
  };
  const labels: Record<string, string> = { group };
  if (variant === 'affinity') {
    // as scheduler_perf SchedulingPodAntiAffinity: one pod per host within the group
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
  } else if (variant === 'spread') {
    spec.topologySpreadConstraints = [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { group } } },
      { maxSkew: 5, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { group } } },
    ];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec };
}

/** throughputStats turns completion timestamps into average and p50 pods/s over 1 s windows. */
export function throughputStats(times: number[]): { avg: number; p50: number } {
  if (times.length < 2) return { avg: NaN, p50: NaN };
  const t0 = times[0]!;
  const t1 = times[times.length - 1]!;
  const avg = ((times.length - 1) / (t1 - t0)) * 1000;
  const window = 1000;
  const buckets: number[] = [];
  for (const t of times) {
    const b = Math.floor((t - t0) / window);
    buckets[b] = (buckets[b] ?? 0) + 1;
  }
  // the last window is partial; keep it only when it is the only one
  const full = buckets.length > 1 ? buckets.slice(0, -1) : buckets;
  const sorted = full.map((x) => x ?? 0).sort((a, b) => a - b);
  return { avg, p50: sorted[Math.floor(sorted.length / 2)]! };
}

/**
 * threadCpuSeconds is the CPU time (user + system) of the calling OS thread, from
 * /proc/thread-self/stat (Linux; 10 ms ticks). Each worker's JavaScript runs on its own
 * thread, so this separates the apiserver's, the load generator's and the scheduler's CPU;
 * GC helper and libuv threads are not included (see process.cpuUsage for the whole process).
 */
export function threadCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // fields after the parenthesised command name: state is field 3, utime 14, stime 15
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}
