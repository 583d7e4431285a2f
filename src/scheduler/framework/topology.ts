/**
 * Counting helpers shared by InterPodAffinity and PodTopologySpread, memoized per NodeInfo
 * matchGeneration: a node's count for a selector changes only when its pods came, went or
 * changed labels (not on status updates), and then is recounted over the node's distinct label
 * sets, so a cycle costs O(nodes) rather than O(pods in the cluster).
 */
import type { Selector } from '../../api/labels.js';
import type { LabelSet, NodeInfo } from './types.js';

/**
 * internKey returns one string object per distinct memo key, so the per-node lookups below
 * compare pointers instead of contents (keys are rebuilt every cycle from selectors).
 */
const interned = new Map<string, string>();
export function internKey(k: string): string {
  const v = interned.get(k);
  if (v !== undefined) return v;
  if (interned.size > 4096) interned.clear();
  interned.set(k, k);
  return k;
}

/**
 * countMatchingPods counts pods on the node in `namespace` whose labels match `selector` and
 * that are not terminating. `cacheKey` must identify (namespace, selector) exactly; pass an
 * interned key (internKey) so the memo hits on a pointer comparison.
 */
export function countMatchingPods(node: NodeInfo, namespace: string, selector: Selector, cacheKey: string, includeTerminating = false): number {
  const gen = node.matchGeneration;
  // a cycle asks every node for the same selector: the last answer usually is the one
  if (node.lastCountKey === cacheKey && node.lastCountGen === gen) return node.lastCount;
  let m = node.countMemo;
  if (!m) node.countMemo = m = new Map();
  else if (m.size > 256) m.clear(); // bound the memo when selectors churn
  const hit = m.get(cacheKey);
  let count: number;
  if (hit && hit.gen === gen) count = hit.count;
  else {
    count = 0;
    // one test per distinct label set on the node, not per pod
    const sets = node.groupSets;
    for (let i = 0; i < sets.length; i++) {
      const set = sets[i]!;
      if (set.namespace !== namespace) continue;
      const n = includeTerminating ? node.groupLive[i]! + node.groupTerminating[i]! : node.groupLive[i]!;
      if (n > 0 && selector.matches(set.labels)) count += n;
    }
    if (hit) {
      hit.gen = gen;
      hit.count = count;
    } else m.set(cacheKey, { gen, count });
  }
  node.lastCountKey = cacheKey;
  node.lastCountGen = gen;
  node.lastCount = count;
  return count;
}

/**
 * SelectorCounts memoizes one (namespace, selector) count per node in arrays indexed by the
 * node's countId, each valid for one matchGeneration: a cycle that asks every evaluated node
 * (PodTopologySpread's hostname Score) then reads two array slots per node instead of a map.
 * Get one with selectorCounts and read it with countOn.
 */
export class SelectorCounts {
  readonly counts: number[] = [];
  readonly gens: number[] = [];
  /** matchBySet memoizes the selector's answer per LabelSet id (namespace included). */
  readonly matchBySet = new Map<number, boolean>();
  constructor(
    readonly namespace: string,
    readonly selector: Selector,
    readonly includeTerminating: boolean,
  ) {}
}

const selectorCountsByKey = new Map<string, SelectorCounts>();
let nextCountId = 0;

/**
 * selectorCounts returns the shared SelectorCounts of `cacheKey`, which must identify
 * (namespace, selector, includeTerminating) exactly. Bounded: past 256 keys the table starts
 * over (holders of older ones keep using theirs).
 */
export function selectorCounts(cacheKey: string, namespace: string, selector: Selector, includeTerminating = false): SelectorCounts {
  let sc = selectorCountsByKey.get(cacheKey);
  if (!sc) {
    if (selectorCountsByKey.size >= 256) selectorCountsByKey.clear();
    selectorCountsByKey.set(cacheKey, (sc = new SelectorCounts(namespace, selector, includeTerminating)));
  }
  return sc;
}

/**
 * countOn is countMatchingPods for a SelectorCounts: the node's matching pods, memoized per
 * matchGeneration; a recount tests each distinct LabelSet on the node once, and those answers
 * are memoized per selector, so a new selector over many nodes matches each label set once.
 */
