/**
 * End-to-end resilience of `k8ts controller-manager` run as child processes: SIGKILL in the
 * middle of a rollout and a restart complete it without extra ReplicaSets or pods beyond
 * maxSurge; with two managers only the Lease holder acts, and the other takes over within
 * the lease duration when the leader is killed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { RestClient, SharedInformerFactory, gvr, loadRestConfig } from '../../src/client/index.js';
import { spawnControllerManager, startPodReadier, waitFor, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';

const haveKubectl = kubectlPath() !== undefined;

const deploymentYAML = (name: string, replicas: number, image: string, surge: number, unavailable: number): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, labels: {app: ${name}}}
spec:
  replicas: ${replicas}
  strategy: {rollingUpdate: {maxSurge: ${surge}, maxUnavailable: ${unavailable}}}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: "${image}"}]}
`;

describe('controller-manager resilience', { skip: haveKubectl ? false : 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;
  let client: RestClient;
  let readier: { stop(): Promise<void> };
  const children: ChildProcessHandle[] = [];

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.1' });
    k = new Kubectl(srv.kubeconfig);
    client = new RestClient({ ...loadRestConfig({ kubeconfig: srv.kubeconfig }), qps: Infinity });
    // Pods take a while to become ready, so a rollout lasts long enough to be interrupted.
    readier = startPodReadier(client, { delayMs: 150 });
  });
  after(async () => {
    for (const c of children) await c.kill();
    await readier?.stop();
    await srv?.stop();
  });

  const start = async (args: string[]): Promise<ChildProcessHandle> => {
    const c = await spawnControllerManager(srv.kubeconfig, args);
    children.push(c);
    return c;
  };
  const rolloutStatus = (name: string): Promise<string> => k.ok(['rollout', 'status', `deployment/${name}`, '--timeout=60s'], { timeoutMs: 70_000 });

  test('SIGKILL mid-rollout, restart: the rollout completes within maxSurge, with no extra ReplicaSets', async () => {
    let cm = await start(['--leader-elect=false']);
    await k.ok(['create', '-f', '-'], { stdin: deploymentYAML('kill', 6, 'app:1', 1, 0) });
    await rolloutStatus('kill');

    const ac = new AbortController();
    const factory = new SharedInformerFactory(client);
    const podInf = factory.forResource<Pod>(gvr.pods, { labelSelector: 'app=kill' });
    const rsInf = factory.forResource<ReplicaSet>(gvr.replicasets, { labelSelector: 'app=kill' });
    const violations: string[] = [];
    let armed = false;
    const check = (): void => {
      if (!armed) return;
      const pods = podInf.getIndexer().list().filter((p) => !p.metadata?.deletionTimestamp);
      const ready = pods.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      if (pods.length > 7) violations.push(`${pods.length} pods`);
      if (ready < 6) violations.push(`${ready} ready`);
      if (rsInf.getIndexer().list().length > 2) violations.push(`${rsInf.getIndexer().list().length} ReplicaSets`);
    };
    podInf.addEventHandler({ add: check, update: check, delete: check });
    rsInf.addEventHandler({ add: check, update: check, delete: check });
    factory.start(ac.signal);
    await factory.waitForCacheSync();
    armed = true;
    try {
      await k.ok(['set', 'image', 'deployment/kill', 'app=app:2']);
      // Kill once the new ReplicaSet has some, but not all, of its pods.
      await waitFor('mid-rollout', () => {
        const fresh = rsInf.getIndexer().list().find((rs) => rs.spec?.template?.spec?.containers[0]?.image === 'app:2');
        const n = fresh?.status?.readyReplicas ?? 0;
        return n >= 2 && n < 6;
      }, 30_000);
      await cm.kill('SIGKILL');
      cm = await start(['--leader-elect=false']);
      await rolloutStatus('kill');
    } finally {
      ac.abort();
      await factory.shutdown();
    }
    assert.deepEqual(violations, []);
    assert.equal((await k.ok(['get', 'rs', '-l', 'app=kill', '-o', 'name'])).trim().split('\n').length, 2);
    assert.equal((await k.ok(['get', 'pods', '-l', 'app=kill', '-o', 'name'])).trim().split('\n').length, 6);
    await cm.kill('SIGTERM');
  });

  test('two managers: only the leader acts; the other takes over within the lease duration', async () => {
    const flags = ['--leader-elect-lease-duration=2s', '--leader-elect-renew-deadline=1500ms', '--leader-elect-retry-period=200ms'];
    const a = await start(flags);
    const leaseApi = client.resource<Lease>(gvr.leases).namespace('kube-system');
    const holder = await waitFor('a lease holder', async () => (await leaseApi.get('kube-controller-manager')).spec?.holderIdentity, 15_000);
    const b = await start(flags);
    await new Promise((r) => setTimeout(r, 800));
    const [leader, standby] = a.output().includes(`${holder} became leader`) ? [a, b] : [b, a];
    assert.match(leader.output(), /became leader/);
    assert.doesNotMatch(standby.output(), /became leader/, 'the standby does not run controllers');
    await k.ok(['create', '-f', '-'], { stdin: deploymentYAML('ha', 2, 'app:1', 1, 0) });
    await rolloutStatus('ha');

    const killedAt = Date.now();
    await leader.kill('SIGKILL');
    await waitFor('standby leads', () => standby.output().includes('became leader'), 10_000).catch((err: Error) => {
      throw new Error(`${err.message}; standby log:\n${standby.output()}`);
    });
    const took = Date.now() - killedAt;
    // The standby acquires once it has seen no renewal for the 2 s lease duration (polling every
    // 200 ms); the rest of the bound is slack for a loaded CI machine.
    assert.ok(took <= 2 * 2000 + 1000, `takeover took ${took} ms`);
    assert.notEqual((await leaseApi.get('kube-controller-manager')).spec?.holderIdentity, holder);
    await k.ok(['scale', 'deployment', 'ha', '--replicas=4']);
    await rolloutStatus('ha');
    assert.match(await k.ok(['get', 'deploy', 'ha']), /^ha\s+4\/4\s+4\s+4\s+/m);
  });
});
