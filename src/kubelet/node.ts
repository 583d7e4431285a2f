/**
 * The node side of the kubelet: register the Node (labels, taints, capacity, addresses,
 * nodeInfo), keep its conditions current, and renew its Lease in kube-node-lease. Written for
 * many nodes per process: `NodeHost` renews every hosted node's Lease from one TimerHeap entry
 * per period, with a bounded number of requests in flight (kubemark/kwok-style density).
 */
import { rfc3339 } from '../api/duration.js';
import { cpus, totalmem, freemem, hostname as osHostname, release, platform } from 'node:os';
import { readFileSync, statfsSync } from 'node:fs';
import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { isStatusError } from '../api/errors.js';
import { Quantity } from '../api/quantity.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import type { TimerHandle, TimerHeap } from './timerheap.js';

export const KUBELET_VERSION = 'v1.32.0+k8ts';

export interface NodeConfig {
  nodeName: string;
  nodeIP: string;
  hostname?: string;
  /** labels are added to the well-known ones (`--node-labels`). */
  labels?: Record<string, string>;
  /** taints registered with the Node (`--register-with-taints`). */
  taints?: Taint[];
  /** capacity overrides what the host reports (cpu, memory, pods, ephemeral-storage). */
  capacity?: Record<string, string>;
  /** reserved is subtracted from capacity for allocatable (system-reserved + kube-reserved). */
  reserved?: Record<string, string>;
  kubeletPort: number;
  /** rootDir is where pods live; its filesystem decides DiskPressure. */
  rootDir?: string;
  runtimeName: string;
  runtimeVersion: string;
}

type K8sNode = Node & KubeObject;
type K8sLease = Lease & KubeObject;

const archOf = (a: string): string => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' })[a] ?? a;

/** microTime formats a metav1.MicroTime (RFC3339 with microseconds). */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? platform();
}

/**
 * machine holds what does not change while the process lives — CPU count, memory size, the
 * machine, system and boot ids, the OS image — read once, as upstream's kubelet takes cadvisor's
 * MachineInfo at startup rather than on every status sync. (os.cpus() parses /proc/cpuinfo and
 * every id is a file read: thousands of simulated nodes would pay them every 10 s each.)
 */
let machine: { cpus: number; memoryKi: number; machineID: string; systemUUID: string; bootID: string; osImage: string; kernelVersion: string } | undefined;
function machineInfo(): NonNullable<typeof machine> {
  machine ??= {
    cpus: cpus().length,
    memoryKi: Math.floor(totalmem() / 1024),
    machineID: readOr('/etc/machine-id', ''),
    systemUUID: readOr('/sys/class/dmi/id/product_uuid', ''),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
    osImage: osImage(),
    kernelVersion: release(),
  };
  return machine;
}

/** hostCapacity is what this machine offers (upstream reads cadvisor). */
export function hostCapacity(): Record<string, string> {
  const m = machineInfo();
  return {
    cpu: String(m.cpus),
    memory: `${m.memoryKi}Ki`,
    pods: '110',
    'ephemeral-storage': '61255492Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
}

/** allocatable is capacity minus what is reserved for the system, never below zero. */
function allocatable(cap: Record<string, string>, reserved: Record<string, string> = {}): Record<string, string> {
  const out = { ...cap };
  for (const [k, v] of Object.entries(reserved)) {
    const c = out[k];
    if (c === undefined) continue;
    const left = Quantity.parse(c).sub(Quantity.parse(v));
    out[k] = left.cmp(Quantity.parse('0')) < 0 ? '0' : left.toString();
  }
  return out;
}

/** nodeLabels are the well-known labels upstream's kubelet sets, plus the configured ones. */
export function nodeLabels(cfg: NodeConfig): Record<string, string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const arch = archOf(process.arch);
  return {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': os,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': cfg.hostname ?? cfg.nodeName,
    'kubernetes.io/os': os,
    ...(cfg.labels ?? {}),
  };
}

