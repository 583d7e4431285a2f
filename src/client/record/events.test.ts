import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { notFound, internalError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { FakeClock } from '../util/clock.js';
import { EventBroadcaster, type EventSink } from './events.js';
import { sprintf } from './sprintf.js';

/** MemorySink stores events by name, as the API would, and records each call. */
class MemorySink implements EventSink {
  readonly events = new Map<string, Event>();
  readonly calls: string[] = [];
  failCreates = 0;
  private rv = 0;
  async create(e: Event): Promise<Event> {
    this.calls.push(`create:${e.metadata.name}:${e.count}`);
    if (this.failCreates > 0) {
      this.failCreates--;
      throw internalError(new Error('etcd down'));
    }
    const stored = { ...e, metadata: { ...e.metadata, resourceVersion: String(++this.rv) } };
    this.events.set(e.metadata.name ?? '', stored);
    return stored;
  }
  async patch(e: Event, p: Partial<Event>): Promise<Event> {
    this.calls.push(`patch:${e.metadata.name}:${p.count}`);
    const cur = this.events.get(e.metadata.name ?? '');
    if (!cur) throw notFound({ group: '', resource: 'events' }, e.metadata.name ?? '');
    const next = { ...cur, ...p, metadata: { ...cur.metadata, resourceVersion: String(++this.rv) } };
    this.events.set(e.metadata.name ?? '', next);
    return next;
  }
}

const pod = (name = 'web'): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name, uid: `uid-${name}` } });

test('sprintf: Go verbs used in event messages', () => {
  const cases = [
    { name: 'strings and numbers', fmt: '%s has %d replicas', args: ['web', 3], want: 'web has 3 replicas' },
    { name: 'quoted and %v', fmt: 'image %q: %v', args: ['nginx', new Error('boom')], want: 'image "nginx": boom' },
    { name: 'percent and missing', fmt: '100%% %s', args: [], want: '100% %!s(MISSING)' },
  ];
  for (const c of cases) assert.equal(sprintf(c.fmt, ...c.args), c.want, c.name);
});

test('EventBroadcaster: builds the Event as upstream and de-duplicates repeats into count++ via patch', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
  const sink = new MemorySink();
  const b = new EventBroadcaster({ sink, clock });
  const seen: Event[] = [];
  b.startEventWatcher((e) => seen.push(e));
  const r = b.newRecorder({ component: 'kubelet', host: 'node-1' });
  r.eventf(pod(), 'Normal', 'Pulled', 'Container image %q already present on machine', 'busybox');
  assert.equal(sink.calls.length, 0, 'recording never waits for the API');
  await b.flush();
  await clock.step(5000);
  r.eventf(pod(), 'Normal', 'Pulled', 'Container image %q already present on machine', 'busybox');
  await b.flush();
  const [e] = [...sink.events.values()] as [Event];
  assert.equal(sink.events.size, 1);
  assert.equal(e.count, 2);
  assert.equal(e.firstTimestamp, '2026-01-01T12:00:00Z');
  assert.equal(e.lastTimestamp, '2026-01-01T12:00:05Z');
  assert.equal(e.metadata.namespace, 'ns');
  assert.equal(e.metadata.name, `web.${(BigInt(Date.UTC(2026, 0, 1, 12, 0, 0, 250)) * 1_000_000n).toString(16)}`);
  assert.deepEqual(e.involvedObject, { kind: 'Pod', apiVersion: 'v1', namespace: 'ns', name: 'web', uid: 'uid-web' });
  assert.deepEqual(e.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(e.reportingComponent, 'kubelet');
  assert.deepEqual(sink.calls, [`create:${e.metadata.name}:1`, `patch:${e.metadata.name}:2`]);
  assert.equal(seen.length, 2, 'watchers see every recorded event');
});

test('EventBroadcaster: a repeat whose event vanished is created again carrying the count', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const b = new EventBroadcaster({ sink, clock });
  const r = b.newRecorder({ component: 'c', host: 'h' });
  r.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await b.flush();
  sink.events.clear();
  r.event(pod(), 'Warning', 'BackOff', 'Back-off restarting failed container');
  await b.flush();
  assert.equal([...sink.events.values()][0]?.count, 2);
});

test('EventBroadcaster: the spam filter allows a burst of 25 per object, then 1 per 5 minutes', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const b = new EventBroadcaster({ sink, clock });
  const r = b.newRecorder({ component: 'c', host: 'h' });
  for (let i = 0; i < 30; i++) r.event(pod(), 'Normal', 'Same', 'same message');
  r.event(pod('other'), 'Normal', 'Same', 'same message');
  await b.flush();
  const count = (name: string): number => [...sink.events.values()].find((e) => e.involvedObject.name === name)?.count ?? 0;
  assert.equal(count('web'), 25);
  assert.equal(count('other'), 1, 'the filter is per object');
  await clock.step(300_000);
  r.event(pod(), 'Normal', 'Same', 'same message');
  r.event(pod(), 'Normal', 'Same', 'same message');
  await b.flush();
  assert.equal(count('web'), 26, 'one token refilled after 5 minutes');
});

