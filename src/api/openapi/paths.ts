/**
 * The REST operations of each resource, described once (version-neutral) and rendered into
 * swagger 2.0 and OpenAPI 3.0 by documents.ts. Operation ids, actions, parameters and paths
 * follow upstream's generated specs (`readCoreV1NamespacedPod`, `x-kubernetes-action: get`).
 */
import type { GroupVersionKind, ResourceInfo } from '../types.js';
import { definitionNameForKind } from './definitions.js';

export type Action = 'get' | 'list' | 'watch' | 'watchlist' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'connect';
export type Method = 'get' | 'put' | 'post' | 'delete' | 'patch';

export interface Param {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
  uniqueItems?: boolean;
}

export interface Operation {
  method: Method;
  operationId: string;
  description: string;
  action: Action;
  gvk: GroupVersionKind;
  /** requestBody is a definition name, or undefined when the operation takes none. */
  requestBody?: string;
  /** responses maps a status code to a definition name ('' for a plain string body). */
  responses: Record<string, string>;
  params: Param[];
  consumes: string[];
  produces: string[];
  tag: string;
}

export interface PathItem {
  path: string;
  params: Param[];
  operations: Operation[];
}

const q = (name: string, type: Param['type'], description: string): Param => ({ name, in: 'query', description, type, uniqueItems: true });

