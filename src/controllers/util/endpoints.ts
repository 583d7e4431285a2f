/** What the Endpoints and EndpointSlice controllers share (upstream pkg/controller/util/endpoint). */
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../api/labels.js';
import type { Lister } from '../../client/index.js';

/** managedService: a Service whose endpoints a controller computes (has a selector, is not `default/kubernetes`). */
export function managedService(svc: Service | undefined): svc is Service {
  if (!svc) return false;
  if (svc.metadata?.namespace === 'default' && svc.metadata?.name === 'kubernetes') return false;
  if (svc.spec?.type === 'ExternalName') return false;
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** servicesForPod: keys of the Services in the pod's namespace whose selector matches it. */
export function servicesForPod(services: Lister<Service>, p: Pod): string[] {
  const ns = p.metadata?.namespace ?? '';
  return services
    .namespace(ns)
    .list()
    .filter((s) => managedService(s) && selectorFromSet(s.spec?.selector).matches(p.metadata?.labels))
    .map((s) => `${ns}/${s.metadata?.name}`);
}

/** selectedPods lists the pods a managed Service selects. */
export function selectedPods(pods: Lister<Pod>, svc: Service): Pod[] {
  return pods.namespace(svc.metadata?.namespace ?? '').list(selectorFromSet(svc.spec?.selector));
}

/**
 * shouldPodBeInEndpoints (upstream): terminal pods and pods without an IP never are; pods
 * being deleted only when includeTerminating.
 */
export function shouldPodBeInEndpoints(p: Pod, includeTerminating: boolean): boolean {
  const phase = p.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!p.status?.podIP && !(p.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && p.metadata?.deletionTimestamp) return false;
  return true;
}

/** findPort resolves a Service port's targetPort for one pod (named ports per container), or undefined. */
export function findPort(p: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort;
  if (tp === undefined || tp === '' || tp === 0) return sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  for (const c of p.spec?.containers ?? []) {
    for (const cp of c.ports ?? []) if (cp.name === tp && (cp.protocol ?? 'TCP') === (sp.protocol ?? 'TCP')) return cp.containerPort;
  }
  return undefined;
}

/** podIPs returns the pod's IPs (podIPs, else podIP). */
export function podIPs(p: Pod): string[] {
  const l = (p.status?.podIPs ?? []).map((x) => x.ip).filter((x): x is string => !!x);
  return l.length ? l : p.status?.podIP ? [p.status.podIP] : [];
}

/** rfc3339Nano formats a trigger time as upstream (`2006-01-02T15:04:05.999999999Z07:00`, trailing zeros trimmed). */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

/**
 * lastChangeTriggerTime approximates upstream's trigger tracker from object state: the newest
 * of the Service's creation and each selected pod's creation, Ready transition and deletion.
 */
export function lastChangeTriggerTime(svc: Service, pods: readonly Pod[]): string | undefined {
  let t = Date.parse(svc.metadata?.creationTimestamp ?? '') || 0;
  for (const p of pods) {
    for (const s of [p.metadata?.creationTimestamp, p.metadata?.deletionTimestamp, p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime]) {
      const v = s ? Date.parse(s) : NaN;
      if (!Number.isNaN(v) && v > t) t = v;
    }
  }
  return t ? rfc3339Nano(t) : undefined;
}

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
