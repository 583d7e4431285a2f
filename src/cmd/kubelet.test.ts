import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMap, parseTaints } from './kubelet.js';

test('--register-with-taints and map flags parse as upstream', () => {
  assert.deepEqual(parseTaints('dedicated=gpu:NoSchedule,node-role.kubernetes.io/control-plane:NoExecute'), [
    { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
    { key: 'node-role.kubernetes.io/control-plane', effect: 'NoExecute' },
  ]);
  assert.throws(() => parseTaints('bad:Sometimes'), /unknown taint effect/);
  assert.deepEqual(parseMap('a=1, b=x=y', '--node-labels'), { a: '1', b: 'x=y' });
  assert.throws(() => parseMap('novalue', '--node-labels'), /must be formatted as key=value/);
  assert.deepEqual(parseMap(undefined, '--node-labels'), {});
});
