/**
 * Create-time preparation that upstream does in each registry strategy's PrepareForCreate (not in
 * defaulting): fields every stored object of the kind carries from birth. The apiserver calls
 * prepareForCreate after assigning name, uid and creationTimestamp, and before validation.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { Quantity } from '../quantity.js';

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
  const o = obj as Record<string, unknown> & KubeObject;
  const key = `${gvk.group}/${gvk.kind}`;
  const generation = new Set([
    'apps/Deployment', 'apps/ReplicaSet', 'apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob', '/ReplicationController',
    'networking.k8s.io/Ingress', 'networking.k8s.io/NetworkPolicy', 'policy/PodDisruptionBudget', '/Pod',
  ]);
  if (generation.has(key)) {
    o.metadata ??= {};
    (o.metadata as { generation?: number }).generation = 1;
  }
  switch (key) {
    case '/Pod': {
      const pod = obj as unknown as Pod;
      (pod as { status?: unknown }).status = { phase: 'Pending', qosClass: podQOSClass(pod) };
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
    case 'apps/Deployment':
    case 'apps/ReplicaSet':
    case 'apps/DaemonSet':
    case 'batch/CronJob':
    case '/ReplicationController':
      o['status'] = key === '/ReplicationController' || key === 'apps/ReplicaSet' ? { replicas: 0 } : key === 'apps/DaemonSet' ? {
        currentNumberScheduled: 0,
        desiredNumberScheduled: 0,
        numberMisscheduled: 0,
        numberReady: 0,
      } : {};
      break;
    case 'apps/StatefulSet':
      o['status'] = { replicas: 0, availableReplicas: 0 };
      break;
    case 'policy/PodDisruptionBudget':
      o['status'] = { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
      break;
    case 'autoscaling/HorizontalPodAutoscaler':
      o['status'] = gvk.version === 'v1' ? { currentReplicas: 0, desiredReplicas: 0 } : { desiredReplicas: 0 };
      break;
  }
}
