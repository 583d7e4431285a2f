/**
 * Scheduler is upstream's pkg/scheduler.Scheduler: event handlers feed the cache and the
 * queue; scheduleOne pops a pod, runs the synchronous scheduling cycle (filter, score,
 * assume, reserve, permit) on the snapshot, then starts the asynchronous binding cycle and
 * moves on. Failures set PodScheduled=False and emit FailedScheduling with FitError's text.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { realClock, type Clock, type TimerHandle } from '../client/util/clock.js';
import { chainTrace } from '../client/util/chaintrace.js';
import { Cache, Snapshot } from './cache/cache.js';
import { resolveConfig, type ResolvedConfig } from './config/config.js';
import { CycleState } from './framework/cycle-state.js';
import { FitError, newDiagnosis, type Diagnosis } from './framework/fit-error.js';
import type { ClusterEvent, QueuedPodInfo, SchedulerClient, SchedulerListers } from './framework/interface.js';
import type { Registry } from './framework/registry.js';
import { Framework, type ScoreBreakdown } from './framework/runtime.js';
import { Code, Status } from './framework/status.js';
import { namespacedName, podInfoOf, podKey, type NodeInfo, type PodInfo } from './framework/types.js';
import { inTreeRegistry } from './plugins/registry.js';
import { SchedulingQueue } from './queue/scheduling-queue.js';
import { DefaultSchedulerName } from './config/config.js';

export const ErrNoNodesAvailable = 'no nodes available to schedule pods';
/** MIN_FEASIBLE_NODES_TO_FIND: below this many nodes, all are evaluated (upstream: 100). */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
const EVENT_NOTE_LIMIT = 1024;
/** YIELD_EVERY_MS bounds how long the scheduling loop keeps the event loop before letting I/O run. */
const YIELD_EVERY_MS = 4;

/**
 * numFeasibleNodesToFind is upstream's adaptive percentageOfNodesToScore: all nodes below 100,
 * else `pct`% (0 means max(5, 50 − N/125)), at least 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentage;
  if (pct <= 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export interface SchedulerOptions {
  client: SchedulerClient;
  listers?: SchedulerListers;
  config?: ResolvedConfig;
  /** registry adds (or overrides) plugins by name on top of the in-tree ones. */
  registry?: Registry;
  clock?: Clock;
  random?: () => number;
  /** assumedPodTtlMs: how long an assumed pod whose binding finished waits for the watch. */
  assumedPodTtlMs?: number;
  /** maxBindingsInFlight bounds concurrent binding cycles (backpressure on the apiserver). */
  maxBindingsInFlight?: number;
  log?: (msg: string) => void;
}

export interface ScheduleResult {
  suggestedHost: string;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** ExplainNode: why a node was rejected, or its scores. */
export interface ExplainNode {
  node: string;
  rejectedBy?: { plugin: string; code: string; reasons: readonly string[] }[];
  scores?: Record<string, number>;
  total?: number;
}

export class Scheduler {
  readonly cache: Cache;
  readonly snapshot: Snapshot;
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly config: ResolvedConfig;
  private readonly client: SchedulerClient;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: (msg: string) => void;
  private readonly maxBindingsInFlight: number;
  private nextStartNodeIndex = 0;
  private bindingsInFlight = 0;
  private bindingSlot: (() => void) | undefined;
  private readonly bindings = new Set<Promise<void>>();
  private readonly waitingPermits = new Map<string, (allowed: Status) => void>();
  /** pending: keys of the unassigned pods this scheduler is responsible for (a failed pod is requeued only if still here). */
  private readonly pending = new Set<string>();
  /** counters for benchmarks and metrics. */
  readonly stats = { scheduled: 0, unschedulable: 0, errors: 0, attempts: 0 };

