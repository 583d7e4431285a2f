import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import { bootstrapFlowSchemas, bootstrapPriorityLevels, isMandatory } from './bootstrap.js';
import { Dispatcher, type RequestDigest } from './dispatcher.js';

function resource(username: string, groups: string[], verb: string, apiGroup: string, resourcePath: string, namespace = ''): RequestDigest {
  const [resource, subresource = ''] = resourcePath.split('/');
  return { user: { username, groups }, info: { isResourceRequest: true, path: '', verb, apiGroup, namespace, resource: resource!, subresource } };
}
function nonResource(username: string, groups: string[], verb: string, path: string): RequestDigest {
  return { user: { username, groups }, info: { isResourceRequest: false, path, verb, apiGroup: '', namespace: '', resource: '', subresource: '' } };
}

const authed = 'system:authenticated';

describe('classification by the bootstrap configuration', () => {
  const d = new Dispatcher({ serverConcurrencyLimit: 600 });
  const cases: { name: string; req: RequestDigest; flowSchema: string; priorityLevel: string; distinguisher: string }[] = [
    { name: 'kubelet patching pod status', req: resource('system:node:n1', ['system:nodes', authed], 'patch', '', 'pods/status', 'default'), flowSchema: 'system-nodes', priorityLevel: 'system', distinguisher: 'system:node:n1' },
    { name: 'kubelet updating its node status', req: resource('system:node:n1', ['system:nodes', authed], 'patch', '', 'nodes/status'), flowSchema: 'system-node-high', priorityLevel: 'node-high', distinguisher: 'system:node:n1' },
    { name: 'kubelet renewing its lease', req: resource('system:node:n1', ['system:nodes', authed], 'update', 'coordination.k8s.io', 'leases', 'kube-node-lease'), flowSchema: 'system-node-high', priorityLevel: 'node-high', distinguisher: 'system:node:n1' },
    { name: 'scheduler binding a pod', req: resource('system:kube-scheduler', [authed], 'create', '', 'pods/binding', 'default'), flowSchema: 'kube-scheduler', priorityLevel: 'workload-high', distinguisher: 'default' },
    { name: 'scheduler renewing its leader lease', req: resource('system:kube-scheduler', [authed], 'update', 'coordination.k8s.io', 'leases', 'kube-system'), flowSchema: 'system-leader-election', priorityLevel: 'leader-election', distinguisher: 'system:kube-scheduler' },
    { name: 'controller-manager writing endpoints', req: resource('system:kube-controller-manager', [authed], 'update', '', 'endpoints', 'default'), flowSchema: 'endpoint-controller', priorityLevel: 'workload-high', distinguisher: 'system:kube-controller-manager' },
    { name: 'controller-manager listing pods', req: resource('system:kube-controller-manager', [authed], 'list', '', 'pods'), flowSchema: 'kube-controller-manager', priorityLevel: 'workload-high', distinguisher: '' },
    { name: 'kube-system service account', req: resource('system:serviceaccount:kube-system:deployment-controller', ['system:serviceaccounts', 'system:serviceaccounts:kube-system', authed], 'update', 'apps', 'replicasets', 'web'), flowSchema: 'kube-system-service-accounts', priorityLevel: 'workload-high', distinguisher: 'web' },
    { name: 'other service account', req: resource('system:serviceaccount:web:app', ['system:serviceaccounts', 'system:serviceaccounts:web', authed], 'get', '', 'configmaps', 'web'), flowSchema: 'service-accounts', priorityLevel: 'workload-low', distinguisher: 'system:serviceaccount:web:app' },
    { name: 'ordinary user', req: resource('alice', [authed], 'list', '', 'pods', 'default'), flowSchema: 'global-default', priorityLevel: 'global-default', distinguisher: 'alice' },
    { name: 'anonymous user', req: nonResource('system:anonymous', ['system:unauthenticated'], 'get', '/version'), flowSchema: 'global-default', priorityLevel: 'global-default', distinguisher: 'system:anonymous' },
    { name: 'health probe', req: nonResource('system:anonymous', ['system:unauthenticated'], 'get', '/readyz'), flowSchema: 'probes', priorityLevel: 'exempt', distinguisher: '' },
    { name: 'system:masters', req: resource('admin', ['system:masters', authed], 'delete', '', 'pods', 'default'), flowSchema: 'exempt', priorityLevel: 'exempt', distinguisher: '' },
    { name: 'user in no matching group falls to catch-all', req: resource('odd', [], 'get', '', 'pods', 'default'), flowSchema: 'catch-all', priorityLevel: 'catch-all', distinguisher: 'odd' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      for (let i = 0; i < 2; i++) {
        // The second pass answers from the memo.
        const got = d.classify(c.req);
        assert.equal(got.flowSchema, c.flowSchema);
        assert.equal(got.priorityLevel, c.priorityLevel);
        assert.equal(got.flowDistinguisher, c.distinguisher);
        assert.match(got.flowSchemaUID, /^[0-9a-f-]{36}$/);
      }
    });
  }

  it('divides the server concurrency limit by nominal shares as upstream', () => {
    const s = d.stats();
    // Σ shares = 5 + 30 + 40 + 10 + 40 + 100 + 20 = 245.
    assert.deepEqual(
      Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.nominal])),
      { exempt: Infinity, 'catch-all': 13, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49 },
    );
  });

  it('knows the mandatory objects', () => {
    assert.equal(isMandatory('FlowSchema', 'exempt'), true);
    assert.equal(isMandatory('FlowSchema', 'catch-all'), true);
    assert.equal(isMandatory('PriorityLevelConfiguration', 'catch-all'), true);
    assert.equal(isMandatory('FlowSchema', 'global-default'), false);
    assert.equal(bootstrapFlowSchemas.length, 13);
    assert.equal(bootstrapPriorityLevels.length, 8);
    for (const o of [...bootstrapFlowSchemas, ...bootstrapPriorityLevels]) assert.equal(o.metadata?.annotations?.['apf.kubernetes.io/autoupdate-spec'], 'true');
  });
});

