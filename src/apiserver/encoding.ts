/**
 * Object encoding between the wire, the apiserver and storage.
 *
 * Storage holds each object as JSON without `metadata.resourceVersion` (the revision is the
 * resourceVersion, as upstream's etcd3 store does), written with `apiVersion`, `kind` and
 * `metadata` as the first keys. That layout lets {@link withResourceVersion} produce the served
 * bytes by splicing the revision in, without parsing and re-serializing the object.
 */
import { parseAllDocuments } from 'yaml';
import { badRequest } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { MAX_NESTING_DEPTH, textNestingDepth } from './limits/index.js';

const METADATA_OPEN = Buffer.from('"metadata":{');

/**
 * encodeForStorage serializes an object for storage: canonical key order, no resourceVersion.
 * The bytes have their own allocation, not a slice of Node's shared 8 KiB pool: storage keeps
 * current values for as long as they are current, and a kept pool slice pins its whole chunk
 * (a 2 KiB object would hold up to 8 KiB).
 */
export function encodeForStorage(obj: KubeObject): Buffer {
  // Built by copying rather than `delete`: a deleted key turns an object into a slow
  // dictionary that JSON.stringify walks at a fraction of its fast-path speed.
  // for-in over own keys (the same keys in the same order as Object.keys) without Object.keys's
  // array: this runs on every write.
  const doc: Record<string, unknown> = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: undefined };
  const meta: Record<string, unknown> = {};
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  if (metadata) for (const k in metadata) if (k !== 'resourceVersion' && hasOwn.call(metadata, k)) setOwn(meta, k, metadata[k]);
  doc.metadata = meta;
  for (const k in obj) if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && hasOwn.call(obj, k)) setOwn(doc, k, obj[k]);
  const text = JSON.stringify(doc);
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  out.write(text);
  return out;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** setOwn sets an own data property, `__proto__` included (as object spread would). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/**
 * withResourceVersion returns the served JSON bytes of a stored value at revision `rv`.
 * Values not in the canonical layout are parsed and re-serialized.
 */
export function withResourceVersion(value: Buffer, rv: number): Buffer {
  const at = value.indexOf(METADATA_OPEN);
  // The first `"metadata":{` is the top-level one when apiVersion and kind precede it.
  if (at > 0 && at < 200 && value[0] === 0x7b) {
    const end = at + METADATA_OPEN.length;
    const empty = value[end] === 0x7d; // '}'
    // One allocation, three copies (the insert is ASCII): no intermediate buffers.
    const insert = `"resourceVersion":"${rv}"${empty ? '' : ','}`;
    const out = Buffer.allocUnsafe(value.length + insert.length);
    value.copy(out, 0, 0, end);
    out.write(insert, end, 'latin1');
    value.copy(out, end + insert.length, end);
    return out;
  }
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return Buffer.from(JSON.stringify(obj));
}

/** decodeStored parses a stored value and sets its resourceVersion. */
export function decodeStored(value: Buffer, rv: number): KubeObject {
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  const meta: unknown = obj.metadata;
  // The parse made metadata: it is set in place (a copy by spreading cost a sixth of the parse).
  // The key lands where spreading would put it: last, or where a stored one already was.
  if (meta !== null && typeof meta === 'object' && !Array.isArray(meta)) (meta as { resourceVersion?: string }).resourceVersion = String(rv);
  else obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return obj;
}

/** DecodedBody is a request body as an object plus the duplicate fields found in it. */
export interface DecodedBody {
  value: unknown;
  /** duplicates are the dotted paths of repeated keys (`metadata.name`), for fieldValidation. */
  duplicates: string[];
}

