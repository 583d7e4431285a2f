import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { postUnfinished, startTestApiServer, type TestApiServer } from './testing.js';

// Callers name themselves with X-Test-User; "admin" is in system:masters (exempt from APF).
let t: TestApiServer;
before(async () => {
  t = await startTestApiServer({
    maxRequestsInflight: 1,
    maxMutatingRequestsInflight: 1,
    authenticators: [
      {
        authenticate: async (req) => {
          const username = String(req.headers['x-test-user'] ?? 'alice');
          // "slow" takes a while to authenticate (as a webhook would): its client can leave meanwhile.
          if (username === 'slow') await new Promise((r) => setTimeout(r, 100));
          return { username, groups: username === 'admin' ? ['system:masters', 'system:authenticated'] : ['system:authenticated'] };
        },
      },
    ],
  });
});
after(async () => {
  await t.stop();
});

const base = '/api/v1/namespaces/default/configmaps';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** holdOpen starts a POST as `user` whose body is not finished, so it holds its seat (or its place in a queue) until finish(). */
const holdOpen = (user: string, name: string) => postUnfinished(t.url + base, JSON.stringify({ metadata: { name } }), { 'X-Test-User': user });

describe('API Priority and Fairness (default on)', () => {
  it('queues requests over the limit and answers them 2xx instead of 429, with the X-Kubernetes-PF headers', async () => {
    // global-default gets ceil(2 × 20 / 245) = 1 seat plus what it can borrow: hold more than that.
    const held = Array.from({ length: 6 }, (_, i) => holdOpen('alice', `held-${i}`));
    await new Promise((r) => setTimeout(r, 100));
    const answered: Response[] = [];
    const waiting = ['bob', 'carol', 'bob', 'carol'].map((user, i) =>
      fetch(t.url + base, { method: 'POST', headers: { 'X-Test-User': user, 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: `queued-${i}` } }) }).then((r) => {
        answered.push(r);
        return r;
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered.length, 0, 'requests over the limit wait in their queues, neither answered nor refused');

    // system:masters is exempt: answered at once while the level is saturated.
    const admin = await fetch(t.url + base, { headers: { 'X-Test-User': 'admin' } });
    assert.equal(admin.status, 200);
    assert.match(admin.headers.get('x-kubernetes-pf-flowschema-uid') ?? '', uuid);
    assert.equal(answered.length, 0);

    assert.deepEqual(await Promise.all(held.map((h) => h.finish())), [201, 201, 201, 201, 201, 201]);
    const results = await Promise.all(waiting);
    assert.deepEqual(results.map((r) => r.status), [201, 201, 201, 201]);
    for (const r of results) {
      assert.match(r.headers.get('x-kubernetes-pf-flowschema-uid') ?? '', uuid);
      assert.match(r.headers.get('x-kubernetes-pf-prioritylevel-uid') ?? '', uuid);
    }
    // Same schema (global-default) for all; a different one for system:masters (exempt).
    assert.equal(new Set(results.map((r) => r.headers.get('x-kubernetes-pf-flowschema-uid'))).size, 1);
    assert.notEqual(admin.headers.get('x-kubernetes-pf-flowschema-uid'), results[0]!.headers.get('x-kubernetes-pf-flowschema-uid'));
  });

  it('takes no seat for a client that left during authentication', async () => {
    // More departures than the server has seats: each leaked seat would stay taken for good.
    const u = new URL(t.url);
    await Promise.all(
      Array.from({ length: 10 }, () => new Promise<void>((resolve) => {
        const s = net.connect(Number(u.port), u.hostname, () => {
          s.write(`GET ${base} HTTP/1.1\r\nHost: x\r\nX-Test-User: slow\r\n\r\n`);
          setTimeout(() => s.destroy(), 20);
        });
        s.on('close', () => resolve());
      })),
    );
    await new Promise((r) => setTimeout(r, 200));
    const r = await fetch(t.url + base, { headers: { 'X-Test-User': 'slow' }, signal: AbortSignal.timeout(5000) });
    assert.equal(r.status, 200);
  });

  it('does not hold watches: they are long-running', async () => {
    const held = Array.from({ length: 6 }, (_, i) => holdOpen('alice', `held-w-${i}`));
    await new Promise((r) => setTimeout(r, 100));
    const ac = new AbortController();
    const w = await fetch(`${t.url}${base}?watch=1`, { headers: { 'X-Test-User': 'bob' }, signal: ac.signal });
    assert.equal(w.status, 200);
    assert.equal(w.headers.get('x-kubernetes-pf-flowschema-uid'), null);
    ac.abort();
    await Promise.all(held.map((h) => h.finish()));
  });
});
