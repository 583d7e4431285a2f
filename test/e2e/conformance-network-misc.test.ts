/**
 * Upstream conformance tests of sig-network, sig-api-machinery, sig-storage, sig-scheduling and
 * sig-auth that need the API, the controller-manager, the scheduler and pods that reach Running
 * with IPs, but no real containers: replayed over plain HTTP against one apiserver, one
 * `k8ts controller-manager` child, and the scheduler and one simulated node in this process. Each case is named after the upstream test it mirrors,
 * its steps and assertions those of upstream's e2e source (test/e2e/network/endpointslice.go,
 * test/e2e/apimachinery/{resource_quota,garbage_collector}.go, test/e2e/auth/service_accounts.go,
 * test/e2e/storage/{persistent_volumes,csi_inline,csistoragecapacity,volume_attachment}.go,
 * test/e2e/scheduling/{predicates,preemption}.go).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { spawnControllerManager, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { RestClient } from '../../src/client/rest/client.js';
import { resolveConfig, startScheduler } from '../../src/scheduler/index.js';
import { SimulatedNodes } from '../../src/kubelet/simnodes.js';
import { parseQuantity } from '../../src/api/quantity.js';
import { fetchCall, restClient, type Obj } from './helpers/apiserver.js';
import { until } from './helpers/wait.js';

// The root CA the controller-manager publishes as kube-root-ca.crt; its content is opaque to the
// publisher and to the test, which only asks that it is there and not empty.
const ROOT_CA = '-----BEGIN CERTIFICATE-----\nMIIBconformancetestrootca\n-----END CERTIFICATE-----\n';

describe('conformance: network, quota, GC, storage, scheduling and service accounts with controllers, scheduler and a simulated node', () => {
  let srv: TestApiServer;
  let cm: ChildProcessHandle | undefined;
  const stop = new AbortController();
  let scheduler: Promise<void> | undefined;
  let nodes: Promise<void> | undefined;
  let nsCounter = 0;

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    const caFile = join(srv.dir, 'root-ca.crt');
    writeFileSync(caFile, ROOT_CA);
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false', `--root-ca-file=${caFile}`]);
    const client = new RestClient({ host: srv.url, qps: Infinity });
    scheduler = startScheduler({ client, config: resolveConfig({ leaderElection: { leaderElect: false } }), signal: stop.signal, log: () => {} });
    // 40 pods: upstream's estimateMaximumPods then sizes the garbage collector's RCs at 20.
    const sim = new SimulatedNodes({ client, count: 1, capacity: { cpu: '32', memory: '256Gi', pods: '40' }, log: () => {} });
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    nodes = sim.run(stop.signal, ready);
    await isReady;
  });
  after(async () => {
    stop.abort();
    await Promise.allSettled([scheduler, nodes]);
    await cm?.kill();
    await srv?.stop();
  });

  const { call, ok, newNamespace } = restClient(fetchCall(() => srv.url), { waitForServiceAccount: true, next: () => ++nsCounter });
  const gone = async (what: string, path: string, timeoutMs = 10_000): Promise<void> => {
    await until(what, async () => ((await call('GET', path)).status === 404 ? true : undefined), timeoutMs, 50);
  };

  // --- [sig-network] EndpointSlice (test/e2e/network/endpointslice.go) ---

  test('[sig-network] EndpointSlice should create and delete Endpoints and EndpointSlices for a Service with a selector specified', async () => {
    const ns = await newNamespace('endpointslice');
    const svc = await ok('POST', `/api/v1/namespaces/${ns}/services`, {
      metadata: { name: 'example-empty-selector' },
      spec: { selector: { 'does-not-match-anything': 'endpoints-and-endpoint-slices-should-still-be-created' }, ports: [{ name: 'example', port: 80, protocol: 'TCP' }] },
    });
    const name = svc.metadata.name as string;
    // Expect Endpoints resource to be created.
    await until('Endpoints', async () => ((await call('GET', `/api/v1/namespaces/${ns}/endpoints/${name}`)).status === 200 ? true : undefined), 10_000, 50);
    // Expect EndpointSlice resource to be created.
    const slice = await until('EndpointSlice', async () => (await ok('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${name}`)).items[0] as Obj | undefined, 10_000, 50);
    // Ensure EndpointSlice has expected values.
    assert.equal(slice.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal((slice.endpoints ?? []).length, 0, 'Expected EndpointSlice to have 0 endpoints');

    await ok('DELETE', `/api/v1/namespaces/${ns}/services/${name}`);
    // Expect Endpoints resource to be deleted when Service is.
    await gone('Endpoints deleted', `/api/v1/namespaces/${ns}/endpoints/${name}`);
    // Expect EndpointSlice resource to be deleted when Service is.
    await until('EndpointSlices deleted', async () => ((await ok('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${name}`)).items.length === 0 ? true : undefined), 15_000, 50);
  });

  test('[sig-network] EndpointSlice should create Endpoints and EndpointSlices for Pods matching a Service', async () => {
    const ns = await newNamespace('endpointslice');
    const pod = (name: string, labels: Record<string, string>, ports: Obj[]): Obj => ({ metadata: { name, labels }, spec: { containers: [{ name: 'container1', image: 'registry.k8s.io/nginx', ports }] } });
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pod1', { pod1: 'on', shared12: 'on' }, [{ name: 'example-name', containerPort: 3000 }]));
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod('pod2', { pod2: 'on', shared12: 'on' }, [{ name: 'example-name', containerPort: 3001 }, { name: 'other-port', containerPort: 3002 }]));
    const service = async (name: string, selector: Obj, port: Obj): Promise<Obj> => ok('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name }, spec: { selector, publishNotReadyAddresses: true, ports: [port] } });
    const svc1 = await service('example-int-port', { pod1: 'on' }, { name: 'example', port: 80, targetPort: 3000, protocol: 'TCP' });
    const svc2 = await service('example-named-port', { shared12: 'on' }, { name: 'http', port: 80, targetPort: 'example-name', protocol: 'TCP' });
    const svc3 = await service('example-no-match', { pod3: 'on' }, { name: 'example-no-match', port: 80, targetPort: 8080, protocol: 'TCP' });

    const [pod1, pod2] = await until('Pods to have IPs assigned', async () => {
      const ps = await Promise.all(['pod1', 'pod2'].map((n) => ok('GET', `/api/v1/namespaces/${ns}/pods/${n}`)));
      return ps.every((p) => (p.status?.podIPs ?? []).length > 0) ? ps : undefined;
    }, 20_000, 100);

    // referencing a single matching pod
    await expectEndpointsAndSlices(ns, svc1, [pod1!], 1, 1, false);
    // referencing matching pods with named port
    await expectEndpointsAndSlices(ns, svc2, [pod1!, pod2!], 2, 2, true);
    // creating empty Endpoints and EndpointSlices for no matching Pods
    await expectEndpointsAndSlices(ns, svc3, [], 0, 1, false);
    // recreating EndpointSlices after they've been deleted
    const slices = await ok('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc2.metadata.name}`);
    for (const s of slices.items as Obj[]) await ok('DELETE', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/${s.metadata.name}`);
    await expectEndpointsAndSlices(ns, svc2, [pod1!, pod2!], 2, 2, true);
  });

  /**
   * expectEndpointsAndSlices is upstream's helper of the same name: it waits for the Service's
   * EndpointSlices (at least numSlices, at least len(pods) endpoints in all) and Endpoints
   * (numSubsets subsets, len(pods) addresses), then checks ports, addresses and target refs.
   */
  async function expectEndpointsAndSlices(ns: string, svc: Obj, pods: Obj[], numSubsets: number, numSlices: number, namedPort: boolean): Promise<void> {
    const svcName = svc.metadata.name as string;
    const svcPorts = svc.spec.ports as Obj[];
    const endpointSlices = await until(`EndpointSlices of ${svcName}`, async () => {
      const l = (await ok('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svcName}`)).items as Obj[];
      if (l.length === 0 || l.length < numSlices) return undefined;
      return l.reduce((n, s) => n + (s.endpoints ?? []).length, 0) >= pods.length ? l : undefined;
    }, 15_000, 100);
    const endpoints = await until(`Endpoints of ${svcName}`, async () => {
      const r = await call('GET', `/api/v1/namespaces/${ns}/endpoints/${svcName}`);
      if (r.status !== 200) return undefined;
      const subsets = (r.body.subsets ?? []) as Obj[];
      if (subsets.length !== numSubsets) return undefined;
      return subsets.reduce((n, s) => n + (s.addresses ?? []).length + (s.notReadyAddresses ?? []).length, 0) === pods.length ? r.body : undefined;
    }, 15_000, 100);

    const podsByIP = new Map<string, Obj>();
    for (const p of pods) {
      podsByIP.set(p.status.podIP as string, p);
      assert.equal(p.spec.containers.length, 1, 'Expected pod to have 1 container');
    }
    const ensurePodTargetRef = (pod: Obj, ref: Obj | undefined): void => {
      assert.ok(ref, 'Expected TargetRef to not be nil');
      assert.equal(ref.kind, 'Pod');
      assert.equal(ref.namespace, pod.metadata.namespace);
      assert.equal(ref.name, pod.metadata.name);
      assert.equal(ref.uid, pod.metadata.uid);
    };
    /** namedPortOf answers the container port the Service's named targetPort names on pod, if any. */
    const namedPortOf = (pod: Obj): Obj | undefined => (pod.spec.containers[0].ports as Obj[]).find((p) => p.name === String(svcPorts[0]!.targetPort));

    assert.equal(endpoints.metadata.name, svcName);
    let totalEndpointAddresses = 0;
    for (const subset of endpoints.subsets ?? []) {
      const addresses = [...(subset.addresses ?? []), ...(subset.notReadyAddresses ?? [])] as Obj[];
      totalEndpointAddresses += addresses.length;
      assert.equal(subset.ports.length, svcPorts.length, 'Expected subset to have as many ports as the Service');
      if (!namedPort) {
        (subset.ports as Obj[]).forEach((p, i) => {
          assert.equal(p.name, svcPorts[i]!.name);
          assert.equal(p.protocol, svcPorts[i]!.protocol);
          assert.equal(p.port, svcPorts[i]!.targetPort);
        });
      }
      for (const address of addresses) {
        const pod = podsByIP.get(address.ip as string);
        assert.ok(pod, `Unexpected address with IP: ${address.ip}`);
        ensurePodTargetRef(pod, address.targetRef as Obj | undefined);
        const port = namedPort ? namedPortOf(pod) : undefined;
        if (port) {
          assert.equal(subset.ports[0].port, port.containerPort);
          assert.equal(subset.ports[0].name, svcPorts[0]!.name);
        }
      }
    }
    assert.equal(totalEndpointAddresses, pods.length, `Expected ${pods.length} addresses`);
    if (pods.length === 0) assert.equal(endpointSlices.length, 1, 'Expected 1 EndpointSlice');

    const esAddresses = new Set<string>();
    for (const slice of endpointSlices) {
      for (const ep of (slice.endpoints ?? []) as Obj[]) esAddresses.add(ep.addresses[0] as string);
      const slicePorts = (slice.ports ?? []) as Obj[];
      if (pods.length === 0) assert.equal(slicePorts.length, 0, 'Expected EndpointSlice to have 0 ports');
      else assert.equal(slicePorts.length, svcPorts.length, `Expected EndpointSlice to have ${svcPorts.length} ports`);
      if (!namedPort) {
        slicePorts.forEach((p, i) => {
          assert.equal(p.name, svcPorts[i]!.name);
          assert.equal(p.protocol, svcPorts[i]!.protocol);
          assert.equal(p.port, svcPorts[i]!.targetPort);
        });
      }
      for (const ep of (slice.endpoints ?? []) as Obj[]) {
        assert.ok((ep.addresses ?? []).length > 0, 'Expected EndpointSlice endpoint to have at least 1 address');
        const pod = podsByIP.get(ep.addresses[0] as string);
        assert.ok(pod, `Unexpected address with IP: ${ep.addresses[0]}`);
        ensurePodTargetRef(pod, ep.targetRef as Obj | undefined);
        const port = namedPort ? namedPortOf(pod) : undefined;
        if (port) {
          assert.equal(slicePorts[0]!.port, port.containerPort);
          assert.equal(slicePorts[0]!.name, svcPorts[0]!.name);
        }
      }
    }
    assert.equal(esAddresses.size, pods.length, `Expected ${pods.length} addresses`);
  }

  // --- [sig-api-machinery] ResourceQuota (test/e2e/apimachinery/resource_quota.go) ---

  /** newTestResourceQuota is upstream's quota of the same name (the dongle is its extended resource). */
  const newTestResourceQuota = (name: string): Obj => ({
    metadata: { name },
    spec: {
      hard: {
        pods: '5',
        services: '10',
        'services.nodeports': '1',
        'services.loadbalancers': '1',
        replicationcontrollers: '10',
        resourcequotas: '1',
        cpu: '1',
        memory: '500Mi',
        configmaps: '10',
        secrets: '10',
        persistentvolumeclaims: '10',
        'requests.storage': '10Gi',
        'ephemeral-storage': '50Gi',
        'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '10',
        'gold.storageclass.storage.k8s.io/requests.storage': '10Gi',
        'count/replicasets.apps': '5',
        'requests.example.com/dongle': '3',
      },
    },
  });
  /** waitForResourceQuota waits until status.used holds every entry of used (quantities compared as strings). */
  async function waitForResourceQuota(ns: string, name: string, used: Record<string, string>): Promise<void> {
    await until(`quota ${name} used ${JSON.stringify(used)}`, async () => {
      const q = await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`);
      const have = (q.status?.used ?? {}) as Obj;
      return Object.entries(used).every(([k, v]) => have[k] === v) ? true : undefined;
    }, 10_000, 50);
  }
  const countResourceQuota = async (ns: string): Promise<number> => (await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas`)).items.length as number;

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a replication controller.', async () => {
    const ns = await newNamespace('resourcequota');
    const c = await countResourceQuota(ns);
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, newTestResourceQuota('test-quota'));
    await waitForResourceQuota(ns, 'test-quota', { resourcequotas: String(c + 1), replicationcontrollers: '0' });
    // newTestReplicationControllerForQuota("test-rc", "nginx", 0)
    await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, {
      metadata: { name: 'test-rc' },
      spec: { replicas: 0, selector: { name: 'test-rc' }, template: { metadata: { labels: { name: 'test-rc' } }, spec: { containers: [{ name: 'test-rc', image: 'nginx' }] } } },
    });
    await waitForResourceQuota(ns, 'test-quota', { replicationcontrollers: '1' });
    // ReplicationControllers default to orphaning their pods: upstream deletes in the background.
    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/test-rc`, { propagationPolicy: 'Background' });
    await waitForResourceQuota(ns, 'test-quota', { replicationcontrollers: '0' });
  });

  test('[sig-api-machinery] ResourceQuota should create a ResourceQuota and capture the life of a replica set.', async () => {
    const ns = await newNamespace('resourcequota');
    const c = await countResourceQuota(ns);
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, newTestResourceQuota('test-quota'));
    await waitForResourceQuota(ns, 'test-quota', { resourcequotas: String(c + 1), 'count/replicasets.apps': '0' });
    // newTestReplicaSetForQuota("test-rs", "nginx", 0)
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      metadata: { name: 'test-rs' },
      spec: { replicas: 0, selector: { matchLabels: { name: 'test-rs' } }, template: { metadata: { labels: { name: 'test-rs' } }, spec: { containers: [{ name: 'test-rs', image: 'nginx' }] } } },
    });
    await waitForResourceQuota(ns, 'test-quota', { 'count/replicasets.apps': '1' });
    await ok('DELETE', `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`);
    await waitForResourceQuota(ns, 'test-quota', { 'count/replicasets.apps': '0' });
  });

  test('[sig-api-machinery] ResourceQuota should verify ResourceQuota with terminating scopes.', async () => {
    const ns = await newNamespace('resourcequota');
    // newTestResourceQuotaWithScope for Terminating / NotTerminating
    const scoped = (name: string, scope: string): Obj => ({
      metadata: { name },
      spec: { hard: { pods: '5', 'requests.cpu': '1', 'requests.memory': '500Mi', 'limits.cpu': '2', 'limits.memory': '1Gi' }, scopes: [scope] },
    });
    // newTestPodForQuota: kept off every node, as upstream does, by an unsatisfiable node selector.
    const quotaPod = (name: string, activeDeadlineSeconds?: number): Obj => ({
      metadata: { name },
      spec: {
        containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '500m', memory: '200Mi' }, limits: { cpu: '1', memory: '400Mi' } } }],
        nodeSelector: { 'x-test.k8s.io/unsatisfiable': 'not-schedulable' },
        ...(activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds } : {}),
      },
    });
    const zero = { pods: '0', 'requests.cpu': '0', 'requests.memory': '0', 'limits.cpu': '0', 'limits.memory': '0' };
    const one = { pods: '1', 'requests.cpu': '500m', 'requests.memory': '200Mi', 'limits.cpu': '1', 'limits.memory': '400Mi' };

    // Creating a ResourceQuota with terminating scope
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, scoped('quota-terminating', 'Terminating'));
    await waitForResourceQuota(ns, 'quota-terminating', { pods: '0' });
    // Creating a ResourceQuota with not terminating scope
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, scoped('quota-not-terminating', 'NotTerminating'));
    await waitForResourceQuota(ns, 'quota-not-terminating', { pods: '0' });

    // Creating a long running pod
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('test-pod'));
    // Ensuring resource quota with not terminating scope captures the pod usage
    await waitForResourceQuota(ns, 'quota-not-terminating', one);
    // Ensuring resource quota with terminating scope ignored the pod usage
    await waitForResourceQuota(ns, 'quota-terminating', zero);
    // Deleting the pod
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/test-pod`, { gracePeriodSeconds: 0 });
    // Ensuring resource quota status released the pod usage
    await waitForResourceQuota(ns, 'quota-not-terminating', zero);

    // Creating a terminating pod
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, quotaPod('terminating-pod', 3600));
    // Ensuring resource quota with terminating scope captures the pod usage
    await waitForResourceQuota(ns, 'quota-terminating', one);
    // Ensuring resource quota with not terminating scope ignored the pod usage
    await waitForResourceQuota(ns, 'quota-not-terminating', zero);
    // Deleting the pod
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/terminating-pod`, { gracePeriodSeconds: 0 });
    // Ensuring resource quota status released the pod usage
    await waitForResourceQuota(ns, 'quota-terminating', zero);
  });

  // --- [sig-api-machinery] Garbage collector (test/e2e/apimachinery/garbage_collector.go) ---

  let uniq = 0;
  /** getUniqLabel answers upstream's one-label map `{<key>-NNNNN: <value>-NNNNN}`. */
  const getUniqLabel = (key: string, value: string): Record<string, string> => {
    const n = String(++uniq).padStart(5, '0');
    return { [`${key}-${n}`]: `${value}-${n}` };
  };
  /** newOwnerRC is upstream's RC of the same name: replicas of nginx selected by labels. */
  const newOwnerRC = (name: string, replicas: number, labels: Record<string, string>): Obj => ({
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: { replicas, selector: labels, template: { metadata: { labels }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/e2e-test-images/nginx:1.14-4' }] } } },
  });
  /** estimateMaximumPods is upstream's: half the pods the ready nodes can hold, bounded to [min, max]. */
  const estimateMaximumPods = async (min: number, max: number): Promise<number> => {
    const nodeList = (await ok('GET', '/api/v1/nodes')).items as Obj[];
    let available = 0;
    for (const n of nodeList) {
      const pods = Number(n.status?.allocatable?.pods);
      available += Number.isInteger(pods) ? pods : 10;
    }
    return Math.min(max, Math.max(min, Math.floor(available * 0.5)));
  };
  /** waitForReplicas waits until the RC's status.replicas reaches spec.replicas. */
  const waitForReplicas = async (ns: string, rc: Obj): Promise<void> => {
    await until(`rc ${rc.metadata.name} replicas`, async () => ((await ok('GET', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc.metadata.name}`)).status?.replicas === rc.spec.replicas ? true : undefined), 20_000, 100);
  };
  const listPods = async (ns: string): Promise<Obj[]> => (await ok('GET', `/api/v1/namespaces/${ns}/pods`)).items as Obj[];
  const listRCs = async (ns: string): Promise<Obj[]> => (await ok('GET', `/api/v1/namespaces/${ns}/replicationcontrollers`)).items as Obj[];
  const deletePodsNow = async (ns: string, pods: Obj[]): Promise<void> => {
    for (const p of pods) await call('DELETE', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`, { gracePeriodSeconds: 0 });
  };

  test('[sig-api-machinery] Garbage collector should delete pods created by rc when not orphaning', async () => {
    const ns = await newNamespace('gc');
    const rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newOwnerRC('simpletest.rc', 2, getUniqLabel('gctest', 'delete_pods')));
    // wait for rc to create some pods (not all: the rc may be deleted before it reaches stasis)
    await until('rc to create some pods', async () => ((await listPods(ns)).length > 0 ? true : undefined), 30_000, 100);
    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc.metadata.name}`, { propagationPolicy: 'Background', preconditions: { uid: rc.metadata.uid } });
    // wait for all pods to be garbage collected
    await until('RCs and pods gone', async () => ((await listRCs(ns)).length === 0 && (await listPods(ns)).length === 0 ? true : undefined), 30_000, 200);
  });

  // As upstream, except that it watches 2 s instead of 30 s for pods the collector mistakenly deletes.
  test('[sig-api-machinery] Garbage collector should orphan pods created by rc if delete options say so', async () => {
    const ns = await newNamespace('gc');
    const rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newOwnerRC('simpletest.rc', await estimateMaximumPods(10, 100), getUniqLabel('gctest', 'orphan_pods')));
    await waitForReplicas(ns, rc);
    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc.metadata.name}`, { propagationPolicy: 'Orphan', preconditions: { uid: rc.metadata.uid } });
    // wait for the rc to be deleted
    await until('rc deleted', async () => ((await listRCs(ns)).length === 0 ? true : undefined), 30_000, 200);
    await new Promise((r) => setTimeout(r, 2_000));
    const pods = await listPods(ns);
    assert.equal(pods.length, rc.spec.replicas, `expect ${rc.spec.replicas} pods, got ${pods.length} pods`);
    await deletePodsNow(ns, pods);
  });

  test('[sig-api-machinery] Garbage collector should keep the rc around until all its pods are deleted if the deleteOptions says so', async () => {
    const ns = await newNamespace('gc');
    const rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newOwnerRC('simpletest.rc', await estimateMaximumPods(10, 100), getUniqLabel('gctest', 'delete_pods_foreground')));
    await waitForReplicas(ns, rc);
    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc.metadata.name}`, { propagationPolicy: 'Foreground', preconditions: { uid: rc.metadata.uid } });
    // wait for the rc to be deleted
    await gone('rc deleted', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc.metadata.name}`, 30_000);
    // There shouldn't be any pods
    const pods = await listPods(ns);
    assert.equal(pods.length, 0, `expected no pods, got ${pods.map((p) => p.metadata.name).join(', ')}`);
  });

  test("[sig-api-machinery] Garbage collector should not delete dependents that have both valid owner and owner that's waiting for dependents to be deleted", async () => {
    const ns = await newNamespace('gc');
    const replicas = await estimateMaximumPods(10, 100);
    const halfReplicas = Math.floor(replicas / 2);
    const rc1 = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newOwnerRC('simpletest-rc-to-be-deleted', replicas, getUniqLabel('gctest_d', 'valid_and_pending_owners_d')));
    const rc2 = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newOwnerRC('simpletest-rc-to-stay', 0, getUniqLabel('gctest_s', 'valid_and_pending_owners_s')));
    // wait for rc1 to be stable
    await waitForReplicas(ns, rc1);
    // set half of pods created by rc1 to have rc2 as owner as well
    const before = await listPods(ns);
    const patch = { metadata: { ownerReferences: [{ apiVersion: 'v1', kind: 'ReplicationController', name: rc2.metadata.name, uid: rc2.metadata.uid }] } };
    for (const pod of before.slice(0, halfReplicas)) await ok('PATCH', `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}`, patch, { 'Content-Type': 'application/strategic-merge-patch+json' });
    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc1.metadata.name}`, { propagationPolicy: 'Foreground', preconditions: { uid: rc1.metadata.uid } });
    // wait for the rc to be deleted
    await gone('rc1 deleted', `/api/v1/namespaces/${ns}/replicationcontrollers/${rc1.metadata.name}`, 30_000);
    // half of the pods should still exist,
    const pods = await listPods(ns);
    assert.equal(pods.length, halfReplicas, `expected ${halfReplicas} pods, got ${pods.length}`);
    for (const pod of pods) {
      assert.equal(pod.metadata.deletionTimestamp, undefined, `expected pod ${pod.metadata.name} DeletionTimestamp to be nil`);
      // they should only have 1 ownerReference left
      assert.equal((pod.metadata.ownerReferences ?? []).length, 1, `expected pod ${pod.metadata.name} to only have 1 owner`);
    }
    await deletePodsNow(ns, pods);
  });

  // --- [sig-storage] PersistentVolumes CSI Conformance (test/e2e/storage/persistent_volumes.go) ---

  /**
   * createPVAndPVC is upstream's e2epv.CreatePVsPVCs for one PV and one PVC: MakePersistentVolume
   * (generateName `<ns>-`, labels e2e-pv-pool=<ns>, gid annotation, 2Gi, Retain, all three access
   * modes, storage class <ns>, the given CSI source) and MakePersistentVolumeClaim (generateName
   * `pvc-`, ReadWriteOnce, 1Gi, storage class <ns>).
   */
  async function createPVAndPVC(ns: string, csi: Obj): Promise<{ pv: Obj; pvc: Obj }> {
    const pv = await ok('POST', '/api/v1/persistentvolumes', {
      metadata: { generateName: `${ns}-`, labels: { 'e2e-pv-pool': ns }, annotations: { 'pv.beta.kubernetes.io/gid': '777' } },
      spec: { persistentVolumeReclaimPolicy: 'Retain', capacity: { storage: '2Gi' }, csi, accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany'], storageClassName: ns },
    });
    const pvc = await ok('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, {
      metadata: { generateName: 'pvc-', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: ns },
    });
    return { pv, pvc };
  }
  const volLabel = (ns: string): string => `e2e-pv-pool%3D${ns}`;
  const rvLess = (a: Obj, b: Obj): boolean => BigInt(a.metadata.resourceVersion as string) < BigInt(b.metadata.resourceVersion as string);
  /** updateWithRetry is client-go's RetryOnConflict around get, change, update. */
  async function updateWithRetry(path: string, change: (o: Obj) => void, subresource = ''): Promise<Obj> {
    for (let i = 0; ; i++) {
      const o = await ok('GET', path);
      change(o);
      const r = await call('PUT', path + subresource, o);
      if (r.status === 409 && i < 4) continue;
      assert.ok(r.status === 200, `PUT ${path}${subresource}: ${r.status} ${r.text}`);
      return r.body;
    }
  }

  test('[sig-storage] PersistentVolumes CSI Conformance should run through the lifecycle of a PV and a PVC', async () => {
    const ns = await newNamespace('pv');
    const csi = { driver: `inline-driver-${ns}`, volumeHandle: 'e2e-conformance' };
    // Creating initial PV and PVC
    await createPVAndPVC(ns, csi);
    const pvList = (await ok('GET', `/api/v1/persistentvolumes?labelSelector=${volLabel(ns)}`)).items as Obj[];
    assert.equal(pvList.length, 1);
    const initialPV = pvList[0]!;
    assert.match(initialPV.metadata.resourceVersion as string, /^[1-9][0-9]*$/);
    const pvcList = (await ok('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items as Obj[];
    assert.equal(pvcList.length, 1);
    const initialPVC = pvcList[0]!;
    assert.match(initialPVC.metadata.resourceVersion as string, /^[1-9][0-9]*$/);

    const smp = { 'Content-Type': 'application/strategic-merge-patch+json' };
    const patchedPV = await ok('PATCH', `/api/v1/persistentvolumes/${initialPV.metadata.name}`, { metadata: { labels: { [initialPV.metadata.name]: 'patched' } } }, smp);
    assert.equal(patchedPV.metadata.labels[patchedPV.metadata.name], 'patched', 'Checking that patched label has been applied');
    assert.ok(rvLess(initialPV, patchedPV), 'patched object should have a larger resource version');
    const patchedPVC = await ok('PATCH', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${initialPVC.metadata.name}`, { metadata: { labels: { [initialPVC.metadata.name]: 'patched' } } }, smp);
    assert.equal(patchedPVC.metadata.labels[patchedPVC.metadata.name], 'patched', 'Checking that patched label has been applied');
    assert.ok(rvLess(initialPVC, patchedPVC), 'patched object should have a larger resource version');

    const retrievedPV = await ok('GET', `/api/v1/persistentvolumes/${patchedPV.metadata.name}`);
    assert.equal(retrievedPV.metadata.uid, patchedPV.metadata.uid);
    const retrievedPVC = await ok('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${patchedPVC.metadata.name}`);
    assert.equal(retrievedPVC.metadata.uid, patchedPVC.metadata.uid);

    await ok('DELETE', `/api/v1/namespaces/${ns}/persistentvolumeclaims/${retrievedPVC.metadata.name}`);
    await until('PVC deleted', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items.length === 0 ? true : undefined), 30_000, 100);
    await ok('DELETE', `/api/v1/persistentvolumes/${retrievedPV.metadata.name}`);
    await until('PV deleted', async () => ((await ok('GET', `/api/v1/persistentvolumes?labelSelector=${volLabel(ns)}`)).items.length === 0 ? true : undefined), 30_000, 100);

    // Recreating another PV & PVC
    const { pv, pvc } = await createPVAndPVC(ns, csi);
    const pvName = pv.metadata.name as string;
    const pvcName = pvc.metadata.name as string;
    const updatedPV = await updateWithRetry(`/api/v1/persistentvolumes/${pvName}`, (o) => {
      o.metadata.labels[pvName] = 'updated';
    });
    assert.equal(updatedPV.metadata.labels[updatedPV.metadata.name], 'updated', 'Checking that updated label has been applied');
    const updatedPVC = await updateWithRetry(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvcName}`, (o) => {
      o.metadata.labels = { [pvcName]: 'updated' };
    });
    assert.equal(updatedPVC.metadata.labels[updatedPVC.metadata.name], 'updated', 'Checking that updated label has been applied');

    const pvcSelector = `${pvcName}%3Dupdated`;
    assert.equal((await ok('GET', `/api/v1/persistentvolumeclaims?labelSelector=${pvcSelector}`)).items.length, 1);
    await ok('DELETE', `/api/v1/namespaces/${ns}/persistentvolumeclaims?labelSelector=${pvcSelector}`);
    await until('PVC deleted', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims?labelSelector=${pvcSelector}`)).items.length === 0 ? true : undefined), 30_000, 100);
    const pvSelector = `${pvName}%3Dupdated`;
    await ok('DELETE', `/api/v1/persistentvolumes?labelSelector=${pvSelector}`);
    await until('PV deleted', async () => ((await ok('GET', `/api/v1/persistentvolumes?labelSelector=${pvSelector}`)).items.length === 0 ? true : undefined), 30_000, 100);
  });

  test('[sig-storage] PersistentVolumes CSI Conformance should apply changes to a pv/pvc status', async () => {
    const ns = await newNamespace('pv');
    await createPVAndPVC(ns, { driver: `e2e-driver-${ns}`, volumeHandle: 'e2e-status-conformance' });
    const pvList = (await ok('GET', `/api/v1/persistentvolumes?labelSelector=${volLabel(ns)}`)).items as Obj[];
    assert.equal(pvList.length, 1);
    const initialPV = pvList[0]!;
    const pvcList = (await ok('GET', `/api/v1/namespaces/${ns}/persistentvolumeclaims`)).items as Obj[];
    assert.equal(pvcList.length, 1);
    const initialPVC = pvcList[0]!;
    const pvcPath = `/api/v1/namespaces/${ns}/persistentvolumeclaims/${initialPVC.metadata.name}`;
    const pvPath = `/api/v1/persistentvolumes/${initialPV.metadata.name}`;

    const retrievedPVC = await ok('GET', `${pvcPath}/status`);
    assert.ok(['Pending', 'Bound'].includes(retrievedPVC.status?.phase as string), `Checking that the PVC status has been read: ${retrievedPVC.status?.phase}`);
    const retrievedPV = await ok('GET', `${pvPath}/status`);
    assert.ok(['Available', 'Bound', 'Pending'].includes(retrievedPV.status?.phase as string), `Checking that the PV status has been read: ${retrievedPV.status?.phase}`);

    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const patchedPVC = await ok('PATCH', `${pvcPath}/status`, { status: { conditions: [{ type: 'StatusPatched', status: 'True', reason: 'E2E patchedStatus', message: 'Set from e2e test' }] } }, merge);
    const patchedCond = (patchedPVC.status.conditions as Obj[]).find((c) => c.type === 'StatusPatched');
    assert.ok(patchedCond && (patchedCond.message as string).includes('Set from e2e test') && (patchedCond.reason as string).includes('E2E patchedStatus'), 'Checking that patched status has been applied');
    const patchedPV = await ok('PATCH', `${pvPath}/status`, { status: { message: 'StatusPatched', reason: 'E2E patchStatus' } }, merge);
    assert.equal(patchedPV.status.reason, 'E2E patchStatus', 'Checking that patched status has been applied');
    assert.equal(patchedPV.status.message, 'StatusPatched', 'Checking that patched status has been applied');

    const updatedPVC = await updateWithRetry(pvcPath, (o) => {
      o.status.conditions = [...(o.status.conditions ?? []), { type: 'StatusUpdated', status: 'True', reason: 'E2E updateStatus', message: 'Set from e2e test' }];
    }, '/status');
    const updatedCond = (updatedPVC.status.conditions as Obj[]).find((c) => c.type === 'StatusUpdated');
    assert.ok(updatedCond && (updatedCond.message as string).includes('Set from e2e test') && (updatedCond.reason as string).includes('E2E updateStatus'), 'Checking that updated status has been applied');
    const updatedPV = await updateWithRetry(pvPath, (o) => {
      o.status.reason = 'E2E updateStatus';
      o.status.message = 'StatusUpdated';
    }, '/status');
    assert.equal(updatedPV.status.reason, 'E2E updateStatus', 'Checking that updated status has been applied');
    assert.equal(updatedPV.status.message, 'StatusUpdated', 'Checking that updated status has been applied');
  });

  // --- [sig-storage] CSIInlineVolumes (test/e2e/storage/csi_inline.go) ---

  test('[sig-storage] CSIInlineVolumes should support CSIVolumeSource in Pod API', async () => {
    const ns = await newNamespace('csiinlinevolumes');
    const podName = 'pod-csi-inline-volumes';
    const pod = {
      metadata: { name: podName },
      spec: {
        volumes: [
          { name: 'csi-inline-vol1', csi: { driver: 'e2e.example.com' } },
          { name: 'csi-inline-vol2', csi: { driver: 'e2e.example.com', fsType: 'ext4', readOnly: true } },
        ],
        containers: [{ name: podName, image: 'registry.k8s.io/e2e-test-images/busybox:1.37.0-1', command: ['sh', '-c', 'ls /mnt/*'], volumeMounts: [{ name: 'csi-inline-vol1', mountPath: '/mnt/vol1' }, { name: 'csi-inline-vol2', mountPath: '/mnt/vol2' }] }],
      },
    };
    const pods = `/api/v1/namespaces/${ns}/pods`;
    // creating
    const createdPod = await ok('POST', pods, pod);
    const again = await call('POST', pods, pod);
    assert.equal(again.body.reason, 'AlreadyExists', `expected 409, got ${again.status} ${again.text}`);
    // getting
    assert.equal((await ok('GET', `${pods}/${podName}`)).metadata.uid, createdPod.metadata.uid);
    // listing in namespace
    assert.equal((await ok('GET', pods)).items.length, 1, 'list should have 1 items');
    // patching
    const patched = await ok('PATCH', `${pods}/${podName}`, { metadata: { annotations: { patched: 'true' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.metadata.annotations?.patched, 'true', 'patched object should have the applied annotation');
    // deleting
    await ok('DELETE', `${pods}/${podName}`);
    const r = await call('GET', `${pods}/${podName}`);
    assert.ok(r.status === 404 || (r.status === 200 && r.body.metadata.deletionTimestamp), `Pod should have been deleted or have DeletionTimestamp, got ${r.status}`);
  });

  test('[sig-storage] CSIInlineVolumes should run through the lifecycle of a CSIDriver', async () => {
    const ns = await newNamespace('csiinlinevolumes');
    const client = '/apis/storage.k8s.io/v1/csidrivers';
    const csiDriverLabel = { 'e2e-test': ns };
    const csiDriverLabelSelector = `e2e-test%3D${ns}`;
    const uuid = (): string => crypto.randomUUID();
    // Driver that supports only Ephemeral
    const driver1 = { metadata: { name: `inline-driver-${uuid()}`, labels: csiDriverLabel }, spec: { volumeLifecycleModes: ['Ephemeral'], fsGroupPolicy: 'ReadWriteOnceWithFSType' } };
    // Driver that supports both Ephemeral and Persistent
    const driver2 = { metadata: { name: `inline-driver-${uuid()}`, labels: csiDriverLabel }, spec: { volumeLifecycleModes: ['Persistent', 'Ephemeral'], fsGroupPolicy: 'ReadWriteOnceWithFSType' } };

    // Creating two CSIDrivers
    const createdDriver1 = await ok('POST', client, driver1);
    const createdDriver2 = await ok('POST', client, driver2);
    const again = await call('POST', client, driver1);
    assert.equal(again.body.reason, 'AlreadyExists', `expected 409, got ${again.status} ${again.text}`);
    const name1 = createdDriver1.metadata.name as string;
    const name2 = createdDriver2.metadata.name as string;
    // Getting both
    assert.equal((await ok('GET', `${client}/${name1}`)).metadata.uid, createdDriver1.metadata.uid);
    const retrievedDriver2 = await ok('GET', `${client}/${name2}`);
    assert.equal(retrievedDriver2.metadata.uid, createdDriver2.metadata.uid);
    // Patching the CSIDriver
    const patched = await ok('PATCH', `${client}/${name2}`, { metadata: { labels: { [name2]: 'patched' } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.match(patched.metadata.labels[name2] as string, /patched/, 'Checking that patched label has been applied');
    // Updating the CSIDriver
    const updated = await updateWithRetry(`${client}/${name2}`, (o) => {
      o.metadata.labels[name2] = 'updated';
    });
    assert.match(updated.metadata.labels[name2] as string, /updated/, 'Checking that updated label has been applied');
    // Listing all CSIDrivers with the labelSelector
    assert.equal((await ok('GET', `${client}?labelSelector=${csiDriverLabelSelector}`)).items.length, 2, 'filtered list should have 2 items');
    // Deleting the first, then confirming
    await ok('DELETE', `${client}/${name1}`);
    const r1 = await call('GET', `${client}/${name1}`);
    assert.ok(r1.status === 404 || (r1.status === 200 && r1.body.metadata.deletionTimestamp), `CSIDriver should have been deleted or have DeletionTimestamp, got ${r1.status}`);
    // Deleting the second via DeleteCollection, then confirming
    await ok('DELETE', `${client}?labelSelector=${name2}%3Dupdated`);
    const r2 = await call('GET', `${client}/${name2}`);
    assert.ok(r2.status === 404 || (r2.status === 200 && r2.body.metadata.deletionTimestamp), `CSIDriver should have been deleted or have DeletionTimestamp, got ${r2.status}`);
  });

  /**
   * openWatch starts a watch on path (a `?watch=true` URL) and collects its events; waitFor polls
   * them until pred holds for the collected list, close ends the stream.
   */
  function openWatch(path: string): { events: Obj[]; waitFor(what: string, pred: (evs: Obj[]) => boolean): Promise<void>; close(): void } {
    const events: Obj[] = [];
    const req = request(srv.url + path, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.trim()) events.push(JSON.parse(line) as Obj);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end();
    return {
      events,
      waitFor: async (what, pred) => {
        await until(what, async () => (pred(events) ? true : undefined), 10_000, 20);
      },
      close: () => req.destroy(),
    };
  }

  // Upstream's test name starts with a space (`" should support CSIStorageCapacities API operations"`).
  test('[sig-storage] CSIStorageCapacity  should support CSIStorageCapacities API operations', async () => {
    const ns = await newNamespace('csistoragecapacity');
    const uniqueName = ns;
    const cscClient = `/apis/storage.k8s.io/v1/namespaces/${ns}/csistoragecapacities`;
    const cscClientNoNamespace = '/apis/storage.k8s.io/v1/csistoragecapacities';
    const selector = `labelSelector=test%3D${uniqueName}`;
    // The fictional StorageClass for these objects.
    const newCSIStorageCapacity = (suffix: string): Obj => ({ metadata: { name: uniqueName + suffix, labels: { test: uniqueName } }, storageClassName: 'e2e.example.com' });
    const csc = newCSIStorageCapacity('-csc1');

    // Discovery: /apis, /apis/storage.k8s.io, /apis/storage.k8s.io/v1
    const groups = (await ok('GET', '/apis')).groups as Obj[];
    assert.ok(groups.some((g) => g.name === 'storage.k8s.io' && (g.versions as Obj[]).some((v) => v.version === 'v1')), 'expected CSIStorageCapacity API group/version');
    assert.ok(((await ok('GET', '/apis/storage.k8s.io')).versions as Obj[]).some((v) => v.version === 'v1'), 'expected CSIStorageCapacity API version');
    assert.ok(((await ok('GET', '/apis/storage.k8s.io/v1')).resources as Obj[]).some((r) => r.name === 'csistoragecapacities'), 'expected csistoragecapacities');

    // creating
    const createdCSC = await ok('POST', cscClient, csc);
    const again = await call('POST', cscClient, csc);
    assert.equal(again.body.reason, 'AlreadyExists', `expected 409, got ${again.status} ${again.text}`);
    await ok('POST', cscClient, newCSIStorageCapacity('-csc2'));
    // watching
    const cscWatch = openWatch(`${cscClient}?watch=true&${selector}`);
    const cscWatchNoNamespace = openWatch(`${cscClientNoNamespace}?watch=true&${selector}`);
    try {
      // added for a watch
      await ok('POST', cscClient, newCSIStorageCapacity('-csc3'));
      // getting
      assert.equal((await ok('GET', `${cscClient}/${csc.metadata.name}`)).metadata.uid, createdCSC.metadata.uid);
      // listing in namespace, and across namespaces
      assert.equal((await ok('GET', `${cscClient}?${selector}`)).items.length, 3, 'filtered list should have 3 items');
      assert.equal((await ok('GET', `${cscClientNoNamespace}?${selector}`)).items.length, 3, 'filtered list should have 3 items');
      // patching
      const patchedCSC = await ok('PATCH', `${cscClient}/${createdCSC.metadata.name}`, { metadata: { annotations: { patched: 'true' } } }, { 'Content-Type': 'application/merge-patch+json' });
      assert.equal(patchedCSC.metadata.annotations?.patched, 'true', 'patched object should have the applied annotation');
      // updating
      patchedCSC.metadata.annotations.updated = 'true';
      const updatedCSC = await ok('PUT', `${cscClient}/${createdCSC.metadata.name}`, patchedCSC);
      assert.equal(updatedCSC.metadata.annotations?.updated, 'true', 'updated object should have the applied annotation');
      // waiting for watch events with expected annotations: upstream stops at the first ADDED, or
      // MODIFIED with the patched or updated annotation, each of which must carry a CSIStorageCapacity.
      for (const w of [cscWatch, cscWatchNoNamespace]) {
        await w.waitFor('watch event', (evs) =>
          evs.some((e) => e.type === 'ADDED' || (e.type === 'MODIFIED' && (e.object.metadata.annotations?.patched === 'true' || e.object.metadata.annotations?.updated === 'true'))),
        );
        for (const e of w.events.filter((e) => e.type === 'ADDED' || e.type === 'MODIFIED')) assert.equal(e.object.kind, 'CSIStorageCapacity');
      }
    } finally {
      cscWatch.close();
      cscWatchNoNamespace.close();
    }

    // deleting
    await ok('DELETE', `${cscClient}/${createdCSC.metadata.name}`);
    const r = await call('GET', `${cscClient}/${createdCSC.metadata.name}`);
    let max = 2;
    if (r.status === 200) {
      assert.ok(r.body.metadata.deletionTimestamp && (r.body.metadata.finalizers ?? []).length > 0, 'CSIStorageCapacity should have been deleted or have DeletionTimestamp and Finalizers');
      max++;
    } else assert.equal(r.status, 404, `expected 404, got ${r.status}`);
    const remaining = (await ok('GET', `${cscClient}?${selector}`)).items.length as number;
    assert.ok(remaining >= 2 && remaining <= max, `expected <= ${max} and >= 2 remaining CSIStorageCapacity objects, got ${remaining}`);
    // deleting a collection
    await ok('DELETE', `${cscClient}?${selector}`);
    for (const o of (await ok('GET', `${cscClient}?${selector}`)).items as Obj[]) {
      assert.ok(o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length > 0, 'Any remaining objects should be marked for deletion and only held back by a Finalizer');
    }
  });

  // --- [sig-storage] VolumeAttachment Conformance (test/e2e/storage/volume_attachment.go) ---

  const vaClient = '/apis/storage.k8s.io/v1/volumeattachments';
  /** createVolumeAttachment is upstream's: va-e2e-<rand> for pv-e2e-<rand> on a random node, not attached. */
  async function createVolumeAttachment(): Promise<{ name: string; nodeName: string }> {
    const randUID = `e2e-${Math.random().toString(36).slice(2, 7)}`;
    const nodeList = (await ok('GET', '/api/v1/nodes')).items as Obj[];
    const nodeName = nodeList[Math.floor(Math.random() * nodeList.length)]!.metadata.name as string;
    const name = `va-${randUID}`;
    const created = await ok('POST', vaClient, {
      metadata: { uid: name, name },
      spec: { attacher: 'e2e-test.storage.k8s.io', nodeName, source: { persistentVolumeName: `pv-${randUID}` } },
      status: { attached: false },
    });
    assert.equal(created.metadata.name, name, 'Checking that the created VolumeAttachment has the correct name');
    return { name, nodeName };
  }

  test('[sig-storage] VolumeAttachment Conformance should run through the lifecycle of a VolumeAttachment', async () => {
    const { name: firstVA } = await createVolumeAttachment();
    const retrievedVA = await ok('GET', `${vaClient}/${firstVA}`);
    assert.equal(retrievedVA.metadata.name, firstVA, 'Checking that retrieved VolumeAttachment has the correct name');
    assert.match(retrievedVA.metadata.resourceVersion as string, /^[1-9][0-9]*$/);
    const patchedVA = await ok('PATCH', `${vaClient}/${firstVA}`, { metadata: { labels: { [firstVA]: 'patched' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patchedVA.metadata.labels[patchedVA.metadata.name], 'patched', 'Checking that patched label has been applied');
    assert.ok(rvLess(retrievedVA, patchedVA), 'patched object should have a larger resource version');
    const patchedSelector = `${firstVA}%3Dpatched`;
    assert.equal((await ok('GET', `${vaClient}?labelSelector=${patchedSelector}`)).items.length, 1);
    await ok('DELETE', `${vaClient}/${firstVA}`);
    await until('VolumeAttachment deleted', async () => ((await ok('GET', `${vaClient}?labelSelector=${patchedSelector}`)).items.length === 0 ? true : undefined), 30_000, 100);

    const updatedLabel = { 'va-e2e': 'updated' };
    for (let i = 0; i < 2; i++) {
      const { name } = await createVolumeAttachment();
      const updatedVA = await updateWithRetry(`${vaClient}/${name}`, (o) => {
        o.metadata.labels = updatedLabel;
      });
      assert.equal(updatedVA.metadata.labels['va-e2e'], 'updated', 'Checking that updated label has been applied');
    }
    await ok('DELETE', `${vaClient}?labelSelector=va-e2e%3Dupdated`);
    await until('VolumeAttachments deleted', async () => ((await ok('GET', `${vaClient}?labelSelector=va-e2e%3Dupdated`)).items.length === 0 ? true : undefined), 30_000, 100);
  });

  test('[sig-storage] VolumeAttachment Conformance should apply changes to a volumeattachment status', async () => {
    const { name: vaName } = await createVolumeAttachment();
    const patchedVA = await ok('PATCH', `${vaClient}/${vaName}`, { metadata: { labels: { [vaName]: 'patched' } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patchedVA.metadata.labels[vaName], 'patched', 'Checking that patched label has been applied');
    const patchedSelector = `${vaName}%3Dpatched`;
    const retrievedVA = await ok('GET', `${vaClient}/${vaName}/status`);
    assert.equal(retrievedVA.status?.attached ?? false, false, 'Checking that the VolumeAttachment status has been read');
    const vaPatched = await ok('PATCH', `${vaClient}/${vaName}/status`, { status: { attached: true } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(vaPatched.status.attached, true, 'Checking that the VolumeAttachment status has been patched');
    const updatedVA = await updateWithRetry(`${vaClient}/${vaName}`, (o) => {
      o.status.attached = false;
    }, '/status');
    assert.equal(updatedVA.status?.attached ?? false, false, 'Checking that the VolumeAttachment status has been updated');
    await ok('DELETE', `${vaClient}/${vaName}`);
    await until('VolumeAttachment deleted', async () => ((await ok('GET', `${vaClient}?labelSelector=${patchedSelector}`)).items.length === 0 ? true : undefined), 30_000, 100);
  });

  // --- [sig-scheduling] SchedulerPredicates [Serial] (test/e2e/scheduling/predicates.go) ---

  const pausePod = (name: string, o: { labels?: Obj; nodeSelector?: Obj; ports?: Obj[] } = {}): Obj => ({
    metadata: { name, ...(o.labels ? { labels: o.labels } : {}) },
    spec: { containers: [{ name, image: 'registry.k8s.io/pause:3.10', ...(o.ports ? { ports: o.ports } : {}) }], ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}) },
  });
  const podScheduled = (p: Obj): Obj | undefined => ((p.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'PodScheduled');
  /**
   * verifyResult is upstream's: of the namespace's pods, `scheduled` are bound (PodScheduled True)
   * and `notScheduled` are unbound with PodScheduled False for reason Unschedulable.
   */
  async function verifyResult(ns: string, scheduled: number, notScheduled: number): Promise<void> {
    const workerNodes = new Set(((await ok('GET', '/api/v1/nodes')).items as Obj[]).map((n) => n.metadata.name as string));
    let s = 0;
    let n = 0;
    for (const p of await listPods(ns)) {
      const cond = podScheduled(p);
      if (p.spec.nodeName && workerNodes.has(p.spec.nodeName as string)) {
        assert.equal(cond?.status, 'True', `pod ${p.metadata.name} is bound but not PodScheduled`);
        s++;
      } else if (!p.spec.nodeName) {
        assert.equal(cond?.status, 'False', `pod ${p.metadata.name} is unbound but not PodScheduled=False`);
        if (cond?.reason === 'Unschedulable') n++;
      }
    }
    assert.equal(n, notScheduled, 'Not scheduled Pods');
    assert.equal(s, scheduled, 'Scheduled Pods');
  }
  /** waitForFailedScheduling is WaitForSchedulerAfterAction expecting no scheduling: a FailedScheduling event for the pod. */
  async function waitForFailedScheduling(ns: string, podName: string): Promise<void> {
    await until(`FailedScheduling event for ${podName}`, async () => {
      const evs = (await ok('GET', `/api/v1/namespaces/${ns}/events`)).items as Obj[];
      return evs.some((e) => e.reason === 'FailedScheduling' && e.involvedObject?.name === podName) ? true : undefined;
    }, 15_000, 100);
  }
  /** getNodeThatCanRunPod runs a pod without a selector until Running, deletes it and answers its node. */
  async function getNodeThatCanRunPod(ns: string): Promise<string> {
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pausePod('without-label'));
    const pod = await until('pod without-label Running', async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/without-label`);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 20_000, 100);
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/without-label`, { gracePeriodSeconds: 0 });
    return pod.spec.nodeName as string;
  }
  /** labelNode is AddOrUpdateLabelOnNode (value null: RemoveLabelOffNode); answers the node's labels. */
  const labelNode = async (node: string, key: string, value: string | null): Promise<Obj> =>
    (await ok('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { [key]: value } } }, { 'Content-Type': 'application/strategic-merge-patch+json' })).metadata.labels as Obj;
  const waitForPodNotPending = async (ns: string, name: string, timeoutMs = 20_000): Promise<Obj> =>
    until(`pod ${name} not Pending`, async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return p.status?.phase && p.status.phase !== 'Pending' ? p : undefined;
    }, timeoutMs, 100);

  test('[sig-scheduling] SchedulerPredicates [Serial] validates resource limits of pods that are allowed to run', async () => {
    const ns = await newNamespace('sched-pred');
    let nodeMaxAllocatable = 0;
    const nodeToAllocatable = new Map<string, number>();
    for (const node of (await ok('GET', '/api/v1/nodes')).items as Obj[]) {
      if (!((node.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      // Apply node label to each node
      assert.equal((await labelNode(node.metadata.name as string, 'node', node.metadata.name as string)).node, node.metadata.name);
      const allocatable = node.status.allocatable?.cpu as string | undefined;
      assert.ok(allocatable, `node.Status.Allocatable does not contain entry cpu`);
      const milli = parseQuantity(allocatable).milliValue();
      nodeToAllocatable.set(node.metadata.name as string, milli);
      nodeMaxAllocatable = Math.max(nodeMaxAllocatable, milli);
    }
    const requestedCPU = (pod: Obj): number => ((pod.spec.containers ?? []) as Obj[]).reduce((n, c) => n + (c.resources?.requests?.cpu ? parseQuantity(c.resources.requests.cpu as string).milliValue() : 0), 0);
    try {
      for (const pod of (await ok('GET', '/api/v1/pods')).items as Obj[]) {
        const left = nodeToAllocatable.get(pod.spec.nodeName as string);
        if (left !== undefined && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed') nodeToAllocatable.set(pod.spec.nodeName as string, left - requestedCPU(pod));
      }
      // Starting Pods to consume most of the cluster CPU: one per node, 70% of its remaining CPU.
      const fillerPods: string[] = [];
      for (const [nodeName, cpu] of nodeToAllocatable) {
        const cpuReq = `${Math.trunc((cpu * 7) / 10)}m`;
        const name = `filler-pod-${crypto.randomUUID()}`;
        await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name },
          spec: {
            containers: [{ name, image: 'registry.k8s.io/pause:3.10', resources: { limits: { cpu: cpuReq }, requests: { cpu: cpuReq } } }],
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node', operator: 'In', values: [nodeName] }] }] } } },
          },
        });
        fillerPods.push(name);
      }
      // Wait for filler pods to schedule.
      for (const name of fillerPods) await until(`filler pod ${name} Running`, async () => ((await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).status?.phase === 'Running' ? true : undefined), 20_000, 100);
      // Creating another pod that requires unavailable amount of CPU: half of the largest node's.
      const half = `${Math.trunc((nodeMaxAllocatable * 5) / 10)}m`;
      await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: 'additional-pod', labels: { name: 'additional' } },
        spec: { containers: [{ name: 'additional-pod', image: 'registry.k8s.io/pause:3.10', resources: { limits: { cpu: half }, requests: { cpu: half } } }] },
      });
      await waitForFailedScheduling(ns, 'additional-pod');
      await verifyResult(ns, fillerPods.length, 1);
    } finally {
      for (const nodeName of nodeToAllocatable.keys()) await labelNode(nodeName, 'node', null);
      // Upstream deletes the namespace after each test; free the node's CPU for the tests after this one.
      await deletePodsNow(ns, await listPods(ns));
    }
  });

  test('[sig-scheduling] SchedulerPredicates [Serial] validates that NodeSelector is respected if not matching', async () => {
    const ns = await newNamespace('sched-pred');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pausePod('restricted-pod', { labels: { name: 'restricted' }, nodeSelector: { label: 'nonempty' } }));
    await waitForFailedScheduling(ns, 'restricted-pod');
    await verifyResult(ns, 0, 1);
  });

  test('[sig-scheduling] SchedulerPredicates [Serial] validates that NodeSelector is respected if matching', async () => {
    const ns = await newNamespace('sched-pred');
    const nodeName = await getNodeThatCanRunPod(ns);
    // Trying to apply a random label on the found node.
    const k = `kubernetes.io/e2e-${crypto.randomUUID()}`;
    assert.equal((await labelNode(nodeName, k, '42'))[k], '42');
    try {
      // Trying to relaunch the pod, now with labels.
      await ok('POST', `/api/v1/namespaces/${ns}/pods`, pausePod('with-labels', { nodeSelector: { [k]: '42' } }));
      const labelPod = await waitForPodNotPending(ns, 'with-labels');
      assert.equal(labelPod.spec.nodeName, nodeName);
    } finally {
      await labelNode(nodeName, k, null);
    }
  });

  // As upstream, except that pod5 is given 3 s (upstream: the 5 min pod start timeout) to leave Pending.
  test('[sig-scheduling] SchedulerPredicates [Serial] validates that there exists conflict between pods with same hostPort and protocol but one using 0.0.0.0 hostIP', async () => {
    const ns = await newNamespace('sched-pred');
    const nodeName = await getNodeThatCanRunPod(ns);
    const node = await ok('GET', `/api/v1/nodes/${nodeName}`);
    const hostIP = ((node.status.addresses ?? []) as Obj[]).find((a) => a.type === 'InternalIP')?.address as string;
    assert.ok(hostIP, 'node has an InternalIP');
    const k = `kubernetes.io/e2e-${crypto.randomUUID()}`;
    assert.equal((await labelNode(nodeName, k, '95'))[k], '95');
    try {
      const nodeSelector = { [k]: '95' };
      const port = 54322;
      /** createHostPortPodOnNode: an agnhost netexec pod with the host port, on the labelled node. */
      const hostPortPod = async (name: string, ip: string, expectScheduled: boolean): Promise<void> => {
        await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name },
          spec: {
            containers: [{
              name: 'agnhost',
              image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
              args: ['netexec', '--http-port=8080', '--udp-port=8080'],
              ports: [{ hostPort: port, containerPort: 8080, protocol: 'TCP', ...(ip ? { hostIP: ip } : {}) }],
              readinessProbe: { httpGet: { path: '/hostname', port: 8080 }, periodSeconds: 1 },
            }],
            nodeSelector,
          },
        });
        const notPending = waitForPodNotPending(ns, name, expectScheduled ? 20_000 : 3_000);
        if (expectScheduled) await notPending;
        else await assert.rejects(notPending, `pod ${name} should stay Pending`);
      };
      // pod4 with hostport and hostIP 0.0.0.0 (empty string here): expect scheduled
      await hostPortPod('pod4', '', true);
      // pod5 with the same hostport but the node's hostIP, on the node pod4 resides: expect not scheduled
      await hostPortPod('pod5', hostIP, false);
    } finally {
      await labelNode(nodeName, k, null);
    }
  });

  // --- [sig-scheduling] SchedulerPreemption [Serial] (test/e2e/scheduling/preemption.go) ---

  const testExtendedResource = 'scheduling.k8s.io/foo';
  const lowPriorityClassName = 'sched-preemption-low-priority';
  const mediumPriorityClassName = 'sched-preemption-medium-priority';
  const highPriorityClassName = 'sched-preemption-high-priority';
  /** setExtendedResource is e2enode.AddExtendedResource (quantity null: RemoveExtendedResource) on the node's status. */
  async function setExtendedResource(node: string, quantity: string | null): Promise<void> {
    const list = { [testExtendedResource]: quantity };
    await ok('PATCH', `/api/v1/nodes/${node}/status`, { status: { capacity: list, allocatable: list } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    await until(`node ${node} allocatable ${testExtendedResource}=${quantity}`, async () => ((await ok('GET', `/api/v1/nodes/${node}`)).status.allocatable?.[testExtendedResource] === (quantity ?? undefined) ? true : undefined), 10_000, 50);
  }
  /**
   * withPreemptionSetup runs body as upstream's BeforeEach/AfterEach pair do around each test:
   * the three priority classes exist and the ready nodes are listed; afterwards the classes and
   * the extended resource are removed again.
   */
  async function withPreemptionSetup(body: (nodeNames: string[]) => Promise<void>): Promise<void> {
    const pairs: Array<[string, number]> = [[lowPriorityClassName, 1], [mediumPriorityClassName, 100], [highPriorityClassName, 1000]];
    for (const [name, value] of pairs) {
      const r = await call('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { metadata: { name }, value });
      assert.ok(r.status === 201 || r.body.reason === 'AlreadyExists', `expected 'alreadyExists' as error, got instead: ${r.text}`);
    }
    const nodeNames = ((await ok('GET', '/api/v1/nodes')).items as Obj[])
      .filter((n) => !n.spec?.unschedulable && ((n.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((n) => n.metadata.name as string);
    try {
      await body(nodeNames);
    } finally {
      for (const [name] of pairs) await call('DELETE', `/apis/scheduling.k8s.io/v1/priorityclasses/${name}`, { gracePeriodSeconds: 0 });
      for (const n of nodeNames) await setExtendedResource(n, null);
    }
  }
  /** createVictimPods advertises 5 of the extended resource on each node and fills 4 with two pods (the first low, the rest medium priority). */
  async function createVictimPods(ns: string, nodeNames: string[]): Promise<Obj[]> {
    const pods: Obj[] = [];
    for (const [i, node] of nodeNames.entries()) {
      await setExtendedResource(node, '5');
      for (let j = 0; j < 2; j++) {
        const priorityName = pods.length === 0 ? lowPriorityClassName : mediumPriorityClassName;
        const name = `pod${i}-${j}-${priorityName}`;
        const podRes = { [testExtendedResource]: '2' };
        pods.push(await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name },
          spec: {
            containers: [{ name, image: 'registry.k8s.io/pause:3.10', resources: { requests: podRes, limits: podRes } }],
            priorityClassName: priorityName,
            affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } } },
          },
        }));
      }
    }
    assert.ok(pods.length >= 2, 'We need at least two pods to be created');
    // Wait for pods to be scheduled.
    for (const p of pods) await waitForRunning(p.metadata.namespace as string, p.metadata.name as string);
    return pods;
  }
  const waitForRunning = async (ns: string, name: string): Promise<void> => {
    await until(`pod ${name} Running`, async () => ((await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).status?.phase === 'Running' ? true : undefined), 30_000, 100);
  };
  /** expectPreempted asserts upstream's ending: the low priority pod is gone or being deleted, every other one lives on. */
  async function expectPreempted(pods: Obj[]): Promise<void> {
    const first = await call('GET', `/api/v1/namespaces/${pods[0]!.metadata.namespace}/pods/${pods[0]!.metadata.name}`);
    assert.ok(first.status === 404 || (first.status === 200 && first.body.metadata.deletionTimestamp), `expected pod to be preempted, got ${first.status} ${first.text.slice(0, 300)}`);
    for (const p of pods.slice(1)) {
      const live = await ok('GET', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`);
      assert.equal(live.metadata.deletionTimestamp, undefined, `pod ${p.metadata.name} must not be deleted`);
    }
  }

  test('[sig-scheduling] SchedulerPreemption [Serial] validates basic preemption works', async () => {
    const ns = await newNamespace('sched-preemption');
    await withPreemptionSetup(async (nodeNames) => {
      const pods = await createVictimPods(ns, nodeNames);
      // Run a high priority pod that has same requirements as that of lower priority pod
      const podRes = pods[0]!.spec.containers[0].resources.requests as Obj;
      await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: 'preemptor-pod' },
        spec: { containers: [{ name: 'preemptor-pod', image: 'registry.k8s.io/pause:3.10', resources: { requests: podRes, limits: podRes } }], priorityClassName: highPriorityClassName },
      });
      await waitForRunning(ns, 'preemptor-pod');
      await expectPreempted(pods);
      await deletePodsNow(ns, await listPods(ns));
    });
  });

  test('[sig-scheduling] SchedulerPreemption [Serial] validates lower priority pod preemption by critical pod', async () => {
    const ns = await newNamespace('sched-preemption');
    await withPreemptionSetup(async (nodeNames) => {
      const pods = await createVictimPods(ns, nodeNames);
      // Run a critical pod that use same resources as that of a lower priority pod
      const podRes = pods[0]!.spec.containers[0].resources.requests as Obj;
      try {
        await ok('POST', '/api/v1/namespaces/kube-system/pods', {
          metadata: { name: 'critical-pod' },
          spec: { containers: [{ name: 'critical-pod', image: 'registry.k8s.io/pause:3.10', resources: { requests: podRes, limits: podRes } }], priorityClassName: 'system-cluster-critical' },
        });
        await waitForRunning('kube-system', 'critical-pod');
        await expectPreempted(pods);
      } finally {
        await call('DELETE', '/api/v1/namespaces/kube-system/pods/critical-pod', { gracePeriodSeconds: 0 });
        await deletePodsNow(ns, await listPods(ns));
      }
    });
  });

  // --- [sig-auth] ServiceAccounts (test/e2e/auth/service_accounts.go) ---

  // Upstream's test name ends in a space (`"should allow opting out of API token automount "`).
  test('[sig-auth] ServiceAccounts should allow opting out of API token automount ', async () => {
    const ns = await newNamespace('svcaccounts');
    await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'mount' }, automountServiceAccountToken: true });
    await ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'nomount' }, automountServiceAccountToken: false });
    const cases: Array<{ podName: string; serviceAccountName: string; automountPodSpec?: boolean; expectTokenVolume: boolean }> = [
      { podName: 'pod-service-account-defaultsa', serviceAccountName: 'default', expectTokenVolume: true },
      { podName: 'pod-service-account-mountsa', serviceAccountName: 'mount', expectTokenVolume: true },
      { podName: 'pod-service-account-nomountsa', serviceAccountName: 'nomount', expectTokenVolume: false },
      // Make sure pod spec trumps when opting in
      { podName: 'pod-service-account-defaultsa-mountspec', serviceAccountName: 'default', automountPodSpec: true, expectTokenVolume: true },
      { podName: 'pod-service-account-mountsa-mountspec', serviceAccountName: 'mount', automountPodSpec: true, expectTokenVolume: true },
      { podName: 'pod-service-account-nomountsa-mountspec', serviceAccountName: 'nomount', automountPodSpec: true, expectTokenVolume: true },
      // Make sure pod spec trumps when opting out
      { podName: 'pod-service-account-defaultsa-nomountspec', serviceAccountName: 'default', automountPodSpec: false, expectTokenVolume: false },
      { podName: 'pod-service-account-mountsa-nomountspec', serviceAccountName: 'mount', automountPodSpec: false, expectTokenVolume: false },
      { podName: 'pod-service-account-nomountsa-nomountspec', serviceAccountName: 'nomount', automountPodSpec: false, expectTokenVolume: false },
    ];
    for (const tc of cases) {
      const created = await ok('POST', `/api/v1/namespaces/${ns}/pods`, {
        metadata: { name: tc.podName },
        spec: {
          containers: [{ name: 'token-test', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }],
          restartPolicy: 'Never',
          serviceAccountName: tc.serviceAccountName,
          ...(tc.automountPodSpec !== undefined ? { automountServiceAccountToken: tc.automountPodSpec } : {}),
        },
      });
      const hasServiceAccountTokenVolume = (created.spec.containers as Obj[]).some((c) => ((c.volumeMounts ?? []) as Obj[]).some((vm) => vm.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount'));
      assert.equal(hasServiceAccountTokenVolume, tc.expectTokenVolume, `${tc.podName}: expected volume=${tc.expectTokenVolume}`);
    }
  });

  test('[sig-auth] ServiceAccounts should guarantee kube-root-ca.crt exist in any namespace', async () => {
    const ns = await newNamespace('svcaccounts');
    const path = `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`;
    const present = async (): Promise<true | undefined> => ((await call('GET', path)).status === 200 ? true : undefined);
    // waiting for a root ca configmap created
    await until('root ca configmap created', present, 10_000, 50);
    await ok('DELETE', path, { gracePeriodSeconds: 0 });
    // waiting for a new root ca configmap created
    await until('new root ca configmap created', present, 10_000, 50);
    await ok('PUT', path, { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': '' } });
    // waiting for the root ca configmap reconciled
    await until('root ca configmap reconciled', async () => {
      const r = await call('GET', path);
      return r.status === 200 && r.body.data?.['ca.crt'] ? true : undefined;
    }, 10_000, 50);
  });
});
