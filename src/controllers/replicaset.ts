/**
 * The ReplicaSet and ReplicationController controllers (upstream pkg/controller/replicaset):
 * keep `spec.replicas` active pods matching the selector, adopting orphans and releasing pods
 * that no longer match, with expectations so a stale cache never creates or deletes twice,
 * slow-start batch creation, upstream's deletion ranking, and status.
 */
import type { Pod, PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, ReplicaSetCondition } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { GroupVersionResource } from '../api/types.js';
import { isStatusError } from '../api/errors.js';
import { selectorFromLabelSelector, selectorFromSet, type Selector } from '../api/labels.js';
import { chainTrace, gvr, type EventRecorder, type Indexer, type Lister, type SharedIndexInformer } from '../client/index.js';
import { watch, watchEvents, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { claimObjects, getOrUndefined } from './util/claim.js';
import { PodExpectations } from './util/expectations.js';
import { CONTROLLER_UID_INDEX, controllerOf, controllerUIDIndex, newControllerRef, orphanIndexKey, ownerKeyOf, randomSuffix, splitKey } from './util/owner.js';
import { comparePodsForDeletion, isPodActive, isPodAvailable, isPodReady, readySince } from './util/pod.js';

/** BURST_REPLICAS bounds creations or deletions per sync (upstream burstReplicas). */
const BURST_REPLICAS = 500;
const SLOW_START_INITIAL_BATCH = 1;

type ReplicaOwner = (ReplicaSet | ReplicationController) & { apiVersion?: string; kind?: string };

/** Kind describes the two resources this controller manages. */
interface Kind {
  name: string;
  gvr: GroupVersionResource;
  apiVersion: string;
  kind: string;
  component: string;
  selector(o: ReplicaOwner): Selector;
}

const replicaSetKind: Kind = {
  name: 'replicaset',
  gvr: gvr.replicasets,
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  component: 'replicaset-controller',
  selector: (o) => selectorFromLabelSelector((o as ReplicaSet).spec?.selector),
};

const replicationControllerKind: Kind = {
  name: 'replicationcontroller',
  gvr: gvr.replicationcontrollers,
  apiVersion: 'v1',
  kind: 'ReplicationController',
  component: 'replication-controller',
  // An RC without a selector defaults to its template labels (defaulting does this too).
  selector: (o) => selectorFromSet((o as ReplicationController).spec?.selector ?? (o as ReplicationController).spec?.template?.metadata?.labels ?? {}),
};

/**
 * podFromTemplate builds a pod for owner as upstream's GetPodFromTemplate. The pod shares the
 * template's labels, annotations and spec (no copy per pod): it is only serialised, never mutated.
 */
export function podFromTemplate(template: PodTemplateSpec | undefined, namespace: string, name: string, ownerRef: OwnerReference[]): Pod {
  const t = template ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
      ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
      ownerReferences: ownerRef,
    },
    spec: t.spec ?? { containers: [] },
  };
}

/** generatedName mimics generateName (`<base>-xxxxx`, base truncated to 58 characters). */
export function generatedName(base: string): string {
  const prefix = `${base}-`;
  return `${prefix.length > 58 ? prefix.slice(0, 58) : prefix}${randomSuffix()}`;
}

export interface ReplicaSetControllerOptions {
  workers?: number;
}

