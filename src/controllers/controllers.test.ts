/** Unit tests for the pure parts of the controllers: selection flags, ranking, arithmetic, CIDRs, tolerations. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../client/index.js';
import { parseDuration } from '../cmd/controller-manager.js';
import { computeHash, equalIgnoreHash, fenceposts, newRSNewReplicas } from './deployment_util.js';
import { enabledControllers } from './manager.js';
import { parseCIDR } from './nodeipam.js';
import { tolerates } from './nodelifecycle.js';
import { PodExpectations } from './util/expectations.js';
import { comparePodsForDeletion } from './util/pod.js';

describe('enabledControllers (--controllers)', () => {
  const cases: Array<{ name: string; spec: string[]; has: string[]; lacks: string[] }> = [
    { name: 'star enables the defaults', spec: ['*'], has: ['deployment-controller', 'garbage-collector-controller', 'node-ipam-controller'], lacks: [] },
    { name: '-foo disables one', spec: ['*', '-deployment'], has: ['replicaset-controller'], lacks: ['deployment-controller'] },
    { name: 'a list without star enables only those', spec: ['replicaset,namespace'], has: ['replicaset-controller', 'namespace-controller'], lacks: ['deployment-controller'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = enabledControllers(c.spec);
      for (const n of c.has) assert.ok(got.includes(n), n);
      for (const n of c.lacks) assert.ok(!got.includes(n), n);
    });
  }
  test('unknown names are an error', () => {
    assert.throws(() => enabledControllers(['*', 'nope']), /"nope" is not in the list of known controllers/);
  });
});

describe('parseDuration', () => {
  for (const [s, ms] of [['15s', 15_000], ['1m30s', 90_000], ['500ms', 500], ['1h', 3_600_000], ['0', 0], ['1.5s', 1500]] as const) {
    test(s, () => assert.equal(parseDuration(s), ms));
  }
  test('garbage is rejected', () => assert.throws(() => parseDuration('5 sec'), /invalid duration/));
});

const pod = (name: string, o: { node?: string; phase?: string; ready?: boolean; restarts?: number; created?: string; cost?: string } = {}): Pod => ({
  metadata: { name, uid: name, creationTimestamp: o.created ?? '2026-01-01T00:00:00Z', ...(o.cost ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}) },
  spec: { containers: [], ...(o.node ? { nodeName: o.node } : {}) },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0 }],
  },
});

describe('comparePodsForDeletion (upstream ranking)', () => {
  const now = Date.parse('2026-01-02T00:00:00Z');
  const cases: Array<{ name: string; first: Pod; second: Pod }> = [
    { name: 'unscheduled before scheduled', first: pod('a'), second: pod('b', { node: 'n' }) },
    { name: 'pending before running', first: pod('a', { node: 'n', phase: 'Pending' }), second: pod('b', { node: 'n' }) },
    { name: 'not ready before ready', first: pod('a', { node: 'n' }), second: pod('b', { node: 'n', ready: true }) },
    { name: 'lower deletion cost first', first: pod('a', { node: 'n', ready: true, cost: '-5' }), second: pod('b', { node: 'n', ready: true }) },
    { name: 'more restarts first', first: pod('a', { node: 'n', ready: true, restarts: 3 }), second: pod('b', { node: 'n', ready: true }) },
    { name: 'newer first', first: pod('a', { node: 'n', ready: true, created: '2026-01-01T23:00:00Z' }), second: pod('b', { node: 'n', ready: true, created: '2026-01-01T00:00:00Z' }) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.ok(comparePodsForDeletion(c.first, c.second, () => 0, now) < 0);
      assert.ok(comparePodsForDeletion(c.second, c.first, () => 0, now) > 0);
    });
  }
  test('pods doubled up on a node go first', () => {
    const a = pod('a', { node: 'busy', ready: true });
    const b = pod('b', { node: 'quiet', ready: true });
    assert.ok(comparePodsForDeletion(a, b, (p) => (p.spec?.nodeName === 'busy' ? 2 : 1), now) < 0);
  });
});

const deployment = (replicas: number, surge?: number | string, unavailable?: number | string): Deployment => ({
  spec: { replicas, selector: {}, template: {}, strategy: { type: 'RollingUpdate', rollingUpdate: { ...(surge !== undefined ? { maxSurge: surge } : {}), ...(unavailable !== undefined ? { maxUnavailable: unavailable } : {}) } } },
});
const rs = (spec: number, status = spec): ReplicaSet => ({ spec: { replicas: spec, selector: {} }, status: { replicas: status } });

describe('deployment arithmetic', () => {
  const fp: Array<{ name: string; d: Deployment; surge: number; unavailable: number }> = [
    { name: 'defaults 25%/25% of 10 round surge up and unavailable down', d: deployment(10), surge: 3, unavailable: 2 },
    { name: 'both zero makes unavailable 1', d: deployment(3, 0, 0), surge: 0, unavailable: 1 },
    { name: 'absolute numbers', d: deployment(5, 2, 1), surge: 2, unavailable: 1 },
  ];
  for (const c of fp) test(`fenceposts: ${c.name}`, () => assert.deepEqual(fenceposts(c.d), { surge: c.surge, unavailable: c.unavailable }));

  const scale: Array<{ name: string; d: Deployment; all: ReplicaSet[]; newIdx: number; want: number }> = [
    { name: 'surge room is used', d: deployment(4, 1, 0), all: [rs(4), rs(0)], newIdx: 1, want: 1 },
    { name: 'no room, no growth', d: deployment(4, 1, 0), all: [rs(4), rs(1)], newIdx: 1, want: 1 },
    { name: 'undeleted old pods count against the surge', d: deployment(4, 1, 0), all: [rs(3, 4), rs(1)], newIdx: 1, want: 1 },
    { name: 'never above replicas', d: deployment(4, 10, 0), all: [rs(0), rs(0)], newIdx: 1, want: 4 },
  ];
  for (const c of scale) test(`newRSNewReplicas: ${c.name}`, () => assert.equal(newRSNewReplicas(c.d, c.all, c.all[c.newIdx]!), c.want));

  test('the template hash ignores the pod-template-hash label and depends on collisionCount', () => {
    const t = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const withHash = { ...t, metadata: { labels: { app: 'a', 'pod-template-hash': 'abc' } } };
    assert.equal(computeHash(t, 0), computeHash(withHash, 0));
    assert.notEqual(computeHash(t, 0), computeHash(t, 1));
    assert.match(computeHash(t, 0), /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.ok(equalIgnoreHash(t, withHash));
  });
});

describe('PodExpectations', () => {
  test('satisfied only after every expected creation and deletion was observed, or after 5 minutes', async () => {
    const clock = new FakeClock();
    const e = new PodExpectations(clock);
    e.expectCreate('ns/rs', 'ns/a');
    e.expectDelete('ns/rs', 'ns/b');
    assert.equal(e.satisfied('ns/rs'), false);
    e.observedAdd('ns/a');
    assert.equal(e.satisfied('ns/rs'), false);
    e.observedDelete('ns/b');
    assert.equal(e.satisfied('ns/rs'), true);
    e.expectCreate('ns/rs', 'ns/c');
    await clock.step(5 * 60_000 + 1);
    assert.equal(e.satisfied('ns/rs'), true);
  });
});

describe('parseCIDR and tolerations', () => {
  test('parseCIDR masks the base', () => assert.deepEqual(parseCIDR('10.42.7.9/16'), { base: ((10 << 24) | (42 << 16)) >>> 0, bits: 16 }));
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const cases: Array<{ name: string; tol: Parameters<typeof tolerates>[0]; want: boolean }> = [
    { name: 'exists on the key', tol: { key: taint.key, operator: 'Exists' }, want: true },
    { name: 'exists on everything', tol: { operator: 'Exists' }, want: true },
    { name: 'other effect', tol: { key: taint.key, operator: 'Exists', effect: 'NoSchedule' }, want: false },
    { name: 'equal with a different value', tol: { key: taint.key, value: 'x' }, want: false },
  ];
  for (const c of cases) test(`tolerates: ${c.name}`, () => assert.equal(tolerates(c.tol, taint), c.want));
});
