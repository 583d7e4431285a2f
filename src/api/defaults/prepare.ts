/**
 * Create-time preparation that upstream does in each registry strategy's PrepareForCreate (not in
 * defaulting): fields every stored object of the kind carries from birth. The apiserver calls
 * prepareForCreate after assigning name, uid and creationTimestamp, and before validation.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod, PodCondition, PodStatus, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { Quantity } from '../quantity.js';
import { clone } from '../patch/json.js';

const daemonSetTemplateGeneration = 'deprecated.daemonset.template.generation';
const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
const legacyControllerUidLabel = 'controller-uid';
const jobNameLabel = 'batch.kubernetes.io/job-name';
const legacyJobNameLabel = 'job-name';

/**
 * generateJobSelector gives a Job (unless spec.manualSelector) the selector
 * `batch.kubernetes.io/controller-uid=<uid>` and its template the controller-uid and job-name
 * labels (both the prefixed and the legacy keys), as upstream's generateSelector. Needs metadata.uid.
 */
export function generateJobSelector(job: Job): void {
  const s = job.spec;
  if (!s || s.manualSelector === true) return;
  const uid = job.metadata?.uid ?? '';
  const name = job.metadata?.name ?? '';
  s.template ??= {};
  s.template.metadata ??= {};
  const labels = (s.template.metadata.labels ??= {});
  for (const k of [legacyJobNameLabel, jobNameLabel]) if (!(k in labels)) labels[k] = name;
  for (const k of [legacyControllerUidLabel, controllerUidLabel]) if (!(k in labels)) labels[k] = uid;
  s.selector ??= {};
  s.selector.matchLabels ??= {};
  if (!(controllerUidLabel in s.selector.matchLabels)) s.selector.matchLabels[controllerUidLabel] = uid;
}

/**
 * mirrorServiceAccount keeps the deprecated spec.serviceAccount equal to serviceAccountName, as
 * the v1 conversion does on every read; admission may have set the name after defaulting.
 */
function mirrorServiceAccount(pod: Pod): void {
  const s = pod.spec;
  if (s?.serviceAccountName) s.serviceAccount = s.serviceAccountName;
}

/** podQOSClass computes status.qosClass as upstream's qos.GetPodQOS (cpu and memory only). */
export function podQOSClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const cs: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  let any = false;
  const add = (m: Map<string, Quantity>, k: string, v: string | number): void => {
    try {
      const q = Quantity.parse(v);
      if (q.isZero()) return;
      m.set(k, m.has(k) ? m.get(k)!.add(q) : q);
    } catch {
      // invalid quantities are reported by validation
    }
  };
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const k of ['cpu', 'memory']) {
      if (req[k] !== undefined) {
        add(requests, k, req[k]!);
        any = true;
      }
      if (lim[k] !== undefined) {
        add(limits, k, lim[k]!);
        any = true;
      }
    }
    if (lim['cpu'] === undefined || lim['memory'] === undefined) guaranteed = false;
  }
  if (!any || (requests.size === 0 && limits.size === 0)) return 'BestEffort';
  if (guaranteed) {
    for (const [k, r] of requests) {
      const l = limits.get(k);
      if (!l || l.cmp(r) !== 0) guaranteed = false;
    }
  }
  return guaranteed && limits.size === 2 ? 'Guaranteed' : 'Burstable';
}

/**
 * prepareForCreate applies the registry strategies' PrepareForCreate effects that show in stored
 * objects: status reset to its initial value, Namespace finalizers, Job selector, generation 1
 * for kinds with spec generations. Unknown kinds are left alone.
 */
export function prepareForCreate(gvk: GroupVersionKind, obj: KubeObject): void {
  try {
    prepareForCreateUnguarded(gvk, obj);
  } catch (e) {
    // Wrongly typed input (rejected at decode upstream) is left for validation to report.
    if (!(e instanceof TypeError)) throw e;
  }
}

/**
 * schedulingGatedCondition is the condition upstream's pod strategy (PrepareForCreate,
 * applySchedulingGatedCondition) gives a pod created with scheduling gates, so `kubectl get`
 * shows STATUS SchedulingGated. The status it joins is new, so no PodScheduled condition can be
 * there already. The transition time is the creation time the apiserver has just assigned
 * (upstream takes metav1.Now() in the same request).
 */
