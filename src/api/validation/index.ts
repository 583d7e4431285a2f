/**
 * Validation of API objects as upstream's pkg/apis/<group>/validation: each function returns the
 * list of field errors (empty when valid); the apiserver turns a non-empty list into 422 Invalid.
 *
 * TEMPORARY STUB: the validation work replaces these bodies; the signatures are the contract.
 */
import type { FieldError } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';

/** validateCreate checks a new object (after defaulting) of the given kind. */
export function validateCreate(_gvk: GroupVersionKind, _obj: KubeObject): FieldError[] {
  return [];
}

/** validateUpdate checks an update of `old` to `obj` (spec and metadata; immutable fields). */
export function validateUpdate(_gvk: GroupVersionKind, _obj: KubeObject, _old: KubeObject): FieldError[] {
  return [];
}

/** validateStatusUpdate checks a write to the status subresource. */
export function validateStatusUpdate(_gvk: GroupVersionKind, _obj: KubeObject, _old: KubeObject): FieldError[] {
  return [];
}
