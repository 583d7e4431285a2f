/**
 * Node selector and taint helpers, as upstream's component-helpers/scheduling/corev1:
 * nodeSelectorTerms (matchExpressions on labels, matchFields on metadata.name) and
 * toleration matching.
 */
import type { NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const have = Number(value);
      const want = Number(values[0]);
      if (!Number.isInteger(have) || !Number.isInteger(want)) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/**
 * termMatchesNode: every expression on labels and every field (only metadata.name) matches.
 * A term with neither matchExpressions nor matchFields matches nothing, as upstream.
 */
export function nodeSelectorTermMatches(t: NodeSelectorTerm, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!requirementMatches(r, nodeName)) return false;
  }
  return true;
}

/** nodeSelectorMatches: the terms are ORed; an empty list matches nothing. */
export function nodeSelectorMatches(ns: NodeSelector, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  for (const t of ns.nodeSelectorTerms ?? []) if (nodeSelectorTermMatches(t, nodeName, labels)) return true;
  return false;
}

/**
 * podMatchesNodeSelectorAndAffinity: spec.nodeSelector (all labels equal) and
 * requiredDuringSchedulingIgnoredDuringExecution, as NodeAffinity's Filter and
 * PodTopologySpread's nodeAffinityPolicy=Honor use them.
 */
export function podMatchesNodeSelectorAndAffinity(pod: Pod, nodeName: string, labels: Readonly<Record<string, string>>): boolean {
  const sel = pod.spec?.nodeSelector;
  if (sel) for (const k in sel) if (labels[k] !== sel[k]) return false;
  const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req && !nodeSelectorMatches(req, nodeName, labels)) return false;
  return true;
}

/** toleratesTaint, as upstream's Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator || 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (tol.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tols: readonly Toleration[], taint: Taint): boolean {
  for (const t of tols) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** findUntoleratedTaint returns the first taint with an effect in `effects` that no toleration tolerates. */
export function findUntoleratedTaint(taints: readonly Taint[], tols: readonly Toleration[], effects: readonly string[]): Taint | undefined {
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerationsTolerateTaint(tols, taint)) return taint;
  }
  return undefined;
}
