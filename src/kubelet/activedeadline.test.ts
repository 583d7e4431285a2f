import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEADLINE_EXCEEDED, activeDeadlineAt, pastActiveDeadline, startTimeMs } from './activedeadline.js';

const T = Date.parse('2026-03-01T10:00:00Z');
const pod = (activeDeadlineSeconds?: number): Pod => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}) } });

test('pastActiveDeadline: as upstream, false without a deadline or a start time, true from the deadline on', () => {
  const cases: Array<{ name: string; pod: Pod; startMs: number | undefined; now: number; at: number | undefined; past: boolean }> = [
    { name: 'no deadline', pod: pod(), startMs: T, now: T + 3_600_000, at: undefined, past: false },
    { name: 'not started (no startTime yet)', pod: pod(5), startMs: undefined, now: T + 3_600_000, at: undefined, past: false },
    { name: 'before the deadline', pod: pod(5), startMs: T, now: T + 4_999, at: T + 5_000, past: false },
    { name: 'exactly at the deadline', pod: pod(5), startMs: T, now: T + 5_000, at: T + 5_000, past: true },
    { name: 'after the deadline', pod: pod(5), startMs: T, now: T + 60_000, at: T + 5_000, past: true },
    { name: 'a lowered deadline already passed', pod: pod(1), startMs: T, now: T + 3_000, at: T + 1_000, past: true },
  ];
  for (const c of cases) {
    assert.equal(activeDeadlineAt(c.pod, c.startMs), c.at, c.name);
    assert.equal(pastActiveDeadline(c.pod, c.startMs, c.now), c.past, c.name);
  }
});

test('startTimeMs reads status.startTime, undefined when absent or malformed', () => {
  const cases: Array<[string, string | undefined, number | undefined]> = [
    ['absent', undefined, undefined],
    ['empty', '', undefined],
    ['rfc3339', '2026-03-01T10:00:00Z', T],
    ['malformed', 'yesterday-ish', undefined],
  ];
  for (const [name, startTime, want] of cases) assert.equal(startTimeMs(startTime === undefined ? {} : { startTime }), want, name);
  assert.equal(startTimeMs(undefined), undefined, 'no status');
});

test('DEADLINE_EXCEEDED carries upstream reason and message', () => {
  assert.deepEqual({ ...DEADLINE_EXCEEDED }, { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' });
});
