/**
 * RBACAuthorizer over real watch caches: decisions follow binding and role changes at once,
 * although the rules that apply to an identity are cached between requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceCache } from '../../cache/watchcache.js';
import { cacheObjectSource } from '../objects.js';
import type { UserInfo } from '../../pipeline.js';
import { RBACAuthorizer } from './authorizer.js';
import { RBAC_GROUP } from './policy.js';

test('RBAC decisions follow binding and role changes through the applicable-rules cache', () => {
  const caches = new Map<string, ResourceCache>();
  for (const r of ['clusterrolebindings', 'rolebindings', 'clusterroles', 'roles']) {
    caches.set(r, new ResourceCache(`/registry/${r}/`, () => ({ labels: {}, fields: {} }), 60_000, 100));
  }
  let rev = 0;
  const put = (resource: string, namespace: string, obj: object): void => {
    const c = caches.get(resource)!;
    const name = (obj as { metadata: { name: string } }).metadata.name;
    const key = `${c.prefix}${namespace ? `${namespace}/` : ''}${name}`;
    rev++;
    c.load({ key, value: Buffer.from(JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', ...obj })), createRevision: rev, modRevision: rev, version: 1, lease: 0 });
  };
  const rbac = new RBACAuthorizer(cacheObjectSource((g, r) => (g === RBAC_GROUP ? caches.get(r) : undefined)));
  const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
  const bob: UserInfo = { username: 'bob', groups: ['devs', 'system:authenticated'] };
  const ask = (user: UserInfo, verb: string, namespace: string): string =>
    rbac.authorize({ user, verb, resourceRequest: true, apiGroup: '', namespace, resource: 'pods', subresource: '', name: '', path: '' }).decision;

  const steps: Array<{ name: string; change?: () => void; want: Array<[UserInfo, string, string, string]> }> = [
    { name: 'no bindings', want: [[alice, 'get', 'a', 'noOpinion'], [bob, 'get', 'a', 'noOpinion']] },
    {
      name: 'alice bound to a reader ClusterRole',
      change: () => {
        put('clusterroles', '', { kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
        put('clusterrolebindings', '', { kind: 'ClusterRoleBinding', metadata: { name: 'alice-reader' }, roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: 'reader' }, subjects: [{ kind: 'User', name: 'alice' }] });
      },
      want: [[alice, 'get', 'a', 'allow'], [alice, 'create', 'a', 'noOpinion'], [bob, 'get', 'a', 'noOpinion']],
    },
    {
      name: 'the ClusterRole gains create',
      change: () => put('clusterroles', '', { kind: 'ClusterRole', metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'create'] }] }),
      want: [[alice, 'create', 'a', 'allow']],
    },
    {
      name: "group devs bound in namespace a through a Role",
      change: () => {
        put('roles', 'a', { kind: 'Role', metadata: { name: 'editor', namespace: 'a' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }] });
        put('rolebindings', 'a', { kind: 'RoleBinding', metadata: { name: 'devs', namespace: 'a' }, roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: 'editor' }, subjects: [{ kind: 'Group', name: 'devs' }] });
      },
      want: [[bob, 'delete', 'a', 'allow'], [bob, 'delete', 'b', 'noOpinion'], [alice, 'delete', 'a', 'noOpinion']],
    },
    {
      name: 'the binding drops the group',
      change: () => put('rolebindings', 'a', { kind: 'RoleBinding', metadata: { name: 'devs', namespace: 'a' }, roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: 'editor' }, subjects: [{ kind: 'User', name: 'carol' }] }),
      want: [[bob, 'delete', 'a', 'noOpinion']],
    },
  ];
  for (const s of steps) {
    s.change?.();
    // Asked twice: the second answer comes from the cached rules.
    for (let i = 0; i < 2; i++) for (const [user, verb, ns, want] of s.want) assert.equal(ask(user, verb, ns), want, `${s.name}: ${user.username} ${verb} pods in ${ns}`);
  }
});
