/**
 * Strategic merge patch cases in the style of upstream's strategicpatch tests: a test type with
 * merging and non-merging lists of maps and ints, a retainKeys map and a retainKeys list, walked
 * through openAPIPatchSchema (so this also checks the schema walk apart from the built-in
 * definitions). Each case gives original, modified and current documents with the expected
 * two-way patch, three-way patch and result; patches compare with merge lists sorted by key, as
 * upstream compares them (their order carries no meaning), results compare exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createThreeWayMergePatchWithSchema, createTwoWayMergePatchWithSchema, openAPIPatchSchema, strategicMergePatch, type SchemaNode } from './index.js';
import { isStatusError } from '../errors.js';

const ref = (name: string): SchemaNode => ({ $ref: `#/definitions/${name}` });
const mergeBy = (items: SchemaNode, key?: string, strategy = 'merge'): SchemaNode => ({
  type: 'array',
  items,
  'x-kubernetes-patch-strategy': strategy,
  ...(key ? { 'x-kubernetes-patch-merge-key': key } : {}),
});
const itemFields: Record<string, SchemaNode> = {
  name: { type: 'string' },
  value: { type: 'string' },
  other: { type: 'string' },
  mergingList: mergeBy(ref('mergeItem'), 'name'),
  nonMergingList: { type: 'array', items: ref('mergeItem') },
  mergingIntList: mergeBy({ type: 'integer' }),
  nonMergingIntList: { type: 'array', items: { type: 'integer' } },
  simpleMap: { type: 'object', additionalProperties: { type: 'string' } },
};
const definitions: Record<string, SchemaNode> = {
  mergeItem: {
    type: 'object',
    properties: {
      ...itemFields,
      mergeItemPtr: { ...ref('mergeItem'), 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
      replacingItem: { type: 'object', 'x-kubernetes-patch-strategy': 'replace' },
      retainKeysMap: { ...ref('retainKeysMergeItem'), 'x-kubernetes-patch-strategy': 'retainKeys' },
      retainKeysMergingList: mergeBy(ref('mergeItem'), 'name', 'merge,retainKeys'),
    },
  },
  retainKeysMergeItem: { type: 'object', properties: itemFields },
};
const schema = openAPIPatchSchema(definitions, ref('mergeItem'));

type Doc = Record<string, unknown>;
const n = (name: number, extra: Doc = {}): Doc => ({ name, ...extra });
const del = (name: number): Doc => ({ name, $patch: 'delete' });
const order = (...names: number[]): Doc[] => names.map((x) => ({ name: x }));

/** sortMergeLists orders merge lists by key for comparing patches; $setElementOrder keeps its order. */
function sortMergeLists(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => sortMergeLists(x));
    const sortable = ['mergingList', 'retainKeysMergingList', 'mergingIntList', '$retainKeys'].includes(key) || key.startsWith('$deleteFromPrimitiveList/');
    if (!sortable) return items;
    const k = (x: unknown): string => String(x && typeof x === 'object' ? (x as Doc)['name'] : x);
    return items.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sortMergeLists(x, k)]));
  return v;
}

interface Case {
  name: string;
  original?: Doc;
  modified: Doc;
  current?: Doc;
  twoWay: Doc;
  /** twoWayResult is what the two-way patch yields on original when it is not modified. */
  twoWayResult?: Doc;
  threeWay?: Doc;
  result?: Doc;
  /**
   * resultUnordered compares the three-way result with merge lists sorted, as upstream's test
   * does; set where upstream's expected text is not in the order its algorithm produces.
   */
  resultUnordered?: boolean;
}

