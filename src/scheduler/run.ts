/**
 * Wiring of the Scheduler to the API, as upstream's cmd/kube-scheduler/app: informers feed the
 * event handlers, listers back the plugins, and writes (bindings, PodScheduled conditions,
 * victim deletions, events) go through the REST client. With leader election, scheduling runs
 * only while this instance holds the Lease.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Namespace, Node, ObjectReference, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { KubeObject } from '../api/types.js';
import { DeletedFinalStateUnknown, gvr, LeaderElector, LeaseLock, SharedInformerFactory, type Lister as ClientLister, type RestClient } from '../client/index.js';
import { durationMs, type ResolvedConfig } from './config/config.js';
import { apiEventsV1Sink, EventsV1Broadcaster } from '../client/index.js';
import type { ClusterEvent, Lister, SchedulerClient, SchedulerListers } from './framework/interface.js';
import { Scheduler } from './scheduler.js';

/** EVENT_WRITES_IN_FLIGHT bounds the scheduler's concurrent event writes (32 still dropped ~28% of Scheduled events at ~550 pods/s: each write waits behind the bindings queued at the apiserver). */
const EVENT_WRITES_IN_FLIGHT = 256;

/** apiSchedulerClient implements the scheduler's writes over the REST client; events go to `events` (none when undefined). */
export function apiSchedulerClient(client: RestClient, events: EventsV1Broadcaster | undefined): SchedulerClient {
  const pods = client.resource<Pod & KubeObject>(gvr.pods);
  return {
    async bind(pod, nodeName) {
      const ns = pod.metadata?.namespace ?? 'default';
      await pods.namespace(ns).bind(pod.metadata?.name ?? '', {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: pod.metadata?.name, namespace: ns, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    },
    async updatePodScheduledCondition(pod, c, nominatedNodeName) {
      const old = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
      const sameCondition = old && old.status === c.status && old.reason === c.reason && (old.message ?? '') === c.message;
      const nnnUnchanged = nominatedNodeName === undefined || (pod.status?.nominatedNodeName ?? '') === nominatedNodeName;
      if (sameCondition && nnnUnchanged) return;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const status: Record<string, unknown> = {
        conditions: [
          { type: 'PodScheduled', status: c.status, reason: c.reason, message: c.message, lastProbeTime: null, lastTransitionTime: old?.status === c.status ? old.lastTransitionTime : now },
        ],
      };
      if (nominatedNodeName !== undefined) status['nominatedNodeName'] = nominatedNodeName || null;
      await pods.namespace(pod.metadata?.namespace ?? 'default').patch(pod.metadata?.name ?? '', 'strategic', { status }, { subresource: 'status' });
    },
    async deletePod(pod) {
      await pods.namespace(pod.metadata?.namespace ?? 'default').delete(pod.metadata?.name ?? '', {
        ...(pod.metadata?.uid ? { preconditions: { uid: pod.metadata.uid } } : {}),
      });
    },
    async markDisruptionTarget(pod, reason, message) {
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const conditions = [{ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: now }];
      await pods.namespace(pod.metadata?.namespace ?? 'default').patch(pod.metadata?.name ?? '', 'strategic', { status: { conditions } }, { subresource: 'status' });
    },
    async annotateSelectedNode(pvc: PersistentVolumeClaim, nodeName: string) {
      await client
        .resource<PersistentVolumeClaim & KubeObject>(gvr.persistentvolumeclaims)
        .namespace(pvc.metadata?.namespace ?? 'default')
        .patch(pvc.metadata?.name ?? '', 'merge', { metadata: { annotations: { 'volume.kubernetes.io/selected-node': nodeName } } });
    },
    /**
     * bindPersistentVolume binds both sides, as upstream's scheduler (claimRef on the PV) plus
     * the part of the PV controller's sync that completes a pre-bound pair (volumeName and
     * bind-completed on the claim, Bound phases) — k8ts has no PV controller yet, and both
     * steps are idempotent for one that comes later.
     */
    async bindPersistentVolume(pv: PersistentVolume, pvc: PersistentVolumeClaim) {
      const pvs = client.resource<PersistentVolume & KubeObject>(gvr.persistentvolumes);
      const pvcs = client.resource<PersistentVolumeClaim & KubeObject>(gvr.persistentvolumeclaims).namespace(pvc.metadata?.namespace ?? 'default');
      const pvName = pv.metadata?.name ?? '';
      const pvcName = pvc.metadata?.name ?? '';
      await pvs.patch(pvName, 'merge', {
        spec: { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata?.namespace, name: pvcName, uid: pvc.metadata?.uid } },
      });
      await pvcs.patch(pvcName, 'merge', {
        metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
        spec: { volumeName: pvName },
      });
      await pvs.patch(pvName, 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
      await pvcs.patch(pvcName, 'merge', { status: { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity } }, { subresource: 'status' });
    },
    event(pod, type, reason, action, message) {
      if (!events) return;
      // the regarding reference as upstream's reference.GetReference (resourceVersion included)
      const m = pod.metadata;
      const regarding: ObjectReference = { kind: 'Pod', namespace: m?.namespace ?? 'default', name: m?.name ?? '', apiVersion: 'v1' };
      if (m?.uid) regarding.uid = m.uid;
      if (m?.resourceVersion) regarding.resourceVersion = m.resourceVersion;
      events.eventf(regarding, undefined, type, reason, action, message);
    },
  };
}

function adaptLister<T extends KubeObject>(l: ClientLister<T>): Lister<T> {
  return {
    list: (namespace) => (namespace === undefined ? l.list() : l.namespace(namespace).list()),
    get: (namespace, name) => (namespace ? l.namespace(namespace).get(name) : l.get(name)),
  };
}

const unwrap = <T>(x: T | DeletedFinalStateUnknown<T>): T => (x instanceof DeletedFinalStateUnknown ? x.obj : x);

export interface StartSchedulerOptions {
  client: RestClient;
  config: ResolvedConfig;
  signal: AbortSignal;
  /** identity for leader election (default hostname_uuid). */
  identity?: string;
  log?: (msg: string) => void;
  /** onScheduler is called with the Scheduler once built (tests, benchmarks). */
  onScheduler?: (s: Scheduler) => void;
  /** maxBindingsInFlight bounds concurrent binding requests (Scheduler default when unset). */
  maxBindingsInFlight?: number;
}

/**
 * buildScheduler creates a Scheduler connected to informers of `factory` (not yet started).
 * The returned Scheduler is fed by the informers once the factory starts.
 */
export function buildScheduler(
  client: RestClient,
  config: ResolvedConfig,
  factory: SharedInformerFactory,
  events: EventsV1Broadcaster | undefined,
  log?: (msg: string) => void,
  maxBindingsInFlight?: number,
): Scheduler {
  const l = <T>(g: (typeof gvr)[keyof typeof gvr]): Lister<T> => adaptLister(factory.lister<T & KubeObject>(g));
  const listers: SchedulerListers = {
    services: l<Service>(gvr.services),
    replicationControllers: l<ReplicationController>(gvr.replicationcontrollers),
    replicaSets: l<ReplicaSet>(gvr.replicasets),
    statefulSets: l<StatefulSet>(gvr.statefulsets),
    persistentVolumeClaims: l<PersistentVolumeClaim>(gvr.persistentvolumeclaims),
    persistentVolumes: l<PersistentVolume>(gvr.persistentvolumes),
    storageClasses: l<StorageClass>(gvr.storageclasses),
    namespaces: l<Namespace>(gvr.namespaces),
    podDisruptionBudgets: l<PodDisruptionBudget>(gvr.poddisruptionbudgets),
  };
  const s = new Scheduler({ client: apiSchedulerClient(client, events), listers, config, ...(log ? { log } : {}), ...(maxBindingsInFlight ? { maxBindingsInFlight } : {}) });
  const terminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
  factory.forResource<Pod & KubeObject>(gvr.pods).addEventHandler({
    add: (p) => {
      if (!(p.spec?.nodeName && terminal(p))) s.addPod(p);
    },
    update: (o, p) => {
      // terminated pods free their node's resources, as upstream's assigned-pod filter
      if (p.spec?.nodeName && terminal(p)) s.deletePod(o);
      else s.updatePod(o, p);
    },
    delete: (p) => s.deletePod(unwrap(p)),
  });
  factory.forResource<Node & KubeObject>(gvr.nodes).addEventHandler({
    add: (n) => s.addNode(n),
    update: (o, n) => s.updateNode(o, n),
    delete: (n) => s.deleteNode(unwrap(n)),
  });
  const others: Array<[keyof typeof gvr, string]> = [
    ['persistentvolumeclaims', 'PersistentVolumeClaim'],
    ['persistentvolumes', 'PersistentVolume'],
    ['storageclasses', 'StorageClass'],
    ['services', 'Service'],
    ['namespaces', 'Namespace'],
    ['poddisruptionbudgets', 'PodDisruptionBudget'],
  ];
  for (const [res, kind] of others) {
    const ev = (action: ClusterEvent['action']) => (o?: unknown, n?: unknown) => s.onClusterEvent({ resource: kind, action }, o, n);
    factory.forResource(gvr[res]).addEventHandler({
      add: (o, initial) => {
        if (!initial) ev('Add')(undefined, o);
      },
      update: (o, n) => ev('Update')(o, n),
      delete: (o) => ev('Delete')(unwrap(o), undefined),
    });
  }
  return s;
}

/**
 * startScheduler runs the scheduler until `signal` aborts: informers, cache sync, then the
 * scheduling loop — under leader election when the configuration asks for it.
 */
export async function startScheduler(o: StartSchedulerOptions): Promise<void> {
  const log = o.log ?? ((m: string) => console.error(m));
  // one abort listener per informer and per leader-election loop
  setMaxListeners(64, o.signal);
  // Events never wait in the binding path; bounded parallel writes (upstream's events.k8s.io
  // broadcaster writes each from its own goroutine) keep up with hundreds of bindings a second
  // instead of dropping Scheduled events once 1000 are queued.
  const broadcaster = new EventsV1Broadcaster({
    sink: apiEventsV1Sink(o.client),
    reportingController: 'default-scheduler',
    maxConcurrentWrites: EVENT_WRITES_IN_FLIGHT,
    onError: (e) => log(`event: ${String(e)}`),
  });
  const factory = new SharedInformerFactory(o.client, { onError: (e) => log(`informer: ${e instanceof Error ? e.message : String(e)}`) });
  const s = buildScheduler(o.client, o.config, factory, broadcaster, log, o.maxBindingsInFlight);
  o.onScheduler?.(s);
  factory.start(o.signal);
  const lead = async (signal: AbortSignal): Promise<void> => {
    if (!(await factory.waitForCacheSync(signal))) return;
    await s.run(signal);
  };
  try {
    const le = o.config.leaderElection;
    if (!le.leaderElect) {
      await lead(o.signal);
      return;
    }
    const identity = o.identity ?? `${hostname()}_${randomUUID()}`;
    const elector = new LeaderElector({
      lock: new LeaseLock(o.client, le.resourceNamespace, le.resourceName),
      identity,
      leaseDurationMs: durationMs(le.leaseDuration, 15_000),
      renewDeadlineMs: durationMs(le.renewDeadline, 10_000),
      retryPeriodMs: durationMs(le.retryPeriod, 2_000),
      releaseOnCancel: true,
      name: 'kube-scheduler',
      callbacks: {
        onStartedLeading: (signal) => lead(signal),
        onStoppedLeading: () => log(`leaderelection lost or released: ${identity}`),
        onNewLeader: (id) => {
          if (id !== identity) log(`new leader elected: ${id}`);
        },
      },
      onError: (e) => log(`leaderelection: ${e instanceof Error ? e.message : String(e)}`),
    });
    await elector.run(o.signal);
  } finally {
    await factory.shutdown();
    await broadcaster.shutdown();
  }
}
