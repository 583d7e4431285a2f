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

/** RequestURL is the part of a request's URL the handlers read. */
export interface RequestURL {
  /** pathname as WHATWG URL gives it (dot segments resolved, unsafe characters percent-encoded). */
  readonly pathname: string;
  /** search is `?` and the query, or '' when there is none (as URL's `search`). */
  readonly search: string;
  readonly searchParams: URLSearchParams;
}

/** Path characters WHATWG URL keeps as they are, with no `//` start (which it reads as a host). */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
/** Query characters WHATWG URL keeps as they are (it encodes `'` in the query of http URLs). */
const PLAIN_QUERY = /^[A-Za-z0-9\-._~!$&()*+,;=:@%/?]*$/;
/** A segment that may be a dot segment (`.`, `..`, `%2e`), which URL resolves. */
const DOT_SEGMENT = /\/(?:\.|%2e)/i;

/**
 * parseRequestURL splits a request target into path and query exactly as
 * `new URL(raw, 'http://localhost')` would, without building a URL for the common request
 * whose path and query need no normalization (every API call of a client); anything else
 * (dot segments, characters URL would encode, fragments, backslashes) goes through URL.
 */
export function parseRequestURL(raw: string): RequestURL {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = q < 0 ? '' : raw.slice(q + 1);
  if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path) && PLAIN_QUERY.test(query)) {
    return { pathname: path, search: query === '' ? '' : `?${query}`, searchParams: new URLSearchParams(query) };
  }
  const url = new URL(raw, 'http://localhost');
  return { pathname: url.pathname, search: url.search, searchParams: url.searchParams };
}