/** tiny builds a one-level configuration: everyone is in flow schema `fs` of level `pl`, one flow per user. */
function tiny(limited: NonNullable<PriorityLevelConfiguration['spec']>['limited']): { flowSchemas: FlowSchema[]; priorityLevels: PriorityLevelConfiguration[] } {
  return {
    priorityLevels: [{ metadata: { name: 'pl', uid: 'pl-uid' }, spec: { type: 'Limited', limited: limited! } }],
    flowSchemas: [
      {
        metadata: { name: 'fs', uid: 'fs-uid' },
        spec: {
          priorityLevelConfiguration: { name: 'pl' },
          matchingPrecedence: 100,
          distinguisherMethod: { type: 'ByUser' },
          rules: [{ subjects: [{ kind: 'Group', group: { name: authed } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }],
        },
      },
    ],
  };
}

const req = (user: string): RequestDigest => resource(user, [authed], 'create', '', 'configmaps', 'default');

/** oneSeat: a dispatcher whose level "pl" has one seat; with the mandatory catch-all (5 shares) added, 1 share of a limit of 2 rounds up to one. */
function oneSeat(queues: number, handSize: number, queueLengthLimit: number, waitMs = 60_000): Dispatcher {
  const d = new Dispatcher({ serverConcurrencyLimit: 2, requestWaitLimitMs: waitMs });
  const c = tiny({ nominalConcurrencyShares: 1, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit } } });
  d.setConfig(c.flowSchemas, c.priorityLevels);
  assert.equal(d.stats().pl!.nominal, 1);
  return d;
}

