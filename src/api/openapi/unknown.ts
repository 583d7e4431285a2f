/**
 * Unknown-field detection for fieldValidation=Strict/Warn: the paths upstream's strict JSON
 * decoding reports (`spec.template.spec.containers[0].foo`), found by walking an object against
 * its kind's schema. Each schema node compiles once into a checker closure, so the per-request
 * cost is one walk of the object.
 */
import type { GroupVersionKind } from '../types.js';
import { definitionNameForKind, definitions, refName, type Schema } from './definitions.js';

/**
 * Path is the walk's current position, keys and list indexes, kept as a stack so that a path's
 * text is built only for a field that is reported, not for every field visited.
 */
type Path = Array<string | number>;

/** Checker appends the unknown-field paths under value (whose path is `path`) to out. */
type Checker = (value: unknown, path: Path, out: string[]) => void;

/** pathText renders a path as upstream's strict decoder names fields (`spec.containers[0].foo`). */
function pathText(path: Path): string {
  let s = '';
  for (const part of path) s = typeof part === 'number' ? `${s}[${part}]` : s ? `${s}.${part}` : part;
  return s;
}

const NOTHING: Checker = () => {};

// Weak: CRD schemas come and go with their CustomResourceDefinitions.
const compiled = new WeakMap<Schema, Checker>();

const OBJECT_META: Schema = { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' };
const TYPE_META: Record<string, Schema> = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: OBJECT_META };

function resolve(s: Schema | undefined): Schema | undefined {
  let cur = s;
  for (let i = 0; cur && i < 8; i++) {
    if (cur.$ref) cur = definitions[refName(cur.$ref)];
    else if (cur.allOf?.length === 1 && !cur.properties) cur = cur.allOf[0];
    else return cur;
  }
  return cur;
}

function compile(schema: Schema | undefined): Checker {
  const s = resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return NOTHING;
  const isMap = !!s.additionalProperties && typeof s.additionalProperties === 'object';
  if (!s.properties && !s.items && !isMap) return NOTHING;
  // a tuple (`items: [...]`) is not structural; nothing to say about its fields
  if (s.items && Array.isArray(s.items)) return NOTHING;
  const hit = compiled.get(s);
  if (hit) return hit;
  // Placeholder first: recursive types (JSONSchemaProps) resolve to the same closure.
  let impl: Checker = NOTHING;
  const checker: Checker = (v, p, out) => impl(v, p, out);
  compiled.set(s, checker);
  if (s.properties) {
    // an embedded resource (x-kubernetes-embedded-resource) always knows its type and object meta
    const props = (s as { 'x-kubernetes-embedded-resource'?: boolean })['x-kubernetes-embedded-resource'] ? { ...TYPE_META, ...s.properties } : s.properties;
    const children = new Map<string, Checker>();
    for (const k of Object.keys(props)) children.set(k, NOTHING);
    let ready = false;
    impl = (v, p, out) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
      if (!ready) {
        for (const k of Object.keys(props)) children.set(k, compile(props[k]));
        ready = true;
      }
      // for…in, not Object.keys: no key array per object visited (plain objects inherit no
      // enumerable keys, so both list the same keys in the same order).
      for (const k in v) {
        const c = children.get(k);
        if (c === NOTHING) continue;
        p.push(k);
        if (c === undefined) out.push(pathText(p));
        else c((v as Record<string, unknown>)[k], p, out);
        p.pop();
      }
    };
  } else if (s.items) {
    const items = s.items;
    let item: Checker | undefined;
    impl = (v, p, out) => {
      if (!Array.isArray(v)) return;
      item ??= compile(items);
      if (item === NOTHING) return;
      for (let i = 0; i < v.length; i++) {
        p.push(i);
        item(v[i], p, out);
        p.pop();
      }
    };
  } else if (isMap) {
    const values = s.additionalProperties as Schema;
    let value: Checker | undefined;
    impl = (v, p, out) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
      value ??= compile(values);
      if (value === NOTHING) return;
      for (const k in v) {
        p.push(k);
        value((v as Record<string, unknown>)[k], p, out);
        p.pop();
      }
    };
  }
  return checker;
}

const byKind = new Map<string, Checker>();

const MAX_STRICT_ERRORS = 100;

/**
 * unknownFieldsOf lists the paths of fields in obj that gvk's schema does not know. A kind
 * without a built-in schema reports none (custom resources are checked against their CRD).
 */
export function unknownFieldsOf(gvk: GroupVersionKind, obj: unknown): string[] {
  const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
  let c = byKind.get(key);
  if (!c) {
    const name = definitionNameForKind(gvk);
    c = name ? compile({ $ref: `#/definitions/${name}` }) : NOTHING;
    byKind.set(key, c);
  }
  const out: string[] = [];
  c(obj, [], out);
  // upstream's strict decoder stops accumulating after 100 errors
  return out.length > MAX_STRICT_ERRORS ? out.slice(0, MAX_STRICT_ERRORS) : out;
}

const byCRDSchema = new WeakMap<object, Checker>();

/**
 * unknownFieldsForSchema lists the unknown-field paths of a custom resource against its CRD's
 * structural schema (`spec.versions[].schema.openAPIV3Schema`): properties, items,
 * additionalProperties and x-kubernetes-preserve-unknown-fields as upstream's pruning reads
 * them; apiVersion, kind and metadata (checked as ObjectMeta) are always known at the root and
 * in x-kubernetes-embedded-resource objects.
 */
export function unknownFieldsForSchema(openAPIV3Schema: object, obj: unknown): string[] {
  let c = byCRDSchema.get(openAPIV3Schema);
  if (!c) {
    const root = openAPIV3Schema as Schema;
    c = root['x-kubernetes-preserve-unknown-fields'] ? NOTHING : compile({ ...root, type: 'object', properties: { ...TYPE_META, ...(root.properties ?? {}) } });
    byCRDSchema.set(openAPIV3Schema, c);
  }
  const out: string[] = [];
  c(obj, [], out);
  return out.length > MAX_STRICT_ERRORS ? out.slice(0, MAX_STRICT_ERRORS) : out;
}
