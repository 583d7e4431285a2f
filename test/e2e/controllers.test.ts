/**
 * End-to-end: real kubectl against a k8ts apiserver and a `k8ts controller-manager` child
 * process. No kubelet runs: a test "readier" marks pods Running/Ready through pods/status.
 * One short-lived server per file.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { RestClient, SharedInformerFactory, gvr, loadRestConfig } from '../../src/client/index.js';
import { setPodReady, spawnControllerManager, startPodReadier, waitFor, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';

const haveKubectl = kubectlPath() !== undefined;

describe('controller-manager with kubectl', { skip: haveKubectl ? false : 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;
  let cm: ChildProcessHandle;
  let client: RestClient;
  let readier: { stop(): Promise<void> };

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.1' });
    k = new Kubectl(srv.kubeconfig);
    client = new RestClient({ ...loadRestConfig({ kubeconfig: srv.kubeconfig }), qps: Infinity });
    // Pods labelled stuck never become ready (a rollout that cannot progress).
    readier = startPodReadier(client, { labelSelector: '!stuck' });
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false']);
  });
  after(async () => {
    await cm?.kill();
    await readier?.stop();
    await srv?.stop();
  });

  const createDeployment = async (name: string, image: string, replicas: number, ns = 'default'): Promise<void> => {
    await k.ok(['create', 'deployment', name, `--image=${image}`, `--replicas=${replicas}`, '-n', ns]);
  };

  const rolloutStatus = async (name: string, ns = 'default'): Promise<string> => k.ok(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=60s'], { timeoutMs: 70_000 });

  test('create, scale, rolling update within maxSurge/maxUnavailable at every event, history, undo, pause/resume, restart', async () => {
    await createDeployment('web', 'nginx:1', 4);
    assert.match(await rolloutStatus('web'), /deployment "web" successfully rolled out/);
    assert.match(await k.ok(['get', 'deploy', 'web']), /^web\s+4\/4\s+4\s+4\s+/m);
    await k.ok(['scale', 'deployment', 'web', '--replicas=6']);
    await rolloutStatus('web');
    assert.match(await k.ok(['get', 'deploy', 'web']), /^web\s+6\/6\s+6\s+6\s+/m);
    await k.ok(['patch', 'deployment', 'web', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}}}']);

    // Watch pods and ReplicaSets; assert the invariants after every event.
    const ac = new AbortController();
    const factory = new SharedInformerFactory(client);
    const podInf = factory.forResource<Pod>(gvr.pods, { labelSelector: 'app=web' });
    const rsInf = factory.forResource<ReplicaSet>(gvr.replicasets, { labelSelector: 'app=web' });
    const violations: string[] = [];
    let events = 0;
    let maxPods = 0;
    let armed = false;
    const check = (): void => {
      // The initial list arrives one add at a time; judge only complete states.
      if (!armed) return;
      events++;
      const pods = podInf.getIndexer().list().filter((p) => !p.metadata?.deletionTimestamp);
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      maxPods = Math.max(maxPods, pods.length);
      if (pods.length > 6 + 1) violations.push(`${pods.length} pods > replicas+maxSurge`);
      if (ready < 6 - 1) violations.push(`${ready} ready < replicas-maxUnavailable`);
      const specSum = rsInf.getIndexer().list().reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
      if (specSum > 7) violations.push(`ReplicaSets want ${specSum} > 7`);
    };
    podInf.addEventHandler({ add: check, update: check, delete: check });
    rsInf.addEventHandler({ add: check, update: check, delete: check });
    factory.start(ac.signal);
    await factory.waitForCacheSync();
    armed = true;
    await k.ok(['set', 'image', 'deployment/web', 'nginx=nginx:2']);
    await rolloutStatus('web');
    ac.abort();
    await factory.shutdown();
    assert.deepEqual(violations, []);
    assert.ok(events > 10, `observed ${events} events`);
    assert.equal(maxPods, 7, 'the rollout used its surge');

    const history = await k.ok(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    assert.match(await k.ok(['rollout', 'undo', 'deployment/web', '--to-revision=1']), /deployment.apps\/web rolled back/);
    await rolloutStatus('web');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}']), 'nginx:1 3');
    assert.match(await k.ok(['rollout', 'history', 'deployment/web']), /\n2\s+<none>\n3\s+<none>/);
    assert.equal((await k.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length, 2, 'the revision-1 ReplicaSet was reused');

    await k.ok(['rollout', 'pause', 'deployment/web']);
    await k.ok(['set', 'image', 'deployment/web', 'nginx=nginx:3']);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await k.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length, 2, 'paused: no new ReplicaSet');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']), 'DeploymentPaused');
    const undoPaused = await k.run(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(undoPaused.code, 0);
    await k.ok(['rollout', 'resume', 'deployment/web']);
    await rolloutStatus('web');
    assert.equal((await k.ok(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length, 3);

    await k.ok(['rollout', 'restart', 'deployment/web']);
    await rolloutStatus('web');
    const restarted = await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}']);
    assert.match(restarted, /^\d{4}-\d\d-\d\dT.* 5$/);
    const conds = await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={range .status.conditions[*]}{.type}={.status}/{.reason};{end}']);
    assert.match(conds, /Available=True\/MinimumReplicasAvailable/);
    assert.match(conds, /Progressing=True\/NewReplicaSetAvailable/);
  });

  test("a Service's Endpoints and EndpointSlices follow pod readiness", async () => {
    await createDeployment('echo', 'echo:1', 2);
    await rolloutStatus('echo');
    await k.ok(['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Service\nmetadata: {name: echo}\nspec:\n  selector: {app: echo}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n' });
    const addresses = async (): Promise<string> => k.ok(['get', 'endpoints', 'echo', '-o', 'jsonpath={.subsets[*].addresses[*].targetRef.name}|{.subsets[*].notReadyAddresses[*].targetRef.name}']);
    const first = await waitFor('two ready addresses', async () => {
      const a = await addresses();
      return /^\S+ \S+\|$/.test(a) && a;
    });
    assert.match(await k.ok(['get', 'endpoints', 'echo']), /^echo\s+10\.42\.\d+\.\d+:8080,10\.42\.\d+\.\d+:8080\s+/m);
    const victim = first.split('|')[0]!.split(' ')[0]!;
    const pod = await client.resource<Pod>(gvr.pods).namespace('default').get(victim);
    await setPodReady(client, pod, false);
    await waitFor('victim not ready', async () => (await addresses()).endsWith(`|${victim}`));
    const slices = await waitFor('slice condition', async () => {
      const out = await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=echo', '-o', 'jsonpath={range .items[*].endpoints[*]}{.targetRef.name}={.conditions.ready}/{.conditions.serving};{end}']);
      return out.includes(`${victim}=false/false`) && out;
    });
    assert.equal(slices.split(';').filter(Boolean).length, 2);
    assert.match(await k.ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=echo', '-o', 'jsonpath={.items[0].metadata.labels.endpointslice\\.kubernetes\\.io/managed-by}']), /^endpointslice-controller\.k8s\.io$/);
    await setPodReady(client, pod, true);
    await waitFor('victim ready again', async () => /^\S+ \S+\|$/.test(await addresses()));
  });

  test('rollout status reports a rollout that exceeded its progress deadline', async () => {
    await k.ok(['create', '-f', '-'], {
      stdin: 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: stuck}\nspec:\n  replicas: 1\n  progressDeadlineSeconds: 1\n  selector: {matchLabels: {app: stuck}}\n  template:\n    metadata: {labels: {app: stuck, stuck: "yes"}}\n    spec: {containers: [{name: c, image: x}]}\n',
    });
    const r = await k.run(['rollout', 'status', 'deployment/stuck', '--timeout=30s'], { timeoutMs: 40_000 });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: deployment "stuck" exceeded its progress deadline/);
    assert.match(await k.ok(['get', 'deploy', 'stuck', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']), /^ProgressDeadlineExceeded$/);
    await k.ok(['delete', 'deployment', 'stuck']);
  });

  test('delete deployment removes its pods; --cascade=orphan leaves them', async () => {
    await createDeployment('gone', 'busybox', 2);
    await rolloutStatus('gone');
    await k.ok(['delete', 'deployment', 'gone']);
    await waitFor('pods of gone deleted', async () => (await k.ok(['get', 'pods', '-l', 'app=gone', '-o', 'name'])).trim() === '', 20_000);
    assert.equal((await k.ok(['get', 'rs', '-l', 'app=gone', '-o', 'name'])).trim(), '');

    await createDeployment('kept', 'busybox', 2);
    await rolloutStatus('kept');
    await k.ok(['delete', 'deployment', 'kept', '--cascade=orphan']);
    await waitFor('rs orphaned', async () => (await k.ok(['get', 'rs', '-l', 'app=kept', '-o', 'jsonpath={.items[0].metadata.ownerReferences}'])).trim() === '', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await k.ok(['get', 'pods', '-l', 'app=kept', '-o', 'name'])).trim().split('\n').length, 2);
  });

  test('delete ns empties the namespace; new namespaces get a default ServiceAccount and kube-root-ca.crt', async () => {
    await k.ok(['create', 'namespace', 'scratch']);
    await waitFor('default sa', async () => (await k.run(['get', 'sa', 'default', '-n', 'scratch'])).code === 0);
    await waitFor('root ca', async () => (await k.run(['get', 'configmap', 'kube-root-ca.crt', '-n', 'scratch'])).code === 0);
    await createDeployment('app', 'busybox', 3, 'scratch');
    await k.ok(['create', 'configmap', 'cfg', '--from-literal=a=b', '-n', 'scratch']);
    await rolloutStatus('app', 'scratch');
    await k.ok(['delete', 'ns', 'scratch', '--timeout=30s'], { timeoutMs: 40_000 });
    const r = await k.run(['get', 'ns', 'scratch']);
    assert.match(r.stderr, /namespaces "scratch" not found/);
  });
});
