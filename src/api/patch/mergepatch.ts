/**
 * JSON Merge Patch (RFC 7386): objects merge recursively, null deletes, everything else
 * (arrays included) replaces.
 */
import { badRequest } from '../errors.js';
import { clone, goTypeName, isObject, type JSONObject, type JSONValue } from './json.js';

/** mergePatchValue returns target with patch merged in (RFC 7386 MergePatch); it mutates target. */
export function mergePatchValue(target: JSONValue | undefined, patch: JSONValue): JSONValue {
  if (!isObject(patch)) return patch;
  const out: JSONObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatchValue(out[k], v);
  }
  return out;
}

/**
 * applyMergePatchDocument merges patch into a copy of doc (into doc itself when inPlace). The Kubernetes API only accepts an
 * object as a merge patch body: anything else is 400 BadRequest, worded as upstream's decode error.
 */
export function applyMergePatchDocument(doc: unknown, patch: unknown, inPlace = false): JSONValue {
  if (!isObject(patch)) {
    throw badRequest(`error decoding patch: json: cannot unmarshal ${goTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  return mergePatchValue((inPlace ? doc : clone(doc)) as JSONValue, clone(patch));
}
