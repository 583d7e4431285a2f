import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../framework/cycle-state.js';
import type { FilterPlugin, Handle, NormalizeScorePlugin, Plugin, PreFilterPlugin, PreScorePlugin, ScoreAllPlugin, ScorePlugin } from '../framework/interface.js';
import { Code } from '../framework/status.js';
import { podInfoOf } from '../framework/types.js';
import { makeNode, makePod, newHandle } from '../testing.js';
import { NodeName, NodePorts, NodeUnschedulable, SchedulingGates, ErrReasonNodePorts } from './basic.js';
import { ImageLocality } from './image-locality.js';
import { InterPodAffinity } from './inter-pod-affinity.js';
import { NodeAffinity } from './node-affinity.js';
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from './node-resources.js';
import { PodTopologySpread } from './pod-topology-spread.js';
import { TaintToleration } from './taint-toleration.js';
import { VolumeBinding } from './volume-binding.js';
import { MemoryLister } from '../memory.js';

type Make = (h: Handle) => Plugin;

/** filterAll runs PreFilter (if any) then Filter on each node; returns node → `Code: reasons`. */
function filterAll(make: Make, pod: Pod, nodes: Node[], existing: Pod[] = [], listers = {}): Record<string, string> {
  const h = newHandle(nodes, existing, listers);
  const p = make(h);
  const state = new CycleState();
  const pi = podInfoOf(pod);
  const out: Record<string, string> = {};
  const pf = p as Partial<PreFilterPlugin>;
  if (pf.preFilter) {
    const r = pf.preFilter(state, pi, h.snapshot.nodeInfos());
    if (r.status.isSkip()) {
      for (const n of nodes) out[n.metadata!.name!] = 'Success';
      return out;
    }
    if (!r.status.isSuccess()) return { prefilter: `${r.status.codeName()}: ${r.status.message()}` };
  }
  for (const n of h.snapshot.nodeInfos()) {
    const s = (p as FilterPlugin).filter(state, pi, n);
    out[n.name] = s.isSuccess() ? 'Success' : `${s.codeName()}: ${s.message()}`;
  }
  return out;
}

/** scoreAll runs PreScore, Score and NormalizeScore over all nodes. */
function scoreAll(make: Make, pod: Pod, nodes: Node[], existing: Pod[] = [], listers = {}): Record<string, number> | 'skip' {
  const h = newHandle(nodes, existing, listers);
  const p = make(h);
  const state = new CycleState();
  const pi = podInfoOf(pod);
  const list = h.snapshot.nodeInfos();
  const ps = p as Partial<PreScorePlugin>;
  if (ps.preScore) {
    const s = ps.preScore(state, pi, list);
    if (s.isSkip()) return 'skip';
  }
  const scores = list.map((n) => (p as ScorePlugin).score(state, pi, n));
  // a plugin that scores all nodes in one call must give exactly the one-by-one scores
  const all = p as Partial<ScoreAllPlugin>;
  if (all.scoreAll) {
    const batch = new Array<number>(list.length);
    all.scoreAll(state, pi, list, batch);
    assert.deepEqual(batch, scores, `${p.name}: scoreAll equals score per node`);
  }
  (p as Partial<NormalizeScorePlugin>).normalizeScore?.(state, pi, scores, list);
  const out: Record<string, number> = {};
  list.forEach((n, i) => (out[n.name] = scores[i]!));
  return out;
}

const S = 'Success';

describe('NodeName', () => {
  const cases = [
    { name: 'no nodeName fits every node', pod: makePod('p'), want: { a: S, b: S } },
    { name: 'nodeName fits only that node', pod: makePod('p', { nodeName: 'b' }), want: { a: `UnschedulableAndUnresolvable: node(s) didn't match the requested node name`, b: S } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(filterAll(() => new NodeName(), c.pod, [makeNode('a'), makeNode('b')]), c.want));
});

describe('PreFilter skips of node-local filters', () => {
  const tols = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' as const, effect: 'NoSchedule' }];
  const cases: Array<{ name: string; make: Make; pod: Pod; nodes: Node[]; want: string }> = [
    { name: 'NodeName: pod without nodeName', make: () => new NodeName(), pod: makePod('p'), nodes: [makeNode('a')], want: 'Skip' },
    { name: 'NodeName: pod with nodeName', make: () => new NodeName(), pod: makePod('p', { spec: { nodeName: 'a' } }), nodes: [makeNode('a')], want: 'Success' },
    { name: 'NodeUnschedulable: no node cordoned', make: (h) => new NodeUnschedulable(h), pod: makePod('p'), nodes: [makeNode('a')], want: 'Skip' },
    { name: 'NodeUnschedulable: a cordoned node', make: (h) => new NodeUnschedulable(h), pod: makePod('p'), nodes: [makeNode('a'), makeNode('b', { unschedulable: true })], want: 'Success' },
    { name: 'NodeUnschedulable: a cordoned node, pod tolerates it', make: (h) => new NodeUnschedulable(h), pod: makePod('p', { spec: { tolerations: tols } }), nodes: [makeNode('b', { unschedulable: true })], want: 'Skip' },
    { name: 'TaintToleration: no node tainted', make: (h) => new TaintToleration(h), pod: makePod('p'), nodes: [makeNode('a'), makeNode('b', { taints: [] })], want: 'Skip' },
    { name: 'TaintToleration: a tainted node', make: (h) => new TaintToleration(h), pod: makePod('p'), nodes: [makeNode('a'), makeNode('b', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] })], want: 'Success' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const h = newHandle(c.nodes);
      const p = c.make(h) as PreFilterPlugin;
      assert.equal(p.preFilter(new CycleState(), podInfoOf(c.pod), h.snapshot.nodeInfos()).status.codeName(), c.want);
    });
  }
});

