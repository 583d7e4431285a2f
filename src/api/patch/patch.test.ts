import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../errors.js';
import type { KubeObject } from '../types.js';
import { applyJSONPatch, applyMergePatch, applyStrategicMergePatch, cloneJSON, sameJSONText } from './index.js';

const pod = { group: '', version: 'v1', kind: 'Pod' };
const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
const custom = { group: 'example.com', version: 'v1', kind: 'Widget' };

type Doc = Record<string, unknown>;

// RFC 6902 Appendix A (the examples that must succeed).
const jsonPatchCases: { name: string; doc: Doc; patch: unknown[]; want: Doc }[] = [
  { name: 'A.1 add an object member', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], want: { foo: 'bar', baz: 'qux' } },
  { name: 'A.2 add an array element', doc: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], want: { foo: ['bar', 'qux', 'baz'] } },
  { name: 'A.3 remove an object member', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], want: { foo: 'bar' } },
  { name: 'A.4 remove an array element', doc: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], want: { foo: ['bar', 'baz'] } },
  { name: 'A.5 replace a value', doc: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], want: { baz: 'boo', foo: 'bar' } },
  {
    name: 'A.6 move a value',
    doc: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    want: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  },
  { name: 'A.7 move an array element', doc: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], want: { foo: ['all', 'cows', 'eat', 'grass'] } },
  {
    name: 'A.8 test a value: success',
    doc: { baz: 'qux', foo: ['a', 2, 'c'] },
    patch: [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    want: { baz: 'qux', foo: ['a', 2, 'c'] },
  },
  { name: 'A.10 add a nested member object', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], want: { foo: 'bar', child: { grandchild: {} } } },
  { name: 'A.11 ignore unrecognized elements', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], want: { foo: 'bar', baz: 'qux' } },
  { name: 'A.14 ~ escape ordering', doc: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: 10 }], want: { '/': 9, '~1': 10 } },
  { name: 'A.16 add an array value', doc: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], want: { foo: ['bar', ['abc', 'def']] } },
  { name: 'copy a subtree', doc: { a: { b: [1] } }, patch: [{ op: 'copy', from: '/a', path: '/c' }], want: { a: { b: [1] }, c: { b: [1] } } },
  { name: 'escaped slash in a label key', doc: { metadata: { labels: { 'app.kubernetes.io/name': 'x' } } }, patch: [{ op: 'remove', path: '/metadata/labels/app.kubernetes.io~1name' }], want: { metadata: { labels: {} } } },
  { name: 'negative index counts from the end', doc: { a: [1, 2, 3] }, patch: [{ op: 'remove', path: '/a/-1' }], want: { a: [1, 2] } },
  { name: 'test of a missing member against null', doc: { a: 1 }, patch: [{ op: 'test', path: '/b', value: null }], want: { a: 1 } },
];

for (const c of jsonPatchCases) {
  test(`json patch: ${c.name}`, () => {
    const before = JSON.stringify(c.doc);
    assert.deepEqual(applyJSONPatch(c.doc as KubeObject, c.patch), c.want);
    assert.equal(JSON.stringify(c.doc), before, 'input must not be mutated');
  });
}

const jsonPatchErrors: { name: string; doc: Doc; patch: unknown; code: number; message?: string }[] = [
  { name: 'A.9 failed test is 422', doc: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], code: 422, message: 'the server rejected our request due to an error in our request' },
  { name: 'A.12 add to a nonexistent target', doc: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }], code: 422 },
  { name: 'A.15 strings and numbers differ', doc: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: '10' }], code: 422 },
  { name: 'remove a missing key', doc: { a: 1 }, patch: [{ op: 'remove', path: '/b' }], code: 422 },
  { name: 'replace a missing key', doc: { a: 1 }, patch: [{ op: 'replace', path: '/b', value: 2 }], code: 422 },
  { name: 'index out of range', doc: { a: [1] }, patch: [{ op: 'add', path: '/a/3', value: 2 }], code: 422 },
  { name: 'unknown op', doc: { a: 1 }, patch: [{ op: 'frobnicate', path: '/a' }], code: 422 },
  { name: 'patch is not a list', doc: { a: 1 }, patch: { op: 'add' }, code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
];

for (const c of jsonPatchErrors) {
  test(`json patch error: ${c.name}`, () => {
    assert.throws(
      () => applyJSONPatch(c.doc as KubeObject, c.patch),
      (err: unknown) => isStatusError(err) && err.code === c.code && (c.message === undefined || err.message === c.message),
    );
  });
}

