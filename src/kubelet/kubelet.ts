/**
 * Kubelet wires the node agent together: the API side (Node + Lease heartbeats, a pod informer
 * on `spec.nodeName=<node>`, status patches, events, mirror pods) around the API-free pod
 * engine (PodLifecycle), a container runtime and the kubelet HTTP server. When the apiserver
 * is unreachable everything API-side retries while pods keep running; the informer relists and
 * statuses catch up once it is back.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod, Service, Taint } from 'kubernetes-types/core/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import { SharedInformerFactory } from '../client/cache/factory.js';
import { DeletedFinalStateUnknown } from '../client/cache/store.js';
import { EventBroadcaster, apiEventSink } from '../client/record/events.js';
import { eventClock } from './eventclock.js';
import { realClock, type Clock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { CNI_PLUGIN_DIR, CniNetwork, cniAvailable, openRuntime } from './runtime/index.js';
import { PodLifecycle } from './pods.js';
import { StatusManager } from './statusmanager.js';
import { kubeletClients } from './clients.js';
import { ApiSources } from './sources.js';
import { NodeAgent, NodeHost, hostCapacity } from './node.js';
import { startKubeletServer, type KubeletServer } from './server.js';
import { ContainerLogManager } from './logs.js';
import { KubeletAuth } from './auth.js';
import { isMirrorPod, mirrorPodFor, readStaticPods } from './staticpods.js';

export interface KubeletOptions {
  client: RestClient;
  nodeName: string;
  nodeIP: string;
  /** rootDir holds pods, logs and runtime state (`--root-dir`). */
  rootDir: string;
  /** containerRuntime: `process` (default) or `simulated`. */
  containerRuntime?: string;
  nodeLabels?: Record<string, string>;
  registerWithTaints?: Taint[];
  capacity?: Record<string, string>;
  /** systemReserved is subtracted from capacity for allocatable (`--system-reserved`). */
  systemReserved?: Record<string, string>;
  /** address and port of the kubelet server (default 127.0.0.1:10250; 0 picks one). */
  address?: string;
  port?: number;
  /** tls serves the kubelet API over HTTPS; clientCA verifies client certificates (`--client-ca-file`). */
  tls?: { cert: string | Buffer; key: string | Buffer; clientCA?: string | Buffer };
  /**
   * auth turns on authentication/authorization of the kubelet API as upstream's webhook mode
   * (auth.ts): bearer tokens through TokenReview when tokenWebhook, SubjectAccessReview when
   * authorization is Webhook, anonymous callers refused unless anonymous.
   */
  auth?: { tokenWebhook: boolean; authorization: 'Webhook' | 'AlwaysAllow'; anonymous?: boolean };
  podManifestPath?: string;
  /**
   * killPodsOnShutdown stops and removes every container when run() ends. Off by default: a
   * restarted kubelet adopts running containers (as upstream). Tests and throwaway clusters
   * turn it on so no process outlives them.
   */
  killPodsOnShutdown?: boolean;
  /**
   * network: `host` (default) runs pods in the node's network (pod IP = node IP); `cni` gives
   * process-runtime pods their own network namespace and an IP from the pod CIDR through the
   * CNI bridge plugin (root and /usr/lib/cni needed).
   */
  network?: 'host' | 'cni';
  /** podCIDR for `cni` (`--pod-cidr`); default: the Node's spec.podCIDR once the controllers assign it. */
  podCIDR?: string;
  /** cniBridge names the CNI bridge (default k8ts0). */
  cniBridge?: string;
  /** containerLogMaxSize (bytes, default 10 MiB), containerLogMaxFiles (default 5) and containerLogMonitorInterval (ms, default 10 s) rotate container logs (logs.ts). */
  containerLogMaxSize?: number;
  containerLogMaxFiles?: number;
  containerLogMonitorInterval?: number;
  clock?: Clock;
  /** log receives operational messages (default: stderr). */
  log?: (msg: string) => void;
}

type K8sPod = Pod & KubeObject;

export class Kubelet {
  lifecycle!: PodLifecycle;
  server!: KubeletServer;
  agent!: NodeAgent;

  constructor(private readonly opts: KubeletOptions) {}

