/**
 * Dev-time generator (`npm run gen:openapi`): reads the kubernetes-types declarations (which
 * are machine-generated from upstream's OpenAPI, so regular enough to parse line by line) and
 * writes the swagger 2.0 `definitions` of every built-in type to
 * src/api/openapi/generated/definitions.json, named and shaped as upstream's.
 *
 * Runs only at development time; the apiserver reads the committed JSON.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { doubleFields, extraProperties, int64Fields, listTags, packagePrefix } from './tables.js';

type Schema = Record<string, unknown>;

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** Types whose upstream schema is not an object with properties. */
const specialDefinitions: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': { type: 'object' },
  'io.k8s.apimachinery.pkg.runtime.RawExtension': { type: 'object' },
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool': {},
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray': {},
};

interface Decl {
  file: string;
  name: string;
  doc: string;
  /** body lines of an interface, or the right-hand side of a type alias. */
  lines: string[];
  alias?: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (n.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** docText turns a JSDoc block back into upstream's description text. */
function docText(lines: string[]): string {
  const raw = lines.join('\n').trim();
  if (!raw.startsWith('/**')) return '';
  const inner = raw.slice(3, raw.length - 2);
  if (!inner.includes('\n')) return inner.trim();
  return inner
    .split('\n')
    .map((l) => l.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
}

function parseFile(root: string, path: string): { decls: Decl[]; imports: Map<string, string> } {
  const file = relative(root, path).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
  const lines = readFileSync(path, 'utf8').split('\n');
  const imports = new Map<string, string>();
  const decls: Decl[] = [];
  let doc: string[] = [];
  let inDoc = false;
  let cur: Decl | undefined;
  for (const line of lines) {
    const t = line.trim();
    if (!cur) {
      const im = /^import \{([^}]*)\} from "([^"]+)";/.exec(t);
      if (im) {
        const target = posix.normalize(posix.join(posix.dirname(file), im[2]!));
        for (const n of im[1]!.split(',')) imports.set(n.trim(), target);
        continue;
      }
    }
    if (inDoc || t.startsWith('/**')) {
      if (!cur || !inDoc) {
        // top-level docs are collected; property docs are kept in the body
      }
      if (cur) cur.lines.push(line);
      else doc.push(line);
      inDoc = !t.endsWith('*/');
      continue;
    }
    if (!cur) {
      const iface = /^export interface (\w+) \{(\})?$/.exec(t);
      if (iface) {
        cur = { file, name: iface[1]!, doc: docText(doc), lines: [] };
        doc = [];
        if (iface[2]) {
          decls.push(cur);
          cur = undefined;
        }
        continue;
      }
      const alias = /^export type (\w+) = (.*);$/.exec(t);
      if (alias) {
        decls.push({ file, name: alias[1]!, doc: docText(doc), lines: [], alias: alias[2]! });
        doc = [];
        continue;
      }
      doc = [];
      continue;
    }
    if (line === '}') {
      decls.push(cur);
      cur = undefined;
      continue;
    }
    cur.lines.push(line);
  }
  return { decls, imports };
}

interface Prop {
  name: string;
  optional: boolean;
  doc: string;
  type: string;
}

