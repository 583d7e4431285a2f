/**
 * AdmissionObjects is how admission plugins read the objects they consult (ServiceAccounts,
 * PriorityClasses, LimitRanges, ResourceQuotas, Namespaces), as upstream's plugins use informer
 * listers with a live lookup on a miss. Returned objects are shared: plugins must not mutate them.
 */
import type { Storage } from '../../storage/interface.js';
import { cacheObjectSource, type ObjectSource } from '../auth/index.js';
import type { ResourceCache } from '../cache/watchcache.js';

export interface AdmissionObjects {
  /** list returns the cached objects of a resource in one namespace ('' = all namespaces). */
  list<T>(group: string, resource: string, namespace: string): T[];
  /**
   * get returns one object, reading storage when the cache does not have it yet (an object
   * created a moment ago), or undefined when it does not exist.
   */
  get<T>(group: string, resource: string, namespace: string, name: string): Promise<T | undefined>;
  /** getLive reads storage (never the cache), with metadata.resourceVersion set: for read-modify-write. */
  getLive<T>(group: string, resource: string, namespace: string, name: string): Promise<T | undefined>;
}

/** LiveGet reads one object from storage (storage version, resourceVersion set), undefined when absent. */
export type LiveGet = (group: string, resource: string, namespace: string, name: string) => Promise<unknown>;

/** admissionObjects serves reads from the watch cache, falling back to `live` on a miss. */
export function admissionObjects(cache: ObjectSource, live: LiveGet): AdmissionObjects {
  return {
    list: <T>(group: string, resource: string, namespace: string): T[] => cache.list<T>(group, resource, namespace),
    async get<T>(group: string, resource: string, namespace: string, name: string): Promise<T | undefined> {
      return cache.get<T>(group, resource, namespace, name) ?? ((await live(group, resource, namespace, name)) as T | undefined);
    },
    async getLive<T>(group: string, resource: string, namespace: string, name: string): Promise<T | undefined> {
      return (await live(group, resource, namespace, name)) as T | undefined;
    },
  };
}

/**
 * cachedAdmissionObjects reads through the apiserver's watch caches (`cacheFor` finds the cache
 * of a group/resource) and falls back to storage under the same key on a miss.
 */
export function cachedAdmissionObjects(lookup: (group: string, resource: string) => ResourceCache | undefined, storage: Storage): AdmissionObjects {
  // Every plugin looks its caches up on every request; the set of caches is fixed at start-up.
  const found = new Map<string, ResourceCache | undefined>();
  const cacheFor = (group: string, resource: string): ResourceCache | undefined => {
    const k = `${group}/${resource}`;
    if (found.has(k)) return found.get(k);
    const c = lookup(group, resource);
    found.set(k, c);
    return c;
  };
  return admissionObjects(cacheObjectSource(cacheFor), async (group, resource, namespace, name) => {
    const c = cacheFor(group, resource);
    if (!c) return undefined;
    const { kv } = await storage.get(`${c.prefix}${namespace ? `${namespace}/` : ''}${name}`);
    if (!kv) return undefined;
    const obj = JSON.parse(kv.value.toString('utf8')) as { metadata?: Record<string, unknown> };
    obj.metadata = { ...obj.metadata, resourceVersion: String(kv.modRevision) };
    return obj;
  });
}
