/**
 * The `process` runtime: each container's command runs as a host process in its own process
 * group, with host networking (pod IP = node IP). Needs no root and no images.
 *
 * Layout under `stateDir`:
 *   sandboxes/<id>.json                 the sandbox record
 *   containers/<id>/container.json      the container record, with pid and process start time
 *   containers/<id>/rootfs/             working directory; each mount is a symlink at its path
 *   containers/<id>/stdout, stderr      raw output (files, not pipes: they survive the kubelet)
 *   containers/<id>/exit                exit code written by the shim shell
 *
 * A small `sh` shim runs the command and records its exit code, so an adopted process's exit
 * code is still known after a kubelet restart. The shim traps SIGTERM (the trap does nothing),
 * so a SIGTERM to the group reaches the command while the shim lives on to record the code.
 *
 * Stdin (`stdin: true`, or `tty: true`) is a FIFO `containers/<id>/stdin`. A `sleep` started by
 * the shim holds it open for writing (its pid in `stdin.holder`), so the container never reads
 * EOF between attach sessions and the FIFO survives a kubelet restart; attach writes to the
 * FIFO, and `stdinOnce` kills the holder when the first attach session ends (the container then
 * reads EOF, as upstream closes its stdin). A `tty: true` container runs on a pty (pty.ts, where
 * python3 exists), resized through a second FIFO `containers/<id>/resize`.
 *
 * Resources: as root, each container runs in cgroup v1 `kubepods/pod<uid>/<container id>` of the
 * memory and cpu controllers (cgroups.ts) with its memory limit, cpu shares and CFS quota; an
 * exit after the kernel's OOM killer struck there is `OOMKilled` (137). Where placement is not
 * possible (not root, no v1 hierarchy) the container runs without limits and createContainer
 * says so once per sandbox in `warnings`.
 *
 * Limits, by design of a processes-only runtime: no filesystem isolation (absolute mount paths
 * are reachable relative to the working directory, or through $K8TS_CONTAINER_ROOT), no image
 * pulls (an image's entrypoint cannot run, so a container needs `command`, or `args` which then
 * run as the command), TTYs only where
 * python3 exists (pty.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import {
  accessSync,
  closeSync,
  constants as fsConstants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  lstatSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { constants as osConstants } from 'node:os';
import {
  type ContainerConfig,
  type ContainerFilter,
  type ExecRequest,
  type ExecSyncResponse,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type RuntimeService,
  type StreamSession,
  RuntimeError,
  millisFromNanos,
  nanosFromMillis,
} from './api.js';
import { type ContainerEventFn, type ContainerRecord, type SandboxRecord, POD_UID_LABEL, RuntimeStore, exitReason, newId } from './store.js';
import { LogPump } from './logpump.js';
import { ptyArgv, ptyPython } from './pty.js';
import { CniNetwork } from './cni.js';
import { CgroupError, Cgroups } from './cgroups.js';
import type { TimerHandle, TimerHeap } from '../timerheap.js';

export interface ProcessRuntimeOptions {
  stateDir: string;
  heap: TimerHeap;
  /** podIP is the node's IP: containers share the host network (unless `network` is set). */
  podIP: string;
  /** network, when set, gives each sandbox (not hostNetwork) its own namespace and IP through CNI. */
  network?: CniNetwork;
  /** pumpIntervalMs: how often raw output is copied into CRI logs (default 200). */
  pumpIntervalMs?: number;
  /** adoptPollMs: how often an adopted process (not our child) is checked for exit (default 1000). */
  adoptPollMs?: number;
  /** basePath is the PATH containers get unless they set one (default: the kubelet's). */
  basePath?: string;
  /** cgroups places containers in cgroups with their resource limits (default: `new Cgroups()`); null turns placement off, silently. */
  cgroups?: Cgroups | null;
}

