/**
 * The default-on admission plugins that shape storage, ingress, node and runtime-class objects,
 * through a real apiserver (in-memory SQLite) with kube-apiserver's default plugin set:
 * DefaultStorageClass, StorageObjectInUseProtection, PersistentVolumeClaimResize,
 * DefaultIngressClass, TaintNodesByCondition, RuntimeClass.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { startTestApiServer, type TestApiServer } from '../testing.js';
import { DEFAULT_ADMISSION_PLUGINS, AVAILABLE_ADMISSION_PLUGINS, enabledAdmissionPlugins } from './index.js';
import { newestDefault } from './storageclass.js';
import { mergeTolerations } from './runtimeclass.js';

interface Res {
  status: number;
  body: Record<string, unknown>;
}

describe('default admission plugins', () => {
  let srv: TestApiServer;
  async function call(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Res> {
    const init: RequestInit = { method, headers: { 'Content-Type': contentType } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(srv.url + path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }
  const ok = async (method: string, path: string, body?: unknown, contentType?: string): Promise<Record<string, unknown>> => {
    const r = await call(method, path, body, contentType);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const pvc = (name: string, spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, ...metadata },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
  });
  const sc = (name: string, annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, annotations },
    provisioner: 'example.com/none',
    ...extra,
  });
  const PVCS = '/api/v1/namespaces/default/persistentvolumeclaims';

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    await ok('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
  });
  after(async () => {
    await srv?.stop();
  });

  test('the new plugins are on by default, in upstream order, and the flags accept them', () => {
    const order = ['LimitRanger', 'ServiceAccount', 'TaintNodesByCondition', 'PodSecurity', 'Priority', 'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection', 'PersistentVolumeClaimResize', 'RuntimeClass', 'DefaultIngressClass', 'MutatingAdmissionWebhook', 'ValidatingAdmissionWebhook', 'ResourceQuota'];
    assert.deepEqual(AVAILABLE_ADMISSION_PLUGINS, order);
    assert.deepEqual(DEFAULT_ADMISSION_PLUGINS, order);
    assert.deepEqual(enabledAdmissionPlugins([], ['DefaultStorageClass', 'TaintNodesByCondition', 'RuntimeClass']).includes('DefaultStorageClass'), false);
    assert.equal(enabledAdmissionPlugins(['DefaultIngressClass'], []).includes('DefaultIngressClass'), true);
  });

  test('newestDefault: the newest default class wins, the smaller name on a tie', () => {
    const c = (name: string, at: string, isDefault = true): { metadata: { name: string; creationTimestamp: string }; d: boolean } => ({ metadata: { name, creationTimestamp: at }, d: isDefault });
    const cases: Array<{ name: string; classes: ReturnType<typeof c>[]; want: string | undefined }> = [
      { name: 'none', classes: [], want: undefined },
      { name: 'no default', classes: [c('a', '2024-01-01T00:00:00Z', false)], want: undefined },
      { name: 'newest', classes: [c('old', '2024-01-01T00:00:00Z'), c('new', '2024-01-02T00:00:00Z'), c('newer-but-not-default', '2024-01-03T00:00:00Z', false)], want: 'new' },
      { name: 'tie by name', classes: [c('zeta', '2024-01-01T00:00:00Z'), c('alpha', '2024-01-01T00:00:00Z')], want: 'alpha' },
    ];
    for (const tc of cases) assert.equal(newestDefault(tc.classes, (x) => x.d)?.metadata.name, tc.want, tc.name);
  });

  test('DefaultStorageClass: no default leaves the claim alone; a default (GA or beta annotation) is set; an explicit class stays', async () => {
    const none = (await ok('POST', PVCS, pvc('before-default'))) as PersistentVolumeClaim;
    assert.equal(none.spec?.storageClassName, undefined);
    await ok('POST', '/apis/storage.k8s.io/v1/storageclasses', sc('plain'));
    await ok('POST', '/apis/storage.k8s.io/v1/storageclasses', sc('beta-default', { 'storageclass.beta.kubernetes.io/is-default-class': 'true' }));
    const beta = (await ok('POST', PVCS, pvc('beta'))) as PersistentVolumeClaim;
    assert.equal(beta.spec?.storageClassName, 'beta-default');
    await ok('POST', '/apis/storage.k8s.io/v1/storageclasses', sc('a-default', { 'storageclass.kubernetes.io/is-default-class': 'true' }, { allowVolumeExpansion: true }));
    // Same creation second as beta-default (most likely): the smaller name; a later second: the newer.
    const two = (await ok('POST', PVCS, pvc('two-defaults'))) as PersistentVolumeClaim;
    assert.equal(two.spec?.storageClassName, 'a-default');
    const cases: Array<{ name: string; claim: Record<string, unknown>; want: string | undefined }> = [
      { name: 'explicit class', claim: pvc('explicit', { storageClassName: 'plain' }), want: 'plain' },
      { name: 'empty class means none', claim: pvc('empty', { storageClassName: '' }), want: '' },
      { name: 'beta annotation counts as a class', claim: pvc('annotated', {}, { annotations: { 'volume.beta.kubernetes.io/storage-class': 'plain' } }), want: undefined },
    ];
    for (const tc of cases) assert.equal(((await ok('POST', PVCS, tc.claim)) as PersistentVolumeClaim).spec?.storageClassName, tc.want, tc.name);
  });

  test('StorageObjectInUseProtection: claims and volumes are created with their protection finalizer, once', async () => {
    const c = (await ok('POST', PVCS, pvc('protected', { storageClassName: 'plain' }, { finalizers: ['example.com/keep'] }))) as PersistentVolumeClaim;
    assert.deepEqual(c.metadata?.finalizers, ['example.com/keep', 'kubernetes.io/pvc-protection']);
    const again = (await ok('POST', PVCS, pvc('already', { storageClassName: 'plain' }, { finalizers: ['kubernetes.io/pvc-protection'] }))) as PersistentVolumeClaim;
    assert.deepEqual(again.metadata?.finalizers, ['kubernetes.io/pvc-protection']);
    const pv = (await ok('POST', '/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'pv1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv1' } },
    })) as PersistentVolume;
    assert.deepEqual(pv.metadata?.finalizers, ['kubernetes.io/pv-protection']);
    // Deleting leaves the claim Terminating: the finalizer waits for the pvc-protection controller.
    const del = await call('DELETE', `${PVCS}/already`);
    assert.equal(del.status, 200);
    assert.ok(((await ok('GET', `${PVCS}/already`)) as PersistentVolumeClaim).metadata?.deletionTimestamp);
  });

  test('PersistentVolumeClaimResize: only a Bound claim of an expandable class may grow, with upstream messages', async () => {
    await ok('POST', PVCS, pvc('grow-ok', { storageClassName: 'a-default' }));
    await ok('POST', PVCS, pvc('grow-no', { storageClassName: 'plain' }));
    for (const n of ['grow-ok', 'grow-no']) await ok('PATCH', `${PVCS}/${n}/status`, { status: { phase: 'Bound' } }, 'application/merge-patch+json');
    const grow = (n: string, size: string): Promise<Res> => call('PATCH', `${PVCS}/${n}`, { spec: { resources: { requests: { storage: size } } } }, 'application/merge-patch+json');
    const no = await grow('grow-no', '2Gi');
    assert.equal(no.status, 403);
    assert.equal(no.body.message, 'persistentvolumeclaims "grow-no" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    const yes = await grow('grow-ok', '2Gi');
    assert.equal(yes.status, 200, JSON.stringify(yes.body));
    assert.equal(((yes.body as PersistentVolumeClaim).spec?.resources?.requests ?? {})['storage'], '2Gi');
  });

  test('DefaultIngressClass: an Ingress without a class gets the default; the field or legacy annotation is kept', async () => {
    const ING = '/apis/networking.k8s.io/v1/namespaces/default/ingresses';
    const ing = (name: string, spec: Record<string, unknown> = {}, annotations?: Record<string, string>): Record<string, unknown> => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } }, ...spec },
    });
    assert.equal(((await ok('POST', ING, ing('no-default'))) as Ingress).spec?.ingressClassName, undefined);
    for (const [name, isDefault] of [['nginx', 'true'], ['other', 'false']] as const) {
      await ok('POST', '/apis/networking.k8s.io/v1/ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations: { 'ingressclass.kubernetes.io/is-default-class': isDefault } }, spec: { controller: 'example.com/ingress' } });
    }
    const cases: Array<{ name: string; obj: Record<string, unknown>; want: string | undefined }> = [
      { name: 'defaulted', obj: ing('defaulted'), want: 'nginx' },
      { name: 'explicit', obj: ing('explicit', { ingressClassName: 'other' }), want: 'other' },
      { name: 'legacy annotation', obj: ing('legacy', {}, { 'kubernetes.io/ingress.class': 'other' }), want: undefined },
    ];
    for (const tc of cases) assert.equal(((await ok('POST', ING, tc.obj)) as Ingress).spec?.ingressClassName, tc.want, tc.name);
  });

  test('TaintNodesByCondition: a new Node carries not-ready:NoSchedule, unless it already has that key and effect', async () => {
    const cases: Array<{ name: string; taints?: Array<Record<string, string>>; want: string[] }> = [
      { name: 'plain', want: ['node.kubernetes.io/not-ready::NoSchedule'] },
      { name: 'foreign', taints: [{ key: 'example.com/x', value: 'y', effect: 'NoExecute' }], want: ['example.com/x:y:NoExecute', 'node.kubernetes.io/not-ready::NoSchedule'] },
      { name: 'present', taints: [{ key: 'node.kubernetes.io/not-ready', value: 'v', effect: 'NoSchedule' }], want: ['node.kubernetes.io/not-ready:v:NoSchedule'] },
    ];
    for (const tc of cases) {
      const n = (await ok('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${tc.name}` }, ...(tc.taints ? { spec: { taints: tc.taints } } : {}) })) as Node;
      assert.deepEqual(n.spec?.taints?.map((t) => `${t.key}:${t.value ?? ''}:${t.effect}`), tc.want, tc.name);
    }
  });

  test('RuntimeClass: overhead and scheduling are applied; missing classes and mismatched overheads are Forbidden', async () => {
    await ok('POST', '/apis/node.k8s.io/v1/runtimeclasses', {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: 'kata' },
      handler: 'kata',
      overhead: { podFixed: { cpu: '250m', memory: '120Mi' } },
      scheduling: { nodeSelector: { runtime: 'kata' }, tolerations: [{ key: 'kata', operator: 'Exists', effect: 'NoSchedule' }] },
    });
    const pod = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
    const POD = '/api/v1/namespaces/default/pods';
    const p = (await ok('POST', POD, pod('kata-pod', { runtimeClassName: 'kata', nodeSelector: { disk: 'ssd' } }))) as Pod;
    assert.deepEqual(p.spec?.overhead, { cpu: '250m', memory: '120Mi' });
    assert.deepEqual(p.spec?.nodeSelector, { disk: 'ssd', runtime: 'kata' });
    assert.ok(p.spec?.tolerations?.some((t) => t.key === 'kata' && t.effect === 'NoSchedule'), JSON.stringify(p.spec?.tolerations));
    const same = await call('POST', POD, pod('same-overhead', { runtimeClassName: 'kata', overhead: { cpu: '0.25', memory: '120Mi' } }));
    assert.equal(same.status, 201, JSON.stringify(same.body));
    const cases: Array<{ name: string; spec: Record<string, unknown>; message: string }> = [
      { name: 'missing', spec: { runtimeClassName: 'gvisor' }, message: 'pods "missing" is forbidden: pod rejected: RuntimeClass "gvisor" not found' },
      { name: 'overhead-differs', spec: { runtimeClassName: 'kata', overhead: { cpu: '1' } }, message: `pods "overhead-differs" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead` },
      { name: 'overhead-alone', spec: { overhead: { cpu: '1' } }, message: 'pods "overhead-alone" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead' },
      { name: 'selector-conflict', spec: { runtimeClassName: 'kata', nodeSelector: { runtime: 'runc' } }, message: 'pods "selector-conflict" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; pod.spec.nodeSelector[runtime] = runc' },
    ];
    for (const tc of cases) {
      const r = await call('POST', POD, pod(tc.name, tc.spec));
      assert.equal(r.status, 403, `${tc.name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.message, tc.message, tc.name);
    }
  });

  test('mergeTolerations keeps the wider of two tolerations and drops duplicates', () => {
    const cases: Array<{ name: string; a: Array<Record<string, unknown>>; b: Array<Record<string, unknown>>; want: Array<Record<string, unknown>> }> = [
      { name: 'disjoint', a: [{ key: 'a', operator: 'Exists' }], b: [{ key: 'b', operator: 'Exists' }], want: [{ key: 'a', operator: 'Exists' }, { key: 'b', operator: 'Exists' }] },
      { name: 'duplicate', a: [{ key: 'a', operator: 'Exists' }], b: [{ key: 'a', operator: 'Exists' }], want: [{ key: 'a', operator: 'Exists' }] },
      { name: 'exists covers equal', a: [{ key: 'a', operator: 'Equal', value: 'x', effect: 'NoSchedule' }], b: [{ key: 'a', operator: 'Exists' }], want: [{ key: 'a', operator: 'Exists' }] },
      { name: 'match-all covers everything', a: [{ key: 'a', operator: 'Exists' }], b: [{ operator: 'Exists' }], want: [{ operator: 'Exists' }] },
      { name: 'shorter NoExecute is not wider', a: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], b: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }], want: [{ key: 'a', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] },
    ];
    for (const tc of cases) assert.deepEqual(mergeTolerations(tc.a, tc.b), tc.want, tc.name);
  });
});
