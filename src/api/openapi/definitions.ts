/**
 * The swagger 2.0 definitions of every built-in type (generated from kubernetes-types by
 * gen/generate.ts; see `npm run gen:openapi`), indexed by group-version-kind.
 */
import generated from './generated/definitions.json' with { type: 'json' };
import type { GroupVersionKind } from '../types.js';

/** Schema is a JSON schema node as upstream's OpenAPI documents carry it. */
export interface Schema {
  description?: string;
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: Schema[];
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/** definitions maps upstream's definition names (`io.k8s.api.core.v1.Pod`) to schemas; read-only. */
export const definitions: Readonly<Record<string, Schema>> = (generated as unknown as { definitions: Record<string, Schema> }).definitions;

const gvkKey = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.version}/${gvk.kind}`;

let byGVK: Map<string, string> | undefined;

/** definitionNameForKind returns the definition name of a built-in kind, or undefined. */
export function definitionNameForKind(gvk: GroupVersionKind): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, def] of Object.entries(definitions)) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) if (!byGVK.has(gvkKey(g))) byGVK.set(gvkKey(g), name);
    }
  }
  return byGVK.get(gvkKey(gvk));
}

/** refName returns the definition name a `$ref` (v2 or v3 form) points at. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}
