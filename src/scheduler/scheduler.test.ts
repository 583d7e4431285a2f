import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { FakeClock } from '../client/util/clock.js';
import { loadConfig, resolveConfig } from './config/config.js';
import { InMemoryCluster, MemoryLister } from './memory.js';
import { numFeasibleNodesToFind, Scheduler, type SchedulerOptions } from './scheduler.js';
import type { FilterPlugin, PermitPlugin } from './framework/interface.js';
import { Status } from './framework/status.js';
import type { PluginFactory } from './framework/registry.js';
import { makeNode, makePod } from './testing.js';

function setup(opts: Partial<SchedulerOptions> = {}): { s: Scheduler; c: InMemoryCluster; clock: FakeClock } {
  const c = new InMemoryCluster();
  const clock = new FakeClock();
  let seed = 42;
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const s = new Scheduler({ client: c, clock, random, ...opts });
  c.sink = s;
  return { s, c, clock };
}

/** drain schedules until the active queue stays empty, letting bindings and watch events land. */
async function drain(s: Scheduler, clock: FakeClock): Promise<void> {
  for (let i = 0; i < 1_000_000; i++) {
    const q = s.queue.tryPop();
    if (q) {
      s.scheduleQueued(q);
      continue;
    }
    await s.waitForBindings();
    await new Promise<void>((r) => setImmediate(r));
    const pending = s.queue.pending();
    if (pending.active.length > 0) continue;
    // pods moved by an event wait out their backoff (1 s doubling to 10 s)
    if (pending.backoff.length === 0) return;
    await clock.step(10_000);
  }
}

const nodeOf = (c: InMemoryCluster, name: string): string | undefined => c.get('default', name)?.spec?.nodeName;
const condition = (p: Pod | undefined) => p?.status?.conditions?.find((x) => x.type === 'PodScheduled');

