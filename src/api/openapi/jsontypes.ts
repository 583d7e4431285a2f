/**
 * JSON type checking of built-in objects as upstream's decoder does it: kube-apiserver decodes a
 * body into Go structs, and a value of the wrong JSON type (a number where a string belongs,
 * `labels: {x: true}`) fails the whole request with Go's UnmarshalTypeError, e.g.
 *
 *   json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string
 *
 * The struct is the innermost Go struct holding the field, the field is the JSON path from the
 * object's root without list indexes or map keys, and the type is the Go type being filled.
 * Null is always accepted.
 *
 * Values that decode themselves fail decoding too, with their own messages (see
 * selfdecoding.ts): a Quantity (`quantities must match the regular expression ...`), a Time or
 * MicroTime (`parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`), an
 * IntOrString that is neither string nor int32, a CRD schema's additionalProperties or
 * additionalItems that is neither boolean nor object (`boolean or JSON schema expected`), and
 * invalid base64 in a []byte field (`illegal base64 data at input byte 3`).
 *
 * Which error is reported follows Go's decoder (sigs.k8s.io/json, a fork of encoding/json): a
 * type mismatch or bad base64 is saved and decoding goes on, and the first saved one is
 * reported at the end; an UnmarshalJSON error stops decoding at once and is reported instead,
 * even over a mismatch saved earlier in the document.
 */
import type { GroupVersionKind } from '../types.js';
import { definitionNameForKind, definitions, refName, type Schema } from './definitions.js';
import { base64DecodeError, quantityDecodeError, timeDecodeError } from './selfdecoding.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const SCHEMA_OR_BOOL = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool';

/**
 * Types that decode themselves and accept any JSON value here (their content is checked by
 * validation, or is a nested document this walk does not follow).
 */
const ACCEPTS_ANY = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** []byte fields (base64 strings on the wire) the generated definitions carry as plain strings. */
const BYTES: Schema = { type: 'string', format: 'byte' };
const BYTE_FIELDS: Record<string, Schema> = {
  'io.k8s.api.core.v1.Secret.data': { type: 'object', additionalProperties: BYTES },
  'io.k8s.api.core.v1.ConfigMap.binaryData': { type: 'object', additionalProperties: BYTES },
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.request': BYTES,
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus.certificate': BYTES,
  'io.k8s.api.admissionregistration.v1.WebhookClientConfig.caBundle': BYTES,
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookClientConfig.caBundle': BYTES,
};

/**
 * Walk is one decode's state: the JSON path of the field being decoded, as a stack of keys the
 * walk pushes and pops (its text is built only for an error, not for every field visited), and
 * the first saved error.
 */
interface Walk {
  path: string[];
  saved: string | undefined;
}

/**
 * Check decodes value as Go would, `struct` being the Go struct holding the field. It records
 * a saved error in walk.saved (if none is yet) and goes on; it returns an error that stops
 * decoding at once, or undefined.
 */
type Check = (value: unknown, struct: string, walk: Walk) => string | undefined;

const ANY: Check = () => undefined;

/** goTypeName is `v1.PodSpec` for `io.k8s.api.core.v1.PodSpec` (Go's package.Type). */
function goTypeName(def: string): string {
  const parts = def.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

/** structName is `PodSpec` for `io.k8s.api.core.v1.PodSpec`: the struct named in Go's errors. */
function structName(def: string): string {
  return def.slice(def.lastIndexOf('.') + 1);
}

function goType(s: Schema | undefined): string {
  if (!s) return 'interface {}';
  if (s.$ref) return goTypeName(refName(s.$ref));
  switch (s.type) {
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return s.format === 'int64' || s.format === 'uint8' ? s.format : 'int32';
    case 'boolean':
      return 'bool';
    case 'number':
      return 'float64';
    case 'array':
      return `[]${goType(s.items)}`;
    case 'object':
      return typeof s.additionalProperties === 'object' ? `map[string]${goType(s.additionalProperties)}` : 'map[string]interface {}';
    default:
      return 'interface {}';
  }
}

/** jsonKind names a JSON value as Go's decoder does in its errors. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** typeError is Go's UnmarshalTypeError text, with the decoder's struct and field context. */
const typeError = (v: unknown, struct: string, walk: Walk, type: string, literal = false): string =>
  `json: cannot unmarshal ${literal ? `number ${String(v)}` : jsonKind(v)} into Go struct field ${struct}.${walk.path.join('.')} of type ${type}`;

/** fail saves a type error (the first one wins) and lets decoding go on. */
function fail(v: unknown, struct: string, walk: Walk, type: string, literal = false): undefined {
  walk.saved ??= typeError(v, struct, walk, type, literal);
  return undefined;
}

const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], uint8: [0, 255] } as const;

const inInt32 = (v: number): boolean => Number.isInteger(v) && v >= INT_RANGE.int32[0] && v <= INT_RANGE.int32[1];

/**
 * SELF_DECODING maps the types with an UnmarshalJSON of their own to their check. Their errors
 * stop decoding. Those of Time and IntOrString come from a json.Unmarshal into a string or an
 * int32 inside UnmarshalJSON; the outer decoder then adds its struct and field to them.
 */
