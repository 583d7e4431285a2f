/**
 * Typed resource helpers (upstream: the typed clientsets and dynamic client):
 * `client.resource<Pod>({ group: '', version: 'v1', resource: 'pods' }).namespace('ns').get('x')`.
 */
import type { Readable } from 'node:stream';
import type { DeleteOptions as MetaDeleteOptions, ListMeta, Preconditions, Status } from 'kubernetes-types/meta/v1.js';
import type { Binding } from 'kubernetes-types/core/v1.js';
import type { Eviction } from 'kubernetes-types/policy/v1.js';
import type { GroupVersionResource } from '../../api/types.js';
import type { ApiObject } from '../object.js';
import type { RestClient, QueryValue } from './client.js';
import type { WatchEvent } from './watch.js';

/** ObjectList is a `<Kind>List` of T. */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  limit?: number;
  continue?: string;
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions extends Omit<ListOptions, 'limit' | 'continue' | 'resourceVersionMatch'> {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** resourceVersionMatch is only valid as 'NotOlderThan' together with sendInitialEvents. */
  resourceVersionMatch?: 'NotOlderThan';
  /** skipManagedFields (client-side, not sent): events' objects are decoded without metadata.managedFields. */
  skipManagedFields?: boolean;
}

export interface GetOptions {
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface WriteOptions {
  /** dryRun: 'All' asks the server to validate without persisting. */
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  /** force is for server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: Preconditions;
  dryRun?: 'All';
  signal?: AbortSignal;
}

/** PatchType is the patch format; `apply` is server-side apply. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const patchContentType: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend?: boolean;
  signal?: AbortSignal;
}

/** Scale is autoscaling/v1 Scale (the `scale` subresource). */
export interface Scale extends ApiObject {
  spec?: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

/** apiPath is the URL prefix of a group version: `/api/v1` or `/apis/apps/v1`. */
export function apiPath(gv: { group: string; version: string }): string {
  return gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
}

/** resourcePath builds `/api/v1/namespaces/ns/pods/name/sub` (each part optional after the resource). */
export function resourcePath(gvr: GroupVersionResource, namespace?: string, name?: string, subresource?: string): string {
  let p = apiPath(gvr);
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${gvr.resource}`;
  if (name !== undefined) {
    if (name === '') throw new Error('resource name may not be empty');
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

function listQuery(o: ListOptions | WatchOptions | undefined): Record<string, QueryValue> {
  if (!o) return {};
  const q: Record<string, QueryValue> = {
    labelSelector: o.labelSelector,
    fieldSelector: o.fieldSelector,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    timeoutSeconds: o.timeoutSeconds,
  };
  if ('limit' in o) q['limit'] = o.limit;
  if ('continue' in o) q['continue'] = o.continue;
  if ('allowWatchBookmarks' in o) q['allowWatchBookmarks'] = o.allowWatchBookmarks;
  if ('sendInitialEvents' in o) q['sendInitialEvents'] = o.sendInitialEvents;
  return q;
}

function writeQuery(o: PatchOptions | undefined): Record<string, QueryValue> {
  if (!o) return {};
  return { dryRun: o.dryRun, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation, force: o.force };
}

function deleteBody(o: DeleteOptions | undefined): MetaDeleteOptions | undefined {
  if (!o) return undefined;
  const b: MetaDeleteOptions = { apiVersion: 'v1', kind: 'DeleteOptions' } as MetaDeleteOptions;
  let any = false;
  if (o.propagationPolicy) ((b.propagationPolicy = o.propagationPolicy), (any = true));
  if (o.gracePeriodSeconds !== undefined) ((b.gracePeriodSeconds = o.gracePeriodSeconds), (any = true));
  if (o.preconditions) ((b.preconditions = o.preconditions), (any = true));
  if (o.dryRun) ((b.dryRun = [o.dryRun]), (any = true));
  return any ? b : undefined;
}

/**
 * ResourceInterface is the verbs on one resource, scoped to a namespace (or cluster-wide /
 * all namespaces when `namespace` is undefined). Every method rejects with a StatusError on
 * a non-2xx response.
 */
export class ResourceInterface<T extends ApiObject> {
  constructor(
    readonly client: RestClient,
    readonly gvr: GroupVersionResource,
    /** ns is undefined for cluster-scoped resources and for lists/watches across all namespaces. */
    readonly ns: string | undefined,
  ) {}

  private path(name?: string, sub?: string): string {
    return resourcePath(this.gvr, this.ns, name, sub);
  }

  private nameOf(obj: ApiObject): string {
    const n = obj.metadata?.name;
    if (!n) throw new Error(`${this.gvr.resource}: object has no metadata.name`);
    return n;
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.client.requestJSON<T>({ method: 'GET', path: this.path(name), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  list(opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.client.requestJSON<ObjectList<T>>({ method: 'GET', path: this.path(), query: listQuery(opts), signal: opts.signal });
  }

  /**
   * listAll pages through a list with `limit`/`continue` (default page 500) and returns all
   * items with the resourceVersion of the first page (the snapshot every page comes from).
   */
  async listAll(opts: ListOptions = {}): Promise<ObjectList<T>> {
    const limit = opts.limit ?? 500;
    const first = await this.list({ ...opts, limit });
    const items = first.items;
    let cont = first.metadata.continue;
    while (cont) {
      const page = await this.list({ ...opts, limit, continue: cont, resourceVersion: undefined, resourceVersionMatch: undefined });
      items.push(...page.items);
      cont = page.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion }, items };
  }

  /** watch yields events until the server closes the stream or `opts.signal` aborts. */
  watch(opts: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
    return this.client.watch<T>({ path: this.path(), query: listQuery(opts), signal: opts.signal }, { skipManagedFields: opts.skipManagedFields });
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.requestJSON<T>({ method: 'POST', path: this.path(), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  /**
   * createDiscard creates obj as create() does, resolving once the server has accepted it,
   * without decoding the created object it answers with: for callers that only need to know
   * the create succeeded (a ReplicaSet controller's pods), decoding an object nobody reads
   * was the larger part of the request's cost on the client.
   */
  createDiscard(obj: T, opts: WriteOptions = {}): Promise<void> {
    return this.client.requestDiscard({ method: 'POST', path: this.path(), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.requestJSON<T>({ method: 'PUT', path: this.path(this.nameOf(obj)), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  /** updateStatus replaces the status subresource (metadata.resourceVersion gives the precondition). */
  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.requestJSON<T>({ method: 'PUT', path: this.path(this.nameOf(obj), 'status'), query: writeQuery(opts), body: obj, signal: opts.signal });
  }

  /**
   * patch applies a patch of the given type to the object or, with `subresource`, to one of
   * its subresources (`status`, `scale`). `patch` is sent as-is when a string.
   */
  patch(name: string, type: PatchType, patch: unknown, opts: PatchOptions & { subresource?: string } = {}): Promise<T> {
    return this.client.requestJSON<T>({
      method: 'PATCH',
      path: this.path(name, opts.subresource),
      query: writeQuery(opts),
      body: patch,
      contentType: patchContentType[type],
      signal: opts.signal,
    });
  }

  /**
   * delete deletes one object. Resolves with what the server returns: the object (still
   * present while finalizers or graceful deletion run) or a Success Status.
   */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.client.requestJSON<T | Status>({
      method: 'DELETE',
      path: this.path(name),
      query: { dryRun: opts.dryRun },
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  /** deleteCollection deletes every object matching the list options. */
  deleteCollection(opts: DeleteOptions = {}, listOpts: ListOptions = {}): Promise<ObjectList<T> | Status> {
    return this.client.requestJSON<ObjectList<T> | Status>({
      method: 'DELETE',
      path: this.path(),
      query: { ...listQuery(listOpts), dryRun: opts.dryRun },
      body: deleteBody(opts),
      signal: opts.signal ?? listOpts.signal,
    });
  }

  /** getSubresource reads a subresource (`status`, `scale`, ...). */
  getSubresource<S = T>(name: string, subresource: string, opts: GetOptions = {}): Promise<S> {
    return this.client.requestJSON<S>({ method: 'GET', path: this.path(name, subresource), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal });
  }

  /** updateSubresource PUTs a subresource body (status, scale). */
  updateSubresource<S, R = S>(name: string, subresource: string, body: S, opts: WriteOptions = {}): Promise<R> {
    return this.client.requestJSON<R>({ method: 'PUT', path: this.path(name, subresource), query: writeQuery(opts), body, signal: opts.signal });
  }

  /** createSubresource POSTs to a subresource (`binding`, `eviction`). */
  createSubresource<S, R = S>(name: string, subresource: string, body: S, opts: WriteOptions = {}): Promise<R> {
    return this.client.requestJSON<R>({ method: 'POST', path: this.path(name, subresource), query: writeQuery(opts), body, signal: opts.signal });
  }

  getScale(name: string, opts: GetOptions = {}): Promise<Scale> {
    return this.getSubresource<Scale>(name, 'scale', opts);
  }

  updateScale(name: string, scale: Scale, opts: WriteOptions = {}): Promise<Scale> {
    return this.updateSubresource<Scale>(name, 'scale', scale, opts);
  }

  /** bind POSTs a core/v1 Binding to `pods/<name>/binding` (what the scheduler does). */
  bind(name: string, binding: Binding, opts: WriteOptions = {}): Promise<Status> {
    return this.createSubresource<Binding, Status>(name, 'binding', binding, opts);
  }

  /** evict POSTs a policy/v1 Eviction to `pods/<name>/eviction` (honours PodDisruptionBudgets). */
  evict(name: string, eviction: Eviction, opts: WriteOptions = {}): Promise<Status> {
    return this.createSubresource<Eviction, Status>(name, 'eviction', eviction, opts);
  }

  private logQuery(o: LogOptions): Record<string, QueryValue> {
    return {
      container: o.container,
      follow: o.follow,
      previous: o.previous,
      sinceSeconds: o.sinceSeconds,
      sinceTime: o.sinceTime,
      timestamps: o.timestamps,
      tailLines: o.tailLines,
      limitBytes: o.limitBytes,
      insecureSkipTLSVerifyBackend: o.insecureSkipTLSVerifyBackend,
    };
  }

  /** log returns a pod's log as text (`follow` is ignored; use logStream). */
  log(name: string, opts: LogOptions = {}): Promise<string> {
    return this.client.requestText({ method: 'GET', path: this.path(name, 'log'), query: { ...this.logQuery(opts), follow: undefined }, signal: opts.signal });
  }

  /** logStream returns the raw log body; with `follow` it stays open until the container ends or `signal` aborts. */
  logStream(name: string, opts: LogOptions = {}): Promise<Readable> {
    return this.client.stream({ path: this.path(name, 'log'), query: this.logQuery(opts), signal: opts.signal });
  }
}

/**
 * ResourceClient is a resource before a namespace is chosen. Its own verbs act cluster-wide:
 * for cluster-scoped resources, or to list/watch a namespaced resource in all namespaces.
 */
export class ResourceClient<T extends ApiObject> extends ResourceInterface<T> {
  constructor(client: RestClient, gvr: GroupVersionResource) {
    super(client, gvr, undefined);
  }

  /** namespace scopes the verbs to one namespace. */
  namespace(ns: string): ResourceInterface<T> {
    return new ResourceInterface<T>(this.client, this.gvr, ns);
  }
}
