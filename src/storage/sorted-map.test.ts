import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedMap } from './sorted-map.js';

test('SortedMap keeps keys sorted through random inserts and deletes, and ranges agree with a naive model', () => {
  const m = new SortedMap<number>();
  const model = new Map<string, number>();
  let seed = 42;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  for (let i = 0; i < 20000; i++) {
    const k = `/k/${rand(3000)}`;
    if (rand(3) === 0) {
      assert.equal(m.delete(k), model.delete(k));
    } else {
      m.set(k, i);
      model.set(k, i);
    }
  }
  assert.equal(m.size, model.size);
  const sorted = [...model.keys()].sort();
  const seen: string[] = [];
  m.range('', undefined, (k, v) => {
    assert.equal(v, model.get(k));
    seen.push(k);
    return true;
  });
  assert.deepEqual(seen, sorted);
  const cases = [
    { name: 'prefix', from: '/k/1', to: '/k/2' },
    { name: 'empty range', from: '/k/5', to: '/k/5' },
    { name: 'open end', from: '/k/9', to: undefined },
    { name: 'before all', from: '', to: '/k/0' },
  ];
  for (const c of cases) {
    const want = sorted.filter((k) => k >= c.from && (c.to === undefined || k < c.to));
    const got: string[] = [];
    m.range(c.from, c.to, (k) => (got.push(k), true));
    assert.deepEqual(got, want, c.name);
    assert.equal(m.countRange(c.from, c.to), want.length, c.name);
  }
  const firstTwo: string[] = [];
  m.range('', undefined, (k) => (firstTwo.push(k), firstTwo.length < 2));
  assert.deepEqual(firstTwo, sorted.slice(0, 2));
});
