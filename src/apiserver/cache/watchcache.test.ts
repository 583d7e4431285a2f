import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStorage } from '../../storage/index.js';
import { compileFieldSelector, selectableFields } from '../../api/fields.js';
import { parseLabelSelector } from '../../api/labels.js';
import type { KubeObject } from '../../api/types.js';
import { encodeForStorage } from '../encoding.js';
import { WatchCache, type CachedObject, type CacheWatcher, type WatchEventType } from './watchcache.js';

/** recorder is a CacheWatcher that keeps what it was sent. */
function recorder(namespace = '', nodeName?: string, filter: (o: CachedObject) => boolean = () => true): CacheWatcher & { got: string[] } {
  const got: string[] = [];
  return {
    namespace,
    ...(nodeName !== undefined ? { nodeName } : {}),
    afterRv: 0,
    filter,
    deliver(type: WatchEventType, o: CachedObject) {
      got.push(`${type} ${o.namespace}/${o.name}`);
      return true;
    },
    stop() {},
    got,
  };
}

const pod = (ns: string, name: string, node = ''): Buffer =>
  encodeForStorage({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: name } }, spec: { nodeName: node } });

test('watch cache: initial list, sorted lists, indexed fan-out, history window', async () => {
  const storage = await openStorage('sqlite::memory:');
  const cache = new WatchCache(storage, { maxEvents: 3 });
  const pods = cache.register('/registry/pods/', (_k, v) => {
    const o = JSON.parse(v.toString()) as { metadata: { labels: Record<string, string> }; spec: { nodeName: string } };
    return { labels: o.metadata.labels, fields: { 'spec.nodeName': o.spec.nodeName } };
  });
  try {
    await storage.create('/registry/pods/b/p2', pod('b', 'p2'));
    await storage.create('/registry/pods/a/p1', pod('a', 'p1'));
    await cache.start();
    assert.equal(cache.rv, 2);
    assert.deepEqual(pods.list('').map((o) => `${o.namespace}/${o.name}`), ['a/p1', 'b/p2']);
    assert.equal(JSON.parse(pods.list('a')[0]!.bytes.toString()).metadata.resourceVersion, '2');

    const all = recorder();
    const nsA = recorder('a');
    const node1 = recorder('', 'node-1', (o) => o.field('spec.nodeName') === 'node-1');
    for (const w of [all, nsA, node1]) assert.equal(pods.addWatcher(w, cache.rv), true);
    await storage.create('/registry/pods/a/p3', pod('a', 'p3'));
    const cur = (await storage.get('/registry/pods/b/p2')).kv!;
    await storage.update('/registry/pods/b/p2', pod('b', 'p2', 'node-1'), cur.modRevision);
    await storage.delete('/registry/pods/a/p1');
    assert.ok(await cache.waitFor(5, 2000));
    assert.deepEqual(all.got, ['ADDED a/p3', 'MODIFIED b/p2', 'DELETED a/p1']);
    assert.deepEqual(nsA.got, ['ADDED a/p3', 'DELETED a/p1']);
    // Binding to node-1 is an ADDED for the node's watcher (it did not match before).
    assert.deepEqual(node1.got, ['ADDED b/p2']);

    // History keeps 3 events: a watch from before them is refused (410 upstream).
    await storage.create('/registry/pods/a/p4', pod('a', 'p4'));
    assert.ok(await cache.waitFor(6, 2000));
    assert.equal(pods.addWatcher(recorder(), 2), false);
    const late = recorder();
    assert.equal(pods.addWatcher(late, 4), true);
    assert.deepEqual(late.got, ['DELETED a/p1', 'ADDED a/p4']);
    // The replay starts right after the watcher's revision, wherever that falls in the history.
    for (const [from, want] of [[5, ['ADDED a/p4']], [6, []]] as const) {
      const w = recorder();
      assert.equal(pods.addWatcher(w, from), true);
      assert.deepEqual(w.got, want, `replay from ${from}`);
    }
  } finally {
    cache.stop();
    await storage.close();
  }
});

/**
 * indexedRecorder is a watcher built as handleWatch builds one: the real label and field
 * selectors, indexed by namespace and by an exact spec.nodeName requirement (or not indexed at
 * all, as a control that must see the same events).
 */
function indexedRecorder(namespace: string, labelSelector: string, fieldSelector: string, indexed: boolean): CacheWatcher & { got: string[] } {
  const labels = parseLabelSelector(labelSelector);
  const fields = compileFieldSelector(POD, fieldSelector);
  const node = fields.requiresExactMatch('spec.nodeName');
  const got: string[] = [];
  return {
    namespace: indexed ? namespace : '',
    ...(indexed && node !== undefined ? { nodeName: node } : {}),
    afterRv: 0,
    filter: (o) => (!namespace || o.namespace === namespace) && labels.matches(o.labels) && fields.matchesSource(o),
    deliver(type: WatchEventType, o: CachedObject, rv: number) {
      const served = JSON.parse(o.bytes.toString()) as { metadata: { resourceVersion: string }; spec: { nodeName?: string } };
      assert.equal(served.metadata.resourceVersion, String(rv), 'the object is served at the event revision');
      got.push(`${type} ${o.namespace}/${o.name}@${served.spec.nodeName ?? ''}`);
      return true;
    },
    stop() {},
    got,
  };
}

