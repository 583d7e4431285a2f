/**
 * `k8ts scheduler explain <ns>/<pod>` (beyond upstream): evaluates one pod against the live
 * cluster with the configured profile and prints, per node, the filters that reject it and
 * why, or each score plugin's weighted score. Nothing is written.
 */
import type { Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { gvr, type RestClient } from '../client/index.js';
import type { ResolvedConfig } from './config/config.js';
import { MemoryLister } from './memory.js';
import { Scheduler, type ExplainNode } from './scheduler.js';

/** explainPod loads the cluster state once and explains `namespace/name`. */
export async function explainPod(client: RestClient, config: ResolvedConfig, namespace: string, name: string): Promise<{ pod: Pod; preFilter?: { plugin: string; message: string }; nodes: ExplainNode[] }> {
  const list = async <T>(g: (typeof gvr)[keyof typeof gvr]): Promise<T[]> => (await client.resource<T & { metadata?: object }>(g).list()).items as T[];
  const pod = await client.resource<Pod>(gvr.pods).namespace(namespace).get(name);
  const [nodes, pods, svcs, rcs, rss, sss, pvcs, pvs, scs, nss, pdbs] = await Promise.all([
    list<Node>(gvr.nodes),
    list<Pod>(gvr.pods),
    list<Service>(gvr.services),
    list<ReplicationController>(gvr.replicationcontrollers),
    list<ReplicaSet>(gvr.replicasets),
    list<StatefulSet>(gvr.statefulsets),
    list<PersistentVolumeClaim>(gvr.persistentvolumeclaims),
    list<PersistentVolume>(gvr.persistentvolumes),
    list<StorageClass>(gvr.storageclasses),
    list<Namespace>(gvr.namespaces),
    list<PodDisruptionBudget>(gvr.poddisruptionbudgets),
  ]);
  const noWrites = async (): Promise<void> => {
    throw new Error('explain does not write');
  };
  const s = new Scheduler({
    client: { bind: noWrites, updatePodScheduledCondition: noWrites, deletePod: noWrites, event: () => {} },
    config,
    listers: {
      services: new MemoryLister(svcs),
      replicationControllers: new MemoryLister(rcs),
      replicaSets: new MemoryLister(rss),
      statefulSets: new MemoryLister(sss),
      persistentVolumeClaims: new MemoryLister(pvcs),
      persistentVolumes: new MemoryLister(pvs),
      storageClasses: new MemoryLister(scs),
      namespaces: new MemoryLister(nss),
      podDisruptionBudgets: new MemoryLister(pdbs),
    },
  });
  for (const n of nodes) s.cache.addNode(n);
  for (const p of pods) {
    const phase = p.status?.phase;
    if (p.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed' && p.metadata?.uid !== pod.metadata?.uid) s.cache.addPod(p);
  }
  // an already-bound pod is explained as if it were pending
  const pending: Pod = { ...pod, spec: { ...pod.spec!, nodeName: undefined as unknown as string } };
  delete pending.spec!.nodeName;
  return { pod, ...s.explain(pending) };
}

/** formatExplain renders the result as a table, nodes that fit first (highest total first). */
export function formatExplain(r: { pod: Pod; preFilter?: { plugin: string; message: string }; nodes: ExplainNode[] }): string {
  const out: string[] = [];
  const id = `${r.pod.metadata?.namespace}/${r.pod.metadata?.name}`;
  if (r.preFilter) {
    out.push(`pod ${id} is rejected before any node is evaluated: ${r.preFilter.plugin}: ${r.preFilter.message}`);
    return out.join('\n') + '\n';
  }
  const fit = r.nodes.filter((n) => n.scores).sort((a, b) => (b.total ?? 0) - (a.total ?? 0));
  const rejected = r.nodes.filter((n) => n.rejectedBy);
  out.push(`pod ${id}: ${fit.length}/${r.nodes.length} nodes fit`);
  const width = Math.max(4, ...r.nodes.map((n) => n.node.length));
  out.push(`${'NODE'.padEnd(width)}  RESULT`);
  for (const n of fit) {
    const parts = Object.entries(n.scores!).map(([p, v]) => `${p}=${v}`);
    out.push(`${n.node.padEnd(width)}  fits, score ${n.total}${parts.length ? ` (${parts.join(', ')})` : ''}`);
  }
  for (const n of rejected) {
    const why = n.rejectedBy!.map((x) => `${x.plugin}: ${x.reasons.join(', ')}${x.code === 'UnschedulableAndUnresolvable' ? ' (unresolvable)' : ''}`);
    out.push(`${n.node.padEnd(width)}  rejected by ${why.join('; ')}`);
  }
  return out.join('\n') + '\n';
}
