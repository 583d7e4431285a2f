/**
 * PodTopologySpread: hard (DoNotSchedule) constraints filter, soft (ScheduleAnyway) ones and
 * the cluster default constraints score, with minDomains, nodeAffinityPolicy, nodeTaintsPolicy
 * and matchLabelKeys, as upstream's plugins/podtopologyspread.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { ReplicationController, Service, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import { selectorFromLabelSelector, type Selector } from '../../api/labels.js';
import type { CycleState, StateData } from '../framework/cycle-state.js';
import { findUntoleratedTaint, podMatchesNodeSelectorAndAffinity } from '../framework/helpers.js';
import {
  MAX_NODE_SCORE,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type NormalizeScorePlugin,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScoreAllPlugin,
} from '../framework/interface.js';
import { Status } from '../framework/status.js';
import { countOn, internKey, selectorCounts, type SelectorCounts } from '../framework/topology.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const PodTopologySpreadName = 'PodTopologySpread';
export const ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + ' (missing required label)';
const hostnameKey = 'kubernetes.io/hostname';
const zoneKey = 'topology.kubernetes.io/zone';
// Filter's rejections are shared: a cycle may reject thousands of nodes, and a Status is only read once made
const LABEL_NOT_MATCH = Status.unresolvable(ErrReasonNodeLabelNotMatch);
const CONSTRAINTS_NOT_MATCH = Status.unschedulable(ErrReasonConstraintsNotMatch);

/** PodTopologySpreadArgs as kubescheduler.config.k8s.io/v1. */
export interface PodTopologySpreadArgs {
  defaultConstraints?: TopologySpreadConstraint[];
  defaultingType?: 'System' | 'List';
}

/** systemDefaultConstraints are upstream's built-in cluster defaults (both ScheduleAnyway). */
export const systemDefaultConstraints: TopologySpreadConstraint[] = [
  { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
  { topologyKey: hostnameKey, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
];

interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  /** cacheKey identifies (namespace, selector). */
  cacheKey: string;
  /** counts memoizes the selector's matching pods per node. */
  counts: SelectorCounts;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorNodeTaints: boolean;
}

class PreFilterState implements StateData {
  private readonly mins: Array<number | undefined>;
  constructor(
    readonly constraints: Constraint[],
    /** counts per constraint: topology value → matching pods. May be shared with an index until written. */
    readonly counts: Array<Map<string, number>>,
    private readonly shared: boolean[] = counts.map(() => false),
  ) {
    this.mins = counts.map(() => undefined);
  }
  clone(): PreFilterState {
    return new PreFilterState(this.constraints, this.counts.map((m) => new Map(m)));
  }
  /** writable returns constraint i's counts, copying a shared map first. */
  writable(i: number): Map<string, number> {
    if (this.shared[i]) {
      this.counts[i] = new Map(this.counts[i]!);
      this.shared[i] = false;
    }
    this.mins[i] = undefined;
    return this.counts[i]!;
  }
  private self: number[] | undefined;
  /** selfMatch: per constraint, 1 when the incoming pod matches its own selector (computed once). */
  selfMatch(pod: PodInfo): number[] {
    return (this.self ??= this.constraints.map((c) => (c.selector.matches(pod.labels) ? 1 : 0)));
  }
  /** minMatch is the global minimum over eligible domains (0 below minDomains), cached per state. */
  minMatch(i: number): number {
    const cached = this.mins[i];
    if (cached !== undefined) return cached;
    const c = this.constraints[i]!;
    const m = this.counts[i]!;
    let min = Infinity;
    if (m.size < c.minDomains) min = 0;
    else for (const v of m.values()) if (v < min) min = v;
    if (min === Infinity) min = 0;
    this.mins[i] = min;
    return min;
  }
}

/**
 * SpreadIndex keeps one constraint's per-domain counts across cycles for pods whose node
 * eligibility depends only on the topology keys (no node selector or required node affinity
 * honoured, taints ignored): each cycle only re-counts the nodes whose pods changed.
 */
class SpreadIndex {
  epoch = -1;
  seq = 0;
  readonly perNode = new Map<NodeInfo, number>();
  readonly counts = new Map<string, number>();
}

/** DefaultSpread is a default selector and, once asked for, the default constraints compiled with it. */
interface DefaultSpread {
  selector: LabelSelector;
  doNotSchedule?: Constraint[];
  scheduleAnyway?: Constraint[];
}

const sameList = <T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));

