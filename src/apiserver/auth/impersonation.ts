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

/** impersonate returns the user a request acts as (the authenticated user when no headers are set). */
export function impersonate(req: IncomingMessage, user: UserInfo, authorizer: AttributesAuthorizer): UserInfo {
  const username = headerValues(req, 'impersonate-user')[0];
  const groups = headerValues(req, 'impersonate-group');
  const uid = headerValues(req, 'impersonate-uid')[0];
  const extra: Record<string, string[]> = {};
  for (const [k, vs] of Object.entries(req.headersDistinct)) {
    if (!k.startsWith('impersonate-extra-') || !vs) continue;
    const key = decodeURIComponent(k.slice('impersonate-extra-'.length)).toLowerCase();
    extra[key] = [...(extra[key] ?? []), ...vs];
  }
  const hasExtra = Object.keys(extra).length > 0;
  if (username === undefined) {
    if (groups.length || uid !== undefined || hasExtra) throw badRequest('requested impersonation of groups, uid or extra without impersonating a user');
    return user;
  }
  const check = (a: Omit<Attributes, 'user' | 'verb' | 'resourceRequest' | 'path' | 'subresource'> & { subresource?: string }): void => {
    const attrs: Attributes = { user, verb: 'impersonate', resourceRequest: true, path: '', subresource: '', ...a };
    const d = authorizer.authorize(attrs);
    if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
  };
  const out: UserInfo = { username, groups: [] };
  if (username.startsWith(SERVICE_ACCOUNT_PREFIX)) {
    const [ns, name] = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':') as [string, string?];
    check({ apiGroup: '', resource: 'serviceaccounts', namespace: ns, name: name ?? '' });
    out.groups.push('system:serviceaccounts', `system:serviceaccounts:${ns}`);
  } else {
    check({ apiGroup: '', resource: 'users', namespace: '', name: username });
  }
  for (const g of groups) {
    check({ apiGroup: '', resource: 'groups', namespace: '', name: g });
    if (!out.groups.includes(g)) out.groups.push(g);
  }
  if (uid !== undefined) {
    check({ apiGroup: 'authentication.k8s.io', resource: 'uids', namespace: '', name: uid });
    out.uid = uid;
  }
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) check({ apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: k, namespace: '', name: v });
  if (hasExtra) out.extra = extra;
  if (username === ANONYMOUS_USER) {
    if (!out.groups.includes(GROUP_UNAUTHENTICATED)) out.groups.push(GROUP_UNAUTHENTICATED);
  } else if (!out.groups.includes(GROUP_AUTHENTICATED)) out.groups.push(GROUP_AUTHENTICATED);
  for (const h of Object.keys(req.headers)) if (h.startsWith('impersonate-')) delete req.headers[h];
  return out;
}