/** type, then upstream's reason and message when fine, and when under pressure. */
const pressureConditions: Array<[string, string, string, string, string]> = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', 'KubeletHasDiskPressure', 'kubelet has disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available'],
];

/**
 * nodeConditions computes the four conditions; lastTransitionTime is kept from `prev` when the
 * status did not change. `memoryPressure` is decided by the caller (eviction thresholds).
 */
export function nodeConditions(now: number, prev: NodeCondition[] | undefined, pressure: { memory?: boolean; disk?: boolean; pid?: boolean } = {}): NodeCondition[] {
  const mk = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const p = prev?.find((c) => c.type === type);
    return {
      type,
      status,
      reason,
      message,
      lastHeartbeatTime: rfc3339(now),
      lastTransitionTime: p && p.status === status ? p.lastTransitionTime : rfc3339(now),
    } as NodeCondition;
  };
  const flags = [pressure.memory, pressure.disk, pressure.pid];
  const out = pressureConditions.map(([type, okReason, okMsg, badReason, badMsg], i) => (flags[i] ? mk(type, 'True', badReason, badMsg) : mk(type, 'False', okReason, okMsg)));
  out.push(mk('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'));
  return out;
}

/** NodePressure is what the eviction signals say about the node (the only inputs of its status that change). */
export interface NodePressure {
  memory: boolean;
  disk: boolean;
}

/** MEMORY_SAMPLE_MS: free memory is read at most this often for all nodes of the process. */
const MEMORY_SAMPLE_MS = 1000;
let memorySample = { at: -Infinity, low: false };

/**
 * memoryLow is upstream's default hard eviction threshold memory.available<100Mi, sampled at
 * most once a second for every node of the process: os.freemem() reads /proc/meminfo, and a
 * thousand simulated nodes would each read it every 10 s (upstream's eviction manager samples
 * every 10 s too).
 */
function memoryLow(): boolean {
  const t = performance.now();
  if (t - memorySample.at >= MEMORY_SAMPLE_MS) memorySample = { at: t, low: freemem() < 100 * 1024 * 1024 };
  return memorySample.low;
}

/** nodePressure evaluates the eviction signals for `cfg` (nodefs.available<10% of its rootDir). */
export function nodePressure(cfg: NodeConfig): NodePressure {
  let disk = false;
  if (cfg.rootDir) {
    try {
      const fs = statfsSync(cfg.rootDir);
      disk = fs.bavail < fs.blocks * 0.1;
    } catch {
      disk = false;
    }
  }
  // A configured memory capacity is not this machine's memory: its pressure is not ours.
  return { memory: memoryLow() && !cfg.capacity?.['memory'], disk };
}

type StaticNodeStatus = Omit<NodeStatus, 'conditions'>;
/** staticParts memoises per config what never changes while the process lives (capacity, addresses, nodeInfo). */
const staticParts = new WeakMap<NodeConfig, StaticNodeStatus>();

function staticNodeStatus(cfg: NodeConfig): StaticNodeStatus {
  let s = staticParts.get(cfg);
  if (s) return s;
  const info = machineInfo();
  const capacity = { ...hostCapacity(), ...(cfg.capacity ?? {}) };
  s = {
    capacity,
    allocatable: allocatable(capacity, cfg.reserved),
    addresses: [
      { type: 'InternalIP', address: cfg.nodeIP },
      { type: 'Hostname', address: cfg.hostname ?? cfg.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: cfg.kubeletPort } },
    nodeInfo: {
      machineID: info.machineID,
      systemUUID: info.systemUUID,
      bootID: info.bootID,
      kernelVersion: info.kernelVersion,
      osImage: info.osImage,
      containerRuntimeVersion: `${cfg.runtimeName}://${cfg.runtimeVersion}`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: platform() === 'win32' ? 'windows' : platform(),
      architecture: archOf(process.arch),
    },
  };
  staticParts.set(cfg, s);
  return s;
}