class PreScoreState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    readonly weights: number[],
    /** per constraint (not hostname): topology value → matching pods. */
    readonly pairCounts: Array<Map<string, number>>,
    readonly ignored: Set<string>,
  ) {}
  clone(): PreScoreState {
    return this;
  }
}

const preFilterKey = 'PreFilter' + PodTopologySpreadName;
const preScoreKey = 'PreScore' + PodTopologySpreadName;

export class PodTopologySpread
  implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScoreAllPlugin, NormalizeScorePlugin, EnqueueExtensions
{
  readonly name = PodTopologySpreadName;
  private readonly defaultsDoNotSchedule: TopologySpreadConstraint[];
  private readonly defaultsScheduleAnyway: TopologySpreadConstraint[];
  private readonly systemDefaulted: boolean;
  private readonly indexes = new Map<string, SpreadIndex>();
  /** compiled selectors by constraint cache key (namespace + selector JSON). */
  private readonly compiled = new Map<string, Selector>();
  /** default selectors by the controller object (else the first matching Service) they came from. */
  private readonly defaultCache = new WeakMap<object, { services: readonly Service[] | undefined; spread: DefaultSpread | undefined }>();

  constructor(
    args: PodTopologySpreadArgs | undefined,
    private readonly handle: Handle,
  ) {
    this.systemDefaulted = (args?.defaultingType ?? 'System') === 'System';
    const defaults = this.systemDefaulted ? systemDefaultConstraints : (args?.defaultConstraints ?? []);
    this.defaultsDoNotSchedule = defaults.filter((c) => c.whenUnsatisfiable === 'DoNotSchedule');
    this.defaultsScheduleAnyway = defaults.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway');
  }

  /** constraints of the pod for one whenUnsatisfiable action; the defaults apply only to pods with none. */
  private constraints(pod: PodInfo, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
    const own = pod.pod.spec?.topologySpreadConstraints ?? [];
    if (own.length > 0) {
      return own.filter((c) => c.whenUnsatisfiable === action).map((c) => this.compile(pod, c, c.labelSelector, c.matchLabelKeys));
    }
    const defaults = action === 'DoNotSchedule' ? this.defaultsDoNotSchedule : this.defaultsScheduleAnyway;
    if (defaults.length === 0) return [];
    const d = this.defaultConstraints(pod);
    if (!d) return [];
    return action === 'DoNotSchedule' ? (d.doNotSchedule ??= this.compileDefaults(pod, d, defaults)) : (d.scheduleAnyway ??= this.compileDefaults(pod, d, defaults));
  }

  private compileDefaults(pod: PodInfo, d: DefaultSpread, defaults: readonly TopologySpreadConstraint[]): Constraint[] {
    return defaults.map((c) => this.compile(pod, c, d.selector, undefined));
  }

  private compile(pod: PodInfo, c: TopologySpreadConstraint, ls: LabelSelector | undefined, matchLabelKeys: string[] | undefined): Constraint {
    let sel: LabelSelector = ls ?? {};
    if (matchLabelKeys?.length) {
      const exprs = [...(sel.matchExpressions ?? [])];
      for (const k of matchLabelKeys) {
        const v = pod.labels[k];
        if (v !== undefined) exprs.push({ key: k, operator: 'In', values: [v] });
      }
      sel = { ...sel, matchExpressions: exprs };
    }
    const cacheKey = internKey(pod.namespace + '\u0000' + JSON.stringify(sel));
    // pods of one owner share their constraints' selectors: compile (and validate) each once
    let selector = this.compiled.get(cacheKey);
    if (!selector) {
      if (this.compiled.size > 1024) this.compiled.clear();
      this.compiled.set(cacheKey, (selector = selectorFromLabelSelector(sel)));
    }
    return {
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      cacheKey,
      counts: selectorCounts(cacheKey, pod.namespace, selector),
      minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
      honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
    };
  }

