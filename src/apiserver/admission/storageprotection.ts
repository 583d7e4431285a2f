/**
 * StorageObjectInUseProtection (upstream plugin/pkg/admission/storage/storageobjectinuseprotection):
 * every PersistentVolumeClaim is created with the `kubernetes.io/pvc-protection` finalizer and
 * every PersistentVolume with `kubernetes.io/pv-protection`. The pvc-protection and
 * pv-protection controllers (src/controllers) remove them once the object is unused, so a claim
 * in use by a pod, or a volume bound to a claim, is not deleted under it.
 */
import type { AdmissionPlugin } from '../pipeline.js';

const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    admit(a) {
      if (a.operation !== 'CREATE' || a.resource.group !== '' || a.subresource !== '' || !a.object) return;
      const finalizer = a.resource.resource === 'persistentvolumeclaims' ? PVC_PROTECTION_FINALIZER : a.resource.resource === 'persistentvolumes' ? PV_PROTECTION_FINALIZER : undefined;
      if (!finalizer) return;
      const meta = (a.object.metadata ??= {});
      const finalizers = meta.finalizers ?? [];
      if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
    },
  };
}
