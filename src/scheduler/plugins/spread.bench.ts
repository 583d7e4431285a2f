/**
 * spread.bench: a repeatable CPU-time microbenchmark of PodTopologySpread with the system
 * default constraints, shaped like bench/density (1000 nodes, 300 ReplicaSets × 100 pods, each
 * pod scored on 420 nodes, then bound to the best one). It runs the plugin alone, in one thread,
 * so its CPU time is comparable across commits on a loaded machine where wall-clock is not.
 * The checksum of the chosen nodes must not change when only performance changes.
 *
 *   node dist/src/scheduler/plugins/spread.bench.js [--no-zone]
 *
 * --no-zone leaves nodes without a zone label (as bench/density's simulated nodes).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/cycle-state.js';
import { podInfoOf, type NodeInfo } from '../framework/types.js';
import { MemoryLister } from '../memory.js';
import { makeNode, makePod, newHandle } from '../testing.js';
import { PodTopologySpread } from './pod-topology-spread.js';

const zone = 'topology.kubernetes.io/zone';
const NODES = 1000;
const REPLICA_SETS = 300;
const REPLICAS = 100;
const FILTERED = 420;
const withZone = !process.argv.includes('--no-zone');

const nodes = Array.from({ length: NODES }, (_, i) =>
  makeNode(`n${i}`, { labels: { ...(withZone ? { [zone]: `z${i % 3}` } : {}), 'kubernetes.io/hostname': `n${i}`, 'kubernetes.io/os': 'linux' } }),
);
const replicaSets = Array.from({ length: REPLICA_SETS }, (_, r) => ({
  metadata: { name: `rs${r}`, namespace: 'default' },
  spec: { selector: { matchLabels: { app: `d${r}`, 'pod-template-hash': `h${r}` } } },
}));
const h = newHandle(nodes, [], { replicaSets: new MemoryLister(replicaSets) });
const plugin = new PodTopologySpread(undefined, h);
const podOf = (r: number, k: number, node?: string): Pod => {
  const pod = makePod(`p${r}-${k}`, { labels: { app: `d${r}`, 'pod-template-hash': `h${r}` }, ...(node ? { nodeName: node } : {}) });
  pod.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs${r}`, uid: `u${r}`, controller: true }];
  return pod;
};

let checksum = 0;
let offset = 0;
const start = process.cpuUsage();
for (let r = 0; r < REPLICA_SETS; r++) {
  for (let k = 0; k < REPLICAS; k++) {
    const pi = podInfoOf(podOf(r, k));
    const all = h.snapshot.nodeInfos();
    // like numFeasibleNodesToFind: each cycle scores the next window of nodes
    const filtered: NodeInfo[] = [];
    for (let j = 0; j < FILTERED; j++) filtered.push(all[(offset + j) % all.length]!);
    offset = (offset + FILTERED) % all.length;
    const state = new CycleState();
    plugin.preScore(state, pi, filtered);
    const scores = filtered.map((n) => plugin.score(state, pi, n));
    plugin.normalizeScore(state, pi, scores);
    let best = 0;
    for (let j = 1; j < scores.length; j++) if (scores[j]! > scores[best]!) best = j;
    checksum = (checksum * 31 + best + scores[best]!) % 1e9;
    h.cache.addPod(podOf(r, k, filtered[best]!.name));
    h.snapshot.update();
  }
}
const used = process.cpuUsage(start);
console.log(`spread.bench${withZone ? '' : ' --no-zone'}: ${((used.user + used.system) / 1000).toFixed(0)} CPU ms for ${REPLICA_SETS * REPLICAS} pods, checksum ${checksum}`);
