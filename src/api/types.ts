/** Identity of API types and resources, as upstream's schema.GroupVersionKind and friends. */

export interface GroupVersionKind {
  /** group is '' for the core group. */
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** KubeObject is any API object: apiVersion, kind, metadata and the rest. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: import('kubernetes-types/meta/v1.js').ObjectMeta;
  [field: string]: unknown;
}

/** parseApiVersion splits `apps/v1` into group and version ('' group for `v1`). */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function apiVersionOf(gv: { group: string; version: string }): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

/**
 * ResourceInfo describes one served resource as discovery does (metav1.APIResource plus its
 * group and version). The table of built-in resources lives in src/api/resources.ts.
 */
export interface ResourceInfo {
  group: string;
  version: string;
  /** resource is the plural name used in URLs: `pods`, `deployments`. */
  resource: string;
  singular: string;
  kind: string;
  /** listKind is `<Kind>List`. */
  listKind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceInfo[];
}

export interface SubresourceInfo {
  /** name is the path segment after the object name: `status`, `scale`, `binding`, `log`. */
  name: string;
  /** kind served at the subresource (`Pod` for status, `Scale` of autoscaling/v1 for scale). */
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}
