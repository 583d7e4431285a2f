/**
 * Encoding JSON-shaped objects as Kubernetes protobuf, driven by the same generated table as
 * the decoder and framed as gogo-protobuf/client-go frame them: non-pointer fields are always
 * written (zero included, non-pointer structs as empty messages), pointer fields only when
 * set, map entries in key order, everything behind the `k8s\0` runtime.Unknown envelope.
 *
 * The apiserver does not answer in protobuf yet; tests use this to produce the bodies client-go
 * sends, and it is the base for protobuf responses.
 */
import { badRequest } from '../../api/errors.js';
import { MAGIC } from './decode.js';
import { ARRAYS, compiledOf, DURATION, FIELDS_V1, INLINE, INT_OR_STRING, isMessageType, MAP, messageForKind, MICRO_TIME, NON_NULLABLE, QUANTITY, RAW_EXTENSION, REPEATED, TIME, type Field } from './types.js';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, Writer } from './wire.js';

type JSONObject = Record<string, unknown>;

const GO_ZERO = { seconds: -62135596800n, nanos: 0 };

function parseTime(v: unknown): { seconds: bigint; nanos: number } {
  if (typeof v !== 'string' || v === '') return GO_ZERO;
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(v);
  const ms = Date.parse(m ? `${m[1]}${m[3]}` : v);
  if (Number.isNaN(ms)) throw badRequest(`protobuf: bad time ${JSON.stringify(v)}`);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: m?.[2] ? Number(m[2].padEnd(9, '0').slice(0, 9)) : 0 };
}

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, µs: 1000n, μs: 1000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** parseGoDuration parses time.ParseDuration's syntax ("1h2m3.5s") into nanoseconds. */
export function parseGoDuration(s: string): bigint {
  const neg = s.startsWith('-');
  let rest = s.replace(/^[-+]/, '');
  if (rest === '0') return 0n;
  let total = 0n;
  while (rest) {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) throw badRequest(`protobuf: bad duration ${JSON.stringify(s)}`);
    const unit = UNITS[m[3]!]!;
    const frac = m[2] ?? '';
    total += BigInt(m[1] || '0') * unit + (frac ? (BigInt(frac) * unit) / 10n ** BigInt(frac.length) : 0n);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

function writeScalar(w: Writer, no: number, type: string, v: unknown): void {
  switch (type) {
    case 'string':
      w.bytes(no, Buffer.from(String(v ?? ''), 'utf8'));
      return;
    case 'bytes':
      w.bytes(no, Buffer.from(String(v ?? ''), 'base64'));
      return;
    case 'bool':
      w.tag(no, WIRE_VARINT).varint(v ? 1 : 0);
      return;
    case 'sint32':
    case 'sint64': {
      const n = BigInt(Math.trunc(Number(v ?? 0)));
      w.tag(no, WIRE_VARINT).varint(n >= 0n ? n * 2n : -n * 2n - 1n);
      return;
    }
    case 'double':
    case 'fixed64':
    case 'sfixed64': {
      const b = Buffer.alloc(8);
      if (type === 'double') b.writeDoubleLE(Number(v ?? 0));
      else b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(Math.trunc(Number(v ?? 0)))));
      w.tag(no, WIRE_FIXED64).raw(b);
      return;
    }
    case 'float':
    case 'fixed32':
    case 'sfixed32': {
      const b = Buffer.alloc(4);
      if (type === 'float') b.writeFloatLE(Number(v ?? 0));
      else b.writeUInt32LE(Number(v ?? 0) >>> 0);
      w.tag(no, WIRE_FIXED32).raw(b);
      return;
    }
    default:
      // int32, int64, uint32, uint64 (and enums): two's complement varints.
      w.tag(no, WIRE_VARINT).varint(BigInt(Math.trunc(Number(v ?? 0))));
  }
}

