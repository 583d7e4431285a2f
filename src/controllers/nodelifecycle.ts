/**
 * The node lifecycle controller (upstream pkg/controller/nodelifecycle plus the taint
 * eviction controller). Kubelets heartbeat through Leases in kube-node-lease and through
 * their Ready condition; a node neither has renewed for nodeMonitorGracePeriod (measured on
 * this controller's clock, from when it last saw a change, so clock skew does not matter)
 * gets every condition set to Unknown (NodeStatusUnknown, "Kubelet stopped posting node
 * status."), its pods marked not ready, and the `node.kubernetes.io/unreachable` taints;
 * Ready=False gets the `node.kubernetes.io/not-ready` taints; Ready=True loses both. Pods on
 * a node with NoExecute taints they do not tolerate are evicted (deleted) once their
 * tolerationSeconds have passed since the taint was added; pods lacking a toleration for
 * not-ready/unreachable get defaultTolerationSeconds (300, what the DefaultTolerationSeconds
 * admission plugin would have added).
 *
 * Keys are node names, and `namespace/name` of pods (a node name has no slash). Each node
 * sync returns requeueAfter for its next deadline, so the work queue's single delay heap is
 * the only timer. Pod events matter only for pods on unhealthy nodes, as upstream's pod
 * handlers: a pod bound to a node whose Ready condition is not True is marked not ready
 * (upstream processPod), and a pod arriving on, or changing its tolerations on, a node with
 * NoExecute taints wakes that node's eviction pass (upstream's taint eviction PodUpdated).
 * Every other pod event costs one cache lookup.
 */
