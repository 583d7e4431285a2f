/**
 * cgroup v1 placement for the process runtime, as upstream's kubelet lays it out: every
 * container's processes live in `kubepods/pod<uid>/<container id>` of the `memory` and `cpu`
 * hierarchies, with the container's memory limit (`memory.limit_in_bytes`, swap held to the same
 * figure as CRI's NoSwap), cpu shares and CFS quota. The `kubepods` root sits under the
 * kubelet's own cgroup in each hierarchy (at `/` that is upstream's `--cgroup-root=/`), so a
 * kubelet that is itself confined never lets its pods escape its limits.
 *
 * The memory controller counts OOM kills per cgroup (`memory.oom_control`'s `oom_kill`), which
 * is how an exit is told apart as `OOMKilled`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxContainerResources } from './api.js';
import { parseQuantity } from '../../api/quantity.js';

/** The controllers k8ts places containers in. */
const CONTROLLERS = ['memory', 'cpu'] as const;
type Controller = (typeof CONTROLLERS)[number];

/** CPU figures as upstream's pkg/kubelet/cm (MilliCPUToShares / MilliCPUToQuota). */
const MIN_SHARES = 2;
const SHARES_PER_CPU = 1024;
const QUOTA_PERIOD = 100_000;
const MIN_QUOTA = 1000;

/**
 * linuxResources maps a container's `resources` (requests and limits, already parsed to milli
 * CPU and bytes) to CRI's LinuxContainerResources as upstream's kubelet does: shares from the CPU
 * request (2 when none), CFS quota from the CPU limit over a 100 ms period, memory limit as is.
 */
export function linuxResources(r: { cpuRequestMilli?: number; cpuLimitMilli?: number; memoryLimitBytes?: number }): LinuxContainerResources {
  const out: LinuxContainerResources = {
    cpuShares: Math.max(MIN_SHARES, Math.floor(((r.cpuRequestMilli ?? 0) * SHARES_PER_CPU) / 1000)),
  };
  if (r.cpuLimitMilli) {
    out.cpuPeriod = QUOTA_PERIOD;
    out.cpuQuota = Math.max(MIN_QUOTA, Math.floor((r.cpuLimitMilli * QUOTA_PERIOD) / 1000));
  }
  if (r.memoryLimitBytes) out.memoryLimitInBytes = r.memoryLimitBytes;
  return out;
}

/**
 * containerLinuxResources is linuxResources for a pod spec container's `resources` (quantity
 * strings; a malformed one counts as unset, validation having refused it long before).
 */
export function containerLinuxResources(res: { requests?: Record<string, string>; limits?: Record<string, string> } | undefined): LinuxContainerResources {
  return linuxResources({
    cpuRequestMilli: q(res?.requests?.['cpu'] ?? res?.limits?.['cpu'], true),
    cpuLimitMilli: q(res?.limits?.['cpu'], true),
    memoryLimitBytes: q(res?.limits?.['memory'], false),
  });
}

/** quantities memoises parsed quantities by text (`m` prefix: milli value): a node's pods repeat a handful. */
const quantities = new Map<string, number | undefined>();

function q(v: string | undefined, milli: boolean): number | undefined {
  if (v === undefined) return undefined;
  const key = milli ? `m${v}` : v;
  if (quantities.has(key)) return quantities.get(key);
  let out: number | undefined;
  try {
    const n = parseQuantity(v);
    out = milli ? n.milliValue() : n.value();
  } catch {
    out = undefined;
  }
  if (quantities.size >= 1024) quantities.clear();
  quantities.set(key, out);
  return out;
}

/** CgroupError says why containers cannot be placed (no cgroup v1 hierarchy, not root). */
export class CgroupError extends Error {
  override readonly name = 'CgroupError';
}

export interface CgroupOptions {
  /** mountRoot is where the v1 hierarchies are mounted (default /sys/fs/cgroup). */
  mountRoot?: string;
  /** parent is the path of `kubepods`'s parent inside each hierarchy (default: this process's own cgroup). */
  parent?: Partial<Record<Controller, string>>;
}

/** ownCgroups reads this process's cgroup path per v1 controller from /proc/self/cgroup. */
function ownCgroups(): Partial<Record<Controller, string>> {
  const out: Partial<Record<Controller, string>> = {};
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, ctrls, path] = line.split(':');
      if (!ctrls || path === undefined) continue;
      for (const c of ctrls.split(',')) if ((CONTROLLERS as readonly string[]).includes(c)) out[c as Controller] = path;
    }
  } catch {
    // no procfs: nothing to nest under
  }
  return out;
}

