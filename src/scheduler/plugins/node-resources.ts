/**
 * NodeResourcesFit (requests vs allocatable; LeastAllocated, MostAllocated and
 * RequestedToCapacityRatio scoring) and NodeResourcesBalancedAllocation, as upstream's
 * plugins/noderesources.
 */
import { CycleState } from '../framework/cycle-state.js';
import {
  MAX_NODE_SCORE,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScoreAllPlugin,
} from '../framework/interface.js';
import { Resource } from '../framework/resource.js';
import { Status } from '../framework/status.js';
import { NodeInfo, podInfoOf, type PodInfo } from '../framework/types.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

export const NodeResourcesFitName = 'NodeResourcesFit';
export const NodeResourcesBalancedAllocationName = 'NodeResourcesBalancedAllocation';

export interface ResourceSpec {
  name: string;
  weight?: number;
}

/** NodeResourcesFitArgs as kubescheduler.config.k8s.io/v1. */
export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: {
    type?: 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape?: Array<{ utilization: number; score: number }> };
  };
}

export interface NodeResourcesBalancedAllocationArgs {
  resources?: ResourceSpec[];
}

const defaultResources: ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** InsufficientResource is one reason a node cannot hold a pod, with the figures. */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  /** unresolvable: the pod asks for more than the node's whole allocatable, so preemption cannot help. */
  unresolvable: boolean;
}

/**
 * fitsRequest lists every resource the node lacks for the pod (empty when it fits), as
 * upstream's fitsRequest: the pods count first, then cpu, memory, ephemeral-storage and
 * scalar resources not ignored.
 */
export function fitsRequest(
  req: Resource,
  node: NodeInfo,
  ignored?: ReadonlySet<string>,
  ignoredGroups?: ReadonlySet<string>,
): readonly InsufficientResource[] {
  // the common case (fits) allocates nothing
  let out: InsufficientResource[] | undefined;
  const allowed = node.allocPods;
  const podCount = node.podCount;
  // the common case reads only the NodeInfo's own fields (see NodeInfo.allocMilliCPU)
  if (
    podCount + 1 <= allowed &&
    req.milliCPU <= node.allocMilliCPU - node.reqMilliCPU &&
    req.memory <= node.allocMemory - node.reqMemory &&
    req.ephemeralStorage <= node.allocEphemeralStorage - node.reqEphemeralStorage &&
    (!req.scalar || req.scalar.size === 0)
  ) {
    return NONE;
  }
  if (podCount + 1 > allowed) {
    (out ??= []).push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: podCount, capacity: allowed, unresolvable: false });
  }
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && (!req.scalar || req.scalar.size === 0)) return out ?? NONE;
  const a = node.allocatable;
  const r = node.requested;
  if (req.milliCPU > 0 && req.milliCPU > a.milliCPU - r.milliCPU) {
    (out ??= []).push({ resourceName: 'cpu', reason: 'Insufficient cpu', requested: req.milliCPU, used: r.milliCPU, capacity: a.milliCPU, unresolvable: req.milliCPU > a.milliCPU });
  }
  if (req.memory > 0 && req.memory > a.memory - r.memory) {
    (out ??= []).push({ resourceName: 'memory', reason: 'Insufficient memory', requested: req.memory, used: r.memory, capacity: a.memory, unresolvable: req.memory > a.memory });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - r.ephemeralStorage) {
    (out ??= []).push({
      resourceName: 'ephemeral-storage',
      reason: 'Insufficient ephemeral-storage',
      requested: req.ephemeralStorage,
      used: r.ephemeralStorage,
      capacity: a.ephemeralStorage,
      unresolvable: req.ephemeralStorage > a.ephemeralStorage,
    });
  }
  if (req.scalar) {
    for (const [name, q] of req.scalar) {
      if (q === 0) continue;
      if (ignored?.has(name)) continue;
      const slash = name.indexOf('/');
      if (slash > 0 && ignoredGroups?.has(name.slice(0, slash))) continue;
      const cap = a.getScalar(name);
      const used = r.getScalar(name);
      if (q > cap - used) (out ??= []).push({ resourceName: name, reason: `Insufficient ${name}`, requested: q, used, capacity: cap, unresolvable: q > cap });
    }
  }
  return out ?? NONE;
}