  constructor(opts: SchedulerOptions) {
    this.client = opts.client;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? (() => {});
    this.maxBindingsInFlight = opts.maxBindingsInFlight ?? 512;
    this.config = opts.config ?? resolveConfig();
    this.cache = new Cache(() => this.clock.now(), opts.assumedPodTtlMs ?? 30_000);
    this.snapshot = new Snapshot(this.cache);
    const registry: Registry = new Map([...inTreeRegistry, ...(opts.registry ?? [])]);
    const nominated = (n: string): readonly PodInfo[] => this.queue.nominatedPodsForNode(n);
    for (const p of this.config.profiles) {
      this.profiles.set(p.schedulerName, new Framework(p, registry, { snapshot: this.snapshot, listers: opts.listers ?? {}, client: this.client, nominatedPodsForNode: nominated }));
    }
    const first = this.profiles.values().next().value as Framework;
    const events = new Map<string, NonNullable<ReturnType<Framework['eventsByPlugin']>> extends Map<string, infer V> ? V : never>();
    for (const f of this.profiles.values()) for (const [k, v] of f.eventsByPlugin()) events.set(k, v);
    this.queue = new SchedulingQueue({
      clock: this.clock,
      less: (a, b) => first.queueSort.less(a, b),
      preEnqueue: (pi) => this.frameworkFor(pi.pod)?.runPreEnqueuePlugins(pi),
      eventsByPlugin: events,
      podInitialBackoffMs: this.config.podInitialBackoffMs,
      podMaxBackoffMs: this.config.podMaxBackoffMs,
    });
  }

  frameworkFor(pod: Pod): Framework | undefined {
    return this.profiles.get(pod.spec?.schedulerName || DefaultSchedulerName);
  }

  /** responsibleFor: the pod names one of this scheduler's profiles. */
  responsibleFor(pod: Pod): boolean {
    return this.frameworkFor(pod) !== undefined;
  }

  // ---- event handlers (wired to informers; each is cheap and synchronous) ----

  addPod(pod: Pod): void {
    if (pod.spec?.nodeName) {
      this.cache.addPod(pod);
      this.queue.deleteNominatedPod(podKey(pod));
      this.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Add' }, undefined, pod);
    } else if (this.responsibleFor(pod) && !isTerminal(pod)) {
      chainTrace?.(podKey(pod), 'scheduler add');
      this.pending.add(podKey(pod));
      this.queue.add(pod);
    }
  }

  updatePod(old: Pod, pod: Pod): void {
    if (pod.spec?.nodeName) {
      if (!old.spec?.nodeName) {
        // bound: leaves the queue, enters the cache
        this.pending.delete(podKey(old));
        this.queue.delete(old);
        this.addPod(pod);
        return;
      }
      this.cache.updatePod(old, pod);
      this.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Update' }, old, pod);
      return;
    }
    if (!this.responsibleFor(pod)) return;
    if (isTerminal(pod)) {
      this.pending.delete(podKey(pod));
      return this.queue.delete(pod);
    }
    this.pending.add(podKey(pod));
    // an assumed pod's own status updates must not requeue it
    if (this.cache.isAssumed(pod)) return;
    if (!schedulingRelevantChange(old, pod)) {
      this.queue.replacePodObject(pod);
      return;
    }
    this.queue.update(pod);
  }

  deletePod(pod: Pod): void {
    if (pod.spec?.nodeName || this.cache.isAssumed(pod)) {
      this.cache.removePod(pod);
      this.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Delete' }, pod, undefined);
    }
    this.pending.delete(podKey(pod));
    this.queue.delete(pod);
    const wait = this.waitingPermits.get(podKey(pod));
    wait?.(Status.unschedulable('pod deleted'));
  }

  addNode(node: Node): void {
    this.cache.addNode(node);
    this.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Add' }, undefined, node);
  }

  updateNode(old: Node, node: Node): void {
    this.cache.updateNode(old, node);
    // heartbeats (conditions, timestamps) change nothing a plugin reads
    if (nodeSchedulingPropertiesChanged(old, node)) this.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Update' }, old, node);
  }

  deleteNode(node: Node): void {
    this.cache.removeNode(node);
    this.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', action: 'Delete' }, node, undefined);
  }

  /** onClusterEvent: other watched resources (PVCs, PVs, StorageClasses, Services, Namespaces, PDBs). */
  onClusterEvent(event: ClusterEvent, oldObj?: unknown, newObj?: unknown): void {
    this.queue.moveAllToActiveOrBackoffQueue(event, oldObj, newObj);
  }

  // ---- scheduling ----

  /** scheduleOne waits for the next pod and schedules it; false once the queue is closed. */
  async scheduleOne(): Promise<boolean> {
    const q = await this.queue.pop();
    if (!q) return false;
    this.scheduleQueued(q);
    return true;
  }

