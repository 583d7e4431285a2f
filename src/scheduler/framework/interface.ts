/**
 * The scheduling framework's extension points, one small interface each, as upstream's
 * pkg/scheduler/framework/interface.go. A plugin implements `Plugin` plus any subset.
 *
 * The scheduling cycle (PreEnqueue … Permit) is synchronous: the scheduler runs one pod at a
 * time on one event loop, so the snapshot cannot change under a plugin. The binding cycle
 * (PreBind, Bind) is asynchronous and runs concurrently with the next scheduling cycles.
 */
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  ReplicationController,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { CycleState } from './cycle-state.js';
import type { Status } from './status.js';
import type { NodeInfo, PodInfo } from './types.js';

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** QueueSortPlugin orders the active queue; exactly one per profile. */
export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** PreEnqueuePlugin gates a pod before it enters the active queue (SchedulingGates). */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: PodInfo): Status;
}

/** PreFilterResult narrows the nodes to evaluate; undefined nodeNames means all nodes. */
export interface PreFilterResult {
  nodeNames?: ReadonlySet<string>;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status; result?: PreFilterResult };
}

/**
 * PreFilterExtensions lets preemption and nominated pods update a plugin's PreFilter state
 * incrementally when a pod is added to or removed from a node in a simulation.
 */
export interface PreFilterExtensions extends Plugin {
  addPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/** NodeToStatus: the rejection status of each node that failed; absent nodes were not tried. */
export type NodeToStatus = Map<string, Status>;

export interface PostFilterResult {
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filtered: NodeToStatus): { status: Status; result?: PostFilterResult };
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

/** ScorePlugin scores one node in [0, 100] (after NormalizeScore); a fault throws. */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
}

/**
 * ScoreAllPlugin is an optional capability of a ScorePlugin: score every node of a cycle in
 * one call (scores[i] for nodes[i]) with exactly the values score() gives one by one. The
 * framework prefers it: one call per plugin rather than one per node through a call site
 * shared by every plugin, and the plugin reads its cycle state once.
 */
