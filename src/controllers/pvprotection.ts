/**
 * The PV protection controller (upstream pkg/controller/volume/pvprotection,
 * `persistentvolume-protection-controller`, alias `pv-protection`): a PersistentVolume being
 * deleted keeps its `kubernetes.io/pv-protection` finalizer while it is Bound to a claim; once
 * it is not, the finalizer is removed and the deletion completes. Volumes that are not being
 * deleted and lack the finalizer get it.
 */
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { gvr, type Lister } from '../client/index.js';
import { watch, type Controller, type ControllerContext, type Watch } from './runner.js';
import { deletionCandidate, needsFinalizer, writeFinalizers } from './util/finalizers.js';

export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

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
    this.watches = [watch(ctx.informers.forResource<PersistentVolume>(gvr.persistentvolumes), (pv) => (needsFinalizer(pv, PV_PROTECTION_FINALIZER) || deletionCandidate(pv, PV_PROTECTION_FINALIZER) ? [pv.metadata?.name ?? ''] : []))];
  }

  async reconcile(name: string): Promise<void> {
    const pv = this.volumes.get(name);
    if (!pv) return;
    let finalizers: string[] | undefined;
    // upstream isBeingUsed: a volume is in use exactly while it is Bound.
    if (deletionCandidate(pv, PV_PROTECTION_FINALIZER) && pv.status?.phase !== 'Bound') finalizers = (pv.metadata?.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER);
    else if (needsFinalizer(pv, PV_PROTECTION_FINALIZER)) finalizers = [...(pv.metadata?.finalizers ?? []), PV_PROTECTION_FINALIZER];
    if (!finalizers) return;
    // A Conflict is retried on a newer cache.
    await writeFinalizers(this.ctx.client.resource<PersistentVolume>(gvr.persistentvolumes), pv, finalizers);
  }
}

/** newPVProtectionController removes the pv-protection finalizer from volumes that are no longer Bound. */
export function newPVProtectionController(ctx: ControllerContext, workers?: number): Controller {
  return new PVProtectionController(ctx, workers);
}
