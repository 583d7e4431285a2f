/**
 * Field errors as upstream's k8s.io/apimachinery/pkg/util/validation/field: a validation
 * failure names the field path, the kind of problem and the bad value, and renders to the same
 * text kube-apiserver puts into a 422 Invalid Status.
 */

export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** OMIT_VALUE marks a FieldError whose bad value must not be printed (upstream's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

export interface FieldError {
  type: FieldErrorType;
  /** field is the rendered path, e.g. `spec.containers[0].image`. */
  field: string;
  badValue?: unknown;
  detail?: string;
}

/** A Path segment's kind: a field name, an index or a key. */
const NAME = 0;
const INDEX = 1;
const KEY = 2;
type SegmentKind = typeof NAME | typeof INDEX | typeof KEY;

/**
 * Path builds field paths: `Path.root('spec').child('containers').index(0).child('image')`.
 *
 * A Path is one segment and a link to its parent, rendered only by toString: validation builds
 * a path for nearly every field it visits and renders one only for an error, so building one
 * must cost a single small object (copying the parent's segments into a new array, and
 * rendering `.name` strings, per step was the apiserver's largest allocation per write).
 */
export class Path {
  /**
   * @param seg the segment: a field name (rendered `name` at the root, else `.name`), an
   *   index (`[i]`) or a key (`[k]`).
   */
  private constructor(
    private readonly parent: Path | undefined,
    private readonly seg: string | number,
    private readonly kind: SegmentKind,
  ) {}

  static root(name: string, ...more: string[]): Path {
    let p = new Path(undefined, name, NAME);
    for (let i = 0; i < more.length; i++) p = new Path(p, more[i]!, NAME);
    return p;
  }

  // Declared with a rest parameter, read through `arguments`: the one-name call (nearly all of
  // them) then allocates no array.
  child(name: string, ...more: string[]): Path;
  child(name: string): Path {
    let p = new Path(this, name, NAME);
    for (let i = 1; i < arguments.length; i++) p = new Path(p, arguments[i] as string, NAME);
    return p;
  }

  index(i: number): Path {
    return new Path(this, i, INDEX);
  }

  key(k: string): Path {
    return new Path(this, k, KEY);
  }

  toString(): string {
    let out = '';
    for (let p: Path | undefined = this; p; p = p.parent) {
      const seg = p.kind === NAME ? (p.parent ? '.' + p.seg : String(p.seg)) : `[${p.seg}]`;
      out = seg + out;
    }
    return out;
  }
}

type P = Path | string;
const s = (p: P): string => (typeof p === 'string' ? p : p.toString());

/** Constructors named as upstream's field.Required, field.Invalid, ... */
export const field = {
  notFound: (p: P, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field: s(p), badValue: value }),
  required: (p: P, detail = ''): FieldError => ({ type: 'FieldValueRequired', field: s(p), badValue: '', detail }),
  duplicate: (p: P, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field: s(p), badValue: value }),
  invalid: (p: P, value: unknown, detail = ''): FieldError => ({ type: 'FieldValueInvalid', field: s(p), badValue: value, detail }),
  notSupported: (p: P, value: unknown, valid: readonly string[] = []): FieldError => ({
    type: 'FieldValueNotSupported',
    field: s(p),
    badValue: value,
    detail: valid.length ? 'supported values: ' + valid.map((v) => JSON.stringify(v)).join(', ') : '',
  }),
  forbidden: (p: P, detail: string): FieldError => ({ type: 'FieldValueForbidden', field: s(p), badValue: '', detail }),
  tooLong: (p: P, value: unknown, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field: s(p),
    badValue: value,
    detail: max >= 0 ? `may not be more than ${max} bytes` : 'value is too long',
  }),
  tooMany: (p: P, actual: number, max: number): FieldError => ({
    type: 'FieldValueTooMany',
    field: s(p),
    badValue: actual,
    detail: max >= 0 ? `must have at most ${max} items` : 'has too many items',
  }),
  internal: (p: P, err: Error): FieldError => ({ type: 'InternalError', field: s(p), badValue: '', detail: err.message }),
  typeInvalid: (p: P, value: unknown, detail: string): FieldError => ({ type: 'FieldValueTypeInvalid', field: s(p), badValue: value, detail }),
};

/** goValue renders a bad value as Go's fmt does for upstream's error text (%v / %q / %#v). */
function goValue(v: unknown): string {
  switch (typeof v) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'string':
      return JSON.stringify(v);
    default:
      // ErrorBody replaces a nil value (or nil pointer) by the string "null", printed with %q.
      if (v === null || v === undefined) return '"null"';
      // A value with its own toString plays Go's fmt.Stringer: validation passes pre-rendered
      // Go syntax (`map[string]string{"app":"x"}`) this way.
      if (!Array.isArray(v) && (v as { toString: unknown }).toString !== Object.prototype.toString) return String(v);
      return JSON.stringify(v);
  }
}

/** errorBody renders the part after the field path, as upstream's (*Error).ErrorBody(). */
export function errorBody(e: FieldError): string {
  let out: string;
  switch (e.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      out = typeText[e.type];
      break;
    default:
      out = e.badValue === OMIT_VALUE ? typeText[e.type] : `${typeText[e.type]}: ${goValue(e.badValue)}`;
  }
  if (e.detail) out += `: ${e.detail}`;
  return out;
}

/** fieldErrorString renders one error as upstream's (*Error).Error(): `<field>: <body>`. */
export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** aggregateString renders a list as upstream's ErrorList.ToAggregate().Error(). */
export function aggregateString(errs: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errs) {
    const m = fieldErrorString(e);
    if (!seen.has(m)) {
      seen.add(m);
      msgs.push(m);
    }
  }
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}
