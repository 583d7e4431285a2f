/**
 * Computing strategic merge patches, as upstream's strategicpatch.CreateTwoWayMergePatch and
 * CreateThreeWayMergePatch (what `kubectl apply` sends): maps diff key by key (removed keys
 * become null), merge-strategy lists of maps diff by merge key (removed items become
 * `$patch: delete`), merge-strategy primitive lists get `$deleteFromPrimitiveList`, changed
 * merge lists get `$setElementOrder`, `retainKeys` fields get `$retainKeys`, and every other
 * list is replaced whole when it changed.
 */
import { badRequest, internalError } from '../errors.js';
import { DELETE_FROM_PRIMITIVE_LIST_PREFIX, DIRECTIVE_MARKER, RETAIN_KEYS_DIRECTIVE, SET_ELEMENT_ORDER_PREFIX, mergePatches } from './strategic.js';
import { clone, deepEqual, goTypeName, isObject, type JSONObject, type JSONValue } from './json.js';
import type { PatchSchema } from './meta.js';

interface DiffOptions {
  setElementOrder: boolean;
  ignoreChangesAndAdditions: boolean;
  ignoreDeletions: boolean;
  buildRetainKeys: boolean;
}

const strategyOf = (strategies: readonly string[]): string => strategies.find((s) => s !== 'retainKeys') ?? '';

/** goString renders a scalar as Go's %v, which upstream sorts and compares list items by. */
function goString(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function diffMaps(original: JSONObject, modified: JSONObject, schema: PatchSchema, opts: DiffOptions): JSONObject {
  const patch: JSONObject = {};
  const retainKeys: string[] = [];
  for (const [key, modifiedValue] of Object.entries(modified)) {
    if (opts.buildRetainKeys && modifiedValue !== null) retainKeys.push(key);
    if (!Object.prototype.hasOwnProperty.call(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key]!;
    if (key === DIRECTIVE_MARKER) {
      if (typeof originalValue !== 'string' || typeof modifiedValue !== 'string') throw badRequest(`invalid value for special key: ${DIRECTIVE_MARKER}`);
      if (originalValue !== modifiedValue) patch[key] = modifiedValue;
      continue;
    }
    if (goTypeName(originalValue) !== goTypeName(modifiedValue)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const { schema: sub, meta } = schema.lookup(key);
    const strategy = strategyOf(meta.strategies);
    const retain = meta.strategies.includes('retainKeys');
    if (isObject(originalValue) && isObject(modifiedValue)) {
      if (strategy === 'replace') {
        if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      } else {
        const p = diffMaps(originalValue, modifiedValue, sub, { ...opts, buildRetainKeys: retain });
        if (Object.keys(p).length) patch[key] = p;
      }
    } else if (Array.isArray(originalValue) && Array.isArray(modifiedValue)) {
      if (strategy === 'merge') {
        const { add, del, order } = diffLists(originalValue, modifiedValue, sub, meta.mergeKey, { ...opts, buildRetainKeys: retain });
        if (add.length) patch[key] = add;
        if (del.length) patch[`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/${key}`] = del;
        if (order.length) patch[`${SET_ELEMENT_ORDER_PREFIX}/${key}`] = order;
      } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
        patch[key] = modifiedValue;
      }
    } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
      patch[key] = modifiedValue;
    }
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.prototype.hasOwnProperty.call(modified, key)) patch[key] = null;
  }
  const hasAdditionalNewField = Object.entries(original).some(([k, v]) => v !== null && !Object.prototype.hasOwnProperty.call(modified, k));
  if (retainKeys.length && (Object.keys(patch).length || hasAdditionalNewField)) {
    patch[RETAIN_KEYS_DIRECTIVE] = retainKeys.sort();
  }
  return patch;
}

