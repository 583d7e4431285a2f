/**
 * Upstream conformance tests about authentication and authorization that need no containers,
 * replayed against one secure `k8ts apiserver` (TLS, client certificates, Node+RBAC) as the
 * e2e framework's cluster-admin would. Each case is named after the upstream test it mirrors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCA, createCSR, signCert } from '../../src/pki/index.js';
import { restClient, secureCall, type Obj } from './helpers/apiserver.js';
import { startSecureApiServer, type Identity, type SecureApiServer } from './helpers/secure.js';

describe('conformance: authentication and authorization without containers', () => {
  let srv: SecureApiServer;
  const admin: Identity = { user: 'e2e-admin', groups: ['system:masters'] };

  before(async () => {
    srv = await startSecureApiServer();
  });
  after(async () => {
    await srv?.stop();
  });

  const { ok } = restClient(secureCall(() => srv, admin));

  test('[sig-auth] SubjectReview should support SubjectReview API operations', async () => {
    const ns = 'subjectreview-1';
    await ok('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const sa = await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'e2e' } });
    const username = `system:serviceaccount:${ns}:e2e`;
    const groups = ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns}`];
    const attrs = { verb: 'list', resource: 'configmaps', namespace: ns, version: 'v1' };
    const sar = await ok('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { resourceAttributes: attrs, user: username, groups, uid: sa.metadata.uid } });
    const expected = sar.status.allowed === true;
    // The same request, impersonated, must get what the review said.
    const impersonated = await srv.request(admin, 'GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, { 'Impersonate-User': username, 'Impersonate-Uid': sa.metadata.uid, 'Impersonate-Group': groups.join(',') });
    assert.ok(impersonated.status === 200 || impersonated.status === 403, `${impersonated.status} ${impersonated.body}`);
    assert.equal(impersonated.status === 200, expected, `review allowed=${expected}, request got ${impersonated.status}`);
    const lsar = await ok('POST', `/apis/authorization.k8s.io/v1/namespaces/${ns}/localsubjectaccessreviews`, { metadata: { namespace: ns }, spec: { resourceAttributes: attrs, user: 'e2e', groups, uid: sa.metadata.uid } });
    assert.equal(lsar.status.allowed === true, expected);
    // Granting the right through RBAC flips both.
    await ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }] });
    await ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, { metadata: { name: 'cm-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'e2e', namespace: ns }] });
    let allowed = false;
    for (let i = 0; i < 50 && !allowed; i++) {
      allowed = (await ok('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { resourceAttributes: attrs, user: username, groups } })).status.allowed === true;
      if (!allowed) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(allowed, 'the review allows once the RoleBinding exists');
    const now = await srv.request(admin, 'GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, { 'Impersonate-User': username, 'Impersonate-Group': groups.join(',') });
    assert.equal(now.status, 200, now.body);
  });

  test('[sig-auth] ServiceAccounts should create a serviceAccountToken and ensure a successful TokenReview', async () => {
    const ns = 'svcaccounts-1';
    await ok('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'e2e-sa' } });
    const tr = await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts/e2e-sa/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} });
    assert.equal(typeof tr.status.token, 'string');
    const review = await ok('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: tr.status.token } });
    assert.equal(review.status.authenticated, true, JSON.stringify(review.status));
    assert.equal(review.status.user.username, `system:serviceaccount:${ns}:e2e-sa`);
  });

  test('[sig-api-machinery] Servers with support for Table transformation should return a 406 for a backend which does not implement metadata (secure server)', async () => {
    const r = await srv.request(admin, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { nonResourceAttributes: { path: '/', verb: 'get' } } }, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(r.status, 406, r.body);
  });

  test('[sig-auth] Certificates API [Privileged:ClusterAdmin] should support CSR API operations', async () => {
    const { csrPem } = await createCSR('e2e.example.com');
    const signerName = 'example.com/e2e-csr-signer';
    const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
    const template = { metadata: { generateName: 'e2e-example-csr-' }, spec: { request: Buffer.from(csrPem).toString('base64'), signerName, usages: ['digital signature', 'key encipherment', 'client auth'] } };
    await ok('POST', base, template);
    await ok('POST', base, template);
    const created = await ok('POST', base, template);
    const sel = `fieldSelector=${encodeURIComponent(`spec.signerName=${signerName}`)}`;
    assert.equal((await ok('GET', `${base}?${sel}`)).items.length, 3);
    const patched = await ok('PATCH', `${base}/${created.metadata.name}`, { metadata: { annotations: { patched: 'true' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.metadata.annotations.patched, 'true');
    const gotApproval = await ok('GET', `${base}/${created.metadata.name}/approval`);
    assert.equal(gotApproval.kind, 'CertificateSigningRequest');
    assert.equal(gotApproval.metadata.uid, created.metadata.uid);
    const pa = await ok('PATCH', `${base}/${created.metadata.name}/approval`, { metadata: { annotations: { patchedapproval: 'true' } }, status: { conditions: [{ type: 'ApprovalPatch', status: 'True', reason: 'e2e' }] } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.deepEqual((pa.status.conditions as Obj[]).map((c) => c.type), ['ApprovalPatch']);
    assert.equal(pa.metadata.annotations.patchedapproval, 'true');
    pa.status.conditions.push({ type: 'Approved', status: 'True', reason: 'E2E', message: 'Set from an e2e test' });
    const ua = await ok('PUT', `${base}/${created.metadata.name}/approval`, pa);
    assert.deepEqual((ua.status.conditions as Obj[]).map((c) => c.type), ['ApprovalPatch', 'Approved']);
    assert.ok(ua.status.conditions[1].lastUpdateTime, 'conditions get their timestamps');
    const both = await srv.request(admin, 'PUT', `${base}/${created.metadata.name}/approval`, { ...ua, status: { conditions: [...(ua.status.conditions as Obj[]), { type: 'Denied', status: 'True' }] } });
    assert.equal(both.status, 422, both.body);
    // Approving needs `approve` on the signer: a user with update on certificatesigningrequests/approval alone is forbidden.
    const someone: Identity = { user: 'csr-someone' };
    await ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'e2e-csr-updater' }, rules: [{ apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests', 'certificatesigningrequests/approval'], verbs: ['get', 'update', 'patch'] }] });
    await ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { metadata: { name: 'e2e-csr-updater' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'e2e-csr-updater' }, subjects: [{ kind: 'User', name: 'csr-someone', apiGroup: 'rbac.authorization.k8s.io' }] });
    let denied = await srv.request(someone, 'PATCH', `${base}/${created.metadata.name}/approval`, { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'x' }] } }, { 'content-type': 'application/merge-patch+json' });
    for (let i = 0; i < 50 && denied.status === 403 && !denied.body.includes('signerName'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      denied = await srv.request(someone, 'PATCH', `${base}/${created.metadata.name}/approval`, { status: { conditions: [{ type: 'Approved', status: 'True', reason: 'x' }] } }, { 'content-type': 'application/merge-patch+json' });
    }
    assert.equal(denied.status, 403, denied.body);
    assert.match(denied.body, /user not permitted to approve requests with signerName \\"example.com\/e2e-csr-signer\\"/);
    const gotStatus = await ok('GET', `${base}/${created.metadata.name}/status`);
    assert.equal(gotStatus.metadata.uid, created.metadata.uid);
    const ca = await createCA('e2e-signer');
    const cert = await signCert(ca, { commonName: 'e2e.example.com', usage: 'client', validityDays: 1 });
    const certificate = Buffer.from(cert.certPem).toString('base64');
    const ps = await ok('PATCH', `${base}/${created.metadata.name}/status`, { metadata: { annotations: { patchedstatus: 'true' } }, status: { certificate } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(ps.status.certificate, certificate);
    assert.equal(ps.metadata.annotations.patchedstatus, 'true');
    ps.status.conditions.push({ type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from an e2e test' });
    const us = await ok('PUT', `${base}/${created.metadata.name}/status`, ps);
    assert.equal(us.status.conditions.at(-1).type, 'StatusUpdate');
    await ok('DELETE', `${base}/${created.metadata.name}`);
    assert.equal((await ok('GET', `${base}?${sel}`)).items.length, 2);
    await ok('DELETE', `${base}?${sel}`);
    assert.equal((await ok('GET', `${base}?${sel}`)).items.length, 0);
  });
});
