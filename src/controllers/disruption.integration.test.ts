/**
 * The disruption controller against a real in-process apiserver: PodDisruptionBudget status
 * as upstream computes it, and the eviction subresource allowing exactly what it says.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr } from '../client/index.js';
import { newDisruptionController } from './disruption.js';
import { setPodReady, startHarness, waitFor, type Harness } from './testing.js';

describe('disruption controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [newDisruptionController(ctx)]);
  });
  after(async () => h?.stop());

  const pods = () => h.client.resource<Pod>(gvr.pods).namespace('default');
  const pdbs = () => h.client.resource<PodDisruptionBudget>(gvr.poddisruptionbudgets).namespace('default');
  const rss = () => h.client.resource<ReplicaSet>(gvr.replicasets).namespace('default');

  /** makeRS creates a ReplicaSet (no controller runs it) and `ready` ready pods it owns plus `notReady` others. */
  async function makeRS(app: string, replicas: number, ready: number, notReady: number): Promise<Pod[]> {
    const rs = await rss().create({
      metadata: { name: app },
      spec: { replicas, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const out: Pod[] = [];
    for (let i = 0; i < ready + notReady; i++) {
      const p = await pods().create({
        metadata: { name: `${app}-${i}`, labels: { app }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: app, uid: rs.metadata!.uid!, controller: true }] },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      });
      out.push(await setPodReady(h.client, p, i < ready));
    }
    return out;
  }

  const statusOf = (name: string, want: (s: NonNullable<PodDisruptionBudget['status']>) => boolean) =>
    waitFor(`${name} status`, async () => {
      const s = (await pdbs().get(name)).status;
      return s && want(s) && s;
    });

  test('minAvailable as a number counts the selected pods and opens the surplus', async () => {
    await makeRS('web', 4, 3, 1);
    await pdbs().create({ metadata: { name: 'web' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } } });
    const s = await statusOf('web', (s) => s.observedGeneration === 1);
    assert.deepEqual([s.expectedPods, s.currentHealthy, s.desiredHealthy, s.disruptionsAllowed], [4, 3, 2, 1]);
    const c = s.conditions?.find((x) => x.type === 'DisruptionAllowed');
    assert.deepEqual([c?.status, c?.reason, c?.message, c?.observedGeneration], ['True', 'SufficientPods', '', 1]);
  });

  test('maxUnavailable and percentages scale against the owning controller, not the pods present', async () => {
    await makeRS('api', 5, 3, 0);
    await pdbs().create({ metadata: { name: 'api-max' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } });
    await pdbs().create({ metadata: { name: 'api-pct' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'api' } } } });
    const m = await statusOf('api-max', (s) => s.observedGeneration === 1);
    // expected is the ReplicaSet's 5 replicas; 4 must be healthy and only 3 are.
    assert.deepEqual([m.expectedPods, m.currentHealthy, m.desiredHealthy, m.disruptionsAllowed], [5, 3, 4, 0]);
    assert.equal(m.conditions?.find((x) => x.type === 'DisruptionAllowed')?.reason, 'InsufficientPods');
    const p = await statusOf('api-pct', (s) => s.observedGeneration === 1);
    // 50% of 5 rounds up to 3.
    assert.deepEqual([p.expectedPods, p.desiredHealthy, p.disruptionsAllowed], [5, 3, 0]);
  });

  test('a budget that selects nothing stays closed', async () => {
    await pdbs().create({ metadata: { name: 'empty' }, spec: { minAvailable: 0, selector: { matchLabels: { app: 'none' } } } });
    const s = await statusOf('empty', (s) => s.observedGeneration === 1);
    assert.deepEqual([s.expectedPods, s.disruptionsAllowed], [0, 0]);
  });

  test('a pod whose controller cannot be found fails safe with SyncFailed', async () => {
    await pods().create({
      metadata: { name: 'lost-0', labels: { app: 'lost' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'no-such-uid', controller: true }] },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await pdbs().create({ metadata: { name: 'lost' }, spec: { maxUnavailable: '10%', selector: { matchLabels: { app: 'lost' } } } });
    const s = await statusOf('lost', (s) => s.conditions?.some((c) => c.reason === 'SyncFailed') ?? false);
    const c = s.conditions!.find((x) => x.type === 'DisruptionAllowed')!;
    assert.deepEqual([c.status, c.message, s.disruptionsAllowed], ['False', 'found no controllers for pod "lost-0"', 0]);
  });

  test('eviction spends the budget, records the pod, and the controller counts it as gone', async () => {
    const ps = await makeRS('db', 3, 3, 0);
    await pdbs().create({ metadata: { name: 'db' }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'db' } } } });
    await statusOf('db', (s) => s.disruptionsAllowed === 1);
    // Keep the evicted pod around (a finalizer) so it counts as disrupted rather than vanishing.
    await pods().patch(ps[0]!.metadata!.name!, 'merge', { metadata: { finalizers: ['example.com/hold'] } });
    await pods().evict(ps[0]!.metadata!.name!, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: ps[0]!.metadata!.name! } });
    await assert.rejects(
      pods().evict(ps[1]!.metadata!.name!, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: ps[1]!.metadata!.name! } }),
      (err: unknown) => isStatusError(err, 'TooManyRequests'),
    );
    const s = await statusOf('db', (s) => s.currentHealthy === 2);
    assert.equal(s.disruptionsAllowed, 0);
    await pods().patch(ps[0]!.metadata!.name!, 'merge', { metadata: { finalizers: null } });
  });

  test('an empty selector counts every pod of the namespace', async () => {
    await h.client.resource(gvr.namespaces).create({ metadata: { name: 'bare' } });
    const inBare = h.client.resource<Pod>(gvr.pods).namespace('bare');
    await inBare.create({ metadata: { name: 'bare' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await inBare.create({ metadata: { name: 'labelled', labels: { any: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const api = h.client.resource<PodDisruptionBudget>(gvr.poddisruptionbudgets).namespace('bare');
    await api.create({ metadata: { name: 'all' }, spec: { minAvailable: 1, selector: {} } });
    const s = await waitFor('all status', async () => {
      const s = (await api.get('all')).status;
      return s?.observedGeneration === 1 && s;
    });
    assert.equal(s.expectedPods, 2, 'the empty selector selects both pods for counting');
    // A labelled pod's changes reach the budget (upstream maps unlabelled pods to no budget).
    await inBare.delete('labelled', { gracePeriodSeconds: 0 });
    await waitFor('recount after the labelled pod left', async () => (await api.get('all')).status?.expectedPods === 1);
  });

  test('a stale DisruptionTarget condition on a pod that was not deleted is reset to False', async () => {
    const p = await pods().create({ metadata: { name: 'stale', labels: { app: 'stale' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const long = new Date(Date.now() - 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await setPodReady(h.client, p, true, {});
    await pods().patch('stale', 'strategic', { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: long }] } }, { subresource: 'status' });
    const c = await waitFor('reset', async () => {
      const c = (await pods().get('stale')).status?.conditions?.find((x) => x.type === 'DisruptionTarget');
      return c?.status === 'False' && c;
    });
    assert.equal(c.reason, undefined);
  });
});
