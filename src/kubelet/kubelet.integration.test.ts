/**
 * The kubelet against a real in-process apiserver (in-memory SQLite): node registration,
 * lease heartbeats, pods bound to the node running and reporting status through pods/status,
 * graceful deletion ending in the object's removal, static pods with mirror pods.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { startTestApiServer } from '../apiserver/testing.js';
import { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import type { KubeObject } from '../api/types.js';
import { Kubelet } from './kubelet.js';
import { waitFor } from './runtime/runtime.case.js';

test('kubelet with the apiserver: node, lease, pod status, deletion, static pods', async () => {
  const api = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
  const client = new RestClient({ host: api.url, qps: Infinity });
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-'));
  const manifests = join(dir, 'manifests');
  mkdirSync(manifests);
  writeFileSync(join(manifests, 'static.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: static-web\nspec:\n  containers:\n  - name: web\n    image: nginx\n    command: ["sleep", "60"]\n');
  const ac = new AbortController();
  const kubelet = new Kubelet({
    client,
    nodeName: 'node-1',
    nodeIP: '127.0.0.1',
    rootDir: join(dir, 'root'),
    containerRuntime: 'process',
    nodeLabels: { 'node-role.kubernetes.io/control-plane': 'true' },
    registerWithTaints: [{ key: 'dedicated', value: 'test', effect: 'NoSchedule' }],
    port: 0,
    podManifestPath: manifests,
    killPodsOnShutdown: true,
    log: () => {},
  });
  let started!: () => void;
  const isReady = new Promise<void>((r) => (started = r));
  const running = kubelet.run(ac.signal, started);
  await isReady;
  const pods = client.resource<Pod & KubeObject>(gvr.pods).namespace('default');
  try {
    const node = await waitFor('node', () => client.resource<Node & KubeObject>(gvr.nodes).get('node-1').catch(() => undefined));
    assert.equal(node.metadata!.labels!['kubernetes.io/hostname'], 'node-1');
    assert.equal(node.metadata!.labels!['kubernetes.io/os'], 'linux');
    assert.equal(node.metadata!.labels!['node-role.kubernetes.io/control-plane'], 'true');
    assert.deepEqual(node.spec!.taints, [{ key: 'dedicated', value: 'test', effect: 'NoSchedule' }]);
    const n2 = await waitFor('node ready', async () => {
      const n = await client.resource<Node & KubeObject>(gvr.nodes).get('node-1');
      return n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
    });
    assert.deepEqual(n2.status!.conditions!.map((c) => c.type), ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    assert.deepEqual(n2.status!.addresses![0], { type: 'InternalIP', address: '127.0.0.1' });
    assert.equal(n2.status!.daemonEndpoints!.kubeletEndpoint!.Port, kubelet.server.port);
    const lease = await waitFor('lease', () => client.resource<Lease & KubeObject>(gvr.leases).namespace('kube-node-lease').get('node-1').catch(() => undefined));
    assert.equal(lease.spec!.holderIdentity, 'node-1');
    assert.equal(lease.spec!.leaseDurationSeconds, 40);

    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sleeper', namespace: 'default' },
      spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '60'] }] },
    });
    const p = await waitFor('pod running', async () => {
      const x = await pods.get('sleeper');
      return x.status?.phase === 'Running' && x.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? x : undefined;
    });
    assert.equal(p.status!.podIP, '127.0.0.1');
    assert.equal(p.status!.hostIP, '127.0.0.1');
    assert.equal(p.status!.qosClass, 'BestEffort');
    assert.match(p.status!.containerStatuses![0]!.containerID!, /^process:\/\//);
    assert.ok(p.status!.conditions!.some((c) => c.type === 'PodScheduled'));

    // A pod without a command cannot run on the process runtime, and says so.
    await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nginx' }, spec: { nodeName: 'node-1', containers: [{ name: 'nginx', image: 'nginx' }] } });
    const stuck = await waitFor('CreateContainerError', async () => {
      const x = await pods.get('nginx');
      return x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerError' ? x : undefined;
    });
    assert.match(stuck.status!.containerStatuses![0]!.state!.waiting!.message!, /must set "command"/);

    // Static pod: mirrored into the API.
    const mirror = await waitFor('mirror pod', () => pods.get('static-web-node-1').catch(() => undefined));
    assert.ok(mirror.metadata!.annotations!['kubernetes.io/config.mirror']);
    await waitFor('mirror status', async () => (await pods.get('static-web-node-1')).status?.phase === 'Running');

    // Graceful deletion: the kubelet stops the containers and removes the object.
    await pods.delete('sleeper');
    await waitFor('pod gone', async () => pods.get('sleeper').then(() => undefined, () => true), 10_000);
    await pods.delete('nginx');
    await waitFor('nginx gone', async () => pods.get('nginx').then(() => undefined, () => true), 10_000);
  } finally {
    rmSync(join(manifests, 'static.yaml'));
    ac.abort();
    await running;
    client.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
