/**
 * The generic registry store, as upstream's k8s.io/apiserver/pkg/registry/generic/registry.Store:
 * create, get, update (incl. patch and subresources), delete (graceful, finalizers, propagation)
 * and list/watch support on top of the storage contract and the watch cache. Per-resource
 * differences live in strategies and in the Service allocator hooks.
 */
import { randomUUID, randomBytes } from 'node:crypto';
import type { ObjectMeta as MetaV1 } from 'kubernetes-types/meta/v1.js';

/** ObjectMeta with its server-owned fields writable (kubernetes-types marks them readonly). */
type ObjectMeta = { -readonly [K in keyof MetaV1]: MetaV1[K] };
import { alreadyExists, badRequest, conflict, internalError, invalid, isStatusError, notFound, resourceExpired, StatusError, type GroupResource } from '../../api/errors.js';
import { field, type FieldError } from '../../api/field.js';
import { applyDefaults, prepareForCreate as kindPrepareForCreate, prepareForStatusUpdate as kindPrepareForStatusUpdate, prepareForUpdate as kindPrepareForUpdate } from '../../api/defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../../api/validation/index.js';
import { convertObject } from '../../api/conversion.js';
import { cloneJSON, sameJSONText } from '../../api/patch/index.js';
import { apiVersionOf, type GroupVersionKind, type KubeObject, type ResourceInfo } from '../../api/types.js';
import { isStorageError, type KeyValue, type Storage } from '../../storage/interface.js';
import { decodeStored, encodeForStorage, withResourceVersion } from '../encoding.js';
import type { ResourceCache } from '../cache/watchcache.js';
import { prepareForStatusUpdate, type Strategy } from './strategy.js';
import { recordManagedFields } from './managedfields.js';
import type { Admission, UserInfo } from '../pipeline.js';

/** StoredResource is one storage prefix shared by all served versions of a resource. */
export interface StoredResource {
  prefix: string;
  /** info is the storage version's resource. */
  info: ResourceInfo;
  strategy: Strategy;
  cache: ResourceCache;
  /** hooks run around writes (Service allocation). */
  hooks?: WriteHooks;
}

/** Resource is one served group/version/resource. */
export interface Resource {
  info: ResourceInfo;
  stored: StoredResource;
}

/** WriteHooks let a resource reserve and release external state (ClusterIPs, NodePorts). */
export interface WriteHooks {
  /** beforeWrite runs on the storage-version object; returns a rollback for a failed write. */
  beforeWrite(obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): { errors: FieldError[]; rollback: () => void };
  afterDelete(obj: KubeObject): void;
}

export interface WriteContext {
  dryRun: boolean;
  fieldManager: string;
  user: UserInfo;
  admission: Admission;
  now: Date;
  /** operation recorded in managedFields: 'Apply' for server-side apply, else 'Update'. */
  operation?: 'Apply' | 'Update';
  /** warn adds a response warning (admission plugins' warnings reach the client through it). */
  warn?: (message: string) => void;
  /** annotate adds an audit annotation (admission plugins' annotations reach the audit log through it). */
  annotate?: (key: string, value: string) => void;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

export const gr = (r: ResourceInfo): GroupResource => ({ group: r.group, resource: r.resource });
export const gvkOf = (r: ResourceInfo): GroupVersionKind => ({ group: r.group, version: r.version, kind: r.kind });

/** sameJSON: a and b serialize to the same JSON text, key order included (absent counts as null); not api/patch's order-blind deepEqual. */
const sameJSON = (a: unknown, b: unknown): boolean => sameJSONText(a ?? null, b ?? null);

const GENERATE_NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** MAX_GENERATED_BASE: upstream's maxGeneratedNameLength (63 - the 5-character suffix). */
const MAX_GENERATED_BASE = 58;

/** randomSuffix is upstream's 5-character generateName suffix alphabet (no vowels, no confusables). */
export function randomSuffix(n = 5): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_NAME_CHARS[bytes[i]! % GENERATE_NAME_CHARS.length];
  return s;
}

