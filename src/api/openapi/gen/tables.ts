/**
 * Facts upstream's OpenAPI carries that the kubernetes-types declarations lost: Go struct tags
 * (patch strategy, merge key, list type) and integer widths. Hand-maintained from upstream's
 * types.go files; keys are `<dir>/<version>.<Type>.<field>` as in node_modules/kubernetes-types.
 */

export interface ListTags {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
}

const mergeBy = (key: string, listMapKeys: string[] = [key]): ListTags => ({
  patchStrategy: 'merge',
  patchMergeKey: key,
  listType: 'map',
  listMapKeys,
});
const atomic: ListTags = { listType: 'atomic' };
const conditions: ListTags = { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'map', listMapKeys: ['type'] };

const containerLists = {
  ports: mergeBy('containerPort', ['containerPort', 'protocol']),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
  resizePolicy: atomic,
  envFrom: atomic,
  command: atomic,
  args: atomic,
};

/** listTags maps a field to its struct tags; fields not listed have none. */
export const listTags: Record<string, Record<string, ListTags>> = {
  'core/v1.PodSpec': {
    volumes: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
    initContainers: mergeBy('name'),
    containers: mergeBy('name'),
    ephemeralContainers: mergeBy('name'),
    imagePullSecrets: mergeBy('name'),
    hostAliases: mergeBy('ip'),
    tolerations: atomic,
    topologySpreadConstraints: mergeBy('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    resourceClaims: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
    schedulingGates: mergeBy('name'),
    readinessGates: atomic,
  },
  'core/v1.Container': containerLists,
  'core/v1.EphemeralContainer': containerLists,
  'core/v1.PodStatus': {
    conditions,
    podIPs: mergeBy('ip'),
    hostIPs: { patchStrategy: 'merge', patchMergeKey: 'ip', listType: 'atomic' },
    resourceClaimStatuses: { ...mergeBy('name'), patchStrategy: 'merge,retainKeys' },
    initContainerStatuses: atomic,
    containerStatuses: atomic,
    ephemeralContainerStatuses: atomic,
  },
  'core/v1.PodSecurityContext': { supplementalGroups: atomic, sysctls: atomic },
  'core/v1.Capabilities': { add: atomic, drop: atomic },
  'core/v1.ResourceRequirements': { claims: { listType: 'map', listMapKeys: ['name'] } },
  'core/v1.NodeSpec': { podCIDRs: { patchStrategy: 'merge', listType: 'set' }, taints: atomic },
  'core/v1.NodeStatus': { conditions, addresses: mergeBy('type'), images: atomic, volumesInUse: atomic, volumesAttached: atomic },
  'core/v1.ServiceSpec': {
    ports: mergeBy('port', ['port', 'protocol']),
    clusterIPs: atomic,
    ipFamilies: atomic,
    externalIPs: atomic,
    loadBalancerSourceRanges: atomic,
  },
  'core/v1.ServiceStatus': { conditions },
  'core/v1.LoadBalancerIngress': { ports: atomic },
  'core/v1.NamespaceStatus': { conditions },
  'core/v1.PersistentVolumeClaimStatus': { conditions },
  'core/v1.ReplicationControllerStatus': { conditions },
  'core/v1.ComponentStatus': { conditions },
  'core/v1.ServiceAccount': { secrets: { patchStrategy: 'merge', patchMergeKey: 'name' }, imagePullSecrets: atomic },
  'core/v1.NodeSelectorTerm': { matchExpressions: atomic, matchFields: atomic },
  'core/v1.NodeSelector': { nodeSelectorTerms: atomic },
  'apps/v1.DeploymentStatus': { conditions },
  'apps/v1.ReplicaSetStatus': { conditions },
  'apps/v1.StatefulSetStatus': { conditions },
  'apps/v1.DaemonSetStatus': { conditions },
  'apps/v1.StatefulSetSpec': { volumeClaimTemplates: atomic },
  'batch/v1.JobStatus': { conditions: { patchStrategy: 'merge', patchMergeKey: 'type', listType: 'atomic' } },
  'batch/v1.CronJobStatus': { active: atomic },
  'autoscaling/v2.HorizontalPodAutoscalerStatus': { conditions },
  'autoscaling/v2.HorizontalPodAutoscalerSpec': { metrics: atomic },
  'policy/v1.PodDisruptionBudgetStatus': { conditions },
  'networking/v1.IngressSpec': { rules: atomic, tls: atomic },
  'meta/v1.ObjectMeta': {
    finalizers: { patchStrategy: 'merge', listType: 'set' },
    ownerReferences: mergeBy('uid'),
  },
  'meta/v1.LabelSelector': { matchExpressions: atomic },
  'meta/v1.LabelSelectorRequirement': { values: atomic },
  'apiextensions/v1.CustomResourceDefinitionStatus': { conditions: { listType: 'map', listMapKeys: ['type'] } },
  'certificates/v1.CertificateSigningRequestStatus': { conditions: { listType: 'map', listMapKeys: ['type'] } },
};

/** int64Fields are fields upstream declares int64 (every other integer is int32). */
export const int64Fields = new Set([
  'activeDeadlineSeconds',
  'terminationGracePeriodSeconds',
  'gracePeriodSeconds',
  'deletionGracePeriodSeconds',
  'generation',
  'observedGeneration',
  'runAsUser',
  'runAsGroup',
  'fsGroup',
  'supplementalGroups',
  'tolerationSeconds',
  'expirationSeconds',
  'remainingItemCount',
  'startingDeadlineSeconds',
  'revision',
  'sizeBytes',
  'maxLength',
  'minLength',
  'maxItems',
  'minItems',
  'maxProperties',
  'minProperties',
  'limit',
]);

/** doubleFields are `<Type>.<field>` numbers that are floats upstream. */
export const doubleFields = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

/**
 * packagePrefix maps a kubernetes-types file (without `.d.ts`) to upstream's definition
 * name prefix.
 */
export function packagePrefix(file: string): string {
  if (file === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (file === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (file === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (file === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (file === 'apiextensions/v1') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
  return 'io.k8s.api.' + file.replace('/', '.');
}
