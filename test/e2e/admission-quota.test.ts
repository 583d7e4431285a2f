/**
 * LimitRanger and ResourceQuota end to end: an apiserver with upstream's default admission
 * plugins plus the resourcequota controller, driven over HTTP and with real kubectl. Defaults
 * appear in pods, limits refuse with upstream's messages, quota is charged at admission and
 * given back by the controller after deletions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { parse as parseYAML } from 'yaml';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { EventBroadcaster, HttpTransport, RestClient, SharedInformerFactory, realClock } from '../../src/client/index.js';
import { ControllerRunner } from '../../src/controllers/runner.js';
import { newResourceQuotaController } from '../../src/controllers/resourcequota.js';
import { waitFor } from '../../src/controllers/testing.js';
import { kubectl } from './helpers/kubectl.js';

interface Res {
  status: number;
  body: Record<string, unknown>;
}

describe('LimitRanger and ResourceQuota', () => {
  let srv: TestApiServer;
  const ac = new AbortController();
  let running: Promise<void>;
  let broadcaster: EventBroadcaster;

  async function call(method: string, path: string, body?: unknown): Promise<Res> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(srv.url + path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }
  const pod = (name: string, resources?: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }] },
  });
  async function namespace(ns: string): Promise<void> {
    assert.equal((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status, 201);
    assert.equal((await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })).status, 201);
  }

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    const client = new RestClient({ host: srv.url, transport: new HttpTransport(srv.url), qps: Infinity });
    broadcaster = new EventBroadcaster({ clock: realClock, onError: () => {} });
    const ctx = { client, informers: new SharedInformerFactory(client, { clock: realClock, onError: () => {} }), clock: realClock, recorder: (component: string) => broadcaster.newRecorder({ component }), log: () => {} };
    const runner = new ControllerRunner(ctx);
    runner.add(newResourceQuotaController(ctx));
    running = runner.run(ac.signal);
    await namespace('limits');
    await namespace('quota');
  });
  after(async () => {
    ac.abort();
    await running;
    await broadcaster.shutdown();
    await srv?.stop();
  });

  test('LimitRanger: defaults fill containers, min/max/ratio refuse with upstream messages', async () => {
    const lr = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'limits' },
      spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' }, max: { cpu: '1' }, min: { cpu: '50m' }, maxLimitRequestRatio: { cpu: '10' } }] },
    };
    assert.equal((await call('POST', '/api/v1/namespaces/limits/limitranges', lr)).status, 201);
    // The plugin reads LimitRanges from the watch cache, which follows the write closely.
    const p = await waitFor('defaults applied', async () => {
      const res = await call('POST', '/api/v1/namespaces/limits/pods', { ...pod(''), metadata: { generateName: 'dflt-' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const got = res.body as Pod;
      return got.spec!.containers[0]!.resources?.limits ? got : undefined;
    });
    assert.deepEqual(p.spec!.containers[0]!.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    assert.equal(p.metadata!.annotations!['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
    assert.equal(p.status!.qosClass, 'Burstable', 'qosClass is computed after LimitRanger set resources');

    const cases: Array<{ name: string; resources: Record<string, unknown>; message: string }> = [
      { name: 'over-max', resources: { limits: { cpu: '2' } }, message: 'pods "over-max" is forbidden: maximum cpu usage per Container is 1, but limit is 2' },
      { name: 'under-min', resources: { requests: { cpu: '10m' }, limits: { cpu: '100m' } }, message: 'pods "under-min" is forbidden: minimum cpu usage per Container is 50m, but request is 10m' },
      { name: 'ratio', resources: { requests: { cpu: '60m' }, limits: { cpu: '1' } }, message: 'pods "ratio" is forbidden: cpu max limit to request ratio per Container is 10, but provided ratio is 16.666667' },
      {
        name: 'two-errors',
        resources: { requests: { cpu: '10m' }, limits: { cpu: '2' } },
        message: 'pods "two-errors" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, maximum cpu usage per Container is 1, but limit is 2, cpu max limit to request ratio per Container is 10, but provided ratio is 200.000000]',
      },
    ];
    for (const c of cases) {
      const res = await call('POST', '/api/v1/namespaces/limits/pods', pod(c.name, c.resources));
      assert.equal(res.status, 403, c.name);
      assert.equal(res.body.message, c.message, c.name);
    }
  });

  test('LimitRanger: kubectl get pod -o yaml shows the defaults', async () => {
    const applied = await kubectl(['apply', '-n', 'limits', '-f', '-'], { kubeconfig: srv.kubeconfig, stdin: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n    image: nginx\n' });
    assert.equal(applied.code, 0, applied.stderr);
    const got = await kubectl(['get', 'pod', 'web', '-n', 'limits', '-o', 'yaml'], { kubeconfig: srv.kubeconfig });
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, / {4}kubernetes\.io\/limit-ranger: 'LimitRanger plugin set: cpu, memory request for container\n {6}nginx; cpu, memory limit for container nginx'\n/);
    const p = parseYAML(got.stdout) as Pod;
    assert.deepEqual(p.spec!.containers[0]!.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
  });

  test('ResourceQuota: charged at admission, refused with upstream messages, given back after deletion', async () => {
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'compute' }, spec: { hard: { pods: '2', 'requests.cpu': '1', 'count/configmaps': '1' } } };
    assert.equal((await call('POST', '/api/v1/namespaces/quota/resourcequotas', quota)).status, 201);
    await waitFor('quota status', async () => ((await call('GET', '/api/v1/namespaces/quota/resourcequotas/compute')).body as ResourceQuota).status?.used?.pods === '0');

    assert.equal((await call('POST', '/api/v1/namespaces/quota/pods', pod('a', { requests: { cpu: '500m' } }))).status, 201);
    const used = ((await call('GET', '/api/v1/namespaces/quota/resourcequotas/compute')).body as ResourceQuota).status!.used!;
    assert.deepEqual(used, { 'count/configmaps': '0', pods: '1', 'requests.cpu': '500m' }, 'charged at once, not after the controller runs');

    const over = await call('POST', '/api/v1/namespaces/quota/pods', pod('b', { requests: { cpu: '600m' } }));
    assert.equal(over.status, 403);
    assert.equal(over.body.reason, 'Forbidden');
    assert.equal(over.body.message, 'pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1');

    const unspecified = await call('POST', '/api/v1/namespaces/quota/pods', pod('c'));
    assert.equal(unspecified.status, 403);
    assert.equal(unspecified.body.message, 'pods "c" is forbidden: failed quota: compute: must specify requests.cpu for: c');

    const cm = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    assert.equal((await call('POST', '/api/v1/namespaces/quota/configmaps', cm('one'))).status, 201);
    const viaKubectl = await kubectl(['create', 'configmap', 'two', '-n', 'quota'], { kubeconfig: srv.kubeconfig });
    assert.notEqual(viaKubectl.code, 0);
    assert.match(viaKubectl.stderr, /error: failed to create configmap: configmaps "two" is forbidden: exceeded quota: compute, requested: count\/configmaps=1, used: count\/configmaps=1, limited: count\/configmaps=1/);

    // Deleting gives the quota back once the controller recounts.
    assert.equal((await call('DELETE', '/api/v1/namespaces/quota/pods/a?gracePeriodSeconds=0')).status, 200);
    await waitFor('usage released', async () => ((await call('GET', '/api/v1/namespaces/quota/resourcequotas/compute')).body as ResourceQuota).status?.used?.['requests.cpu'] === '0');
    assert.equal((await call('POST', '/api/v1/namespaces/quota/pods', pod('b', { requests: { cpu: '600m' } }))).status, 201);
  });
});
