/**
 * The StorageClass admission plugins (upstream plugin/pkg/admission/storage):
 * - DefaultStorageClass (storageclass/setdefault): a PVC created without a class gets the
 *   default StorageClass; with several defaults the newest wins (ties: the smaller name), as
 *   upstream's GetDefaultClass; with none the claim is left alone.
 * - PersistentVolumeClaimResize (persistentvolume/resize): a claim may only grow when it is
 *   Bound and its StorageClass sets allowVolumeExpansion.
 */
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { parseQuantity, type Quantity } from '../../api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden } from './util.js';

const IS_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
const BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
/** BETA_STORAGE_CLASS_ANNOTATION is the claim annotation that predates spec.storageClassName. */
const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** isPVC is true for a write of a PersistentVolumeClaim itself (not status). */
function isPVC(a: AdmissionAttributes): boolean {
  return a.resource.group === '' && a.resource.resource === 'persistentvolumeclaims' && a.subresource === '' && a.object !== undefined;
}

interface Classed {
  metadata?: { name?: string; creationTimestamp?: string; annotations?: Record<string, string> };
}

/**
 * newestDefault picks, among the classes `isDefault` accepts, the newest by creationTimestamp
 * and then the smallest name (upstream sorts the defaults this way and takes the first).
 */
export function newestDefault<T extends Classed>(classes: readonly T[], isDefault: (c: T) => boolean): T | undefined {
  let best: T | undefined;
  let bestAt = 0;
  for (const c of classes) {
    if (!isDefault(c)) continue;
    const at = Date.parse(c.metadata?.creationTimestamp ?? '') || 0;
    if (!best || at > bestAt || (at === bestAt && (c.metadata?.name ?? '') < (best.metadata?.name ?? ''))) {
      best = c;
      bestAt = at;
    }
  }
  return best;
}

/** isDefaultStorageClass is upstream's IsDefaultAnnotation: the GA or the beta annotation is "true". */
function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata?.annotations;
  return a?.[IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true' || a?.[BETA_IS_DEFAULT_STORAGE_CLASS_ANNOTATION] === 'true';
}

/** claimClass is upstream's GetPersistentVolumeClaimClass: the beta annotation first, then the field. */
function claimClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pvc.spec?.storageClassName ?? '';
}

export function defaultStorageClass(objects: AdmissionObjects): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    admit(a) {
      if (a.operation !== 'CREATE' || !isPVC(a)) return;
      const pvc = a.object as PersistentVolumeClaim;
      // A class asked for by the field (even "", which means no class) or the beta annotation stays.
      if ((pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) || pvc.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] !== undefined) return;
      const def = newestDefault(objects.list<StorageClass>('storage.k8s.io', 'storageclasses', ''), isDefaultStorageClass);
      if (!def) return;
      pvc.spec = { ...pvc.spec, storageClassName: def.metadata!.name! };
    },
  };
}

function storageRequest(pvc: PersistentVolumeClaim | undefined): Quantity | undefined {
  const s = pvc?.spec?.resources?.requests?.['storage'];
  if (s === undefined) return undefined;
  try {
    return parseQuantity(s);
  } catch {
    return undefined; // validation reports a malformed quantity
  }
}

export function persistentVolumeClaimResize(objects: AdmissionObjects): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    async validate(a) {
      if (a.operation !== 'UPDATE' || !isPVC(a) || !a.oldObject) return;
      const pvc = a.object as PersistentVolumeClaim;
      const old = a.oldObject as PersistentVolumeClaim;
      const next = storageRequest(pvc);
      if (!next) return;
      const prev = storageRequest(old) ?? parseQuantity('0');
      if (next.cmp(prev) <= 0) return;
      if (old.status?.phase !== 'Bound') throw admissionForbidden(a, 'Only bound persistent volume claims can be expanded');
      const cls = claimClass(pvc);
      const sc = cls && cls === claimClass(old) ? await objects.get<StorageClass>('storage.k8s.io', 'storageclasses', '', cls) : undefined;
      if (sc?.allowVolumeExpansion !== true) {
        throw admissionForbidden(a, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      }
    },
  };
}
