/**
 * DefaultPreemption (PostFilter), as upstream's defaultpreemption + preemption.Evaluator: on
 * nodes where removing lower-priority pods could help, dry-run the removal, reprieve as many
 * victims as possible (PDB-violating ones first), pick the node with the fewest PDB
 * violations, then the lowest top victim priority, lowest priority sum, fewest victims and
 * latest start; delete the victims and nominate the node.
 */
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import type { CycleState } from '../framework/cycle-state.js';
import { FitError, newDiagnosis } from '../framework/fit-error.js';
import type { Handle, NodeToStatus, PostFilterPlugin, PostFilterResult } from '../framework/interface.js';
import { Code, Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const DefaultPreemptionName = 'DefaultPreemption';
export const ErrPreemptionNotHelpful = 'Preemption is not helpful for scheduling';
export const ErrNoVictims = 'No preemption victims found for incoming pod';

/** DefaultPreemptionArgs as kubescheduler.config.k8s.io/v1. */
export interface DefaultPreemptionArgs {
  minCandidateNodesPercentage?: number;
  minCandidateNodesAbsolute?: number;
}

export interface Candidate {
  nodeName: string;
  victims: PodInfo[];
  numPDBViolations: number;
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

/** moreImportant: higher priority first, then the earlier start (as upstream's MoreImportantPod). */
function moreImportant(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) - startTime(b);
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = DefaultPreemptionName;
  private readonly minPct: number;
  private readonly minAbs: number;

  constructor(
    args: DefaultPreemptionArgs | undefined,
    private readonly handle: Handle,
    private readonly random: () => number = Math.random,
  ) {
    this.minPct = args?.minCandidateNodesPercentage ?? 10;
    this.minAbs = args?.minCandidateNodesAbsolute ?? 100;
  }

  postFilter(state: CycleState, pod: PodInfo, filtered: NodeToStatus): { status: Status; result?: PostFilterResult } {
    const { status, result } = this.preempt(state, pod, filtered);
    const msg = status.message();
    if (msg) return { status: new Status(status.code, [`preemption: ${msg}`]), ...(result ? { result } : {}) };
    return { status, ...(result ? { result } : {}) };
  }

  private preempt(state: CycleState, pod: PodInfo, m: NodeToStatus): { status: Status; result?: PostFilterResult } {
    const notEligible = this.eligibility(pod, m);
    if (notEligible) return { status: Status.unschedulable(notEligible) };
    const all = this.handle.snapshot.nodeInfos();
    const { candidates, statuses } = this.findCandidates(state, pod, all, m);
    if (candidates.length === 0) {
      const d = newDiagnosis();
      d.nodeToStatus = statuses;
      d.absentNodesStatus = Status.unresolvable(ErrPreemptionNotHelpful);
      const fe = new FitError('', all.length, d);
      return { status: Status.unschedulable(fe.message), result: { nominatedNodeName: '' } };
    }
    const best = pickOneNodeForPreemption(candidates);
    if (!best) return { status: Status.unschedulable('no candidate node for preemption') };
    this.prepareCandidate(best, pod);
    return { status: Status.success(), result: { nominatedNodeName: best.nodeName } };
  }

  /** eligibility returns why the pod may not preempt, or undefined when it may. */
  private eligibility(pod: PodInfo, m: NodeToStatus): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nnn = pod.pod.status?.nominatedNodeName;
    if (nnn) {
      const st = m.get(nnn);
      if (st?.code === Code.UnschedulableAndUnresolvable) return undefined;
      const n = this.handle.snapshot.get(nnn);
      if (n?.pods.some((p) => p.priority < pod.priority && p.pod.metadata?.deletionTimestamp)) {
        return 'not eligible due to a terminating pod on the nominated node.';
      }
    }
    return undefined;
  }

  private findCandidates(state: CycleState, pod: PodInfo, all: readonly NodeInfo[], m: NodeToStatus): { candidates: Candidate[]; statuses: NodeToStatus } {
    const statuses: NodeToStatus = new Map();
    const potential: NodeInfo[] = [];
    for (const n of all) {
      const s = m.get(n.name);
      if (s?.code === Code.UnschedulableAndUnresolvable) statuses.set(n.name, Status.unresolvable(ErrPreemptionNotHelpful));
      else potential.push(n);
    }
    if (potential.length === 0) return { candidates: [], statuses };
    const pdbs = this.handle.listers.podDisruptionBudgets?.list() ?? [];
    const numCandidates = Math.min(potential.length, Math.max(Math.trunc((potential.length * this.minPct) / 100), this.minAbs));
    const offset = Math.floor(this.random() * potential.length);
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    for (let i = 0; i < potential.length && nonViolating.length < numCandidates; i++) {
      const n = potential[(offset + i) % potential.length]!;
      const { victims, numPDBViolations, status } = this.selectVictimsOnNode(state.clone(), pod, n.clone(), pdbs);
      if (status.isSuccess() && victims.length > 0) {
        (numPDBViolations > 0 ? violating : nonViolating).push({ nodeName: n.name, victims, numPDBViolations });
        continue;
      }
      statuses.set(n.name, status.isSuccess() ? Status.error(new Error(`expected at least one victim pod on node "${n.name}"`)) : status);
    }
    return { candidates: [...nonViolating, ...violating], statuses };
  }

  /** selectVictimsOnNode works on a clone of the node and state; the cluster is untouched. */
  selectVictimsOnNode(state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: readonly PodDisruptionBudget[]): { victims: PodInfo[]; numPDBViolations: number; status: Status } {
    const fw = this.handle.framework;
    const remove = (p: PodInfo): void => {
      node.removePod(p.key, p);
      fw.runPreFilterExtensionRemovePod(state, pod, p, node);
    };
    const add = (p: PodInfo): void => {
      node.addPod(p);
      fw.runPreFilterExtensionAddPod(state, pod, p, node);
    };
    const potential = node.pods.filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return { victims: [], numPDBViolations: 0, status: Status.unresolvable(ErrNoVictims) };
    for (const p of potential) remove(p);
    const fits = (): Status => fw.runFilterPluginsWithNominatedPods(state, pod, node);
    const s = fits();
    if (!s.isSuccess()) return { victims: [], numPDBViolations: 0, status: s };
    potential.sort(moreImportant);
    const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
    const victims: PodInfo[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: PodInfo): boolean => {
      add(p);
      if (fits().isSuccess()) return true;
      remove(p);
      victims.push(p);
      return false;
    };
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    victims.sort(moreImportant);
    return { victims, numPDBViolations, status: Status.success() };
  }

  private prepareCandidate(c: Candidate, preemptor: PodInfo): void {
    const client = this.handle.client;
    for (const v of c.victims) {
      client.event(v.pod, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${preemptor.pod.metadata?.uid ?? preemptor.key} on node ${c.nodeName}`);
      const schedulerName = preemptor.pod.spec?.schedulerName || 'default-scheduler';
      const mark = client.markDisruptionTarget?.(v.pod, 'PreemptionByScheduler', `${schedulerName}: preempting to accommodate a higher priority pod`) ?? Promise.resolve();
      mark
        .catch(() => {})
        .then(() => client.deletePod(v.pod))
        .catch(() => {
          // the victim may already be gone; the next cycle re-evaluates
        });
    }
    // lower-priority pods nominated to this node lose their nomination
    for (const p of this.handle.nominatedPodsForNode(c.nodeName)) {
      if (p.priority < preemptor.priority) {
        client.updatePodScheduledCondition(p.pod, { status: 'False', reason: 'Unschedulable', message: '' }, '').catch(() => {});
      }
    }
  }
}

/** filterPodsWithPDBViolation splits pods by whether evicting them would exceed a matching PDB's disruptionsAllowed. */
export function filterPodsWithPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violates = false;
    pdbs.forEach((pdb, i) => {
      if ((pdb.metadata?.namespace ?? '') !== p.namespace) return;
      const sel = pdb.spec?.selector;
      if (!sel || (!sel.matchLabels && !sel.matchExpressions?.length)) return;
      if (!selectorFromLabelSelector(sel).matches(p.labels)) return;
      if (pdb.status?.disruptedPods?.[p.name]) return;
      allowed[i]!--;
      if (allowed[i]! < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(p);
  }
  return { violating, nonViolating };
}

/** pickOneNodeForPreemption applies upstream's tie-breakers in order. */
export function pickOneNodeForPreemption(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const MAXI32 = 2147483647;
  const keys: Array<(c: Candidate) => number> = [
    (c) => c.numPDBViolations,
    (c) => c.victims[0]?.priority ?? -Infinity,
    (c) => c.victims.reduce((s, v) => s + v.priority + MAXI32 + 1, 0),
    (c) => c.victims.length,
    // latest start time among the highest-priority victims wins: negate to minimize
    (c) => {
      const top = c.victims[0]?.priority;
      let earliest = Infinity;
      for (const v of c.victims) if (v.priority === top) earliest = Math.min(earliest, startTime(v));
      return -earliest;
    },
  ];
  let pool = candidates.slice();
  for (const key of keys) {
    if (pool.length === 1) break;
    let min = Infinity;
    for (const c of pool) min = Math.min(min, key(c));
    pool = pool.filter((c) => key(c) === min);
  }
  return pool[0];
}

