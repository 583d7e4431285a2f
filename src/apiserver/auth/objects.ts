/**
 * ObjectSource is the security layer's read access to cluster state: decoded objects from the
 * apiserver's watch cache, memoized per cached revision so authorizing a request never
 * re-parses unchanged RBAC objects or pods.
 */
import type { CachedObject, ResourceCache } from '../cache/watchcache.js';

export interface ObjectSource {
  /**
   * list returns the decoded objects of a resource in one namespace ('' = all namespaces);
   * `where` keeps only objects whose selectable field has that value, tested before decoding.
   */
  list<T>(group: string, resource: string, namespace: string, where?: { field: string; value: string }): T[];
  /** get returns one decoded object, or undefined when it does not exist. */
  get<T>(group: string, resource: string, namespace: string, name: string): T | undefined;
  /** revision changes whenever an object of the resource is added, changed or removed. */
  revision(group: string, resource: string): string;
}

/** cacheObjectSource reads through the watch cache's ResourceCaches (lookup returns undefined for unknown resources). */
export function cacheObjectSource(lookup: (group: string, resource: string) => ResourceCache | undefined): ObjectSource {
  const decoded = new WeakMap<CachedObject, unknown>();
  const decode = <T>(o: CachedObject): T => {
    let v = decoded.get(o);
    if (v === undefined) {
      v = JSON.parse(o.bytes.toString('utf8')) as unknown;
      decoded.set(o, v);
    }
    return v as T;
  };
  return {
    list<T>(group: string, resource: string, namespace: string, where?: { field: string; value: string }): T[] {
      const c = lookup(group, resource);
      if (!c) return [];
      const all = c.list(namespace);
      return (where ? all.filter((o) => o.field(where.field) === where.value) : all).map((o) => decode<T>(o));
    },
    get<T>(group: string, resource: string, namespace: string, name: string): T | undefined {
      const c = lookup(group, resource);
      if (!c) return undefined;
      const o = c.objects.get(`${c.prefix}${namespace ? `${namespace}/` : ''}${name}`);
      return o ? decode<T>(o) : undefined;
    },
    revision(group: string, resource: string): string {
      // The cache's change counter: no walk over the objects on every aggregation tick.
      return String(lookup(group, resource)?.changes ?? '');
    },
  };
}
