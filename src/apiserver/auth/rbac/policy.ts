/**
 * The default RBAC policy kube-apiserver creates at start-up (upstream's
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy, whose testdata/cluster-roles.yaml and
 * cluster-role-bindings.yaml are the expected output): cluster roles with their exact rules,
 * aggregation rules and aggregate-to labels, and the cluster role bindings. Every object
 * carries `kubernetes.io/bootstrapping: rbac-defaults` and
 * `rbac.authorization.kubernetes.io/autoupdate: "true"`.
 */
import { controllerRoleRules } from './controllers.js';
import type { PolicyRule, RoleRef, Subject } from './rules.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const AUTOUPDATE_ANNOTATION = 'rbac.authorization.kubernetes.io/autoupdate';
export const BOOTSTRAPPING_LABEL = 'kubernetes.io/bootstrapping';

export interface ClusterRole {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRole';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelector[] };
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface ClusterRoleBinding {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'ClusterRoleBinding';
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  roleRef: RoleRef;
  subjects?: Subject[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const READ_WRITE = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const EVENTS_WRITE = ['create', 'patch', 'update'];

const r = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): PolicyRule =>
  resourceNames ? { apiGroups, resources, resourceNames, verbs } : { apiGroups, resources, verbs };
const nr = (nonResourceURLs: string[], verbs: string[]): PolicyRule => ({ nonResourceURLs, verbs });

const AGG_ADMIN = 'rbac.authorization.k8s.io/aggregate-to-admin';
const AGG_EDIT = 'rbac.authorization.k8s.io/aggregate-to-edit';
const AGG_VIEW = 'rbac.authorization.k8s.io/aggregate-to-view';

interface RoleSpec {
  name: string;
  rules?: PolicyRule[];
  aggregateFrom?: string;
  labels?: Record<string, string>;
}

const roleSpecs: RoleSpec[] = [
  { name: 'admin', aggregateFrom: AGG_ADMIN },
  { name: 'cluster-admin', rules: [r(['*'], ['*'], ['*']), nr(['*'], ['*'])] },
  { name: 'edit', aggregateFrom: AGG_EDIT, labels: { [AGG_ADMIN]: 'true' } },
  {
    name: 'system:aggregate-to-admin',
    labels: { [AGG_ADMIN]: 'true' },
    rules: [r(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']), r([RBAC_GROUP], ['rolebindings', 'roles'], READ_WRITE)],
  },
  {
    name: 'system:aggregate-to-edit',
    labels: { [AGG_EDIT]: 'true' },
    rules: [
      r([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
      r([''], ['serviceaccounts'], ['impersonate']),
      r([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
      r([''], ['pods/eviction'], ['create']),
      r([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], WRITE),
      r([''], ['serviceaccounts/token'], ['create']),
      r(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
      r(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
      r(['batch'], ['cronjobs', 'jobs'], WRITE),
      r(['extensions'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], WRITE),
      r(['policy'], ['poddisruptionbudgets'], WRITE),
      r(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
      r(['coordination.k8s.io'], ['leases'], READ_WRITE),
    ],
  },
  {
    name: 'system:aggregate-to-view',
    labels: { [AGG_VIEW]: 'true' },
    rules: [
      r([''], ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], READ),
      r([''], ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], READ),
      r([''], ['namespaces'], READ),
      r(['discovery.k8s.io'], ['endpointslices'], READ),
      r(['apps'], ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], READ),
      r(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
      r(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
      r(['extensions'], ['daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'ingresses', 'ingresses/status', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicasets/status', 'replicationcontrollers/scale'], READ),
      r(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
      r(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
    ],
  },
  { name: 'system:auth-delegator', rules: [r(['authentication.k8s.io'], ['tokenreviews'], ['create']), r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])] },
  {
    name: 'system:basic-user',
    rules: [r(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), r(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])],
  },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', rules: [r(['certificates.k8s.io'], ['certificatesigningrequests/nodeclient'], ['create'])] },
  { name: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', rules: [r(['certificates.k8s.io'], ['certificatesigningrequests/selfnodeclient'], ['create'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-approver', rules: [r(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client'])] },
  { name: 'system:certificates.k8s.io:kube-apiserver-client-kubelet-approver', rules: [r(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kube-apiserver-client-kubelet'])] },
  { name: 'system:certificates.k8s.io:kubelet-serving-approver', rules: [r(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/kubelet-serving'])] },
  { name: 'system:certificates.k8s.io:legacy-unknown-approver', rules: [r(['certificates.k8s.io'], ['signers'], ['approve'], ['kubernetes.io/legacy-unknown'])] },
  { name: 'system:discovery', rules: [nr(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], ['get'])] },
  { name: 'system:heapster', rules: [r([''], ['events', 'namespaces', 'nodes', 'pods'], READ), r(['extensions'], ['deployments'], READ)] },
  { name: 'system:kube-aggregator', rules: [r([''], ['endpoints', 'services'], READ)] },
  {
    name: 'system:kube-controller-manager',
    rules: [
      r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE),
      r(['coordination.k8s.io'], ['leases'], ['create']),
      r(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-controller-manager']),
      r([''], ['secrets', 'serviceaccounts'], ['create']),
      r([''], ['secrets'], ['delete']),
      r([''], ['configmaps', 'namespaces', 'secrets', 'serviceaccounts'], ['get']),
      r([''], ['secrets', 'serviceaccounts'], ['update']),
      r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
      r(['*'], ['*'], ['list', 'watch']),
      r([''], ['serviceaccounts/token'], ['create']),
    ],
  },
  { name: 'system:kube-dns', rules: [r([''], ['endpoints', 'services'], ['list', 'watch'])] },
  {
    name: 'system:kube-scheduler',
    rules: [
      r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE),
      r(['coordination.k8s.io'], ['leases'], ['create']),
      r(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['kube-scheduler']),
      r([''], ['nodes'], READ),
      r([''], ['pods'], ['delete', 'get', 'list', 'watch']),
      r([''], ['bindings', 'pods/binding'], ['create']),
      r([''], ['pods/status'], ['patch', 'update']),
      r([''], ['replicationcontrollers', 'services'], READ),
      r(['apps', 'extensions'], ['replicasets'], READ),
      r(['apps'], ['statefulsets'], READ),
      r(['policy'], ['poddisruptionbudgets'], READ),
      r([''], ['persistentvolumeclaims', 'persistentvolumes'], READ),
      r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      r(['authorization.k8s.io'], ['subjectaccessreviews'], ['create']),
      r(['storage.k8s.io'], ['csinodes'], READ),
      r([''], ['namespaces'], READ),
      r(['storage.k8s.io'], ['csidrivers'], READ),
      r(['storage.k8s.io'], ['csistoragecapacities'], READ),
    ],
  },
  { name: 'system:kubelet-api-admin', rules: [r([''], ['nodes'], READ), r([''], ['nodes'], ['proxy']), r([''], ['nodes/log', 'nodes/metrics', 'nodes/proxy', 'nodes/stats'], ['*'])] },
  { name: 'system:monitoring', rules: [nr(['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], ['get'])] },
  {
    name: 'system:node',
    rules: [
      r(['authentication.k8s.io'], ['tokenreviews'], ['create']),
      r(['authorization.k8s.io'], ['localsubjectaccessreviews', 'subjectaccessreviews'], ['create']),
      r([''], ['services'], READ),
      r([''], ['nodes'], ['create', 'get', 'list', 'watch']),
      r([''], ['nodes/status'], ['patch', 'update']),
      r([''], ['nodes'], ['patch', 'update']),
      r([''], ['events'], EVENTS_WRITE),
      r([''], ['pods'], READ),
      r([''], ['pods'], ['create', 'delete']),
      r([''], ['pods/status'], ['patch', 'update']),
      r([''], ['pods/eviction'], ['create']),
      r([''], ['configmaps', 'secrets'], READ),
      r([''], ['persistentvolumeclaims', 'persistentvolumes'], ['get']),
      r([''], ['endpoints'], ['get']),
      r(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch']),
      r(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
      r(['storage.k8s.io'], ['volumeattachments'], ['get']),
      r([''], ['serviceaccounts/token'], ['create']),
      r([''], ['persistentvolumeclaims/status'], ['get', 'patch', 'update']),
      r(['storage.k8s.io'], ['csidrivers'], READ),
      r(['storage.k8s.io'], ['csinodes'], ['create', 'delete', 'get', 'patch', 'update']),
      r(['node.k8s.io'], ['runtimeclasses'], READ),
    ],
  },
  { name: 'system:node-bootstrapper', rules: [r(['certificates.k8s.io'], ['certificatesigningrequests'], ['create', 'get', 'list', 'watch'])] },
  { name: 'system:node-problem-detector', rules: [r([''], ['nodes'], ['get']), r([''], ['nodes/status'], ['patch']), r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE)] },
  {
    name: 'system:node-proxier',
    rules: [r([''], ['endpoints', 'services'], ['list', 'watch']), r([''], ['nodes'], READ), r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE), r(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch'])],
  },
  {
    name: 'system:persistent-volume-provisioner',
    rules: [
      r([''], ['persistentvolumes'], ['create', 'delete', 'get', 'list', 'watch']),
      r([''], ['persistentvolumeclaims'], ['get', 'list', 'update', 'watch']),
      r(['storage.k8s.io'], ['storageclasses'], READ),
      r([''], ['events'], ['watch']),
      r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE),
    ],
  },
  { name: 'system:public-info-viewer', rules: [nr(['/healthz', '/livez', '/readyz', '/version', '/version/'], ['get'])] },
  { name: 'system:service-account-issuer-discovery', rules: [nr(['/.well-known/openid-configuration', '/openid/v1/jwks'], ['get'])] },
  {
    name: 'system:volume-scheduler',
    rules: [r([''], ['persistentvolumes'], ['get', 'list', 'patch', 'update', 'watch']), r(['storage.k8s.io'], ['storageclasses'], READ), r([''], ['persistentvolumeclaims'], ['get', 'list', 'patch', 'update', 'watch'])],
  },
  { name: 'view', aggregateFrom: AGG_VIEW, labels: { [AGG_EDIT]: 'true' } },
];

const meta = (name: string, labels: Record<string, string> = {}): ClusterRole['metadata'] => ({
  name,
  labels: { [BOOTSTRAPPING_LABEL]: 'rbac-defaults', ...labels },
  annotations: { [AUTOUPDATE_ANNOTATION]: 'true' },
});

/** bootstrapClusterRoles returns fresh copies of upstream's default cluster roles (controller roles included). */
export function bootstrapClusterRoles(): ClusterRole[] {
  const controllers: RoleSpec[] = Object.entries(controllerRoleRules).map(([name, rules]) => ({ name: `system:controller:${name}`, rules }));
  return [...roleSpecs, ...controllers].map((s) => {
    const role: ClusterRole = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(s.name, s.labels) };
    if (s.aggregateFrom) {
      role.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [s.aggregateFrom]: 'true' } }] };
      role.rules = [];
    } else role.rules = structuredClone(s.rules ?? []);
    return role;
  });
}

const user = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });

const bindingSpecs: { name: string; role?: string; subjects: Subject[] }[] = [
  { name: 'cluster-admin', subjects: [group('system:masters')] },
  { name: 'system:basic-user', subjects: [group('system:authenticated')] },
  { name: 'system:discovery', subjects: [group('system:authenticated')] },
  { name: 'system:kube-controller-manager', subjects: [user('system:kube-controller-manager')] },
  { name: 'system:kube-dns', subjects: [{ kind: 'ServiceAccount', name: 'kube-dns', namespace: 'kube-system' }] },
  { name: 'system:kube-scheduler', subjects: [user('system:kube-scheduler')] },
  { name: 'system:monitoring', subjects: [group('system:monitoring')] },
  // Upstream binds system:node to nobody: the Node authorizer grants kubelets their access.
  { name: 'system:node', subjects: [] },
  { name: 'system:node-proxier', subjects: [user('system:kube-proxy')] },
  { name: 'system:public-info-viewer', subjects: [group('system:authenticated'), group('system:unauthenticated')] },
  { name: 'system:service-account-issuer-discovery', subjects: [group('system:serviceaccounts')] },
  { name: 'system:volume-scheduler', subjects: [user('system:kube-scheduler')] },
];

/**
 * TLS bootstrap bindings, as kubeadm creates for its bootstrap-token group (k8ts's join token
 * authenticates in group system:bootstrappers:k8ts): joining agents may create CSRs and have
 * kubelet client CSRs auto-approved; kubelets may renew their own.
 */
const joinBindingSpecs: { name: string; role: string; subjects: Subject[] }[] = [
  { name: 'k8ts:kubelet-bootstrap', role: 'system:node-bootstrapper', subjects: [group('system:bootstrappers:k8ts')] },
  { name: 'k8ts:node-autoapprove-bootstrap', role: 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', subjects: [group('system:bootstrappers:k8ts')] },
  { name: 'k8ts:node-autoapprove-certificate-rotation', role: 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', subjects: [group('system:nodes')] },
];

/** bootstrapClusterRoleBindings returns fresh copies of upstream's default cluster role bindings (controller and TLS bootstrap bindings included). */
export function bootstrapClusterRoleBindings(): ClusterRoleBinding[] {
  const controllers = Object.keys(controllerRoleRules).map((name) => ({ name: `system:controller:${name}`, subjects: [{ kind: 'ServiceAccount', name, namespace: 'kube-system' }] }));
  return [...bindingSpecs, ...controllers, ...joinBindingSpecs].map((b: { name: string; role?: string; subjects: Subject[] }) => {
    const crb: ClusterRoleBinding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(b.name),
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: b.role ?? b.name },
    };
    if (b.subjects.length) crb.subjects = structuredClone(b.subjects);
    return crb;
  });
}

export interface Role {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'Role';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  rules: PolicyRule[];
}

export interface RoleBinding {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'RoleBinding';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  roleRef: RoleRef;
  subjects?: Subject[];
}

const LEADER_LOCKING = [r(['coordination.k8s.io'], ['leases'], ['create', 'get', 'list', 'update', 'watch']), r(['coordination.k8s.io'], ['leasecandidates'], ['create', 'get', 'list', 'update', 'watch'])];

const namespaceRoleSpecs: { namespace: string; name: string; rules: PolicyRule[] }[] = [
  {
    namespace: 'kube-public',
    name: 'system:controller:bootstrap-signer',
    rules: [r([''], ['configmaps'], READ), r([''], ['configmaps'], ['update'], ['cluster-info']), r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE)],
  },
  { namespace: 'kube-system', name: 'extension-apiserver-authentication-reader', rules: [r([''], ['configmaps'], READ, ['extension-apiserver-authentication'])] },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-controller-manager', rules: LEADER_LOCKING },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', rules: LEADER_LOCKING },
  { namespace: 'kube-system', name: 'system:controller:bootstrap-signer', rules: [r([''], ['secrets'], READ)] },
  { namespace: 'kube-system', name: 'system:controller:cloud-provider', rules: [r([''], ['configmaps'], ['create', 'get', 'list', 'watch'])] },
  { namespace: 'kube-system', name: 'system:controller:token-cleaner', rules: [r([''], ['secrets'], ['delete', 'get', 'list', 'watch']), r(['', 'events.k8s.io'], ['events'], EVENTS_WRITE)] },
];

const sa = (name: string): Subject => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });

const namespaceBindingSpecs: { namespace: string; name: string; role: string; subjects: Subject[] }[] = [
  { namespace: 'kube-public', name: 'system:controller:bootstrap-signer', role: 'system:controller:bootstrap-signer', subjects: [sa('bootstrap-signer')] },
  { namespace: 'kube-system', name: 'system::extension-apiserver-authentication-reader', role: 'extension-apiserver-authentication-reader', subjects: [user('system:kube-controller-manager'), user('system:kube-scheduler')] },
  {
    namespace: 'kube-system',
    name: 'system::leader-locking-kube-controller-manager',
    role: 'system::leader-locking-kube-controller-manager',
    subjects: [user('system:kube-controller-manager'), sa('kube-controller-manager'), sa('leader-election-controller')],
  },
  { namespace: 'kube-system', name: 'system::leader-locking-kube-scheduler', role: 'system::leader-locking-kube-scheduler', subjects: [user('system:kube-scheduler'), sa('kube-scheduler')] },
  { namespace: 'kube-system', name: 'system:controller:bootstrap-signer', role: 'system:controller:bootstrap-signer', subjects: [sa('bootstrap-signer')] },
  { namespace: 'kube-system', name: 'system:controller:cloud-provider', role: 'system:controller:cloud-provider', subjects: [sa('cloud-provider')] },
  { namespace: 'kube-system', name: 'system:controller:token-cleaner', role: 'system:controller:token-cleaner', subjects: [sa('token-cleaner')] },
];

/** bootstrapNamespaceRoles returns upstream's default Roles in kube-system and kube-public. */
export function bootstrapNamespaceRoles(): Role[] {
  return namespaceRoleSpecs.map((s) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { ...meta(s.name), namespace: s.namespace }, rules: structuredClone(s.rules) }));
}

/** bootstrapNamespaceRoleBindings returns upstream's default RoleBindings in kube-system and kube-public. */
export function bootstrapNamespaceRoleBindings(): RoleBinding[] {
  return namespaceBindingSpecs.map((s) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { ...meta(s.name), namespace: s.namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: s.role },
    subjects: structuredClone(s.subjects),
  }));
}
