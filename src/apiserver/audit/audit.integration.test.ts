/**
 * Audit logging through a running apiserver: a policy file picks levels and stages per rule,
 * and the JSON-lines log holds upstream's audit.k8s.io/v1 Events (auditID, user, sourceIPs,
 * objectRef, responseStatus, timestamps, authorization annotations, request/response objects).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startApiServer } from '../server.js';
import type { AuditEvent } from './index.js';

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [Panic]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/version"]
- level: Metadata
  resources:
  - group: ""
    resources: ["secrets"]
- level: RequestResponse
  resources:
  - group: ""
    resources: ["configmaps"]
- level: Request
  verbs: ["create"]
  namespaces: ["default"]
- level: Metadata
  omitStages: [RequestReceived]
`;

describe('audit log', () => {
  test('events follow the policy and upstream\'s Event schema', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'k8ts-audit-'));
    const policyFile = join(dir, 'policy.yaml');
    const logFile = join(dir, 'audit.log');
    writeFileSync(policyFile, POLICY);
    const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, bindAddress: '127.0.0.1', audit: { policy: policyFile, log: logFile }, enableAdmissionPlugins: ['PodSecurity'] });
    try {
      const call = async (method: string, path: string, body?: unknown): Promise<number> => (await fetch(server.url + path, { method, headers: { 'Content-Type': 'application/json', 'User-Agent': 'audit-test/1.0' }, ...(body ? { body: JSON.stringify(body) } : {}) })).status;
      assert.equal(await call('GET', '/healthz'), 200);
      assert.equal(await call('POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' } }), 201);
      assert.equal(await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } }), 201);
      assert.equal(await call('GET', '/api/v1/namespaces/default/configmaps/missing'), 404);
      assert.equal(await call('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }] } }), 201);
      assert.equal(await call('GET', '/api/v1/namespaces'), 200);
      // Admission plugins annotate events: PodSecurity's audit mode.
      assert.equal(await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'audited', labels: { 'pod-security.kubernetes.io/audit': 'restricted' } } }), 201);
      assert.equal(await call('POST', '/api/v1/namespaces/audited/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, ports: [{ containerPort: 80, hostPort: 80 }] }] } }), 201);
      // A watch is long-running: ResponseStarted, then ResponseComplete when it ends.
      await new Promise<void>((resolve, reject) => {
        const u = new URL(`${server.url}/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1`);
        const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}` }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      await server.close();
    }
    const events = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    rmSync(dir, { recursive: true, force: true });
    const of = (pred: (e: AuditEvent) => boolean): AuditEvent[] => events.filter(pred);

    assert.equal(of((e) => e.requestURI.startsWith('/healthz')).length, 0, 'level None is not logged');

    const secret = of((e) => e.objectRef?.resource === 'secrets');
    assert.deepEqual(secret.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
    const done = secret[1]!;
    assert.equal(done.level, 'Metadata');
    assert.equal(done.verb, 'create');
    assert.equal(done.requestObject, undefined, 'Metadata level carries no bodies');
    assert.equal(done.responseObject, undefined);
    assert.deepEqual(done.objectRef, { resource: 'secrets', namespace: 'default', apiVersion: 'v1' });
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 201 });
    assert.deepEqual(done.user, { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] });
    assert.deepEqual(done.sourceIPs, ['127.0.0.1']);
    assert.equal(done.userAgent, 'audit-test/1.0');
    assert.deepEqual(done.annotations, { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' });
    assert.match(done.auditID, /^[0-9a-f-]{36}$/);
    assert.equal(secret[0]!.auditID, done.auditID);
    assert.match(done.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.ok(done.stageTimestamp >= done.requestReceivedTimestamp);
    assert.doesNotMatch(JSON.stringify(secret), /hunter2/);

    const cm = of((e) => e.objectRef?.resource === 'configmaps' && e.stage === 'ResponseComplete');
    assert.equal(cm[0]!.level, 'RequestResponse');
    assert.deepEqual((cm[0]!.requestObject as { data: unknown }).data, { a: 'b' });
    assert.equal((cm[0]!.responseObject as { metadata: { name: string } }).metadata.name, 'cm');
    assert.deepEqual(cm[1]!.responseStatus, { metadata: {}, code: 404, status: 'Failure', message: 'configmaps "missing" not found', reason: 'NotFound' });
    assert.equal(cm[1]!.objectRef?.name, 'missing');

    const svc = of((e) => e.objectRef?.resource === 'services' && e.stage === 'ResponseComplete')[0]!;
    assert.equal(svc.level, 'Request');
    assert.equal((svc.requestObject as { metadata: { name: string } }).metadata.name, 'svc');
    assert.equal(svc.responseObject, undefined);

    const podEvent = of((e) => e.objectRef?.resource === 'pods' && e.verb === 'create')[0]!;
    assert.equal(podEvent.annotations?.['pod-security.kubernetes.io/enforce-policy'], 'privileged:latest');
    assert.equal(podEvent.annotations?.['pod-security.kubernetes.io/audit-violations'], 'would violate PodSecurity "restricted:latest": hostPort (container "c" uses hostPort 80)');

    const ns = of((e) => e.objectRef?.resource === 'namespaces' && e.verb === 'list');
    assert.deepEqual(ns.map((e) => e.stage), ['ResponseComplete'], 'the catch-all rule omits RequestReceived');
    assert.equal(ns[0]!.verb, 'list');

    const w = of((e) => e.objectRef?.resource === 'pods' && e.verb === 'watch');
    assert.deepEqual(w.map((e) => e.stage), ['ResponseStarted', 'ResponseComplete']);
    assert.equal(w[0]!.verb, 'watch');
  });
});
