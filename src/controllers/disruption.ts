/**
 * The disruption controller (upstream pkg/controller/disruption): keeps every
 * PodDisruptionBudget's status — expectedPods, currentHealthy, desiredHealthy,
 * disruptionsAllowed, disruptedPods, observedGeneration and the DisruptionAllowed condition —
 * which the eviction subresource reads to allow or refuse an eviction. It also resets a
 * DisruptionTarget=True pod condition that nobody acted on (the pod was not deleted within
 * two minutes) to False, as upstream does.
 */
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { setStatusCondition, updateDisruptionAllowedCondition } from '../api/conditions.js';
import { rfc3339 } from '../api/duration.js';
import { isStatusError } from '../api/errors.js';
import { selectorFromLabelSelector, formatLabelSelector, type Selector } from '../api/labels.js';
import { gvr, type Lister } from '../client/index.js';
import { resolveIntOrPercent } from './deployment_util.js';
import { watch, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { controllerOf, splitKey } from './util/owner.js';
import { isPodReady, podCondition } from './util/pod.js';

/** deletionTimeoutMs: how long an evicted pod may stay undeleted before it counts again (upstream DeletionTimeout). */
const DELETION_TIMEOUT_MS = 2 * 60_000;
/** stalePodDisruptionTimeoutMs: how long a DisruptionTarget=True condition may go unacted on. */
const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;
/** Keys of the stale-condition cleanup share the controller's queue under this prefix. */
const STALE = 'stale-disruption:';

type Status = NonNullable<PodDisruptionBudget['status']>;

/** Compiled selectors per cached budget object (the informer replaces the object on change). */
const selectors = new WeakMap<PodDisruptionBudget, Selector | undefined>();

function selectorOf(pdb: PodDisruptionBudget): Selector | undefined {
  if (!selectors.has(pdb)) {
    let sel: Selector | undefined;
    try {
      sel = selectorFromLabelSelector(pdb.spec?.selector);
    } catch {
      sel = undefined; // an invalid selector matches nothing
    }
    selectors.set(pdb, sel);
  }
  return selectors.get(pdb);
}

/** pdbMatchesPod is upstream's getPdbsForPod test: pods without labels match no budget. */
function pdbMatchesPod(pdb: PodDisruptionBudget, pod: Pod): boolean {
  const labels = pod.metadata?.labels;
  if (!labels || Object.keys(labels).length === 0) return false;
  return selectorOf(pdb)?.matches(labels) ?? false;
}

/** staleDisruptionWait says whether pod carries a DisruptionTarget=True condition the controller may reset, and after how long. */
function staleDisruptionWait(pod: Pod, now: number): number | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const c = podCondition(pod, 'DisruptionTarget');
  // Conditions the kubelet sets are never stale: the pod may take arbitrarily long to terminate.
  if (!c || c.status !== 'True' || c.reason === 'TerminationByKubelet') return undefined;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : now;
  return Math.max(0, since + STALE_POD_DISRUPTION_TIMEOUT_MS - now);
}