test('json patch: null is an empty patch, as Go decodes it', () => {
  assert.deepEqual(applyJSONPatch({ a: 1 }, null), { a: 1 });
});

test('json patch: a failed op leaves the input untouched (all or nothing)', () => {
  const doc = { a: 1 };
  assert.throws(() =>
    applyJSONPatch(doc, [
      { op: 'add', path: '/b', value: 2 },
      { op: 'test', path: '/a', value: 5 },
    ]),
  );
  assert.deepEqual(doc, { a: 1 });
});

// RFC 7386 Appendix A.
const mergeCases: { target: unknown; patch: Doc; want: unknown }[] = [
  { target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { target: { a: 'b' }, patch: { a: null }, want: {} },
  { target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { target: [1, 2], patch: { a: 'b', c: null }, want: { a: 'b' } },
  { target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
];

for (const [i, c] of mergeCases.entries()) {
  test(`merge patch: RFC 7386 example ${i + 1}`, () => {
    assert.deepEqual(applyMergePatch(c.target as KubeObject, c.patch), c.want);
  });
}

test('merge patch: a non-object patch is 400', () => {
  assert.throws(() => applyMergePatch({}, [1]), (err: unknown) => isStatusError(err, 'BadRequest'));
});

const c = (name: string, extra: Doc = {}): Doc => ({ name, ...extra });

// Strategic merge patch cases, in the spirit of upstream's strategicpatch testdata.
const smpCases: { name: string; gvk?: typeof pod; original: Doc; patch: Doc; want: Doc }[] = [
  {
    name: 'containers merge by name, server-only items keep their place',
    original: { spec: { containers: [c('a', { image: '1' }), c('b', { image: '1' })] } },
    patch: { spec: { containers: [c('b', { image: '2' })] } },
    want: { spec: { containers: [c('a', { image: '1' }), c('b', { image: '2' })] } },
  },
  {
    name: 'a new container is appended',
    original: { spec: { containers: [c('a')] } },
    patch: { spec: { containers: [c('b', { image: 'x' })] } },
    want: { spec: { containers: [c('b', { image: 'x' }), c('a')] } },
  },
  {
    name: '$patch: delete removes the item with the merge key',
    original: { spec: { containers: [c('a'), c('b'), c('c')] } },
    patch: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } },
    want: { spec: { containers: [c('a'), c('c')] } },
  },
  {
    name: '$patch: replace in a list replaces the whole list',
    original: { spec: { containers: [c('a', { image: '1' }), c('b')] } },
    patch: { spec: { containers: [c('z', { image: '9' }), { $patch: 'replace' }] } },
    want: { spec: { containers: [c('z', { image: '9' })] } },
  },
  {
    name: '$patch: replace in a map replaces the map',
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { c: '3', $patch: 'replace' } } },
    want: { metadata: { labels: { c: '3' } } },
  },
  {
    name: '$patch: delete in a map empties it',
    original: { spec: { affinity: { nodeAffinity: {} }, nodeName: 'n' } },
    patch: { spec: { affinity: { $patch: 'delete' } } },
    want: { spec: { affinity: {}, nodeName: 'n' } },
  },
  {
    name: 'null deletes a key; maps merge',
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { a: null, c: '3' } } },
    want: { metadata: { labels: { b: '2', c: '3' } } },
  },
  {
    name: 'nested lists merge: env by name inside a container',
    original: { spec: { containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] })] } },
    patch: { spec: { containers: [c('a', { env: [{ name: 'Y', value: '3' }] })] } },
    want: { spec: { containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }] })] } },
  },
  {
    name: 'container ports merge by containerPort',
    original: { spec: { containers: [c('a', { ports: [{ containerPort: 80 }, { containerPort: 443 }] })] } },
    patch: { spec: { containers: [c('a', { ports: [{ containerPort: 443, name: 'https' }] })] } },
    want: { spec: { containers: [c('a', { ports: [{ containerPort: 80 }, { containerPort: 443, name: 'https' }] })] } },
  },
  {
    name: 'lists without a patch strategy are replaced (args, tolerations)',
    original: { spec: { containers: [c('a', { args: ['x', 'y'] })], tolerations: [{ key: 'k' }] } },
    patch: { spec: { containers: [c('a', { args: ['z'] })], tolerations: [{ key: 'j' }] } },
    want: { spec: { containers: [c('a', { args: ['z'] })], tolerations: [{ key: 'j' }] } },
  },
  {
    name: 'finalizers are a merged primitive list (union)',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    want: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList removes primitives',
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    want: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$setElementOrder orders merged containers',
    original: { spec: { containers: [c('a'), c('b'), c('c')] } },
    patch: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }], containers: [c('b', { image: 'new' })] } },
    want: { spec: { containers: [c('c'), c('b', { image: 'new' }), c('a')] } },
  },
  {
    name: '$setElementOrder with primitives and a deletion (kubectl apply of finalizers)',
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['b', 'c'], '$deleteFromPrimitiveList/finalizers': ['a'], finalizers: ['c'] } },
    want: { metadata: { finalizers: ['b', 'c'] } },
  },
  {
    name: '$retainKeys switches a volume source',
    original: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } },
    patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['hostPath', 'name'], emptyDir: null, hostPath: { path: '/tmp' } }] } },
    want: { spec: { volumes: [{ name: 'v', hostPath: { path: '/tmp' } }] } },
  },
  {
    name: 'deployment template containers merge through the schema',
    gvk: deployment,
    original: { spec: { replicas: 1, template: { spec: { containers: [c('a', { image: '1' }), c('b')] } } } },
    patch: { spec: { replicas: 3, template: { spec: { containers: [c('a', { image: '2' })] } } } },
    want: { spec: { replicas: 3, template: { spec: { containers: [c('a', { image: '2' }), c('b')] } } } },
  },
  {
    name: 'ownerReferences merge by uid',
    original: { metadata: { ownerReferences: [{ uid: '1', name: 'x' }] } },
    patch: { metadata: { ownerReferences: [{ uid: '2', name: 'y' }] } },
    want: { metadata: { ownerReferences: [{ uid: '2', name: 'y' }, { uid: '1', name: 'x' }] } },
  },
  {
    name: 'status conditions merge by type',
    original: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } },
    patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    want: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }] } },
  },
  {
    name: 'a custom resource has no strategies: lists are replaced',
    gvk: custom,
    original: { spec: { items: [c('a')], x: 1 } },
    patch: { spec: { items: [c('b')] } },
    want: { spec: { items: [c('b')], x: 1 } },
  },
  {
    name: 'a new list keeps no directives',
    original: { spec: {} },
    patch: { spec: { containers: [c('a', { image: null })], initContainers: [{ name: 'i', $patch: 'delete' }] } },
    want: { spec: { containers: [c('a')], initContainers: [] } },
  },
];

