/**
 * PodInfo and NodeInfo: the per-pod data computed once (requests, ports, parsed affinity
 * terms) and the per-node aggregates kept up to date incrementally by the cache, as upstream's
 * framework.PodInfo / framework.NodeInfo.
 */
import type { Node, Pod, PodAffinityTerm, Taint } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, type Selector } from '../../api/labels.js';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, milliValueOf, podRequests, Resource, valueOf } from './resource.js';

/** AffinityTerm is a parsed PodAffinityTerm; namespaces empty with no namespaceSelector never happens (own namespace is filled in). */
export interface AffinityTerm {
  namespaces: ReadonlySet<string>;
  /** namespaceSelector is undefined when the term has none (matches no namespace by labels). */
  namespaceSelector: Selector | undefined;
  selector: Selector;
  /** selectorKey identifies the label selector exactly (its JSON), for memoized counts. */
  selectorKey: string;
  /** countKeys: memo keys per namespace, built on first use for this `namespaces` set. */
  countKeys?: { namespaces: ReadonlySet<string>; keys: string[] };
  topologyKey: string;
  weight: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** podKey is the cache key of a pod: its uid, or namespace/name when it has none (tests). */
export function podKey(pod: Pod): string {
  return pod.metadata?.uid || `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

export function namespacedName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

function parseTerm(pod: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const namespaces = new Set<string>(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(pod.metadata?.namespace ?? '');
  return {
    namespaces,
    namespaceSelector: t.namespaceSelector ? selectorFromLabelSelector(t.namespaceSelector) : undefined,
    selector: selectorFromLabelSelector(t.labelSelector),
    selectorKey: JSON.stringify(t.labelSelector ?? null),
    topologyKey: t.topologyKey,
    weight,
  };
}

/** termMatches: the term selects `pod` (namespace by list or namespace labels, then pod labels). */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: Readonly<Record<string, string>> | undefined): boolean {
  if (term.namespaces.has(pod.namespace) || (term.namespaceSelector !== undefined && term.namespaceSelector.matches(nsLabels))) {
    return term.selector.matches(pod.labels);
  }
  return false;
}

/**
 * LabelSet is an interned (namespace, labels) pair: the pods of one ReplicaSet share one, so a
 * selector's answer for it (topology.SelectorCounts) serves all of them. Identity is only an
 * optimisation: two LabelSets with equal contents are counted correctly, just matched twice.
 */
export class LabelSet {
  constructor(
    /** id is unique for the process (never reused), a memo key for per-selector answers. */
    readonly id: number,
    readonly namespace: string,
    readonly labels: Readonly<Record<string, string>>,
  ) {}
  /**
   * lastSelector/lastMatch: the last selector memo (a topology.SelectorCounts) that tested this
   * set, and its answer. A cycle asks one selector across every node, and the few hundred sets
   * stay in cache while per-node data does not, so this is read before any per-selector map.
   */
  lastSelector: object | undefined = undefined;
  lastMatch = false;
}

const labelSets = new Map<string, LabelSet>();
let nextLabelSetId = 0;
/** LABEL_SETS_MAX bounds the intern table; past it the table starts over (old sets stay valid). */
const LABEL_SETS_MAX = 1 << 16;

/** labelSetOf returns the interned LabelSet of a namespace and label map. */
export function labelSetOf(namespace: string, labels: Readonly<Record<string, string>>): LabelSet {
  const keys = Object.keys(labels);
  if (keys.length > 1) keys.sort();
  let k = namespace;
  for (const key of keys) k += '\u0000' + key + '\u0000' + labels[key];
  let s = labelSets.get(k);
  if (!s) {
    if (labelSets.size >= LABEL_SETS_MAX) labelSets.clear();
    labelSets.set(k, (s = new LabelSet(nextLabelSetId++, namespace, labels)));
  }
  return s;
}

const NO_PORTS: readonly HostPort[] = Object.freeze([]);
const NO_TAINTS: readonly Taint[] = Object.freeze([]);
const NO_TERMS: readonly AffinityTerm[] = Object.freeze([]);

/** PodInfo wraps a pod with everything the plugins need, computed once. Immutable once built. */
export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** terminating: the pod has a deletionTimestamp (kept here: the cache compares versions of cold pods). */
  readonly terminating: boolean;
  /** requests as NodeResourcesFit checks them. */
  readonly requests: Resource;
  /** nonZeroRequests: cpu/memory with upstream's defaults for unset requests, for scoring. */
  readonly nonZeroRequests: Resource;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly AffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly AffinityTerm[];

  constructor(readonly pod: Pod) {
    const m = pod.metadata ?? {};
    const spec = pod.spec;
    this.key = podKey(pod);
    this.namespace = m.namespace ?? '';
    this.name = m.name ?? '';
    this.labels = m.labels ?? {};
    this.priority = spec?.priority ?? 0;
    this.terminating = !!m.deletionTimestamp;
    // built for every watch event of every pod (created, bound, Running): the common shape (no
    // init containers, no overhead, no ports, no pod affinity) takes one pass and shares empties
    if (spec && !spec.initContainers?.length && !spec.overhead) {
      const requests = new Resource();
      const nonZero = new Resource();
      for (const c of spec.containers ?? []) {
        const rl = c.resources?.requests as Record<string, string> | undefined;
        if (rl) requests.addList(rl);
        const cpu = rl?.['cpu'];
        const memory = rl?.['memory'];
        nonZero.milliCPU += cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : milliValueOf(cpu);
        nonZero.memory += memory === undefined ? DEFAULT_MEMORY_REQUEST : valueOf(memory);
      }
      this.requests = requests;
      this.nonZeroRequests = nonZero;
    } else {
      this.requests = podRequests(pod);
      this.nonZeroRequests = podRequests(pod, true);
    }
    let ports: HostPort[] | undefined;
    const hostNetwork = spec?.hostNetwork === true;
    for (const list of [spec?.initContainers, spec?.containers]) {
      for (const c of list ?? []) {
        for (const p of c.ports ?? []) {
          // hostNetwork pods bind their containerPorts on the host
          const hp = p.hostPort ?? (hostNetwork ? p.containerPort : 0);
          if (hp <= 0) continue;
          (ports ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: hp });
        }
      }
    }
    this.hostPorts = ports ?? NO_PORTS;
    const a = spec?.affinity;
    const pa = a?.podAffinity;
    const anti = a?.podAntiAffinity;
    this.requiredAffinityTerms = pa?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => parseTerm(pod, t, 1)) ?? NO_TERMS;
    this.requiredAntiAffinityTerms = anti?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => parseTerm(pod, t, 1)) ?? NO_TERMS;
    this.preferredAffinityTerms = pa?.preferredDuringSchedulingIgnoredDuringExecution?.map((t) => parseTerm(pod, t.podAffinityTerm, t.weight)) ?? NO_TERMS;
    this.preferredAntiAffinityTerms = anti?.preferredDuringSchedulingIgnoredDuringExecution?.map((t) => parseTerm(pod, t.podAffinityTerm, t.weight)) ?? NO_TERMS;
  }

  private labelSetCache: LabelSet | undefined = undefined;
  /** labelSet: the interned (namespace, labels) of this pod, computed on first use. */
  get labelSet(): LabelSet {
    return (this.labelSetCache ??= labelSetOf(this.namespace, this.labels));
  }
  /** shareLabelSet gives this pod `other`'s LabelSet when it has none yet; the caller guarantees equal namespace and labels. */
  shareLabelSet(other: PodInfo): void {
    if (this.labelSetCache === undefined) this.labelSetCache = other.labelSetCache;
  }

  private nodeConstraintKeyCache: string | undefined = undefined;
  /**
   * nodeConstraintKey identifies the pod's spec.nodeSelector and required node affinity
   * together (their JSON, interned), '' when it has neither: pods with equal keys fit the same
   * nodes as far as NodeAffinity's Filter is concerned, so it memoizes its answer per node.
   */
  get nodeConstraintKey(): string {
    let k = this.nodeConstraintKeyCache;
    if (k === undefined) {
      const spec = this.pod.spec;
      const sel = spec?.nodeSelector;
      const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      k = (sel !== undefined && Object.keys(sel).length > 0) || req !== undefined ? internConstraintKey(JSON.stringify([sel ?? null, req ?? null])) : '';
      this.nodeConstraintKeyCache = k;
    }
    return k;
  }

  get hasAffinity(): boolean {
    return (
      this.requiredAffinityTerms.length > 0 ||
      this.requiredAntiAffinityTerms.length > 0 ||
      this.preferredAffinityTerms.length > 0 ||
      this.preferredAntiAffinityTerms.length > 0
    );
  }
}

const constraintKeys = new Map<string, string>();
/** internConstraintKey keeps one string per distinct key (bounded), so memo checks compare pointers. */
function internConstraintKey(k: string): string {
  const v = constraintKeys.get(k);
  if (v !== undefined) return v;
  if (constraintKeys.size >= 1024) constraintKeys.clear();
  constraintKeys.set(k, k);
  return k;
}

const podInfos = new WeakMap<Pod, PodInfo>();

/** podInfoOf returns the PodInfo of a pod object, built once per object (objects are never mutated). */
export function podInfoOf(pod: Pod): PodInfo {
  let pi = podInfos.get(pod);
  if (!pi) {
    pi = new PodInfo(pod);
    podInfos.set(pod, pi);
  }
  return pi;
}

/** peekPodInfo returns the PodInfo podInfoOf built for this very object, if any (nothing is built or memoized). */
export function peekPodInfo(pod: Pod): PodInfo | undefined {
  return podInfos.get(pod);
}

/** ImageStateSummary: an image's size and on how many nodes it is present (shared across nodes). */
export interface ImageStateSummary {
  size: number;
  numNodes: number;
}

/** normalizedImageName appends `:latest` to an image with neither tag nor digest, as upstream. */
export function normalizedImageName(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const tail = name.slice(lastSlash + 1);
  if (!tail.includes(':') && !tail.includes('@')) return name + ':latest';
  return name;
}

let generationCounter = 0;
/** nextGeneration: a process-wide monotonic counter stamped on every NodeInfo change. */
export const nextGeneration = (): number => ++generationCounter;

/**
 * NodeInfo is one node and the pods on it (bound and assumed), with aggregates maintained on
 * every add/remove so Filter and Score read them in O(1).
 */
export class NodeInfo {
  /*
   * Field order is layout: V8 places fields in declaration order, so what every Filter and
   * Score reads for every evaluated node comes first and shares the object's first cache lines.
   */
  readonly name: string;
  unschedulable = false;
  taints: readonly Taint[] = NO_TAINTS;
  /**
   * Copies of the figures every Filter and Score reads for every node (allocatable, requested,
   * non-zero requested cpu/memory, ephemeral storage, pods), kept on the NodeInfo itself so a
   * cycle over hundreds of nodes touches one object per node: with the apiserver's and the
   * informers' work in between, each further object is a cache miss. The Resource objects stay
   * the source of truth; setNode, updateUsage and clone refresh these. (Plain fields: a
   * Float64Array of them measured 5× slower in fitsRequest under bench/density — its backing
   * store is allocated outside the V8 heap, two more objects away.)
   */
  allocMilliCPU = 0;
  allocMemory = 0;
  allocEphemeralStorage = 0;
  allocPods = 0;
  reqMilliCPU = 0;
  reqMemory = 0;
  reqEphemeralStorage = 0;
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  /** podCount is pods.length, kept with the other hot figures (the array is one more object to load). */
  podCount = 0;
  /** countId indexes this node in topology.SelectorCounts (assigned when first counted; -1 before). */
  countId = -1;
  /**
   * matchGeneration changes whenever a count of this node's pods by selector, or by the pods'
   * affinity terms against node labels, could change: the node object was set, or a pod was
   * added or removed, or replaced by a version with another namespace, labels, deletion state
   * or affinity. Status-only updates of a pod (the kubelet's, the binding's confirmation) keep
   * it, so the per-selector memos (topology.countMatchingPods, InterPodAffinity) stay valid.
   */
  matchGeneration = 0;
  /**
   * The node's kubernetes.io/hostname and topology.kubernetes.io/zone labels (undefined when
   * absent), copied onto the NodeInfo: spreading reads them for every scored node, and the
   * labels object is one more cache miss per node.
   */
  hostnameLabel: string | undefined = undefined;
  zoneLabel: string | undefined = undefined;
  /**
   * selectorMemo*: NodeAffinity's last answer for this node — whether the pods with
   * nodeConstraintKey `selectorMemoKey` fit it under the plugin instance `selectorMemoOwner`.
   * Valid while the node's labels stay (setNode clears it when they change).
   */
  selectorMemoKey: string | undefined = undefined;
  selectorMemoOwner: object | undefined = undefined;
  selectorMemoMatch = false;
  labels: Readonly<Record<string, string>> = {};
  node: Node | undefined;
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  allocatable = new Resource();
  requested = new Resource();
  nonZeroRequested = new Resource();
  /** usedPorts maps host IP → `protocol/port` → number of pods using it. */
  usedPorts = new Map<string, Map<string, number>>();
  imageStates = new Map<string, ImageStateSummary>();
  generation = nextGeneration();
  /**
   * The node's pods grouped by LabelSet, as parallel arrays (groupSets[i] has groupLive[i] pods
   * not terminating and groupTerminating[i] terminating): a selector is counted on the node by
   * testing each distinct label set once (memoized per selector) instead of each pod. Arrays,
   * not a Map of group objects, because a recount over hundreds of nodes is bound by cache
   * misses: the LabelSets are shared and stay cached, the counts sit in two small arrays.
   */
  groupSets: LabelSet[] = [];
  groupLive: number[] = [];
  groupTerminating: number[] = [];
  /** countMemo and lastCount*: matching-pod counts per selector key for one generation (topology.countMatchingPods). */
  countMemo: Map<string, { gen: number; count: number }> | undefined = undefined;
  lastCountKey = '';
  lastCountGen = -1;
  lastCount = 0;

  constructor(name: string, node?: Node) {
    this.name = name;
    this.matchGeneration = this.generation;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    const labels = node.metadata?.labels ?? {};
    // node labels are what the memos keyed by matchGeneration read of the node itself
    const relabelled = this.node === undefined || !sameLabels(this.labels, labels);
    this.node = node;
    this.labels = labels;
    this.hostnameLabel = labels['kubernetes.io/hostname'];
    this.zoneLabel = labels['topology.kubernetes.io/zone'];
    const taints = node.spec?.taints;
    this.taints = taints && taints.length > 0 ? taints : NO_TAINTS;
    this.unschedulable = node.spec?.unschedulable === true;
    this.allocatable = Resource.fromList(node.status?.allocatable as Record<string, string> | undefined);
    this.syncHot();
    this.generation = nextGeneration();
    if (relabelled) {
      this.matchGeneration = this.generation;
      this.selectorMemoKey = undefined;
    }
  }

  private syncHot(): void {
    const a = this.allocatable;
    const r = this.requested;
    this.allocMilliCPU = a.milliCPU;
    this.allocMemory = a.memory;
    this.allocEphemeralStorage = a.ephemeralStorage;
    this.allocPods = a.allowedPodNumber;
    this.reqMilliCPU = r.milliCPU;
    this.reqMemory = r.memory;
    this.reqEphemeralStorage = r.ephemeralStorage;
    this.nonZeroMilliCPU = this.nonZeroRequested.milliCPU;
    this.nonZeroMemory = this.nonZeroRequested.memory;
    this.podCount = this.pods.length;
  }

  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.push(pi);
    this.updateUsage(pi, 1);
    this.group(pi, 1);
    this.matchGeneration = this.generation;
  }

  private group(pi: PodInfo, sign: 1 | -1): void {
    const set = pi.labelSet;
    const sets = this.groupSets;
    let i = sets.indexOf(set);
    if (i < 0) {
      i = sets.length;
      sets.push(set);
      this.groupLive.push(0);
      this.groupTerminating.push(0);
    }
    if (pi.terminating) this.groupTerminating[i]! += sign;
    else this.groupLive[i]! += sign;
    if (this.groupLive[i] === 0 && this.groupTerminating[i] === 0) {
      const last = sets.length - 1;
      sets[i] = sets[last]!;
      this.groupLive[i] = this.groupLive[last]!;
      this.groupTerminating[i] = this.groupTerminating[last]!;
      sets.pop();
      this.groupLive.pop();
      this.groupTerminating.pop();
    }
  }

  /**
   * removePod removes by key; returns false when the pod was not on this node. `known`, the
   * PodInfo the caller last put here under that key, is found by identity: a scan of pointers
   * rather than of every pod's key (each PodInfo and key string a cache miss).
   */
  removePod(key: string, known?: PodInfo): boolean {
    const i = this.indexOfPod(key, known);
    if (i < 0) return false;
    const pi = this.pods[i]!;
    this.pods[i] = this.pods[this.pods.length - 1]!;
    this.pods.pop();
    if (this.podsWithAffinity.length > 0) removeByKey(this.podsWithAffinity, pi);
    if (this.podsWithRequiredAntiAffinity.length > 0) removeByKey(this.podsWithRequiredAntiAffinity, pi);
    this.updateUsage(pi, -1);
    this.group(pi, -1);
    this.matchGeneration = this.generation;
    return true;
  }

  private indexOfPod(key: string, known: PodInfo | undefined): number {
    const pods = this.pods;
    if (known !== undefined) {
      const i = pods.indexOf(known);
      if (i >= 0) return i;
    }
    for (let i = 0; i < pods.length; i++) if (pods[i]!.key === key) return i;
    return -1;
  }

  /**
   * replacePod swaps the pod with `next`'s key for `next` (a newer version of the same pod);
   * false when no pod with that key is on this node. `old`, when given, is the version the
   * caller last put here (found by identity, as removePod's `known`). matchGeneration moves
   * only when the two versions differ in what selectors and affinity terms read (see
   * samePodMatch).
   */
  replacePod(next: PodInfo, old?: PodInfo): boolean {
    const i = this.indexOfPod(next.key, old);
    if (i < 0) return false;
    const prev = this.pods[i]!;
    this.pods[i] = next;
    if (this.podsWithAffinity.length > 0 || next.hasAffinity) replaceByKey(this.podsWithAffinity, prev, next, next.hasAffinity);
    if (this.podsWithRequiredAntiAffinity.length > 0 || next.requiredAntiAffinityTerms.length > 0) {
      replaceByKey(this.podsWithRequiredAntiAffinity, prev, next, next.requiredAntiAffinityTerms.length > 0);
    }
    this.updateUsage(prev, -1);
    this.updateUsage(next, 1);
    if (!samePodMatch(prev, next)) {
      this.group(prev, -1);
      this.group(next, 1);
      this.matchGeneration = this.generation;
    } else {
      next.shareLabelSet(prev);
      // a version that computed its own (equal) set before: regroup under that object
      if (next.labelSet !== prev.labelSet) {
        this.group(prev, -1);
        this.group(next, 1);
      }
    }
    return true;
  }

  private updateUsage(pi: PodInfo, sign: 1 | -1): void {
    this.requested.add(pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroRequests.memory;
    for (const hp of pi.hostPorts) {
      let byIP = this.usedPorts.get(hp.ip);
      if (!byIP) this.usedPorts.set(hp.ip, (byIP = new Map()));
      const k = `${hp.protocol}/${hp.port}`;
      const n = (byIP.get(k) ?? 0) + sign;
      if (n <= 0) byIP.delete(k);
      else byIP.set(k, n);
    }
    this.syncHot();
    this.generation = nextGeneration();
  }

  /** portsConflict: some requested host port is taken (0.0.0.0 conflicts with every IP). */
  portsConflict(ports: readonly HostPort[]): boolean {
    for (const hp of ports) {
      const k = `${hp.protocol}/${hp.port}`;
      if (hp.ip === '0.0.0.0') {
        for (const byIP of this.usedPorts.values()) if (byIP.has(k)) return true;
      } else if (this.usedPorts.get(hp.ip)?.has(k) || this.usedPorts.get('0.0.0.0')?.has(k)) return true;
    }
    return false;
  }

  /** clone copies the aggregates so a simulation (preemption, nominated pods) can change them. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.hostnameLabel = this.hostnameLabel;
    c.zoneLabel = this.zoneLabel;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.allocatable = this.allocatable;
    c.pods = this.pods.slice();
    c.podsWithAffinity = this.podsWithAffinity.slice();
    c.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.slice();
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    for (const [ip, m] of this.usedPorts) c.usedPorts.set(ip, new Map(m));
    c.groupSets = this.groupSets.slice();
    c.groupLive = this.groupLive.slice();
    c.groupTerminating = this.groupTerminating.slice();
    c.imageStates = this.imageStates;
    c.syncHot();
    c.generation = this.generation;
    c.matchGeneration = this.matchGeneration;
    return c;
  }
}

/** replaceByKey puts `next` where `old` was in a list kept for pods with some property, or adds or drops it when the property changed. */
function replaceByKey(list: PodInfo[], old: PodInfo, next: PodInfo, has: boolean): void {
  const i = indexOfPodInfo(list, old);
  if (i >= 0 && has) list[i] = next;
  else if (i >= 0) list.splice(i, 1);
  else if (has) list.push(next);
}

/** indexOfPodInfo finds `pi` in a list by identity, else by key. */
function indexOfPodInfo(list: readonly PodInfo[], pi: PodInfo): number {
  const i = list.indexOf(pi);
  if (i >= 0) return i;
  for (let j = 0; j < list.length; j++) if (list[j]!.key === pi.key) return j;
  return -1;
}

/**
 * samePodMatch: two versions of a pod are alike for every selector and affinity term — same
 * namespace, labels and deletion state, and the same affinity (immutable in the API, compared
 * anyway since the cache also holds objects no apiserver validated).
 */
function samePodMatch(a: PodInfo, b: PodInfo): boolean {
  if (a.namespace !== b.namespace) return false;
  if (a.terminating !== b.terminating) return false;
  if (!sameLabels(a.labels, b.labels)) return false;
  const aa = a.pod.spec?.affinity;
  const ba = b.pod.spec?.affinity;
  if (aa === ba) return true;
  if ((a.hasAffinity || b.hasAffinity) && JSON.stringify(aa?.podAffinity ?? null) + JSON.stringify(aa?.podAntiAffinity ?? null) !== JSON.stringify(ba?.podAffinity ?? null) + JSON.stringify(ba?.podAntiAffinity ?? null)) return false;
  return true;
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function removeByKey(list: PodInfo[], pi: PodInfo): void {
  const i = indexOfPodInfo(list, pi);
  if (i >= 0) list.splice(i, 1);
}
