/**
 * The container runtime seam, shaped after CRI's runtime.v1 RuntimeService: the same method
 * names and message shapes (proto field names in their JSON camelCase form) so a `cri` gRPC
 * implementation can later forward these calls unchanged. Times are int64 nanoseconds as in
 * CRI, carried as bigint.
 *
 * Differences from CRI, on purpose:
 * - Exec and Attach return live streams instead of a URL to a streaming server: the kubelet's
 *   own HTTP server (server.ts) is the streaming server for every runtime.
 * - Images are not pulled: ImageService is not part of this seam yet.
 */
import type { Readable, Writable } from 'node:stream';

export interface KeyValue {
  key: string;
  value: string;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PortMapping {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** logDirectory is where container logs live; ContainerConfig.logPath is relative to it. */
  logDirectory: string;
  portMappings?: PortMapping[];
  /** hostNetwork: the pod shares the node's network namespace (CRI namespace_options.network NODE). */
  hostNetwork?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxNetworkStatus {
  ip: string;
  additionalIps: Array<{ ip: string }>;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: bigint;
  network: PodSandboxNetworkStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: bigint;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: { image: string };
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** logPath is relative to the sandbox's logDirectory. */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** linux carries CRI's LinuxContainerConfig: the resources a runtime enforces through cgroups. */
  linux?: { resources?: LinuxContainerResources };
}

/**
 * LinuxContainerResources is CRI's message of the same name (the fields k8ts enforces): CFS
 * period and quota in microseconds, relative cpu shares, and the memory limit in bytes; 0 or
 * absent means unset.
 */
export interface LinuxContainerResources {
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuShares?: number;
  memoryLimitInBytes?: number;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: bigint;
  /** startedAt and finishedAt are 0n until the container started / finished. */
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  image: { image: string };
  imageRef: string;
  /** reason is a brief CamelCase word for the exit (`Completed`, `Error`, `OOMKilled`). */
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  /** logPath is absolute. */
  logPath: string;
}

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: { image: string };
  imageRef: string;
  state: ContainerState;
  createdAt: bigint;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerFilter {
  id?: string;
  state?: ContainerState;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResponse {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

/**
 * StreamSession is a running exec or attach: write to `stdin`, read `stdout`/`stderr`
 * (undefined when not requested), `exited` resolves with the exit code (attach: when the
 * container exits), `resize` changes the TTY size where supported, `close` ends it.
 */
export interface StreamSession {
  stdin?: Writable;
  stdout?: Readable;
  stderr?: Readable;
  exited: Promise<number>;
  resize?(width: number, height: number): void;
  close(): void;
}

/** RuntimeError carries a gRPC-style code (NotFound, FailedPrecondition, ...) and a message. */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: 'NotFound' | 'FailedPrecondition' | 'InvalidArgument' | 'DeadlineExceeded' | 'Unknown',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof RuntimeError && e.code === 'NotFound';

/**
 * RuntimeService is the kubelet's view of a container runtime. Every method is idempotent
 * where CRI's is (stopping a stopped sandbox or removing a missing container succeeds).
 * Methods throw RuntimeError with code NotFound for unknown ids where CRI returns NotFound.
 */
export interface RuntimeService {
  /** name is the registry name (`process`, `simulated`, `cri`). */
  readonly name: string;
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;

  runPodSandbox(req: { config: PodSandboxConfig; runtimeHandler?: string }): Promise<{ podSandboxId: string }>;
  /** stopPodSandbox force-stops every container of the sandbox still running. */
  stopPodSandbox(req: { podSandboxId: string }): Promise<void>;
  removePodSandbox(req: { podSandboxId: string }): Promise<void>;
  podSandboxStatus(req: { podSandboxId: string }): Promise<{ status: PodSandboxStatus }>;
  listPodSandbox(req?: { filter?: PodSandboxFilter }): Promise<{ items: PodSandbox[] }>;

  /**
   * createContainer creates (does not start) a container. `warnings` (not in CRI) reports what
   * the runtime could not honour but ran without (no cgroup for the resource limits, say); the
   * kubelet turns them into Warning events on the pod.
   */
  createContainer(req: {
    podSandboxId: string;
    config: ContainerConfig;
    sandboxConfig: PodSandboxConfig;
  }): Promise<{ containerId: string; warnings?: string[] }>;
  /** startContainer throws FailedPrecondition when the container cannot run (e.g. no command). */
  startContainer(req: { containerId: string }): Promise<void>;
  /**
   * stopContainer sends the stop signal (SIGTERM) and waits up to `timeout` seconds before
   * killing; it resolves once the container has exited. timeout 0 kills at once.
   */
  stopContainer(req: { containerId: string; timeout: number }): Promise<void>;
  removeContainer(req: { containerId: string }): Promise<void>;
  listContainers(req?: { filter?: ContainerFilter }): Promise<{ containers: Container[] }>;
  containerStatus(req: { containerId: string }): Promise<{ status: ContainerStatus }>;

  /** execSync runs cmd in the container; `timeout` seconds (0: none) → DeadlineExceeded. */
  execSync(req: { containerId: string; cmd: string[]; timeout: number }): Promise<ExecSyncResponse>;
  exec(req: ExecRequest): Promise<StreamSession>;
  attach(req: { containerId: string; stdin?: boolean; stdout?: boolean; stderr?: boolean; tty?: boolean }): Promise<StreamSession>;
  /** reopenContainerLog makes the runtime reopen the log file (after rotation). */
  reopenContainerLog(req: { containerId: string }): Promise<void>;

  /**
   * onContainerEvent subscribes to container state changes (CRI's GetContainerEvents); the
   * kubelet uses it to resync a pod at once instead of waiting for its periodic relist.
   */
  onContainerEvent(fn: (e: { containerId: string; podSandboxId: string; state: ContainerState }) => void): () => void;

  /** close releases the runtime's resources; running containers are left running (adoption). */
  close(): Promise<void>;
}

/** nowNanos is the current time as CRI's int64 nanoseconds. */
export const nanosFromMillis = (ms: number): bigint => BigInt(Math.round(ms)) * 1_000_000n;
export const millisFromNanos = (ns: bigint): number => Number(ns / 1_000_000n);

/** matchLabels is CRI's label filter: every selector pair must be present. */
export function matchLabels(labels: Record<string, string>, sel: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  for (const k in sel) if (labels[k] !== sel[k]) return false;
  return true;
}
