/**
 * End-to-end security matrix: a secure `k8ts apiserver` child process (TLS, client
 * certificates, token file, Node+RBAC) driven by the real kubectl and by raw HTTPS requests.
 * Each default role bound to a test user can and cannot do what upstream allows, checked both
 * with `kubectl auth can-i` and with real requests; plus 401/403 responses with upstream's
 * messages, escalation prevention, impersonation, `can-i --list`, whoami and aggregation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, importPKCS8, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import { createHash } from 'node:crypto';
import { certInfo, createCA, createCSR, joinCluster, kubeconfigYAML, signCert } from '../../src/pki/index.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { startSecureApiServer, type Identity, type SecureApiServer } from './helpers/secure.js';

const NS = 'team-a';
const viewer: Identity = { user: 'view-user', groups: ['viewers'] };
const editor: Identity = { user: 'edit-user' };
const nsAdmin: Identity = { user: 'admin-user' };
const root: Identity = { user: 'root-user' };
const nobody: Identity = { user: 'nobody' };
const tokenViewer: Identity = { token: 'token-of-tina' };

interface Row {
  who: string;
  verb: string;
  resource: string;
  ns?: string;
  want: boolean;
}

// What upstream's default roles allow, for users bound to view/edit/admin in team-a (RoleBinding)
// and cluster-admin (ClusterRoleBinding).
const matrix: Row[] = [
  { who: 'view', verb: 'list', resource: 'pods', ns: NS, want: true },
  { who: 'view', verb: 'get', resource: 'pods/log', ns: NS, want: true },
  { who: 'view', verb: 'list', resource: 'secrets', ns: NS, want: false },
  { who: 'view', verb: 'create', resource: 'configmaps', ns: NS, want: false },
  { who: 'view', verb: 'list', resource: 'deployments.apps', ns: NS, want: true },
  { who: 'view', verb: 'list', resource: 'pods', ns: 'default', want: false },
  { who: 'view', verb: 'list', resource: 'namespaces', want: false },
  { who: 'edit', verb: 'list', resource: 'secrets', ns: NS, want: true },
  { who: 'edit', verb: 'create', resource: 'configmaps', ns: NS, want: true },
  { who: 'edit', verb: 'create', resource: 'deployments.apps', ns: NS, want: true },
  { who: 'edit', verb: 'create', resource: 'pods/exec', ns: NS, want: true },
  { who: 'edit', verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', ns: NS, want: false },
  { who: 'edit', verb: 'create', resource: 'roles.rbac.authorization.k8s.io', ns: NS, want: false },
  { who: 'admin', verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', ns: NS, want: true },
  { who: 'admin', verb: 'create', resource: 'roles.rbac.authorization.k8s.io', ns: NS, want: true },
  { who: 'admin', verb: 'list', resource: 'resourcequotas', ns: NS, want: true },
  { who: 'admin', verb: 'create', resource: 'resourcequotas', ns: NS, want: false },
  { who: 'admin', verb: 'delete', resource: 'namespaces', want: false },
  { who: 'admin', verb: 'list', resource: 'nodes', want: false },
  { who: 'cluster-admin', verb: 'list', resource: 'nodes', want: true },
  { who: 'cluster-admin', verb: 'create', resource: 'namespaces', want: true },
  { who: 'cluster-admin', verb: 'list', resource: 'secrets', ns: 'kube-system', want: true },
  { who: 'none', verb: 'list', resource: 'pods', ns: NS, want: false },
  { who: 'none', verb: 'create', resource: 'selfsubjectaccessreviews.authorization.k8s.io', want: true },
  { who: 'token-view', verb: 'list', resource: 'pods', ns: NS, want: true },
  { who: 'token-view', verb: 'delete', resource: 'pods', ns: NS, want: false },
];

const identities: Record<string, Identity> = { view: viewer, edit: editor, admin: nsAdmin, 'cluster-admin': root, none: nobody, 'token-view': tokenViewer };

/** apiPath maps a matrix row to a real request (method and path). */
function realRequest(r: Row): { method: string; path: string; body?: unknown } {
  const [res, group = ''] = r.resource.split(/\.(.*)/s) as [string, string?];
  const [plural, sub] = res.split('/') as [string, string?];
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  const nsPart = r.ns ? `/namespaces/${r.ns}` : '';
  const collection = `${base}${nsPart}/${plural}`;
  const kinds: Record<string, object> = {
    configmaps: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'm-' } },
    namespaces: { apiVersion: 'v1', kind: 'Namespace', metadata: { generateName: 'ns-' } },
    resourcequotas: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { generateName: 'q-' }, spec: { hard: { pods: '10' } } },
    deployments: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { generateName: 'd-' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } } },
    roles: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { generateName: 'r-' }, rules: [] },
    rolebindings: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { generateName: 'rb-' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [] },
    selfsubjectaccessreviews: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { nonResourceAttributes: { path: '/version', verb: 'get' } } },
  };
  if (sub) return { method: r.verb === 'create' ? 'POST' : 'GET', path: `${collection}/no-such-pod/${sub}` };
  if (r.verb === 'list') return { method: 'GET', path: collection };
  if (r.verb === 'delete') return { method: 'DELETE', path: `${collection}/no-such-object` };
  return { method: 'POST', path: collection, body: kinds[plural] };
}