describe('NodeUnschedulable', () => {
  const cases = [
    { name: 'cordoned node rejects', pod: makePod('p'), want: 'UnschedulableAndUnresolvable: node(s) were unschedulable' },
    {
      name: 'toleration of the unschedulable taint passes',
      pod: makePod('p', { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }),
      want: S,
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(filterAll((h) => new NodeUnschedulable(h), c.pod, [makeNode('a', { unschedulable: true })])['a'], c.want));
});

describe('TaintToleration', () => {
  const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
  const cases = [
    { name: 'untolerated NoSchedule taint', pod: makePod('p'), taints: [cp], want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }' },
    { name: 'tolerated by Exists', pod: makePod('p', { spec: { tolerations: [{ key: cp.key, operator: 'Exists' }] } }), taints: [cp], want: S },
    { name: 'value must match for Equal', pod: makePod('p', { spec: { tolerations: [{ key: 'k', value: 'x', effect: 'NoExecute' }] } }), taints: [{ key: 'k', value: 'y', effect: 'NoExecute' }], want: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: y}' },
    { name: 'PreferNoSchedule never filters', pod: makePod('p'), taints: [{ key: 'k', effect: 'PreferNoSchedule' }], want: S },
    { name: 'empty toleration key with Exists tolerates all', pod: makePod('p', { spec: { tolerations: [{ operator: 'Exists' }] } }), taints: [cp], want: S },
  ];
  for (const c of cases) it(c.name, () => assert.equal(filterAll((h) => new TaintToleration(h), c.pod, [makeNode('a', { taints: c.taints })])['a'], c.want));

  it('scores fewer untolerated PreferNoSchedule taints higher', () => {
    const nodes = [
      makeNode('none'),
      makeNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      makeNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
      makeNode('tolerated', { taints: [{ key: 'c', effect: 'PreferNoSchedule' }] }),
    ];
    const pod = makePod('p', { spec: { tolerations: [{ key: 'c', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
    assert.deepEqual(scoreAll((h) => new TaintToleration(h), pod, nodes), { none: 100, one: 50, two: 0, tolerated: 100 });
  });
});

describe('NodeAffinity', () => {
  const nodes = [makeNode('a', { labels: { zone: 'z1', gen: '3' } }), makeNode('b', { labels: { zone: 'z2', gen: '5' } }), makeNode('c')];
  const miss = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
  const req = (terms: object[]): Pod => makePod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });
  const cases = [
    { name: 'no constraints: skip', pod: makePod('p'), want: { a: S, b: S, c: S } },
    { name: 'nodeSelector', pod: makePod('p', { spec: { nodeSelector: { zone: 'z2' } } }), want: { a: miss, b: S, c: miss } },
    { name: 'In', pod: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }]), want: { a: S, b: miss, c: miss } },
    { name: 'NotIn matches nodes without the label', pod: req([{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }]), want: { a: miss, b: S, c: S } },
    { name: 'Gt', pod: req([{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }]), want: { a: miss, b: S, c: miss } },
    { name: 'DoesNotExist', pod: req([{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }]), want: { a: miss, b: miss, c: S } },
    { name: 'terms are ORed', pod: req([{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }]), want: { a: S, b: S, c: miss } },
    { name: 'matchFields metadata.name', pod: req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] }]), want: { a: miss, b: miss, c: S } },
    { name: 'empty term matches nothing', pod: req([{}]), want: { a: miss, b: miss, c: miss } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(filterAll(() => new NodeAffinity(), c.pod, nodes), c.want));

  it("memoized answers per node follow the pod's selector, the node's labels and the profile's addedAffinity", () => {
    const h = newHandle([makeNode('a', { labels: { zone: 'z1' } }), makeNode('b', { labels: { zone: 'z2' } })]);
    const plain = new NodeAffinity();
    const added = new NodeAffinity({ addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] }] } } });
    const on = (p: NodeAffinity, pod: Pod): string =>
      h.snapshot
        .nodeInfos()
        .filter((n) => p.filter(new CycleState(), podInfoOf(pod), n).isSuccess())
        .map((n) => n.name)
        .join(',');
    const z1 = makePod('p1', { spec: { nodeSelector: { zone: 'z1' } } });
    const z1Again = makePod('p2', { spec: { nodeSelector: { zone: 'z1' } } });
    const z2 = makePod('p3', { spec: { nodeSelector: { zone: 'z2' } } });
    const steps: Array<{ name: string; run: () => string; want: string }> = [
      { name: 'first pod', run: () => on(plain, z1), want: 'a' },
      { name: 'same selector, other pod', run: () => on(plain, z1Again), want: 'a' },
      { name: 'other selector', run: () => on(plain, z2), want: 'b' },
      { name: 'other plugin instance (addedAffinity zone z1) on the same nodes', run: () => on(added, z2), want: '' },
      { name: 'back to the plain instance', run: () => on(plain, z2), want: 'b' },
      {
        name: 'after node a is relabelled to z2',
        run: () => {
          h.cache.updateNode(makeNode('a', { labels: { zone: 'z1' } }), makeNode('a', { labels: { zone: 'z2' } }));
          h.snapshot.update();
          return on(plain, z2);
        },
        want: 'a,b',
      },
      { name: 'the old selector after the relabel', run: () => on(plain, z1), want: '' },
    ];
    for (const st of steps) assert.equal(st.run(), st.want, st.name);
  });

  it('PreFilter narrows to matchFields node names', () => {
    const h = newHandle(nodes);
    const r = new NodeAffinity().preFilter(new CycleState(), podInfoOf(req([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }])));
    assert.deepEqual([...(r.result?.nodeNames ?? [])].sort(), ['a', 'b']);
    void h;
  });

  it('scores preferred terms by weight', () => {
    const pod = makePod('p', {
      spec: {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 2, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
              { weight: 8, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] } },
            ],
          },
        },
      },
    });
    assert.deepEqual(scoreAll(() => new NodeAffinity(), pod, nodes), { a: 25, b: 100, c: 0 });
  });
});

