/**
 * PodLifecycle is the kubelet's pod engine: one serialized worker per pod (upstream's
 * podWorkers) running syncPod as kuberuntime_manager does — sandbox, init containers in order,
 * sidecars, regular containers with restart policies and CrashLoopBackOff, probes, hooks —
 * then graceful termination and cleanup. It knows nothing of HTTP: the API side hands it pods
 * (`updatePod` / `removePod`) and receives statuses, events and final deletions via `PodHost`.
 */
import { closeSync, mkdirSync, openSync, readFileSync, readSync, fstatSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { deepEqual } from '../api/patch/json.js';
import type { ContainerConfig, PodSandboxConfig, RuntimeService } from './runtime/api.js';
import { millisFromNanos } from './runtime/api.js';
import { POD_UID_LABEL } from './runtime/store.js';
import { containerLinuxResources } from './runtime/cgroups.js';
import type { TimerHandle, TimerHeap } from './timerheap.js';
import { Backoff } from './backoff.js';
import { type EnvSources, EnvError, expandContainerCommand, makeEnvironmentVariables } from './envvars.js';
import { VolumeManager, type VolumeSources, VolumeError, containerMounts } from './volumes/volumes.js';
import { ProbeManager } from './prober/manager.js';
import { runHook } from './hooks.js';
import { type RuntimeContainer, type SyncReason, generatePodStatus, instancesByName, isRestartableInit, shouldContainerBeRestarted } from './status.js';
import { parseCriLine } from './logs.js';
import { DEADLINE_EXCEEDED, activeDeadlineAt, pastActiveDeadline, startTimeMs } from './activedeadline.js';

export const labels = {
  podName: 'io.kubernetes.pod.name',
  podNamespace: 'io.kubernetes.pod.namespace',
  // The runtime store indexes its records by this label: one constant keeps the two in step.
  podUID: POD_UID_LABEL,
  containerName: 'io.kubernetes.container.name',
} as const;
export const annotations = {
  restartCount: 'io.kubernetes.container.restartCount',
  terminationMessagePath: 'io.kubernetes.container.terminationMessagePath',
  terminationMessagePolicy: 'io.kubernetes.container.terminationMessagePolicy',
  gracePeriod: 'io.kubernetes.pod.terminationGracePeriod',
  hash: 'io.kubernetes.container.hash',
} as const;

/**
 * hashes memoises containerHash per container object: a pod's spec objects come from the
 * informer and are never mutated, and every sync checks the hash of each running container.
 */
const hashes = new WeakMap<Container, string>();

/**
 * containerHash identifies a container spec: a changed spec (new image) restarts the container.
 * As upstream's HashContainer: 32-bit FNV-1a of the container's JSON without its resources,
 * in hex (here over the JSON's UTF-16 code units).
 */
export function containerHash(c: Container): string {
  let h = hashes.get(c);
  if (h === undefined) {
    h = fnv1a32(JSON.stringify({ ...c, resources: undefined })).toString(16);
    hashes.set(c, h);
  }
  return h;
}

function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * legacyContainerHash is the hash containers created before the FNV hash carry (a prefix of
 * SHA-256): a restarted kubelet must not take them for changed specs and restart them.
 */
function legacyContainerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify({ ...c, resources: undefined })).digest('hex').slice(0, 8);
}

/** specChanged: the instance was created from another spec than `spec` (either hash scheme). */
function specChanged(instanceHash: string | undefined, spec: Container): boolean {
  return instanceHash !== undefined && instanceHash !== containerHash(spec) && instanceHash !== legacyContainerHash(spec);
}