/**
 * buildNodeStatus is the full status the kubelet reports; `pressure` defaults to what
 * nodePressure(cfg) says now. The parts that never change are shared between calls for one
 * config (callers must not mutate them).
 */
export function buildNodeStatus(cfg: NodeConfig, now: number, prev: NodeStatus | undefined, pressure: NodePressure = nodePressure(cfg)): NodeStatus {
  const s = staticNodeStatus(cfg);
  return {
    capacity: s.capacity,
    allocatable: s.allocatable,
    conditions: nodeConditions(now, prev?.conditions, pressure),
    addresses: s.addresses,
    daemonEndpoints: s.daemonEndpoints,
    nodeInfo: s.nodeInfo,
  };
}

/** NodeAgent is one node's registration, status and lease, speaking only the standard API. */
export class NodeAgent {
  node: K8sNode | undefined;
  private lease: K8sLease | undefined;
  private reported: NodeStatus | undefined;
  /**
   * reportedKey is the pressure the reported status was built from: with the static parts
   * fixed, it decides everything in the status but the heartbeat times (and a condition's
   * lastTransitionTime, which moves only when its status does), so an unchanged node's sync
   * builds and serialises nothing.
   */
  private reportedKey: string | undefined;
  private reportedAt = 0;
  /**
   * outOfTouch is set when a heartbeat failed: the apiserver may have been away long enough for
   * the node lifecycle controller to set Ready=Unknown, which only our next report undoes.
   * Upstream's kubelet learns that by reading its Node before every status sync; reporting once
   * after a failed heartbeat does the same without a read per node every 10 s.
   */
  private outOfTouch = false;
  /** registered is true once the Node object exists with our labels. */
  registered = false;

  constructor(
    readonly client: RestClient,
    readonly cfg: NodeConfig,
    private readonly now: () => number,
  ) {}

  private get nodes() {
    return this.client.resource<K8sNode>(gvr.nodes);
  }
  private get leases() {
    return this.client.resource<K8sLease>(gvr.leases).namespace('kube-node-lease');
  }

  /** register creates the Node, or adopts an existing one (adding our labels and taints). */
  async register(): Promise<void> {
    const labels = nodeLabels(this.cfg);
    const status = buildNodeStatus(this.cfg, this.now(), undefined);
    const body: K8sNode = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.cfg.nodeName,
        labels,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: this.cfg.taints?.length ? { taints: this.cfg.taints } : {},
      status,
    };
    try {
      this.node = await this.nodes.create(body);
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
      const existing = await this.nodes.get(this.cfg.nodeName);
      const missing = Object.entries(labels).filter(([k, v]) => existing.metadata?.labels?.[k] !== v);
      this.node = missing.length ? await this.nodes.patch(this.cfg.nodeName, 'merge', { metadata: { labels: Object.fromEntries(missing) } }) : existing;
    }
    this.registered = true;
    await this.syncStatus(true);
  }

  /**
   * syncStatus patches nodes/status when the status changed, after a failed heartbeat, or every
   * 5 minutes (upstream's nodeStatusReportFrequency when leases carry the heartbeat).
   */
  async syncStatus(force = false): Promise<void> {
    const pressure = nodePressure(this.cfg);
    const key = `${pressure.memory}/${pressure.disk}`;
    if (!force && !this.outOfTouch && key === this.reportedKey && this.now() - this.reportedAt < 5 * 60_000) return;
    const status = buildNodeStatus(this.cfg, this.now(), this.reported ?? this.node?.status, pressure);
    this.node = await this.nodes.patch(this.cfg.nodeName, 'merge', { status }, { subresource: 'status' });
    this.outOfTouch = false;
    this.reported = status;
    this.reportedKey = key;
    this.reportedAt = this.now();
  }

  /** renewLease creates or renews kube-node-lease/<node> (holder = node, 40 s duration). */
  async renewLease(): Promise<void> {
    try {
      await this.tryRenewLease();
    } catch (e) {
      this.outOfTouch = true;
      throw e;
    }
  }

  private async tryRenewLease(): Promise<void> {
    const name = this.cfg.nodeName;
    const renewTime = microTime(this.now());
    if (!this.lease) {
      try {
        this.lease = await this.leases.get(name);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
        this.lease = await this.leases.create({
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name,
            namespace: 'kube-node-lease',
            ownerReferences: this.node?.metadata?.uid ? [{ apiVersion: 'v1', kind: 'Node', name, uid: this.node.metadata.uid }] : undefined,
          },
          spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
        });
        return;
      }
    }
    try {
      this.lease = await this.leases.update({ ...this.lease, spec: { ...this.lease.spec, holderIdentity: name, leaseDurationSeconds: 40, renewTime } });
    } catch (e) {
      // Someone else wrote it (or it was deleted): read afresh next time.
      this.lease = undefined;
      throw e;
    }
  }
}