describe('NodeResourcesFit', () => {
  const node = makeNode('n', { cpu: '2', memory: '4Gi', pods: '3', extra: { 'example.com/gpu': '1' } });
  const existing = [makePod('e', { cpu: '1', memory: '1Gi', nodeName: 'n' })];
  const cases: Array<{ name: string; pod: Pod; existing?: Pod[]; want: string }> = [
    { name: 'fits', pod: makePod('p', { cpu: '1', memory: '1Gi' }), want: S },
    { name: 'insufficient cpu', pod: makePod('p', { cpu: '1500m' }), want: 'Unschedulable: Insufficient cpu' },
    { name: 'insufficient cpu and memory', pod: makePod('p', { cpu: '2', memory: '4Gi' }), want: 'Unschedulable: Insufficient cpu, Insufficient memory' },
    { name: 'more than the whole node is unresolvable', pod: makePod('p', { cpu: '3' }), want: 'UnschedulableAndUnresolvable: Insufficient cpu' },
    { name: 'too many pods', pod: makePod('p'), existing: [...existing, makePod('e2', { nodeName: 'n' }), makePod('e3', { nodeName: 'n' })], want: 'Unschedulable: Too many pods' },
    {
      name: 'extended resource',
      pod: makePod('p', { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '2' } } }] }),
      want: 'UnschedulableAndUnresolvable: Insufficient example.com/gpu',
    },
    {
      name: 'init container larger than regular containers counts (max of init vs sum)',
      pod: makePod('p', { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }], spec: { initContainers: [{ name: 'i', resources: { requests: { cpu: '1500m' } } }] } }),
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'sidecar adds to regular containers',
      pod: makePod('p', {
        containers: [{ name: 'c', resources: { requests: { cpu: '600m' } } }],
        spec: { initContainers: [{ name: 's', restartPolicy: 'Always', resources: { requests: { cpu: '600m' } } }] },
      }),
      want: 'Unschedulable: Insufficient cpu',
    },
    {
      name: 'overhead counts',
      pod: makePod('p', { cpu: '900m', spec: { overhead: { cpu: '200m' } } }),
      want: 'Unschedulable: Insufficient cpu',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(filterAll(() => new NodeResourcesFit(), c.pod, [node], c.existing ?? existing)['n'], c.want));

  const nodes = [makeNode('big', { cpu: '4', memory: '8Gi' }), makeNode('small', { cpu: '2', memory: '4Gi' })];
  const pod = makePod('p', { cpu: '1', memory: '2Gi' });
  const scoreCases = [
    // LeastAllocated: ((4-1)/4*100=75 + (8-2)/8*100=75)/2 = 75; small: (50+50)/2
    { name: 'LeastAllocated', args: undefined, want: { big: 75, small: 50 } },
    { name: 'MostAllocated', args: { scoringStrategy: { type: 'MostAllocated' as const } }, want: { big: 25, small: 50 } },
    {
      name: 'RequestedToCapacityRatio (bin packing shape)',
      args: { scoringStrategy: { type: 'RequestedToCapacityRatio' as const, requestedToCapacityRatio: { shape: [{ utilization: 0, score: 0 }, { utilization: 100, score: 10 }] } } },
      want: { big: 25, small: 50 },
    },
    {
      name: 'resource weights',
      args: { scoringStrategy: { type: 'LeastAllocated' as const, resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } },
      want: { big: 75, small: 50 },
    },
  ];
  for (const c of scoreCases) it(`score ${c.name}`, () => assert.deepEqual(scoreAll(() => new NodeResourcesFit(c.args), pod, nodes), c.want));

  it('best-effort pods score with the default 100m/200Mi', () => {
    const r = scoreAll(() => new NodeResourcesFit(), makePod('p'), [makeNode('n', { cpu: '1', memory: '2000Mi' })]);
    // cpu (1000-100)/1000 = 90, memory (2000-200)/2000 = 90
    assert.deepEqual(r, { n: 90 });
  });
});

