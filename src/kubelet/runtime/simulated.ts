/**
 * The `simulated` runtime: no processes, no files. Containers reach RUNNING at once or after a
 * configured delay, and can be scripted to exit, for scale work as kwok does. All timing runs
 * on the kubelet's TimerHeap, so thousands of pods cost no timers of their own.
 */
import { PassThrough } from 'node:stream';
import {
  type ContainerConfig,
  type ExecRequest,
  type ExecSyncResponse,
  type PodSandboxConfig,
  type RuntimeService,
  type StreamSession,
  RuntimeError,
  nanosFromMillis,
} from './api.js';
import { type ContainerEventFn, RuntimeStore, exitReason, idSequence } from './store.js';
import type { TimerHandle, TimerHeap } from '../timerheap.js';

/** SimulatedBehavior scripts one container; every field is optional. */
export interface SimulatedBehavior {
  /** startDelayMs: time from StartContainer until RUNNING (default 0: at once). */
  startDelayMs?: number;
  /** exitAfterMs: when set, the container exits this long after it started running. */
  exitAfterMs?: number;
  /** exitCode used when it exits on its own (default 0). */
  exitCode?: number;
  /** execExitCode is what ExecSync returns (exec probes); default 0. */
  execExitCode?: number;
}

export interface SimulatedRuntimeOptions {
  heap: TimerHeap;
  /** podIP for every sandbox (default 10.0.0.1; a multi-node host passes each node's IP). */
  podIP?: string;
  /** podIPFor, when set, gives each sandbox its own IP (simulated pod networks). */
  podIPFor?: (config: PodSandboxConfig) => string;
  /** behavior picks a script per container; default: run forever. */
  behavior?: (config: ContainerConfig, sandbox: PodSandboxConfig) => SimulatedBehavior;
}

/**
 * Container annotations read by the default behavior, so tests and benchmarks can script a pod
 * through the standard API alone (as kwok reads its stage annotations).
 */
export const simulatedAnnotations = {
  startDelayMs: 'simulated.k8ts.io/start-delay-ms',
  exitAfterMs: 'simulated.k8ts.io/exit-after-ms',
  exitCode: 'simulated.k8ts.io/exit-code',
  execExitCode: 'simulated.k8ts.io/exec-exit-code',
} as const;

export function behaviorFromAnnotations(config: ContainerConfig): SimulatedBehavior {
  const a = config.annotations ?? {};
  const num = (k: string): number | undefined => (a[k] === undefined ? undefined : Number(a[k]));
  return {
    startDelayMs: num(simulatedAnnotations.startDelayMs),
    exitAfterMs: num(simulatedAnnotations.exitAfterMs),
    exitCode: num(simulatedAnnotations.exitCode),
    execExitCode: num(simulatedAnnotations.execExitCode),
  };
}

export class SimulatedRuntime implements RuntimeService {
  readonly name = 'simulated';
  private readonly store = new RuntimeStore();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly behaviors = new Map<string, SimulatedBehavior>();
  private readonly stopWaiters = new Map<string, Array<() => void>>();
  /** Ids are never persisted here, so a counter does what random bytes per id would. */
  private readonly newId = idSequence();

  constructor(private readonly opts: SimulatedRuntimeOptions) {}

  private nowNs(): string {
    return nanosFromMillis(this.opts.heap.clock.now()).toString();
  }

