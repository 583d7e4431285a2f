/**
 * SimulatedNodes hosts many simulated nodes in one process for scale work (kwok/kubemark
 * style), speaking only the standard API: each node has its Node object and Lease heartbeats
 * (NodeHost: one heap entry per period for all of them, bounded concurrency), and runs the pods
 * bound to it on its own `simulated` runtime through the same PodLifecycle as a real kubelet.
 *
 * Cheap by construction: one TimerHeap, one pod watch (`spec.nodeName!=`) for all hosted nodes
 * (dispatched by spec.nodeName) instead of one per node, read by a bare Reflector (as upstream's
 * kubelet reads its pods) rather than an informer's queue and indexed cache, one status manager
 * and event broadcaster, no files.
 * `k8ts agent --simulate-nodes N` is meant to wrap this.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/types.js';
import { RestClient } from '../client/rest/client.js';
import { DEFAULT_MAX_SOCKETS } from '../client/rest/transport.js';
import { kubeletClients } from './clients.js';
import { gvr } from '../client/rest/gvr.js';
import { SharedInformerFactory, dropManagedFields, listWatchFor } from '../client/cache/factory.js';
import { Reflector, type ReflectorStore } from '../client/cache/reflector.js';
import { EventBroadcaster, apiEventSink } from '../client/record/events.js';
import { eventClock } from './eventclock.js';
import { realClock, type Clock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { SimulatedRuntime, type SimulatedRuntimeOptions } from './runtime/simulated.js';
import { PodLifecycle } from './pods.js';
import { StatusManager } from './statusmanager.js';
import { ApiSources } from './sources.js';
import { NodeAgent, NodeHost } from './node.js';

export interface SimulatedNodesOptions {
  client: RestClient;
  count: number;
  /** namePrefix names nodes `<prefix><i>` (default `sim-node-`). */
  namePrefix?: string;
  /** capacity of each node (default cpu 32, memory 256Gi, pods 110). */
  capacity?: Record<string, string>;
  labels?: Record<string, string>;
  clock?: Clock;
  /** leaseRenewMs (default 10 s). */
  leaseRenewMs?: number;
  log?: (msg: string) => void;
  /** trace records, per pod, when it was seen bound and when its first Running status was accepted (see `traces`). */
  trace?: boolean;
  /** behavior scripts each container as SimulatedRuntimeOptions.behavior (default: its simulated.k8ts.io annotations). */
  behavior?: SimulatedRuntimeOptions['behavior'];
  /** statusConnections caps the connections pod status patches use (default one per four nodes, at least transport.ts DEFAULT_MAX_SOCKETS). */
  statusConnections?: number;
}

/**
 * PodTrace times one pod through the simulated nodes, in epoch ms (performance.timeOrigin +
 * performance.now(), comparable across processes of one machine): `seen` when the pod watch
 * first delivered it bound to a hosted node; then for the first status patch that reported it
 * Running: `setAt` when the kubelet handed that status to the status manager, `sentAt` when the
 * patch was sent, `doneAt` when the apiserver answered it.
 */
export interface PodTrace {
  seen: number;
  setAt?: number;
  sentAt?: number;
  doneAt?: number;
}

const epochMs = (): number => performance.timeOrigin + performance.now();

/** nodeIP and podIP of simulated node i: 10.96+i/256.(i%256).0/24 holds node .1 and its pods. */
const nodeIPOf = (i: number): string => `10.${96 + (i >> 8)}.${i & 255}.1`;

export class SimulatedNodes {
  readonly agents: NodeAgent[] = [];
  readonly lifecycles = new Map<string, PodLifecycle>();
  /** traces by pod uid (only with `trace`). */
  readonly traces = new Map<string, PodTrace>();
  private statuses: StatusManager | undefined;

  /** statusPatches is how many pod status patches the apiserver accepted so far. */
  get statusPatches(): number {
    return this.statuses?.patches ?? 0;
  }

  constructor(private readonly opts: SimulatedNodesOptions) {}