describe('numFeasibleNodesToFind', () => {
  const cases = [
    { name: 'below 100 nodes: all', pct: 0, n: 50, want: 50 },
    { name: '500 nodes adaptive 46%', pct: 0, n: 500, want: 230 },
    { name: '5000 nodes adaptive 10%', pct: 0, n: 5000, want: 500 },
    { name: '6000 nodes adaptive floors at 5%', pct: 0, n: 6000, want: 300 },
    { name: 'at least 100', pct: 1, n: 1000, want: 100 },
    { name: 'explicit 100%', pct: 100, n: 5000, want: 5000 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(numFeasibleNodesToFind(c.pct, c.n), c.want));
});

describe('Scheduler', () => {
  it('renders FailedScheduling as upstream, with the preemption verdict', async () => {
    const { s, c, clock } = setup();
    for (let i = 1; i <= 3; i++) c.createNode(makeNode(`w${i}`, { cpu: '1' }));
    for (let i = 1; i <= 2; i++) c.createNode(makeNode(`cp${i}`, { cpu: '8', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }));
    c.createPod(makePod('big', { cpu: '2' }));
    await drain(s, clock);
    const want =
      '0/5 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. ' +
      'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.';
    const p = c.get('default', 'big');
    assert.equal(p?.spec?.nodeName, undefined);
    assert.deepEqual(condition(p), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: want });
    assert.deepEqual(c.events.at(-1), { pod: 'default/big', type: 'Warning', reason: 'FailedScheduling', message: want });
  });

  it('schedules a pending pod as soon as a node that fits is added', async () => {
    const { s, c, clock } = setup();
    c.createNode(makeNode('small', { cpu: '1' }));
    c.createPod(makePod('p', { cpu: '2' }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'p'), undefined);
    assert.deepEqual(s.queue.pending().unschedulable.length, 1);
    c.createNode(makeNode('large', { cpu: '4' }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'p'), 'large');
    assert.equal(c.events.at(-1)?.message, 'Successfully assigned default/p to large');
  });

  it('queueing hints: a node too small for the pod does not requeue it', async () => {
    const { s, c, clock } = setup();
    c.createNode(makeNode('small', { cpu: '1' }));
    c.createPod(makePod('p', { cpu: '2' }));
    await drain(s, clock);
    c.createNode(makeNode('also-small', { cpu: '1500m' }));
    assert.equal(s.queue.pending().unschedulable.length, 1, 'NodeResourcesFit hint skips a node that cannot fit it');
    c.createNode(makeNode('tainted-big', { cpu: '8', taints: [{ key: 'k', effect: 'NoSchedule' }] }));
    assert.equal(s.queue.pending().unschedulable.length, 0, 'the big node passes the hint of the plugin that rejected the pod');
  });

  it('the assumed pod counts before the watch confirms it', () => {
    const { s, c } = setup();
    c.createNode(makeNode('n1', { cpu: '1' }));
    c.createNode(makeNode('n2', { cpu: '1' }));
    c.createPod(makePod('a', { cpu: '800m' }));
    c.createPod(makePod('b', { cpu: '800m' }));
    // both cycles run before any binding or watch event is delivered
    s.scheduleQueued(s.queue.tryPop()!);
    s.scheduleQueued(s.queue.tryPop()!);
    const placed = [...s.snapshot.nodeInfos()].map((n) => n.pods.length);
    assert.deepEqual(placed, [1, 1]);
  });

  it('places pods where nodeSelector, affinity, anti-affinity and taints say', async () => {
    const zone = 'topology.kubernetes.io/zone';
    const { s, c, clock } = setup();
    c.createNode(makeNode('a', { labels: { [zone]: 'za', disk: 'ssd' } }));
    c.createNode(makeNode('b', { labels: { [zone]: 'zb' } }));
    c.createNode(makeNode('t', { labels: { [zone]: 'zc' }, taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    c.createPod(makePod('ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
    c.createPod(makePod('tolerant', { spec: { nodeSelector: { [zone]: 'zc' }, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] } }));
    await drain(s, clock);
    c.createPod(makePod('db', { labels: { app: 'db' }, spec: { nodeSelector: { [zone]: 'zb' } } }));
    await drain(s, clock);
    const term = { labelSelector: { matchLabels: { app: 'db' } }, topologyKey: zone };
    c.createPod(makePod('near', { spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } } }));
    c.createPod(makePod('far', { spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } } }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'ssd'), 'a');
    assert.equal(nodeOf(c, 'tolerant'), 't');
    assert.equal(nodeOf(c, 'db'), 'b');
    assert.equal(nodeOf(c, 'near'), 'b');
    assert.equal(nodeOf(c, 'far'), 'a');
  });

  it('spreads pods across zones with a topology spread constraint', async () => {
    const zone = 'topology.kubernetes.io/zone';
    const { s, c, clock } = setup();
    for (const z of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) c.createNode(makeNode(`${z}${i}`, { labels: { [zone]: z } }));
    for (let i = 0; i < 12; i++) {
      c.createPod(
        makePod(`w${i}`, {
          labels: { app: 'w' },
          spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'w' } } }] },
        }),
      );
    }
    await drain(s, clock);
    const perZone: Record<string, number> = {};
    for (let i = 0; i < 12; i++) {
      const n = nodeOf(c, `w${i}`);
      assert.ok(n, `w${i} scheduled`);
      perZone[n[0]!] = (perZone[n[0]!] ?? 0) + 1;
    }
    assert.deepEqual(perZone, { a: 4, b: 4, c: 4 });
  });

  it('one pod per host with hostname anti-affinity; a deletion frees a host for the waiting pod', async () => {
    const { s, c, clock } = setup();
    for (let i = 0; i < 3; i++) c.createNode(makeNode(`h${i}`));
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'solo' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    for (let i = 0; i < 4; i++) c.createPod(makePod(`s${i}`, { labels: { app: 'solo' }, spec: { affinity: anti } }));
    await drain(s, clock);
    const placed = [0, 1, 2, 3].map((i) => nodeOf(c, `s${i}`));
    assert.equal(new Set(placed.filter(Boolean)).size, 3);
    const waiting = [0, 1, 2, 3].find((i) => !placed[i])!;
    assert.equal(
      condition(c.get('default', `s${waiting}`))?.message,
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    const gone = c.get('default', `s${(waiting + 1) % 4}`)!;
    await c.deletePod(gone);
    await drain(s, clock);
    assert.equal(nodeOf(c, `s${waiting}`), gone.spec?.nodeName);
  });

  it('a high-priority pod preempts a low-priority one and lands on its node', async () => {
    const { s, c, clock } = setup();
    c.createNode(makeNode('only', { cpu: '2' }));
    c.createPod(makePod('low', { cpu: '1500m', priority: 0 }));
    c.createPod(makePod('lower', { cpu: '400m', priority: -5 }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'low'), 'only');
    c.createPod(makePod('high', { cpu: '1500m', priority: 1000 }));
    await drain(s, clock);
    // preemption deleted the minimal victim set: 'low' (the 400m pod alone would not make room)
    assert.equal(c.get('default', 'low'), undefined);
    assert.equal(nodeOf(c, 'lower'), 'only');
    assert.ok(c.events.some((e) => e.pod === 'default/low' && e.reason === 'Preempted'));
    // the preemptor was nominated, then scheduled once the victim's deletion was observed
    await drain(s, clock);
    assert.equal(nodeOf(c, 'high'), 'only');
  });

  it('preemptionPolicy Never does not preempt', async () => {
    const { s, c, clock } = setup();
    c.createNode(makeNode('only', { cpu: '1' }));
    c.createPod(makePod('low', { cpu: '1', priority: 0 }));
    await drain(s, clock);
    c.createPod(makePod('high', { cpu: '1', priority: 1000, spec: { preemptionPolicy: 'Never' } }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'low'), 'only');
    assert.equal(condition(c.get('default', 'high'))?.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('preemption avoids violating a PodDisruptionBudget when another node works', async () => {
    const pdb = { metadata: { name: 'protect', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'critical' } } }, status: { disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } } satisfies PodDisruptionBudget;
    const { s, c, clock } = setup({ listers: { podDisruptionBudgets: new MemoryLister([pdb]) } });
    c.createNode(makeNode('n1', { cpu: '1' }));
    c.createNode(makeNode('n2', { cpu: '1' }));
    c.createPod(makePod('crit', { cpu: '1', labels: { app: 'critical' }, spec: { nodeSelector: { 'kubernetes.io/hostname': 'n1' } } }));
    c.createPod(makePod('plain', { cpu: '1', spec: { nodeSelector: { 'kubernetes.io/hostname': 'n2' } } }));
    await drain(s, clock);
    c.createPod(makePod('high', { cpu: '1', priority: 100 }));
    await drain(s, clock);
    await drain(s, clock);
    assert.equal(nodeOf(c, 'crit'), 'n1');
    assert.equal(c.get('default', 'plain'), undefined);
    assert.equal(nodeOf(c, 'high'), 'n2');
  });

  it('gated pods wait until their scheduling gates are removed', async () => {
    const { s, c, clock } = setup();
    c.createNode(makeNode('n'));
    const p = c.createPod(makePod('gated', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'gated'), undefined);
    const ungated: Pod = { ...p, spec: { ...p.spec!, schedulingGates: [] } };
    c.pods.set(p.metadata!.uid!, ungated);
    s.updatePod(p, ungated);
    await drain(s, clock);
    assert.equal(nodeOf(c, 'gated'), 'n');
  });

  it('only schedules pods naming one of its profiles', async () => {
    const cfg = loadConfig(`apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
  pluginConfig:
  - name: NodeResourcesFit
    args:
      scoringStrategy:
        type: MostAllocated
`);
    const { s, c, clock } = setup({ config: cfg });
    c.createNode(makeNode('a', { cpu: '4' }));
    c.createNode(makeNode('b', { cpu: '4' }));
    c.createPod(makePod('seed', { cpu: '1', spec: { nodeSelector: { 'kubernetes.io/hostname': 'a' } } }));
    c.createPod(makePod('other', { spec: { schedulerName: 'someone-else' } }));
    await drain(s, clock);
    for (let i = 0; i < 3; i++) c.createPod(makePod(`pack${i}`, { cpu: '500m', spec: { schedulerName: 'packer' } }));
    await drain(s, clock);
    assert.equal(nodeOf(c, 'other'), undefined);
    for (let i = 0; i < 3; i++) assert.equal(nodeOf(c, `pack${i}`), 'a', 'MostAllocated packs onto the busier node');
  });

  it('explain lists the rejecting filters and the scores', async () => {
    const { s, c } = setup();
    c.createNode(makeNode('small', { cpu: '1' }));
    c.createNode(makeNode('tainted', { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }));
    c.createNode(makeNode('ok'));
    const r = s.explain(makePod('p', { cpu: '2' }));
    assert.deepEqual(r.nodes.find((n) => n.node === 'small')?.rejectedBy, [{ plugin: 'NodeResourcesFit', code: 'UnschedulableAndUnresolvable', reasons: ['Insufficient cpu'] }]);
    assert.deepEqual(r.nodes.find((n) => n.node === 'tainted')?.rejectedBy?.[0]?.reasons, ['node(s) had untolerated taint {k: v}']);
    const ok = r.nodes.find((n) => n.node === 'ok');
    assert.ok(ok?.scores && 'NodeResourcesFit' in ok.scores && 'TaintToleration' in ok.scores, JSON.stringify(ok));
  });

  it('simulation: 2000 pods on 200 nodes, all scheduled, evenly spread', async () => {
    const { s, c, clock } = setup();
    c.recordEvents = false;
    for (let i = 0; i < 200; i++) c.createNode(makeNode(`n${i}`, { cpu: '32', memory: '64Gi' }));
    for (let i = 0; i < 2000; i++) c.createPod(makePod(`p${i}`, { cpu: '100m', memory: '128Mi' }));
    const t0 = performance.now();
    await drain(s, clock);
    const ms = performance.now() - t0;
    const perNode = new Map<string, number>();
    for (const p of c.pods.values()) {
      assert.ok(p.spec?.nodeName, `${p.metadata?.name} scheduled`);
      perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    }
    assert.equal(s.stats.scheduled, 2000);
    // LeastAllocated + BalancedAllocation keep every node within one pod of the mean
    assert.ok(Math.max(...perNode.values()) - Math.min(...perNode.values()) <= 2, JSON.stringify([...perNode.values()]));
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });
});

