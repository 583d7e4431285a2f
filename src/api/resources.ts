/**
 * The table of built-in resources k8ts serves, as kube-apiserver's discovery lists them
 * (`kubectl api-resources`): names, kinds, scope, verbs, short names, categories and
 * subresources. Discovery, OpenAPI and the apiserver's registry are all driven by it.
 *
 * Order matters: within a group, versions are listed newest-preferred first (discovery's
 * preferredVersion is the first version of a group), and groups appear in upstream's order.
 */
import type { ResourceInfo, SubresourceInfo } from './types.js';

/** The verbs of an ordinary read-write resource, as upstream lists them. */
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS_VERBS = ['get', 'patch', 'update'];

const status = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: STATUS_VERBS });
const scale: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: STATUS_VERBS };

interface Spec {
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  subresources?: SubresourceInfo[];
  singular?: string;
}

function group(groupName: string, version: string, specs: Spec[]): ResourceInfo[] {
  return specs.map((s) => {
    const r: ResourceInfo = {
      group: groupName,
      version,
      resource: s.resource,
      singular: s.singular ?? s.kind.toLowerCase(),
      kind: s.kind,
      listKind: `${s.kind}List`,
      namespaced: s.namespaced ?? true,
      verbs: s.verbs ?? ALL_VERBS,
    };
    if (s.shortNames) r.shortNames = s.shortNames;
    if (s.categories) r.categories = s.categories;
    if (s.subresources) r.subresources = s.subresources;
    return r;
  });
}

const all = ['all'];

const hpa = (version: string): ResourceInfo[] =>
  group('autoscaling', version, [
    { resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], categories: all, subresources: [status('HorizontalPodAutoscaler')] },
  ]);

export const builtinResources: ResourceInfo[] = [
  ...group('', 'v1', [
    { resource: 'bindings', kind: 'Binding', verbs: ['create'] },
    { resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
    { resource: 'endpoints', kind: 'Endpoints', shortNames: ['ep'], singular: 'endpoints' },
    { resource: 'events', kind: 'Event', shortNames: ['ev'] },
    { resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'] },
    {
      resource: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      shortNames: ['ns'],
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: [status('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
    },
    { resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: [status('Node')] },
    { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], subresources: [status('PersistentVolumeClaim')] },
    { resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], subresources: [status('PersistentVolume')] },
    {
      resource: 'pods',
      kind: 'Pod',
      shortNames: ['po'],
      categories: all,
      subresources: [
        status('Pod'),
        { name: 'binding', kind: 'Binding', verbs: ['create'] },
        { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
        { name: 'log', kind: 'Pod', verbs: ['get'] },
        { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
        { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
        { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      ],
    },
    { resource: 'podtemplates', kind: 'PodTemplate' },
    { resource: 'replicationcontrollers', kind: 'ReplicationController', shortNames: ['rc'], categories: all, subresources: [status('ReplicationController'), scale] },
    { resource: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], subresources: [status('ResourceQuota')] },
    { resource: 'secrets', kind: 'Secret' },
    {
      resource: 'serviceaccounts',
      kind: 'ServiceAccount',
      shortNames: ['sa'],
      subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
    },
    {
      resource: 'services',
      kind: 'Service',
      shortNames: ['svc'],
      categories: all,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: [status('Service')],
    },
  ]),
  ...group('admissionregistration.k8s.io', 'v1', [
    { resource: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false, categories: ['api-extensions'] },
    { resource: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false, categories: ['api-extensions'] },
  ]),
  ...group('apps', 'v1', [
    { resource: 'controllerrevisions', kind: 'ControllerRevision' },
    { resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], categories: all, subresources: [status('DaemonSet')] },
    { resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], categories: all, subresources: [status('Deployment'), scale] },
    { resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], categories: all, subresources: [status('ReplicaSet'), scale] },
    { resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], categories: all, subresources: [status('StatefulSet'), scale] },
  ]),
  // The review APIs are create-only and never stored (served by src/apiserver/auth).
  ...group('authentication.k8s.io', 'v1', [
    { resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] },
    { resource: 'tokenreviews', kind: 'TokenReview', namespaced: false, verbs: ['create'] },
  ]),
  ...group('authorization.k8s.io', 'v1', [
    { resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', verbs: ['create'] },
    { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
    { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false, verbs: ['create'] },
    { resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false, verbs: ['create'] },
  ]),
  ...hpa('v2'),
  ...hpa('v1'),
  ...group('batch', 'v1', [
    { resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], categories: all, subresources: [status('CronJob')] },
    { resource: 'jobs', kind: 'Job', categories: all, subresources: [status('Job')] },
  ]),
  ...group('certificates.k8s.io', 'v1', [
    {
      resource: 'certificatesigningrequests',
      kind: 'CertificateSigningRequest',
      namespaced: false,
      shortNames: ['csr'],
      subresources: [status('CertificateSigningRequest'), { name: 'approval', kind: 'CertificateSigningRequest', verbs: ['get', 'patch', 'update'] }],
    },
  ]),
  ...group('coordination.k8s.io', 'v1', [{ resource: 'leases', kind: 'Lease' }]),
  ...group('discovery.k8s.io', 'v1', [{ resource: 'endpointslices', kind: 'EndpointSlice' }]),
  ...group('events.k8s.io', 'v1', [{ resource: 'events', kind: 'Event', shortNames: ['ev'] }]),
  ...group('flowcontrol.apiserver.k8s.io', 'v1', [
    { resource: 'flowschemas', kind: 'FlowSchema', namespaced: false, subresources: [status('FlowSchema')] },
    { resource: 'prioritylevelconfigurations', kind: 'PriorityLevelConfiguration', namespaced: false, subresources: [status('PriorityLevelConfiguration')] },
  ]),
  ...group('networking.k8s.io', 'v1', [
    { resource: 'ingressclasses', kind: 'IngressClass', namespaced: false },
    { resource: 'ingresses', kind: 'Ingress', shortNames: ['ing'], subresources: [status('Ingress')] },
    { resource: 'networkpolicies', kind: 'NetworkPolicy', shortNames: ['netpol'] },
  ]),
  ...group('node.k8s.io', 'v1', [{ resource: 'runtimeclasses', kind: 'RuntimeClass', namespaced: false }]),
  ...group('policy', 'v1', [
    { resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], subresources: [status('PodDisruptionBudget')] },
  ]),
  ...group('rbac.authorization.k8s.io', 'v1', [
    { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
    { resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
    { resource: 'rolebindings', kind: 'RoleBinding' },
    { resource: 'roles', kind: 'Role' },
  ]),
  ...group('scheduling.k8s.io', 'v1', [{ resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'] }]),
  ...group('storage.k8s.io', 'v1', [
    { resource: 'csidrivers', kind: 'CSIDriver', namespaced: false },
    { resource: 'csinodes', kind: 'CSINode', namespaced: false },
    { resource: 'csistoragecapacities', kind: 'CSIStorageCapacity' },
    { resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] },
    { resource: 'volumeattachments', kind: 'VolumeAttachment', namespaced: false, subresources: [status('VolumeAttachment')] },
  ]),
];

/** findResource looks a resource up by group, version and plural name. */
export function findResource(groupName: string, version: string, resource: string): ResourceInfo | undefined {
  return builtinResources.find((r) => r.group === groupName && r.version === version && r.resource === resource);
}

/** findKind looks a resource up by group, version and kind. */
export function findKind(groupName: string, version: string, kind: string): ResourceInfo | undefined {
  return builtinResources.find((r) => r.group === groupName && r.version === version && r.kind === kind);
}
