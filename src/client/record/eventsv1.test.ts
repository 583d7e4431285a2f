import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../../api/errors.js';
import { EventsV1Broadcaster, type EventsV1Event, type EventsV1Sink } from './eventsv1.js';

/** recordingSink keeps what was written, in order; `missing` names events a patch reports NotFound for. */
function recordingSink(missing = new Set<string>()): EventsV1Sink & { writes: Array<{ verb: string; event: EventsV1Event; patch?: unknown }> } {
  const writes: Array<{ verb: string; event: EventsV1Event; patch?: unknown }> = [];
  return {
    writes,
    async create(e) {
      writes.push({ verb: 'create', event: structuredClone(e) });
      return e;
    },
    async patch(e, p) {
      if (missing.has(e.metadata.name)) throw notFound({ group: 'events.k8s.io', resource: 'events' }, e.metadata.name);
      writes.push({ verb: 'patch', event: structuredClone(e), patch: p });
      return e;
    },
  };
}

const pod = (name: string, rv = '1') => ({ kind: 'Pod', namespace: 'ns1', name, uid: `uid-${name}`, apiVersion: 'v1', resourceVersion: rv });

test('events: a recorded event is an events.k8s.io/v1 Event written after the caller returns', async () => {
  const sink = recordingSink();
  const b = new EventsV1Broadcaster({ sink, reportingController: 'default-scheduler', now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 678) });
  b.eventf(pod('p'), undefined, 'Normal', 'Scheduled', 'Binding', 'Successfully assigned ns1/p to n1');
  assert.equal(sink.writes.length, 0, 'nothing is written synchronously');
  await b.shutdown();
  assert.equal(sink.writes.length, 1);
  const { verb, event } = sink.writes[0]!;
  assert.equal(verb, 'create');
  assert.equal(event.apiVersion, 'events.k8s.io/v1');
  assert.equal(event.metadata.namespace, 'ns1');
  assert.match(event.metadata.name, /^p\.[0-9a-f]+$/);
  assert.equal(event.eventTime, '2026-01-02T03:04:05.678000Z');
  assert.equal(event.reportingController, 'default-scheduler');
  assert.match(event.reportingInstance, /^default-scheduler-/);
  assert.deepEqual(
    { action: event.action, reason: event.reason, note: event.note, type: event.type, regarding: event.regarding },
    { action: 'Binding', reason: 'Scheduled', note: 'Successfully assigned ns1/p to n1', type: 'Normal', regarding: pod('p') },
  );
  assert.equal(event.series, undefined);
});

test('events: isomorphic events coalesce into a series as upstream (create, patch count 2, then count in memory)', async () => {
  const cases: Array<{ name: string; events: Array<[string, string, string]>; want: Array<[string, number | undefined]> }> = [
    {
      name: 'same pod and reason, different notes',
      events: [
        ['p', '1', 'a'],
        ['p', '1', 'b'],
        ['p', '1', 'c'],
      ],
      want: [
        ['create', undefined],
        ['patch', 2],
      ],
    },
    {
      name: 'a new resourceVersion is a different regarding object',
      events: [
        ['p', '1', 'a'],
        ['p', '2', 'a'],
      ],
      want: [
        ['create', undefined],
        ['create', undefined],
      ],
    },
    {
      name: 'different pods',
      events: [
        ['p', '1', 'a'],
        ['q', '1', 'a'],
      ],
      want: [
        ['create', undefined],
        ['create', undefined],
      ],
    },
  ];
  for (const c of cases) {
    const sink = recordingSink();
    const b = new EventsV1Broadcaster({ sink, reportingController: 'default-scheduler', maxConcurrentWrites: 1 });
    for (const [name, rv, note] of c.events) b.eventf(pod(name, rv), undefined, 'Warning', 'FailedScheduling', 'Scheduling', note);
    await b.shutdown();
    assert.deepEqual(
      sink.writes.map((w) => [w.verb, w.event.series?.count]),
      c.want,
      c.name,
    );
  }
});

test('events: a series whose event is gone is created again with its count', async () => {
  const missing = new Set<string>();
  const sink = recordingSink(missing);
  const b = new EventsV1Broadcaster({ sink, reportingController: 'default-scheduler', maxConcurrentWrites: 1 });
  b.eventf(pod('p'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  await b.flush();
  missing.add(sink.writes[0]!.event.metadata.name);
  b.eventf(pod('p'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  await b.shutdown();
  assert.deepEqual(
    sink.writes.map((w) => [w.verb, w.event.series?.count]),
    [
      ['create', undefined],
      ['create', 2],
    ],
  );
});

test('events: a full queue drops events instead of blocking, and concurrency stays bounded', async () => {
  let inFlight = 0;
  let maxSeen = 0;
  const sink: EventsV1Sink = {
    async create() {
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
    },
    async patch() {},
  };
  const errors: string[] = [];
  const b = new EventsV1Broadcaster({ sink, reportingController: 's', maxConcurrentWrites: 4, maxQueued: 10, onError: (e) => errors.push(String(e)) });
  for (let i = 0; i < 15; i++) b.eventf(pod(`p${i}`), undefined, 'Normal', 'Scheduled', 'Binding', 'ok');
  assert.equal(b.dropped, 5);
  // One report per spell of drops, not an Error per dropped event; its count once there is room.
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /event queue full \(10 queued\), dropping event ns1\/p10 Scheduled and any more until there is room/);
  await b.flush();
  b.eventf(pod('after'), undefined, 'Normal', 'Scheduled', 'Binding', 'ok');
  assert.deepEqual(errors.slice(1), ['Error: event queue full: dropped 5 events']);
  await b.shutdown();
  assert.equal(maxSeen, 4);
});

test('events: an unreachable server is retried; a refused event is not', async () => {
  let calls = 0;
  const sink: EventsV1Sink = {
    async create(e) {
      calls++;
      if (e.regarding.name === 'refused') throw notFound({ group: '', resource: 'namespaces' }, 'ns1');
      if (calls < 3) throw new Error('connect ECONNREFUSED');
    },
    async patch() {},
  };
  const b = new EventsV1Broadcaster({ sink, reportingController: 's', maxConcurrentWrites: 1, retryPauseMs: 1, onError: () => {} });
  b.eventf(pod('p'), undefined, 'Normal', 'Scheduled', 'Binding', 'ok');
  await b.flush();
  assert.equal(calls, 3);
  b.eventf(pod('refused'), undefined, 'Normal', 'Scheduled', 'Binding', 'ok');
  await b.shutdown();
  assert.equal(calls, 4);
});

test('events: the isomorphic cache is bounded; an evicted series writes its count first', async () => {
  const sink = recordingSink();
  const b = new EventsV1Broadcaster({ sink, reportingController: 's', maxConcurrentWrites: 64, maxQueued: 20_000 });
  b.eventf(pod('first'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  b.eventf(pod('first'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  b.eventf(pod('first'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  for (let i = 0; i < 8192; i++) b.eventf(pod(`p${i}`), undefined, 'Normal', 'Scheduled', 'Binding', 'ok');
  await b.flush();
  const first = sink.writes.filter((w) => w.event.regarding.name === 'first').map((w) => [w.verb, w.event.series?.count]);
  assert.deepEqual(first, [
    ['create', undefined],
    ['patch', 2],
    ['patch', 3],
  ]);
  // evicted: the same event again starts afresh
  b.eventf(pod('first'), undefined, 'Warning', 'FailedScheduling', 'Scheduling', 'x');
  await b.shutdown();
  assert.deepEqual(sink.writes.at(-1)!.verb, 'create');
  assert.equal(sink.writes.at(-1)!.event.series, undefined);
});
