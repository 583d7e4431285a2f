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
  const { apiVersion, kind, metadata, ...rest } = obj;
  const meta = { ...(metadata ?? {}) };
  delete meta.resourceVersion;
  const text = JSON.stringify({ apiVersion, kind, metadata: meta, ...rest });
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  out.write(text);
  return out;
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
    const insert = Buffer.from(`"resourceVersion":"${rv}"${empty ? '' : ','}`);
    return Buffer.concat([value.subarray(0, end), insert, value.subarray(end)]);
  }
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  return Buffer.from(JSON.stringify(obj));
}

/** decodeStored parses a stored value and sets its resourceVersion. */
export function decodeStored(value: Buffer, rv: number): KubeObject {
  const obj = JSON.parse(value.toString('utf8')) as KubeObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
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
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  // Refused before parsing, as Go's decoder does, so no recursive step can overflow the stack.
  if (textNestingDepth(text) > MAX_NESTING_DEPTH) throw badRequest(`couldn't get version/kind; json parse error: exceeded max depth of ${MAX_NESTING_DEPTH}`);
  if (mediaType === 'application/yaml' || mediaType === 'application/apply-patch+yaml') {
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
    return { value, duplicates: findDuplicates ? duplicateKeys(JSON.stringify(value)) : [] };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
  return { value, duplicates: findDuplicates ? duplicateKeys(text) : [] };
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

/** deletePath removes a field named by a JSON path such as `.spec.containers[0].foo`. */
export function deletePath(obj: unknown, path: string): void {
  const parts: Array<string | number> = [];
  for (const m of path.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
  let cur: unknown = obj;
  for (let k = 0; k < parts.length - 1; k++) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string | number, unknown>)[parts[k]!];
  }
  if (cur !== null && typeof cur === 'object' && parts.length) delete (cur as Record<string | number, unknown>)[parts[parts.length - 1]!];
}
