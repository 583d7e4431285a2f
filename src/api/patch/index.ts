/**
 * The three patch types of the Kubernetes API: JSON Patch (RFC 6902), JSON Merge Patch
 * (RFC 7386) and Strategic Merge Patch (upstream's merge keys and directives).
 *
 * Each returns a new object (the input is never mutated) and throws a StatusError as
 * kube-apiserver's patch handler does: 400 BadRequest for a patch body of the wrong shape,
 * 422 Invalid ("the server rejected our request due to an error in our request") for a JSON
 * patch that cannot be applied (missing path, failed `test`), 413 for too many operations.
 * Strategic merge patch errors follow upstream's mergepatch errors (400 for malformed
 * directives, 422 for lists of lists, 500 for a list item missing its merge key).
 *
 * createTwoWayMergePatch / createThreeWayMergePatch compute strategic merge patches as kubectl
 * does (client-side apply, edit, and a kubelet's status patches).
 */
import { definitionNameForKind, definitions } from '../openapi/definitions.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import type { JSONObject } from './json.js';
import { applyJSONPatchDocument } from './jsonpatch.js';
import { applyMergePatchDocument } from './mergepatch.js';
import { EMPTY_SCHEMA, openAPIPatchSchema, type PatchSchema } from './meta.js';
import { strategicMergePatch } from './strategic.js';
import { createThreeWayMergePatchWithSchema, createTwoWayMergePatchWithSchema } from './strategic-diff.js';

export { MAX_JSON_PATCH_OPERATIONS, parsePointer } from './jsonpatch.js';
export { EMPTY_SCHEMA, openAPIPatchSchema, type PatchMeta, type PatchSchema, type SchemaNode } from './meta.js';
export { mergePatches, strategicMergePatch } from './strategic.js';
export { goValue } from './govalue.js';
export { createThreeWayMergePatchWithSchema, createTwoWayMergePatchWithSchema } from './strategic-diff.js';
export { clone as cloneJSON, deepEqual, sameJSONText, type JSONObject, type JSONValue } from './json.js';

/**
 * PatchOptions: inPlace lets a patch modify obj instead of a copy of it, for callers that own
 * obj and discard it when the patch fails (the registry patches a fresh copy of the stored object).
 */
export interface PatchOptions {
  inPlace?: boolean;
}

/** applyJSONPatch applies an RFC 6902 patch (a parsed JSON array of operations) to obj. */
export function applyJSONPatch(obj: KubeObject, patch: unknown, opts: PatchOptions = {}): KubeObject {
  return applyJSONPatchDocument(obj, patch, opts.inPlace) as KubeObject;
}

/** applyMergePatch applies an RFC 7386 merge patch (a parsed JSON object) to obj. */
export function applyMergePatch(obj: KubeObject, patch: unknown, opts: PatchOptions = {}): KubeObject {
  return applyMergePatchDocument(obj, patch, opts.inPlace) as KubeObject;
}

const schemas = new Map<string, PatchSchema>();

/**
 * patchSchemaForKind returns the strategic-merge metadata of a built-in kind; a kind without a
 * built-in schema (a custom resource) gets EMPTY_SCHEMA, which makes a strategic merge patch
 * behave like a merge patch that still understands the `$patch` directives.
 */
export function patchSchemaForKind(gvk: GroupVersionKind): PatchSchema {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let s = schemas.get(key);
  if (!s) {
    const name = definitionNameForKind(gvk);
    s = name ? openAPIPatchSchema(definitions, { $ref: `#/definitions/${name}` }) : EMPTY_SCHEMA;
    schemas.set(key, s);
  }
  return s;
}

/**
 * applyStrategicMergePatch applies a strategic merge patch (a parsed JSON object) to obj using
 * the patch strategies and merge keys of gvk's schema (upstream's struct tags). Upstream rejects
 * strategic merge patches for custom resources with 415; that check belongs to the caller, who
 * knows whether gvk is built in.
 */
export function applyStrategicMergePatch(gvk: GroupVersionKind, obj: KubeObject, patch: unknown, opts: PatchOptions = {}): KubeObject {
  return strategicMergePatch(obj, patch, patchSchemaForKind(gvk), opts.inPlace) as KubeObject;
}

/**
 * createTwoWayMergePatch returns the strategic merge patch that turns original into modified,
 * using gvk's patch strategies (upstream's strategicpatch.CreateTwoWayMergePatch).
 */
export function createTwoWayMergePatch(original: KubeObject, modified: KubeObject, gvk: GroupVersionKind): JSONObject {
  return createTwoWayMergePatchWithSchema(original, modified, patchSchemaForKind(gvk));
}

/**
 * createThreeWayMergePatch returns the patch client-side `kubectl apply` sends: original is the
 * last-applied configuration, modified the new configuration, current the live object
 * (upstream's CreateThreeWayMergePatch with overwrite=true).
 */
export function createThreeWayMergePatch(original: KubeObject | undefined, modified: KubeObject, current: KubeObject, gvk: GroupVersionKind): JSONObject {
  return createThreeWayMergePatchWithSchema(original ?? {}, modified, current, patchSchemaForKind(gvk));
}
