/**
 * Node helpers shared by `k8ts server` and `k8ts agent`: waiting for a node to become Ready,
 * and stopping a node's containers on exit (--stop-pods-on-exit).
 */
import { join } from 'node:path';
import type { Node } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type RestClient } from '../client/index.js';
import { openRuntime, realClock, TimerHeap } from '../kubelet/index.js';

/** isReady: the node's Ready condition is True. */
export function isReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * waitForNodeReady polls the Node every `intervalMs` (default 25 ms: start-up time is what the
 * user waits for) until it is Ready; it rejects when `signal` aborts.
 */
export async function waitForNodeReady(client: RestClient, name: string, signal: AbortSignal, intervalMs = 25): Promise<void> {
  const nodes = client.resource<Node>(gvr.nodes);
  for (;;) {
    if (signal.aborted) throw new Error(`stopped while waiting for node ${name} to be Ready`);
    try {
      if (isReady(await nodes.get(name))) return;
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * stopAllPods stops and removes every sandbox the runtime holds under a kubelet root dir (the
 * kubelet itself must be stopped first). Pods are recreated by the next kubelet from the API.
 */
export async function stopAllPods(kubeletRoot: string, runtimeName: string, nodeIP: string, graceSeconds = 5): Promise<void> {
  const heap = new TimerHeap(realClock);
  const runtime = await openRuntime(runtimeName, { stateDir: join(kubeletRoot, 'runtime', runtimeName), heap, podIP: nodeIP });
  try {
    const { items } = await runtime.listPodSandbox();
    await Promise.all(
      items.map(async (s) => {
        const { containers } = await runtime.listContainers({ filter: { podSandboxId: s.id } });
        await Promise.all(containers.filter((c) => c.state === 'CONTAINER_RUNNING').map((c) => runtime.stopContainer({ containerId: c.id, timeout: graceSeconds })));
        await runtime.stopPodSandbox({ podSandboxId: s.id });
        await runtime.removePodSandbox({ podSandboxId: s.id });
      }),
    );
  } finally {
    await runtime.close();
    heap.stop();
  }
}