  /**
   * scheduleQueued runs the scheduling cycle of one popped pod synchronously and starts its
   * binding cycle (tracked in `bindings`).
   */
  scheduleQueued(q: QueuedPodInfo): void {
    const pi = q.podInfo;
    const fwk = this.frameworkFor(pi.pod);
    if (!fwk || pi.pod.metadata?.deletionTimestamp || this.cache.isAssumed(pi.pod)) {
      this.queue.done(pi.key);
      return;
    }
    this.stats.attempts++;
    chainTrace?.(pi.key, 'scheduler cycle');
    const cycle = this.queue.schedulingCycle;
    const state = new CycleState();
    this.snapshot.update();
    let result: ScheduleResult;
    try {
      result = this.schedulePod(fwk, state, pi);
    } catch (err) {
      let nominated: string | undefined;
      if (err instanceof FitError) {
        if (fwk.hasPostFilterPlugins()) {
          const r = fwk.runPostFilterPlugins(state, pi, err.diagnosis.nodeToStatus);
          if (r.status.code === Code.Error) this.log(`status after running PostFilter plugins for pod ${namespacedName(pi.pod)}: ${r.status.message()}`);
          else if (r.status.isRejected() && r.status.message()) err.diagnosis.postFilterMsg = r.status.message();
          nominated = r.result?.nominatedNodeName;
        }
        q.unschedulablePlugins = err.diagnosis.unschedulablePlugins;
        this.stats.unschedulable++;
        this.handleFailure(q, err, 'Unschedulable', nominated, cycle);
      } else {
        q.unschedulablePlugins = new Set();
        this.stats.errors++;
        this.handleFailure(q, err instanceof Error ? err : new Error(String(err)), 'SchedulerError', undefined, cycle);
      }
      return;
    }
    const host = result.suggestedHost;
    this.cache.assumePod(pi.pod, host);
    const rs = fwk.runReservePluginsReserve(state, pi, host);
    if (!rs.isSuccess()) {
      fwk.runReservePluginsUnreserve(state, pi, host);
      this.cache.forgetPod(pi.pod);
      this.failFromStatus(q, rs, cycle);
      return;
    }
    const permit = fwk.runPermitPlugins(state, pi, host);
    if (!permit.status.isSuccess() && permit.status.code !== Code.Wait) {
      fwk.runReservePluginsUnreserve(state, pi, host);
      this.cache.forgetPod(pi.pod);
      this.failFromStatus(q, permit.status, cycle);
      return;
    }
    this.bindingsInFlight++;
    const p = this.bindingCycle(fwk, state, q, host, cycle, permit.status.code === Code.Wait ? permit.timeoutMs : 0).finally(() => {
      this.bindingsInFlight--;
      this.bindings.delete(p);
      const slot = this.bindingSlot;
      this.bindingSlot = undefined;
      slot?.();
    });
    this.bindings.add(p);
  }

  private failFromStatus(q: QueuedPodInfo, s: Status, cycle: number): void {
    if (s.isRejected()) {
      q.unschedulablePlugins = new Set([s.plugin]);
      this.handleFailure(q, new Error(s.message()), 'Unschedulable', undefined, cycle);
    } else {
      q.unschedulablePlugins = new Set();
      this.handleFailure(q, s.error ?? new Error(s.message()), 'SchedulerError', undefined, cycle);
    }
  }

  /** allowWaitingPod / rejectWaitingPod resolve a pod held by a Permit plugin's Wait. */
  allowWaitingPod(key: string): void {
    this.waitingPermits.get(key)?.(Status.success());
  }
  rejectWaitingPod(key: string, msg: string): void {
    this.waitingPermits.get(key)?.(Status.unschedulable(msg));
  }