function schedulingGatedCondition(pod: Pod): PodCondition {
  return {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null as unknown as string,
    lastTransitionTime: pod.metadata?.creationTimestamp,
    reason: 'SchedulingGated',
    message: 'Scheduling is blocked due to non-empty scheduling gates',
  };
}

function prepareForCreateUnguarded(gvk: GroupVersionKind, obj: KubeObject): void {
  const o = obj as Record<string, unknown> & KubeObject;
  const key = `${gvk.group}/${gvk.kind}`;
  if (generationKinds.has(key)) {
    o.metadata ??= {};
    (o.metadata as { generation?: number }).generation = 1;
  }
  switch (key) {
    case '/Pod': {
      const pod = obj as unknown as Pod;
      mirrorServiceAccount(pod);
      const status: PodStatus = { phase: 'Pending', qosClass: podQOSClass(pod) };
      if (pod.spec?.schedulingGates?.length) status.conditions = [schedulingGatedCondition(pod)];
      (pod as { status?: unknown }).status = status;
      break;
    }
    case '/Namespace': {
      const spec = ((o['spec'] as { finalizers?: string[] } | undefined) ??= {});
      spec.finalizers ??= [];
      if (!spec.finalizers.includes('kubernetes')) spec.finalizers.push('kubernetes');
      o['status'] = { phase: 'Active' };
      break;
    }
    case 'batch/Job':
      generateJobSelector(obj as unknown as Job);
      o['status'] = {};
      break;
    case '/Service':
      o['status'] = { loadBalancer: {} };
      break;
    case 'networking.k8s.io/Ingress':
      o['status'] = { loadBalancer: {} };
      break;
    case 'apps/DaemonSet':
      // templateGeneration (internal) is served as this annotation in apps/v1.
      o.metadata ??= {};
      o.metadata.annotations = { ...(o.metadata.annotations ?? {}), [daemonSetTemplateGeneration]: '1' };
      o['status'] = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
      break;
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'batch/CronJob':
    case '/ReplicationController':
      o['status'] = key === '/ReplicationController' || key === 'apps/ReplicaSet' ? { replicas: 0 } : {};
      break;
    case 'apps/StatefulSet':
      o['status'] = { replicas: 0, availableReplicas: 0 };
      break;
    case '/ResourceQuota':
    case 'flowcontrol.apiserver.k8s.io/FlowSchema':
    case 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration':
      o['status'] = {};
      break;
    case 'policy/PodDisruptionBudget':
      o['status'] = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
      break;
    case 'storage.k8s.io/VolumeAttachment':
      // Status{} serializes with its non-omitempty attached field.
      o['status'] = { attached: false };
      break;
    case 'autoscaling/HorizontalPodAutoscaler':
      o['status'] = gvk.version === 'v1' ? { currentReplicas: 0, desiredReplicas: 0 } : { desiredReplicas: 0 };
      break;
  }
}

/** Kinds whose status is only written through the status subresource. */
const statusKinds = new Set([
  '/Pod', '/Service', '/Namespace', '/Node', '/PersistentVolume', '/PersistentVolumeClaim', '/ResourceQuota', '/ReplicationController',
  'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob', 'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget', 'networking.k8s.io/Ingress', 'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'storage.k8s.io/VolumeAttachment',
]);

type Loose = Record<string, unknown> & { metadata?: Record<string, unknown> };

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Kinds whose metadata.generation counts changes: of their spec, unless generationChanged says
 * otherwise (the one list of them: the store leaves generation to prepareForCreate/Update). Not
 * HorizontalPodAutoscalers: theirs came with the HPAGeneration gate, after v1.32.
 */
const generationKinds = new Set([
  '/ReplicationController', 'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob',
  'networking.k8s.io/Ingress', 'networking.k8s.io/IngressClass', 'networking.k8s.io/NetworkPolicy', 'policy/PodDisruptionBudget',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration', 'storage.k8s.io/CSIDriver',
  '/PodTemplate', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'discovery.k8s.io/EndpointSlice', 'scheduling.k8s.io/PriorityClass',
]);

/**
 * generationChanged holds the upstream strategies whose generation follows something other than
 * the spec: a PodTemplate's template, a webhook configuration's webhooks, an EndpointSlice's
 * labels or anything outside its metadata, and a PriorityClass (generation 1 on create, never
 * bumped: its PrepareForUpdate is empty, and it has no spec).
 */
