/**
 * The OpenAPI documents kube-apiserver serves: swagger 2.0 at `/openapi/v2`, and at
 * `/openapi/v3` an index of per group-version OpenAPI 3.0 documents. Built from the resource
 * table and the generated definitions, once per resource table (documents are immutable).
 */
import type { ResourceInfo } from '../types.js';
import { definitions, refName, type Schema } from './definitions.js';
import { swaggerToProtobuf } from './protobuf.js';
import { gvPrefix, resourcePaths, type Operation, type Param, type PathItem } from './paths.js';

type JSONObject = Record<string, unknown>;

interface Built {
  v2?: { doc: JSONObject; json: string };
  v2pb?: Uint8Array;
  v3?: Map<string, { doc: JSONObject; json: string; hash: string }>;
  v3Index?: { paths: Record<string, { serverRelativeURL: string }> };
}

const cache = new WeakMap<readonly ResourceInfo[], Built>();

function built(resources: readonly ResourceInfo[]): Built {
  let b = cache.get(resources);
  if (!b) {
    b = {};
    cache.set(resources, b);
  }
  return b;
}

const INFO = { title: 'Kubernetes', version: 'v1.30.0' };
const UNAUTHORIZED = { description: 'Unauthorized' };
const STATUS_TEXT: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

function v2Param(p: Param): JSONObject {
  const out: JSONObject = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out['required'] = true;
  return out;
}

function v2Operation(o: Operation): JSONObject {
  const params: JSONObject[] = [];
  if (o.requestBody) params.push({ name: 'body', in: 'body', required: o.action !== 'delete' && o.action !== 'deletecollection', schema: { $ref: `#/definitions/${o.requestBody}` } });
  params.push(...o.params.map(v2Param));
  const responses: JSONObject = {};
  for (const [code, def] of Object.entries(o.responses)) {
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', schema: def ? { $ref: `#/definitions/${def}` } : { type: 'string' } };
  }
  responses['401'] = UNAUTHORIZED;
  const out: JSONObject = {
    description: o.description,
    consumes: o.consumes,
    produces: o.produces,
    schemes: ['https'],
    tags: [o.tag],
    operationId: o.operationId,
  };
  if (params.length) out['parameters'] = params;
  out['responses'] = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function allPaths(resources: readonly ResourceInfo[]): PathItem[] {
  const seen = new Set<string>();
  const out: PathItem[] = [];
  for (const r of resources) {
    for (const p of resourcePaths(r)) {
      if (seen.has(p.path)) continue;
      seen.add(p.path);
      out.push(p);
    }
  }
  return out;
}

/** openAPIV2Document builds (once per resource table) the swagger 2.0 document. */
export function openAPIV2Document(resources: readonly ResourceInfo[]): { doc: JSONObject; json: string } {
  const b = built(resources);
  if (!b.v2) {
    const paths: JSONObject = {};
    for (const p of allPaths(resources).sort((a, c) => (a.path < c.path ? -1 : 1))) {
      const item: JSONObject = {};
      for (const o of p.operations) item[o.method] = v2Operation(o);
      item['parameters'] = p.params.map(v2Param);
      paths[p.path] = item;
    }
    const doc: JSONObject = {
      swagger: '2.0',
      info: INFO,
      paths,
      definitions,
      securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
      security: [{ BearerToken: [] }],
    };
    b.v2 = { doc, json: JSON.stringify(doc) };
  }
  return b.v2;
}

/** openAPIV2ProtobufDocument is the swagger document in gnostic's protobuf form (built once). */
export function openAPIV2ProtobufDocument(resources: readonly ResourceInfo[]): Uint8Array {
  const b = built(resources);
  b.v2pb ??= swaggerToProtobuf(openAPIV2Document(resources).doc);
  return b.v2pb;
}

/** toV3Schema rewrites a swagger 2.0 schema for OpenAPI 3.0: component refs, allOf-wrapped refs with siblings. */
function toV3Schema(s: Schema): JSONObject {
  const out: JSONObject = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: JSONObject = {};
      for (const [pk, pv] of Object.entries(v as Record<string, Schema>)) props[pk] = toV3Schema(pv);
      out[k] = props;
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = toV3Schema(v as Schema);
    } else {
      out[k] = v;
    }
  }
  if (s.$ref) {
    const ref = `#/components/schemas/${refName(s.$ref)}`;
    // OpenAPI 3.0 ignores siblings of $ref, so upstream wraps a described ref in allOf.
    if (Object.keys(out).length === 0) return { $ref: ref };
    return { ...out, allOf: [{ $ref: ref }] };
  }
  return out;
}

/**
 * v3Component renders one definition for components.schemas. IntOrString and Quantity are
 * unions in upstream's v3 documents (kube-openapi's OpenAPIV3OneOfTypes) instead of strings,
 * which is also why `kubectl explain` shows them by name (`<IntOrString>`).
 */
function v3Component(name: string): JSONObject {
  const def = definitions[name]!;
  if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') {
    return { description: def.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
  }
  if (name === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
    return { description: def.description, oneOf: [{ type: 'string' }, { type: 'number' }] };
  }
  return toV3Schema(def);
}

