/**
 * FlowSchema rule matching, as upstream's flowcontrol matchesPolicyRule: subjects (user, group,
 * service account, `*`), resource rules (verbs, API groups, resources with their subresource,
 * namespaces or clusterScope) and non-resource rules (exact paths, `*`, or prefixes ending `/*`).
 */
import type { PolicyRulesWithSubjects, ResourcePolicyRule, Subject } from 'kubernetes-types/flowcontrol/v1.js';
import { SERVICE_ACCOUNT_PREFIX } from '../auth/rbac/rules.js';
import type { RequestDigest } from './dispatcher.js';

/** matchesRule reports whether one of a FlowSchema's rules matches the request: a subject matches the user, and a resource or non-resource rule the request. */
export function matchesRule(rule: PolicyRulesWithSubjects, req: RequestDigest): boolean {
  if (!rule.subjects.some((s) => matchesSubject(s, req.user))) return false;
  const info = req.info;
  if (info.isResourceRequest) return (rule.resourceRules ?? []).some((r) => matchesResourceRule(r, info));
  return (rule.nonResourceRules ?? []).some(
    (r) => matchesName(info.verb, r.verbs) && r.nonResourceURLs.some((u) => u === '*' || u === info.path || (u.endsWith('/*') && info.path.startsWith(u.slice(0, -1)))),
  );
}

function matchesSubject(s: Subject, user: RequestDigest['user']): boolean {
  switch (s.kind) {
    case 'User':
      return s.user !== undefined && (s.user.name === '*' || s.user.name === user.username);
    case 'Group':
      return s.group !== undefined && (s.group.name === '*' || user.groups.includes(s.group.name));
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa || !user.username.startsWith(SERVICE_ACCOUNT_PREFIX)) return false;
      const rest = user.username.slice(SERVICE_ACCOUNT_PREFIX.length);
      const colon = rest.indexOf(':');
      if (colon < 0 || rest.slice(0, colon) !== sa.namespace) return false;
      return sa.name === '*' || rest.slice(colon + 1) === sa.name;
    }
  }
  return false;
}

function matchesResourceRule(r: ResourcePolicyRule, info: RequestDigest['info']): boolean {
  if (!matchesName(info.verb, r.verbs) || !matchesName(info.apiGroup, r.apiGroups)) return false;
  if (!matchesName(info.subresource ? `${info.resource}/${info.subresource}` : info.resource, r.resources)) return false;
  if (info.namespace === '') return r.clusterScope === true;
  return matchesName(info.namespace, r.namespaces ?? []);
}

function matchesName(name: string, list: readonly string[]): boolean {
  return list.includes(name) || list.includes('*');
}