/** PodHost receives what the pod engine produces. */
export interface PodHost {
  /** recordEvent: fieldPath is `spec.containers{name}` for container events. */
  recordEvent(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void;
  /** setPodStatus hands over the newest status; the status manager patches it when it changed. */
  setPodStatus(pod: Pod, status: PodStatus): void;
  /** deletePod removes the API object (grace 0, uid precondition) once its containers are gone. */
  deletePod(pod: Pod): Promise<void>;
}

export interface PodLifecycleOptions {
  runtime: RuntimeService;
  heap: TimerHeap;
  /** rootDir holds `pods/<uid>` (volumes, termination messages) and `logs/pods/...`. */
  rootDir: string;
  nodeName: string;
  nodeIP: string;
  sources: EnvSources & VolumeSources;
  host: PodHost;
  backoff?: Backoff;
  /** resyncMs: every pod is resynced at least this often (volumes refresh, default 30 s). */
  resyncMs?: number;
  /**
   * fileless skips every file the kubelet writes for a pod (volumes, termination messages,
   * directories): for simulated nodes, where nothing reads them and thousands of pods must
   * stay cheap.
   */
  fileless?: boolean;
}

interface Worker {
  uid: string;
  pod: Pod;
  /** removed: the pod is gone from the API (or the static manifest); kill and forget it. */
  removed: boolean;
  terminal: boolean;
  finished: boolean;
  running: boolean;
  pending: boolean;
  timer?: TimerHandle;
  reasons: Map<string, SyncReason>;
  sandboxId?: string;
  podIP?: string;
  containers: RuntimeContainer[];
  /**
   * stale: the runtime may have changed since `containers` was read (this worker changed a
   * container, or the runtime reported an event); false right after a read starts.
   */
  stale: boolean;
  /**
   * ownEvents are the runtime events this worker's running sync caused and reads back itself
   * (`<containerId>/<state>`: RUNNING after its StartContainer, EXITED after its StopContainer):
   * they need no second sync. Any other event during a sync resyncs after it, as upstream's
   * PLEG events do. Cleared after each sync.
   */
  ownEvents: Set<string>;
  /** lastStatus is what this kubelet last computed (upstream's status manager cache). */
  lastStatus?: PodStatus;
  /**
   * startMs is when the pod became active on this node (status.startTime, in ms): exact when
   * this kubelet set startTime, else read back from the status (whole seconds).
   */
  startMs?: number;
  /** evicted: the kubelet failed the pod itself (its active deadline passed); the status says why. */
  evicted?: SyncReason;
  /**
   * sandboxConfig is sandboxConfig(sandboxConfigOf, 0), kept while callers pass that pod
   * object: the sandbox and every container created in it take the same config.
   */
  sandboxConfig?: PodSandboxConfig;
  sandboxConfigOf?: Pod;
  idle: Array<() => void>;
}

/**
 * podsDifferSemantically is upstream's test (pkg/kubelet/config) of whether an update of a pod
 * asks the kubelet for anything: its spec, labels, annotations or deletion changed. Both pods
 * come from the same API server's JSON, so equal specs serialize identically.
 */
export function podsDifferSemantically(a: Pod, b: Pod): boolean {
  const am = a.metadata ?? {};
  const bm = b.metadata ?? {};
  if (am.deletionTimestamp !== bm.deletionTimestamp || am.deletionGracePeriodSeconds !== bm.deletionGracePeriodSeconds) return true;
  return !deepEqual(a.spec, b.spec) || !deepEqual(am.labels, bm.labels) || !deepEqual(am.annotations, bm.annotations);
}

const podDesc = (pod: Pod): string => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** goDuration formats ms as Go's time.Duration String (10s, 1m20s, 5m0s). */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

export class PodLifecycle {
  readonly runtime: RuntimeService;
  readonly heap: TimerHeap;
  readonly probes: ProbeManager;
  readonly volumes: VolumeManager;
  readonly backoff: Backoff;
  private workers = new Map<string, Worker>();
  private sandboxToPod = new Map<string, string>();
  private offEvents: () => void;
  private stopped = false;

  constructor(private readonly opts: PodLifecycleOptions) {
    this.runtime = opts.runtime;
    this.heap = opts.heap;
    this.backoff = opts.backoff ?? new Backoff(opts.heap.clock);
    this.volumes = new VolumeManager(opts.sources, () => opts.heap.clock.now());
    this.probes = new ProbeManager({
      heap: opts.heap,
      runtime: opts.runtime,
      containerState: (uid, name) => {
        const w = this.workers.get(uid);
        const c = w ? instancesByName(w.containers).get(name)?.[0] : undefined;
        if (!c) return undefined;
        return { containerId: c.id, running: c.state === 'CONTAINER_RUNNING', terminated: c.state === 'CONTAINER_EXITED', startedAtMs: c.startedAt };
      },
      podIP: (uid) => this.workers.get(uid)?.podIP ?? opts.nodeIP,
      onResult: (e) => {
        if (e.message) opts.host.recordEvent(e.pod, 'Warning', 'Unhealthy', e.message, fieldPath(e.pod, e.container.name));
        if (e.changed) this.requestSync(e.pod.metadata?.uid ?? '');
      },
    });
    this.offEvents = opts.runtime.onContainerEvent((e) => {
      const uid = this.sandboxToPod.get(e.podSandboxId);
      const w = uid ? this.workers.get(uid) : undefined;
      if (!w) return;
      w.stale = true;
      if (w.running && w.ownEvents.delete(`${e.containerId}/${e.state}`)) return;
      this.requestSync(w.uid);
    });
    this.podsRoot = join(opts.rootDir, 'pods');
    this.logsRoot = join(opts.rootDir, 'logs', 'pods');
  }

  /** podsRoot and logsRoot are normalised once; uids, namespaces and names need no normalising. */
  private readonly podsRoot: string;
  private readonly logsRoot: string;

  podDir(uid: string): string {
    return `${this.podsRoot}/${uid}`;
  }

  logDir(pod: Pod): string {
    return `${this.logsRoot}/${pod.metadata?.namespace}_${pod.metadata?.name}_${pod.metadata?.uid}`;
  }

