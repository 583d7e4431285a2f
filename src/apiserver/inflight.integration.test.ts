import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { postUnfinished, startTestApiServer, type TestApiServer } from './testing.js';

let t: TestApiServer;
before(async () => {
  t = await startTestApiServer({ maxMutatingRequestsInflight: 1, enablePriorityAndFairness: false });
});
after(async () => {
  await t.stop();
});

const base = '/api/v1/namespaces/default/configmaps';

/** holdOpen starts a POST whose body is not finished, so it stays in flight until finish() is called. */
const holdOpen = (body: string) => postUnfinished(t.url + base, body);

describe('max-in-flight limit of mutating requests (--enable-priority-and-fairness=false)', () => {
  it('refuses requests over the limit with upstream 429 Status and Retry-After, and frees the slot when a request ends', async () => {
    const held = holdOpen(JSON.stringify({ metadata: { name: 'held' } }));
    // The held request counts once the server has its headers.
    let refused: Response | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const r = await fetch(t.url + base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: `probe-${i}` } }) });
      if (r.status === 429) refused = r;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(refused, 'a second mutating request is refused while one is in flight');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('content-type'), 'application/json');
    const want = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 1 }, code: 429 };
    assert.deepEqual(await refused.json(), want);
    // Every refusal carries the whole body, not only the first.
    const again = await fetch(t.url + base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(again.status, 429);
    assert.deepEqual(await again.json(), want);
    // Reads have their own limit.
    assert.equal((await fetch(t.url + base)).status, 200);

    assert.equal(await held.finish(), 201);
    const after = await fetch(t.url + base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'after' } }) });
    assert.equal(after.status, 201);
  });
});
