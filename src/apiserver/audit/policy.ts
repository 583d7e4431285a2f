/**
 * Audit policy (audit.k8s.io/v1 Policy, upstream's --audit-policy-file): the first rule that
 * matches a request decides its level (None, Metadata, Request, RequestResponse) and the stages
 * it omits; a request no rule matches is not audited.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { UserInfo } from '../pipeline.js';
import type { RequestInfo } from '../requestinfo.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';
const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: Array<{ group?: string; resources?: string[]; resourceNames?: string[] }>;
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
}

export interface Policy {
  apiVersion?: string;
  kind?: string;
  rules?: PolicyRule[];
  omitStages?: Stage[];
}

/** levelAtLeast compares levels in their order None < Metadata < Request < RequestResponse. */
export function levelAtLeast(l: Level, min: Level): boolean {
  return LEVELS.indexOf(l) >= LEVELS.indexOf(min);
}

/** parsePolicy validates a policy (YAML or JSON text). */
export function parsePolicy(text: string): Policy {
  const doc = parseAllDocuments(text);
  const first = Array.isArray(doc) ? doc[0] : doc;
  const p = (first?.toJS() ?? {}) as Policy;
  if (p.kind !== 'Policy' || (p.apiVersion !== 'audit.k8s.io/v1' && p.apiVersion !== 'audit.k8s.io/v1beta1')) throw new Error(`audit policy: expected kind Policy of audit.k8s.io/v1, got ${p.kind ?? '<none>'} of ${p.apiVersion ?? '<none>'}`);
  for (const [i, r] of (p.rules ?? []).entries()) {
    if (!LEVELS.includes(r.level)) throw new Error(`audit policy: rules[${i}].level: Unsupported value: ${JSON.stringify(r.level)}`);
    if ((r.nonResourceURLs?.length ?? 0) > 0 && ((r.resources?.length ?? 0) > 0 || (r.namespaces?.length ?? 0) > 0)) throw new Error(`audit policy: rules[${i}]: rules cannot apply to both regular resources and non-resource URLs`);
    for (const s of r.omitStages ?? []) if (!STAGES.includes(s)) throw new Error(`audit policy: rules[${i}].omitStages: Unsupported value: ${JSON.stringify(s)}`);
  }
  return p;
}

export function loadPolicy(path: string): Policy {
  return parsePolicy(readFileSync(path, 'utf8'));
}

const matchesAny = (list: string[] | undefined, v: string): boolean => !list?.length || list.includes(v);

function resourceMatches(rule: PolicyRule, info: RequestInfo): boolean {
  if (!rule.resources?.length) return true;
  const full = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  return rule.resources.some((g) => {
    if ((g.group ?? '') !== info.apiGroup && g.group !== '*') return false;
    const resOK =
      !g.resources?.length ||
      g.resources.some((r) => r === '*' || r === full || (r === `${info.resource}/*` && !!info.subresource) || (r.startsWith('*/') && r.slice(2) === info.subresource));
    if (!resOK) return false;
    return !g.resourceNames?.length || g.resourceNames.includes(info.name);
  });
}

function urlMatches(patterns: string[], path: string): boolean {
  return patterns.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));
}

/** ruleFor returns the first rule matching a request, or undefined. */
export function ruleFor(policy: Policy, user: UserInfo, info: RequestInfo): PolicyRule | undefined {
  return (policy.rules ?? []).find((r) => {
    if (!matchesAny(r.users, user.username)) return false;
    if (r.userGroups?.length && !user.groups.some((g) => r.userGroups!.includes(g))) return false;
    if (!matchesAny(r.verbs, info.verb)) return false;
    if (info.isResourceRequest) {
      if (r.nonResourceURLs?.length) return false;
      if (r.namespaces?.length && !r.namespaces.includes(info.namespace)) return false;
      return resourceMatches(r, info);
    }
    if ((r.resources?.length ?? 0) > 0 || (r.namespaces?.length ?? 0) > 0) return false;
    return !r.nonResourceURLs?.length || urlMatches(r.nonResourceURLs, info.path);
  });
}