  /** pods lists the pods this engine currently runs (for the kubelet's `/pods`). */
  pods(): Pod[] {
    return [...this.workers.values()].map((w) => (w.lastStatus ? { ...w.pod, status: w.lastStatus } : w.pod));
  }

  /** updatePod adds or updates a pod (its latest API state); syncs it soon. */
  updatePod(pod: Pod): void {
    if (this.stopped) return;
    const uid = pod.metadata?.uid ?? '';
    let w = this.workers.get(uid);
    if (!w) {
      // A pod already terminal in the API (a kubelet restart) is reported, never run again.
      const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
      w = { uid, pod, removed: false, terminal, finished: false, running: false, pending: false, reasons: new Map(), containers: [], stale: true, ownEvents: new Set(), idle: [] };
      this.workers.set(uid, w);
      this.probes.addPod(pod);
    } else {
      const reconcileOnly = !podsDifferSemantically(w.pod, pod) && !pod.spec?.readinessGates?.length;
      w.pod = pod;
      // A terminal pod's containers are done: nothing is left to probe.
      if (!w.terminal) this.probes.addPod(pod);
      // As upstream's pod config source: a change of status alone (most often the status this
      // kubelet just wrote, echoed by the watch) is a RECONCILE, not a sync — the status manager
      // already holds what the kubelet reports. Readiness gates are the exception: their
      // conditions come from others and change the pod's readiness.
      if (reconcileOnly) return;
    }
    this.requestSync(uid);
  }

  /** removePod: the pod is gone from the API; its containers are killed and its files removed. */
  removePod(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    w.removed = true;
    this.requestSync(uid);
  }

  /**
   * cleanupOrphans kills and removes sandboxes of pods not in `known` (pods deleted while the
   * kubelet was down). Call once the pod list from the API (and static manifests) is complete.
   */
  async cleanupOrphans(known: ReadonlySet<string>): Promise<void> {
    const { items } = await this.runtime.listPodSandbox();
    for (const s of items) {
      const uid = s.labels[labels.podUID] ?? s.metadata.uid;
      if (known.has(uid) || this.workers.has(uid)) continue;
      const { containers } = await this.runtime.listContainers({ filter: { podSandboxId: s.id } });
      await Promise.all(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => this.runtime.stopContainer({ containerId: c.id, timeout: 2 })));
      await this.runtime.removePodSandbox({ podSandboxId: s.id });
      rmSync(this.podDir(uid), { recursive: true, force: true });
    }
  }

  /** whenIdle resolves once the pod's worker has no sync running or pending (tests, shutdown). */
  whenIdle(uid: string): Promise<void> {
    const w = this.workers.get(uid);
    if (!w || (!w.running && !w.pending)) return Promise.resolve();
    return new Promise((r) => w.idle.push(r));
  }

  /** requestSync runs the pod's sync now (or after delayMs), never two at once for one pod. */
  requestSync(uid: string, delayMs = 0): void {
    const w = this.workers.get(uid);
    if (!w || this.stopped || w.finished) return;
    if (delayMs > 0) {
      const at = this.heap.clock.now() + delayMs;
      if (w.timer && w.timer.at <= at) return;
      w.timer?.cancel();
      w.timer = this.heap.at(at, () => {
        w.timer = undefined;
        this.requestSync(uid);
      });
      return;
    }
    if (w.running) {
      w.pending = true;
      return;
    }
    void this.runWorker(w);
  }

  private async runWorker(w: Worker): Promise<void> {
    w.running = true;
    do {
      w.pending = false;
      try {
        await this.syncPod(w);
      } catch (e) {
        // An unexpected fault: report it and retry later rather than lose the pod.
        this.opts.host.recordEvent(w.pod, 'Warning', 'FailedSync', `error determining status: ${e instanceof Error ? e.message : String(e)}`);
        this.requestSync(w.uid, 10_000);
      }
      w.ownEvents.clear();
    } while (w.pending && !this.stopped && !w.finished);
    w.running = false;
    for (const r of w.idle.splice(0)) r();
    if (w.finished) {
      w.timer?.cancel();
      this.workers.delete(w.uid);
    }
  }

  /** stop halts every worker and timer; containers keep running (the next kubelet adopts them). */
  stop(): void {
    this.stopped = true;
    this.offEvents();
    this.probes.stop();
    for (const w of this.workers.values()) w.timer?.cancel();
  }

  private async instances(w: Worker): Promise<RuntimeContainer[]> {
    w.stale = false;
    const { containers } = await this.runtime.listContainers({ filter: { labelSelector: { [labels.podUID]: w.uid } } });
    const out: RuntimeContainer[] = [];
    for (const c of containers) {
      try {
        const { status } = await this.runtime.containerStatus({ containerId: c.id });
        out.push({
          name: status.metadata.name,
          id: status.id,
          state: status.state,
          createdAt: millisFromNanos(status.createdAt),
          startedAt: millisFromNanos(status.startedAt),
          finishedAt: millisFromNanos(status.finishedAt),
          exitCode: status.exitCode,
          reason: status.reason,
          message: status.message,
          restartCount: Number(status.annotations[annotations.restartCount] ?? status.metadata.attempt ?? 0),
          hash: status.annotations[annotations.hash],
          image: status.image.image,
          imageRef: status.imageRef,
        });
        this.sandboxToPod.set(c.podSandboxId, w.uid);
      } catch {
        // removed between list and status
      }
    }
    w.containers = out;
    return out;
  }

