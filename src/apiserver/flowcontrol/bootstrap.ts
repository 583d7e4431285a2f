/**
 * The API Priority and Fairness configuration an apiserver starts with, as
 * flowcontrol.apiserver.k8s.io/v1 objects: upstream's mandatory and suggested
 * PriorityLevelConfigurations and FlowSchemas
 * (k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/default.go, v1 era: nominal
 * concurrency shares and lendable percents). Every object carries
 * `apf.kubernetes.io/autoupdate-spec: "true"`, so the config manager may keep it
 * in line with this file.
 *
 * The objects are shared, frozen values: callers that want to store or mutate one
 * must copy it first (e.g. `structuredClone`).
 */
import type {
  FlowSchema,
  NonResourcePolicyRule,
  PolicyRulesWithSubjects,
  PriorityLevelConfiguration,
  PriorityLevelConfigurationSpec,
  ResourcePolicyRule,
  Subject,
} from 'kubernetes-types/flowcontrol/v1.js';

/** AutoUpdateAnnotationKey: set to "true" on objects the apiserver keeps up to date. */
export const autoUpdateAnnotationKey = 'apf.kubernetes.io/autoupdate-spec';

const apiVersion = 'flowcontrol.apiserver.k8s.io/v1';

// Wildcards and well-known names, as in k8s.io/api/flowcontrol and k8s.io/apiserver/pkg/authentication.
const all = '*';
const systemMasters = 'system:masters';
const allAuthenticated = 'system:authenticated';
const allUnauthenticated = 'system:unauthenticated';
const nodesGroup = 'system:nodes';
const serviceAccountsGroup = 'system:serviceaccounts';
const kubeControllerManager = 'system:kube-controller-manager';
const kubeScheduler = 'system:kube-scheduler';

function priorityLevel(name: string, spec: PriorityLevelConfigurationSpec): PriorityLevelConfiguration {
  return {
    apiVersion,
    kind: 'PriorityLevelConfiguration',
    metadata: { name, annotations: { [autoUpdateAnnotationKey]: 'true' } },
    spec,
  };
}

function queued(shares: number, lendablePercent: number, queues: number, handSize: number, queueLengthLimit: number): PriorityLevelConfigurationSpec {
  return {
    type: 'Limited',
    limited: {
      nominalConcurrencyShares: shares,
      lendablePercent,
      limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit } },
    },
  };
}

function flowSchema(
  name: string,
  priorityLevelName: string,
  matchingPrecedence: number,
  distinguisher: 'ByUser' | 'ByNamespace' | undefined,
  rules: PolicyRulesWithSubjects,
): FlowSchema {
  return {
    apiVersion,
    kind: 'FlowSchema',
    metadata: { name, annotations: { [autoUpdateAnnotationKey]: 'true' } },
    spec: {
      priorityLevelConfiguration: { name: priorityLevelName },
      matchingPrecedence,
      ...(distinguisher !== undefined ? { distinguisherMethod: { type: distinguisher } } : {}),
      rules: [rules],
    },
  };
}

const groups = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]): Subject[] => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = (...names: string[]): Subject[] =>
  names.map((name) => ({ kind: 'ServiceAccount', serviceAccount: { namespace: 'kube-system', name } }));

function resourceRule(verbs: string[], apiGroups: string[], resources: string[], namespaces: string[], clusterScope: boolean): ResourcePolicyRule {
  return { verbs, apiGroups, resources, namespaces, clusterScope };
}

const everyResource = (): ResourcePolicyRule[] => [resourceRule([all], [all], [all], [all], true)];
const everyNonResource = (): NonResourcePolicyRule[] => [{ verbs: [all], nonResourceURLs: [all] }];
const everything = (subjects: Subject[]): PolicyRulesWithSubjects => ({
  subjects,
  resourceRules: everyResource(),
  nonResourceRules: everyNonResource(),
});

// Mandatory priority levels.
const plExempt = priorityLevel('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } });
const plCatchAll = priorityLevel('catch-all', {
  type: 'Limited',
  limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } },
});

// Suggested priority levels.
const plSystem = priorityLevel('system', queued(30, 33, 64, 6, 50));
const plNodeHigh = priorityLevel('node-high', queued(40, 25, 64, 6, 50));
const plLeaderElection = priorityLevel('leader-election', queued(10, 0, 16, 4, 50));
const plWorkloadHigh = priorityLevel('workload-high', queued(40, 50, 128, 6, 50));
const plWorkloadLow = priorityLevel('workload-low', queued(100, 90, 128, 6, 50));
const plGlobalDefault = priorityLevel('global-default', queued(20, 50, 128, 6, 50));

// Mandatory flow schemas.
const fsExempt = flowSchema('exempt', 'exempt', 1, undefined, everything(groups(systemMasters)));
const fsCatchAll = flowSchema('catch-all', 'catch-all', 10000, 'ByUser', everything(groups(allUnauthenticated, allAuthenticated)));

