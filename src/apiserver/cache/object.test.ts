import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeForStorage } from '../encoding.js';
import { entryOf, ownMemory } from './object.js';

const canonical = encodeForStorage({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', labels: { app: 'web' } }, spec: { nodeName: 'n1' } });

test('cache entries serve the stored bytes with the revision spliced in', () => {
  const cases: Array<{ name: string; value: Buffer }> = [
    { name: 'canonical layout', value: canonical },
    { name: 'empty metadata', value: Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"a":"b"}}') },
    { name: 'metadata not first, with a stale resourceVersion (another tool)', value: Buffer.from('{"data":{"a":"b"},"metadata":{"name":"x","resourceVersion":"7"},"kind":"ConfigMap","apiVersion":"v1"}') },
    { name: 'a nested metadata before the top-level one', value: Buffer.from('{"spec":{"template":{"metadata":{"labels":{"a":"b"}}}},"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"}}') },
    { name: 'a slice of a larger buffer', value: Buffer.concat([Buffer.from('junk'), canonical]).subarray(4) },
  ];
  for (const c of cases) {
    const e = entryOf('/registry/x/a/p', 'a', 'p', 42, c.value, { app: 'web' }, { 'metadata.name': 'p' });
    const want = JSON.parse(c.value.toString()) as { metadata: { resourceVersion: string } };
    want.metadata.resourceVersion = '42';
    assert.deepEqual(JSON.parse(e.bytes.toString()), want, c.name);
    const frame = e.framed(Buffer.from('{"type":"ADDED","object":'), Buffer.from('}\n'));
    assert.deepEqual(JSON.parse(frame.toString()), { type: 'ADDED', object: want }, `${c.name}: frame`);
    // A delete is served at its own revision with the same content.
    const deleted = e.atRevision(50);
    assert.equal((JSON.parse(deleted.bytes.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '50', `${c.name}: atRevision`);
    assert.deepEqual(deleted.labels, { app: 'web' });
    assert.equal(deleted.rv, 50);
  }
});

test('ownMemory shares a buffer of its own and copies a slice (which would pin its parent)', () => {
  const own = Buffer.allocUnsafeSlow(16).fill(1);
  assert.equal(ownMemory(own), own);
  const slice = Buffer.alloc(64, 2).subarray(8, 24);
  const copy = ownMemory(slice);
  assert.notEqual(copy, slice);
  assert.equal(copy.buffer.byteLength, 16);
  assert.deepEqual(copy, slice);
});

test('entries keep labels and selectable fields as plain records, not the caller\'s objects', () => {
  const labels = { app: 'web', tier: 'front' };
  const fields = { 'metadata.name': 'p', 'spec.nodeName': 'n1' };
  const e = entryOf('/registry/pods/a/p', 'a', 'p', 1, canonical, labels, fields);
  assert.deepEqual(e.labels, labels);
  assert.deepEqual(e.fields, fields);
  assert.notEqual(e.labels, labels);
  assert.deepEqual(entryOf('/registry/pods/a/p', 'a', 'p', 1, canonical, {}, {}).labels, {});
});

test('entryOf: label and field records are plain objects with the same keys, in order, whatever their size', () => {
  const fields = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f.${i}`, `v${i}`]));
  const a = entryOf('/registry/pods/a/x', 'a', 'x', 5, Buffer.from('{"kind":"Pod"}'), { app: 'x' }, fields);
  const b = entryOf('/registry/pods/a/y', 'a', 'y', 6, Buffer.from('{"kind":"Pod"}'), {}, { ...fields, 'f.3': 'other' });
  for (const r of [a.fields, b.fields, a.labels]) assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.deepEqual(Object.keys(a.fields), Object.keys(fields));
  assert.deepEqual({ ...a.fields }, fields);
  assert.equal(b.fields['f.3'], 'other');
  assert.equal(JSON.stringify(b.fields), JSON.stringify({ ...fields, 'f.3': 'other' }));
  assert.deepEqual({ ...a.labels }, { app: 'x' });
  assert.deepEqual({ ...b.labels }, {});
});
