import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { startTestApiServer, type TestApiServer } from '../apiserver/testing.js';
import { gvr, InProcessTransport, RestClient } from '../client/index.js';
import { resolveConfig } from './config/config.js';
import { startScheduler } from './run.js';
import { makeNode, makePod } from './testing.js';

/** The scheduler against a real apiserver (in-memory SQLite, in-process transport). */
describe('scheduler against the apiserver', () => {
  let api: TestApiServer;
  let client: RestClient;
  const ac = new AbortController();
  let running: Promise<void>;

  before(async () => {
    api = await startTestApiServer({ advertiseAddress: '10.0.0.1' });
    client = new RestClient({ host: 'http://in-process', transport: new InProcessTransport(api.server.handler), qps: Infinity });
    const config = resolveConfig({ leaderElection: { leaderElect: true, leaseDuration: '2s', renewDeadline: '1500ms', retryPeriod: '500ms' } });
    running = startScheduler({ client, config, signal: ac.signal, log: () => {} });
  });
  after(async () => {
    ac.abort();
    await running;
    client.close();
    await api.stop();
  });

  const pods = () => client.resource<Pod>(gvr.pods).namespace('default');
  const nodes = () => client.resource<Node>(gvr.nodes);
  async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const nodeNameOf = (name: string) => until(`${name} bound`, async () => (await pods().get(name)).spec?.nodeName || undefined);
  const strip = (p: Pod): Pod => ({ ...p, metadata: { name: p.metadata!.name!, labels: p.metadata!.labels ?? {} } });

  it('binds pods where nodeSelector, anti-affinity and taints say, with a Lease held', async () => {
    await nodes().create(makeNode('e2e-a', { labels: { disk: 'ssd', 'topology.kubernetes.io/zone': 'za' } }));
    await nodes().create(makeNode('e2e-b', { labels: { 'topology.kubernetes.io/zone': 'zb' } }));
    await nodes().create(makeNode('e2e-t', { labels: { 'topology.kubernetes.io/zone': 'zc' }, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }));
    await pods().create(strip(makePod('ssd', { spec: { nodeSelector: { disk: 'ssd' } } })));
    assert.equal(await nodeNameOf('ssd'), 'e2e-a');
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'one-per-zone' } }, topologyKey: 'topology.kubernetes.io/zone' }] } };
    await pods().create(strip(makePod('x1', { labels: { app: 'one-per-zone' }, spec: { affinity: anti } })));
    await pods().create(strip(makePod('x2', { labels: { app: 'one-per-zone' }, spec: { affinity: anti } })));
    const placed = new Set([await nodeNameOf('x1'), await nodeNameOf('x2')]);
    assert.deepEqual([...placed].sort(), ['e2e-a', 'e2e-b'], 'one per untainted zone');
    const lease = await client.resource(gvr.leases).namespace('kube-system').get('kube-scheduler');
    assert.ok((lease as { spec?: { holderIdentity?: string } }).spec?.holderIdentity);
  });

  it('follows pod affinity and topology spread', async () => {
    const near = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'one-per-zone' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    await pods().create(strip(makePod('near', { spec: { affinity: near } })));
    assert.ok(['e2e-a', 'e2e-b'].includes(await nodeNameOf('near')));
    const spread = {
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', nodeTaintsPolicy: 'Honor', labelSelector: { matchLabels: { app: 'spread' } } },
      ],
    };
    for (let i = 0; i < 4; i++) await pods().create(strip(makePod(`sp${i}`, { labels: { app: 'spread' }, spec: spread })));
    const where = await Promise.all([0, 1, 2, 3].map((i) => nodeNameOf(`sp${i}`)));
    assert.deepEqual(where.sort(), ['e2e-a', 'e2e-a', 'e2e-b', 'e2e-b']);
  });

  it('binds a WaitForFirstConsumer claim to a local PV on the chosen node', async () => {
    await client.resource<StorageClass>(gvr.storageclasses).create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
    await client.resource<PersistentVolume>(gvr.persistentvolumes).create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'local-b' },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'local',
        local: { path: '/mnt/disks/b' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['e2e-b'] }] }] } },
      },
    });
    await client.resource<PersistentVolumeClaim>(gvr.persistentvolumeclaims).namespace('default').create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local', resources: { requests: { storage: '5Gi' } } },
    });
    await pods().create(strip(makePod('uses-pvc', { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] } })));
    assert.equal(await nodeNameOf('uses-pvc'), 'e2e-b');
    const pvc = await client.resource<PersistentVolumeClaim>(gvr.persistentvolumeclaims).namespace('default').get('data');
    assert.equal(pvc.spec?.volumeName, 'local-b');
    assert.equal(pvc.status?.phase, 'Bound');
  });

  it('keeps an unfit pod Pending with the upstream message, then schedules it when a node is added', async () => {
    await pods().create(strip(makePod('huge', { cpu: '16' })));
    const cond = await until('PodScheduled=False', async () => (await pods().get('huge')).status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message ?? '', /^0\/3 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: x\}, 2 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/);
    const ev = await until('FailedScheduling event', async () =>
      (await client.resource<Event>(gvr.events).namespace('default').list()).items.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'huge'),
    );
    assert.equal(ev.message, cond.message);
    await nodes().create(makeNode('e2e-big', { cpu: '32' }));
    assert.equal(await nodeNameOf('huge'), 'e2e-big');
  });

  it('a high-priority pod preempts a low-priority one', async () => {
    await nodes().create(makeNode('e2e-solo', { cpu: '2', labels: { pool: 'solo' } }));
    const sel = { nodeSelector: { pool: 'solo' } };
    await pods().create(strip(makePod('victim', { cpu: '1500m', spec: { ...sel, priority: 0 } })));
    assert.equal(await nodeNameOf('victim'), 'e2e-solo');
    await pods().create(strip(makePod('vip', { cpu: '1500m', spec: { ...sel, priority: 1000 } })));
    // preemption deletes gracefully; with no kubelet here, finish the deletion as the kubelet would
    const victim = await until('victim terminating', async () => {
      const v = (await pods().list()).items.find((p) => p.metadata?.name === 'victim');
      return v === undefined || v.metadata?.deletionTimestamp ? { gone: v === undefined, v } : undefined;
    });
    if (victim.v) {
      assert.deepEqual(
        victim.v.status?.conditions?.filter((c) => c.type === 'DisruptionTarget').map((c) => [c.status, c.reason, c.message]),
        [['True', 'PreemptionByScheduler', 'default-scheduler: preempting to accommodate a higher priority pod']],
      );
    }
    if (!victim.gone) await pods().delete('victim', { gracePeriodSeconds: 0 });
    const vip = await until('vip nominated or bound', async () => {
      const p = await pods().get('vip');
      return p.spec?.nodeName || p.status?.nominatedNodeName ? p : undefined;
    });
    assert.ok(vip.spec?.nodeName === 'e2e-solo' || vip.status?.nominatedNodeName === 'e2e-solo');
    assert.equal(await nodeNameOf('vip'), 'e2e-solo');
  });
});
