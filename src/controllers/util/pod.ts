/** Pod facts every workload controller shares (upstream: pkg/api/v1/pod and controller_utils). */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** isPodActive: not terminated and not being deleted (upstream controller.IsPodActive). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp;
}

/** isPodTerminating: being deleted but not yet terminated. */
export function isPodTerminating(p: Pod): boolean {
  const phase = p.status?.phase;
  return !!p.metadata?.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

export function podCondition(p: Pod, type: string): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === type);
}

/** isPodReady: the Ready condition is True. */
export function isPodReady(p: Pod): boolean {
  return podCondition(p, 'Ready')?.status === 'True';
}

/**
 * isPodAvailable: ready for at least minReadySeconds at `now` (ms). A pod that is ready but
 * not yet available becomes so at readySince(p) + minReadySeconds.
 */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(p)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readySince(p);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/** readySince is when the Ready condition last turned True (ms), if known. */
export function readySince(p: Pod): number | undefined {
  const t = podCondition(p, 'Ready')?.lastTransitionTime;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

function restarts(p: Pod): number {
  let n = 0;
  for (const c of p.status?.containerStatuses ?? []) n += c.restartCount ?? 0;
  return n;
}

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

/** logBucket groups durations on a log2 scale, as upstream's LogarithmicScaleDown. */
function logBucket(ms: number): number {
  return ms <= 0 ? 0 : Math.floor(Math.log2(Math.max(1, ms / 1000))) + 1;
}

/**
 * comparePodsForDeletion orders pods so the ones to delete first come first (upstream
 * ActivePodsWithRanks.Less): unscheduled before scheduled; Pending < Unknown < Running; not
 * ready before ready; lower pod-deletion-cost first; pods doubled up on a node (higher rank)
 * first; ready for less time first; more restarts first; newer first; uid as tie-break.
 */
export function comparePodsForDeletion(a: Pod, b: Pod, rank: (p: Pod) => number, now: number): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const pa = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a) ? 1 : 0;
  const rb = isPodReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  const ka = rank(a);
  const kb = rank(b);
  if (ka !== kb) return kb - ka;
  if (ra && rb) {
    const ta = logBucket(now - (readySince(a) ?? now));
    const tb = logBucket(now - (readySince(b) ?? now));
    if (ta !== tb) return ta - tb;
  }
  const xa = restarts(a);
  const xb = restarts(b);
  if (xa !== xb) return xb - xa;
  const ga = logBucket(now - Date.parse(a.metadata?.creationTimestamp ?? '') || 0);
  const gb = logBucket(now - Date.parse(b.metadata?.creationTimestamp ?? '') || 0);
  if (ga !== gb) return ga - gb;
  return (a.metadata?.uid ?? '') < (b.metadata?.uid ?? '') ? -1 : (a.metadata?.uid ?? '') > (b.metadata?.uid ?? '') ? 1 : 0;
}
