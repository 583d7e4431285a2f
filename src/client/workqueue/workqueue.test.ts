import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../util/clock.js';
import { Queue, URGENT_RUN } from './queue.js';
import { DelayingQueue } from './delaying.js';
import { RateLimitingQueue } from './rate_limiting.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, ItemFastSlowRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter } from './rate_limiters.js';
import { runWorkers } from './run_workers.js';

test('Queue: dedupes waiting items and keeps FIFO order', async () => {
  const q = new Queue<string>();
  for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
  assert.equal(q.len(), 3);
  assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
});

test('Queue: an item added while processing is re-queued only on done', async () => {
  const q = new Queue<string>();
  q.add('a');
  const item = await q.get();
  assert.equal(item, 'a');
  q.add('a');
  assert.equal(q.len(), 0, 'a must not be handed to a second worker while processing');
  let second: string | undefined;
  void q.get().then((v) => (second = v));
  await Promise.resolve();
  assert.equal(second, undefined);
  q.done('a');
  await new Promise((r) => setImmediate(r));
  assert.equal(second, 'a');
});

test('Queue: addUrgent hands items out before add\'s (but never more than URGENT_RUN in a row while others wait), each lane FIFO, each item once', async () => {
  const drain = async (q: Queue<string>): Promise<string[]> => {
    const out: string[] = [];
    while (q.len() > 0) {
      const k = (await q.get())!;
      out.push(k);
      q.done(k);
    }
    return out;
  };
  const cases: Array<{ name: string; ops: Array<['add' | 'urgent', string]>; want: string[] }> = [
    { name: 'urgent items first, in their order', ops: [['add', 'a'], ['urgent', 'u1'], ['add', 'b'], ['urgent', 'u2']], want: ['u1', 'u2', 'a', 'b'] },
    { name: 'a waiting item moves ahead, once', ops: [['add', 'a'], ['add', 'b'], ['add', 'c'], ['urgent', 'b']], want: ['b', 'a', 'c'] },
    { name: 'repeated addUrgent of a waiting item', ops: [['add', 'a'], ['add', 'b'], ['urgent', 'b'], ['urgent', 'b'], ['urgent', 'a']], want: ['b', 'a'] },
    { name: 'add of an urgent item keeps it urgent', ops: [['add', 'a'], ['urgent', 'u'], ['add', 'u']], want: ['u', 'a'] },
    {
      name: `a routine item after every ${URGENT_RUN} urgent ones in a row`,
      ops: [['add', 'r1'], ['add', 'r2'], ...['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'].map((u): ['urgent', string] => ['urgent', u])],
      want: ['u1', 'u2', 'u3', 'u4', 'r1', 'u5', 'u6', 'u7', 'u8', 'r2', 'u9'],
    },
    {
      name: 'waiting items made urgent keep their order when no routine item waits',
      ops: [['add', 'a'], ['add', 'b'], ['add', 'c'], ['add', 'd'], ['add', 'e'], ['urgent', 'a'], ['urgent', 'b'], ['urgent', 'c'], ['urgent', 'd'], ['urgent', 'e']],
      want: ['a', 'b', 'c', 'd', 'e'],
    },
  ];
  for (const c of cases) {
    const q = new Queue<string>();
    for (const [op, k] of c.ops) (op === 'add' ? q.add(k) : q.addUrgent(k));
    assert.equal(q.len(), c.want.length, c.name);
    assert.deepEqual(await drain(q), c.want, c.name);
    assert.equal(q.len(), 0, c.name);
  }
});

test('Queue: an item made urgent while processing is re-queued urgently on done, and never handed out twice', async () => {
  const q = new Queue<string>();
  q.add('a');
  q.add('b');
  assert.equal(await q.get(), 'a');
  q.addUrgent('a');
  assert.equal(q.len(), 1, 'a is being processed: only b waits');
  assert.equal(await q.get(), 'b');
  let next: string | undefined;
  void q.get().then((v) => (next = v));
  q.add('c');
  await new Promise((r) => setImmediate(r));
  assert.equal(next, 'c', 'the waiting worker takes c');
  q.add('d');
  q.done('a');
  assert.equal(q.len(), 2);
  assert.equal(await q.get(), 'a', 'a re-queued urgently, ahead of d');
  assert.equal(await q.get(), 'd');
  assert.equal(q.len(), 0);
});

test('Queue: shutDown hands out remaining items, then undefined; add is ignored', async () => {
  const q = new Queue<string>();
  const waiting = q.get();
  q.add('x');
  assert.equal(await waiting, 'x');
  q.add('y');
  q.shutDown();
  q.add('z');
  assert.equal(await q.get(), 'y');
  assert.equal(await q.get(), undefined);
  assert.equal(q.shuttingDown(), true);
});

test('Queue: shutDown releases blocked getters', async () => {
  const q = new Queue<string>();
  const p = q.get();
  q.shutDown();
  assert.equal(await p, undefined);
});

