/**
 * Defaulting of the smaller groups as upstream's pkg/apis/<group>/<version>/defaults.go:
 * networking, discovery, scheduling, storage, rbac and autoscaling.
 */
import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler as HPAv2, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { ClusterRoleBinding, RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { CSIDriver, StorageClass } from 'kubernetes-types/storage/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { canonicalQuantities, canonicalQuantity } from './core.js';

const rbacGroup = 'rbac.authorization.k8s.io';

/** defaultRole: Role and ClusterRole `rules` has no omitempty upstream, so absent rules are null. */
export function defaultRole(r: Record<string, unknown>): void {
  if (r['rules'] === undefined) r['rules'] = null;
}

export function defaultNetworkPolicy(np: NetworkPolicy): void {
  np.spec ??= { podSelector: {} };
  const s = np.spec;
  // podSelector is a required value struct: an omitted one is written as {}.
  s.podSelector ??= {};
  for (const r of s.ingress ?? []) for (const p of r.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  for (const r of s.egress ?? []) for (const p of r.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
  if (!s.policyTypes || s.policyTypes.length === 0) {
    s.policyTypes = ['Ingress'];
    if ((s.egress ?? []).length > 0) s.policyTypes.push('Egress');
  }
}

export function defaultIngressClass(ic: IngressClass): void {
  ic.spec ??= {};
  const p = ic.spec.parameters;
  if (p && !p.scope) p.scope = 'Cluster';
}

export function defaultEndpointSlice(es: EndpointSlice): void {
  // endpoints and ports have no omitempty upstream: absent lists are written as null.
  const w = es as unknown as Record<string, unknown>;
  if (w['endpoints'] === undefined) w['endpoints'] = null;
  if (w['ports'] === undefined) w['ports'] = null;
  for (const e of es.endpoints ?? []) e.conditions ??= {};
  for (const p of es.ports ?? []) {
    if (p.name === undefined || p.name === null) p.name = '';
    if (!p.protocol) p.protocol = 'TCP';
  }
}

export function defaultPriorityClass(pc: PriorityClass): void {
  if (!pc.preemptionPolicy) pc.preemptionPolicy = 'PreemptLowerPriority';
}

export function defaultStorageClass(sc: StorageClass): void {
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}

/** defaultCSIDriver is storage/v1's SetDefaults_CSIDriver (seLinuxMount: its feature gate is on by default). */
export function defaultCSIDriver(d: CSIDriver): void {
  const spec = (d.spec ??= {});
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
  if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
  spec.requiresRepublish ??= false;
  spec.seLinuxMount ??= false;
}

export function defaultBinding(b: RoleBinding | ClusterRoleBinding): void {
  if (b.roleRef && !b.roleRef.apiGroup) b.roleRef.apiGroup = rbacGroup;
  for (const s of b.subjects ?? []) {
    if (s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = rbacGroup;
  }
}

function scaleRules(r: HPAScalingRules | undefined, up: boolean): HPAScalingRules {
  const out: HPAScalingRules = { ...(r ?? {}) };
  if (out.stabilizationWindowSeconds === undefined || out.stabilizationWindowSeconds === null) out.stabilizationWindowSeconds = up ? 0 : 300;
  if (!out.selectPolicy) out.selectPolicy = 'Max';
  if (!out.policies || out.policies.length === 0) {
    out.policies = up
      ? [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  return out;
}

/** defaultHPA handles both served versions: v1 (targetCPUUtilizationPercentage) and v2 (metrics, behavior). */
export function defaultHPA(h: HPAv1 | HPAv2): void {
  if (h.apiVersion === 'autoscaling/v1') {
    const s = (h as HPAv1).spec;
    if (!s) return;
    if (s.minReplicas === undefined || s.minReplicas === null) s.minReplicas = 1;
    if (s.targetCPUUtilizationPercentage === undefined || s.targetCPUUtilizationPercentage === null) s.targetCPUUtilizationPercentage = 80;
    return;
  }
  const s = (h as HPAv2).spec;
  if (!s) return;
  for (const m of s.metrics ?? []) {
    for (const src of [m.resource, m.containerResource, m.pods, m.object, m.external]) {
      const t = (src as { target?: { value?: unknown; averageValue?: unknown } } | undefined)?.target;
      if (!t) continue;
      if (t.value !== undefined) t.value = canonicalQuantity(t.value);
      if (t.averageValue !== undefined) t.averageValue = canonicalQuantity(t.averageValue);
    }
  }
  if (s.minReplicas === undefined || s.minReplicas === null) s.minReplicas = 1;
  if (!s.metrics || s.metrics.length === 0) {
    s.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (s.behavior) {
    s.behavior.scaleUp = scaleRules(s.behavior.scaleUp, true);
    s.behavior.scaleDown = scaleRules(s.behavior.scaleDown, false);
  }
}

export function defaultRuntimeClass(rc: RuntimeClass): void {
  canonicalQuantities(rc.overhead?.podFixed);
}