interface ProcRecord extends ContainerRecord {
  pid?: number;
  /** pidStart is /proc/<pid>/stat starttime: a pid alone may have been reused. */
  pidStart?: string;
  /** killed is the signal the runtime escalated to, when it did. */
  killed?: string;
  /** stdinFifo is the container's stdin FIFO (stdin or tty containers). */
  stdinFifo?: string;
  /** resizeFifo carries `cols rows` lines to the pty helper (tty containers with python3). */
  resizeFifo?: string;
  /** stdinClosed: stdinOnce's first attach session ended, the container's stdin is closed. */
  stdinClosed?: boolean;
  /** cgroupDirs are the cgroups the container's processes join (empty: no placement). */
  cgroupDirs?: string[];
}

/**
 * The shim: `sh -c SHIM k8ts-shim <exit file> <stdin fifo|''> <resize fifo|''> <cgroup dirs a:b|''> argv...`.
 * It joins the cgroups first (so everything it starts is inside), starts the stdin holder, then
 * runs the command with the FIFO as stdin (and the resize FIFO as fd 3 for the pty helper).
 */
const SHIM = [
  'f=$1; i=$2; r=$3; g=$4; shift 4; trap : TERM INT HUP QUIT',
  'if [ -n "$g" ]; then IFS=:; for d in $g; do echo $$ 2>/dev/null > "$d/cgroup.procs"; done; unset IFS; fi',
  'if [ -n "$i" ]; then sleep 2147483647 <>"$i" >/dev/null 2>&1 & echo $! > "$i.holder"; exec 0<"$i"; fi',
  'if [ -n "$r" ]; then exec 3<>"$r"; fi',
  '"$@"; rc=$?; echo $rc > "$f.tmp" && mv "$f.tmp" "$f"; exit $rc',
].join('\n');

/** openProcessRuntime loads the state dir and adopts containers whose processes still run. */
export async function openProcessRuntime(opts: ProcessRuntimeOptions): Promise<ProcessRuntime> {
  const rt = new ProcessRuntime(opts);
  rt.load();
  return rt;
}