  async run(signal: AbortSignal, ready?: () => void): Promise<void> {
    const o = this.opts;
    const clock = o.clock ?? realClock;
    const heap = new TimerHeap(clock);
    const log = o.log ?? ((m: string) => process.stderr.write(`simulated nodes: ${m}\n`));
    const capacity = o.capacity ?? { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '1Ti' };
    // One broadcaster stands in for `count` kubelets, each of which upstream writes its own
    // events with its own queue: writes run in parallel (bounded) and the queue scales with
    // the nodes, so Created/Started are written rather than dropped behind one writer.
    // As upstream's kubelet, events and heartbeats (Node status, Lease) go through clients of
    // their own (clients.ts), so a burst of event writes never queues the pod status patches
    // behind it, nor delays a lease renewal. Status patches get a pool of connections of their
    // own, one per four nodes (statusConnections): upstream's kubelets each multiplex theirs over
    // a connection of their own, and with 1000 nodes' patches queued on the default 64, pods
    // bound within a second waited ~16 s there for their Running status (bench:density's
    // saturation phase: p99 21.7 s, 5.3 s with 250). Under API Priority and Fairness (the
    // default) a flood of them queues at the apiserver; without it, past --max-mutating-requests-inflight
    // (200) it is answered 429 and retried. Rate limits are the caller's client's for all (one
    // process stands in for `count` kubelets).
    const clients = kubeletClients(o.client, { eventQPS: o.client.config.qps ?? 0, eventBurst: o.client.config.burst ?? 0 });
    const broadcaster = new EventBroadcaster({
      sink: apiEventSink(clients.events),
      onError: () => {},
      clock: eventClock,
      maxConcurrentWrites: Math.min(32, Math.max(1, o.count)),
      maxQueued: Math.max(1000, 100 * o.count),
    });
    const traces = this.traces;
    const statusConnections = o.statusConnections ?? Math.max(DEFAULT_MAX_SOCKETS, Math.ceil(o.count / 4));
    const statusClient = o.client.config.transport ? o.client : new RestClient({ ...o.client.config, maxConnections: statusConnections });
    const statuses = (this.statuses = new StatusManager(statusClient, heap, () => {}, {
      onPatched: o.trace
        ? (p) => {
            const t = traces.get(p.uid);
            if (t && t.doneAt === undefined && p.status.phase === 'Running') Object.assign(t, { setAt: p.setAt, sentAt: p.sentAt, doneAt: p.doneAt });
          }
        : undefined,
    }));
    const sources = new ApiSources(o.client, () => clock.now(), capacity);
    const nodes = new NodeHost({ heap, leaseRenewMs: o.leaseRenewMs, concurrency: 32, onError: (a, e) => log(`${a.cfg.nodeName}: ${e instanceof Error ? e.message : String(e)}`) });
    const runtimes: SimulatedRuntime[] = [];

    for (let i = 0; i < o.count; i++) {
      const nodeName = `${o.namePrefix ?? 'sim-node-'}${i}`;
      const nodeIP = nodeIPOf(i);
      let next = 2;
      const runtime = new SimulatedRuntime({
        heap,
        behavior: o.behavior,
        podIPFor: () => {
          const ip = nodeIP.replace(/\.1$/, `.${next}`);
          next = next >= 254 ? 2 : next + 1;
          return ip;
        },
      });
      runtimes.push(runtime);
      const recorder = broadcaster.newRecorder({ component: 'kubelet', host: nodeName });
      this.lifecycles.set(
        nodeName,
        new PodLifecycle({
          runtime,
          heap,
          rootDir: `/nonexistent/simulated/${nodeName}`,
          nodeName,
          nodeIP,
          sources,
          fileless: true,
          resyncMs: 60_000,
          host: {
            recordEvent: (pod, type, reason, message, fieldPath) => {
              const ref: ObjectReference = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid, fieldPath };
              recorder.event(ref, type, reason, message);
            },
            setPodStatus: (pod, status) => statuses.setPodStatus(pod, status),
            deletePod: (pod) => statuses.deletePod(pod),
          },
        }),
      );
      const agent = new NodeAgent(
        clients.heartbeat,
        {
          nodeName,
          nodeIP,
          capacity,
          labels: { type: 'kwok', 'node.kubernetes.io/simulated': 'true', ...(o.labels ?? {}) },
          kubeletPort: 0,
          runtimeName: 'simulated',
          runtimeVersion: '0.1.0',
        },
        () => clock.now(),
      );
      this.agents.push(agent);
      nodes.add(agent);
    }
    nodes.start();

