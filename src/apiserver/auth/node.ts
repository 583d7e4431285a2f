/**
 * The Node authorizer and the NodeRestriction admission plugin, as upstream's
 * plugin/pkg/auth/authorizer/node and plugin/pkg/admission/noderestriction.
 *
 * A kubelet is a user `system:node:<name>` in group `system:nodes`. It may read a secret,
 * configmap, PVC, PV or service-account token only when a pod bound to its node
 * (`spec.nodeName`) references it (volumes, env, envFrom, imagePullSecrets, the pod's
 * ServiceAccount, PVCs' volumes): upstream keeps that graph incrementally; here it is
 * evaluated on demand from the watch cache (pods of one namespace, already in memory).
 * Everything else a kubelet needs comes from the system:node rules, held here as upstream's
 * node authorizer holds them; system:node is bound to nobody.
 *
 * NodeRestriction then limits writes: only its own Node object (no node-restriction labels,
 * no taint changes), only mirror pods bound to itself, only pods on itself deleted, evicted or
 * status-updated, only its own Lease, and only tokens bound to its own pods.
 */
import { forbidden } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin, UserInfo } from '../pipeline.js';
import type { ObjectSource } from './objects.js';
import type { AttributesAuthorizer, Decision } from './rbac/authorizer.js';
import { bootstrapClusterRoles } from './rbac/policy.js';
import { ruleAllows, type Attributes, type PolicyRule } from './rbac/rules.js';

export const NODE_USER_PREFIX = 'system:node:';
export const GROUP_NODES = 'system:nodes';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const RESTRICTED_LABEL_PREFIX = 'node-restriction.kubernetes.io/';

/** nodeName returns the node a user is the kubelet of, or undefined for other users (upstream's NodeIdentifier). */
export function nodeName(user: UserInfo): string | undefined {
  if (!user.username.startsWith(NODE_USER_PREFIX) || !user.groups.includes(GROUP_NODES)) return undefined;
  const n = user.username.slice(NODE_USER_PREFIX.length);
  return n || undefined;
}

interface Container {
  env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
}

interface Volume {
  name: string;
  secret?: { secretName?: string };
  configMap?: { name?: string };
  persistentVolumeClaim?: { claimName?: string };
  ephemeral?: unknown;
  projected?: { sources?: { secret?: { name?: string }; configMap?: { name?: string } }[] };
  csi?: { nodePublishSecretRef?: { name?: string } };
}

interface Pod {
  metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string>; ownerReferences?: { kind?: string; apiVersion?: string; name?: string }[] };
  spec?: {
    nodeName?: string;
    serviceAccountName?: string;
    volumes?: Volume[];
    containers?: Container[];
    initContainers?: Container[];
    ephemeralContainers?: Container[];
    imagePullSecrets?: { name?: string }[];
  };
}

type Kind = 'secret' | 'configmap' | 'pvc' | 'serviceaccount';

/** podReferences lists the objects of one kind a pod uses, as upstream's graph populator adds edges. */
export function podReferences(pod: Pod, kind: Kind): Set<string> {
  const out = new Set<string>();
  const add = (n: string | undefined): void => {
    if (n) out.add(n);
  };
  const spec = pod.spec ?? {};
  if (kind === 'serviceaccount') {
    add(spec.serviceAccountName || 'default');
    return out;
  }
  for (const v of spec.volumes ?? []) {
    if (kind === 'secret') {
      add(v.secret?.secretName);
      add(v.csi?.nodePublishSecretRef?.name);
      for (const s of v.projected?.sources ?? []) add(s.secret?.name);
    } else if (kind === 'configmap') {
      add(v.configMap?.name);
      for (const s of v.projected?.sources ?? []) add(s.configMap?.name);
    } else {
      add(v.persistentVolumeClaim?.claimName);
      if (v.ephemeral) add(`${pod.metadata.name}-${v.name}`);
    }
  }
  if (kind === 'secret') for (const s of spec.imagePullSecrets ?? []) add(s.name);
  if (kind === 'secret' || kind === 'configmap') {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])]) {
      for (const e of c.env ?? []) add(kind === 'secret' ? e.valueFrom?.secretKeyRef?.name : e.valueFrom?.configMapKeyRef?.name);
      for (const e of c.envFrom ?? []) add(kind === 'secret' ? e.secretRef?.name : e.configMapRef?.name);
    }
  }
  return out;
}