for (const t of smpCases) {
  test(`strategic merge patch: ${t.name}`, () => {
    const before = JSON.stringify(t.original);
    assert.deepEqual(applyStrategicMergePatch(t.gvk ?? pod, t.original as KubeObject, t.patch), t.want);
    assert.equal(JSON.stringify(t.original), before, 'input must not be mutated');
  });
}

const smpErrors: { name: string; original: Doc; patch: unknown; code: number }[] = [
  { name: 'patch is not an object', original: {}, patch: [1], code: 400 },
  { name: 'unknown $patch directive in a map', original: { spec: { affinity: {} } }, patch: { spec: { affinity: { $patch: 'frob' } } }, code: 400 },
  { name: 'list item without its merge key', original: { spec: { containers: [c('a')] } }, patch: { spec: { containers: [{ image: 'x' }] } }, code: 500 },
  { name: 'bad $retainKeys', original: { spec: { volumes: [c('v')] } }, patch: { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } }, code: 400 },
  { name: 'patch content outside $retainKeys', original: { spec: { volumes: [c('v')] } }, patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], hostPath: {} }] } }, code: 400 },
  { name: 'bad $setElementOrder', original: { spec: {} }, patch: { spec: { '$setElementOrder/containers': 'x' } }, code: 400 },
];

for (const t of smpErrors) {
  test(`strategic merge patch error: ${t.name}`, () => {
    assert.throws(
      () => applyStrategicMergePatch(pod, t.original as KubeObject, t.patch),
      (err: unknown) => isStatusError(err) && err.code === t.code,
    );
  });
}