export class ProcessRuntime implements RuntimeService {
  readonly name = 'process';
  private readonly store = new RuntimeStore();
  private readonly pumps = new Map<string, LogPump>();
  private readonly adopted = new Set<string>();
  private readonly exitWaiters = new Map<string, Array<() => void>>();
  private tick: TimerHandle | undefined;
  private closed = false;
  private readonly cgroups: Cgroups | null;
  /** Sandboxes already warned that their containers run without cgroup limits. */
  private readonly cgroupWarned = new Set<string>();

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.cgroups = opts.cgroups === undefined ? new Cgroups() : opts.cgroups;
  }

  private get containersDir(): string {
    return join(this.opts.stateDir, 'containers');
  }
  private get sandboxesDir(): string {
    return join(this.opts.stateDir, 'sandboxes');
  }
  private cdir(id: string): string {
    return join(this.containersDir, id);
  }
  private nowNs(): string {
    return nanosFromMillis(this.opts.heap.clock.now()).toString();
  }

  /** load reads persisted records; running ones are adopted or finalized. */
  load(): void {
    mkdirSync(this.containersDir, { recursive: true });
    mkdirSync(this.sandboxesDir, { recursive: true });
    for (const f of readdirSync(this.sandboxesDir)) {
      if (!f.endsWith('.json')) continue;
      const s = readJson<SandboxRecord>(join(this.sandboxesDir, f));
      if (s) this.store.sandboxes.set(s.id, s);
    }
    for (const id of readdirSync(this.containersDir)) {
      const c = readJson<ProcRecord>(join(this.cdir(id), 'container.json'));
      if (!c) continue;
      this.store.containers.set(c.id, c);
      if (c.state !== 'CONTAINER_RUNNING') continue;
      this.pumps.set(c.id, this.newPump(c));
      if (c.pid !== undefined && processAlive(c.pid, c.pidStart)) {
        this.adopted.add(c.id);
      } else {
        this.finalize(c, null, null);
      }
    }
    this.armTick();
  }

  private newPump(c: ContainerRecord): LogPump {
    mkdirSync(dirname(c.logPath), { recursive: true });
    const d = this.cdir(c.id);
    return new LogPump(c.logPath, join(d, 'stdout'), join(d, 'stderr'), join(d, 'pump.json'), () => this.opts.heap.clock.now());
  }

  private persist(c: ProcRecord): void {
    writeJsonAtomic(join(this.cdir(c.id), 'container.json'), c);
  }

  private armTick(): void {
    if (this.closed || this.tick) return;
    if (this.pumps.size === 0 && this.adopted.size === 0) return;
    const every = Math.min(this.opts.pumpIntervalMs ?? 200, this.adopted.size ? (this.opts.adoptPollMs ?? 1000) : Infinity);
    this.tick = this.opts.heap.after(every, () => {
      this.tick = undefined;
      for (const [id, p] of this.pumps) {
        try {
          p.pump();
        } catch {
          // A vanished raw file (container removed meanwhile) is not the pump's problem.
          this.pumps.delete(id);
        }
      }
      for (const id of [...this.adopted]) {
        const c = this.store.containers.get(id) as ProcRecord | undefined;
        if (!c || c.state !== 'CONTAINER_RUNNING') this.adopted.delete(id);
        else if (!processAlive(c.pid!, c.pidStart)) this.finalize(c, null, null);
      }
      this.armTick();
    });
  }

  async version() {
    return { runtimeName: 'k8ts-process', runtimeVersion: '0.1.0', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(req: { config: PodSandboxConfig }) {
    const id = newId();
    const s: SandboxRecord = { id, config: req.config, state: 'SANDBOX_READY', createdAt: this.nowNs(), ip: this.opts.podIP };
    if (this.opts.network && !req.config.hostNetwork) {
      // Recorded (not ready) before CNI ADD: a kubelet dying half-way leaves a record whose
      // removal tears the network down, instead of an orphaned veth, lease and iptables chain.
      s.state = 'SANDBOX_NOTREADY';
      s.netns = `/run/netns/${CniNetwork.netnsName(id)}`;
      writeJsonAtomic(join(this.sandboxesDir, `${id}.json`), s);
      this.store.sandboxes.set(id, s);
      try {
        const { ip, netns } = await this.opts.network.setUp(id, req.config.portMappings ?? []);
        s.ip = ip;
        s.netns = netns;
        s.state = 'SANDBOX_READY';
      } catch (err) {
        rmSync(join(this.sandboxesDir, `${id}.json`), { force: true });
        this.store.sandboxes.delete(id);
        throw new RuntimeError('Unknown', `failed to set up sandbox network: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    mkdirSync(req.config.logDirectory, { recursive: true });
    writeJsonAtomic(join(this.sandboxesDir, `${id}.json`), s);
    this.store.sandboxes.set(id, s);
    return { podSandboxId: id };
  }

  async stopPodSandbox(req: { podSandboxId: string }) {
    const s = this.store.sandboxes.get(req.podSandboxId);
    if (!s) return;
    const running = [...this.store.containers.values()].filter((c) => c.podSandboxId === s.id && c.state === 'CONTAINER_RUNNING');
    await Promise.all(running.map((c) => this.stopContainer({ containerId: c.id, timeout: 0 })));
    s.state = 'SANDBOX_NOTREADY';
    writeJsonAtomic(join(this.sandboxesDir, `${s.id}.json`), s);
    if (s.netns && this.opts.network) {
      // CRI's StopPodSandbox releases the network; the record keeps the IP for status.
      await this.opts.network.tearDown(s.id, s.config.portMappings ?? []).catch((err: unknown) => {
        throw new RuntimeError('Unknown', `failed to tear down sandbox network: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      });
      s.netns = undefined;
      writeJsonAtomic(join(this.sandboxesDir, `${s.id}.json`), s);
    }
  }

  async removePodSandbox(req: { podSandboxId: string }) {
    await this.stopPodSandbox(req);
    for (const c of [...this.store.containers.values()]) {
      if (c.podSandboxId === req.podSandboxId) await this.removeContainer({ containerId: c.id });
    }
    const s = this.store.sandboxes.get(req.podSandboxId);
    if (s && this.cgroups) await this.removeCgroups(() => this.cgroups!.removePod(s.config.metadata.uid));
    this.cgroupWarned.delete(req.podSandboxId);
    rmSync(join(this.sandboxesDir, `${req.podSandboxId}.json`), { force: true });
    this.store.sandboxes.delete(req.podSandboxId);
  }

  async podSandboxStatus(req: { podSandboxId: string }) {
    return { status: this.store.sandboxStatus(req.podSandboxId) };
  }

  async listPodSandbox(req?: { filter?: PodSandboxFilter }) {
    return { items: this.store.listSandboxes(req?.filter) };
  }

  async createContainer(req: { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }) {
    const s = this.store.sandbox(req.podSandboxId);
    if (s.state !== 'SANDBOX_READY') throw new RuntimeError('FailedPrecondition', `pod sandbox "${s.id}" is not ready`);
    // No image entrypoint exists here: `args` alone (`kubectl run ... -- cat`) run as the command.
    if (!req.config.command?.length && !req.config.args?.length) {
      throw new RuntimeError(
        'FailedPrecondition',
        `the process runtime cannot run image "${req.config.image.image}" without a command: ` +
          `it has no image entrypoint to use, so the container must set "command" (or "args", run as the command)`,
      );
    }
    const id = newId();
    const d = this.cdir(id);
    const rootfs = join(d, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    for (const m of req.config.mounts ?? []) {
      const at = join(rootfs, m.containerPath);
      if (!at.startsWith(rootfs)) throw new RuntimeError('InvalidArgument', `mount path "${m.containerPath}" escapes the container root`);
      mkdirSync(dirname(at), { recursive: true });
      if (existsSync(at) || isSymlink(at)) rmSync(at, { recursive: true, force: true });
      symlinkSync(m.hostPath, at);
    }
    const c: ProcRecord = {
      id,
      podSandboxId: s.id,
      config: req.config,
      logPath: resolve(s.config.logDirectory, req.config.logPath),
      state: 'CONTAINER_CREATED',
      createdAt: this.nowNs(),
      startedAt: '0',
      finishedAt: '0',
      exitCode: 0,
      reason: '',
      message: '',
    };
    const warnings: string[] = [];
    if (req.config.stdin || req.config.tty) {
      c.stdinFifo = mkfifo(join(d, 'stdin'));
      if (req.config.tty && ptyPython()) c.resizeFifo = mkfifo(join(d, 'resize'));
    }
    if (this.cgroups) {
      try {
        c.cgroupDirs = this.cgroups.create(s.config.metadata.uid, id, req.config.linux?.resources);
      } catch (e) {
        if (!(e instanceof CgroupError)) throw e;
        if (!this.cgroupWarned.has(s.id)) {
          this.cgroupWarned.add(s.id);
          warnings.push(`containers of this pod run without resource limits: ${e.message}`);
        }
      }
    }
    this.persist(c);
    this.store.containers.set(id, c);
    return warnings.length ? { containerId: id, warnings } : { containerId: id };
  }

  private containerEnv(c: ContainerRecord): Record<string, string> {
    const s = this.store.sandboxes.get(c.podSandboxId);
    const rootfs = join(this.cdir(c.id), 'rootfs');
    const env: Record<string, string> = {
      PATH: this.opts.basePath ?? process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: rootfs,
      HOSTNAME: s?.config.hostname ?? s?.config.metadata.name ?? '',
      K8TS_CONTAINER_ROOT: rootfs,
    };
    for (const kv of c.config.envs ?? []) env[kv.key] = kv.value;
    return env;
  }

  private workingDir(c: ContainerRecord): string {
    const rootfs = join(this.cdir(c.id), 'rootfs');
    if (!c.config.workingDir) return rootfs;
    const wd = join(rootfs, c.config.workingDir);
    mkdirSync(wd, { recursive: true });
    return wd;
  }

  async startContainer(req: { containerId: string }) {
    const c = this.store.container(req.containerId) as ProcRecord;
    if (c.state !== 'CONTAINER_CREATED') throw new RuntimeError('FailedPrecondition', `container "${c.id}" is not in created state`);
    let argv = [...(c.config.command ?? []), ...(c.config.args ?? [])];
    const env = this.containerEnv(c);
    const cwd = this.workingDir(c);
    const exe = lookPath(argv[0]!, env['PATH']!, cwd);
    if (!exe) throw new RuntimeError('FailedPrecondition', `exec: "${argv[0]}": executable file not found in $PATH`);
    const python = c.config.tty ? ptyPython() : null;
    if (python) argv = ptyArgv(python, exe, argv[0]!, argv.slice(1));
    const d = this.cdir(c.id);
    const out = openSync(join(d, 'stdout'), 'a');
    const err = openSync(join(d, 'stderr'), 'a');
    let child;
    try {
      const shim = this.inNetns(c, ['/bin/sh', '-c', SHIM, 'k8ts-shim', join(d, 'exit'), c.stdinFifo ?? '', c.resizeFifo ?? '', (c.cgroupDirs ?? []).join(':'), ...argv]);
      child = spawn(shim[0]!, shim.slice(1), {
        cwd,
        env,
        detached: true,
        stdio: ['ignore', out, err],
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid;
    if (pid === undefined) {
      await new Promise<void>((r) => child.once('error', () => r()));
      throw new RuntimeError('Unknown', `failed to start container "${c.config.metadata.name}"`);
    }
    child.unref();
    child.once('exit', (code, signal) => this.finalize(c, code, signal));
    c.pid = pid;
    c.pidStart = procStartTime(pid);
    c.state = 'CONTAINER_RUNNING';
    c.startedAt = this.nowNs();
    this.persist(c);
    this.pumps.set(c.id, this.newPump(c));
    this.armTick();
    this.store.emit(c);
  }

  /** finalize records an exit once: from our child's exit event, or a poll of an adopted pid. */
  private finalize(c: ProcRecord, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.state === 'CONTAINER_EXITED') return;
    // Nothing the container started may outlive it: sweep its process group.
    if (c.pid !== undefined) killGroup(c.pid, 'SIGKILL');
    let exitCode: number;
    const recorded = readExitFile(join(this.cdir(c.id), 'exit'));
    if (recorded !== undefined) exitCode = recorded;
    else if (signal) exitCode = 128 + (osConstants.signals[signal] ?? 9);
    else if (code !== null) exitCode = code;
    else exitCode = 128 + 9; // the shim itself was killed while nobody watched: SIGKILL
    const pump = this.pumps.get(c.id);
    if (pump) {
      try {
        pump.pump(true);
      } catch {
        // The raw files went away with a removed container.
      }
      pump.close();
      this.pumps.delete(c.id);
    }
    this.adopted.delete(c.id);
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.nowNs();
    c.exitCode = exitCode;
    c.reason = exitReason(exitCode);
    // The kernel's OOM killer sends SIGKILL: a 137 in a cgroup that saw an OOM kill is OOMKilled.
    if (c.cgroupDirs?.length && this.cgroups && exitCode === 137 && this.cgroups.oomKills(this.podUid(c), c.id) > 0) c.reason = 'OOMKilled';
    if (existsSync(this.cdir(c.id))) this.persist(c);
    this.store.emit(c);
    for (const w of this.exitWaiters.get(c.id) ?? []) w();
    this.exitWaiters.delete(c.id);
  }

  private waitExit(c: ProcRecord, ms: number): Promise<boolean> {
    if (c.state === 'CONTAINER_EXITED') return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      let poll: TimerHandle | undefined;
      const done = (exited: boolean): void => {
        timer?.cancel();
        poll?.cancel();
        resolve(exited);
      };
      const list = this.exitWaiters.get(c.id) ?? [];
      list.push(() => done(true));
      this.exitWaiters.set(c.id, list);
      if (ms !== Infinity) timer = this.opts.heap.after(ms, () => done(c.state === 'CONTAINER_EXITED'));
      {
        // An adopted process is not our child and sends no exit event; our own child's event
        // may lag behind. Poll quickly while someone waits (this also keeps the loop alive).
        const check = (): void => {
          // Our own child's exit event carries the real status (a signal, say): only an
          // adopted process is finalized from here.
          if (this.adopted.has(c.id) && !processAlive(c.pid!, c.pidStart)) this.finalize(c, null, null);
          else if (c.state !== 'CONTAINER_EXITED') poll = this.opts.heap.after(50, check);
        };
        poll = this.opts.heap.after(50, check);
      }
    });
  }

  async stopContainer(req: { containerId: string; timeout: number }) {
    const c = this.store.container(req.containerId) as ProcRecord;
    if (c.state === 'CONTAINER_CREATED') {
      this.finalizeUnstarted(c);
      return;
    }
    if (c.state !== 'CONTAINER_RUNNING' || c.pid === undefined) return;
    if (req.timeout > 0) {
      killGroup(c.pid, 'SIGTERM');
      // A SIGTERM landing in the shim between its `trap` and starting the command is swallowed;
      // for a container that only just started, say it once more when the command runs.
      const pid = c.pid;
      const resend =
        this.opts.heap.clock.now() - millisFromNanos(BigInt(c.startedAt)) < 2000
          ? this.opts.heap.after(200, () => c.state === 'CONTAINER_RUNNING' && killGroup(pid, 'SIGTERM'))
          : undefined;
      const exited = await this.waitExit(c, req.timeout * 1000);
      resend?.cancel();
      if (exited) return;
    }
    c.killed = 'SIGKILL';
    killGroup(c.pid, 'SIGKILL');
    await this.waitExit(c, Infinity);
  }

  private finalizeUnstarted(c: ProcRecord): void {
    c.state = 'CONTAINER_EXITED';
    c.finishedAt = this.nowNs();
    c.exitCode = 0;
    c.reason = '';
    this.persist(c);
    this.store.emit(c);
  }

  async removeContainer(req: { containerId: string }) {
    const c = this.store.containers.get(req.containerId) as ProcRecord | undefined;
    if (!c) return;
    if (c.state === 'CONTAINER_RUNNING') await this.stopContainer({ containerId: c.id, timeout: 0 });
    this.store.containers.delete(c.id);
    rmSync(this.cdir(c.id), { recursive: true, force: true });
    if (c.cgroupDirs?.length && this.cgroups) await this.removeCgroups(() => this.cgroups!.removeContainer(this.podUid(c), c.id));
  }

  private podUid(c: ContainerRecord): string {
    return this.store.sandboxes.get(c.podSandboxId)?.config.metadata.uid ?? c.config.labels?.[POD_UID_LABEL] ?? '';
  }

  /** removeCgroups retries for up to 5 s: killed processes leave their cgroup a moment after the signal (longer on a loaded host). */
  private async removeCgroups(remove: () => boolean): Promise<void> {
    for (let i = 0; i < 50 && !remove(); i++) await new Promise((r) => setTimeout(r, 100));
  }

  async listContainers(req?: { filter?: ContainerFilter }) {
    return { containers: this.store.listContainers(req?.filter) };
  }

  async containerStatus(req: { containerId: string }) {
    const c = this.store.container(req.containerId);
    // Status reads see output written so far (kubectl logs right after a fast exit).
    this.pumps.get(c.id)?.pump();
    return { status: this.store.status(c) };
  }

  /** inNetns prefixes argv to run in the container's pod network namespace (nsenter execs: same pid). */
  private inNetns(c: ContainerRecord, argv: string[]): string[] {
    const netns = this.store.sandboxes.get(c.podSandboxId)?.netns;
    return netns ? ['nsenter', `--net=${netns}`, '--', ...argv] : argv;
  }

  private runningOrThrow(id: string): ProcRecord {
    const c = this.store.container(id) as ProcRecord;
    if (c.state !== 'CONTAINER_RUNNING') throw new RuntimeError('FailedPrecondition', `container "${c.id}" is not running`);
    return c;
  }

  async execSync(req: { containerId: string; cmd: string[]; timeout: number }): Promise<ExecSyncResponse> {
    const c = this.runningOrThrow(req.containerId);
    if (!req.cmd.length) throw new RuntimeError('InvalidArgument', 'exec command is empty');
    const env = this.containerEnv(c);
    const cwd = this.workingDir(c);
    const exe = lookPath(req.cmd[0]!, env['PATH']!, cwd);
    if (!exe) throw new RuntimeError('FailedPrecondition', `exec: "${req.cmd[0]}": executable file not found in $PATH`);
    const argv = this.inNetns(c, [exe, ...req.cmd.slice(1)]);
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer =
      req.timeout > 0
        ? this.opts.heap.after(req.timeout * 1000, () => {
            timedOut = true;
            if (child.pid) killGroup(child.pid, 'SIGKILL');
          })
        : undefined;
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 9) : 9)));
    });
    timer?.cancel();
    if (timedOut) throw new RuntimeError('DeadlineExceeded', `command timed out after ${req.timeout}s`);
    return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode };
  }

  async exec(req: ExecRequest): Promise<StreamSession> {
    const c = this.runningOrThrow(req.containerId);
    if (!req.cmd.length) throw new RuntimeError('InvalidArgument', 'exec command is empty');
    const env = this.containerEnv(c);
    const cwd = this.workingDir(c);
    const exe = lookPath(req.cmd[0]!, env['PATH']!, cwd);
    if (!exe) throw new RuntimeError('FailedPrecondition', `exec: "${req.cmd[0]}": executable file not found in $PATH`);
    // A TTY comes from the Python pty helper (see pty.ts); without python3, plain pipes.
    const python = req.tty ? ptyPython() : null;
    const argv = this.inNetns(c, python ? ptyArgv(python, exe, req.cmd[0]!, req.cmd.slice(1)) : [exe, ...req.cmd.slice(1)]);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env,
      detached: true,
      stdio: python ? ['pipe', 'pipe', 'ignore', 'pipe'] : [req.stdin ? 'pipe' : 'ignore', req.stdout === false ? 'ignore' : 'pipe', req.stderr === false || req.tty ? 'ignore' : 'pipe'],
    });
    const resizer = python ? (child.stdio[3] as Writable | null) : null;
    resizer?.on('error', () => undefined);
    if (python && !req.stdin) child.stdin?.end();
    const exited = new Promise<number>((resolve) => {
      child.once('error', () => resolve(126));
      child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 9) : 9)));
    });
    return {
      stdin: child.stdin ?? undefined,
      stdout: child.stdout ?? undefined,
      stderr: child.stderr ?? undefined,
      exited,
      ...(resizer ? { resize: (width: number, height: number) => void resizer.write(`${width} ${height}\n`) } : {}),
      close: () => {
        if (child.pid && child.exitCode === null) killGroup(child.pid, 'SIGKILL');
      },
    };
  }

  /**
   * attach streams the container's output from now on and, when asked and the container has
   * stdin, writes to its stdin FIFO. Stdin asked of a container without it is dropped (as
   * containerd does); after a stdinOnce container's first session, stdin is closed for good.
   */
  async attach(req: { containerId: string; stdin?: boolean; stdout?: boolean; stderr?: boolean; tty?: boolean }): Promise<StreamSession> {
    const c = this.runningOrThrow(req.containerId);
    const pump = this.pumps.get(c.id);
    const stdout = req.stdout === false ? undefined : new PassThrough();
    // A TTY merges stderr into stdout.
    const stderr = req.stderr === false || c.config.tty ? undefined : new PassThrough();
    const off = pump?.onData((stream, data) => (stream === 'stdout' ? stdout : stderr)?.write(data));
    const exited = new Promise<number>((resolve) => {
      const list = this.exitWaiters.get(c.id) ?? [];
      list.push(() => resolve(c.exitCode));
      this.exitWaiters.set(c.id, list);
    });
    let stdin: Writable | undefined;
    if (req.stdin) {
      const once = c.config.stdinOnce === true;
      // Input waits in `w` until the FIFO is open; without a FIFO it has nowhere to go and is dropped.
      const w = new PassThrough();
      if (c.config.stdin && c.stdinFifo && !c.stdinClosed) void openFifoWriter(c.stdinFifo).then((sink) => (sink ? w.pipe(sink) : w.resume()));
      else w.resume();
      w.once('end', () => {
        if (once) this.closeStdin(c);
      });
      stdin = w;
    }
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      off?.();
      stdout?.end();
      stderr?.end();
      if (stdin && !stdin.writableEnded) stdin.end();
    };
    void exited.then(close);
    const resizer = c.resizeFifo;
    return {
      ...(stdin ? { stdin } : {}),
      stdout,
      stderr,
      exited,
      ...(resizer ? { resize: (width: number, height: number) => writeResize(resizer, width, height) } : {}),
      close,
    };
  }

  /** closeStdin ends a stdinOnce container's stdin: the holder goes, the container reads EOF. */
  private closeStdin(c: ProcRecord): void {
    if (c.stdinClosed || !c.stdinFifo) return;
    c.stdinClosed = true;
    if (existsSync(this.cdir(c.id))) this.persist(c);
    const holder = Number.parseInt(readFileSafe(`${c.stdinFifo}.holder`), 10);
    if (Number.isInteger(holder) && holder > 0) {
      try {
        process.kill(holder, 'SIGKILL');
      } catch {
        // gone with the container
      }
    }
  }

  async reopenContainerLog(req: { containerId: string }) {
    this.store.container(req.containerId);
    this.pumps.get(req.containerId)?.reopen();
  }

  onContainerEvent(fn: ContainerEventFn) {
    return this.store.subscribe(fn);
  }

  /** close stops pumping and watching; processes keep running for the next kubelet to adopt. */
  async close() {
    this.closed = true;
    this.tick?.cancel();
    this.tick = undefined;
    for (const p of this.pumps.values()) {
      try {
        p.pump();
      } catch {
        // best effort on the way out
      }
      p.close();
    }
    this.pumps.clear();
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** mkfifo makes a named pipe (Node has no mkfifo of its own). */
function mkfifo(path: string): string {
  rmSync(path, { force: true });
  const r = spawnSync('mkfifo', ['-m', '0600', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new RuntimeError('Unknown', `mkfifo ${path}: ${r.stderr || r.error?.message}`);
  return path;
}

/**
 * openFifoWriter opens a FIFO for writing as a socket, so writes wait for a full pipe instead of
 * failing with EAGAIN. Write-only and non-blocking: the open fails (ENXIO) until the shim has
 * opened its end, so it is retried for a while (data written to a FIFO nobody holds open would
 * be lost). Resolves undefined when nobody opens it.
 */
async function openFifoWriter(path: string, waitMs = 5000): Promise<Writable | undefined> {
  const end = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
      const sock = new Socket({ fd, readable: false, writable: true });
      sock.on('error', () => undefined);
      return sock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > end) return undefined;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** writeResize sends `cols rows` to a tty container's pty helper. */
function writeResize(path: string, width: number, height: number): void {
  try {
    const fd = openSync(path, fsConstants.O_RDWR | fsConstants.O_NONBLOCK);
    try {
      writeSync(fd, `${width} ${height}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the helper is gone: the container exited
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

function readExitFile(path: string): number | undefined {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

function isSymlink(p: string): boolean {
  return lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
}

/** procStartTime is field 22 of /proc/<pid>/stat (clock ticks since boot), or undefined. */
export function procStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** processAlive is true when pid runs, is not a zombie, and (when known) started at `start`. */
export function processAlive(pid: number, start: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return start === undefined || fields[19] === start;
  } catch {
    // No procfs (not Linux): trust kill(0).
    return true;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone, or not created yet (a child just spawned has not called
    // setsid); signal the process itself so the signal is not lost.
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** lookPath resolves a command as execvp would; relative paths resolve against cwd. */
export function lookPath(cmd: string, path: string, cwd: string): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, fsConstants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) {
    const p = isAbsolute(cmd) ? cmd : resolve(cwd, cmd);
    return executable(p) ? p : undefined;
  }
  for (const dir of path.split(':')) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (executable(p)) return p;
  }
  return undefined;
}