/** Cgroups creates, fills and removes the per-pod and per-container cgroups. */
export class Cgroups {
  private readonly roots: Record<Controller, string>;

  constructor(o: CgroupOptions = {}) {
    const mount = o.mountRoot ?? '/sys/fs/cgroup';
    const own = { ...ownCgroups(), ...(o.parent ?? {}) };
    this.roots = {
      memory: join(mount, 'memory', own.memory ?? '/', 'kubepods'),
      cpu: join(mount, 'cpu', own.cpu ?? '/', 'kubepods'),
    };
  }

  /** podDirs are the pod's cgroup directories, one per controller. */
  podDirs(podUid: string): string[] {
    return CONTROLLERS.map((c) => join(this.roots[c], `pod${podUid}`));
  }

  /** containerDirs are the container's cgroup directories, one per controller (memory first). */
  containerDirs(podUid: string, containerId: string): string[] {
    return CONTROLLERS.map((c) => join(this.roots[c], `pod${podUid}`, containerId));
  }

  /**
   * create makes the container's cgroups and writes its limits; it returns the directories whose
   * `cgroup.procs` the container's first process joins. Throws CgroupError when placement is
   * impossible (no v1 hierarchy, or no permission).
   */
  create(podUid: string, containerId: string, r: LinuxContainerResources | undefined): string[] {
    const [memDir, cpuDir] = this.containerDirs(podUid, containerId) as [string, string];
    for (const c of CONTROLLERS) {
      const hierarchy = join(this.roots[c], '..');
      if (!existsSync(join(hierarchy, 'cgroup.procs'))) throw new CgroupError(`cgroup v1 ${c} controller not mounted at ${hierarchy}`);
    }
    try {
      mkdirSync(memDir, { recursive: true });
      mkdirSync(cpuDir, { recursive: true });
    } catch (e) {
      throw new CgroupError(`cannot create cgroup ${memDir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
    }
    try {
      if (r?.memoryLimitInBytes) {
        writeFileSync(join(memDir, 'memory.limit_in_bytes'), String(r.memoryLimitInBytes));
        // Swap would let a container outgrow its limit without an OOM kill (CRI's NoSwap).
        const memsw = join(memDir, 'memory.memsw.limit_in_bytes');
        if (existsSync(memsw)) writeFileSync(memsw, String(r.memoryLimitInBytes));
      }
      if (r?.cpuShares) writeFileSync(join(cpuDir, 'cpu.shares'), String(r.cpuShares));
      if (r?.cpuQuota && r.cpuPeriod) {
        writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), String(r.cpuPeriod));
        writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), String(r.cpuQuota));
      }
    } catch (e) {
      this.removeContainer(podUid, containerId);
      throw new CgroupError(`cannot set limits in ${memDir}: ${(e as Error).message}`, { cause: e });
    }
    return [memDir, cpuDir];
  }

  /** oomKills is how many processes the kernel's OOM killer killed in the container's memory cgroup. */
  oomKills(podUid: string, containerId: string): number {
    try {
      const text = readFileSync(join(this.containerDirs(podUid, containerId)[0]!, 'memory.oom_control'), 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** removeContainer removes the container's cgroups; busy or missing ones are left (false). */
  removeContainer(podUid: string, containerId: string): boolean {
    return this.containerDirs(podUid, containerId).map(rmdirQuiet).every(Boolean);
  }

  /** removePod removes the pod's cgroups with whatever container cgroups remain in them. */
  removePod(podUid: string): boolean {
    let ok = true;
    for (const d of this.podDirs(podUid)) {
      if (!existsSync(d)) continue;
      for (const child of readdirQuiet(d)) ok = rmdirQuiet(join(d, child)) && ok;
      ok = rmdirQuiet(d) && ok;
    }
    return ok;
  }
}

function readdirQuiet(d: string): string[] {
  try {
    // Control files are regular files; child cgroups are the directories.
    return readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** rmdirQuiet removes an (empty of processes) cgroup; a missing one counts as removed. */
function rmdirQuiet(d: string): boolean {
  try {
    rmdirSync(d);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
