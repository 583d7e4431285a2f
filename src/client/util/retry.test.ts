import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflict, notFound } from '../../api/errors.js';
import { retryOnConflict } from './retry.js';

const gr = { group: '', resource: 'pods' };

test('retryOnConflict', async () => {
  const cases: Array<{ name: string; failures: Error[]; wantCalls: number; wantError?: RegExp }> = [
    { name: 'succeeds at once', failures: [], wantCalls: 1 },
    { name: 'retries conflicts', failures: [conflict(gr, 'p'), conflict(gr, 'p')], wantCalls: 3 },
    { name: 'gives up after 5 attempts', failures: Array.from({ length: 9 }, () => conflict(gr, 'p')), wantCalls: 5, wantError: /Operation cannot be fulfilled/ },
    { name: 'other errors are not retried', failures: [notFound(gr, 'p')], wantCalls: 1, wantError: /not found/ },
  ];
  for (const c of cases) {
    let calls = 0;
    const run = retryOnConflict(async () => {
      const f = c.failures[calls++];
      if (f) throw f;
      return 'ok';
    });
    if (c.wantError) await assert.rejects(run, c.wantError, c.name);
    else assert.equal(await run, 'ok', c.name);
    assert.equal(calls, c.wantCalls, c.name);
  }
});