export function countOn(sc: SelectorCounts, node: NodeInfo): number {
  const id = countIdOf(node);
  const gen = node.matchGeneration;
  const was = sc.gens[id];
  if (was === gen) return sc.counts[id]!;
  let count = 0;
  const sets = node.groupSets;
  for (let i = 0; i < sets.length; i++) {
    const n = sc.includeTerminating ? node.groupLive[i]! + node.groupTerminating[i]! : node.groupLive[i]!;
    if (n > 0 && setMatches(sc, sets[i]!)) count += n;
  }
  sc.gens[id] = gen;
  sc.counts[id] = count;
  return count;
}

/** countIdOf returns the node's small dense id (assigned on first use), for per-node arrays. */
function countIdOf(node: NodeInfo): number {
  let id = node.countId;
  if (id < 0) node.countId = id = nextCountId++;
  return id;
}

/** MATCH_MEMO_MAX bounds each SelectorCounts.matchBySet (at most 256 of them live): pods with unique labels (StatefulSets) would otherwise grow it without bound. */
const MATCH_MEMO_MAX = 2048;

function setMatches(sc: SelectorCounts, set: LabelSet): boolean {
  if (set.lastSelector === sc) return set.lastMatch;
  if (set.namespace !== sc.namespace) return false;
  const m = sc.matchBySet;
  let v = m.get(set.id);
  if (v === undefined) {
    if (m.size >= MATCH_MEMO_MAX) m.clear();
    m.set(set.id, (v = sc.selector.matches(set.labels)));
  }
  set.lastSelector = sc;
  set.lastMatch = v;
  return v;
}

/** TopologyCounts counts per topology key, then per value (no string concatenation on lookups). */
export class TopologyCounts {
  readonly byKey = new Map<string, Map<string, number>>();
  add(key: string, value: string, d: number): void {
    let m = this.byKey.get(key);
    if (!m) this.byKey.set(key, (m = new Map()));
    const v = (m.get(value) ?? 0) + d;
    if (v === 0) m.delete(value);
    else m.set(value, v);
    if (m.size === 0) this.byKey.delete(key);
  }
  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }
  get empty(): boolean {
    return this.byKey.size === 0;
  }
  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.byKey) c.byKey.set(k, new Map(m));
    return c;
  }
}

/** DomainContribution: node contributes `count` to the domain `key=value`. */
export type DomainContribution = readonly [key: string, value: string, count: number];

/**
 * DomainIndex aggregates per-domain counts over all nodes across scheduling cycles: it
 * rebuilds when nodes are added, removed or relabelled (the snapshot's labelEpoch) and
 * otherwise re-evaluates only the nodes whose pods changed since its last refresh.
 */
export class DomainIndex {
  private epoch = -1;
  private seq = 0;
  private readonly perNode = new Map<NodeInfo, readonly DomainContribution[]>();
  readonly counts = new TopologyCounts();

  refresh(
    snap: { readonly labelEpoch: number; readonly podChangeSeq: number; podChangesSince(seq: number): readonly NodeInfo[] | undefined },
    nodes: readonly NodeInfo[],
    contributionsOf: (n: NodeInfo) => readonly DomainContribution[],
  ): TopologyCounts {
    const changed = this.epoch === snap.labelEpoch ? snap.podChangesSince(this.seq) : undefined;
    if (!changed) {
      this.perNode.clear();
      this.counts.byKey.clear();
      for (const n of nodes) this.set(n, contributionsOf(n));
      this.epoch = snap.labelEpoch;
    } else {
      let last: NodeInfo | undefined;
      for (const n of changed) {
        if (n === last || !n.node) continue;
        last = n;
        const old = this.perNode.get(n);
        if (old) for (const [k, v, c] of old) this.counts.add(k, v, -c);
        this.perNode.delete(n);
        this.set(n, contributionsOf(n));
      }
    }
    this.seq = snap.podChangeSeq;
    return this.counts;
  }

  private set(n: NodeInfo, contributions: readonly DomainContribution[]): void {
    if (contributions.length === 0) return;
    this.perNode.set(n, contributions);
    for (const [k, v, c] of contributions) this.counts.add(k, v, c);
  }
}

/** DomainIndexes is a bounded map of DomainIndex by signature. */
export class DomainIndexes {
  private readonly m = new Map<string, DomainIndex>();
  get(key: string): DomainIndex {
    let ix = this.m.get(key);
    if (!ix) {
      if (this.m.size > 256) this.m.clear();
      this.m.set(key, (ix = new DomainIndex()));
    }
    return ix;
  }
}
