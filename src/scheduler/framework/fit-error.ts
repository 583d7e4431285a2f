/**
 * FitError is "no node fits this pod", rendered exactly as upstream's framework.FitError:
 * `0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had untolerated taint {k: v}.`
 * with the reason histogram sorted as strings (Go's sort.Strings), then PostFilter's message.
 */
import type { NodeToStatus } from './interface.js';
import type { Status } from './status.js';

export const NoNodeAvailableMsg = (n: number): string => `0/${n} nodes are available`;

export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  /** absentNodesStatus applies to nodes missing from nodeToStatus (excluded by a PreFilterResult). */
  absentNodesStatus?: Status;
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new Map(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/** compareGoStrings orders as Go's sort.Strings (by UTF-16 code unit, fine for these ASCII reasons). */
const compareGoStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class FitError extends Error {
  override readonly name = 'FitError';
  constructor(
    readonly podName: string,
    readonly numAllNodes: number,
    readonly diagnosis: Diagnosis,
  ) {
    super();
  }

  override get message(): string {
    return renderFitError(this.numAllNodes, this.diagnosis);
  }
  override set message(_v: string) {
    // computed from the diagnosis, which PostFilter may still amend
  }
}

/** renderFitError is FitError.Error(): prefilter message, else the reason histogram, then postfilter's. */
export function renderFitError(numAllNodes: number, d: Diagnosis): string {
  let msg = NoNodeAvailableMsg(numAllNodes) + ':';
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const reasons = new Map<string, number>();
    for (const s of d.nodeToStatus.values()) for (const r of s.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    if (d.absentNodesStatus && d.nodeToStatus.size < numAllNodes) {
      for (const r of d.absentNodesStatus.reasons) reasons.set(r, (reasons.get(r) ?? 0) + numAllNodes - d.nodeToStatus.size);
    }
    const list = [...reasons].map(([r, n]) => `${n} ${r}`).sort(compareGoStrings);
    if (list.length > 0) msg += ` ${list.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
