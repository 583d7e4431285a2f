/**
 * The security layer in-process (plain HTTP, token-file identities): escalate/bind verbs,
 * subject access reviews, impersonation of groups and the AlwaysAllow mode. The TLS paths and
 * real kubectl are covered by test/e2e/security.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type RunningApiServer } from '../server.js';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';

describe('security in-process', () => {
  let dir: string;
  let server: RunningApiServer;
  const call = async (token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(server.url + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'k8ts-auth-'));
    writeFileSync(join(dir, 'tokens.csv'), 'root,root,1,system:masters\nesc,escalator,2\nbinder,binder,3\nplain,plain,4\n');
    server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, security: { dataDir: dir, tls: false, tokenAuthFile: join(dir, 'tokens.csv') } });
    const crb = (name: string, user: string, rules: object[]): Promise<unknown> =>
      call('root', 'POST', `${RBAC}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules }).then(() =>
        call('root', 'POST', `${RBAC}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }] }),
      );
    await crb('escalator', 'escalator', [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['create', 'escalate'] }]);
    await crb('binder', 'binder', [
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterrolebindings'], verbs: ['create'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'], resourceNames: ['cluster-admin'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['viewers'] },
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
    ]);
    // Authorization reads bindings from the watch cache, which trails acknowledged writes a little.
    const allowed = async (token: string, verb: string, resource: string): Promise<boolean> =>
      ((await call(token, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: 'rbac.authorization.k8s.io', verb, resource } } })).json.status as { allowed: boolean }).allowed;
    for (let i = 0; i < 100 && !((await allowed('esc', 'escalate', 'clusterroles')) && (await allowed('binder', 'create', 'clusterrolebindings'))); i++) await new Promise((r) => setTimeout(r, 20));
    // The aggregated `admin` role gets its rules from the aggregation loop; until then it grants
    // nothing, and binding it escalates nothing (the bind test needs its rules in place).
    const adminRules = async (): Promise<number> => (((await call('root', 'GET', `${RBAC}/clusterroles/admin`)).json.rules as unknown[] | null) ?? []).length;
    for (let i = 0; i < 250 && (await adminRules()) === 0; i++) await new Promise((r) => setTimeout(r, 20));
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the escalate verb lets a user create roles beyond their own permissions', async () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'big' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };
    assert.equal((await call('esc', 'POST', `${RBAC}/clusterroles`, role)).status, 201);
    const r = await call('plain', 'POST', `${RBAC}/clusterroles`, { ...role, metadata: { name: 'big2' } });
    assert.equal(r.status, 403);
  });

  test('the bind verb (limited by resourceNames) lets a user bind a role they do not hold', async () => {
    const binding = (name: string, role: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'someone' }] });
    assert.equal((await call('binder', 'POST', `${RBAC}/clusterrolebindings`, binding('b1', 'cluster-admin'))).status, 201);
    const r = await call('binder', 'POST', `${RBAC}/clusterrolebindings`, binding('b2', 'admin'));
    assert.equal(r.status, 403);
    assert.match(r.json.message as string, /^clusterrolebindings.rbac.authorization.k8s.io "b2" is forbidden: user "binder" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n/);
  });

  test('SubjectAccessReview answers for another user; LocalSubjectAccessReview checks its namespace', async () => {
    const sar = (user: string, verb: string, resource: string) => ({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { verb, resource, namespace: 'default' } } });
    // 'someone' was bound to cluster-admin by the previous test; the watch cache may trail that write briefly.
    let someone: unknown;
    for (let i = 0; i < 100; i++) {
      someone = (await call('root', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar('someone', 'list', 'pods'))).json.status;
      if ((someone as { allowed: boolean }).allowed) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(someone, { allowed: true });
    assert.deepEqual((await call('root', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar('plain', 'list', 'pods'))).json.status, { allowed: false });
    assert.equal((await call('plain', 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', sar('plain', 'list', 'pods'))).status, 403);
    const local = await call('root', 'POST', '/apis/authorization.k8s.io/v1/namespaces/other/localsubjectaccessreviews', { ...sar('plain', 'list', 'pods'), kind: 'LocalSubjectAccessReview' });
    assert.equal(local.status, 422);
  });

  test('impersonation: allowed group names only; groups without a user are a bad request', async () => {
    const ok = await call('binder', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { 'impersonate-user': 'x', 'impersonate-group': 'viewers' });
    assert.deepEqual((ok.json.status as { userInfo: unknown }).userInfo, { username: 'x', groups: ['viewers', 'system:authenticated'] });
    const denied = await call('binder', 'GET', '/api/v1/pods', undefined, { 'impersonate-user': 'x', 'impersonate-group': 'system:masters' });
    assert.equal(denied.status, 403);
    assert.equal(denied.json.message, 'groups "system:masters" is forbidden: User "binder" cannot impersonate resource "groups" in API group "" at the cluster scope');
    const bad = await call('binder', 'GET', '/api/v1/pods', undefined, { 'impersonate-group': 'viewers' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'requested [{Group  viewers    }] without impersonating a user');
    // Groups given with a service account replace its automatic groups, as upstream.
    const sa = await call('root', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, { 'impersonate-user': 'system:serviceaccount:ns1:robot', 'impersonate-group': 'g1' });
    assert.deepEqual((sa.json.status as { userInfo: unknown }).userInfo, { username: 'system:serviceaccount:ns1:robot', groups: ['g1', 'system:authenticated'] });
  });

  test('no credentials: 401 for the API, 200 for /healthz', async () => {
    assert.equal((await call(undefined, 'GET', '/api/v1/pods')).status, 401);
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
  });
});

describe('certificate renewal while running', () => {
  test('a serving certificate near expiry is reissued and served to new connections', async () => {
    const { connect } = await import('node:tls');
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-renew-'));
    let clock = new Date();
    const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, security: { dataDir: dir, now: () => clock } });
    const peer = (): Promise<{ serial: string; validTo: string }> =>
      new Promise((resolve, reject) => {
        const u = new URL(server.url);
        // The renewed certificate starts at the test's future clock, so only inspect it.
        const sock = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
          const c = sock.getPeerCertificate();
          sock.end();
          resolve({ serial: c.serialNumber, validTo: c.valid_to });
        });
        sock.on('error', reject);
      });
    try {
      const before = await peer();
      await server.security!.renewCertificates();
      assert.equal((await peer()).serial, before.serial, 'a fresh certificate is kept');
      clock = new Date(clock.getTime() + 300 * 24 * 3600 * 1000);
      let renewedAdmin = '';
      server.security!.watchTLS((_tls, pki) => (renewedAdmin = pki.admin.certPem));
      await server.security!.renewCertificates();
      const after = await peer();
      assert.notEqual(after.serial, before.serial);
      assert.ok(new Date(after.validTo) > new Date(before.validTo), `${after.validTo} > ${before.validTo}`);
      assert.ok(renewedAdmin, 'the admin certificate was renewed too');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('legacy secret-based ServiceAccount tokens (only when asked)', () => {
  test('a service-account-token Secret is filled; its token authenticates until the Secret is deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-legacy-'));
    writeFileSync(join(dir, 'tokens.csv'), 'root,root,1,system:masters\n');
    const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, security: { dataDir: dir, tls: false, tokenAuthFile: join(dir, 'tokens.csv'), legacyServiceAccountTokens: true, aggregationIntervalMs: 20 } });
    const call = async (token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
      const r = await fetch(server.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, json: (await r.json()) as Record<string, unknown> };
    };
    try {
      assert.equal((await call('root', 'POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'old-style' } })).status, 201);
      assert.equal((await call('root', 'POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old-style-token', annotations: { 'kubernetes.io/service-account.name': 'old-style' } }, type: 'kubernetes.io/service-account-token' })).status, 201);
      let token = '';
      for (let i = 0; i < 100 && !token; i++) {
        const data = (await call('root', 'GET', '/api/v1/namespaces/default/secrets/old-style-token')).json.data as Record<string, string> | undefined;
        token = data?.token ? Buffer.from(data.token, 'base64').toString() : '';
        if (!token) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(token, 'the tokens controller filled the secret');
      const who = await call(token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
      assert.equal((who.json.status as { userInfo: { username: string } }).userInfo.username, 'system:serviceaccount:default:old-style');
      assert.equal((await call('root', 'DELETE', '/api/v1/namespaces/default/secrets/old-style-token')).status, 200);
      let code = 0;
      for (let i = 0; i < 100 && code !== 401; i++) {
        code = (await call(token, 'GET', '/api/v1/namespaces/default/pods')).status;
        if (code !== 401) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(code, 401, 'a deleted secret revokes its token');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
