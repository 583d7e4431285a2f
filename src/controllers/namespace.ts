/**
 * The namespace controller (upstream pkg/controller/namespace): when a namespace is being
 * deleted it deletes every namespaced object in it, reports progress in upstream's status
 * conditions, and once nothing is left removes the `kubernetes` finalizer through the
 * `namespaces/<name>/finalize` subresource, letting the apiserver delete the namespace.
 *
 * Deletion is ordered as upstream's OrderedNamespaceDeletion (KEP-5080, on by default since
 * 1.33, locked on since 1.34): pods go first, and nothing else is deleted while any pod
 * remains (terminating, or held by a finalizer), so that the policies, secrets and config a
 * running pod relies on outlive it.
 */
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type ApiObject, type Lister } from '../client/index.js';
import { watch, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { preferredResources, type DiscoveredResource } from './util/discovery.js';

const FINALIZER = 'kubernetes';

export interface NamespaceControllerOptions {
  workers?: number;
  /** resyncAfterMs: how soon a namespace with remaining content is looked at again (default 1 s). */
  resyncAfterMs?: number;
}

const isPods = (r: DiscoveredResource): boolean => r.gvr.group === '' && r.gvr.resource === 'pods';
const grName = (r: DiscoveredResource): string => (r.gvr.group ? `${r.gvr.resource}.${r.gvr.group}` : r.gvr.resource);

class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly namespaces: Lister<Namespace>;
  private readonly resyncAfterMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: NamespaceControllerOptions,
  ) {
    this.workers = opts.workers ?? 10;
    this.resyncAfterMs = opts.resyncAfterMs ?? 1000;
    this.namespaces = ctx.informers.lister<Namespace>(gvr.namespaces);
    this.watches = [watch(ctx.informers.forResource<Namespace>(gvr.namespaces))];
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const ns = this.namespaces.get(key);
    if (!ns?.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER)) return;
    const now = new Date(this.ctx.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const conds: NamespaceCondition[] = [];
    const cond = (type: string, bad: boolean, reason: string, message: string): void => {
      conds.push({ type, status: bad ? 'True' : 'False', reason, message, lastTransitionTime: now });
    };
    const { resources, failed } = await preferredResources(this.ctx.client);
    cond(
      'NamespaceDeletionDiscoveryFailure',
      failed.length > 0,
      failed.length ? 'DiscoveryFailed' : 'ResourcesDiscovered',
      failed.length ? `Discovery failed for some groups, ${failed.length} failing: ${failed.join(', ')}` : 'All resources successfully discovered',
    );
    cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed');
    const deletable = resources.filter((r) => r.namespaced && r.verbs.includes('list') && (r.verbs.includes('delete') || r.verbs.includes('deletecollection')));
    const errors: string[] = [];
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    const sweep = async (r: DiscoveredResource): Promise<void> => {
      const api = this.ctx.client.resource<ApiObject>(r.gvr).namespace(key);
      try {
        // Most kinds are empty in a namespace: one list settles them.
        let left = (await api.list()).items;
        if (!left.length) return;
        if (r.verbs.includes('deletecollection')) await api.deleteCollection({});
        else for (const o of left) await api.delete(o.metadata?.name ?? '').catch((err: unknown) => (isStatusError(err, 'NotFound') ? undefined : Promise.reject(err)));
        left = (await api.list()).items;
        if (left.length) {
          remaining.set(grName(r), left.length);
          for (const o of left) for (const f of o.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
        }
      } catch (err) {
        if (isStatusError(err, 'NotFound') || isStatusError(err, 'MethodNotAllowed')) return;
        errors.push(`${grName(r)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const pods = deletable.find(isPods);
    if (pods) await sweep(pods);
    // Pods first: the rest waits until the pod sweep succeeded and left no pod (a failed pod
    // list or delete holds it back too); a cluster that serves no pods sweeps the rest at once.
    if (!pods || (!remaining.size && !errors.length)) {
      // A few kinds at a time: latency overlaps while the client's rate limit still applies.
      const pending = deletable.filter((r) => r !== pods);
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let r = pending.shift(); r; r = pending.shift()) await sweep(r);
        }),
      );
    }
    errors.sort();
    cond('NamespaceDeletionContentFailure', errors.length > 0, errors.length ? 'ContentDeletionFailed' : 'ContentDeleted', errors.length ? `Failed to delete all resource types, ${errors.length} remaining: ${errors.join(', ')}` : 'All content successfully deleted, may be waiting on finalization');
    const rem = [...remaining].sort(([a], [b]) => a.localeCompare(b));
    cond('NamespaceContentRemaining', rem.length > 0, rem.length ? 'SomeResourcesRemain' : 'ContentRemoved', rem.length ? `Some resources are remaining: ${rem.map(([n, c]) => `${n} has ${c} resource instances`).join(', ')}` : 'All content successfully removed');
    const fin = [...finalizers].sort(([a], [b]) => a.localeCompare(b));
    cond('NamespaceFinalizersRemaining', fin.length > 0, fin.length ? 'SomeFinalizersRemain' : 'ContentHasNoFinalizers', fin.length ? `Some content in the namespace has finalizers remaining: ${fin.map(([n, c]) => `${n} in ${c} resource instances`).join(', ')}` : 'All content-preserving finalizers finished');
    await this.updateConditions(ns, conds);
    if (errors.length || failed.length) throw new Error(`namespace ${key}: ${[...errors, ...failed.map((g) => `discovery failed for ${g}`)].join('; ')}`);
    if (rem.length) return { requeueAfter: this.resyncAfterMs };
    await this.finalize(key);
  }

  /** updateConditions writes conditions whose status, reason or message changed (keeping transition times). */
  private async updateConditions(ns: Namespace, conds: NamespaceCondition[]): Promise<void> {
    const old = ns.status?.conditions ?? [];
    let changed = false;
    const merged = conds.map((c) => {
      const o = old.find((x) => x.type === c.type);
      if (o && o.status === c.status && o.reason === c.reason && o.message === c.message) return o;
      changed = true;
      return o && o.status === c.status ? { ...c, lastTransitionTime: o.lastTransitionTime } : c;
    });
    if (!changed) return;
    try {
      await this.ctx.client.resource<Namespace>(gvr.namespaces).updateStatus({ ...ns, status: { ...ns.status, phase: 'Terminating', conditions: merged } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
    }
  }

  /** finalize removes the `kubernetes` finalizer via namespaces/<n>/finalize, from a fresh read. */
  private async finalize(name: string): Promise<void> {
    const api = this.ctx.client.resource<Namespace>(gvr.namespaces);
    let ns: Namespace;
    try {
      ns = await api.get(name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return;
      throw err;
    }
    const fins = (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER);
    try {
      await api.updateSubresource<Namespace>(name, 'finalize', { ...ns, spec: { ...ns.spec, finalizers: fins } });
    } catch (err) {
      if (!isStatusError(err, 'NotFound')) throw err;
    }
  }
}

/** newNamespaceController empties namespaces being deleted (`--concurrent-namespace-syncs`). */
export function newNamespaceController(ctx: ControllerContext, opts: NamespaceControllerOptions = {}): Controller {
  return new NamespaceController(ctx, opts);
}