describe('secure apiserver: authentication and RBAC', { skip: !kubectlPath() && 'kubectl not on PATH' }, () => {
  let s: SecureApiServer;
  let admin: Kubectl;
  const kc = new Map<string, Kubectl>();
  const as = (who: string): Kubectl => kc.get(who)!;

  before(async () => {
    s = await startSecureApiServer({ tokenFile: 'token-of-tina,tina,uid-tina,"viewers,tokens"\n' });
    admin = new Kubectl(s.kubeconfig);
    await admin.ok(['create', 'namespace', NS]);
    await admin.ok(['create', 'rolebinding', 'viewers', '--clusterrole=view', '--user=view-user', '--user=tina', '-n', NS]);
    await admin.ok(['create', 'rolebinding', 'editors', '--clusterrole=edit', '--user=edit-user', '-n', NS]);
    await admin.ok(['create', 'rolebinding', 'admins', '--clusterrole=admin', '--user=admin-user', '-n', NS]);
    await admin.ok(['create', 'clusterrolebinding', 'roots', '--clusterrole=cluster-admin', '--user=root-user']);
    for (const [who, id] of Object.entries(identities)) kc.set(who, new Kubectl(await s.userKubeconfig(id)));
  });
  after(async () => {
    await s?.stop();
  });

  test('the admin kubeconfig is system:admin in system:masters (kubectl auth whoami)', async () => {
    const out = await admin.ok(['auth', 'whoami', '-o', 'json']);
    const ui = (JSON.parse(out) as { status: { userInfo: { username: string; groups: string[] } } }).status.userInfo;
    assert.equal(ui.username, 'system:admin');
    assert.deepEqual(ui.groups, ['system:masters', 'system:authenticated']);
    const tina = JSON.parse(await as('token-view').ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; uid: string; groups: string[] } } };
    assert.deepEqual(tina.status.userInfo, { username: 'tina', uid: 'uid-tina', groups: ['viewers', 'tokens', 'system:authenticated'] });
  });

  test('role matrix: kubectl auth can-i and real requests agree with upstream', async () => {
    for (const r of matrix) {
      const name = `${r.who} ${r.verb} ${r.resource}${r.ns ? ` -n ${r.ns}` : ''}`;
      const res = await as(r.who).run(['auth', 'can-i', r.verb, r.resource, ...(r.ns ? ['-n', r.ns] : [])]);
      assert.equal(res.stdout.trim(), r.want ? 'yes' : 'no', `can-i ${name}: ${res.stderr}`);
      assert.equal(res.code, r.want ? 0 : 1, `can-i exit code ${name}`);
      const req = realRequest(r);
      const got = await s.request(identities[r.who]!, req.method, req.path, req.body);
      if (r.want) assert.ok(got.status !== 403 && got.status !== 401, `${name}: ${req.method} ${req.path} -> ${got.status} ${got.body}`);
      else assert.equal(got.status, 403, `${name}: ${req.method} ${req.path} -> ${got.status} ${got.body}`);
    }
  });

  test('forbidden answers carry upstream messages (namespaced, cluster scope, subresource, path)', async () => {
    const cases: { path: string; method?: string; message: string }[] = [
      { path: `/api/v1/namespaces/${NS}/pods`, message: `pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "${NS}"` },
      { path: '/api/v1/nodes', message: 'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope' },
      { path: `/api/v1/namespaces/${NS}/pods/p1/log`, message: `pods "p1" is forbidden: User "nobody" cannot get resource "pods/log" in API group "" in the namespace "${NS}"` },
      { path: '/apis/apps/v1/namespaces/default/deployments/d1', method: 'DELETE', message: 'deployments.apps "d1" is forbidden: User "nobody" cannot delete resource "deployments" in API group "apps" in the namespace "default"' },
      { path: '/metrics', message: 'forbidden: User "nobody" cannot get path "/metrics"' },
    ];
    for (const c of cases) {
      const r = await s.request(nobody, c.method ?? 'GET', c.path);
      assert.equal(r.status, 403, c.path);
      const st = r.json();
      assert.equal(st.reason, 'Forbidden');
      assert.equal(st.message, c.message);
    }
    const k = await as('none').run(['get', 'pods', '-n', NS]);
    assert.match(k.stderr, /Error from server \(Forbidden\): pods is forbidden: User "nobody" cannot list resource "pods" in API group "" in the namespace "team-a"/);
  });

  test('unauthenticated requests are 401 except the public info endpoints; bad credentials are 401', async () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await s.request({ anonymous: true }, 'GET', p)).status, 200, p);
    for (const p of ['/api', '/api/v1/namespaces/default/pods', '/apis', '/openapi/v2']) {
      const r = await s.request({ anonymous: true }, 'GET', p);
      assert.equal(r.status, 401, p);
      assert.equal(r.json().message, 'Unauthorized');
    }
    assert.equal((await s.request({ token: 'not-a-token' }, 'GET', '/api/v1/namespaces')).status, 401);
    assert.equal((await s.request({ token: 'not-a-token' }, 'GET', '/healthz')).status, 401);
    // Client certificates the client CA did not sign, or that expired, are 401 too.
    const foreignCA = await createCA('someone-else');
    assert.equal((await s.request(await signCert(foreignCA, { commonName: 'mallory', organizations: ['system:masters'], usage: 'client' }), 'GET', '/api/v1/namespaces')).status, 401);
    const clientCA = { certPem: readFileSync(join(s.dataDir, 'server', 'tls', 'client-ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dataDir, 'server', 'tls', 'client-ca.key'), 'utf8') };
    const expired = await signCert(clientCA, { commonName: 'old', organizations: ['system:masters'], usage: 'client', validityDays: 1, now: new Date(Date.now() - 3 * 24 * 3600 * 1000) });
    assert.equal((await s.request(expired, 'GET', '/api/v1/namespaces')).status, 401);
    const k = await new Kubectl(await s.userKubeconfig({ token: 'wrong' })).run(['get', 'pods']);
    assert.match(k.stderr, /You must be logged in to the server/);
  });

  test('escalation prevention: roles and bindings granting what the user lacks are refused', async () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'node-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: ['batch'], resources: ['jobs'], verbs: ['escalate'] }] };
    const r = await s.request(nsAdmin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, role);
    assert.equal(r.status, 403);
    assert.equal(
      r.json().message,
      'roles.rbac.authorization.k8s.io "node-reader" is forbidden: user "admin-user" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["batch"], Resources:["jobs"], Verbs:["escalate"]}',
    );
    const ok = await s.request(nsAdmin, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`, { ...role, rules: [role.rules[0]] });
    assert.equal(ok.status, 201, ok.body);
    const bind = await as('admin').run(['create', 'rolebinding', 'sneaky', '--clusterrole=cluster-admin', '--user=admin-user', '-n', NS]);
    assert.notEqual(bind.code, 0);
    assert.match(bind.stderr, /rolebindings.rbac.authorization.k8s.io "sneaky" is forbidden: user "admin-user" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
    await as('admin').ok(['create', 'rolebinding', 'fine', '--clusterrole=view', '--user=someone', '-n', NS]);
  });

  test('impersonation obeys RBAC (kubectl --as)', async () => {
    assert.equal((await admin.run(['auth', 'can-i', 'list', 'secrets', '-n', NS, '--as', 'view-user'])).stdout.trim(), 'no');
    assert.equal((await admin.run(['auth', 'can-i', 'list', 'secrets', '-n', NS, '--as', 'edit-user'])).stdout.trim(), 'yes');
    assert.equal((await admin.run(['auth', 'can-i', 'list', 'pods', '-n', NS, '--as', 'stranger', '--as-group', 'viewers'])).stdout.trim(), 'no');
    const who = JSON.parse(await admin.ok(['auth', 'whoami', '-o', 'json', '--as', 'system:serviceaccount:team-a:robot'])) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.deepEqual(who.status.userInfo, { username: 'system:serviceaccount:team-a:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'] });
    const denied = await as('view').run(['get', 'pods', '-n', NS, '--as', 'root-user']);
    assert.match(denied.stderr, /users "root-user" is forbidden: User "view-user" cannot impersonate resource "users" in API group "" at the cluster scope/);
    // edit may impersonate service accounts of its namespace, as upstream's aggregate-to-edit grants.
    const sa = await as('edit').run(['auth', 'can-i', 'list', 'secrets', '-n', NS, '--as', 'system:serviceaccount:team-a:default']);
    assert.equal(sa.stdout.trim(), 'no', sa.stderr);
    const saOther = await as('edit').run(['get', 'pods', '-n', 'default', '--as', 'system:serviceaccount:default:default']);
    assert.match(saOther.stderr, /serviceaccounts "default" is forbidden: User "edit-user" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"/);
  });

  test('a ServiceAccount of one namespace cannot read secrets of another', async () => {
    await admin.ok(['create', 'namespace', 'team-b']);
    await admin.ok(['create', 'serviceaccount', 'robot', '-n', NS]);
    await admin.ok(['create', 'rolebinding', 'robot-edit', '--clusterrole=edit', `--serviceaccount=${NS}:robot`, '-n', NS]);
    const sa = ['--as', `system:serviceaccount:${NS}:robot`];
    assert.equal((await admin.run(['auth', 'can-i', 'list', 'secrets', '-n', NS, ...sa])).stdout.trim(), 'yes');
    const other = await admin.run(['get', 'secrets', '-n', 'team-b', ...sa]);
    assert.match(other.stderr, /secrets is forbidden: User "system:serviceaccount:team-a:robot" cannot list resource "secrets" in API group "" in the namespace "team-b"/);
  });

  test('kubectl auth can-i --list shows the rules review', async () => {
    const out = await as('view').ok(['auth', 'can-i', '--list', '-n', NS]);
    assert.match(out, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/m);
    assert.match(out, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m);
    assert.match(out, /^selfsubjectaccessreviews.authorization.k8s.io\s+\[\]\s+\[\]\s+\[create\]/m);
    assert.match(out, /^\s+\[\/healthz\]\s+\[\]\s+\[get\]/m);
    assert.doesNotMatch(out, /^secrets\s/m);
    const asEdit = await admin.ok(['auth', 'can-i', '--list', '-n', NS, '--as', 'edit-user']);
    assert.match(asEdit, /^secrets\s+\[\]\s+\[\]\s+\[get list watch create delete deletecollection patch update\]/m);
  });

  test('ClusterRole aggregation picks up labelled roles', async () => {
    await admin.ok(['create', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'quota-writer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
        rules: [{ apiGroups: [''], resources: ['resourcequotas'], verbs: ['create'] }],
      }),
    });
    let got = '';
    for (let i = 0; i < 50 && got !== 'yes'; i++) {
      got = (await as('admin').run(['auth', 'can-i', 'create', 'resourcequotas', '-n', NS])).stdout.trim();
      if (got !== 'yes') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(got, 'yes', 'admin (aggregating edit, aggregating view) gains the labelled rule');
  });

  test('ServiceAccount tokens (TokenRequest): valid ones authenticate; expired, tampered, wrong-audience and orphaned ones are 401', async () => {
    await admin.ok(['create', 'serviceaccount', 'builder', '-n', NS]);
    await admin.ok(['create', 'rolebinding', 'builder-view', '--clusterrole=view', `--serviceaccount=${NS}:builder`, '-n', NS]);
    const token = (await admin.ok(['create', 'token', 'builder', '-n', NS])).trim();
    const sa: Identity = { token };
    assert.equal((await s.request(sa, 'GET', `/api/v1/namespaces/${NS}/pods`)).status, 200);
    const other = await s.request(sa, 'GET', '/api/v1/namespaces/team-b/secrets');
    assert.equal(other.status, 403);
    assert.equal(other.json().message, `secrets is forbidden: User "system:serviceaccount:${NS}:builder" cannot list resource "secrets" in API group "" in the namespace "team-b"`);
    const who = JSON.parse(await new Kubectl(await s.userKubeconfig(sa)).ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.equal(who.status.userInfo.username, `system:serviceaccount:${NS}:builder`);
    assert.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', `system:serviceaccounts:${NS}`, 'system:authenticated']);

    const [h, p, sig] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url')}.${sig}`;
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string };
    const key = await importPKCS8(readFileSync(join(s.dataDir, 'server', 'tls', 'service.key'), 'utf8'), header.alg);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = await new SignJWT({ ...claims }).setProtectedHeader(header).setIssuedAt(past).setNotBefore(past).setExpirationTime(past + 600).sign(key);
    const wrongAudience = (await admin.ok(['create', 'token', 'builder', '-n', NS, '--audience', 'https://vault.example.com'])).trim();
    for (const [name, t] of Object.entries({ tampered, expired, wrongAudience, garbage: 'a.b.c' })) {
      const r = await s.request({ token: t }, 'GET', `/api/v1/namespaces/${NS}/pods`);
      assert.equal(r.status, 401, name);
      assert.equal(r.json().reason, 'Unauthorized', name);
    }
    // TokenReview: the wrong-audience token is valid for its own audience only.
    const review = await s.request(root, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: wrongAudience, audiences: ['https://vault.example.com'] } });
    assert.equal(review.status, 201);
    const st = review.json().status as { authenticated: boolean; user: { username: string }; audiences: string[] };
    assert.equal(st.authenticated, true);
    assert.equal(st.user.username, `system:serviceaccount:${NS}:builder`);
    assert.deepEqual(st.audiences, ['https://vault.example.com']);
    const bad = await s.request(root, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: expired } });
    assert.equal((bad.json().status as { authenticated?: boolean }).authenticated, undefined);
    // Issuer discovery: service accounts may read the OIDC document and keys, which verify the token.
    const oidc = await s.request(sa, 'GET', '/.well-known/openid-configuration');
    assert.equal(oidc.status, 200);
    assert.equal(oidc.json().issuer, 'https://kubernetes.default.svc.cluster.local');
    const jwks = await s.request(sa, 'GET', '/openid/v1/jwks');
    assert.equal(jwks.status, 200);
    const verified = await jwtVerify(token, createLocalJWKSet(jwks.json() as unknown as JSONWebKeySet), { issuer: 'https://kubernetes.default.svc.cluster.local' });
    assert.equal(verified.payload.sub, `system:serviceaccount:${NS}:builder`);
    assert.equal((await s.request(nobody, 'GET', '/openid/v1/jwks')).status, 403);
    // Deleting the ServiceAccount invalidates its tokens.
    await admin.ok(['delete', 'serviceaccount', 'builder', '-n', NS]);
    let code = 0;
    for (let i = 0; i < 20 && code !== 401; i++) {
      code = (await s.request(sa, 'GET', `/api/v1/namespaces/${NS}/pods`)).status;
      if (code !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(code, 401);
  });

  test('Node authorizer and NodeRestriction: a kubelet reads only what its pods use and writes only its own node and pods', async () => {
    const ns = 'nodes-ns';
    await admin.ok(['create', 'namespace', ns]);
    // No controller-manager here: ServiceAccount admission needs the namespace's default account.
    await admin.ok(['create', 'serviceaccount', 'default', '-n', ns]);
    for (const n of ['s1', 's2', 's3']) await admin.ok(['create', 'secret', 'generic', n, '--from-literal=k=v', '-n', ns]);
    await admin.ok(['create', 'configmap', 'cm1', '--from-literal=k=v', '-n', ns]);
    const pod = (name: string, node: string, secret: string, env?: object): object => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', ...(env ? { env: [env] } : {}) }], volumes: [{ name: 'v', secret: { secretName: secret } }] },
    });
    await admin.ok(['create', '-f', '-'], { stdin: JSON.stringify(pod('p1', 'n1', 's1', { name: 'E', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } })) });
    await admin.ok(['create', '-f', '-'], { stdin: JSON.stringify(pod('p2', 'n2', 's2')) });
    const kubelet: Identity = { user: 'system:node:n1', groups: ['system:nodes'] };
    const get = (path: string): Promise<number> => s.request(kubelet, 'GET', path).then((r) => r.status);
    assert.equal(await get(`/api/v1/namespaces/${ns}/secrets/s1`), 200, 'secret of its own pod');
    assert.equal(await get(`/api/v1/namespaces/${ns}/configmaps/cm1`), 200, 'configmap of its own pod');
    const other = await s.request(kubelet, 'GET', `/api/v1/namespaces/${ns}/secrets/s2`);
    assert.equal(other.status, 403);
    assert.equal(other.json().message, `secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "${ns}": no relationship found between node 'n1' and this object`);
    assert.equal(await get(`/api/v1/namespaces/${ns}/secrets/s3`), 403, 'unreferenced secret');
    assert.equal(await get(`/api/v1/namespaces/${ns}/secrets`), 403, 'listing secrets');
    assert.equal(await get('/api/v1/pods'), 200, 'pods through the system:node rules');
    const k = new Kubectl(await s.userKubeconfig(kubelet));
    assert.equal((await k.run(['auth', 'can-i', 'get', 'secret/s1', '-n', ns])).stdout.trim(), 'yes');
    const list = await k.run(['auth', 'can-i', '--list', '-n', ns]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stderr, /node authorizer does not support user rule resolution/);
    assert.equal((await k.run(['auth', 'can-i', 'get', 'secret/s2', '-n', ns])).stdout.trim(), "no - no relationship found between node 'n1' and this object");

    const node = (name: string): object => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    assert.equal((await s.request(kubelet, 'POST', '/api/v1/nodes', node('n1'))).status, 201);
    const foreign = await s.request(kubelet, 'POST', '/api/v1/nodes', node('n2'));
    assert.equal(foreign.status, 403);
    assert.equal(foreign.json().message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    const label = await s.request(kubelet, 'PATCH', '/api/v1/nodes/n1', { metadata: { labels: { 'node-restriction.kubernetes.io/pool': 'x' } } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(label.status, 403, label.body);
    assert.match(label.json().message as string, /node "n1" is not allowed to modify labels: node-restriction.kubernetes.io\/pool/);
    const del = await s.request(kubelet, 'DELETE', `/api/v1/namespaces/${ns}/pods/p2`);
    assert.equal(del.status, 403);
    assert.equal(del.json().message, 'pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
    const notMirror = await s.request(kubelet, 'POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] } });
    assert.equal(notMirror.status, 403);
    assert.equal(notMirror.json().message, 'pods "x" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
    const status = await s.request(kubelet, 'PATCH', `/api/v1/namespaces/${ns}/pods/p2/status`, { status: { phase: 'Running' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(status.status, 403);
    assert.equal((await s.request(kubelet, 'PATCH', `/api/v1/namespaces/${ns}/pods/p1/status`, { status: { phase: 'Running' } }, { 'content-type': 'application/merge-patch+json' })).status, 200);
    // Tokens: only for its own pods' service accounts, bound to those pods.
    await admin.ok(['create', 'serviceaccount', 'default', '-n', ns]).catch(() => '');
    const p1 = (await s.request(root, 'GET', `/api/v1/namespaces/${ns}/pods/p1`)).json() as { metadata: { uid: string } };
    const p2 = (await s.request(root, 'GET', `/api/v1/namespaces/${ns}/pods/p2`)).json() as { metadata: { uid: string } };
    const tr = (name: string, uid: string): object => ({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name, uid } } });
    const own = await s.request(kubelet, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, tr('p1', p1.metadata.uid));
    assert.equal(own.status, 201, own.body);
    const claims = JSON.parse(Buffer.from(((own.json().status as { token: string }).token.split('.')[1])!, 'base64url').toString()) as { 'kubernetes.io': { pod: { name: string }; node: { name: string } } };
    assert.equal(claims['kubernetes.io'].pod.name, 'p1');
    assert.equal(claims['kubernetes.io'].node.name, 'n1');
    const theirs = await s.request(kubelet, 'POST', `/api/v1/namespaces/${ns}/serviceaccounts/default/token`, tr('p2', p2.metadata.uid));
    assert.equal(theirs.status, 403, theirs.body);
    assert.match(theirs.json().message as string, /node requested token bound to a pod scheduled on a different node/);
  });

  test('agents join with the server token (joinCluster): pinned /cacerts, a node client certificate for system:node:<name>, node passwords', async () => {
    const token = readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').trim();
    const m = /^K10([0-9a-f]{64})::server:(.+)$/.exec(token);
    assert.ok(m, token);
    const ca = await s.request({ anonymous: true }, 'GET', '/cacerts');
    assert.equal(ca.status, 200);
    assert.equal(createHash('sha256').update(ca.body).digest('hex'), m[1], 'the token pins the CA');
    const joinAs = (tok: string, nodeName: string, nodePassword: string) => joinCluster({ server: s.url, token: tok, nodeName, nodePassword });
    await assert.rejects(joinAs('not-the-token', 'agent1', 'pw'), /HTTP 401/);
    await assert.rejects(joinAs(`K10${'0'.repeat(64)}::server:${m[2]}`, 'agent1', 'pw'), /does not match the join token/);
    const first = await joinAs(token, 'agent1', 'pw-1');
    const certPem = first.certPem;
    const info = certInfo(certPem);
    assert.equal(info.commonName, 'system:node:agent1');
    assert.deepEqual(info.organizations, ['system:nodes']);
    // The agent's identity is its own node, never the admin.
    const kcPath = join(s.dataDir, 'agent1.kubeconfig');
    writeFileSync(kcPath, kubeconfigYAML({ server: s.url, caPem: first.caPem, certPem, keyPem: first.keyPem }));
    const who = JSON.parse(await new Kubectl(kcPath).ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; groups: string[] } } };
    assert.deepEqual(who.status.userInfo, { username: 'system:node:agent1', groups: ['system:nodes', 'system:authenticated'] });
    assert.equal((await new Kubectl(kcPath).run(['auth', 'can-i', 'create', 'namespaces'])).stdout.trim(), 'no');
    // Same name, other password: refused; same password again: a new certificate.
    await assert.rejects(joinAs(token, 'agent1', 'pw-2'), /HTTP 403.*Node password rejected/);
    await joinAs(token, 'agent1', 'pw-1');
    // The bare secret works too; the join identity can do nothing else.
    await joinAs(m[2]!, 'agent2', 'pw');
    assert.equal((await s.request({ token }, 'GET', '/api/v1/namespaces/default/pods')).status, 403);
  });

  test('CertificateSigningRequests: kubelet client CSRs from join-token holders are auto-approved and signed; others need kubectl certificate approve', async () => {
    const token = readFileSync(join(s.dataDir, 'server', 'token'), 'utf8').trim();
    const bootstrap = new Kubectl(await s.userKubeconfig({ token }));
    const csrObject = (name: string, request: string, signerName: string): string =>
      JSON.stringify({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request: Buffer.from(request).toString('base64'), signerName, usages: ['digital signature', 'client auth'] } });
    const waitCert = async (name: string): Promise<string> => {
      for (let i = 0; i < 100; i++) {
        const out = await admin.ok(['get', 'csr', name, '-o', 'jsonpath={.status.certificate}']);
        if (out) return Buffer.from(out, 'base64').toString();
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`csr ${name} was not issued`);
    };
    const kubelet = await createCSR('system:node:agent3', ['system:nodes']);
    await bootstrap.ok(['create', '-f', '-'], { stdin: csrObject('node-agent3', kubelet.csrPem, 'kubernetes.io/kube-apiserver-client-kubelet') });
    const certPem = await waitCert('node-agent3');
    assert.equal(certInfo(certPem).commonName, 'system:node:agent3');
    const spec = JSON.parse(await admin.ok(['get', 'csr', 'node-agent3', '-o', 'json'])) as { spec: { username: string; groups: string[] }; status: { conditions: { type: string; reason: string }[] } };
    assert.equal(spec.spec.username, 'system:k8ts:join', 'the requester is recorded');
    assert.deepEqual(spec.status.conditions.map((c) => [c.type, c.reason]), [['Approved', 'AutoApproved']]);
    const table = await admin.ok(['get', 'csr', 'node-agent3']);
    assert.match(table, /node-agent3\s+\S+\s+kubernetes.io\/kube-apiserver-client-kubelet\s+system:k8ts:join\s+<none>\s+Approved,Issued/);
    const kc = join(s.dataDir, 'agent3.kubeconfig');
    writeFileSync(kc, kubeconfigYAML({ server: s.url, caPem: readFileSync(join(s.dataDir, 'server', 'tls', 'server-ca.crt'), 'utf8'), certPem, keyPem: kubelet.keyPem }));
    const who = JSON.parse(await new Kubectl(kc).ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string } } };
    assert.equal(who.status.userInfo.username, 'system:node:agent3');

    // A general client certificate is never auto-approved; approving needs `approve` on the signer.
    const carol = await createCSR('carol', ['devs']);
    await admin.ok(['create', '-f', '-'], { stdin: csrObject('carol', carol.csrPem, 'kubernetes.io/kube-apiserver-client') });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await admin.ok(['get', 'csr', 'carol', '-o', 'jsonpath={.status.certificate}']), '');
    await admin.ok(['create', 'clusterrole', 'csr-approver', '--verb=get,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
    await admin.ok(['create', 'clusterrolebinding', 'csr-approver', '--clusterrole=csr-approver', '--user=edit-user']);
    const notAllowed = await as('edit').run(['certificate', 'approve', 'carol']);
    assert.notEqual(notAllowed.code, 0);
    assert.match(notAllowed.stderr, /certificatesigningrequests.certificates.k8s.io "carol" is forbidden: user not permitted to approve requests with signerName "kubernetes.io\/kube-apiserver-client"/);
    await admin.ok(['certificate', 'approve', 'carol']);
    const carolCert = await waitCert('carol');
    assert.deepEqual([certInfo(carolCert).commonName, certInfo(carolCert).organizations], ['carol', ['devs']]);
    // The join identity cannot get a kubelet certificate under another signer or approve anything.
    const sneaky = await createCSR('system:node:agent4', ['system:nodes']);
    await bootstrap.ok(['create', '-f', '-'], { stdin: csrObject('sneaky', sneaky.csrPem, 'kubernetes.io/kube-apiserver-client') });
    assert.notEqual((await bootstrap.run(['certificate', 'approve', 'sneaky'])).code, 0);
  });
});