/** conditionsAreUpToDate is upstream's pdb helper of the same name. */
function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const st: Partial<Status> = pdb.status ?? {};
  const c = st.conditions?.find((x) => x.type === 'DisruptionAllowed');
  if (!c || (st.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  return (st.disruptionsAllowed ?? 0) > 0 ? c.status === 'True' && c.reason === 'SufficientPods' : c.status === 'False' && c.reason === 'InsufficientPods';
}

function sameDisruptedPods(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
}

class DisruptionController implements Controller {
  readonly name = 'disruption';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly pdbs: Lister<PodDisruptionBudget>;
  private readonly pods: Lister<Pod>;
  private readonly rcs: Lister<ReplicationController>;
  private readonly rss: Lister<ReplicaSet>;
  private readonly deployments: Lister<Deployment>;
  private readonly statefulsets: Lister<StatefulSet>;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 1;
    this.pdbs = ctx.informers.lister<PodDisruptionBudget>(gvr.poddisruptionbudgets);
    this.pods = ctx.informers.lister<Pod>(gvr.pods);
    this.rcs = ctx.informers.lister<ReplicationController>(gvr.replicationcontrollers);
    this.rss = ctx.informers.lister<ReplicaSet>(gvr.replicasets);
    this.deployments = ctx.informers.lister<Deployment>(gvr.deployments);
    this.statefulsets = ctx.informers.lister<StatefulSet>(gvr.statefulsets);
    for (const r of [gvr.replicationcontrollers, gvr.replicasets, gvr.deployments, gvr.statefulsets]) ctx.informers.forResource(r);
    this.watches = [
      watch(ctx.informers.forResource<PodDisruptionBudget>(gvr.poddisruptionbudgets)),
      watch(ctx.informers.forResource<Pod>(gvr.pods), (p) => this.keysForPod(p)),
    ];
  }

  private keysForPod(pod: Pod): string[] {
    const ns = pod.metadata?.namespace ?? '';
    const keys = this.pdbs
      .namespace(ns)
      .list()
      .filter((pdb) => pdbMatchesPod(pdb, pod))
      .map((pdb) => `${ns}/${pdb.metadata?.name ?? ''}`);
    if (staleDisruptionWait(pod, this.ctx.clock.now()) !== undefined) keys.push(`${STALE}${ns}/${pod.metadata?.name ?? ''}`);
    return keys;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (key.startsWith(STALE)) return this.syncStalePodDisruption(key.slice(STALE.length));
    const [ns, name] = splitKey(key);
    const pdb = this.pdbs.namespace(ns).get(name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (err) {
      // A conflict only means our cache was behind; anything else closes the budget until
      // the next pod or budget change syncs it again (upstream does not retry either).
      if (isStatusError(err, 'Conflict')) throw err;
      this.ctx.log(`disruption: failed to sync PDB ${key}`, err);
      await this.failSafe(pdb, err instanceof Error ? err.message : String(err));
    }
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult | void> {
    const recorder = this.ctx.recorder('controllermanager');
    const ns = pdb.metadata?.namespace ?? '';
    const sel = selectorFromLabelSelector(pdb.spec?.selector);
    const pods = this.pods.namespace(ns).list(sel);
    if (pods.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    const { expected, desired, unmanaged } = this.expectedPodCount(pdb, pods);
    if (unmanaged.length > 0) {
      recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${formatLabelSelector(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    const now = this.ctx.clock.now();
    // Pods the eviction subresource recorded as disrupted: still expected to go away soon.
    const disrupted: Record<string, string> = {};
    let recheck: number | undefined;
    const recorded = pdb.status?.disruptedPods ?? {};
    for (const p of pods) {
      const podName = p.metadata?.name ?? '';
      const at = recorded[podName];
      if (p.metadata?.deletionTimestamp || at === undefined) continue;
      const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
      if (expectedDeletion < now) {
        recorder.event(p, 'Warning', 'NotDeleted', `Pod was expected by PDB ${ns}/${pdb.metadata?.name ?? ''} to be deleted but it wasn't`);
        continue;
      }
      disrupted[podName] = at;
      if (recheck === undefined || expectedDeletion < recheck) recheck = expectedDeletion;
    }
    let healthy = 0;
    for (const p of pods) {
      if (p.metadata?.deletionTimestamp) continue;
      if (disrupted[p.metadata?.name ?? ''] !== undefined) continue;
      if (isPodReady(p)) healthy++;
    }
    await this.updateStatus(pdb, healthy, desired, expected, disrupted, now);
    return recheck !== undefined ? { requeueAfter: recheck - now + 1 } : undefined;
  }

  /** expectedPodCount is upstream's getExpectedPodCount: what the budget counts against. */
  private expectedPodCount(pdb: PodDisruptionBudget, pods: Pod[]): { expected: number; desired: number; unmanaged: string[] } {
    const spec = pdb.spec ?? {};
    if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
      const { expected, unmanaged } = this.expectedScale(pods);
      const maxUnavailable = resolveIntOrPercent(spec.maxUnavailable, expected, true, '0');
      return { expected, desired: Math.max(0, expected - maxUnavailable), unmanaged };
    }
    if (typeof spec.minAvailable === 'number') return { expected: pods.length, desired: spec.minAvailable, unmanaged: [] };
    if (typeof spec.minAvailable === 'string') {
      const { expected, unmanaged } = this.expectedScale(pods);
      return { expected, desired: resolveIntOrPercent(spec.minAvailable, expected, true, '0'), unmanaged };
    }
    return { expected: 0, desired: 0, unmanaged: [] };
  }

  /** expectedScale sums the scale of every controller owning one of pods (upstream getExpectedScale). */
  private expectedScale(pods: Pod[]): { expected: number; unmanaged: string[] } {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const p of pods) {
      const ref = controllerOf(p);
      if (!ref) {
        unmanaged.push(p.metadata?.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = this.findController(ref, p.metadata?.namespace ?? '');
      if (!found) throw new Error(`found no controllers for pod "${p.metadata?.name ?? ''}"`);
      scales.set(found.uid, found.scale);
    }
    let expected = 0;
    for (const s of scales.values()) expected += s;
    return { expected, unmanaged };
  }

  /** findController runs upstream's finders in order: RC, Deployment (through its ReplicaSet), ReplicaSet, StatefulSet. */
  private findController(ref: OwnerReference, ns: string): { uid: string; scale: number } | undefined {
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
    const same = (o: { metadata?: { uid?: string } } | undefined): boolean => !!o && o.metadata?.uid === ref.uid;
    if (group === '' && ref.kind === 'ReplicationController') {
      const rc = this.rcs.namespace(ns).get(ref.name);
      if (same(rc)) return { uid: ref.uid, scale: rc!.spec?.replicas ?? 1 };
    }
    if (group === 'apps' && ref.kind === 'ReplicaSet') {
      const rs = this.rss.namespace(ns).get(ref.name);
      if (!same(rs)) return undefined;
      const owner = controllerOf(rs!);
      if (owner && owner.kind === 'Deployment') {
        const d = this.deployments.namespace(ns).get(owner.name);
        // A ReplicaSet owned by a Deployment counts as the Deployment, or as nothing.
        return d && d.metadata?.uid === owner.uid ? { uid: owner.uid, scale: d.spec?.replicas ?? 1 } : undefined;
      }
      return { uid: ref.uid, scale: rs!.spec?.replicas ?? 1 };
    }
    if (group === 'apps' && ref.kind === 'StatefulSet') {
      const sts = this.statefulsets.namespace(ns).get(ref.name);
      if (same(sts)) return { uid: ref.uid, scale: sts!.spec?.replicas ?? 1 };
    }
    return undefined;
  }

  private async updateStatus(pdb: PodDisruptionBudget, currentHealthy: number, desiredHealthy: number, expectedPods: number, disruptedPods: Record<string, string>, now: number): Promise<void> {
    // A budget that selects nothing yet stays closed, so its first pods are safe before we see them.
    const allowed = expectedPods <= 0 ? 0 : Math.max(0, currentHealthy - desiredHealthy);
    const st: Partial<Status> = pdb.status ?? {};
    const generation = pdb.metadata?.generation ?? 0;
    if (
      (st.currentHealthy ?? 0) === currentHealthy &&
      (st.desiredHealthy ?? 0) === desiredHealthy &&
      (st.expectedPods ?? 0) === expectedPods &&
      (st.disruptionsAllowed ?? 0) === allowed &&
      sameDisruptedPods(st.disruptedPods, disruptedPods) &&
      (st.observedGeneration ?? 0) === generation &&
      conditionsAreUpToDate(pdb)
    ) {
      return;
    }
    const next: Status = {
      currentHealthy,
      desiredHealthy,
      expectedPods,
      disruptionsAllowed: allowed,
      ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
      observedGeneration: generation,
      conditions: st.conditions ?? [],
    };
    next.conditions = updateDisruptionAllowedCondition(next, now);
    await this.writeStatus({ ...pdb, status: next });
  }

  /** failSafe closes the budget (disruptionsAllowed 0, SyncFailed) when its status cannot be computed. */
  private async failSafe(pdb: PodDisruptionBudget, message: string): Promise<void> {
    const st: Partial<Status> = pdb.status ?? {};
    const conditions = setStatusCondition(
      st.conditions ?? [],
      { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message, observedGeneration: st.observedGeneration ?? 0 },
      this.ctx.clock.now(),
    );
    await this.writeStatus({ ...pdb, status: { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...st, disruptionsAllowed: 0, conditions } });
  }

  private async writeStatus(pdb: PodDisruptionBudget): Promise<void> {
    await this.ctx.client
      .resource<PodDisruptionBudget>(gvr.poddisruptionbudgets)
      .namespace(pdb.metadata?.namespace ?? '')
      .updateStatus(pdb);
  }

  private async syncStalePodDisruption(podKey: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(podKey);
    const pod = this.pods.namespace(ns).get(name);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, this.ctx.clock.now());
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfter: wait };
    const conditions = (pod.status?.conditions ?? []).map((c) =>
      c.type === 'DisruptionTarget' ? { type: 'DisruptionTarget', status: 'False', lastTransitionTime: rfc3339(this.ctx.clock.now()) } : c,
    );
    await this.ctx.client
      .resource<Pod>(gvr.pods)
      .namespace(ns)
      .updateStatus({ ...pod, status: { ...(pod.status ?? {}), conditions } })
      .catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound')) throw err;
      });
  }
}

/** newDisruptionController keeps PodDisruptionBudget status for the eviction subresource. */
export function newDisruptionController(ctx: ControllerContext, workers?: number): Controller {
  return new DisruptionController(ctx, workers);
}