test('cloneJSON copies as a JSON round trip would', () => {
  const cases: Array<{ name: string; v: unknown }> = [
    { name: 'scalars', v: ['s', 1, true, null] },
    { name: 'undefined keys dropped, undefined items null', v: { a: undefined, b: [undefined, 1], c: { d: undefined } } },
    { name: 'non-finite numbers', v: { a: NaN, b: [Infinity] } },
    { name: 'toJSON honoured', v: { t: new Date(0), q: { toJSON: () => 'Q' } } },
    { name: 'own __proto__ key', v: JSON.parse('{"__proto__":{"x":1},"l":[{"__proto__":2}]}') as unknown },
  ];
  for (const c of cases) {
    const got = cloneJSON(c.v);
    assert.equal(JSON.stringify(got), JSON.stringify(c.v), c.name);
    assert.deepEqual(got, JSON.parse(JSON.stringify(c.v)), c.name);
  }
  const src = { a: { b: [1, { c: 2 }] } };
  const copy = cloneJSON(src);
  (copy.a.b[1] as { c: number }).c = 3;
  assert.equal((src.a.b[1] as { c: number }).c, 2, 'the copy shares nothing');
});

test('sameJSONText agrees with comparing JSON.stringify texts', () => {
  const cases: Array<{ name: string; a: unknown; b: unknown }> = [
    { name: 'equal objects', a: { a: 1, b: [1, 'x', null] }, b: { a: 1, b: [1, 'x', null] } },
    { name: 'key order matters', a: { a: 1, b: 2 }, b: { b: 2, a: 1 } },
    { name: 'undefined member left out', a: { a: 1, u: undefined }, b: { a: 1 } },
    { name: 'undefined member between keys', a: { a: 1, u: undefined, c: 2 }, b: { a: 1, c: 2, u: undefined } },
    { name: 'function member left out', a: { f: () => 1, a: 1 }, b: { a: 1 } },
    { name: 'undefined item is null', a: [undefined, 1], b: [null, 1] },
    { name: 'non-finite numbers are null', a: [NaN, { x: Infinity }], b: [null, { x: null }] },
    { name: 'minus zero', a: [-0], b: [0] },
    { name: 'string and number', a: ['1'], b: [1] },
    { name: 'longer list', a: [1, 2], b: [1, 2, 3] },
    { name: 'list and map', a: [], b: {} },
    { name: 'object and scalar', a: [{}], b: [null] },
    { name: 'date (toJSON) against its text', a: { t: new Date(0) }, b: { t: '1970-01-01T00:00:00.000Z' } },
    { name: 'toJSON differs', a: { q: { toJSON: () => 'Q' } }, b: { q: 'R' } },
    { name: 'boxed number', a: [Object(1) as unknown], b: [1] },
    { name: 'top-level undefined and null', a: undefined, b: null },
    { name: 'top-level undefined and function', a: undefined, b: () => 1 },
    { name: 'top-level strings', a: 'a"b', b: 'a"b' },
    { name: 'nested difference', a: { s: { c: [{ type: 'Ready', status: 'True' }] } }, b: { s: { c: [{ type: 'Ready', status: 'False' }] } } },
    { name: 'own __proto__ key', a: JSON.parse('{"__proto__":{"x":1}}') as unknown, b: JSON.parse('{"__proto__":{"x":2}}') as unknown },
  ];
  for (const c of cases) {
    assert.equal(sameJSONText(c.a, c.b), JSON.stringify(c.a) === JSON.stringify(c.b), c.name);
    assert.equal(sameJSONText(c.b, c.a), JSON.stringify(c.a) === JSON.stringify(c.b), `${c.name} (swapped)`);
  }
});

test('inPlace patches modify the given object and give the same result as copying ones', () => {
  const base = (): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  const cases: Array<{ name: string; apply: (o: KubeObject, inPlace: boolean) => KubeObject }> = [
    { name: 'merge', apply: (o, inPlace) => applyMergePatch(o, { metadata: { labels: { a: null, b: '2' } } }, { inPlace }) },
    { name: 'strategic', apply: (o, inPlace) => applyStrategicMergePatch({ group: '', version: 'v1', kind: 'Pod' }, o, { spec: { containers: [{ name: 'c', image: 'j' }] } }, { inPlace }) },
    { name: 'json', apply: (o, inPlace) => applyJSONPatch(o, [{ op: 'replace', path: '/metadata/name', value: 'q' }], { inPlace }) },
  ];
  for (const c of cases) {
    const kept = base();
    const copied = c.apply(kept, false);
    assert.deepEqual(kept, base(), `${c.name}: the input of a copying patch is untouched`);
    const owned = base();
    const patched = c.apply(owned, true);
    assert.deepEqual(patched, copied, c.name);
    assert.equal(patched, owned, `${c.name}: patched in place`);
  }
});
