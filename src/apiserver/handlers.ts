/**
 * REST handlers for resource requests, as upstream's endpoints/handlers: decode the request,
 * call the registry store, and encode the answer (JSON, Table, PartialObjectMetadata) or stream
 * a watch. Lists and watches are served from the watch cache; paginated and exact-revision
 * lists read storage.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, methodNotSupported, notFound, requestEntityTooLarge, resourceExpired, StatusError, timeout, unsupportedMediaType } from '../api/errors.js';
import { compileFieldSelector, selectableFields, type FieldSelector } from '../api/fields.js';
import { parseLabelSelector, type Selector } from '../api/labels.js';
import { applyJSONPatch, applyMergePatch, applyStrategicMergePatch, cloneJSON } from '../api/patch/index.js';
import { apiVersionOf, type GroupVersionKind, type KubeObject } from '../api/types.js';
import { isStorageError, type Storage } from '../storage/interface.js';
import { writeJsonList, type CachedObject, type WatchCache, type WatchEventType } from './cache/watchcache.js';
import { decodeBody, decodeStored, deletePath, withResourceVersion } from './encoding.js';
import { negotiate, partialObjectMetadata, toTable, writeValue, type Output, type ResponseWarnings } from './negotiation.js';
import type { Admission, UserInfo } from './pipeline.js';
import type { OpenAPI } from './openapi.js';
import type { RequestInfo } from './requestinfo.js';
import { gr, gvkOf, timestamp, type DeleteOptions, type Resource, type Store, type WriteContext } from './registry/store.js';
import { WatchStream } from './watch.js';
import { checkEvictionName, evict } from './eviction.js';
import { decodeProtobufObject, isProtobuf } from './protobuf.js';
import { containerFor, kubeletFor, proxyLog } from './proxy.js';
import { annotateRequest, recordRequestBody } from './audit/index.js';
import { stamp } from './metrics/index.js';
import { patchDecodeError } from './patchdecode.js';

/** Bodies over 3 MiB are rejected, as upstream's limit for JSON bodies. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface HandlerDeps {
  store: Store;
  storage: Storage;
  cache: WatchCache;
  admission: Admission;
  /** resolve finds a served resource by group, version and plural. */
  resolve(group: string, version: string, resource: string): Resource | undefined;
  /** watches tracks open watch streams (bookmarks, shutdown). */
  watches: Set<WatchStream>;
  openapi: OpenAPI;
  now(): Date;
  /** kubeletClientCert is the certificate and key the apiserver presents to kubelets (none: anonymous TLS). */
  kubeletClientCert?: () => { cert: string; key: string } | undefined;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  warnings: ResponseWarnings;
}