    // One watch for every hosted node, as kwok does, rather than a `spec.nodeName=<node>` watch
    // per node: the apiserver serves one stream instead of `count` (each with its own list,
    // connection and bookmarks), and `spec.nodeName!=` keeps unscheduled pods off it, as a
    // kubelet's own selector does. Pods are routed to their node here.
    const factory = new SharedInformerFactory(o.client, { onError: () => {} });
    // One Service informer for every hosted kubelet's service environment variables.
    sources.useServiceInformer(factory.forResource<Service & KubeObject>(gvr.services));
    const route = (pod: Pod): PodLifecycle | undefined => {
      const l = this.lifecycles.get(pod.spec?.nodeName ?? '');
      if (l && o.trace) {
        const uid = pod.metadata?.uid ?? '';
        if (!traces.has(uid)) traces.set(uid, { seen: epochMs() });
      }
      return l;
    };
    const pods = new PodRouter(route, (uid) => statuses.forget(uid));
    const reflector = new Reflector<Pod & KubeObject>({
      name: 'pods of simulated nodes',
      listerWatcher: listWatchFor(o.client.resource<Pod & KubeObject>(gvr.pods), { fieldSelector: 'spec.nodeName!=', skipManagedFields: true }),
      store: pods,
      onError: () => {},
    });
    const reflecting = reflector.run(signal);
    factory.start(signal);
    ready?.();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    nodes.stop();
    for (const l of this.lifecycles.values()) l.stop();
    statuses.stop();
    for (const r of runtimes) await r.close();
    await reflecting;
    await Promise.race([broadcaster.shutdown(), new Promise((r) => setTimeout(r, 1000))]);
    heap.stop();
    clients.close();
    if (statusClient !== o.client) statusClient.close();
  }
}

/**
 * PodRouter is the hosted nodes' pod source, written by a Reflector: each pod goes to its node's
 * PodLifecycle as it arrives (upstream's kubelet reads its pods through a reflector too, not an
 * informer). It keeps the pods it was given only to tell, on a relist, which ones are gone.
 */
export class PodRouter implements ReflectorStore<Pod & KubeObject> {
  private readonly known = new Map<string, Pod>();

  constructor(
    private readonly route: (pod: Pod) => PodLifecycle | undefined,
    private readonly forget: (uid: string) => void,
  ) {}

  add(pod: Pod & KubeObject): void {
    this.known.set(pod.metadata?.uid ?? '', pod);
    this.route(pod)?.updatePod(pod);
  }

  update(pod: Pod & KubeObject): void {
    this.add(pod);
  }

  delete(pod: Pod & KubeObject): void {
    const uid = pod.metadata?.uid ?? '';
    this.known.delete(uid);
    this.route(pod)?.removePod(uid);
    this.forget(uid);
  }

  /** replace takes a (re)list: every listed pod is current, every other known pod was deleted meanwhile. */
  replace(list: Array<Pod & KubeObject>): void {
    const listed = new Set<string>();
    for (const pod of list) {
      // Lists carry managedFields (only watches are decoded without them); nothing here reads them.
      dropManagedFields(pod);
      listed.add(pod.metadata?.uid ?? '');
      this.add(pod);
    }
    for (const [uid, pod] of this.known) if (!listed.has(uid)) this.delete(pod as Pod & KubeObject);
  }

  resync(): void {}
}
