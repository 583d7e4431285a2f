/**
 * ResourceQuota usage, as upstream's quota evaluators (pkg/quota/v1/evaluator/core): what one
 * object charges against a quota's `hard` names, which quotas' scopes cover a pod, and the
 * arithmetic on ResourceLists. Shared by the ResourceQuota admission plugin (which charges
 * creations) and the resourcequota controller (which recomputes status.used).
 */
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { parseQuantity, Quantity } from './quantity.js';

export type Usage = Map<string, Quantity>;

/** Core resources with a legacy object-count name (`pods`, `services`...) besides `count/<resource>`. */
const LEGACY_COUNT = new Set(['pods', 'services', 'secrets', 'configmaps', 'persistentvolumeclaims', 'replicationcontrollers', 'resourcequotas']);

/** countName is the `count/<resource>[.<group>]` quota name of a resource. */
export function countName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

const one = (): Quantity => parseQuantity('1');

/** isTerminalPod: Succeeded and Failed pods no longer use quota. */
export function isTerminalPod(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** podResources is a pod's effective requests or limits: max(sum of containers, each init container) plus overhead. */
export function podResources(pod: Pod, kind: 'requests' | 'limits'): Usage {
  const sum: Usage = new Map();
  for (const c of pod.spec?.containers ?? []) addList(sum, c.resources?.[kind]);
  for (const c of pod.spec?.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const q = parseQuantity(v);
      const cur = sum.get(k);
      if (!cur || q.cmp(cur) > 0) sum.set(k, q);
    }
  }
  addList(sum, pod.spec?.overhead);
  return sum;
}

function addList(into: Usage, list: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(v);
    const cur = into.get(k);
    into.set(k, cur ? cur.add(q) : q);
  }
}

/** usageOf is everything an object of group/resource charges (before masking by a quota's hard names). */
export function usageOf(group: string, resource: string, obj: unknown): Usage {
  const u: Usage = new Map([[countName(group, resource), one()]]);
  if (group !== '') return u;
  if (LEGACY_COUNT.has(resource)) u.set(resource, one());
  if (resource === 'pods') {
    const pod = obj as Pod;
    if (isTerminalPod(pod)) return new Map();
    for (const [k, q] of podResources(pod, 'requests')) {
      u.set(`requests.${k}`, q);
      // The bare names (cpu, memory) are requests, as upstream.
      if (k === 'cpu' || k === 'memory' || k === 'ephemeral-storage') u.set(k, q);
    }
    for (const [k, q] of podResources(pod, 'limits')) u.set(`limits.${k}`, q);
  } else if (resource === 'services') {
    const spec = (obj as { spec?: { type?: string; ports?: unknown[] } }).spec;
    if (spec?.type === 'LoadBalancer') u.set('services.loadbalancers', one());
    if (spec?.type === 'NodePort' || spec?.type === 'LoadBalancer') u.set('services.nodeports', Quantity.fromValue(spec.ports?.length ?? 0));
  } else if (resource === 'persistentvolumeclaims') {
    const spec = (obj as { spec?: { storageClassName?: string; resources?: { requests?: Record<string, string> } } }).spec;
    const storage = spec?.resources?.requests?.storage;
    if (storage) {
      u.set('requests.storage', parseQuantity(storage));
      if (spec?.storageClassName) u.set(`${spec.storageClassName}.storageclass.storage.k8s.io/requests.storage`, parseQuantity(storage));
    }
    if (spec?.storageClassName) u.set(`${spec.storageClassName}.storageclass.storage.k8s.io/persistentvolumeclaims`, one());
  }
  return u;
}

/** COMPUTE_NAMES are the names whose quota makes every container state them (upstream's validationSet). */
const COMPUTE_NAMES = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/**
 * missingComputeResources is upstream's pod Constraints: when a quota limits cpu or memory, each
 * container must request (or limit) it. Returns upstream's message, or undefined when satisfied.
 */
export function missingComputeResources(pod: Pod, hardNames: Iterable<string>): string | undefined {
  const required = [...hardNames].filter((n) => COMPUTE_NAMES.includes(n));
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const name of required) {
      const [kind, res] = name.startsWith('limits.') ? (['limits', name.slice(7)] as const) : (['requests', name.replace(/^requests\./, '')] as const);
      if (c.resources?.[kind]?.[res] === undefined) {
        if (!missing.has(name)) missing.set(name, new Set());
        missing.get(name)!.add(c.name);
      }
    }
  }
  if (!missing.size) return undefined;
  return `must specify ${[...missing.keys()].sort().map((n) => `${n} for: ${[...missing.get(n)!].sort().join(',')}`).join('; ')}`;
}

/** quotaCoversPod applies a quota's scopes and scopeSelector (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass) to a pod. */
export function quotaCoversPod(q: ResourceQuota, pod: Pod): boolean {
  const terminating = pod.spec?.activeDeadlineSeconds !== undefined && pod.spec?.activeDeadlineSeconds !== null;
  const bestEffort = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].every((c) => !Object.keys(c.resources?.requests ?? {}).length && !Object.keys(c.resources?.limits ?? {}).length);
  const scopeHolds = (s: string): boolean => {
    if (s === 'Terminating') return terminating;
    if (s === 'NotTerminating') return !terminating;
    if (s === 'BestEffort') return bestEffort;
    if (s === 'NotBestEffort') return !bestEffort;
    // Scopes k8ts does not evaluate (CrossNamespacePodAffinity, VolumeAttributesClass) match nothing.
    return false;
  };
  for (const s of q.spec?.scopes ?? []) if (!scopeHolds(s)) return false;
  for (const e of q.spec?.scopeSelector?.matchExpressions ?? []) {
    if (e.scopeName === 'PriorityClass') {
      const pc = pod.spec?.priorityClassName ?? '';
      const values = e.values ?? [];
      const ok = e.operator === 'In' ? values.includes(pc) : e.operator === 'NotIn' ? !values.includes(pc) : e.operator === 'Exists' ? pc !== '' : e.operator === 'DoesNotExist' ? pc === '' : false;
      if (!ok) return false;
    } else if (!scopeHolds(e.scopeName) || e.operator !== 'Exists') return false;
  }
  return true;
}

/** isScoped: a quota with scopes only counts pods. */
export function isScoped(q: ResourceQuota): boolean {
  return (q.spec?.scopes?.length ?? 0) > 0 || (q.spec?.scopeSelector?.matchExpressions?.length ?? 0) > 0;
}

/** mask keeps the names in `names`. */
export function mask(u: Usage, names: Iterable<string>): Usage {
  const out: Usage = new Map();
  for (const n of names) {
    const q = u.get(n);
    if (q) out.set(n, q);
  }
  return out;
}

/** addUsage sums two usages. */
export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, q] of b) out.set(k, out.has(k) ? out.get(k)!.add(q) : q);
  return out;
}

export function fromList(list: Record<string, string> | undefined): Usage {
  return new Map(Object.entries(list ?? {}).map(([k, v]) => [k, parseQuantity(v)]));
}

export function toList(u: Usage): Record<string, string> {
  return Object.fromEntries([...u].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, q]) => [k, q.toString()]));
}

/** prettyPrint is upstream's `k=v,k=v` with sorted names. */
export function prettyPrint(u: Usage): string {
  return Object.entries(toList(u)).map(([k, v]) => `${k}=${v}`).join(',');
}
