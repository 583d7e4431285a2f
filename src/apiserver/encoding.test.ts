import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBody, deletePath, duplicateKeys, encodeForStorage, jsonShape, textKeyCount, withResourceVersion } from './encoding.js';
import type { KubeObject } from '../api/types.js';

test('withResourceVersion splices the revision into canonical stored JSON', () => {
  const cases: Array<{ name: string; obj: Record<string, unknown> }> = [
    { name: 'with metadata', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '3' }, data: { k: 'v' } } },
    { name: 'empty metadata', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} } },
  ];
  for (const c of cases) {
    const stored = encodeForStorage(c.obj);
    assert.ok(!stored.toString().includes('"resourceVersion"'), `${c.name}: storage has no resourceVersion`);
    const served = JSON.parse(withResourceVersion(stored, 42).toString()) as { metadata: Record<string, unknown> };
    assert.equal(served.metadata.resourceVersion, '42', c.name);
  }
  const foreign = Buffer.from('{"data":{"x":1},"metadata":{"name":"n"},"kind":"ConfigMap","apiVersion":"v1"}');
  assert.equal((JSON.parse(withResourceVersion(foreign, 7).toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion, '7');
});

test('duplicateKeys reports repeated keys with their paths', () => {
  const cases: Array<{ name: string; json: string; want: string[] }> = [
    { name: 'none', json: '{"a":1,"b":{"c":2}}', want: [] },
    { name: 'top level', json: '{"a":1,"a":2}', want: ['a'] },
    { name: 'nested', json: '{"spec":{"replicas":1,"replicas":2}}', want: ['spec.replicas'] },
    { name: 'in array items', json: '{"l":[{"x":1},{"x":1,"x":2}]}', want: ['l[1].x'] },
    { name: 'escaped strings', json: '{"a":"x\\"y","b":"\\\\","a":3}', want: ['a'] },
  ];
  for (const c of cases) assert.deepEqual(duplicateKeys(c.json), c.want, c.name);
});

test('decodeBody parses JSON and YAML and rejects garbage with 400', () => {
  assert.deepEqual(decodeBody(Buffer.from('{"a":1}'), 'application/json', false).value, { a: 1 });
  assert.deepEqual(decodeBody(Buffer.from('a: 1\nb: [x]\n'), 'application/yaml', false).value, { a: 1, b: ['x'] });
  assert.throws(() => decodeBody(Buffer.from('{nope'), 'application/json', false), (e: Error & { code?: number }) => e.code === 400);
});

test('deletePath removes fields named by JSON paths', () => {
  const o = { spec: { containers: [{ name: 'a', foo: 1 }], bar: 2 } };
  deletePath(o, '.spec.containers[0].foo');
  deletePath(o, '.spec.bar');
  deletePath(o, '.missing.path');
  assert.deepEqual(o, { spec: { containers: [{ name: 'a' }] } });
  // The unknown-field walk names paths without the leading dot.
  const p = { metadata: { name: 'x', bogus: 1 }, extra: { y: 1 }, spec: { containers: [{ name: 'a', foo: 1 }] } };
  for (const path of ['metadata.bogus', 'extra', 'spec.containers[0].foo']) deletePath(p, path);
  assert.deepEqual(p, { metadata: { name: 'x' }, spec: { containers: [{ name: 'a' }] } });
});

test('decodeBody reports duplicate keys of JSON bodies only when asked', () => {
  const cases: Array<{ name: string; json: string; find: boolean; want: string[] }> = [
    { name: 'none', json: '{"a":{"b":1},"c":[{"d":1}]}', find: true, want: [] },
    { name: 'nested duplicate', json: '{"spec":{"replicas":1, "replicas" :2}}', find: true, want: ['spec.replicas'] },
    { name: 'duplicate in list item', json: '{"l":[{"x":1},{"x":1,"x":2}]}', find: true, want: ['l[1].x'] },
    { name: 'colon inside a string value', json: '{"a":"b:c","d":"\\":"}', find: true, want: [] },
    { name: 'not asked', json: '{"a":1,"a":2}', find: false, want: [] },
  ];
  for (const c of cases) assert.deepEqual(decodeBody(Buffer.from(c.json), 'application/json', c.find).duplicates, c.want, c.name);
});