export const PARAM = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.'),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the "orphan" finalizer will be added to/removed from the object\'s finalizers list. Either this field or PropagationPolicy may be set, but not both.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server\'s discretion. Clients should not assume bookmarks are returned at any specific interval, nor may they assume the server will send any BOOKMARK event during a session. If this is not a watch, this field is ignored.'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', '`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection. Once all such events have been sent, a synthetic "Bookmark" event  will be sent.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion.'),
} satisfies Record<string, Param>;

const LIST_PARAMS = [
  PARAM.allowWatchBookmarks,
  PARAM.continue,
  PARAM.fieldSelector,
  PARAM.labelSelector,
  PARAM.limit,
  PARAM.resourceVersion,
  PARAM.resourceVersionMatch,
  PARAM.sendInitialEvents,
  PARAM.timeoutSeconds,
  PARAM.watch,
];
const WRITE_PARAMS = [PARAM.dryRun, PARAM.fieldManager, PARAM.fieldValidation];
const DELETE_PARAMS = [PARAM.dryRun, PARAM.gracePeriodSeconds, PARAM.orphanDependents, PARAM.propagationPolicy];

const nameParam = (kind: string): Param => ({ name: 'name', in: 'path', description: `name of the ${kind}`, type: 'string', required: true, uniqueItems: true });
const namespaceParam: Param = { name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', type: 'string', required: true, uniqueItems: true };

const JSON_YAML_PB = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const WATCH_PRODUCES = [...JSON_YAML_PB, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_CONSUMES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/** groupCamel renders a group-version as upstream's operation ids do: `apps/v1` → `AppsV1`. */
export function groupVersionCamel(group: string, version: string): string {
  const parts = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split(/[.-]/);
  const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
  return parts.map(cap).join('') + cap(version);
}

/** tagOf is the swagger tag upstream files operations under: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
function tagOf(group: string, version: string): string {
  const parts = group === '' ? ['core'] : group.replace(/\.k8s\.io$/, '').split('.');
  return parts.map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1))).join('') + '_' + version;
}

/** gvPrefix is the URL prefix of a group-version: `/api/v1`, `/apis/apps/v1`. */
export function gvPrefix(group: string, version: string): string {
  return group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
}

/**
 * resourcePaths lists the path items of one resource (collection, item, watch and subresource
 * paths), with only the operations its verbs allow. Kinds without a built-in schema are skipped.
 */
export function resourcePaths(r: ResourceInfo): PathItem[] {
  const kindDef = definitionNameForKind({ group: r.group, version: r.version, kind: r.kind });
  if (!kindDef) return [];
  const listDef = definitionNameForKind({ group: r.group, version: r.version, kind: r.listKind });
  const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
  const gv = groupVersionCamel(r.group, r.version);
  const tag = tagOf(r.group, r.version);
  const scope = r.namespaced ? 'Namespaced' : '';
  const prefix = gvPrefix(r.group, r.version);
  const nsPath = r.namespaced ? '/namespaces/{namespace}' : '';
  const base = `${prefix}${nsPath}/${r.resource}`;
  const scopeParams = r.namespaced ? [namespaceParam] : [];
  const can = (v: string): boolean => r.verbs.includes(v);
  const op = (o: Omit<Operation, 'gvk' | 'tag' | 'consumes' | 'produces'> & Partial<Operation>): Operation => ({
    gvk,
    tag,
    consumes: ['*/*'],
    produces: JSON_YAML_PB,
    ...o,
  });
  const items: PathItem[] = [];
  const kindWord = r.kind;

  const collection: Operation[] = [];
  if (can('list') && listDef) {
    collection.push(
      op({ method: 'get', operationId: `list${gv}${scope}${kindWord}`, description: `list or watch objects of kind ${kindWord}`, action: 'list', responses: { '200': listDef }, params: LIST_PARAMS, produces: WATCH_PRODUCES }),
    );
  }
  if (can('create')) {
    collection.push(
      op({ method: 'post', operationId: `create${gv}${scope}${kindWord}`, description: `create ${article(kindWord)} ${kindWord}`, action: 'post', requestBody: kindDef, responses: { '200': kindDef, '201': kindDef, '202': kindDef }, params: WRITE_PARAMS }),
    );
  }
  if (can('deletecollection')) {
    collection.push(
      op({
        method: 'delete',
        operationId: `deletecollection${gv}${scope}${kindWord}`,
        description: `delete collection of ${kindWord}`,
        action: 'deletecollection',
        requestBody: META + 'DeleteOptions',
        responses: { '200': META + 'Status' },
        params: [PARAM.continue, ...DELETE_PARAMS, PARAM.fieldSelector, PARAM.labelSelector, PARAM.limit, PARAM.resourceVersion, PARAM.resourceVersionMatch, PARAM.sendInitialEvents, PARAM.timeoutSeconds],
      }),
    );
  }
  if (collection.length) items.push({ path: base, params: [...scopeParams, PARAM.pretty], operations: collection });

  const item: Operation[] = [];
  if (can('get')) item.push(op({ method: 'get', operationId: `read${gv}${scope}${kindWord}`, description: `read the specified ${kindWord}`, action: 'get', responses: { '200': kindDef }, params: [] }));
  if (can('update')) {
    item.push(op({ method: 'put', operationId: `replace${gv}${scope}${kindWord}`, description: `replace the specified ${kindWord}`, action: 'put', requestBody: kindDef, responses: { '200': kindDef, '201': kindDef }, params: WRITE_PARAMS }));
  }
  if (can('delete')) {
    item.push(
      op({ method: 'delete', operationId: `delete${gv}${scope}${kindWord}`, description: `delete ${article(kindWord)} ${kindWord}`, action: 'delete', requestBody: META + 'DeleteOptions', responses: { '200': META + 'Status', '202': META + 'Status' }, params: DELETE_PARAMS }),
    );
  }
  if (can('patch')) {
    item.push(
      op({ method: 'patch', operationId: `patch${gv}${scope}${kindWord}`, description: `partially update the specified ${kindWord}`, action: 'patch', requestBody: META + 'Patch', responses: { '200': kindDef, '201': kindDef }, params: [...WRITE_PARAMS, PARAM.force], consumes: PATCH_CONSUMES }),
    );
  }
  if (item.length) items.push({ path: `${base}/{name}`, params: [nameParam(kindWord), ...scopeParams, PARAM.pretty], operations: item });

  if (can('watch')) {
    const watchEvent = META + 'WatchEvent';
    const watchBase = `${prefix}/watch${nsPath}/${r.resource}`;
    const watchOp = (operationId: string, action: Action, description: string): Operation =>
      op({ method: 'get', operationId, description, action, responses: { '200': watchEvent }, params: [], produces: WATCH_PRODUCES });
    items.push({ path: watchBase, params: [...LIST_PARAMS.slice(0, 4), LIST_PARAMS[4]!, ...scopeParams, PARAM.pretty, ...LIST_PARAMS.slice(5)], operations: [watchOp(`watch${gv}${scope}${kindWord}List`, 'watchlist', `watch individual changes to a list of ${kindWord}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
    items.push({ path: `${watchBase}/{name}`, params: [...LIST_PARAMS.slice(0, 5), nameParam(kindWord), ...scopeParams, PARAM.pretty, ...LIST_PARAMS.slice(5)], operations: [watchOp(`watch${gv}${scope}${kindWord}`, 'watch', `watch changes to an object of kind ${kindWord}. deprecated: use the 'watch' parameter with a list operation, filtered to a single item with the 'fieldSelector' parameter.`)] });
    if (r.namespaced) {
      items.push({ path: `${prefix}/watch/${r.resource}`, params: [...LIST_PARAMS.slice(0, 5), PARAM.pretty, ...LIST_PARAMS.slice(5)], operations: [watchOp(`watch${gv}${kindWord}ListForAllNamespaces`, 'watchlist', `watch individual changes to a list of ${kindWord}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
    }
  }
  if (r.namespaced && can('list') && listDef) {
    items.push({
      path: `${prefix}/${r.resource}`,
      params: [...LIST_PARAMS.slice(0, 5), PARAM.pretty, ...LIST_PARAMS.slice(5)],
      operations: [op({ method: 'get', operationId: `list${gv}${kindWord}ForAllNamespaces`, description: `list or watch objects of kind ${kindWord}`, action: 'list', responses: { '200': listDef }, params: [], produces: WATCH_PRODUCES })],
    });
  }

  for (const sub of r.subresources ?? []) {
    const subGVK: GroupVersionKind = { group: sub.group ?? r.group, version: sub.version ?? r.version, kind: sub.kind };
    const subDef = definitionNameForKind(subGVK);
    const suffix = sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
    const path = `${base}/{name}/${sub.name}`;
    const ops: Operation[] = [];
    const sop = (o: Omit<Operation, 'gvk' | 'tag' | 'consumes' | 'produces'> & Partial<Operation>): Operation => op({ gvk: subGVK, ...o });
    if (CONNECT_SUBRESOURCES.has(sub.name)) {
      for (const [verb, method] of [
        ['get', 'get'],
        ['create', 'post'],
      ] as const) {
        if (!sub.verbs.includes(verb)) continue;
        const m = method.charAt(0).toUpperCase() + method.slice(1);
        ops.push(sop({ method, operationId: `connect${gv}${m}${scope}${kindWord}${suffix}`, description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${kindWord}`, action: 'connect', gvk: { group: r.group, version: r.version, kind: `${kindWord}${suffix}Options` }, responses: { '200': '' }, params: [], produces: ['*/*'] }));
      }
    } else if (sub.name === 'log') {
      ops.push(sop({ method: 'get', operationId: `read${gv}${scope}${kindWord}Log`, description: `read log of the specified ${kindWord}`, action: 'get', gvk, responses: { '200': '' }, params: [], produces: ['text/plain', 'application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'] }));
    } else if (subDef) {
      if (sub.verbs.includes('get')) ops.push(sop({ method: 'get', operationId: `read${gv}${scope}${kindWord}${suffix}`, description: `read ${sub.name} of the specified ${kindWord}`, action: 'get', responses: { '200': subDef }, params: [] }));
      if (sub.verbs.includes('update')) ops.push(sop({ method: 'put', operationId: `replace${gv}${scope}${kindWord}${suffix}`, description: `replace ${sub.name} of the specified ${kindWord}`, action: 'put', requestBody: subDef, responses: { '200': subDef, '201': subDef }, params: WRITE_PARAMS }));
      if (sub.verbs.includes('patch')) {
        ops.push(sop({ method: 'patch', operationId: `patch${gv}${scope}${kindWord}${suffix}`, description: `partially update ${sub.name} of the specified ${kindWord}`, action: 'patch', requestBody: META + 'Patch', responses: { '200': subDef, '201': subDef }, params: [...WRITE_PARAMS, PARAM.force], consumes: PATCH_CONSUMES }));
      }
      if (sub.verbs.includes('create')) ops.push(sop({ method: 'post', operationId: `create${gv}${scope}${kindWord}${suffix}`, description: `create ${sub.name} of ${article(kindWord)} ${kindWord}`, action: 'post', requestBody: subDef, responses: { '200': subDef, '201': subDef, '202': subDef }, params: WRITE_PARAMS }));
    }
    if (ops.length) items.push({ path, params: [{ ...nameParam(sub.kind), description: `name of the ${sub.kind}` }, ...scopeParams, PARAM.pretty], operations: ops });
  }
  return items;
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}
