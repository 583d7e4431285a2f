/**
 * The bookkeeping both local runtimes share: sandbox and container records, CRI's list
 * filters, and state-change subscribers. Persistence (process runtime) is layered on top.
 */
import { randomBytes } from 'node:crypto';
import {
  type Container,
  type ContainerConfig,
  type ContainerFilter,
  type ContainerState,
  type ContainerStatus,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type PodSandboxState,
  RuntimeError,
  matchLabels,
} from './api.js';

export interface SandboxRecord {
  id: string;
  config: PodSandboxConfig;
  state: PodSandboxState;
  createdAt: string;
  ip: string;
  /** netns is the sandbox's network namespace path while its CNI network is set up. */
  netns?: string;
}

export interface ContainerRecord {
  id: string;
  podSandboxId: string;
  config: ContainerConfig;
  /** logPath is absolute: sandbox logDirectory + config.logPath. */
  logPath: string;
  state: ContainerState;
  /** times are CRI nanoseconds kept as decimal strings so records serialize as JSON. */
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  reason: string;
  message: string;
}

export type ContainerEventFn = (e: { containerId: string; podSandboxId: string; state: ContainerState }) => void;

export const newId = (): string => randomBytes(32).toString('hex');

/**
 * idSequence returns a generator of CRI-shaped ids (64 hex digits) that are unique without
 * drawing random bytes per id: a random prefix drawn once, then a counter. For runtimes that
 * create thousands of sandboxes and containers a second and persist none (the simulated one).
 */
export function idSequence(): () => string {
  const prefix = randomBytes(24).toString('hex');
  let n = 0;
  return () => prefix + (++n).toString(16).padStart(16, '0');
}

/** POD_UID_LABEL is the label every kubelet puts on its sandboxes and containers (CRI's pod uid label). */
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';

/**
 * PodIndexedMap is a Map of runtime records that also indexes them by their pod uid label, so
 * the kubelet's per-sync `labelSelector: {pod uid}` lists touch one pod's records rather than
 * the whole node's (as containerd answers them from its label index).
 */
export class PodIndexedMap<R extends { config: { labels?: Record<string, string> } }> extends Map<string, R> {
  private readonly byPod = new Map<string, Set<string>>();

  override set(id: string, r: R): this {
    const old = super.get(id);
    if (old) this.unindex(id, old);
    super.set(id, r);
    const uid = r.config.labels?.[POD_UID_LABEL];
    if (uid !== undefined) {
      let ids = this.byPod.get(uid);
      if (!ids) this.byPod.set(uid, (ids = new Set()));
      ids.add(id);
    }
    return this;
  }

  override delete(id: string): boolean {
    const old = super.get(id);
    if (old) this.unindex(id, old);
    return super.delete(id);
  }

  override clear(): void {
    this.byPod.clear();
    super.clear();
  }

  /** candidates returns the records a label selector can match: one pod's when it names a pod uid. */
  candidates(sel: Record<string, string> | undefined): Iterable<R> {
    const uid = sel?.[POD_UID_LABEL];
    if (uid === undefined) return this.values();
    const out: R[] = [];
    for (const id of this.byPod.get(uid) ?? []) out.push(super.get(id)!);
    return out;
  }

  private unindex(id: string, r: R): void {
    const uid = r.config.labels?.[POD_UID_LABEL];
    if (uid === undefined) return;
    const ids = this.byPod.get(uid);
    ids?.delete(id);
    if (ids?.size === 0) this.byPod.delete(uid);
  }
}

export class RuntimeStore {
  readonly sandboxes = new PodIndexedMap<SandboxRecord>();
  readonly containers = new PodIndexedMap<ContainerRecord>();
  private listeners = new Set<ContainerEventFn>();

  sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new RuntimeError('NotFound', `could not find pod sandbox "${id}"`);
    return s;
  }

  container(id: string): ContainerRecord {
    const c = this.containers.get(id);
    if (!c) throw new RuntimeError('NotFound', `could not find container "${id}"`);
    return c;
  }

  listSandboxes(filter: PodSandboxFilter | undefined): PodSandbox[] {
    const out: PodSandbox[] = [];
    for (const s of this.sandboxes.candidates(filter?.labelSelector)) {
      if (filter?.id && s.id !== filter.id) continue;
      if (filter?.state && s.state !== filter.state) continue;
      if (!matchLabels(s.config.labels ?? {}, filter?.labelSelector)) continue;
      out.push({
        id: s.id,
        metadata: s.config.metadata,
        state: s.state,
        createdAt: BigInt(s.createdAt),
        labels: s.config.labels ?? {},
        annotations: s.config.annotations ?? {},
      });
    }
    return out;
  }

  listContainers(filter: ContainerFilter | undefined): Container[] {
    const out: Container[] = [];
    for (const c of this.containers.candidates(filter?.labelSelector)) {
      if (filter?.id && c.id !== filter.id) continue;
      if (filter?.state && c.state !== filter.state) continue;
      if (filter?.podSandboxId && c.podSandboxId !== filter.podSandboxId) continue;
      if (!matchLabels(c.config.labels ?? {}, filter?.labelSelector)) continue;
      out.push({
        id: c.id,
        podSandboxId: c.podSandboxId,
        metadata: c.config.metadata,
        image: c.config.image,
        imageRef: c.config.image.image,
        state: c.state,
        createdAt: BigInt(c.createdAt),
        labels: c.config.labels ?? {},
        annotations: c.config.annotations ?? {},
      });
    }
    return out;
  }

  /** sandboxStatus renders a sandbox as CRI's PodSandboxStatus (the same for every runtime). */
  sandboxStatus(id: string): PodSandboxStatus {
    const s = this.sandbox(id);
    return {
      id: s.id,
      metadata: s.config.metadata,
      state: s.state,
      createdAt: BigInt(s.createdAt),
      network: { ip: s.ip, additionalIps: [] },
      labels: s.config.labels ?? {},
      annotations: s.config.annotations ?? {},
    };
  }

  status(c: ContainerRecord): ContainerStatus {
    return {
      id: c.id,
      metadata: c.config.metadata,
      state: c.state,
      createdAt: BigInt(c.createdAt),
      startedAt: BigInt(c.startedAt),
      finishedAt: BigInt(c.finishedAt),
      exitCode: c.exitCode,
      image: c.config.image,
      imageRef: c.config.image.image,
      reason: c.reason,
      message: c.message,
      labels: c.config.labels ?? {},
      annotations: c.config.annotations ?? {},
      mounts: c.config.mounts ?? [],
      logPath: c.logPath,
    };
  }

  subscribe(fn: ContainerEventFn): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  emit(c: ContainerRecord): void {
    for (const fn of this.listeners) {
      try {
        fn({ containerId: c.id, podSandboxId: c.podSandboxId, state: c.state });
      } catch {
        // A subscriber's fault must not break the runtime's bookkeeping.
      }
    }
  }
}

/** exitReason is CRI's reason for an exit code: `Completed` for 0, `Error` otherwise. */
export const exitReason = (code: number): string => (code === 0 ? 'Completed' : 'Error');
