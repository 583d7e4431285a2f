/**
 * Strategic merge patch, applied as upstream's strategicpatch.StrategicMergeMapPatch (with
 * MergeParallelList and IgnoreUnmatchedNulls, as kube-apiserver calls it):
 *
 * - maps merge key by key; `null` deletes a key;
 * - lists whose field has patch strategy `merge` merge: maps by their merge key, primitives as
 *   an ordered union; other lists are replaced whole;
 * - directives: `$patch: replace | delete` in a map, `$patch: replace | delete` items in a
 *   merged list, `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 */
import { badRequest, internalError, type StatusError } from '../errors.js';
import { clone, deepEqual, goTypeName, isObject, unprocessable, type JSONObject, type JSONValue } from './json.js';
import type { PatchSchema } from './meta.js';
import { goValue } from './govalue.js';

export const DIRECTIVE_MARKER = '$patch';
export const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';

// Upstream's mergepatch errors: the first group is 400 BadRequest, the second 422 (see
// interpretStrategicMergePatchError in apiserver's patch handler).
const ErrBadPatchFormatForPrimitiveList = (): StatusError => badRequest('invalid patch format of primitive list');
const ErrBadPatchFormatForRetainKeys = (): StatusError => badRequest('invalid patch format of retainKeys');
const ErrBadPatchFormatForSetElementOrderList = (): StatusError => badRequest('invalid patch format of setElementOrder list');
const ErrNoListOfLists = (): StatusError => unprocessable('lists of lists are not supported');

const ErrNoMergeKey = (m: JSONObject, k: string): StatusError => internalError(`map: ${goValue(m)} does not contain declared merge key: ${k}`);
const ErrBadPatchType = (t: unknown, m: JSONObject): StatusError => badRequest(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);

/**
 * strategicMergePatch applies patch to a copy of original (to original itself when inPlace)
 * using schema for patch metadata.
 * A patch that is not an object is 400 BadRequest.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: PatchSchema, inPlace = false): JSONObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${goTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  return mergeMap(isObject(original) ? (inPlace ? original : clone(original)) : {}, clone(patch), schema, APPLY);
}

/**
 * MergeOptions as upstream's: `parallel` (MergeParallelList with IgnoreUnmatchedNulls) applies
 * the directives to an object; without it two patches are merged into one, directives and
 * nulls kept (CreateThreeWayMergePatch merges its deletions and its delta that way).
 */
interface MergeOptions {
  parallel: boolean;
}
const APPLY: MergeOptions = { parallel: true };
const COMBINE: MergeOptions = { parallel: false };

/** mergePatches merges patch b into patch a (copies), keeping directives, as one patch. */
export function mergePatches(a: JSONObject, b: JSONObject, schema: PatchSchema): JSONObject {
  return mergeMap(clone(a), clone(b), schema, COMBINE);
}

const strategyOf = (strategies: readonly string[]): string => strategies.find((s) => s !== 'retainKeys') ?? '';

/** mergeMap merges patch into original (both owned copies; original is mutated and returned). */
function mergeMap(original: JSONObject, patch: JSONObject, schema: PatchSchema, opts: MergeOptions): JSONObject {
  if (Object.prototype.hasOwnProperty.call(patch, DIRECTIVE_MARKER)) {
    const directive = patch[DIRECTIVE_MARKER];
    if (directive === 'replace') {
      delete patch[DIRECTIVE_MARKER];
      return removeDirectives(patch) as JSONObject;
    }
    if (directive === 'delete') return {};
    throw ErrBadPatchType(directive, patch);
  }
  if (opts.parallel) {
    applyRetainKeys(original, patch);
    mergeSetElementOrder(original, patch, schema);
  } else {
    copyDirectives(original, patch);
  }

  // Deletion lists go first so that an addition to the same list in this patch survives.
  const keys = Object.keys(patch).sort((a, b) => Number(b.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) - Number(a.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)));
  for (let k of keys) {
    const patchV = patch[k]!;
    let isDeleteList = false;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX + '/')) {
      if (!opts.parallel) {
        original[k] = patchV;
        continue;
      }
      isDeleteList = true;
      k = k.slice(DELETE_FROM_PRIMITIVE_LIST_PREFIX.length + 1);
      if (!Array.isArray(patchV)) throw ErrBadPatchFormatForPrimitiveList();
    }
    if (patchV === null) {
      delete original[k];
      if (!opts.parallel) original[k] = null;
      continue;
    }
    const { schema: sub, meta } = schema.lookup(k);
    const strategy = strategyOf(meta.strategies);
    const origV = original[k];
    if (origV === undefined || goTypeName(origV) !== goTypeName(patchV)) {
      if (!isDeleteList) original[k] = opts.parallel ? fresh(patchV, sub, strategy, meta.mergeKey) : patchV;
      continue;
    }
    const verbatim = (v: JSONValue): JSONValue => (opts.parallel ? removeDirectives(v) : v);
    if (isObject(origV) && isObject(patchV)) {
      original[k] = strategy === 'replace' ? verbatim(patchV) : mergeMap(origV, patchV, sub, opts);
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      original[k] = strategy === 'merge' ? mergeSlice(origV, patchV, sub, meta.mergeKey, isDeleteList, opts) : verbatim(patchV);
    } else {
      original[k] = patchV;
    }
  }
  return original;
}

