import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNode, makePod } from '../testing.js';
import { Cache, Snapshot } from './cache.js';

describe('Cache', () => {
  it('assumed pods count at once and expire if the watch never confirms them', () => {
    let now = 0;
    const c = new Cache(() => now, 30_000);
    c.addNode(makeNode('n', { cpu: '2' }));
    const p = makePod('p', { cpu: '1' });
    c.assumePod(p, 'n');
    const snap = new Snapshot(c);
    snap.update();
    assert.equal(snap.get('n')!.requested.milliCPU, 1000);
    now = 60_000;
    assert.deepEqual(c.cleanupAssumedPods(), [], 'no expiry while binding is in flight');
    c.finishBinding(p);
    now += 29_999;
    assert.deepEqual(c.cleanupAssumedPods(), []);
    now += 1;
    assert.deepEqual(c.cleanupAssumedPods(), [p.metadata!.uid]);
    assert.equal(snap.get('n')!.requested.milliCPU, 0);
  });

  it('the watch confirms an assumed pod, which then never expires', () => {
    let now = 0;
    const c = new Cache(() => now, 1000);
    c.addNode(makeNode('n'));
    const p = makePod('p', { cpu: '1' });
    c.assumePod(p, 'n');
    c.finishBinding(p);
    c.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n' } });
    now = 10_000;
    assert.deepEqual(c.cleanupAssumedPods(), []);
    assert.equal(c.isAssumed(p), false);
    assert.equal(c.podCount(), 1);
  });

  it('forgetPod undoes an assumption', () => {
    const c = new Cache(() => 0);
    c.addNode(makeNode('n'));
    const p = makePod('p', { cpu: '1', containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80 }], resources: { requests: { cpu: '1' } } }] });
    c.assumePod(p, 'n');
    c.forgetPod(p);
    const snap = new Snapshot(c);
    snap.update();
    assert.equal(snap.get('n')!.requested.milliCPU, 0);
    assert.equal(snap.get('n')!.usedPorts.get('0.0.0.0')?.size ?? 0, 0);
  });

  it('snapshot interleaves zones and tracks nodes with affinity pods', () => {
    const c = new Cache(() => 0);
    const z = 'topology.kubernetes.io/zone';
    for (const n of ['a1', 'a2', 'a3', 'b1']) c.addNode(makeNode(n, { labels: { [z]: n[0]! } }));
    const snap = new Snapshot(c);
    snap.update();
    assert.deepEqual(snap.nodeInfos().map((n) => n.name), ['a1', 'b1', 'a2', 'a3']);
    const anti = makePod('x', { nodeName: 'a2', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: z, labelSelector: {} }] } } } });
    c.addPod(anti);
    snap.update();
    assert.deepEqual(snap.havePodsWithRequiredAntiAffinity().map((n) => n.name), ['a2']);
    c.removePod(anti);
    snap.update();
    assert.deepEqual(snap.havePodsWithRequiredAntiAffinity(), []);
  });

  it('image states count the nodes holding each image', () => {
    const c = new Cache(() => 0);
    const img = { names: ['nginx:1.25'], sizeBytes: 100 };
    c.addNode(makeNode('a', { images: [img] }));
    c.addNode(makeNode('b', { images: [img] }));
    const snap = new Snapshot(c);
    snap.update();
    assert.equal(snap.get('a')!.imageStates.get('nginx:1.25')?.numNodes, 2);
    c.removeNode(makeNode('b'));
    assert.equal(snap.get('a')!.imageStates.get('nginx:1.25')?.numNodes, 1);
  });
});