class ReplicaController implements Controller {
  readonly name: string;
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly owners: Lister<ReplicaOwner>;
  private readonly podIndexer: Indexer<Pod>;
  private readonly expectations: PodExpectations;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly k: Kind,
    opts: ReplicaSetControllerOptions,
  ) {
    this.name = k.name;
    this.workers = opts.workers ?? 5;
    const ownerInf = ctx.informers.forResource<ReplicaOwner>(k.gvr);
    const podInf: SharedIndexInformer<Pod> = ctx.informers.forResource<Pod>(gvr.pods, { indexers: { [CONTROLLER_UID_INDEX]: controllerUIDIndex } });
    this.owners = ctx.informers.lister<ReplicaOwner>(k.gvr);
    this.podIndexer = podInf.getIndexer();
    this.expectations = new PodExpectations(ctx.clock);
    this.recorder = ctx.recorder(k.component);
    // Expectations are observations, not decisions: the handler records what the cache saw.
    const key = (p: Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;
    podInf.addEventHandler({
      add: (p) => (p.metadata?.deletionTimestamp ? this.expectations.observedDelete(key(p)) : this.expectations.observedAdd(key(p))),
      update: (_o, p) => {
        if (p.metadata?.deletionTimestamp) this.expectations.observedDelete(key(p));
      },
      delete: (p) => this.expectations.observedDelete('key' in p && 'obj' in p ? p.key : key(p as Pod)),
    });
    // Urgent (ahead of status-only work): an owner created or scaled, a pod gone or no longer
    // active, i.e. the events after which manageReplicas may have pods to create or delete. The
    // pods' other changes (scheduled, Running, ready) only move status; under load they keep
    // the queue full, and a new ReplicaSet waited behind them before creating any pod.
    this.watches = [
      watch(ownerInf, undefined, { add: () => true, update: (old, cur) => (old.spec?.replicas ?? 1) !== (cur.spec?.replicas ?? 1) }),
      // As upstream's add/update/deletePod: an orphan is only looked at again when its labels or
      // controller changed, and a pod that changed controller wakes the old one too.
      watchEvents(podInf, {
        add: (p) => this.podKeys(p),
        update: (old, cur) => {
          const was = controllerOf(old)?.uid;
          const is = controllerOf(cur)?.uid;
          if (was !== is) return [...(was ? this.podKeys(old) : []), ...this.podKeys(cur)];
          if (is) return this.podKeys(cur);
          return JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {}) ? this.podKeys(cur) : [];
        },
        delete: (p) => this.podKeys(p),
        urgent: { update: (old, cur) => isPodActive(old) && !isPodActive(cur), delete: (p) => isPodActive(p) },
      }),
    ];
  }

  /** podKeys: the controller owning the pod, or for an orphan every owner whose selector matches. */
  private podKeys(p: Pod): string[] {
    const ref = controllerOf(p);
    if (ref) return ownerKeyOf(p, this.k.kind, this.k.apiVersion.includes('/') ? this.k.apiVersion.split('/')[0]! : '');
    if (p.metadata?.deletionTimestamp) return [];
    const ns = p.metadata?.namespace ?? '';
    const out: string[] = [];
    for (const o of this.owners.namespace(ns).list()) {
      try {
        if (this.k.selector(o).matches(p.metadata?.labels)) out.push(`${ns}/${o.metadata?.name}`);
      } catch {
        // an invalid selector matches nothing
      }
    }
    return out;
  }

  private api(ns: string) {
    return this.ctx.client.resource<ReplicaOwner>(this.k.gvr).namespace(ns);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(key);
    const cached = this.owners.namespace(ns).get(name);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    let selector: Selector;
    try {
      selector = this.k.selector(cached);
    } catch (err) {
      this.ctx.log(`${this.k.kind} ${key} has an invalid selector`, err);
      return;
    }
    const satisfied = this.expectations.satisfied(key);
    // Its own pods (whatever their labels now: claim releases those that stopped matching) and the namespace's orphans.
    const all = [...this.podIndexer.byIndex(CONTROLLER_UID_INDEX, cached.metadata?.uid ?? ''), ...this.podIndexer.byIndex(CONTROLLER_UID_INDEX, orphanIndexKey(ns))];
    const owned = await claimObjects(all.filter(isPodActive), {
      owner: cached,
      ownerRef: newControllerRef(cached, this.k.apiVersion, this.k.kind),
      selector,
      api: this.ctx.client.resource<Pod>(gvr.pods).namespace(ns),
      fetchOwner: () => getOrUndefined(this.api(ns), name),
    });
    let manageError: unknown;
    if (satisfied && !cached.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, cached, owned);
      } catch (err) {
        manageError = err;
      }
    }
    const now = this.ctx.clock.now();
    const minReady = cached.spec?.minReadySeconds ?? 0;
    await this.updateStatus(cached, owned, manageError, now);
    if (manageError) throw manageError;
    // A ready pod becomes available after minReadySeconds: look again then.
    if (minReady > 0) {
      const waits = owned
        .filter((p) => isPodReady(p) && !isPodAvailable(p, minReady, now))
        .map((p) => (readySince(p) ?? now) + minReady * 1000 - now);
      if (waits.length) return { requeueAfter: Math.max(10, Math.min(...waits) + 10) };
    }
  }

  private async manageReplicas(key: string, owner: ReplicaOwner, owned: Pod[]): Promise<void> {
    const ns = owner.metadata?.namespace ?? '';
    const want = owner.spec?.replicas ?? 1;
    const diff = owned.length - want;
    const pods = this.ctx.client.resource<Pod>(gvr.pods).namespace(ns);
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      const ref = [newControllerRef(owner, this.k.apiVersion, this.k.kind)];
      const names = Array.from({ length: n }, () => generatedName(owner.metadata?.name ?? ''));
      for (const podName of names) this.expectations.expectCreate(key, `${ns}/${podName}`);
      // Slow start: batches of 1, 2, 4, ... stop at the first failing batch so a quota or
      // admission error costs one request, not hundreds.
      let i = 0;
      let batch = Math.min(n, SLOW_START_INITIAL_BATCH);
      let firstErr: unknown;
      while (i < n && firstErr === undefined) {
        const chunk = names.slice(i, i + batch);
        i += chunk.length;
        // The created pods are not read here (the informer brings them), so their answers are not decoded.
        chainTrace?.(key, `${this.k.name} batch ${chunk.length} sent`);
        const results = await Promise.allSettled(chunk.map((podName) => pods.createDiscard(podFromTemplate(owner.spec?.template, ns, podName, ref))));
        chainTrace?.(key, `${this.k.name} batch ${chunk.length} answered`);
        results.forEach((r, j) => {
          const podKey = `${ns}/${chunk[j]}`;
          if (r.status === 'fulfilled') {
            this.recorder.eventf(owner, 'Normal', 'SuccessfulCreate', 'Created pod: %v', chunk[j]);
            return;
          }
          // A timeout may still have created the pod; keep expecting it (the TTL bounds the wait).
          if (isStatusError(r.reason, 'Timeout') || isStatusError(r.reason, 'ServerTimeout')) return;
          this.expectations.lowered(podKey);
          firstErr ??= r.reason;
          this.recorder.eventf(owner, 'Warning', 'FailedCreate', 'Error creating: %v', errorMessage(r.reason));
        });
        batch = Math.min(batch * 2, n - i);
      }
      for (const podName of names.slice(i)) this.expectations.lowered(`${ns}/${podName}`);
      if (firstErr !== undefined) throw firstErr;
      return;
    }
    if (diff > 0) {
      const n = Math.min(diff, BURST_REPLICAS);
      const onNode = new Map<string, number>();
      for (const p of owned) if (p.spec?.nodeName) onNode.set(p.spec.nodeName, (onNode.get(p.spec.nodeName) ?? 0) + 1);
      const now = this.ctx.clock.now();
      const victims = [...owned].sort((a, b) => comparePodsForDeletion(a, b, (p) => (p.spec?.nodeName ? (onNode.get(p.spec.nodeName) ?? 0) : 0), now)).slice(0, n);
      for (const p of victims) this.expectations.expectDelete(key, `${ns}/${p.metadata?.name}`);
      let firstErr: unknown;
      await Promise.all(
        victims.map(async (p) => {
          const podKey = `${ns}/${p.metadata?.name}`;
          try {
            await pods.delete(p.metadata?.name ?? '', { preconditions: { uid: p.metadata?.uid } });
            this.recorder.eventf(owner, 'Normal', 'SuccessfulDelete', 'Deleted pod: %v', p.metadata?.name);
          } catch (err) {
            this.expectations.lowered(podKey);
            if (isStatusError(err, 'NotFound')) return;
            firstErr ??= err;
            this.recorder.eventf(owner, 'Warning', 'FailedDelete', 'Error deleting: %v', errorMessage(err));
          }
        }),
      );
      if (firstErr !== undefined) throw firstErr;
    }
  }

  private async updateStatus(owner: ReplicaOwner, owned: Pod[], manageError: unknown, now: number): Promise<void> {
    const minReady = owner.spec?.minReadySeconds ?? 0;
    // One pass over the pods, the template's labels listed once: a sync of a 3000-replica
    // ReplicaSet under pod churn runs this for every batch of its pods' events.
    const templateLabels = Object.entries(owner.spec?.template?.metadata?.labels ?? {});
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (const p of owned) {
      const labels = p.metadata?.labels;
      if (templateLabels.every(([k, v]) => labels?.[k] === v)) fullyLabeled++;
      if (!isPodReady(p)) continue;
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
    const conditions: ReplicaSetCondition[] = (owner.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    if (manageError !== undefined) {
      const want = owner.spec?.replicas ?? 1;
      const reason = owned.length < want ? 'FailedCreate' : 'FailedDelete';
      const prev = owner.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
      conditions.push({
        type: 'ReplicaFailure',
        status: 'True',
        reason,
        message: errorMessage(manageError),
        lastTransitionTime: prev?.lastTransitionTime ?? new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
      });
    }
    // replicas is always present; the other counts are omitted at zero (Go's omitempty).
    const status = {
      replicas: owned.length,
      ...(fullyLabeled ? { fullyLabeledReplicas: fullyLabeled } : {}),
      ...(ready ? { readyReplicas: ready } : {}),
      ...(available ? { availableReplicas: available } : {}),
      ...(owner.metadata?.generation ? { observedGeneration: owner.metadata.generation } : {}),
      ...(conditions.length ? { conditions } : {}),
    };
    const cur: NonNullable<ReplicaSet['status']> = owner.status ?? { replicas: 0 };
    const same =
      (cur.replicas ?? 0) === status.replicas &&
      (cur.fullyLabeledReplicas ?? 0) === fullyLabeled &&
      (cur.readyReplicas ?? 0) === ready &&
      (cur.availableReplicas ?? 0) === available &&
      (cur.observedGeneration ?? 0) === (owner.metadata?.generation ?? 0) &&
      JSON.stringify(cur.conditions ?? []) === JSON.stringify(conditions);
    if (same) return;
    const api = this.api(owner.metadata?.namespace ?? '');
    let obj: ReplicaOwner = owner;
    for (let attempt = 0; ; attempt++) {
      try {
        chainTrace?.(`${owner.metadata?.namespace}/${owner.metadata?.name}`, `${this.k.name} updateStatus sent`);
        await api.updateStatus({ ...obj, status } as ReplicaOwner);
        chainTrace?.(`${owner.metadata?.namespace}/${owner.metadata?.name}`, `${this.k.name} updateStatus answered`);
        return;
      } catch (err) {
        if (isStatusError(err, 'NotFound')) return;
        if (!isStatusError(err, 'Conflict') || attempt >= 1) throw err;
        obj = await api.get(owner.metadata?.name ?? '');
        if (obj.metadata?.uid !== owner.metadata?.uid) return;
      }
    }
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** newReplicaSetController manages apps/v1 ReplicaSets (`--concurrent-replicaset-syncs`). */
export function newReplicaSetController(ctx: ControllerContext, opts: ReplicaSetControllerOptions = {}): Controller {
  return new ReplicaController(ctx, replicaSetKind, opts);
}

/** newReplicationControllerController manages v1 ReplicationControllers (`--concurrent-rc-syncs`). */
export function newReplicationControllerController(ctx: ControllerContext, opts: ReplicaSetControllerOptions = {}): Controller {
  return new ReplicaController(ctx, replicationControllerKind, opts);
}
