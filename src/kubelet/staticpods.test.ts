import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMirrorPod, mirrorPodFor, readStaticPods } from './staticpods.js';

test('static pods: named <name>-<node>, uid from content, mirror pods annotated and owned by the Node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-static-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec: {containers: [{name: etcd, image: etcd}]}\n');
    writeFileSync(join(dir, 'b.yaml'), 'kind: Service\n');
    writeFileSync(join(dir, '.hidden.yaml'), 'kind: Pod\n');
    const errors: string[] = [];
    const pods = readStaticPods(dir, 'node-1', (f) => errors.push(f));
    assert.equal(pods.length, 1);
    assert.deepEqual(errors, [join(dir, 'b.yaml')]);
    const p = pods[0]!;
    assert.equal(p.metadata!.name, 'etcd-node-1');
    assert.equal(p.metadata!.namespace, 'kube-system');
    assert.equal(p.spec!.nodeName, 'node-1');
    assert.equal(p.metadata!.annotations!['kubernetes.io/config.source'], 'file');
    assert.equal(readStaticPods(dir, 'node-1')[0]!.metadata!.uid, p.metadata!.uid, 'uid is stable for the same content');
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: etcd, namespace: kube-system}\nspec: {containers: [{name: etcd, image: etcd:v2}]}\n');
    assert.notEqual(readStaticPods(dir, 'node-1')[0]!.metadata!.uid, p.metadata!.uid, 'a new manifest is a new pod');
    const m = mirrorPodFor(p, 'node-uid');
    assert.ok(isMirrorPod(m));
    assert.equal(m.metadata!.annotations!['kubernetes.io/config.mirror'], p.metadata!.uid);
    assert.deepEqual(m.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'node-uid', controller: true }]);
    assert.equal(isMirrorPod(p), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
