/**
 * Decoding Kubernetes protobuf bodies into the JSON form the apiserver works on, matching what
 * kube-apiserver would store for the same object sent as JSON (Go's encoding/json of the
 * decoded struct):
 * - a non-pointer scalar (gogoproto nullable=false) is always on the wire; it stays in JSON
 *   when non-zero or when its field is required (no omitempty), otherwise it is dropped;
 * - a pointer scalar keeps whatever was sent, zero included (`replicas: 0`);
 * - a non-pointer struct is always present (`status: {}`), an inline one merges into its parent;
 * - empty repeated and map fields are absent (they are not on the wire);
 * - meta/v1 Time/MicroTime/Duration, Quantity, IntOrString, RawExtension and FieldsV1 take
 *   their custom JSON forms; a zero Time is omitted (Go writes null, which decodes the same);
 * - []byte is base64; int64/uint64 beyond 2^53 become the nearest JS number, exactly as the
 *   JSON path's JSON.parse does with the same value.
 */
import { badRequest, unsupportedMediaType } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import {
  childOf,
  type Compiled,
  compiledOf,
  DURATION,
  FIELDS_V1,
  INLINE,
  INT_OR_STRING,
  MAP,
  messageForKind,
  MICRO_TIME,
  QUANTITY,
  RAW_EXTENSION,
  REPEATED,
  TIME,
  UNKNOWN,
  type Field,
} from './types.js';
import { Reader, WIRE_BYTES, WIRE_VARINT } from './wire.js';

/** The `k8s\0` prefix of every Kubernetes protobuf body. */
export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

const EMPTY = Buffer.alloc(0);

/** Go's time.Time{} as Unix seconds: the zero time a non-pointer Time marshals to. */
const GO_ZERO_SECONDS = -62135596800;

/** scalar reads one value of a scalar field; want is the field's wire type (Field.wire). */
function scalar(type: string, want: number, r: Reader, wire: number): unknown {
  if (wire !== want) throw badRequest(`protobuf: wire type ${wire} for a ${type} field`);
  switch (type) {
    case 'string':
      return r.text('utf8');
    case 'bytes':
      return r.text('base64');
    case 'bool': {
      const n = r.small();
      return n >= 0 ? n !== 0 : r.varint() !== 0n;
    }
    case 'int32':
    case 'uint32':
    case 'int64':
    case 'uint64': {
      // Below 2^49 the number is exact; beyond, BigInt gives the correctly rounded double,
      // the same one JSON.parse gives the decimal.
      const n = r.small();
      if (n >= 0) return type === 'int32' ? n | 0 : type === 'uint32' ? n >>> 0 : n;
      const v = r.varint();
      return Number(type === 'int32' ? BigInt.asIntN(32, v) : type === 'uint32' ? BigInt.asUintN(32, v) : type === 'int64' ? BigInt.asIntN(64, v) : v);
    }
    case 'sint32':
    case 'sint64': {
      const v = r.varint();
      return Number((v >> 1n) ^ -(v & 1n));
    }
    case 'double':
      return r.fixed(8).readDoubleLE(0);
    case 'float':
      return r.fixed(4).readFloatLE(0);
    case 'fixed64':
      return Number(r.fixed(8).readBigUInt64LE(0));
    case 'sfixed64':
      return Number(r.fixed(8).readBigInt64LE(0));
    case 'fixed32':
      return r.fixed(4).readUInt32LE(0);
    case 'sfixed32':
      return r.fixed(4).readInt32LE(0);
    default:
      throw badRequest(`protobuf: unsupported scalar type ${type}`);
  }
}


/** A decoded zero value a non-pointer, omitempty field drops. */
function isZero(v: unknown): boolean {
  return v === undefined || v === '' || v === 0 || v === false;
}

/** Go's time.Duration.String(). */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  const frac = (v: bigint, digits: number): string => {
    const s = v.toString().padStart(digits, '0').replace(/0+$/, '');
    return s ? `.${s}` : '';
  };
  if (u < 1_000_000_000n) {
    if (u < 1000n) out = `${u}ns`;
    else if (u < 1_000_000n) out = `${u / 1000n}${frac(u % 1000n, 3)}µs`;
    else out = `${u / 1_000_000n}${frac(u % 1_000_000n, 6)}ms`;
  } else {
    const secs = `${(u / 1_000_000_000n) % 60n}${frac(u % 1_000_000_000n, 9)}s`;
    u /= 60_000_000_000n;
    if (u === 0n) out = secs;
    else if (u < 60n) out = `${u}m${secs}`;
    else out = `${u / 60n}h${u % 60n}m${secs}`;
  }
  return neg ? `-${out}` : out;
}

