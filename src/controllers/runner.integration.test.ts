/**
 * The shared runner against a real apiserver: reconciles start only after the caches synced,
 * a failing key is retried with rate limiting until it succeeds, requeueAfter brings a key
 * back, one key is never reconciled twice at the same time, and keys from the events a watch
 * calls urgent are reconciled before the others waiting.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { gvr, RestClient, SharedInformerFactory, realClock, type Lister } from '../client/index.js';
import { startApiServer, type RunningApiServer } from '../apiserver/index.js';
import { ControllerRunner, watch, type Controller, type ControllerContext } from './runner.js';
import { waitFor } from './testing.js';

describe('ControllerRunner', () => {
  let server: RunningApiServer;
  let client: RestClient;
  before(async () => {
    server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', bindAddress: '127.0.0.1', port: 0, advertiseAddress: '192.0.2.1' });
    client = new RestClient({ host: server.url, qps: Infinity });
  });
  after(async () => server?.close());

  test('waits for cache sync, retries failures with backoff, honours requeueAfter, never runs a key twice at once', async () => {
    const cms = client.resource<ConfigMap>(gvr.configmaps).namespace('default');
    for (const n of ['pre-1', 'pre-2']) await cms.create({ metadata: { name: n } });
    const ctx: ControllerContext = { client, informers: new SharedInformerFactory(client), clock: realClock, recorder: () => ({ event() {}, eventf() {}, annotatedEventf() {} }), log: () => {} };
    const calls: Array<{ key: string; at: number; cached: number }> = [];
    const inFlight = new Set<string>();
    let overlap = false;
    let flaky = 0;
    let requeued = 0;
    const lister: Lister<ConfigMap> = ctx.informers.lister<ConfigMap>(gvr.configmaps);
    const c: Controller = {
      name: 'test',
      workers: 4,
      watches: [watch(ctx.informers.forResource<ConfigMap>(gvr.configmaps))],
      async reconcile(key) {
        if (inFlight.has(key)) overlap = true;
        inFlight.add(key);
        calls.push({ key, at: Date.now(), cached: lister.namespace('default').list().filter((x) => x.metadata?.name?.startsWith('pre-')).length });
        try {
          await new Promise((r) => setTimeout(r, 5));
          if (key === 'default/flaky' && ++flaky < 3) throw new Error('transient');
          if (key === 'default/again' && ++requeued < 2) return { requeueAfter: 100 };
        } finally {
          inFlight.delete(key);
        }
      },
    };
    const runner = new ControllerRunner(ctx);
    runner.add(c);
    const ac = new AbortController();
    const done = runner.run(ac.signal);
    try {
      await waitFor('initial keys', () => calls.filter((x) => x.key.startsWith('default/pre-')).length >= 2);
      assert.ok(calls.every((x) => x.cached === 2), 'every reconcile saw the complete cache');
      await cms.create({ metadata: { name: 'flaky' } });
      await waitFor('flaky succeeded', () => flaky >= 3);
      const f = calls.filter((x) => x.key === 'default/flaky');
      assert.equal(f.length, 3);
      // The default controller rate limiter waits 5 ms, then 10 ms, ... before each retry.
      assert.ok(f[1]!.at - f[0]!.at >= 5 && f[2]!.at - f[1]!.at >= 10, 'retries back off');
      const t0 = Date.now();
      await cms.create({ metadata: { name: 'again' } });
      await waitFor('requeued', () => requeued >= 2);
      assert.ok(Date.now() - t0 >= 100, 'requeueAfter delayed the second reconcile');
      // Many updates to one key while it is being reconciled: still one reconcile at a time.
      await Promise.all(Array.from({ length: 20 }, (_, i) => cms.patch('again', 'merge', { data: { n: String(i) } })));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(overlap, false);
    } finally {
      ac.abort();
      await done;
    }
  });
  test('keys of urgent events are reconciled before the keys already waiting', async () => {
    const cms = client.resource<ConfigMap>(gvr.configmaps).namespace('urgent');
    await client.resource<{ metadata: { name: string } }>(gvr.namespaces).create({ metadata: { name: 'urgent' } });
    const ctx: ControllerContext = { client, informers: new SharedInformerFactory(client), clock: realClock, recorder: () => ({ event() {}, eventf() {}, annotatedEventf() {} }), log: () => {} };
    const order: string[] = [];
    let release!: () => void;
    const blocked = new Promise<void>((r) => (release = r));
    const c: Controller = {
      name: 'urgent-test',
      workers: 1,
      // Urgent: a ConfigMap created with the label urgent=true, or one whose data changed.
      watches: [
        watch(ctx.informers.forResource<ConfigMap>(gvr.configmaps), undefined, {
          add: (cm) => cm.metadata?.labels?.['urgent'] === 'true',
          update: (a, b) => JSON.stringify(a.data ?? {}) !== JSON.stringify(b.data ?? {}),
        }),
      ],
      async reconcile(key) {
        if (!key.startsWith('urgent/')) return;
        order.push(key);
        // The one worker holds the first key until every other event is queued.
        if (key === 'urgent/first') await blocked;
      },
    };
    const runner = new ControllerRunner(ctx);
    runner.add(c);
    // Handlers run in the order they were added, so once this one saw hot-2 the runner queued it.
    let sawLast = false;
    ctx.informers.forResource<ConfigMap>(gvr.configmaps).addEventHandler({ add: (cm) => void (sawLast ||= cm.metadata?.name === 'hot-2') });
    const ac = new AbortController();
    const done = runner.run(ac.signal);
    try {
      await cms.create({ metadata: { name: 'first' } });
      await waitFor('first reconciling', () => order.length === 1);
      await cms.create({ metadata: { name: 'plain-1' } });
      await cms.create({ metadata: { name: 'plain-2' } });
      await cms.create({ metadata: { name: 'label-only' } });
      await cms.create({ metadata: { name: 'hot-1', labels: { urgent: 'true' } } });
      await cms.patch('label-only', 'merge', { metadata: { labels: { x: 'y' } } });
      await cms.patch('plain-2', 'merge', { data: { k: 'v' } });
      await cms.create({ metadata: { name: 'hot-2', labels: { urgent: 'true' } } });
      await waitFor('events seen', () => sawLast);
      release();
      await waitFor('all reconciled', () => order.length === 6);
      // plain-2 moved ahead by its data change; label-only's update was routine.
      assert.deepEqual(order, ['urgent/first', 'urgent/hot-1', 'urgent/plain-2', 'urgent/hot-2', 'urgent/plain-1', 'urgent/label-only']);
    } finally {
      ac.abort();
      await done;
    }
  });
});
