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

const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/**
 * Upstream's RuleWithOperations embeds Rule (resources, scope); kubernetes-types' generator drops
 * embedded structs, so webhook rules would lose their resources under strict field validation.
 */
const embeddedRuleFields: Record<string, Record<string, unknown>> = {
  resources: {
    description:
      "Resources is a list of resources this rule applies to. '*' means all resources; 'pods/*' means all subresources of pods; '*/scale' means scale subresources of all resources. Required.",
    type: 'array',
    items: { type: 'string' },
    'x-kubernetes-list-type': 'atomic',
  },
  scope: {
    description: 'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*". Default is "*".',
    type: 'string',
  },
};

/**
 * extraProperties are fields upstream has that kubernetes-types cannot declare (JSON names with
 * dashes): JSONSchemaProps' `x-kubernetes-*` extensions. Without them every CRD using
 * x-kubernetes-preserve-unknown-fields would fail strict field validation.
 */
export const extraProperties: Record<string, Record<string, Record<string, unknown>>> = {
  [`${APIEXT}.JSONSchemaProps`]: {
    'x-kubernetes-embedded-resource': {
      description:
        'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta. The type must be object. It is allowed to further restrict the embedded object. kind, apiVersion and metadata are validated automatically. x-kubernetes-preserve-unknown-fields is allowed to be true, but does not have to be if the object is fully specified (up to kind, apiVersion, metadata).',
      type: 'boolean',
    },
    'x-kubernetes-int-or-string': {
      description:
        'x-kubernetes-int-or-string specifies that this value is either an integer or a string. If this is true, an empty type is allowed and type as child of anyOf is permitted if following one of the following patterns:\n\n1) anyOf:\n   - type: integer\n   - type: string\n2) allOf:\n   - anyOf:\n     - type: integer\n     - type: string\n   - ... zero or more',
      type: 'boolean',
    },
    'x-kubernetes-list-map-keys': {
      description:
        'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.\n\nThis tag MUST only be used on lists that have the "x-kubernetes-list-type" extension set to "map". Also, the values specified for this attribute must be a scalar typed field of the child structure (no nesting is supported).\n\nThe properties specified must either be required or have a default value, to ensure those properties are present for all list items.',
      type: 'array',
      items: { type: 'string' },
      'x-kubernetes-list-type': 'atomic',
    },
    'x-kubernetes-list-type': {
      description:
        'x-kubernetes-list-type annotates an array to further describe its topology. This extension must only be used on lists and may have 3 possible values:\n\n1) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic lists will be entirely replaced when updated. This extension\n     may be used on any type of list (struct, scalar, ...).\n2) `set`:\n     Sets are lists that must not have multiple items with the same value. Each\n     value must be a scalar, an object with x-kubernetes-map-type `atomic` or an\n     array with x-kubernetes-list-type `atomic`.\n3) `map`:\n     These lists are like maps in that their elements have a non-index key\n     used to identify them. Order is preserved upon merge. The map tag\n     must only be used on a list with elements of type object.\nDefaults to atomic for arrays.',
      type: 'string',
    },
    'x-kubernetes-map-type': {
      description:
        'x-kubernetes-map-type annotates an object to further describe its topology. This extension must only be used when type is object and may have 2 possible values:\n\n1) `granular`:\n     These maps are actual maps (key-value pairs) and each fields are independent\n     from each other (they can each be manipulated by separate actors). This is\n     the default behaviour for all maps.\n2) `atomic`: the list is treated as a single entity, like a scalar.\n     Atomic maps will be entirely replaced when updated.',
      type: 'string',
    },
    'x-kubernetes-preserve-unknown-fields': {
      description:
        'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema. This affects fields recursively, but switches back to normal pruning behaviour if nested properties or additionalProperties are specified in the schema. This can either be true or undefined. False is forbidden.',
      type: 'boolean',
    },
    'x-kubernetes-validations': {
      description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.',
      type: 'array',
      items: { $ref: `#/definitions/${APIEXT}.ValidationRule` },
      'x-kubernetes-list-map-keys': ['rule'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'rule',
      'x-kubernetes-patch-strategy': 'merge',
    },
  },
  ...Object.fromEntries(
    ['v1', 'v1beta1', 'v1alpha1'].flatMap((v) =>
      ['RuleWithOperations', 'NamedRuleWithOperations'].map((k) => [`io.k8s.api.admissionregistration.${v}.${k}`, embeddedRuleFields]),
    ),
  ),
};
