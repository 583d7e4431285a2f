/**
 * Upstream conformance tests of sig-apps (ReplicaSet, ReplicationController, Deployment) and
 * sig-node (Pods) that need the controllers and a node that runs pods but no real containers,
 * replayed over plain HTTP against one apiserver, one `k8ts controller-manager` child, the
 * scheduler and two simulated nodes (pods reach Running at once) in this process. Each test is
 * named after the upstream test it mirrors (test/e2e/apps/{replica_set,rc,deployment}.go,
 * test/e2e/common/node/pods.go); its steps and assertions follow upstream's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { spawnControllerManager, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { RestClient } from '../../src/client/index.js';
import { SimulatedNodes, behaviorFromAnnotations } from '../../src/kubelet/index.js';
import { resolveConfig } from '../../src/scheduler/index.js';
import { startScheduler } from '../../src/scheduler/run.js';
import { fetchCall, restClient, type Obj } from './helpers/apiserver.js';
import { until } from './helpers/wait.js';

// Upstream's e2e images (test/utils/image); the simulated runtime never pulls them.
const WebserverImageName = 'httpd';
const WebserverImage = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
const PauseImage = 'registry.k8s.io/pause:3.9';
const AgnhostImage = 'registry.k8s.io/e2e-test-images/agnhost:2.47';
const NginxImage = 'registry.k8s.io/e2e-test-images/nginx:1.14-4';
const AgnhostImageName = 'agnhost';

/**
 * Images upstream's Deployment tests use because they do not exist, so their pods never start
 * (ErrImagePull there). The simulated nodes' registry lacks them too: their containers stay
 * created and never run, so those pods are never ready.
 */
const MISSING_IMAGES = new Set(['webserver:404', 'gcr.io/google_samples/gb-redisslave:nonexistent']);

/** WatchEvent is one event of a watch stream. */
interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Obj;
}

/**
 * EventStream reads one watch (as client-go's watch.Interface) and hands its events out in
 * order: `until` consumes events until one satisfies cond, as watchtools.UntilWithoutRetry.
 */
