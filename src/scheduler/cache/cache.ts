/**
 * Cache is the scheduler's view of nodes and the pods on them, as upstream's internal/cache:
 * bound pods from the informer plus assumed pods (placed by the scheduler, binding in
 * flight), so the next cycle sees a placement before the watch reports it. An assumed pod
 * whose binding finished but that the watch never confirmed expires after `ttlMs`.
 *
 * Snapshot shares the cache's NodeInfo objects instead of copying them: the scheduling cycle
 * is synchronous on one event loop, so nothing mutates a NodeInfo while plugins read it.
 * Only the node lists are rebuilt, and only when membership changes (tracked by a generation).
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { SnapshotLister } from '../framework/interface.js';
import { normalizedImageName, NodeInfo, peekPodInfo, PodInfo, podInfoOf, podKey, type ImageStateSummary } from '../framework/types.js';

interface PodState {
  pi: PodInfo;
  nodeName: string;
  assumed: boolean;
  /** deadline: when an assumed pod with finished binding expires (ms); undefined while binding. */
  deadline: number | undefined;
}

export class Cache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly images = new Map<string, { summary: ImageStateSummary; nodes: Set<string> }>();
  /** listGeneration changes whenever the node list a snapshot holds must be rebuilt. */
  listGeneration = 0;
  /** labelEpoch changes when a node is added or removed or its labels change (indexes rebuild). */
  labelEpoch = 0;
  /** podChanges logs the nodes whose pods changed; podChangeBase is the sequence number of its first entry. */
  private podChanges: NodeInfo[] = [];
  private podChangeBase = 0;
  /** withAffinity / withAnti: nodes having pods with (anti-)affinity, kept incrementally (order is irrelevant). */
  readonly withAffinity = new IndexedList();
  readonly withAnti = new IndexedList();
  /** taintedNodes / unschedulableNodes: nodes (with a Node object) having any taint / spec.unschedulable. */
  taintedNodes = 0;
  unschedulableNodes = 0;

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 30_000,
  ) {}

  private nodeInfo(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) {
      n = new NodeInfo(name);
      this.nodes.set(name, n);
    }
    return n;
  }

  private addPodToNode(pi: PodInfo, nodeName: string): void {
    const n = this.nodeInfo(nodeName);
    n.addPod(pi);
    this.trackAffinity(n);
    this.logPodChange(n);
  }

  private logPodChange(n: NodeInfo): void {
    this.podChanges.push(n);
    if (this.podChanges.length > 65_536) {
      // consumers further behind than this rebuild
      this.podChanges = this.podChanges.slice(32_768);
      this.podChangeBase += 32_768;
    }
  }

  /** podChangeSeq is the sequence number after the last logged pod change. */
  get podChangeSeq(): number {
    return this.podChangeBase + this.podChanges.length;
  }

  /**
   * podChangesSince lists nodes whose pods changed since `seq` (with repeats) in what counts
   * by selector or affinity term read (a replacement keeping the node's matchGeneration is not
   * logged); undefined when the log no longer reaches back that far.
   */
  podChangesSince(seq: number): readonly NodeInfo[] | undefined {
    if (seq < this.podChangeBase) return undefined;
    return this.podChanges.slice(seq - this.podChangeBase);
  }

  private trackAffinity(n: NodeInfo): void {
    const listed = n.node !== undefined;
    this.withAffinity.set(n, listed && n.podsWithAffinity.length > 0);
    this.withAnti.set(n, listed && n.podsWithRequiredAntiAffinity.length > 0);
  }

  /** removePodFromNode takes `pi`, the PodInfo this cache last put on the node for that pod, off it. */
  private removePodFromNode(pi: PodInfo, nodeName: string): void {
    const n = this.nodes.get(nodeName);
    if (!n) return;
    n.removePod(pi.key, pi);
    this.trackAffinity(n);
    this.logPodChange(n);
    if (!n.node && n.pods.length === 0) this.nodes.delete(nodeName);
  }

  /** assumePod places a pod on a node before its binding is confirmed. Throws if already cached. */
  assumePod(pod: Pod, nodeName: string): void {
    const pi = podInfoOf(pod);
    if (this.pods.has(pi.key)) throw new Error(`pod ${pi.namespace}/${pi.name} is in the cache, so can't be assumed`);
    this.addPodToNode(pi, nodeName);
    this.pods.set(pi.key, { pi, nodeName, assumed: true, deadline: undefined });
  }

  /** finishBinding starts the expiry clock of an assumed pod. */
  finishBinding(pod: Pod): void {
    const st = this.pods.get(podKey(pod));
    if (st?.assumed) st.deadline = this.now() + this.ttlMs;
  }

  /** forgetPod undoes assumePod (binding failed). */
  forgetPod(pod: Pod): void {
    const k = podKey(pod);
    const st = this.pods.get(k);
    if (!st?.assumed) return;
    this.removePodFromNode(st.pi, st.nodeName);
    this.pods.delete(k);
  }

  isAssumed(pod: Pod): boolean {
    return this.pods.get(podKey(pod))?.assumed === true;
  }

  /** addPod records a bound pod from the informer, confirming an assumed one. */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    // each watch event brings a new object: its PodInfo is built here and not memoized for
    // the object (podInfoOf's WeakMap), which nothing else asks about once the pod is bound
    const pi = peekPodInfo(pod) ?? new PodInfo(pod);
    const st = this.pods.get(pi.key);
    const n = st?.nodeName === nodeName ? this.nodes.get(nodeName) : undefined;
    // an update, or the confirmation of an assumed pod, on the same node replaces it in place
    const matchGeneration = n?.matchGeneration;
    if (n?.replacePod(pi, st!.pi)) {
      // a version alike for selectors and affinity terms (the binding's echo, status updates)
      // changes no count and no affinity list: nothing for the indexes to recount
      if (n.matchGeneration !== matchGeneration) {
        this.trackAffinity(n);
        this.logPodChange(n);
      }
    } else {
      // confirmed (possibly on another node than assumed, if someone else bound it)
      if (st) this.removePodFromNode(st.pi, st.nodeName);
      this.addPodToNode(pi, nodeName);
    }
    if (st) {
      // the entry is kept (one Map write less per event)
      st.pi = pi;
      st.nodeName = nodeName;
      st.assumed = false;
      st.deadline = undefined;
    } else this.pods.set(pi.key, { pi, nodeName, assumed: false, deadline: undefined });
  }

  updatePod(_old: Pod, pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const k = podKey(pod);
    const st = this.pods.get(k);
    if (!st) return;
    this.removePodFromNode(st.pi, st.nodeName);
    this.pods.delete(k);
  }

  /** addNode / updateNode: set the node object and its image states. */
  addNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const n = this.nodeInfo(name);
    const isNew = !n.node;
    if (isNew || n.labels !== (node.metadata?.labels ?? {})) {
      if (isNew || JSON.stringify(n.labels) !== JSON.stringify(node.metadata?.labels ?? {})) this.labelEpoch++;
    }
    this.removeNodeImages(n);
    this.countNode(n, -1);
    n.setNode(node);
    this.countNode(n, 1);
    for (const img of node.status?.images ?? []) {
      for (const raw of img.names ?? []) {
        const name2 = normalizedImageName(raw);
        let st = this.images.get(name2);
        if (!st) this.images.set(name2, (st = { summary: { size: img.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
        st.summary.size = img.sizeBytes ?? 0;
        st.nodes.add(name);
        st.summary.numNodes = st.nodes.size;
        n.imageStates.set(name2, st.summary);
      }
    }
    this.trackAffinity(n);
    if (isNew) this.listGeneration++;
    else this.listGeneration += labelsOrZoneChanged(n) ? 1 : 0;
  }

  updateNode(_old: Node, node: Node): void {
    this.addNode(node);
  }

  private countNode(n: NodeInfo, sign: 1 | -1): void {
    if (!n.node) return;
    if (n.taints.length > 0) this.taintedNodes += sign;
    if (n.unschedulable) this.unschedulableNodes += sign;
  }

  private removeNodeImages(n: NodeInfo): void {
    for (const name of n.imageStates.keys()) {
      const st = this.images.get(name);
      if (!st) continue;
      st.nodes.delete(n.name);
      st.summary.numNodes = st.nodes.size;
      if (st.nodes.size === 0) this.images.delete(name);
    }
    n.imageStates = new Map();
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? '';
    const n = this.nodes.get(name);
    if (!n) return;
    this.removeNodeImages(n);
    this.countNode(n, -1);
    // pods stay until their deletion is observed, as upstream; the node just leaves the lists
    n.node = undefined;
    this.labelEpoch++;
    this.trackAffinity(n);
    if (n.pods.length === 0) this.nodes.delete(name);
    this.listGeneration++;
  }

  /** cleanupAssumedPods drops assumed pods whose binding finished more than ttl ago. */
  cleanupAssumedPods(): string[] {
    const now = this.now();
    const expired: string[] = [];
    for (const [k, st] of this.pods) {
      if (st.assumed && st.deadline !== undefined && st.deadline <= now) {
        this.removePodFromNode(st.pi, st.nodeName);
        this.pods.delete(k);
        expired.push(k);
      }
    }
    return expired;
  }

  imageNumNodes(name: string): number {
    return this.images.get(name)?.summary.numNodes ?? 0;
  }

  imageCount(): number {
    return this.images.size;
  }

  nodeCount(): number {
    let c = 0;
    for (const n of this.nodes.values()) if (n.node) c++;
    return c;
  }

  podCount(): number {
    return this.pods.size;
  }

  /** nodeInfos iterates every NodeInfo, including placeholders for pods on unknown nodes. */
  allNodeInfos(): IterableIterator<NodeInfo> {
    return this.nodes.values();
  }
}

/** IndexedList is an unordered array with O(1) membership changes (swap-remove). */
export class IndexedList {
  readonly items: NodeInfo[] = [];
  private readonly index = new Map<NodeInfo, number>();
  set(n: NodeInfo, member: boolean): void {
    const i = this.index.get(n);
    if (member) {
      if (i === undefined) {
        this.index.set(n, this.items.length);
        this.items.push(n);
      }
      return;
    }
    if (i === undefined) return;
    const last = this.items.pop()!;
    if (last !== n) {
      this.items[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(n);
  }
}

// Zone changes reorder the node list; cheap to detect by remembering the last zone per node.
const lastZone = new WeakMap<NodeInfo, string>();
function labelsOrZoneChanged(n: NodeInfo): boolean {
  const z = zoneOf(n);
  const prev = lastZone.get(n);
  lastZone.set(n, z);
  return prev !== undefined && prev !== z;
}

export function zoneOf(n: NodeInfo): string {
  const l = n.labels;
  return (l['topology.kubernetes.io/region'] ?? '') + ':' + (l['topology.kubernetes.io/zone'] ?? '');
}

/**
 * Snapshot is the list view of the cache used for one cycle. Nodes are ordered round-robin
 * across zones, as upstream's nodeTree, so a partial scan (percentageOfNodesToScore) still
 * spreads over zones.
 */
export class Snapshot implements SnapshotLister {
  private list: NodeInfo[] = [];
  private byName = new Map<string, NodeInfo>();
  private generation = -1;

  constructor(private readonly cache: Cache) {}

  /** update rebuilds the lists if the cache's membership changed since the last call. */
  update(): void {
    if (this.generation === this.cache.listGeneration) return;
    this.generation = this.cache.listGeneration;
    const zones = new Map<string, NodeInfo[]>();
    this.byName = new Map();
    for (const n of this.cache.allNodeInfos()) {
      if (!n.node) continue;
      this.byName.set(n.name, n);
      const z = zoneOf(n);
      let l = zones.get(z);
      if (!l) zones.set(z, (l = []));
      l.push(n);
    }
    const lists = [...zones.values()];
    const out: NodeInfo[] = [];
    for (let i = 0; out.length < this.byName.size; i++) {
      for (const l of lists) if (i < l.length) out.push(l[i]!);
    }
    this.list = out;
  }

  nodeInfos(): readonly NodeInfo[] {
    return this.list;
  }
  havePodsWithAffinity(): readonly NodeInfo[] {
    return this.cache.withAffinity.items;
  }
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[] {
    return this.cache.withAnti.items;
  }
  /** imageNumNodes: on how many nodes an image (normalized name) is present. */
  imageNumNodes(name: string): number {
    return this.cache.imageNumNodes(name);
  }
  imageCount(): number {
    return this.cache.imageCount();
  }
  taintedNodeCount(): number {
    return this.cache.taintedNodes;
  }
  unschedulableNodeCount(): number {
    return this.cache.unschedulableNodes;
  }
  get labelEpoch(): number {
    return this.cache.labelEpoch;
  }
  get podChangeSeq(): number {
    return this.cache.podChangeSeq;
  }
  podChangesSince(seq: number): readonly NodeInfo[] | undefined {
    return this.cache.podChangesSince(seq);
  }
  get(nodeName: string): NodeInfo | undefined {
    return this.byName.get(nodeName);
  }
}
