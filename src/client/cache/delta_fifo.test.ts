import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { DeltaFIFO, type Delta } from './delta_fifo.js';
import { DeletedFinalStateUnknown, metaNamespaceKeyFunc, newIndexer, type KeyFunc } from './store.js';

const o = (name: string, v = '1'): KubeObject => ({ metadata: { namespace: 'ns', name, resourceVersion: v } });
const keyFunc = metaNamespaceKeyFunc as KeyFunc<KubeObject>;
const summary = (ds: Delta<KubeObject>[]): string[] =>
  ds.map((d) => `${d.type}:${d.object instanceof DeletedFinalStateUnknown ? `tombstone(${d.object.key})` : d.object.metadata?.resourceVersion}`);

async function popAll(f: DeltaFIFO<KubeObject>): Promise<Array<[string, string[], boolean]>> {
  const out: Array<[string, string[], boolean]> = [];
  while (f.len() > 0) {
    await f.pop((ds, initial) => out.push([keyFunc(ds[0]!.object), summary(ds), initial]));
  }
  return out;
}

test('DeltaFIFO: accumulates deltas per key in order, FIFO across keys', async () => {
  const f = new DeltaFIFO<KubeObject>({ keyFunc });
  f.add(o('a', '1'));
  f.add(o('b', '2'));
  f.update(o('a', '3'));
  f.delete(o('a', '4'));
  assert.deepEqual(f.listKeys(), ['ns/a', 'ns/b']);
  assert.deepEqual(await popAll(f), [
    ['ns/a', ['Added:1', 'Updated:3', 'Deleted:4'], false],
    ['ns/b', ['Added:2'], false],
  ]);
});

test('DeltaFIFO: two deletions collapse, keeping the real final state over a tombstone', async () => {
  const f = new DeltaFIFO<KubeObject>({ keyFunc });
  f.add(o('a', '1'));
  f.delete(o('a', '2'));
  f.delete(new DeletedFinalStateUnknown('ns/a', o('a', '1')));
  assert.deepEqual(summary(f.getByKey('ns/a')!), ['Added:1', 'Deleted:2']);
});

test('DeltaFIFO: delete of an unknown object is dropped', () => {
  const idx = newIndexer<KubeObject>();
  const f = new DeltaFIFO<KubeObject>({ keyFunc, knownObjects: idx });
  f.delete(o('ghost'));
  assert.equal(f.len(), 0);
});

test('DeltaFIFO: replace emits Replaced, and tombstones for known objects that vanished; hasSynced after initial pops', async () => {
  const idx = newIndexer<KubeObject>();
  idx.add(o('gone', '1'));
  idx.add(o('stays', '1'));
  const f = new DeltaFIFO<KubeObject>({ keyFunc, knownObjects: idx });
  assert.equal(f.hasSynced(), false);
  f.replace([o('stays', '2'), o('new', '3')], '3');
  assert.equal(f.hasSynced(), false);
  const popped = await popAll(f);
  assert.deepEqual(popped, [
    ['ns/stays', ['Replaced:2'], true],
    ['ns/new', ['Replaced:3'], true],
    ['ns/gone', ['Deleted:tombstone(ns/gone)'], true],
  ]);
  assert.equal(f.hasSynced(), true);
});

test('DeltaFIFO: an empty first list is synced at once', () => {
  const f = new DeltaFIFO<KubeObject>({ keyFunc, knownObjects: newIndexer<KubeObject>() });
  f.replace([], '1');
  assert.equal(f.hasSynced(), true);
});

test('DeltaFIFO: resync queues Sync only for known objects without pending deltas', async () => {
  const idx = newIndexer<KubeObject>();
  idx.add(o('a', '1'));
  idx.add(o('b', '1'));
  const f = new DeltaFIFO<KubeObject>({ keyFunc, knownObjects: idx });
  f.update(o('b', '2'));
  f.resync();
  assert.deepEqual(await popAll(f), [
    ['ns/b', ['Updated:2'], false],
    ['ns/a', ['Sync:1'], false],
  ]);
});

test('DeltaFIFO: pop waits for an item; close releases it', async () => {
  const f = new DeltaFIFO<KubeObject>({ keyFunc });
  const got: string[] = [];
  const p = f.pop((ds) => got.push(keyFunc(ds[0]!.object)));
  f.add(o('x'));
  assert.equal(await p, true);
  assert.deepEqual(got, ['ns/x']);
  const q = f.pop(() => assert.fail('nothing to pop'));
  f.close();
  assert.equal(await q, false);
});