import { rfc3339 } from '../api/duration.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Clock, type EventRecorder, type Lister } from '../client/index.js';
import { watch, watchEvents, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';

export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const NODE_NAME_INDEX = 'nodelifecycle/nodeName';
/** CONDITION_TAINTS: node conditions that, when True, add a NoSchedule taint. */
const CONDITION_TAINTS: ReadonlyArray<[string, string]> = [
  ['MemoryPressure', 'node.kubernetes.io/memory-pressure'],
  ['DiskPressure', 'node.kubernetes.io/disk-pressure'],
  ['PIDPressure', 'node.kubernetes.io/pid-pressure'],
  ['NetworkUnavailable', 'node.kubernetes.io/network-unavailable'],
];
const MANAGED_TAINTS = new Set([TAINT_UNREACHABLE, TAINT_NOT_READY, 'node.kubernetes.io/unschedulable', ...CONDITION_TAINTS.map(([, k]) => k)]);

export interface NodeLifecycleOptions {
  /** nodeMonitorGracePeriodMs (`--node-monitor-grace-period`, default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** defaultTolerationSeconds for pods without a not-ready/unreachable toleration (default 300). */
  defaultTolerationSeconds?: number;
  /** clock overrides the context's clock for health timing (tests). */
  clock?: Clock;
}

interface Observed {
  /** heartbeat is the newest lease renewTime / Ready heartbeat seen. */
  heartbeat: string;
  /** at is when (on our clock) that heartbeat was first seen. */
  at: number;
}

const readyCondition = (node: Node): NodeCondition | undefined => node.status?.conditions?.find((c) => c.type === 'Ready');

/** tolerates reports whether a toleration matches a taint (upstream Toleration.ToleratesTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if ((t.operator ?? 'Equal') === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  readonly workers = 1;
  readonly watches: readonly Watch[];
  private readonly nodes: Lister<Node>;
  private readonly leases: Lister<Lease>;
  private readonly podIndexer;
  private readonly observed = new Map<string, Observed>();
  private readonly grace: number;
  private readonly defaultToleration: number;
  private readonly clock: Clock;
  private readonly evictionRecorder: EventRecorder;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeLifecycleOptions,
  ) {
    this.grace = opts.nodeMonitorGracePeriodMs ?? 40_000;
    this.defaultToleration = opts.defaultTolerationSeconds ?? 300;
    this.clock = opts.clock ?? ctx.clock;
    this.evictionRecorder = ctx.recorder('taint-eviction-controller');
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.lister<Node>(gvr.nodes);
    this.leases = ctx.informers.lister<Lease>(gvr.leases);
    const pods = ctx.informers.forResource<Pod>(gvr.pods, { indexers: { [NODE_NAME_INDEX]: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
    this.podIndexer = pods.getIndexer();
    this.watches = [
      watch(ctx.informers.forResource<Node>(gvr.nodes)),
      watch(ctx.informers.forResource<Lease>(gvr.leases), (l) => (l.metadata?.namespace === NODE_LEASE_NAMESPACE ? [l.metadata.name ?? ''] : [])),
      watchEvents(pods, { add: (p) => this.podKeys(undefined, p), update: (old, cur) => this.podKeys(old, cur) }),
    ];
  }

  /**
   * podKeys maps a pod event: the pod itself when it was just bound to a node whose Ready
   * condition is not True, the node when the pod arrived on it or changed its tolerations
   * while the node has NoExecute taints. A deleted pod needs nothing: evictions are computed
   * from the pods still cached.
   */
  private podKeys(old: Pod | undefined, cur: Pod): string[] {
    const nodeName = cur.spec?.nodeName;
    if (!nodeName) return [];
    const node = this.nodes.get(nodeName);
    if (!node) return [];
    const bound = old?.spec?.nodeName !== nodeName;
    // The common case, a status update of a pod on an untainted node, stops here.
    if (!bound && !node.spec?.taints?.length) return [];
    const noExecute = node.spec?.taints?.some((t) => t.effect === 'NoExecute') ?? false;
    const keys: string[] = [];
    if (bound) {
      const ready = readyCondition(node)?.status;
      if (ready !== undefined && ready !== 'True') keys.push(`${cur.metadata?.namespace ?? ''}/${cur.metadata?.name ?? ''}`);
    }
    if (noExecute && (bound || JSON.stringify(old?.spec?.tolerations ?? []) !== JSON.stringify(cur.spec?.tolerations ?? []))) keys.push(nodeName);
    return keys;
  }

  /** lastSeen returns when (our clock) the node last showed a new heartbeat. */
  private lastSeen(node: Node): number {
    const name = node.metadata?.name ?? '';
    const lease = this.leases.namespace(NODE_LEASE_NAMESPACE).get(name);
    const ready = readyCondition(node);
    const beat = `${lease?.spec?.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}|${ready?.status ?? ''}`;
    const o = this.observed.get(name);
    const now = this.clock.now();
    if (!o || o.heartbeat !== beat) {
      this.observed.set(name, { heartbeat: beat, at: now });
      return now;
    }
    return o.at;
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    if (key.includes('/')) return this.reconcilePod(key);
    const name = key;
    // Cached objects are shared: every write below builds new objects instead of mutating.
    let node = this.nodes.get(name);
    if (!node) {
      this.observed.delete(name);
      return;
    }
    const now = this.clock.now();
    const seen = this.lastSeen(node);
    const deadline = seen + this.grace;
    let ready = readyCondition(node);
    if (now >= deadline && ready?.status !== 'Unknown') {
      node = await this.markUnknown(node, now);
      ready = readyCondition(node);
      // The status write is itself a change of the Ready condition; do not count it as a heartbeat.
      this.lastSeenAfterOwnWrite(node, seen);
      await this.markPodsNotReady(name, now);
    }
    node = await this.reconcileTaints(node, ready?.status, now);
    const evictWait = await this.evictPods(node, now);
    const waits = [evictWait];
    if (ready?.status !== 'Unknown') waits.push(Math.max(1, deadline - now + 1));
    const next = Math.min(...waits.filter((w): w is number => w !== undefined));
    return Number.isFinite(next) ? { requeueAfter: next } : undefined;
  }

  /**
   * reconcilePod marks a pod bound to a node whose Ready condition is not True as not ready
   * (upstream processPod: the node's own transition marked the pods it had then).
   */
  private async reconcilePod(key: string): Promise<void> {
    const pod = this.podIndexer.getByKey(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const node = this.nodes.get(nodeName);
    const ready = node && readyCondition(node)?.status;
    if (ready === undefined || ready === 'True') return;
    await this.markPodNotReady(pod, this.clock.now());
  }

  private lastSeenAfterOwnWrite(node: Node, at: number): void {
    const name = node.metadata?.name ?? '';
    const lease = this.leases.namespace(NODE_LEASE_NAMESPACE).get(name);
    const ready = readyCondition(node);
    this.observed.set(name, { heartbeat: `${lease?.spec?.renewTime ?? ''}|${ready?.lastHeartbeatTime ?? ''}|${ready?.status ?? ''}`, at });
  }

  /** markUnknown sets every node condition Unknown, as upstream's tryUpdateNodeHealth. */
  private async markUnknown(node: Node, now: number): Promise<Node> {
    const t = rfc3339(now);
    const conds: NodeCondition[] = [...(node.status?.conditions ?? [])];
    for (const type of CONDITIONS) {
      const i = conds.findIndex((c) => c.type === type);
      if (i < 0) {
        if (type !== 'Ready') continue;
        conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata?.creationTimestamp, lastTransitionTime: t });
        continue;
      }
      const c = conds[i]!;
      if (c.status === 'Unknown') continue;
      conds[i] = { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: t };
    }
    try {
      return await this.ctx.client.resource<Node>(gvr.nodes).updateStatus({ ...node, status: { ...node.status, conditions: conds } });
    } catch (err) {
      if (isStatusError(err, 'Conflict')) return node; // the kubelet just wrote: look again
      throw err;
    }
  }

  /** markPodsNotReady flips the Ready condition of the node's pods to False (upstream MarkPodsNotReady). */
  private async markPodsNotReady(nodeName: string, now: number): Promise<void> {
    for (const p of this.podIndexer.byIndex(NODE_NAME_INDEX, nodeName)) {
      await this.markPodNotReady(p, now).catch((err: unknown) => {
        if (!isStatusError(err, 'Conflict')) throw err;
      });
    }
  }

  /**
   * markPodNotReady sets a Ready=True pod's Ready condition False and records NodeNotReady, as
   * upstream. A Conflict propagates (the pod's key is retried on a newer cache).
   */
  private async markPodNotReady(p: Pod, now: number): Promise<void> {
    const conds = p.status?.conditions ?? [];
    if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) return;
    const next = conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(now) } : c));
    try {
      await this.ctx.client
        .resource<Pod>(gvr.pods)
        .namespace(p.metadata?.namespace ?? '')
        .updateStatus({ ...p, status: { ...p.status, conditions: next } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
      return;
    }
    this.recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
  }

  /**
   * reconcileTaints keeps the condition taints in step with the node (upstream doTaintingPass
   * and TaintNodesByCondition): not-ready/unreachable as NoSchedule and NoExecute, the
   * pressure, network-unavailable and unschedulable taints as NoSchedule. Other taints stay.
   */
  private async reconcileTaints(node: Node, ready: string | undefined, now: number): Promise<Node> {
    const cond = (type: string): string | undefined => node.status?.conditions?.find((c) => c.type === type)?.status;
    const wanted: Array<{ key: string; effect: string }> = [];
    const readyKey = ready === 'Unknown' ? TAINT_UNREACHABLE : ready === 'False' ? TAINT_NOT_READY : undefined;
    if (readyKey) wanted.push({ key: readyKey, effect: 'NoSchedule' }, { key: readyKey, effect: 'NoExecute' });
    for (const [type, key] of CONDITION_TAINTS) if (cond(type) === 'True') wanted.push({ key, effect: 'NoSchedule' });
    if (node.spec?.unschedulable) wanted.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    const taints = node.spec?.taints ?? [];
    const next: Taint[] = taints.filter((t) => !MANAGED_TAINTS.has(t.key));
    for (const w of wanted) {
      const have = taints.find((t) => t.key === w.key && t.effect === w.effect);
      next.push(have ?? { ...w, ...(w.effect === 'NoExecute' ? { timeAdded: rfc3339(now) } : {}) });
    }
    const canon = (l: Taint[]): string => JSON.stringify([...l].map((t) => `${t.key}:${t.effect}:${t.value ?? ''}:${t.timeAdded ?? ''}`).sort());
    if (canon(next) === canon(taints)) return node;
    // A Conflict propagates: the key is retried once the cache shows the newer node.
    return this.ctx.client.resource<Node>(gvr.nodes).update({ ...node, spec: { ...node.spec, taints: next.length ? next : undefined } });
  }

  /**
   * evictPods deletes pods that do not tolerate the node's NoExecute taints once their time is
   * up; returns the wait until the next eviction, if any.
   */
  private async evictPods(node: Node, now: number): Promise<number | undefined> {
    const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (!noExecute.length) return undefined;
    let nextWait: number | undefined;
    for (const p of this.podIndexer.byIndex(NODE_NAME_INDEX, node.metadata?.name ?? '')) {
      if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      // The pod goes at the earliest deadline over the taints it does not tolerate forever:
      // a taint without a matching toleration evicts at once (or after defaultTolerationSeconds
      // for not-ready/unreachable); matching tolerations give their smallest tolerationSeconds,
      // and tolerate forever when none sets it.
      let evictAt = Infinity;
      for (const taint of noExecute) {
        const tol = (p.spec?.tolerations ?? []).filter((t) => tolerates(t, taint));
        let seconds: number | undefined;
        if (tol.length) {
          const bounded = tol.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null).map((t) => Math.max(0, t.tolerationSeconds!));
          if (bounded.length) seconds = Math.min(...bounded);
        } else {
          seconds = taint.key === TAINT_UNREACHABLE || taint.key === TAINT_NOT_READY ? this.defaultToleration : 0;
        }
        if (seconds === undefined) continue;
        const added = Date.parse(taint.timeAdded ?? '') || now;
        evictAt = Math.min(evictAt, added + seconds * 1000);
      }
      const never = evictAt === Infinity;
      if (never) continue;
      if (evictAt <= now) {
        await this.ctx.client
          .resource<Pod>(gvr.pods)
          .namespace(p.metadata?.namespace ?? '')
          .delete(p.metadata?.name ?? '', { preconditions: { uid: p.metadata?.uid } })
          .catch((err: unknown) => {
            if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
          });
        this.evictionRecorder.eventf(p, 'Normal', 'TaintManagerEviction', 'Marking for deletion Pod %s', `${p.metadata?.namespace}/${p.metadata?.name}`);
      } else {
        const w = evictAt - now + 1;
        nextWait = nextWait === undefined ? w : Math.min(nextWait, w);
      }
    }
    return nextWait;
  }
}

/** newNodeLifecycleController marks silent nodes Unknown, taints them and evicts their pods. */
export function newNodeLifecycleController(ctx: ControllerContext, opts: NodeLifecycleOptions = {}): Controller {
  return new NodeLifecycleController(ctx, opts);
}