/** reachable collects the definitions referenced (transitively) from the given names. */
function reachable(roots: Iterable<string>): string[] {
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) {
      for (const x of s) visit(x);
      return;
    }
    for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
      if (k === '$ref' && typeof v === 'string') stack.push(refName(v));
      else if (typeof v === 'object') visit(v);
    }
  };
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !definitions[n]) continue;
    seen.add(n);
    visit(definitions[n]);
  }
  return [...seen].sort();
}

const MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function v3Operation(o: Operation): JSONObject {
  const out: JSONObject = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.params.length) out['parameters'] = o.params.map(v3Param);
  if (o.requestBody) {
    const types = o.action === 'patch' ? o.consumes : ['*/*'];
    const content: JSONObject = {};
    for (const t of types) content[t] = { schema: { $ref: `#/components/schemas/${o.requestBody}` } };
    out['requestBody'] = { content, ...(o.action === 'delete' || o.action === 'deletecollection' ? {} : { required: true }) };
  }
  const responses: JSONObject = {};
  for (const [code, def] of Object.entries(o.responses)) {
    const content: JSONObject = {};
    const produces = o.produces.length === 1 && o.produces[0] === '*/*' ? ['*/*'] : o.produces.filter((p) => MEDIA_TYPES.includes(p) || p.includes('stream=watch') || p === 'text/plain');
    for (const t of produces) content[t] = { schema: def ? { $ref: `#/components/schemas/${def}` } : { type: 'string' } };
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', content };
  }
  responses['401'] = UNAUTHORIZED;
  out['responses'] = responses;
  out['x-kubernetes-action'] = o.action;
  out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function v3Param(p: Param): JSONObject {
  const out: JSONObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out['required'] = true;
  out['schema'] = { type: p.type, uniqueItems: true };
  return out;
}

/** hashOf is a 64-bit FNV-1a digest in hex: a content hash for the index's cache-busting URLs. */
function hashOf(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000193) >>> 0;
    h2 = (h2 + (h1 >>> 7)) >>> 0;
  }
  return (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).toUpperCase();
}

function v3Documents(resources: readonly ResourceInfo[]): Map<string, { doc: JSONObject; json: string; hash: string }> {
  const b = built(resources);
  if (b.v3) return b.v3;
  const byGV = new Map<string, PathItem[]>();
  const seen = new Set<string>();
  for (const r of resources) {
    const key = gvPrefix(r.group, r.version).slice(1);
    const list = byGV.get(key) ?? [];
    byGV.set(key, list);
    for (const p of resourcePaths(r)) {
      if (seen.has(p.path)) continue;
      seen.add(p.path);
      list.push(p);
    }
  }
  const docs = new Map<string, { doc: JSONObject; json: string; hash: string }>();
  const add = (key: string, doc: JSONObject): void => {
    const json = JSON.stringify(doc);
    docs.set(key, { doc, json, hash: hashOf(json) });
  };
  for (const [key, items] of byGV) {
    const paths: JSONObject = {};
    const roots = new Set<string>();
    for (const p of items.sort((a, c) => (a.path < c.path ? -1 : 1))) {
      const item: JSONObject = {};
      for (const o of p.operations) {
        item[o.method] = v3Operation(o);
        if (o.requestBody) roots.add(o.requestBody);
        for (const d of Object.values(o.responses)) if (d) roots.add(d);
      }
      item['parameters'] = p.params.map(v3Param);
      paths[p.path] = item;
    }
    const schemas: JSONObject = {};
    for (const n of reachable(roots)) schemas[n] = v3Component(n);
    add(key, {
      openapi: '3.0.0',
      info: INFO,
      paths,
      components: { schemas, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
      security: [{ BearerToken: [] }],
    });
  }
  // The discovery roots, as upstream lists them in the index too.
  const versionsDoc = (path: string, operationId: string, tag: string, def: string): JSONObject => ({
    openapi: '3.0.0',
    info: INFO,
    paths: {
      [path]: {
        get: {
          tags: [tag],
          description: 'get available API versions',
          operationId,
          responses: { '200': { description: 'OK', content: Object.fromEntries(MEDIA_TYPES.map((t) => [t, { schema: { $ref: `#/components/schemas/${def}` } }])) }, '401': UNAUTHORIZED },
        },
      },
    },
    components: { schemas: Object.fromEntries(reachable([def]).map((n) => [n, v3Component(n)])) },
  });
  add('api', versionsDoc('/api/', 'getCoreAPIVersions', 'core', 'io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions'));
  add('apis', versionsDoc('/apis/', 'getAPIVersions', 'apis', 'io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList'));
  b.v3 = docs;
  return docs;
}

/** openAPIV3IndexDocument returns the `/openapi/v3` index with content-hashed URLs. */
export function openAPIV3IndexDocument(resources: readonly ResourceInfo[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const b = built(resources);
  if (!b.v3Index) {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    const docs = v3Documents(resources);
    for (const key of [...docs.keys()].sort()) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${docs.get(key)!.hash}` };
    b.v3Index = { paths };
  }
  return b.v3Index;
}

/** openAPIV3Document returns one group-version document (`api/v1`, `apis/apps/v1`), or undefined. */
export function openAPIV3Document(resources: readonly ResourceInfo[], path: string): { doc: JSONObject; json: string; hash: string } | undefined {
  return v3Documents(resources).get(path.replace(/^\/+|\/+$/g, ''));
}
