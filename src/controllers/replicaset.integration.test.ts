/**
 * ReplicaSet slow start against a real apiserver: when pod creation fails, the controller
 * stops after the first failing batch instead of sending every create.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { gvr, type Transport } from '../client/index.js';
import { newReplicaSetController } from './replicaset.js';
import { startHarness, waitFor, type Harness } from './testing.js';

describe('replicaset slow start', () => {
  let h: Harness;
  const podPosts: number[] = [];
  let failPods = false;
  /** lagMs delays every pod watch chunk, so the controllers' pod cache runs behind the API. */
  let lagMs = 0;
  before(async () => {
    const wrap = (t: Transport): Transport => ({
      async request(req) {
        if (req.method === 'POST' && /\/pods$/.test(req.path.split('?')[0]!)) {
          podPosts.push(Date.now());
          if (failPods) {
            // Answer as an admission plugin refusing the pod would.
            const { Readable } = await import('node:stream');
            const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "x" is forbidden: exceeded quota', reason: 'Forbidden', code: 403 });
            return { status: 403, headers: { 'content-type': 'application/json' }, body: Readable.from([body]) };
          }
        }
        const res = await t.request(req);
        if (req.method === 'GET' && /\/pods\?/.test(req.path) && req.path.includes('watch=')) {
          const { PassThrough } = await import('node:stream');
          const out = new PassThrough();
          let chain = Promise.resolve();
          res.body.on('data', (chunk: Buffer) => {
            const lag = lagMs;
            chain = chain.then(() => new Promise<void>((r) => setTimeout(r, lag))).then(() => void out.write(chunk));
          });
          res.body.on('end', () => void chain.then(() => out.end()));
          res.body.on('error', (err) => out.destroy(err));
          out.on('close', () => res.body.destroy());
          return { ...res, body: out };
        }
        return res;
      },
      close: () => t.close(),
    });
    h = await startHarness((ctx) => [newReplicaSetController(ctx)], { wrapTransport: wrap });
  });
  after(async () => h?.stop());

  test('a failing first batch stops the sync (one create per attempt, retried with backoff); once creates succeed it fills up and ReplicaFailure clears', async () => {
    const rss = h.client.resource<ReplicaSet>(gvr.replicasets).namespace('default');
    failPods = true;
    await rss.create({
      metadata: { name: 'quota' },
      spec: { replicas: 20, selector: { matchLabels: { app: 'quota' } }, template: { metadata: { labels: { app: 'quota' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    await waitFor('ReplicaFailure', async () => (await rss.get('quota')).status?.conditions?.find((c) => c.type === 'ReplicaFailure' && c.reason === 'FailedCreate'));
    await new Promise((r) => setTimeout(r, 200));
    const attempts = podPosts.length;
    // Without slow start each attempt would send 20 creates.
    assert.ok(attempts >= 2 && attempts < 20, `${attempts} creates while failing`);
    failPods = false;
    const pods = h.client.resource<Pod>(gvr.pods).namespace('default');
    await waitFor('20 pods', async () => (await pods.list({ labelSelector: 'app=quota' })).items.length === 20);
    await waitFor('condition cleared', async () => !(await rss.get('quota')).status?.conditions?.some((c) => c.type === 'ReplicaFailure'));
  });
  test('expectations: with a pod cache lagging the API, repeated syncs never create extra pods', async () => {
    lagMs = 300;
    const rss = h.client.resource<ReplicaSet>(gvr.replicasets).namespace('default');
    const pods = h.client.resource<Pod>(gvr.pods).namespace('default');
    await rss.create({
      metadata: { name: 'lag' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'lag' } }, template: { metadata: { labels: { app: 'lag' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    let most = 0;
    const deadline = Date.now() + 1500;
    let i = 0;
    while (Date.now() < deadline) {
      // Every ReplicaSet change triggers another sync while the cache still misses the new pods.
      await rss.patch('lag', 'merge', { metadata: { annotations: { poke: String(i++) } } });
      most = Math.max(most, (await pods.list({ labelSelector: 'app=lag' })).items.length);
      await new Promise((r) => setTimeout(r, 20));
    }
    lagMs = 0;
    assert.equal(most, 3, 'never more than spec.replicas pods');
    assert.equal((await pods.list({ labelSelector: 'app=lag' })).items.length, 3);
  });
});
