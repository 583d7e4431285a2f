import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IndexedHeap } from './heap.js';

interface E {
  key: number;
  index: number;
}

const byKey = (a: E, b: E): boolean => a.key < b.key;

test('pop returns entries in key order', () => {
  const h = new IndexedHeap<E>(byKey);
  const keys = [5, 3, 9, 1, 7, 3, 8, 2, 6, 4, 0];
  for (const key of keys) h.push({ key, index: -1 });
  const out: number[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(e.key);
  assert.deepEqual(out, [...keys].sort((a, b) => a - b));
  assert.equal(h.size, 0);
});

test('remove and fix keep the order and mark removed entries', () => {
  const h = new IndexedHeap<E>(byKey);
  const es = Array.from({ length: 50 }, (_, i) => ({ key: (i * 37) % 50, index: -1 }));
  for (const e of es) h.push(e);
  const gone = es.filter((_, i) => i % 3 === 0);
  for (const e of gone) h.remove(e);
  for (const e of gone) assert.equal(e.index, -1);
  h.remove(gone[0]!); // removing twice is a no-op
  const moved = es[1]!;
  moved.key = -10;
  h.fix(moved);
  assert.equal(h.peek(), moved);
  const out: number[] = [];
  for (let e = h.pop(); e; e = h.pop()) out.push(e.key);
  const want = es.filter((_, i) => i % 3 !== 0).map((e) => e.key).sort((a, b) => a - b);
  assert.deepEqual(out, want);
});

test('clear empties the heap', () => {
  const h = new IndexedHeap<E>(byKey);
  const e = { key: 1, index: -1 };
  h.push(e);
  h.clear();
  assert.equal(h.size, 0);
  assert.equal(e.index, -1);
  assert.equal(h.pop(), undefined);
});
