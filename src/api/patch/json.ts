/**
 * JSON values and the small helpers the three patch types share.
 */
import { StatusError } from '../errors.js';

export type JSONValue = null | boolean | number | string | JSONValue[] | JSONObject;
export interface JSONObject {
  [key: string]: JSONValue;
}

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * deepEqual compares two JSON values as their serialisations would be compared, key order
 * aside: a field holding undefined counts as absent (parsed JSON never holds one; objects built
 * in code, like the kubelet's pods, may). No text is produced.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let n = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    n++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) n--;
  return n === 0;
}

/**
 * sameJSONText reports whether JSON.stringify(a) === JSON.stringify(b), key order included,
 * without producing either text: members holding undefined (or a function or symbol) are left
 * out of objects and are null in arrays, non-finite numbers are null. Values that serialize by
 * rules of their own (toJSON, boxed primitives, bigint) are settled by JSON.stringify itself.
 */
export function sameJSONText(a: unknown, b: unknown): boolean {
  // At the top a left-out value has no text at all (not null).
  if (leftOut(a) || leftOut(b)) return leftOut(a) && leftOut(b);
  const r = textEqual(a, b);
  return r === UNSURE ? JSON.stringify(a) === JSON.stringify(b) : r === EQUAL;
}

const DIFFERENT = 0;
const EQUAL = 1;
const UNSURE = 2;

/** textEqual compares two values as array items (a left-out value is null). */
function textEqual(a: unknown, b: unknown): number {
  const ao = typeof a === 'object' && a !== null;
  const bo = typeof b === 'object' && b !== null;
  if (!ao || !bo) {
    if (typeof a === 'bigint' || typeof b === 'bigint') return UNSURE;
    // An object's text ({…} or […]) differs from any scalar's, unless it serializes by its own rules.
    if (ao) return plain(a) ? DIFFERENT : UNSURE;
    if (bo) return plain(b) ? DIFFERENT : UNSURE;
    return scalarText(a) === scalarText(b) ? EQUAL : DIFFERENT;
  }
  if (a === b) return EQUAL;
  if (!plain(a) || !plain(b)) return UNSURE;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return DIFFERENT;
    for (let i = 0; i < a.length; i++) {
      const r = textEqual(a[i], b[i]);
      if (r !== EQUAL) return r;
    }
    return EQUAL;
  }
  if (Array.isArray(b)) return DIFFERENT;
  const am = a as Record<string, unknown>;
  const bm = b as Record<string, unknown>;
  const ak = Object.keys(am);
  const bk = Object.keys(bm);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ak.length && leftOut(am[ak[i]!])) i++;
    while (j < bk.length && leftOut(bm[bk[j]!])) j++;
    if (i === ak.length || j === bk.length) return i === ak.length && j === bk.length ? EQUAL : DIFFERENT;
    const k = ak[i]!;
    if (k !== bk[j]) return DIFFERENT;
    const r = textEqual(am[k], bm[k]);
    if (r !== EQUAL) return r;
    i++;
    j++;
  }
}

/** leftOut: JSON.stringify omits an object member holding this value. */
function leftOut(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** scalarText maps a non-object to a value that is equal exactly when the JSON texts are. */
function scalarText(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return leftOut(v) ? null : v;
}

/** plain: an array or object JSON.stringify walks member by member (no toJSON, not boxed). */
function plain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  return typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/**
 * clone deep-copies a JSON value, so patches never alias the caller's objects. The copy is what
 * a JSON round trip would give (object keys holding undefined are dropped, undefined array items
 * become null, toJSON is honoured) at a fraction of its cost: no text is produced or parsed.
 */
export function clone<T>(v: T): T {
  if (v === undefined) return v;
  if (v === null || typeof v !== 'object') return roundTripScalar(v) as T;
  return copy(v) as T;
}

function roundTripScalar(v: unknown): unknown {
  // Only non-finite numbers, functions and symbols change in a JSON round trip.
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
  return v;
}

function copy(v: object): unknown {
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return JSON.parse(JSON.stringify(v)) as unknown;
  if (Array.isArray(v)) {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const x: unknown = v[i];
      out[i] = x === null ? null : typeof x === 'object' ? copy(x) : x === undefined ? null : typeof x === 'string' || typeof x === 'boolean' ? x : roundTripScalar(x);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    const x: unknown = (v as Record<string, unknown>)[k];
    if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue;
    const y = x === null ? null : typeof x === 'object' ? copy(x) : typeof x === 'string' || typeof x === 'boolean' ? x : roundTripScalar(x);
    // JSON.parse makes `__proto__` an own key; an assignment would set the prototype instead.
    if (k === '__proto__') Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
    else out[k] = y;
  }
  return out;
}

/** goTypeName names a JSON value's type as Go's encoding/json does in its decode errors. */
export function goTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * unprocessable is the 422 upstream's patch handler returns when a well-formed patch cannot be
 * applied (errors.NewGenericServerResponse(422, ...)): reason Invalid with the generic message,
 * the detailed reason kept as the error's cause.
 */
export function unprocessable(detail: string): StatusError {
  return new StatusError(
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      code: 422,
      details: {},
    },
    { cause: new Error(detail) },
  );
}
