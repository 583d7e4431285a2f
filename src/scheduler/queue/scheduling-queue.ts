/**
 * SchedulingQueue as upstream's internal/queue.PriorityQueue: activeQ (ordered by the profile's
 * QueueSort, by default priority then age), backoffQ (ordered by backoff expiry, 1 s doubling
 * to 10 s), and unschedulablePods, which cluster events move back (QueueingHints-lite: a pod
 * moves only on events registered by the plugins that rejected it). One timer serves the
 * whole queue: no per-pod timers.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Clock, TimerHandle } from '../../client/util/clock.js';
import type { ClusterEvent, ClusterEventWithHint, QueuedPodInfo } from '../framework/interface.js';
import type { Status } from '../framework/status.js';
import { podInfoOf, podKey, type PodInfo } from '../framework/types.js';
import { Heap } from './heap.js';

export interface SchedulingQueueOptions {
  clock: Clock;
  /** less orders the active queue (the profile's QueueSort plugin). */
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** preEnqueue runs the PreEnqueue plugins; a rejection names the gating plugin. */
  preEnqueue?: (pod: PodInfo) => Status | undefined;
  /** eventsByPlugin: the events each plugin registered (EnqueueExtensions). */
  eventsByPlugin?: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** podMaxInUnschedulablePodsMs: after this long an unschedulable pod is retried anyway (5 min). */
  podMaxInUnschedulablePodsMs?: number;
}

/** UnschedulableTimeout and ForceActivate move every pod, whatever rejected it. */
export const UnschedulableTimeout: ClusterEvent = { resource: '*', action: 'Update', label: 'UnschedulableTimeout' };
export const ForceActivate: ClusterEvent = { resource: '*', action: 'Update', label: 'ForceActivate' };

