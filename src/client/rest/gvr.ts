/** Well-known GroupVersionResources, so callers don't spell them out (`gvr.pods`). */
import type { GroupVersionResource } from '../../api/types.js';

const core = (resource: string): GroupVersionResource => ({ group: '', version: 'v1', resource });
const g = (group: string, version: string, resource: string): GroupVersionResource => ({ group, version, resource });

export const gvr = {
  pods: core('pods'),
  nodes: core('nodes'),
  namespaces: core('namespaces'),
  services: core('services'),
  endpoints: core('endpoints'),
  events: core('events'),
  configmaps: core('configmaps'),
  secrets: core('secrets'),
  serviceaccounts: core('serviceaccounts'),
  persistentvolumes: core('persistentvolumes'),
  persistentvolumeclaims: core('persistentvolumeclaims'),
  replicationcontrollers: core('replicationcontrollers'),
  resourcequotas: core('resourcequotas'),
  limitranges: core('limitranges'),
  deployments: g('apps', 'v1', 'deployments'),
  replicasets: g('apps', 'v1', 'replicasets'),
  statefulsets: g('apps', 'v1', 'statefulsets'),
  daemonsets: g('apps', 'v1', 'daemonsets'),
  controllerrevisions: g('apps', 'v1', 'controllerrevisions'),
  jobs: g('batch', 'v1', 'jobs'),
  cronjobs: g('batch', 'v1', 'cronjobs'),
  leases: g('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: g('discovery.k8s.io', 'v1', 'endpointslices'),
  ingresses: g('networking.k8s.io', 'v1', 'ingresses'),
  networkpolicies: g('networking.k8s.io', 'v1', 'networkpolicies'),
  poddisruptionbudgets: g('policy', 'v1', 'poddisruptionbudgets'),
  horizontalpodautoscalers: g('autoscaling', 'v2', 'horizontalpodautoscalers'),
  priorityclasses: g('scheduling.k8s.io', 'v1', 'priorityclasses'),
  storageclasses: g('storage.k8s.io', 'v1', 'storageclasses'),
  customresourcedefinitions: g('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'),
  roles: g('rbac.authorization.k8s.io', 'v1', 'roles'),
  rolebindings: g('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  clusterroles: g('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
  clusterrolebindings: g('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
  certificatesigningrequests: g('certificates.k8s.io', 'v1', 'certificatesigningrequests'),
} as const satisfies Record<string, GroupVersionResource>;
