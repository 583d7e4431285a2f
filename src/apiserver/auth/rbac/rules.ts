/**
 * RBAC's rule algebra as upstream's k8s.io/component-helpers/auth/rbac/validation and
 * pkg/apis/rbac/v1 helpers: does a PolicyRule allow a request, which subjects a binding names,
 * does one rule set cover another (escalation prevention), and the compact rule rendering used
 * in upstream's "attempting to grant RBAC permissions not currently held" message.
 */
import type { UserInfo } from '../../pipeline.js';

/** PolicyRule as rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Subject as rbac.authorization.k8s.io/v1 Subject. */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: string;
  name: string;
}

/**
 * Attributes are what authorization decides on, as upstream's authorizer.Attributes: a resource
 * request (resource set) or a non-resource request (path set).
 */
export interface Attributes {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  apiGroup: string;
  apiVersion?: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  path: string;
}

export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === '*' || r === combined) return true;
    // "*/scale" matches the scale subresource of every resource.
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === '*' || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** ruleAllows reports whether one rule allows the request, as upstream's RuleAllows. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, combined, a.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** appliesTo reports whether a binding subject names the user (namespace: the binding's, for ServiceAccounts without one). */
export function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === `${SERVICE_ACCOUNT_PREFIX}${ns}:${s.name}`;
    }
  }
  return false;
}

/** breakdown splits a resource rule into one rule per group/resource/verb(/name), as upstream's BreakdownRule. */
export function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of rule.apiGroups ?? []) {
    for (const r of rule.resources ?? []) {
      for (const v of rule.verbs) {
        if (rule.resourceNames?.length) for (const n of rule.resourceNames) out.push({ apiGroups: [g], resources: [r], resourceNames: [n], verbs: [v] });
        else out.push({ apiGroups: [g], resources: [r], verbs: [v] });
      }
    }
  }
  for (const u of rule.nonResourceURLs ?? []) for (const v of rule.verbs) out.push({ nonResourceURLs: [u], verbs: [v] });
  return out;
}

const hasAll = (list: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean => {
  if (!wanted?.length) return true;
  if (list?.includes('*')) return true;
  return wanted.every((w) => list?.includes(w));
};

function nonResourceCovers(owner: readonly string[], wanted: string): boolean {
  for (const u of owner) {
    if (u === wanted || u === '*') return true;
    if (u.endsWith('*') && wanted.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** ruleCovers reports whether one rule holds every permission of another, as upstream's ruleCovers. */
export function ruleCovers(owner: PolicyRule, servant: PolicyRule): boolean {
  if (!hasAll(owner.verbs, servant.verbs)) return false;
  if (!hasAll(owner.apiGroups, servant.apiGroups)) return false;
  // Resources: '*' covers all, 'x/*' covers subresources of x, '*/s' covers s of everything.
  for (const r of servant.resources ?? []) {
    const ok = (owner.resources ?? []).some((o) => {
      if (o === '*' || o === r) return true;
      if (o.endsWith('/*') && r.startsWith(o.slice(0, -1))) return true;
      if (o.startsWith('*/') && r.includes('/') && r.slice(r.indexOf('/')) === o.slice(1)) return true;
      return false;
    });
    if (!ok) return false;
  }
  for (const u of servant.nonResourceURLs ?? []) if (!nonResourceCovers(owner.nonResourceURLs ?? [], u)) return false;
  // An owner limited to names covers only a servant limited to a subset of them.
  if (owner.resourceNames?.length) {
    if (!servant.resourceNames?.length) return false;
    if (!servant.resourceNames.every((n) => owner.resourceNames!.includes(n))) return false;
  }
  return true;
}

/** uncovered returns the broken-down servant rules no owner rule covers (empty: covered), as upstream's Covers. */
export function uncovered(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const s of servant) for (const piece of breakdown(s)) if (!owner.some((o) => ruleCovers(o, piece))) missing.push(piece);
  return missing;
}

const goQuote = (xs: readonly string[]): string => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

/** compactString renders a rule as upstream's PolicyRule.CompactString: `{APIGroups:[""], Resources:["pods"], Verbs:["get"]}`. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if (r.apiGroups?.length) parts.push(`APIGroups:${goQuote(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${goQuote(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${goQuote(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${goQuote(r.resourceNames)}`);
  if (r.verbs.length) parts.push(`Verbs:${goQuote(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * compact merges broken-down simple rules that differ only in verbs (one group, one resource,
 * at most one name), as upstream's CompactRules; other rules pass through unchanged.
 */
export function compact(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = !r.nonResourceURLs?.length && r.apiGroups?.length === 1 && r.resources?.length === 1 && (r.resourceNames?.length ?? 0) <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const prev = simple.get(key);
    if (prev) {
      for (const v of r.verbs) if (!prev.verbs.includes(v)) prev.verbs.push(v);
    } else {
      const copy: PolicyRule = { ...r, verbs: [...r.verbs] };
      simple.set(key, copy);
      out.push(copy);
    }
  }
  return out;
}

/** escalationMessage is upstream's ConfirmNoEscalation text for the rules the user lacks. */
export function escalationMessage(user: UserInfo, missing: readonly PolicyRule[]): string {
  const lines = compact(missing)
    .map((r) => compactString(r))
    .sort();
  return `user ${JSON.stringify(user.username)} (groups=${goQuote(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}
