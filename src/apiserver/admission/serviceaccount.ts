/**
 * ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount): a pod without a
 * service account runs as `default`; the account must exist; and unless automounting is turned
 * off (on the pod, or else on the account) every container mounts the projected
 * `kube-api-access-<random>` volume (a bound token, the cluster CA, the namespace) at
 * /var/run/secrets/kubernetes.io/serviceaccount.
 */
import type { Container, ServiceAccount, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden, isPod, podOf, randomSuffix } from './util.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
/** An hour plus seven seconds, as upstream: the odd value tells a bound token from a legacy one. */
export const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** projectedTokenVolume is the volume upstream adds, field for field. */
export function projectedTokenVolume(name: string): Volume {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

export function serviceAccountAdmission(objects: AdmissionObjects): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (a.operation !== 'CREATE' || !isPod(a)) return;
      const pod = podOf(a);
      const spec = pod.spec!;
      // Mirror pods come from the kubelet's static manifests: they may not use API credentials.
      if (pod.metadata?.annotations?.[MIRROR_ANNOTATION] !== undefined) {
        if (spec.serviceAccountName) throw admissionForbidden(a, 'a mirror pod may not reference service accounts');
        if (spec.volumes?.some((v) => v.secret || v.projected)) throw admissionForbidden(a, 'a mirror pod may not reference secrets');
        return;
      }
      if (!spec.serviceAccountName) spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT;
      const sa = await objects.get<ServiceAccount>('', 'serviceaccounts', a.namespace, spec.serviceAccountName);
      if (!sa) throw admissionForbidden(a, `error looking up service account ${a.namespace}/${spec.serviceAccountName}: serviceaccount "${spec.serviceAccountName}" not found`);
      // The pod's own setting wins over the account's.
      const automount = spec.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true;
      if (automount) mountToken(spec);
    },
  };
}

function mountToken(spec: { volumes?: Volume[]; containers: Container[]; initContainers?: Container[] }): void {
  const existing = spec.volumes?.find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const name = existing?.name ?? `${TOKEN_VOLUME_PREFIX}${randomSuffix()}`;
  const mount: VolumeMount = { name, readOnly: true, mountPath: TOKEN_MOUNT_PATH };
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    // A container that mounts something at the token path keeps it.
    if (c.volumeMounts?.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    (c.volumeMounts ??= []).push({ ...mount });
    needed = true;
  }
  if (needed && !existing) (spec.volumes ??= []).push(projectedTokenVolume(name));
}
