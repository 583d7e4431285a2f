import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from './testing.js';

let t: TestApiServer;
before(async () => {
  t = await startTestApiServer();
});
after(async () => {
  await t.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ code: number; body: Record<string, any> }> {
  const res = await fetch(t.url + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { code: res.status, body: (await res.json()) as Record<string, any> };
}

/** pod creates a pod in `ns` with the given phase and readiness (a finalizer keeps it visible after deletion). */
async function pod(ns: string, name: string, labels: Record<string, string>, phase: string, ready: boolean): Promise<void> {
  const c = await call('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name, labels, finalizers: ['test/keep'] }, spec: { containers: [{ name: 'c', image: 'i' }] } });
  assert.equal(c.code, 201, JSON.stringify(c.body));
  const cur = c.body;
  cur.status = { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] };
  const u = await call('PUT', `/api/v1/namespaces/${ns}/pods/${name}/status`, cur);
  assert.equal(u.code, 200, JSON.stringify(u.body));
}

async function pdb(ns: string, name: string, selector: object | null, status: Record<string, unknown>, staleGeneration = false): Promise<void> {
  const c = await call('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { metadata: { name }, spec: { minAvailable: 1, ...(selector ? { selector } : {}) } });
  assert.equal(c.code, 201, JSON.stringify(c.body));
  const cur = c.body;
  cur.status = { observedGeneration: staleGeneration ? 0 : cur.metadata.generation, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0, ...status };
  const u = await call('PUT', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}/status`, cur);
  assert.equal(u.code, 200, JSON.stringify(u.body));
}

const evict = (ns: string, name: string, bodyName = name, deleteOptions?: object): Promise<{ code: number; body: Record<string, any> }> =>
  call('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: bodyName, namespace: ns }, ...(deleteOptions ? { deleteOptions } : {}) });

async function getPod(ns: string, name: string): Promise<Record<string, any>> {
  return (await call('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).body;
}

describe('pods/eviction honours PodDisruptionBudgets', () => {
  let n = 0;
  const ns = async (): Promise<string> => {
    const name = `ev-${++n}`;
    assert.equal((await call('POST', '/api/v1/namespaces', { metadata: { name } })).code, 201);
    return name;
  };

  it('without a budget the pod is marked DisruptionTarget and deleted', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    const r = await evict(s, 'p');
    assert.equal(r.code, 201);
    assert.equal(r.body.status, 'Success');
    const p = await getPod(s, 'p');
    assert.ok(p.metadata.deletionTimestamp);
    const cond = p.status.conditions.find((c: { type: string }) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
  });

  it('a budget with no disruptions allowed refuses with 429 and the budget cause', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    await pdb(s, 'b', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1 });
    const r = await evict(s, 'p');
    assert.equal(r.code, 429);
    assert.equal(r.body.reason, 'TooManyRequests');
    assert.equal(r.body.message, "Cannot evict pod as it would violate the pod's disruption budget.");
    assert.deepEqual(r.body.details.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget b needs 1 healthy pods and has 1 currently' }]);
    assert.equal((await getPod(s, 'p')).metadata.deletionTimestamp, undefined);
  });

  it('an allowed disruption decrements the budget and records the pod', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    await pdb(s, 'b', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1 });
    const r = await evict(s, 'p');
    assert.equal(r.code, 201, JSON.stringify(r.body));
    const b = (await call('GET', `/apis/policy/v1/namespaces/${s}/poddisruptionbudgets/b`)).body;
    assert.equal(b.status.disruptionsAllowed, 0);
    assert.ok(b.status.disruptedPods.p);
    assert.equal(b.status.conditions.find((c: { type: string }) => c.type === 'DisruptionAllowed').status, 'False');
    assert.ok((await getPod(s, 'p')).metadata.deletionTimestamp);
  });

  it('a budget the controller has not observed yet answers 429 with retry', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    await pdb(s, 'b', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 5 }, true);
    const r = await evict(s, 'p');
    assert.equal(r.code, 429);
    assert.equal(r.body.details.causes[0].message, 'The disruption budget b is still being processed by the server.');
    assert.equal(r.body.details.retryAfterSeconds, 10);
  });

  const cases: Array<{ name: string; phase: string; ready: boolean; selector: object | null; status?: Record<string, unknown> }> = [
    { name: 'a pending pod ignores the budget', phase: 'Pending', ready: false, selector: { matchLabels: { app: 'a' } } },
    { name: 'a succeeded pod ignores the budget', phase: 'Succeeded', ready: false, selector: { matchLabels: { app: 'a' } } },
    { name: 'an unready pod goes when the budget is otherwise met', phase: 'Running', ready: false, selector: { matchLabels: { app: 'a' } }, status: { currentHealthy: 1, desiredHealthy: 1 } },
    { name: 'an empty selector covers nothing', phase: 'Running', ready: true, selector: {} },
    { name: 'a budget for other labels does not apply', phase: 'Running', ready: true, selector: { matchLabels: { app: 'other' } } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await ns();
      await pod(s, 'p', { app: 'a' }, c.phase, c.ready);
      await pdb(s, 'b', c.selector, { disruptionsAllowed: 0, ...(c.status ?? {}) });
      const r = await evict(s, 'p');
      assert.equal(r.code, 201, JSON.stringify(r.body));
      assert.ok((await getPod(s, 'p')).metadata.deletionTimestamp);
    });
  }

  it('two budgets covering the pod are a 500', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    await pdb(s, 'b1', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 1 });
    await pdb(s, 'b2', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 1 });
    const r = await evict(s, 'p');
    assert.equal(r.code, 500);
    assert.equal(r.body.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  });

  it('the Eviction must name the pod of the URL', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    const r = await evict(s, 'p', 'q');
    assert.equal(r.code, 400);
    assert.equal(r.body.message, 'name in URL does not match name in Eviction object');
  });

  it('dry-run approves without writing', async () => {
    const s = await ns();
    await pod(s, 'p', { app: 'a' }, 'Running', true);
    await pdb(s, 'b', { matchLabels: { app: 'a' } }, { disruptionsAllowed: 1 });
    const r = await evict(s, 'p', 'p', { dryRun: ['All'] });
    assert.equal(r.code, 201);
    assert.equal((await getPod(s, 'p')).metadata.deletionTimestamp, undefined);
    assert.equal((await call('GET', `/apis/policy/v1/namespaces/${s}/poddisruptionbudgets/b`)).body.status.disruptionsAllowed, 1);
  });
});
