/**
 * The pod garbage collector (upstream pkg/controller/podgc), run every gcCheckPeriod:
 * - terminated pods (Succeeded/Failed) beyond terminatedPodGCThreshold are deleted, oldest first;
 * - pods bound to a node that no longer exists (confirmed by a live read after a quarantine)
 *   are force-deleted;
 * - terminating pods on a not-ready node carrying the `node.kubernetes.io/out-of-service`
 *   taint are force-deleted;
 * - terminating pods that were never scheduled are force-deleted.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Lister } from '../client/index.js';
import type { Controller, ControllerContext, ReconcileResult, Watch } from './runner.js';

const KEY = 'podgc';

export interface PodGCOptions {
  /** terminatedPodGCThreshold (`--terminated-pod-gc-threshold`, default 12500; <= 0 disables that pass). */
  terminatedPodGCThreshold?: number;
  /** gcCheckPeriodMs between passes (default 20 s). */
  gcCheckPeriodMs?: number;
  /** quarantineMs a node must stay missing before its pods are deleted (default 40 s). */
  quarantineMs?: number;
}

class PodGC implements Controller {
  readonly name = 'podgc';
  readonly workers = 1;
  readonly watches: readonly Watch[] = [];
  private readonly pods: Lister<Pod>;
  private readonly nodes: Lister<Node>;
  private readonly threshold: number;
  private readonly period: number;
  private readonly quarantine: number;
  /** missingSince: node name → when (our clock) pods were first seen bound to it while it was absent. */
  private readonly missingSince = new Map<string, number>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: PodGCOptions,
  ) {
    this.threshold = opts.terminatedPodGCThreshold ?? 12500;
    this.period = opts.gcCheckPeriodMs ?? 20_000;
    this.quarantine = opts.quarantineMs ?? 40_000;
    this.pods = ctx.informers.lister<Pod>(gvr.pods);
    this.nodes = ctx.informers.lister<Node>(gvr.nodes);
    // The informers must exist before the runner starts so their caches sync with the rest.
    ctx.informers.forResource<Pod>(gvr.pods);
    ctx.informers.forResource<Node>(gvr.nodes);
  }

  async start(_signal: AbortSignal, enqueue: (key: string) => void): Promise<void> {
    enqueue(KEY);
  }

  private async forceDelete(p: Pod): Promise<void> {
    await this.ctx.client
      .resource<Pod>(gvr.pods)
      .namespace(p.metadata?.namespace ?? '')
      .delete(p.metadata?.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: p.metadata?.uid } })
      .catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
      });
  }

  async reconcile(): Promise<ReconcileResult> {
    const pods = this.pods.list();
    const now = this.ctx.clock.now();
    // Terminated pods over the threshold, oldest first.
    if (this.threshold > 0) {
      const terminated = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed');
      const excess = terminated.length - this.threshold;
      if (excess > 0) {
        terminated.sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
        for (const p of terminated.slice(0, excess)) await this.forceDelete(p);
      }
    }
    // Pods bound to nodes that are gone.
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !this.nodes.get(n)) missing.add(n);
    }
    for (const n of [...this.missingSince.keys()]) if (!missing.has(n)) this.missingSince.delete(n);
    for (const n of missing) {
      const since = this.missingSince.get(n) ?? now;
      this.missingSince.set(n, since);
      if (now - since < this.quarantine) continue;
      // Confirm with the apiserver: the cache may lag a node that was just created.
      const exists = await this.ctx.client
        .resource<Node>(gvr.nodes)
        .get(n)
        .then(
          () => true,
          (err: unknown) => (isStatusError(err, 'NotFound') ? false : Promise.reject(err)),
        );
      if (exists) continue;
      for (const p of pods) if (p.spec?.nodeName === n) await this.forceDelete(p);
    }
    // Terminating pods on out-of-service, not-ready nodes; and unscheduled terminating pods.
    for (const p of pods) {
      if (!p.metadata?.deletionTimestamp) continue;
      const n = p.spec?.nodeName;
      if (!n) {
        await this.forceDelete(p);
        continue;
      }
      const node = this.nodes.get(n);
      if (!node) continue;
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const oos = (node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/out-of-service' && t.effect === 'NoExecute');
      if (!ready && oos) await this.forceDelete(p);
    }
    const nextQuarantine = [...this.missingSince.values()].map((s) => s + this.quarantine - now).filter((w) => w > 0);
    return { requeueAfter: Math.min(this.period, ...nextQuarantine.map((w) => w + 1)) };
  }
}

/** newPodGCController deletes terminated, orphaned and stuck terminating pods. */
export function newPodGCController(ctx: ControllerContext, opts: PodGCOptions = {}): Controller {
  return new PodGC(ctx, opts);
}
