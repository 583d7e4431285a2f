/**
 * InterPodAffinity: required and preferred pod affinity and anti-affinity, including the
 * symmetry of existing pods' anti-affinity (a pod may not land where an existing pod's
 * required anti-affinity term selects it), as upstream's plugins/interpodaffinity.
 */
import type { CycleState, StateData } from '../framework/cycle-state.js';
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
  type ScorePlugin,
} from '../framework/interface.js';
import { Status } from '../framework/status.js';
import { countMatchingPods, DomainIndexes, internKey, TopologyCounts, type DomainContribution } from '../framework/topology.js';
import { termMatches, type AffinityTerm, type NodeInfo, type PodInfo } from '../framework/types.js';

export const InterPodAffinityName = 'InterPodAffinity';
export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
// Filter's rejections are shared: with a group filling the cluster, most nodes are rejected every cycle
const AFFINITY_NOT_MATCH = Status.unresolvable(ErrReasonAffinityRulesNotMatch);
const ANTI_AFFINITY_NOT_MATCH = Status.unschedulable(ErrReasonAntiAffinityRulesNotMatch);
const EXISTING_ANTI_AFFINITY_NOT_MATCH = Status.unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);

/** InterPodAffinityArgs as kubescheduler.config.k8s.io/v1. */
export interface InterPodAffinityArgs {
  hardPodAffinityWeight?: number;
  ignorePreferredTermsOfExistingPods?: boolean;
}

type Counts = TopologyCounts;

/** existingAntiMemo: per node and incoming pod identity, the topology keys whose domain it may not join. */
const existingAntiMemo = new WeakMap<NodeInfo, Map<string, { gen: number; keys: string[] }>>();

class PreFilterState implements StateData {
  /** shared: the counts belong to a DomainIndex and must be copied before a simulation writes them. */
  shared = false;
  constructor(
    readonly affinityTerms: AffinityTerm[],
    readonly antiAffinityTerms: AffinityTerm[],
    public existingAntiAffinityCounts: Counts,
    public affinityCounts: Counts,
    public antiAffinityCounts: Counts,
    readonly nsLabels: Readonly<Record<string, string>> | undefined,
  ) {}
  own(): void {
    if (!this.shared) return;
    this.existingAntiAffinityCounts = this.existingAntiAffinityCounts.clone();
    this.affinityCounts = this.affinityCounts.clone();
    this.antiAffinityCounts = this.antiAffinityCounts.clone();
    this.shared = false;
  }
  clone(): PreFilterState {
    return new PreFilterState(
      this.affinityTerms,
      this.antiAffinityTerms,
      this.existingAntiAffinityCounts.clone(),
      this.affinityCounts.clone(),
      this.antiAffinityCounts.clone(),
      this.nsLabels,
    );
  }
}

interface ScorePart {
  counts: TopologyCounts;
  mult: number;
}

/** existingScoreMemo: per node and incoming pod identity, what existing pods' scoring terms contribute. */
const existingScoreMemo = new WeakMap<NodeInfo, Map<string, { gen: number; contributions: readonly DomainContribution[] }>>();

class PreScoreState implements StateData {
  constructor(readonly parts: readonly ScorePart[]) {}
  clone(): PreScoreState {
    return this;
  }
}

const preFilterKey = 'PreFilter' + InterPodAffinityName;
const preScoreKey = 'PreScore' + InterPodAffinityName;

export class InterPodAffinity
  implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScorePlugin, NormalizeScorePlugin, EnqueueExtensions
{
  readonly name = InterPodAffinityName;
  private readonly hardPodAffinityWeight: number;
  private readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly indexes = new DomainIndexes();

  constructor(
    args: InterPodAffinityArgs | undefined,
    private readonly handle: Handle,
  ) {
    this.hardPodAffinityWeight = args?.hardPodAffinityWeight ?? 1;
    this.ignorePreferredTermsOfExistingPods = args?.ignorePreferredTermsOfExistingPods ?? false;
  }

  private nsLabels(ns: string): Readonly<Record<string, string>> | undefined {
    return this.handle.listers.namespaces?.get('', ns)?.metadata?.labels;
  }