  async version() {
    return { runtimeName: 'k8ts-simulated', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(req: { config: PodSandboxConfig }) {
    const id = this.newId();
    this.store.sandboxes.set(id, {
      id,
      config: req.config,
      state: 'SANDBOX_READY',
      createdAt: this.nowNs(),
      ip: this.opts.podIPFor?.(req.config) ?? this.opts.podIP ?? '10.0.0.1',
    });
    return { podSandboxId: id };
  }

  async stopPodSandbox(req: { podSandboxId: string }) {
    const s = this.store.sandboxes.get(req.podSandboxId);
    if (!s) return;
    for (const c of this.store.containers.values()) {
      if (c.podSandboxId === s.id && c.state === 'CONTAINER_RUNNING') this.finish(c.id, 137, 'Error');
    }
    s.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(req: { podSandboxId: string }) {
    await this.stopPodSandbox(req);
    for (const c of [...this.store.containers.values()]) {
      if (c.podSandboxId === req.podSandboxId) await this.removeContainer({ containerId: c.id });
    }
    this.store.sandboxes.delete(req.podSandboxId);
  }

  async podSandboxStatus(req: { podSandboxId: string }) {
    return { status: this.store.sandboxStatus(req.podSandboxId) };
  }

  async listPodSandbox(req?: { filter?: import('./api.js').PodSandboxFilter }) {
    return { items: this.store.listSandboxes(req?.filter) };
  }

  async createContainer(req: { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }) {
    const s = this.store.sandbox(req.podSandboxId);
    if (s.state !== 'SANDBOX_READY') throw new RuntimeError('FailedPrecondition', `pod sandbox "${s.id}" is not ready`);
    const id = this.newId();
    this.store.containers.set(id, {
      id,
      podSandboxId: s.id,
      config: req.config,
      // Nothing is written: the path is only reported, so plain concatenation (no normalising) does.
      logPath: `${s.config.logDirectory}/${req.config.logPath}`,
      state: 'CONTAINER_CREATED',
      createdAt: this.nowNs(),
      startedAt: '0',
      finishedAt: '0',
      exitCode: 0,
      reason: '',
      message: '',
    });
    this.behaviors.set(id, (this.opts.behavior ?? behaviorFromAnnotations)(req.config, req.sandboxConfig));
    return { containerId: id };
  }

  async startContainer(req: { containerId: string }) {
    const c = this.store.container(req.containerId);
    if (c.state !== 'CONTAINER_CREATED') throw new RuntimeError('FailedPrecondition', `container "${c.id}" is not in created state`);
    const b = this.behaviors.get(c.id) ?? {};
    const run = (): void => {
      this.timers.delete(c.id);
      if (c.state !== 'CONTAINER_CREATED') return;
      c.state = 'CONTAINER_RUNNING';
      c.startedAt = this.nowNs();
      this.store.emit(c);
      if (b.exitAfterMs !== undefined) {
        this.timers.set(
          c.id,
          this.opts.heap.after(b.exitAfterMs, () => {
            this.timers.delete(c.id);
            const code = b.exitCode ?? 0;
            this.finish(c.id, code, exitReason(code));
          }),
        );
      }
    };
    if (b.startDelayMs) this.timers.set(c.id, this.opts.heap.after(b.startDelayMs, run));
    else run();
  }

  private finish(id: string, exitCode: number, reason: string): void {
    const c = this.store.containers.get(id);
    if (!c || c.state === 'CONTAINER_EXITED') return;
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
    if (c.startedAt === '0') c.startedAt = this.nowNs();
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.nowNs();
    c.exitCode = exitCode;
    c.reason = reason;
    this.store.emit(c);
    for (const w of this.stopWaiters.get(id) ?? []) w();
    this.stopWaiters.delete(id);
  }

  async stopContainer(req: { containerId: string; timeout: number }) {
    const c = this.store.container(req.containerId);
    if (c.state === 'CONTAINER_EXITED') return;
    // A simulated process honours SIGTERM at once: exit code 143 as a real one would report.
    this.finish(c.id, c.state === 'CONTAINER_RUNNING' ? 143 : 137, 'Error');
  }

  async removeContainer(req: { containerId: string }) {
    const c = this.store.containers.get(req.containerId);
    if (!c) return;
    this.finish(c.id, 137, 'Error');
    this.store.containers.delete(c.id);
    this.behaviors.delete(c.id);
  }

  async listContainers(req?: { filter?: import('./api.js').ContainerFilter }) {
    return { containers: this.store.listContainers(req?.filter) };
  }

  async containerStatus(req: { containerId: string }) {
    return { status: this.store.status(this.store.container(req.containerId)) };
  }

  async execSync(req: { containerId: string; cmd: string[]; timeout: number }): Promise<ExecSyncResponse> {
    const c = this.store.container(req.containerId);
    if (c.state !== 'CONTAINER_RUNNING') throw new RuntimeError('FailedPrecondition', `container "${c.id}" is not running`);
    const code = this.behaviors.get(c.id)?.execExitCode ?? 0;
    return { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: code };
  }

  async exec(req: ExecRequest): Promise<StreamSession> {
    const r = await this.execSync({ containerId: req.containerId, cmd: req.cmd, timeout: 0 });
    const stdout = new PassThrough();
    stdout.end();
    const stderr = new PassThrough();
    stderr.end();
    return { stdout, stderr, exited: Promise.resolve(r.exitCode), close: () => {} };
  }

  async attach(req: { containerId: string }): Promise<StreamSession> {
    const c = this.store.container(req.containerId);
    const stdout = new PassThrough();
    const exited = new Promise<number>((resolve) => {
      if (c.state === 'CONTAINER_EXITED') resolve(c.exitCode);
      else {
        const list = this.stopWaiters.get(c.id) ?? [];
        list.push(() => resolve(c.exitCode));
        this.stopWaiters.set(c.id, list);
      }
    });
    void exited.then(() => stdout.end());
    return { stdout, exited, close: () => stdout.end() };
  }

  async reopenContainerLog(req: { containerId: string }) {
    this.store.container(req.containerId);
  }

  onContainerEvent(fn: ContainerEventFn) {
    return this.store.subscribe(fn);
  }

  async close() {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
