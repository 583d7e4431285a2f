import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, realClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { Backoff } from './backoff.js';

test('TimerHeap runs tasks in time order on one clock timer', () => {
  const clock = new FakeClock();
  const heap = new TimerHeap(clock);
  const ran: string[] = [];
  heap.after(300, () => ran.push('c'));
  heap.after(100, () => ran.push('a'));
  heap.after(200, () => ran.push('b'));
  const d = heap.after(150, () => ran.push('cancelled'));
  heap.after(100, () => ran.push('a2'));
  assert.equal(clock.pending, 1, 'one clock timer for the whole heap');
  d.cancel();
  d.cancel();
  clock.advance(250);
  assert.deepEqual(ran, ['a', 'a2', 'b']);
  clock.advance(100);
  assert.deepEqual(ran, ['a', 'a2', 'b', 'c']);
  assert.equal(heap.size, 0);
  assert.equal(clock.pending, 0);
});

test('TimerHeap tasks can reschedule themselves (periodic probes)', () => {
  const clock = new FakeClock();
  const heap = new TimerHeap(clock);
  let n = 0;
  const tick = (): void => {
    n++;
    heap.after(10_000, tick);
  };
  heap.after(10_000, tick);
  clock.advance(60_000);
  assert.equal(n, 6);
  heap.stop();
  clock.advance(60_000);
  assert.equal(n, 6);
  assert.equal(clock.pending, 0);
});

test('TimerHeap keeps order under many random inserts and cancels', () => {
  const clock = new FakeClock();
  const heap = new TimerHeap(clock);
  const got: number[] = [];
  const handles = [];
  for (let i = 0; i < 2000; i++) {
    const at = (i * 7919) % 5000;
    handles.push({ at, h: heap.after(at, () => got.push(at)) });
  }
  for (let i = 0; i < handles.length; i += 3) handles[i]!.h.cancel();
  clock.advance(6000);
  const want = handles.filter((_, i) => i % 3 !== 0).map((x) => x.at).sort((a, b) => a - b);
  assert.deepEqual(got, want);
});

test('TimerHeap on the real clock fires', async () => {
  const heap = new TimerHeap(realClock);
  await new Promise<void>((resolve) => heap.after(5, resolve));
  heap.stop();
});

test('Backoff: CrashLoopBackOff 10s doubling to 5m, reset after 10m of quiet', () => {
  const clock = new FakeClock();
  const b = new Backoff(clock);
  const key = 'uid_app';
  // First failure: no entry yet, so the kubelet restarts at once and records the failure.
  let finished = clock.now();
  assert.equal(b.isInBackOffSince(key, finished), false);
  b.next(key, finished);
  const delays: number[] = [];
  for (let i = 0; i < 8; i++) {
    finished = clock.now();
    assert.equal(b.isInBackOffSince(key, finished), true, `in backoff after failure ${i + 2}`);
    delays.push(b.get(key));
    clock.advance(b.get(key) - 1);
    assert.equal(b.isInBackOffSince(key, finished), true);
    clock.advance(1);
    assert.equal(b.isInBackOffSince(key, finished), false);
    b.next(key, finished);
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  // The container then runs for more than 10 minutes before failing again: back to 10 s.
  clock.advance(10 * 60_000 + 1);
  finished = clock.now();
  assert.equal(b.isInBackOffSince(key, finished), false);
  b.next(key, finished);
  assert.equal(b.get(key), 10_000);
});
