import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/util/clock.js';
import type { ClusterEventWithHint, QueuedPodInfo } from '../framework/interface.js';
import { PrioritySort } from '../plugins/basic.js';
import { makePod } from '../testing.js';
import { SchedulingQueue, UnschedulableTimeout } from './scheduling-queue.js';
import { Status } from '../framework/status.js';

const sort = new PrioritySort();
function newQueue(events: Record<string, ClusterEventWithHint[]> = {}): { q: SchedulingQueue; clock: FakeClock } {
  const clock = new FakeClock();
  const q = new SchedulingQueue({
    clock,
    less: (a, b) => sort.less(a, b),
    preEnqueue: (pi) => (pi.pod.spec?.schedulingGates?.length ? Status.unresolvable('gated').withPlugin('SchedulingGates') : undefined),
    eventsByPlugin: new Map(Object.entries(events)),
  });
  return { q, clock };
}

async function popName(q: SchedulingQueue): Promise<string> {
  return (await q.pop())!.podInfo.name;
}

describe('SchedulingQueue', () => {
  it('pops by priority, then by arrival', async () => {
    const { q, clock } = newQueue();
    q.add(makePod('low', { priority: 1 }));
    await clock.step(1);
    q.add(makePod('high-late', { priority: 10 }));
    q.add(makePod('mid', { priority: 5 }));
    await clock.step(1);
    q.add(makePod('high-later', { priority: 10 }));
    assert.deepEqual([await popName(q), await popName(q), await popName(q), await popName(q)], ['high-late', 'high-later', 'mid', 'low']);
  });

  it('pop waits for the next pod', async () => {
    const { q } = newQueue();
    const p = q.pop();
    q.add(makePod('later'));
    assert.equal((await p)!.podInfo.name, 'later');
  });

  it('backs off 1 s, 2 s, 4 s ... up to 10 s', () => {
    const { q } = newQueue();
    const qi = { attempts: 0 } as QueuedPodInfo;
    const got = [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration({ ...qi, attempts: a }));
    assert.deepEqual(got, [1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('an error requeues through backoff, on the one queue timer', async () => {
    const { q, clock } = newQueue();
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle); // no rejecting plugin: an error
    assert.equal(q.pending().backoff.length, 1);
    assert.equal(clock.pending(), 1);
    await clock.step(999);
    assert.equal(q.pending().active.length, 0);
    await clock.step(1);
    assert.equal(q.pending().active.length, 1);
  });

  it('moves an unschedulable pod only on events its rejecting plugin registered', async () => {
    const { q, clock } = newQueue({ NodeResourcesFit: [{ event: { resource: 'Node', action: 'Add' } }] });
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    qp.unschedulablePlugins = new Set(['NodeResourcesFit']);
    // a later cycle, so no move event raced with this attempt
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' });
    q.schedulingCycle++;
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle);
    assert.deepEqual(q.pending().unschedulable.length, 1);
    q.moveAllToActiveOrBackoffQueue({ resource: 'PersistentVolume', action: 'Add' });
    assert.deepEqual(q.pending().unschedulable.length, 1, 'unrelated event leaves it');
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' });
    assert.equal(q.pending().backoff.length, 1, 'still backing off');
    await clock.step(1000);
    assert.equal(q.pending().active.length, 1);
  });

  it('a pod whose attempt raced with a move event goes to backoff, not unschedulable', async () => {
    const { q } = newQueue({ NodeResourcesFit: [{ event: { resource: 'Node', action: 'Add' } }] });
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    const cycle = q.schedulingCycle;
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' });
    qp.unschedulablePlugins = new Set(['NodeResourcesFit']);
    q.addUnschedulableIfNotPresent(qp, cycle);
    assert.equal(q.pending().backoff.length, 1);
  });

  it('queueing hints can skip an event', async () => {
    const { q } = newQueue({ X: [{ event: { resource: 'Node', action: 'Update' }, hint: () => 'QueueSkip' }] });
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    qp.unschedulablePlugins = new Set(['X']);
    q.schedulingCycle++;
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle);
    q.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Update' });
    assert.equal(q.pending().unschedulable.length, 1);
    q.moveAllToActiveOrBackoffQueue(UnschedulableTimeout);
    assert.equal(q.pending().unschedulable.length, 0);
  });

  it('unschedulable pods are retried after 5 minutes anyway', async () => {
    const { q, clock } = newQueue({ X: [] });
    q.add(makePod('p'));
    const qp = (await q.pop())!;
    qp.unschedulablePlugins = new Set(['X']);
    q.schedulingCycle++;
    q.addUnschedulableIfNotPresent(qp, q.schedulingCycle);
    await clock.step(5 * 60_000 - 1);
    assert.equal(q.pending().unschedulable.length, 1);
    await clock.step(1);
    assert.equal(q.pending().active.length, 1);
  });

  it('gated pods wait outside activeQ until an update lifts the gate', () => {
    const { q } = newQueue();
    const gated = makePod('g', { spec: { schedulingGates: [{ name: 'x' }] } });
    q.add(gated);
    assert.deepEqual(q.pending(), { active: [], backoff: [], unschedulable: [gated.metadata!.uid!] });
    q.update({ ...gated, spec: { ...gated.spec!, schedulingGates: [] } });
    assert.deepEqual(q.pending().active, [gated.metadata!.uid!]);
  });

  it('delete removes the pod from every sub-queue', async () => {
    const { q } = newQueue();
    const p = makePod('p');
    q.add(p);
    q.delete(p);
    assert.deepEqual(q.pending(), { active: [], backoff: [], unschedulable: [] });
  });
});
