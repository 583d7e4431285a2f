/**
 * Defaulting of flowcontrol.apiserver.k8s.io/v1 objects, as upstream's
 * pkg/apis/flowcontrol/v1/defaults.go (v1.30+: limited.nominalConcurrencyShares is a pointer,
 * so only an absent value becomes 30 and an explicit 0 stays).
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';

export const FLOW_SCHEMA_DEFAULT_MATCHING_PRECEDENCE = 1000;
export const PRIORITY_LEVEL_DEFAULT_NOMINAL_CONCURRENCY_SHARES = 30;
export const PRIORITY_LEVEL_DEFAULT_QUEUES = 64;
export const PRIORITY_LEVEL_DEFAULT_HAND_SIZE = 8;
export const PRIORITY_LEVEL_DEFAULT_QUEUE_LENGTH_LIMIT = 50;

const unset = (v: unknown): boolean => v === undefined || v === null;

export function defaultFlowSchema(fs: FlowSchema): void {
  const spec = fs.spec;
  if (!spec) return;
  // matchingPrecedence is a plain int32 upstream: 0 and absent both mean "not set".
  if (!spec.matchingPrecedence) spec.matchingPrecedence = FLOW_SCHEMA_DEFAULT_MATCHING_PRECEDENCE;
}

export function defaultPriorityLevelConfiguration(pl: PriorityLevelConfiguration): void {
  const spec = pl.spec;
  if (!spec) return;
  const ex = spec.exempt;
  if (ex) {
    if (unset(ex.nominalConcurrencyShares)) ex.nominalConcurrencyShares = 0;
    if (unset(ex.lendablePercent)) ex.lendablePercent = 0;
  }
  const l = spec.limited;
  if (l) {
    if (unset(l.nominalConcurrencyShares)) l.nominalConcurrencyShares = PRIORITY_LEVEL_DEFAULT_NOMINAL_CONCURRENCY_SHARES;
    if (unset(l.lendablePercent)) l.lendablePercent = 0;
    const q = l.limitResponse?.queuing;
    if (q) {
      if (!q.handSize) q.handSize = PRIORITY_LEVEL_DEFAULT_HAND_SIZE;
      if (!q.queues) q.queues = PRIORITY_LEVEL_DEFAULT_QUEUES;
      if (!q.queueLengthLimit) q.queueLengthLimit = PRIORITY_LEVEL_DEFAULT_QUEUE_LENGTH_LIMIT;
    }
  }
}