/** fresh is the value a patch sets where the original has none: directives and nulls removed. */
function fresh(patchV: JSONValue, schema: PatchSchema, strategy: string, mergeKey: string): JSONValue {
  if (isObject(patchV)) return strategy === 'replace' ? removeDirectives(patchV) : mergeMap({}, patchV, schema, APPLY);
  if (Array.isArray(patchV)) return strategy === 'merge' ? mergeSlice([], patchV, schema, mergeKey, false, APPLY) : removeDirectives(patchV);
  return patchV;
}

const isDirectiveKey = (k: string): boolean =>
  k === DIRECTIVE_MARKER || k === RETAIN_KEYS_DIRECTIVE || k.startsWith(SET_ELEMENT_ORDER_PREFIX + '/') || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX + '/');

/**
 * removeDirectives strips patch directives and null values from a value the patch sets
 * wholesale (other `$` keys, like a JSON schema's `$ref`, are data and stay).
 */
function removeDirectives(v: JSONValue): JSONValue {
  if (Array.isArray(v)) {
    const out: JSONValue[] = [];
    for (const item of v) {
      if (isObject(item) && item[DIRECTIVE_MARKER] === 'delete') continue;
      out.push(removeDirectives(item));
    }
    return out;
  }
  if (!isObject(v)) return v;
  const out: JSONObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (isDirectiveKey(k) || x === null) continue;
    out[k] = removeDirectives(x);
  }
  return out;
}

/**
 * copyDirectives carries `$retainKeys` and `$setElementOrder/...` from patch into original when
 * two patches are merged; both patches naming different values is a conflict.
 */
function copyDirectives(original: JSONObject, patch: JSONObject): void {
  for (const k of Object.keys(patch)) {
    if (k !== RETAIN_KEYS_DIRECTIVE && !k.startsWith(SET_ELEMENT_ORDER_PREFIX + '/')) continue;
    if (original[k] !== undefined && !deepEqual(original[k], patch[k])) {
      throw k === RETAIN_KEYS_DIRECTIVE ? internalError(`${goValue(original[k])} and ${goValue(patch[k])} are not deep equal: this may happen when calculating the 3-way diff patch`) : ErrBadPatchFormatForSetElementOrderList();
    }
    original[k] = patch[k]!;
    delete patch[k];
  }
}

/** applyRetainKeys drops every key of original not named in the patch's `$retainKeys`. */
function applyRetainKeys(original: JSONObject, patch: JSONObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retain = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retain) || retain.some((k) => typeof k !== 'string')) throw ErrBadPatchFormatForRetainKeys();
  const keep = new Set(retain as string[]);
  for (const k of Object.keys(patch)) {
    if (patch[k] === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    // upstream answers a patch key outside $retainKeys with ErrBadPatchFormatForRetainKeys
    if (!keep.has(k)) throw ErrBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** keyOf is the identity of a list item: its merge key's value, or the primitive itself. */
function keyOf(item: JSONValue, mergeKey: string): JSONValue | undefined {
  return mergeKey ? (isObject(item) ? item[mergeKey] : undefined) : item;
}

function indexIn(list: readonly JSONValue[], item: JSONValue, mergeKey: string): number {
  const k = keyOf(item, mergeKey);
  if (k === undefined) return -1;
  return list.findIndex((x) => deepEqual(keyOf(x, mergeKey), k));
}

/**
 * mergeSetElementOrder handles each `$setElementOrder/<list>`: merges the list it names and puts
 * the result in the order given, keeping server-only items near their live neighbours
 * (precedence: the directive, then the patch, then the live list).
 */
function mergeSetElementOrder(original: JSONObject, patch: JSONObject, schema: PatchSchema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX + '/')) continue;
    const order = patch[key];
    delete patch[key];
    const field = key.slice(SET_ELEMENT_ORDER_PREFIX.length + 1);
    if (!Array.isArray(order)) throw ErrBadPatchFormatForSetElementOrderList();
    const { schema: sub, meta } = schema.lookup(field);
    const mergeKey = meta.mergeKey;
    for (const item of order) {
      if (mergeKey ? !isObject(item) || item[mergeKey] === undefined : isObject(item) || Array.isArray(item)) {
        throw ErrBadPatchFormatForSetElementOrderList();
      }
    }
    const origList = original[field];
    const patchList = patch[field];
    const foundOriginal = Array.isArray(origList);
    const foundPatch = Array.isArray(patchList);
    if (!foundOriginal && !foundPatch) continue;
    if (foundPatch) validatePatchWithSetOrderList(patchList as JSONValue[], order, mergeKey);
    const origArr = foundOriginal ? (origList as JSONValue[]) : [];
    let merged: JSONValue[];
    if (foundOriginal && foundPatch) {
      merged = strategyOf(meta.strategies) === 'merge' ? mergeSlice(origArr, patchList as JSONValue[], sub, mergeKey, false, APPLY) : (removeDirectives(patchList as JSONValue[]) as JSONValue[]);
    } else if (foundPatch) {
      merged = removeDirectives(patchList as JSONValue[]) as JSONValue[];
    } else {
      merged = origArr;
    }
    const inOrder: JSONValue[] = [];
    const serverOnly: JSONValue[] = [];
    for (const item of merged) (indexIn(order, item, mergeKey) >= 0 ? inOrder : serverOnly).push(item);
    original[field] = normalizeElementOrder(inOrder, serverOnly, order, origArr, mergeKey);
    delete patch[field];
  }
}

