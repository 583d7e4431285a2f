/**
 * The registry's write paths through a real in-process apiserver: what each write leaves in the
 * stored object (managedFields, status, resourceVersion), for the verbs the scheduler and the
 * kubelet send on every pod.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../testing.js';

interface Obj {
  metadata: { name: string; resourceVersion: string; managedFields?: Array<{ manager: string; operation: string; subresource?: string }> };
  spec: { nodeName?: string; containers: unknown[] };
  status?: { phase?: string; conditions?: Array<{ type: string; status: string }> };
}

let srv: TestApiServer;
before(async () => {
  srv = await startTestApiServer();
});
after(async () => {
  await srv.stop();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json', agent = 'writes-test/v1'): Promise<{ status: number; body: Obj }> {
  const r = await fetch(srv.url + path, { method, headers: { 'Content-Type': contentType, 'User-Agent': agent }, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Obj };
}

const pod = (name: string): object => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] } });
const managers = (o: Obj): string[] => (o.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}/${e.subresource ?? ''}`);

test('a binding sets nodeName and PodScheduled but leaves managedFields as they were (upstream BindingREST)', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/pods', pod('bound'), 'application/json', 'creator/v1');
  assert.equal(created.status, 201);
  const bind = await call('POST', '/api/v1/namespaces/default/pods/bound/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'n1' } }, 'application/json', 'scheduler/v1');
  assert.equal(bind.status, 201);
  const got = (await call('GET', '/api/v1/namespaces/default/pods/bound')).body;
  assert.equal(got.spec.nodeName, 'n1');
  assert.deepEqual(got.status?.conditions?.map((c) => `${c.type}=${c.status}`), ['PodScheduled=True']);
  assert.deepEqual(got.metadata.managedFields, created.body.metadata.managedFields);
  assert.notEqual(got.metadata.resourceVersion, created.body.metadata.resourceVersion);
});

test('status patches as the kubelet sends them (strategic merge, apply) record the status manager', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('st'))).status, 201);
  const smp = await call('PATCH', '/api/v1/namespaces/default/pods/st/status', { status: { $setElementOrder: { conditions: [{ type: 'Ready' }] }, conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' } }, 'application/strategic-merge-patch+json', 'kubelet/v1');
  assert.equal(smp.status, 200);
  assert.equal(smp.body.status?.phase, 'Running');
  assert.deepEqual(managers(smp.body), ['writes-test/Update/', 'kubelet/Update/status']);
  const applied = await call(
    'PATCH',
    '/api/v1/namespaces/default/pods/st/status?fieldManager=kubelet-apply&force=true',
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"st"},"status":{"phase":"Succeeded"}}',
    'application/apply-patch+yaml',
  );
  assert.equal(applied.status, 200);
  assert.equal(applied.body.status?.phase, 'Succeeded');
  assert.deepEqual(managers(applied.body), ['writes-test/Update/', 'kubelet/Update/status', 'kubelet-apply/Apply/status']);
  // The same patch again changes nothing: same resourceVersion.
  const again = await call(
    'PATCH',
    '/api/v1/namespaces/default/pods/st/status?fieldManager=kubelet-apply&force=true',
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"st"},"status":{"phase":"Succeeded"}}',
    'application/apply-patch+yaml',
  );
  assert.equal(again.body.metadata.resourceVersion, applied.body.metadata.resourceVersion);
});

test('an update right after a write starts from what storage holds, not from the object the apiserver remembers writing', async () => {
  const created = await call('POST', '/api/v1/namespaces/default/pods', pod('memo'));
  assert.equal(created.status, 201);
  // Another writer (a second apiserver on the same etcd) changes the pod behind this one's back.
  const key = '/registry/pods/default/memo';
  const { kv } = await srv.server.storage.get(key);
  const changed = JSON.parse(kv!.value.toString('utf8')) as { metadata: { annotations?: Record<string, string> } };
  changed.metadata.annotations = { 'other-writer': 'yes' };
  await srv.server.storage.update(key, Buffer.from(JSON.stringify(changed)), kv!.modRevision);
  const patched = await call('PATCH', '/api/v1/namespaces/default/pods/memo', { metadata: { labels: { a: '1' } } }, 'application/merge-patch+json');
  assert.equal(patched.status, 200);
  const meta = patched.body.metadata as Obj['metadata'] & { annotations?: Record<string, string>; labels?: Record<string, string> };
  assert.deepEqual(meta.annotations, { 'other-writer': 'yes' });
  assert.deepEqual(meta.labels, { a: '1' });
});

test('back-to-back patches each see the one before, and a repeated one is a no-op', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('chain'))).status, 201);
  const first = await call('PATCH', '/api/v1/namespaces/default/pods/chain', { metadata: { labels: { a: '1' } } }, 'application/merge-patch+json');
  const second = await call('PATCH', '/api/v1/namespaces/default/pods/chain', { metadata: { labels: { b: '2' } } }, 'application/merge-patch+json');
  assert.equal(second.status, 200);
  assert.deepEqual((second.body.metadata as { labels?: Record<string, string> }).labels, { a: '1', b: '2' });
  assert.notEqual(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
  const again = await call('PATCH', '/api/v1/namespaces/default/pods/chain', { metadata: { labels: { b: '2' } } }, 'application/merge-patch+json');
  assert.equal(again.body.metadata.resourceVersion, second.body.metadata.resourceVersion);
  const got = await call('GET', '/api/v1/namespaces/default/pods/chain');
  assert.deepEqual(got.body, again.body);
});

test('the object a write stored is kept for the next update only while a chain of writes is under way', async () => {
  const key = '/registry/pods/default/kept';
  const patch = async (labels: Record<string, string>): Promise<void> => {
    assert.equal((await call('PATCH', '/api/v1/namespaces/default/pods/kept', { metadata: { labels } }, 'application/merge-patch+json')).status, 200);
  };
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('kept'))).status, 201);
  assert.equal(srv.server.store.remembers(key), true, 'a create is kept: a binding and a status report follow');
  await patch({ a: '1' });
  assert.equal(srv.server.store.remembers(key), true, 'an update that started from the kept object continues the chain');
  // Another writer changes the pod: the next update decodes what storage holds.
  const { kv } = await srv.server.storage.get(key);
  const changed = JSON.parse(kv!.value.toString('utf8')) as { metadata: { annotations?: Record<string, string> } };
  changed.metadata.annotations = { 'other-writer': 'yes' };
  await srv.server.storage.update(key, Buffer.from(JSON.stringify(changed)), kv!.modRevision);
  await patch({ b: '2' });
  assert.equal(srv.server.store.remembers(key), false, 'an update that had to decode is not kept');
  await patch({ c: '3' });
  assert.equal(srv.server.store.remembers(key), false);
  const got = await call('GET', '/api/v1/namespaces/default/pods/kept');
  assert.deepEqual((got.body.metadata as { labels?: Record<string, string> }).labels, { a: '1', b: '2', c: '3' });
});

test('a bound pod patched right after its binding keeps what the binding and the patch each set', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('bp'))).status, 201);
  const bind = await call('POST', '/api/v1/namespaces/default/pods/bp/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bp', annotations: { 'scheduled-by': 'test' } }, target: { kind: 'Node', name: 'n2' } });
  assert.equal(bind.status, 201);
  const patched = await call('PATCH', '/api/v1/namespaces/default/pods/bp/status', { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, 'application/strategic-merge-patch+json');
  assert.equal(patched.status, 200);
  const got = (await call('GET', '/api/v1/namespaces/default/pods/bp')).body;
  assert.deepEqual(got, patched.body);
  assert.equal(got.spec.nodeName, 'n2');
  assert.deepEqual((got.metadata as { annotations?: Record<string, string> }).annotations, { 'scheduled-by': 'test' });
  assert.deepEqual(got.status?.conditions?.map((c) => c.type).sort(), ['PodScheduled', 'Ready']);
});

test('a /status patch keeps metadata changes the kind allows, as upstream conformance tests expect ("patchedstatus" annotation)', async () => {
  type Meta = { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: { replicas?: number } };
  const patchStatus = async (path: string, status: object): Promise<Meta> => {
    const r = await call('PATCH', `${path}/status`, { metadata: { annotations: { patchedstatus: 'true' }, labels: { app: 'changed' } }, spec: { replicas: 5 }, status }, 'application/merge-patch+json');
    assert.equal(r.status, 200);
    return r.body as unknown as Meta;
  };
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'ps', labels: { app: 'ps' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'ps' } }, template: { metadata: { labels: { app: 'ps' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } };
  assert.equal((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deploy)).status, 201);
  const d = await patchStatus('/apis/apps/v1/namespaces/default/deployments/ps', { observedGeneration: 1 });
  assert.equal(d.metadata.annotations?.['patchedstatus'], 'true');
  assert.equal(d.metadata.labels?.['app'], 'ps', "a Deployment's status strategy resets labels");
  assert.equal(d.spec.replicas, 1, 'and its spec');

  assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod('ps'))).status, 201);
  const p = await patchStatus('/api/v1/namespaces/default/pods/ps', { message: 'Patched by test', reason: 'E2E' });
  assert.equal(p.metadata.annotations?.['patchedstatus'], 'true');
  assert.equal(p.metadata.labels?.['app'], 'changed', "a Pod's status strategy lets labels change");
});