const NONE: readonly InsufficientResource[] = [];

type Scorer = (requested: number[], allocatable: number[], weights: number[]) => number;

function leastAllocated(requested: number[], allocatable: number[], weights: number[]): number {
  let score = 0;
  let wsum = 0;
  for (let i = 0; i < requested.length; i++) {
    const cap = allocatable[i]!;
    if (cap === 0) continue;
    const req = requested[i]!;
    score += (req > cap ? 0 : Math.trunc(((cap - req) * MAX_NODE_SCORE) / cap)) * weights[i]!;
    wsum += weights[i]!;
  }
  return wsum === 0 ? 0 : Math.trunc(score / wsum);
}

function mostAllocated(requested: number[], allocatable: number[], weights: number[]): number {
  let score = 0;
  let wsum = 0;
  for (let i = 0; i < requested.length; i++) {
    const cap = allocatable[i]!;
    if (cap === 0) continue;
    const req = Math.min(requested[i]!, cap);
    score += Math.trunc((req * MAX_NODE_SCORE) / cap) * weights[i]!;
    wsum += weights[i]!;
  }
  return wsum === 0 ? 0 : Math.trunc(score / wsum);
}

/** MAX_CUSTOM_PRIORITY_SCORE: shape scores are 0..10 and scaled to 0..100. */
const MAX_CUSTOM_PRIORITY_SCORE = 10;

function requestedToCapacityRatio(shape: Array<{ utilization: number; score: number }>): Scorer {
  const pts = shape.map((p) => ({ u: p.utilization, s: (p.score * MAX_NODE_SCORE) / MAX_CUSTOM_PRIORITY_SCORE }));
  const fn = (p: number): number => {
    for (let i = 0; i < pts.length; i++) {
      if (p <= pts[i]!.u) {
        if (i === 0) return pts[0]!.s;
        const a = pts[i - 1]!;
        const b = pts[i]!;
        return a.s + Math.trunc(((b.s - a.s) * (p - a.u)) / (b.u - a.u));
      }
    }
    return pts[pts.length - 1]!.s;
  };
  return (requested, allocatable, weights) => {
    let score = 0;
    let wsum = 0;
    for (let i = 0; i < requested.length; i++) {
      const cap = allocatable[i]!;
      if (cap === 0) continue;
      const util = requested[i]! > cap ? 100 : Math.trunc((requested[i]! * 100) / cap);
      score += fn(util) * weights[i]!;
      wsum += weights[i]!;
    }
    return wsum === 0 ? 0 : Math.round(score / wsum);
  };
}

