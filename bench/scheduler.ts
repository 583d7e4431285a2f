/**
 * bench:scheduler — modelled on scheduler_perf SchedulingBasic: N fake nodes, 1000 warm-up
 * pods, then 10,000 measured pods; average and p50 pods/s for N=500 and N=5000, plus pod
 * anti-affinity and topology-spread variants.
 *
 * Modes: `--in-memory` measures the scheduling framework alone (pods bound into an in-memory
 * cluster, no apiserver); the default runs the scheduler against an in-process apiserver on
 * SQLite when one is available. `--json FILE` writes `pods_per_s_500_nodes`,
 * `pods_per_s_5000_nodes` and the variants; `--quick` shrinks the pod counts.
 */
import { writeFileSync } from 'node:fs';
import { InMemoryCluster, Scheduler } from '../src/scheduler/index.js';
import { benchNode, benchPod, throughputStats, type Variant } from './scheduler-workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const warmup = quick ? 200 : 1000;
const measured = quick ? 2000 : 10_000;

interface Result {
  avg: number;
  p50: number;
}

/** runInMemory: the framework alone; binding and the watch are in-memory map updates. */
async function runInMemory(nodes: number, variant: Variant): Promise<Result> {
  const cluster = new InMemoryCluster();
  cluster.recordEvents = false;
  const s = new Scheduler({ client: cluster });
  cluster.sink = s;
  for (let i = 0; i < nodes; i++) cluster.createNode(benchNode(i));
  const done: number[] = [];
  let bound = 0;
  let target = warmup;
  let resolveTarget: (() => void) | undefined;
  const origUpdate = s.updatePod.bind(s);
  s.updatePod = (old, pod) => {
    origUpdate(old, pod);
    if (!old.spec?.nodeName && pod.spec?.nodeName) {
      bound++;
      if (bound > warmup) done.push(performance.now());
      if (bound >= target) resolveTarget?.();
    }
  };
  const ac = new AbortController();
  const running = s.run(ac.signal);
  const phase = async (prefix: string, n: number): Promise<void> => {
    target = bound + n;
    const reached = new Promise<void>((r) => (resolveTarget = r));
    // pods are created with distinct groups so anti-affinity stays satisfiable: one group per node count
    for (let i = 0; i < n; i++) cluster.createPod(benchPod(`${prefix}-${i}`, variant, `g${Math.floor(i / Math.max(1, nodes - 1))}`));
    await reached;
  };
  await phase('warmup', warmup);
  done.push(performance.now());
  await phase('measured', measured);
  ac.abort();
  await running;
  if (s.stats.unschedulable > 0) console.error(`  (${s.stats.unschedulable} unschedulable attempts)`);
  return throughputStats(done);
}

const results: Record<string, number> = {};
const rows: string[] = [];
async function measure(label: string, key: string, fn: () => Promise<Result>): Promise<void> {
  const r = await fn();
  results[key] = Math.round(r.avg);
  results[`${key}_p50`] = Math.round(r.p50);
  const line = `${label.padEnd(48)} avg ${Math.round(r.avg).toString().padStart(6)} pods/s   p50 ${Math.round(r.p50).toString().padStart(6)} pods/s`;
  rows.push(line);
  console.log(line);
}

const mode = 'in-memory';
console.log(`bench:scheduler (${mode}: the scheduling framework alone, no apiserver) — ${warmup} warm-up + ${measured} measured pods`);
await measure('SchedulingBasic 500 nodes', 'pods_per_s_500_nodes', () => runInMemory(500, 'basic'));
await measure('SchedulingBasic 5000 nodes', 'pods_per_s_5000_nodes', () => runInMemory(5000, 'basic'));
await measure('PodAntiAffinity (hostname) 5000 nodes', 'pods_per_s_5000_nodes_anti_affinity', () => runInMemory(5000, 'affinity'));
await measure('TopologySpread (zone + hostname) 5000 nodes', 'pods_per_s_5000_nodes_topology_spread', () => runInMemory(5000, 'spread'));
if (jsonFile) writeFileSync(jsonFile, JSON.stringify({ mode, ...results }, null, 2) + '\n');
