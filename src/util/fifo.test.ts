import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fifo } from './fifo.js';

test('Fifo returns items in order across compactions and interleaved pushes', () => {
  const q = new Fifo<number>();
  const want: number[] = [];
  let next = 0;
  const got: number[] = [];
  // Push in bursts larger than the compaction threshold, drain part of each burst.
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 700; i++) (q.push(next), want.push(next++));
    for (let i = 0; i < 500; i++) got.push(q.shift()!);
    assert.equal(q.length, want.length - got.length, `length after round ${round}`);
    assert.deepEqual(q.toArray(), want.slice(got.length), `contents after round ${round}`);
  }
  while (q.length > 0) got.push(q.shift()!);
  assert.deepEqual(got, want);
  assert.equal(q.shift(), undefined);
  assert.equal(q.length, 0);
});

test('Fifo drains a 200k backlog in order (Array#shift is quadratic there: 50k took 2.9 s)', () => {
  const q = new Fifo<number>();
  for (let i = 0; i < 200_000; i++) q.push(i);
  let sum = 0;
  for (let i = 0; i < 200_000; i++) sum += q.shift()!;
  assert.equal(sum, (199_999 * 200_000) / 2);
});
