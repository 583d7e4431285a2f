/**
 * The pods/eviction subresource, as upstream's EvictionREST (pkg/registry/core/pod/storage):
 * an eviction is a delete that honours the PodDisruptionBudget covering the pod. The budget is
 * judged from its status only (disruptionsAllowed, currentHealthy, desiredHealthy, observed
 * generation), which the disruption controller maintains; an approved eviction records the pod
 * in status.disruptedPods so the controller does not count it as available any more.
 */
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { updateDisruptionAllowedCondition } from '../api/conditions.js';
import { badRequest, forbidden, isStatusError, StatusError, timeout } from '../api/errors.js';
import { selectorFromLabelSelector } from '../api/labels.js';
import type { KubeObject } from '../api/types.js';
import type { WatchCache } from './cache/watchcache.js';
import { timestamp, type DeleteOptions, type Resource, type Store, type WriteContext } from './registry/store.js';

/** upstream's MaxDisruptedPodSize: evictions not yet confirmed by the controller, per budget. */
const MAX_DISRUPTED_PODS = 2000;
/** upstream retries conflicting budget/pod writes 20 times (500 ms apart there; immediate here, the write path is local). */
const RETRIES = 20;
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

export interface EvictionDeps {
  store: Store;
  cache: WatchCache;
  pods: Resource;
  /** pdbs is policy/v1 poddisruptionbudgets (undefined when the group is not served). */
  pdbs: Resource | undefined;
}

interface Pdb extends KubeObject {
  spec?: { selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | null; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    disruptedPods?: Record<string, string>;
    conditions?: Condition[];
  };
}

interface PodLike extends KubeObject {
  status?: { phase?: string; conditions?: Array<{ type?: string; status?: string; [k: string]: unknown }> };
}

/**
 * evict evicts pod `name` in `namespace` (the Eviction body's deleteOptions in `opts`). Resolves
 * to the Status to answer with: 201 Success when the pod was deleted (or its graceful deletion
 * started), upstream's bare 500 Status when several budgets cover the pod. Throws upstream's
 * errors: 429 TooManyRequests with a DisruptionBudget cause when the budget forbids it, 403 for a
 * broken budget, the delete's own errors.
 */
export async function evict(d: EvictionDeps, namespace: string, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<EvictionResult> {
  const rvUnset = !opts.preconditions?.resourceVersion;
  let pod: PodLike | undefined;
  // A pod that no longer runs (or is already going) has disrupted nothing more by being deleted.
  for (let attempt = 0; ; attempt++) {
    pod = (await d.store.get(d.pods, namespace, name)) as PodLike;
    if (!canIgnorePDB(pod)) break;
    let o = opts;
    // Pin the revision so a pod that turned ready meanwhile is not deleted behind the budget's back.
    if (shouldEnforceResourceVersion(pod) && rvUnset) o = withRv(opts, pod.metadata?.resourceVersion);
    try {
      await addConditionAndDelete(d, namespace, name, o, ctx);
      return SUCCESS;
    } catch (err) {
      if (!(rvUnset && isStatusError(err, 'Conflict') && attempt < RETRIES)) throw err;
    }
  }

  const pdbs = d.pdbs ? await budgetsFor(d, d.pdbs, pod) : [];
  // Upstream answers this one with a bare Status (no reason) rather than an error.
  if (pdbs.length > 1) return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 };
  let pinRv = false;
  if (pdbs.length === 1) {
    const pdb = pdbs[0]!;
    const st = pdb.status ?? {};
    const ready = isPodReady(pod);
    if (!ready && pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') pinRv = true;
    else if (!ready && (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0) pinRv = true;
    else await checkAndDecrement(d, d.pdbs!, namespace, name, pdb, ctx);
  }
  const o = pinRv ? withRv(opts, pod.metadata?.resourceVersion) : opts;
  try {
    await addConditionAndDelete(d, namespace, name, o, ctx);
  } catch (err) {
    // The pod changed (maybe became ready) after it was judged unhealthy: let the client retry.
    if (isStatusError(err, 'Conflict') && pinRv && rvUnset) throw tooManyRequests(pdbs[0]!.metadata?.name ?? '');
    throw err;
  }
  return SUCCESS;
}

/** EvictionResult is the Status to answer with; its code is the HTTP status. */
export interface EvictionResult {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  code: number;
}

const SUCCESS: EvictionResult = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

function canIgnorePDB(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata?.deletionTimestamp;
}

function shouldEnforceResourceVersion(pod: PodLike): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata?.deletionTimestamp);
}

function isPodReady(pod: PodLike): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function withRv(opts: DeleteOptions, rv: string | undefined): DeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), ...(rv ? { resourceVersion: rv } : {}) } };
}

function tooManyRequests(pdbName: string): StatusError {
  return violation(10, `The disruption budget ${pdbName} is still being processed by the server.`);
}