/** timestamp formats a time as metav1.Time does (RFC 3339, whole seconds, UTC). */
export function timestamp(d: Date): string {
  // toISOString always ends in `.sssZ`: dropping the milliseconds needs no regular expression.
  const iso = d.toISOString();
  return iso.slice(0, iso.length - 5) + 'Z';
}

export class Store {
  /**
   * @param writing is told about every value this store is about to write with the object it
   *   serialized (storage version), so the watch cache can index it without parsing it again.
   */
  constructor(
    private readonly storage: Storage,
    private readonly writing: (key: string, value: Buffer, obj: KubeObject) => void = () => {},
  ) {}

  /**
   * lastWritten holds, per key, the object this store last wrote there with the revision and
   * bytes it was stored as, so the next update of the key starts from it instead of parsing
   * the stored bytes: a pod is bound, then its status patched, within a second of being created.
   * An entry is taken at most once (the update that takes it may pass it to code that shares
   * its parts with the new object) and only while storage still holds those very bytes at that
   * revision. The objects are the ones create and update return: callers treat them as read-only.
   *
   * Creates are remembered, and updates only when they themselves started from a remembered
   * object (a chain in progress: created, bound, its status reported). An update that had to
   * decode is not: the next write to that key is usually far off (a node's heartbeat, a churn of
   * edits across many objects), and a 2-4 KiB object graph kept for the next 2048 writes
   * outlives two scavenges, is promoted and then dies in the old generation; at 200 such writes
   * a second that was most of what the young generation promoted, and the major GCs it brought.
   */
  private readonly lastWritten = new Map<string, { rv: number; value: Buffer; obj: KubeObject }>();

  private rememberWrite(key: string, rv: number, value: Buffer, obj: KubeObject): void {
    const m = this.lastWritten;
    // Deleted first either way: the key's older write is stale, and a set goes to the back of the line.
    m.delete(key);
    // Only objects laid out as a decode would lay them out: key order decides some comparisons.
    if (!canonicalOrder(obj)) return;
    m.set(key, { rv, value, obj });
    if (m.size > LAST_WRITTEN_MAX) m.delete(m.keys().next().value!);
  }

  /** remembers tells whether the next update of `key` may start from the object last written there. */
  remembers(key: string): boolean {
    return this.lastWritten.has(key);
  }

  /** currentObject is the object stored as `kv` (storage version, resourceVersion set), remembered or decoded. */
  private currentObject(key: string, kv: KeyValue): { obj: KubeObject; remembered: boolean } {
    const w = this.lastWritten.get(key);
    if (w !== undefined) {
      this.lastWritten.delete(key);
      if (w.rv === kv.modRevision && (w.value === kv.value || w.value.equals(kv.value))) return { obj: w.obj, remembered: true };
    }
    return { obj: decodeStored(kv.value, kv.modRevision), remembered: false };
  }

  /** served remembers the JSON bytes (storage version, revision included) of objects this store just wrote. */
  private readonly served = new WeakMap<KubeObject, Buffer>();

  /**
   * servedBytes returns the JSON of an object returned by create or update, when it is still the
   * storage version's stored bytes with the revision spliced in, so responses skip a stringify.
   */
  servedBytes(obj: KubeObject): Buffer | undefined {
    return this.served.get(obj);
  }

  key(s: StoredResource, namespace: string, name: string): string {
    return s.info.namespaced ? `${s.prefix}${namespace}/${name}` : `${s.prefix}${name}`;
  }

  /** toServed converts a storage-version object to the served version of r. */
  toServed(r: Resource, obj: KubeObject): KubeObject {
    if (r.info.version === r.stored.info.version && r.info.group === r.stored.info.group) return obj;
    return convertObject(obj, apiVersionOf(r.info));
  }

