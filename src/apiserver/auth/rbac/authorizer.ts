/**
 * The RBAC authorizer as upstream's plugin/pkg/auth/authorizer/rbac: a request is allowed when
 * a rule of a role bound to the user allows it: ClusterRoleBindings everywhere, RoleBindings
 * (to a Role or a ClusterRole) in their namespace. Denial is "no opinion" with an empty reason,
 * so the next authorizer in the chain may still allow.
 */
import type { UserInfo } from '../../pipeline.js';
import type { ObjectSource } from '../objects.js';
import { RBAC_GROUP } from './policy.js';
import { appliesTo, ruleAllows, type Attributes, type PolicyRule, type RoleRef, type Subject } from './rules.js';

/** RULE_CACHE_MAX bounds the applicable-rules cache (identities × namespaces); past it, it starts over. */
const RULE_CACHE_MAX = 4096;

export interface Decision {
  decision: 'allow' | 'deny' | 'noOpinion';
  reason: string;
}

/** AttributesAuthorizer is one link of the authorization chain. */
export interface AttributesAuthorizer {
  authorize(a: Attributes): Decision;
}

interface Binding {
  metadata: { name: string; namespace?: string };
  roleRef: RoleRef;
  subjects?: Subject[];
}

interface Role {
  rules?: PolicyRule[] | null;
}

/** RBACAuthorizer evaluates bindings and roles read from the cluster. */
export class RBACAuthorizer implements AttributesAuthorizer {
  constructor(private readonly objects: ObjectSource) {}

  authorize(a: Attributes): Decision {
    for (const rule of this.applicableRules(a.user, a.namespace)) if (ruleAllows(a, rule)) return { decision: 'allow', reason: '' };
    return { decision: 'noOpinion', reason: '' };
  }

  /**
   * Rules that apply to a user in a namespace, by user (name and groups) and namespace, for as
   * long as no binding or role changes: every request of a client asks with the same identity,
   * and walking every binding's subjects per request was most of authorization's cost.
   */
  private readonly ruleCache = new Map<string, PolicyRule[]>();
  private ruleCacheRevision = '';

  private applicableRules(user: UserInfo, namespace: string): PolicyRule[] {
    const o = this.objects;
    const revision = `${o.revision(RBAC_GROUP, 'clusterrolebindings')}/${o.revision(RBAC_GROUP, 'rolebindings')}/${o.revision(RBAC_GROUP, 'clusterroles')}/${o.revision(RBAC_GROUP, 'roles')}`;
    if (revision !== this.ruleCacheRevision || this.ruleCache.size >= RULE_CACHE_MAX) {
      this.ruleCache.clear();
      this.ruleCacheRevision = revision;
    }
    const key = JSON.stringify([namespace, user.username, user.groups]);
    let rules = this.ruleCache.get(key);
    if (!rules) {
      rules = this.rulesFor(user, namespace).rules;
      this.ruleCache.set(key, rules);
    }
    return rules;
  }

  /**
   * rulesFor returns every rule that applies to the user in a namespace ('' = cluster rules
   * only), plus messages for bindings whose role is missing, as upstream's RulesFor.
   */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    const walk = (bindings: Binding[], ns: string, kind: string): void => {
      for (const b of bindings) {
        if (!(b.subjects ?? []).some((s) => appliesTo(user, s, ns))) continue;
        const bound = this.roleRules(b.roleRef, ns);
        if (!bound) {
          errors.push(`${kind} ${ns ? `${ns}/` : ''}${b.metadata.name}: ${b.roleRef.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io "${b.roleRef.name}" not found`);
          continue;
        }
        for (const rule of bound) rules.push(rule);
      }
    };
    walk(this.objects.list<Binding>(RBAC_GROUP, 'clusterrolebindings', ''), '', 'clusterrolebinding');
    if (namespace) walk(this.objects.list<Binding>(RBAC_GROUP, 'rolebindings', namespace), namespace, 'rolebinding');
    return { rules, errors };
  }

  /** roleRules resolves a roleRef in a namespace to its rules (undefined: the role does not exist). */
  roleRules(ref: RoleRef, namespace: string): PolicyRule[] | undefined {
    if (ref.kind === 'ClusterRole') {
      const role = this.objects.get<Role>(RBAC_GROUP, 'clusterroles', '', ref.name);
      return role ? (role.rules ?? []) : undefined;
    }
    if (ref.kind === 'Role' && namespace) {
      const role = this.objects.get<Role>(RBAC_GROUP, 'roles', namespace, ref.name);
      return role ? (role.rules ?? []) : undefined;
    }
    return undefined;
  }
}
