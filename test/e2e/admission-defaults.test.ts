/**
 * End-to-end: the default-on admission plugins as a kubectl user sees them, against an
 * apiserver with kube-apiserver's default plugin set and a `k8ts controller-manager` child
 * running pvc-protection, pv-protection and node-lifecycle under their upstream names.
 * Claims get the default StorageClass and the protection finalizer; Ingresses the default
 * IngressClass; Nodes the not-ready taint (removed once Ready); pods their RuntimeClass's
 * overhead; and deleting a claim a pod uses waits until the pod is gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { spawnControllerManager, waitFor, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';

const haveKubectl = kubectlPath() !== undefined;

describe('default admission plugins with kubectl', { skip: haveKubectl ? false : 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;
  let cm: ChildProcessHandle;

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS, advertiseAddress: '192.0.2.1' });
    k = new Kubectl(srv.kubeconfig);
    // No serviceaccount controller here: the default ServiceAccount is created by hand.
    await k.ok(['create', 'serviceaccount', 'default']);
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false', '--controllers=pvc-protection,pv-protection,nodelifecycle']);
  });
  after(async () => {
    await cm?.kill();
    await srv?.stop();
  });

  const apply = (yaml: string): Promise<string> => k.ok(['apply', '-f', '-'], { stdin: yaml });
  const jsonpath = (args: readonly string[], path: string): Promise<string> => k.ok(['get', ...args, '-o', `jsonpath=${path}`]);

  test('a claim gets the default StorageClass and the pvc-protection finalizer; a volume the pv-protection one', async () => {
    await apply(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: example.com/local
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: vol
spec:
  capacity:
    storage: 1Gi
  accessModes: [ReadWriteOnce]
  hostPath:
    path: /tmp/k8ts-e2e-vol
`);
    assert.equal(await jsonpath(['pvc', 'data'], '{.spec.storageClassName} {.metadata.finalizers}'), 'local ["kubernetes.io/pvc-protection"]');
    assert.equal(await jsonpath(['pv', 'vol'], '{.metadata.finalizers}'), '["kubernetes.io/pv-protection"]');
  });

  test('growing a claim whose class does not allow expansion is Forbidden with upstream words', async () => {
    await k.ok(['patch', 'pvc', 'data', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Bound"}}']);
    const r = await k.run(['patch', 'pvc', 'data', '--type=merge', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
  });

  test('deleting a claim used by a pod waits until the pod is gone', async () => {
    await apply(`apiVersion: v1
kind: Pod
metadata:
  name: user
spec:
  nodeName: node-x
  containers:
  - name: c
    image: busybox
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: data
`);
    const deleting = k.run(['delete', 'pvc', 'data', '--timeout=60s'], { timeoutMs: 70_000 });
    await waitFor('claim Terminating', async () => (await jsonpath(['pvc', 'data'], '{.metadata.deletionTimestamp}')) !== '');
    // Long enough for the controller to have seen the deletion and kept the claim.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await jsonpath(['pvc', 'data'], '{.metadata.finalizers}'), '["kubernetes.io/pvc-protection"]');
    assert.match(await k.ok(['get', 'pvc', 'data']), /^data\s+Terminating\s/m);
    await k.ok(['delete', 'pod', 'user', '--grace-period=0', '--force']);
    const done = await deleting;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /persistentvolumeclaim "data" deleted/);
    const gone = await k.run(['get', 'pvc', 'data']);
    assert.match(gone.stderr, /persistentvolumeclaims "data" not found/);
  });

  test('an Ingress without a class gets the default IngressClass', async () => {
    await apply(`apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: k8s.io/ingress-nginx
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  defaultBackend:
    service:
      name: web
      port:
        number: 80
`);
    assert.equal(await jsonpath(['ingress', 'web'], '{.spec.ingressClassName}'), 'nginx');
  });

  test('a new Node carries the not-ready taint until it reports Ready', async () => {
    // The object create returns is what admission made of it, before any controller touched it.
    const created = await k.ok(['create', '-f', '-', '-o', 'jsonpath={.spec.taints[*].key}:{.spec.taints[*].effect}'], {
      stdin: `apiVersion: v1
kind: Node
metadata:
  name: node-e2e
status:
  conditions:
  - type: Ready
    status: "False"
    reason: KubeletNotReady
    message: container runtime status check may not have completed yet
`,
    });
    assert.equal(created, 'node.kubernetes.io/not-ready:NoSchedule');
    // Still NotReady: node-lifecycle keeps the NoSchedule taint (and adds the NoExecute one).
    await waitFor('NoExecute added', async () => (await jsonpath(['node', 'node-e2e'], '{.spec.taints[*].effect}')).includes('NoExecute'));
    assert.match(await jsonpath(['node', 'node-e2e'], '{range .spec.taints[*]}{.key}:{.effect} {end}'), /node\.kubernetes\.io\/not-ready:NoSchedule/);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const ready = JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }] } });
    await k.ok(['patch', 'node', 'node-e2e', '--subresource=status', '--type=merge', '-p', ready]);
    await waitFor('not-ready taints removed', async () => (await jsonpath(['node', 'node-e2e'], '{.spec.taints}')) === '');
  });

  test('a pod of a RuntimeClass gets its overhead; an unknown class is refused as upstream', async () => {
    await apply(`apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: kata
handler: kata
overhead:
  podFixed:
    cpu: 250m
    memory: 64Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
spec:
  runtimeClassName: kata
  containers:
  - name: c
    image: busybox
`);
    assert.equal(await jsonpath(['pod', 'sandboxed'], '{.spec.overhead.cpu} {.spec.overhead.memory}'), '250m 64Mi');
    const r = await k.run(['run', 'nowhere', '--image=busybox', '--overrides={"spec":{"runtimeClassName":"gvisor"}}']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(Forbidden\): pods "nowhere" is forbidden: pod rejected: RuntimeClass "gvisor" not found/);
  });
});
