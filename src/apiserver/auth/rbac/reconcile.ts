/**
 * Start-up policy reconciliation and ClusterRole aggregation, as kube-apiserver's
 * rbac/bootstrap-roles post-start hook and kube-controller-manager's clusterrole-aggregation
 * controller:
 * - default roles and bindings are created when missing; existing ones whose
 *   `rbac.authorization.kubernetes.io/autoupdate` annotation is not "false" get missing rules,
 *   subjects, labels and annotations added back (extra permissions are kept);
 * - every ClusterRole with an aggregationRule has its rules set to the union of the rules of the
 *   ClusterRoles its selectors match, re-evaluated whenever a ClusterRole changes.
 */
import { isStatusError, notFound } from '../../../api/errors.js';
import { selectorFromLabelSelector } from '../../../api/labels.js';
import type { KubeObject } from '../../../api/types.js';
import type { Admission, UserInfo } from '../../pipeline.js';
import type { Resource, Store, WriteContext } from '../../registry/store.js';
import type { ObjectSource } from '../objects.js';
import {
  AUTOUPDATE_ANNOTATION,
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapNamespaceRoleBindings,
  bootstrapNamespaceRoles,
  RBAC_GROUP,
  type ClusterRole,
  type ClusterRoleBinding,
  type Role,
  type RoleBinding,
} from './policy.js';
import { uncovered, type PolicyRule } from './rules.js';

export interface WriteAccess {
  store: Store;
  resolve: (g: string, v: string, r: string) => Resource | undefined;
  admission: Admission;
  /** user the writes are made as (a system:masters identity). */
  user: UserInfo;
}

const ctx = (w: WriteAccess): WriteContext => ({ dryRun: false, fieldManager: 'kube-apiserver', user: w.user, admission: w.admission, now: new Date() });

function asObject(o: ClusterRole | ClusterRoleBinding | Role | RoleBinding): KubeObject {
  return o as unknown as KubeObject;
}

type RoleLike = ClusterRole | Role;
type BindingLike = ClusterRoleBinding | RoleBinding;

const mergedMeta = <M extends { labels?: Record<string, string>; annotations?: Record<string, string> }>(have: M, want: M): M => ({
  ...have,
  labels: { ...(have.labels ?? {}), ...(want.labels ?? {}) },
  annotations: { ...(have.annotations ?? {}), ...(want.annotations ?? {}) },
});

