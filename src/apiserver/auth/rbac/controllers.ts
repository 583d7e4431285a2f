/**
 * The per-controller cluster roles kube-controller-manager's controllers run as with
 * --use-service-account-credentials (upstream's bootstrappolicy controller_policy.go, expected
 * output testdata/controller-roles.yaml): `system:controller:<name>`, each bound by a
 * ClusterRoleBinding of the same name to the ServiceAccount kube-system/<name>.
 */
import type { PolicyRule } from './rules.js';

const r = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { apiGroups, resources, resourceNames, verbs } : { apiGroups, resources, verbs };

const READ = ['get', 'list', 'watch'];
const LW = ['list', 'watch'];
const RW = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const EVENTS = r(['', 'events.k8s.io'], ['events'], ['create', 'patch', 'update']);
const APPS = ['apps', 'extensions'];

/** controllerRoleRules maps each controller's name to its rules. */
export const controllerRoleRules: Record<string, PolicyRule[]> = {
  'attachdetach-controller': [
    r([''], ['persistentvolumeclaims', 'persistentvolumes'], LW),
    r([''], ['nodes'], READ),
    r([''], ['nodes/status'], ['patch', 'update']),
    r([''], ['pods'], LW),
    EVENTS,
    r(['storage.k8s.io'], ['volumeattachments'], ['create', 'delete', 'get', 'list', 'watch']),
    r(['storage.k8s.io'], ['csidrivers'], READ),
    r(['storage.k8s.io'], ['csinodes'], READ),
  ],
  'certificate-controller': [
    r(['certificates.k8s.io'], ['certificatesigningrequests'], ['delete', 'get', 'list', 'watch']),
    r(['certificates.k8s.io'], ['certificatesigningrequests/approval', 'certificatesigningrequests/status'], ['update']),
    r(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet']),
    r(['certificates.k8s.io'], ['signers'], ['sign'], ['kubernetes.io/kube-apiserver-client', 'kubernetes.io/kube-apiserver-client-kubelet', 'kubernetes.io/kubelet-serving', 'kubernetes.io/legacy-unknown']),
    r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
    EVENTS,
  ],
  'clusterrole-aggregation-controller': [r(['rbac.authorization.k8s.io'], ['clusterroles'], ['escalate', 'get', 'list', 'patch', 'update', 'watch'])],
  'cronjob-controller': [
    r(['batch'], ['cronjobs'], ['get', 'list', 'update', 'watch']),
    r(['batch'], ['jobs'], RW),
    r(['batch'], ['cronjobs/status'], ['update']),
    r(['batch'], ['cronjobs/finalizers'], ['update']),
    r([''], ['pods'], ['delete', 'list', 'watch']),
    EVENTS,
  ],
  'daemon-set-controller': [
    r(APPS, ['daemonsets'], READ),
    r(APPS, ['daemonsets/status'], ['update']),
    r(APPS, ['daemonsets/finalizers'], ['update']),
    r([''], ['nodes'], LW),
    r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']),
    r([''], ['pods/binding'], ['create']),
    r(['apps'], ['controllerrevisions'], RW),
    EVENTS,
  ],
  'deployment-controller': [
    r(APPS, ['deployments'], ['get', 'list', 'update', 'watch']),
    r(APPS, ['deployments/status'], ['update']),
    r(APPS, ['deployments/finalizers'], ['update']),
    r(APPS, ['replicasets'], RW),
    r([''], ['pods'], ['get', 'list', 'update', 'watch']),
    EVENTS,
  ],
  'disruption-controller': [
    r(APPS, ['deployments'], READ),
    r(APPS, ['replicasets'], READ),
    r([''], ['replicationcontrollers'], READ),
    r(['policy'], ['poddisruptionbudgets'], READ),
    r(['apps'], ['statefulsets'], READ),
    r(['policy'], ['poddisruptionbudgets/status'], ['update']),
    r([''], ['pods/status'], ['patch', 'update']),
    r(['*'], ['*/scale'], ['get']),
    EVENTS,
  ],
  'endpoint-controller': [
    r([''], ['pods', 'services'], READ),
    r([''], ['endpoints'], ['create', 'delete', 'get', 'list', 'update', 'watch']),
    r([''], ['endpoints/restricted'], ['create']),
    EVENTS,
  ],
  'endpointslice-controller': [
    r([''], ['nodes', 'pods', 'services'], READ),
    r([''], ['services/finalizers'], ['update']),
    r(['discovery.k8s.io'], ['endpointslices'], ['create', 'delete', 'get', 'list', 'update', 'watch']),
    EVENTS,
  ],
  'endpointslicemirroring-controller': [
    r([''], ['endpoints', 'services'], READ),
    r([''], ['services/finalizers'], ['update']),
    r([''], ['endpoints/finalizers'], ['update']),
    r(['discovery.k8s.io'], ['endpointslices'], ['create', 'delete', 'get', 'list', 'update', 'watch']),
    EVENTS,
  ],
  'ephemeral-volume-controller': [r([''], ['pods'], READ), r([''], ['pods/finalizers'], ['update']), r([''], ['persistentvolumeclaims'], ['create', 'get', 'list', 'watch']), EVENTS],
  'expand-controller': [
    r([''], ['persistentvolumes'], ['get', 'list', 'patch', 'update', 'watch']),
    r([''], ['persistentvolumeclaims/status'], ['patch', 'update']),
    r([''], ['persistentvolumeclaims'], READ),
    EVENTS,
  ],
  'generic-garbage-collector': [r(['*'], ['*'], ['delete', 'get', 'list', 'patch', 'update', 'watch']), EVENTS],
  'horizontal-pod-autoscaler': [
    r(['autoscaling'], ['horizontalpodautoscalers'], READ),
    r(['autoscaling'], ['horizontalpodautoscalers/status'], ['update']),
    r(['*'], ['*/scale'], ['get', 'update']),
    r([''], ['pods'], LW),
    r(['metrics.k8s.io'], ['pods'], LW),
    r(['custom.metrics.k8s.io'], ['*'], READ),
    r(['external.metrics.k8s.io'], ['*'], READ),
    EVENTS,
  ],
  'job-controller': [
    r(['batch'], ['jobs'], ['get', 'list', 'patch', 'update', 'watch']),
    r(['batch'], ['jobs/status'], ['update']),
    r(['batch'], ['jobs/finalizers'], ['update']),
    r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']),
    EVENTS,
  ],
  'legacy-service-account-token-cleaner': [r([''], ['configmaps'], ['get'], ['kube-apiserver-legacy-service-account-token-tracking']), r([''], ['secrets'], ['delete', 'patch'])],
  'namespace-controller': [
    r([''], ['namespaces'], ['delete', 'get', 'list', 'watch']),
    r([''], ['namespaces/finalize', 'namespaces/status'], ['update']),
    r(['*'], ['*'], ['delete', 'deletecollection', 'get', 'list', 'watch']),
  ],
  'node-controller': [
    r([''], ['nodes'], ['delete', 'get', 'list', 'patch', 'update', 'watch']),
    r([''], ['nodes/status'], ['patch', 'update']),
    r([''], ['pods/status'], ['patch', 'update']),
    r([''], ['pods'], ['delete', 'get', 'list', 'watch']),
    EVENTS,
  ],
  'persistent-volume-binder': [
    r([''], ['persistentvolumes'], ['create', 'delete', 'get', 'list', 'update', 'watch']),
    r([''], ['persistentvolumes/status'], ['update']),
    r([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']),
    r([''], ['persistentvolumeclaims/status'], ['update']),
    r([''], ['pods'], ['create', 'delete', 'get', 'list', 'watch']),
    r(['storage.k8s.io'], ['storageclasses'], READ),
    r([''], ['nodes'], LW),
    EVENTS,
    r([''], ['events'], ['watch']),
  ],
  'pod-garbage-collector': [r([''], ['pods'], ['delete', 'list', 'watch']), r([''], ['nodes'], READ), r([''], ['pods/status'], ['patch'])],
  'pv-protection-controller': [r([''], ['persistentvolumes'], ['get', 'list', 'update', 'watch']), EVENTS],
  'pvc-protection-controller': [r([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']), r([''], ['persistentvolumeclaims/status'], ['update']), r([''], ['pods'], READ), EVENTS],
  'replicaset-controller': [
    r(APPS, ['replicasets'], ['get', 'list', 'update', 'watch']),
    r(APPS, ['replicasets/status'], ['update']),
    r(APPS, ['replicasets/finalizers'], ['update']),
    r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']),
    EVENTS,
  ],
  'replication-controller': [
    r([''], ['replicationcontrollers'], ['get', 'list', 'update', 'watch']),
    r([''], ['replicationcontrollers/status'], ['update']),
    r([''], ['replicationcontrollers/finalizers'], ['update']),
    r([''], ['pods'], ['create', 'delete', 'list', 'patch', 'watch']),
    EVENTS,
  ],
  'resourcequota-controller': [r(['*'], ['*'], LW), r([''], ['resourcequotas/status'], ['update']), EVENTS],
  'root-ca-cert-publisher': [r([''], ['configmaps'], ['create', 'update']), EVENTS],
  'route-controller': [r([''], ['nodes'], LW), r([''], ['nodes/status'], ['patch']), EVENTS],
  'service-account-controller': [r([''], ['serviceaccounts'], ['create']), EVENTS],
  'service-controller': [r([''], ['services'], READ), r([''], ['services/status'], ['patch', 'update']), r([''], ['nodes'], LW), EVENTS],
  'statefulset-controller': [
    r([''], ['pods'], LW),
    r(['apps'], ['statefulsets'], READ),
    r(['apps'], ['statefulsets/status'], ['update']),
    r(['apps'], ['statefulsets/finalizers'], ['update']),
    r([''], ['pods'], ['create', 'delete', 'get', 'patch', 'update']),
    r(['apps'], ['controllerrevisions'], RW),
    r([''], ['persistentvolumeclaims'], ['create', 'get', 'list', 'watch']),
    r([''], ['persistentvolumeclaims'], ['delete', 'update']),
    r([''], ['pods/finalizers'], ['update']),
    EVENTS,
  ],
  'ttl-after-finished-controller': [r(['batch'], ['jobs'], ['delete', 'get', 'list', 'watch']), EVENTS],
  'ttl-controller': [r([''], ['nodes'], ['list', 'patch', 'update', 'watch']), EVENTS],
};