function decodeTimestamp(r: Reader, micro: boolean): string | undefined {
  let seconds = 0;
  let nanos = 0;
  while (!r.done) {
    const t = r.uint();
    const no = Math.floor(t / 8);
    const wire = t & 7;
    // Present-day seconds and all valid nanos are short varints: BigInt only for negative ones.
    if (no === 1 && wire === WIRE_VARINT) {
      const n = r.small();
      seconds = n >= 0 ? n : Number(BigInt.asIntN(64, r.varint()));
    } else if (no === 2 && wire === WIRE_VARINT) {
      const n = r.small();
      nanos = n >= 0 ? n | 0 : Number(BigInt.asIntN(32, r.varint()));
    } else r.skip(wire);
  }
  if ((seconds === 0 && nanos === 0) || seconds === GO_ZERO_SECONDS) return undefined;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  // metav1.Time marshals RFC3339 at whole seconds, MicroTime RFC3339 with 6 fraction digits, both in UTC.
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

function parseRawJSON(buf: Buffer, what: string): unknown {
  if (buf.length === 0) return undefined;
  if (buf.length >= 4 && buf.subarray(0, 4).equals(MAGIC)) return decodeProtobufObject(buf);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw badRequest(`protobuf: ${what} does not hold JSON`);
  }
}

/** decodeSpecial decodes the apimachinery types with custom JSON (see SPECIAL). */
function decodeSpecial(f: Field, r: Reader): unknown {
  switch (f.type) {
    case TIME:
      return decodeTimestamp(r, false);
    case MICRO_TIME:
      return decodeTimestamp(r, true);
    case DURATION: {
      const m = decodeFields(r, childOf(f));
      return goDuration(BigInt((m.duration as number | undefined) ?? 0));
    }
    case QUANTITY:
      return (decodeFields(r, childOf(f)).string as string | undefined) || '0';
    case INT_OR_STRING: {
      const m = decodeFields(r, childOf(f));
      return m.type === 1 ? ((m.strVal as string | undefined) ?? '') : ((m.intVal as number | undefined) ?? 0);
    }
    case RAW_EXTENSION:
    case FIELDS_V1: {
      let raw: Buffer | undefined;
      while (!r.done) {
        const [no, wire] = r.tag();
        if (no === 1 && wire === WIRE_BYTES) raw = r.bytes();
        else r.skip(wire);
      }
      if (!raw) return undefined;
      return parseRawJSON(raw, f.type === FIELDS_V1 ? 'FieldsV1' : 'RawExtension');
    }
    case UNKNOWN:
      return decodeEnvelope(r);
  }
  return undefined;
}

/** decodeMessageValue decodes one length-delimited value of a message-typed field (Go JSON form). */
function decodeMessageValue(f: Field, r: Reader): unknown {
  if (f.special) return decodeSpecial(f, r);
  if (f.array) return (decodeFields(r, childOf(f)).items as unknown[] | undefined) ?? [];
  return decodeFields(r, childOf(f));
}

function decodeOne(f: Field, r: Reader, wire: number): unknown {
  if (!f.message) return scalar(f.type, f.wire, r, wire);
  if (wire !== WIRE_BYTES) throw badRequest(`protobuf: field ${f.name} is not length-delimited`);
  return decodeMessageValue(f, r.sub());
}

function decodeMapEntry(f: Field, r: Reader): [string, unknown] {
  let key = '';
  let value: unknown;
  while (!r.done) {
    const t = r.uint();
    const no = Math.floor(t / 8);
    const wire = t & 7;
    if (no === 1) key = scalar('string', WIRE_BYTES, r, wire) as string;
    else if (no === 2) value = decodeOne(f, r, wire);
    else r.skip(wire);
  }
  // An entry without its value holds the value type's zero.
  if (value === undefined) value = f.type === QUANTITY ? '0' : f.message ? decodeMessageValue(f, new Reader(EMPTY)) : f.type === 'string' || f.type === 'bytes' ? '' : f.type === 'bool' ? false : 0;
  return [key, value];
}