const cases: Case[] = [
  { name: 'nil original', modified: { name: 1, value: 1 }, current: { name: 1, other: 'a' }, twoWay: { name: 1, value: 1 }, threeWay: { value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'nil patch', original: { name: 1 }, modified: { name: 1 }, current: { name: 1 }, twoWay: {}, threeWay: {}, result: { name: 1 } },
  { name: 'add field to map with conflict', original: { name: 1 }, modified: { name: 1, value: 1 }, current: { name: 'a', other: 'a' }, twoWay: { value: 1 }, threeWay: { name: 1, value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'add field and delete field from map', original: { name: 1 }, modified: { value: 1 }, current: { name: 1, other: 'a' }, twoWay: { name: null, value: 1 }, threeWay: { name: null, value: 1 }, result: { value: 1, other: 'a' } },
  {
    name: 'delete field from nested map with conflict',
    original: { simpleMap: { key1: 1, key2: 1 } },
    modified: { simpleMap: { key1: 1 } },
    current: { simpleMap: { key1: 'a', key2: 1, other: 'a' } },
    twoWay: { simpleMap: { key2: null } },
    threeWay: { simpleMap: { key1: 1, key2: null } },
    result: { simpleMap: { key1: 1, other: 'a' } },
  },
  {
    name: 'add field and delete all fields from map with conflict',
    original: { name: 1, value: 1 },
    modified: { other: 'a' },
    current: { name: 1, value: 1, other: 'b' },
    twoWay: { name: null, value: null, other: 'a' },
    threeWay: { name: null, value: null, other: 'a' },
    result: { other: 'a' },
  },
  { name: 'replace list of scalars with conflict', original: { nonMergingIntList: [1, 2] }, modified: { nonMergingIntList: [2, 3] }, current: { nonMergingIntList: [1, 4] }, twoWay: { nonMergingIntList: [2, 3] }, threeWay: { nonMergingIntList: [2, 3] }, result: { nonMergingIntList: [2, 3] } },
  {
    name: 'delete all maps from merging list with conflict',
    original: { mergingList: [n(1), n(2)] },
    modified: { mergingList: [] },
    current: { mergingList: [n(1, { other: 'a' }), n(2, { other: 'b' })] },
    twoWay: { mergingList: [del(1), del(2)] },
    threeWay: { mergingList: [del(1), del(2)] },
    result: { mergingList: [] },
  },
  { name: 'merge empty merging lists', original: { mergingList: [] }, modified: { mergingList: [] }, current: { mergingList: [] }, twoWay: {}, threeWay: {}, result: { mergingList: [] } },
  {
    name: 'defined null values propagate and overwrite current fields',
    original: { name: 2 },
    modified: { name: 1, value: 1, other: null },
    current: { name: 'a', other: 'a' },
    twoWay: { name: 1, value: 1, other: null },
    twoWayResult: { name: 1, value: 1 },
    threeWay: { name: 1, value: 1, other: null },
    result: { name: 1, value: 1 },
  },
  {
    name: 'retainKeys map with no change is not present',
    original: { name: 'a', retainKeysMap: { name: 'foo' } },
    modified: { name: 'a', value: 'b', retainKeysMap: { name: 'foo' } },
    current: { name: 'a', other: 'c', retainKeysMap: { name: 'foo' } },
    twoWay: { value: 'b' },
    threeWay: { value: 'b' },
    result: { name: 'a', value: 'b', other: 'c', retainKeysMap: { name: 'foo' } },
  },
  {
    name: 'delete items in lists of scalars',
    original: { mergingIntList: [1, 2, 3] },
    modified: { mergingIntList: [1, 2] },
    current: { mergingIntList: [1, 2, 3, 4] },
    twoWay: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    threeWay: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    original: { mergingIntList: [1, 2, 3, 3] },
    modified: { mergingIntList: [1, 2] },
    current: { mergingIntList: [1, 2, 3, 3, 4] },
    twoWay: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    threeWay: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'merge lists of maps',
    original: { mergingList: [n(1), n(2, { value: 2 })] },
    modified: { mergingList: [n(4, { value: 4 }), n(1), n(2, { value: 2 }), n(3, { value: 3 })] },
    current: { mergingList: [n(1, { other: 'a' }), n(2, { value: 2, other: 'b' })] },
    twoWay: { '$setElementOrder/mergingList': order(4, 1, 2, 3), mergingList: [n(4, { value: 4 }), n(3, { value: 3 })] },
    threeWay: { '$setElementOrder/mergingList': order(4, 1, 2, 3), mergingList: [n(4, { value: 4 }), n(3, { value: 3 })] },
    result: { mergingList: [n(4, { value: 4 }), n(1, { other: 'a' }), n(2, { value: 2, other: 'b' }), n(3, { value: 3 })] },
  },
  {
    name: 'add an item that already exists in the current object',
    original: { mergingList: [n(1, { value: 'a' }), n(2)] },
    modified: { mergingList: [n(1, { value: 'a' }), n(2), n(3)] },
    current: { mergingList: [n(1, { value: 'a', other: 'x' }), n(2), n(3)] },
    twoWay: { '$setElementOrder/mergingList': order(1, 2, 3), mergingList: [n(3)] },
    threeWay: {},
    result: { mergingList: [n(1, { value: 'a', other: 'x' }), n(2), n(3)] },
  },
  {
    name: 'delete missing map from merging list with conflict',
    original: { mergingList: [n(1), n(2)] },
    modified: { mergingList: [n(2)] },
    current: { mergingList: [n(3, { other: 'a' })] },
    twoWay: { '$setElementOrder/mergingList': order(2), mergingList: [del(1)] },
    threeWay: { '$setElementOrder/mergingList': order(2), mergingList: [n(2), del(1)] },
    result: { mergingList: [n(2), n(3, { other: 'a' })] },
  },
  {
    name: 'add map and delete map from merging list',
    original: { mergingList: [n(1), n(2)] },
    modified: { mergingList: [n(2), n(3)] },
    current: { mergingList: [n(1), n(2, { other: 'b' }), n(4, { other: 'c' })] },
    twoWay: { '$setElementOrder/mergingList': order(2, 3), mergingList: [n(3), del(1)] },
    threeWay: { '$setElementOrder/mergingList': order(2, 3), mergingList: [n(3), del(1)] },
    result: { mergingList: [n(2, { other: 'b' }), n(4, { other: 'c' }), n(3)] },
    resultUnordered: true,
  },
  {
    name: 'delete missing field from map in merging list with conflict',
    original: { mergingList: [n(1, { value: 1 }), n(2, { value: 2 })] },
    modified: { mergingList: [n(1), n(2, { value: 2 })] },
    current: { mergingList: [n(1, { other: 'a' }), n(2, { other: 'b' })] },
    twoWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { value: null })] },
    threeWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { value: null }), n(2, { value: 2 })] },
    result: { mergingList: [n(1, { other: 'a' }), n(2, { value: 2, other: 'b' })] },
  },
  {
    name: 'replace non-merging list nested in merging list with deletion conflict',
    original: { mergingList: [n(1, { nonMergingList: [n(1), n(2, { value: 2 })] }), n(2)] },
    modified: { mergingList: [n(1, { nonMergingList: [n(1, { value: 1 })] }), n(2)] },
    current: { mergingList: [n(1, { other: 'a', nonMergingList: [n(2, { value: 2 })] }), n(2, { other: 'b' })] },
    twoWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { nonMergingList: [n(1, { value: 1 })] })] },
    threeWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { nonMergingList: [n(1, { value: 1 })] })] },
    result: { mergingList: [n(1, { other: 'a', nonMergingList: [n(1, { value: 1 })] }), n(2, { other: 'b' })] },
  },
  {
    name: 'add field to map in merging list nested in merging list',
    original: { mergingList: [n(1, { mergingList: [n(1), n(2, { value: 2 })] }), n(2)] },
    modified: { mergingList: [n(1, { mergingList: [n(1, { value: 1 }), n(2, { value: 2 })] }), n(2)] },
    current: { mergingList: [n(1, { other: 'a', mergingList: [n(1), n(2, { value: 2 })] }), n(2, { other: 'b' })] },
    twoWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { value: 1 })] })] },
    threeWay: { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { '$setElementOrder/mergingList': order(1, 2), mergingList: [n(1, { value: 1 })] })] },
    result: { mergingList: [n(1, { other: 'a', mergingList: [n(1, { value: 1 }), n(2, { value: 2 })] }), n(2, { other: 'b' })] },
  },
  {
    name: 'delete an item and preserve order',
    original: { mergingList: [n(1), n(3, { value: 3 }), n(2, { value: 2 })] },
    modified: { mergingList: [n(2, { value: 2 }), n(1)] },
    current: { mergingList: [n(1, { other: 'a' }), n(2, { value: 2, other: 'b' }), n(3, { value: 3 })] },
    twoWay: { '$setElementOrder/mergingList': order(2, 1), mergingList: [del(3)] },
    threeWay: { '$setElementOrder/mergingList': order(2, 1), mergingList: [del(3)] },
    result: { mergingList: [n(2, { value: 2, other: 'b' }), n(1, { other: 'a' })] },
  },
  {
    name: 'set elements order with server-only items in between',
    original: { mergingList: [n(1), n(2, { value: 2 }), n(3, { value: 3 }), n(4, { value: 4 })] },
    modified: { mergingList: [n(2, { value: 2 }), n(1), n(4, { value: 4 }), n(3, { value: 3 })] },
    current: { mergingList: [n(1, { other: 'a' }), n(2, { value: 2 }), n(7), n(9), n(8), n(3, { value: 3 }), n(4, { value: 4 })] },
    twoWay: { '$setElementOrder/mergingList': order(2, 1, 4, 3) },
    threeWay: { '$setElementOrder/mergingList': order(2, 1, 4, 3) },
    result: { mergingList: [n(2, { value: 2 }), n(1, { other: 'a' }), n(7), n(9), n(8), n(4, { value: 4 }), n(3, { value: 3 })] },
  },
  {
    name: 'set elements order in an int list with server-only items',
    original: { mergingIntList: [1, 2, 3, 4] },
    modified: { mergingIntList: [2, 1, 4, 3] },
    current: { mergingIntList: [1, 2, 7, 9, 8, 3, 4] },
    twoWay: { '$setElementOrder/mergingIntList': [2, 1, 4, 3] },
    threeWay: { '$setElementOrder/mergingIntList': [2, 1, 4, 3] },
    result: { mergingIntList: [2, 1, 7, 9, 8, 4, 3] },
  },
  {
    name: 'add and delete an item in an int list and preserve order',
    original: { mergingIntList: [1, 3, 2] },
    modified: { mergingIntList: [4, 2, 1] },
    current: { mergingIntList: [1, 2, 3] },
    twoWay: { '$setElementOrder/mergingIntList': [4, 2, 1], mergingIntList: [4], '$deleteFromPrimitiveList/mergingIntList': [3] },
    threeWay: { '$setElementOrder/mergingIntList': [4, 2, 1], mergingIntList: [4], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [4, 2, 1] },
  },
  {
    name: 'set element order with duplicates in a merging list',
    original: { mergingList: [n(1), n(2, { value: 'dup1' }), n(3), n(2, { value: 'dup2' }), n(4)] },
    modified: { mergingList: [n(2, { value: 'dup1' }), n(1), n(4), n(3), n(2, { value: 'dup2' })] },
    current: { mergingList: [n(1), n(2, { value: 'dup1' }), n(3), n(2, { value: 'dup2' }), n(4)] },
    twoWay: { '$setElementOrder/mergingList': order(2, 1, 4, 3, 2) },
    twoWayResult: { mergingList: [n(2, { value: 'dup1' }), n(2, { value: 'dup2' }), n(1), n(4), n(3)] },
    threeWay: { '$setElementOrder/mergingList': order(2, 1, 4, 3, 2) },
    result: { mergingList: [n(2, { value: 'dup1' }), n(2, { value: 'dup2' }), n(1), n(4), n(3)] },
  },
  {
    name: 'retainKeys map clears a defaulted field',
    original: {},
    modified: { retainKeysMap: { other: 'bar' } },
    current: { retainKeysMap: { value: 'foo' } },
    twoWay: { retainKeysMap: { other: 'bar' } },
    threeWay: { retainKeysMap: { $retainKeys: ['other'], other: 'bar' } },
    result: { retainKeysMap: { other: 'bar' } },
  },
  {
    name: 'retainKeys map adds a field and clears a field',
    original: { retainKeysMap: { name: 'foo' } },
    modified: { retainKeysMap: { name: 'foo', value: 'bar' } },
    current: { retainKeysMap: { name: 'foo', other: 'a' } },
    twoWay: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'bar' } },
    threeWay: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'bar' } },
    result: { retainKeysMap: { name: 'foo', value: 'bar' } },
  },
  {
    name: 'retainKeys map deletes a field',
    original: { retainKeysMap: { name: 'foo', value: 'bar' } },
    modified: { retainKeysMap: { name: 'foo' } },
    current: { retainKeysMap: { name: 'foo', value: 'bar', other: 'a' } },
    twoWay: { retainKeysMap: { $retainKeys: ['name'], value: null } },
    threeWay: { retainKeysMap: { $retainKeys: ['name'], value: null } },
    result: { retainKeysMap: { name: 'foo' } },
  },
];

