/**
 * Deployment arithmetic shared by the rollout strategies (upstream
 * pkg/controller/deployment/util): revisions, template hashing, surge/unavailability
 * fenceposts, replica counts and conditions.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { REVISION_ANNOTATION, parseRevision } from '../api/revision.js';
import { fnv32a, safeEncode, stableJSON } from './util/owner.js';

export { REVISION_ANNOTATION, parseRevision };
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

/** Annotations a Deployment does not copy to its ReplicaSets (upstream annotationsToSkip). */
const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/**
 * revisionOf answers a ReplicaSet's revision annotation as upstream's int64 (a bigint: revisions
 * past 2^53, such as the 3546343826724305832 of the RollingUpdateDeployment conformance test,
 * lose their last digits as a number); 0 when it is missing or not an integer.
 */
export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } }): bigint {
  return parseRevision(rs.metadata?.annotations?.[REVISION_ANNOTATION]);
}


/** withoutHash returns the template with the pod-template-hash label removed (a shallow copy where it differs). */
function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const labels = t?.metadata?.labels;
  if (!t || !labels || !(POD_TEMPLATE_HASH in labels)) return t ?? {};
  const { [POD_TEMPLATE_HASH]: _hash, ...rest } = labels;
  const metadata = { ...t.metadata };
  if (Object.keys(rest).length) metadata.labels = rest;
  else delete metadata.labels;
  return { ...t, metadata };
}

/**
 * canonicalTemplates caches each template's canonical form: a deployment sync compares its
 * template with every ReplicaSet's, and cached ReplicaSets are immutable, so each is
 * serialised once instead of on every sync.
 */
const canonicalTemplates = new WeakMap<PodTemplateSpec, string>();

/** canonicalTemplate is the key-sorted JSON of a template without the pod-template-hash label. */
function canonicalTemplate(t: PodTemplateSpec | undefined): string {
  if (!t) return stableJSON({});
  let s = canonicalTemplates.get(t);
  if (s === undefined) canonicalTemplates.set(t, (s = stableJSON(withoutHash(t))));
  return s;
}

/**
 * equalIgnoreHash compares pod templates ignoring the pod-template-hash label. Templates are
 * treated as immutable (their canonical form is cached per object).
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalTemplate(a) === canonicalTemplate(b);
}

/** computeHash is the pod-template-hash of a template and collision count (FNV-32a, safe-encoded). */
export function computeHash(t: PodTemplateSpec | undefined, collisionCount: number | undefined): string {
  const s = canonicalTemplate(t) + (collisionCount ? `#${collisionCount}` : '');
  return safeEncode(fnv32a(s));
}

/** copyAnnotations returns the deployment annotations a ReplicaSet inherits. */
export function inheritedAnnotations(d: Deployment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) out[k] = v;
  return out;
}

/** resolveIntOrPercent scales an IntOrString against total, rounding up or down. */
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) {
    const n = Number(x);
    return Number.isInteger(n) ? n : 0;
  }
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/** maxSurge and maxUnavailable of a RollingUpdate deployment (upstream ResolveFenceposts). */
export function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const replicas = d.spec?.replicas ?? 1;
  const ru = d.spec?.strategy?.rollingUpdate;
  const surge = resolveIntOrPercent(ru?.maxSurge, replicas, true, '25%');
  let unavailable = resolveIntOrPercent(ru?.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = d.spec?.replicas ?? 1;
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).unavailable, replicas);
}

export const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec?.replicas ?? 0;

/** availableReplicas never exceeds spec.replicas: a status not yet updated after a scale-down must not count pods about to go. */
export const availableReplicas = (rs: ReplicaSet | undefined): number => Math.min(rs?.status?.availableReplicas ?? 0, specReplicas(rs));
export const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number =>
  rss.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);

/** newRSNewReplicas is how many replicas the new ReplicaSet may have now (upstream NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, all: readonly ReplicaSet[], newRS: ReplicaSet): number {
  const replicas = d.spec?.replicas ?? 1;
  if (!isRollingUpdate(d)) return replicas;
  const surge = fenceposts(d).surge;
  // Pods an old ReplicaSet has not deleted yet still count, so the pod total (not only the
  // sum of spec.replicas) stays within replicas + maxSurge.
  const current = sum(all, (rs) => Math.max(specReplicas(rs), rs.status?.replicas ?? 0));
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

export function getCondition(s: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return s?.conditions?.find((c) => c.type === type);
}

/** setCondition replaces the condition of that type, keeping lastTransitionTime when status is unchanged. */
export function setCondition(s: DeploymentStatus, c: DeploymentCondition): void {
  const cur = getCondition(s, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), c];
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  if (s.conditions) s.conditions = s.conditions.filter((c) => c.type !== type);
}

export function condition(type: string, status: string, reason: string, message: string, now: number): DeploymentCondition {
  const t = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

/** deploymentComplete: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = d.spec?.replicas ?? 1;
  return (s.updatedReplicas ?? 0) === replicas && (s.replicas ?? 0) === replicas && (s.availableReplicas ?? 0) === replicas && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** deploymentProgressing: the new status shows progress over the old one. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== 2147483647;
}

/** deploymentTimedOut: progressing for longer than progressDeadlineSeconds without progress. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return !Number.isNaN(from) && from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 < now;
}
