import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from '../api/errors.js';
import type { ResourceInfo } from '../api/types.js';
import { Admission, ANONYMOUS_ADMIN, type AdmissionAttributes, type AdmissionPlugin } from './pipeline.js';

const pods = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true } as ResourceInfo;
const attrs = (): AdmissionAttributes => ({ operation: 'CREATE', resource: pods, subresource: '', namespace: 'ns', name: 'p', object: { metadata: {} }, dryRun: false, user: ANONYMOUS_ADMIN });

/** plugin records its phase calls in `log`; `fail` makes it reject (sync throw or async rejection). */
function plugin(name: string, log: string[], mode: 'sync' | 'async', fail?: 'throw'): AdmissionPlugin {
  const run = (phase: string): void => {
    log.push(`${name}.${phase}`);
    if (fail) throw forbidden({ group: '', resource: 'pods' }, 'p', `${name} says no`);
  };
  return mode === 'sync'
    ? { name, admit: () => run('admit'), validate: () => run('validate') }
    : {
        name,
        admit: async () => {
          await Promise.resolve();
          run('admit');
        },
        validate: async () => {
          await Promise.resolve();
          run('validate');
        },
      };
}

test('Admission runs sync and async plugins in order, each phase after the previous plugin finished', async () => {
  const log: string[] = [];
  const a = new Admission([plugin('a', log, 'async'), plugin('b', log, 'sync'), { name: 'none' }, plugin('c', log, 'async'), plugin('d', log, 'sync')]);
  await a.admit(attrs());
  await a.validate(attrs());
  assert.deepEqual(log, ['a.admit', 'b.admit', 'c.admit', 'd.admit', 'a.validate', 'b.validate', 'c.validate', 'd.validate']);
});

test('Admission: a rejecting plugin rejects the phase and later plugins do not run', async () => {
  for (const [name, mode] of [
    ['synchronous throw', 'sync'],
    ['rejected promise', 'async'],
  ] as const) {
    const log: string[] = [];
    const a = new Admission([plugin('a', log, 'sync'), plugin('b', log, mode, 'throw'), plugin('c', log, 'sync')]);
    // A synchronous throw still surfaces as a rejected promise, never as a throw from admit().
    const p = a.admit(attrs());
    assert.ok(p instanceof Promise, name);
    await assert.rejects(p, { message: 'pods "p" is forbidden: b says no' }, name);
    await assert.rejects(a.validate(attrs()), { message: 'pods "p" is forbidden: b says no' }, name);
    assert.deepEqual(log, ['a.admit', 'b.admit', 'a.validate', 'b.validate'], name);
  }
});
