import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OldestFirst } from './evict.js';

test('OldestFirst trims exactly as deleting map.keys().next() would, across touches, deletes and rebuilds', () => {
  const cases = [
    { name: 'small bound, many touches', bound: 3, keys: 10, ops: 2000 },
    { name: 'bound past table rebuilds', bound: 300, keys: 1000, ops: 50_000 },
  ];
  for (const c of cases) {
    const ref = new Map<string, number>();
    const map = new Map<string, number>();
    const trim = new OldestFirst(map);
    const evicted: string[] = [];
    const refEvicted: string[] = [];
    let seed = 7;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    for (let i = 0; i < c.ops; i++) {
      const k = `k${rnd(c.keys)}`;
      const op = rnd(10);
      for (const m of [ref, map]) {
        if (op === 0) m.delete(k);
        else if (op < 4) m.set(k, i); // an update keeps its place
        else {
          m.delete(k); // a touch moves it to the end
          m.set(k, i);
        }
      }
      while (ref.size > c.bound) {
        const oldest = ref.keys().next().value as string;
        ref.delete(oldest);
        refEvicted.push(oldest);
      }
      trim.trim(c.bound, (key) => evicted.push(key));
      assert.deepEqual([...map], [...ref], `${c.name}: op ${i}`);
    }
    assert.deepEqual(evicted, refEvicted, c.name);
  }
});
