/**
 * The Deployment controller (upstream pkg/controller/deployment): rolls a Deployment's pod
 * template out through ReplicaSets, one per template revision, with the RollingUpdate
 * (maxSurge/maxUnavailable) or Recreate strategy, proportional scaling, pause, revision
 * history cleanup, and the status and conditions `kubectl rollout status` reads.
 *
 * Every step is level-based: the ReplicaSets' spec.replicas are the only thing written, and
 * each sync recomputes from the cache what may be scaled now, so a restart mid-rollout
 * resumes where it stood and never exceeds maxSurge.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { selectorFromLabelSelector, type Selector } from '../api/labels.js';
import { chainTrace, gvr, type EventRecorder, type Indexer, type Lister, type ResourceInterface } from '../client/index.js';
import { watch, watchEvents, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { claimObjects, getOrUndefined } from './util/claim.js';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUIDIndex, newControllerRef, orphanIndexKey, ownerKeyOf, splitKey } from './util/owner.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  availableReplicas,
  computeHash,
  condition,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  equalIgnoreHash,
  fenceposts,
  getCondition,
  hasProgressDeadline,
  inheritedAnnotations,
  isRollingUpdate,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  removeCondition,
  revisionOf,
  parseRevision,
  setCondition,
  specReplicas,
  sum,
} from './deployment_util.js';

export interface DeploymentControllerOptions {
  workers?: number;
}

const byCreation = (a: ReplicaSet, b: ReplicaSet): number =>
  (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');

/** compareRevisions orders ReplicaSets by revision (bigints, so no subtraction into a number). */
const compareRevisions = (a: ReplicaSet, b: ReplicaSet): number => {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
};

