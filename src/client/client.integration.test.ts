/**
 * The client against a real apiserver (in-memory SQLite), over HTTP and in-process.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Event, Namespace, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import * as apiserver from '../apiserver/index.js';
import { isStatusError } from '../api/errors.js';
import { parseLabelSelector } from '../api/labels.js';
// Only to seed a storage with history for the 410 test; the client itself never touches storage.
import { openStorage } from '../storage/index.js';
import {
  EventBroadcaster,
  EventsV1Broadcaster,
  InProcessTransport,
  LeaderElector,
  LeaseLock,
  Reflector,
  RestClient,
  SharedInformerFactory,
  apiEventSink,
  apiEventsV1Sink,
  gvr,
  listWatchFor,
  newIndexer,
  type ListerWatcher,
  type EventsV1Event,
  type ResourceLock,
} from './index.js';

// kubernetes-types interfaces are used as they are.
type CM = ConfigMap;
type P = Pod;

// Skip only when the apiserver does not exist yet (its module is part of the build).
const startApiServer = (apiserver as { startApiServer?: typeof apiserver.startApiServer }).startApiServer;
const skip = startApiServer ? false : 'src/apiserver/index.ts does not export startApiServer';
if (skip) console.log(`skipping client integration tests: ${skip}`);

type Running = Awaited<ReturnType<typeof apiserver.startApiServer>>;
const servers: Running[] = [];
const clients: RestClient[] = [];
const storages: Array<Running['storage']> = [];
after(async () => {
  for (const c of clients) c.close();
  // Reverse order: a server started on another's storage closes before that storage does.
  for (const s of servers.reverse()) await s.close();
  for (const st of storages) await st.close();
});

async function newServer(storage?: Running['storage']): Promise<Running> {
  const s = await (startApiServer as typeof apiserver.startApiServer)({
    datastoreEndpoint: 'sqlite::memory:',
    port: 0,
    bindAddress: '127.0.0.1',
    bookmarkIntervalMs: 200,
    // Not loopback: Endpoints validation rejects 127.0.0.0/8 as upstream does.
    advertiseAddress: '10.0.0.1',
    ...(storage ? { storage } : {}),
  });
  servers.push(s);
  return s;
}

function clientFor(s: Running, mode: 'http' | 'in-process'): RestClient {
  const c =
    mode === 'http'
      ? new RestClient({ host: s.url, qps: 1000, burst: 1000 })
      : new RestClient({ host: 'http://in-process', qps: 1000, burst: 1000, transport: new InProcessTransport(s.handler) });
  clients.push(c);
  return c;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function createNamespace(c: RestClient, name: string): Promise<void> {
  await c.resource<Namespace>(gvr.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

for (const mode of ['http', 'in-process'] as const) {
  test(`CRUD, subresources and watch through the client (${mode})`, { skip }, async () => {
    const s = await newServer();
    const c = clientFor(s, mode);
    await createNamespace(c, 'crud');
    const cms = c.resource<CM>(gvr.configmaps).namespace('crud');

    const ctl = new AbortController();
    const seen: string[] = [];
    const first = await cms.list();
    const watching = (async () => {
      for await (const ev of cms.watch({ resourceVersion: first.metadata.resourceVersion, signal: ctl.signal })) {
        if (ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') seen.push(`${ev.type}:${ev.object.metadata?.name}:${JSON.stringify(ev.object.data ?? {})}`);
      }
    })();

    const created = await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { app: 'x' } }, data: { k: '1' } });
    assert.ok(created.metadata?.resourceVersion);
    await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', labels: { app: 'y' } } });
    await assert.rejects(cms.create({ metadata: { name: 'a' } }), (e) => isStatusError(e, 'AlreadyExists') && e.code === 409);

    const got = await cms.get('a');
    assert.deepEqual(got.data, { k: '1' });
    const listed = await cms.list({ labelSelector: 'app=x' });
    assert.deepEqual(listed.items.map((i) => i.metadata?.name), ['a']);

    const paged = await cms.list({ limit: 1 });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.metadata.continue, 'a limited list returns a continue token');
    assert.equal((await cms.listAll({ limit: 1 })).items.length, 2);

    const updated = await cms.update({ ...got, data: { k: '2' } });
    await assert.rejects(cms.update({ ...got, data: { k: 'stale' } }), (e) => isStatusError(e, 'Conflict'));
    const patched = await cms.patch('a', 'merge', { data: { k: '3' } });
    assert.notEqual(patched.metadata?.resourceVersion, updated.metadata?.resourceVersion);
    await cms.delete('a');
    await assert.rejects(cms.get('a'), (e) => isStatusError(e, 'NotFound') && e.message === 'configmaps "a" not found');

    await until('watch events', () => seen.length >= 5);
    ctl.abort();
    await watching;
    assert.deepEqual(seen, ['ADDED:a:{"k":"1"}', 'ADDED:b:{}', 'MODIFIED:a:{"k":"2"}', 'MODIFIED:a:{"k":"3"}', 'DELETED:a:{"k":"3"}']);

    // Pods: status subresource and binding.
    const pods = c.resource<P>(gvr.pods).namespace('crud');
    const pod = await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const withStatus = await pods.updateStatus({ ...pod, status: { ...pod.status, phase: 'Running' } });
    assert.equal(withStatus.status?.phase, 'Running');
    await pods.bind('p', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'node-1' } });
    assert.equal((await pods.get('p')).spec?.nodeName, 'node-1');
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    await pods.evict('q', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'q', namespace: 'crud' } });
    await assert.rejects(pods.get('q'), (e) => isStatusError(e, 'NotFound'), 'an evicted pod with no PDB is deleted');
    await pods.deleteCollection({ gracePeriodSeconds: 0 });
    await until('pods deleted', async () => (await pods.list()).items.length === 0);

    // Deployments: the scale subresource.
    const deployments = c.resource<Deployment>(gvr.deployments).namespace('crud');
    const labels = { app: 'd' };
    await deployments.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const scale = await deployments.getScale('d');
    assert.equal(scale.spec?.replicas, 1);
    assert.equal(scale.status?.selector, 'app=d');
    await deployments.updateScale('d', { ...scale, spec: { replicas: 3 } });
    assert.equal((await deployments.get('d')).spec?.replicas, 3);
  });
}

test('informer sees every add, update and delete; lister and hasSynced', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  await createNamespace(c, 'inf');
  const cms = c.resource<CM>(gvr.configmaps).namespace('inf');
  await cms.create({ metadata: { name: 'pre', labels: { app: 'web' } } });

  const factory = new SharedInformerFactory(c, { namespace: 'inf' });
  const informer = factory.forResource<CM>(gvr.configmaps);
  assert.equal(factory.forResource<CM>(gvr.configmaps), informer, 'one informer per resource per factory');
  const log: string[] = [];
  informer.addEventHandler({
    add: (o, initial) => log.push(`add:${o.metadata?.name}:${initial}`),
    update: (o, n) => log.push(`update:${o.metadata?.name}:${o.data?.['v'] ?? ''}->${n.data?.['v'] ?? ''}`),
    delete: (o) => log.push(`delete:${'key' in o ? o.key : o.metadata?.name}`),
  });
  const ctl = new AbortController();
  factory.start(ctl.signal);
  assert.equal(await factory.waitForCacheSync(ctl.signal), true);
  assert.equal(informer.hasSynced(), true);
  assert.deepEqual(log, ['add:pre:true']);

  await cms.create({ metadata: { name: 'a', labels: { app: 'web' } }, data: { v: '1' } });
  await cms.create({ metadata: { name: 'b', labels: { app: 'db' } } });
  const a = await cms.get('a');
  await cms.update({ ...a, data: { v: '2' } });
  await cms.delete('b');
  await until('all events', () => log.length >= 5);
  assert.deepEqual(log, ['add:pre:true', 'add:a:false', 'add:b:false', 'update:a:1->2', 'delete:b']);

  const lister = factory.lister<CM>(gvr.configmaps);
  assert.deepEqual(lister.namespace('inf').list(parseLabelSelector('app=web')).map((o) => o.metadata?.name).sort(), ['a', 'pre']);
  assert.equal(lister.namespace('inf').get('a')?.data?.['v'], '2');
  assert.equal(lister.namespace('inf').get('b'), undefined);
  assert.equal(lister.namespace('inf').get('a')?.kind, 'ConfigMap', 'cached objects carry kind');
  assert.ok((await cms.get('a')).metadata?.managedFields, 'precondition: the server tracks managedFields');
  assert.equal(lister.namespace('inf').get('a')?.metadata?.managedFields, undefined, 'the factory drops managedFields by default');

  // A handler added late gets the current state as initial adds.
  const late: string[] = [];
  const reg = informer.addEventHandler({ add: (o, initial) => late.push(`${o.metadata?.name}:${initial}`) });
  assert.deepEqual(late.sort(), ['a:true', 'pre:true']);
  assert.equal(reg.hasSynced(), true);

  ctl.abort();
  await factory.shutdown();
  assert.equal(informer.isStopped(), true);
});

test('reflector relists after 410 Gone from a too-old resourceVersion', { skip }, async () => {
  // The apiserver's watch cache starts at the storage's current revision, as a restarted
  // kube-apiserver does: watches from older revisions get a real 410. So give it a storage
  // with history (written directly, the way a previous apiserver would have).
  const storage = await openStorage('sqlite::memory:');
  let oldRV = '';
  for (let i = 0; i < 5; i++) {
    const kv = await storage.create(`/registry/leases/kube-system/filler-${i}`, Buffer.from(JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `filler-${i}`, namespace: 'kube-system' } })));
    if (i === 1) oldRV = String(kv.modRevision);
  }
  storages.push(storage);
  const s = await newServer(storage);
  const c = clientFor(s, 'http');
  await createNamespace(c, 'gone');
  const cms = c.resource<CM>(gvr.configmaps).namespace('gone');
  await cms.create({ metadata: { name: 'one' } });
  await cms.create({ metadata: { name: 'two' } });
  await assert.rejects(
    (async () => {
      for await (const _ of cms.watch({ resourceVersion: oldRV })) break;
    })(),
    (e) => isStatusError(e) && e.code === 410,
    'precondition: the old resourceVersion is gone',
  );

  // The reflector's first list reports that old resourceVersion (as if the reflector had
  // listed before the restart); its watch then gets 410 and it must relist.
  const real = listWatchFor(cms);
  let lists = 0;
  const watchRVs: string[] = [];
  const lw: ListerWatcher<CM> = {
    list: async (o) => {
      const l = await real.list(o);
      if (++lists === 1) return { ...l, items: l.items.filter((i) => i.metadata?.name === 'one'), metadata: { ...l.metadata, resourceVersion: oldRV } };
      return l;
    },
    watch: (o) => {
      watchRVs.push(o.resourceVersion ?? '');
      return real.watch(o);
    },
  };
  const store = newIndexer<CM>();
  const errors: unknown[] = [];
  const r = new Reflector<CM>({ listerWatcher: lw, store, onError: (e) => errors.push(e), backoff: { initialMs: 10, maxMs: 50 } });
  const ctl = new AbortController();
  const running = r.run(ctl.signal);
  await until('relist', () => lists >= 2 && store.listKeys().length === 2);
  await cms.create({ metadata: { name: 'three' } });
  await until('watch after relist', () => store.listKeys().length === 3);
  ctl.abort();
  await running;
  assert.equal(watchRVs[0], oldRV);
  assert.notEqual(watchRVs[1], oldRV, 'the second watch starts from the relisted resourceVersion');
  assert.deepEqual(store.listKeys().sort(), ['gone/one', 'gone/three', 'gone/two']);
  assert.deepEqual(errors, [], 'a 410 is handled by relisting, not reported as an error');
});

test('leader election: only one leads; the other takes over when the leader stops', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  const timing = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };
  const leading = new Set<string>();
  let overlap = false;
  const log: string[] = [];
  const elector = (id: string) =>
    new LeaderElector({
      lock: new LeaseLock(c, 'kube-system', 'test-lock'),
      identity: id,
      ...timing,
      onError: () => {},
      callbacks: {
        onStartedLeading: () => {
          leading.add(id);
          if (leading.size > 1) overlap = true;
          log.push(`start:${id}`);
        },
        onStoppedLeading: () => {
          leading.delete(id);
          log.push(`stop:${id}`);
        },
      },
    });
  const ca = new AbortController();
  const cb = new AbortController();
  const ea = elector('a');
  const eb = elector('b');
  const ra = ea.run(ca.signal);
  await until('a leads', () => ea.isLeader());
  const rb = eb.run(cb.signal);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(eb.isLeader(), false, 'b waits while a renews');
  assert.equal(eb.getLeader(), 'a');

  // a stops without releasing: b must wait out the lease, then take over.
  const stoppedAt = Date.now();
  ca.abort();
  await ra;
  await until('b leads', () => eb.isLeader(), 3000);
  const took = Date.now() - stoppedAt;
  assert.ok(took <= timing.leaseDurationMs + 500, `takeover within the lease duration (took ${took} ms)`);
  assert.ok(took >= timing.leaseDurationMs - 400, `b did not steal a live lease (took ${took} ms)`);
  const lease = await c.resource<Lease>(gvr.leases).namespace('kube-system').get('test-lock');
  assert.equal(lease.spec?.holderIdentity, 'b');
  assert.equal(lease.spec?.leaseTransitions, 1);
  assert.match(lease.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime has six fractional digits');

  cb.abort();
  await rb;
  assert.equal(eb.isLeader(), false);
  assert.equal(overlap, false, 'never two leaders at once');
  assert.deepEqual(log, ['start:a', 'stop:a', 'start:b', 'stop:b']);
});

test('leader election: releaseOnCancel hands over without waiting for expiry', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  const timing = { leaseDurationMs: 5000, renewDeadlineMs: 3000, retryPeriodMs: 100 };
  const mk = (id: string) =>
    new LeaderElector({
      lock: new LeaseLock(c, 'kube-system', 'release-lock'),
      identity: id,
      ...timing,
      releaseOnCancel: true,
      onError: () => {},
      callbacks: { onStartedLeading: () => {}, onStoppedLeading: () => {} },
    });
  const ca = new AbortController();
  const cb = new AbortController();
  const a = mk('a');
  const b = mk('b');
  const ra = a.run(ca.signal);
  await until('a leads', () => a.isLeader());
  const rb = b.run(cb.signal);
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  ca.abort();
  await ra;
  await until('b leads', () => b.isLeader(), 3000);
  assert.ok(Date.now() - t0 < 2000, 'released lease is taken well before the 5 s lease duration');
  cb.abort();
  await rb;
});

test('leader election: a leader that cannot renew steps down before anyone else can take over', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  const timing = { leaseDurationMs: 1500, renewDeadlineMs: 800, retryPeriodMs: 100 };
  // a's lock goes through a switch that, when cut, fails every call as a network partition would.
  let partitioned = false;
  const real = new LeaseLock(c, 'kube-system', 'partition-lock');
  const cut = async <R>(fn: () => Promise<R>): Promise<R> => {
    if (partitioned) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return fn();
  };
  const lockA: ResourceLock = {
    get: (sig) => cut(() => real.get(sig)),
    create: (r, sig) => cut(() => real.create(r, sig)),
    update: (r, sig) => cut(() => real.update(r, sig)),
    describe: () => real.describe(),
  };
  const times: Record<string, number> = {};
  const mk = (id: string, lock: ResourceLock) =>
    new LeaderElector({
      lock,
      identity: id,
      ...timing,
      onError: () => {},
      callbacks: {
        onStartedLeading: () => void (times[`start:${id}`] = Date.now()),
        onStoppedLeading: () => void (times[`stop:${id}`] = Date.now()),
      },
    });
  const ca = new AbortController();
  const cb = new AbortController();
  const a = mk('a', lockA);
  const b = mk('b', new LeaseLock(c, 'kube-system', 'partition-lock'));
  const ra = a.run(ca.signal);
  await until('a leads', () => a.isLeader());
  const rb = b.run(cb.signal);
  await new Promise((r) => setTimeout(r, 200));
  const cutAt = Date.now();
  partitioned = true;
  await ra; // run() returns once a gives up
  await until('b leads', () => b.isLeader(), 4000);
  const stopA = (times['stop:a'] as number) - cutAt;
  const startB = (times['start:b'] as number) - cutAt;
  assert.ok(stopA <= timing.renewDeadlineMs + 2 * timing.retryPeriodMs + 200, `a stepped down within renewDeadline (${stopA} ms)`);
  assert.ok(times['stop:a']! < times['start:b']!, `a stopped (${stopA} ms) before b started (${startB} ms)`);
  cb.abort();
  await rb;
});

test('informer resync re-delivers cached objects as updates', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  await createNamespace(c, 'resync');
  await c.resource<CM>(gvr.configmaps).namespace('resync').create({ metadata: { name: 'x' } });
  const factory = new SharedInformerFactory(c, { namespace: 'resync', defaultResyncMs: 100 });
  const informer = factory.forResource<CM>(gvr.configmaps);
  const updates: boolean[] = [];
  informer.addEventHandler({ update: (o, n) => updates.push(o === n || o.metadata?.resourceVersion === n.metadata?.resourceVersion) });
  const ctl = new AbortController();
  factory.start(ctl.signal);
  await until('two resyncs', () => updates.length >= 2);
  ctl.abort();
  await factory.shutdown();
  assert.ok(updates.every(Boolean), 'a resync update carries the same object version');
});

test('event recorder: identical events aggregate into one Event with count 2', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'http');
  await createNamespace(c, 'ev');
  const pod = await c
    .resource<P>(gvr.pods)
    .namespace('ev')
    .create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const b = new EventBroadcaster({ sink: apiEventSink(c) });
  const rec = b.newRecorder({ component: 'test-controller', host: 'host-1' });
  rec.eventf(pod, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', 'ev', 'web', 'node-1');
  await b.flush();
  rec.eventf(pod, 'Normal', 'Scheduled', 'Successfully assigned %s/%s to %s', 'ev', 'web', 'node-1');
  rec.eventf(pod, 'Warning', 'Failed', 'pull failed: %q', 'nope');
  await b.flush();
  const events = (await c.resource<Event>(gvr.events).namespace('ev').list()).items;
  const scheduled = events.filter((e) => e.reason === 'Scheduled');
  assert.equal(scheduled.length, 1, 'the repeat is folded into the first event');
  const e = scheduled[0] as Event;
  assert.equal(e.count, 2);
  assert.equal(e.message, 'Successfully assigned ev/web to node-1');
  assert.equal(e.involvedObject.kind, 'Pod');
  assert.equal(e.involvedObject.uid, pod.metadata?.uid);
  assert.deepEqual(e.source, { component: 'test-controller', host: 'host-1' });
  assert.match(e.metadata.name ?? '', /^web\.[0-9a-f]+$/);
  const failed = events.find((x) => x.reason === 'Failed');
  assert.equal(failed?.type, 'Warning');
  assert.equal(failed?.message, 'pull failed: "nope"');
  await b.shutdown();
});

test('events.k8s.io broadcaster: a Scheduled event is written, its repeat becomes a series patched to count 2', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  await createNamespace(c, 'evv1');
  const b = new EventsV1Broadcaster({ sink: apiEventsV1Sink(c), reportingController: 'default-scheduler' });
  const regarding = { kind: 'Pod', namespace: 'evv1', name: 'web', apiVersion: 'v1' };
  b.eventf(regarding, undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned evv1/web to node-1');
  await b.flush();
  b.eventf(regarding, undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned evv1/web to node-1');
  await b.flush();
  const list = await c.requestJSON<{ items: EventsV1Event[] }>({ method: 'GET', path: '/apis/events.k8s.io/v1/namespaces/evv1/events' });
  assert.equal(list.items.length, 1);
  const e = list.items[0]!;
  assert.deepEqual([e.reason, e.action, e.note, e.regarding.name, e.reportingController], ['Scheduled', 'Binding', 'Successfully assigned evv1/web to node-1', 'web', 'default-scheduler']);
  assert.equal(e.series?.count, 2, 'the isomorphic repeat patched the series');
  await b.shutdown();
});

test('informer factory: watch events lose managedFields only under the default transform; a custom transform sees them', { skip }, async () => {
  const s = await newServer();
  const c = clientFor(s, 'in-process');
  await createNamespace(c, 'mf');
  const cms = c.resource<CM>(gvr.configmaps).namespace('mf');
  const cases = [
    { name: 'default transform', opts: {}, want: false },
    { name: 'custom transform (keeps objects whole)', opts: { transform: <O,>(o: O): O => o }, want: true },
  ];
  for (const tc of cases) {
    const factory = new SharedInformerFactory(c, { namespace: 'mf', ...tc.opts });
    const informer = factory.forResource<CM>(gvr.configmaps);
    const seen: Array<boolean> = [];
    informer.addEventHandler({ add: (o, initial) => !initial && seen.push(o.metadata?.managedFields !== undefined) });
    const ctl = new AbortController();
    factory.start(ctl.signal);
    try {
      assert.equal(await factory.waitForCacheSync(ctl.signal), true);
      // created after the sync: reaches the informer by its watch, not its list
      await cms.create({ metadata: { name: `w-${tc.want}` }, data: { v: '1' } });
      await until(tc.name, () => seen.length >= 1);
      assert.deepEqual(seen, [tc.want], tc.name);
    } finally {
      ctl.abort();
      await factory.shutdown();
    }
  }
});