/**
 * readBody reads a request body of at most MAX_BODY_BYTES (413 beyond). Stream events rather
 * than an async iterator: a body is usually one chunk, and the iterator's machinery cost more
 * than reading it.
 */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  if (req.readableEnded) {
    const body = Buffer.alloc(0);
    recordRequestBody(req, body);
    return Promise.resolve(body);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        cleanup();
        // The rest of the body is read and dropped, so the 413 still reaches the client.
        req.resume();
        reject(requestEntityTooLarge('limit is 3145728'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      recordRequestBody(req, body);
      stamp(req, 'body');
      resolve(body);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      // A client that goes away mid-body: the iterator rejected with a premature-close error.
      if (req.complete) return;
      cleanup();
      reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation') ?? 'Warn';
  if (v !== 'Strict' && v !== 'Warn' && v !== 'Ignore') throw badRequest(`fieldValidation parameter unsupported: ${v}. Must be one of: Ignore, Warn, Strict`);
  return v;
}

function dryRunOf(q: URLSearchParams, bodyDryRun?: string[]): boolean {
  const vals = [...q.getAll('dryRun'), ...(bodyDryRun ?? [])];
  for (const v of vals) if (v !== 'All') throw badRequest(`Invalid dry run argument: ${v}; supported values: All`);
  return vals.length > 0;
}

function fieldManagerOf(ctx: RequestContext): string {
  const fm = ctx.query.get('fieldManager');
  if (fm) {
    if (fm.length > 128) throw badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return fm;
  }
  const ua = ctx.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] ?? 'unknown';
}

/**
 * decodeObject parses a create/update body and applies fieldValidation: unknown and duplicate
 * fields are a 400 under Strict, warnings under Warn, and dropped either way.
 */
async function decodeObject(deps: HandlerDeps, ctx: RequestContext, r: Resource): Promise<KubeObject> {
  const body = await readBody(ctx.req);
  const ct = ctx.req.headers['content-type'] ?? 'application/json';
  const media = ct.split(';')[0]!.trim();
  const fv = fieldValidation(ctx.query);
  if (isProtobuf(media)) {
    // Protobuf has no strict decoding upstream; fields k8ts's schema lacks (a newer client's)
    // are dropped quietly, as the JSON path drops them.
    const obj = decodeProtobufObject(body);
    checkFields(deps, ctx, r.info, obj, [], 'Ignore');
    return obj;
  }
  if (media !== 'application/json' && media !== 'application/yaml' && media !== '*/*') {
    throw unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  }
  const decoded = decodeBody(body, ct, fv !== 'Ignore');
  const obj = decoded.value as KubeObject;
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw badRequest('Object \'Kind\' is missing in \'' + body.toString('utf8').slice(0, 200) + '\'');
  // A value of the wrong JSON type fails decoding into upstream's Go structs, whatever fieldValidation says.
  const typeError = deps.openapi.typeError(gvkOf(r.info), obj);
  if (typeError) throw badRequest(`${r.info.kind} in version ${JSON.stringify(r.info.version)} cannot be handled as a ${r.info.kind}: ${typeError}`);
  checkFields(deps, ctx, r.info, obj, decoded.duplicates, fv);
  return obj;
}

function checkFields(deps: HandlerDeps, ctx: RequestContext, info: { group: string; version: string; kind: string }, obj: KubeObject, duplicates: string[], fv: FieldValidation): void {
  const gvk: GroupVersionKind = { group: info.group, version: info.version, kind: info.kind };
  const unknown = deps.openapi.unknownFields(gvk, obj);
  // Unknown fields never reach storage (upstream's decoder drops them); Ignore only stays quiet.
  for (const p of unknown) deletePath(obj, p);
  if (fv === 'Ignore') return;
  const problems = [...unknown.map((p) => `unknown field ${JSON.stringify(p.replace(/^\./, ''))}`), ...duplicates.map((d) => `duplicate field ${JSON.stringify(d)}`)];
  if (!problems.length) return;
  if (fv === 'Strict') {
    throw badRequest(`${info.kind} in version ${JSON.stringify(info.version)} cannot be handled as a ${info.kind}: strict decoding error: ${problems.join(', ')}`);
  }
  for (const p of problems) ctx.warnings.add(p);
}

function writeContext(deps: HandlerDeps, ctx: RequestContext, bodyDryRun?: string[]): WriteContext {
  return { dryRun: dryRunOf(ctx.query, bodyDryRun), fieldManager: fieldManagerOf(ctx), user: ctx.user, admission: deps.admission, now: deps.now(), warn: (m) => ctx.warnings.add(m), annotate: (k, v) => annotateRequest(ctx.req, k, v) };
}

/** handleResource serves one resource request (RequestInfo.isResourceRequest). */
export async function handleResource(deps: HandlerDeps, ctx: RequestContext): Promise<void> {
  const { info } = ctx;
  const r = deps.resolve(info.apiGroup, info.apiVersion, info.resource);
  if (!r) throw pageNotFound();
  if (r.info.namespaced && !info.namespace && info.name && info.resource !== 'namespaces') throw pageNotFound();
  if (!r.info.namespaced && info.namespace) throw pageNotFound();
  const ns = r.info.namespaced ? info.namespace : '';
  if (info.subresource) return handleSubresource(deps, ctx, r, ns);
  if (!r.info.verbs.includes(info.verb) && !(info.verb === 'watch' && r.info.verbs.includes('watch'))) {
    throw methodNotSupported(gr(r.info), info.verb);
  }
  switch (info.verb) {
    case 'get': {
      const out = negotiateFor(ctx, r);
      const rvParam = ctx.query.get('resourceVersion') ?? '';
      if (rvParam !== '') {
        // As upstream's cacher: "0" is any revision (the cache's), N is "not older than N" (wait
        // for the cache to reach it); unset (below) is a consistent read from storage.
        if (rvParam !== '0') {
          const want = parseRV(rvParam);
          if (!(await deps.cache.waitFor(want, 3000))) throw timeout(`Too large resource version: ${want}, current: ${deps.cache.rv}`, 1);
        }
        const o = r.stored.cache.objects.get(deps.store.key(r.stored, ns, info.name));
        if (!o) throw notFound(gr(r.info), info.name);
        if (out.kind === 'json' && sameVersion(r)) {
          ctx.warnings.apply(ctx.res);
          return writeValue(ctx.res, 200, o.bytes);
        }
        return respondObject(deps, ctx, r, 200, servedObject(deps, r, o), out);
      }
      if (out.kind === 'json' && sameVersion(r)) {
        // Plain JSON in the storage version: serve the stored bytes with the revision spliced in.
        const { kv } = await deps.storage.get(deps.store.key(r.stored, ns, info.name));
        if (!kv) throw notFound(gr(r.info), info.name);
        ctx.warnings.apply(ctx.res);
        return writeValue(ctx.res, 200, withResourceVersion(kv.value, kv.modRevision));
      }
      const obj = await deps.store.get(r, ns, info.name);
      return respondObject(deps, ctx, r, 200, obj, out);
    }
    case 'list':
      return handleList(deps, ctx, r, ns);
    case 'watch':
      return handleWatch(deps, ctx, r, ns);
    case 'create': {
      // Negotiate before writing, as upstream: an unacceptable Accept must not create anything.
      const out = negotiateFor(ctx, r);
      const body = await decodeObject(deps, ctx, r);
      const wctx = writeContext(deps, ctx);
      if (info.resource === 'bindings' && r.info.group === '') return createBinding(deps, ctx, r, ns, body, wctx);
      const obj = await deps.store.create(r, ns, body, wctx);
      return respondObject(deps, ctx, r, 201, obj, out);
    }
    case 'update': {
      const body = await decodeObject(deps, ctx, r);
      const { obj, created } = await deps.store.update(r, ns, info.name, () => body, writeContext(deps, ctx), '');
      return respondObject(deps, ctx, r, created ? 201 : 200, obj);
    }
    case 'patch':
      return handlePatch(deps, ctx, r, ns, '');
    case 'delete': {
      const opts = await deleteOptions(ctx);
      const { obj, deleted } = await deps.store.delete(r, ns, info.name, opts, writeContext(deps, ctx, opts.dryRun));
      // Upstream answers 200 even for pending deletions (graceful pods, namespaces, finalizers);
      // 202 only when the client explicitly asked orphanDependents=false.
      const code = !deleted && opts.orphanDependents === false ? 202 : 200;
      if (r.stored.strategy.returnDeletedObject || !deleted) return respondObject(deps, ctx, r, code, obj);
      const details: Record<string, unknown> = { name: info.name, kind: r.info.resource, uid: obj.metadata?.uid };
      if (r.info.group) details.group = r.info.group;
      return writeValue(ctx.res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
    }
    case 'deletecollection':
      return handleDeleteCollection(deps, ctx, r, ns);
    default:
      throw methodNotSupported(gr(r.info), info.verb || ctx.req.method || '');
  }
}

function pageNotFound(): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
}

async function deleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  let opts: DeleteOptions = {};
  if (body.length) {
    const ct = ctx.req.headers['content-type'] ?? 'application/json';
    // client-go sends DeleteOptions as protobuf when its content type is protobuf.
    const v = isProtobuf(ct) ? decodeProtobufObject(body) : decodeBody(body, ct, false).value;
    if (v && typeof v === 'object') opts = v as DeleteOptions;
  }
  const q = ctx.query;
  if (q.has('gracePeriodSeconds')) opts.gracePeriodSeconds = Number(q.get('gracePeriodSeconds'));
  if (q.has('propagationPolicy')) opts.propagationPolicy = q.get('propagationPolicy') as DeleteOptions['propagationPolicy'];
  if (q.has('orphanDependents')) opts.orphanDependents = q.get('orphanDependents') === 'true';
  const pp = opts.propagationPolicy;
  if (pp !== undefined && pp !== 'Orphan' && pp !== 'Background' && pp !== 'Foreground') {
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422, message: `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${pp}": supported values: "Foreground", "Background", "Orphan", "nil"` });
  }
  return opts;
}

