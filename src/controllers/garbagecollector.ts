/**
 * The garbage collector (upstream pkg/controller/garbagecollector): every object that can
 * have owners is watched, and the informers' caches with an owner-uid index stand in for
 * upstream's dependency graph. As upstream's graph builder, events enqueue an object only
 * when something it depends on may have changed: its ownerReferences changed or name an owner
 * the cache does not show (or shows being deleted); it is being deleted with the `orphan` or
 * `foregroundDeletion` finalizer (then its dependents too, for foreground); its owner was
 * deleted; or, for an owner waiting in the foreground, one of its dependents went away. Every
 * other event (a pod's status updates, say) costs a cache lookup. Reconciling an object:
 *
 * - owners: each ownerReference is solid (owner exists with that uid), dangling (gone, or
 *   replaced by another uid — confirmed with a live read, never from the cache alone) or
 *   waiting (owner being deleted in the foreground). With a solid owner left, dangling and
 *   waiting references are removed; otherwise the object is deleted (in the foreground when a
 *   foreground owner waits for it and it has dependents of its own; if one of those waits in
 *   the foreground too, the ownership may be a cycle, and the object's own references stop
 *   blocking first so that the cycle unwinds).
 * - `orphan` finalizer on a deleted object: its dependents lose their reference to it, then
 *   the finalizer is removed.
 * - `foregroundDeletion` finalizer: dependents are deleted (their own reconcile sees a
 *   waiting owner) and the finalizer goes once no dependent with blockOwnerDeletion remains.
 *
 * Keys are `<group>|<resource>|<namespace>|<name>`.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { GroupVersionResource } from '../api/types.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type ApiObject, type Indexer, type ResourceInterface, type SharedIndexInformer } from '../client/index.js';
import { handleWatch, watchEvents, type Controller, type ControllerContext, type ReconcileResult, type Watch, type WatchEvents } from './runner.js';
import { preferredResources } from './util/discovery.js';
import { groupOf } from './util/owner.js';

/** GCResource is a resource the collector watches (as dependent and as owner). */
interface GCResource {
  gvr: GroupVersionResource;
  kind: string;
  namespaced: boolean;
}

const r = (g: GroupVersionResource, kind: string, namespaced = true): GCResource => ({ gvr: g, kind, namespaced });

/** GC_RESOURCES: the built-in resources that carry or are referenced by ownerReferences. */
export const GC_RESOURCES: readonly GCResource[] = [
  r(gvr.pods, 'Pod'),
  r(gvr.replicasets, 'ReplicaSet'),
  r(gvr.deployments, 'Deployment'),
  r(gvr.statefulsets, 'StatefulSet'),
  r(gvr.daemonsets, 'DaemonSet'),
  r(gvr.controllerrevisions, 'ControllerRevision'),
  r(gvr.jobs, 'Job'),
  r(gvr.cronjobs, 'CronJob'),
  r(gvr.replicationcontrollers, 'ReplicationController'),
  r(gvr.endpointslices, 'EndpointSlice'),
  r(gvr.endpoints, 'Endpoints'),
  r(gvr.services, 'Service'),
  r(gvr.configmaps, 'ConfigMap'),
  r(gvr.secrets, 'Secret'),
  r(gvr.serviceaccounts, 'ServiceAccount'),
  r(gvr.persistentvolumeclaims, 'PersistentVolumeClaim'),
  r(gvr.persistentvolumes, 'PersistentVolume', false),
  r(gvr.leases, 'Lease'),
  r(gvr.nodes, 'Node', false),
  r(gvr.ingresses, 'Ingress'),
  r(gvr.poddisruptionbudgets, 'PodDisruptionBudget'),
  r(gvr.horizontalpodautoscalers, 'HorizontalPodAutoscaler'),
  r(gvr.roles, 'Role'),
  r(gvr.rolebindings, 'RoleBinding'),
  r(gvr.clusterroles, 'ClusterRole', false),
  r(gvr.clusterrolebindings, 'ClusterRoleBinding', false),
];