const keyOf = (q: QueuedPodInfo): string => q.podInfo.key;

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly activeQ: Heap<QueuedPodInfo>;
  private readonly backoffQ: Heap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxInUnschedulable: number;
  private readonly preEnqueue: SchedulingQueueOptions['preEnqueue'];
  private readonly eventsByPlugin: ReadonlyMap<string, readonly ClusterEventWithHint[]>;
  private waiter: ((q: QueuedPodInfo | undefined) => void) | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private closed = false;
  /** schedulingCycle counts pops; moveRequestCycle is the cycle of the last move event. */
  schedulingCycle = 0;
  private moveRequestCycle = -1;
  // nominator: pods that preemption nominated to a node, visible to other pods' filters
  private readonly nominatedByNode = new Map<string, PodInfo[]>();
  private readonly nominatedNodeOf = new Map<string, string>();

  constructor(opts: SchedulingQueueOptions) {
    this.clock = opts.clock;
    this.activeQ = new Heap(keyOf, opts.less);
    this.backoffQ = new Heap(keyOf, (a, b) => a.backoffExpiry < b.backoffExpiry);
    this.initialBackoff = opts.podInitialBackoffMs ?? 1000;
    this.maxBackoff = opts.podMaxBackoffMs ?? 10_000;
    this.maxInUnschedulable = opts.podMaxInUnschedulablePodsMs ?? 5 * 60_000;
    this.preEnqueue = opts.preEnqueue;
    this.eventsByPlugin = opts.eventsByPlugin ?? new Map();
  }

  private newQueued(pi: PodInfo): QueuedPodInfo {
    const now = this.clock.now();
    return { podInfo: pi, timestamp: now, initialAttemptTimestamp: undefined, attempts: 0, unschedulablePlugins: new Set(), gatedBy: undefined, backoffExpiry: now };
  }

  /** runPreEnqueue decides whether q may enter activeQ; a gated pod waits in unschedulablePods. */
  private gate(q: QueuedPodInfo): boolean {
    const s = this.preEnqueue?.(q.podInfo);
    if (s && !s.isSuccess()) {
      q.gatedBy = s.plugin || 'PreEnqueue';
      return false;
    }
    q.gatedBy = undefined;
    return true;
  }

  private toActive(q: QueuedPodInfo): void {
    if (!this.gate(q)) {
      this.unschedulable.set(q.podInfo.key, q);
      return;
    }
    this.unschedulable.delete(q.podInfo.key);
    this.backoffQ.delete(q.podInfo.key);
    this.activeQ.addOrUpdate(q);
    this.wake();
  }

  private wake(): void {
    if (!this.waiter || this.activeQ.size === 0) return;
    const w = this.waiter;
    this.waiter = undefined;
    w(this.popNow());
  }

  /** add enqueues a new pending pod (informer add of an unassigned pod). */
  add(pod: Pod): void {
    const pi = podInfoOf(pod);
    if (this.inFlight.has(pi.key) || this.activeQ.has(pi.key) || this.backoffQ.has(pi.key)) return this.update(pod);
    const existing = this.unschedulable.get(pi.key);
    const q = existing ?? this.newQueued(pi);
    q.podInfo = pi;
    this.toActive(q);
  }

  /** update replaces the pod wherever it waits; an update can lift gates or make it schedulable. */
  update(pod: Pod): void {
    const pi = podInfoOf(pod);
    const k = pi.key;
    const inActive = this.activeQ.get(k);
    if (inActive) {
      inActive.podInfo = pi;
      this.activeQ.addOrUpdate(inActive);
      return;
    }
    const inBackoff = this.backoffQ.get(k);
    if (inBackoff) {
      inBackoff.podInfo = pi;
      this.backoffQ.addOrUpdate(inBackoff);
      return;
    }
    const inFlight = this.inFlight.get(k);
    if (inFlight) {
      inFlight.podInfo = pi;
      return;
    }
    const u = this.unschedulable.get(k);
    if (u) {
      u.podInfo = pi;
      if (u.gatedBy) this.toActive(u);
      else this.moveOne(u);
      return;
    }
    this.add(pod);
  }

  /** replacePodObject swaps in a newer object of the same pod without moving it (status-only updates). */
  replacePodObject(pod: Pod): void {
    const pi = podInfoOf(pod);
    const q = this.activeQ.get(pi.key) ?? this.backoffQ.get(pi.key) ?? this.unschedulable.get(pi.key) ?? this.inFlight.get(pi.key);
    if (q) q.podInfo = pi;
    else this.add(pod);
  }

  /** delete forgets the pod everywhere, including its nomination. */
  delete(pod: Pod): void {
    const k = podKey(pod);
    this.activeQ.delete(k);
    this.backoffQ.delete(k);
    this.unschedulable.delete(k);
    this.deleteNominatedPod(k);
  }

  /** pop resolves with the next pod to schedule; undefined once the queue is closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.activeQ.size > 0) return Promise.resolve(this.popNow());
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** tryPop returns the next pod synchronously, or undefined when activeQ is empty. */
  tryPop(): QueuedPodInfo | undefined {
    return this.activeQ.size > 0 ? this.popNow() : undefined;
  }

  private popNow(): QueuedPodInfo {
    const q = this.activeQ.pop()!;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.clock.now();
    this.schedulingCycle++;
    this.inFlight.set(q.podInfo.key, q);
    return q;
  }

  /** done marks the end of a pod's scheduling attempt (after binding or requeue). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }

  /**
   * addUnschedulableIfNotPresent requeues a pod whose attempt failed in `cycle`. A pod that
   * failed with an error (no rejecting plugin), or for which a move event arrived while it
   * was being scheduled, goes to backoffQ; otherwise it waits in unschedulablePods.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, cycle: number): void {
    const k = q.podInfo.key;
    this.inFlight.delete(k);
    if (this.activeQ.has(k) || this.backoffQ.has(k) || this.unschedulable.has(k)) return;
    q.timestamp = this.clock.now();
    q.backoffExpiry = q.timestamp + this.backoffDuration(q);
    if (q.unschedulablePlugins.size === 0 || this.moveRequestCycle >= cycle) {
      this.backoffQ.addOrUpdate(q);
    } else {
      this.unschedulable.set(k, q);
    }
    this.armTimer();
  }

  /** moveAllToActiveOrBackoffQueue: a cluster event that may make rejected pods schedulable. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: unknown, newObj?: unknown): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const wildcard = event.resource === '*';
    for (const q of [...this.unschedulable.values()]) {
      if (q.gatedBy) continue;
      if (!wildcard && !this.interested(q, event, oldObj, newObj)) continue;
      this.moveOne(q);
    }
  }

  private interested(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.eventsByPlugin.get(plugin) ?? []) {
        if (reg.event.resource !== event.resource || reg.event.action !== event.action) continue;
        if (!reg.hint || reg.hint(q.podInfo.pod, oldObj, newObj) === 'Queue') return true;
      }
    }
    return false;
  }

  private moveOne(q: QueuedPodInfo): void {
    this.unschedulable.delete(q.podInfo.key);
    if (q.backoffExpiry > this.clock.now()) {
      this.backoffQ.addOrUpdate(q);
      this.armTimer();
    } else this.toActive(q);
  }

  /** flush moves backed-off pods whose time has come and long-unschedulable ones; the timer calls it. */
  flush(): void {
    const now = this.clock.now();
    for (let q = this.backoffQ.peek(); q && q.backoffExpiry <= now; q = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.toActive(q);
    }
    for (const q of [...this.unschedulable.values()]) {
      if (!q.gatedBy && now - q.timestamp >= this.maxInUnschedulable) this.moveOne(q);
    }
    this.armTimer();
  }

  private armTimer(): void {
    if (this.closed) return;
    let at = this.backoffQ.peek()?.backoffExpiry ?? Infinity;
    // unschedulable is in insertion order, which is timestamp order: the first ungated pod is the oldest
    for (const q of this.unschedulable.values()) {
      if (q.gatedBy) continue;
      at = Math.min(at, q.timestamp + this.maxInUnschedulable);
      break;
    }
    if (at === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.flush();
    }, at - this.clock.now());
  }

  // --- nominator ---

  addNominatedPod(pi: PodInfo, nodeName: string): void {
    this.deleteNominatedPod(pi.key);
    if (!nodeName) return;
    this.nominatedNodeOf.set(pi.key, nodeName);
    let list = this.nominatedByNode.get(nodeName);
    if (!list) this.nominatedByNode.set(nodeName, (list = []));
    list.push(pi);
  }

  deleteNominatedPod(key: string): void {
    const node = this.nominatedNodeOf.get(key);
    if (node === undefined) return;
    this.nominatedNodeOf.delete(key);
    const list = this.nominatedByNode.get(node);
    if (!list) return;
    const i = list.findIndex((p) => p.key === key);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.nominatedByNode.delete(node);
  }

  /** hasNominatedPods: some pod is nominated to some node (usually none is). */
  hasNominatedPods(): boolean {
    return this.nominatedByNode.size > 0;
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    // asked for every node evaluated in every cycle; usually nothing is nominated at all
    if (this.nominatedByNode.size === 0) return NO_PODS;
    return this.nominatedByNode.get(nodeName) ?? NO_PODS;
  }

  /** pending lists the pods in each sub-queue (for tests and the explain command). */
  pending(): { active: string[]; backoff: string[]; unschedulable: string[] } {
    return {
      active: this.activeQ.list().map(keyOf),
      backoff: this.backoffQ.list().map(keyOf),
      unschedulable: [...this.unschedulable.keys()],
    };
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }
}

const NO_PODS: readonly PodInfo[] = [];
