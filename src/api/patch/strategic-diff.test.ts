import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.js';
import { applyStrategicMergePatch, createThreeWayMergePatch, createTwoWayMergePatch } from './index.js';

const pod = { group: '', version: 'v1', kind: 'Pod' };
type Doc = Record<string, unknown>;
const ctr = (name: string, extra: Doc = {}): Doc => ({ name, ...extra });

const twoWay: { name: string; original: Doc; modified: Doc; patch: Doc }[] = [
  {
    name: 'changed container field',
    original: { spec: { containers: [ctr('a', { image: '1' })] } },
    modified: { spec: { containers: [ctr('a', { image: '2' })] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [ctr('a', { image: '2' })] } },
  },
  {
    name: 'removed container becomes $patch: delete',
    original: { spec: { containers: [ctr('a'), ctr('b')] } },
    modified: { spec: { containers: [ctr('a')] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ $patch: 'delete', name: 'b' }] } },
  },
  {
    name: 'primitive merge list: additions, deletion list and order',
    original: { metadata: { finalizers: ['a', 'b'] } },
    modified: { metadata: { finalizers: ['b', 'c'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] } },
  },
  {
    name: 'removed map key becomes null; unchanged fields are left out',
    original: { metadata: { name: 'x', labels: { a: '1', b: '2' } } },
    modified: { metadata: { name: 'x', labels: { a: '1' } } },
    patch: { metadata: { labels: { b: null } } },
  },
  {
    name: 'retainKeys on a volume whose source changes',
    original: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    modified: { spec: { volumes: [{ name: 'v', hostPath: { path: '/tmp' } }] } },
    patch: { spec: { '$setElementOrder/volumes': [{ name: 'v' }], volumes: [{ $retainKeys: ['hostPath', 'name'], emptyDir: null, hostPath: { path: '/tmp' }, name: 'v' }] } },
  },
  {
    name: 'atomic lists are replaced whole',
    original: { spec: { containers: [ctr('a', { args: ['1', '2'] })] } },
    modified: { spec: { containers: [ctr('a', { args: ['1'] })] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [ctr('a', { args: ['1'] })] } },
  },
  { name: 'identical objects give an empty patch', original: { spec: { containers: [ctr('a')] } }, modified: { spec: { containers: [ctr('a')] } }, patch: {} },
];

for (const c of twoWay) {
  test(`two-way patch: ${c.name}`, () => {
    const patch = createTwoWayMergePatch(c.original as KubeObject, c.modified as KubeObject, pod);
    assert.deepEqual(patch, c.patch);
    assert.deepEqual(applyStrategicMergePatch(pod, c.original as KubeObject, patch), c.modified, 'applying the patch yields modified');
  });
}

const roundTrips: { name: string; original: Doc; modified: Doc }[] = [
  {
    name: 'reordered and replaced containers with env changes',
    original: { spec: { containers: [ctr('a', { env: [{ name: 'X', value: '1' }] }), ctr('b'), ctr('c')] } },
    modified: { spec: { containers: [ctr('c'), ctr('a', { env: [{ name: 'Y', value: '2' }, { name: 'X', value: '3' }] }), ctr('d')] } },
  },
  {
    name: 'ports keyed by containerPort, tolerations atomic, nested maps',
    original: { metadata: { annotations: { k: 'v' } }, spec: { tolerations: [{ key: 'a' }], containers: [ctr('a', { ports: [{ containerPort: 80 }, { containerPort: 81 }] })] } },
    modified: { metadata: { annotations: { k: 'w', j: 'x' } }, spec: { tolerations: [{ key: 'b' }], containers: [ctr('a', { ports: [{ containerPort: 81, name: 'x' }] })] } },
  },
];

for (const c of roundTrips) {
  test(`two-way patch round trip: ${c.name}`, () => {
    const patch = createTwoWayMergePatch(c.original as KubeObject, c.modified as KubeObject, pod);
    assert.deepEqual(applyStrategicMergePatch(pod, c.original as KubeObject, patch), c.modified);
  });
}

test('three-way patch: deletes what the user removed, keeps what others added', () => {
  const lastApplied = { metadata: { labels: { a: '1', b: '2' } }, spec: { containers: [ctr('app', { image: 'v1' })] } };
  const config = { metadata: { labels: { a: '1' } }, spec: { containers: [ctr('app', { image: 'v2' })] } };
  const live = {
    metadata: { labels: { a: '1', b: '2', added: 'by-controller' }, uid: 'u' },
    spec: { nodeName: 'n1', containers: [ctr('app', { image: 'v1', imagePullPolicy: 'IfNotPresent' }), ctr('sidecar')] },
  };
  const patch = createThreeWayMergePatch(lastApplied as KubeObject, config as KubeObject, live as KubeObject, pod);
  assert.deepEqual(patch, {
    metadata: { labels: { b: null } },
    spec: { '$setElementOrder/containers': [{ name: 'app' }], containers: [ctr('app', { image: 'v2' })] },
  });
  assert.deepEqual(applyStrategicMergePatch(pod, live as KubeObject, patch), {
    metadata: { labels: { a: '1', added: 'by-controller' }, uid: 'u' },
    spec: { nodeName: 'n1', containers: [ctr('app', { image: 'v2', imagePullPolicy: 'IfNotPresent' }), ctr('sidecar')] },
  });
});

test('three-way patch: a container removed from the configuration is deleted', () => {
  const lastApplied = { spec: { containers: [ctr('a'), ctr('b')] } };
  const config = { spec: { containers: [ctr('a')] } };
  const patch = createThreeWayMergePatch(lastApplied as KubeObject, config as KubeObject, lastApplied as KubeObject, pod);
  assert.deepEqual(applyStrategicMergePatch(pod, lastApplied as KubeObject, patch), config);
});

test('three-way patch without a last-applied configuration only adds', () => {
  const patch = createThreeWayMergePatch(undefined, { metadata: { labels: { a: '1' } } }, { metadata: { labels: { b: '2' } } }, pod);
  assert.deepEqual(patch, { metadata: { labels: { a: '1' } } });
});