/**
 * respondObject writes a single object in the negotiated form (JSON, YAML, Table, partial);
 * `out` is the negotiation the handler already did, if it did one.
 */
function respondObject(deps: HandlerDeps, ctx: RequestContext, r: Resource, code: number, obj: KubeObject, out: Output = negotiateFor(ctx, r)): void {
  ctx.warnings.apply(ctx.res);
  if (out.kind === 'table') {
    return writeValue(ctx.res, code, toTable(gvkOf(r.info), [obj], out.version, ctx.query.get('includeObject') ?? 'Metadata', { resourceVersion: obj.metadata?.resourceVersion ?? '' }, deps.now()));
  }
  if (out.kind === 'partial') return writeValue(ctx.res, code, partialObjectMetadata(obj, out.version));
  const bytes = out.kind === 'json' ? deps.store.servedBytes(obj) : undefined;
  writeValue(ctx.res, code, bytes ?? obj, out);
}

/**
 * negotiateFor negotiates a single-object response for resource r: resources that can only be
 * created (the reviews, bindings) have no Table convertor upstream, so as=Table is not
 * acceptable for them.
 */
function negotiateFor(ctx: RequestContext, r: Resource): Output {
  return negotiate(ctx.req.headers.accept, false, r.info.verbs.includes('get') || r.info.verbs.includes('list'));
}

// ---------------------------------------------------------------- lists

interface Selectors {
  labels: Selector;
  fields: FieldSelector;
  /** namespace the request is scoped to ('' for all). */
  namespace: string;
  nodeName?: string;
}