describe('queuing', () => {

  it('runs requests over the limit in order once seats free, and sets the classification', async () => {
    const d = oneSeat(1, 1, 10);
    const first = d.admit(req('a'));
    assert.equal(first.state, 'executing');
    assert.deepEqual([first.classification.flowSchemaUID, first.classification.priorityLevelUID], ['fs-uid', 'pl-uid']);
    const rest = [d.admit(req('a')), d.admit(req('a')), d.admit(req('a'))];
    assert.deepEqual(rest.map((t) => t.state), ['queued', 'queued', 'queued']);
    const order: number[] = [];
    const done = rest.map((t, i) => t.settled().then((ok) => { assert.equal(ok, true); order.push(i); t.finish(); }));
    first.finish();
    await Promise.all(done);
    assert.deepEqual(order, [0, 1, 2]);
    assert.deepEqual(d.stats().pl, { nominal: 1, executing: 0, queued: 0 });
    d.close();
  });

  it('serves two flows fairly: a heavy flow does not starve a light one', async () => {
    // 8 queues, a hand of 1: the two users' flows hash to different queues.
    const d = oneSeat(8, 1, 100);
    const running = d.admit(req('heavy'));
    const order: string[] = [];
    const tickets: Promise<void>[] = [];
    const add = (user: string): void => {
      const t = d.admit(req(user));
      tickets.push(t.settled().then(() => { order.push(user); t.finish(); }));
    };
    for (let i = 0; i < 5; i++) add('heavy');
    const light = 'light';
    add(light);
    add(light);
    running.finish();
    await Promise.all(tickets);
    // Round robin between queues: the light flow's requests are not all behind the five heavy ones.
    assert.ok(order.indexOf(light) < 3, `light flow served early: ${order.join(',')}`);
    d.close();
  });

  it('rejects with 429 semantics when the queue is full', () => {
    const d = oneSeat(1, 1, 2);
    d.admit(req('a'));
    assert.equal(d.admit(req('a')).state, 'queued');
    assert.equal(d.admit(req('b')).state, 'queued');
    const over = d.admit(req('c'));
    assert.equal(over.state, 'rejected');
    assert.equal(over.retryAfterSeconds, 1);
    d.close();
  });

  it('rejects at once when the level limit response is Reject', () => {
    const d = new Dispatcher({ serverConcurrencyLimit: 2 });
    const c = tiny({ nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } });
    d.setConfig(c.flowSchemas, c.priorityLevels);
    assert.equal(d.admit(req('a')).state, 'executing');
    assert.equal(d.admit(req('a')).state, 'rejected');
  });

  it('rejects a request that waited longer than the wait limit', async () => {
    const d = oneSeat(4, 2, 10, 50);
    d.admit(req('a'));
    const waiting = d.admit(req('b'));
    const started = Date.now();
    // The expiry timer is unref'd (it must not keep a server alive): hold the event loop open here.
    const keepAlive = setTimeout(() => {}, 10_000);
    assert.equal(await waiting.settled(), false);
    clearTimeout(keepAlive);
    assert.equal(waiting.state, 'rejected');
    assert.ok(Date.now() - started >= 45, 'rejected only after the wait limit');
    d.close();
  });

  it('a queued request whose client left gives its place to the next', async () => {
    const d = oneSeat(1, 1, 10);
    const running = d.admit(req('a'));
    const gone = d.admit(req('a'));
    const next = d.admit(req('a'));
    gone.finish();
    assert.equal(await gone.settled(), false);
    running.finish();
    assert.equal(await next.settled(), true);
    assert.deepEqual(d.stats().pl, { nominal: 1, executing: 1, queued: 0 });
    next.finish();
    d.close();
  });

  it('borrows idle lendable seats from other levels', () => {
    const d = new Dispatcher({ serverConcurrencyLimit: 4 });
    const c = tiny({ nominalConcurrencyShares: 5, limitResponse: { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 10 } } });
    // pl and catch-all (5 shares, lends nothing) get 2 seats each; "lender" lends all of its.
    c.priorityLevels.push({ metadata: { name: 'lender' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 10, lendablePercent: 100, limitResponse: { type: 'Reject' } } } });
    d.setConfig(c.flowSchemas, c.priorityLevels);
    const s = d.stats();
    assert.deepEqual([s.pl!.nominal, s.lender!.nominal], [1, 2]);
    const t = [d.admit(req('a')), d.admit(req('a')), d.admit(req('a')), d.admit(req('a'))];
    assert.deepEqual(t.map((x) => x.state), ['executing', 'executing', 'executing', 'queued']);
    d.close();
  });

  it('setConfig keeps requests already queued and executing, and applies new limits at once', async () => {
    const d = oneSeat(1, 1, 10);
    const running = d.admit(req('a'));
    const waiting = d.admit(req('a'));
    const c = tiny({ nominalConcurrencyShares: 15, limitResponse: { type: 'Queue', queuing: { queues: 2, handSize: 1, queueLengthLimit: 10 } } });
    d.setConfig(c.flowSchemas, c.priorityLevels);
    // 15 of 20 shares of 2 seats: a second seat, so the waiting request runs.
    assert.equal(await waiting.settled(), true);
    running.finish();
    waiting.finish();
    assert.deepEqual(d.stats().pl, { nominal: 2, executing: 0, queued: 0 });
    d.close();
  });
});

describe('configuration changes', () => {
  it('a removed level drains: its queued requests still run as seats free', async () => {
    const d = oneSeat(1, 1, 10);
    const running = d.admit(req('a'));
    const waiting = d.admit(req('a'));
    assert.equal(waiting.state, 'queued');
    // Back to the bootstrap configuration: "pl" is gone, new requests go to global-default.
    d.setConfig(bootstrapFlowSchemas, bootstrapPriorityLevels);
    assert.equal(d.classify(req('a')).flowSchema, 'global-default');
    running.finish();
    assert.equal(await waiting.settled(), true);
    waiting.finish();
    d.close();
  });

  it('a level turned Exempt runs its queued requests at once', async () => {
    const d = oneSeat(1, 1, 10);
    const running = d.admit(req('a'));
    const waiting = d.admit(req('a'));
    assert.equal(waiting.state, 'queued');
    d.setConfig(tiny({}).flowSchemas, [{ metadata: { name: 'pl', uid: 'pl-uid' }, spec: { type: 'Exempt', exempt: {} } }]);
    assert.equal(await waiting.settled(), true);
    running.finish();
    waiting.finish();
    d.close();
  });
});
