/**
 * Validation of API objects as upstream's pkg/apis/<group>/validation: each function returns the
 * list of field errors (empty when valid); the apiserver turns a non-empty list into 422 Invalid
 * with `invalid()` from ../errors.ts. Objects arrive in their v1 wire shape, after defaulting.
 *
 * Kinds without a registered validator (custom resources, unknown kinds) validate to [].
 */
import type { FieldError } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { registry, type KindValidator } from './registry.js';

export type { KindValidator } from './registry.js';
export { GoValue, goLabelSelector, goStringMap, goStringSlice } from './govalue.js';
export { validateObjectMeta, validateObjectMetaUpdate, validateLabelSelector, selectorMatches } from './meta.js';
export * as names from './names.js';

function lookup(gvk: GroupVersionKind): KindValidator | undefined {
  return registry.get(`${gvk.group}/${gvk.kind}`);
}

/** validateCreate checks a new object (after defaulting) of the given kind. */
export function validateCreate(gvk: GroupVersionKind, obj: KubeObject): FieldError[] {
  return lookup(gvk)?.create(obj) ?? [];
}

/** validateUpdate checks an update of `old` to `obj` (spec and metadata; immutable fields). */
export function validateUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): FieldError[] {
  const v = lookup(gvk);
  if (!v) return [];
  return v.update ? v.update(obj, old) : v.create(obj);
}

/** validateStatusUpdate checks a write to the status subresource. */
export function validateStatusUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): FieldError[] {
  const v = lookup(gvk);
  if (!v) return [];
  if (v.status) return v.status(obj, old);
  return v.update ? v.update(obj, old) : v.create(obj);
}