function selectorsOf(r: Resource, q: URLSearchParams, ns: string, name?: string): Selectors {
  const labels = parseLabelSelector(q.get('labelSelector') ?? '');
  let fs = q.get('fieldSelector') ?? '';
  if (name) fs = fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`;
  const fields = compileFieldSelector(gvkOf(r.info), fs);
  const sel: Selectors = { labels, fields, namespace: ns };
  const fns = fields.requiresExactMatch('metadata.namespace');
  if (!ns && fns) sel.namespace = fns;
  if (r.stored.info.resource === 'pods' && r.stored.info.group === '') {
    const node = fields.requiresExactMatch('spec.nodeName');
    if (node !== undefined) sel.nodeName = node;
  }
  return sel;
}

function matches(sel: Selectors, o: CachedObject): boolean {
  if (sel.namespace && o.namespace !== sel.namespace) return false;
  if (!sel.labels.empty() && !sel.labels.matches(o.labels)) return false;
  if (!sel.fields.empty() && !sel.fields.matchesSource(o)) return false;
  return true;
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') throw new Error('bad');
    return t;
  } catch {
    throw badRequest('continue key is not valid: invalid continue token');
  }
}

/** LATEST_REVISION in a continue token means "continue at the latest revision" (upstream's -1). */
const LATEST_REVISION = -1;

const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function parseRV(v: string | null, what = 'resourceVersion'): number {
  const n = Number(v);
  if (!/^\d+$/.test(v ?? '') || !Number.isSafeInteger(n)) throw badRequest(`invalid ${what}: ${v}`);
  return n;
}

/** ListResult is what a list produced: the items (storage version) and the list metadata. */
interface ListItems {
  items: CachedObject[];
  rv: number;
  continue?: string;
  remaining?: number;
}

async function handleList(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string): Promise<void> {
  const q = ctx.query;
  const out = negotiate(ctx.req.headers.accept, true);
  const sel = selectorsOf(r, q, ns);
  const limit = q.has('limit') ? Number(q.get('limit')) : 0;
  const cont = q.get('continue') ?? '';
  const rvParam = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  if (match && match !== 'Exact' && match !== 'NotOlderThan') throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  if (match && !rvParam) throw badRequest(`resourceVersionMatch is forbidden unless resourceVersion is provided`);
  if (cont && rvParam) throw badRequest(`specifying resource version is not allowed when using continue`);
  if (match === 'Exact' && rvParam === '0') throw badRequest(`resourceVersionMatch "exact" is forbidden for resourceVersion "0"`);
  let result: ListItems;
  if (cont || match === 'Exact' || (limit > 0 && rvParam !== '0')) {
    const token = cont ? decodeContinue(cont) : undefined;
    const rev = token ? (token.rv === LATEST_REVISION ? undefined : token.rv) : match === 'Exact' ? parseRV(rvParam) : undefined;
    result = await listFromStorage(deps, r, sel, limit, rev, token?.start);
  } else {
    const c = r.stored.cache;
    if (rvParam === '') {
      if (!(await deps.cache.waitForFresh())) {
        result = await listFromStorage(deps, r, sel, 0, undefined, undefined);
        return writeList(deps, ctx, r, out, result);
      }
    } else if (rvParam !== '0') {
      const want = parseRV(rvParam);
      if (!(await deps.cache.waitFor(want, 3000))) throw timeout(`Too large resource version: ${want}, current: ${deps.cache.rv}`, 1);
    }
    // The cache's per-namespace list is already scoped: without selectors it is the answer.
    const all = c.list(sel.namespace);
    const items = sel.labels.empty() && sel.fields.empty() ? all : all.filter((o) => matches(sel, o));
    result = { items, rv: deps.cache.rv };
  }
  return writeList(deps, ctx, r, out, result);
}

async function listFromStorage(deps: HandlerDeps, r: Resource, sel: Selectors, limit: number, revision: number | undefined, start: string | undefined): Promise<ListItems> {
  const s = r.stored;
  const prefix = sel.namespace && s.info.namespaced ? `${s.prefix}${sel.namespace}/` : s.prefix;
  const items: CachedObject[] = [];
  let startKey = start ? s.prefix + start : undefined;
  let rev = revision;
  let more = false;
  let remaining: number | undefined;
  const gvk = gvkOf(s.info);
  for (;;) {
    let page;
    try {
      const opts: { limit?: number; startKey?: string; revision?: number } = {};
      if (limit) opts.limit = Math.max(limit - items.length, 1);
      if (startKey) opts.startKey = startKey;
      if (rev !== undefined) opts.revision = rev;
      page = await deps.storage.list(prefix, opts);
    } catch (err) {
      if (isStorageError(err, 'Compacted')) {
        if (start) {
          // As upstream's handleCompactedErrorForPaging: the 410 carries a token (revision -1)
          // that continues from the same key at the latest revision, an inconsistent list.
          const expired = resourceExpired(CONTINUE_EXPIRED);
          expired.status.metadata = { continue: encodeContinue(LATEST_REVISION, start) };
          throw expired;
        }
        throw resourceExpired(`too old resource version: ${revision} (${await deps.storage.compactedRevision()})`);
      }
      if (isStorageError(err, 'FutureRevision')) throw timeout(`Too large resource version: ${revision}, current: ${await deps.storage.currentRevision()}`, 1);
      throw err;
    }
    rev = page.revision;
    for (const kv of page.kvs) {
      const obj = decodeStored(kv.value, kv.modRevision);
      const meta = obj.metadata ?? {};
      const fields = selectableFields(gvk, obj);
      const o: CachedObject = {
        key: kv.key,
        namespace: meta.namespace ?? '',
        name: meta.name ?? '',
        rv: kv.modRevision,
        bytes: withResourceVersion(kv.value, kv.modRevision),
        labels: meta.labels ?? {},
        field: (f) => (Object.hasOwn(fields, f) ? fields[f] : undefined),
      };
      if (matches(sel, o)) items.push(o);
      startKey = kv.key + '\x00';
    }
    more = page.more;
    if (page.remaining !== undefined) remaining = page.remaining;
    if (!limit || !more || items.length >= limit) break;
  }
  const res: ListItems = { items, rv: rev ?? deps.cache.rv };
  if (limit && more && startKey) {
    res.continue = encodeContinue(rev!, startKey.slice(s.prefix.length));
    if (sel.labels.empty() && sel.fields.empty() && remaining !== undefined) res.remaining = remaining;
  }
  return res;
}

function listMeta(result: ListItems): Record<string, unknown> {
  const m: Record<string, unknown> = { resourceVersion: String(result.rv) };
  if (result.continue) m.continue = result.continue;
  if (result.remaining !== undefined) m.remainingItemCount = result.remaining;
  return m;
}

function sameVersion(r: Resource): boolean {
  return r.info.group === r.stored.info.group && r.info.version === r.stored.info.version;
}

/** servedBytes returns an item's JSON in the served version (the cached bytes when no conversion is needed). */
function servedBytes(deps: HandlerDeps, r: Resource, o: CachedObject): Buffer {
  if (sameVersion(r)) return o.bytes;
  return Buffer.from(JSON.stringify(deps.store.toServed(r, JSON.parse(o.bytes.toString('utf8')) as KubeObject)));
}

function servedObject(deps: HandlerDeps, r: Resource, o: CachedObject): KubeObject {
  return deps.store.toServed(r, JSON.parse(o.bytes.toString('utf8')) as KubeObject);
}

function writeList(deps: HandlerDeps, ctx: RequestContext, r: Resource, out: Output, result: ListItems): void {
  ctx.warnings.apply(ctx.res);
  const meta = listMeta(result);
  if (out.kind === 'table') {
    const objs = result.items.map((o) => servedObject(deps, r, o));
    return writeValue(ctx.res, 200, toTable(gvkOf(r.info), objs, out.version, ctx.query.get('includeObject') ?? 'Metadata', meta, deps.now()));
  }
  if (out.kind === 'partial') {
    const items = result.items.map((o) => partialObjectMetadata(servedObject(deps, r, o), out.version));
    return writeValue(ctx.res, 200, { kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${out.version}`, metadata: meta, items });
  }
  if (out.kind === 'yaml') {
    return writeValue(ctx.res, 200, { kind: r.info.listKind, apiVersion: apiVersionOf(r.info), metadata: meta, items: result.items.map((o) => servedObject(deps, r, o)) }, out);
  }
  const head = Buffer.from(`{"kind":"${r.info.listKind}","apiVersion":"${apiVersionOf(r.info)}","metadata":${JSON.stringify(meta)},"items":[`);
  // Served from the cache's bytes: one buffer, each item's revision spliced in while copying.
  if (sameVersion(r)) return writeJsonList(ctx.res, head, result.items, CLOSE);
  const parts: Buffer[] = [head];
  let size = head.length + CLOSE.length;
  for (let i = 0; i < result.items.length; i++) {
    if (i) parts.push(COMMA);
    const b = servedBytes(deps, r, result.items[i]!);
    parts.push(b);
    size += b.length + 1;
  }
  parts.push(CLOSE);
  if (size < STREAM_LIST_BYTES) return writeValue(ctx.res, 200, Buffer.concat(parts));
  // Large lists are written piecewise (corked, with a known length) instead of being copied
  // into one buffer: the items are the cache's own bytes.
  const res = ctx.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': parts.reduce((n, p) => n + p.length, 0), 'Cache-Control': 'no-cache, private' });
  res.cork();
  for (const p of parts) res.write(p);
  res.end();
  res.uncork();
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');
const STREAM_LIST_BYTES = 1 << 20;