class PreFilterState {
  constructor(readonly requests: Resource) {}
  clone(): PreFilterState {
    return this;
  }
}
const preFilterKey = 'PreFilter' + NodeResourcesFitName;

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScoreAllPlugin, EnqueueExtensions {
  readonly name = NodeResourcesFitName;
  private readonly ignored: ReadonlySet<string>;
  private readonly ignoredGroups: ReadonlySet<string>;
  private readonly resources: string[];
  private readonly weights: number[];
  private readonly scorer: Scorer;
  /** leastCpuMemory: LeastAllocated over exactly cpu then memory (the default), which scoreAll inlines. */
  private readonly leastCpuMemory: boolean;
  // Scratch buffers reused across Score calls: the hot loop allocates nothing.
  private readonly req: number[];
  private readonly alloc: number[];

  constructor(args?: NodeResourcesFitArgs) {
    this.ignored = new Set(args?.ignoredResources ?? []);
    this.ignoredGroups = new Set(args?.ignoredResourceGroups ?? []);
    const strategy = args?.scoringStrategy;
    const res = strategy?.resources?.length ? strategy.resources : defaultResources;
    this.resources = res.map((r) => r.name);
    this.weights = res.map((r) => r.weight || 1);
    this.req = new Array<number>(res.length).fill(0);
    this.alloc = new Array<number>(res.length).fill(0);
    switch (strategy?.type ?? 'LeastAllocated') {
      case 'LeastAllocated':
        this.scorer = leastAllocated;
        break;
      case 'MostAllocated':
        this.scorer = mostAllocated;
        break;
      case 'RequestedToCapacityRatio': {
        const shape = strategy?.requestedToCapacityRatio?.shape;
        if (!shape?.length) throw new Error('scoringStrategy.requestedToCapacityRatio.shape: Required value');
        this.scorer = requestedToCapacityRatio(shape);
        break;
      }
      default:
        throw new Error(`scoringStrategy.type: Unsupported value: "${String(strategy?.type)}"`);
    }
    this.leastCpuMemory = this.scorer === leastAllocated && this.resources.length === 2 && this.resources[0] === 'cpu' && this.resources[1] === 'memory';
  }

  preFilter(state: CycleState, pod: PodInfo): { status: Status } {
    state.write(preFilterKey, new PreFilterState(pod.requests));
    return { status: Status.success() };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const insufficient = fitsRequest(pod.requests, node, this.ignored, this.ignoredGroups);
    if (insufficient.length === 0) return Status.success();
    const reasons = insufficient.map((r) => r.reason);
    return insufficient.some((r) => r.unresolvable) ? Status.unresolvable(...reasons) : Status.unschedulable(...reasons);
  }

  preScore(): Status {
    return Status.success();
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    fillRequested(this.resources, pod, node, this.req, this.alloc, false);
    return this.scorer(this.req, this.alloc, this.weights);
  }

  scoreAll(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    if (!this.leastCpuMemory) {
      for (let i = 0; i < nodes.length; i++) scores[i] = this.score(s, pod, nodes[i]!);
      return;
    }
    // the default (LeastAllocated over cpu and memory), inlined: leastAllocated's arithmetic in
    // the same order, without filling the scratch arrays per node
    const wc = this.weights[0]!;
    const wm = this.weights[1]!;
    const pc = pod.nonZeroRequests.milliCPU;
    const pm = pod.nonZeroRequests.memory;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      let score = 0;
      let wsum = 0;
      const capC = n.allocMilliCPU;
      if (capC !== 0) {
        const r = n.nonZeroMilliCPU + pc;
        score += (r > capC ? 0 : Math.trunc(((capC - r) * MAX_NODE_SCORE) / capC)) * wc;
        wsum += wc;
      }
      const capM = n.allocMemory;
      if (capM !== 0) {
        const r = n.nonZeroMemory + pm;
        score += (r > capM ? 0 : Math.trunc(((capM - r) * MAX_NODE_SCORE) / capM)) * wm;
        wsum += wm;
      }
      scores[i] = wsum === 0 ? 0 : Math.trunc(score / wsum);
    }
  }

  eventsToRegister(): ClusterEventWithHint[] {
    // QueueingHints: a new or changed node helps only if the pod fits its allocatable at all;
    // a deleted pod helps only if it held some resource.
    const nodeHint = (pod: Pod, _old: unknown, node: unknown): 'Queue' | 'QueueSkip' => {
      const n = new NodeInfo((node as Node).metadata?.name ?? '', node as Node);
      return fitsRequest(podInfoOf(pod).requests, n, this.ignored, this.ignoredGroups).length === 0 ? 'Queue' : 'QueueSkip';
    };
    const podDeleteHint = (_pod: Pod, old: unknown): 'Queue' | 'QueueSkip' => {
      if (!old) return 'Queue';
      const r = podInfoOf(old as Pod).requests;
      return r.milliCPU > 0 || r.memory > 0 || r.ephemeralStorage > 0 || (r.scalar?.size ?? 0) > 0 ? 'Queue' : 'QueueSkip';
    };
    return [
      { event: { resource: 'AssignedPod', action: 'Delete' }, hint: podDeleteHint },
      { event: { resource: 'AssignedPod', action: 'Update', label: 'PodRequestScaledDown' } },
      { event: { resource: 'Node', action: 'Add' }, hint: nodeHint },
      { event: { resource: 'Node', action: 'Update', label: 'NodeAllocatableChange' }, hint: nodeHint },
    ];
  }
}

