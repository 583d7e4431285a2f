/**
 * Node lifecycle, pod GC and node IPAM controllers against a real in-process apiserver, with
 * shortened durations (a 400 ms grace period, second-scale tolerations).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, toMicroTime } from '../client/index.js';
import { newNodeIPAMController } from './nodeipam.js';
import { newNodeLifecycleController } from './nodelifecycle.js';
import { newPodGCController } from './podgc.js';
import { setPodReady, startHarness, waitFor, type Harness } from './testing.js';

describe('node controllers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [
      newNodeLifecycleController(ctx, { nodeMonitorGracePeriodMs: 400, defaultTolerationSeconds: 1 }),
      newPodGCController(ctx, { terminatedPodGCThreshold: 2, gcCheckPeriodMs: 100, quarantineMs: 200 }),
      newNodeIPAMController(ctx, { clusterCIDR: '10.42.0.0/16', nodeCIDRMaskSize: 24 }),
    ]);
  });
  after(async () => h?.stop());

  const nodes = () => h.client.resource<Node>(gvr.nodes);
  const pods = () => h.client.resource<Pod>(gvr.pods).namespace('default');
  const leases = () => h.client.resource<Lease>(gvr.leases).namespace('kube-node-lease');
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const readyNode = async (name: string): Promise<Node> => {
    const n = await nodes().create({ metadata: { name } });
    return nodes().updateStatus({
      ...n,
      status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }, { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now(), lastTransitionTime: now() }] },
    });
  };
  const gone = (get: () => Promise<unknown>) => get().then(() => false, (err: unknown) => isStatusError(err, 'NotFound'));

  test('IPAM gives each node a distinct /24 from the cluster CIDR', async () => {
    await Promise.all(['ipam-a', 'ipam-b', 'ipam-c'].map((n) => nodes().create({ metadata: { name: n } })));
    const cidrs = await waitFor('cidrs', async () => {
      const l = (await nodes().list()).items.filter((n) => n.metadata?.name?.startsWith('ipam-'));
      return l.every((n) => n.spec?.podCIDR) && l.map((n) => [n.spec?.podCIDR, n.spec?.podCIDRs?.[0]]);
    });
    assert.equal(new Set(cidrs.map((c) => c[0])).size, 3);
    for (const [a, b] of cidrs) {
      assert.match(a!, /^10\.42\.\d+\.0\/24$/);
      assert.equal(a, b);
    }
    for (const n of ['ipam-a', 'ipam-b', 'ipam-c']) await nodes().delete(n);
  });

  test('a silent node goes Unknown with the unreachable taints, its pods are evicted, and heartbeats clear it', async () => {
    await readyNode('n1');
    const lease = await leases().create({ metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: toMicroTime(Date.now()) } });
    const mk = async (name: string, tolerationSeconds?: number): Promise<Pod> => {
      const p = await pods().create({
        metadata: { name },
        spec: {
          nodeName: 'n1',
          containers: [{ name: 'c', image: 'x' }],
          ...(tolerationSeconds !== undefined ? { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds }] } : {}),
        },
      });
      return setPodReady(h.client, p, true);
    };
    await mk('default-toleration');
    await mk('patient', 3600);
    // Keep the lease fresh for a while: the node must stay Ready.
    let l = lease;
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 150));
      l = await leases().update({ ...l, spec: { ...l.spec, renewTime: toMicroTime(Date.now()) } });
    }
    assert.equal((await nodes().get('n1')).status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    // Silence: Unknown, taints, pods not ready.
    const n = await waitFor('Unknown', async () => {
      const x = await nodes().get('n1');
      return x.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') && x;
    });
    const byType = Object.fromEntries((n.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.deepEqual([byType['Ready']?.status, byType['Ready']?.reason, byType['Ready']?.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    assert.equal(byType['MemoryPressure']?.status, 'Unknown');
    assert.deepEqual(n.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    await waitFor('pod marked not ready', async () => (await pods().get('patient')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False');
    // The pod without a toleration is evicted after the default toleration (1 s here), the patient one stays.
    // A bound pod is deleted gracefully: it stays Terminating until its kubelet confirms.
    await waitFor('evicted', async () => !!(await pods().get('default-toleration')).metadata?.deletionTimestamp, 5000);
    assert.ok(!(await pods().get('patient')).metadata?.deletionTimestamp);
    // The kubelet comes back.
    const cur = await nodes().get('n1');
    await nodes().updateStatus({ ...cur, status: { ...cur.status, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now(), lastTransitionTime: now() }] } });
    await waitFor('taints removed', async () => !(await nodes().get('n1')).spec?.taints?.length);
  });

  test('conditions become taints: NotReady, memory pressure, unschedulable; a foreign taint is kept', async () => {
    const n = await nodes().create({ metadata: { name: 'n2' }, spec: { unschedulable: true, taints: [{ key: 'example.com/dedicated', value: 'db', effect: 'NoSchedule' }] } });
    await nodes().updateStatus({
      ...n,
      status: {
        conditions: [
          { type: 'Ready', status: 'False', reason: 'KubeletNotReady', lastHeartbeatTime: now(), lastTransitionTime: now() },
          { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', lastHeartbeatTime: now(), lastTransitionTime: now() },
        ],
      },
    });
    const taints = await waitFor('taints', async () => {
      const t = (await nodes().get('n2')).spec?.taints ?? [];
      return t.length === 5 && t.map((x) => `${x.key}:${x.effect}`).sort();
    });
    assert.deepEqual(taints, [
      'example.com/dedicated:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/not-ready:NoSchedule',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
  });

  test('a pod bound to a NotReady node is marked not ready, and evicted without a toleration for its NoExecute taint', async () => {
    // n2 is NotReady (previous test), and Unknown once its grace period passes: a NoExecute taint either way.
    await waitFor('n2 tainted', async () => (await nodes().get('n2')).spec?.taints?.some((t) => t.effect === 'NoExecute'));
    const bind = (name: string) =>
      h.client.requestJSON({ method: 'POST', path: `/api/v1/namespaces/default/pods/${name}/binding`, body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { kind: 'Node', name: 'n2' } } });
    const tolerant = await pods().create({
      metadata: { name: 'late-tolerant' },
      spec: { containers: [{ name: 'c', image: 'x' }], tolerations: [{ operator: 'Exists', effect: 'NoExecute' }] },
    });
    await setPodReady(h.client, tolerant, true);
    await pods().create({ metadata: { name: 'late-intolerant' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await bind('late-tolerant');
    await bind('late-intolerant');
    await waitFor('bound pod marked not ready', async () => (await pods().get('late-tolerant')).status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False');
    await waitFor('intolerant pod evicted', async () => !!(await pods().get('late-intolerant')).metadata?.deletionTimestamp, 5000);
    const lt = await pods().get('late-tolerant');
    assert.ok(!lt.metadata?.deletionTimestamp, JSON.stringify(lt));
  });

  test('podgc: terminated pods over the threshold go oldest first; pods on deleted nodes go', async () => {
    for (let i = 0; i < 4; i++) {
      const p = await pods().create({ metadata: { name: `done-${i}`, labels: { gc: 'terminated' } }, spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'Never' } });
      await pods().patch(p.metadata!.name!, 'merge', { status: { phase: 'Succeeded' } }, { subresource: 'status' });
      if (i === 1) await new Promise((r) => setTimeout(r, 1100)); // the newer two are newer by the clock (seconds)
    }
    const left = await waitFor('threshold', async () => {
      const l = (await pods().list({ labelSelector: 'gc=terminated' })).items;
      return l.length === 2 && l.map((p) => p.metadata?.name).sort();
    });
    assert.deepEqual(left, ['done-2', 'done-3']);
    await pods().create({ metadata: { name: 'stranded' }, spec: { nodeName: 'no-such-node', containers: [{ name: 'c', image: 'x' }] } });
    await waitFor('stranded deleted', () => gone(() => pods().get('stranded')), 5000);
  });
});
