/**
 * RequestInfo as upstream's k8s.io/apiserver/pkg/endpoints/request: what a request asks for
 * (verb, group, version, namespace, resource, subresource, name), derived from method and path
 * alone so authorization and admission can use it before any handler runs.
 */

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** verb is the Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) or the lowercased HTTP method for non-resource requests. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

function isWatchParam(v: string | null): boolean {
  return v === '1' || v === 'true';
}

/** requestInfo parses a request as upstream's RequestInfoFactory.NewRequestInfo. */
export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix: '',
    apiGroup: '',
    apiVersion: '',
    namespace: '',
    resource: '',
    subresource: '',
    name: '',
    parts: [],
  };
  const segs: string[] = [];
  // Most segments have no escapes: decodeURIComponent only where there is one to decode.
  for (const s of path.split('/')) if (s !== '') segs.push(s.includes('%') ? decodeURIComponent(s) : s);
  if (segs.length === 0 || (segs[0] !== 'api' && segs[0] !== 'apis')) return info;
  info.apiPrefix = segs[0]!;
  let rest = segs.slice(1);
  if (info.apiPrefix === 'apis') {
    if (rest.length < 2) return info; // /apis or /apis/<group> are discovery
    info.apiGroup = rest[0]!;
    rest = rest.slice(1);
  } else if (rest.length < 1) return info;
  info.apiVersion = rest[0]!;
  rest = rest.slice(1);
  if (rest.length === 0) return info; // /api/v1 discovery

  info.isResourceRequest = true;
  switch (method) {
    case 'POST':
      info.verb = 'create';
      break;
    case 'GET':
    case 'HEAD':
      info.verb = 'get';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = 'delete';
      break;
    default:
      info.verb = '';
  }
  if (rest[0] === 'watch') {
    info.verb = 'watch';
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1]!;
      // /namespaces/<ns> and /namespaces/<ns>/status|finalize address the namespace itself.
      if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
    }
  }
  info.parts = rest;
  if (rest.length >= 3) info.subresource = rest[2]!;
  if (rest.length >= 2) info.name = rest[1]!;
  info.resource = rest[0]!;
  if (info.resource === 'namespaces' && info.name === '' && info.namespace) info.name = info.namespace;
  if (info.resource === 'namespaces') info.namespace = '';

  if (!info.name && info.verb === 'get') info.verb = isWatchParam(query.get('watch')) ? 'watch' : 'list';
  else if (info.verb === 'get' && isWatchParam(query.get('watch'))) info.verb = 'watch';
  if (!info.name && info.verb === 'delete') info.verb = 'deletecollection';
  return info;
}
