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

/** stored is the field record an entry keeps (shared; metadata.name and namespace left out when they are the entry's). */
const stored = (e: object): Record<string, string> => (e as { own: Record<string, string> }).own;
/** fieldsOf reads the named selectable fields of an entry, leaving out those it has none of. */
const fieldsOf = (e: { field(n: string): string | undefined }, names: string[]): Record<string, string> =>
  Object.fromEntries(names.flatMap((n) => (e.field(n) === undefined ? [] : [[n, e.field(n)!]])));

test('entries keep labels and selectable fields as plain records, not the caller\'s objects', () => {
  const labels = { app: 'web', tier: 'front' };
  const fields = { 'metadata.name': 'p', 'spec.nodeName': 'n1' };
  const e = entryOf('/registry/pods/a/p', 'a', 'p', 1, canonical, labels, fields);
  assert.deepEqual(e.labels, labels);
  assert.deepEqual(fieldsOf(e, Object.keys(fields)), fields);
  assert.deepEqual({ ...stored(e) }, { 'spec.nodeName': 'n1' });
  assert.notEqual(e.labels, labels);
  assert.deepEqual(entryOf('/registry/pods/a/p', 'a', 'p', 1, canonical, {}, {}).labels, {});
});

test('entryOf: label and field records are plain objects with the same keys, in order, whatever their size', () => {
  const fields = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f.${i}`, `v${i}`]));
  const a = entryOf('/registry/pods/a/x', 'a', 'x', 5, Buffer.from('{"kind":"Pod"}'), { app: 'x' }, fields);
  const b = entryOf('/registry/pods/a/y', 'a', 'y', 6, Buffer.from('{"kind":"Pod"}'), {}, { ...fields, 'f.3': 'other' });
  for (const r of [stored(a), stored(b), a.labels]) assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.deepEqual(Object.keys(stored(a)), Object.keys(fields));
  assert.deepEqual({ ...stored(a) }, fields);
  assert.equal(b.field('f.3'), 'other');
  assert.equal(JSON.stringify(stored(b)), JSON.stringify({ ...fields, 'f.3': 'other' }));
  assert.deepEqual({ ...a.labels }, { app: 'x' });
  assert.deepEqual({ ...b.labels }, {});
});

test('entryOf: equal labels and fields are one shared record; name and namespace come from the entry', () => {
  const pod = (name: string, node: string): ReturnType<typeof entryOf> =>
    entryOf(`/registry/pods/ns-a/${name}`, 'ns-a', name, 7, canonical, { app: 'web', tier: 'front' }, { 'metadata.name': name, 'metadata.namespace': 'ns-a', 'spec.nodeName': node, 'status.phase': 'Running', 'status.podIP': '' });
  const a = pod('a', 'n1');
  const b = pod('b', 'n1');
  const c = pod('c', 'n2');
  assert.equal(a.labels, b.labels);
  assert.equal(a.labels, c.labels);
  // Each entry answers its own name and namespace, from one record per distinct rest.
  assert.equal(a.field('metadata.name'), 'a');
  assert.equal(b.field('metadata.name'), 'b');
  assert.equal(b.field('metadata.namespace'), 'ns-a');
  assert.equal(c.field('spec.nodeName'), 'n2');
  assert.equal(a.field('status.podIP'), '');
  assert.equal(a.field('spec.unknown'), undefined);
  const names = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase', 'status.podIP'];
  assert.deepEqual(fieldsOf(b, names), { 'metadata.name': 'b', 'metadata.namespace': 'ns-a', 'spec.nodeName': 'n1', 'status.phase': 'Running', 'status.podIP': '' });
  assert.equal(Object.keys(stored(c)).join(), 'spec.nodeName,status.phase,status.podIP');
  assert.equal(stored(a), stored(b), 'pods differing only in name share their field record');
  assert.notEqual(stored(a), stored(c));
  // A record whose metadata.name is not the entry's keeps it, and the entry does not invent one.
  const odd = entryOf('/registry/x/y', '', 'y', 1, canonical, {}, { 'metadata.name': 'other' });
  assert.equal(odd.field('metadata.name'), 'other');
  assert.equal(odd.field('metadata.namespace'), undefined);
  const bare = entryOf('/registry/x/z', '', 'z', 1, canonical, {}, {});
  assert.equal(bare.field('metadata.name'), undefined);
  assert.deepEqual({ ...stored(bare) }, {});
  // Values that would collide if joined naively stay apart.
  const p = entryOf('/registry/x/p', '', 'p', 1, canonical, { 'a': 'b,c' }, {});
  const q = entryOf('/registry/x/q', '', 'q', 1, canonical, { 'a,b': 'c' }, {});
  assert.deepEqual({ ...p.labels }, { a: 'b,c' });
  assert.deepEqual({ ...q.labels }, { 'a,b': 'c' });
});