  /** mergeNamespaces resolves a term's namespaceSelector into its namespace set once per cycle. */
  private mergeNamespaces(terms: readonly AffinityTerm[]): AffinityTerm[] {
    return terms.map((t) => {
      if (!t.namespaceSelector) return t;
      const namespaces = new Set(t.namespaces);
      for (const ns of this.handle.listers.namespaces?.list() ?? []) {
        if (t.namespaceSelector.matches(ns.metadata?.labels)) namespaces.add(ns.metadata?.name ?? '');
      }
      return { ...t, namespaces, namespaceSelector: undefined };
    });
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status } {
    const nsLabels = this.nsLabels(pod.namespace);
    const snap = this.handle.snapshot;
    let existingAnti = new TopologyCounts();
    if (snap.havePodsWithRequiredAntiAffinity().length > 0) {
      const identity = pod.namespace + '\u0000' + JSON.stringify(pod.labels) + '\u0000' + JSON.stringify(nsLabels ?? null);
      existingAnti = this.indexes.get('ea\u0000' + identity).refresh(snap, nodes, (n) =>
        n.podsWithRequiredAntiAffinity.length === 0 ? [] : this.existingAntiKeys(n, pod, nsLabels, identity).map((k): DomainContribution => [k, n.labels[k]!, 1]),
      );
    }
    const affinityTerms = this.mergeNamespaces(pod.requiredAffinityTerms);
    const antiTerms = this.mergeNamespaces(pod.requiredAntiAffinityTerms);
    if (affinityTerms.length === 0 && antiTerms.length === 0 && existingAnti.empty) return { status: Status.skip() };
    const s = new PreFilterState(affinityTerms, antiTerms, existingAnti, new TopologyCounts(), new TopologyCounts(), nsLabels);
    s.shared = true;
    if (affinityTerms.length > 1) {
      // a pod must match every term at once: count by scanning
      s.affinityCounts = new TopologyCounts();
      for (const n of nodes) for (const existing of n.pods) this.countIncoming(s, existing, n, 1, true, false);
    } else if (affinityTerms.length === 1) {
      s.affinityCounts = this.termCounts(affinityTerms[0]!, nodes);
    }
    if (antiTerms.length === 1) s.antiAffinityCounts = this.termCounts(antiTerms[0]!, nodes);
    else if (antiTerms.length > 1) {
      s.antiAffinityCounts = new TopologyCounts();
      for (const n of nodes) for (const existing of n.pods) this.countIncoming(s, existing, n, 1, false, true);
    }
    state.write(preFilterKey, s);
    return { status: Status.success() };
  }

  /** termCounts: pods selected by one term per domain of its topology key, from a DomainIndex. */
  private termCounts(t: AffinityTerm, nodes: readonly NodeInfo[]): TopologyCounts {
    const key = 't\u0000' + [...t.namespaces].join(',') + '\u0000' + t.selectorKey + '\u0000' + t.topologyKey;
    return this.indexes.get(key).refresh(this.handle.snapshot, nodes, (n) => {
      const v = n.labels[t.topologyKey];
      if (v === undefined || n.pods.length === 0) return [];
      const c = countTerm(n, t);
      return c > 0 ? [[t.topologyKey, v, c]] : [];
    });
  }

