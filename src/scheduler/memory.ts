/**
 * In-memory stand-ins for the API side, for simulations, benchmarks of the framework alone
 * and unit tests: a static Lister, and InMemoryCluster, which stores pods and nodes, applies
 * bindings and deletions, and feeds the resulting watch events back to the scheduler on a
 * later tick (as an informer would).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lister, SchedulerClient } from './framework/interface.js';
import { podKey } from './framework/types.js';

/** MemoryLister lists objects kept in a Map keyed by namespace/name. */
export class MemoryLister<T extends { metadata?: { name?: string; namespace?: string } }> implements Lister<T> {
  private readonly items = new Map<string, T>();
  constructor(items: readonly T[] = []) {
    for (const x of items) this.set(x);
  }
  set(x: T): void {
    this.items.set(`${x.metadata?.namespace ?? ''}/${x.metadata?.name ?? ''}`, x);
  }
  delete(x: T): void {
    this.items.delete(`${x.metadata?.namespace ?? ''}/${x.metadata?.name ?? ''}`);
  }
  list(namespace?: string): readonly T[] {
    const all = [...this.items.values()];
    return namespace === undefined ? all : all.filter((x) => (x.metadata?.namespace ?? '') === namespace);
  }
  get(namespace: string, name: string): T | undefined {
    return this.items.get(`${namespace}/${name}`);
  }
}

/** ClusterEventSink is the subset of Scheduler that receives watch events. */
export interface ClusterEventSink {
  addPod(pod: Pod): void;
  updatePod(old: Pod, pod: Pod): void;
  deletePod(pod: Pod): void;
  addNode(node: Node): void;
}

export interface RecordedEvent {
  pod: string;
  type: string;
  reason: string;
  message: string;
}

/** InMemoryCluster implements SchedulerClient over plain maps. */
export class InMemoryCluster implements SchedulerClient {
  readonly pods = new Map<string, Pod>();
  readonly nodes = new Map<string, Node>();
  readonly events: RecordedEvent[] = [];
  sink: ClusterEventSink | undefined;
  /** recordEvents can be turned off for benchmarks. */
  recordEvents = true;
  private uid = 0;

  createNode(node: Node): void {
    this.nodes.set(node.metadata?.name ?? '', node);
    this.sink?.addNode(node);
  }

  createPod(pod: Pod): Pod {
    const p: Pod = { ...pod, metadata: { namespace: 'default', creationTimestamp: new Date().toISOString(), uid: `uid-${++this.uid}`, ...pod.metadata } };
    this.pods.set(podKey(p), p);
    this.sink?.addPod(p);
    return p;
  }

  get(namespace: string, name: string): Pod | undefined {
    for (const p of this.pods.values()) if (p.metadata?.namespace === namespace && p.metadata?.name === name) return p;
    return undefined;
  }

  private replace(old: Pod, next: Pod): void {
    this.pods.set(podKey(next), next);
    // watch events arrive after the request returns, as with a real apiserver
    queueMicrotask(() => this.sink?.updatePod(old, next));
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    const cur = this.pods.get(podKey(pod));
    if (!cur) throw new Error(`pods "${pod.metadata?.name}" not found`);
    if (cur.spec?.nodeName) throw new Error(`pod ${pod.metadata?.name} is already assigned to node "${cur.spec.nodeName}"`);
    const conds = (cur.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    this.replace(cur, { ...cur, spec: { ...cur.spec!, nodeName }, status: { ...cur.status, conditions: [...conds, { type: 'PodScheduled', status: 'True' }] } });
  }

  async updatePodScheduledCondition(pod: Pod, c: { status: 'True' | 'False'; reason: string; message: string }, nominatedNodeName?: string): Promise<void> {
    const cur = this.pods.get(podKey(pod));
    if (!cur) return;
    const conds = (cur.status?.conditions ?? []).filter((x) => x.type !== 'PodScheduled');
    const status = { ...cur.status, conditions: [...conds, { type: 'PodScheduled', ...c }] };
    if (nominatedNodeName !== undefined) {
      if (nominatedNodeName) status.nominatedNodeName = nominatedNodeName;
      else delete status.nominatedNodeName;
    }
    this.replace(cur, { ...cur, status });
  }

  async deletePod(pod: Pod): Promise<void> {
    const k = podKey(pod);
    const cur = this.pods.get(k);
    if (!cur) return;
    this.pods.delete(k);
    queueMicrotask(() => this.sink?.deletePod(cur));
  }

  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, _action: string, message: string): void {
    if (this.recordEvents) this.events.push({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, type, reason, message });
  }
}
