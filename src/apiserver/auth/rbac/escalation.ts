/**
 * RBAC escalation prevention, as upstream's rbac registry (policybased storage): a user may
 * only create or update a Role/ClusterRole whose rules they already hold, and only bind a role
 * whose rules they hold, unless they are in system:masters or are authorized for the `escalate`
 * (roles) or `bind` (bindings) verb on that role. The refusal is upstream's Forbidden text.
 */
import { forbidden, notFound } from '../../../api/errors.js';
import type { AdmissionPlugin, UserInfo } from '../../pipeline.js';
import { GROUP_MASTERS } from '../authn.js';
import type { AttributesAuthorizer, RBACAuthorizer } from './authorizer.js';
import { RBAC_GROUP } from './policy.js';
import { escalationMessage, uncovered, type PolicyRule, type RoleRef, type Subject } from './rules.js';

const FULL_AUTHORITY: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

interface RoleLike {
  rules?: PolicyRule[] | null;
  aggregationRule?: unknown;
}

interface BindingLike {
  roleRef?: RoleRef;
  subjects?: Subject[];
}

export function rbacEscalation(authorizer: AttributesAuthorizer, rbac: RBACAuthorizer): AdmissionPlugin {
  const allowedVerb = (user: UserInfo, verb: string, resource: string, namespace: string, name: string): boolean =>
    authorizer.authorize({ user, verb, resourceRequest: true, apiGroup: RBAC_GROUP, namespace, resource, subresource: '', name, path: '' }).decision === 'allow';
  const confirm = (user: UserInfo, namespace: string, wanted: readonly PolicyRule[], resource: string, name: string): void => {
    const missing = uncovered(rbac.rulesFor(user, namespace).rules, wanted);
    if (missing.length) throw forbidden({ group: RBAC_GROUP, resource }, name, escalationMessage(user, missing));
  };
  return {
    name: 'RBACEscalation',
    validate(a) {
      if (a.resource.group !== RBAC_GROUP || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.object) return;
      if (a.user.groups.includes(GROUP_MASTERS)) return;
      const resource = a.resource.resource;
      if (resource === 'roles' || resource === 'clusterroles') {
        const role = a.object as unknown as RoleLike;
        const old = a.oldObject as unknown as RoleLike | undefined;
        if (old && JSON.stringify(old.rules ?? []) === JSON.stringify(role.rules ?? []) && JSON.stringify(old.aggregationRule ?? null) === JSON.stringify(role.aggregationRule ?? null)) return;
        if (allowedVerb(a.user, 'escalate', resource, a.namespace, a.name)) return;
        confirm(a.user, a.namespace, role.aggregationRule ? FULL_AUTHORITY : (role.rules ?? []), resource, a.name);
        return;
      }
      if (resource === 'rolebindings' || resource === 'clusterrolebindings') {
        const b = a.object as unknown as BindingLike;
        const old = a.oldObject as unknown as BindingLike | undefined;
        if (!b.roleRef) return;
        if (old && JSON.stringify(old.roleRef) === JSON.stringify(b.roleRef) && JSON.stringify(old.subjects ?? []) === JSON.stringify(b.subjects ?? [])) return;
        const roleResource = b.roleRef.kind === 'Role' ? 'roles' : 'clusterroles';
        if (allowedVerb(a.user, 'bind', roleResource, a.namespace, b.roleRef.name)) return;
        const rules = rbac.roleRules(b.roleRef, a.namespace);
        if (!rules) throw notFound({ group: RBAC_GROUP, resource: roleResource }, b.roleRef.name);
        confirm(a.user, a.namespace, rules, resource, a.name);
      }
    },
  };
}