/**
 * validatePatchWithSetOrderList checks that the patch list's items appear in the
 * `$setElementOrder` list in the same relative order (upstream answers a mismatch with a plain
 * error, so 500).
 */
function validatePatchWithSetOrderList(patchList: JSONValue[], order: JSONValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = patchList.filter((x) => !(isObject(x) && x[DIRECTIVE_MARKER] !== undefined));
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (deepEqual(keyOf(items[p]!, mergeKey), keyOf(order[o]!, mergeKey))) p++;
    o++;
  }
  if (p < items.length) {
    throw internalError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goValue(order)}\n`);
  }
}

/** mergeSlice merges a `merge`-strategy list: by merge key for maps, as a union for primitives. */
function mergeSlice(original: JSONValue[], patch: JSONValue[], schema: PatchSchema, mergeKey: string, isDeleteList: boolean, opts: MergeOptions): JSONValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const all = [...original, ...patch];
  if (all.some((x) => Array.isArray(x))) throw ErrNoListOfLists();
  const maps = all.some((x) => isObject(x));
  if (maps && all.some((x) => !isObject(x))) throw badRequest('list elements are not all of the same type');
  let merged: JSONValue[];
  let order = patch;
  if (!maps) {
    if (isDeleteList) return original.filter((x) => !patch.some((p) => deepEqual(p, x)));
    merged = [];
    for (const x of all) if (!merged.some((m) => deepEqual(m, x))) merged.push(x);
  } else {
    if (!mergeKey) throw internalError(`cannot merge lists without merge key for ${schema.name}`);
    // $patch items first: delete removes the matching live item, replace drops the live list.
    let base = original;
    const plain: JSONObject[] = [];
    let replace = false;
    for (const v of patch as JSONObject[]) {
      if (!Object.prototype.hasOwnProperty.call(v, DIRECTIVE_MARKER)) {
        plain.push(v);
        continue;
      }
      const d = v[DIRECTIVE_MARKER];
      if (d === 'delete') {
        if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw ErrNoMergeKey(v, mergeKey);
        base = base.filter((x) => !deepEqual((x as JSONObject)[mergeKey], v[mergeKey]));
      } else if (d === 'replace') {
        replace = true;
      } else if (d === 'merge') {
        throw badRequest('merging lists cannot yet be specified in the patch');
      } else {
        throw ErrBadPatchType(d, v);
      }
    }
    if (replace) {
      base = plain.map((x) => removeDirectives(x));
      order = [];
      merged = base;
    } else {
      merged = base.slice();
      for (const v of plain) {
        if (!Object.prototype.hasOwnProperty.call(v, mergeKey)) throw ErrNoMergeKey(v, mergeKey);
        const i = merged.findIndex((x) => deepEqual((x as JSONObject)[mergeKey], v[mergeKey]));
        if (i >= 0) merged[i] = mergeMap(merged[i] as JSONObject, v, schema, opts);
        else merged.push(opts.parallel ? mergeMap({}, v, schema, opts) : v);
      }
      order = plain;
    }
    original = base;
  }
  const inPatch: JSONValue[] = [];
  const serverOnly: JSONValue[] = [];
  for (const item of merged) (indexIn(order, item, mergeKey) >= 0 ? inPatch : serverOnly).push(item);
  return normalizeElementOrder(inPatch, serverOnly, order, original, mergeKey);
}

/**
 * normalizeElementOrder sorts patch items by patchOrder and server-only items by serverOrder,
 * then interleaves them, keeping both relative orders (upstream's normalizeElementOrder).
 */
function normalizeElementOrder(
  patchItems: JSONValue[],
  serverOnly: JSONValue[],
  patchOrder: readonly JSONValue[],
  serverOrder: readonly JSONValue[],
  mergeKey: string,
): JSONValue[] {
  const sortBy = (items: JSONValue[], order: readonly JSONValue[]): JSONValue[] =>
    items
      .map((item, i) => ({ item, i, at: indexIn(order, item, mergeKey) }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map((x) => x.item);
  const right = sortBy(patchItems, patchOrder);
  const left = sortBy(serverOnly, serverOrder);
  const out: JSONValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, mergeKey);
      const ri = indexIn(serverOrder, right[j]!, mergeKey);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}