export interface ScoreAllPlugin extends ScorePlugin {
  scoreAll(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
}

/** NormalizeScorePlugin rescales the raw scores of all nodes in place into [0, 100]; scores[i] belongs to nodes[i]. */
export interface NormalizeScorePlugin extends Plugin {
  normalizeScore(state: CycleState, pod: PodInfo, scores: number[], nodes: readonly NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** PermitPlugin may return Wait with a timeout; the pod then waits in the binding cycle. */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutMs?: number };
}

/**
 * PreBindPlugin prepares what the binding needs (volumes). preBindPreFlight, as upstream's
 * PreBindPreFlight, says cheaply and synchronously whether preBind has anything to do: Skip
 * means it is not called (when every plugin skips, the binding cycle never awaits PreBind).
 */
export interface PreBindPlugin extends Plugin {
  preBindPreFlight(state: CycleState, pod: PodInfo, nodeName: string): Status;
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

/** BindPlugin binds; returning Skip passes the pod to the next binder. */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/**
 * ClusterEvent names what changed, as upstream's framework.ClusterEvent (resource + action).
 * Resources: Pod (other pods), AssignedPod, Node, PersistentVolume, PersistentVolumeClaim,
 * StorageClass, Namespace, PodDisruptionBudget, Service; actions: Add, Update, Delete.
 */
export interface ClusterEvent {
  resource: string;
  action: 'Add' | 'Update' | 'Delete';
  label?: string;
}

/** QueueingHint says whether an event may make a pod that a plugin rejected schedulable. */
export type QueueingHint = 'Queue' | 'QueueSkip';

export interface ClusterEventWithHint {
  event: ClusterEvent;
  /** hint defaults to Queue when absent. */
  hint?: (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;
}

/** EnqueueExtensions: the events that may make pods this plugin rejected schedulable again. */
export interface EnqueueExtensions extends Plugin {
  eventsToRegister(): ClusterEventWithHint[];
}

/** QueuedPodInfo is a pod in the scheduling queue with its attempt bookkeeping. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** timestamp: when the pod was (re)added to the queue, in ms of the scheduler clock. */
  timestamp: number;
  initialAttemptTimestamp: number | undefined;
  attempts: number;
  /** unschedulablePlugins: plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** gatedBy names the PreEnqueue plugin keeping the pod out of the active queue. */
  gatedBy: string | undefined;
  /** backoffExpiry caches the end of the current backoff, in ms. */
  backoffExpiry: number;
}

/** Lister is a read-only view of one resource (an informer's store, or a static list). */
export interface Lister<T> {
  list(namespace?: string): readonly T[];
  get(namespace: string, name: string): T | undefined;
}

/** Listers the plugins read; every one is optional and treated as empty when absent. */
export interface SchedulerListers {
  services?: Lister<Service>;
  replicationControllers?: Lister<ReplicationController>;
  replicaSets?: Lister<ReplicaSet>;
  statefulSets?: Lister<StatefulSet>;
  persistentVolumeClaims?: Lister<PersistentVolumeClaim>;
  persistentVolumes?: Lister<PersistentVolume>;
  storageClasses?: Lister<StorageClass>;
  namespaces?: Lister<Namespace>;
  podDisruptionBudgets?: Lister<PodDisruptionBudget>;
}

/** SnapshotLister is the read view of cluster state during a cycle. */
export interface SnapshotLister {
  nodeInfos(): readonly NodeInfo[];
  havePodsWithAffinity(): readonly NodeInfo[];
  havePodsWithRequiredAntiAffinity(): readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** imageNumNodes: on how many nodes an image (normalized name) is present. */
  imageNumNodes(name: string): number;
  /** imageCount: how many distinct images (normalized names) the nodes report; 0 when none reports any. */
  imageCount(): number;
  /** taintedNodeCount / unschedulableNodeCount: how many nodes have any taint / spec.unschedulable (PreFilters skip their Filter at 0). */
  taintedNodeCount(): number;
  unschedulableNodeCount(): number;
  /** labelEpoch changes when nodes are added, removed or relabelled: incremental indexes rebuild then. */
  readonly labelEpoch: number;
  /** podChangeSeq / podChangesSince: the nodes whose pods changed since a sequence number (undefined: rebuild). */
  readonly podChangeSeq: number;
  podChangesSince(seq: number): readonly NodeInfo[] | undefined;
}

/**
 * SchedulerClient is the scheduler's only door to the API: bind, patch pod status, delete
 * victims, record events. Implemented over src/client, or in memory for simulations.
 */
export interface SchedulerClient {
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** updatePodScheduledCondition sets PodScheduled (and nominatedNodeName when given; '' clears). */
  updatePodScheduledCondition(
    pod: Pod,
    condition: { status: 'True' | 'False'; reason: string; message: string },
    nominatedNodeName?: string,
  ): Promise<void>;
  deletePod(pod: Pod): Promise<void>;
  /** markDisruptionTarget sets the DisruptionTarget=True condition on a victim before its deletion (optional). */
  markDisruptionTarget?(pod: Pod, reason: string, message: string): Promise<void>;
  /** annotateSelectedNode marks an unbound WaitForFirstConsumer claim for its provisioner (optional). */
  annotateSelectedNode?(pvc: PersistentVolumeClaim, nodeName: string): Promise<void>;
  /** bindPersistentVolume sets pv.spec.claimRef so the PV controller completes the binding (optional). */
  bindPersistentVolume?(pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void>;
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, action: string, message: string): void;
}

/** Handle is what plugins get at construction: state views, listers and the API client. */
export interface Handle {
  snapshot: SnapshotLister;
  listers: SchedulerListers;
  client: SchedulerClient;
  /** nominatedPodsForNode: pods nominated (by preemption) to run on a node. */
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  /** framework runs the profile's own plugins (used by preemption to re-filter). */
  framework: FrameworkRunner;
}

/** FrameworkRunner is the part of a profile that plugins such as preemption call back into. */
export interface FrameworkRunner {
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status;
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  /** runFilterPluginsWithNominatedPods also counts higher-or-equal priority pods nominated to the node. */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/** Node re-exported for plugin modules. */
export type { Node, Pod };