test('decodeBody reads JSON apply patches as the YAML parser would', () => {
  const cases: Array<{ name: string; body: string }> = [
    { name: 'object', body: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"status":{"conditions":[{"type":"Ready","lastProbeTime":null}]}}' },
    { name: 'leading whitespace and duplicate key', body: '\n  {"a":1,"b":{"c":"x"},"a":2}' },
    { name: 'flow YAML that is not JSON', body: '{a: 1, b: [x, y]}' },
    { name: 'block YAML', body: 'a: 1\nb:\n  c: true\n' },
  ];
  for (const c of cases) {
    const got = decodeBody(Buffer.from(c.body), 'application/apply-patch+yaml', true);
    const viaYaml = decodeBody(Buffer.from(c.body), 'application/yaml; charset=utf-8', true);
    assert.deepEqual(got.value, viaYaml.value, c.name);
    assert.deepEqual(got.duplicates, [], c.name);
  }
  const deep = '{"a":'.repeat(12000) + '1' + '}'.repeat(12000);
  assert.throws(() => decodeBody(Buffer.from(deep), 'application/apply-patch+yaml', false), (e: Error & { code?: number }) => e.code === 400);
});

test('jsonShape counts nesting depth and object keys without parsing', () => {
  const cases: Array<{ name: string; json: string; depth: number; keys: number }> = [
    { name: 'scalar', json: '1', depth: 0, keys: 0 },
    { name: 'nested', json: '{"a":{"b":[1,{"c":2}]}}', depth: 4, keys: 3 },
    { name: 'brackets and colons in strings', json: '{"a":"{[:","b\\\\":"x"}', depth: 1, keys: 2 },
    { name: 'whitespace before colon', json: '{ "a" \n : 1 }', depth: 1, keys: 1 },
  ];
  for (const c of cases) assert.deepEqual(jsonShape(c.json), { depth: c.depth, keys: c.keys }, c.name);
});

test('textKeyCount counts the keys jsonShape counts in valid JSON', () => {
  const cases: Array<{ name: string; json: string }> = [
    { name: 'scalar', json: '"a:"' },
    { name: 'nested', json: '{"a":{"b":[1,{"c":2}]}}' },
    { name: 'colons and brackets in strings', json: '{"a":"{[:","b\\\\":"x","c":":"}' },
    { name: 'escaped quotes', json: '{"a\\"b":"\\":","c":"\\\\"}' },
    { name: 'whitespace before colon', json: '{ "a" \n : 1, "b"\t:[ "x" , "y" ] }' },
    { name: 'duplicate', json: '{"a":1,"a":2}' },
  ];
  for (const c of cases) assert.equal(textKeyCount(c.json), jsonShape(c.json).keys, c.name);
});

test('decodeBody refuses JSON nested deeper than the limit, valid or not', () => {
  const deep = '['.repeat(10001) + ']'.repeat(10001);
  const ok = '['.repeat(10000) + ']'.repeat(10000);
  const tooDeep = (e: Error & { code?: number }) => e.code === 400 && /exceeded max depth of 10000/.test(e.message);
  for (const find of [true, false]) {
    assert.throws(() => decodeBody(Buffer.from(deep), 'application/json', find), tooDeep, `valid, find=${find}`);
    assert.throws(() => decodeBody(Buffer.from(deep + ','), 'application/json', find), tooDeep, `malformed, find=${find}`);
    assert.doesNotThrow(() => decodeBody(Buffer.from(ok), 'application/json', find), `at the limit, find=${find}`);
  }
  assert.throws(() => decodeBody(Buffer.from('{"a":[' + ok + ']}'), 'application/apply-patch+yaml', true), tooDeep, 'apply patch');
  assert.throws(() => decodeBody(Buffer.from('{"a":1'), 'application/json', true), (e: Error) => /json parse error/.test(e.message), 'malformed, shallow');
});

test('encodeForStorage writes own keys in canonical order, without resourceVersion', () => {
  const cases: Array<{ name: string; obj: KubeObject; want: string }> = [
    { name: 'apiVersion, kind, metadata first', obj: { spec: { a: 1 }, metadata: { name: 'x', resourceVersion: '5', uid: 'u' }, kind: 'Pod', apiVersion: 'v1' }, want: '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x","uid":"u"},"spec":{"a":1}}' },
    { name: 'a parsed __proto__ key is data', obj: JSON.parse('{"apiVersion":"v1","kind":"X","metadata":{"__proto__":{"a":1}},"__proto__":2}') as KubeObject, want: '{"apiVersion":"v1","kind":"X","metadata":{"__proto__":{"a":1}},"__proto__":2}' },
    { name: 'inherited keys are left out', obj: Object.assign(Object.create({ inherited: 1 }) as KubeObject, { apiVersion: 'v1', kind: 'X', metadata: Object.assign(Object.create({ inheritedMeta: 1 }) as object, { name: 'n' }) }), want: '{"apiVersion":"v1","kind":"X","metadata":{"name":"n"}}' },
  ];
  for (const c of cases) assert.equal(encodeForStorage(c.obj).toString(), c.want, c.name);
});
