/**
 * The generated message table and the names of the apimachinery types whose JSON form is not
 * their protobuf structure (upstream gives them custom JSON marshalers).
 */
import { ARRAYS, KINDS, MESSAGES, type GeneratedField } from './schemas.generated.js';

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
}

/** A message's fields, compiled once: by number for decoding, in declaration order for output. */
export interface Compiled {
  byNumber: Map<number, Field>;
  list: Field[];
}

const compiled = new Map<string, Compiled>();

/** fieldsOf returns a message's compiled fields (undefined for an unknown message). */
export function compiledOf(message: string): Compiled | undefined {
  let c = compiled.get(message);
  if (c) return c;
  const rows = MESSAGES[message];
  if (!rows) return undefined;
  const list = rows.map((r: GeneratedField, index: number): Field => ({ no: r[0], name: r[1], type: r[2], flags: r[3], index, message: isMessageType(r[2]), special: SPECIAL.has(r[2]) }));
  c = { byNumber: new Map(list.map((f) => [f.no, f])), list };
  compiled.set(message, c);
  return c;
}

/** fieldsOf returns a message's fields by number (undefined for an unknown message). */
export function fieldsOf(message: string): Map<number, Field> | undefined {
  return compiledOf(message)?.byNumber;
}

/**
 * messageForKind finds the message of an `apiVersion`/`kind`. meta/v1's option kinds
 * (DeleteOptions, ...) are accepted under every group version, as upstream registers them.
 */
export function messageForKind(apiVersion: string, kind: string): string | undefined {
  return KINDS[`${apiVersion}/${kind}`] ?? (MESSAGES[`k8s.io.apimachinery.pkg.apis.meta.v1.${kind}`] && META_KINDS.has(kind) ? `k8s.io.apimachinery.pkg.apis.meta.v1.${kind}` : undefined);
}

const META_KINDS = new Set(['DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent']);
