/**
 * Upstream conformance tests of sig-node that need the kubelet's pod lifecycle itself, replayed
 * over plain HTTP against one apiserver (kube-apiserver's default admission plugins), with two
 * nodes: a simulated one in this process (pods reach Running at once; enough for a pause
 * container) and a real `k8ts kubelet` child process on the process runtime, whose containers'
 * commands run on this host, so `/bin/false` really exits with failure. Each test is named after
 * the upstream test it mirrors (codenames in test/conformance/testdata/conformance.yaml; sources
 * test/e2e/common/node/{pods,kubelet}.go); its steps and assertions follow upstream's. As in
 * upstream's node e2e suite, where these [NodeConformance] tests run, the pod client binds each
 * pod to the node under test (PodClient.mungeSpec sets spec.nodeName).
 *
 * Two further tests check the rest of activeDeadlineSeconds on the real kubelet (a running
 * process killed at its deadline, with the event) and in the apiserver (ValidatePodUpdate).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { RestClient } from '../../src/client/index.js';
import { SimulatedNodes } from '../../src/kubelet/index.js';
import { fetchCall, restClient, type Obj } from './helpers/apiserver.js';
import { killGroupsUnder, pidsUnder, startKubeletProcess, stopChild, until } from './helpers/wait.js';


// Upstream's e2e images (test/utils/image); the simulated node never pulls them, and the process
// runtime runs each container's command on the host.
const PauseImage = 'registry.k8s.io/pause:3.10';
const BusyBoxImage = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';

const SIM_NODE = 'sim-node-0';
const REAL_NODE = 'conformance-kubelet';

describe('conformance: kubelet pod lifecycle on a simulated node and a real kubelet', () => {
  let srv: TestApiServer;
  let client: RestClient;
  let dir: string;
  let kubelet: ChildProcess | undefined;
  const ac = new AbortController();
  let nodes: Promise<void> | undefined;
  let nsCounter = 0;

  const startKubelet = (): Promise<ChildProcess> => startKubeletProcess({ kubeconfig: srv.kubeconfig, nodeName: REAL_NODE, rootDir: join(dir, 'root') });

  before(async () => {
    // No controller-manager runs here to publish kube-root-ca.crt, and this apiserver signs no
    // service account tokens: the kube-api-access volume ServiceAccount admission adds could
    // never mount, so that plugin alone is left out.
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS.filter((p) => p !== 'ServiceAccount'), advertiseAddress: '192.0.2.1' });
    dir = mkdtempSync(join(tmpdir(), 'k8ts-conformance-kubelet-'));
    client = new RestClient({ host: srv.url, qps: Infinity });
    const sim = new SimulatedNodes({ client, count: 1, log: () => {} });
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    nodes = sim.run(ac.signal, ready);
    const starting = startKubelet();
    await isReady;
    kubelet = await starting;
    await until(`node ${REAL_NODE} Ready`, async () => {
      const r = await call('GET', `/api/v1/nodes/${REAL_NODE}`);
      return r.status === 200 && (r.body.status?.conditions as Obj[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
    }, 20_000, 100);
  });

  after(async () => {
    await stopChild(kubelet);
    ac.abort();
    await nodes;
    client?.close();
    await srv?.stop();
    if (dir) {
      // Whatever a failed run left behind: the container shims of this test's root dir, by pid.
      killGroupsUnder(join(dir, 'root'));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const { call, ok } = restClient(fetchCall(() => srv.url));

  /** newNamespace creates namespace `<base>-<n>` enforcing the Pod Security level upstream's suite asks for (f.NamespacePodSecurityLevel). */
  async function newNamespace(base: string, level: 'baseline' | 'restricted'): Promise<string> {
    const name = `${base}-${++nsCounter}`;
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level } } });
    return name;
  }

  /** restricted is e2epod.MustMixinRestrictedPodSecurity: the pod and container settings the restricted level requires. */
  function restricted(pod: Obj): Obj {
    pod.spec.securityContext = { ...pod.spec.securityContext, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    for (const c of pod.spec.containers as Obj[]) c.securityContext = { ...c.securityContext, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    return pod;
  }

  /** create is PodClient.Create of the node e2e suite: the pod is bound to the node under test. */
  async function create(ns: string, node: string, pod: Obj): Promise<Obj> {
    pod.spec.nodeName = node;
    return ok('POST', `/api/v1/namespaces/${ns}/pods`, pod);
  }

  /** createSync creates the pod and waits for it to run (PodClient.CreateSync). */
  async function createSync(ns: string, node: string, pod: Obj): Promise<Obj> {
    await create(ns, node, pod);
    const name = pod.metadata.name as string;
    return until(`pod ${name} running`, async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 20_000, 100);
  }

  /** tryUpdate gets, mutates and PUTs the pod again while the PUT is a conflict (the kubelet writes its status meanwhile), and answers the last reply. */
  async function tryUpdate(ns: string, name: string, mutate: (p: Obj) => void): Promise<{ status: number; text: string; body: Obj }> {
    for (let i = 0; ; i++) {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      mutate(p);
      const r = await call('PUT', `/api/v1/namespaces/${ns}/pods/${name}`, p);
      if (r.status !== 409 || i >= 5) return r;
    }
  }

  /** update is PodClient.Update: tryUpdate, which must succeed. */
  async function update(ns: string, name: string, mutate: (p: Obj) => void): Promise<Obj> {
    const r = await tryUpdate(ns, name, mutate);
    assert.ok(r.status >= 200 && r.status < 300, `update pod ${name}: ${r.status} ${r.text}`);
    return r.body;
  }

  /**
   * waitForPodTerminated is e2epod.WaitForPodTerminatedInNamespace: the pod becomes Failed,
   * and then its status.reason must be `reason`.
   */
  async function waitForPodTerminated(ns: string, name: string, reason: string, timeoutMs = 20_000): Promise<Obj> {
    const pod = await until(`pod ${name} terminated with reason ${reason}`, async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, timeoutMs, 100);
    assert.equal(pod.status.reason, reason, `Expected pod "${name}" in namespace "${ns}" to be terminated with reason "${reason}", got reason: "${pod.status.reason}"`);
    return pod;
  }

  // ---- [sig-node] Pods (test/e2e/common/node/pods.go) ----

  test('[sig-node] Pods should allow activeDeadlineSeconds to be updated [NodeConformance] [Conformance]', async () => {
    const ns = await newNamespace('pods', 'restricted');
    // creating the pod
    const name = `pod-update-activedeadlineseconds-${crypto.randomUUID()}`;
    const value = String(process.hrtime()[1]);
    const pod = restricted({ metadata: { name, labels: { name: 'foo', time: value } }, spec: { containers: [{ name: 'pause', image: PauseImage }] } });
    // submitting the pod to kubernetes
    await createSync(ns, SIM_NODE, pod);
    // verifying the pod is in kubernetes
    const pods = await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(`time=${value}`)}`);
    assert.equal(pods.items.length, 1);
    // updating the pod
    await update(ns, name, (p) => {
      p.spec.activeDeadlineSeconds = 5;
    });
    await waitForPodTerminated(ns, name, 'DeadlineExceeded');
  });

  // ---- [sig-node] Kubelet (test/e2e/common/node/kubelet.go) ----

  /** binFalsePod is the BeforeEach of "when scheduling a busybox command that always fails in a pod": it creates the pod and answers its name. */
  async function binFalsePod(ns: string): Promise<string> {
    const podName = `bin-false${crypto.randomUUID()}`;
    await create(ns, REAL_NODE, {
      metadata: { name: podName },
      // Don't restart the Pod since it is expected to exit
      spec: { restartPolicy: 'Never', containers: [{ image: BusyBoxImage, name: podName, command: ['/bin/false'] }] },
    });
    return podName;
  }

  test('[sig-node] Kubelet when scheduling a busybox command that always fails in a pod should have an terminated reason [NodeConformance] [Conformance]', async () => {
    const ns = await newNamespace('kubelet-test', 'baseline');
    const podName = await binFalsePod(ns);
    let last = '';
    const terminated = await until(`pod ${podName} terminated with a reason`, async () => {
      const podData = await ok('GET', `/api/v1/namespaces/${ns}/pods/${podName}`);
      const statuses = (podData.status?.containerStatuses ?? []) as Obj[];
      if (statuses.length !== 1) return void (last = `expected only one container in the pod "${podName}"`);
      const contTerminatedState = statuses[0]!.state?.terminated as Obj | undefined;
      if (!contTerminatedState) return void (last = `expected state to be terminated. Got pod status: ${JSON.stringify(podData.status)}`);
      if (contTerminatedState.exitCode === 0 || !contTerminatedState.reason) {
        return void (last = `expected non-zero exitCode and non-empty terminated state reason. Got exitCode: ${contTerminatedState.exitCode} and terminated state reason: ${contTerminatedState.reason}`);
      }
      return contTerminatedState;
    }, 30_000, 250).catch((e: unknown) => assert.fail(`${String(e)}: ${last}`));
    // What /bin/false really reports through the process runtime.
    assert.equal(terminated.exitCode, 1);
    assert.equal(terminated.reason, 'Error');
  });

  test('[sig-node] Kubelet when scheduling a busybox command that always fails in a pod should be possible to delete [NodeConformance] [Conformance]', async () => {
    const ns = await newNamespace('kubelet-test', 'baseline');
    const podName = await binFalsePod(ns);
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/${podName}`);
  });

  // ---- activeDeadlineSeconds beyond the replays ----

  test('a running process is killed at its pod\'s activeDeadlineSeconds: Failed DeadlineExceeded, with the event, never restarted', async () => {
    const ns = await newNamespace('deadline', 'baseline');
    const marker = `sleep 600 # ${ns}`;
    await create(ns, REAL_NODE, {
      metadata: { name: 'sleeper' },
      spec: { activeDeadlineSeconds: 2, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: BusyBoxImage, command: ['sh', '-c', marker] }] },
    });
    await until('sleeper running', async () => (pidsUnder(marker).length > 0 ? true : undefined), 10_000, 100);
    const pod = await waitForPodTerminated(ns, 'sleeper', 'DeadlineExceeded');
    assert.equal(pod.status.message, 'Pod was active on the node longer than the specified deadline');
    const killed = await until('the container terminated', async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/sleeper`);
      return p.status.containerStatuses?.[0]?.state?.terminated as Obj | undefined;
    }, 10_000, 100);
    assert.notEqual(killed.exitCode, 0);
    assert.deepEqual(pidsUnder(marker), [], 'the process is gone');
    const deadline = await until('DeadlineExceeded event', async () => {
      const items = (await ok('GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('involvedObject.name=sleeper')}`)).items as Obj[];
      return items.find((e) => e.reason === 'DeadlineExceeded');
    }, 10_000, 100);
    assert.equal(deadline.type, 'Normal');
    assert.equal(deadline.message, 'Pod was active on the node longer than the specified deadline');
    await new Promise((r) => setTimeout(r, 1000));
    const later = await ok('GET', `/api/v1/namespaces/${ns}/pods/sleeper`);
    assert.equal(later.status.phase, 'Failed');
    assert.equal(later.status.containerStatuses[0].restartCount, 0);
  });

  test('activeDeadlineSeconds of a pod may be set or lowered, never raised or removed (ValidatePodUpdate)', async () => {
    const ns = await newNamespace('deadline-update', 'baseline');
    await create(ns, SIM_NODE, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: PauseImage }] } });
    const cases: Array<{ name: string; mutate: (p: Obj) => void; status: number; message?: string }> = [
      { name: 'set from none', mutate: (p) => (p.spec.activeDeadlineSeconds = 3600), status: 200 },
      { name: 'lowered', mutate: (p) => (p.spec.activeDeadlineSeconds = 1800), status: 200 },
      { name: 'raised', mutate: (p) => (p.spec.activeDeadlineSeconds = 1801), status: 422, message: 'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 1801: must be less than or equal to previous value' },
      { name: 'removed', mutate: (p) => delete p.spec.activeDeadlineSeconds, status: 422, message: 'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value' },
    ];
    for (const c of cases) {
      const r = await tryUpdate(ns, 'p', c.mutate);
      assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
      if (c.message) assert.equal(r.body.message, c.message, c.name);
    }
  });
});