  /**
   * recordManaged records the write's managedFields entry (recordManagedFields) in the version
   * the client wrote, as upstream tracks each manager's fields in its own apiVersion: an
   * events.k8s.io/v1 writer owns f:note and f:regarding, not the core Event's f:message and
   * f:involvedObject it is stored as. obj and old are storage-version objects.
   */
  private recordManaged(r: Resource, obj: KubeObject, old: KubeObject | undefined, ctx: WriteContext, subresource: string): boolean {
    const operation = ctx.operation ?? 'Update';
    const view = this.toServed(r, obj);
    if (view === obj) return recordManagedFields(obj, old, ctx.fieldManager, operation, subresource, ctx.now);
    const sets = recordManagedFields(view, old && this.toServed(r, old), ctx.fieldManager, operation, subresource, ctx.now);
    const meta = (obj.metadata ??= {});
    if (view.metadata?.managedFields) meta.managedFields = view.metadata.managedFields;
    else delete meta.managedFields;
    return sets;
  }

  toStorage(r: Resource, obj: KubeObject): KubeObject {
    if (r.info.version === r.stored.info.version && r.info.group === r.stored.info.group) return obj;
    return convertObject(obj, apiVersionOf(r.stored.info));
  }

  /** getStored reads one object from storage (storage version); 404 when absent. */
  async getStored(r: Resource, namespace: string, name: string): Promise<{ obj: KubeObject; kv: KeyValue }> {
    const { kv } = await this.storage.get(this.key(r.stored, namespace, name));
    if (!kv) throw notFound(gr(r.info), name);
    return { obj: decodeStored(kv.value, kv.modRevision), kv };
  }

  async get(r: Resource, namespace: string, name: string): Promise<KubeObject> {
    return this.toServed(r, (await this.getStored(r, namespace, name)).obj);
  }

  /**
   * create stores a new object; returns it as served. The store takes over `body` (the stored
   * object shares its parts) and keeps the returned object (lastWritten, servedBytes): the caller
   * changes neither afterwards.
   */
  async create(r: Resource, namespace: string, body: KubeObject, ctx: WriteContext): Promise<KubeObject> {
    const s = r.stored;
    let obj = this.toStorage(r, checkKind(r, body));
    const meta: ObjectMeta = (obj.metadata = { ...(obj.metadata ?? {}) });
    if (s.info.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = namespace;
    } else delete meta.namespace;
    const generated = !meta.name && !!meta.generateName;
    for (const k of ['uid', 'resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'] as const) delete meta[k];
    meta.creationTimestamp = timestamp(ctx.now);
    meta.uid = randomUUID();
    // Clients never set generation: the kinds that track it get 1 from prepareForCreate (api/defaults).
    delete meta.generation;
    const gvk = gvkOf(s.info);
    // Defaulting happens at decode time upstream, before the strategy's PrepareForCreate.
    applyDefaults(gvk, obj);
    // Mutating admission runs before PrepareForCreate, as upstream's create handler: what the
    // strategy derives (a pod's serviceAccount, its qosClass) sees what admission set.
    await ctx.admission.admit({ operation: 'CREATE', resource: r.info, subresource: '', namespace, name: meta.name ?? '', object: obj, dryRun: ctx.dryRun, user: ctx.user, warn: ctx.warn, annotate: ctx.annotate });
    s.strategy.prepareForCreate(obj);
    kindPrepareForCreate(gvk, obj);
    for (let attempt = 0; ; attempt++) {
      // As upstream's SimpleNameGenerator: a base longer than 58 characters is cut so the name fits 63.
      if (generated) meta.name = `${meta.generateName!.slice(0, MAX_GENERATED_BASE)}${randomSuffix()}`;
      const errs = meta.name ? validateCreate(gvk, obj) : [field.required('metadata.name', 'name or generateName is required')];
      if (errs.length) throw invalid({ group: s.info.group, kind: s.info.kind }, meta.name ?? '', errs);
      await ctx.admission.validate({ operation: 'CREATE', resource: r.info, subresource: '', namespace, name: meta.name ?? '', object: obj, dryRun: ctx.dryRun, user: ctx.user, warn: ctx.warn, annotate: ctx.annotate });
      const hook = s.hooks?.beforeWrite(obj, undefined, ctx.dryRun);
      if (hook && hook.errors.length) throw invalid({ group: s.info.group, kind: s.info.kind }, meta.name ?? '', hook.errors);
      this.recordManaged(r, obj, undefined, ctx, '');
      const key = this.key(s, namespace, meta.name!);
      try {
        if (ctx.dryRun) {
          const { kv } = await this.storage.get(key);
          if (kv) throw alreadyExists(gr(r.info), meta.name!);
          hook?.rollback();
          return this.toServed(r, obj);
        }
        const opts = s.strategy.ttlSeconds ? { ttlSeconds: s.strategy.ttlSeconds } : undefined;
        const value = encodeForStorage(obj);
        this.writing(key, value, obj);
        const kv = await this.storage.create(key, value, opts);
        // The stored value is `obj` serialized: reuse it rather than parsing the bytes back.
        (obj.metadata as ObjectMeta).resourceVersion = String(kv.modRevision);
        this.served.set(obj, withResourceVersion(value, kv.modRevision));
        if (updatedSoon(s.info)) this.rememberWrite(key, kv.modRevision, value, obj);
        return this.toServed(r, obj);
      } catch (err) {
        hook?.rollback();
        if (isStorageError(err, 'KeyExists') || isStatusError(err, 'AlreadyExists')) {
          if (generated && attempt < 8) continue;
          throw alreadyExists(gr(r.info), meta.name!);
        }
        throw storageToStatus(err, r, meta.name!);
      }
    }
  }