/** decodeBody parses a JSON or YAML request body; malformed input is a 400 as upstream. */
export function decodeBody(body: Buffer, contentType: string, findDuplicates: boolean): DecodedBody {
  const text = body.toString('utf8');
  const semi = contentType.indexOf(';');
  const mediaType = (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  if (mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml') {
    // Clients (client-go's apply, kubectl --server-side) send apply patches as JSON: JSON is
    // YAML, and JSON.parse reads it to the same value (last duplicate wins, in first position)
    // at a fraction of the YAML parser's cost. Anything JSON.parse refuses goes to the YAML parser.
    if (firstNonSpace(text) === 0x7b) {
      let value: unknown;
      let parsed = true;
      try {
        value = JSON.parse(text);
      } catch {
        parsed = false;
      }
      // The YAML path builds its value before looking for duplicates, so it never reports any.
      if (parsed) {
        if (valueShape(value, false).depth > MAX_NESTING_DEPTH) throw tooDeep();
        return { value, duplicates: [] };
      }
      // Text JSON.parse refused is measured below, before the YAML parser sees it.
    }
    // Refused before parsing, as Go's decoder does, so no recursive step can overflow the stack.
    if (textNestingDepth(text) > MAX_NESTING_DEPTH) throw tooDeep();
    const docs = parseAllDocuments(text, { uniqueKeys: false });
    const doc = Array.isArray(docs) ? docs[0] : docs;
    if (!doc) return { value: null, duplicates: [] };
    if (doc.errors.length) throw badRequest(`error converting YAML to JSON: ${doc.errors[0]!.message}`);
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (err) {
      // The YAML library refuses alias bombs (billion laughs) while building the value.
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
    return { value, duplicates: [] };
  }
  // V8's JSON.parse is not recursive, so any depth parses safely: the depth limit is checked on
  // the value (one walk, which also counts keys) rather than by a character scan of the text.
  // Malformed text that is also too deep is refused as too deep, as when the text was scanned first.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (textNestingDepth(text) > MAX_NESTING_DEPTH) throw tooDeep();
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  const shape = valueShape(value, findDuplicates);
  if (shape.depth > MAX_NESTING_DEPTH) throw tooDeep();
  // A repeated key leaves the parsed value with fewer keys than the text names: only then is the
  // (costlier) scan that names the repeated paths needed.
  return { value, duplicates: findDuplicates && shape.keys !== textKeyCount(text) ? duplicateKeys(text) : [] };
}

function tooDeep(): Error {
  return badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${MAX_NESTING_DEPTH}`);
}

function firstNonSpace(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return c;
  }
  return -1;
}

/**
 * jsonShape measures JSON text in one pass without parsing it: the deepest bracket nesting
 * (brackets inside strings do not count, as limits' textNestingDepth) and the number of object
 * keys (strings followed by a colon).
 */
export function jsonShape(text: string): { depth: number; keys: number } {
  let depth = 0;
  let deepest = 0;
  let keys = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) j++;
        else if (d === 0x22) break;
      }
      let k = j + 1;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09) break;
        k++;
      }
      if (text.charCodeAt(k) === 0x3a) keys++;
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { depth: deepest, keys };
}

/**
 * valueShape is jsonShape of a parsed JSON value: its bracket nesting (brackets outside strings
 * are exactly its arrays and objects) and, when `countKeys`, its object keys, nested ones
 * included. The walk keeps its own stack (values nest deeper than the call stack allows) and
 * stops as soon as the depth is over MAX_NESTING_DEPTH; keys are then not counted in full.
 */
function valueShape(root: unknown, countKeys: boolean): { depth: number; keys: number } {
  if (root === null || typeof root !== 'object') return { depth: 0, keys: 0 };
  let deepest = 0;
  let keys = 0;
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > deepest) {
      deepest = depth;
      if (depth > MAX_NESTING_DEPTH) break;
    }
    if (Array.isArray(v)) {
      for (const x of v) {
        if (x !== null && typeof x === 'object') {
          values.push(x as object);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    for (const k in v) {
      if (countKeys) keys++;
      const x = (v as Record<string, unknown>)[k];
      if (x !== null && typeof x === 'object') {
        values.push(x);
        depths.push(depth + 1);
      }
    }
  }
  return { depth: deepest, keys };
}

/**
 * textKeyCount counts the object keys named in JSON text that JSON.parse accepted (as
 * jsonShape's keys): strings followed by a colon. It jumps from quote to quote with indexOf
 * rather than reading every character: in valid JSON every quote outside a string opens one.
 */
export function textKeyCount(text: string): number {
  let keys = 0;
  let open = text.indexOf('"');
  while (open >= 0) {
    let close = text.indexOf('"', open + 1);
    // A quote preceded by an odd run of backslashes is escaped: the string goes on.
    while (close > 0 && text.charCodeAt(close - 1) === 0x5c) {
      let b = close - 2;
      while (text.charCodeAt(b) === 0x5c) b--;
      if ((close - 1 - b) % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    if (close < 0) break;
    let k = close + 1;
    for (;;) {
      const d = text.charCodeAt(k);
      if (d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09) break;
      k++;
    }
    if (text.charCodeAt(k) === 0x3a) keys++;
    open = text.indexOf('"', k);
  }
  return keys;
}

/**
 * duplicateKeys scans JSON text and returns the dotted paths of keys repeated within one object.
 * It assumes the text is valid JSON (JSON.parse accepted it).
 */
export function duplicateKeys(text: string): string[] {
  const out: string[] = [];
  // A stack of open containers: objects track their keys, arrays their index.
  const stack: Array<{ obj: boolean; keys: Set<string>; path: string; index: number; lastKey: string }> = [];
  let i = 0;
  const n = text.length;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.obj) return top.path ? `${top.path}.${top.lastKey}` : top.lastKey;
    return `${top.path}[${top.index}]`;
  };
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // string
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top && top.obj) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) out.push(top.path ? `${top.path}.${key}` : key);
        top.keys.add(key);
        top.lastKey = key;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const path = childPath();
      stack.push({ obj: c === 0x7b, keys: new Set(), path, index: 0, lastKey: '' });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.obj) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return out;
}

/** deletePath removes a field named by a path such as `spec.containers[0].foo` (a leading `.` is allowed). */
export function deletePath(obj: unknown, path: string): void {
  const parts: Array<string | number> = [];
  for (const m of path.matchAll(/(?:^|\.)([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
  let cur: unknown = obj;
  for (let k = 0; k < parts.length - 1; k++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[parts[k]!];
  }
  if (cur !== null && typeof cur === 'object' && parts.length) delete (cur as Record<string | number, unknown>)[parts[parts.length - 1]!];
}