  private async ensureSandbox(w: Worker): Promise<string> {
    const pod = w.pod;
    const { items } = await this.runtime.listPodSandbox({ filter: { labelSelector: { [labels.podUID]: w.uid } } });
    const ready = items.filter((s) => s.state === 'SANDBOX_READY').sort((a, b) => Number(b.createdAt - a.createdAt))[0];
    if (ready) {
      w.sandboxId = ready.id;
      this.sandboxToPod.set(ready.id, w.uid);
      if (!w.podIP) w.podIP = (await this.runtime.podSandboxStatus({ podSandboxId: ready.id })).status.network.ip;
      return ready.id;
    }
    const attempt = items.length;
    if (attempt > 0) {
      // The sandbox died: upstream kills every container and starts over in a new sandbox.
      this.opts.host.recordEvent(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      for (const s of items) await this.runtime.removePodSandbox({ podSandboxId: s.id });
    }
    const config = attempt === 0 ? this.firstSandboxConfig(w, pod) : this.sandboxConfig(pod, attempt);
    const { podSandboxId } = await this.runtime.runPodSandbox({ config });
    this.sandboxToPod.set(podSandboxId, w.uid);
    w.sandboxId = podSandboxId;
    w.podIP = (await this.runtime.podSandboxStatus({ podSandboxId })).status.network.ip;
    return podSandboxId;
  }

  /** firstSandboxConfig is sandboxConfig(pod, 0), kept on the worker while it is asked for the same pod object. */
  private firstSandboxConfig(w: Worker, pod: Pod): PodSandboxConfig {
    if (w.sandboxConfigOf !== pod || !w.sandboxConfig) {
      w.sandboxConfig = this.sandboxConfig(pod, 0);
      w.sandboxConfigOf = pod;
    }
    return w.sandboxConfig;
  }

  private sandboxConfig(pod: Pod, attempt: number): PodSandboxConfig {
    return {
      metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid ?? '', attempt },
      hostname: pod.spec?.hostname ?? pod.metadata?.name,
      logDirectory: this.logDir(pod),
      hostNetwork: pod.spec?.hostNetwork === true,
      portMappings: (pod.spec?.containers ?? []).flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => ({ protocol: p.protocol as 'TCP', containerPort: p.containerPort, hostPort: p.hostPort }))),
      labels: { [labels.podName]: pod.metadata?.name ?? '', [labels.podNamespace]: pod.metadata?.namespace ?? '', [labels.podUID]: pod.metadata?.uid ?? '' },
      annotations: { ...(pod.metadata?.annotations ?? {}) },
    };
  }

  private async syncPod(w: Worker): Promise<void> {
    const pod = w.pod;
    if (w.removed || pod.metadata?.deletionTimestamp) {
      await this.terminate(w);
      return;
    }
    this.requestSync(w.uid, this.opts.resyncMs ?? 30_000);
    if (!w.terminal && pastActiveDeadline(pod, this.startMs(w), this.heap.clock.now())) {
      await this.failPod(w, DEADLINE_EXCEEDED);
      return;
    }
    if (w.terminal) {
      // A terminal pod's containers stay stopped; any still running (a kill cut short, or a
      // kubelet restarted over a pod the API reports terminal) are stopped now, as upstream's
      // pod worker terminates such pods.
      const all = await this.instances(w);
      if (all.some((c) => c.state === 'CONTAINER_RUNNING')) await this.killPod(w, all, this.gracePeriod(pod, false));
      this.publish(w);
      return;
    }
    const podDir = this.podDir(w.uid);
    let volumePaths: Map<string, string>;
    try {
      // podDir is normalised and volume names are DNS labels: nothing for join() to do.
      if (this.opts.fileless) volumePaths = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, `${podDir}/volumes/${v.name}`]));
      else {
        mkdirSync(podDir, { recursive: true });
        volumePaths = await this.volumes.setUp(pod, podDir);
      }
    } catch (e) {
      if (!(e instanceof VolumeError)) throw e;
      this.opts.host.recordEvent(pod, 'Warning', 'FailedMount', e.message);
      await this.instances(w);
      this.publish(w);
      this.requestSync(w.uid, 2000);
      return;
    }
    const sandboxId = await this.ensureSandbox(w);
    let all = await this.instances(w);
    if (await this.gcDeadInstances(w, all)) all = await this.instances(w);
    const byName = instancesByName(all);

    const initialized = await this.syncInitContainers(w, sandboxId, volumePaths, byName);
    if (initialized) {
      for (const c of pod.spec?.containers ?? []) await this.syncContainer(w, sandboxId, volumePaths, c, byName.get(c.name)?.[0], false);
    }
    // Read the runtime again only if something may have changed since the last read.
    all = w.stale ? await this.instances(w) : w.containers;
    // A pod whose containers will all stay stopped is terminal: its sidecars stop too.
    const latest = instancesByName(all);
    const regular = pod.spec?.containers ?? [];
    if (!w.terminal && regular.length > 0 && regular.every((c) => {
      const l = latest.get(c.name)?.[0];
      return l !== undefined && l.state === 'CONTAINER_EXITED' && !shouldContainerBeRestarted(c, pod, l);
    })) {
      w.terminal = true;
    }
    if (w.terminal) {
      await this.killContainers(w, all, 0, (pod.spec?.initContainers ?? []).filter(isRestartableInit).map((c) => c.name));
      all = await this.instances(w);
    }
    this.publish(w);
    // Sync again when the active deadline falls (an update of the deadline syncs at once).
    const deadline = w.terminal ? undefined : activeDeadlineAt(pod, this.startMs(w));
    if (deadline !== undefined) this.requestSync(w.uid, Math.max(1, deadline - this.heap.clock.now()));
  }

  /** startMs is when the pod became active here: this kubelet's own record, else the status it reports (upstream reads the status manager's, then the API's). */
  private startMs(w: Worker): number | undefined {
    return w.startMs ?? startTimeMs(w.lastStatus ?? w.pod.status);
  }

  /**
   * failPod is upstream's eviction by a pod sync handler (the active deadline): the pod is
   * terminal and Failed with `why` at once, an event says so, and its containers are killed as
   * on a normal kill, with the pod's grace period. The API object stays.
   */
  private async failPod(w: Worker, why: SyncReason): Promise<void> {
    const pod = w.pod;
    w.terminal = true;
    w.evicted = why;
    this.opts.host.recordEvent(pod, 'Normal', why.reason, why.message);
    // Failed is reported before the kill, which may take the whole grace period.
    this.publish(w);
    await this.killPod(w, await this.instances(w), this.gracePeriod(pod, false));
    this.publish(w);
  }

  /** killPod stops the pod's running containers (regular first, then sidecars) and its sandbox, and ends its probes. */
  private async killPod(w: Worker, all: RuntimeContainer[], graceSeconds: number): Promise<void> {
    this.probes.removePod(w.uid);
    await this.killContainers(w, all, graceSeconds);
    // A worker that never ensured a sandbox (a restarted kubelet's terminal pod) finds them by label.
    const ids = w.sandboxId ? [w.sandboxId] : (await this.runtime.listPodSandbox({ filter: { labelSelector: { [labels.podUID]: w.uid } } })).items.map((s) => s.id);
    for (const id of ids) await this.runtime.stopPodSandbox({ podSandboxId: id });
    await this.instances(w);
  }

  /** syncInitContainers returns true once regular containers may run. */
  private async syncInitContainers(w: Worker, sandboxId: string, volumePaths: Map<string, string>, byName: Map<string, RuntimeContainer[]>): Promise<boolean> {
    const pod = w.pod;
    const regularStarted = (pod.spec?.containers ?? []).some((c) => byName.has(c.name));
    for (const c of pod.spec?.initContainers ?? []) {
      const latest = byName.get(c.name)?.[0];
      if (isRestartableInit(c)) {
        const state = await this.syncContainer(w, sandboxId, volumePaths, c, latest, true);
        if (regularStarted) continue;
        if (state !== 'running' || !this.probes.started(w.uid, c.name, w.containers.find((x) => x.name === c.name && x.state === 'CONTAINER_RUNNING')?.id ?? '')) return false;
        continue;
      }
      if (regularStarted) continue;
      if (latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0) continue;
      if (latest?.state === 'CONTAINER_RUNNING') return false;
      if (latest?.state === 'CONTAINER_EXITED' && (pod.spec?.restartPolicy ?? 'Always') === 'Never') {
        w.terminal = true;
        return false;
      }
      await this.syncContainer(w, sandboxId, volumePaths, c, latest, true);
      return false;
    }
    return true;
  }

  /** syncContainer keeps one container at its desired state; returns what it is now. */
  private async syncContainer(
    w: Worker,
    sandboxId: string,
    volumePaths: Map<string, string>,
    spec: Container,
    latest: RuntimeContainer | undefined,
    isInit: boolean,
  ): Promise<'running' | 'waiting' | 'done'> {
    const pod = w.pod;
    const fp = fieldPath(pod, spec.name);
    // A changed spec restarts the container whatever the restart policy (upstream).
    let forceRestart = false;
    if (latest?.state === 'CONTAINER_RUNNING') {
      const failed = this.probes.failed(w.uid, spec.name, latest.id);
      const changed = specChanged(latest.hash, spec);
      if (!failed && !changed) return 'running';
      forceRestart = changed;
      this.opts.host.recordEvent(pod, 'Normal', 'Killing', changed ? `Container ${spec.name} definition changed, will be restarted` : `Container ${spec.name} failed ${failed} probe, will be restarted`, fp);
      await this.killContainer(w, spec, latest, this.gracePeriod(pod, false));
      latest = (await this.instances(w)).find((c) => c.id === latest!.id);
    }
    if (!forceRestart && !shouldContainerBeRestarted(spec, pod, latest, isInit)) return 'done';
    const key = `${w.uid}/${spec.name}`;
    if (latest?.state === 'CONTAINER_EXITED') {
      const finished = latest.finishedAt;
      if (this.backoff.isInBackOffSince(key, finished)) {
        const delay = this.backoff.get(key);
        w.reasons.set(spec.name, { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(delay)} restarting failed container=${spec.name} pod=${podDesc(pod)}` });
        this.opts.host.recordEvent(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${podDesc(pod)}`, fp);
        this.requestSync(w.uid, Math.max(1, this.backoff.remainingMs(key, finished)));
        return 'waiting';
      }
      this.backoff.next(key, finished);
    }
    const restartCount = latest ? latest.restartCount + 1 : 0;
    const fail = (reason: string, message: string): 'waiting' => {
      w.reasons.set(spec.name, { reason, message });
      this.opts.host.recordEvent(pod, 'Warning', 'Failed', `Error: ${message}`, fp);
      this.requestSync(w.uid, 5000);
      return 'waiting';
    };
    let config: ContainerConfig;
    try {
      const env = await makeEnvironmentVariables(pod, spec, this.opts.sources);
      const termDir = `${this.podDir(w.uid)}/containers/${spec.name}`;
      const termFile = `${termDir}/${restartCount}`;
      if (!this.opts.fileless) {
        mkdirSync(termDir, { recursive: true });
        writeFileSync(termFile, '', { mode: 0o666 });
      }
      config = {
        metadata: { name: spec.name, attempt: restartCount },
        image: { image: spec.image ?? '' },
        command: expandContainerCommand(spec.command, env),
        args: expandContainerCommand(spec.args, env),
        workingDir: spec.workingDir,
        envs: env.map((e) => ({ key: e.name, value: e.value })),
        mounts: containerMounts(spec, volumePaths, termFile),
        labels: { [labels.podName]: pod.metadata?.name ?? '', [labels.podNamespace]: pod.metadata?.namespace ?? '', [labels.podUID]: w.uid, [labels.containerName]: spec.name },
        annotations: {
          ...(pod.metadata?.annotations ?? {}),
          [annotations.restartCount]: String(restartCount),
          [annotations.hash]: containerHash(spec),
          [annotations.terminationMessagePath]: spec.terminationMessagePath ?? '/dev/termination-log',
          [annotations.terminationMessagePolicy]: spec.terminationMessagePolicy ?? 'File',
        },
        logPath: `${spec.name}/${restartCount}.log`,
        stdin: spec.stdin,
        stdinOnce: spec.stdinOnce,
        tty: spec.tty,
        linux: { resources: containerLinuxResources(spec.resources) },
      };
    } catch (e) {
      if (e instanceof EnvError || e instanceof VolumeError) return fail('CreateContainerConfigError', e.message);
      throw e;
    }
    let containerId: string;
    try {
      const created = await this.runtime.createContainer({ podSandboxId: sandboxId, config, sandboxConfig: this.firstSandboxConfig(w, pod) });
      containerId = created.containerId;
      w.stale = true;
      for (const w of created.warnings ?? []) this.opts.host.recordEvent(pod, 'Warning', 'ResourceLimitsNotEnforced', w, fp);
    } catch (e) {
      return fail('CreateContainerError', e instanceof Error ? e.message : String(e));
    }
    this.opts.host.recordEvent(pod, 'Normal', 'Created', `Created container ${spec.name}`, fp);
    try {
      w.ownEvents.add(`${containerId}/CONTAINER_RUNNING`);
      await this.runtime.startContainer({ containerId });
    } catch (e) {
      await this.runtime.removeContainer({ containerId }).catch(() => undefined);
      return fail('RunContainerError', e instanceof Error ? e.message : String(e));
    }
    this.opts.host.recordEvent(pod, 'Normal', 'Started', `Started container ${spec.name}`, fp);
    w.reasons.delete(spec.name);
    await this.instances(w);
    if (spec.lifecycle?.postStart) {
      const r = await runHook(spec.lifecycle.postStart, { pod, container: spec, containerId, runtime: this.runtime, podIP: w.podIP ?? this.opts.nodeIP, heap: this.heap, timeoutSeconds: this.gracePeriod(pod, false) || 30 });
      if (!r.ok) {
        this.opts.host.recordEvent(pod, 'Warning', 'FailedPostStartHook', r.message, fp);
        const inst = w.containers.find((c) => c.id === containerId);
        if (inst) await this.killContainer(w, spec, inst, this.gracePeriod(pod, false), false);
        w.reasons.set(spec.name, { reason: 'PostStartHookError', message: r.message });
        return 'waiting';
      }
    }
    this.probes.trigger(w.uid);
    return 'running';
  }

  private gracePeriod(pod: Pod, deleting: boolean): number {
    if (deleting && pod.metadata?.deletionGracePeriodSeconds !== undefined) return pod.metadata.deletionGracePeriodSeconds;
    return pod.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** killContainer runs preStop (within the grace period), then stops with what remains. */
  private async killContainer(w: Worker, spec: Container | undefined, c: RuntimeContainer, graceSeconds: number, runPreStop = true): Promise<void> {
    if (c.state !== 'CONTAINER_RUNNING') return;
    const start = this.heap.clock.now();
    if (runPreStop && spec?.lifecycle?.preStop && graceSeconds > 0) {
      const r = await runHook(spec.lifecycle.preStop, { pod: w.pod, container: spec, containerId: c.id, runtime: this.runtime, podIP: w.podIP ?? this.opts.nodeIP, heap: this.heap, timeoutSeconds: graceSeconds });
      if (!r.ok) this.opts.host.recordEvent(w.pod, 'Warning', 'FailedPreStopHook', r.message, fieldPath(w.pod, spec.name));
    }
    const spent = Math.floor((this.heap.clock.now() - start) / 1000);
    // Upstream keeps a minimum of 2 s for the stop itself after a preStop hook.
    const remaining = graceSeconds > 0 ? Math.max(graceSeconds - spent, runPreStop && spec?.lifecycle?.preStop ? 2 : 0, 1) : 0;
    w.ownEvents.add(`${c.id}/CONTAINER_EXITED`);
    await this.runtime.stopContainer({ containerId: c.id, timeout: remaining });
    w.stale = true;
  }

  /** killContainers stops regular containers first, then sidecars in reverse order (as upstream). */
  private async killContainers(w: Worker, all: RuntimeContainer[], graceSeconds: number, only?: string[]): Promise<void> {
    const pod = w.pod;
    const specs = new Map<string, Container>([...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => [c.name, c]));
    const running = all.filter((c) => c.state === 'CONTAINER_RUNNING' && (!only || only.includes(c.name)));
    const sidecars = (pod.spec?.initContainers ?? []).filter(isRestartableInit).map((c) => c.name);
    const first = running.filter((c) => !sidecars.includes(c.name));
    const kill = (c: RuntimeContainer): Promise<void> => {
      this.opts.host.recordEvent(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, fieldPath(pod, c.name));
      return this.killContainer(w, specs.get(c.name), c, graceSeconds);
    };
    await Promise.all(first.map(kill));
    for (const name of [...sidecars].reverse()) {
      for (const c of running.filter((x) => x.name === name)) await kill(c);
    }
  }

  /** terminate kills the pod gracefully, reports the final status, deletes the API object, cleans up. */
  private async terminate(w: Worker): Promise<void> {
    const pod = w.pod;
    const all = await this.instances(w);
    await this.killContainers(w, all, this.gracePeriod(pod, true));
    if (w.sandboxId) await this.runtime.stopPodSandbox({ podSandboxId: w.sandboxId });
    else {
      const { items } = await this.runtime.listPodSandbox({ filter: { labelSelector: { [labels.podUID]: w.uid } } });
      for (const s of items) await this.runtime.stopPodSandbox({ podSandboxId: s.id });
    }
    await this.instances(w);
    w.terminal = true;
    this.probes.removePod(w.uid);
    if (!w.removed) {
      this.publish(w);
      await this.opts.host.deletePod(pod);
    }
    const { items } = await this.runtime.listPodSandbox({ filter: { labelSelector: { [labels.podUID]: w.uid } } });
    for (const s of items) {
      await this.runtime.removePodSandbox({ podSandboxId: s.id });
      this.sandboxToPod.delete(s.id);
    }
    rmSync(this.podDir(w.uid), { recursive: true, force: true });
    rmSync(this.logDir(pod), { recursive: true, force: true });
    this.volumes.forget(w.uid);
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) this.backoff.reset(`${w.uid}/${c.name}`);
    w.finished = true;
  }

  /** gcDeadInstances keeps, per container name, the newest instance and one dead predecessor; true if it removed any. */
  private async gcDeadInstances(w: Worker, all: RuntimeContainer[]): Promise<boolean> {
    let removed = false;
    for (const list of instancesByName(all).values()) {
      for (const old of list.slice(2)) {
        if (old.state !== 'CONTAINER_RUNNING') {
          w.stale = true;
          removed = true;
          await this.runtime.removeContainer({ containerId: old.id });
        }
      }
    }
    return removed;
  }

  private publish(w: Worker): void {
    const status = generatePodStatus({
      pod: w.lastStatus ? { ...w.pod, status: { ...w.lastStatus, conditions: mergeConditions(w.pod.status?.conditions, w.lastStatus.conditions) } } : w.pod,
      runtimeName: this.runtime.name,
      sandboxReady: w.sandboxId !== undefined && !w.terminal,
      podIPs: w.podIP ? [w.podIP] : [],
      hostIPs: [this.opts.nodeIP],
      containers: w.containers,
      reasons: w.reasons,
      ready: (name, id) => this.probes.ready(w.uid, name, id),
      started: (name, id) => this.probes.started(w.uid, name, id),
      terminationMessage: (name, id) => this.terminationMessage(w, name, id),
      podIsTerminal: w.terminal,
      evicted: w.evicted,
      now: this.heap.clock.now(),
    });
    // Without an earlier startTime the status took `now`, to the millisecond here.
    w.startMs ??= (w.lastStatus ?? w.pod.status)?.startTime ? startTimeMs(status) : this.heap.clock.now();
    w.lastStatus = status;
    this.opts.host.setPodStatus(w.pod, status);
  }

  private terminationMessage(w: Worker, name: string, id: string): string | undefined {
    if (this.opts.fileless) return undefined;
    const inst = w.containers.find((c) => c.id === id);
    if (!inst) return undefined;
    const spec = [...(w.pod.spec?.initContainers ?? []), ...(w.pod.spec?.containers ?? [])].find((c) => c.name === name);
    let msg = '';
    try {
      msg = readHead(join(this.podDir(w.uid), 'containers', name, String(inst.restartCount)), 4096);
    } catch {
      msg = '';
    }
    if (!msg && spec?.terminationMessagePolicy === 'FallbackToLogsOnError' && inst.exitCode !== 0) {
      msg = tailCriLog(join(this.logDir(w.pod), name, `${inst.restartCount}.log`), 80, 2048);
    }
    return msg || undefined;
  }

  /**
   * findContainer locates a container instance for logs/exec: the current one, or with
   * `previous` the one before it.
   */
  findContainer(namespace: string, podName: string, containerName: string | undefined, previous = false): { pod: Pod; container: RuntimeContainer; logPath: string } | { error: string; code: number } {
    const w = [...this.workers.values()].find((x) => x.pod.metadata?.namespace === namespace && x.pod.metadata?.name === podName);
    if (!w) return { error: `pod ${namespace}/${podName} not found on this node`, code: 404 };
    const all = [...(w.pod.spec?.initContainers ?? []), ...(w.pod.spec?.containers ?? [])];
    let name = containerName;
    if (!name) {
      if ((w.pod.spec?.containers ?? []).length !== 1) return { error: `a container name must be specified for pod ${podName}, choose one of: [${(w.pod.spec?.containers ?? []).map((c) => c.name).join(' ')}]`, code: 400 };
      name = w.pod.spec!.containers[0]!.name;
    }
    if (!all.some((c) => c.name === name)) return { error: `container ${name} is not valid for pod ${podName}`, code: 400 };
    const list = instancesByName(w.containers).get(name) ?? [];
    const inst = previous ? list[1] : list[0];
    if (!inst) {
      return previous
        ? { error: `previous terminated container "${name}" in pod "${podName}" not found`, code: 400 }
        : { error: `container "${name}" in pod "${podName}" is waiting to start: ${w.reasons.get(name)?.reason ?? 'ContainerCreating'}`, code: 400 };
    }
    return { pod: w.pod, container: inst, logPath: join(this.logDir(w.pod), name, `${inst.restartCount}.log`) };
  }
}