describe('NodeResources scoreAll', () => {
  // the inlined default paths must equal score() on every figure, zero capacities included
  let seed = 11;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const nodes = Array.from({ length: 40 }, (_, i) => makeNode(`n${i}`, { cpu: `${rand(5) * 1000 + rand(3) * 7}m`, memory: `${rand(4) * 1024 + rand(999)}Mi` }));
  const existing = Array.from({ length: 80 }, (_, i) => makePod(`e${i}`, { nodeName: `n${rand(40)}`, ...(rand(3) ? { cpu: `${rand(900)}m` } : {}), ...(rand(3) ? { memory: `${rand(700)}Mi` } : {}) }));
  const pods = [makePod('best-effort'), makePod('cpu', { cpu: '250m' }), makePod('both', { cpu: '1', memory: '3Gi' }), makePod('memory', { memory: '1Mi' })];
  const plugins: Array<[string, Make]> = [
    ['NodeResourcesFit LeastAllocated', () => new NodeResourcesFit()],
    ['NodeResourcesFit LeastAllocated weighted', () => new NodeResourcesFit({ scoringStrategy: { resources: [{ name: 'cpu', weight: 3 }, { name: 'memory', weight: 1 }] } })],
    ['NodeResourcesFit MostAllocated', () => new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated' } })],
    ['NodeResourcesBalancedAllocation', () => new NodeResourcesBalancedAllocation()],
  ];
  for (const [name, make] of plugins) {
    for (const pod of pods) it(`${name}, pod ${pod.metadata!.name}`, () => void scoreAll(make, pod, nodes, existing));
  }
});

describe('NodeResourcesBalancedAllocation', () => {
  it('prefers balanced cpu/memory fractions', () => {
    const nodes = [makeNode('balanced', { cpu: '4', memory: '8Gi' }), makeNode('skewed', { cpu: '2', memory: '16Gi' })];
    // balanced: 1/4 vs 2/8 → std 0 → 100; skewed: 1/2 vs 2/16 → |0.5-0.125|/2 = 0.1875 → 81
    assert.deepEqual(scoreAll(() => new NodeResourcesBalancedAllocation(), makePod('p', { cpu: '1', memory: '2Gi' }), nodes), { balanced: 100, skewed: 81 });
  });
  it('skips best-effort pods', () => assert.equal(scoreAll(() => new NodeResourcesBalancedAllocation(), makePod('p'), [makeNode('n')]), 'skip'));
});

describe('NodePorts', () => {
  const withPort = (name: string, port: number, o: { hostIP?: string; protocol?: string; nodeName?: string; hostNetwork?: boolean } = {}): Pod =>
    makePod(name, {
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      containers: [{ name: 'c', ports: [{ containerPort: port, ...(o.hostNetwork ? {} : { hostPort: port }), ...(o.hostIP ? { hostIP: o.hostIP } : {}), ...(o.protocol ? { protocol: o.protocol } : {}) }] }],
      ...(o.hostNetwork ? { spec: { hostNetwork: true } } : {}),
    });
  const cases = [
    { name: 'free port', pod: withPort('p', 8080), existing: [withPort('e', 9090, { nodeName: 'n' })], want: S },
    { name: 'same port and protocol', pod: withPort('p', 8080), existing: [withPort('e', 8080, { nodeName: 'n' })], want: `Unschedulable: ${ErrReasonNodePorts}` },
    { name: 'different protocol', pod: withPort('p', 8080, { protocol: 'UDP' }), existing: [withPort('e', 8080, { nodeName: 'n' })], want: S },
    { name: 'specific IPs differ', pod: withPort('p', 8080, { hostIP: '10.0.0.1' }), existing: [withPort('e', 8080, { nodeName: 'n', hostIP: '10.0.0.2' })], want: S },
    { name: '0.0.0.0 conflicts with a specific IP', pod: withPort('p', 8080), existing: [withPort('e', 8080, { nodeName: 'n', hostIP: '10.0.0.2' })], want: `Unschedulable: ${ErrReasonNodePorts}` },
    { name: 'hostNetwork containerPort counts as host port', pod: withPort('p', 8080, { hostNetwork: true }), existing: [withPort('e', 8080, { nodeName: 'n' })], want: `Unschedulable: ${ErrReasonNodePorts}` },
  ];
  for (const c of cases) it(c.name, () => assert.equal(filterAll(() => new NodePorts(), c.pod, [makeNode('n')], c.existing)['n'], c.want));
});

describe('SchedulingGates', () => {
  it('gates pods with schedulingGates', () => {
    const s = new SchedulingGates().preEnqueue(podInfoOf(makePod('p', { spec: { schedulingGates: [{ name: 'a' }, { name: 'b' }] } })));
    assert.equal(s.code, Code.UnschedulableAndUnresolvable);
    assert.equal(s.message(), 'waiting for scheduling gates: [a b]');
    assert.ok(new SchedulingGates().preEnqueue(podInfoOf(makePod('q'))).isSuccess());
  });
});

describe('ImageLocality', () => {
  it('favours nodes holding large images, scaled by spread', () => {
    const big = { names: ['registry.example/big:1'], sizeBytes: 500 * 1024 * 1024 };
    const nodes = [makeNode('has', { images: [big] }), makeNode('lacks')];
    const pod = makePod('p', { containers: [{ name: 'c', image: 'registry.example/big:1' }] });
    // 500MB × 1/2 spread = 250MB → (250-23)/(1000-23) × 100 = 23
    assert.deepEqual(scoreAll((h) => new ImageLocality(h), pod, nodes), { has: 23, lacks: 0 });
  });
  it('normalizes untagged images to :latest', () => {
    const nodes = [makeNode('has', { images: [{ names: ['nginx:latest'], sizeBytes: 2000 * 1024 * 1024 }] })];
    assert.deepEqual(scoreAll((h) => new ImageLocality(h), makePod('p', { containers: [{ name: 'c', image: 'nginx' }] }), nodes), { has: 100 });
  });
});

describe('InterPodAffinity', () => {
  const zone = 'topology.kubernetes.io/zone';
  const nodes = [makeNode('a1', { labels: { [zone]: 'a' } }), makeNode('a2', { labels: { [zone]: 'a' } }), makeNode('b1', { labels: { [zone]: 'b' } }), makeNode('nolabel')];
  const term = (app: string, key = zone) => ({ labelSelector: { matchLabels: { app } }, topologyKey: key });
  const affinityPod = (app: string, labels: Record<string, string> = {}) =>
    makePod('p', { labels, spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app)] } } } });
  const antiPod = (app: string, labels: Record<string, string> = {}) =>
    makePod('p', { labels, spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term(app)] } } } });
  const db = makePod('db', { labels: { app: 'db' }, nodeName: 'a1' });
  const aff = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";
  const anti = "Unschedulable: node(s) didn't match pod anti-affinity rules";
  const existingAnti = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
  const cases = [
    { name: 'affinity to a zone with a matching pod', pod: affinityPod('db'), existing: [db], want: { a1: S, a2: S, b1: aff, nolabel: aff } },
    { name: 'affinity with no matching pod anywhere fails', pod: affinityPod('db'), existing: [], want: { a1: aff, a2: aff, b1: aff, nolabel: aff } },
    { name: 'first pod of a self-affine group is allowed', pod: affinityPod('web', { app: 'web' }), existing: [], want: { a1: S, a2: S, b1: S, nolabel: aff } },
    { name: 'anti-affinity avoids the zone', pod: antiPod('db'), existing: [db], want: { a1: anti, a2: anti, b1: S, nolabel: S } },
    {
      name: "existing pod's anti-affinity is symmetric",
      pod: makePod('p', { labels: { app: 'web' } }),
      existing: [makePod('e', { nodeName: 'b1', spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web')] } } } })],
      want: { a1: S, a2: S, b1: existingAnti, nolabel: S },
    },
    { name: 'other namespaces do not match', pod: antiPod('db'), existing: [makePod('db', { labels: { app: 'db' }, nodeName: 'a1', namespace: 'other' })], want: { a1: S, a2: S, b1: S, nolabel: S } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(filterAll((h) => new InterPodAffinity(undefined, h), c.pod, nodes, c.existing), c.want));

  it('scores preferred affinity and anti-affinity', () => {
    const pod = makePod('p', {
      spec: {
        affinity: {
          podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('db') }] },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('cache') }] },
        },
      },
    });
    const existing = [db, makePod('cache', { labels: { app: 'cache' }, nodeName: 'b1' })];
    // zone a: +10, zone b: -5, nolabel: 0 → normalized (s - min) / (max - min)
    assert.deepEqual(scoreAll((h) => new InterPodAffinity(undefined, h), pod, nodes, existing), { a1: 100, a2: 100, b1: 0, nolabel: 33 });
  });
});