/** encodeValue encodes a message-typed value (custom JSON types included) to its bytes. */
function encodeMessageValue(type: string, v: unknown): Buffer {
  const w = new Writer();
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      const t = parseTime(v);
      w.tag(1, WIRE_VARINT).varint(t.seconds).tag(2, WIRE_VARINT).varint(t.nanos);
      return w.finish();
    }
    case DURATION:
      return w.tag(1, WIRE_VARINT).varint(parseGoDuration(String(v ?? '0s'))).finish();
    case QUANTITY:
      return w.bytes(1, Buffer.from(String(v ?? '0'))).finish();
    case INT_OR_STRING:
      if (typeof v === 'string') return w.tag(1, WIRE_VARINT).varint(1).tag(2, WIRE_VARINT).varint(0).bytes(3, Buffer.from(v)).finish();
      return w.tag(1, WIRE_VARINT).varint(0).tag(2, WIRE_VARINT).varint(Number(v ?? 0)).bytes(3, Buffer.alloc(0)).finish();
    case RAW_EXTENSION:
    case FIELDS_V1:
      return v === undefined || v === null ? w.finish() : w.bytes(1, Buffer.from(JSON.stringify(v))).finish();
  }
  if (ARRAYS.has(type)) {
    for (const item of (v as unknown[] | undefined) ?? []) writeScalar(w, 1, 'string', item);
    return w.finish();
  }
  encodeFields(w, (v ?? {}) as JSONObject, type);
  return w.finish();
}

function writeField(w: Writer, f: Field, v: unknown): void {
  if (isMessageType(f.type)) w.bytes(f.no, encodeMessageValue(f.type, v));
  else writeScalar(w, f.no, f.type, v);
}

function encodeFields(w: Writer, obj: JSONObject, message: string): void {
  const c = compiledOf(message);
  if (!c) throw badRequest(`protobuf: no schema for ${message}`);
  for (const f of c.byNo) {
    const v = obj[f.name];
    if (f.flags & INLINE) {
      // The embedded struct's fields sit in the parent object.
      const inner = new Writer();
      encodeFields(inner, obj, f.type);
      const b = inner.finish();
      if (b.length > 0 || f.flags & NON_NULLABLE) w.bytes(f.no, b);
    } else if (f.flags & MAP) {
      const m = (v ?? {}) as JSONObject;
      for (const k of Object.keys(m).sort()) {
        const entry = new Writer();
        writeScalar(entry, 1, 'string', k);
        writeField(entry, { ...f, no: 2 }, m[k]);
        w.bytes(f.no, entry.finish());
      }
    } else if (f.flags & REPEATED) {
      for (const item of (v as unknown[] | undefined) ?? []) writeField(w, f, item);
    } else if (v !== undefined && v !== null) {
      writeField(w, f, v);
    } else if (f.flags & NON_NULLABLE) {
      writeField(w, f, undefined);
    }
  }
}

/** encodeProtobufMessage encodes a JSON-shaped value as one message (no envelope). */
export function encodeProtobufMessage(obj: JSONObject, message: string): Buffer {
  const w = new Writer();
  encodeFields(w, obj, message);
  return w.finish();
}

/**
 * encodeProtobufObject encodes an object with apiVersion and kind as a Kubernetes protobuf
 * body (`k8s\0` + runtime.Unknown). Throws for a kind without a schema.
 */
export function encodeProtobufObject(obj: JSONObject): Buffer {
  const apiVersion = String(obj.apiVersion ?? '');
  const kind = String(obj.kind ?? '');
  const message = messageForKind(apiVersion, kind);
  if (!message) throw badRequest(`protobuf: no schema for ${apiVersion}/${kind}`);
  const typeMeta = new Writer().bytes(1, Buffer.from(apiVersion)).bytes(2, Buffer.from(kind)).finish();
  const env = new Writer().bytes(1, typeMeta).bytes(2, encodeProtobufMessage(obj, message)).bytes(3, Buffer.alloc(0)).bytes(4, Buffer.alloc(0)).finish();
  return Buffer.concat([MAGIC, env]);
}
