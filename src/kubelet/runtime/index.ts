/**
 * Container runtimes behind one CRI-shaped interface, and the registry `--container-runtime`
 * picks from. `cri` (gRPC to containerd) is not registered yet.
 */
export * from './api.js';
export { SimulatedRuntime, simulatedAnnotations, behaviorFromAnnotations, type SimulatedBehavior, type SimulatedRuntimeOptions } from './simulated.js';
export { ProcessRuntime, openProcessRuntime, type ProcessRuntimeOptions } from './process.js';
export { formatCriTime } from './logpump.js';
export { Cgroups, CgroupError, containerLinuxResources, linuxResources, type CgroupOptions } from './cgroups.js';
export { CniNetwork, cniAvailable, CNI_PLUGIN_DIR, type CniOptions } from './cni.js';

import type { RuntimeService } from './api.js';
import type { TimerHeap } from '../timerheap.js';
import { SimulatedRuntime } from './simulated.js';
import { openProcessRuntime } from './process.js';
import type { CniNetwork } from './cni.js';

/** RuntimeOptions is what every registered runtime is opened with. */
export interface RuntimeOptions {
  /** stateDir is the runtime's own directory under the kubelet's root dir. */
  stateDir: string;
  heap: TimerHeap;
  /** podIP is the node IP (host networking). */
  podIP: string;
  /** network gives process-runtime pods their own network namespace and IP (CNI). */
  network?: CniNetwork;
}

/** runtimes maps each `--container-runtime` name to its constructor. */
export const runtimes: Record<string, (opts: RuntimeOptions) => Promise<RuntimeService>> = {
  process: (o) => openProcessRuntime({ stateDir: o.stateDir, heap: o.heap, podIP: o.podIP, ...(o.network ? { network: o.network } : {}) }),
  simulated: async (o) => new SimulatedRuntime({ heap: o.heap, podIP: o.podIP }),
};

/** openRuntime opens the named runtime; an unknown name is an Error listing the valid ones. */
export function openRuntime(name: string, opts: RuntimeOptions): Promise<RuntimeService> {
  const open = runtimes[name];
  if (!open) throw new Error(`unknown container runtime "${name}" (valid: ${Object.keys(runtimes).join(', ')})`);
  return open(opts);
}
