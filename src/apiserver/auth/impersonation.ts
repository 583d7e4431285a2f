/**
 * Impersonation as upstream's WithImpersonation filter: `Impersonate-User`, `-Group`, `-Uid`
 * and `-Extra-<key>` headers make the request act as another identity, provided the caller is
 * authorized for the `impersonate` verb on each requested users/serviceaccounts, groups, uids
 * and userextras/<key>. The impersonated user gets system:authenticated (and, for a service
 * account, its service-account groups) as upstream adds them.
 */
import type { IncomingMessage } from 'node:http';
import { badRequest } from '../../api/errors.js';
import type { UserInfo } from '../pipeline.js';
import { ANONYMOUS_USER, GROUP_AUTHENTICATED, GROUP_UNAUTHENTICATED } from './authn.js';
import { forbiddenError } from './authz.js';
import type { AttributesAuthorizer } from './rbac/authorizer.js';
import { SERVICE_ACCOUNT_PREFIX, type Attributes } from './rbac/rules.js';

const headerValues = (req: IncomingMessage, name: string): string[] => {
  const out: string[] = [];
  const raw = req.headersDistinct[name.toLowerCase()] ?? [];
  for (const v of raw) out.push(v);
  return out;
};

interface Request {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace?: string;
  name: string;
  apiVersion?: string;
  fieldPath?: string;
}

/** goString renders requests as Go's %v of []v1.ObjectReference, for upstream's bad-request text. */
function goString(reqs: readonly Request[]): string {
  return `[${reqs.map((r) => `{${[r.kind, r.namespace ?? '', r.name, '', r.apiVersion ?? '', '', r.fieldPath ?? ''].join(' ')}}`).join(' ')}]`;
}

/** impersonationRequests lists what the headers ask to act as, as upstream's buildImpersonationRequests. */
function impersonationRequests(req: IncomingMessage): Request[] {
  const out: Request[] = [];
  const username = headerValues(req, 'impersonate-user')[0] ?? '';
  if (username) {
    const parts = username.startsWith(SERVICE_ACCOUNT_PREFIX) ? username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':') : [];
    if (parts.length === 2 && parts[0] && parts[1]) out.push({ kind: 'ServiceAccount', namespace: parts[0], name: parts[1] });
    else out.push({ kind: 'User', name: username });
  }
  const groups = headerValues(req, 'impersonate-group');
  for (const g of groups) out.push({ kind: 'Group', name: g });
  let hasExtra = false;
  for (const [k, vs] of Object.entries(req.headersDistinct)) {
    if (!k.startsWith('impersonate-extra-') || !vs) continue;
    hasExtra = true;
    let key = k.slice('impersonate-extra-'.length).toLowerCase();
    try {
      key = decodeURIComponent(key);
    } catch {
      // Malformed escapes are kept as sent, as upstream records them.
    }
    for (const v of vs) out.push({ kind: 'UserExtra', apiVersion: 'authentication.k8s.io/v1', name: v, fieldPath: key });
  }
  const uid = headerValues(req, 'impersonate-uid')[0] ?? '';
  if (uid) out.push({ kind: 'UID', name: uid, apiVersion: 'authentication.k8s.io/v1' });
  if ((groups.length || hasExtra || uid) && !username) throw badRequest(`requested ${goString(out)} without impersonating a user`);
  return out;
}

/**
 * hasImpersonationHeaders tells whether any header names `Impersonate-*`. It reads the raw
 * header list: most requests have none, and `headersDistinct` builds a fresh object of every
 * header on each access.
 */
function hasImpersonationHeaders(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const h = raw[i]!;
    if (h.length > 12 && (h.charCodeAt(0) | 0x20) === 0x69 && h.slice(0, 12).toLowerCase() === 'impersonate-') return true;
  }
  return false;
}

/** impersonate returns the user a request acts as (the authenticated user when no headers are set). */
export function impersonate(req: IncomingMessage, user: UserInfo, authorizer: AttributesAuthorizer): UserInfo {
  if (!hasImpersonationHeaders(req)) return user;
  const requests = impersonationRequests(req);
  if (!requests.length) return user;
  const groupsSpecified = headerValues(req, 'impersonate-group').length > 0;
  let username = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  let uid = '';
  for (const r of requests) {
    const attrs: Attributes = { user, verb: 'impersonate', resourceRequest: true, path: '', apiGroup: '', namespace: r.namespace ?? '', resource: '', subresource: '', name: r.name };
    switch (r.kind) {
      case 'ServiceAccount':
        attrs.resource = 'serviceaccounts';
        username = `${SERVICE_ACCOUNT_PREFIX}${r.namespace}:${r.name}`;
        if (!groupsSpecified) groups = ['system:serviceaccounts', `system:serviceaccounts:${r.namespace}`];
        break;
      case 'User':
        attrs.resource = 'users';
        username = r.name;
        break;
      case 'Group':
        attrs.resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        attrs.apiGroup = 'authentication.k8s.io';
        attrs.resource = 'userextras';
        attrs.subresource = r.fieldPath ?? '';
        (extra[r.fieldPath ?? ''] ??= []).push(r.name);
        break;
      case 'UID':
        attrs.apiGroup = 'authentication.k8s.io';
        attrs.resource = 'uids';
        uid = r.name;
        break;
    }
    const d = authorizer.authorize(attrs);
    if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
  }
  if (username !== ANONYMOUS_USER) {
    if (!groups.includes(GROUP_AUTHENTICATED) && !groups.includes(GROUP_UNAUTHENTICATED)) groups.push(GROUP_AUTHENTICATED);
  } else if (!groups.includes(GROUP_UNAUTHENTICATED)) groups.push(GROUP_UNAUTHENTICATED);
  const out: UserInfo = { username, groups };
  if (uid) out.uid = uid;
  if (Object.keys(extra).length) out.extra = extra;
  for (const h of Object.keys(req.headers)) if (h.startsWith('impersonate-')) delete req.headers[h];
  return out;
}