const noOpinion = (reason: string): Decision => ({ decision: 'noOpinion', reason });
const allow: Decision = { decision: 'allow', reason: '' };

/** NodeAuthorizer authorizes kubelets by their pods' references, then by the system:node rules. */
export class NodeAuthorizer implements AttributesAuthorizer {
  private readonly nodeRules: PolicyRule[];

  constructor(private readonly objects: ObjectSource) {
    this.nodeRules = bootstrapClusterRoles().find((r) => r.metadata.name === 'system:node')!.rules ?? [];
  }

  private podsOn(node: string, namespace: string): Pod[] {
    // Only the node's own pods are decoded: a namespace may hold tens of thousands.
    return this.objects.list<Pod>('', 'pods', namespace, { field: 'spec.nodeName', value: node });
  }

  /** related reports whether a pod on the node references the object (PVs through their bound PVCs). */
  related(node: string, kind: Kind | 'pv', namespace: string, name: string): boolean {
    if (kind === 'pv') {
      for (const pod of this.objects.list<Pod>('', 'pods', '', { field: 'spec.nodeName', value: node })) {
        for (const claim of podReferences(pod, 'pvc')) {
          const pvc = this.objects.get<{ spec?: { volumeName?: string } }>('', 'persistentvolumeclaims', pod.metadata.namespace ?? '', claim);
          if (pvc?.spec?.volumeName === name) return true;
        }
      }
      return false;
    }
    return this.podsOn(node, namespace).some((p) => podReferences(p, kind).has(name));
  }

  authorize(a: Attributes): Decision {
    const node = nodeName(a.user);
    if (node === undefined) return noOpinion('');
    if (a.resourceRequest && a.apiGroup === '') {
      const noRelation = `no relationship found between node '${node}' and this object`;
      const graph = (kind: Kind | 'pv'): Decision => {
        if (!a.name) return noOpinion('No Object name found');
        return this.related(node, kind, a.namespace, a.name) ? allow : noOpinion(noRelation);
      };
      switch (a.resource) {
        case 'secrets':
        case 'configmaps':
          if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return noOpinion(`can only read resources of this type`);
          if (a.subresource) return noOpinion('cannot read subresource');
          return graph(a.resource === 'secrets' ? 'secret' : 'configmap');
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') {
            if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get or update persistentvolumeclaim status');
            return graph('pvc');
          }
          if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
          if (a.subresource) return noOpinion('cannot get subresource');
          return graph('pvc');
        case 'persistentvolumes':
          if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
          if (a.subresource) return noOpinion('cannot get subresource');
          return graph('pv');
        case 'serviceaccounts':
          if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
          if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
          return graph('serviceaccount');
      }
    }
    if (a.resourceRequest && a.apiGroup === 'coordination.k8s.io' && a.resource === 'leases') {
      if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
      if (a.namespace !== 'kube-node-lease') return noOpinion('can only access leases in the kube-node-lease namespace');
      // A create names its lease in the body, which NodeRestriction checks.
      if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access node lease with the same name as the requesting node');
      return allow;
    }
    if (a.resourceRequest && a.apiGroup === 'storage.k8s.io' && a.resource === 'volumeattachments') {
      if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
      if (!a.name) return noOpinion('No Object name found');
      const va = this.objects.get<{ spec?: { nodeName?: string } }>('storage.k8s.io', 'volumeattachments', '', a.name);
      return va?.spec?.nodeName === node ? allow : noOpinion(`no relationship found between node '${node}' and this object`);
    }
    if (a.resourceRequest && a.apiGroup === 'storage.k8s.io' && a.resource === 'csinodes') {
      if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a CSINode');
      if (a.verb !== 'create' && a.name !== node) return noOpinion('can only access CSINode with the same name as the requesting node');
      return allow;
    }
    return this.nodeRules.some((r) => ruleAllows(a, r)) ? allow : noOpinion('');
  }
}

