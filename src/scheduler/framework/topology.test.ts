import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { countMatchingPods, countOn, internKey, SelectorCounts } from './topology.js';
import { labelSetOf, NodeInfo, PodInfo } from './types.js';

function pod(name: string, ns: string, labels: Record<string, string>, opts: { terminating?: boolean; phase?: string } = {}): PodInfo {
  return new PodInfo({
    metadata: { name, namespace: ns, uid: `${ns}/${name}`, labels, ...(opts.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: opts.phase ?? 'Pending' },
  } as Pod);
}

const selectors: { name: string; ls: LabelSelector }[] = [
  { name: 'app=a', ls: { matchLabels: { app: 'a' } } },
  { name: 'app=b,tier=web', ls: { matchLabels: { app: 'b', tier: 'web' } } },
  { name: 'app in (a,b)', ls: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] } },
  { name: '!tier', ls: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } },
  { name: 'everything', ls: {} },
];

/** recount is the definition: pods on the node in ns, not terminating unless included, matching. */
function recount(node: NodeInfo, ns: string, ls: LabelSelector, includeTerminating: boolean): number {
  const sel = selectorFromLabelSelector(ls);
  return node.pods.filter((p) => p.namespace === ns && (includeTerminating || !p.pod.metadata?.deletionTimestamp) && sel.matches(p.labels)).length;
}

describe('label-set counting', () => {
  it('interns equal (namespace, labels) to one LabelSet regardless of key order', () => {
    assert.equal(labelSetOf('ns', { a: '1', b: '2' }), labelSetOf('ns', { b: '2', a: '1' }));
    assert.notEqual(labelSetOf('ns', { a: '1' }), labelSetOf('other', { a: '1' }));
    assert.notEqual(labelSetOf('ns', { a: '1' }), labelSetOf('ns', { a: '1', b: '' }));
  });

  it('counts equal a recount across add, status update, relabel, terminate and delete (also on clones)', () => {
    const node = new NodeInfo('n1', { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } });
    // one SelectorCounts per (selector, namespace, includeTerminating), kept across steps so the
    // memoized and recounted paths both run
    const scs = selectors.flatMap((s) =>
      ['ns1', 'ns2'].flatMap((ns) => [false, true].map((t) => ({ s, ns, t, sc: new SelectorCounts(ns, selectorFromLabelSelector(s.ls), t) }))),
    );
    const check = (step: string, n: NodeInfo = node): void => {
      for (const { s, ns, t, sc } of scs) {
        const want = recount(n, ns, s.ls, t);
        assert.equal(countOn(sc, n), want, `${step}: countOn ${s.name} in ${ns} terminating=${t}`);
        const key = internKey(`${ns}\u0000${JSON.stringify(s.ls)}\u0000${t}`);
        assert.equal(countMatchingPods(n, ns, selectorFromLabelSelector(s.ls), key, t), want, `${step}: countMatchingPods ${s.name} in ${ns} terminating=${t}`);
      }
    };
    check('empty');
    for (let i = 0; i < 6; i++) node.addPod(pod(`a${i}`, 'ns1', { app: 'a' }));
    for (let i = 0; i < 4; i++) node.addPod(pod(`b${i}`, 'ns1', { tier: 'web', app: 'b' }));
    node.addPod(pod('x', 'ns2', { app: 'a' }));
    check('added');
    // status-only update: same labels, new object
    assert.ok(node.replacePod(pod('a0', 'ns1', { app: 'a' }, { phase: 'Running' })));
    check('status update');
    // relabel one pod of a into b, one of b out of every selector's app
    assert.ok(node.replacePod(pod('a1', 'ns1', { app: 'b', tier: 'web' })));
    assert.ok(node.replacePod(pod('b0', 'ns1', { app: 'c', tier: 'db' })));
    check('relabelled');
    assert.ok(node.replacePod(pod('a2', 'ns1', { app: 'a' }, { terminating: true })));
    check('terminating');
    assert.ok(node.removePod('ns1/a3'));
    assert.ok(node.removePod('ns1/a2'));
    check('deleted');
    // more changes than the node's pod log holds force a recount
    for (let i = 0; i < 40; i++) node.addPod(pod(`c${i}`, i % 2 ? 'ns1' : 'ns2', { app: i % 3 ? 'a' : 'b' }));
    check('log overflow');
    const c = node.clone();
    c.addPod(pod('nominated', 'ns1', { app: 'a' }));
    assert.ok(c.removePod('ns1/b1'));
    check('clone', c);
    check('original after clone');
    for (const p of node.pods.slice()) assert.ok(node.removePod(p.key));
    check('drained');
    assert.equal(node.groupSets.length, 0);
  });

  it('a status update that computed its own equal LabelSet keeps the groups consistent', () => {
    const node = new NodeInfo('n1');
    node.addPod(pod('p', 'ns', { app: 'a' }));
    const next = pod('p', 'ns', { app: 'a' }, { phase: 'Running' });
    void next.labelSet;
    assert.ok(node.replacePod(next));
    assert.ok(node.removePod('ns/p'));
    assert.equal(node.groupSets.length, 0);
  });
});
