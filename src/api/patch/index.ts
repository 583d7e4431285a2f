/**
 * The three patch types of the Kubernetes API: JSON Patch (RFC 6902), JSON Merge Patch
 * (RFC 7386) and Strategic Merge Patch (upstream's merge keys and directives).
 * Each returns a new object and throws a StatusError (BadRequest / Invalid / Conflict for a
 * failed `test`) on a bad patch.
 *
 * TEMPORARY STUB: the patch work replaces these bodies; the signatures are the contract.
 */
import type { GroupVersionKind, KubeObject } from '../types.js';

export function applyJSONPatch(obj: KubeObject, _patch: unknown): KubeObject {
  return obj;
}

export function applyMergePatch(obj: KubeObject, _patch: unknown): KubeObject {
  return obj;
}

export function applyStrategicMergePatch(_gvk: GroupVersionKind, obj: KubeObject, _patch: unknown): KubeObject {
  return obj;
}