export interface NodeHostOptions {
  heap: TimerHeap;
  /** leaseRenewMs: 10 s as upstream (a quarter of the 40 s lease). */
  leaseRenewMs?: number;
  /** statusSyncMs: how often status is recomputed (10 s as upstream's nodeStatusUpdateFrequency). */
  statusSyncMs?: number;
  /** concurrency bounds the requests in flight per batch (default 16). */
  concurrency?: number;
  onError?: (agent: NodeAgent, err: unknown) => void;
}

/**
 * NodeHost drives any number of NodeAgents: one heap entry per period for all of them. An
 * agent that could not register (apiserver down) retries on the next tick; its pods keep
 * running meanwhile.
 */
/** HEARTBEAT_SLOTS is how many parts NodeHost spreads one heartbeat period of many nodes over. */
const HEARTBEAT_SLOTS = 10;

export class NodeHost {
  private agents: NodeAgent[] = [];
  private timer: TimerHandle | undefined;
  private ticks = 0;
  private stopped = false;

  constructor(private readonly opts: NodeHostOptions) {}

  add(agent: NodeAgent): void {
    this.agents.push(agent);
  }

  /** start registers every agent now and then heartbeats on the heap until stop(). */
  start(): void {
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /**
   * tick registers every agent at once on the first tick; after that the period is cut into
   * up to HEARTBEAT_SLOTS slots and each tick serves one slot's agents, so N nodes' lease
   * renewals reach the apiserver spread over the period instead of in one burst per period
   * (as N real kubelets, started at different times, would). Each agent still renews every period.
   */
  private async tick(): Promise<void> {
    if (this.stopped) return;
    const every = this.opts.leaseRenewMs ?? 10_000;
    const statusEvery = Math.max(1, Math.round((this.opts.statusSyncMs ?? 10_000) / every));
    const slots = Math.max(1, Math.min(HEARTBEAT_SLOTS, this.agents.length));
    const n = this.ticks++;
    const round = Math.floor(n / slots);
    await this.forAll(
      async (a) => {
        if (!a.registered) await a.register();
        await a.renewLease();
        if (round % statusEvery === 0) await a.syncStatus();
      },
      n === 0 ? undefined : { slot: n % slots, slots },
    );
    if (!this.stopped) this.timer = this.opts.heap.after(every / slots, () => void this.tick());
  }

  private async forAll(fn: (a: NodeAgent) => Promise<void>, only?: { slot: number; slots: number }): Promise<void> {
    const agents = only ? this.agents.filter((_, i) => i % only.slots === only.slot) : this.agents;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < agents.length && !this.stopped) {
        const a = agents[next++]!;
        try {
          await fn(a);
        } catch (e) {
          this.opts.onError?.(a, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 16, agents.length) }, worker));
  }
}

/** defaultHostname is the lower-cased host name, as upstream's node name default. */
export const defaultHostname = (): string => osHostname().toLowerCase();
