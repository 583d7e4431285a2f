/** ownerReferences helpers (upstream metav1.GetControllerOf and the ControllerRefManager). */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ApiObject } from '../../client/index.js';

/** controllerOf returns the ownerReference with controller=true, if any. */
export function controllerOf(o: ApiObject): OwnerReference | undefined {
  return o.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * CONTROLLER_UID_INDEX indexes objects by their controller's uid, orphans under
 * orphanIndexKey(namespace) (upstream controller.PodControllerUIDIndex): a sync then reads its
 * own objects and the namespace's orphans — the only ones a claim can keep or adopt — instead
 * of scanning every object in the namespace, which made each sync O(objects in the namespace).
 */
export const CONTROLLER_UID_INDEX = 'controllerUID';

/** orphanIndexKey is the index value of objects without a controller in namespace (upstream OrphanPodIndexKeyForNamespace). */
export const orphanIndexKey = (namespace: string): string => `_ORPHAN_POD/${namespace}`;

/** controllerUIDIndex is the IndexFunc behind CONTROLLER_UID_INDEX. */
export function controllerUIDIndex(o: ApiObject): string[] {
  const ref = controllerOf(o);
  return [ref ? ref.uid : orphanIndexKey(o.metadata?.namespace ?? '')];
}

/** ownerKeyOf maps an object to the `namespace/name` of its controller of the given kind. */
export function ownerKeyOf(o: ApiObject, kind: string, apiVersionGroup: string): string[] {
  const ref = controllerOf(o);
  if (!ref || ref.kind !== kind || groupOf(ref.apiVersion) !== apiVersionGroup) return [];
  return [`${o.metadata?.namespace ?? ''}/${ref.name}`];
}

/** groupOf returns the API group of an apiVersion (`apps/v1` → `apps`, `v1` → ''). */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** newControllerRef is the ownerReference a controller puts on what it creates. */
export function newControllerRef(owner: ApiObject & { metadata?: ObjectMeta }, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** splitKey splits `namespace/name` (cluster-scoped keys have no slash). */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** randomSuffix returns n characters from upstream's generateName alphabet. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

/** safeEncode maps a number to upstream's rand.SafeEncodeString alphabet (pod-template-hash). */
export function safeEncode(n: number): string {
  const s = (n >>> 0).toString(10);
  let out = '';
  for (const ch of s) out += ALPHANUMS[Number(ch) % ALPHANUMS.length];
  return out;
}

/** fnv32a hashes a string (FNV-1a, 32 bits). */
export function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(s);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** stableJSON serialises with sorted object keys, so equal objects hash equally. */
export function stableJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJSON).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJSON(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