describe('PodTopologySpread', () => {
  const zone = 'topology.kubernetes.io/zone';
  const nodes = [makeNode('a1', { labels: { [zone]: 'a' } }), makeNode('b1', { labels: { [zone]: 'b' } }), makeNode('c1', { labels: { [zone]: 'c' } })];
  const spread = (maxSkew: number, extra: object = {}) =>
    makePod('p', {
      labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: zone, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra }] },
    });
  const web = (name: string, node: string) => makePod(name, { labels: { app: 'web' }, nodeName: node });
  const skew = "Unschedulable: node(s) didn't match pod topology spread constraints";
  const cases = [
    { name: 'spreads to the emptiest zones', pod: spread(1), existing: [web('w1', 'a1'), web('w2', 'b1')], nodes, want: { a1: skew, b1: skew, c1: S } },
    { name: 'maxSkew 2 tolerates more', pod: spread(2), existing: [web('w1', 'a1'), web('w2', 'b1')], nodes, want: { a1: S, b1: S, c1: S } },
    {
      name: 'missing topology label is unresolvable',
      pod: spread(1),
      existing: [],
      nodes: [...nodes, makeNode('x')],
      want: { a1: S, b1: S, c1: S, x: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)" },
    },
    {
      name: 'minDomains above the domain count forces global minimum 0',
      pod: spread(1, { minDomains: 4 }),
      existing: [web('w1', 'a1'), web('w2', 'b1'), web('w3', 'c1')],
      nodes,
      want: { a1: skew, b1: skew, c1: skew },
    },
    {
      name: 'nodeAffinityPolicy Honor ignores domains the pod cannot use',
      pod: (() => {
        const p = spread(1);
        p.spec!.nodeSelector = { [zone]: 'a' };
        return p;
      })(),
      existing: [web('w1', 'a1')],
      nodes: [makeNode('a1', { labels: { [zone]: 'a' } }), makeNode('b1', { labels: { [zone]: 'b', other: 'x' } })],
      want: { a1: S, b1: S },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(filterAll((h) => new PodTopologySpread(undefined, h), c.pod, c.nodes, c.existing), c.want));

  it('scores ScheduleAnyway constraints: fewer matching pods is better', () => {
    const pod = makePod('p', {
      labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] },
    });
    const r = scoreAll((h) => new PodTopologySpread(undefined, h), pod, nodes, [web('w1', 'a1'), web('w2', 'a1'), web('w3', 'b1')]);
    assert.ok(r !== 'skip');
    assert.ok(r['c1']! > r['b1']! && r['b1']! > r['a1']!, JSON.stringify(r));
  });

  it('system default constraints apply only to pods selected by a Service', () => {
    const svc = { metadata: { name: 's', namespace: 'default' }, spec: { selector: { app: 'web' } } };
    const listers = { services: new MemoryLister([svc]) };
    assert.notEqual(scoreAll((h) => new PodTopologySpread(undefined, h), makePod('p', { labels: { app: 'web' } }), nodes, [], listers), 'skip');
    assert.equal(scoreAll((h) => new PodTopologySpread(undefined, h), makePod('p', { labels: { app: 'other' } }), nodes, [], listers), 'skip');
  });

  describe('system default constraints from the controller (upstream helper.DefaultSelector)', () => {
    const rs = (name: string, matchLabels: Record<string, string>) => ({ metadata: { name, namespace: 'default' }, spec: { selector: { matchLabels } } });
    const ownedBy = (kind: string, name: string, apiVersion = 'apps/v1') => [{ apiVersion, kind, name, uid: `u-${name}`, controller: true }];
    const owned = (name: string, labels: Record<string, string>, node: string | undefined, owner = 'web') => {
      const p = makePod(name, { labels, ...(node ? { nodeName: node } : {}) });
      return { ...p, metadata: { ...p.metadata, ownerReferences: ownedBy('ReplicaSet', owner) } };
    };
    const zoneNodes = [makeNode('a1', { labels: { [zone]: 'a' } }), makeNode('a2', { labels: { [zone]: 'a' } }), makeNode('x1')];
    const cases: Array<{ name: string; pod: Pod; existing: Pod[]; listers: object; want: Record<string, number> | 'skip' }> = [
      {
        // zone weight log(2+2): the node without a zone is the domain "" in the count of domains;
        // raw scores a1 = round(2·ln4+4 + 2·ln5+2) = 12, a2 = round(2·ln4+4 + 2) = 9, x1 = round(1·ln5+2) = 4
        name: 'a node without the zone label is the domain "" for the zone weight',
        pod: owned('p', { app: 'web' }, undefined),
        existing: [owned('w1', { app: 'web' }, 'a1'), owned('w2', { app: 'web' }, 'a1'), owned('w3', { app: 'web' }, 'x1')],
        listers: { replicaSets: new MemoryLister([rs('web', { app: 'web' })]) },
        want: { a1: Math.trunc((100 * (12 + 4 - 12)) / 12), a2: Math.trunc((100 * (12 + 4 - 9)) / 12), x1: 100 },
      },
      {
        // another ReplicaSet selecting the pod does not narrow the selector: w1 (app=web only)
        // counts; raw a1 = round(ln4+4 + ln5+2) = 9, a2 = round(ln4+4 + 2) = 7, x1 = 2
        name: 'only the controller ReplicaSet, not every one that selects the pod',
        pod: owned('p', { app: 'web', tier: 'x' }, undefined),
        existing: [owned('w1', { app: 'web' }, 'a1')],
        listers: { replicaSets: new MemoryLister([rs('web', { app: 'web' }), rs('tier', { tier: 'x' })]) },
        want: { a1: Math.trunc((100 * (11 - 9)) / 9), a2: Math.trunc((100 * (11 - 7)) / 9), x1: 100 },
      },
      {
        name: 'a controller missing from the lister and no Service: no defaults',
        pod: owned('p', { app: 'web' }, undefined, 'gone'),
        existing: [],
        listers: { replicaSets: new MemoryLister([rs('web', { app: 'web' })]) },
        want: 'skip',
      },
      {
        name: 'a ReplicaSet that selects the pod but does not own it: no defaults',
        pod: makePod('p', { labels: { app: 'web' } }),
        existing: [],
        listers: { replicaSets: new MemoryLister([rs('web', { app: 'web' })]) },
        want: 'skip',
      },
      {
        name: 'a StatefulSet controller counts too',
        pod: (() => {
          const p = makePod('p', { labels: { app: 'db' } });
          return { ...p, metadata: { ...p.metadata, ownerReferences: ownedBy('StatefulSet', 'db') } };
        })(),
        existing: [makePod('d0', { labels: { app: 'db' }, nodeName: 'a2' })],
        listers: { statefulSets: new MemoryLister([rs('db', { app: 'db' })]) },
        want: { a1: Math.trunc((100 * (11 - 7)) / 9), a2: Math.trunc((100 * (11 - 9)) / 9), x1: 100 },
      },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(scoreAll((h) => new PodTopologySpread(undefined, h), c.pod, zoneNodes, c.existing, c.listers), c.want));

    it('zone counts kept across cycles (indexed) equal a fresh computation after pods come, go and change', () => {
      const listers = { replicaSets: new MemoryLister([rs('web', { app: 'web' })]) };
      const nodes3 = [...zoneNodes, makeNode('b1', { labels: { [zone]: 'b' } }), makeNode('b2', { labels: { [zone]: 'b', other: 'y' } })];
      const h = newHandle(nodes3, [], listers);
      const plugin = new PodTopologySpread(undefined, h);
      const scoreWith = (hh: typeof h, pp: PodTopologySpread, pod: Pod) => {
        const state = new CycleState();
        const pi = podInfoOf(pod);
        const list = hh.snapshot.nodeInfos();
        if (pp.preScore(state, pi, list).isSkip()) return 'skip';
        const scores = list.map((n) => pp.score(state, pi, n));
        pp.normalizeScore(state, pi, scores);
        return Object.fromEntries(list.map((n, i) => [n.name, scores[i]]));
      };
      const explicit = makePod('e', {
        labels: { app: 'web' },
        spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: zone, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }] },
      });
      const pinned = owned('n', { app: 'web' }, undefined);
      pinned.spec!.nodeSelector = { other: 'y' };
      const incoming = [owned('p', { app: 'web' }, undefined), explicit, pinned];
      const bound = new Map<string, Pod>();
      const steps: Array<[string, () => void]> = [
        ['empty', () => {}],
        ['added', () => ['a1', 'a1', 'a2', 'b1', 'x1', 'b2'].forEach((n, i) => bound.set(`w${i}`, owned(`w${i}`, { app: 'web' }, n)))],
        ['relabelled', () => bound.set('w1', { ...bound.get('w1')!, metadata: { ...bound.get('w1')!.metadata, labels: { app: 'db' } } })],
        ['terminating', () => bound.set('w3', { ...bound.get('w3')!, metadata: { ...bound.get('w3')!.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } })],
        ['removed', () => bound.delete('w0')],
        ['more', () => ['b1', 'b2', 'b1'].forEach((n, i) => bound.set(`v${i}`, owned(`v${i}`, { app: 'web' }, n)))],
      ];
      const inCache = new Map<string, Pod>();
      for (const [step, change] of steps) {
        change();
        for (const [k, old] of inCache) if (!bound.has(k)) h.cache.removePod(old);
        for (const [k, pod] of bound) {
          const old = inCache.get(k);
          if (!old) h.cache.addPod(pod);
          else if (old !== pod) h.cache.updatePod(old, pod);
        }
        inCache.clear();
        for (const [k, pod] of bound) inCache.set(k, pod);
        h.snapshot.update();
        const fresh = newHandle(nodes3, [...bound.values()], listers);
        for (const pod of incoming) {
          assert.deepEqual(scoreWith(h, plugin, pod), scoreWith(fresh, new PodTopologySpread(undefined, fresh), pod), `${step}: ${pod.metadata!.name}`);
        }
      }
    });

    it('pods of one ReplicaSet share compiled constraints until the ReplicaSet object changes', () => {
      const lister = new MemoryLister([rs('web', { app: 'web' })]);
      const h = newHandle(zoneNodes, [], { replicaSets: lister });
      const p = new PodTopologySpread(undefined, h);
      const constraintsOf = (pod: Pod) => {
        const state = new CycleState();
        p.preScore(state, podInfoOf(pod), h.snapshot.nodeInfos());
        return state.read<{ constraints: unknown[]; clone(): never }>('PreScorePodTopologySpread')!.constraints;
      };
      const first = constraintsOf(owned('p1', { app: 'web' }, undefined));
      assert.equal(constraintsOf(owned('p2', { app: 'web' }, undefined)), first);
      lister.set(rs('web', { app: 'web' }));
      const after = constraintsOf(owned('p3', { app: 'web' }, undefined));
      assert.notEqual(after, first);
      assert.deepEqual(after, first);
    });
  });
});

