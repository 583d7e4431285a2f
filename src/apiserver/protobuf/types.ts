/**
 * The generated message table and the names of the apimachinery types whose JSON form is not
 * their protobuf structure (upstream gives them custom JSON marshalers).
 */
import { badRequest } from '../../api/errors.js';
import { ARRAYS, KINDS, MESSAGES, type GeneratedField } from './schemas.generated.js';
import { WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';

export { ARRAYS, KINDS, MESSAGES };

export const REPEATED = 1;
/** gogoproto nullable=false: a non-pointer Go field, always on the wire even when zero. */
export const NON_NULLABLE = 2;
export const MAP = 4;
/** In the OpenAPI `required` list: the Go json tag has no omitempty, so zero values stay. */
export const REQUIRED = 8;
/** An embedded Go struct with `json:",inline"`: its fields belong to the parent in JSON. */
export const INLINE = 16;

export const TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime';
export const DURATION = 'k8s.io.apimachinery.pkg.apis.meta.v1.Duration';
export const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
export const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';
export const FIELDS_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1';
export const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

/** Types with custom JSON: their zero value is not `{}`, and they are never JSON objects of fields. */
export const SPECIAL = new Set([TIME, MICRO_TIME, DURATION, QUANTITY, INT_OR_STRING, RAW_EXTENSION, FIELDS_V1, UNKNOWN]);

export const isMessageType = (type: string): boolean => type.includes('.');

/** wireOf is the wire type a scalar of this proto type is written with (unpacked). */
export const wireOf = (type: string): number =>
  type === 'string' || type === 'bytes' || isMessageType(type) ? WIRE_BYTES : type === 'double' || type === 'fixed64' || type === 'sfixed64' ? WIRE_FIXED64 : type === 'float' || type === 'fixed32' || type === 'sfixed32' ? WIRE_FIXED32 : WIRE_VARINT;

export interface Field {
  no: number;
  name: string;
  type: string;
  flags: number;
  /** index is the field's position in its message's declaration order. */
  index: number;
  /** message: the type is a message (special types included). */
  message: boolean;
  /** special: one of SPECIAL. */
  special: boolean;
  /** array: one of ARRAYS (a message whose JSON form is an array). */
  array: boolean;
  /** wire: the wire type a single value of this field is sent with. */
  wire: number;
  /** emptyStruct: a non-pointer plain struct, which Go's encoding/json writes as `{}` when absent. */
  emptyStruct: boolean;
  /** dropZero: a non-pointer omitempty scalar (or custom-JSON type) whose zero value is left out. */
  dropZero: boolean;
  /** sub: the compiled message of a message-typed field, resolved on first use (see childOf). */
  sub: Compiled | undefined;
}

/** A message's fields, compiled once: by number for decoding, in declaration order for output. */
export interface Compiled {
  byNumber: Map<number, Field>;
  list: Field[];
  /** byNo: the fields in field-number order, the order gogo-protobuf writes them. */
  byNo: Field[];
}

const compiled = new Map<string, Compiled>();

/** fieldsOf returns a message's compiled fields (undefined for an unknown message). */
export function compiledOf(message: string): Compiled | undefined {
  let c = compiled.get(message);
  if (c) return c;
  const rows = MESSAGES[message];
  if (!rows) return undefined;
  const list = rows.map((r: GeneratedField, index: number): Field => compileField(r[0], r[1], r[2], r[3], index));
  c = { byNumber: new Map(list.map((f) => [f.no, f])), list, byNo: [...list].sort((a, b) => a.no - b.no) };
  compiled.set(message, c);
  return c;
}

function compileField(no: number, name: string, type: string, flags: number, index: number): Field {
  const message = isMessageType(type);
  const special = SPECIAL.has(type);
  const array = ARRAYS.has(type);
  const nonPointer = (flags & NON_NULLABLE) !== 0;
  return {
    no,
    name,
    type,
    flags,
    index,
    message,
    special,
    array,
    wire: wireOf(type),
    emptyStruct: nonPointer && message && !special && !array && !(flags & (MAP | REPEATED)),
    dropZero: nonPointer && (!message || special) && !(flags & (MAP | REPEATED | REQUIRED)),
    sub: undefined,
  };
}

/** childOf returns the compiled message of a message-typed field, looked up once per field. */
export function childOf(f: Field): Compiled {
  const c = (f.sub ??= compiledOf(f.type));
  if (!c) throw badRequest(`protobuf: no schema for ${f.type}`);
  return c;
}

/**
 * messageForKind finds the message of an `apiVersion`/`kind`. meta/v1's option kinds
 * (DeleteOptions, ...) are accepted under every group version, as upstream registers them.
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  return KINDS[`${apiVersion}/${kind}`] ?? (MESSAGES[`k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`] && META_KINDS.has(kind) ? `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}` : undefined);
}

const META_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent']);