/** props parses an interface body into properties (map types span three lines). */
function props(d: Decl): Prop[] {
  const out: Prop[] = [];
  let doc: string[] = [];
  let inDoc = false;
  for (let i = 0; i < d.lines.length; i++) {
    const line = d.lines[i]!;
    const t = line.trim();
    if (inDoc || t.startsWith('/**')) {
      doc.push(line);
      inDoc = !t.endsWith('*/');
      continue;
    }
    const m = /^(?:readonly )?("?[\w$-]+"?)(\??): (.*?);?$/.exec(t);
    if (!m) continue;
    let type = m[3]!;
    if (type === '{') {
      const inner = d.lines[i + 1]!.trim();
      const v = /^\[name: string\]: (.*);$/.exec(inner);
      type = `map<${v ? v[1] : 'string'}>`;
      i += 2;
    }
    out.push({ name: m[1]!.replace(/"/g, ''), optional: m[2] === '?', doc: docText(doc), type });
    doc = [];
  }
  return out;
}

function main(): void {
  const here = dirname(new URL(import.meta.url).pathname);
  const repo = join(here, '../../../../..').replace(/\/dist$/, '');
  const root = join(repo, 'node_modules/kubernetes-types');
  const outFile = join(repo, 'src/api/openapi/generated/definitions.json');

  const parsed = walk(root).map((p) => parseFile(root, p));
  const definitions: Record<string, Schema> = {};
  for (const { decls, imports } of parsed) {
    for (const d of decls) {
      const prefix = packagePrefix(d.file);
      const defName = `${prefix}.${d.name}`;
      const refTo = (typeName: string): string => {
        const from = imports.get(typeName) ?? d.file;
        return `#/definitions/${packagePrefix(from)}.${typeName}`;
      };
      const typeSchema = (type: string, field: string): Schema => {
        type = type.trim();
        let m: RegExpExecArray | null;
        if ((m = /^Array<(.*)>$/.exec(type)) || (m = /^(\w+)\[\]$/.exec(type))) {
          return { type: 'array', items: typeSchema(m[1]!, field) };
        }
        if ((m = /^map<(.*)>$/.exec(type))) return { type: 'object', additionalProperties: typeSchema(m[1]!, field) };
        if (type === 'string' || type.startsWith('"') || type.startsWith("'")) return { type: 'string' };
        if (type === 'boolean') return { type: 'boolean' };
        if (type === 'number') {
          if (doubleFields.has(`${d.name}.${field}`)) return { type: 'number', format: 'double' };
          return { type: 'integer', format: int64Fields.has(field) ? 'int64' : 'int32' };
        }
        if (type === 'number | string') return { $ref: `#/definitions/${INT_OR_STRING}` };
        if (/^\w+$/.test(type)) return { $ref: refTo(type) };
        throw new Error(`${defName}.${field}: unsupported type ${type}`);
      };
      if (specialDefinitions[defName]) {
        definitions[defName] = { ...(d.doc ? { description: d.doc } : {}), ...specialDefinitions[defName] };
        continue;
      }
      if (d.alias) throw new Error(`unexpected type alias ${defName} = ${d.alias}`);
      const properties: Record<string, Schema> = {};
      const required: string[] = [];
      let gvk: { group: string; version: string; kind: string } | undefined;
      let apiVersion = '';
      const tags = listTags[`${d.file}.${d.name}`] ?? {};
      for (const p of props(d)) {
        const s: Schema = {};
        if (p.doc) s['description'] = p.doc;
        Object.assign(s, typeSchema(p.type, p.name));
        const tag = tags[p.name];
        if (tag) {
          if (tag.listMapKeys && tag.listType === 'map') s['x-kubernetes-list-map-keys'] = tag.listMapKeys;
          if (tag.listType) s['x-kubernetes-list-type'] = tag.listType;
          if (tag.patchMergeKey) s['x-kubernetes-patch-merge-key'] = tag.patchMergeKey;
          if (tag.patchStrategy) s['x-kubernetes-patch-strategy'] = tag.patchStrategy;
        }
        properties[p.name] = s;
        if (!p.optional) required.push(p.name);
        const lit = /^"(.*)"$/.exec(p.type);
        if (lit && p.name === 'apiVersion') apiVersion = lit[1]!;
        if (lit && p.name === 'kind' && apiVersion) {
          const i = apiVersion.indexOf('/');
          gvk = i < 0 ? { group: '', version: apiVersion, kind: lit[1]! } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind: lit[1]! };
        }
      }
      Object.assign(properties, extraProperties[defName] ?? {});
      for (const name of Object.keys(tags)) {
        if (!properties[name]) throw new Error(`tables.ts names unknown field ${d.file}.${d.name}.${name}`);
      }
      const def: Schema = {};
      if (d.doc) def['description'] = d.doc;
      def['type'] = 'object';
      if (required.length) def['required'] = required;
      def['properties'] = properties;
      if (gvk) def['x-kubernetes-group-version-kind'] = [gvk];
      definitions[defName] = def;
    }
  }
  definitions[INT_OR_STRING] = {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string',
    format: 'int-or-string',
  };
  // Upstream serves the meta types every group shares with one gvk per group-version; the
  // apiserver's Status and WatchEvent are what clients look up.
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
  for (const k of ['Status', 'WatchEvent', 'DeleteOptions', 'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions']) {
    const def = definitions[meta + k];
    if (def && !def['x-kubernetes-group-version-kind']) def['x-kubernetes-group-version-kind'] = [{ group: '', version: 'v1', kind: k }];
  }
  for (const [name, def] of Object.entries(definitions)) {
    const check = (s: unknown): void => {
      if (typeof s !== 'object' || s === null) return;
      const ref = (s as Schema)['$ref'];
      if (typeof ref === 'string' && !definitions[ref.slice('#/definitions/'.length)]) throw new Error(`${name}: dangling ${ref}`);
      for (const v of Object.values(s)) check(v);
    };
    check(def);
  }
  const sorted: Record<string, Schema> = {};
  for (const k of Object.keys(definitions).sort()) sorted[k] = definitions[k]!;
  writeFileSync(outFile, JSON.stringify({ definitions: sorted }, null, 1) + '\n');
  console.log(`wrote ${Object.keys(sorted).length} definitions to ${relative(repo, outFile)}`);
}

main();