/** reconciledRole tops an existing role up to the wanted one (missing rules, selectors, labels, annotations); undefined: leave it. */
function reconciledRole(have: RoleLike, want: RoleLike): RoleLike | undefined {
  if (have.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const next = structuredClone(have) as RoleLike;
  next.metadata = mergedMeta(have.metadata, want.metadata) as typeof next.metadata;
  const wantAgg = (want as ClusterRole).aggregationRule;
  if (wantAgg) {
    const haveAgg = (have as ClusterRole).aggregationRule;
    const sels = [...(haveAgg?.clusterRoleSelectors ?? [])];
    for (const sel of wantAgg.clusterRoleSelectors ?? []) if (!sels.some((x) => JSON.stringify(x) === JSON.stringify(sel))) sels.push(sel);
    (next as ClusterRole).aggregationRule = { clusterRoleSelectors: sels };
  } else {
    const rules = [...(have.rules ?? [])];
    for (const r of want.rules ?? []) if (uncovered(rules, [r]).length) rules.push(r);
    next.rules = rules;
  }
  return JSON.stringify(next) === JSON.stringify(have) ? undefined : next;
}

/** reconciledBinding adds missing subjects, labels and annotations; undefined: leave it. */
function reconciledBinding(have: BindingLike, want: BindingLike): BindingLike | undefined {
  if (have.metadata.annotations?.[AUTOUPDATE_ANNOTATION] === 'false') return undefined;
  const next = structuredClone(have);
  next.metadata = mergedMeta(have.metadata, want.metadata) as typeof next.metadata;
  const subjects = [...(have.subjects ?? [])];
  for (const s of want.subjects ?? []) if (!subjects.some((x) => x.kind === s.kind && x.name === s.name && (x.namespace ?? '') === (s.namespace ?? ''))) subjects.push(s);
  if (subjects.length) next.subjects = subjects;
  return JSON.stringify(next) === JSON.stringify(have) ? undefined : next;
}

/** reconcileBootstrapPolicy creates or tops up the default cluster roles, roles and their bindings. */
export async function reconcileBootstrapPolicy(w: WriteAccess): Promise<void> {
  const ensure = async <T extends RoleLike | BindingLike>(resource: string, want: T, merge: (have: T, want: T) => T | undefined): Promise<void> => {
    const ns = (want.metadata as { namespace?: string }).namespace ?? '';
    await w.store.update(
      w.resolve(RBAC_GROUP, 'v1', resource)!,
      ns,
      want.metadata.name,
      (cur) => (cur ? (asObject(merge(cur as unknown as T, want) ?? (cur as unknown as T))) : asObject(want)),
      ctx(w),
      '',
    );
  };
  // Every object is its own key, so the writes go together (storage commits them as a group).
  await Promise.all([
    ...bootstrapClusterRoles().map((want) => ensure('clusterroles', want, reconciledRole)),
    ...bootstrapClusterRoleBindings().map((want) => ensure('clusterrolebindings', want, reconciledBinding)),
    ...bootstrapNamespaceRoles().map((want) => ensure('roles', want, reconciledRole)),
    ...bootstrapNamespaceRoleBindings().map((want) => ensure('rolebindings', want, reconciledBinding)),
  ]);
}

/** aggregatedRules computes the rules an aggregated ClusterRole should hold (upstream's order: matched roles sorted by name, duplicates dropped). */
export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []).map((s) => selectorFromLabelSelector(s));
  const sorted = [...all].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
  for (const sel of selectors) {
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !sel.matches(other.metadata.labels ?? {})) continue;
      for (const r of other.rules ?? []) {
        const k = JSON.stringify(r);
        if (seen.has(k)) continue;
        seen.add(k);
        rules.push(r);
      }
    }
  }
  return rules;
}

/**
 * aggregateClusterRoles brings every aggregated ClusterRole's rules up to date (to a fixpoint,
 * so admin picks up what edit aggregates from view in the same pass); returns how many it
 * rewrote. A role changed concurrently is left for the next pass.
 */
export async function aggregateClusterRoles(w: WriteAccess, objects: ObjectSource): Promise<number> {
  const all = objects.list<ClusterRole>(RBAC_GROUP, 'clusterroles', '').map((r) => ({ ...r }));
  const original = new Map(all.map((r) => [r.metadata.name, JSON.stringify(r.rules ?? [])]));
  for (let pass = 0; pass < 10; pass++) {
    let moved = false;
    for (const role of all) {
      if (!role.aggregationRule) continue;
      const want = aggregatedRules(role, all);
      if (JSON.stringify(want) !== JSON.stringify(role.rules ?? [])) {
        role.rules = want;
        moved = true;
      }
    }
    if (!moved) break;
  }
  const roles = w.resolve(RBAC_GROUP, 'v1', 'clusterroles')!;
  let changed = 0;
  for (const role of all) {
    if (!role.aggregationRule || original.get(role.metadata.name) === JSON.stringify(role.rules ?? [])) continue;
    try {
      await w.store.update(
        roles,
        '',
        role.metadata.name,
        (cur) => {
          if (!cur) throw notFound({ group: RBAC_GROUP, resource: 'clusterroles' }, role.metadata.name);
          return { ...cur, rules: role.rules } as KubeObject;
        },
        { ...ctx(w), fieldManager: 'clusterrole-aggregation-controller' },
        '',
      );
      changed++;
    } catch (err) {
      if (!isStatusError(err)) throw err;
    }
  }
  return changed;
}