test('Queue: shutDownWithDrain waits for items in processing', async () => {
  const q = new Queue<string>();
  q.add('a');
  await q.get();
  let drained = false;
  const p = q.shutDownWithDrain().then(() => (drained = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(drained, false);
  q.done('a');
  await p;
  assert.equal(drained, true);
});

test('DelayingQueue: addAfter fires in ready-time order with one timer', async () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>(clock);
  q.addAfter('late', 300);
  q.addAfter('early', 100);
  q.addAfter('mid', 200);
  q.addAfter('late', 1000); // keeps the earlier 300
  assert.equal(clock.pending(), 1, 'a single timer is armed for the earliest item');
  assert.equal(q.waitingLen(), 3);
  await clock.step(150);
  assert.equal(q.len(), 1);
  assert.equal(await q.get(), 'early');
  await clock.step(200);
  assert.deepEqual([await q.get(), await q.get()], ['mid', 'late']);
  assert.equal(q.waitingLen(), 0);
});

test('DelayingQueue: re-adding earlier moves the item forward; zero delay adds now', async () => {
  const clock = new FakeClock();
  const q = new DelayingQueue<string>(clock);
  q.addAfter('a', 1000);
  q.addAfter('a', 10);
  await clock.step(10);
  assert.equal(q.len(), 1);
  q.addAfter('b', 0);
  assert.equal(q.len(), 2);
  q.shutDown();
  assert.equal(clock.pending(), 0, 'shutDown clears the timer');
});

test('ItemExponentialFailureRateLimiter: doubles from base and caps at max', () => {
  const cases: Array<{ name: string; base: number; max: number; want: number[] }> = [
    { name: 'default 5ms..1000s', base: 5, max: 1000_000, want: [5, 10, 20, 40, 80] },
    { name: 'capped', base: 1, max: 3, want: [1, 2, 3, 3] },
  ];
  for (const c of cases) {
    const l = new ItemExponentialFailureRateLimiter<string>(c.base, c.max);
    assert.deepEqual(c.want.map(() => l.when('k')), c.want, c.name);
    assert.equal(l.numRequeues('k'), c.want.length, c.name);
    l.forget('k');
    assert.equal(l.numRequeues('k'), 0, c.name);
    assert.equal(l.when('k'), c.base, c.name);
  }
  const big = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
  for (let i = 0; i < 2000; i++) big.when('x');
  assert.equal(big.when('x'), 1000_000, 'no overflow after many failures');
});

test('ItemFastSlowRateLimiter: fast then slow', () => {
  const l = new ItemFastSlowRateLimiter<string>(5, 10_000, 2);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a')], [5, 5, 10_000]);
});

test('BucketRateLimiter: burst is free, then spaced at 1/qps', async () => {
  const clock = new FakeClock();
  const l = new BucketRateLimiter<string>(10, 100, clock);
  for (let i = 0; i < 100; i++) assert.equal(l.when(`k${i}`), 0);
  assert.equal(Math.round(l.when('x')), 100);
  assert.equal(Math.round(l.when('y')), 200);
  await clock.step(1000);
  assert.equal(l.when('z'), 0, 'a second later the two reserved tokens are repaid and 8 are left');
});

test('MaxOfRateLimiter / defaultControllerRateLimiter: take the max, forget resets', () => {
  const clock = new FakeClock();
  const l = defaultControllerRateLimiter<string>(clock);
  assert.equal(l.when('a'), 5);
  assert.equal(l.when('a'), 10);
  assert.equal(l.numRequeues('a'), 2);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  const m = new MaxOfRateLimiter<string>(new ItemFastSlowRateLimiter(1, 50, 1), new ItemExponentialFailureRateLimiter(2, 100));
  assert.deepEqual([m.when('k'), m.when('k'), m.when('k')], [2, 50, 50]);
});

test('RateLimitingQueue: addRateLimited backs off per item', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(100, 1000) });
  q.addRateLimited('a');
  q.addRateLimited('a'); // second failure: 200ms, but the waiting entry keeps 100ms
  assert.equal(q.numRequeues('a'), 2);
  await clock.step(99);
  assert.equal(q.len(), 0);
  await clock.step(1);
  assert.equal(q.len(), 1);
  q.forget('a');
  assert.equal(q.numRequeues('a'), 0);
});

test('runWorkers: never runs one key in two workers at once; retries failures', async () => {
  const clock = new FakeClock();
  const q = new RateLimitingQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(5, 1000) });
  const active = new Set<string>();
  let overlaps = 0;
  const calls: string[] = [];
  let failOnce = true;
  const ctl = new AbortController();
  const done = runWorkers(
    q,
    4,
    async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      calls.push(key);
      await new Promise((r) => setImmediate(r));
      if (key === 'b' && failOnce) {
        failOnce = false;
        q.add('a');
        active.delete(key);
        throw new Error('boom');
      }
      if (key === 'a') q.add('a'); // re-added during processing: must be serialized
      active.delete(key);
      if (calls.filter((k) => k === 'a').length >= 3) q.forget('a');
    },
    ctl.signal,
    { onError: () => {} },
  );
  q.add('a');
  q.add('b');
  for (let i = 0; i < 10; i++) await clock.step(10);
  ctl.abort();
  await done;
  assert.equal(overlaps, 0);
  assert.ok(calls.filter((k) => k === 'b').length === 2, `b retried after failure: ${calls.join(',')}`);
  assert.ok(calls.filter((k) => k === 'a').length >= 2);
});