describe('VolumeBinding', () => {
  const host = 'kubernetes.io/hostname';
  const localPV = (name: string, node: string, size = '10Gi', claimRef?: object) => ({
    metadata: { name },
    spec: {
      capacity: { storage: size },
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'local',
      ...(claimRef ? { claimRef } : {}),
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: host, operator: 'In', values: [node] }] }] } },
    },
  });
  const pvc = (name: string, o: { volumeName?: string; cls?: string } = {}) => ({
    metadata: { name, namespace: 'default' },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? 'local', resources: { requests: { storage: '5Gi' } }, ...(o.volumeName ? { volumeName: o.volumeName } : {}) },
  });
  const wffc = { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' };
  const immediate = { metadata: { name: 'fast' }, provisioner: 'example.com/csi', volumeBindingMode: 'Immediate' };
  const podWith = (claim: string) => makePod('p', { spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: claim } }] } });
  const nodes = [makeNode('n1'), makeNode('n2')];
  const listers = (pvcs: object[], pvs: object[]) => ({
    persistentVolumeClaims: new MemoryLister(pvcs as never[]),
    persistentVolumes: new MemoryLister(pvs as never[]),
    storageClasses: new MemoryLister([wffc, immediate] as never[]),
  });
  const cases = [
    { name: 'bound local PV pins the node', pod: podWith('c'), l: listers([pvc('c', { volumeName: 'pv1' })], [localPV('pv1', 'n2')]), want: { n1: 'UnschedulableAndUnresolvable: node(s) had volume node affinity conflict', n2: S } },
    { name: 'WaitForFirstConsumer finds an available local PV', pod: podWith('c'), l: listers([pvc('c')], [localPV('pv1', 'n1')]), want: { n1: S, n2: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind" } },
    { name: 'too-small PVs do not match', pod: podWith('c'), l: listers([pvc('c')], [localPV('pv1', 'n1', '1Gi')]), want: { n1: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind", n2: "UnschedulableAndUnresolvable: node(s) didn't find available persistent volumes to bind" } },
    { name: 'missing claim', pod: podWith('nope'), l: listers([], []), want: { prefilter: 'UnschedulableAndUnresolvable: persistentvolumeclaim "nope" not found' } },
    { name: 'unbound immediate claim', pod: podWith('c'), l: listers([pvc('c', { cls: 'fast' })], []), want: { prefilter: 'UnschedulableAndUnresolvable: pod has unbound immediate PersistentVolumeClaims' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(filterAll((h) => new VolumeBinding(h), c.pod, nodes, [], c.l), c.want));

  const flights = [
    { name: 'no claims: PreBind skipped everywhere', pod: makePod('q'), l: listers([], []), want: { n1: 'Skip', n2: 'Skip' } },
    { name: 'a claim to bind on the node: PreBind runs there', pod: podWith('c'), l: listers([pvc('c')], [localPV('pv1', 'n1')]), want: { n1: 'Success', n2: 'Skip' } },
    { name: 'claim already bound: nothing to do', pod: podWith('c'), l: listers([pvc('c', { volumeName: 'pv1' })], [localPV('pv1', 'n2')]), want: { n1: 'Skip', n2: 'Skip' } },
  ];
  for (const c of flights) {
    it(`PreBindPreFlight: ${c.name}`, () => {
      const h = newHandle(nodes, [], c.l);
      const p = new VolumeBinding(h);
      const state = new CycleState();
      const pi = podInfoOf(c.pod);
      const all = h.snapshot.nodeInfos();
      if (!p.preFilter(state, pi).status.isSkip()) for (const n of all) p.filter(state, pi, n);
      const out: Record<string, string> = {};
      for (const n of all) out[n.name] = p.preBindPreFlight(state, pi, n.name).codeName();
      assert.deepEqual(out, c.want);
    });
  }
});