const generationChanged: Record<string, (n: Loose, o: Loose) => boolean> = {
  '/PodTemplate': (n, o) => !same(n['template'], o['template']),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (n, o) => !same(n['webhooks'], o['webhooks']),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (n, o) => !same(n['webhooks'], o['webhooks']),
  'discovery.k8s.io/EndpointSlice': (n, o) => {
    const { metadata: nm, ...nRest } = n;
    const { metadata: om, ...oRest } = o;
    return !same(nRest, oRest) || !same(nm?.['labels'], om?.['labels']);
  },
  'scheduling.k8s.io/PriorityClass': () => false,
};


/**
 * prepareForUpdate applies the registry strategies' PrepareForUpdate effects on a main-resource
 * update: status is kept from the stored object (it changes only through /status), Namespace
 * finalizers likewise, metadata.generation is bumped when the spec changes (Deployments also on
 * annotation changes), and a DaemonSet's template generation annotation follows its template.
 */
export function prepareForUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): void {
  const key = `${gvk.group}/${gvk.kind}`;
  const n = obj as Loose;
  const o = old as Loose;
  if (statusKinds.has(key)) {
    if (o['status'] === undefined) delete n['status'];
    else n['status'] = clone(o['status']);
  }
  if (key === '/Namespace') {
    const finalizers = (o['spec'] as { finalizers?: string[] } | undefined)?.finalizers;
    const spec = ((n['spec'] as { finalizers?: string[] } | undefined) ??= {});
    if (finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = clone(finalizers);
  }
  n.metadata ??= {};
  // Clients cannot set generation; it is the stored value, bumped below for spec changes.
  const oldGen = (o.metadata?.['generation'] as number | undefined) ?? 0;
  if (o.metadata?.['generation'] === undefined) delete n.metadata['generation'];
  else n.metadata['generation'] = oldGen;
  if (generationKinds.has(key)) {
    const changed = generationChanged[key]?.(n, o) ?? !same(n['spec'], o['spec']);
    const annotationsChanged = key === 'apps/Deployment' && !same(n.metadata['annotations'], o.metadata?.['annotations']);
    if (changed || annotationsChanged) n.metadata['generation'] = oldGen + 1;
  }
  if (key === '/Pod') mirrorServiceAccount(obj as unknown as Pod);
  if (key === '/Service') prepareServiceUpdate(n['spec'] as ServiceSpec | undefined, o['spec'] as ServiceSpec | undefined, n);
  if (key === 'apps/DaemonSet') {
    const oldAnn = (o.metadata?.['annotations'] as Record<string, string> | undefined) ?? {};
    const gen = Number.parseInt(oldAnn[daemonSetTemplateGeneration] ?? '0', 10) || 0;
    const templateChanged = !same((n['spec'] as Loose | undefined)?.['template'], (o['spec'] as Loose | undefined)?.['template']);
    const ann = ((n.metadata['annotations'] as Record<string, string> | undefined) ??= {});
    ann[daemonSetTemplateGeneration] = String(templateChanged ? gen + 1 : gen);
  }
}

/**
 * prepareForStatusUpdate applies the status strategies' PrepareForUpdate: a write to /status keeps
 * the stored spec, and of the metadata only what the kind's upstream strategy resets: a Pod its
 * owner references and deletionTimestamp; Deployments, ReplicaSets, StatefulSets and DaemonSets
 * their labels; the flowcontrol kinds (newer APIs, which opted into upstream's
 * ResetObjectMetaForStatus) labels, annotations, finalizers, owner references, generation and
 * deletionTimestamp. The other classic kinds (Service, Node, Namespace, Job, CronJob, Ingress, ...)
 * keep only their spec: their /status writes may change labels and annotations.
 */
export function prepareForStatusUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): void {
  const key = `${gvk.group}/${gvk.kind}`;
  const n = obj as Loose;
  const o = old as Loose;
  if (o['spec'] === undefined) delete n['spec'];
  else n['spec'] = clone(o['spec']);
  n.metadata ??= {};
  const restore = (field: string): void => {
    const v = o.metadata?.[field];
    if (v === undefined) delete n.metadata![field];
    else n.metadata![field] = clone(v);
  };
  if (key === '/Pod') {
    restore('ownerReferences');
    restore('deletionTimestamp');
    // qosClass is immutable and derived from the spec; a status writer that leaves it out
    // (upstream's kubelet never does) keeps the stored one rather than failing validation.
    const ns = n['status'] as { qosClass?: string } | undefined;
    const os = o['status'] as { qosClass?: string } | undefined;
    if (ns && !ns.qosClass && os?.qosClass) ns.qosClass = os.qosClass;
    return;
  }
  if (APPS_WORKLOADS.has(key)) restore('labels');
  else if (key.startsWith('flowcontrol.apiserver.k8s.io/') || key === 'storage.k8s.io/VolumeAttachment') for (const f of ['deletionTimestamp', 'generation', 'labels', 'annotations', 'finalizers', 'ownerReferences']) restore(f);
}

