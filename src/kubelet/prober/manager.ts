/**
 * ProbeManager runs liveness, readiness and startup probes as upstream's prober workers
 * (pkg/kubelet/prober/worker.go): one worker per container and probe type, ticking every
 * periodSeconds on the kubelet's TimerHeap (no timer of its own), honouring initialDelaySeconds,
 * success/failureThreshold, startup gating, and holding liveness/startup after a failure until
 * the container is replaced.
 */
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import type { TimerHandle, TimerHeap } from '../timerheap.js';
import type { RuntimeService } from '../runtime/api.js';
import { type ProbeContext, type ProbeOutcome, type ProbeResult, runProbe } from './prober.js';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** ContainerProbeState is what a worker needs to know about the container's current instance. */
export interface ContainerProbeState {
  containerId: string;
  running: boolean;
  /** terminated: the container exited (with `running` false). */
  terminated: boolean;
  startedAtMs: number;
}

export interface ProbeResultEvent {
  pod: Pod;
  container: Container;
  containerId: string;
  probeType: ProbeType;
  result: ProbeResult;
  /** changed is true when the stored result flipped (the kubelet then resyncs the pod). */
  changed: boolean;
  /** message for an Unhealthy event (`Liveness probe failed: ...`), when the run failed. */
  message?: string;
}

export interface ProbeManagerOptions {
  heap: TimerHeap;
  runtime: RuntimeService;
  containerState(podUID: string, containerName: string): ContainerProbeState | undefined;
  podIP(podUID: string): string;
  onResult(e: ProbeResultEvent): void;
  /** probe runs one probe; tests inject a scripted one. */
  probe?: (probe: Probe, ctx: ProbeContext) => Promise<ProbeOutcome>;
}

const initialValue: Record<ProbeType, ProbeResult> = { liveness: 'Success', readiness: 'Failure', startup: 'Unknown' };
const title: Record<ProbeType, string> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

class Worker {
  containerId = '';
  result: ProbeResult;
  lastResult: ProbeResult = 'Unknown';
  resultRun = 0;
  onHold = false;
  timer: TimerHandle | undefined;
  inFlight = false;
  stopped = false;

  constructor(
    readonly m: ProbeManager,
    public pod: Pod,
    readonly container: Container,
    readonly type: ProbeType,
    readonly spec: Probe,
  ) {
    this.result = initialValue[type];
  }

  get periodMs(): number {
    return (this.spec.periodSeconds ?? 10) * 1000;
  }

