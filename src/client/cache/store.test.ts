import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { DeletedFinalStateUnknown, NAMESPACE_INDEX, metaNamespaceKeyFunc, newIndexer, splitMetaNamespaceKey } from './store.js';
import { Lister } from './lister.js';
import type { Selector } from '../../api/labels.js';

const obj = (ns: string, name: string, labels: Record<string, string> = {}, node = ''): KubeObject => ({
  metadata: { namespace: ns || undefined, name, labels },
  spec: { nodeName: node },
});

test('metaNamespaceKeyFunc and splitMetaNamespaceKey', () => {
  const cases = [
    { name: 'namespaced', o: obj('ns', 'a'), key: 'ns/a', split: { namespace: 'ns', name: 'a' } },
    { name: 'cluster-scoped', o: obj('', 'node1'), key: 'node1', split: { namespace: '', name: 'node1' } },
  ];
  for (const c of cases) {
    assert.equal(metaNamespaceKeyFunc(c.o), c.key, c.name);
    assert.deepEqual(splitMetaNamespaceKey(c.key), c.split, c.name);
  }
  assert.equal(metaNamespaceKeyFunc(new DeletedFinalStateUnknown('x/y', obj('x', 'z'))), 'x/y', 'tombstone keeps its key');
  assert.throws(() => splitMetaNamespaceKey('a/b/c'));
});

test('Indexer: namespace index and custom index follow add/update/delete', () => {
  const byNode = (o: KubeObject): string[] => {
    const n = (o['spec'] as { nodeName?: string }).nodeName;
    return n ? [n] : [];
  };
  const idx = newIndexer<KubeObject>({ byNode });
  idx.add(obj('a', 'p1', {}, 'n1'));
  idx.add(obj('a', 'p2', {}, 'n2'));
  idx.add(obj('b', 'p3', {}, 'n1'));
  assert.deepEqual(idx.indexKeys(NAMESPACE_INDEX, 'a').sort(), ['a/p1', 'a/p2']);
  assert.deepEqual(idx.indexKeys('byNode', 'n1').sort(), ['a/p1', 'b/p3']);
  idx.update(obj('a', 'p1', {}, 'n2'));
  assert.deepEqual(idx.indexKeys('byNode', 'n1'), ['b/p3']);
  assert.deepEqual(idx.indexKeys('byNode', 'n2').sort(), ['a/p1', 'a/p2']);
  idx.delete(obj('a', 'p2'));
  assert.deepEqual(idx.byIndex('byNode', 'n2').map(metaNamespaceKeyFunc), ['a/p1']);
  assert.deepEqual(idx.index('byNode', obj('x', 'y', {}, 'n1')).map(metaNamespaceKeyFunc), ['b/p3']);
  assert.deepEqual(idx.listIndexFuncValues('byNode').sort(), ['n1', 'n2']);
  idx.replace([obj('c', 'q', {}, 'n9')], '10');
  assert.deepEqual(idx.listKeys(), ['c/q']);
  assert.deepEqual(idx.indexKeys('byNode', 'n1'), []);
  assert.deepEqual(idx.indexKeys('byNode', 'n9'), ['c/q']);
  assert.throws(() => idx.byIndex('nope', 'x'), /does not exist/);
  assert.throws(() => idx.addIndexers({ byNode }), /conflict/);
  idx.addIndexers({ byName: (o) => [o.metadata?.name ?? ''] });
  assert.deepEqual(idx.indexKeys('byName', 'q'), ['c/q'], 'a late index covers existing items');
});

test('Lister: by namespace, by name, by selector', () => {
  const idx = newIndexer<KubeObject>();
  idx.add(obj('a', 'web', { app: 'web' }));
  idx.add(obj('a', 'db', { app: 'db' }));
  idx.add(obj('b', 'web', { app: 'web' }));
  idx.add(obj('', 'node1'));
  const l = new Lister<KubeObject>(idx);
  const app = (v: string): Selector => ({
    matches: (labels) => labels?.['app'] === v,
    empty: () => false,
    requiresExactMatch: (k) => (k === 'app' ? v : undefined),
    toString: () => `app=${v}`,
  });
  assert.equal(l.list().length, 4);
  assert.equal(l.list(app('web')).length, 2);
  assert.deepEqual(l.namespace('a').list(app('web')).map((o) => o.metadata?.name), ['web']);
  assert.equal(l.namespace('a').list().length, 2);
  assert.equal(l.namespace('b').get('web')?.metadata?.namespace, 'b');
  assert.equal(l.namespace('b').get('db'), undefined);
  assert.equal(l.get('node1')?.metadata?.name, 'node1');
});