// ---------------------------------------------------------------- watch

async function handleWatch(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string): Promise<void> {
  const q = ctx.query;
  const out = negotiate(ctx.req.headers.accept, true, true, true);
  const sel = selectorsOf(r, q, ns, ctx.info.name || undefined);
  const rvParam = q.get('resourceVersion') ?? '';
  const allowBookmarks = q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1';
  const sendInitialParam = q.get('sendInitialEvents');
  const match = q.get('resourceVersionMatch') ?? '';
  if (sendInitialParam !== null) {
    if (match !== 'NotOlderThan') throw badRequest('sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
    if (!allowBookmarks && sendInitialParam === 'true') throw badRequest('sendInitialEvents: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
  } else if (match) throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  const sendInitial = sendInitialParam === 'true' || (sendInitialParam === null && (rvParam === '' || rvParam === '0'));
  const c = r.stored.cache;
  let fromRv: number;
  if (rvParam === '' && sendInitialParam !== 'false') {
    await deps.cache.waitForFresh();
    fromRv = deps.cache.rv;
  } else if (rvParam === '' || rvParam === '0') {
    if (rvParam === '') await deps.cache.waitForFresh();
    fromRv = deps.cache.rv;
  } else {
    fromRv = parseRV(rvParam);
    if (fromRv > deps.cache.rv && !(await deps.cache.waitFor(fromRv, 3000))) throw timeout(`Too large resource version: ${fromRv}, current: ${deps.cache.rv}`, 1);
    if (sendInitial) fromRv = Math.max(fromRv, deps.cache.rv);
  }
  if (!sendInitial && fromRv < c.oldestRv) throw resourceExpired(`too old resource version: ${fromRv} (${c.oldestRv})`);

  const res = ctx.res;
  ctx.warnings.apply(res);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  const now = deps.now;
  // As upstream's watch Fixup (TableOptions.NoHeaders after the first object), only the first
  // event's Table carries columnDefinitions; later ones send null and clients keep the first's.
  let tableHeaders = true;
  const encode =
    out.kind === 'table'
      ? (type: WatchEventType, o: CachedObject): Buffer => {
          const table = toTable(gvkOf(r.info), [servedObject(deps, r, o)], out.version, q.get('includeObject') ?? 'Metadata', { resourceVersion: String(o.rv) }, now());
          if (!tableHeaders) (table as { columnDefinitions: unknown }).columnDefinitions = null;
          tableHeaders = false;
          return Buffer.from(JSON.stringify({ type, object: table }) + '\n');
        }
      : out.kind === 'partial'
        ? (type: WatchEventType, o: CachedObject): Buffer => Buffer.from(JSON.stringify({ type, object: partialObjectMetadata(servedObject(deps, r, o), out.version) }) + '\n')
        : sameVersion(r)
          ? undefined
          : (type: WatchEventType, o: CachedObject): Buffer => Buffer.from(`{"type":"${type}","object":${servedBytes(deps, r, o).toString('utf8')}}\n`);
  const kindForBookmark = out.kind === 'table' ? { kind: 'Table', apiVersion: `meta.k8s.io/${out.version}` } : out.kind === 'partial' ? { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${out.version}` } : { kind: r.info.kind, apiVersion: apiVersionOf(r.info) };
  let timer: NodeJS.Timeout | undefined;
  const stream: WatchStream = new WatchStream({
    res,
    namespace: sel.namespace,
    ...(sel.nodeName !== undefined ? { nodeName: sel.nodeName } : {}),
    filter: (o) => matches(sel, o),
    ...(encode ? { encode } : {}),
    bookmarkObject: (rv, end) => ({ ...kindForBookmark, metadata: { resourceVersion: String(rv), creationTimestamp: null, ...(end ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) } }),
    allowBookmarks,
    onStop: () => {
      c.removeWatcher(stream);
      deps.watches.delete(stream);
      if (timer) clearTimeout(timer);
    },
  });
  if (sendInitial) {
    for (const o of c.list(sel.namespace)) if (matches(sel, o)) stream.deliver('ADDED', o, o.rv);
    stream.lastRv = fromRv;
    if (sendInitialParam === 'true') stream.bookmark(fromRv, true);
  }
  if (!c.addWatcher(stream, fromRv)) {
    // Only reachable when history was trimmed between the check above and now.
    res.write(JSON.stringify({ type: 'ERROR', object: resourceExpired(`too old resource version: ${fromRv} (${c.oldestRv})`).status }) + '\n');
    res.end();
    return;
  }
  deps.watches.add(stream);
  const timeoutSeconds = q.has('timeoutSeconds') ? Number(q.get('timeoutSeconds')) : 1800 * (1 + Math.random());
  timer = setTimeout(() => stream.stop('closed'), Math.max(0, timeoutSeconds) * 1000);
  ctx.req.on('close', () => stream.stop('closed'));
  res.on('close', () => stream.stop('closed'));
}

// ---------------------------------------------------------------- patch

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

async function handlePatch(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string, subresource: '' | 'status' | 'approval'): Promise<void> {
  const ct = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!PATCH_TYPES.includes(ct)) throw unsupportedMediaType(PATCH_TYPES);
  const body = await readBody(ctx.req);
  const fv = fieldValidation(ctx.query);
  const decoded = decodeBody(body, ct === 'application/apply-patch+yaml' ? 'application/yaml' : 'application/json', fv !== 'Ignore');
  const patch = decoded.value;
  const isApply = ct === 'application/apply-patch+yaml';
  const wctx: WriteContext = { ...writeContext(deps, ctx), ...(isApply ? { operation: 'Apply' as const } : {}) };
  const gvk = gvkOf(r.info);
  if (isApply && !ctx.query.get('fieldManager')) throw badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const apply = (current: KubeObject | undefined): KubeObject => {
    let next: KubeObject;
    if (!current) {
      // Server-side apply creates the object from the applied configuration.
      next = cloneJSON(patch) as KubeObject;
    } else {
      // The store hands compute a copy of its own: patch it in place.
      switch (ct) {
        case 'application/json-patch+json':
          next = applyJSONPatch(current, patch, { inPlace: true });
          break;
        case 'application/merge-patch+json':
          next = applyMergePatch(current, patch, { inPlace: true });
          break;
        default:
          next = applyStrategicMergePatch(gvk, current, patch, { inPlace: true });
      }
    }
    // Upstream decodes the patched JSON into its Go struct; apply goes through the typed
    // field manager instead, with errors of its own, so it is not checked here.
    if (current && !isApply) {
      const typeError = deps.openapi.typeError(gvk, next);
      if (typeError) throw patchDecodeError(ct, next, patch, typeError);
    }
    checkFields(deps, ctx, r.info, next, decoded.duplicates, fv);
    return next;
  };
  const { obj, created } = await deps.store.update(r, ns, ctx.info.name, apply, wctx, subresource, { forceAllowCreate: isApply });
  respondObject(deps, ctx, r, created ? 201 : 200, obj);
}

// ---------------------------------------------------------------- deletecollection

async function handleDeleteCollection(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string): Promise<void> {
  const sel = selectorsOf(r, ctx.query, ns);
  const opts = await deleteOptions(ctx);
  const wctx = writeContext(deps, ctx, opts.dryRun);
  await deps.cache.waitForFresh();
  const items = r.stored.cache.list(sel.namespace).filter((o) => matches(sel, o));
  const deleted: KubeObject[] = [];
  for (const o of items) {
    try {
      deleted.push((await deps.store.delete(r, o.namespace, o.name, opts, wctx)).obj);
    } catch (err) {
      if (!(err instanceof StatusError && err.reason === 'NotFound')) throw err;
    }
  }
  writeValue(ctx.res, 200, { kind: r.info.listKind, apiVersion: apiVersionOf(r.info), metadata: { resourceVersion: String(deps.cache.rv) }, items: deleted });
}

// ---------------------------------------------------------------- subresources

async function handleSubresource(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string): Promise<void> {
  const { info } = ctx;
  const sub = (r.info.subresources ?? []).find((s) => s.name === info.subresource);
  if (!sub) throw pageNotFound();
  if (!sub.verbs.includes(info.verb)) throw methodNotSupported({ group: r.info.group, resource: `${r.info.resource}/${sub.name}` }, info.verb);
  switch (sub.name) {
    case 'status':
    // A CSR's approval conditions; who may approve is the CertificateApproval admission check.
    case 'approval':
      if (info.verb === 'get') return respondObject(deps, ctx, r, 200, await deps.store.get(r, ns, info.name));
      if (info.verb === 'patch') return handlePatch(deps, ctx, r, ns, sub.name);
      {
        const body = await decodeObject(deps, ctx, r);
        const { obj } = await deps.store.update(r, ns, info.name, () => body, writeContext(deps, ctx), sub.name);
        return respondObject(deps, ctx, r, 200, obj);
      }
    case 'finalize': {
      const body = await decodeObject(deps, ctx, r);
      const wctx = writeContext(deps, ctx);
      // finalize may change only spec.finalizers (upstream's namespace finalize strategy).
      const { obj } = await deps.store.update(r, ns, info.name, () => body, wctx, 'finalize');
      return respondObject(deps, ctx, r, 200, obj);
    }
    case 'scale':
      return handleScale(deps, ctx, r, ns);
    case 'log': {
      const { target, pod } = await kubeletFor(deps.store, r, deps.resolve('', 'v1', 'nodes')!, ns, info.name, deps.kubeletClientCert?.());
      return proxyLog(ctx.res, target, ns, info.name, containerFor(pod, ctx.query.get('container')), ctx.query);
    }
    case 'exec':
    case 'attach':
    case 'portforward':
      // These are served on the upgrade path (server 'upgrade' event); a plain request cannot stream.
      throw badRequest('Upgrade request required');
    case 'binding': {
      const body = await decodeObject(deps, ctx, { ...r, info: { ...r.info, group: '', version: 'v1', kind: 'Binding' } });
      return createBinding(deps, ctx, r, ns, { ...body, metadata: { ...(body.metadata ?? {}), name: info.name } }, writeContext(deps, ctx));
    }
    case 'eviction': {
      const body = await decodeObject(deps, ctx, { ...r, info: { ...r.info, group: 'policy', version: 'v1', kind: 'Eviction' } });
      checkEvictionName(info.name, body);
      const opts = (body.deleteOptions ?? {}) as DeleteOptions;
      const pdbs = deps.resolve('policy', 'v1', 'poddisruptionbudgets');
      const result = await evict({ store: deps.store, cache: deps.cache, pods: r, pdbs }, ns, info.name, opts, writeContext(deps, ctx, opts.dryRun));
      return writeValue(ctx.res, result.code, result);
    }
  }
  throw pageNotFound();
}

async function createBinding(deps: HandlerDeps, ctx: RequestContext, _r: Resource, ns: string, binding: KubeObject, wctx: WriteContext): Promise<void> {
  const pods = deps.resolve('', 'v1', 'pods')!;
  const name = binding.metadata?.name ?? '';
  const target = (binding.target ?? {}) as { name?: string; kind?: string };
  if (!target.name) {
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422, message: `Binding "${name}" is invalid: target.name: Required value` });
  }
  await deps.store.update(
    pods,
    ns,
    name,
    (cur) => {
      const pod = cur!;
      const spec = (pod.spec ?? {}) as { nodeName?: string };
      if (pod.metadata?.deletionTimestamp) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, message: `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host` });
      if (spec.nodeName) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, message: `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"` });
      const ann = binding.metadata?.annotations;
      const status = (pod.status ?? {}) as { conditions?: Array<Record<string, unknown>> };
      const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
      conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: timestamp(wctx.now) });
      return {
        ...pod,
        metadata: { ...pod.metadata, ...(ann ? { annotations: { ...(pod.metadata?.annotations ?? {}), ...ann } } : {}) },
        spec: { ...spec, nodeName: target.name },
        status: { ...status, conditions },
      };
    },
    wctx,
    'binding',
  );
  writeValue(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

interface Scale {
  apiVersion?: string;
  kind?: string;
  metadata?: KubeObject['metadata'];
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

function selectorString(sel: unknown): string {
  if (!sel || typeof sel !== 'object') return '';
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
  if (!('matchLabels' in s) && !('matchExpressions' in s)) {
    return Object.entries(sel as Record<string, string>).sort().map(([k, v]) => `${k}=${v}`).join(',');
  }
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.sort().join(',');
}

function toScale(obj: KubeObject): Scale {
  const m = obj.metadata ?? {};
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: unknown };
  const status = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name!, namespace: m.namespace!, uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: m.creationTimestamp! },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector) },
  };
}