for (const c of cases) {
  test(`upstream-style case: ${c.name}`, () => {
    const original = c.original ?? {};
    const twoWay = createTwoWayMergePatchWithSchema(original, c.modified, schema);
    assert.deepEqual(sortMergeLists(twoWay), sortMergeLists(c.twoWay), 'two-way patch');
    assert.deepEqual(strategicMergePatch(original, c.twoWay, schema), c.twoWayResult ?? c.modified, 'two-way result');
    if (c.current && c.threeWay && c.result) {
      const threeWay = createThreeWayMergePatchWithSchema(original, c.modified, c.current, schema);
      assert.deepEqual(sortMergeLists(threeWay), sortMergeLists(c.threeWay), 'three-way patch');
      const result = strategicMergePatch(c.current, c.threeWay, schema);
      if (c.resultUnordered) assert.deepEqual(sortMergeLists(result), sortMergeLists(c.result), 'three-way result');
      else assert.deepEqual(result, c.result, 'three-way result');
    }
  });
}

// Patches a client would not generate: directives written by hand, patches from old clients.
const applyOnly: { name: string; original: Doc; patch: Doc; want: Doc }[] = [
  { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, want: { mergingIntList: [1, 2, 3] } },
  { name: 'delete map from nested map', original: { simpleMap: { key1: '1', key2: '1' } }, patch: { simpleMap: { $patch: 'delete' } }, want: { simpleMap: {} } },
  { name: 'delete all items from merging list', original: { mergingList: [n(1), n(2)] }, patch: { mergingList: [{ $patch: 'replace' }] }, want: { mergingList: [] } },
  { name: 'delete all keys from map', original: { name: 1, value: 1 }, patch: { $patch: 'replace' }, want: {} },
  { name: 'add key and delete all keys from map', original: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, want: { other: 'a' } },
  { name: 'retainKeys map can add a field without a directive', original: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, want: { retainKeysMap: { name: 'foo', value: 'bar' } } },
  { name: 'retainKeys map merges an empty map', original: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: {} }, want: { retainKeysMap: { name: 'foo', value: 'a' } } },
  {
    name: 'retainKeys list can delete a field without a directive',
    original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', value: null }] },
    want: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list',
    original: { mergingList: [n(1), n(2, { value: 'b' }), n(3)] },
    patch: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' }), n(2, { other: 'x' })] },
    want: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' }), n(2, { value: 'b', other: 'x' })] },
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    original: { mergingList: [n(1), n(2, { value: 'b' }), n(3)] },
    patch: { mergingList: [n(3, { value: 'c' }), n(1, { value: 'a' })] },
    want: { mergingList: [n(2, { value: 'b' }), n(3, { value: 'c' }), n(1, { value: 'a' })] },
  },
  { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, want: { mergingIntList: [2, 3, 1] } },
  {
    name: '$setElementOrder names an item the list lacks',
    original: { mergingList: [n(1), n(3)] },
    patch: { '$setElementOrder/mergingList': order(3, 2, 1), mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] },
    want: { mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] },
  },
  { name: '$setElementOrder names an int the list lacks', original: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, want: { mergingIntList: [3, 1] } },
  { name: 'a replace strategy field is replaced whole', original: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, want: { replacingItem: { c: 3 } } },
  { name: 'a merge-strategy pointer field merges as a map', original: { mergeItemPtr: { name: 'x', value: '1' } }, patch: { mergeItemPtr: { other: '2' } }, want: { mergeItemPtr: { name: 'x', value: '1', other: '2' } } },
];

for (const c of applyOnly) {
  test(`upstream-style apply: ${c.name}`, () => {
    assert.deepEqual(strategicMergePatch(c.original, c.patch, schema), c.want);
  });
}

const errors: { name: string; original: Doc; patch: Doc; message: RegExp }[] = [
  { name: '$setElementOrder and patch list disagree on order', original: { mergingList: [n(1), n(3), n(2)] }, patch: { '$setElementOrder/mergingList': order(1, 2, 3), mergingList: [n(3, { value: 3 }), n(1, { value: 1 })] }, message: /doesn't match/ },
  { name: '$setElementOrder and int patch list disagree on order', original: { mergingIntList: [1, 3, 2] }, patch: { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }, message: /doesn't match/ },
  { name: 'missing merge key', original: { mergingList: [n(1, { value: 'a' })] }, patch: { mergingList: [{ value: 'b' }] }, message: /does not contain declared merge key/ },
];

for (const c of errors) {
  test(`upstream-style error: ${c.name}`, () => {
    assert.throws(() => strategicMergePatch(c.original, c.patch, schema), (err: unknown) => isStatusError(err) && c.message.test(err.message));
  });
}
