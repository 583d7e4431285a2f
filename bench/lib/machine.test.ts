import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStealTicks, stealPct, stealTicks } from './machine.js';

test('parseStealTicks reads the aggregate line, not a per-CPU one', () => {
  const stat = 'cpu  100 5 20 1000 7 1 2 30 0 0\ncpu0 50 2 10 500 3 0 1 15 0 0\nintr 1\n';
  assert.equal(parseStealTicks(stat), 30);
  assert.throws(() => parseStealTicks('intr 1\n'), /no aggregate cpu line/);
});

test('stealPct is percent of one CPU over the interval', () => {
  // 50 ticks (0.5 s of CPU) stolen over 1 s: half a CPU.
  assert.equal(stealPct(100, 150, 1000), 50);
  assert.equal(stealPct(undefined, 100, 1000), -1);
  assert.equal(stealPct(100, 100, 0), -1);
});

test('stealTicks samples this machine', (t) => {
  const s = stealTicks();
  if (s === undefined) return t.skip('no /proc/stat here');
  assert.ok(Number.isInteger(s) && s >= 0);
});