const APPS_WORKLOADS = new Set(['apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet']);

const needsClusterIP = (s: ServiceSpec): boolean => s.type !== 'ExternalName';
const needsNodePort = (s: ServiceSpec): boolean => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const needsHCNodePort = (s: ServiceSpec): boolean => s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';
const externallyAccessible = (s: ServiceSpec): boolean =>
  s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);

/**
 * prepareServiceUpdate is the service strategy's update preparation: values the cluster
 * allocated (clusterIP(s), nodePorts, healthCheckNodePort) carry over when the new object leaves
 * them unset (patchAllocatedValues), clusterIPs follow a changed clusterIP (NormalizeClusterIPs),
 * and fields the new type no longer uses are dropped if the user did not touch them
 * (dropTypeDependentFields).
 */
function prepareServiceUpdate(n: ServiceSpec | undefined, o: ServiceSpec | undefined, obj: Loose): void {
  if (!n || !o) return;
  if (needsClusterIP(o) && needsClusterIP(n)) {
    if (!n.clusterIP) n.clusterIP = o.clusterIP;
    if ((n.clusterIPs ?? []).length === 0 && (o.clusterIPs ?? []).length > 0) n.clusterIPs = clone(o.clusterIPs);
  }
  if (needsNodePort(o) && needsNodePort(n)) {
    const usedNew = new Set((n.ports ?? []).map((p) => p.nodePort).filter((x): x is number => !!x));
    const used = new Set((o.ports ?? []).map((p) => p.nodePort).filter((x): x is number => !!x && usedNew.has(x)));
    const byName = new Map((o.ports ?? []).map((p) => [p.name ?? '', p.nodePort ?? 0] as const));
    for (const p of n.ports ?? []) {
      if (p.nodePort) continue;
      const old = byName.get(p.name ?? '') ?? 0;
      if (old && !used.has(old)) p.nodePort = old;
    }
  }
  if (needsHCNodePort(o) && needsHCNodePort(n) && !n.healthCheckNodePort) n.healthCheckNodePort = o.healthCheckNodePort;
  if ((o.clusterIP ?? '') !== (n.clusterIP ?? '')) {
    if (n.clusterIP) n.clusterIPs = [n.clusterIP];
    else delete n.clusterIPs;
  }
  if (needsClusterIP(o) && !needsClusterIP(n)) {
    if (same(o.clusterIPs, n.clusterIPs) && (o.clusterIP ?? '') === (n.clusterIP ?? '')) {
      delete n.clusterIP;
      delete n.clusterIPs;
    }
    if (same(o.ipFamilies, n.ipFamilies)) delete n.ipFamilies;
    if (same(o.ipFamilyPolicy, n.ipFamilyPolicy)) delete n.ipFamilyPolicy;
  }
  const nodePortsOf = (s: ServiceSpec): number[] => (s.ports ?? []).map((p) => p.nodePort ?? 0);
  if (needsNodePort(o) && !needsNodePort(n) && same(nodePortsOf(o), nodePortsOf(n))) for (const p of n.ports ?? []) delete p.nodePort;
  if (needsHCNodePort(o) && !needsHCNodePort(n) && (o.healthCheckNodePort ?? 0) === (n.healthCheckNodePort ?? 0)) delete n.healthCheckNodePort;
  if (o.type === 'LoadBalancer' && n.type !== 'LoadBalancer') {
    if (n.allocateLoadBalancerNodePorts !== undefined && o.allocateLoadBalancerNodePorts !== undefined && n.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) {
      delete n.allocateLoadBalancerNodePorts;
    }
    if (same(o.loadBalancerClass, n.loadBalancerClass)) delete n.loadBalancerClass;
  }
  if (externallyAccessible(o) && !externallyAccessible(n) && (o.externalTrafficPolicy ?? '') === (n.externalTrafficPolicy ?? '')) delete n.externalTrafficPolicy;
  if (n.type !== 'LoadBalancer') {
    const st = (obj['status'] ??= {}) as Record<string, unknown>;
    st['loadBalancer'] = {};
  }
}
