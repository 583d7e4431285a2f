/** NodeAffinity: spec.nodeSelector and required/preferred node affinity (matchExpressions and matchFields). */
import type { Node, NodeSelector, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/cycle-state.js';
import { nodeSelectorMatches, nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity } from '../framework/helpers.js';
import {
  MAX_NODE_SCORE,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type NormalizeScorePlugin,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.js';
import { defaultNormalizeScore } from '../framework/registry.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NodeAffinityName = 'NodeAffinity';
export const ErrReasonPodNotMatchNodeSelector = "node(s) didn't match Pod's node affinity/selector";
export const ErrReasonConflict = 'pod affinity terms conflict';

/** NodeAffinityArgs as kubescheduler.config.k8s.io/v1: addedAffinity applies to every pod of the profile. */
export interface NodeAffinityArgs {
  addedAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: NodeSelector; preferredDuringSchedulingIgnoredDuringExecution?: PreferredSchedulingTerm[] };
}

class PreScoreState {
  constructor(readonly terms: readonly PreferredSchedulingTerm[]) {}
  clone(): PreScoreState {
    return this;
  }
}
const preScoreKey = 'PreScore' + NodeAffinityName;

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, NormalizeScorePlugin, EnqueueExtensions {
  readonly name = NodeAffinityName;
  private readonly added: NodeAffinityArgs['addedAffinity'];

  constructor(args?: NodeAffinityArgs) {
    this.added = args?.addedAffinity;
  }

  preFilter(_s: CycleState, pod: PodInfo): { status: Status; result?: PreFilterResult } {
    const spec = pod.pod.spec;
    const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const hasSelector = spec?.nodeSelector !== undefined && Object.keys(spec.nodeSelector).length > 0;
    if (!req && !hasSelector && !this.added?.requiredDuringSchedulingIgnoredDuringExecution) return { status: Status.skip() };
    if (!req) return { status: Status.success() };
    // When every term pins metadata.name, only those nodes need to be evaluated.
    let names: Set<string> | undefined = new Set();
    for (const term of req.nodeSelectorTerms ?? []) {
      let termNames: Set<string> | undefined;
      for (const f of term.matchFields ?? []) {
        if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
        const vs = new Set(f.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => vs.has(n))) : vs;
      }
      if (!termNames) {
        names = undefined;
        break;
      }
      for (const n of termNames) names.add(n);
    }
    if (names === undefined) return { status: Status.success() };
    if (names.size === 0) return { status: Status.unresolvable(ErrReasonConflict) };
    return { status: Status.success(), result: { nodeNames: names } };
  }

  /**
   * filter checks the node against the profile's added affinity, spec.nodeSelector and the
   * required node affinity. The answer depends only on those and on the node's name and
   * labels, so it is memoized on the NodeInfo per nodeConstraintKey (the pods of one workload
   * share it) and the node's labels are read once per workload rather than once per cycle.
   */
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const addedReq = this.added?.requiredDuringSchedulingIgnoredDuringExecution;
    const key = pod.nodeConstraintKey;
    if (key === '' && !addedReq) return Status.success();
    let ok: boolean;
    if (node.selectorMemoKey === key && node.selectorMemoOwner === this) ok = node.selectorMemoMatch;
    else {
      ok = (!addedReq || nodeSelectorMatches(addedReq, node.name, node.labels)) && podMatchesNodeSelectorAndAffinity(pod.pod, node.name, node.labels);
      node.selectorMemoKey = key;
      node.selectorMemoOwner = this;
      node.selectorMemoMatch = ok;
    }
    return ok ? Status.success() : Status.unresolvable(ErrReasonPodNotMatchNodeSelector);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const terms = [
      ...(this.added?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []),
    ].filter((t) => t.weight !== 0);
    if (terms.length === 0) return Status.skip();
    state.write(preScoreKey, new PreScoreState(terms));
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const terms = state.read<PreScoreState>(preScoreKey)?.terms ?? [];
    let sum = 0;
    for (const t of terms) if (nodeSelectorTermMatches(t.preference, node.name, node.labels)) sum += t.weight;
    return sum;
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    // QueueingHint: only a node matching the pod's selector and required affinity can help
    const hint = (pod: Pod, _old: unknown, node: unknown): 'Queue' | 'QueueSkip' => {
      const n = node as Node | undefined;
      const name = n?.metadata?.name ?? '';
      const labels = n?.metadata?.labels ?? {};
      const added = this.added?.requiredDuringSchedulingIgnoredDuringExecution;
      if (added && !nodeSelectorMatches(added, name, labels)) return 'QueueSkip';
      return podMatchesNodeSelectorAndAffinity(pod, name, labels) ? 'Queue' : 'QueueSkip';
    };
    return [
      { event: { resource: 'Node', action: 'Add' }, hint },
      { event: { resource: 'Node', action: 'Update', label: 'NodeLabelChange' }, hint },
    ];
  }
}