  schedule(ms: number): void {
    this.timer?.cancel();
    if (!this.stopped) this.timer = this.m.heap.after(ms, () => void this.tick());
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  async tick(): Promise<void> {
    this.timer = undefined;
    if (this.inFlight || this.stopped) return;
    const started = this.m.heap.clock.now();
    this.inFlight = true;
    let keep = true;
    try {
      keep = await this.doProbe();
    } finally {
      this.inFlight = false;
    }
    if (!keep) {
      this.stop();
      return;
    }
    this.schedule(Math.max(0, started + this.periodMs - this.m.heap.clock.now()));
  }

  private set(result: ProbeResult, message?: string): void {
    const changed = result !== this.result;
    this.result = result;
    this.m.emit({ pod: this.pod, container: this.container, containerId: this.containerId, probeType: this.type, result, changed, message });
  }

  /** doProbe mirrors upstream's worker.doProbe; false stops the worker. */
  private async doProbe(): Promise<boolean> {
    const uid = this.pod.metadata?.uid ?? '';
    const st = this.m.opts.containerState(uid, this.container.name);
    if (!st) return true;
    if (st.containerId !== this.containerId) {
      this.containerId = st.containerId;
      this.result = initialValue[this.type];
      this.lastResult = 'Unknown';
      this.resultRun = 0;
      this.onHold = false;
    }
    if (this.onHold || !this.containerId) return true;
    if (!st.running) {
      if (this.result !== 'Failure') this.set('Failure');
      return !(st.terminated && this.pod.spec?.restartPolicy === 'Never');
    }
    if (this.pod.metadata?.deletionTimestamp && this.type !== 'readiness') return true;
    if (this.m.heap.clock.now() - st.startedAtMs < (this.spec.initialDelaySeconds ?? 0) * 1000) return true;
    const isStarted = this.m.started(uid, this.container.name, this.containerId);
    if (isStarted) {
      if (this.type === 'startup') return true;
    } else if (this.type !== 'startup') return true;

    const out = await (this.m.opts.probe ?? runProbe)(this.spec, {
      pod: this.pod,
      container: this.container,
      containerId: this.containerId,
      runtime: this.m.opts.runtime,
      podIP: this.m.opts.podIP(uid),
    });
    if (this.stopped || st.containerId !== this.containerId) return true;
    if (out.result === 'Unknown') {
      // A probe error is thrown away (upstream), but reported.
      this.m.emit({ pod: this.pod, container: this.container, containerId: this.containerId, probeType: this.type, result: this.result, changed: false, message: `${title[this.type]} probe errored: ${out.output}` });
      return true;
    }
    const message = out.result === 'Failure' ? `${title[this.type]} probe failed: ${out.output}` : undefined;
    if (out.result === this.lastResult) this.resultRun++;
    else {
      this.lastResult = out.result;
      this.resultRun = 1;
    }
    if ((out.result === 'Failure' && this.resultRun < (this.spec.failureThreshold ?? 3)) || (out.result === 'Success' && this.resultRun < (this.spec.successThreshold ?? 1))) {
      if (message) this.m.emit({ pod: this.pod, container: this.container, containerId: this.containerId, probeType: this.type, result: this.result, changed: false, message });
      return true;
    }
    this.set(out.result, message);
    if (this.type !== 'readiness' && out.result === 'Failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}

export class ProbeManager {
  readonly heap: TimerHeap;
  private workers = new Map<string, Worker[]>();

  constructor(readonly opts: ProbeManagerOptions) {
    this.heap = opts.heap;
  }

  emit(e: ProbeResultEvent): void {
    this.opts.onResult(e);
  }

  /** addPod starts workers for every probe of the pod's containers (and restartable init containers); idempotent. */
  addPod(pod: Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const existing = this.workers.get(uid);
    if (existing) {
      for (const w of existing) w.pod = pod;
      return;
    }
    const list: Worker[] = [];
    const containers = [...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'), ...(pod.spec?.containers ?? [])];
    for (const c of containers) {
      for (const [type, spec] of [
        ['startup', c.startupProbe],
        ['readiness', c.readinessProbe],
        ['liveness', c.livenessProbe],
      ] as const) {
        if (!spec) continue;
        const w = new Worker(this, pod, c, type, spec);
        list.push(w);
        w.schedule(0);
      }
    }
    this.workers.set(uid, list);
  }

  /** removePod stops the pod's workers. */
  removePod(uid: string): void {
    for (const w of this.workers.get(uid) ?? []) w.stop();
    this.workers.delete(uid);
  }

  /** trigger probes a pod's containers now (a container just started) instead of at the next tick. */
  trigger(uid: string): void {
    for (const w of this.workers.get(uid) ?? []) if (!w.inFlight && !w.stopped) w.schedule(0);
  }

  private worker(uid: string, name: string, type: ProbeType): Worker | undefined {
    return this.workers.get(uid)?.find((w) => w.container.name === name && w.type === type);
  }

  /**
   * result is the stored result of a probe for the given container instance, or undefined when
   * the container has no such probe. A result recorded for an older instance reads as the
   * initial value.
   */
  result(uid: string, name: string, type: ProbeType, containerId: string): ProbeResult | undefined {
    const w = this.worker(uid, name, type);
    if (!w) return undefined;
    return w.containerId === containerId ? w.result : initialValue[type];
  }

  /** started: no startup probe, or it succeeded for this container instance. */
  started(uid: string, name: string, containerId: string): boolean {
    const r = this.result(uid, name, 'startup', containerId);
    return r === undefined || r === 'Success';
  }

  /** ready: no readiness probe, or it succeeded for this container instance. */
  ready(uid: string, name: string, containerId: string): boolean {
    const r = this.result(uid, name, 'readiness', containerId);
    return r === undefined || r === 'Success';
  }

  /** failed is true when the liveness or startup probe of this instance says kill it. */
  failed(uid: string, name: string, containerId: string): ProbeType | undefined {
    if (this.result(uid, name, 'liveness', containerId) === 'Failure') return 'liveness';
    if (this.result(uid, name, 'startup', containerId) === 'Failure') return 'startup';
    return undefined;
  }

  stop(): void {
    for (const uid of [...this.workers.keys()]) this.removePod(uid);
  }
}