const kubeletConditions = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/** mergeConditions takes the kubelet's own conditions from `mine`, everyone else's from the API. */
function mergeConditions(api: PodStatus['conditions'], mine: PodStatus['conditions']): PodStatus['conditions'] {
  return [...(mine ?? []).filter((c) => kubeletConditions.has(c.type)), ...(api ?? []).filter((c) => !kubeletConditions.has(c.type))];
}

function fieldPath(pod: Pod, name: string): string {
  return (pod.spec?.initContainers ?? []).some((c) => c.name === name) ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
}

function readHead(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(Math.min(max, fstatSync(fd).size));
    readSync(fd, b, 0, b.length, 0);
    return b.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** tailCriLog returns the content of the last maxLines records, at most maxBytes (sync). */
function tailCriLog(path: string, maxLines: number, maxBytes: number): string {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return '';
  }
  const tail = buf.subarray(Math.max(0, buf.length - 64 * 1024));
  const lines = tail.toString('utf8').split('\n').filter(Boolean).slice(-maxLines);
  const text = lines
    .map((l) => parseCriLine(Buffer.from(l)))
    .filter((r) => r !== undefined)
    .map((r) => r.content.toString('utf8') + (r.partial ? '' : '\n'))
    .join('');
  return text.slice(Math.max(0, text.length - maxBytes));
}
