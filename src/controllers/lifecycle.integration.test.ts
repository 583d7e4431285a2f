/**
 * Garbage collector, namespace, serviceaccount and root CA controllers against a real
 * in-process apiserver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ConfigMap, Namespace, Pod, ReplicationController, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type ApiObject } from '../client/index.js';
import { newGarbageCollector } from './garbagecollector.js';
import { newNamespaceController } from './namespace.js';
import { newReplicaSetController, newReplicationControllerController } from './replicaset.js';
import { newRootCACertPublisher, newServiceAccountsController } from './serviceaccount.js';
import { startHarness, waitFor, type Harness } from './testing.js';

describe('lifecycle controllers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [
      newReplicaSetController(ctx),
      newReplicationControllerController(ctx),
      newGarbageCollector(ctx, { discoveryPeriodMs: 200 }),
      newNamespaceController(ctx, { resyncAfterMs: 100 }),
      newServiceAccountsController(ctx),
      newRootCACertPublisher(ctx, 'PEM'),
    ]);
  });
  after(async () => h?.stop());

  const pods = (ns = 'default') => h.client.resource<Pod>(gvr.pods).namespace(ns);
  const rss = (ns = 'default') => h.client.resource<ReplicaSet>(gvr.replicasets).namespace(ns);
  const gone = async (get: () => Promise<unknown>) => {
    try {
      await get();
      return false;
    } catch (err) {
      return isStatusError(err, 'NotFound');
    }
  };
  const rs = (name: string, replicas: number): ReplicaSet => ({
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
  });
  const podsOf = async (name: string, ns = 'default') => (await pods(ns).list({ labelSelector: `app=${name}` })).items;

  test('every namespace gets a default ServiceAccount and kube-root-ca.crt, recreated when deleted', async () => {
    await h.client.resource<Namespace>(gvr.namespaces).create({ metadata: { name: 'team' } });
    const sas = h.client.resource<ServiceAccount>(gvr.serviceaccounts).namespace('team');
    const cms = h.client.resource<ConfigMap>(gvr.configmaps).namespace('team');
    await waitFor('default SA', () => sas.get('default'));
    const cm = await waitFor('root CA', () => cms.get('kube-root-ca.crt'));
    assert.deepEqual(cm.data, { 'ca.crt': 'PEM' });
    await sas.delete('default');
    await waitFor('default SA recreated', async () => (await sas.get('default')).metadata?.uid);
    await cms.patch('kube-root-ca.crt', 'merge', { data: { 'ca.crt': 'tampered' } });
    await waitFor('root CA restored', async () => (await cms.get('kube-root-ca.crt')).data?.['ca.crt'] === 'PEM');
  });

  const cases: Array<{ name: string; policy: 'Background' | 'Foreground' | 'Orphan'; podsRemain: boolean }> = [
    { name: 'background', policy: 'Background', podsRemain: false },
    { name: 'foreground', policy: 'Foreground', podsRemain: false },
    { name: 'orphan', policy: 'Orphan', podsRemain: true },
  ];
  for (const c of cases) {
    test(`deleting a ReplicaSet with propagationPolicy=${c.policy}`, async () => {
      await rss().create(rs(c.name, 2));
      await waitFor('pods', async () => (await podsOf(c.name)).length === 2);
      await rss().delete(c.name, { propagationPolicy: c.policy });
      await waitFor('owner gone', () => gone(() => rss().get(c.name)));
      if (c.podsRemain) {
        const left = await waitFor('orphaned', async () => {
          const l = await podsOf(c.name);
          return l.length === 2 && l.every((p) => !p.metadata?.ownerReferences?.length) && l;
        });
        assert.equal(left.length, 2);
      } else {
        await waitFor('dependents gone', async () => (await podsOf(c.name)).length === 0);
      }
    });
  }

  test('a dependent whose owner uid no longer exists is deleted; one with another solid owner only loses the reference', async () => {
    const cm = await h.client.resource<ConfigMap>(gvr.configmaps).namespace('default').create({ metadata: { name: 'owner' } });
    const ghost = { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '00000000-0000-0000-0000-000000000001' };
    const solid = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: cm.metadata!.uid! };
    await pods().create({ metadata: { name: 'dangling', ownerReferences: [ghost] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await pods().create({ metadata: { name: 'half', ownerReferences: [ghost, solid] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await waitFor('dangling deleted', () => gone(() => pods().get('dangling')));
    const half = await waitFor('ghost ref removed', async () => {
      const p = await pods().get('half');
      return p.metadata?.ownerReferences?.length === 1 && p;
    });
    assert.equal(half.metadata?.ownerReferences?.[0]?.name, 'owner');
  });

  test('foreground deletion keeps the owner until its blocking dependents are gone', async () => {
    await rss().create(rs('fg', 1));
    const [p] = await waitFor('pod', async () => {
      const l = await podsOf('fg');
      return l.length === 1 && l;
    });
    // A finalizer holds the pod (and therefore its owner) in place.
    await pods().patch(p!.metadata!.name!, 'merge', { metadata: { finalizers: ['example.com/hold'] } });
    await rss().delete('fg', { propagationPolicy: 'Foreground' });
    await waitFor('pod terminating', async () => !!(await pods().get(p!.metadata!.name!)).metadata?.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 200));
    const owner = await rss().get('fg');
    assert.ok(owner.metadata?.deletionTimestamp);
    assert.deepEqual(owner.metadata?.finalizers, ['foregroundDeletion']);
    await pods().patch(p!.metadata!.name!, 'merge', { metadata: { finalizers: null } });
    await waitFor('owner gone', () => gone(() => rss().get('fg')));
  });

  test('foreground deletion through an ownership cycle unwinds: the member whose dependent already waits stops blocking its owner', async () => {
    // c1 owns c2 owns c3 owns c1; c1 is deleted in the foreground and held by a finalizer.
    const mk = (name: string) => pods().create({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const [c1, c2, c3] = await Promise.all([mk('cycle-1'), mk('cycle-2'), mk('cycle-3')]);
    const ref = (p: Pod) => ({ apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid!, controller: true, blockOwnerDeletion: true });
    await pods().patch('cycle-1', 'merge', { metadata: { ownerReferences: [ref(c3!)], finalizers: ['example.com/hold'] } });
    await pods().patch('cycle-2', 'merge', { metadata: { ownerReferences: [ref(c1!)] } });
    await pods().patch('cycle-3', 'merge', { metadata: { ownerReferences: [ref(c2!)] } });
    await pods().delete('cycle-1', { propagationPolicy: 'Foreground' });
    // cycle-2 waits for cycle-3, which waits for cycle-1 (waiting itself): cycle-3 unblocks its
    // reference, so cycle-2 and then cycle-1's foreground wait finish; the hold keeps cycle-1.
    await waitFor('cycle-2 gone', () => gone(() => pods().get('cycle-2')));
    const held = await waitFor('cycle-1 only held by its own finalizer', async () => {
      const p = await pods().get('cycle-1');
      return p.metadata?.finalizers?.length === 1 && p;
    });
    assert.deepEqual(held.metadata?.finalizers, ['example.com/hold']);
    const c3now = await pods().get('cycle-3');
    assert.ok(c3now.metadata?.deletionTimestamp);
    assert.deepEqual(c3now.metadata?.finalizers, ['foregroundDeletion'], 'cycle-3 waits for cycle-1, which still blocks it');
    assert.equal(c3now.metadata?.ownerReferences?.[0]?.blockOwnerDeletion, false);
    await pods().patch('cycle-1', 'merge', { metadata: { finalizers: null } });
    await waitFor('cycle collected', async () => (await gone(() => pods().get('cycle-1'))) && (await gone(() => pods().get('cycle-3'))));
  });

  test('a chain deleted in the foreground keeps blocking: no member is unblocked without a cycle', async () => {
    // top owns mid owns leaf; the leaf is held, so top and mid wait for it.
    const mk = (name: string, owner?: Pod) => pods().create({ metadata: { name, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: owner.metadata!.name!, uid: owner.metadata!.uid!, blockOwnerDeletion: true }] } : {}) }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const top = await mk('chain-top');
    const mid = await mk('chain-mid', top);
    await pods().create({ metadata: { name: 'chain-leaf', finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'chain-mid', uid: mid.metadata!.uid!, blockOwnerDeletion: true }] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await pods().delete('chain-top', { propagationPolicy: 'Foreground' });
    await waitFor('leaf terminating', async () => !!(await pods().get('chain-leaf')).metadata?.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 200));
    for (const name of ['chain-top', 'chain-mid']) assert.deepEqual((await pods().get(name)).metadata?.finalizers, ['foregroundDeletion'], name);
    assert.equal((await pods().get('chain-mid')).metadata?.ownerReferences?.[0]?.blockOwnerDeletion, true);
    await pods().patch('chain-leaf', 'merge', { metadata: { finalizers: null } });
    await waitFor('chain collected', async () => (await gone(() => pods().get('chain-top'))) && (await gone(() => pods().get('chain-mid'))));
  });

  test('a ReplicationController keeps its replicas like a ReplicaSet', async () => {
    const rcs = h.client.resource<ReplicationController>(gvr.replicationcontrollers).namespace('default');
    await rcs.create({ metadata: { name: 'rc' }, spec: { replicas: 2, selector: { app: 'rc' }, template: { metadata: { labels: { app: 'rc' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    const l = await waitFor('rc pods', async () => {
      const x = await podsOf('rc');
      return x.length === 2 && x;
    });
    assert.ok(l.every((p) => p.metadata?.ownerReferences?.[0]?.kind === 'ReplicationController' && p.metadata.ownerReferences[0].controller === true));
    await waitFor('rc status', async () => (await rcs.get('rc')).status?.replicas === 2);
    await rcs.delete('rc');
    await waitFor('rc pods gone', async () => (await podsOf('rc')).length === 0);
  });

  test('resources found by discovery (not in the built-in list) are collected too', async () => {
    // LimitRanges are not among GC_RESOURCES: the collector finds them through discovery, as
    // it would custom resources.
    const cms = h.client.resource<ConfigMap>(gvr.configmaps).namespace('default');
    const owner = await cms.create({ metadata: { name: 'limits-owner' } });
    const lrs = h.client.resource<ApiObject & { spec?: unknown }>(gvr.limitranges).namespace('default');
    await lrs.create({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'limits-owner', uid: owner.metadata!.uid! }] }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await lrs.get('owned'), 'kept while its owner exists');
    await cms.delete('limits-owner');
    await waitFor('dependent collected', () => gone(() => lrs.get('owned')), 10_000);
  });

  test('deleting a namespace empties it, reports conditions, then removes the kubernetes finalizer', async () => {
    const nsApi = h.client.resource<Namespace>(gvr.namespaces);
    await nsApi.create({ metadata: { name: 'doomed' } });
    await rss('doomed').create(rs('app', 3));
    await h.client.resource<ConfigMap>(gvr.configmaps).namespace('doomed').create({ metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    await waitFor('pods', async () => (await podsOf('app', 'doomed')).length === 3);
    await nsApi.delete('doomed');
    const ns = await waitFor('finalizers condition', async () => {
      const n = await nsApi.get('doomed');
      return n.status?.conditions?.find((c) => c.type === 'NamespaceFinalizersRemaining')?.status === 'True' && n;
    });
    const byType = Object.fromEntries((ns.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(ns.status?.phase, 'Terminating');
    assert.equal(byType['NamespaceDeletionDiscoveryFailure']?.reason, 'ResourcesDiscovered');
    assert.equal(byType['NamespaceContentRemaining']?.reason, 'SomeResourcesRemain');
    assert.match(byType['NamespaceContentRemaining']?.message ?? '', /configmaps has 1 resource instances/);
    assert.equal(byType['NamespaceFinalizersRemaining']?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.deepEqual(await podsOf('app', 'doomed'), []);
    await h.client.resource<ConfigMap>(gvr.configmaps).namespace('doomed').patch('held', 'merge', { metadata: { finalizers: null } });
    await waitFor('namespace gone', () => gone(() => nsApi.get('doomed')));
  });

  test('deleting a namespace deletes its pods first and the rest only once they are gone', async () => {
    const nsApi = h.client.resource<Namespace>(gvr.namespaces);
    await nsApi.create({ metadata: { name: 'ordered' } });
    await pods('ordered').create({ metadata: { name: 'held', finalizers: ['example.com/hold'] }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const cms = h.client.resource<ConfigMap>(gvr.configmaps).namespace('ordered');
    await cms.create({ metadata: { name: 'config' }, data: { a: 'b' } });
    await nsApi.delete('ordered');
    const ns = await waitFor('pods reported remaining', async () => {
      const n = await nsApi.get('ordered');
      return n.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining')?.status === 'True' && n;
    });
    const byType = Object.fromEntries((ns.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(byType['NamespaceContentRemaining']?.message, 'Some resources are remaining: pods has 1 resource instances');
    assert.equal(byType['NamespaceFinalizersRemaining']?.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(byType['NamespaceDeletionContentFailure']?.status, 'False');
    assert.ok((await pods('ordered').get('held')).metadata?.deletionTimestamp);
    await new Promise((r) => setTimeout(r, 300));
    const cm = await cms.get('config');
    assert.equal(cm.metadata?.deletionTimestamp, undefined, 'the ConfigMap is not touched while a pod remains');
    await pods('ordered').patch('held', 'merge', { metadata: { finalizers: null } });
    await waitFor('namespace gone', () => gone(() => nsApi.get('ordered')));
  });
});
