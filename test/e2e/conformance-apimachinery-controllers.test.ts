/**
 * Upstream conformance tests that need the controller-manager but no containers (ResourceQuota,
 * namespace deletion, garbage collection), replayed over plain HTTP against one apiserver and one
 * `k8ts controller-manager` child. Each case is named after the upstream test it mirrors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { spawnControllerManager, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { fetchCall, restClient, type Obj } from './helpers/apiserver.js';
import { until } from './helpers/wait.js';

describe('conformance: API machinery with the controller-manager', () => {
  let srv: TestApiServer;
  let cm: ChildProcessHandle | undefined;
  let nsCounter = 0;

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false']);
  });
  after(async () => {
    await cm?.kill();
    await srv?.stop();
  });

  const { call, ok, newNamespace } = restClient(fetchCall(() => srv.url), { waitForServiceAccount: true, next: () => ++nsCounter });
  const merge = { 'Content-Type': 'application/merge-patch+json' };
  /** usedOf waits until the quota's status.used satisfies want and answers it. */
  async function usedOf(ns: string, name: string, want: (used: Obj) => boolean): Promise<Obj> {
    return until(`quota ${name} status`, async () => {
      const q = await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`);
      return q.status?.used && want(q.status.used as Obj) ? (q.status as Obj) : undefined;
    }, 10_000, 50);
  }

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and ensure its status is promptly calculated.', async () => {
    const ns = await newNamespace('resourcequota');
    const hard = { pods: '5', services: '10', secrets: '10', configmaps: '10', replicationcontrollers: '10', resourcequotas: '1', persistentvolumeclaims: '10' };
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard } });
    const status = await usedOf(ns, 'test-quota', (u) => u.resourcequotas === '1');
    assert.deepEqual(status.hard, hard);
    const cms = (await ok('GET', `/api/v1/namespaces/${ns}/configmaps`)).items.length;
    assert.equal(status.used.configmaps, String(cms));
    assert.equal(status.used.pods, '0');
    assert.equal(status.used.services, '0');
  });

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a configMap.', async () => {
    const ns = await newNamespace('resourcequota');
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard: { configmaps: '10' } } });
    const before = Number((await usedOf(ns, 'test-quota', (u) => u.configmaps !== undefined)).used.configmaps);
    await ok('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'test-configmap' }, data: { a: 'b' } });
    await usedOf(ns, 'test-quota', (u) => u.configmaps === String(before + 1));
    await ok('DELETE', `/api/v1/namespaces/${ns}/configmaps/test-configmap`);
    await usedOf(ns, 'test-quota', (u) => u.configmaps === String(before));
  });

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a secret.', async () => {
    const ns = await newNamespace('resourcequota');
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard: { secrets: '10' } } });
    const before = Number((await usedOf(ns, 'test-quota', (u) => u.secrets !== undefined)).used.secrets);
    await ok('POST', `/api/v1/namespaces/${ns}/secrets`, { metadata: { name: 'test-secret' }, data: { a: 'Yg==' } });
    await usedOf(ns, 'test-quota', (u) => u.secrets === String(before + 1));
    await ok('DELETE', `/api/v1/namespaces/${ns}/secrets/test-secret`);
    await usedOf(ns, 'test-quota', (u) => u.secrets === String(before));
  });

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a service.', async () => {
    const ns = await newNamespace('resourcequota');
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard: { services: '10', 'services.nodeports': '1', 'services.loadbalancers': '1' } } });
    await usedOf(ns, 'test-quota', (u) => u.services === '0');
    await ok('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'test-service-clusterip' }, spec: { ports: [{ port: 80 }] } });
    await ok('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'test-service-np' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    const over = await call('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'test-service-np2' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });
    assert.equal(over.status, 403, JSON.stringify(over.body));
    assert.match(over.body.message as string, /exceeded quota: test-quota, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1/);
    await usedOf(ns, 'test-quota', (u) => u.services === '2' && u['services.nodeports'] === '1');
    await ok('DELETE', `/api/v1/namespaces/${ns}/services/test-service-clusterip`);
    await ok('DELETE', `/api/v1/namespaces/${ns}/services/test-service-np`);
    await usedOf(ns, 'test-quota', (u) => u.services === '0' && u['services.nodeports'] === '0');
  });

  test('[sig-api-machinery] ResourceQuota should be able to update and delete ResourceQuota.', async () => {
    const ns = await newNamespace('resourcequota');
    const q = await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard: { cpu: '1', memory: '500Mi' } } });
    q.spec.hard.cpu = '2';
    const upd = await ok('PUT', `/api/v1/namespaces/${ns}/resourcequotas/test-quota`, q).catch(async () => {
      // The quota controller may have written status meanwhile: retry on the fresh object, as RetryOnConflict.
      const cur = await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/test-quota`);
      cur.spec.hard.cpu = '2';
      return ok('PUT', `/api/v1/namespaces/${ns}/resourcequotas/test-quota`, cur);
    });
    assert.equal(upd.spec.hard.cpu, '2');
    await ok('DELETE', `/api/v1/namespaces/${ns}/resourcequotas/test-quota`);
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/resourcequotas/test-quota`)).status, 404);
  });

  test('[sig-api-machinery] ResourceQuota should manage the lifecycle of a ResourceQuota', async () => {
    const ns = await newNamespace('resourcequota');
    const name = `e2e-quota-${nsCounter}`;
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name, labels: { [name]: 'true' } }, spec: { hard: { cpu: '1', memory: '500Mi' } } });
    const all = await ok('GET', `/api/v1/resourcequotas?labelSelector=${name}%3Dtrue`);
    assert.equal(all.items.length, 1);
    const patched = await ok('PATCH', `/api/v1/namespaces/${ns}/resourcequotas/${name}`, { metadata: { labels: { [`${name}`]: 'true', patched: 'true' } }, spec: { hard: { memory: '750Mi' } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(patched.spec.hard.memory, '750Mi');
    assert.equal(patched.metadata.labels.patched, 'true');
    await ok('DELETE', `/api/v1/namespaces/${ns}/resourcequotas?labelSelector=${name}%3Dtrue`);
    assert.equal((await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas`)).items.length, 0);
  });

  test('[sig-api-machinery] ResourceQuota should apply changes to a resourcequota status', async () => {
    const ns = await newNamespace('resourcequota');
    const path = `/api/v1/namespaces/${ns}/resourcequotas/e2e-rq-status`;
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'e2e-rq-status' }, spec: { hard: { cpu: '500m', memory: '500Mi' } } });
    await usedOf(ns, 'e2e-rq-status', (u) => u.cpu === '0');
    const patched = await ok('PATCH', `${path}/status`, { status: { hard: { cpu: '1', memory: '1Gi' } } }, merge);
    assert.equal(patched.status.hard.cpu, '1');
    // The controller puts status.hard back to spec.hard.
    await until('status.hard reset', async () => ((await ok('GET', path)).status.hard.cpu === '500m' ? true : undefined), 10_000, 50);
  });

  const quotaPod = (name: string, resources: Obj = {}): Obj => ({ metadata: { name }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources }] } });

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a pod.', async () => {
    const ns = await newNamespace('resourcequota');
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'test-quota' }, spec: { hard: { pods: '5', 'requests.cpu': '1', 'requests.memory': '500Mi' } } });
    await usedOf(ns, 'test-quota', (u) => u.pods === '0');
    const req = { requests: { cpu: '500m', memory: '252Mi' }, limits: { cpu: '500m', memory: '252Mi' } };
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('test-pod', req));
    await usedOf(ns, 'test-quota', (u) => u.pods === '1' && u['requests.cpu'] === '500m' && u['requests.memory'] === '252Mi');
    const over = await call('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('fail-pod', { requests: { cpu: '600m', memory: '100Mi' }, limits: { cpu: '600m', memory: '100Mi' } }));
    assert.equal(over.status, 403, JSON.stringify(over.body));
    assert.match(over.body.message as string, /exceeded quota: test-quota, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1/);
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/test-pod`, { gracePeriodSeconds: 0 });
    await usedOf(ns, 'test-quota', (u) => u.pods === '0' && u['requests.cpu'] === '0' && u['requests.memory'] === '0');
  });

  test('[sig-api-machinery] ResourceQuota should verify ResourceQuota with best effort scope.', async () => {
    const ns = await newNamespace('resourcequota');
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'quota-besteffort' }, spec: { hard: { pods: '5' }, scopes: ['BestEffort'] } });
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'quota-not-besteffort' }, spec: { hard: { pods: '5' }, scopes: ['NotBestEffort'] } });
    await usedOf(ns, 'quota-besteffort', (u) => u.pods === '0');
    await usedOf(ns, 'quota-not-besteffort', (u) => u.pods === '0');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('best-effort'));
    await usedOf(ns, 'quota-besteffort', (u) => u.pods === '1');
    await usedOf(ns, 'quota-not-besteffort', (u) => u.pods === '0');
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/best-effort`, { gracePeriodSeconds: 0 });
    await usedOf(ns, 'quota-besteffort', (u) => u.pods === '0');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('not-best-effort', { requests: { cpu: '500m', memory: '200Mi' }, limits: { cpu: '1', memory: '400Mi' } }));
    await usedOf(ns, 'quota-not-besteffort', (u) => u.pods === '1');
    await usedOf(ns, 'quota-besteffort', (u) => u.pods === '0');
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/not-best-effort`, { gracePeriodSeconds: 0 });
    await usedOf(ns, 'quota-not-besteffort', (u) => u.pods === '0');
  });

  test('[sig-api-machinery] Namespaces [Serial] should ensure that all services are removed when a namespace is deleted', async () => {
    const ns = await newNamespace('nsdeletetest');
    await ok('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'test-service' }, spec: { selector: { foo: 'bar' }, ports: [{ port: 80, targetPort: 80 }] } });
    await ok('DELETE', `/api/v1/namespaces/${ns}`);
    await until('namespace gone', async () => ((await call('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined), 15_000, 100);
    await ok('POST', '/api/v1/namespaces', { metadata: { name: ns } });
    assert.equal((await ok('GET', `/api/v1/namespaces/${ns}/services`)).items.length, 0);
  });

  test('[sig-api-machinery] Namespaces [Serial] should ensure that all pods are removed when a namespace is deleted', async () => {
    const ns = await newNamespace('nsdeletetest');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'test-pod' }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/pause:3.10' }] } });
    await ok('DELETE', `/api/v1/namespaces/${ns}`);
    await until('namespace gone', async () => ((await call('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined), 15_000, 100);
  });

  // As upstream, except that the pod is never Running (upstream waits for that, which needs a
  // kubelet): it stays unscheduled, so deleting it is immediate but for its finalizer.
  test('[sig-api-machinery] OrderedNamespaceDeletion namespace deletion should delete pod first', async () => {
    const ns = await newNamespace('nsdeletetest');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'test-pod', finalizers: ['e2e.example.com/finalizer'] }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/pause:3.10' }] } });
    await ok('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'test-configmap' }, data: { key: 'value' } });
    await ok('DELETE', `/api/v1/namespaces/${ns}`);
    // Wait until namespace controller had time to process.
    await until('namespace processed', async () => {
      const r = await call('GET', `/api/v1/namespaces/${ns}`);
      assert.equal(r.status, 200, 'namespace was deleted unexpectedly');
      return r.body.status?.phase === 'Terminating' && (r.body.status.conditions ?? []).some((c: Obj) => c.type === 'NamespaceDeletionContentFailure') ? true : undefined;
    }, 15_000, 100);
    // The pod is deleted before the other resources are processed.
    await until('pod marked for deletion', async () => {
      const cm = await call('GET', `/api/v1/namespaces/${ns}/configmaps/test-configmap`);
      assert.equal(cm.status, 200, 'configmap should still exist');
      return (await ok('GET', `/api/v1/namespaces/${ns}/pods/test-pod`)).metadata.deletionTimestamp ? true : undefined;
    }, 15_000, 100);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await call('GET', `/api/v1/namespaces/${ns}/configmaps/test-configmap`)).status, 200, 'configmap kept while the pod remains');
    const pod = await ok('GET', `/api/v1/namespaces/${ns}/pods/test-pod`);
    await ok('PUT', `/api/v1/namespaces/${ns}/pods/test-pod`, { ...pod, metadata: { ...pod.metadata, finalizers: [] } });
    await until('pod gone', async () => ((await call('GET', `/api/v1/namespaces/${ns}/pods/test-pod`)).status === 404 ? true : undefined), 10_000, 50);
    await until('namespace gone', async () => ((await call('GET', `/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined), 15_000, 100);
  });

  test('[sig-api-machinery] Garbage collector should not be blocked by dependency circle', async () => {
    const ns = await newNamespace('gc');
    const pod = (name: string): Obj => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } });
    const p1 = await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pod1'));
    const p2 = await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pod2'));
    const p3 = await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pod3'));
    const ref = (p: Obj): Obj => ({ apiVersion: 'v1', kind: 'Pod', name: p.metadata.name, uid: p.metadata.uid, controller: true, blockOwnerDeletion: true });
    await ok('PATCH', `/api/v1/namespaces/${ns}/pods/pod1`, { metadata: { ownerReferences: [ref(p3)] } }, merge);
    await ok('PATCH', `/api/v1/namespaces/${ns}/pods/pod2`, { metadata: { ownerReferences: [ref(p1)] } }, merge);
    await ok('PATCH', `/api/v1/namespaces/${ns}/pods/pod3`, { metadata: { ownerReferences: [ref(p2)] } }, merge);
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/pod1`, { propagationPolicy: 'Foreground' });
    await until('all pods collected', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/pods`)).items.length === 0 ? true : undefined), 5_000, 100);
  });

  test('[sig-api-machinery] Garbage collector should orphan RS created by deployment when deleteOptions.PropagationPolicy is Orphan', async () => {
    const ns = await newNamespace('gc');
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { metadata: { name: 'simpletest.deployment' }, spec: { replicas: 0, selector: { matchLabels: { app: 'gc' } }, template: { metadata: { labels: { app: 'gc' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } } });
    await until('ReplicaSet created', async () => ((await ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items.length === 1 ? true : undefined), 10_000, 50);
    await ok('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/simpletest.deployment`, { propagationPolicy: 'Orphan' });
    await until('deployment gone', async () => ((await call('GET', `/apis/apps/v1/namespaces/${ns}/deployments/simpletest.deployment`)).status === 404 ? true : undefined), 10_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    const rss = await ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`);
    assert.equal(rss.items.length, 1, 'the ReplicaSet stays');
    assert.equal(rss.items[0].metadata.ownerReferences, undefined, 'and no longer names its owner');
  });

  test('[sig-api-machinery] Garbage collector should delete RS created by deployment when not orphaning', async () => {
    const ns = await newNamespace('gc');
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, { metadata: { name: 'simpletest.deployment' }, spec: { replicas: 0, selector: { matchLabels: { app: 'gc' } }, template: { metadata: { labels: { app: 'gc' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } } });
    await until('ReplicaSet created', async () => ((await ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items.length === 1 ? true : undefined), 10_000, 50);
    await ok('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/simpletest.deployment`);
    await until('ReplicaSet collected', async () => ((await ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets`)).items.length === 0 ? true : undefined), 10_000, 50);
  });
});