  /**
   * defaultConstraints returns the default selector of a pod with no constraints of its own,
   * as upstream's helper.DefaultSelector: the selectors of the Services in its namespace that
   * select it, plus that of its controller when the controller is a ReplicationController,
   * ReplicaSet or StatefulSet; undefined when that selector is empty (the defaults then do
   * not apply). The result (and the constraints compiled from it) is cached per controller
   * object and the Services it was built from, so pods of one ReplicaSet build it once.
   */
  private defaultConstraints(pi: PodInfo): DefaultSpread | undefined {
    const pod = pi.pod;
    const ns = pi.namespace;
    const labels = pi.labels;
    const l = this.handle.listers;
    let services: Service[] | undefined;
    for (const s of l.services?.list(ns) ?? []) {
      const sel = s.spec?.selector;
      // services with nil selectors match nothing, not everything
      if (!sel) continue;
      let ok = true;
      for (const k in sel) {
        if (labels[k] !== sel[k]) {
          ok = false;
          break;
        }
      }
      if (ok) (services ??= []).push(s);
    }
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
    let owner: ReplicationController | ReplicaSet | StatefulSet | undefined;
    if (ref?.apiVersion === 'v1' && ref.kind === 'ReplicationController') owner = l.replicationControllers?.get(ns, ref.name);
    else if (ref?.apiVersion === 'apps/v1' && ref.kind === 'ReplicaSet') owner = l.replicaSets?.get(ns, ref.name);
    else if (ref?.apiVersion === 'apps/v1' && ref.kind === 'StatefulSet') owner = l.statefulSets?.get(ns, ref.name);
    const anchor: object | undefined = owner ?? services?.[0];
    if (!anchor) return undefined;
    const hit = this.defaultCache.get(anchor);
    if (hit && sameList(hit.services, services)) return hit.spread;
    const spread = this.buildDefaultSelector(services, ref?.kind, owner);
    this.defaultCache.set(anchor, { services, spread });
    return spread;
  }

  private buildDefaultSelector(
    services: readonly Service[] | undefined,
    ownerKind: string | undefined,
    owner: ReplicationController | ReplicaSet | StatefulSet | undefined,
  ): DefaultSpread | undefined {
    // Services, RCs, RSs and SSs that match the pod do not conflict: merging is safe
    const matchLabels: Record<string, string> = {};
    for (const s of services ?? []) Object.assign(matchLabels, s.spec?.selector);
    const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
    if (owner && ownerKind === 'ReplicationController') Object.assign(matchLabels, (owner as ReplicationController).spec?.selector ?? {});
    else if (owner) {
      const sel = (owner as ReplicaSet | StatefulSet).spec?.selector;
      // an invalid or nil controller selector adds nothing, as upstream ignores its error
      let valid = sel !== undefined;
      try {
        if (sel) selectorFromLabelSelector(sel);
      } catch {
        valid = false;
      }
      if (valid && sel) {
        Object.assign(matchLabels, sel.matchLabels ?? {});
        matchExpressions.push(...(sel.matchExpressions ?? []));
      }
    }
    if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return undefined;
    return { selector: matchExpressions.length ? { matchLabels, matchExpressions } : { matchLabels } };
  }

