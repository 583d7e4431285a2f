import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuTimes, parseCpuTimes, stealPct } from './machine.js';

test('parseCpuTimes reads the aggregate line, not a per-CPU one', () => {
  const stat = 'cpu  100 5 20 1000 7 1 2 30 0 0\ncpu0 50 2 10 500 3 0 1 15 0 0\nintr 1\n';
  assert.deepEqual(parseCpuTimes(stat), { user: 105, system: 23, idle: 1000, iowait: 7, steal: 30 });
  assert.throws(() => parseCpuTimes('intr 1\n'), /no aggregate cpu line/);
});

test('stealPct is percent of one CPU over the interval', () => {
  const a = { user: 0, system: 0, idle: 0, iowait: 0, steal: 100 };
  // 50 ticks (0.5 s of CPU) stolen over 1 s: half a CPU.
  assert.equal(stealPct(a, { ...a, steal: 150 }, 1000), 50);
  assert.equal(stealPct(undefined, a, 1000), -1);
  assert.equal(stealPct(a, a, 0), -1);
});

test('cpuTimes samples this machine', (t) => {
  const c = cpuTimes();
  if (!c) return t.skip('no /proc/stat here');
  assert.ok(c.user + c.system + c.idle > 0);
});