async function handleScale(deps: HandlerDeps, ctx: RequestContext, r: Resource, ns: string): Promise<void> {
  const { info } = ctx;
  // The subresource's kind is autoscaling/v1 Scale: bodies decode as one, and answers are
  // negotiated as one (`kubectl get --subresource=scale` asks for its Table).
  const scaleResource: Resource = { ...r, info: { ...r.info, group: 'autoscaling', version: 'v1', kind: 'Scale' } };
  if (info.verb === 'get') return respondObject(deps, ctx, scaleResource, 200, toScale(await deps.store.get(r, ns, info.name)) as KubeObject);
  const wctx = writeContext(deps, ctx);
  let compute: (cur: Scale) => Scale;
  if (info.verb === 'update') {
    const body = (await decodeObject(deps, ctx, scaleResource)) as Scale;
    compute = () => body;
  } else {
    const ct = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!PATCH_TYPES.slice(0, 3).includes(ct)) throw unsupportedMediaType(PATCH_TYPES.slice(0, 3));
    const patch = decodeBody(await readBody(ctx.req), 'application/json', false).value;
    compute = (cur) =>
      (ct === 'application/json-patch+json'
        ? applyJSONPatch(cur as KubeObject, patch)
        : ct === 'application/merge-patch+json'
          ? applyMergePatch(cur as KubeObject, patch)
          : applyStrategicMergePatch({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, cur as KubeObject, patch)) as Scale;
  }
  const { obj } = await deps.store.update(
    r,
    ns,
    info.name,
    (cur) => {
      const scale = compute(toScale(cur!));
      const rv = scale.metadata?.resourceVersion;
      const replicas = scale.spec?.replicas;
      if (typeof replicas !== 'number' || replicas < 0) {
        throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422, message: `Scale.autoscaling "${info.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0` });
      }
      return { ...cur!, metadata: { ...cur!.metadata, resourceVersion: rv ?? cur!.metadata!.resourceVersion! }, spec: { ...((cur!.spec as object) ?? {}), replicas } };
    },
    wctx,
    '',
  );
  respondObject(deps, ctx, scaleResource, 200, toScale(obj) as KubeObject);
}