const OWNER_UID_INDEX = 'gc/ownerUID';

/** Resources the collector never watches (as upstream: events are never owned). */
const DISCOVERY_IGNORED = ['events', 'events.events.k8s.io'];

const grOf = (res: GCResource): string => (res.gvr.group ? `${res.gvr.resource}.${res.gvr.group}` : res.gvr.resource);

interface Watched {
  res: GCResource;
  informer: SharedIndexInformer<ApiObject>;
  indexer: Indexer<ApiObject>;
}

export interface GarbageCollectorOptions {
  workers?: number;
  /** ignoredResources (`resource.group`) are not watched. */
  ignoredResources?: readonly string[];
  /**
   * discoveryPeriodMs: how often discovery looks for further resources (custom resources,
   * other built-ins) to watch (default 30 s, as upstream; 0 disables).
   */
  discoveryPeriodMs?: number;
}

class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly watched: Watched[] = [];
  private readonly ignored: Set<string>;
  private readonly discoveryPeriodMs: number;
  /** enqueue (from start) lets a reconcile hand work to dependents, as upstream's attemptToDelete queue. */
  private enqueue: (key: string) => void = () => {};

  constructor(
    private readonly ctx: ControllerContext,
    opts: GarbageCollectorOptions,
  ) {
    this.workers = opts.workers ?? 20;
    this.ignored = new Set([...DISCOVERY_IGNORED, ...(opts.ignoredResources ?? [])]);
    this.discoveryPeriodMs = opts.discoveryPeriodMs ?? 30_000;
    for (const res of GC_RESOURCES) if (!this.ignored.has(grOf(res))) this.addResource(res);
    this.watches = this.watched.map((w) => watchEvents(w.informer, this.events(w.res)));
  }

  private addResource(res: GCResource): Watched {
    const informer = this.ctx.informers.forResource<ApiObject>(res.gvr, {
      indexers: { [OWNER_UID_INDEX]: (o: ApiObject) => (o.metadata?.ownerReferences ?? []).map((ref) => ref.uid) },
    });
    const w = { res, informer, indexer: informer.getIndexer() };
    this.watched.push(w);
    return w;
  }

  /**
   * start rediscovers the served resources periodically and watches those not yet watched
   * (custom resources, other built-ins), as upstream's GC resyncs its monitors. Their keys
   * are enqueued directly; reconciles of a new resource wait for its cache to sync.
   */
  async start(signal: AbortSignal, enqueue: (key: string) => void): Promise<void> {
    this.enqueue = enqueue;
    while (this.discoveryPeriodMs > 0 && !signal.aborted) {
      try {
        const { resources } = await preferredResources(this.ctx.client);
        for (const r of resources) {
          if (!['list', 'watch', 'delete'].every((v) => r.verbs.includes(v))) continue;
          const res: GCResource = { gvr: r.gvr, kind: r.kind, namespaced: r.namespaced };
          if (this.ignored.has(grOf(res)) || this.watched.some((w) => w.res.gvr.group === r.gvr.group && w.res.gvr.resource === r.gvr.resource)) continue;
          const w = this.addResource(res);
          handleWatch(watchEvents(w.informer, this.events(w.res)), enqueue);
        }
      } catch (err) {
        if (!signal.aborted) this.ctx.log('garbage collector: discovery failed', err);
      }
      await this.ctx.clock.after(this.discoveryPeriodMs, signal).catch(() => {});
    }
  }

  private keyOf(res: GCResource, ns: string, name: string): string {
    return `${res.gvr.group}|${res.gvr.resource}|${res.namespaced ? ns : ''}|${name}`;
  }

  private resourceForRef(ref: OwnerReference): Watched | undefined {
    const g = groupOf(ref.apiVersion);
    return this.watched.find((w) => w.res.kind === ref.kind && w.res.gvr.group === g);
  }

  /** events maps the informer events of one resource to the keys to reconcile (see the file comment). */
  private events(res: GCResource): Required<Omit<WatchEvents<ApiObject>, 'urgent'>> {
    return {
      add: (o) => this.changedKeys(res, undefined, o),
      update: (old, cur) => this.changedKeys(res, old, cur),
      delete: (o) => {
        const out: string[] = [];
        const ns = o.metadata?.namespace ?? '';
        // Owners waiting in the foreground for this dependent to go.
        for (const ref of o.metadata?.ownerReferences ?? []) {
          const w = this.resourceForRef(ref);
          const owner = w && this.cachedOwner(w, ns, ref.name);
          if (w && owner?.metadata?.uid === ref.uid && owner.metadata.deletionTimestamp) out.push(this.keyOf(w.res, ns, ref.name));
        }
        // Its dependents have lost an owner.
        for (const d of this.dependentsOf(o.metadata?.uid ?? '')) out.push(d.key);
        return out;
      },
    };
  }

  /** changedKeys maps an add (old undefined) or update of o. */
  private changedKeys(res: GCResource, old: ApiObject | undefined, o: ApiObject): string[] {
    const m = o.metadata;
    if (!m) return [];
    const ns = m.namespace ?? '';
    const refs = m.ownerReferences ?? [];
    const out: string[] = [];
    let queued = false;
    const self = (): void => {
      if (!queued) out.push(this.keyOf(res, ns, m.name ?? ''));
      queued = true;
    };
    const fins = m.finalizers;
    if (m.deletionTimestamp && fins?.length) {
      if (fins.includes('orphan')) self();
      else if (fins.includes('foregroundDeletion')) {
        self();
        for (const d of this.dependentsOf(m.uid ?? '')) out.push(d.key);
      }
    }
    const oldRefs = old?.metadata?.ownerReferences ?? [];
    const refsChanged = old !== undefined && !sameRefs(oldRefs, refs);
    if (refsChanged) {
      // A reference dropped or no longer blocking may be what a foreground owner waits for.
      for (const ref of oldRefs) {
        const now = refs.find((x) => x.uid === ref.uid);
        if (now && (now.blockOwnerDeletion ?? false) === (ref.blockOwnerDeletion ?? false)) continue;
        const w = this.resourceForRef(ref);
        if (w) out.push(this.keyOf(w.res, ns, ref.name));
      }
    }
    if (refs.length && (old === undefined || refsChanged) && refs.some((ref) => !this.ownerConfirmed(ns, ref))) self();
    return out;
  }

  /** ownerConfirmed: the cache shows ref's owner with its uid and not being deleted (an unwatched kind counts as confirmed). */
  private ownerConfirmed(ns: string, ref: OwnerReference): boolean {
    const w = this.resourceForRef(ref);
    if (!w) return true;
    const owner = this.cachedOwner(w, ns, ref.name);
    return owner !== undefined && owner.metadata?.uid === ref.uid && !owner.metadata.deletionTimestamp;
  }

  private cachedOwner(w: Watched, dependentNs: string, name: string): ApiObject | undefined {
    return w.indexer.getByKey(w.res.namespaced && dependentNs ? `${dependentNs}/${name}` : name);
  }

  private dependentsOf(uid: string): Array<{ w: Watched; obj: ApiObject; key: string }> {
    if (!uid) return [];
    const out: Array<{ w: Watched; obj: ApiObject; key: string }> = [];
    for (const w of this.watched) {
      for (const obj of w.indexer.byIndex(OWNER_UID_INDEX, uid)) out.push({ w, obj, key: this.keyOf(w.res, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '') });
    }
    return out;
  }

  private api(res: GCResource, ns: string): ResourceInterface<ApiObject> {
    const c = this.ctx.client.resource<ApiObject>(res.gvr);
    return res.namespaced ? c.namespace(ns) : c;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [group, resource, ns, name] = key.split('|') as [string, string, string, string];
    const w = this.watched.find((x) => x.res.gvr.group === group && x.res.gvr.resource === resource);
    if (!w) return;
    // A resource found by discovery after start may still be listing.
    if (!w.informer.hasSynced()) return { requeueAfter: 100 };
    const obj = w.indexer.getByKey(ns ? `${ns}/${name}` : name);
    if (!obj) return;
    const fins = obj.metadata?.finalizers ?? [];
    if (obj.metadata?.deletionTimestamp) {
      if (fins.includes('orphan')) await this.orphanDependents(w, obj);
      else if (fins.includes('foregroundDeletion')) await this.processForeground(w, obj);
    }
    await this.attemptToDelete(w, obj);
  }

  /** ownerState classifies one reference, reading the owner live when the cache does not confirm it. */
  private async ownerState(dependent: ApiObject, ref: OwnerReference): Promise<'solid' | 'dangling' | 'waiting'> {
    const w = this.resourceForRef(ref);
    // An owner kind we do not watch is never treated as gone.
    if (!w) return 'solid';
    const ns = w.res.namespaced ? (dependent.metadata?.namespace ?? '') : '';
    let owner = w.indexer.getByKey(ns ? `${ns}/${ref.name}` : ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid) {
      try {
        owner = await this.api(w.res, ns).get(ref.name);
      } catch (err) {
        if (!isStatusError(err, 'NotFound')) throw err;
        owner = undefined;
      }
    }
    if (!owner || owner.metadata?.uid !== ref.uid) return 'dangling';
    if (owner.metadata?.deletionTimestamp && (owner.metadata.finalizers ?? []).includes('foregroundDeletion')) return 'waiting';
    return 'solid';
  }

  private async attemptToDelete(w: Watched, obj: ApiObject): Promise<void> {
    const refs = obj.metadata?.ownerReferences ?? [];
    if (!refs.length) return;
    const fins = obj.metadata?.finalizers ?? [];
    // Being deleted already, and not in the foreground: nothing to do (a foreground one
    // still has its references to gone owners pruned).
    if (obj.metadata?.deletionTimestamp && !fins.includes('foregroundDeletion')) return;
    const solid: OwnerReference[] = [];
    const gone: OwnerReference[] = [];
    let waiting = false;
    for (const ref of refs) {
      const s = await this.ownerState(obj, ref);
      if (s === 'solid') solid.push(ref);
      else {
        gone.push(ref);
        if (s === 'waiting') waiting = true;
      }
    }
    const ns = obj.metadata?.namespace ?? '';
    const api = this.api(w.res, ns);
    if (solid.length) {
      if (!gone.length) return;
      const drop = new Set(gone.map((g) => g.uid));
      await this.patchMeta(api, obj, { ownerReferences: refs.filter((x) => !drop.has(x.uid)) });
      return;
    }
    if (obj.metadata?.deletionTimestamp) return;
    const dependents = waiting ? this.dependentsOf(obj.metadata?.uid ?? '') : [];
    let policy: 'Orphan' | 'Foreground' | 'Background' = 'Background';
    if (dependents.length) {
      // An owner waits for this object in the foreground, and the object has dependents: it is
      // deleted in the foreground too. When one of those dependents itself waits for its own
      // dependents, the ownership may be a cycle (A owns B owns C owns A) in which every member
      // would wait for the next forever. As upstream, the cycle is broken here: this object's
      // references stop blocking its owners (a cheap check with false positives, which only
      // cost the owners an earlier end of their foreground wait).
      policy = 'Foreground';
      if (dependents.some((d) => isDeletingDependents(d.obj)) && refs.some((x) => x.blockOwnerDeletion === true)) {
        const unblocked = refs.map((x) => (x.blockOwnerDeletion === true ? { ...x, blockOwnerDeletion: false } : x));
        if (!(await this.patchMeta(api, obj, { ownerReferences: unblocked }))) return;
      }
    } else if (fins.includes('orphan')) policy = 'Orphan';
    else if (fins.includes('foregroundDeletion')) policy = 'Foreground';
    try {
      await api.delete(obj.metadata?.name ?? '', { propagationPolicy: policy, preconditions: { uid: obj.metadata?.uid } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }

  /** orphanDependents removes the reference to obj from every dependent, then the `orphan` finalizer. */
  private async orphanDependents(w: Watched, obj: ApiObject): Promise<void> {
    const uid = obj.metadata?.uid ?? '';
    for (const d of this.dependentsOf(uid)) {
      const refs = (d.obj.metadata?.ownerReferences ?? []).filter((x) => x.uid !== uid);
      await this.patchMeta(this.api(d.w.res, d.obj.metadata?.namespace ?? ''), d.obj, { ownerReferences: refs });
    }
    await this.patchMeta(this.api(w.res, obj.metadata?.namespace ?? ''), obj, { finalizers: (obj.metadata?.finalizers ?? []).filter((f) => f !== 'orphan') });
  }

  /**
   * processForeground removes `foregroundDeletion` once no blocking dependent remains; until
   * then it hands each blocking dependent not itself waiting in the foreground to
   * attemptToDelete (upstream's processDeletingDependentsItem).
   */
  private async processForeground(w: Watched, obj: ApiObject): Promise<void> {
    const uid = obj.metadata?.uid ?? '';
    const blocking = this.dependentsOf(uid).filter((d) => d.obj.metadata?.ownerReferences?.some((x) => x.uid === uid && x.blockOwnerDeletion === true));
    if (blocking.length) {
      for (const d of blocking) if (!isDeletingDependents(d.obj)) this.enqueue(d.key);
      return;
    }
    await this.patchMeta(this.api(w.res, obj.metadata?.namespace ?? ''), obj, { finalizers: (obj.metadata?.finalizers ?? []).filter((f) => f !== 'foregroundDeletion') });
  }

  /**
   * patchMeta merge-patches ownerReferences or finalizers, guarded by resourceVersion and uid;
   * it answers false when the object is gone.
   */
  private async patchMeta(api: ResourceInterface<ApiObject>, obj: ApiObject, meta: { ownerReferences?: OwnerReference[]; finalizers?: string[] }): Promise<boolean> {
    const body: Record<string, unknown> = { resourceVersion: obj.metadata?.resourceVersion, uid: obj.metadata?.uid };
    if (meta.ownerReferences) body['ownerReferences'] = meta.ownerReferences.length ? meta.ownerReferences : null;
    if (meta.finalizers) body['finalizers'] = meta.finalizers.length ? meta.finalizers : null;
    try {
      await api.patch(obj.metadata?.name ?? '', 'merge', { metadata: body });
      return true;
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      return false;
    }
  }
}

/** isDeletingDependents: o is being deleted in the foreground, waiting for its dependents. */
function isDeletingDependents(o: ApiObject): boolean {
  return !!o.metadata?.deletionTimestamp && (o.metadata.finalizers ?? []).includes('foregroundDeletion');
}

/** sameRefs compares two ownerReferences lists field by field (cheaper than serialising both on every update). */
function sameRefs(a: readonly OwnerReference[], b: readonly OwnerReference[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.uid !== y.uid || x.name !== y.name || x.kind !== y.kind || x.apiVersion !== y.apiVersion || x.controller !== y.controller || x.blockOwnerDeletion !== y.blockOwnerDeletion) return false;
  }
  return true;
}

/** newGarbageCollector deletes dependents of deleted owners (`--concurrent-gc-syncs`). */
export function newGarbageCollector(ctx: ControllerContext, opts: GarbageCollectorOptions = {}): Controller {
  return new GarbageCollector(ctx, opts);
}
