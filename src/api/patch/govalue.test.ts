import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goValue } from './govalue.js';

test('goValue prints decoded JSON as Go %v prints map[string]interface{} (whole numbers int64, the rest float64 %g)', () => {
  const cases: Array<[string, unknown, string]> = [
    ['nil', null, '<nil>'],
    ['sorted map keys, nested', { b: [1, 'x'], a: { c: true } }, 'map[a:map[c:true] b:[1 x]]'],
    ['whole number as int64', 1234567, '1234567'],
    ['fraction in %g range', 0.5, '0.5'],
    ['small fraction switches to an exponent', 1.5e-7, '1.5e-07'],
    ['large fraction switches to an exponent', 1234567.5, '1.2345675e+06'],
    ['beyond int64 is float64', 1e19, '1e+19'],
  ];
  for (const [name, v, want] of cases) assert.equal(goValue(v), want, name);
});
