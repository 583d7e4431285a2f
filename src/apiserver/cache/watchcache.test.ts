import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStorage } from '../../storage/index.js';
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
    const node1 = recorder('', 'node-1', (o) => o.fields['spec.nodeName'] === 'node-1');
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
