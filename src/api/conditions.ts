/**
 * metav1.Condition bookkeeping shared by the apiserver and the controllers: upstream's
 * apimeta.SetStatusCondition and the PodDisruptionBudget helper built on it, which the eviction
 * subresource and the disruption controller both apply to a budget's status.
 */
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { rfc3339 } from './duration.js';

/**
 * setStatusCondition returns conds with c set (apimeta.SetStatusCondition): lastTransitionTime
 * moves to now only when the status changes or the condition is new; a zero observedGeneration
 * is omitted, as on the wire.
 */
export function setStatusCondition(conds: readonly Condition[], c: Omit<Condition, 'lastTransitionTime'>, now: number): Condition[] {
  const prev = conds.find((x) => x.type === c.type);
  const next: Condition = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : rfc3339(now) };
  if (!next.observedGeneration) delete next.observedGeneration;
  return prev ? conds.map((x) => (x === prev ? next : x)) : [...conds, next];
}

/**
 * updateDisruptionAllowedCondition is upstream's pdb helper of that name: DisruptionAllowed is
 * True (SufficientPods) while disruptionsAllowed > 0, else False (InsufficientPods).
 */
export function updateDisruptionAllowedCondition(st: { disruptionsAllowed?: number; observedGeneration?: number; conditions?: Condition[] }, now: number): Condition[] {
  const ok = (st.disruptionsAllowed ?? 0) > 0;
  return setStatusCondition(
    st.conditions ?? [],
    { type: 'DisruptionAllowed', status: ok ? 'True' : 'False', reason: ok ? 'SufficientPods' : 'InsufficientPods', message: '', observedGeneration: st.observedGeneration ?? 0 },
    now,
  );
}
