import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepEqual } from './meta.js';

test('deepEqual compares JSON values as Go compares decoded ones: a missing field equals null', () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    [{ a: 1, b: { c: [1, 2, { d: 'x' }] } }, { b: { c: [1, 2, { d: 'x' }] }, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: null }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 0 }, false],
    [{ a: 1, b: 0 }, { a: 1 }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: [1] }, { a: [1, 1] }, false],
    [[], {}, false],
    [{ 0: 'x' }, ['x'], false],
    [['x'], { 0: 'x' }, false],
    [null, undefined, true],
    ['1', 1, false],
    [{ constructor: 1 }, {}, false],
    [{}, { toString: null }, true],
  ];
  for (const [a, b, want] of cases) {
    assert.equal(deepEqual(a, b), want, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    assert.equal(deepEqual(b, a), want, `${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
  }
});
