import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { countMatchingPods, countOn, internKey, selectorCounts } from '../framework/topology.js';
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

  describe('per-node selector counts across pod add, update and delete', () => {
    const web = selectorFromLabelSelector({ matchLabels: { app: 'web' } });
    const key = internKey('default\u0000{"matchLabels":{"app":"web"}}');
    const bound = (name: string, labels: Record<string, string>, extra: Partial<Pod['metadata']> = {}): Pod => {
      const p = makePod(name, { nodeName: 'n', labels, cpu: '100m', uid: `uid-${name}` });
      return { ...p, metadata: { ...p.metadata, ...extra } };
    };
    // each step changes the cache, then the node's count (memoized) must equal a recount
    const steps: Array<{ name: string; apply: (c: Cache) => void; count: number; matchGenKept: boolean; milliCPU: number }> = [
      { name: 'add a matching pod', apply: (c) => c.addPod(bound('a', { app: 'web' })), count: 1, matchGenKept: false, milliCPU: 100 },
      { name: 'add a pod of another app', apply: (c) => c.addPod(bound('b', { app: 'db' })), count: 1, matchGenKept: false, milliCPU: 200 },
      {
        name: 'status-only update keeps the memo',
        apply: (c) => {
          const p = bound('a', { app: 'web' });
          c.updatePod(p, { ...p, status: { phase: 'Running' } });
        },
        count: 1,
        matchGenKept: true,
        milliCPU: 200,
      },
      {
        name: 'resize without relabel keeps the memo but not the requests',
        apply: (c) => {
          const p = bound('a', { app: 'web' });
          c.updatePod(p, { ...p, spec: { ...p.spec!, containers: [{ name: 'c', image: 'pause', resources: { requests: { cpu: '300m' } } }] } });
        },
        count: 1,
        matchGenKept: true,
        milliCPU: 400,
      },
      { name: 'relabel into the selector', apply: (c) => c.updatePod(bound('b', { app: 'db' }), bound('b', { app: 'web' })), count: 2, matchGenKept: false, milliCPU: 400 },
      {
        name: 'a terminating pod no longer counts',
        apply: (c) => c.updatePod(bound('b', { app: 'web' }), bound('b', { app: 'web' }, { deletionTimestamp: '2026-01-01T00:00:00Z' })),
        count: 1,
        matchGenKept: false,
        milliCPU: 400,
      },
      { name: 'delete', apply: (c) => c.removePod(bound('b', { app: 'web' })), count: 1, matchGenKept: false, milliCPU: 300 },
      { name: 'node heartbeat keeps the memo', apply: (c) => c.updateNode(makeNode('n'), { ...makeNode('n'), status: { ...makeNode('n').status, phase: 'Running' } }), count: 1, matchGenKept: true, milliCPU: 300 },
      { name: 'node relabel moves the memo', apply: (c) => c.updateNode(makeNode('n'), makeNode('n', { labels: { zone: 'z' } })), count: 1, matchGenKept: false, milliCPU: 300 },
    ];
    it('keeps counts, requests and matchGeneration right at each step', () => {
      const c = new Cache(() => 0);
      c.addNode(makeNode('n'));
      const snap = new Snapshot(c);
      snap.update();
      const n = snap.get('n')!;
      for (const st of steps) {
        const before = n.matchGeneration;
        st.apply(c);
        snap.update();
        assert.equal(n.matchGeneration === before, st.matchGenKept, `${st.name}: matchGeneration kept`);
        assert.equal(countMatchingPods(n, 'default', web, key), st.count, `${st.name}: count`);
        const recount = n.pods.filter((p) => !p.pod.metadata?.deletionTimestamp && web.matches(p.labels)).length;
        assert.equal(recount, st.count, `${st.name}: recount`);
        assert.equal(n.requested.milliCPU, st.milliCPU, `${st.name}: requested cpu`);
        assert.equal(n.reqMilliCPU, st.milliCPU, `${st.name}: hot copy of requested cpu`);
      }
      assert.equal(c.podCount(), 1);
    });

    it('memoized counts (per node and per selector) equal a recount through 600 random adds, relabels, status updates, terminations and deletes', () => {
      let seed = 7;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return Math.floor(seed / 65536) % n;
      };
      const selectors = ([{ app: 'web' }, { app: 'db' }, { tier: 'x' }] as Array<Record<string, string>>).map((ml) => ({ sel: selectorFromLabelSelector({ matchLabels: ml }), key: internKey('rand\u0000' + JSON.stringify(ml)) }));
      const labelSets: Array<Record<string, string>> = [{ app: 'web' }, { app: 'db', tier: 'x' }, { app: 'web', tier: 'x' }, {}];
      const c = new Cache(() => 0);
      for (const n of ['n1', 'n2']) c.addNode(makeNode(n));
      const snap = new Snapshot(c);
      const live = new Map<string, Pod>();
      for (let step = 0; step < 600; step++) {
        const name = `p${rand(12)}`;
        const cur = live.get(name);
        const op = rand(5);
        if (!cur) {
          const p = makePod(name, { nodeName: `n${1 + rand(2)}`, labels: labelSets[rand(4)]!, uid: `r-${name}` });
          c.addPod(p);
          live.set(name, p);
        } else if (op === 0) {
          c.removePod(cur);
          live.delete(name);
        } else {
          const next: Pod =
            op === 1
              ? { ...cur, metadata: { ...cur.metadata, labels: labelSets[rand(4)]! } }
              : op === 2
                ? { ...cur, metadata: { ...cur.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }
                : { ...cur, status: { phase: step % 2 ? 'Running' : 'Pending' } };
          c.updatePod(cur, next);
          live.set(name, next);
        }
        snap.update();
        for (const n of snap.nodeInfos()) {
          // the hot copies Filter and Score read stay equal to the aggregates they copy
          assert.equal(n.podCount, n.pods.length, `step ${step} node ${n.name}: podCount`);
          assert.equal(n.reqMilliCPU, n.pods.reduce((a, p) => a + p.requests.milliCPU, 0), `step ${step} node ${n.name}: reqMilliCPU`);
          assert.equal(n.nonZeroMemory, n.pods.reduce((a, p) => a + p.nonZeroRequests.memory, 0), `step ${step} node ${n.name}: nonZeroMemory`);
          assert.equal(n.allocMemory, n.allocatable.memory, `step ${step} node ${n.name}: allocMemory`);
        }
        // ask each (node, selector) now and then, so memos fall behind by one or many changes
        for (const n of snap.nodeInfos()) {
          for (const { sel, key } of selectors) {
            if (rand(step % 100 < 50 ? 3 : 40) !== 0) continue;
            const want = n.pods.filter((p) => p.namespace === 'default' && !p.pod.metadata?.deletionTimestamp && sel.matches(p.labels)).length;
            assert.equal(countMatchingPods(n, 'default', sel, key), want, `step ${step} node ${n.name} ${key}`);
            assert.equal(countOn(selectorCounts(key + '\u0000countOn', 'default', sel), n), want, `countOn: step ${step} node ${n.name} ${key}`);
          }
        }
      }
    });

    it('counts tainted and cordoned nodes through adds, updates and removals', () => {
      const c = new Cache(() => 0);
      const taint = [{ key: 'k', effect: 'NoSchedule' }];
      const steps: Array<{ name: string; apply: () => void; tainted: number; unschedulable: number }> = [
        { name: 'plain node', apply: () => c.addNode(makeNode('a')), tainted: 0, unschedulable: 0 },
        { name: 'tainted node', apply: () => c.addNode(makeNode('b', { taints: taint })), tainted: 1, unschedulable: 0 },
        { name: 'taint removed', apply: () => c.updateNode(makeNode('b', { taints: taint }), makeNode('b')), tainted: 0, unschedulable: 0 },
        { name: 'cordoned and tainted', apply: () => c.updateNode(makeNode('a'), makeNode('a', { unschedulable: true, taints: taint })), tainted: 1, unschedulable: 1 },
        { name: 'heartbeat of the same', apply: () => c.updateNode(makeNode('a'), makeNode('a', { unschedulable: true, taints: taint })), tainted: 1, unschedulable: 1 },
        { name: 'removed', apply: () => c.removeNode(makeNode('a')), tainted: 0, unschedulable: 0 },
      ];
      for (const st of steps) {
        st.apply();
        assert.deepEqual([c.taintedNodes, c.unschedulableNodes], [st.tainted, st.unschedulable], st.name);
      }
    });

    it('a pod confirmed on the node it was assumed on replaces the assumed one', () => {
      const c = new Cache(() => 0);
      c.addNode(makeNode('n'));
      const p = makePod('p', { labels: { app: 'web' }, cpu: '1' });
      c.assumePod(p, 'n');
      const snap = new Snapshot(c);
      snap.update();
      const n = snap.get('n')!;
      assert.equal(countMatchingPods(n, 'default', web, key), 1);
      const gen = n.matchGeneration;
      c.addPod({ ...p, spec: { ...p.spec!, nodeName: 'n' } });
      assert.equal(n.matchGeneration, gen);
      assert.equal(n.pods.length, 1);
      assert.equal(n.requested.milliCPU, 1000);
      assert.equal(countMatchingPods(n, 'default', web, key), 1);
      assert.equal(c.isAssumed(p), false);
    });

    it('an update that adds pod anti-affinity joins the anti-affinity list', () => {
      const c = new Cache(() => 0);
      c.addNode(makeNode('n'));
      const p = bound('x', { app: 'web' });
      c.addPod(p);
      const anti = { ...p, spec: { ...p.spec!, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: {} }] } } } };
      const snap = new Snapshot(c);
      snap.update();
      const gen = snap.get('n')!.matchGeneration;
      c.updatePod(p, anti);
      snap.update();
      assert.notEqual(snap.get('n')!.matchGeneration, gen);
      assert.deepEqual(snap.havePodsWithRequiredAntiAffinity().map((n) => n.name), ['n']);
      assert.equal(snap.get('n')!.podsWithAffinity.length, 1);
    });
  });
});