function violation(retryAfterSeconds: number, cause: string): StatusError {
  return new StatusError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: VIOLATION,
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: cause }], ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
    code: 429,
  });
}

/** budgetsFor lists the budgets of the pod's namespace whose selector matches it; nil and empty selectors match nothing here. */
async function budgetsFor(d: EvictionDeps, pdbs: Resource, pod: PodLike): Promise<Pdb[]> {
  await d.cache.waitForFresh();
  const ns = pod.metadata?.namespace ?? '';
  const labels = pod.metadata?.labels ?? {};
  const out: Pdb[] = [];
  for (const o of pdbs.stored.cache.list(ns)) {
    const pdb = JSON.parse(o.bytes.toString('utf8')) as Pdb;
    let sel;
    try {
      sel = selectorFromLabelSelector(pdb.spec?.selector ?? null);
    } catch {
      continue;
    }
    if (sel.empty() || !sel.matches(labels)) continue;
    out.push(pdb);
  }
  return out;
}

/**
 * checkAndDecrement approves one disruption against the budget by decrementing
 * disruptionsAllowed and recording the pod in disruptedPods, retrying on conflicts.
 */
async function checkAndDecrement(d: EvictionDeps, pdbs: Resource, namespace: string, podName: string, first: Pdb, ctx: WriteContext): Promise<void> {
  const name = first.metadata?.name ?? '';
  let pdb: Pdb = first;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) pdb = (await d.store.get(pdbs, namespace, name)) as Pdb;
    check(pdb);
    if (ctx.dryRun) return;
    try {
      await d.store.update(
        pdbs,
        namespace,
        name,
        (cur) => {
          const c = cur as Pdb;
          // Decide on what is being written: the budget may have moved since it was read.
          if (c.metadata?.resourceVersion !== pdb.metadata?.resourceVersion) throw conflictMarker;
          const st = { ...(c.status ?? {}) };
          st.disruptionsAllowed = (st.disruptionsAllowed ?? 0) - 1;
          if (st.disruptionsAllowed === 0) st.conditions = updateDisruptionAllowedCondition(st, ctx.now.getTime());
          st.disruptedPods = { ...(st.disruptedPods ?? {}), [podName]: timestamp(ctx.now) };
          return { ...c, status: st };
        },
        ctx,
        'status',
      );
      return;
    } catch (err) {
      if (err !== conflictMarker && !isStatusError(err, 'Conflict')) throw err;
      if (attempt >= RETRIES) throw timeout(`couldn't update PodDisruptionBudget "${name}" due to conflicts`, 10);
    }
  }
}

const conflictMarker = new Error('pdb changed');

function check(pdb: Pdb): void {
  const name = pdb.metadata?.name ?? '';
  const st = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw tooManyRequests(name);
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw forbidden({ group: 'policy', resource: 'poddisruptionbudget' }, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) violationZero(name, st);
}

function violationZero(name: string, st: NonNullable<Pdb['status']>): never {
  throw violation(0, `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
}

/**
 * addConditionAndDelete marks the pod with the DisruptionTarget condition (upstream's
 * PodDisruptionConditions, GA) and deletes it. The status write honours a resourceVersion
 * precondition so both steps see the same pod.
 */
async function addConditionAndDelete(d: EvictionDeps, namespace: string, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<void> {
  if (!ctx.dryRun) {
    const want = opts.preconditions?.resourceVersion;
    const { obj } = await d.store.update(
      d.pods,
      namespace,
      name,
      (cur) => {
        const pod = cur as PodLike;
        if (want && pod.metadata?.resourceVersion !== want) {
          throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, message: `Operation cannot be fulfilled on pods "${name}": the ResourceVersion in the precondition (${want}) does not match the ResourceVersion in record (${pod.metadata?.resourceVersion}). The object might have been modified`, details: { name, kind: 'pods' } });
        }
        const conds = pod.status?.conditions ?? [];
        const prev = conds.find((c) => c.type === 'DisruptionTarget');
        const cond = { type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: prev?.status === 'True' ? prev.lastTransitionTime : timestamp(ctx.now), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
        return { ...pod, status: { ...(pod.status ?? {}), conditions: [...conds.filter((c) => c.type !== 'DisruptionTarget'), cond] } };
      },
      ctx,
      'status',
    );
    // The condition write moved the pod's revision: the delete's precondition follows it.
    if (want) opts = withRv(opts, obj.metadata?.resourceVersion);
  }
  await d.store.delete(d.pods, namespace, name, opts, ctx);
}

/** checkEvictionName is upstream's "name in URL does not match" check. */
export function checkEvictionName(urlName: string, body: KubeObject): void {
  const n = body.metadata?.name;
  if (n !== undefined && n !== urlName) throw badRequest('name in URL does not match name in Eviction object');
}