// Suggested flow schemas.
const fsSystemNodes = flowSchema('system-nodes', 'system', 500, 'ByUser', everything(groups(nodesGroup)));
// Node health (Node status, node Leases) gets its own level so nodes can report
// health even while pod startup traffic saturates "system".
const fsSystemNodeHigh = flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
  subjects: groups(nodesGroup),
  resourceRules: [
    resourceRule([all], [''], ['nodes', 'nodes/status'], [all], true),
    resourceRule([all], ['coordination.k8s.io'], ['leases'], [all], false),
  ],
});
const fsProbes = flowSchema('probes', 'exempt', 2, undefined, {
  subjects: groups(allUnauthenticated, allAuthenticated),
  nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
});
const fsSystemLeaderElection = flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
  subjects: [...users(kubeControllerManager, kubeScheduler), ...kubeSystemServiceAccounts(all)],
  // Leases only: upstream dropped the kube-system endpoints/configmaps rule with those locks.
  resourceRules: [resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], [all], false)],
});
// Keeps the endpoints controller's writes out of workload-leader-election below.
const fsEndpointController = flowSchema('endpoint-controller', 'workload-high', 150, 'ByUser', {
  subjects: [...users(kubeControllerManager), ...kubeSystemServiceAccounts('endpoint-controller', 'endpointslicemirroring-controller')],
  resourceRules: [resourceRule(['get', 'create', 'update'], [''], ['endpoints'], [all], false)],
});
const fsWorkloadLeaderElection = flowSchema('workload-leader-election', 'leader-election', 200, 'ByUser', {
  subjects: kubeSystemServiceAccounts(all),
  resourceRules: [
    resourceRule(['get', 'create', 'update'], [''], ['endpoints', 'configmaps'], [all], false),
    resourceRule(['get', 'create', 'update'], ['coordination.k8s.io'], ['leases'], [all], false),
  ],
});
const fsKubeControllerManager = flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', everything(users(kubeControllerManager)));
const fsKubeScheduler = flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', everything(users(kubeScheduler)));
const fsKubeSystemServiceAccounts = flowSchema(
  'kube-system-service-accounts',
  'workload-high',
  900,
  'ByNamespace',
  everything(kubeSystemServiceAccounts(all)),
);
const fsServiceAccounts = flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', everything(groups(serviceAccountsGroup)));
const fsGlobalDefault = flowSchema('global-default', 'global-default', 9900, 'ByUser', everything(groups(allUnauthenticated, allAuthenticated)));

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** mandatoryPriorityLevels: the levels every apiserver must have (exempt, catch-all). */
export const mandatoryPriorityLevels: readonly PriorityLevelConfiguration[] = deepFreeze([plExempt, plCatchAll]);
/** mandatoryFlowSchemas: the flow schemas every apiserver must have (exempt, catch-all). */
export const mandatoryFlowSchemas: readonly FlowSchema[] = deepFreeze([fsExempt, fsCatchAll]);
/** suggestedPriorityLevels: upstream's suggested levels, created when absent. */
export const suggestedPriorityLevels: readonly PriorityLevelConfiguration[] = deepFreeze([
  plSystem,
  plNodeHigh,
  plLeaderElection,
  plWorkloadHigh,
  plWorkloadLow,
  plGlobalDefault,
]);
/** suggestedFlowSchemas: upstream's suggested flow schemas, created when absent. */
export const suggestedFlowSchemas: readonly FlowSchema[] = deepFreeze([
  fsSystemNodes,
  fsSystemNodeHigh,
  fsProbes,
  fsSystemLeaderElection,
  fsWorkloadLeaderElection,
  fsEndpointController,
  fsKubeControllerManager,
  fsKubeScheduler,
  fsKubeSystemServiceAccounts,
  fsServiceAccounts,
  fsGlobalDefault,
]);

/** bootstrapPriorityLevels: mandatory then suggested priority levels (frozen; copy before mutating). */
export const bootstrapPriorityLevels: PriorityLevelConfiguration[] = [...mandatoryPriorityLevels, ...suggestedPriorityLevels];
/** bootstrapFlowSchemas: mandatory then suggested flow schemas (frozen; copy before mutating). */
export const bootstrapFlowSchemas: FlowSchema[] = [...mandatoryFlowSchemas, ...suggestedFlowSchemas];

/**
 * isMandatory reports whether the named object is one of upstream's mandatory
 * configuration objects (exempt and catch-all, for both kinds), which the
 * apiserver recreates when deleted.
 */
export function isMandatory(kind: 'FlowSchema' | 'PriorityLevelConfiguration', name: string): boolean {
  const list: readonly (FlowSchema | PriorityLevelConfiguration)[] = kind === 'FlowSchema' ? mandatoryFlowSchemas : mandatoryPriorityLevels;
  return list.some((o) => o.metadata?.name === name);
}