  private waitOnPermit(key: string, timeoutMs: number): Promise<Status> {
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      const done = (s: Status): void => {
        if (timer !== undefined) this.clock.clearTimeout(timer);
        this.waitingPermits.delete(key);
        resolve(s);
      };
      this.waitingPermits.set(key, done);
      timer = this.clock.setTimeout(() => done(Status.unschedulable('rejected due to timeout after waiting ' + timeoutMs + 'ms at plugin permit')), timeoutMs);
    });
  }

  private async bindingCycle(fwk: Framework, state: CycleState, q: QueuedPodInfo, host: string, cycle: number, permitWaitMs: number): Promise<void> {
    const pi = q.podInfo;
    try {
      if (permitWaitMs > 0) {
        const s = await this.waitOnPermit(pi.key, permitWaitMs);
        if (!s.isSuccess()) throw s;
      }
      const flight = fwk.runPreBindPreFlights(state, pi, host);
      if (flight.code === Code.Error) throw flight;
      // most pods have nothing to prepare: no PreBind round trip through the event loop
      if (!flight.isSkip()) {
        const pre = await fwk.runPreBindPlugins(state, pi, host);
        if (!pre.isSuccess()) throw pre;
      }
      chainTrace?.(pi.key, 'scheduler bind sent');
      const b = await fwk.runBindPlugins(state, pi, host);
      chainTrace?.(pi.key, 'scheduler bind answered');
      if (!b.isSuccess()) throw b;
    } catch (e) {
      fwk.runReservePluginsUnreserve(state, pi, host);
      this.cache.forgetPod(pi.pod);
      // the place it held is free again
      this.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action: 'Delete' });
      if (e instanceof Status) this.failFromStatus(q, e, cycle);
      else {
        q.unschedulablePlugins = new Set();
        this.handleFailure(q, e instanceof Error ? e : new Error(String(e)), 'SchedulerError', undefined, cycle);
      }
      this.stats.errors++;
      return;
    }
    this.cache.finishBinding(pi.pod);
    this.stats.scheduled++;
    this.queue.deleteNominatedPod(pi.key);
    this.queue.done(pi.key);
    this.client.event(pi.pod, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${pi.namespace}/${pi.name} to ${host}`);
    fwk.runPostBindPlugins(state, pi, host);
  }

  private handleFailure(q: QueuedPodInfo, err: Error, reason: 'Unschedulable' | 'SchedulerError', nominated: string | undefined, cycle: number): void {
    const pi = q.podInfo;
    // a pod deleted (or bound by someone else) meanwhile is not requeued, as upstream checks its lister
    if (this.pending.has(pi.key)) this.queue.addUnschedulableIfNotPresent(q, cycle);
    else this.queue.done(pi.key);
    if (nominated !== undefined) {
      if (nominated) this.queue.addNominatedPod(pi, nominated);
      else this.queue.deleteNominatedPod(pi.key);
    }
    const msg = err.message;
    this.client.event(pi.pod, 'Warning', 'FailedScheduling', 'Scheduling', msg.length > EVENT_NOTE_LIMIT ? msg.slice(0, EVENT_NOTE_LIMIT - 3) + '...' : msg);
    this.client.updatePodScheduledCondition(pi.pod, { status: 'False', reason, message: msg }, nominated).catch((e: unknown) => {
      this.log(`error updating pod ${namespacedName(pi.pod)}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  /** schedulePod finds the best node; throws FitError when none fits, Error on faults. */
  schedulePod(fwk: Framework, state: CycleState, pi: PodInfo): ScheduleResult {
    const all = this.snapshot.nodeInfos();
    if (all.length === 0) throw new Error(ErrNoNodesAvailable);
    const { feasible, diagnosis, evaluated } = this.findNodesThatFitPod(fwk, state, pi);
    if (feasible.length === 0) throw new FitError(namespacedName(pi.pod), all.length, diagnosis);
    if (feasible.length === 1) return { suggestedHost: feasible[0]!.name, evaluatedNodes: evaluated, feasibleNodes: 1 };
    const scores = this.prioritizeNodes(fwk, state, pi, feasible);
    return { suggestedHost: feasible[this.selectHost(scores)]!.name, evaluatedNodes: evaluated, feasibleNodes: feasible.length };
  }

  private findNodesThatFitPod(fwk: Framework, state: CycleState, pi: PodInfo): { feasible: NodeInfo[]; diagnosis: Diagnosis; evaluated: number } {
    const diagnosis = newDiagnosis();
    const all = this.snapshot.nodeInfos();
    const pre = fwk.runPreFilterPlugins(state, pi, all);
    if (!pre.status.isSuccess()) {
      if (!pre.status.isRejected()) throw pre.status.error ?? new Error(pre.status.message());
      diagnosis.preFilterMsg = pre.status.message();
      for (const n of all) diagnosis.nodeToStatus.set(n.name, pre.status);
      if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
      return { feasible: [], diagnosis, evaluated: all.length };
    }
    // a pod nominated by preemption tries its node first
    const nnn = pi.pod.status?.nominatedNodeName;
    if (nnn) {
      const n = this.snapshot.get(nnn);
      if (n && (!pre.nodeNames || pre.nodeNames.has(nnn)) && fwk.runFilterPluginsWithNominatedPods(state, pi, n).isSuccess()) {
        return { feasible: [n], diagnosis, evaluated: 1 };
      }
    }
    let nodes = all;
    if (pre.nodeNames) {
      nodes = [];
      for (const name of pre.nodeNames) {
        const n = this.snapshot.get(name);
        if (n) (nodes as NodeInfo[]).push(n);
      }
      diagnosis.absentNodesStatus = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${pre.resultPlugins.sort().join(' ')}]`);
    }
    const { feasible, processed } = this.findNodesThatPassFilters(fwk, state, pi, diagnosis, nodes);
    return { feasible, diagnosis, evaluated: processed };
  }

  /**
   * findNodesThatPassFilters evaluates nodes round-robin from where the last cycle stopped
   * until enough are feasible. The rejected nodes' statuses reach the diagnosis only when none
   * is feasible — the only case that reads them (FitError, PostFilter) — since a crowded
   * cluster rejects thousands of nodes per cycle.
   */
  private findNodesThatPassFilters(fwk: Framework, state: CycleState, pi: PodInfo, diagnosis: Diagnosis, nodes: readonly NodeInfo[]): { feasible: NodeInfo[]; processed: number } {
    const num = nodes.length;
    const want = numFeasibleNodesToFind(fwk.percentageOfNodesToScore ?? this.config.percentageOfNodesToScore, num);
    const feasible: NodeInfo[] = [];
    if (num === 0) return { feasible, processed: 0 };
    const start = this.nextStartNodeIndex % num;
    let processed = 0;
    const rejected: NodeInfo[] = [];
    const statuses: Status[] = [];
    // with no pod nominated anywhere (the usual case) each node goes straight to the filters
    const nominated = this.queue.hasNominatedPods();
    for (let i = 0; i < num; i++) {
      const n = nodes[(start + i) % num]!;
      processed++;
      const s = nominated ? fwk.runFilterPluginsWithNominatedPods(state, pi, n) : fwk.runFilterPlugins(state, pi, n);
      if (s.code === Code.Success) {
        feasible.push(n);
        if (feasible.length >= want) break;
      } else if (s.isRejected()) {
        rejected.push(n);
        statuses.push(s);
      } else {
        throw s.error ?? new Error(s.message());
      }
    }
    this.nextStartNodeIndex = (start + processed) % num;
    if (feasible.length === 0) {
      for (let i = 0; i < rejected.length; i++) {
        const s = statuses[i]!;
        diagnosis.nodeToStatus.set(rejected[i]!.name, s);
        if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      }
    }
    return { feasible, processed };
  }

  private prioritizeNodes(fwk: Framework, state: CycleState, pi: PodInfo, nodes: readonly NodeInfo[], breakdown?: ScoreBreakdown): number[] {
    if (fwk.score.length === 0) return new Array<number>(nodes.length).fill(1);
    const s = fwk.runPreScorePlugins(state, pi, nodes);
    if (!s.isSuccess()) throw s.error ?? new Error(s.message());
    return fwk.runScorePlugins(state, pi, nodes, breakdown);
  }

  /** selectHost picks the highest total, breaking ties uniformly at random (reservoir sampling). */
  private selectHost(scores: number[]): number {
    let best = 0;
    let max = scores[0]!;
    let ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i]!;
      if (s > max) {
        max = s;
        best = i;
        ties = 1;
      } else if (s === max) {
        ties++;
        if (this.random() * ties < 1) best = i;
      }
    }
    return best;
  }

  /**
   * explain evaluates a pod against every node without changing anything: for each node the
   * filter plugins that reject it (all of them, not just the first), else each score plugin's
   * weighted score. Nodes come back in name order.
   */
  explain(pod: Pod): { preFilter?: { plugin: string; message: string }; nodes: ExplainNode[] } {
    const fwk = this.frameworkFor(pod);
    if (!fwk) throw new Error(`pod ${namespacedName(pod)} names scheduler "${pod.spec?.schedulerName}", which has no profile here`);
    this.snapshot.update();
    const pi = podInfoOf(pod);
    const state = new CycleState();
    const all = this.snapshot.nodeInfos();
    const pre = fwk.runPreFilterPlugins(state, pi, all);
    if (!pre.status.isSuccess()) return { preFilter: { plugin: pre.status.plugin, message: pre.status.message() }, nodes: [] };
    const out: ExplainNode[] = [];
    const feasible: NodeInfo[] = [];
    for (const n of all) {
      if (pre.nodeNames && !pre.nodeNames.has(n.name)) {
        out.push({ node: n.name, rejectedBy: [{ plugin: pre.resultPlugins.join(','), code: 'UnschedulableAndUnresolvable', reasons: ['excluded by PreFilter result'] }] });
        continue;
      }
      const rejects = fwk.runAllFilterPlugins(state, pi, n);
      if (rejects.length > 0) out.push({ node: n.name, rejectedBy: rejects.map((s) => ({ plugin: s.plugin, code: s.codeName(), reasons: s.reasons })) });
      else feasible.push(n);
    }
    if (feasible.length > 0) {
      const breakdown: ScoreBreakdown = new Map();
      const totals = this.prioritizeNodes(fwk, state, pi, feasible, breakdown);
      feasible.forEach((n, i) => {
        const scores: Record<string, number> = {};
        for (const [plugin, s] of breakdown) scores[plugin] = s[i]!;
        out.push({ node: n.name, scores, total: totals[i]! });
      });
    }
    out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    return { nodes: out };
  }

  /**
   * run schedules until `signal` aborts: one pod at a time, yielding to I/O between pods,
   * waiting when too many bindings are in flight, and expiring assumed pods every second.
   */
  async run(signal: AbortSignal): Promise<void> {
    const onAbort = (): void => this.queue.close();
    signal.addEventListener('abort', onAbort, { once: true });
    let cleanup: TimerHandle | undefined;
    const tick = (): void => {
      for (const k of this.cache.cleanupAssumedPods()) this.log(`assumed pod ${k} expired`);
      cleanup = this.clock.setTimeout(tick, 1000);
    };
    cleanup = this.clock.setTimeout(tick, 1000);
    try {
      let sliceStart = performance.now();
      while (!signal.aborted) {
        if (this.bindingsInFlight >= this.maxBindingsInFlight) await new Promise<void>((r) => (this.bindingSlot = r));
        const q = await this.queue.pop();
        if (!q) break;
        this.scheduleQueued(q);
        // yield to I/O (watch events, binding responses) every few milliseconds, not every pod
        if (performance.now() - sliceStart > YIELD_EVERY_MS) {
          await new Promise<void>((r) => setImmediate(r));
          sliceStart = performance.now();
        }
      }
    } finally {
      if (cleanup !== undefined) this.clock.clearTimeout(cleanup);
      signal.removeEventListener('abort', onAbort);
      await Promise.allSettled([...this.bindings]);
    }
  }

  /** idle resolves once no binding is in flight (tests, benchmarks). */
  async waitForBindings(): Promise<void> {
    while (this.bindings.size > 0) await Promise.allSettled([...this.bindings]);
  }
}

function isTerminal(pod: Pod): boolean {
  const ph = pod.status?.phase;
  return ph === 'Succeeded' || ph === 'Failed';
}

/** schedulingRelevantChange ignores status, resourceVersion and managedFields, as upstream's isPodUpdated. */
function schedulingRelevantChange(old: Pod, pod: Pod): boolean {
  if (old === pod) return false;
  const strip = (p: Pod): string =>
    JSON.stringify([p.spec, p.metadata?.labels, p.metadata?.annotations, p.metadata?.deletionTimestamp, p.metadata?.ownerReferences]);
  return strip(old) !== strip(pod);
}

function nodeSchedulingPropertiesChanged(old: Node, node: Node): boolean {
  if (old === node) return false;
  const pick = (n: Node): string =>
    JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable, n.status?.images?.length]);
  return pick(old) !== pick(node);
}