const SELF_DECODING: Record<string, Check> = {
  [QUANTITY]: (v) => quantityDecodeError(v),
  [TIME]: (v, struct, walk) => (v === null ? undefined : typeof v === 'string' ? timeDecodeError('RFC3339', v) : typeError(v, struct, walk, 'string')),
  [MICRO_TIME]: (v, struct, walk) => (v === null ? undefined : typeof v === 'string' ? timeDecodeError('RFC3339Micro', v) : typeError(v, struct, walk, 'string')),
  [INT_OR_STRING]: (v, struct, walk) => {
    if (v === null || typeof v === 'string') return undefined;
    if (typeof v === 'number') return inInt32(v) ? undefined : typeError(v, struct, walk, 'int32', true);
    return typeError(v, struct, walk, 'int32');
  },
  // The schema inside an object is left to CRD validation; only the JSON type is decided here.
  [SCHEMA_OR_BOOL]: (v) => (v === null || typeof v === 'boolean' || (typeof v === 'object' && !Array.isArray(v)) ? undefined : 'boolean or JSON schema expected'),
};

/** uint8 decodes one element of a []byte given as a JSON array (the integer check of compile). */
let uint8: Check | undefined;

/** bytes decodes a []byte field: a base64 string, or (as for any slice) an array of uint8. */
const bytes: Check = (v, struct, walk) => {
  if (v === null) return undefined;
  if (typeof v === 'string') {
    walk.saved ??= base64DecodeError(v);
    return undefined;
  }
  if (!Array.isArray(v)) return fail(v, struct, walk, '[]uint8');
  uint8 ??= compile({ type: 'integer', format: 'uint8' });
  for (const x of v) uint8(x, struct, walk);
  return undefined;
};

const byDefinition = new Map<string, Check>();

function compile(s: Schema | undefined): Check {
  if (!s) return ANY;
  if (s.$ref) return compileDefinition(refName(s.$ref));
  if (s.allOf?.length === 1 && !s.properties) return compile(s.allOf[0]);
  if (s === BYTES) return bytes;
  const type = goType(s);
  switch (s.type) {
    case 'string':
      return (v, struct, walk) => (v === null || typeof v === 'string' ? undefined : fail(v, struct, walk, type));
    case 'boolean':
      return (v, struct, walk) => (v === null || typeof v === 'boolean' ? undefined : fail(v, struct, walk, type));
    case 'number':
      return (v, struct, walk) => (v === null || typeof v === 'number' ? undefined : fail(v, struct, walk, type));
    case 'integer': {
      const [lo, hi] = INT_RANGE[type === 'int64' || type === 'uint8' ? type : 'int32'];
      return (v, struct, walk) => {
        if (v === null) return undefined;
        if (typeof v !== 'number') return fail(v, struct, walk, type);
        return Number.isInteger(v) && v >= lo && v <= hi ? undefined : fail(v, struct, walk, type, true);
      };
    }
    case 'array': {
      let item: Check | undefined;
      return (v, struct, walk) => {
        if (v === null) return undefined;
        if (!Array.isArray(v)) return fail(v, struct, walk, type);
        item ??= compile(s.items);
        if (item === ANY) return undefined;
        for (const x of v) {
          const e = item(x, struct, walk);
          if (e) return e;
        }
        return undefined;
      };
    }
    case 'object': {
      if (typeof s.additionalProperties !== 'object') return ANY;
      const values = s.additionalProperties;
      let value: Check | undefined;
      return (v, struct, walk) => {
        if (v === null) return undefined;
        if (typeof v !== 'object' || Array.isArray(v)) return fail(v, struct, walk, type);
        value ??= compile(values);
        if (value === ANY) return undefined;
        for (const k in v) {
          const e = value((v as Record<string, unknown>)[k], struct, walk);
          if (e) return e;
        }
        return undefined;
      };
    }
    default:
      return ANY;
  }
}

function compileDefinition(name: string): Check {
  const hit = byDefinition.get(name);
  if (hit) return hit;
  const own = SELF_DECODING[name];
  if (own) return own;
  const def = definitions[name];
  if (!def || ACCEPTS_ANY.has(name) || !def.properties) {
    byDefinition.set(name, ANY);
    return ANY;
  }
  // Placeholder first: recursive types (JSONSchemaProps) resolve to the same closure.
  let fields: Map<string, Check> | undefined;
  const type = goTypeName(name);
  const struct = structName(name);
  const props = def.properties;
  const check: Check = (v, outer, walk) => {
    if (v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return fail(v, outer, walk, type);
    if (!fields) {
      fields = new Map();
      for (const k of Object.keys(props)) fields.set(k, compile(BYTE_FIELDS[`${name}.${k}`] ?? props[k]));
    }
    for (const k in v) {
      const c = fields.get(k);
      if (c === undefined || c === ANY) continue;
      walk.path.push(k);
      const e = c((v as Record<string, unknown>)[k], struct, walk);
      walk.path.pop();
      if (e) return e;
    }
    return undefined;
  };
  byDefinition.set(name, check);
  return check;
}

/**
 * jsonTypeError returns the error upstream's decoder fails obj with when decoding it into its
 * built-in kind's Go struct, or undefined (also for kinds without a schema): the first value
 * whose JSON type the field does not accept (Go's UnmarshalTypeError) or whose base64 is
 * invalid, unless a value that decodes itself (Quantity, Time, MicroTime, IntOrString) fails,
 * which is reported instead.
 */
export function jsonTypeError(gvk: GroupVersionKind, obj: unknown): string | undefined {
  const name = definitionNameForKind(gvk);
  if (!name) return undefined;
  const walk: Walk = { path: [], saved: undefined };
  return compileDefinition(name)(obj, structName(name), walk) ?? walk.saved;
}
