/**
 * The official JavaScript client (@kubernetes/client-node) runs an informer (list + watch)
 * against k8ts and sees every change: adds, updates and deletes, in order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.js';

type Running = Awaited<ReturnType<typeof startApiServer>>;
let server: Running;
let kc: k8s.KubeConfig;

before(async () => {
  server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', bindAddress: '127.0.0.1', port: 0 });
  kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'k8ts', server: server.url, skipTLSVerify: true }],
    users: [{ name: 'admin' }],
    contexts: [{ name: 'k8ts', cluster: 'k8ts', user: 'admin' }],
    currentContext: 'k8ts',
  });
});

after(async () => {
  await server?.close();
});

/** waitFor polls cond until it holds or the deadline passes. */
async function waitFor(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('client-node CoreV1Api CRUD round-trips a ConfigMap', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const created = await core.createNamespacedConfigMap({
    namespace: 'default',
    body: { metadata: { name: 'crud', labels: { a: 'b' } }, data: { k: 'v' } },
  });
  assert.equal(created.metadata?.name, 'crud');
  assert.ok(created.metadata?.uid);
  assert.ok(created.metadata?.resourceVersion);
  const got = await core.readNamespacedConfigMap({ name: 'crud', namespace: 'default' });
  assert.deepEqual(got.data, { k: 'v' });
  const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'a=b' });
  assert.deepEqual(list.items.map((c) => c.metadata?.name), ['crud']);
  await core.deleteNamespacedConfigMap({ name: 'crud', namespace: 'default' });
  await assert.rejects(core.readNamespacedConfigMap({ name: 'crud', namespace: 'default' }), (err: unknown) => {
    assert.equal((err as { code?: number }).code, 404);
    return true;
  });
});

test('client-node informer sees every add, update and delete', async () => {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = 'informer';
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before' }, data: { n: '0' } } });

  const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, `/api/v1/namespaces/${ns}/configmaps`, () =>
    core.listNamespacedConfigMap({ namespace: ns }),
  );
  const seen: string[] = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata?.name} ${o.data?.n}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata?.name} ${o.data?.n}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
  const errors: unknown[] = [];
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  try {
    await waitFor('initial list', () => seen.includes('add before 0'));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cm' }, data: { n: '1' } } });
    for (let i = 2; i <= 5; i++) {
      await core.patchNamespacedConfigMap(
        { name: 'cm', namespace: ns, body: { data: { n: String(i) } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    }
    await core.deleteNamespacedConfigMap({ name: 'cm', namespace: ns });
    await core.deleteNamespacedConfigMap({ name: 'before', namespace: ns });
    await waitFor('all events', () => seen.length >= 8);
    assert.deepEqual(seen, [
      'add before 0',
      'add cm 1',
      'update cm 2',
      'update cm 3',
      'update cm 4',
      'update cm 5',
      'delete cm',
      'delete before',
    ]);
    assert.equal(informer.list(ns).length, 0);
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});