const POD = { group: '', version: 'v1', kind: 'Pod' };

const podWith = (ns: string, name: string, labels: Record<string, string>, node?: string, note = ''): Buffer =>
  encodeForStorage({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels, annotations: { note } }, spec: node ? { nodeName: node } : {} });

test('watcher index: every selector sees exactly its events, with ADDED/DELETED as it starts/stops matching', async () => {
  const storage = await openStorage('sqlite::memory:');
  const cache = new WatchCache(storage);
  const pods = cache.register('/registry/pods/', (_k, v) => {
    const o = JSON.parse(v.toString()) as KubeObject;
    return { labels: o.metadata?.labels ?? {}, fields: selectableFields(POD, o) };
  });
  const cases: Array<{ name: string; ns: string; labels: string; fields: string; want: string[] }> = [
    {
      name: 'all pods',
      ns: '',
      labels: '',
      fields: '',
      want: ['ADDED a/p1@', 'ADDED b/p2@node-2', 'MODIFIED a/p1@node-1', 'MODIFIED b/p2@node-2', 'MODIFIED a/p1@node-1', 'DELETED a/p1@node-1', 'DELETED b/p2@node-2'],
    },
    { name: 'namespace a', ns: 'a', labels: '', fields: '', want: ['ADDED a/p1@', 'MODIFIED a/p1@node-1', 'MODIFIED a/p1@node-1', 'DELETED a/p1@node-1'] },
    // The scheduler's view: binding takes the pod out of it (DELETED with the bound object).
    { name: 'unbound pods (spec.nodeName=)', ns: '', labels: '', fields: 'spec.nodeName=', want: ['ADDED a/p1@', 'DELETED a/p1@node-1'] },
    // A kubelet's view: binding brings the pod in (ADDED), deletion takes it out.
    { name: 'node-1 (kubelet)', ns: '', labels: '', fields: 'spec.nodeName=node-1', want: ['ADDED a/p1@node-1', 'MODIFIED a/p1@node-1', 'DELETED a/p1@node-1'] },
    { name: 'node-2 via spec.host', ns: '', labels: '', fields: 'spec.host=node-2', want: ['ADDED b/p2@node-2', 'MODIFIED b/p2@node-2', 'DELETED b/p2@node-2'] },
    { name: 'node-1 in namespace b', ns: 'b', labels: '', fields: 'spec.nodeName=node-1', want: [] },
    { name: 'not on node-1', ns: '', labels: '', fields: 'spec.nodeName!=node-1', want: ['ADDED a/p1@', 'ADDED b/p2@node-2', 'DELETED a/p1@node-1', 'MODIFIED b/p2@node-2', 'DELETED b/p2@node-2'] },
    { name: 'app=web', ns: '', labels: 'app=web', fields: '', want: ['ADDED a/p1@', 'MODIFIED a/p1@node-1', 'ADDED b/p2@node-2', 'MODIFIED a/p1@node-1', 'DELETED a/p1@node-1', 'DELETED b/p2@node-2'] },
    { name: 'app=web in namespace b', ns: 'b', labels: 'app=web', fields: '', want: ['ADDED b/p2@node-2', 'DELETED b/p2@node-2'] },
    { name: 'app=db on node-2 (relabel leaves)', ns: '', labels: 'app=db', fields: 'spec.nodeName=node-2', want: ['ADDED b/p2@node-2', 'DELETED b/p2@node-2'] },
  ];
  try {
    await cache.start();
    const watchers = cases.map((c) => ({ c, indexed: indexedRecorder(c.ns, c.labels, c.fields, true), control: indexedRecorder(c.ns, c.labels, c.fields, false) }));
    for (const w of watchers) {
      assert.equal(pods.addWatcher(w.indexed, cache.rv), true);
      assert.equal(pods.addWatcher(w.control, cache.rv), true);
    }
    const put = async (key: string, value: Buffer): Promise<void> => {
      const cur = (await storage.get(key)).kv;
      if (cur) await storage.update(key, value, cur.modRevision);
      else await storage.create(key, value);
    };
    await put('/registry/pods/a/p1', podWith('a', 'p1', { app: 'web' }));
    await put('/registry/pods/b/p2', podWith('b', 'p2', { app: 'db' }, 'node-2'));
    await put('/registry/pods/a/p1', podWith('a', 'p1', { app: 'web' }, 'node-1')); // bound
    await put('/registry/pods/b/p2', podWith('b', 'p2', { app: 'web' }, 'node-2')); // relabelled
    await put('/registry/pods/a/p1', podWith('a', 'p1', { app: 'web' }, 'node-1', 'changed'));
    await storage.delete('/registry/pods/a/p1');
    await storage.delete('/registry/pods/b/p2');
    assert.ok(await cache.waitFor(await storage.currentRevision(), 2000));
    for (const { c, indexed, control } of watchers) {
      assert.deepEqual(indexed.got, c.want, c.name);
      assert.deepEqual(control.got, c.want, `${c.name} (unindexed)`);
    }
  } finally {
    cache.stop();
    await storage.close();
  }
});