class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly deployments: Lister<Deployment>;
  private readonly replicaSets: Lister<ReplicaSet>;
  private readonly rsIndexer: Indexer<ReplicaSet>;
  private readonly pods: Lister<Pod>;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    opts: DeploymentControllerOptions,
  ) {
    this.workers = opts.workers ?? 5;
    this.deployments = ctx.informers.lister<Deployment>(gvr.deployments);
    const rsInformer = ctx.informers.forResource<ReplicaSet>(gvr.replicasets, { indexers: { [CONTROLLER_UID_INDEX]: controllerUIDIndex } });
    this.replicaSets = ctx.informers.lister<ReplicaSet>(gvr.replicasets);
    this.rsIndexer = rsInformer.getIndexer();
    this.pods = ctx.informers.lister<Pod>(gvr.pods);
    this.recorder = ctx.recorder('deployment-controller');
    this.watches = [
      // A new or changed spec goes ahead of the status churn its ReplicaSets bring.
      watch(ctx.informers.forResource<Deployment>(gvr.deployments), undefined, {
        add: () => true,
        update: (old, cur) => (old.metadata?.generation ?? 0) !== (cur.metadata?.generation ?? 0),
      }),
      watch(rsInformer, (rs) => this.replicaSetKeys(rs)),
      // Recreate waits for old pods to be gone, so their deletion must wake the deployment;
      // nothing else about pods matters here (upstream handles only pod deletions).
      watchEvents(ctx.informers.forResource<Pod>(gvr.pods), { delete: (p) => this.podKeys(p) }),
    ];
  }

  private replicaSetKeys(rs: ReplicaSet): string[] {
    if (controllerOf(rs)) return ownerKeyOf(rs, 'Deployment', 'apps');
    const ns = rs.metadata?.namespace ?? '';
    return this.deployments
      .namespace(ns)
      .list()
      .filter((d) => {
        try {
          const s = selectorFromLabelSelector(d.spec?.selector);
          return !s.empty() && s.matches(rs.metadata?.labels);
        } catch {
          return false;
        }
      })
      .map((d) => `${ns}/${d.metadata?.name}`);
  }

  private podKeys(p: Pod): string[] {
    const ref = controllerOf(p);
    if (!ref || ref.kind !== 'ReplicaSet') return [];
    const ns = p.metadata?.namespace ?? '';
    const rs = this.replicaSets.namespace(ns).get(ref.name);
    if (!rs) return [];
    return ownerKeyOf(rs, 'Deployment', 'apps').filter((k) => this.deployments.namespace(ns).get(splitKey(k)[1])?.spec?.strategy?.type === 'Recreate');
  }

  private rsApi(ns: string): ResourceInterface<ReplicaSet> {
    return this.ctx.client.resource<ReplicaSet>(gvr.replicasets).namespace(ns);
  }

  private dApi(ns: string): ResourceInterface<Deployment> {
    return this.ctx.client.resource<Deployment>(gvr.deployments).namespace(ns);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(key);
    const cached = this.deployments.namespace(ns).get(name);
    if (!cached) return;
    // A shallow copy: a sync only reassigns d.metadata/d.status after its own writes and copies
    // status before changing it, so the cached object's parts are never mutated.
    const d = { ...cached };
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(d.spec?.selector);
    } catch (err) {
      this.ctx.log(`deployment ${key} has an invalid selector`, err);
      return;
    }
    if (selector.empty()) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await this.writeStatus(d, { ...(d.status ?? {}), observedGeneration: d.metadata?.generation ?? 0 });
      }
      return;
    }
    // Its own ReplicaSets (in its namespace: a reference never crosses one) and the namespace's
    // orphans; those of other controllers are never claimed.
    const own = this.rsIndexer.byIndex(CONTROLLER_UID_INDEX, d.metadata?.uid ?? '').filter((rs) => rs.metadata?.namespace === ns);
    const candidates = [...own, ...this.rsIndexer.byIndex(CONTROLLER_UID_INDEX, orphanIndexKey(ns))];
    const rsList = await claimObjects(candidates, {
      owner: d,
      ownerRef: newControllerRef(d, 'apps/v1', 'Deployment'),
      selector,
      api: this.rsApi(ns),
      fetchOwner: () => getOrUndefined(this.dApi(ns), name),
    });
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly(d, rsList);
    await this.checkPausedConditions(d);
    if (d.spec?.paused) return this.sync(d, rsList);
    if (this.isScalingEvent(d, rsList)) return this.sync(d, rsList);
    return d.spec?.strategy?.type === 'Recreate' ? this.rolloutRecreate(d, rsList) : this.rolloutRolling(d, rsList);
  }

  /** checkPausedConditions keeps the Progressing condition in step with spec.paused. */
  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const c = getCondition(d.status, 'Progressing');
    if (c?.reason === 'ProgressDeadlineExceeded') return;
    const paused = !!d.spec?.paused;
    const pausedCond = c?.reason === 'DeploymentPaused';
    // Most syncs change nothing here: the status is copied only when it will change.
    if (paused === pausedCond) return;
    const now = this.ctx.clock.now();
    const s: DeploymentStatus = structuredClone(d.status ?? {});
    if (paused) setCondition(s, condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now));
    else setCondition(s, condition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now));
    await this.writeStatus(d, s);
  }

  /** isScalingEvent: spec.replicas changed while the template did not (an active RS carries a stale desired-replicas). */
  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    const { newRS, oldRSs } = this.split(d, rsList);
    for (const rs of active([newRS, ...oldRSs])) {
      const desired = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
      if (desired !== undefined && Number(desired) !== (d.spec?.replicas ?? 1)) return true;
    }
    return false;
  }

  /** split finds the ReplicaSet matching the current template (the oldest, if several) and the rest. */
  private split(d: Deployment, rsList: ReplicaSet[]): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const sorted = [...rsList].sort(byCreation);
    const newRS = sorted.find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
    return { newRS, oldRSs: sorted.filter((rs) => rs !== newRS) };
  }

  /**
   * getAllReplicaSetsAndSyncRevision returns the new ReplicaSet (created when asked and
   * missing) with its revision annotations brought up to date, and the old ones. As upstream's
   * getNewReplicaSet, the Deployment's revision annotation and its Progressing condition
   * (NewReplicaSetCreated, or FoundNewReplicaSet when it has none) travel in one status update:
   * the status subresource keeps a Deployment's annotation changes.
   */
  private async getAll(d: Deployment, rsList: ReplicaSet[], create: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const { newRS: existing, oldRSs } = this.split(d, rsList);
    const maxOld = oldRSs.map(revisionOf).reduce((m, r) => (r > m ? r : m), 0n);
    const newRevision = String(maxOld + 1n);
    const ns = d.metadata?.namespace ?? '';
    let newRS = existing;
    let progressing: DeploymentCondition | undefined;
    if (existing) {
      // A shallow copy is enough: setNewReplicaSetAnnotations replaces rs.metadata, never changes it in place.
      const rs = { ...existing };
      const changed = this.setNewReplicaSetAnnotations(d, rs, newRevision, true);
      if (changed) newRS = await this.rsApi(ns).update(rs);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        progressing = condition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${newRS?.metadata?.name}"`, this.ctx.clock.now());
      }
    } else if (create) {
      const made = await this.createNewReplicaSet(d, [...oldRSs], newRevision);
      newRS = made.rs;
      // One found already there (ours, from a sync the cache had not shown) was not created now.
      if (made.created && hasProgressDeadline(d)) progressing = condition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${newRS.metadata?.name}"`, this.ctx.clock.now());
    }
    const rev = newRS ? (newRS.metadata?.annotations?.[REVISION_ANNOTATION] ?? newRevision) : undefined;
    const revisionChanged = rev !== undefined && (d.metadata?.annotations?.[REVISION_ANNOTATION] ?? '') !== rev;
    if (revisionChanged || progressing) {
      // Copies: d's metadata and status may still be the cached object's.
      if (revisionChanged) d.metadata = { ...d.metadata, annotations: { ...(d.metadata?.annotations ?? {}), [REVISION_ANNOTATION]: rev } };
      const s = structuredClone(d.status ?? {});
      if (progressing) setCondition(s, progressing);
      await this.writeStatus(d, s, revisionChanged);
    }
    return { newRS, oldRSs };
  }

  /** setNewReplicaSetAnnotations copies annotations and bumps the revision; true if anything changed. */
  private setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean): boolean {
    const ann = { ...(rs.metadata?.annotations ?? {}) };
    const before = JSON.stringify(ann);
    Object.assign(ann, inheritedAnnotations(d));
    const old = ann[REVISION_ANNOTATION];
    if (old === undefined || parseRevision(old) < parseRevision(newRevision)) {
      ann[REVISION_ANNOTATION] = newRevision;
      // A reused (rolled back to) ReplicaSet remembers the revisions it had.
      if (exists && old !== undefined && old !== '') {
        const hist = ann[REVISION_HISTORY_ANNOTATION];
        ann[REVISION_HISTORY_ANNOTATION] = hist ? `${hist},${old}` : old;
      }
    }
    if (ann[DESIRED_REPLICAS_ANNOTATION] === undefined || ann[MAX_REPLICAS_ANNOTATION] === undefined) {
      ann[DESIRED_REPLICAS_ANNOTATION] = String(d.spec?.replicas ?? 1);
      ann[MAX_REPLICAS_ANNOTATION] = String((d.spec?.replicas ?? 1) + maxSurge(d));
    }
    rs.metadata = { ...(rs.metadata ?? {}), annotations: ann };
    return JSON.stringify(ann) !== before;
  }

  /** createNewReplicaSet creates the ReplicaSet of d's template; created is false when it already existed. */
  private async createNewReplicaSet(d: Deployment, oldRSs: ReplicaSet[], newRevision: string): Promise<{ rs: ReplicaSet; created: boolean }> {
    const ns = d.metadata?.namespace ?? '';
    const collision = d.status?.collisionCount ?? 0;
    const hash = computeHash(d.spec?.template, collision);
    const template = structuredClone(d.spec?.template ?? {});
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const selector = structuredClone(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: ns,
        labels: template.metadata.labels,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    this.setNewReplicaSetAnnotations(d, rs, newRevision, false);
    const want = newRSNewReplicas(d, oldRSs, rs);
    rs.spec = { ...rs.spec!, replicas: want };
    let created: ReplicaSet;
    try {
      chainTrace?.(`${ns}/${d.metadata?.name}`, 'deployment create RS sent');
      created = await this.rsApi(ns).create(rs);
      chainTrace?.(`${ns}/${d.metadata?.name}`, 'deployment create RS answered');
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) {
        if (hasProgressDeadline(d)) {
          const s = structuredClone(d.status ?? {});
          setCondition(s, condition('Progressing', 'False', 'ReplicaSetCreateError', `Failed to create new replica set "${rs.metadata?.name}": ${(err as Error).message}`, this.ctx.clock.now()));
          await this.writeStatus(d, s);
        }
        throw err;
      }
      // The name is taken: ours from an earlier sync the cache has not shown yet, or a hash collision.
      const other = await this.rsApi(ns).get(rs.metadata?.name ?? '');
      if (controllerOf(other)?.uid === d.metadata?.uid && equalIgnoreHash(other.spec?.template, d.spec?.template)) return { rs: other, created: false };
      const s = structuredClone(d.status ?? {});
      s.collisionCount = collision + 1;
      await this.writeStatus(d, s);
      throw err;
    }
    if (want > 0) this.recorder.eventf(d, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set %s from 0 to %d', created.metadata?.name, want);
    return { rs: created, created: true };
  }

  /** scaleReplicaSet writes replicas and the desired/max annotations; returns the updated RS. */
  private async scaleReplicaSet(rs: ReplicaSet, replicas: number, d: Deployment): Promise<ReplicaSet> {
    const ann = rs.metadata?.annotations ?? {};
    const desired = String(d.spec?.replicas ?? 1);
    const max = String((d.spec?.replicas ?? 1) + maxSurge(d));
    const sizeChange = specReplicas(rs) !== replicas;
    if (!sizeChange && ann[DESIRED_REPLICAS_ANNOTATION] === desired && ann[MAX_REPLICAS_ANNOTATION] === max) return rs;
    const next = structuredClone(rs);
    next.spec = { ...next.spec!, replicas };
    next.metadata = { ...next.metadata, annotations: { ...ann, [DESIRED_REPLICAS_ANNOTATION]: desired, [MAX_REPLICAS_ANNOTATION]: max } };
    const out = await this.rsApi(rs.metadata?.namespace ?? '').update(next);
    if (sizeChange) {
      const dir = specReplicas(rs) < replicas ? 'up' : 'down';
      this.recorder.eventf(d, 'Normal', 'ScalingReplicaSet', 'Scaled %s replica set %s from %d to %d', dir, rs.metadata?.name, specReplicas(rs), replicas);
    }
    return out;
  }

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const { newRS, oldRSs } = await this.getAll(d, rsList, true);
    let all = [...oldRSs, ...(newRS ? [newRS] : [])];
    // Scale up the new ReplicaSet as far as maxSurge allows.
    if (newRS) {
      const replicas = d.spec?.replicas ?? 1;
      let target: number | undefined;
      if (specReplicas(newRS) > replicas) target = replicas;
      else if (specReplicas(newRS) < replicas) target = newRSNewReplicas(d, all, newRS);
      if (target !== undefined && target !== specReplicas(newRS)) {
        const scaled = await this.scaleReplicaSet(newRS, target, d);
        all = [...oldRSs, scaled];
        return this.syncRolloutStatus(all, scaled, d);
      }
    }
    // Scale old ReplicaSets down as far as maxUnavailable allows.
    if (await this.reconcileOldReplicaSets(all, active(oldRSs), newRS, d)) return this.syncRolloutStatus(await this.refreshed(all), newRS, d);
    const status = this.calculateStatus(all, newRS, d);
    if (deploymentComplete(d, status)) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(all, newRS, d);
  }

  /** refreshed re-reads the cache's copy of each ReplicaSet (after writes, for status). */
  private async refreshed(rss: ReplicaSet[]): Promise<ReplicaSet[]> {
    return rss.map((rs) => this.replicaSets.namespace(rs.metadata?.namespace ?? '').get(rs.metadata?.name ?? '') ?? rs);
  }

  private async reconcileOldReplicaSets(all: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<boolean> {
    const oldPods = sum(oldRSs, specReplicas);
    if (oldPods === 0) return false;
    const allPods = sum(all, specReplicas);
    const replicas = d.spec?.replicas ?? 1;
    const minAvailable = replicas - maxUnavailable(d);
    const newUnavailable = specReplicas(newRS) - availableReplicas(newRS);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    // First remove unhealthy old replicas: they do not count towards availability anyway.
    let cleaned = 0;
    const remaining: ReplicaSet[] = [];
    for (const rs of [...oldRSs].sort(byCreation)) {
      let cur = rs;
      if (cleaned < maxScaledDown && specReplicas(rs) > 0) {
        const unhealthy = specReplicas(rs) - availableReplicas(rs);
        const down = Math.min(maxScaledDown - cleaned, unhealthy);
        if (down > 0) {
          cur = await this.scaleReplicaSet(rs, specReplicas(rs) - down, d);
          cleaned += down;
        }
      }
      remaining.push(cur);
    }
    // Then scale down healthy old replicas while availability stays above minAvailable.
    const allAfter = [...remaining, ...(newRS ? [newRS] : [])];
    const availableCount = sum(allAfter, availableReplicas);
    let scaledDown = 0;
    if (availableCount > minAvailable) {
      // Bounded by maxScaledDown too: availability read from statuses may lag the pods.
      const total = Math.min(availableCount - minAvailable, maxScaledDown - cleaned);
      for (const rs of remaining) {
        if (scaledDown >= total) break;
        if (specReplicas(rs) === 0) continue;
        const down = Math.min(specReplicas(rs), total - scaledDown);
        await this.scaleReplicaSet(rs, specReplicas(rs) - down, d);
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    let { newRS, oldRSs } = await this.getAll(d, rsList, false);
    const all = (): ReplicaSet[] => [...oldRSs, ...(newRS ? [newRS] : [])];
    let scaled = false;
    for (const rs of active(oldRSs)) {
      await this.scaleReplicaSet(rs, 0, d);
      scaled = true;
    }
    if (scaled) return this.syncRolloutStatus(all(), newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(all(), newRS, d);
    if (!newRS) ({ newRS, oldRSs } = await this.getAll(d, rsList, true));
    if (newRS) newRS = await this.scaleReplicaSet(newRS, d.spec?.replicas ?? 1, d);
    if (deploymentComplete(d, this.calculateStatus(all(), newRS, d))) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(all(), newRS, d);
  }

  /** oldPodsRunning: some pod of an old ReplicaSet has not terminated (Recreate waits for none). */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sum(oldRSs, (rs) => rs.status?.replicas ?? 0) > 0) return true;
    const uids = new Set(oldRSs.map((rs) => rs.metadata?.uid));
    const ns = (newRS ?? oldRSs[0])?.metadata?.namespace;
    if (ns === undefined) return false;
    return this.pods
      .namespace(ns)
      .list()
      .some((p) => {
        const ref = controllerOf(p);
        if (!ref || !uids.has(ref.uid)) return false;
        const phase = p.status?.phase;
        return phase !== 'Failed' && phase !== 'Succeeded';
      });
  }

  /** sync handles scaling events and paused deployments: no new rollout, only replica counts. */
  private async sync(d: Deployment, rsList: ReplicaSet[]): Promise<ReconcileResult | void> {
    const { newRS, oldRSs } = await this.getAll(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanupDeployment(oldRSs, d);
    const all = await this.refreshed([...oldRSs, ...(newRS ? [newRS] : [])]);
    return this.syncDeploymentStatus(all, newRS, d);
  }

  /** scale spreads a replica change over the active ReplicaSets (upstream proportional scaling). */
  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const replicas = d.spec?.replicas ?? 1;
    const act = active([newRS, ...oldRSs]);
    const only = act.length === 1 ? act[0] : act.length === 0 ? (newRS ?? [...oldRSs].sort(byCreation).at(-1)) : undefined;
    if (only) {
      if (specReplicas(only) !== replicas || act.length <= 1) await this.scaleReplicaSet(only, replicas, d);
      return;
    }
    if (newRS && specReplicas(newRS) === replicas && (newRS.status?.availableReplicas ?? 0) === replicas) {
      for (const rs of active(oldRSs)) await this.scaleReplicaSet(rs, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    // Upstream proportional scaling: each active ReplicaSet grows or shrinks in proportion to
    // its share of the size the deployment had (its max-replicas annotation), larger ones
    // first; the rounding leftover goes to the first.
    const allowed = replicas + maxSurge(d);
    const current = sum(act, specReplicas);
    const toAdd = allowed - current;
    const sorted = [...act].sort((a, b) => specReplicas(b) - specReplicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
    const targets = new Map<ReplicaSet, number>();
    let added = 0;
    if (toAdd !== 0) {
      for (const rs of sorted) {
        const p = this.proportion(rs, d, toAdd, added);
        targets.set(rs, specReplicas(rs) + p);
        added += p;
      }
      const first = sorted[0]!;
      targets.set(first, Math.max(0, (targets.get(first) ?? specReplicas(first)) + toAdd - added));
    }
    for (const rs of sorted) await this.scaleReplicaSet(rs, targets.get(rs) ?? specReplicas(rs), d);
  }

  /** proportion is upstream's getProportion: this ReplicaSet's share of toAdd, bounded by what is left. */
  private proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
    if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    const allowed = toAdd - added;
    const replicas = d.spec?.replicas ?? 1;
    let fraction: number;
    if (replicas === 0) fraction = -specReplicas(rs);
    else {
      const annotated = Number(rs.metadata?.annotations?.[MAX_REPLICAS_ANNOTATION] ?? d.status?.replicas ?? 0);
      const newSize = annotated > 0 ? Math.round((specReplicas(rs) * (replicas + maxSurge(d))) / annotated) : specReplicas(rs);
      fraction = newSize - specReplicas(rs);
    }
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  /** cleanupDeployment deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    const sorted = [...cleanable].sort((a, b) => compareRevisions(a, b) || byCreation(a, b));
    let deleted = 0;
    for (const rs of sorted) {
      if (deleted >= diff) break;
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.rsApi(rs.metadata?.namespace ?? '').delete(rs.metadata?.name ?? '', { preconditions: { uid: rs.metadata?.uid } });
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
      }
      deleted++;
    }
  }

  private calculateStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    // As upstream: unavailable counts against the replicas the ReplicaSets want, the others
    // are what they have; zero counts are omitted like Go's omitempty.
    const counts: Record<string, number> = {
      observedGeneration: d.metadata?.generation ?? 0,
      replicas: sum(all, (rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sum(all, (rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, sum(all, specReplicas) - available),
    };
    const s: DeploymentStatus = structuredClone(d.status ?? {});
    for (const [k, v] of Object.entries(counts)) {
      if (v) (s as Record<string, unknown>)[k] = v;
      else delete (s as Record<string, unknown>)[k];
    }
    if (d.status?.collisionCount !== undefined) s.collisionCount = d.status.collisionCount;
    const now = this.ctx.clock.now();
    const replicas = d.spec?.replicas ?? 1;
    if (available >= replicas - maxUnavailable(d)) setCondition(s, condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
    else setCondition(s, condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
    // ReplicaFailure mirrors the newest failing ReplicaSet's condition.
    const failing = all.map((rs) => rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
    if (failing) setCondition(s, condition('ReplicaFailure', failing.status, failing.reason ?? '', failing.message ?? '', now));
    else removeCondition(s, 'ReplicaFailure');
    return s;
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = this.split(d, rsList);
    await this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  private async syncDeploymentStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    await this.writeStatus(d, this.calculateStatus(all, newRS, d));
  }

  /** syncRolloutStatus also maintains the Progressing condition and the progress deadline. */
  private async syncRolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<ReconcileResult | void> {
    const s = this.calculateStatus(all, newRS, d);
    const now = this.ctx.clock.now();
    if (!hasProgressDeadline(d)) removeCondition(s, 'Progressing');
    else if (!d.spec?.paused) {
      const cur = getCondition(s, 'Progressing');
      const rsName = newRS?.metadata?.name ?? '';
      if (deploymentComplete(d, s)) {
        setCondition(s, condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`, now));
      } else if (deploymentProgressing(d, s)) {
        const c = condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`, now);
        // Progress refreshes lastUpdateTime (the deadline's origin) even when the reason is unchanged.
        if (cur && cur.status === 'True') c.lastTransitionTime = cur.lastTransitionTime;
        s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== 'Progressing'), c];
      } else if (deploymentTimedOut(d, s, now)) {
        setCondition(s, condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`, now));
      }
    }
    await this.writeStatus(d, s);
    // Come back when the deadline would pass, so a stuck rollout is reported without other events.
    const c = getCondition(s, 'Progressing');
    if (hasProgressDeadline(d) && !d.spec?.paused && c && c.status === 'True' && c.reason !== 'NewReplicaSetAvailable' && !deploymentComplete(d, s)) {
      const from = Date.parse(c.lastUpdateTime ?? '');
      if (!Number.isNaN(from)) return { requeueAfter: Math.max(1000, from + (d.spec?.progressDeadlineSeconds ?? 600) * 1000 - now + 1000) };
    }
  }

  /**
   * writeStatus updates the status subresource when the status differs or metaChanged (d's
   * annotations were changed for this write), and remembers the answer on d.
   */
  private async writeStatus(d: Deployment, s: DeploymentStatus, metaChanged = false): Promise<void> {
    if (!metaChanged && JSON.stringify(d.status ?? {}) === JSON.stringify(s)) return;
    const api = this.dApi(d.metadata?.namespace ?? '');
    chainTrace?.(`${d.metadata?.namespace}/${d.metadata?.name}`, 'deployment updateStatus sent');
    const out = await api.updateStatus({ ...d, status: s });
    chainTrace?.(`${d.metadata?.namespace}/${d.metadata?.name}`, 'deployment updateStatus answered');
    d.metadata = out.metadata;
    d.status = out.status;
  }
}

/** active: ReplicaSets with replicas > 0. */
function active(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
}

/** newDeploymentController manages apps/v1 Deployments (`--concurrent-deployment-syncs`). */
export function newDeploymentController(ctx: ControllerContext, opts: DeploymentControllerOptions = {}): Controller {
  return new DeploymentController(ctx, opts);
}

export { fenceposts };
