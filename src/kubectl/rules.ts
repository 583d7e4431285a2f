/**
 * `kubectl auth can-i --list`: a SelfSubjectRulesReview's rules printed as kubectl prints them:
 * each rule broken down to one group/resource/name per rule, simple rules that differ only by
 * verb compacted, sorted by the rule's protobuf String(), in a tab-aligned table.
 */
import { goTabwriter } from './tabwriter.js';

/** PolicyRule as in rbac/v1 (empty lists and absent ones print the same, `[]`). */
export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** SubjectRulesReviewStatus as in authorization/v1. */
export interface RulesReviewStatus {
  resourceRules?: Array<{ verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }>;
  nonResourceRules?: Array<{ verbs?: string[]; nonResourceURLs?: string[] }>;
  incomplete?: boolean;
  evaluationError?: string;
}

const rule = (verbs: readonly string[], p: Partial<PolicyRule>): PolicyRule => ({ verbs: [...verbs], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...p });

/** breakdownRule splits a rule into one rule per group × resource × name and one per URL (rbac's BreakdownRule); verbs keep their order, as kubectl prints them. */
function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups) {
    for (const res of r.resources) {
      if (r.resourceNames.length > 0) for (const n of r.resourceNames) out.push(rule(r.verbs, { apiGroups: [g], resources: [res], resourceNames: [n] }));
      else out.push(rule(r.verbs, { apiGroups: [g], resources: [res] }));
    }
  }
  for (const u of r.nonResourceURLs) out.push(rule(r.verbs, { nonResourceURLs: [u] }));
  return out;
}

/** compactRules merges the verbs of rules naming the same single group/resource/name (rbac's CompactRules). */
function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.resourceNames.length <= 1 && r.nonResourceURLs.length === 0 && r.apiGroups.length === 1 && r.resources.length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames[0] ?? null]);
    const have = simple.get(key);
    if (have) {
      for (const v of r.verbs) if (!have.verbs.includes(v)) have.verbs.push(v);
    } else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

const goList = (xs: readonly string[]): string => `[${xs.join(' ')}]`;
const ruleString = (r: PolicyRule): string =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

/** combineResourceGroup is describe.CombineResourceGroup: `resource.group/subresource`. */
export function combineResourceGroup(resources: readonly string[], groups: readonly string[]): string {
  if (resources.length === 0) return '';
  const [res, sub] = resources[0]!.split(/\/(.*)/s, 2) as [string, string | undefined];
  let s = res;
  if (groups.length > 0 && groups[0] !== '') s += '.' + groups[0];
  if (sub !== undefined) s += '/' + sub;
  return s;
}

/** compactPolicyRules breaks rules down, compacts and sorts them as kubectl before printing them. */
export function compactPolicyRules(rules: readonly PolicyRule[]): PolicyRule[] {
  const keyed = compactRules(rules.flatMap(breakdownRule)).map((r, i) => ({ r, i, k: ruleString(r) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i));
  return keyed.map((x) => x.r);
}

/** formatRules renders the review's rules as `kubectl auth can-i --list` does. */
export function formatRules(status: RulesReviewStatus, noHeaders: boolean): string {
  const rules: PolicyRule[] = [];
  for (const r of status.resourceRules ?? []) rules.push({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [], nonResourceURLs: [] });
  for (const r of status.nonResourceRules ?? []) rules.push({ verbs: r.verbs ?? [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: r.nonResourceURLs ?? [] });
  let text = noHeaders ? '' : 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n';
  for (const r of compactPolicyRules(rules)) text += `${combineResourceGroup(r.resources, r.apiGroups)}\t${goList(r.nonResourceURLs)}\t${goList(r.resourceNames)}\t${goList(r.verbs)}\n`;
  return goTabwriter(text, 6, 3);
}
