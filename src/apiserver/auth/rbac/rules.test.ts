import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliesTo, compactString, escalationMessage, ruleAllows, uncovered, type Attributes, type PolicyRule } from './rules.js';
import { aggregatedRules } from './reconcile.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './policy.js';

const alice = { username: 'alice', groups: ['devs', 'system:authenticated'] };
const res = (verb: string, resource: string, extra: Partial<Attributes> = {}): Attributes => ({
  user: alice,
  verb,
  resourceRequest: true,
  apiGroup: '',
  namespace: 'default',
  resource,
  subresource: '',
  name: '',
  path: '',
  ...extra,
});

test('ruleAllows matches verbs, groups, resources, subresources, names and URLs as upstream', () => {
  const cases: { name: string; rule: PolicyRule; a: Attributes; want: boolean }[] = [
    { name: 'exact', rule: { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, a: res('get', 'pods'), want: true },
    { name: 'wrong verb', rule: { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, a: res('list', 'pods'), want: false },
    { name: 'wrong group', rule: { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, a: res('get', 'pods'), want: false },
    { name: 'star everything', rule: { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, a: res('delete', 'deployments', { apiGroup: 'apps' }), want: true },
    { name: 'resource does not grant subresource', rule: { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, a: res('get', 'pods', { subresource: 'log' }), want: false },
    { name: 'subresource', rule: { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, a: res('get', 'pods', { subresource: 'log' }), want: true },
    { name: '*/scale', rule: { verbs: ['get'], apiGroups: ['*'], resources: ['*/scale'] }, a: res('get', 'deployments', { apiGroup: 'apps', subresource: 'scale' }), want: true },
    { name: 'resourceNames hit', rule: { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, a: res('get', 'secrets', { name: 'a' }), want: true },
    { name: 'resourceNames miss', rule: { verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }, a: res('list', 'secrets'), want: false },
    { name: 'url prefix', rule: { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, a: { ...res('get', ''), resourceRequest: false, path: '/apis/apps/v1' }, want: true },
    { name: 'url exact miss', rule: { verbs: ['get'], nonResourceURLs: ['/healthz'] }, a: { ...res('get', ''), resourceRequest: false, path: '/healthz/etcd' }, want: false },
    { name: 'resource rule does not grant URL', rule: { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, a: { ...res('get', ''), resourceRequest: false, path: '/version' }, want: false },
  ];
  for (const c of cases) assert.equal(ruleAllows(c.a, c.rule), c.want, c.name);
});

test('appliesTo matches users, groups and service accounts (namespace defaults to the binding)', () => {
  const sa = { username: 'system:serviceaccount:ns1:robot', groups: [] };
  assert.equal(appliesTo(alice, { kind: 'User', name: 'alice' }, ''), true);
  assert.equal(appliesTo(alice, { kind: 'Group', name: 'devs' }, ''), true);
  assert.equal(appliesTo(alice, { kind: 'Group', name: 'ops' }, ''), false);
  assert.equal(appliesTo(sa, { kind: 'ServiceAccount', name: 'robot', namespace: 'ns1' }, ''), true);
  assert.equal(appliesTo(sa, { kind: 'ServiceAccount', name: 'robot' }, 'ns1'), true);
  assert.equal(appliesTo(sa, { kind: 'ServiceAccount', name: 'robot', namespace: 'ns2' }, 'ns1'), false);
});

test('uncovered and the escalation message follow upstream Covers/CompactString', () => {
  const owner: PolicyRule[] = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }];
  assert.deepEqual(uncovered(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), []);
  const missing = uncovered(owner, [{ verbs: ['get', 'delete', 'create'], apiGroups: [''], resources: ['pods', 'secrets'] }]);
  assert.equal(
    escalationMessage(alice, missing),
    'user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "create"]}',
  );
  assert.equal(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] }), '{NonResourceURLs:["/x"], Verbs:["get"]}');
  assert.deepEqual(uncovered([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'] }]), []);
  assert.equal(uncovered([{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]).length, 1);
});

test('bootstrap policy: upstream names, labels, annotations and aggregation chain', () => {
  const roles = bootstrapClusterRoles();
  const names = roles.map((r) => r.metadata.name);
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:basic-user', 'system:discovery', 'system:public-info-viewer', 'system:node', 'system:node-proxier', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:kube-dns', 'system:auth-delegator', 'system:monitoring', 'system:service-account-issuer-discovery', 'system:volume-scheduler', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient']) {
    assert.ok(names.includes(n), n);
  }
  for (const r of roles) {
    assert.equal(r.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults', r.metadata.name);
    assert.equal(r.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'], 'true', r.metadata.name);
  }
  const bindings = bootstrapClusterRoleBindings();
  assert.deepEqual(bindings.find((b) => b.metadata.name === 'cluster-admin')?.subjects, [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  assert.equal(bindings.find((b) => b.metadata.name === 'system:node')?.subjects, undefined);
  // view aggregates into edit, edit into admin: after a fixpoint admin holds view's rules too.
  const byName = new Map(roles.map((r) => [r.metadata.name, r]));
  for (let i = 0; i < 3; i++) for (const n of ['view', 'edit', 'admin']) byName.get(n)!.rules = aggregatedRules(byName.get(n)!, [...byName.values()]);
  const admin = byName.get('admin')!.rules!;
  const can = (verb: string, resource: string, apiGroup = ''): boolean => admin.some((r) => ruleAllows(res(verb, resource, { apiGroup }), r));
  assert.ok(can('list', 'pods'), 'admin lists pods (from view)');
  assert.ok(can('create', 'deployments', 'apps'), 'admin creates deployments (from edit)');
  assert.ok(can('create', 'rolebindings', 'rbac.authorization.k8s.io'), 'admin binds roles');
  const view = byName.get('view')!.rules!;
  assert.ok(!view.some((r) => ruleAllows(res('get', 'secrets'), r)), 'view cannot read secrets');
});