class EventStream {
  private readonly buffered: WatchEvent[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private readonly ac = new AbortController();

  constructor(url: string) {
    void this.read(url);
  }

  private async read(url: string): Promise<void> {
    try {
      const r = await fetch(url, { signal: this.ac.signal });
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of r.body as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line) this.buffered.push(JSON.parse(line) as WatchEvent);
        }
        this.wake?.();
      }
    } catch {
      // aborted by stop(), or the server went away: either ends the stream.
    }
    this.ended = true;
    this.wake?.();
  }

  /** until answers the first event (consumed in order) that satisfies cond; it fails after timeoutMs or when the watch ends. */
  async until(what: string, cond: (e: WatchEvent) => boolean, timeoutMs = 20_000): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.buffered.length > 0) {
        const e = this.buffered.shift()!;
        if (cond(e)) return e;
      }
      if (this.ended) throw new Error(`watch closed before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
      this.wake = undefined;
    }
  }

  stop(): void {
    this.ac.abort();
  }
}

describe('conformance: apps and node with controllers and simulated nodes', () => {
  let srv: TestApiServer;
  let cm: ChildProcessHandle | undefined;
  let client: RestClient;
  const ac = new AbortController();
  let scheduling: Promise<void> | undefined;
  let nodes: Promise<void> | undefined;
  let nsCounter = 0;
  const streams: EventStream[] = [];

  before(async () => {
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS, advertiseAddress: '192.0.2.1' });
    client = new RestClient({ host: srv.url, qps: Infinity });
    const config = resolveConfig({ leaderElection: { leaderElect: false } });
    scheduling = startScheduler({ client, config, signal: ac.signal, log: () => {} });
    const sim = new SimulatedNodes({
      client,
      count: 2,
      log: () => {},
      behavior: (config) => (MISSING_IMAGES.has(config.image.image) ? { startDelayMs: 2 ** 31 - 1 } : behaviorFromAnnotations(config)),
    });
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    nodes = sim.run(ac.signal, ready);
    await isReady;
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false']);
  });
  after(async () => {
    for (const s of streams) s.stop();
    await cm?.kill();
    ac.abort();
    await scheduling;
    await nodes;
    client?.close();
    await srv?.stop();
  });

  const { call, ok } = restClient(fetchCall(() => srv.url));

  /**
   * newNamespace creates namespace `<base>-<n>` enforcing the Pod Security level upstream's
   * suite asks for (f.NamespacePodSecurityLevel) and waits for its default ServiceAccount, as
   * the e2e framework does.
   */
  async function newNamespace(base: string, level: 'privileged' | 'baseline' | 'restricted'): Promise<string> {
    const name = `${base}-${++nsCounter}`;
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': level } } });
    await until('default ServiceAccount', async () => ((await call('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200 ? true : undefined), 10_000, 50);
    return name;
  }

  /** restricted is e2epod.MustMixinRestrictedPodSecurity: the pod and container settings the restricted level requires. */
  function restricted(pod: Obj): Obj {
    pod.spec.securityContext = { ...pod.spec.securityContext, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } };
    for (const c of pod.spec.containers as Obj[]) c.securityContext = { ...c.securityContext, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    return pod;
  }
  const merge = { 'Content-Type': 'application/merge-patch+json' };
  const strategic = { 'Content-Type': 'application/strategic-merge-patch+json' };
  const sel = (labels: Record<string, string>): string => encodeURIComponent(Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','));

  /** watchFrom opens a watch of path (a collection) from resourceVersion rv, as watchtools.Until's RetryWatcher. */
  function watchFrom(path: string, rv: string, labelSelector?: string): EventStream {
    const q = `watch=1&resourceVersion=${rv}&allowWatchBookmarks=true${labelSelector ? `&labelSelector=${encodeURIComponent(labelSelector)}` : ''}`;
    const s = new EventStream(`${srv.url}${path}?${q}`);
    streams.push(s);
    return s;
  }

  /** retryOnConflict runs fn again while it answers 409, as client-go's retry.RetryOnConflict. */
  /**
   * retryOnConflict retries fn every 10 ms for up to a minute while it conflicts, as upstream's
   * Update*WithRetries (wait.PollImmediate(10ms, 1m)): a controller updating the same object's
   * status on a loaded machine can win five immediate retries in a row.
   */
  async function retryOnConflict(fn: () => Promise<{ status: number; text: string; body: Obj }>): Promise<Obj> {
    const end = Date.now() + 60_000;
    for (;;) {
      const r = await fn();
      if (r.status === 409 && Date.now() < end) {
        await new Promise((res) => setTimeout(res, 10));
        continue;
      }
      assert.ok(r.status >= 200 && r.status < 300, `${r.status} ${r.text}`);
      return r.body;
    }
  }

  /** updateWithRetries gets, mutates and PUTs path until it is not a conflict (UpdateReplicaSetWithRetries). */
  async function updateWithRetries(path: string, mutate: (o: Obj) => void): Promise<Obj> {
    return retryOnConflict(async () => {
      const cur = await ok('GET', path);
      mutate(cur);
      return call('PUT', path, cur);
    });
  }

  /** podsCreated waits for `replicas` live pods labelled name=<name> (e2epod.PodsCreated). */
  async function podsCreated(ns: string, name: string, replicas: number): Promise<Obj[]> {
    return until(`${replicas} pods name=${name}`, async () => {
      const items = (await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${sel({ name })}`)).items as Obj[];
      const live = items.filter((p) => !p.metadata.deletionTimestamp);
      return live.length === replicas ? live : undefined;
    }, 20_000, 100);
  }

  /** verifyPodsRunning waits for `replicas` pods labelled name=<name>, all Running (e2epod.VerifyPodsRunning). */
  async function verifyPodsRunning(ns: string, name: string, replicas: number): Promise<Obj[]> {
    return until(`${replicas} running pods name=${name}`, async () => {
      const pods = await podsCreated(ns, name, replicas);
      return pods.every((p) => p.status?.phase === 'Running') ? pods : undefined;
    }, 20_000, 100);
  }

  /** podRunning waits for pod ns/name to be Running (WaitForPodNameRunningInNamespace) and answers it. */
  async function podRunning(ns: string, name: string): Promise<Obj> {
    return until(`pod ${name} running`, async () => {
      const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return p.status?.phase === 'Running' ? p : undefined;
    }, 20_000, 100);
  }

  /** createSync creates a pod and waits for it to run (PodClient.CreateSync). */
  async function createSync(ns: string, pod: Obj): Promise<Obj> {
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod);
    return podRunning(ns, pod.metadata.name as string);
  }

  const poll = <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => until(what, fn, 30_000, 100);

  const isControlledBy = (pod: Obj, uid: string): boolean => ((pod.metadata.ownerReferences ?? []) as Obj[]).some((o) => o.controller === true && o.uid === uid);

  function newRS(name: string, replicas: number, podLabels: Record<string, string>, imageName: string, image: string): Obj {
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, labels: podLabels },
      spec: {
        selector: { matchLabels: podLabels },
        replicas,
        template: { metadata: { labels: podLabels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: imageName, image }] } },
      },
    };
  }

  function newRC(name: string, replicas: number, podLabels: Record<string, string>, imageName: string, image: string): Obj {
    return {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name },
      spec: { replicas, template: { metadata: { labels: podLabels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: imageName, image }] } } },
    };
  }

  // ---- [sig-apps] ReplicaSet (test/e2e/apps/replica_set.go) ----

  test('[sig-apps] ReplicaSet should adopt matching pods on creation and release no longer matching pods', async () => {
    const ns = await newNamespace('replicaset', 'baseline');
    const name = 'pod-adoption-release';
    const p = await createSync(ns, { metadata: { name, labels: { name } }, spec: { containers: [{ name, image: WebserverImage }] } });
    const rs = await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS(name, 1, { name }, name, WebserverImage));
    // Then the orphan pod is adopted (or deleted and replaced).
    await poll('orphan pod adopted', async () => {
      const r = await call('GET', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`);
      if (r.status === 404) return true;
      assert.equal(r.status, 200, r.text);
      return isControlledBy(r.body, rs.metadata.uid as string) ? true : undefined;
    });
    // When the matched label of one of its pods changes, then the pod is released.
    const [pod] = await podsCreated(ns, name, 1);
    const path = `/api/v1/namespaces/${ns}/pods/${pod!.metadata.name}`;
    await updateWithRetries(path, (o) => (o.metadata.labels = { name: 'not-matching-name' }));
    await poll('pod released', async () => (isControlledBy(await ok('GET', path), rs.metadata.uid as string) ? undefined : true));
  });

  test('[sig-apps] ReplicaSet Replicaset should have a working scale subresource', async () => {
    const ns = await newNamespace('replicaset', 'baseline');
    const labels = { name: 'sample-pod', pod: WebserverImageName };
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS('test-rs', 1, labels, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, 'sample-pod', 1);
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`;
    // The status replica count is written by the controller after the pod exists.
    const scale = await poll('scale status.replicas 1', async () => {
      const s = await ok('GET', `${path}/scale`);
      return s.status?.replicas === 1 ? s : undefined;
    });
    assert.equal(scale.spec.replicas, 1);
    assert.equal(scale.status.replicas, 1);
    scale.metadata.resourceVersion = ''; // unconditional update
    scale.spec.replicas = 2;
    const updated = await ok('PUT', `${path}/scale`, scale);
    assert.equal(updated.spec.replicas, 2);
    assert.equal((await ok('GET', path)).spec.replicas, 2);
    await ok('PATCH', `${path}/scale`, { spec: { replicas: 4 } }, strategic);
    assert.equal((await ok('GET', path)).spec.replicas, 4, 'replicaset should have 4 replicas');
  });

  test('[sig-apps] ReplicaSet Replace and Patch tests', async () => {
    const ns = await newNamespace('replicaset', 'baseline');
    const labels = { name: 'sample-pod', pod: WebserverImageName };
    const rsList = await ok('GET', `/apis/apps/v1/replicasets?labelSelector=${sel({ 'test-rs': 'patched' })}`);
    const w = watchFrom(`/apis/apps/v1/namespaces/${ns}/replicasets`, rsList.metadata.resourceVersion as string, 'test-rs=patched');
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS('test-rs', 1, labels, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, 'sample-pod', 1);
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`;
    await updateWithRetries(path, (o) => (o.spec.replicas = 2));
    const patch = {
      metadata: { labels: { 'test-rs': 'patched' } },
      spec: { replicas: 3, template: { spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'test-rs', image: PauseImage }] } } },
    };
    await ok('PATCH', path, patch, strategic);
    await w.until('patched ReplicaSet with 3 ready and available replicas', (e) => {
      const o = e.object;
      return (
        e.type !== 'BOOKMARK' &&
        o.metadata.name === 'test-rs' &&
        o.metadata.labels?.['test-rs'] === 'patched' &&
        o.status?.readyReplicas === 3 &&
        o.status?.availableReplicas === 3 &&
        o.spec.template.spec.containers[0].image === PauseImage &&
        o.spec.template.spec.terminationGracePeriodSeconds === 0
      );
    });
    w.stop();
  });

  test('[sig-apps] ReplicaSet should list and delete a collection of ReplicaSets', async () => {
    const ns = await newNamespace('replicaset', 'baseline');
    const e2eValue = Math.random().toString(36).slice(2, 7);
    const labels = { name: 'sample-pod', pod: WebserverImageName, e2e: e2eValue };
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS('test-rs', 3, labels, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, 'sample-pod', 3);
    await ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`);
    assert.equal((await ok('GET', `/apis/apps/v1/replicasets?labelSelector=e2e%3D${e2eValue}`)).items.length, 1, 'filtered list wasn\'t found');
    await ok('DELETE', `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=e2e%3D${e2eValue}`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    assert.equal((await ok('GET', `/apis/apps/v1/replicasets?labelSelector=e2e%3D${e2eValue}`)).items.length, 0, 'filtered list should have no replicas');
  });

  test('[sig-apps] ReplicaSet should validate Replicaset Status endpoints', async () => {
    const ns = await newNamespace('replicaset', 'baseline');
    const labels = { name: 'sample-pod', pod: WebserverImageName };
    const labelSelector = `name=sample-pod,pod=${WebserverImageName}`;
    const rsList = await ok('GET', `/apis/apps/v1/replicasets?labelSelector=${encodeURIComponent(labelSelector)}`);
    const created = await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS('test-rs', 1, labels, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, 'sample-pod', 1);
    const path = `/apis/apps/v1/namespaces/${ns}/replicasets/test-rs`;
    const status = await ok('GET', `${path}/status`);
    assert.equal(status.kind, 'ReplicaSet');
    assert.equal(status.metadata.name, 'test-rs');

    // updating the ReplicaSet status
    await retryOnConflict(async () => {
      const cur = await ok('GET', path);
      cur.status.conditions = [...((cur.status.conditions ?? []) as Obj[]), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }];
      return call('PUT', `${path}/status`, cur);
    });
    const isOurs = (o: Obj): boolean => o.metadata.name === created.metadata.name && o.metadata.namespace === ns && o.metadata.labels?.name === 'sample-pod' && o.metadata.labels?.pod === WebserverImageName;
    const w1 = watchFrom(`/apis/apps/v1/namespaces/${ns}/replicasets`, rsList.metadata.resourceVersion as string, labelSelector);
    await w1.until('ReplicaSet status updated', (e) => e.type !== 'BOOKMARK' && isOurs(e.object) && ((e.object.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test'));
    w1.stop();

    // patching the ReplicaSet status
    const patched = await ok('PATCH', `${path}/status`, '{"status":{"conditions":[{"type":"StatusPatched","status":"True"}]}}', merge);
    assert.ok((patched.status.conditions as Obj[]).some((c) => c.type === 'StatusPatched'));
    const w2 = watchFrom(`/apis/apps/v1/namespaces/${ns}/replicasets`, rsList.metadata.resourceVersion as string, labelSelector);
    await w2.until('ReplicaSet status patched', (e) => e.type !== 'BOOKMARK' && isOurs(e.object) && ((e.object.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'StatusPatched'));
    w2.stop();
  });

  // ---- [sig-apps] ReplicationController (test/e2e/apps/rc.go) ----

  test('[sig-apps] ReplicationController should surface a failure condition on a common issue like exceeded quota', async () => {
    const ns = await newNamespace('replication-controller', 'baseline');
    const name = 'condition-test';
    await ok('POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name }, spec: { hard: { pods: '2' } } });
    await poll('quota synced', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/resourcequotas/${name}`)).status?.hard?.pods === '2' ? true : undefined));
    let rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newRC(name, 3, { name }, WebserverImageName, WebserverImage));
    const path = `/api/v1/namespaces/${ns}/replicationcontrollers/${name}`;
    const failureOf = (o: Obj): Obj | undefined => ((o.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'ReplicaFailure');
    let generation = rc.metadata.generation as number;
    let seen: Obj = {};
    await poll('ReplicaFailure condition', async () => {
      const cur = await ok('GET', path);
      seen = cur.status ?? {};
      if (generation > (cur.status?.observedGeneration ?? 0)) return undefined;
      return failureOf(cur) ? true : undefined;
    }).catch((e: Error) => assert.fail(`rc manager never added the failure condition for rc ${name}: ${JSON.stringify(seen)} (${e.message})`));
    rc = await updateWithRetries(path, (o) => (o.spec.replicas = 2));
    generation = rc.metadata.generation as number;
    await poll('no ReplicaFailure condition', async () => {
      const cur = await ok('GET', path);
      seen = cur.status ?? {};
      if (generation > (cur.status?.observedGeneration ?? 0)) return undefined;
      return failureOf(cur) ? undefined : true;
    }).catch((e: Error) => assert.fail(`rc manager never removed the failure condition for rc ${name}: ${JSON.stringify(seen)} (${e.message})`));
  });

  test('[sig-apps] ReplicationController should adopt matching pods on creation', async () => {
    const ns = await newNamespace('replication-controller', 'baseline');
    const name = 'pod-adoption';
    const p = await createSync(ns, { metadata: { name, labels: { name } }, spec: { containers: [{ name, image: WebserverImage }] } });
    const rcSt = newRC(name, 1, { name }, name, WebserverImage);
    rcSt.spec.selector = { name };
    const rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rcSt);
    await poll('orphan pod adopted', async () => {
      const r = await call('GET', `/api/v1/namespaces/${ns}/pods/${p.metadata.name}`);
      if (r.status === 404) return true;
      assert.equal(r.status, 200, r.text);
      return isControlledBy(r.body, rc.metadata.uid as string) ? true : undefined;
    });
  });

  test('[sig-apps] ReplicationController should release no longer matching pods', async () => {
    const ns = await newNamespace('replication-controller', 'baseline');
    const name = 'pod-release';
    const rcSt = newRC(name, 1, { name }, name, WebserverImage);
    rcSt.spec.selector = { name };
    const rc = await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rcSt);
    const [pod] = await podsCreated(ns, name, 1);
    const path = `/api/v1/namespaces/${ns}/pods/${pod!.metadata.name}`;
    await updateWithRetries(path, (o) => (o.metadata.labels = { name: 'not-matching-name' }));
    await poll('pod released', async () => (isControlledBy(await ok('GET', path), rc.metadata.uid as string) ? undefined : true));
  });

  test('[sig-apps] ReplicationController should test the lifecycle of a ReplicationController', async () => {
    const ns = await newNamespace('replication-controller', 'baseline');
    const name = 'rc-test';
    const path = `/api/v1/namespaces/${ns}/replicationcontrollers/${name}`;
    const rcTest = {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name, labels: { 'test-rc-static': 'true' } },
      spec: {
        replicas: 1,
        selector: { 'test-rc-static': 'true' },
        template: { metadata: { name, labels: { 'test-rc-static': 'true' } }, spec: { containers: [{ name, image: NginxImage }] } },
      },
    };
    // WatchEventSequenceVerifier: list, then watch the collection from the list's resourceVersion.
    const list = await ok('GET', `/api/v1/namespaces/${ns}/replicationcontrollers?labelSelector=test-rc-static%3Dtrue`);
    const w = watchFrom(`/api/v1/namespaces/${ns}/replicationcontrollers`, list.metadata.resourceVersion as string, 'test-rc-static=true');
    const actual: string[] = [];
    const record = (type: WatchEvent['type']) => (e: WatchEvent): boolean => {
      if (e.type !== type) return false;
      actual.push(e.type);
      return true;
    };
    const rcOf = (e: WatchEvent): Obj => e.object;

    await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, rcTest);
    await w.until('RC added', record('ADDED'));
    await w.until('available replicas', (e) => rcOf(e).status?.replicas === 1 && rcOf(e).status?.readyReplicas === 1);

    const patched = await ok('PATCH', path, { metadata: { labels: { 'test-rc': 'patched' } } }, strategic);
    assert.equal(patched.metadata.labels['test-rc'], 'patched', 'failed to patch RC');
    await w.until('RC modified', record('MODIFIED'));

    const statusPatched = await ok('PATCH', `${path}/status`, { status: { readyReplicas: 0, availableReplicas: 0 } }, strategic);
    assert.equal(statusPatched.status.readyReplicas ?? 0, 0, "ReplicationControllerStatus's readyReplicas does not equal 0");
    await w.until('RC modified', record('MODIFIED'));

    await w.until('replicas count', (e) => rcOf(e).status?.replicas === 1);
    const status = await ok('GET', `${path}/status`);
    assert.equal(status.status.replicas, 1, 'ReplicationController ReplicaSet cound does not match initial Replica count');

    await ok('PATCH', `${path}/scale`, { spec: { replicas: 2 } }, strategic);
    await w.until('RC modified', record('MODIFIED'));
    await w.until("ReplicationController's scale to be the max amount", (e) => rcOf(e).metadata.name === name && rcOf(e).metadata.namespace === ns && rcOf(e).status?.replicas === 2 && rcOf(e).status?.readyReplicas === 2);

    const rc = await ok('GET', path);
    assert.equal(rc.metadata.labels['test-rc'], 'patched', 'ReplicationController is missing a label from earlier patch');
    rc.status.availableReplicas = 1;
    rc.status.readyReplicas = 1;
    await ok('PUT', `${path}/status`, rc);
    await w.until('RC modified', record('MODIFIED'));

    const rcs = await ok('GET', '/api/v1/replicationcontrollers?labelSelector=test-rc-static%3Dtrue');
    assert.ok(rcs.items.length > 0, 'Expected to find a ReplicationController but none was found');
    assert.ok(
      (rcs.items as Obj[]).some((i) => i.metadata.name === name && i.metadata.namespace === ns && i.metadata.labels['test-rc-static'] === 'true' && i.metadata.labels['test-rc'] === 'patched'),
      "ReplicationController doesn't have expected values",
    );

    await ok('DELETE', `/api/v1/namespaces/${ns}/replicationcontrollers?labelSelector=test-rc-static%3Dtrue`);
    await w.until('RC deleted', record('DELETED'));
    w.stop();
    assert.deepEqual(actual, ['ADDED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'MODIFIED', 'DELETED']);
  });

  test('[sig-apps] ReplicationController should get and update a ReplicationController scale', async () => {
    const ns = await newNamespace('replication-controller', 'baseline');
    const name = `e2e-rc-${Math.random().toString(36).slice(2, 7)}`;
    const path = `/api/v1/namespaces/${ns}/replicationcontrollers/${name}`;
    await ok('POST', `/api/v1/namespaces/${ns}/replicationcontrollers`, newRC(name, 1, { name }, WebserverImageName, WebserverImage));
    await poll('1 replica', async () => ((await ok('GET', path)).status?.replicas === 1 ? true : undefined));
    const scale = await ok('GET', `${path}/scale`);
    assert.equal(scale.status.replicas, 1, 'Failed to get the current replica count');
    scale.metadata.resourceVersion = '';
    scale.spec.replicas = 2;
    await ok('PUT', `${path}/scale`, scale);
    await poll('2 replicas', async () => ((await ok('GET', path)).status?.replicas === 2 ? true : undefined));
  });

  // ---- [sig-apps] Deployment (test/e2e/apps/deployment.go) ----

  const REVISION = 'deployment.kubernetes.io/revision';
  const POD_TEMPLATE_HASH = 'pod-template-hash';

  /** newDeployment is e2edeployment.NewDeployment. */
  function newDeployment(name: string, replicas: number, podLabels: Record<string, string>, containerName: string, image: string, strategyType: 'RollingUpdate' | 'Recreate'): Obj {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: podLabels },
      spec: {
        replicas,
        selector: { matchLabels: podLabels },
        strategy: { type: strategyType },
        template: { metadata: { labels: podLabels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: containerName, image, securityContext: {} }] } },
      },
    };
  }

  /** templateSansHash is a pod template without the pod-template-hash label, for EqualIgnoreHash. */
  function templateSansHash(t: Obj): string {
    const labels = { ...(t.metadata?.labels ?? {}) } as Record<string, string>;
    delete labels[POD_TEMPLATE_HASH];
    return JSON.stringify({ ...t, metadata: { ...t.metadata, labels } });
  }

  /** replicaSetsOf answers the deployment's new ReplicaSet (template equal but for the hash) and all its old ones, by controllerRef (testutil.GetAllReplicaSets). */
  async function replicaSetsOf(d: Obj): Promise<{ newRS: Obj | undefined; allOld: Obj[] }> {
    const all = (await ok('GET', `/apis/apps/v1/namespaces/${d.metadata.namespace}/replicasets`)).items as Obj[];
    const owned = all.filter((rs) => isControlledBy(rs, d.metadata.uid as string));
    const want = templateSansHash(d.spec.template as Obj);
    const newRS = owned.filter((rs) => templateSansHash(rs.spec.template as Obj) === want).sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)))[0];
    return { newRS, allOld: owned.filter((rs) => rs !== newRS) };
  }

  /** waitForDeploymentRevisionAndImage is e2edeployment.WaitForDeploymentRevisionAndImage. */
  async function waitForDeploymentRevisionAndImage(ns: string, name: string, revision: string, image: string): Promise<void> {
    let last = '';
    await poll(`deployment ${name} at revision ${revision} with image ${image}`, async () => {
      const d = await ok('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${name}`);
      const { newRS } = await replicaSetsOf(d);
      last = `deployment revision ${d.metadata.annotations?.[REVISION]}, new RS revision ${newRS?.metadata.annotations?.[REVISION]}`;
      const good =
        d.metadata.annotations?.[REVISION] === revision &&
        d.spec.template.spec.containers[0].image === image &&
        newRS !== undefined &&
        newRS.metadata.annotations?.[REVISION] === revision &&
        newRS.spec.template.spec.containers[0].image === image;
      return good ? true : undefined;
    }).catch((e: Error) => {
      throw new Error(`${e.message} (${last})`);
    });
  }

  /** waitForDeploymentComplete is e2edeployment.WaitForDeploymentComplete: all replicas updated and available at the current generation. */
  async function waitForDeploymentComplete(d: Obj): Promise<Obj> {
    return poll(`deployment ${d.metadata.name} complete`, async () => {
      const cur = await ok('GET', `/apis/apps/v1/namespaces/${d.metadata.namespace}/deployments/${d.metadata.name}`);
      const s = cur.status ?? {};
      const replicas = cur.spec.replicas as number;
      const done = (s.observedGeneration ?? 0) >= (d.metadata.generation as number) && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
      return done ? cur : undefined;
    });
  }

  test('[sig-apps] Deployment RollingUpdateDeployment should delete old pods and create new ones', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const rsPodLabels = { name: 'sample-pod', pod: WebserverImageName };
    const rs = newRS('test-rolling-update-controller', 1, rsPodLabels, WebserverImageName, WebserverImage);
    rs.metadata.annotations = { [REVISION]: '3546343826724305832' };
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, rs);
    await verifyPodsRunning(ns, 'sample-pod', 1);
    const deploy = await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, newDeployment('test-rolling-update-deployment', 1, { name: 'sample-pod' }, AgnhostImageName, AgnhostImage, 'RollingUpdate'));
    // The next revision from the one the adopted replica set has.
    await waitForDeploymentRevisionAndImage(ns, deploy.metadata.name as string, '3546343826724305833', AgnhostImage);
    await waitForDeploymentComplete(deploy);
    const { allOld } = await replicaSetsOf(await ok('GET', `/apis/apps/v1/namespaces/${ns}/deployments/${deploy.metadata.name}`));
    assert.equal(allOld.length, 1, 'one old replica set (the one it adopted)');
  });

  test('[sig-apps] Deployment RecreateDeployment should delete old pods and create new ones', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const name = 'test-recreate-deployment';
    const deployment = await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, newDeployment(name, 1, { name: 'sample-pod-3' }, AgnhostImageName, AgnhostImage, 'Recreate'));
    await waitForDeploymentRevisionAndImage(ns, name, '1', AgnhostImage);
    await waitForDeploymentComplete(deployment);
    const d = await updateWithRetries(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`, (u) => {
      u.spec.template.spec.containers[0].name = WebserverImageName;
      u.spec.template.spec.containers[0].image = WebserverImage;
    });
    // watchRecreateDeployment: no new pods may run alongside old ones.
    const w = watchFrom(`/apis/apps/v1/namespaces/${ns}/deployments`, d.metadata.resourceVersion as string);
    await w.until(`deployment ${name} complete`, (e) => {
      if (e.type === 'BOOKMARK' || e.object.metadata.name !== name) return false;
      const s = e.object.status ?? {};
      assert.ok(!((s.updatedReplicas ?? 0) > 0 && s.replicas !== s.updatedReplicas), `deployment ${name} is running new pods alongside old pods: ${JSON.stringify(s)}`);
      return e.object.spec.replicas === s.replicas && e.object.spec.replicas === s.updatedReplicas && e.object.metadata.generation <= (s.observedGeneration ?? 0);
    });
    w.stop();
  });

  test('[sig-apps] Deployment deployment should delete old replica sets', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const rsPodLabels = { name: 'cleanup-pod', pod: WebserverImageName };
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS('test-cleanup-controller', 1, rsPodLabels, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, 'cleanup-pod', 1);
    const pods = await ok('GET', `/api/v1/namespaces/${ns}/pods`);
    // There should be only one pod created from here on, the agnhost one: the old RS must not
    // create a new pod when the deployment controller adds the pod-template-hash label to its selector.
    const created: Obj[] = [];
    const w = watchFrom(`/api/v1/namespaces/${ns}/pods`, pods.metadata.resourceVersion as string);
    const counting = w.until('end of test', (e) => {
      if (e.type === 'ADDED') created.push(e.object);
      return false;
    }, 60_000).catch(() => {});
    const d = newDeployment('test-cleanup-deployment', 1, { name: 'cleanup-pod' }, AgnhostImageName, AgnhostImage, 'RollingUpdate');
    d.spec.revisionHistoryLimit = 0;
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, d);
    await poll('old replica sets cleaned up', async () => {
      const cur = await ok('GET', `/apis/apps/v1/namespaces/${ns}/deployments/test-cleanup-deployment`);
      const { newRS, allOld } = await replicaSetsOf(cur);
      return newRS && allOld.length === 0 ? true : undefined;
    });
    await verifyPodsRunning(ns, 'cleanup-pod', 1);
    w.stop();
    await counting;
    assert.ok(created.length <= 1, `Expect only one pod creation, got ${created.map((p) => p.metadata.name).join(', ')}`);
    for (const p of created) assert.equal(p.spec.containers[0].name, AgnhostImageName, `Expect the created pod to have container name ${AgnhostImageName}`);
  });

  /** getRS answers ReplicaSet ns/name. */
  const getRS = (ns: string, name: string): Promise<Obj> => ok('GET', `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`);

  /** ensureReplicas asserts a ReplicaSet's spec and status replicas. */
  function ensureReplicas(rs: Obj, replicas: number): void {
    assert.equal(rs.spec.replicas, replicas, `${rs.metadata.name} spec.replicas`);
    assert.equal(rs.status?.replicas ?? 0, replicas, `${rs.metadata.name} status.replicas`);
  }

  /** waitForRS polls ReplicaSet rs until cond holds at its observed generation (waitForReplicaSetTargetSpecReplicas and friends). */
  async function waitForRS(rs: Obj, what: string, cond: (cur: Obj) => boolean): Promise<Obj> {
    const generation = rs.metadata.generation as number;
    let last: Obj = {};
    return poll(`replicaset ${rs.metadata.name} ${what}`, async () => {
      const cur = await getRS(rs.metadata.namespace as string, rs.metadata.name as string);
      last = { spec: cur.spec.replicas, status: cur.status };
      return (cur.status?.observedGeneration ?? 0) >= generation && cond(cur) ? cur : undefined;
    }).catch((e: Error) => assert.fail(`${e.message}: ${JSON.stringify(last)}`));
  }

  /** intOrPercent is intstr.GetScaledValueFromIntOrPercent. */
  const intOrPercent = (v: number | string, total: number, roundUp: boolean): number =>
    typeof v === 'number' ? v : (roundUp ? Math.ceil : Math.floor)((Number(v.replace('%', '')) * total) / 100);

  /**
   * waitForDeploymentCompleteAndCheckRolling is testutil.WaitForDeploymentCompleteAndCheckRolling:
   * wait for completion, failing at any poll where the rollout creates more pods than
   * replicas+maxSurge or has fewer available than replicas-maxUnavailable.
   */
  async function waitForDeploymentCompleteAndCheckRolling(d: Obj): Promise<void> {
    const path = `/apis/apps/v1/namespaces/${d.metadata.namespace}/deployments/${d.metadata.name}`;
    await poll(`deployment ${d.metadata.name} complete`, async () => {
      const cur = await ok('GET', path);
      const replicas = cur.spec.replicas as number;
      const s = cur.status ?? {};
      const ru = cur.spec.strategy.rollingUpdate ?? {};
      const maxCreated = replicas + intOrPercent(ru.maxSurge ?? '25%', replicas, true);
      const rss = (await ok('GET', `/apis/apps/v1/namespaces/${d.metadata.namespace}/replicasets`)).items as Obj[];
      const totalCreated = rss.filter((rs) => isControlledBy(rs, cur.metadata.uid as string)).reduce((n, rs) => n + ((rs.status?.replicas as number) ?? 0), 0);
      assert.ok(totalCreated <= maxCreated, `total pods created: ${totalCreated}, more than the max allowed: ${maxCreated}`);
      const minAvailable = replicas - intOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
      assert.ok((s.availableReplicas ?? 0) >= minAvailable, `total pods available: ${s.availableReplicas ?? 0}, less than the min required: ${minAvailable}`);
      const done = (s.observedGeneration ?? 0) >= (cur.metadata.generation as number) && s.updatedReplicas === replicas && s.replicas === replicas && s.availableReplicas === replicas;
      return done ? true : undefined;
    });
  }

  test('[sig-apps] Deployment deployment should support rollover', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const podName = 'rollover-pod';
    const rsName = 'test-rollover-controller';
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, newRS(rsName, 1, { name: podName, pod: WebserverImageName }, WebserverImageName, WebserverImage));
    await verifyPodsRunning(ns, podName, 1);
    // Wait for the replica set to become ready before adopting it.
    await poll(`replica set ${rsName} ready`, async () => {
      const rs = await getRS(ns, rsName);
      return (rs.status?.readyReplicas ?? 0) === rs.spec.replicas ? true : undefined;
    });
    // A nonexistent image, so that the rollout cannot finish.
    const deploymentName = 'test-rollover-deployment';
    const deploymentImage = 'gcr.io/google_samples/gb-redisslave:nonexistent';
    const newDeploymentObj = newDeployment(deploymentName, 1, { name: podName }, 'redis-slave', deploymentImage, 'RollingUpdate');
    newDeploymentObj.spec.strategy.rollingUpdate = { maxUnavailable: 0, maxSurge: 1 };
    newDeploymentObj.spec.minReadySeconds = 10;
    await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, newDeploymentObj);
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/${deploymentName}`;
    let deployment = await ok('GET', path);
    // The deployment scales replica sets up and down: updatedReplicas >= 1.
    const generation = deployment.metadata.generation as number;
    await poll('updatedReplicas >= 1', async () => {
      const cur = await ok('GET', path);
      return (cur.status?.observedGeneration ?? 0) >= generation && (cur.status?.updatedReplicas ?? 0) >= 1 ? true : undefined;
    });
    // checkDeploymentRevisionAndImage: revision 1 and the image, checked once.
    deployment = await ok('GET', path);
    const { newRS: firstNewRS } = await replicaSetsOf(deployment);
    assert.equal(deployment.metadata.annotations?.[REVISION], '1');
    assert.ok(firstNewRS, 'new replica set');
    assert.equal(firstNewRS.metadata.annotations?.[REVISION], '1');
    assert.equal(deployment.spec.template.spec.containers[0].image, deploymentImage);
    assert.equal(firstNewRS.spec.template.spec.containers[0].image, deploymentImage);
    // Both replica sets have 1 created replica.
    ensureReplicas(await getRS(ns, rsName), 1);
    const newRSName = firstNewRS.metadata.name as string;
    ensureReplicas(await poll('new replica set status', async () => {
      const rs = await getRS(ns, newRSName);
      return (rs.status?.replicas ?? 0) === 1 ? rs : undefined;
    }), 1);

    // The deployment is stuck: update it to roll over both ReplicaSets to agnhost pods.
    deployment = await updateWithRetries(path, (u) => {
      u.spec.template.spec.containers[0].name = AgnhostImageName;
      u.spec.template.spec.containers[0].image = AgnhostImage;
    });
    const gen2 = deployment.metadata.generation as number;
    await poll('observed generation', async () => (((await ok('GET', path)).status?.observedGeneration ?? 0) >= gen2 ? true : undefined));
    await waitForDeploymentRevisionAndImage(ns, deploymentName, '2', AgnhostImage);
    await waitForDeploymentCompleteAndCheckRolling(deployment);
    ensureReplicas(await getRS(ns, rsName), 0);
    ensureReplicas(await getRS(ns, newRSName), 0);
  });

  test('[sig-apps] Deployment deployment should support proportional scaling', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const replicas = 10;
    const name = 'webserver-deployment';
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
    const d = newDeployment(name, replicas, { name: WebserverImageName }, WebserverImageName, WebserverImage, 'RollingUpdate');
    d.spec.strategy.rollingUpdate = { maxSurge: 3, maxUnavailable: 2 };
    let deployment = await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, d);
    const observed = async (g: number): Promise<void> => {
      await poll(`observed generation ${g}`, async () => (((await ok('GET', path)).status?.observedGeneration ?? 0) >= g ? true : undefined));
    };
    await observed(deployment.metadata.generation as number);
    await verifyPodsRunning(ns, WebserverImageName, replicas);
    await waitForDeploymentComplete(deployment);
    let firstRS = (await replicaSetsOf(await ok('GET', path))).newRS!;
    assert.ok(firstRS, 'first rollout replica set');

    // A nonexistent image blocks the new replica set: a partial rollout.
    deployment = await updateWithRetries(path, (u) => (u.spec.template.spec.containers[0].image = 'webserver:404'));
    await observed(deployment.metadata.generation as number);
    const maxUnavailable = intOrPercent(deployment.spec.strategy.rollingUpdate.maxUnavailable, replicas, false);
    // The first rollout's replica set keeps replicas - maxUnavailable = 8 available, and .spec.replicas = 8.
    const minAvailableReplicas = replicas - maxUnavailable;
    await waitForRS(firstRS, `availableReplicas ${minAvailableReplicas}`, (rs) => (rs.status?.availableReplicas ?? 0) === minAvailableReplicas);
    await waitForRS(firstRS, `spec.replicas ${minAvailableReplicas}`, (rs) => rs.spec.replicas === minAvailableReplicas);
    firstRS = await getRS(ns, firstRS.metadata.name as string);
    await waitForRS(firstRS, 'desired replicas', (rs) => rs.status?.replicas === firstRS.spec.replicas && rs.status?.replicas === rs.spec.replicas);

    let secondRS = (await replicaSetsOf(deployment)).newRS!;
    assert.ok(secondRS, 'second rollout replica set');
    const maxSurge = intOrPercent(deployment.spec.strategy.rollingUpdate.maxSurge, replicas, false);
    assert.equal(secondRS.status?.availableReplicas ?? 0, 0, "second rollout's replicaset has .status.availableReplicas = 0");
    // replicas + maxSurge - first RS's replicas = 10 + 3 - 8 = 5.
    const newReplicas = replicas + maxSurge - minAvailableReplicas;
    await waitForRS(secondRS, `spec.replicas ${newReplicas}`, (rs) => rs.spec.replicas === newReplicas);
    secondRS = await getRS(ns, secondRS.metadata.name as string);
    await waitForRS(secondRS, 'desired replicas', (rs) => rs.status?.replicas === secondRS.spec.replicas && rs.status?.replicas === rs.spec.replicas);
    assert.ok((deployment.status?.availableReplicas ?? 0) >= minAvailableReplicas, `observed ${deployment.status?.availableReplicas} available replicas, less than min required ${minAvailableReplicas}`);

    // Scale to 30: 8 + (30-10)*(8/13) = 20 for the first, 5 + (30-10)*(5/13) = 13 for the second.
    await updateWithRetries(path, (u) => (u.spec.replicas = 30));
    firstRS = await getRS(ns, firstRS.metadata.name as string);
    secondRS = await getRS(ns, secondRS.metadata.name as string);
    await waitForRS(firstRS, 'spec.replicas 20', (rs) => rs.spec.replicas === 20);
    await waitForRS(secondRS, 'spec.replicas 13', (rs) => rs.spec.replicas === 13);
  });

  test('[sig-apps] Deployment Deployment should have a working scale subresource', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const name = 'test-new-deployment';
    const path = `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
    const deploy = await ok('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, newDeployment(name, 1, { name: WebserverImageName }, WebserverImageName, WebserverImage, 'RollingUpdate'));
    await waitForDeploymentRevisionAndImage(ns, name, '1', WebserverImage);
    await waitForDeploymentComplete(deploy);
    await ok('GET', path);
    const scale = await ok('GET', `${path}/scale`);
    assert.equal(scale.spec.replicas, 1);
    assert.equal(scale.status.replicas, 1);
    scale.metadata.resourceVersion = '';
    scale.spec.replicas = 2;
    assert.equal((await ok('PUT', `${path}/scale`, scale)).spec.replicas, 2);
    assert.equal((await ok('GET', path)).spec.replicas, 2);
    await ok('PATCH', `${path}/scale`, { spec: { replicas: 4 } }, strategic);
    assert.equal((await ok('GET', path)).spec.replicas, 4, 'deployment should have 4 replicas');
  });

  test('[sig-apps] Deployment should run the lifecycle of a Deployment', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const name = 'test-deployment';
    const flat = 'test-deployment-static=true';
    const collection = `/apis/apps/v1/namespaces/${ns}/deployments`;
    let list = await ok('GET', `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(flat)}`);
    // Every step's watchtools.Until watches anew from the last list's resourceVersion.
    const until = async (what: string, cond: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<void> => {
      const w = watchFrom(collection, list.metadata.resourceVersion as string, flat);
      try {
        await w.until(what, (e) => e.type !== 'BOOKMARK' && cond(e), timeoutMs);
      } finally {
        w.stop();
      }
    };
    const ours = (o: Obj): boolean => o.metadata.name === name && o.metadata.labels?.['test-deployment-static'] === 'true';

    const testDeployment = newDeployment(name, 2, { 'test-deployment-static': 'true' }, name, AgnhostImage, 'RollingUpdate');
    testDeployment.metadata.labels = { 'test-deployment-static': 'true' };
    testDeployment.spec.template.spec.terminationGracePeriodSeconds = 1;
    await ok('POST', collection, testDeployment);
    await until('Deployment created', (e) => e.type === 'ADDED' && ours(e.object));
    await until('all Replicas Ready', (e) => ours(e.object) && e.object.status?.readyReplicas === 2);

    // patching the Deployment
    const patch = { metadata: { labels: { 'test-deployment': 'patched' } }, spec: { replicas: 1, template: { spec: { terminationGracePeriodSeconds: 2, containers: [{ name, image: PauseImage }] } } } };
    await ok('PATCH', `${collection}/${name}`, patch, strategic);
    await until('Deployment patched', (e) => e.type === 'MODIFIED' && ours(e.object));
    await until('Replicas to scale', (e) => {
      const o = e.object;
      return ours(o) && o.status?.readyReplicas === 1 && o.status?.updatedReplicas === 1 && (o.status?.unavailableReplicas ?? 0) === 0 && o.spec.template.spec.containers[0].image === PauseImage && o.spec.template.spec.terminationGracePeriodSeconds === 2;
    });

    // listing Deployments
    list = await ok('GET', `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(flat)}`);
    assert.ok((list.items as Obj[]).some((i) => i.metadata.name === name && i.metadata.namespace === ns && i.metadata.labels['test-deployment-static'] === 'true'), 'unable to find the Deployment in the list');

    // updating the Deployment: an unconditional PUT of the original object with new labels, image and replicas
    const update = structuredClone(testDeployment);
    update.metadata.labels['test-deployment'] = 'updated';
    update.spec.template.spec.containers[0].image = WebserverImage;
    update.spec.replicas = 2;
    update.metadata.namespace = ns;
    await ok('PUT', `${collection}/${name}`, update);
    await until('Deployment updated', (e) => e.type === 'MODIFIED' && ours(e.object));
    let got = await ok('GET', `${collection}/${name}/status`);
    assert.equal(got.spec.template.spec.containers[0].image, WebserverImage, 'failed to update image');
    assert.equal(got.metadata.labels['test-deployment'], 'updated', 'failed to update labels');
    await until('Replicas to scale', (e) => ours(e.object) && e.object.status?.readyReplicas === 2 && e.object.status?.updatedReplicas === 2 && (e.object.status?.unavailableReplicas ?? 0) === 0);

    // patching the DeploymentStatus: the labels in a status patch are not applied
    await ok('PATCH', `${collection}/${name}/status`, { metadata: { labels: { 'test-deployment': 'patched-status' } }, status: { readyReplicas: 0, availableReplicas: 0 } }, strategic);
    await until('Deployment status patched', (e) => e.type === 'MODIFIED' && ours(e.object));
    got = await ok('GET', `${collection}/${name}/status`);
    assert.equal(got.spec.template.spec.containers[0].image, WebserverImage, 'failed to update image');
    assert.equal(got.metadata.labels['test-deployment'], 'updated', 'failed to update labels');
    await until('Replicas to scale', (e) => ours(e.object) && e.object.status?.readyReplicas === 2 && e.object.status?.updatedReplicas === 2 && (e.object.status?.unavailableReplicas ?? 0) === 0 && e.object.spec.template.spec.containers[0].image === WebserverImage);

    // deleting the Deployment
    await ok('DELETE', `${collection}?labelSelector=${encodeURIComponent(flat)}`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    await until('Deployment deleted', (e) => e.type === 'DELETED' && ours(e.object));
  });

  test('[sig-apps] Deployment should validate Deployment Status endpoints', async () => {
    const ns = await newNamespace('deployment', 'baseline');
    const dName = `test-deployment-${Math.random().toString(36).slice(2, 7)}`;
    const labelSelector = 'e2e=testing';
    const collection = `/apis/apps/v1/namespaces/${ns}/deployments`;
    const dList = await ok('GET', `/apis/apps/v1/deployments?labelSelector=${encodeURIComponent(labelSelector)}`);
    const deploy = await ok('POST', collection, newDeployment(dName, 1, { name: WebserverImageName, e2e: 'testing' }, WebserverImageName, WebserverImage, 'RollingUpdate'));
    await waitForDeploymentRevisionAndImage(ns, dName, '1', WebserverImage);
    await waitForDeploymentComplete(deploy);
    const testDeployment = await ok('GET', `${collection}/${dName}`);
    const status = await ok('GET', `${collection}/${dName}/status`);
    assert.equal(status.kind, 'Deployment');

    await retryOnConflict(async () => {
      const cur = await ok('GET', `${collection}/${dName}`);
      cur.status.conditions = [...((cur.status.conditions ?? []) as Obj[]), { type: 'StatusUpdate', status: 'True', reason: 'E2E', message: 'Set from e2e test' }];
      return call('PUT', `${collection}/${dName}/status`, cur);
    });
    const isOurs = (o: Obj): boolean => o.metadata.name === testDeployment.metadata.name && o.metadata.namespace === ns && o.metadata.labels?.e2e === 'testing';
    const w1 = watchFrom(collection, dList.metadata.resourceVersion as string, labelSelector);
    await w1.until('Deployment status updated', (e) => e.type !== 'BOOKMARK' && isOurs(e.object) && ((e.object.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'StatusUpdate' && c.reason === 'E2E' && c.message === 'Set from e2e test'));
    w1.stop();

    const patched = await ok('PATCH', `${collection}/${dName}/status`, '{"status":{"conditions":[{"type":"StatusPatched","status":"True"}]}}', merge);
    assert.ok((patched.status.conditions as Obj[]).some((c) => c.type === 'StatusPatched'));
    const w2 = watchFrom(collection, dList.metadata.resourceVersion as string, labelSelector);
    await w2.until('Deployment status patched', (e) => e.type !== 'BOOKMARK' && isOurs(e.object) && ((e.object.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'StatusPatched'));
    w2.stop();
  });

  // ---- [sig-apps] DisruptionController (test/e2e/apps/disruption.go) ----

  const pdbPath = (ns: string, name = 'foo'): string => `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${name}`;

  /** waitForPdbToBeProcessed waits until the controller has observed the PDB's generation. */
  async function waitForPdbToBeProcessed(ns: string, name = 'foo'): Promise<void> {
    await poll(`pdb ${name} processed`, async () => {
      const pdb = await ok('GET', pdbPath(ns, name));
      return (pdb.status?.observedGeneration ?? 0) >= (pdb.metadata.generation as number) ? true : undefined;
    });
  }

  async function createPDBMinAvailableOrDie(ns: string, name: string, minAvailable: number | string, labels: Record<string, string>): Promise<void> {
    await ok('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, labels }, spec: { selector: { matchLabels: { foo: 'bar' } }, minAvailable } });
    await waitForPdbToBeProcessed(ns, name);
  }

  /** updatePDBOrDie gets, changes and PUTs the PDB (or its status) under RetryOnConflict, then waits for it to be processed. */
  async function updatePDBOrDie(ns: string, name: string, f: (pdb: Obj) => void, subresource = ''): Promise<Obj> {
    const updated = await retryOnConflict(async () => {
      const old = await ok('GET', pdbPath(ns, name));
      f(old);
      return call('PUT', pdbPath(ns, name) + subresource, old);
    });
    await waitForPdbToBeProcessed(ns, name);
    return updated;
  }

  /** patchPDBOrDie merge-patches the PDB (or its status) under RetryOnConflict, then waits for it to be processed. */
  async function patchPDBOrDie(ns: string, name: string, patch: (old: Obj) => unknown, subresource = ''): Promise<Obj> {
    const updated = await retryOnConflict(async () => {
      const old = await ok('GET', `${pdbPath(ns, name)}/status`);
      return call('PATCH', pdbPath(ns, name) + subresource, patch(old), merge);
    });
    await waitForPdbToBeProcessed(ns, name);
    return updated;
  }

  async function deletePDBOrDie(ns: string, name: string): Promise<void> {
    await ok('DELETE', pdbPath(ns, name));
    await poll(`pdb ${name} deleted`, async () => ((await call('GET', pdbPath(ns, name))).status === 404 ? true : undefined));
  }

  async function createPodsOrDie(ns: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await ok('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: `pod-${i}`, labels: { foo: 'bar' } }, spec: { containers: [{ name: 'donothing', image: PauseImage }], restartPolicy: 'Always' } });
    }
  }

  const isReady = (p: Obj): boolean => ((p.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True');

  /** waitForPodsOrDie waits for n ready, not terminating pods labelled foo=bar. */
  async function waitForPodsOrDie(ns: string, n: number): Promise<void> {
    await poll(`${n} ready pods`, async () => {
      const pods = (await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=foo%3Dbar`)).items as Obj[];
      return pods.filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length >= n ? true : undefined;
    });
  }

  async function locateRunningPod(ns: string): Promise<Obj> {
    return poll('a running pod', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/pods`)).items as Obj[]).find((p) => isReady(p) && !p.metadata.deletionTimestamp));
  }

  function createReplicaSetOrDie(ns: string, size: number): Promise<Obj> {
    return ok('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs' },
      spec: { replicas: size, selector: { matchLabels: { foo: 'bar' } }, template: { metadata: { labels: { foo: 'bar' } }, spec: { containers: [{ name: 'donothing', image: PauseImage }] } } },
    });
  }

  const evict = (ns: string, name: string) => call('POST', `/api/v1/namespaces/${ns}/pods/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: ns } });
  /** hasDisruptionBudgetCause is apierrors.HasStatusCause(err, policyv1.DisruptionBudgetCause). */
  const hasDisruptionBudgetCause = (r: { status: number; body: Obj }): boolean => r.status >= 400 && ((r.body.details?.causes ?? []) as Obj[]).some((c) => c.reason === 'DisruptionBudget');

  test('[sig-apps] DisruptionController should create a PodDisruptionBudget', async () => {
    const ns = await newNamespace('disruption', 'privileged');
    await createPDBMinAvailableOrDie(ns, 'foo', '1%', { foo: 'bar' });
    const updated = await updatePDBOrDie(ns, 'foo', (pdb) => (pdb.spec.minAvailable = '2%'));
    assert.equal(updated.spec.minAvailable, '2%');
    const patched = await patchPDBOrDie(ns, 'foo', () => ({ spec: { minAvailable: '3%' } }));
    assert.equal(patched.spec.minAvailable, '3%');
    await deletePDBOrDie(ns, 'foo');
  });

  test('[sig-apps] DisruptionController should observe PodDisruptionBudget status updated', async () => {
    const ns = await newNamespace('disruption', 'privileged');
    await createPDBMinAvailableOrDie(ns, 'foo', 1, { foo: 'bar' });
    await createPodsOrDie(ns, 3);
    await waitForPodsOrDie(ns, 3);
    // disruptionsAllowed starts out 0: seeing it positive means the controller works.
    await poll('disruptionsAllowed > 0', async () => (((await ok('GET', pdbPath(ns))).status?.disruptionsAllowed ?? 0) > 0 ? true : undefined));
  });

  test('[sig-apps] DisruptionController should update/patch PodDisruptionBudget status', async () => {
    const ns = await newNamespace('disruption', 'privileged');
    await createPDBMinAvailableOrDie(ns, 'foo', 1, { foo: 'bar' });
    // The pod must exist, or the controller drops it from disruptedPods.
    await createPodsOrDie(ns, 1);
    await waitForPodsOrDie(ns, 1);
    const pod = await locateRunningPod(ns);
    await updatePDBOrDie(ns, 'foo', (old) => (old.status.disruptedPods = { [pod.metadata.name as string]: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }), '/status');
    const updated = await ok('GET', `${pdbPath(ns)}/status`);
    assert.ok(pod.metadata.name in (updated.status.disruptedPods ?? {}), `Expecting the DisruptedPods have ${pod.metadata.name}`);
    // CreateMergePatch(old, old with empty disruptedPods): the map is dropped.
    const patched = await patchPDBOrDie(ns, 'foo', () => ({ status: { disruptedPods: null } }), '/status');
    assert.equal(Object.keys(patched.status.disruptedPods ?? {}).length, 0, "Expecting the PodDisruptionBudget's be empty");
  });

  test('[sig-apps] DisruptionController should block an eviction until the PDB is updated to allow it', async () => {
    const ns = await newNamespace('disruption', 'privileged');
    await createPDBMinAvailableOrDie(ns, 'foo', 3, { foo: 'bar' });
    await createReplicaSetOrDie(ns, 3);
    // First trying to evict a pod which shouldn't be evictable.
    await waitForPodsOrDie(ns, 3);
    let pod = await locateRunningPod(ns);
    let r = await evict(ns, pod.metadata.name as string);
    assert.ok(hasDisruptionBudgetCause(r), `pod eviction should fail with DisruptionBudget cause. The answer was ${r.status} ${r.text}`);

    // Updating the pdb to allow a pod to be evicted.
    await updatePDBOrDie(ns, 'foo', (pdb) => (pdb.spec.minAvailable = 2));
    await waitForPodsOrDie(ns, 3);
    await poll('pdb to observe all healthy pods', async () => {
      const pdb = await ok('GET', pdbPath(ns));
      return pdb.status?.currentHealthy === 3 && pdb.status?.desiredHealthy === 2 ? true : undefined;
    });
    r = await evict(ns, pod.metadata.name as string);
    assert.ok(r.status >= 200 && r.status < 300, `the eviction is now allowed: ${r.status} ${r.text}`);

    // Patching the pdb to disallow a pod to be evicted.
    await patchPDBOrDie(ns, 'foo', () => ({ spec: { minAvailable: null, maxUnavailable: 0 } }));
    await waitForPodsOrDie(ns, 3);
    pod = await locateRunningPod(ns);
    r = await evict(ns, pod.metadata.name as string);
    assert.ok(hasDisruptionBudgetCause(r), `pod eviction should fail with DisruptionBudget cause. The answer was ${r.status} ${r.text}`);

    // Deleting the pdb to allow a pod to be evicted.
    await deletePDBOrDie(ns, 'foo');
    await waitForPodsOrDie(ns, 3);
    r = await evict(ns, pod.metadata.name as string);
    assert.ok(r.status >= 200 && r.status < 300, `the eviction is now allowed: ${r.status} ${r.text}`);
  });

  // ---- [sig-node] Pods (test/e2e/common/node/pods.go) ----

  test('[sig-node] Pods should get a host IP', async () => {
    const ns = await newNamespace('pods', 'restricted');
    const name = `pod-hostip-${crypto.randomUUID()}`;
    await createSync(ns, restricted({ metadata: { name }, spec: { containers: [{ name: 'test', image: PauseImage }] } }));
    const p = await poll('hostIP', async () => {
      const cur = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
      return cur.status?.hostIP ? cur : undefined;
    });
    assert.match(p.status.hostIP as string, /^\d+\.\d+\.\d+\.\d+$/);
  });

  test('[sig-node] Pods should be submitted and removed', async () => {
    const ns = await newNamespace('pods', 'restricted');
    const name = `pod-submit-remove-${crypto.randomUUID()}`;
    const value = String(process.hrtime()[1]);
    const pod = restricted({ metadata: { name, labels: { name: 'foo', time: value } }, spec: { containers: [{ name: 'pause', image: PauseImage }] } });
    const byTime = () => `/api/v1/namespaces/${ns}/pods?labelSelector=time%3D${value}`;
    const pods = await ok('GET', byTime());
    assert.equal(pods.items.length, 0);
    const w = watchFrom(`/api/v1/namespaces/${ns}/pods`, pods.metadata.resourceVersion as string, `time=${value}`);
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, pod);
    assert.equal((await ok('GET', byTime())).items.length, 1);
    const first = await w.until('pod creation', (e) => e.type !== 'BOOKMARK');
    assert.equal(first.type, 'ADDED', 'Failed to observe pod creation');
    await podRunning(ns, name);
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 30 });
    const deleted = await w.until('pod deletion', (e) => {
      assert.notEqual(e.type, 'ERROR', 'watch closed with error');
      return e.type === 'DELETED';
    }, 40_000);
    w.stop();
    assert.ok(deleted.object.metadata.deletionTimestamp);
    assert.ok(deleted.object.spec.terminationGracePeriodSeconds > 0);
    assert.equal((await ok('GET', byTime())).items.length, 0);
  });

  test('[sig-node] Pods should be updated', async () => {
    const ns = await newNamespace('pods', 'restricted');
    const name = `pod-update-${crypto.randomUUID()}`;
    let value = String(process.hrtime()[1]);
    await createSync(ns, restricted({ metadata: { name, labels: { name: 'foo', time: value } }, spec: { containers: [{ name: 'pause', image: PauseImage }] } }));
    assert.equal((await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=time%3D${value}`)).items.length, 1);
    await updateWithRetries(`/api/v1/namespaces/${ns}/pods/${name}`, (p) => {
      value = String(process.hrtime()[1]);
      p.metadata.labels.time = value;
    });
    await podRunning(ns, name);
    assert.equal((await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=time%3D${value}`)).items.length, 1);
  });

  test('[sig-node] Pods should delete a collection of pods', async () => {
    const ns = await newNamespace('pods', 'restricted');
    for (const name of ['test-pod-1', 'test-pod-2', 'test-pod-3']) {
      await ok('POST', `/api/v1/namespaces/${ns}/pods`, restricted({
        metadata: { name, labels: { type: 'Testing' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ image: AgnhostImage, name: 'token-test' }], restartPolicy: 'Never' },
      }));
    }
    await poll('3 pods running and ready', async () => {
      const items = (await ok('GET', `/api/v1/namespaces/${ns}/pods`)).items as Obj[];
      const ready = items.filter((p) => p.status?.phase === 'Running' && ((p.status?.conditions ?? []) as Obj[]).some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === 3 ? true : undefined;
    });
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods?labelSelector=type%3DTesting`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    await poll('all pods deleted', async () => ((await ok('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=type%3DTesting`)).items.length === 0 ? true : undefined));
  });

  test('[sig-node] Pods should run through the lifecycle of Pods and PodStatus', async () => {
    const ns = await newNamespace('pods', 'restricted');
    const name = 'pod-test';
    const image2 = 'registry.k8s.io/e2e-test-images/httpd:2.4.38-4';
    const podsList = await ok('GET', '/api/v1/pods?labelSelector=test-pod-static%3Dtrue');
    const w = watchFrom(`/api/v1/namespaces/${ns}/pods`, podsList.metadata.resourceVersion as string, 'test-pod-static=true');
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, restricted({ metadata: { name, labels: { 'test-pod-static': 'true' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name, image: AgnhostImage }] } }));
    await w.until('pod running', (e) => e.type !== 'BOOKMARK' && e.object.metadata.name === name && e.object.metadata.namespace === ns && e.object.metadata.labels['test-pod-static'] === 'true' && e.object.status?.phase === 'Running');
    w.stop();
    const p = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    assert.equal(p.status.phase, 'Running');

    // patching the Pod with a new label and updated data
    const w2 = watchFrom(`/api/v1/namespaces/${ns}/pods`, p.metadata.resourceVersion as string, 'test-pod-static=true');
    await ok('PATCH', `/api/v1/namespaces/${ns}/pods/${name}`, { metadata: { labels: { 'test-pod': 'patched' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name, image: image2 }] } }, strategic);
    await w2.until('pod modified', (e) => e.type === 'MODIFIED' && e.object.metadata.labels['test-pod-static'] === 'true');
    w2.stop();
    const pod = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    assert.equal(pod.metadata.labels['test-pod'], 'patched', 'failed to patch Pod - missing label');
    assert.equal(pod.spec.containers[0].image, image2, 'failed to patch Pod - wrong image');

    // replacing the Pod's status Ready condition to False
    const update = await retryOnConflict(async () => {
      const st = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}/status`);
      let n = 0;
      for (const c of (st.status.conditions ?? []) as Obj[]) {
        if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True') {
          c.status = 'False';
          n++;
        }
      }
      assert.equal(n, 2, 'failed to patch all relevant Pod conditions');
      return call('PUT', `/api/v1/namespaces/${ns}/pods/${name}/status`, st);
    });
    const falses = ((update.status.conditions ?? []) as Obj[]).filter((c) => (c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'False');
    assert.equal(falses.length, 2, "failed to update PodStatus - field patch count doesn't match the total");

    // deleting the Pod via a collection with a label selector
    const w3 = watchFrom(`/api/v1/namespaces/${ns}/pods`, update.metadata.resourceVersion as string, 'test-pod-static=true');
    await ok('DELETE', `/api/v1/namespaces/${ns}/pods?labelSelector=test-pod-static%3Dtrue`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1 });
    await w3.until('pod deleted', (e) => e.type === 'DELETED' && e.object.metadata.labels['test-pod-static'] === 'true');
    w3.stop();
    const post = await call('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    assert.equal(post.status, 404, `pod ${name} found in namespace ${ns}, but it should be deleted: ${post.text}`);
  });

  test('[sig-node] Pods should patch a pod status', async () => {
    const ns = await newNamespace('pods', 'restricted');
    const podName = `pod-${Math.random().toString(36).slice(2, 7)}`;
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, restricted({ metadata: { name: podName, labels: { e2e: podName } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'agnhost', image: AgnhostImage }] } }));
    await podRunning(ns, podName);
    const pStatus = await ok('PATCH', `/api/v1/namespaces/${ns}/pods/${podName}/status`, '{"metadata":{"annotations":{"patchedstatus":"true"}},"status":{"message":"Patched by e2e test","reason":"E2E"}}', merge);
    assert.equal(pStatus.status.message, 'Patched by e2e test');
    assert.equal(pStatus.status.reason, 'E2E');
  });
  // ---- [sig-node] Pods Extended (test/e2e/node/pods.go) ----

  test('[sig-node] Pods Extended Pods Set QOS Class should be set on Pods with matching resource requests and limits for memory and cpu', async () => {
    const ns = await newNamespace('pods', 'baseline');
    const name = `pod-qos-class-${crypto.randomUUID()}`;
    const resources = { cpu: '100m', memory: '100Mi' };
    await ok('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name, labels: { name } }, spec: { containers: [{ name: 'agnhost', image: AgnhostImage, args: ['pause'], resources: { limits: resources, requests: resources } }] } });
    const pod = await ok('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    assert.equal(pod.status.qosClass, 'Guaranteed');
  });
});