describe('out-of-tree plugins', () => {
  it('a plugin registered by name and enabled in a profile filters and permits', async () => {
    const avoid: FilterPlugin = {
      name: 'AvoidOddNodes',
      filter: (_s, _p, node) => (Number(node.name.slice(1)) % 2 === 1 ? Status.unresolvable('node(s) are odd') : Status.success()),
    };
    let waiting = '';
    const gate: PermitPlugin = {
      name: 'Gate',
      permit: (_s, pod) => {
        waiting = pod.key;
        return { status: Status.wait(), timeoutMs: 60_000 };
      },
    };
    const cfg = loadConfig('profiles: [{plugins: {filter: {enabled: [{name: AvoidOddNodes}]}, permit: {enabled: [{name: Gate}]}}}]');
    const { s, c, clock } = setup({ config: cfg, registry: new Map<string, PluginFactory>([['AvoidOddNodes', () => avoid], ['Gate', () => gate]]) });
    for (let i = 0; i < 4; i++) c.createNode(makeNode(`n${i}`));
    c.createPod(makePod('p'));
    s.scheduleQueued(s.queue.tryPop()!);
    await new Promise((r) => setImmediate(r));
    assert.equal(nodeOf(c, 'p'), undefined, 'held at Permit');
    s.allowWaitingPod(waiting);
    await drain(s, clock);
    assert.ok(['n0', 'n2'].includes(nodeOf(c, 'p')!));
    assert.deepEqual(
      s.profiles.get('default-scheduler')!.filter.map((p) => p.name).slice(0, 1),
      ['AvoidOddNodes'],
      'explicitly enabled plugins run before the multiPoint defaults',
    );
  });

  it('a Permit timeout rejects the pod and frees its place', async () => {
    const gate: PermitPlugin = { name: 'Gate', permit: () => ({ status: Status.wait(), timeoutMs: 5_000 }) };
    const cfg = loadConfig('profiles: [{plugins: {permit: {enabled: [{name: Gate}]}}}]');
    const { s, c, clock } = setup({ config: cfg, registry: new Map<string, PluginFactory>([['Gate', () => gate]]) });
    c.createNode(makeNode('n', { cpu: '1' }));
    c.createPod(makePod('p', { cpu: '1' }));
    s.scheduleQueued(s.queue.tryPop()!);
    assert.equal(s.snapshot.get('n')!.requested.milliCPU, 1000, 'assumed while waiting');
    await clock.step(5_000);
    await s.waitForBindings();
    assert.equal(s.snapshot.get('n')!.requested.milliCPU, 0);
    assert.equal(condition(c.get('default', 'p'))?.message, 'rejected due to timeout after waiting 5000ms at plugin permit');
  });
});

