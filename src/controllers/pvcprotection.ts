/**
 * The PVC protection controller (upstream pkg/controller/volume/pvcprotection,
 * `persistentvolumeclaim-protection-controller`, alias `pvc-protection`): a claim being deleted
 * keeps its `kubernetes.io/pvc-protection` finalizer while a scheduled pod in its namespace
 * uses it (a `persistentVolumeClaim` volume naming it, or a generic ephemeral volume whose claim
 * it is, until that pod is shut down); then the finalizer is removed and the deletion completes.
 * Claims that are not being deleted and lack the finalizer (created before the
 * StorageObjectInUseProtection admission plugin was on) get it.
 */
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { gvr, metaNamespaceKeyFunc, type Lister } from '../client/index.js';
import { watch, watchEvents, type Controller, type ControllerContext, type Watch } from './runner.js';
import { deletionCandidate, needsFinalizer, writeFinalizers } from './util/finalizers.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
/** POD_PVC_INDEX indexes pods by the `namespace/claim` keys of the claims their volumes name. */
const POD_PVC_INDEX = 'pvcprotection:pvc';

/** claimKeys lists the `namespace/claim` keys of the claims a pod's volumes refer to (generic ephemeral ones as `<pod>-<volume>`). */
function claimKeys(pod: Pod): string[] {
  const ns = pod.metadata?.namespace ?? '';
  const keys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) keys.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v.ephemeral) keys.push(`${ns}/${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return keys;
}

/**
 * podIsShutDown: the kubelet is done with the pod (it asked for deletion with grace 0) or the
 * pod was force-deleted; it only waits for its own finalizers now, which may wait for the claim.
 */
function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** podUsesPVC is upstream's: only a scheduled pod counts (the kubelet refuses a claim being deleted to new pods). */
export function podUsesPVC(pod: Pod, pvc: PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName) return false;
  const name = pvc.metadata?.name;
  for (const v of pod.spec.volumes ?? []) {
    if (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === name) return true;
    if (v.ephemeral && !podIsShutDown(pod) && `${pod.metadata?.name ?? ''}-${v.name}` === name) {
      // The claim must be the one made for this pod, not a same-named stranger.
      if ((pvc.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata?.uid)) return true;
    }
  }
  return false;
}

/** isTerminated: the pod's phase is final (upstream IsPodTerminated). */
function isTerminated(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

class PVCProtectionController implements Controller {
  readonly name = 'pvc-protection';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly claims: Lister<PersistentVolumeClaim>;
  private readonly podIndexer;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 1;
    this.claims = ctx.informers.lister<PersistentVolumeClaim>(gvr.persistentvolumeclaims);
    const pods = ctx.informers.forResource<Pod>(gvr.pods, {
      indexers: { [POD_PVC_INDEX]: claimKeys },
    });
    this.podIndexer = pods.getIndexer();
    // A pod stops holding its claims when it is deleted, terminates, or was never scheduled.
    const releasing = (p: Pod): string[] => (isTerminated(p) || !p.spec?.nodeName || podIsShutDown(p) ? claimKeys(p) : []);
    this.watches = [
      watch(ctx.informers.forResource<PersistentVolumeClaim>(gvr.persistentvolumeclaims), (c) =>
        needsFinalizer(c, PVC_PROTECTION_FINALIZER) || deletionCandidate(c, PVC_PROTECTION_FINALIZER) ? [metaNamespaceKeyFunc(c)] : [],
      ),
      watchEvents(pods, {
        add: releasing,
        // A pod replaced under the same name (another uid) released the claims of the old one.
        update: (old, cur) => [...releasing(cur), ...(old.metadata?.uid !== cur.metadata?.uid ? claimKeys(old) : [])],
        delete: claimKeys,
      }),
    ];
  }

  async reconcile(key: string): Promise<void> {
    const [ns = '', name = ''] = key.split('/');
    const pvc = this.claims.namespace(ns).get(name);
    if (!pvc) return;
    if (deletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (await this.isBeingUsed(pvc)) return; // a pod event enqueues the claim again
      await this.setFinalizers(pvc, (pvc.metadata?.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER));
      return;
    }
    if (needsFinalizer(pvc, PVC_PROTECTION_FINALIZER)) await this.setFinalizers(pvc, [...(pvc.metadata?.finalizers ?? []), PVC_PROTECTION_FINALIZER]);
  }

  /**
   * isBeingUsed asks the pod cache first; a miss is confirmed with a live list, since a pod
   * created a moment ago may not be cached yet and a wrong "unused" deletes a claim in use.
   */
  private async isBeingUsed(pvc: PersistentVolumeClaim): Promise<boolean> {
    const ns = pvc.metadata?.namespace ?? '';
    if (this.podIndexer.byIndex(POD_PVC_INDEX, `${ns}/${pvc.metadata?.name ?? ''}`).some((p) => podUsesPVC(p, pvc))) return true;
    const live = await this.ctx.client.resource<Pod>(gvr.pods).namespace(ns).list();
    return live.items.some((p) => podUsesPVC(p, pvc));
  }

  private setFinalizers(pvc: PersistentVolumeClaim, finalizers: string[]): Promise<void> {
    // A Conflict is retried on a newer cache.
    return writeFinalizers(this.ctx.client.resource<PersistentVolumeClaim>(gvr.persistentvolumeclaims).namespace(pvc.metadata?.namespace ?? ''), pvc, finalizers);
  }
}

/** newPVCProtectionController removes the pvc-protection finalizer from claims no pod uses any more. */
export function newPVCProtectionController(ctx: ControllerContext, workers?: number): Controller {
  return new PVCProtectionController(ctx, workers);
}