function diffLists(original: JSONValue[], modified: JSONValue[], schema: PatchSchema, mergeKey: string, opts: DiffOptions): { add: JSONValue[]; del: JSONValue[]; order: JSONValue[] } {
  const none = { add: [], del: [], order: [] };
  if (original.length === 0) return modified.length === 0 || opts.ignoreChangesAndAdditions ? none : { add: modified, del: [], order: [] };
  const all = [...original, ...modified];
  if (all.some((x) => Array.isArray(x))) throw badRequest('lists of lists are not supported');
  if (all.some((x) => isObject(x))) {
    if (!mergeKey) throw internalError(`cannot merge lists without merge key for ${schema.name}`);
    const keyOf = (m: JSONValue): JSONValue => {
      if (!isObject(m) || !Object.prototype.hasOwnProperty.call(m, mergeKey)) throw internalError(`map: ${goString(m)} does not contain declared merge key: ${mergeKey}`);
      return m[mergeKey]!;
    };
    const sortByKey = (l: JSONValue[]): JSONObject[] => [...(l as JSONObject[])].sort((a, b) => (goString(keyOf(a)) < goString(keyOf(b)) ? -1 : goString(keyOf(a)) > goString(keyOf(b)) ? 1 : 0));
    const o = sortByKey(original);
    const m = sortByKey(modified);
    const patch: JSONValue[] = [];
    const deletions: JSONValue[] = [];
    let i = 0;
    let j = 0;
    while (i < o.length || j < m.length) {
      const ok = i < o.length ? goString(keyOf(o[i]!)) : undefined;
      const mk = j < m.length ? goString(keyOf(m[j]!)) : undefined;
      if (ok !== undefined && mk !== undefined && ok === mk) {
        const p = diffMaps(o[i]!, m[j]!, schema, opts);
        if (Object.keys(p).length) patch.push({ ...p, [mergeKey]: m[j]![mergeKey]! });
        i++;
        j++;
      } else if (ok === undefined || (mk !== undefined && ok > mk)) {
        if (!opts.ignoreChangesAndAdditions) patch.push(m[j]!);
        j++;
      } else {
        if (!opts.ignoreDeletions) deletions.push({ [DIRECTIVE_MARKER]: 'delete', [mergeKey]: o[i]![mergeKey]! });
        i++;
      }
    }
    const at = (x: JSONValue): number => modified.findIndex((y) => deepEqual((y as JSONObject)[mergeKey], (x as JSONObject)[mergeKey]));
    const sorted = patch.map((x, n) => ({ x, n, a: at(x) })).sort((p, q) => p.a - q.a || p.n - q.n).map((p) => p.x);
    const orderSame = original.length === modified.length && original.every((x, n) => deepEqual((x as JSONObject)[mergeKey], (modified[n] as JSONObject)[mergeKey]));
    const add = [...sorted, ...deletions];
    const wantOrder = opts.setElementOrder && ((!opts.ignoreChangesAndAdditions && (add.length > 0 || !orderSame)) || (!opts.ignoreDeletions && add.length > 0));
    return { add, del: [], order: wantOrder ? modified.map((x) => ({ [mergeKey]: (x as JSONObject)[mergeKey]! })) : [] };
  }
  // Primitive lists: a multiset difference over Go's string forms, as upstream sorts them.
  const count = (l: JSONValue[]): Map<string, number> => {
    const c = new Map<string, number>();
    for (const x of l) c.set(goString(x), (c.get(goString(x)) ?? 0) + 1);
    return c;
  };
  const oc = count(original);
  const mc = count(modified);
  const add: JSONValue[] = [];
  if (!opts.ignoreChangesAndAdditions) {
    const seen = new Map<string, number>();
    for (const x of modified) {
      const k = goString(x);
      seen.set(k, (seen.get(k) ?? 0) + 1);
      if (seen.get(k)! > (oc.get(k) ?? 0)) add.push(x);
    }
  }
  const del: JSONValue[] = [];
  if (!opts.ignoreDeletions) {
    for (const x of original) {
      const k = goString(x);
      if ((oc.get(k) ?? 0) > (mc.get(k) ?? 0) && !del.some((d) => goString(d) === k)) del.push(x);
    }
  }
  const wantOrder = opts.setElementOrder && ((!opts.ignoreDeletions && del.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)));
  return { add, del, order: wantOrder ? modified : [] };
}

function asObject(v: unknown, what: string): JSONObject {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw badRequest(`invalid JSON document (${what})`);
  return clone(v);
}

/**
 * createTwoWayMergePatch returns the strategic merge patch that turns original into modified
 * (upstream's CreateTwoWayMergePatch, with `$setElementOrder`).
 */
export function createTwoWayMergePatchWithSchema(original: unknown, modified: unknown, schema: PatchSchema): JSONObject {
  const opts: DiffOptions = { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeys: false };
  return diffMaps(asObject(original, 'original'), asObject(modified, 'modified'), schema, opts);
}

/**
 * createThreeWayMergePatch returns the patch `kubectl apply` sends (upstream's
 * CreateThreeWayMergePatch with overwrite): changes from current to modified, without
 * deleting what others added, plus the deletions from original (the last-applied
 * configuration) to modified.
 */
export function createThreeWayMergePatchWithSchema(original: unknown, modified: unknown, current: unknown, schema: PatchSchema): JSONObject {
  const o = asObject(original, 'original');
  const m = asObject(modified, 'modified');
  const c = asObject(current, 'current');
  const delta = diffMaps(c, m, schema, { setElementOrder: true, ignoreChangesAndAdditions: false, ignoreDeletions: true, buildRetainKeys: false });
  const deletions = diffMaps(o, m, schema, { setElementOrder: true, ignoreChangesAndAdditions: true, ignoreDeletions: false, buildRetainKeys: false });
  return mergePatches(deletions, delta, schema);
}
