/**
 * JSON Patch (RFC 6902) as kube-apiserver applies it (evanphx/json-patch v4): add, remove,
 * replace, move, copy and test, `-` to append, `~0`/`~1` escapes, and negative array indices
 * counted from the end (v4 accepts them).
 */
import { badRequest, requestEntityTooLarge } from '../errors.js';
import { clone, deepEqual, goTypeName, isObject, unprocessable, type JSONObject, type JSONValue } from './json.js';

/** MAX_JSON_PATCH_OPERATIONS is upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: JSONValue;
  hasValue: boolean;
  /** missingPath is reported when the op runs, as upstream does. */
  missingPath?: boolean;
}

/**
 * decodeJSONPatch checks the patch document's shape. A patch that is not a list of operation
 * objects is 400 BadRequest, as upstream's jsonpatch.DecodePatch failure is.
 */
function decodeJSONPatch(patch: unknown): Operation[] {
  // JSON null decodes to an empty patch in Go, as upstream accepts it.
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${goTypeName(patch)} into Go value of type jsonpatch.Patch`);
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw requestEntityTooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`);
  }
  return patch.map((raw: unknown) => {
    if (!isObject(raw)) throw badRequest(`json: cannot unmarshal ${goTypeName(raw)} into Go value of type jsonpatch.Operation`);
    const op = raw['op'];
    const path = raw['path'];
    const from = raw['from'];
    return {
      op: typeof op === 'string' ? op : '',
      path: typeof path === 'string' ? path : '',
      ...(typeof from === 'string' ? { from } : {}),
      value: raw['value'] as JSONValue,
      hasValue: Object.prototype.hasOwnProperty.call(raw, 'value'),
      ...(typeof path !== 'string' ? { missingPath: true } : {}),
    };
  });
}

/** parsePointer splits an RFC 6901 pointer into unescaped reference tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** arrayIndex resolves a token to an index; `allowEnd` permits len and `-` (insertion point). */
function arrayIndex(arr: JSONValue[], token: string, allowEnd: boolean, path: string): number {
  if (token === '-' && allowEnd) return arr.length;
  if (!/^-?(0|[1-9][0-9]*)$/.test(token)) throw new Error(`Unable to access invalid index: ${token}: invalid index referenced`);
  let i = Number(token);
  if (i < 0) {
    if (-i > arr.length) throw new Error(`Unable to access invalid index: ${i}: invalid index referenced`);
    i += arr.length;
  }
  const max = allowEnd ? arr.length : arr.length - 1;
  if (i > max) throw new Error(`Unable to access invalid index: ${i}: invalid index referenced (path ${path})`);
  return i;
}

/** resolveParent walks to the container holding the last token of path. */
function resolveParent(doc: JSONValue, tokens: string[], op: string, path: string): JSONObject | JSONValue[] {
  let cur: JSONValue = doc;
  for (const t of tokens.slice(0, -1)) {
    let next: JSONValue | undefined;
    if (Array.isArray(cur)) {
      next = /^-?(0|[1-9][0-9]*)$/.test(t) ? cur[Number(t) < 0 ? cur.length + Number(t) : Number(t)] : undefined;
    } else if (isObject(cur)) {
      next = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    }
    if (next === undefined || next === null || typeof next !== 'object') {
      throw new Error(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
    }
    cur = next;
  }
  if (cur === null || typeof cur !== 'object') {
    throw new Error(`${op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`);
  }
  return cur;
}

function getValue(doc: JSONValue, path: string, op: string): JSONValue {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return doc;
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false, path)]!;
  if (!Object.prototype.hasOwnProperty.call(parent, last)) {
    throw new Error(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
  }
  return parent[last]!;
}

/** addValue implements `add`; it returns the (possibly replaced) document root. */
function addValue(doc: JSONValue, path: string, value: JSONValue, op = 'add'): JSONValue {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true, path), 0, value);
  else parent[last] = value;
  return doc;
}

function removeValue(doc: JSONValue, path: string, op = 'remove'): JSONValue {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new Error('unable to remove the document root');
  const parent = resolveParent(doc, tokens, op, path);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, last, false, path);
    return parent.splice(i, 1)[0]!;
  }
  if (!Object.prototype.hasOwnProperty.call(parent, last)) {
    throw new Error(`Unable to remove nonexistent key: ${last}: missing value`);
  }
  const v = parent[last]!;
  delete parent[last];
  return v;
}

/**
 * applyJSONPatch applies an RFC 6902 patch to a copy of doc (to doc itself when inPlace: the
 * caller owns it and discards it on error) and returns it. A patch that is not
 * a list of operations is 400 BadRequest; an operation that cannot be applied (missing path,
 * failed `test`, unknown op) is 422 Invalid with upstream's generic message.
 */
export function applyJSONPatchDocument(doc: unknown, patch: unknown, inPlace = false): JSONValue {
  const ops = decodeJSONPatch(patch);
  let out = (inPlace ? doc : clone(doc)) as JSONValue;
  for (const o of ops) {
    try {
      if (o.missingPath) throw new Error('operation missing path');
      switch (o.op) {
        case 'add':
          if (!o.hasValue) throw new Error('add operation missing value');
          out = addValue(out, o.path, clone(o.value as JSONValue));
          break;
        case 'remove':
          removeValue(out, o.path);
          break;
        case 'replace': {
          if (!o.hasValue) throw new Error('replace operation missing value');
          const tokens = parsePointer(o.path);
          if (tokens.length === 0) {
            out = clone(o.value as JSONValue);
            break;
          }
          getValue(out, o.path, 'replace');
          const parent = resolveParent(out, tokens, 'replace', o.path);
          const last = tokens[tokens.length - 1]!;
          if (Array.isArray(parent)) parent[arrayIndex(parent, last, false, o.path)] = clone(o.value as JSONValue);
          else parent[last] = clone(o.value as JSONValue);
          break;
        }
        case 'move': {
          if (o.from === undefined) throw new Error('move operation missing from');
          if (o.path !== o.from && o.path.startsWith(o.from + '/')) {
            throw new Error(`move operation cannot move ${o.from} into its own child ${o.path}`);
          }
          const v = removeValue(out, o.from, 'move');
          out = addValue(out, o.path, v, 'move');
          break;
        }
        case 'copy': {
          if (o.from === undefined) throw new Error('copy operation missing from');
          out = addValue(out, o.path, clone(getValue(out, o.from, 'copy')), 'copy');
          break;
        }
        case 'test': {
          let actual: JSONValue | undefined;
          try {
            actual = getValue(out, o.path, 'test');
          } catch {
            actual = undefined;
          }
          // a missing member only equals an explicit null, as evanphx/json-patch treats it
          const ok = actual === undefined ? o.value === null || o.value === undefined : deepEqual(actual, o.value);
          if (!ok) throw new Error(`testing value ${o.path} failed: test failed`);
          break;
        }
        default:
          throw new Error(`Unexpected kind: ${o.op}`);
      }
    } catch (err) {
      if (err instanceof Error && err.name === 'StatusError') throw err;
      throw unprocessable(err instanceof Error ? err.message : String(err));
    }
  }
  return out;
}