  /**
   * update applies `compute` (the new object, in the served version, from the current one) with
   * optimistic concurrency. `subresource` is '' or 'status'. Returns the served object and
   * whether it was created (create-on-update). As with create, the store takes over what
   * `compute` returns and keeps the returned object: the caller changes neither afterwards.
   */
  async update(
    r: Resource,
    namespace: string,
    name: string,
    compute: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    ctx: WriteContext,
    subresource: '' | 'status' | 'binding' | 'finalize' | 'approval',
    opts: { forceAllowCreate?: boolean } = {},
  ): Promise<{ obj: KubeObject; created: boolean }> {
    const s = r.stored;
    const key = this.key(s, namespace, name);
    const gk = { group: s.info.group, kind: s.info.kind };
    let created = false;
    let deleteAfter = false;
    let rollback: (() => void) | undefined;
    let dryResult: KubeObject | undefined;
    let written: { value: Buffer; obj: KubeObject } | undefined;
    /** continued: the last attempt started from the object this store remembered writing. */
    let continued = false;
    const tryUpdate = async (current: KeyValue | undefined): Promise<{ value: Buffer; ttlSeconds?: number } | undefined> => {
      rollback?.();
      rollback = undefined;
      if (!current) {
        if (!(s.strategy.allowCreateOnUpdate || opts.forceAllowCreate) || subresource) throw notFound(gr(r.info), name);
        const body = await compute(undefined);
        const bodyMeta = body.metadata ?? {};
        if (bodyMeta.name && bodyMeta.name !== name) throw badRequest(`the name of the object (${bodyMeta.name}) does not match the name on the URL (${name})`);
        if (bodyMeta.resourceVersion) throw notFound(gr(r.info), name);
        const createdObj = await this.create(r, namespace, { ...body, metadata: { ...bodyMeta, name } }, { ...ctx, dryRun: true });
        created = true;
        const stored = this.toStorage(r, createdObj);
        if (ctx.dryRun) {
          dryResult = stored;
          return undefined;
        }
        const hook = s.hooks?.beforeWrite(stored, undefined, false);
        rollback = hook?.rollback;
        return { value: encodeForStorage(stored), ...(s.strategy.ttlSeconds ? { ttlSeconds: s.strategy.ttlSeconds } : {}) };
      }
      created = false;
      const cur = this.currentObject(key, current);
      const old = cur.obj;
      continued = cur.remembered;
      // compute may mutate its argument: it gets a copy (cheaper than a second decode).
      let obj = this.toStorage(r, checkKind(r, await compute(this.toServed(r, cloneJSON(old)))));
      const meta: ObjectMeta = (obj.metadata = { ...(obj.metadata ?? {}) });
      const oldMeta = old.metadata ?? {};
      if (meta.name && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      if (s.info.namespaced && meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      if (meta.resourceVersion && meta.resourceVersion !== String(current.modRevision)) throw conflict(gr(r.info), name);
      if (meta.uid && meta.uid !== oldMeta.uid) throw conflict(gr(r.info), name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${oldMeta.uid}`);
      meta.name = name;
      if (s.info.namespaced) meta.namespace = namespace;
      // System fields are owned by the server.
      meta.uid = oldMeta.uid!;
      meta.creationTimestamp = oldMeta.creationTimestamp!;
      if (oldMeta.deletionTimestamp) meta.deletionTimestamp = oldMeta.deletionTimestamp;
      else delete meta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      else delete meta.deletionGracePeriodSeconds;
      if (oldMeta.generateName !== undefined && meta.generateName === undefined) meta.generateName = oldMeta.generateName;
      const gvk = gvkOf(s.info);
      // Defaulting happens at decode time upstream, before the strategy's PrepareForUpdate.
      applyDefaults(gvk, obj);
      // binding writes spec.nodeName and a status condition directly, as upstream's BindingREST.
      if (subresource === 'status') {
        prepareForStatusUpdate(obj, old);
        kindPrepareForStatusUpdate(gvk, obj, old);
      } else if (subresource === 'finalize') prepareForFinalize(obj, old);
      else if (subresource === 'approval') prepareForApproval(obj, old, ctx.now);
      else if (subresource === '') {
        s.strategy.prepareForUpdate(obj, old);
        kindPrepareForUpdate(gvk, obj, old);
      }
      const newMeta = obj.metadata! as ObjectMeta;
      if (subresource !== '') {
        if (oldMeta.generation !== undefined) newMeta.generation = oldMeta.generation;
        else delete newMeta.generation;
      }
      await ctx.admission.admit({ operation: 'UPDATE', resource: r.info, subresource, namespace, name, object: obj, oldObject: old, dryRun: ctx.dryRun, user: ctx.user, warn: ctx.warn, annotate: ctx.annotate });
      const errs =
        subresource === 'status' ? validateStatusUpdate(gvk, obj, old) : subresource === 'approval' ? validateApproval(obj) : subresource === 'binding' || subresource === 'finalize' ? [] : validateUpdate(gvk, obj, old);
      if (errs.length) throw invalid(gk, name, errs);
      await ctx.admission.validate({ operation: 'UPDATE', resource: r.info, subresource, namespace, name, object: obj, oldObject: old, dryRun: ctx.dryRun, user: ctx.user, warn: ctx.warn, annotate: ctx.annotate });
      if (subresource === '' && s.hooks) {
        const hook = s.hooks.beforeWrite(obj, old, ctx.dryRun);
        if (hook.errors.length) throw invalid(gk, name, hook.errors);
        rollback = hook.rollback;
      }
      // A binding is not a field manager's write: upstream's BindingREST updates the pod in
      // storage directly, leaving its managedFields as they were.
      const setsFields = subresource === 'binding' ? true : this.recordManaged(r, obj, old, ctx, subresource === 'status' || subresource === 'approval' ? subresource : '');
      deleteAfter = shouldDeleteDuringUpdate(s.info, obj);
      obj = normalizeForCompare(obj);
      const value = encodeForStorage(obj);
      if (ctx.dryRun) {
        dryResult = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(current.modRevision) } };
        return undefined;
      }
      // A write that changes nothing but managedFields timestamps is a no-op, as upstream. A
      // write that sets a changed field is not; identical bytes are; only the rest (a removed or
      // reordered field) needs the structural comparison.
      if (value.equals(current.value)) return undefined;
      if (!setsFields && sameJSON(stripManagedTimes(obj), stripManagedTimes(old))) return undefined;
      written = { value, obj };
      this.writing(key, value, obj);
      return { value, ...(s.strategy.ttlSeconds ? { ttlSeconds: s.strategy.ttlSeconds } : {}) };
    };
    let kv: KeyValue | undefined;
    try {
      if (ctx.dryRun) {
        const { kv: cur } = await this.storage.get(key);
        await tryUpdate(cur);
        rollback?.();
        return { obj: this.toServed(r, dryResult ?? decodeStored(cur!.value, cur!.modRevision)), created };
      }
      kv = await this.storage.guaranteedUpdate(key, tryUpdate);
    } catch (err) {
      rollback?.();
      throw storageToStatus(err, r, name);
    }
    if (!kv) throw notFound(gr(r.info), name);
    // When the stored value is the one the last attempt wrote, reuse its object instead of parsing.
    const w = written as { value: Buffer; obj: KubeObject } | undefined;
    const reused = w !== undefined && (w.value === kv.value || w.value.equals(kv.value));
    const obj = reused ? w.obj : decodeStored(kv.value, kv.modRevision);
    // Both candidates' metadata are this request's own (the write's object or a fresh decode): set in place.
    ((obj.metadata ??= {}) as ObjectMeta).resourceVersion = String(kv.modRevision);
    this.served.set(obj, withResourceVersion(kv.value, kv.modRevision));
    if (reused && continued && !deleteAfter && updatedSoon(s.info)) this.rememberWrite(key, kv.modRevision, kv.value, obj);
    if (deleteAfter) {
      try {
        const del = await this.storage.delete(key, kv.modRevision);
        s.hooks?.afterDelete(obj);
        return { obj: this.toServed(r, decodeStored(del.prevKv.value, del.revision)), created };
      } catch (err) {
        if (!isStorageError(err, 'Conflict') && !isStorageError(err, 'NotFound')) throw storageToStatus(err, r, name);
      }
    }
    return { obj: this.toServed(r, obj), created };
  }

  /**
   * delete removes an object as upstream's Store.Delete: preconditions, graceful deletion for
   * pods, finalizers (and the orphan/foregroundDeletion ones from the propagation policy).
   * Returns the object and whether it is gone from storage.
   */
  async delete(r: Resource, namespace: string, name: string, opts: DeleteOptions, ctx: WriteContext): Promise<{ obj: KubeObject; deleted: boolean }> {
    const s = r.stored;
    const key = this.key(s, namespace, name);
    for (let attempt = 0; attempt < 10; attempt++) {
      const { obj: current, kv } = await this.getStored(r, namespace, name);
      const meta = current.metadata ?? {};
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== meta.uid) throw conflict(gr(r.info), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw conflict(gr(r.info), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
      }
      await ctx.admission.validate({ operation: 'DELETE', resource: r.info, subresource: '', namespace, name, oldObject: current, dryRun: ctx.dryRun, user: ctx.user, warn: ctx.warn, annotate: ctx.annotate });
      const next = cloneJSON(current);
      const nmeta: ObjectMeta = (next.metadata ??= {});
      let pending = false;
      // Graceful deletion (pods): bound, non-terminal pods stay until the kubelet confirms.
      const grace = gracePeriod(s.info, current, opts);
      if (grace !== undefined && grace > 0) {
        const until = new Date(ctx.now.getTime() + grace * 1000);
        const existing = meta.deletionTimestamp ? Date.parse(meta.deletionTimestamp) : Infinity;
        if (until.getTime() < existing) nmeta.deletionTimestamp = timestamp(until);
        if (meta.deletionGracePeriodSeconds === undefined || grace < meta.deletionGracePeriodSeconds) nmeta.deletionGracePeriodSeconds = grace;
        pending = true;
      }
      const fins = new Set(nmeta.finalizers ?? []);
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      if (!meta.deletionTimestamp || grace === undefined) {
        if (policy === 'Orphan') {
          fins.add('orphan');
          fins.delete('foregroundDeletion');
        } else if (policy === 'Foreground') {
          fins.add('foregroundDeletion');
          fins.delete('orphan');
        } else if (policy === 'Background') {
          fins.delete('orphan');
          fins.delete('foregroundDeletion');
        }
      }
      if (r.info.resource === 'namespaces' && r.info.group === '') {
        const spec = (next.spec ?? {}) as { finalizers?: string[] };
        if ((spec.finalizers ?? []).length) pending = true;
        next.status = { ...((next.status as object) ?? {}), phase: 'Terminating' };
      }
      if (fins.size) pending = true;
      if (pending) {
        if (fins.size) nmeta.finalizers = [...fins];
        else delete nmeta.finalizers;
        if (!nmeta.deletionTimestamp) nmeta.deletionTimestamp = timestamp(ctx.now);
        // Upstream bumps a tracked generation when deletion starts, so controllers notice.
        if (!meta.deletionTimestamp && (nmeta.generation ?? 0) > 0) nmeta.generation = nmeta.generation! + 1;
        if (nmeta.deletionGracePeriodSeconds === undefined) nmeta.deletionGracePeriodSeconds = grace ?? 0;
        if (sameJSON(next, current)) return { obj: this.toServed(r, current), deleted: false };
        if (ctx.dryRun) return { obj: this.toServed(r, next), deleted: false };
        try {
          const out = await this.storage.update(key, encodeForStorage(next), kv.modRevision, s.strategy.ttlSeconds ? { ttlSeconds: s.strategy.ttlSeconds } : undefined);
          return { obj: this.toServed(r, decodeStored(out.value, out.modRevision)), deleted: false };
        } catch (err) {
          if (isStorageError(err, 'Conflict')) continue;
          throw storageToStatus(err, r, name);
        }
      }
      if (ctx.dryRun) return { obj: this.toServed(r, current), deleted: true };
      try {
        const del = await this.storage.delete(key, kv.modRevision);
        s.hooks?.afterDelete(current);
        return { obj: this.toServed(r, decodeStored(del.prevKv.value, del.revision)), deleted: true };
      } catch (err) {
        if (isStorageError(err, 'Conflict')) continue;
        throw storageToStatus(err, r, name);
      }
    }
    throw conflict(gr(r.info), name);
  }
}

/** LAST_WRITTEN_MAX bounds Store.lastWritten: at thousands of writes a second, the last second or so. */
const LAST_WRITTEN_MAX = 2048;

/**
 * updatedSoon: objects of resources with a status subresource are the ones written again soon
 * after a write (a controller or the kubelet reports status; a pod is bound); the rest (events,
 * above all) would only push those out of Store.lastWritten.
 */
function updatedSoon(r: ResourceInfo): boolean {
  return r.subresources?.some((x) => x.name === 'status') ?? false;
}

/**
 * canonicalOrder: the object's first keys are apiVersion, kind and metadata, as decodeStored
 * gives them (storage writes them first); metadata.resourceVersion, when present, is last.
 */
function canonicalOrder(obj: KubeObject): boolean {
  let i = 0;
  for (const k in obj) {
    if (k !== (i === 0 ? 'apiVersion' : i === 1 ? 'kind' : 'metadata')) return false;
    if (++i === 3) break;
  }
  if (i < 3) return false;
  let last: string | undefined;
  for (const k in obj.metadata) last = k;
  return last === 'resourceVersion';
}

/** prepareForFinalize keeps everything but spec.finalizers (a namespace's /finalize). */
function prepareForFinalize(obj: KubeObject, old: KubeObject): void {
  const fins = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, cloneJSON(old));
  obj.spec = { ...((obj.spec as object) ?? {}), finalizers: fins };
  if (!fins.length) delete (obj.spec as { finalizers?: string[] }).finalizers;
}

interface CSRCondition {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

/**
 * prepareForApproval is upstream's csrApprovalStrategy.PrepareForUpdate: a CSR's /approval
 * changes metadata and status.conditions only (spec and the rest of status are the old ones),
 * and populateConditionTimestamps stamps conditions that carry no times: lastUpdateTime now,
 * lastTransitionTime the old condition's when its type kept its status, else now.
 */
function prepareForApproval(obj: KubeObject, old: KubeObject, now: Date): void {
  const conditions = ((obj.status as { conditions?: CSRCondition[] } | undefined)?.conditions ?? []).map((c) => ({ ...c }));
  const oldConditions = (old.status as { conditions?: CSRCondition[] } | undefined)?.conditions ?? [];
  const when = timestamp(now);
  for (const c of conditions) {
    c.lastUpdateTime ??= when;
    if (c.lastTransitionTime === undefined) {
      const before = oldConditions.find((o) => o.type === c.type);
      c.lastTransitionTime = before && before.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : when;
    }
  }
  obj.spec = cloneJSON(old.spec);
  const status: Record<string, unknown> = { ...((cloneJSON(old.status) as Record<string, unknown> | undefined) ?? {}) };
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  if (Object.keys(status).length) obj.status = status;
  else delete obj.status;
}

/**
 * validateApproval checks a CSR's approval conditions as upstream's validateConditions: each has
 * a type and a True/False/Unknown status, Approved and Denied only True, never both.
 */
function validateApproval(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const conditions = (obj.status as { conditions?: CSRCondition[] } | undefined)?.conditions ?? [];
  for (const [i, c] of conditions.entries()) {
    const p = `status.conditions[${i}]`;
    if (!c.type) errs.push(field.required(`${p}.type`, ''));
    if (c.type === 'Approved' || c.type === 'Denied') {
      if (c.status !== 'True') errs.push(field.notSupported(`${p}.status`, c.status ?? '', ['True']));
    } else if (!c.status) errs.push(field.required(`${p}.status`, ''));
    else if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(field.notSupported(`${p}.status`, c.status, ['False', 'True', 'Unknown']));
  }
  if (conditions.some((c) => c.type === 'Approved') && conditions.some((c) => c.type === 'Denied')) errs.push(field.invalid('status.conditions', 'Approved', 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

/** gracePeriod returns the grace period of a graceful delete, or undefined for kinds without one. */
function gracePeriod(r: ResourceInfo, obj: KubeObject, opts: DeleteOptions): number | undefined {
  if (!(r.group === '' && r.resource === 'pods')) return undefined;
  const spec = (obj.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const status = (obj.status ?? {}) as { phase?: string };
  let grace = opts.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  // Unscheduled and terminated pods have nothing to stop.
  if (!spec.nodeName || status.phase === 'Succeeded' || status.phase === 'Failed') grace = 0;
  if (grace < 0) grace = 1;
  return grace;
}

/** shouldDeleteDuringUpdate: an object being deleted goes once its last finalizer is removed. */
function shouldDeleteDuringUpdate(r: ResourceInfo, obj: KubeObject): boolean {
  const meta = obj.metadata ?? {};
  if (!meta.deletionTimestamp || (meta.finalizers ?? []).length) return false;
  if (r.group === '' && r.resource === 'pods') return (meta.deletionGracePeriodSeconds ?? 0) === 0;
  if (r.group === '' && r.resource === 'namespaces') return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length === 0;
  return true;
}

function stripManagedTimes(obj: KubeObject): unknown {
  const meta = { ...(obj.metadata ?? {}) };
  delete meta.resourceVersion;
  if (meta.managedFields) meta.managedFields = meta.managedFields.map((e) => ({ ...e, time: '' }));
  return { ...obj, metadata: meta };
}

function normalizeForCompare(obj: KubeObject): KubeObject {
  const meta = obj.metadata! as ObjectMeta;
  delete meta.resourceVersion;
  for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const v = meta[k] as unknown;
    if (v !== undefined && v !== null && typeof v === 'object' && Object.keys(v).length === 0) delete meta[k];
  }
  return obj;
}

/** checkKind enforces that a body names the resource's kind and apiVersion (when it names any). */
function checkKind(r: Resource, body: KubeObject): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the object provided is not a valid object');
  const want = apiVersionOf(r.info);
  if (body.apiVersion && body.apiVersion !== want) {
    throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${want})`);
  }
  if (body.kind && body.kind !== r.info.kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${r.info.kind})`);
  return { ...body, apiVersion: want, kind: r.info.kind };
}

/** storageToStatus maps storage failures onto API errors. */
export function storageToStatus(err: unknown, r: Resource, name: string): StatusError {
  if (err instanceof StatusError) return err;
  if (isStorageError(err, 'NotFound')) return notFound(gr(r.info), name);
  if (isStorageError(err, 'Conflict')) return conflict(gr(r.info), name);
  if (isStorageError(err, 'KeyExists')) return alreadyExists(gr(r.info), name);
  if (isStorageError(err, 'Compacted')) return resourceExpired(err.message);
  return internalError(err);
}
