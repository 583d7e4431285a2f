/**
 * ReplicaSet and Deployment controllers against a real in-process apiserver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { gvr } from '../client/index.js';
import { newDeploymentController } from './deployment.js';
import { newReplicaSetController } from './replicaset.js';
import { setPodReady, startHarness, waitFor, type Harness } from './testing.js';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

describe('replicaset and deployment controllers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [newReplicaSetController(ctx), newDeploymentController(ctx)]);
  });
  after(async () => h?.stop());

  const pods = () => h.client.resource<Pod>(gvr.pods).namespace('default');
  const rss = () => h.client.resource<ReplicaSet>(gvr.replicasets).namespace('default');
  const deps = () => h.client.resource<Deployment>(gvr.deployments).namespace('default');

  test('a ReplicaSet creates, adopts, releases and deletes pods and reports status', async () => {
    // An orphan that matches is adopted instead of creating a third pod.
    await pods().create({ metadata: { name: 'orphan', labels: { app: 'rs1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const rs = await rss().create({
      metadata: { name: 'rs1' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'rs1' } }, template: { metadata: { labels: { app: 'rs1' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const owned = await waitFor('3 owned pods', async () => {
      const l = (await pods().list({ labelSelector: 'app=rs1' })).items;
      return l.length === 3 && l.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid) && l;
    });
    assert.ok(owned.some((p) => p.metadata?.name === 'orphan'), 'orphan adopted');
    for (const p of owned) await setPodReady(h.client, p, true);
    const st = await waitFor('status', async () => {
      const s = (await rss().get('rs1')).status;
      return s?.readyReplicas === 3 && s.availableReplicas === 3 && s;
    });
    assert.deepEqual([st.replicas, st.fullyLabeledReplicas, st.observedGeneration], [3, 3, 1]);
    // Relabelling a pod releases it; the ReplicaSet replaces it.
    await pods().patch('orphan', 'merge', { metadata: { labels: { app: 'other' } } });
    await waitFor('released', async () => !(await pods().get('orphan')).metadata?.ownerReferences?.length);
    await waitFor('replacement', async () => (await pods().list({ labelSelector: 'app=rs1' })).items.length === 3);
    // Scale down deletes the not-ready pod first.
    const l = (await pods().list({ labelSelector: 'app=rs1' })).items;
    const notReady = l.find((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.ok(notReady);
    await rss().patch('rs1', 'merge', { spec: { replicas: 2 } });
    await waitFor('scaled down', async () => (await pods().list({ labelSelector: 'app=rs1' })).items.length === 2);
    assert.ok(!(await pods().list({ labelSelector: 'app=rs1' })).items.some((p) => p.metadata?.name === notReady.metadata?.name));
  });

  test('a Deployment rolls out a new template within maxSurge/maxUnavailable and completes', async () => {
    // Mark every pod ready as it appears, like a kubelet would.
    const ready = setInterval(async () => {
      for (const p of (await pods().list({ labelSelector: 'app=web' })).items) {
        if (!p.status?.conditions?.some((c) => c.type === 'Ready') && !p.metadata?.deletionTimestamp) await setPodReady(h.client, p, true).catch(() => {});
      }
    }, 30);
    try {
      await deps().create({
        metadata: { name: 'web' },
        spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, template: template('nginx:1') },
      });
      const done = async (rev: string) =>
        waitFor(`rollout ${rev}`, async () => {
          const d = await deps().get('web');
          const s = d.status;
          return (
            s?.updatedReplicas === 4 &&
            s.availableReplicas === 4 &&
            s.replicas === 4 &&
            s.observedGeneration === d.metadata?.generation &&
            d.metadata?.annotations?.['deployment.kubernetes.io/revision'] === rev &&
            d
          );
        });
      const d1 = await done('1');
      assert.equal(d1.status?.conditions?.find((c) => c.type === 'Progressing')?.reason, 'NewReplicaSetAvailable');
      assert.equal(d1.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True');
      await deps().patch('web', 'merge', { spec: { template: template('nginx:2') } });
      let maxPods = 0;
      const watchPods = setInterval(async () => {
        const n = (await pods().list({ labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp).length;
        maxPods = Math.max(maxPods, n);
      }, 10);
      await done('2');
      clearInterval(watchPods);
      assert.ok(maxPods <= 5, `at most replicas+maxSurge pods, saw ${maxPods}`);
      const sets = (await rss().list({ labelSelector: 'app=web' })).items;
      assert.equal(sets.length, 2);
      const byRev = Object.fromEntries(sets.map((rs) => [rs.metadata?.annotations?.['deployment.kubernetes.io/revision'], rs]));
      assert.equal(byRev['1']?.spec?.replicas, 0);
      assert.equal(byRev['2']?.spec?.replicas, 4);
      assert.ok(byRev['2']?.metadata?.labels?.['pod-template-hash']);
      // Scaling is proportional and does not create a new revision.
      await deps().patch('web', 'merge', { spec: { replicas: 2 } });
      await waitFor('scaled', async () => (await rss().get(byRev['2']!.metadata!.name!)).spec?.replicas === 2);
    } finally {
      clearInterval(ready);
    }
  });
  test('a new Deployment gets its revision annotation and NewReplicaSetCreated in one status update, as upstream', async () => {
    const created = await deps().create({
      metadata: { name: 'onewrite' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'onewrite' } }, template: { metadata: { labels: { app: 'onewrite' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const ac = new AbortController();
    try {
      // The first change after the create: before, the condition came in one write and the annotation in a second.
      for await (const ev of deps().watch({ resourceVersion: created.metadata?.resourceVersion, fieldSelector: 'metadata.name=onewrite', signal: ac.signal })) {
        if (ev.type !== 'MODIFIED') continue;
        const d = ev.object as Deployment;
        assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
        const c = d.status?.conditions?.find((x) => x.type === 'Progressing');
        assert.equal(c?.reason, 'NewReplicaSetCreated');
        assert.match(c?.message ?? '', /^Created new replica set "onewrite-[a-z0-9]+"$/);
        break;
      }
    } finally {
      ac.abort();
    }
  });
  test('a stuck rollout reports ProgressDeadlineExceeded', async () => {
    await deps().create({
      metadata: { name: 'stuck' },
      spec: { replicas: 1, progressDeadlineSeconds: 1, selector: { matchLabels: { app: 'stuck' } }, template: { metadata: { labels: { app: 'stuck' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const c = await waitFor(
      'deadline exceeded',
      async () => (await deps().get('stuck')).status?.conditions?.find((x) => x.type === 'Progressing' && x.reason === 'ProgressDeadlineExceeded'),
      8000,
    );
    assert.equal(c.status, 'False');
    assert.match(c.message ?? '', /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
    const avail = (await deps().get('stuck')).status?.conditions?.find((x) => x.type === 'Available');
    assert.deepEqual([avail?.status, avail?.reason], ['False', 'MinimumReplicasUnavailable']);
  });

  test('Recreate scales the old ReplicaSet to zero and waits for its pods before creating new ones', async () => {
    const tpl = (image: string) => ({ metadata: { labels: { app: 'rec' } }, spec: { containers: [{ name: 'c', image }] } });
    await deps().create({ metadata: { name: 'rec' }, spec: { replicas: 2, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'rec' } }, template: tpl('v1') } });
    await waitFor('v1 pods', async () => (await pods().list({ labelSelector: 'app=rec' })).items.length === 2);
    let mixed = false;
    const watchMix = setInterval(async () => {
      const images = new Set((await pods().list({ labelSelector: 'app=rec' })).items.map((p) => p.spec?.containers[0]?.image));
      if (images.size > 1) mixed = true;
    }, 5);
    await deps().patch('rec', 'merge', { spec: { template: tpl('v2') } });
    await waitFor('v2 pods', async () => {
      const l = (await pods().list({ labelSelector: 'app=rec' })).items;
      return l.length === 2 && l.every((p) => p.spec?.containers[0]?.image === 'v2');
    });
    clearInterval(watchMix);
    assert.equal(mixed, false, 'old and new pods never coexist');
  });
  test('minReadySeconds delays availability', async () => {
    await deps().create({
      metadata: { name: 'slow' },
      spec: { replicas: 1, minReadySeconds: 2, selector: { matchLabels: { app: 'slow' } }, template: { metadata: { labels: { app: 'slow' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    const [p] = await waitFor('pod', async () => {
      const l = (await pods().list({ labelSelector: 'app=slow' })).items;
      return l.length === 1 && l;
    });
    const readyAt = Date.now();
    await setPodReady(h.client, p!, true);
    await waitFor('ready', async () => (await deps().get('slow')).status?.readyReplicas === 1);
    assert.equal((await deps().get('slow')).status?.availableReplicas ?? 0, 0, 'ready is not yet available');
    await waitFor('available', async () => (await deps().get('slow')).status?.availableReplicas === 1, 5000);
    // Ready transition times have one-second resolution (as upstream), so count from the truncated second.
    assert.ok(Date.now() >= Math.floor(readyAt / 1000) * 1000 + 2000, 'not available before minReadySeconds');
  });
  test('scaling mid-rollout is proportional across the active ReplicaSets (upstream arithmetic)', async () => {
    const tpl = (image: string) => ({ metadata: { labels: { app: 'prop' } }, spec: { containers: [{ name: 'c', image }] } });
    await deps().create({ metadata: { name: 'prop' }, spec: { replicas: 10, selector: { matchLabels: { app: 'prop' } }, template: tpl('v1') } });
    await waitFor('v1 at 10', async () => (await rss().list({ labelSelector: 'app=prop' })).items[0]?.status?.replicas === 10);
    await deps().patch('prop', 'merge', { spec: { template: tpl('v2') } });
    // No pod ever becomes ready: the rollout stops at 8 old + 5 new (maxSurge 3, maxUnavailable 2).
    const sizes = async () => {
      const l = (await rss().list({ labelSelector: 'app=prop' })).items;
      const img = (rs: ReplicaSet) => rs.spec?.template?.spec?.containers[0]?.image;
      return [l.find((x) => img(x) === 'v1')?.spec?.replicas, l.find((x) => img(x) === 'v2')?.spec?.replicas];
    };
    await waitFor('stuck at 8+5', async () => JSON.stringify(await sizes()) === '[8,5]');
    await deps().patch('prop', 'merge', { spec: { replicas: 20 } });
    await waitFor('15+10', async () => JSON.stringify(await sizes()) === '[15,10]');
  });
  test('a Deployment adopts a matching orphan ReplicaSet and leaves one another controller owns', async () => {
    const tpl = { metadata: { labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    const widget = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'widget-uid', controller: true };
    await rss().create({ metadata: { name: 'adopt-orphan', labels: { app: 'adopt' } }, spec: { replicas: 0, selector: { matchLabels: { app: 'adopt' } }, template: tpl } });
    await rss().create({ metadata: { name: 'adopt-owned', labels: { app: 'adopt' }, ownerReferences: [widget] }, spec: { replicas: 0, selector: { matchLabels: { app: 'adopt' } }, template: tpl } });
    const d = await deps().create({ metadata: { name: 'adopt' }, spec: { replicas: 0, selector: { matchLabels: { app: 'adopt' } }, template: tpl } });
    await waitFor('orphan adopted', async () => (await rss().get('adopt-orphan')).metadata?.ownerReferences?.[0]?.uid === d.metadata?.uid);
    assert.deepEqual((await rss().get('adopt-owned')).metadata?.ownerReferences?.map((r) => r.uid), ['widget-uid'], 'the other controller keeps its ReplicaSet');
    await deps().delete('adopt');
    for (const name of ['adopt-orphan', 'adopt-owned']) await rss().delete(name).catch(() => {});
  });
  test('revisionHistoryLimit removes the oldest scaled-down ReplicaSets', async () => {
    const tpl = (image: string) => ({ metadata: { labels: { app: 'hist' } }, spec: { containers: [{ name: 'c', image }] } });
    await deps().create({ metadata: { name: 'hist' }, spec: { replicas: 1, revisionHistoryLimit: 1, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'hist' } }, template: tpl('v1') } });
    // Cleanup happens once a rollout completes, so the pods must become ready.
    const readier = setInterval(async () => {
      // A round still in flight when the suite stops the server just ends.
      const l = await pods().list({ labelSelector: 'app=hist' }).catch(() => undefined);
      for (const p of l?.items ?? []) {
        if (!p.status?.conditions?.some((c) => c.type === 'Ready') && !p.metadata?.deletionTimestamp) await setPodReady(h.client, p, true).catch(() => {});
      }
    }, 30);
    after(() => clearInterval(readier));
    const running = (v: string) => async () => (await rss().list({ labelSelector: 'app=hist' })).items.some((r) => r.spec?.template?.spec?.containers[0]?.image === v && (r.status?.replicas ?? 0) > 0);
    await waitFor('v1 running', running('v1'));
    for (const v of ['v2', 'v3', 'v4']) {
      await deps().patch('hist', 'merge', { spec: { template: tpl(v) } });
      await waitFor(`${v} running`, running(v));
    }
    const revs = await waitFor('history trimmed', async () => {
      const l = (await rss().list({ labelSelector: 'app=hist' })).items;
      const cur = l.find((r) => r.spec?.template?.spec?.containers[0]?.image === 'v4');
      return l.length === 2 && cur?.status?.replicas === 1 && l.map((r) => r.metadata?.annotations?.['deployment.kubernetes.io/revision']).sort();
    });
    assert.deepEqual(revs, ['3', '4']);
  });
});
