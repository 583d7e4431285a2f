/** TaintToleration: filter on NoSchedule/NoExecute taints, prefer nodes with fewer untolerated PreferNoSchedule ones. */
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/cycle-state.js';
import { findUntoleratedTaint, tolerationsTolerateTaint } from '../framework/helpers.js';
import {
  MAX_NODE_SCORE,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type Handle,
  type NormalizeScorePlugin,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScoreAllPlugin,
} from '../framework/interface.js';
import { defaultNormalizeScore } from '../framework/registry.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const TaintTolerationName = 'TaintToleration';
const filterEffects = ['NoSchedule', 'NoExecute'];

class PreScoreState {
  constructor(readonly tolerations: readonly Toleration[]) {}
  clone(): PreScoreState {
    return this;
  }
}
const preScoreKey = 'PreScore' + TaintTolerationName;

function untoleratedPreferNoSchedule(tols: readonly Toleration[], node: NodeInfo): number {
  let n = 0;
  for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tols, t)) n++;
  return n;
}

export class TaintToleration implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScoreAllPlugin, NormalizeScorePlugin, EnqueueExtensions {
  readonly name = TaintTolerationName;
  constructor(private readonly handle: Handle) {}

  /** preFilter skips Filter (every node would pass) while no node has a taint. */
  preFilter(): { status: Status } {
    return { status: this.handle.snapshot.taintedNodeCount() === 0 ? Status.skip() : Status.success() };
  }

  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.taints.length === 0) return Status.success();
    const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations ?? [], filterEffects);
    if (!taint) return Status.success();
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const tols = (pod.pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
    state.write(preScoreKey, new PreScoreState(tols));
    return Status.success();
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    return untoleratedPreferNoSchedule(state.read<PreScoreState>(preScoreKey)?.tolerations ?? [], node);
  }

  scoreAll(state: CycleState, _pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void {
    const tols = state.read<PreScoreState>(preScoreKey)?.tolerations ?? [];
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      scores[i] = node.taints.length === 0 ? 0 : untoleratedPreferNoSchedule(tols, node);
    }
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: number[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    // QueueingHint: only a node whose NoSchedule/NoExecute taints the pod tolerates can help
    const hint = (pod: Pod, _old: unknown, node: unknown): 'Queue' | 'QueueSkip' =>
      findUntoleratedTaint((node as Node | undefined)?.spec?.taints ?? [], pod.spec?.tolerations ?? [], filterEffects) ? 'QueueSkip' : 'Queue';
    return [
      { event: { resource: 'Node', action: 'Add' }, hint },
      { event: { resource: 'Node', action: 'Update', label: 'NodeTaintChange' }, hint },
    ];
  }
}