  /** existingAntiKeys: topology keys of the node's pods' required anti-affinity terms that select `pod`, memoized. */
  private existingAntiKeys(n: NodeInfo, pod: PodInfo, nsLabels: Readonly<Record<string, string>> | undefined, identity: string): string[] {
    let m = existingAntiMemo.get(n);
    if (!m) existingAntiMemo.set(n, (m = new Map()));
    else if (m.size > 64) m.clear();
    const hit = m.get(identity);
    if (hit && hit.gen === n.matchGeneration) return hit.keys;
    const keys: string[] = [];
    for (const existing of n.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinityTerms) {
        if (n.labels[t.topologyKey] !== undefined && termMatches(t, pod, nsLabels)) keys.push(t.topologyKey);
      }
    }
    m.set(identity, { gen: n.matchGeneration, keys });
    return keys;
  }

  private countExistingAnti(c: Counts, existing: PodInfo, pod: PodInfo, nsLabels: Readonly<Record<string, string>> | undefined, n: NodeInfo, d: number): void {
    for (const t of existing.requiredAntiAffinityTerms) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, pod, nsLabels)) c.add(t.topologyKey, v, d);
    }
  }

  private countIncoming(s: PreFilterState, existing: PodInfo, n: NodeInfo, d: number, affinity = true, anti = true): void {
    if (affinity && s.affinityTerms.length > 0) {
      let all = true;
      for (const t of s.affinityTerms) if (!termMatches(t, existing, undefined)) { all = false; break; }
      if (all) {
        for (const t of s.affinityTerms) {
          const v = n.labels[t.topologyKey];
          if (v !== undefined) s.affinityCounts.add(t.topologyKey, v, d);
        }
      }
    }
    if (!anti) return;
    for (const t of s.antiAffinityTerms) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, existing, undefined)) s.antiAffinityCounts.add(t.topologyKey, v, d);
    }
  }

  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    return this.update(state, pod, added, node, 1);
  }

  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    return this.update(state, pod, removed, node, -1);
  }

  private update(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo, d: number): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return Status.success();
    s.own();
    this.countExistingAnti(s.existingAntiAffinityCounts, other, pod, s.nsLabels, node, d);
    this.countIncoming(s, other, node, d);
    return Status.success();
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(preFilterKey);
    if (!s) return Status.success();
    if (!this.satisfyPodAffinity(s, pod, node)) return AFFINITY_NOT_MATCH;
    for (const t of s.antiAffinityTerms) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return ANTI_AFFINITY_NOT_MATCH;
    }
    for (const [key, byValue] of s.existingAntiAffinityCounts.byKey) {
      const v = node.labels[key];
      if (v !== undefined && (byValue.get(v) ?? 0) > 0) return EXISTING_ANTI_AFFINITY_NOT_MATCH;
    }
    return Status.success();
  }

  private satisfyPodAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
    let podsExist = true;
    for (const t of s.affinityTerms) {
      const v = node.labels[t.topologyKey];
      // every topology key must exist on the node
      if (v === undefined) return false;
      if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
    }
    if (podsExist) return true;
    // The first pod of a group with affinity to itself: allowed when no pod in the cluster
    // matches and the pod matches its own terms.
    if (s.affinityCounts.empty) {
      for (const t of s.affinityTerms) if (!termMatches(t, pod, undefined)) return false;
      return true;
    }
    return false;
  }

  /**
   * preScore gathers, per topology domain, the preferred-term weights of matching existing pods
   * (the incoming pod's preferred terms) and the weights of existing pods' hard affinity and
   * preferred terms that select the incoming pod — from DomainIndexes, so a cycle costs
   * O(nodes whose pods changed) rather than O(pods).
   */
  preScore(state: CycleState, pod: PodInfo): Status {
    const snap = this.handle.snapshot;
    const nodes = snap.nodeInfos();
    const parts: ScorePart[] = [];
    for (const t of this.mergeNamespaces(pod.preferredAffinityTerms)) parts.push({ counts: this.termCounts(t, nodes), mult: t.weight });
    for (const t of this.mergeNamespaces(pod.preferredAntiAffinityTerms)) parts.push({ counts: this.termCounts(t, nodes), mult: -t.weight });
    if (snap.havePodsWithAffinity().length > 0) {
      const nsLabels = this.nsLabels(pod.namespace);
      const identity = pod.namespace + '\u0000' + JSON.stringify(pod.labels) + '\u0000' + JSON.stringify(nsLabels ?? null);
      const counts = this.indexes.get('es\u0000' + identity).refresh(snap, nodes, (n) =>
        n.podsWithAffinity.length === 0 ? [] : this.existingScoreContributions(n, pod, nsLabels, identity),
      );
      parts.push({ counts, mult: 1 });
    }
    const live = parts.filter((p) => !p.counts.empty && p.mult !== 0);
    if (live.length === 0) return Status.skip();
    state.write(preScoreKey, new PreScoreState(live));
    return Status.success();
  }

  /** existingScoreContributions: what the node's pods' terms add to domains for `pod`, memoized per node generation. */
  private existingScoreContributions(n: NodeInfo, pod: PodInfo, nsLabels: Readonly<Record<string, string>> | undefined, identity: string): readonly DomainContribution[] {
    let m = existingScoreMemo.get(n);
    if (!m) existingScoreMemo.set(n, (m = new Map()));
    else if (m.size > 64) m.clear();
    const hit = m.get(identity);
    if (hit && hit.gen === n.matchGeneration) return hit.contributions;
    const out: DomainContribution[] = [];
    const add = (key: string, w: number): void => {
      const v = n.labels[key];
      if (v !== undefined && w !== 0) out.push([key, v, w]);
    };
    for (const existing of n.podsWithAffinity) {
      if (this.hardPodAffinityWeight > 0) {
        for (const t of existing.requiredAffinityTerms) if (termMatches(t, pod, nsLabels)) add(t.topologyKey, this.hardPodAffinityWeight);
      }
      if (this.ignorePreferredTermsOfExistingPods) continue;
      for (const t of existing.preferredAffinityTerms) if (termMatches(t, pod, nsLabels)) add(t.topologyKey, t.weight);
      for (const t of existing.preferredAntiAffinityTerms) if (termMatches(t, pod, nsLabels)) add(t.topologyKey, -t.weight);
    }
    m.set(identity, { gen: n.matchGeneration, contributions: out });
    return out;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<PreScoreState>(preScoreKey);
    if (!s) return 0;
    let sum = 0;
    for (const { counts, mult } of s.parts) {
      for (const [key, byValue] of counts.byKey) {
        const v = node.labels[key];
        if (v !== undefined) sum += mult * (byValue.get(v) ?? 0);
      }
    }
    return sum;
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: number[]): void {
    if (!state.read<PreScoreState>(preScoreKey)) return;
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const diff = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (scores[i]! - min)) / diff) : 0;
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'AssignedPod', action: 'Add' } },
      { event: { resource: 'AssignedPod', action: 'Update', label: 'AssignedPodUpdate' } },
      { event: { resource: 'AssignedPod', action: 'Delete' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'Update', label: 'NodeLabelChange' } },
    ];
  }
}

/** countTerm counts the node's pods selected by one term (namespaces already resolved), memoized. */
function countTerm(n: NodeInfo, t: AffinityTerm): number {
  let ck = t.countKeys;
  // a resolved copy of a term ({...t, namespaces}) carries the original's keys: rebuild for its set
  if (!ck || ck.namespaces !== t.namespaces) {
    t.countKeys = ck = { namespaces: t.namespaces, keys: [...t.namespaces].map((ns) => internKey('ipa\u0000' + ns + '\u0000' + t.selectorKey)) };
  }
  let c = 0;
  let i = 0;
  for (const ns of t.namespaces) c += countMatchingPods(n, ns, t.selector, ck.keys[i++]!, true);
  return c;
}