  private nodeEligible(pod: PodInfo, c: Constraint, node: NodeInfo): boolean {
    if (c.honorNodeAffinity && !podMatchesNodeSelectorAndAffinity(pod.pod, node.name, node.labels)) return false;
    if (c.honorNodeTaints && findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations ?? [], ['NoSchedule', 'NoExecute'])) return false;
    return true;
  }

  /** indexedCounts returns constraint c's live counts from its index, brought up to date. */
  private indexedCounts(c: Constraint, constraints: readonly Constraint[], nodes: readonly NodeInfo[]): Map<string, number> {
    const snap = this.handle.snapshot;
    const key = c.cacheKey + '\u0000' + c.topologyKey + '\u0000' + constraints.map((x) => x.topologyKey).join(',');
    let ix = this.indexes.get(key);
    if (!ix) {
      if (this.indexes.size > 256) this.indexes.clear();
      this.indexes.set(key, (ix = new SpreadIndex()));
    }
    const changed = ix.epoch === snap.labelEpoch ? snap.podChangesSince(ix.seq) : undefined;
    if (!changed) {
      ix.perNode.clear();
      ix.counts.clear();
      for (const n of nodes) {
        if (!hasAllKeys(n, constraints)) continue;
        const cnt = countOn(c.counts, n);
        ix.perNode.set(n, cnt);
        const v = n.labels[c.topologyKey]!;
        ix.counts.set(v, (ix.counts.get(v) ?? 0) + cnt);
      }
      ix.epoch = snap.labelEpoch;
    } else {
      for (const n of changed) {
        const old = ix.perNode.get(n);
        if (old === undefined) continue;
        const cnt = countOn(c.counts, n);
        if (cnt === old) continue;
        ix.perNode.set(n, cnt);
        const v = n.labels[c.topologyKey]!;
        ix.counts.set(v, (ix.counts.get(v) ?? 0) + cnt - old);
      }
    }
    ix.seq = snap.podChangeSeq;
    return ix.counts;
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status } {
    const constraints = this.constraints(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: Status.skip() };
    const spec = pod.pod.spec;
    const podHasNodeConstraints = (spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0) || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (constraints.every((c) => !c.honorNodeTaints && (!c.honorNodeAffinity || !podHasNodeConstraints))) {
      const counts = constraints.map((c) => this.indexedCounts(c, constraints, nodes));
      state.write(preFilterKey, new PreFilterState(constraints, counts, constraints.map(() => true)));
      return { status: Status.success() };
    }
    const counts = constraints.map(() => new Map<string, number>());
    for (const n of nodes) {
      if (!hasAllKeys(n, constraints)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i]!;
        if (!this.nodeEligible(pod, c, n)) continue;
        const v = n.labels[c.topologyKey]!;
        const m = counts[i]!;
        m.set(v, (m.get(v) ?? 0) + countOn(c.counts, n));
      }
    }
    state.write(preFilterKey, new PreFilterState(constraints, counts));
    return { status: Status.success() };
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    return this.update(state, pod, added, node, 1);
  }
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    return this.update(state, pod, removed, node, -1);
  }
  private update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, d: number): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s || other.namespace !== pod.namespace || !hasAllKeys(node, s.constraints)) return Status.success();
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      if (!this.nodeEligible(pod, c, node) || !c.selector.matches(other.labels)) continue;
      const v = node.labels[c.topologyKey]!;
      const m = s.writable(i);
      m.set(v, (m.get(v) ?? 0) + d);
    }
    return Status.success();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return Status.success();
    const selfMatch = s.selfMatch(pod);
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return LABEL_NOT_MATCH;
      const self = selfMatch[i]!;
      const matchNum = s.counts[i]!.get(v) ?? 0;
      const skew = matchNum + self - s.minMatch(i);
      if (skew > c.maxSkew) return CONSTRAINTS_NOT_MATCH;
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: PodInfo, filtered: readonly NodeInfo[]): Status {
    const constraints = this.constraints(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return Status.skip();
    // Explicit (and listed default) constraints ignore nodes missing any key; the system
    // defaults score such nodes on the keys they have.
    const requireAll = (pod.pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !this.systemDefaulted;
    const ignored = new Set<string>();
    // distinct domains per (non-hostname) constraint among the scored nodes; a node without the
    // key counts as the domain "" (upstream's map lookup of a missing label)
    const sizes = constraints.map((c) => (c.topologyKey === hostnameKey ? undefined : new Set<string>()));
    // only domains that Score reads (of nodes that have the key) are counted
    const pairCounts = constraints.map(() => new Map<string, number>());
    // nodes in a row often share a domain (or all lack the key): skip re-adding the last one
    const last: Array<string | undefined | null> = constraints.map(() => null);
    for (const n of filtered) {
      if (requireAll && !hasAllKeys(n, constraints)) {
        ignored.add(n.name);
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        const set = sizes[i];
        if (!set) continue;
        const v = topologyValue(n, constraints[i]!.topologyKey);
        if (v === last[i]) continue;
        last[i] = v;
        set.add(v ?? '');
        if (v !== undefined) pairCounts[i]!.set(v, 0);
      }
    }
    const weights = constraints.map((_c, i) => Math.log((sizes[i]?.size ?? filtered.length - ignored.size) + 2));
    // Every node is eligible when the pod has no node constraints to honor: then a constraint's
    // domain counts come from its index (only nodes whose pods changed are recounted), except
    // for the domain "" that nodes missing the key would also count into without requireAll.
    const spec = pod.pod.spec;
    const podHasNodeConstraints = (spec?.nodeSelector && Object.keys(spec.nodeSelector).length > 0) || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const slow: boolean[] = constraints.map(() => false);
    let anySlow = false;
    for (let i = 0; i < constraints.length; i++) {
      const c = constraints[i]!;
      const m = pairCounts[i]!;
      if (c.topologyKey === hostnameKey || m.size === 0) continue;
      if (c.honorNodeTaints || (c.honorNodeAffinity && podHasNodeConstraints) || m.has('')) {
        slow[i] = anySlow = true;
        continue;
      }
      const counts = this.indexedCounts(c, requireAll ? constraints : [c], this.handle.snapshot.nodeInfos());
      for (const v of m.keys()) m.set(v, counts.get(v) ?? 0);
    }
    if (anySlow) {
      for (const n of this.handle.snapshot.nodeInfos()) {
        if (requireAll && !hasAllKeys(n, constraints)) continue;
        for (let i = 0; i < constraints.length; i++) {
          const c = constraints[i]!;
          if (!slow[i]) continue;
          const m = pairCounts[i]!;
          const v = n.labels[c.topologyKey] ?? '';
          const cur = m.get(v);
          if (cur === undefined || !this.nodeEligible(pod, c, n)) continue;
          m.set(v, cur + countOn(c.counts, n));
        }
      }
    }
    state.write(preScoreKey, new PreScoreState(constraints, weights, pairCounts, ignored));
    return Status.success();
  }

  /** score is the weighted count of matching pods in the node's domains (fewer is better); -1 marks an ignored node. */
  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(preScoreKey);
    return s ? scoreWith(s, node) : 0;
  }

  scoreAll(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const s = state.read<PreScoreState>(preScoreKey);
    for (let i = 0; i < nodes.length; i++) scores[i] = s ? scoreWith(s, nodes[i]!) : 0;
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: number[]): void {
    if (!state.read<PreScoreState>(preScoreKey)) return;
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s < 0) continue;
      if (s < min) min = s;
      if (s > max) max = s;
    }
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (s < 0) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'AssignedPod', action: 'Add' } },
      { event: { resource: 'AssignedPod', action: 'Update', label: 'AssignedPodUpdate' } },
      { event: { resource: 'AssignedPod', action: 'Delete' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'Update', label: 'NodeLabelChange' } },
      { event: { resource: 'Node', action: 'Delete' } },
    ];
  }
}

function scoreWith(s: PreScoreState, node: NodeInfo): number {
  // only explicit constraints ignore nodes: skip the set lookup (a cache miss on node.name) otherwise
  if (s.ignored.size > 0 && s.ignored.has(node.name)) return -1;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i]!;
    const v = topologyValue(node, c.topologyKey);
    if (v === undefined) continue;
    const cnt = c.topologyKey === hostnameKey ? countOn(c.counts, node) : (s.pairCounts[i]!.get(v) ?? 0);
    score += cnt * s.weights[i]! + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** topologyValue is node.labels[key], read from the NodeInfo's copies for the two well-known keys. */
function topologyValue(node: NodeInfo, key: string): string | undefined {
  return key === hostnameKey ? node.hostnameLabel : key === zoneKey ? node.zoneLabel : node.labels[key];
}

function hasAllKeys(n: NodeInfo, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (topologyValue(n, c.topologyKey) === undefined) return false;
  return true;
}