/** decodeFields decodes a message into its JSON object, applying the omitempty rules above. */
function decodeFields(r: Reader, c: Compiled): Record<string, unknown> {
  // Values by declaration index; the object is built once at the end, without deletes (which
  // would turn it into a slow dictionary) and in Go's field order.
  const vals: unknown[] = new Array<unknown>(c.list.length);
  while (!r.done) {
    const t = r.uint();
    const wire = t & 7;
    const f = c.byNumber.get(t >>> 3);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.flags & MAP) {
      if (wire !== WIRE_BYTES) throw badRequest(`protobuf: map field ${f.name} is not length-delimited`);
      const [k, v] = decodeMapEntry(f, r.sub());
      ((vals[f.index] ??= {}) as Record<string, unknown>)[k] = v;
    } else if (f.flags & REPEATED) {
      const list = (vals[f.index] ??= []) as unknown[];
      if (wire === WIRE_BYTES && !f.message && f.type !== 'string' && f.type !== 'bytes') {
        const packed = r.sub();
        while (!packed.done) list.push(scalar(f.type, f.wire, packed, f.wire));
      } else list.push(decodeOne(f, r, wire));
    } else if (f.flags & INLINE) {
      if (wire !== WIRE_BYTES) throw badRequest(`protobuf: field ${f.name} is not length-delimited`);
      vals[f.index] = decodeFields(r.sub(), childOf(f));
    } else {
      vals[f.index] = decodeOne(f, r, wire);
    }
  }
  const out: Record<string, unknown> = {};
  for (const f of c.list) {
    let v = vals[f.index];
    if (f.flags & INLINE) {
      if (v) Object.assign(out, v);
      continue;
    }
    if (v === undefined) {
      // Go's encoding/json always writes a struct field (omitempty does not apply to structs).
      if (!f.emptyStruct) continue;
      v = {};
    } else if (f.dropZero && isZero(v)) {
      // Pointers keep what was sent; non-pointer zeros stay only without omitempty (required).
      continue;
    }
    out[f.name] = v;
  }
  return out;
}

/** Decoded runtime.Unknown: the object's apiVersion/kind and its content. */
function decodeEnvelope(r: Reader): KubeObject {
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = EMPTY;
  let contentType = '';
  let contentEncoding = '';
  while (!r.done) {
    const [no, wire] = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    const b = r.bytes();
    if (no === 1) {
      const tm = new Reader(b);
      while (!tm.done) {
        const [tno, twire] = tm.tag();
        if (tno === 1 && twire === WIRE_BYTES) apiVersion = tm.bytes().toString('utf8');
        else if (tno === 2 && twire === WIRE_BYTES) kind = tm.bytes().toString('utf8');
        else tm.skip(twire);
      }
    } else if (no === 2) raw = b;
    else if (no === 3) contentEncoding = b.toString('utf8');
    else if (no === 4) contentType = b.toString('utf8');
  }
  if (contentEncoding) throw unsupportedMediaType(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  if (contentType && contentType !== 'application/vnd.kubernetes.protobuf') {
    const inner = parseRawJSON(raw, 'runtime.Unknown');
    return (inner ?? {}) as KubeObject;
  }
  const message = messageForKind(apiVersion, kind);
  // Kinds without a protobuf schema (custom resources) cannot be sent as protobuf upstream either.
  if (!message) throw unsupportedMediaType(['application/json', 'application/yaml']);
  const c = compiledOf(message);
  if (!c) throw badRequest(`protobuf: no schema for ${message}`);
  return { apiVersion, kind, ...decodeFields(new Reader(raw), c) } as KubeObject;
}

/** isProtobuf reports whether a content type is Kubernetes protobuf. */
export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/vnd.kubernetes.protobuf';
}

/**
 * decodeProtobufObject decodes a `k8s\0`-prefixed runtime.Unknown body into the JSON-shaped
 * object (with apiVersion and kind from the envelope). 400 on malformed bytes, 415 for a kind
 * without a schema.
 */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest('provided protobuf data does not start with the k8s magic prefix');
  return decodeEnvelope(new Reader(body, 4));
}