describe('config', () => {
  it('defaults to one default-scheduler profile with upstream weights', () => {
    const cfg = resolveConfig();
    assert.equal(cfg.profiles.length, 1);
    const { s } = setup({ config: cfg });
    const fw = s.profiles.get('default-scheduler')!;
    assert.deepEqual(
      Object.fromEntries(fw.score.map((x) => [x.plugin.name, x.weight])),
      { TaintToleration: 3, NodeAffinity: 2, NodeResourcesFit: 1, PodTopologySpread: 2, InterPodAffinity: 2, NodeResourcesBalancedAllocation: 1, ImageLocality: 1 },
    );
    assert.deepEqual(fw.filter.map((p) => p.name), ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'VolumeBinding', 'PodTopologySpread', 'InterPodAffinity']);
    assert.equal(cfg.leaderElection.leaderElect, true);
  });

  const bad = [
    { name: 'wrong apiVersion', text: 'apiVersion: kubescheduler.config.k8s.io/v1beta1\nkind: KubeSchedulerConfiguration', want: /no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io\/v1beta1"/ },
    { name: 'duplicate profile', text: 'profiles: [{schedulerName: a}, {schedulerName: a}]', want: /profiles\[1\]\.schedulerName: Duplicate value: "a"/ },
    { name: 'percentage out of range', text: 'percentageOfNodesToScore: 120', want: /percentageOfNodesToScore: Invalid value: 120/ },
  ];
  for (const c of bad) it(`rejects ${c.name}`, () => assert.throws(() => loadConfig(c.text), c.want));

  it('weights and disabling at the score point', () => {
    const cfg = loadConfig('profiles: [{plugins: {score: {enabled: [{name: ImageLocality, weight: 5}], disabled: [{name: TaintToleration}]}}}]');
    const { s } = setup({ config: cfg });
    const fw = s.profiles.get('default-scheduler')!;
    const w = Object.fromEntries(fw.score.map((x) => [x.plugin.name, x.weight]));
    assert.equal(w['ImageLocality'], 5);
    assert.equal(w['TaintToleration'], undefined);
    assert.ok(fw.filter.some((p) => p.name === 'TaintToleration'), 'still filters');
  });
});
