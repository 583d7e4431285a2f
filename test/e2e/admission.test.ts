/**
 * Admission plugins end to end: an apiserver with upstream's default plugins, driven over HTTP
 * and with real kubectl. Pods come out as upstream's do (service account, token volume,
 * tolerations, priority) and refusals carry upstream's messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parse as parseYAML } from 'yaml';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { kubectl } from './helpers/kubectl.js';

interface Res {
  status: number;
  body: Record<string, unknown>;
}

describe('admission plugins', () => {
  let srv: TestApiServer;

  async function call(method: string, path: string, body?: unknown): Promise<Res> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(srv.url + path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }
  const pod = (name: string, spec: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
  });
  const createPod = (ns: string, p: Record<string, unknown>): Promise<Res> => call('POST', `/api/v1/namespaces/${ns}/pods`, p);

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    // No controller-manager here: the default ServiceAccount is created by hand.
    assert.equal((await call('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })).status, 201);
  });
  after(async () => {
    await srv?.stop();
  });

  test('ServiceAccount: a pod whose account does not exist is refused', async () => {
    const res = await createPod('default', pod('orphan', { serviceAccountName: 'ghost' }));
    assert.equal(res.status, 403);
    assert.equal(res.body.message, 'pods "orphan" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
    const gen = await createPod('kube-public', { ...pod(''), metadata: { generateName: 'web-' } });
    assert.equal(gen.status, 403);
    assert.equal(gen.body.message, 'pods "web-" is forbidden: error looking up service account kube-public/default: serviceaccount "default" not found');
  });

  test('a pod looks as upstream makes it: account, token volume, tolerations, priority', async () => {
    const res = await createPod('default', pod('shaped', { initContainers: [{ name: 'init', image: 'busybox' }] }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const p = res.body as Pod;
    const spec = p.spec!;
    assert.equal(spec.serviceAccountName, 'default');
    assert.equal(spec.serviceAccount, 'default', 'the deprecated field follows the name admission set');
    const vol = spec.volumes?.find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(vol, 'token volume');
    assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(vol.projected, {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...spec.initContainers!, ...spec.containers]) {
      assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }], c.name);
    }
    assert.deepEqual(spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
    assert.equal(spec.priority, 0);
    assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
  });

  const cases: Array<{ name: string; spec: Record<string, unknown>; check(p: Pod): void }> = [
    { name: 'automountServiceAccountToken: false on the pod mounts nothing', spec: { automountServiceAccountToken: false }, check: (p) => assert.equal(p.spec!.volumes, undefined) },
    {
      name: 'a container that mounts the token path itself keeps its mount',
      spec: { containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }], volumes: [{ name: 'mine', emptyDir: {} }] },
      check: (p) => assert.deepEqual(p.spec!.volumes?.map((v) => v.name), ['mine']),
    },
    {
      name: 'a toleration with an empty key covers both taints',
      spec: { tolerations: [{ operator: 'Exists' }] },
      check: (p) => assert.deepEqual(p.spec!.tolerations, [{ operator: 'Exists' }]),
    },
    {
      name: 'an existing not-ready toleration is kept and only unreachable is added',
      spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] },
      check: (p) => assert.deepEqual(p.spec!.tolerations?.map((t) => [t.key, t.tolerationSeconds]), [['node.kubernetes.io/not-ready', 10], ['node.kubernetes.io/unreachable', 300]]),
    },
    { name: 'system-node-critical resolves to its value', spec: { priorityClassName: 'system-node-critical' }, check: (p) => assert.equal(p.spec!.priority, 2000001000) },
    { name: 'system-cluster-critical resolves to its value', spec: { priorityClassName: 'system-cluster-critical' }, check: (p) => assert.equal(p.spec!.priority, 2000000000) },
  ];
  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const res = await createPod('default', pod(`case-${i}`, c.spec));
      assert.equal(res.status, 201, JSON.stringify(res.body));
      c.check(res.body as Pod);
    });
  }

  test('Priority: unknown classes and hand-set priorities are refused', async () => {
    const unknown = await createPod('default', pod('p1', { priorityClassName: 'nope' }));
    assert.equal(unknown.status, 403);
    assert.equal(unknown.body.message, 'pods "p1" is forbidden: no PriorityClass with name nope was found');
    const handSet = await createPod('default', pod('p2', { priority: 7 }));
    assert.equal(handSet.status, 403);
    assert.equal(handSet.body.message, 'pods "p2" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');
  });

  test('Priority: the globalDefault class applies to pods without a class, and only one may exist', async () => {
    const pc = (name: string): Record<string, unknown> => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 1000, globalDefault: true, preemptionPolicy: 'Never' });
    assert.equal((await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('everyone'))).status, 201);
    const second = await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', pc('another'));
    assert.equal(second.status, 403);
    assert.equal(second.body.message, 'priorityclasses.scheduling.k8s.io "another" is forbidden: PriorityClass everyone is already marked as default. Only one default can exist');
    // The watch cache catches up asynchronously; the plugin reads it for the default class.
    let p: Pod | undefined;
    for (let i = 0; i < 50 && p?.spec?.priorityClassName !== 'everyone'; i++) {
      const res = await createPod('default', pod(`defaulted-${i}`));
      p = res.body as Pod;
      if (p.spec?.priorityClassName !== 'everyone') await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(p?.spec?.priorityClassName, 'everyone');
    assert.equal(p?.spec?.priority, 1000);
    assert.equal(p?.spec?.preemptionPolicy, 'Never');
    assert.equal((await call('DELETE', '/apis/scheduling.k8s.io/v1/priorityclasses/everyone')).status, 200);
  });

  test('kubectl: the token volume and tolerations show in get -o yaml', async () => {
    const applied = await kubectl(['apply', '-f', '-'], { kubeconfig: srv.kubeconfig, stdin: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-kubectl\nspec:\n  containers:\n  - name: app\n    image: nginx\n' });
    assert.equal(applied.code, 0, applied.stderr);
    const got = await kubectl(['get', 'pod', 'from-kubectl', '-o', 'yaml'], { kubeconfig: srv.kubeconfig });
    assert.equal(got.code, 0, got.stderr);
    const p = parseYAML(got.stdout) as Pod;
    assert.equal(p.spec!.serviceAccountName, 'default');
    assert.equal(p.spec!.containers[0]!.volumeMounts![0]!.mountPath, '/var/run/secrets/kubernetes.io/serviceaccount');
    assert.match(got.stdout, /- name: kube-api-access-\w{5}\n {4}projected:\n {6}defaultMode: 420\n {6}sources:\n {6}- serviceAccountToken:\n {10}expirationSeconds: 3607\n {10}path: token/);
    assert.equal(p.spec!.tolerations?.length, 2);
  });
});
