/**
 * JSON type checking of built-in objects as upstream's decoder does it: kube-apiserver decodes a
 * body into Go structs, and a value of the wrong JSON type (a number where a string belongs,
 * `labels: {x: true}`) fails the whole request with Go's UnmarshalTypeError, e.g.
 *
 *   json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string
 *
 * The struct is the innermost Go struct holding the field, the field is the JSON path from the
 * object's root without list indexes or map keys, and the type is the Go type being filled.
 * Like Go, the first error in document order is the one reported, and null is always accepted.
 */
import type { GroupVersionKind } from '../types.js';
import { definitionNameForKind, definitions, refName, type Schema } from './definitions.js';

/**
 * Types that decode themselves (UnmarshalJSON) with their own rules and messages: they are
 * left to validation, which reports them with field paths.
 */
const SELF_DECODING = new Set([
  'io.k8s.apimachinery.pkg.api.resource.Quantity',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** []byte fields (base64 strings on the wire) the generated definitions carry as plain strings. */
const BYTES: Schema = { type: 'string', format: 'byte' };
const BYTE_FIELDS: Record<string, Schema> = {
  'io.k8s.api.core.v1.Secret.data': { type: 'object', additionalProperties: BYTES },
  'io.k8s.api.core.v1.ConfigMap.binaryData': { type: 'object', additionalProperties: BYTES },
  'io.k8s.api.certificates.v1.CertificateSigningRequestSpec.request': BYTES,
  'io.k8s.api.certificates.v1.CertificateSigningRequestStatus.certificate': BYTES,
};

/**
 * Check returns the first type error under value, or undefined. `struct` is the Go struct
 * holding the field and `path` its JSON path, as a stack of keys the walk pushes and pops: the
 * path's text is built only for an error, not for every field visited.
 */
type Check = (value: unknown, struct: string, path: string[]) => string | undefined;

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
      return s.format === 'int64' ? 'int64' : 'int32';
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

const fail = (v: unknown, struct: string, path: readonly string[], type: string, literal = false): string =>
  `json: cannot unmarshal ${literal ? `number ${String(v)}` : jsonKind(v)} into Go struct field ${struct}.${path.join('.')} of type ${type}`;

const INT_RANGE = { int32: [-(2 ** 31), 2 ** 31 - 1], int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] } as const;

const byDefinition = new Map<string, Check>();

function compile(s: Schema | undefined): Check {
  if (!s) return ANY;
  if (s.$ref) return compileDefinition(refName(s.$ref));
  if (s.allOf?.length === 1 && !s.properties) return compile(s.allOf[0]);
  const type = goType(s);
  switch (s.type) {
    case 'string':
      return (v, struct, path) => (v === null || typeof v === 'string' ? undefined : fail(v, struct, path, type));
    case 'boolean':
      return (v, struct, path) => (v === null || typeof v === 'boolean' ? undefined : fail(v, struct, path, type));
    case 'number':
      return (v, struct, path) => (v === null || typeof v === 'number' ? undefined : fail(v, struct, path, type));
    case 'integer': {
      const [lo, hi] = INT_RANGE[type === 'int64' ? 'int64' : 'int32'];
      return (v, struct, path) => {
        if (v === null) return undefined;
        if (typeof v !== 'number') return fail(v, struct, path, type);
        return Number.isInteger(v) && v >= lo && v <= hi ? undefined : fail(v, struct, path, type, true);
      };
    }
    case 'array': {
      let item: Check | undefined;
      return (v, struct, path) => {
        if (v === null) return undefined;
        if (!Array.isArray(v)) return fail(v, struct, path, type);
        item ??= compile(s.items);
        if (item === ANY) return undefined;
        for (const x of v) {
          const e = item(x, struct, path);
          if (e) return e;
        }
        return undefined;
      };
    }
    case 'object': {
      if (typeof s.additionalProperties !== 'object') return ANY;
      const values = s.additionalProperties;
      let value: Check | undefined;
      return (v, struct, path) => {
        if (v === null) return undefined;
        if (typeof v !== 'object' || Array.isArray(v)) return fail(v, struct, path, type);
        value ??= compile(values);
        if (value === ANY) return undefined;
        for (const k in v) {
          const e = value((v as Record<string, unknown>)[k], struct, path);
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
  const def = definitions[name];
  if (!def || SELF_DECODING.has(name) || !def.properties) {
    byDefinition.set(name, ANY);
    return ANY;
  }
  // Placeholder first: recursive types (JSONSchemaProps) resolve to the same closure.
  let fields: Map<string, Check> | undefined;
  const type = goTypeName(name);
  const struct = structName(name);
  const props = def.properties;
  const check: Check = (v, outer, path) => {
    if (v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return fail(v, outer, path, type);
    if (!fields) {
      fields = new Map();
      for (const k of Object.keys(props)) fields.set(k, compile(BYTE_FIELDS[`${name}.${k}`] ?? props[k]));
    }
    for (const k in v) {
      const c = fields.get(k);
      if (c === undefined || c === ANY) continue;
      path.push(k);
      const e = c((v as Record<string, unknown>)[k], struct, path);
      path.pop();
      if (e) return e;
    }
    return undefined;
  };
  byDefinition.set(name, check);
  return check;
}

/**
 * jsonTypeError returns Go's UnmarshalTypeError text for the first value of obj whose JSON type
 * its built-in kind's schema does not accept, or undefined (also for kinds without a schema).
 */
export function jsonTypeError(gvk: GroupVersionKind, obj: unknown): string | undefined {
  const name = definitionNameForKind(gvk);
  if (!name) return undefined;
  return compileDefinition(name)(obj, structName(name), []);
}