/** nodeRestriction is the NodeRestriction admission plugin. */
export function nodeRestriction(objects: ObjectSource): AdmissionPlugin {
  const deny = (a: AdmissionAttributes, msg: string): never => {
    throw forbidden({ group: a.resource.group, resource: a.resource.resource }, a.name, msg);
  };
  const podOf = (a: AdmissionAttributes): Pod | undefined => (a.oldObject as unknown as Pod | undefined) ?? objects.get<Pod>('', 'pods', a.namespace, a.name);
  return {
    name: 'NodeRestriction',
    validate(a) {
      const node = nodeName(a.user);
      if (node === undefined) return;
      const r = a.resource;
      if (r.group === '' && r.resource === 'pods') {
        if (a.subresource === 'status') {
          if (podOf(a)?.spec?.nodeName !== node) deny(a, `node "${node}" can only update pod status for pods with spec.nodeName set to itself`);
          return;
        }
        if (a.subresource === 'eviction') {
          if (podOf(a)?.spec?.nodeName !== node) deny(a, `node "${node}" can only evict pods with spec.nodeName set to itself`);
          return;
        }
        if (a.subresource) return;
        if (a.operation === 'CREATE') {
          const pod = a.object as unknown as Pod;
          if (!pod.metadata.annotations?.[MIRROR_ANNOTATION]) deny(a, `pod does not have "${MIRROR_ANNOTATION}" annotation, node "${node}" can only create mirror pods`);
          if (pod.spec?.nodeName !== node) deny(a, `node "${node}" can only create pods with spec.nodeName set to itself`);
          for (const ref of pod.metadata.ownerReferences ?? []) {
            if (ref.kind !== 'Node' || ref.name !== node) deny(a, `node "${node}" can only create pods with an owner reference set to itself`);
          }
          if (podReferences(pod, 'secret').size) deny(a, `node "${node}" can not create pods that reference secrets`);
          if (podReferences(pod, 'configmap').size) deny(a, `node "${node}" can not create pods that reference configmaps`);
          if (podReferences(pod, 'pvc').size) deny(a, `node "${node}" can not create pods that reference persistentvolumeclaims`);
          if (pod.spec?.serviceAccountName) deny(a, `node "${node}" can not create pods that reference a serviceaccount`);
          return;
        }
        if (a.operation === 'DELETE') {
          if (podOf(a)?.spec?.nodeName !== node) deny(a, `node "${node}" can only delete pods with spec.nodeName set to itself`);
          return;
        }
        deny(a, `unexpected operation "${a.operation}", node "${node}" can only create and delete mirror pods`);
      }
      if (r.group === '' && r.resource === 'nodes') {
        if (a.name !== node) deny(a, `node "${node}" is not allowed to modify node "${a.name}"`);
        if (a.operation === 'DELETE' || !a.object) return;
        const labels = a.object.metadata?.labels ?? {};
        const old = a.oldObject?.metadata?.labels ?? {};
        const changed = Object.keys({ ...labels, ...old })
          .filter((k) => k.startsWith(RESTRICTED_LABEL_PREFIX) && labels[k] !== old[k])
          .sort();
        if (changed.length) deny(a, `node "${node}" is not allowed to modify labels: ${changed.join(', ')}`);
        if (a.operation === 'UPDATE' && a.subresource === '') {
          const taints = (o: KubeObject | undefined): string => JSON.stringify((o?.spec as { taints?: unknown } | undefined)?.taints ?? []);
          if (taints(a.object) !== taints(a.oldObject)) deny(a, `node "${node}" is not allowed to modify taints`);
        }
        return;
      }
      if (r.group === 'coordination.k8s.io' && r.resource === 'leases' && a.namespace === 'kube-node-lease') {
        if (a.name !== node) deny(a, 'can only access node lease with the same name as the requesting node');
        return;
      }
      if (r.group === '' && r.resource === 'serviceaccounts' && a.subresource === 'token') {
        const spec = (a.object as { spec?: { boundObjectRef?: { kind?: string; name?: string; uid?: string } } } | undefined)?.spec;
        const ref = spec?.boundObjectRef;
        if (!ref || ref.kind !== 'Pod') deny(a, 'node requested token not bound to a pod');
        const pod = objects.get<Pod>('', 'pods', a.namespace, ref!.name ?? '');
        if (!pod || (ref!.uid && pod.metadata.uid !== ref!.uid)) deny(a, 'node requested token bound to a pod that does not exist');
        if (pod!.spec?.nodeName !== node) deny(a, 'node requested token bound to a pod scheduled on a different node');
      }
    },
  };
}
