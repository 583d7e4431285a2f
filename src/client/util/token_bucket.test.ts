import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './clock.js';
import { TokenBucket } from './token_bucket.js';

test('TokenBucket: burst up front, then qps', async () => {
  const clock = new FakeClock();
  const b = new TokenBucket(5, 10, clock);
  let n = 0;
  while (b.tryAccept()) n++;
  assert.equal(n, 10, 'burst tokens are available at start');
  await clock.step(200);
  assert.equal(b.tryAccept(), true, 'one token after 1/qps');
  assert.equal(b.tryAccept(), false);
  await clock.step(10_000);
  assert.equal(Math.round(b.available()), 10, 'refill is capped at burst');
});

test('TokenBucket: wait() serves callers in order, spaced at 1/qps', async () => {
  const clock = new FakeClock();
  const b = new TokenBucket(10, 1, clock);
  const done: Array<[number, number]> = [];
  const ps = [0, 1, 2].map((i) => b.wait().then(() => done.push([i, clock.now()])));
  const t0 = clock.now();
  await clock.step(1000);
  await Promise.all(ps);
  assert.deepEqual(
    done.map(([i, t]) => [i, t - t0]),
    [
      [0, 0],
      [1, 100],
      [2, 200],
    ],
  );
});

test('TokenBucket: an aborted wait returns its reservation', async () => {
  const clock = new FakeClock();
  const b = new TokenBucket(1, 1, clock);
  assert.equal(b.tryAccept(), true);
  const ctl = new AbortController();
  const p = b.wait(ctl.signal);
  ctl.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(b.available(), 0);
});

test('TokenBucket: rejects invalid parameters', () => {
  const cases = [
    { name: 'zero qps', qps: 0, burst: 1 },
    { name: 'zero burst', qps: 1, burst: 0 },
  ];
  for (const c of cases) assert.throws(() => new TokenBucket(c.qps, c.burst), c.name);
});