test('EventBroadcaster: many distinct messages for one reason are aggregated', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const b = new EventBroadcaster({ sink, clock });
  const r = b.newRecorder({ component: 'c', host: 'h' });
  for (let i = 0; i < 12; i++) r.eventf(pod(), 'Warning', 'FailedMount', 'volume %d not ready', i);
  await b.flush();
  const combined = [...sink.events.values()].filter((e) => e.message?.startsWith('(combined from similar events): '));
  assert.equal(sink.events.size, 9 + 1, 'nine distinct events, then one combined event');
  assert.equal(combined.length, 1);
  assert.equal(combined[0]?.count, 3);
});

test('EventBroadcaster: retries failed writes on the clock, drops invalid types', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  sink.failCreates = 2;
  const errors: string[] = [];
  const b = new EventBroadcaster({ sink, clock, retryPauseMs: 1000, onError: (e) => errors.push(String(e)) });
  const r = b.newRecorder({ component: 'c', host: 'h' });
  r.event(pod(), 'Bogus', 'X', 'y');
  assert.match(errors[0] ?? '', /unsupported event type/);
  r.event(pod(), 'Normal', 'Started', 'Started container');
  const flushed = b.flush();
  await clock.step(3000);
  await flushed;
  assert.equal(sink.events.size, 1);
  assert.equal(sink.calls.length, 3, 'two failures, then success');
});

test('EventBroadcaster: maxConcurrentWrites writes distinct events in parallel, one event\'s create before its patch', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  let inFlight = 0;
  let peak = 0;
  const release: Array<() => void> = [];
  const gated: EventSink = {
    create: async (e) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((r) => release.push(r));
      inFlight--;
      return sink.create(e);
    },
    patch: (e, p) => sink.patch(e, p),
  };
  const b = new EventBroadcaster({ sink: gated, clock, maxConcurrentWrites: 3 });
  const r = b.newRecorder({ component: 'default-scheduler', host: 'h' });
  for (const name of ['a', 'b', 'c', 'd']) r.event(pod(name), 'Normal', 'Scheduled', `Successfully assigned ns/${name} to n1`);
  r.event(pod('a'), 'Normal', 'Scheduled', 'Successfully assigned ns/a to n1');
  const flushed = b.flush();
  // let the drain start its writes
  for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
  assert.equal(release.length, 3, 'three creates in flight, the fourth waits for a slot');
  while (release.length > 0 || inFlight > 0) {
    release.shift()?.();
    await new Promise((res) => setImmediate(res));
  }
  await flushed;
  assert.equal(peak, 3);
  assert.equal(sink.events.size, 4);
  const aCalls = sink.calls.filter((c) => c.includes(':') && [...sink.events.values()].some((e) => e.involvedObject.name === 'a' && c.includes(e.metadata.name ?? '')));
  assert.deepEqual(
    aCalls.map((c) => c.split(':')[0] + ':' + c.split(':')[2]),
    ['create:1', 'patch:2'],
    'the repeat of a is a patch issued after its create',
  );
});

test('EventBroadcaster: a full queue drops events, reporting the first drop and then how many once there is room', async () => {
  const clock = new FakeClock();
  const sink = new MemorySink();
  const release: Array<() => void> = [];
  const gated: EventSink = {
    create: async (e) => {
      await new Promise<void>((r) => release.push(r));
      return sink.create(e);
    },
    patch: (e, p) => sink.patch(e, p),
  };
  const errors: string[] = [];
  const b = new EventBroadcaster({ sink: gated, clock, maxQueued: 3, onError: (e) => errors.push(String(e)) });
  const r = b.newRecorder({ component: 'replicaset-controller', host: 'h' });
  // the first is taken off the queue at once and waits in its write; three more fill the queue
  r.eventf(pod('rs-0'), 'Normal', 'SuccessfulCreate', 'Created pod: %v', 'p0');
  await new Promise((res) => setImmediate(res));
  for (let i = 1; i <= 8; i++) r.eventf(pod(`rs-${i}`), 'Normal', 'SuccessfulCreate', 'Created pod: %v', `p${i}`);
  assert.equal(b.dropped, 5);
  assert.deepEqual(errors, ['Error: event queue full (3 queued), dropping event ns/rs-4 SuccessfulCreate and any more until there is room']);
  while (release.length === 0) await new Promise((res) => setImmediate(res));
  release.shift()!();
  while (release.length === 0) await new Promise((res) => setImmediate(res));
  r.eventf(pod('rs-9'), 'Normal', 'SuccessfulCreate', 'Created pod: %v', 'p9');
  assert.deepEqual(errors.slice(1), ['Error: event queue full: dropped 5 events']);
  const flushed = b.flush();
  while (sink.events.size < 5) {
    release.shift()?.();
    await new Promise((res) => setImmediate(res));
  }
  await flushed;
  assert.deepEqual([...sink.events.values()].map((e) => e.message), ['Created pod: p0', 'Created pod: p1', 'Created pod: p2', 'Created pod: p3', 'Created pod: p9']);
});
