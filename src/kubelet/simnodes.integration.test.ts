/**
 * Many simulated nodes in one process against the real apiserver: every node registers and
 * heartbeats its Lease, and pods bound to any of them reach Running with distinct pod IPs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { startTestApiServer } from '../apiserver/testing.js';
import { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import type { KubeObject } from '../api/types.js';
import { SimulatedNodes } from './simnodes.js';
import { waitFor } from './runtime/runtime.case.js';

test('SimulatedNodes: 20 nodes with leases, 60 pods Running with distinct IPs, Created and Started events', async () => {
  const api = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
  const client = new RestClient({ host: api.url, qps: Infinity });
  const ac = new AbortController();
  const sim = new SimulatedNodes({ client, count: 20, log: () => {}, trace: true });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const running = sim.run(ac.signal, ready);
  await isReady;
  try {
    const nodes = await waitFor('20 Ready nodes', async () => {
      const l = await client.resource<Node & KubeObject>(gvr.nodes).list();
      const readyNodes = l.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return readyNodes.length === 20 ? readyNodes : undefined;
    }, 10_000);
    assert.equal(nodes[0]!.status!.capacity!['pods'], '110');
    assert.equal(nodes[0]!.metadata!.labels!['type'], 'kwok');
    await waitFor('20 leases', async () => ((await client.resource<Lease & KubeObject>(gvr.leases).namespace('kube-node-lease').list()).items.length === 20 ? true : undefined));

    const pods = client.resource<Pod & KubeObject>(gvr.pods).namespace('default');
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` }, spec: { nodeName: `sim-node-${i % 20}`, containers: [{ name: 'c', image: 'pause' }] } }),
      ),
    );
    const all = await waitFor('60 Running', async () => {
      const l = await pods.list();
      return l.items.filter((p) => p.status?.phase === 'Running').length === 60 ? l.items : undefined;
    }, 20_000);
    const took = Date.now() - t0;
    assert.equal(new Set(all.map((p) => p.status!.podIP)).size, 60, 'distinct pod IPs');
    // A runtime that starts containers at once: the first status patch already says Running
    // (upstream sends 1-2 per pod), and each pod's trace is complete and in order.
    assert.equal(sim.statusPatches, 60, 'one status patch per pod');
    for (const p of all) {
      const t = sim.traces.get(p.metadata!.uid!);
      assert.ok(t && t.setAt !== undefined && t.sentAt !== undefined && t.doneAt !== undefined, `trace of ${p.metadata!.name}`);
      assert.ok(t.seen <= t.setAt! && t.setAt! <= t.sentAt! && t.sentAt! <= t.doneAt!, `trace of ${p.metadata!.name} in order`);
    }
    assert.ok(took < 15_000, `took ${took} ms`);
    // As upstream's kubelet: Created then Started per container, from the pod's node, written
    // through the events client (whose answers are drained undecoded).
    const events = await waitFor('120 container events', async () => {
      const l = await client.resource<Event & KubeObject>(gvr.events).namespace('default').list();
      const mine = l.items.filter((e) => e.source?.component === 'kubelet' && (e.reason === 'Created' || e.reason === 'Started'));
      return mine.length === 120 ? mine : undefined;
    }, 10_000);
    const nodeOf = new Map(all.map((p) => [p.metadata!.name!, p.spec!.nodeName!]));
    for (const e of events) {
      assert.equal(e.involvedObject.fieldPath, 'spec.containers{c}');
      assert.equal(e.source?.host, nodeOf.get(e.involvedObject.name!));
      assert.equal(e.message, `${e.reason} container c`);
    }
    await Promise.all(all.map((p) => pods.delete(p.metadata!.name!)));
    await waitFor('all deleted', async () => ((await pods.list()).items.length === 0 ? true : undefined), 20_000);
  } finally {
    ac.abort();
    await running;
    client.close();
    await api.stop();
  }
});
