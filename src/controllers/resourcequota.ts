/**
 * The resourcequota controller (upstream pkg/controller/resourcequota): keeps each
 * ResourceQuota's status.hard equal to spec.hard and status.used equal to what the namespace
 * holds now, for the names the quota limits. Admission charges creations into status.used as
 * they happen; this controller recomputes it, so deletions and failed creations give quota back.
 */
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { addUsage, isScoped, isTerminalPod, mask, quotaCoversPod, toList, usageOf, type Usage } from '../api/quota.js';
import { parseQuantity } from '../api/quantity.js';
import type { GroupVersionResource } from '../api/types.js';
import { DeletedFinalStateUnknown, gvr, type Lister } from '../client/index.js';
import type { ApiObject } from '../client/object.js';
import { type Controller, type ControllerContext, type Watch } from './runner.js';

/** COUNTED are the resources whose usage the controller computes (others report 0). */
const COUNTED: readonly GroupVersionResource[] = [
  gvr.pods,
  gvr.services,
  gvr.configmaps,
  gvr.secrets,
  gvr.persistentvolumeclaims,
  gvr.replicationcontrollers,
  gvr.resourcequotas,
  gvr.deployments,
  gvr.replicasets,
  gvr.statefulsets,
  gvr.daemonsets,
  gvr.jobs,
  gvr.cronjobs,
];

/** RESYNC_MS re-checks every quota periodically, as upstream's --resource-quota-sync-period (5 min). */
const RESYNC_MS = 5 * 60_000;

class ResourceQuotaController implements Controller {
  readonly name = 'resourcequota';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly quotas: Lister<ResourceQuota>;
  private readonly listers: Array<{ r: GroupVersionResource; lister: Lister<ApiObject> }>;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 5;
    this.quotas = ctx.informers.lister<ResourceQuota>(gvr.resourcequotas);
    this.listers = COUNTED.map((r) => ({ r, lister: ctx.informers.lister<ApiObject>(r) }));
    // As upstream's replenishment: usage is recounted when something goes away (deleted, or a
    // pod turned terminal), never on creation, which admission has charged already. Recounting
    // on creation from a cache that has not seen the new object would undo that charge.
    const replenish = (o: ApiObject | undefined): void => {
      const ns = o?.metadata?.namespace;
      if (!ns || !this.enqueue) return;
      for (const q of this.quotas.namespace(ns).list()) this.enqueue(`${ns}/${q.metadata!.name!}`);
    };
    for (const r of COUNTED) {
      if (r === gvr.resourcequotas) continue;
      ctx.informers.forResource<ApiObject>(r).addEventHandler({
        update: (old, cur) => {
          if (r === gvr.pods && isTerminalPod(cur as Pod) && !isTerminalPod(old as Pod)) replenish(cur);
        },
        delete: (o) => replenish(o instanceof DeletedFinalStateUnknown ? (o.obj as ApiObject) : o),
      });
    }
    // A quota is (re)computed when it appears or its spec.hard changes, not on status writes.
    ctx.informers.forResource<ResourceQuota>(gvr.resourcequotas).addEventHandler({
      add: (q) => this.enqueue?.(metaKey(q)),
      update: (old, cur) => {
        if (JSON.stringify(toSorted(old.spec?.hard)) !== JSON.stringify(toSorted(cur.spec?.hard)) || JSON.stringify(toSorted(cur.spec?.hard)) !== JSON.stringify(toSorted(cur.status?.hard))) this.enqueue?.(metaKey(cur));
      },
    });
    this.watches = [];
  }

  private enqueue: ((key: string) => void) | undefined;

  async start(signal: AbortSignal, enqueue: (key: string) => void): Promise<void> {
    this.enqueue = enqueue;
    // Quotas seen while the caches synced.
    for (const q of this.quotas.list()) enqueue(metaKey(q));
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.enqueue = undefined;
  }

  async reconcile(key: string): Promise<{ requeueAfter: number } | void> {
    const [ns, name] = key.split('/') as [string, string];
    const q = this.quotas.namespace(ns).get(name);
    if (!q) return;
    const hard = q.spec?.hard ?? {};
    const names = Object.keys(hard);
    let used: Usage = new Map(names.map((n) => [n, parseQuantity('0')]));
    for (const { r, lister } of this.listers) {
      const isPods = r === gvr.pods;
      if (isScoped(q) && !isPods) continue;
      for (const o of lister.namespace(ns).list()) {
        if (isPods && !quotaCoversPod(q, o as Pod)) continue;
        used = addUsage(used, mask(usageOf(r.group, r.resource, o), names));
      }
    }
    const status = { hard: { ...hard }, used: toList(used) };
    if (JSON.stringify(toSorted(q.status?.hard)) === JSON.stringify(toSorted(status.hard)) && JSON.stringify(toSorted(q.status?.used)) === JSON.stringify(status.used)) return { requeueAfter: RESYNC_MS };
    await this.ctx.client
      .resource<ResourceQuota>(gvr.resourcequotas)
      .namespace(ns)
      .updateStatus({ ...q, status })
      .catch((err: unknown) => {
        // A conflict means admission charged it meanwhile. That status-only write does not bring
        // the key back (see the quota handler above), so the runner's rate-limited retry must:
        // swallowing it left usage stale after deletions until the next resync.
        if (!isStatusError(err, 'NotFound')) throw err;
      });
    return { requeueAfter: RESYNC_MS };
  }
}

const metaKey = (o: ApiObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const toSorted = (l: Record<string, string> | undefined): Record<string, string> => Object.fromEntries(Object.entries(l ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));

/** newResourceQuotaController keeps ResourceQuota status (hard, used) current. */
export function newResourceQuotaController(ctx: ControllerContext, workers?: number): Controller {
  return new ResourceQuotaController(ctx, workers);
}