/**
 * fillRequested writes, per resource, what the node would have requested with the pod placed
 * and its allocatable. Scoring uses the non-zero figures for cpu and memory (a best-effort pod
 * still counts as 100m/200Mi) unless useRequested, as upstream's resourceAllocationScorer.
 */
function fillRequested(resources: string[], pod: PodInfo, node: NodeInfo, req: number[], alloc: number[], useRequested: boolean): void {
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i]!;
    // interned strings: these comparisons are pointer checks in V8
    if (name === 'cpu') {
      req[i] = useRequested ? node.reqMilliCPU + pod.requests.milliCPU : node.nonZeroMilliCPU + pod.nonZeroRequests.milliCPU;
      alloc[i] = node.allocMilliCPU;
    } else if (name === 'memory') {
      req[i] = useRequested ? node.reqMemory + pod.requests.memory : node.nonZeroMemory + pod.nonZeroRequests.memory;
      alloc[i] = node.allocMemory;
    } else {
      const podReq = pod.requests.get(name);
      // an extended resource the pod does not ask for does not count
      req[i] = node.requested.get(name) + podReq;
      alloc[i] = podReq === 0 && name !== 'ephemeral-storage' ? 0 : node.allocatable.get(name);
    }
  }
}

/**
 * NodeResourcesBalancedAllocation favours nodes whose cpu and memory usage fractions (with the
 * pod) are close to each other: score = (1 - standard deviation of the fractions) × 100.
 */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScoreAllPlugin, EnqueueExtensions {
  readonly name = NodeResourcesBalancedAllocationName;
  private readonly resources: string[];
  private readonly req: number[];
  private readonly alloc: number[];
  /** cpuMemory: the resources are exactly cpu then memory (the default), which scoreAll inlines. */
  private readonly cpuMemory: boolean;

  constructor(args?: NodeResourcesBalancedAllocationArgs) {
    const res = args?.resources?.length ? args.resources : defaultResources;
    this.resources = res.map((r) => r.name);
    this.cpuMemory = this.resources.length === 2 && this.resources[0] === 'cpu' && this.resources[1] === 'memory';
    this.req = new Array<number>(res.length).fill(0);
    this.alloc = new Array<number>(res.length).fill(0);
  }

  /** preScore skips best-effort pods: they change no fraction. */
  preScore(_s: CycleState, pod: PodInfo): Status {
    for (const name of this.resources) if (pod.requests.get(name) > 0) return Status.success();
    return Status.skip();
  }

  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    fillRequested(this.resources, pod, node, this.req, this.alloc, true);
    let n = 0;
    let sum = 0;
    let f0 = 0;
    let f1 = 0;
    for (let i = 0; i < this.req.length; i++) {
      const cap = this.alloc[i]!;
      if (cap === 0) continue;
      const f = Math.min(this.req[i]! / cap, 1);
      if (n === 0) f0 = f;
      else if (n === 1) f1 = f;
      sum += f;
      n++;
    }
    let std = 0;
    if (n === 2) std = Math.abs(f0 - f1) / 2;
    else if (n > 2) {
      const mean = sum / n;
      let v = 0;
      for (let i = 0; i < this.req.length; i++) {
        const cap = this.alloc[i]!;
        if (cap === 0) continue;
        const f = Math.min(this.req[i]! / cap, 1);
        v += (f - mean) * (f - mean);
      }
      std = Math.sqrt(v / n);
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }

  scoreAll(s: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    if (!this.cpuMemory) {
      for (let i = 0; i < nodes.length; i++) scores[i] = this.score(s, pod, nodes[i]!);
      return;
    }
    // the default (cpu and memory), inlined: score's arithmetic in the same order
    const pc = pod.requests.milliCPU;
    const pm = pod.requests.memory;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const capC = n.allocMilliCPU;
      const capM = n.allocMemory;
      let std = 0;
      if (capC !== 0 && capM !== 0) std = Math.abs(Math.min((n.reqMilliCPU + pc) / capC, 1) - Math.min((n.reqMemory + pm) / capM, 1)) / 2;
      scores[i] = Math.trunc((1 - std) * MAX_NODE_SCORE);
    }
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [];
  }
}