  /** run starts everything and resolves after `signal` aborts and shutdown completed. */
  async run(signal: AbortSignal, ready?: () => void): Promise<void> {
    const o = this.opts;
    const log = o.log ?? ((m: string) => process.stderr.write(`kubelet: ${m}\n`));
    const clock = o.clock ?? realClock;
    const heap = new TimerHeap(clock);
    mkdirSync(o.rootDir, { recursive: true });
    const runtimeName = o.containerRuntime ?? 'process';
    let podCIDR = o.podCIDR;
    let network: CniNetwork | undefined;
    if (o.network === 'cni') {
      if (runtimeName !== 'process') throw new Error(`--network cni needs the process runtime, not ${runtimeName}`);
      if (!cniAvailable()) throw new Error(`--network cni needs root and the CNI plugins bridge, host-local and loopback in ${CNI_PLUGIN_DIR} (apt-get install containernetworking-plugins)`);
      network = new CniNetwork({ podCIDR: () => podCIDR, dataDir: join(o.rootDir, 'cni'), ...(o.cniBridge ? { bridge: o.cniBridge } : {}) });
      if (!podCIDR) {
        // The node IPAM controller assigns spec.podCIDR after registration: poll until it has.
        const poll = async (): Promise<void> => {
          if (signal.aborted || podCIDR) return;
          try {
            const node = await o.client.resource<KubeObject & { spec?: { podCIDR?: string } }>(gvr.nodes).get(o.nodeName);
            if (node.spec?.podCIDR) {
              podCIDR = node.spec.podCIDR;
              log(`pod CIDR ${podCIDR} (CNI bridge ${network!.bridge})`);
              return;
            }
          } catch {
            // not registered yet
          }
          heap.after(1000, () => void poll());
        };
        void poll();
      }
    }
    const runtime = await openRuntime(runtimeName, { stateDir: join(o.rootDir, 'runtime', runtimeName), heap, podIP: o.nodeIP, ...(network ? { network } : {}) });
    const version = await runtime.version();

    const clients = kubeletClients(o.client);
    const broadcaster = new EventBroadcaster({ sink: apiEventSink(clients.events), onError: () => {}, clock: eventClock });
    const recorder = broadcaster.newRecorder({ component: 'kubelet', host: o.nodeName });
    const statuses = new StatusManager(o.client, heap, (m, e) => log(`${m}: ${e instanceof Error ? e.message : String(e)}`));
    const capacity = { ...hostCapacity(), ...(o.capacity ?? {}) };
    const sources = new ApiSources(o.client, () => clock.now(), capacity);
    const staticPods = new Map<string, Pod>();

    const lifecycle = (this.lifecycle = new PodLifecycle({
      runtime,
      heap,
      rootDir: o.rootDir,
      nodeName: o.nodeName,
      nodeIP: o.nodeIP,
      sources,
      host: {
        recordEvent: (pod, type, reason, message, fieldPath) => {
          const ref: ObjectReference = { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid, fieldPath };
          recorder.event(ref, type, reason, message);
        },
        setPodStatus: (pod, status) => {
          if (staticPods.has(pod.metadata?.uid ?? '')) statuses.setPodStatus(pod, status, { namespace: pod.metadata!.namespace!, name: pod.metadata!.name! });
          else statuses.setPodStatus(pod, status);
        },
        deletePod: (pod) => statuses.deletePod(pod),
      },
    }));

    this.server = await startKubeletServer({
      lifecycle,
      address: o.address,
      port: o.port ?? 10250,
      tls: o.tls,
      ...(o.auth ? { auth: new KubeletAuth({ client: o.client, nodeName: o.nodeName, ...o.auth }) } : {}),
    });
    const logs = new ContainerLogManager({ runtime, maxSize: o.containerLogMaxSize, maxFiles: o.containerLogMaxFiles, onError: (p, e) => log(`rotating ${p}: ${e instanceof Error ? e.message : String(e)}`) });
    const logEvery = o.containerLogMonitorInterval ?? 10_000;
    let logTimer: { cancel(): void } | undefined;
    const logLoop = (): void => {
      void logs.rotateLogs().catch((e: unknown) => log(`log rotation: ${e instanceof Error ? e.message : String(e)}`)).finally(() => {
        if (!signal.aborted) logTimer = heap.after(logEvery, logLoop);
      });
    };
    logTimer = heap.after(logEvery, logLoop);
    const agent = (this.agent = new NodeAgent(
      clients.heartbeat,
      {
        nodeName: o.nodeName,
        nodeIP: o.nodeIP,
        labels: o.nodeLabels,
        taints: o.registerWithTaints,
        capacity: o.capacity,
        reserved: o.systemReserved,
        rootDir: o.rootDir,
        kubeletPort: this.server.port,
        runtimeName: runtimeName,
        runtimeVersion: version.runtimeVersion,
      },
      () => clock.now(),
    ));
    let lastNodeError = '';
    const nodes = new NodeHost({
      heap,
      onError: (_a, e) => {
        const m = e instanceof Error ? e.message : String(e);
        if (m !== lastNodeError) log(`node status/lease: ${m}`);
        lastNodeError = m;
      },
    });
    nodes.add(agent);
    nodes.start();

    const factory = new SharedInformerFactory(o.client, { onError: () => {} });
    // Upstream's kubelet reads Services (for the environment of every container) from an informer.
    sources.useServiceInformer(factory.forResource<Service & KubeObject>(gvr.services));
    const informer = factory.forResource<K8sPod>(gvr.pods, { fieldSelector: `spec.nodeName=${o.nodeName}` });
    informer.addEventHandler({
      add: (pod) => {
        if (!isMirrorPod(pod)) lifecycle.updatePod(pod);
      },
      update: (_old, pod) => {
        if (!isMirrorPod(pod)) lifecycle.updatePod(pod);
      },
      delete: (obj) => {
        const pod = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
        if (!pod || isMirrorPod(pod)) return;
        lifecycle.removePod(pod.metadata?.uid ?? '');
        statuses.forget(pod.metadata?.uid ?? '');
      },
    });
    factory.start(signal);

    // Static pods: run from files, mirrored into the API.
    const syncStatic = async (): Promise<void> => {
      if (!o.podManifestPath) return;
      const found = readStaticPods(o.podManifestPath, o.nodeName, (f, e) => log(`static pod ${f}: ${e instanceof Error ? e.message : String(e)}`));
      const seen = new Set<string>();
      for (const p of found) {
        const uid = p.metadata!.uid!;
        seen.add(uid);
        if (!staticPods.has(uid)) {
          staticPods.set(uid, p);
          lifecycle.updatePod(p);
        }
      }
      for (const [uid, p] of staticPods) {
        if (seen.has(uid)) continue;
        staticPods.delete(uid);
        lifecycle.removePod(uid);
        await o.client.resource<K8sPod>(gvr.pods).namespace(p.metadata!.namespace!).delete(p.metadata!.name!, { gracePeriodSeconds: 0 }).catch(() => undefined);
      }
      // Mirror pods: create missing ones, replace ones whose hash is stale.
      for (const p of staticPods.values()) {
        const pods = o.client.resource<K8sPod>(gvr.pods).namespace(p.metadata!.namespace!);
        try {
          const m = await pods.get(p.metadata!.name!).catch((e: unknown) => (isStatusError(e, 'NotFound') ? undefined : Promise.reject(e)));
          if (m && m.metadata?.annotations?.['kubernetes.io/config.mirror'] === p.metadata!.uid) continue;
          if (m) await pods.delete(p.metadata!.name!, { gracePeriodSeconds: 0 });
          await pods.create(mirrorPodFor(p, agent.node?.metadata?.uid) as K8sPod);
        } catch (e) {
          log(`mirror pod ${p.metadata!.name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    };
    let staticTimer: { cancel(): void } | undefined;
    const staticLoop = (): void => {
      void syncStatic().finally(() => {
        if (!signal.aborted) staticTimer = heap.after(20_000, staticLoop);
      });
    };
    staticLoop();

    // Once the first list is in, pods that vanished while we were down are killed.
    void factory.waitForCacheSync(signal).then(async (ok) => {
      if (!ok) return;
      const known = new Set<string>([...informer.getIndexer().list().map((p) => p.metadata?.uid ?? ''), ...staticPods.keys()]);
      await lifecycle.cleanupOrphans(known).catch((e: unknown) => log(`orphan cleanup: ${e instanceof Error ? e.message : String(e)}`));
    });

    ready?.();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    staticTimer?.cancel();
    logTimer?.cancel();
    nodes.stop();
    lifecycle.stop();
    statuses.stop();
    await this.server.close();
    if (o.killPodsOnShutdown) {
      for (const sb of (await runtime.listPodSandbox()).items) await runtime.removePodSandbox({ podSandboxId: sb.id }).catch(() => undefined);
    }
    await runtime.close();
    await Promise.race([broadcaster.shutdown(), new Promise((r) => setTimeout(r, 1000))]);
    heap.stop();
    clients.close();
  }
}
