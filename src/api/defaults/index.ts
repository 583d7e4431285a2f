/**
 * Defaulting of API objects as upstream's pkg/apis/<group>/<version>/defaults.go: fills in the
 * fields a user may omit, in place, on the v1 wire shape. The apiserver calls it on every create
 * and update, before validation. Kinds without defaults (and custom resources) are left as is.
 *
 * prepareForCreate (./prepare.ts) is the other half of what a freshly stored object looks like:
 * the registry strategies' create-time fields (initial status, Namespace finalizers, Job selector).
 */
import type { GroupVersionKind, KubeObject } from '../types.js';
import * as core from './core.js';
import * as flowcontrol from './flowcontrol.js';
import * as misc from './misc.js';
import * as w from './workloads.js';

export { prepareForCreate, prepareForUpdate, prepareForStatusUpdate, generateJobSelector, podQOSClass } from './prepare.js';
export { imagePullPolicyFor, defaultPodSpec, defaultPodTemplateSpec, canonicalQuantity, canonicalQuantities } from './core.js';
export {
  FLOW_SCHEMA_DEFAULT_MATCHING_PRECEDENCE,
  PRIORITY_LEVEL_DEFAULT_HAND_SIZE,
  PRIORITY_LEVEL_DEFAULT_NOMINAL_CONCURRENCY_SHARES,
  PRIORITY_LEVEL_DEFAULT_QUEUE_LENGTH_LIMIT,
  PRIORITY_LEVEL_DEFAULT_QUEUES,
} from './flowcontrol.js';

type Defaulter = (obj: never) => void;

const defaulters = new Map<string, Defaulter>([
  ['/Pod', core.defaultPod],
  ['/PodTemplate', core.defaultPodTemplate],
  ['/ReplicationController', core.defaultReplicationController],
  ['/Service', core.defaultService],
  ['/Namespace', core.defaultNamespace],
  ['/Secret', core.defaultSecret],
  ['/Endpoints', core.defaultEndpoints],
  ['/Node', core.defaultNode],
  ['/PersistentVolume', core.defaultPersistentVolume],
  ['/PersistentVolumeClaim', core.defaultPersistentVolumeClaim],
  ['/LimitRange', core.defaultLimitRange],
  ['/Event', core.defaultEvent],
  ['/ResourceQuota', core.defaultResourceQuota],
  ['rbac.authorization.k8s.io/Role', misc.defaultRole],
  ['rbac.authorization.k8s.io/ClusterRole', misc.defaultRole],
  ['apps/Deployment', w.defaultDeployment],
  ['apps/ReplicaSet', w.defaultReplicaSet],
  ['apps/StatefulSet', w.defaultStatefulSet],
  ['apps/DaemonSet', w.defaultDaemonSet],
  ['batch/Job', w.defaultJob],
  ['batch/CronJob', w.defaultCronJob],
  ['networking.k8s.io/NetworkPolicy', misc.defaultNetworkPolicy],
  ['networking.k8s.io/IngressClass', misc.defaultIngressClass],
  ['discovery.k8s.io/EndpointSlice', misc.defaultEndpointSlice],
  ['scheduling.k8s.io/PriorityClass', misc.defaultPriorityClass],
  ['storage.k8s.io/StorageClass', misc.defaultStorageClass],
  ['storage.k8s.io/CSIDriver', misc.defaultCSIDriver],
  ['rbac.authorization.k8s.io/RoleBinding', misc.defaultBinding],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', misc.defaultBinding],
  ['autoscaling/HorizontalPodAutoscaler', misc.defaultHPA],
  ['node.k8s.io/RuntimeClass', misc.defaultRuntimeClass],
  ['flowcontrol.apiserver.k8s.io/FlowSchema', flowcontrol.defaultFlowSchema],
  ['flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration', flowcontrol.defaultPriorityLevelConfiguration],
]);

/** applyDefaults fills in omitted fields of a built-in kind in place (no-op for other kinds). */
export function applyDefaults(gvk: GroupVersionKind, obj: KubeObject): void {
  const d = defaulters.get(`${gvk.group}/${gvk.kind}`);
  if (!d) return;
  // HPA defaults depend on the served version; the object may not carry apiVersion yet.
  if (gvk.kind === 'HorizontalPodAutoscaler' && !obj.apiVersion) obj.apiVersion = `autoscaling/${gvk.version}`;
  try {
    (d as (o: KubeObject) => void)(obj);
  } catch (e) {
    // A wrongly typed field (which upstream rejects while decoding) leaves the object partly
    // defaulted; validation then reports it instead of the apiserver failing here.
    if (!(e instanceof TypeError)) throw e;
  }
}
