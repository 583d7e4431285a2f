import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setStatusCondition, updateDisruptionAllowedCondition } from './conditions.js';

const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);
const T1 = T0 + 60_000;

test('setStatusCondition moves lastTransitionTime only when the status changes, and omits a zero observedGeneration', () => {
  const first = setStatusCondition([], { type: 'Ready', status: 'True', reason: 'A', message: '', observedGeneration: 0 }, T0);
  assert.deepEqual(first, [{ type: 'Ready', status: 'True', reason: 'A', message: '', lastTransitionTime: '2024-01-01T00:00:00Z' }]);
  const same = setStatusCondition(first, { type: 'Ready', status: 'True', reason: 'B', message: 'm', observedGeneration: 2 }, T1);
  assert.deepEqual(same, [{ type: 'Ready', status: 'True', reason: 'B', message: 'm', observedGeneration: 2, lastTransitionTime: '2024-01-01T00:00:00Z' }]);
  const flipped = setStatusCondition(same, { type: 'Ready', status: 'False', reason: 'C', message: '' }, T1);
  assert.equal(flipped[0]!.lastTransitionTime, '2024-01-01T00:01:00Z');
});

test('updateDisruptionAllowedCondition follows disruptionsAllowed', () => {
  const open = updateDisruptionAllowedCondition({ disruptionsAllowed: 1, observedGeneration: 3 }, T0);
  assert.deepEqual([open[0]!.status, open[0]!.reason, open[0]!.observedGeneration], ['True', 'SufficientPods', 3]);
  const closed = updateDisruptionAllowedCondition({ disruptionsAllowed: 0, observedGeneration: 3, conditions: open }, T1);
  assert.deepEqual([closed.length, closed[0]!.status, closed[0]!.reason, closed[0]!.lastTransitionTime], [1, 'False', 'InsufficientPods', '2024-01-01T00:01:00Z']);
});
