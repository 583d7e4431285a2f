/**
 * The PV protection controller (upstream pkg/controller/volume/pvprotection,
 * `persistentvolume-protection-controller`, alias `pv-protection`): a PersistentVolume being
 * deleted keeps its `kubernetes.io/pv-protection` finalizer while it is Bound to a claim; once
 * it is not, the finalizer is removed and the deletion completes. Volumes that are not being
 * deleted and lack the finalizer get it.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Lister } from '../client/index.js';
import { watch, type Controller, type ControllerContext, type Watch } from './runner.js';

export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

const deletionCandidate = (o: PersistentVolume): boolean => !!o.metadata?.deletionTimestamp && (o.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);
const needsFinalizer = (o: PersistentVolume): boolean => !o.metadata?.deletionTimestamp && !(o.metadata?.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);

class PVProtectionController implements Controller {
  readonly name = 'pv-protection';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly volumes: Lister<PersistentVolume>;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 1;
    this.volumes = ctx.informers.lister<PersistentVolume>(gvr.persistentvolumes);
    this.watches = [watch(ctx.informers.forResource<PersistentVolume>(gvr.persistentvolumes), (pv) => (needsFinalizer(pv) || deletionCandidate(pv) ? [pv.metadata?.name ?? ''] : []))];
  }

  async reconcile(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv) return;
    let finalizers: string[] | undefined;
    // upstream isBeingUsed: a volume is in use exactly while it is Bound.
    if (deletionCandidate(pv) && pv.status?.phase !== 'Bound') finalizers = (pv.metadata?.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER);
    else if (needsFinalizer(pv)) finalizers = [...(pv.metadata?.finalizers ?? []), PV_PROTECTION_FINALIZER];
    if (!finalizers) return;
    // The cached object is shared: write a copy. A Conflict is retried on a newer cache.
    await this.ctx.client
      .resource<PersistentVolume>(gvr.persistentvolumes)
      .update({ ...pv, metadata: { ...pv.metadata, finalizers } })
      .catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound')) throw err;
      });
  }
}

/** newPVProtectionController removes the pv-protection finalizer from volumes that are no longer Bound. */
export function newPVProtectionController(ctx: ControllerContext, workers?: number): Controller {
  return new PVProtectionController(ctx, workers);
}
