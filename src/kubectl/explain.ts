/**
 * `kubectl explain`: the server's OpenAPI v3 document rendered as kubectl's plaintext template
 * (kubectl/pkg/explain/v2/templates/plaintext.tmpl): KIND/VERSION header, FIELD line for a
 * field path, DESCRIPTION wrapped at 76 columns with go-wordwrap's rules, and the FIELDS list.
 */
import { Flags, type FlagSpecs } from './args.js';
import { CmdError, type Factory } from './factory.js';

export const EXPLAIN_FLAGS: FlagSpecs = { 'api-version': { type: 'string' }, recursive: { type: 'bool' }, output: { type: 'string', short: 'o' } };

type Schema = Record<string, unknown>;
const obj = (v: unknown): Schema | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : undefined);

/** wordWrap is go-wordwrap's WrapString: breaks on spaces before a word would pass lim; long words stay whole. */
export function wordWrap(s: string, lim: number): string {
  let out = '';
  let current = 0;
  let word = '';
  let space = '';
  const len = (x: string): number => [...x].length;
  for (const ch of s) {
    if (ch === '\n') {
      if (word.length === 0) {
        if (current + len(space) <= lim) out += space;
      } else out += space + word;
      space = '';
      word = '';
      out += ch;
      current = 0;
    } else if (/\s/.test(ch) && ch !== '\u00a0') {
      if (space.length === 0 || word.length > 0) {
        current += len(space) + len(word);
        out += space + word;
        space = '';
        word = '';
      }
      space += ch;
    } else {
      word += ch;
      if (current + len(space) + len(word) > lim && len(word) < lim) {
        out += '\n';
        current = 0;
        space = '';
      }
    }
  }
  if (word.length === 0) {
    if (current + len(space) <= lim) out += space;
  } else out += space + word;
  return out;
}

const indent = (n: number, s: string): string => {
  const pad = ' '.repeat(n);
  return pad + s.replaceAll('\n', '\n' + pad);
};

class Explainer {
  constructor(readonly doc: Schema) {}

  resolve(ref: unknown): Schema | undefined {
    if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return undefined;
    return obj(obj(obj(this.doc['components'])?.['schemas'])?.[ref.slice('#/components/schemas/'.length)]);
  }

  private isMapSchema(v: unknown): v is Schema {
    return obj(v) !== undefined;
  }

  typeGuess(s: Schema): string {
    if (s['items']) return '[]' + this.typeGuess(obj(s['items'])!);
    if (this.isMapSchema(s['additionalProperties'])) return 'map[string]' + this.typeGuess(s['additionalProperties']);
    const allOf = s['allOf'] as Schema[] | undefined;
    if (allOf && !s['properties'] && allOf.length === 1) return this.typeGuess(allOf[0]!);
    if (s['$ref']) {
      const ref = String(s['$ref']);
      const target = this.resolve(ref);
      if (!target || !target['type'] || target['type'] === 'object') return ref.split('/').pop()!.split('.').pop() || 'Object';
      return String(target['type']);
    }
    if (s['type'] === 'object') return 'Object';
    return s['type'] ? String(s['type']) : 'Object';
  }

  description(s: Schema): string {
    const r = this.resolve(s['$ref']) ?? s;
    let out = '';
    if (r['description']) out += String(r['description']) + '\n';
    for (const a of (r['allOf'] as Schema[] | undefined) ?? []) out += this.description(a);
    if (obj(r['items'])) out += this.description(obj(r['items'])!);
    if (this.isMapSchema(r['additionalProperties'])) out += this.description(r['additionalProperties']);
    return out;
  }

  enumText(s: Schema, long: boolean, limit: number, indentAmount: number): string {
    const e = s['enum'] as unknown[] | undefined;
    if (!e || e.length === 0) return '';
    let out = long ? 'ENUM:' : '\n' + ' '.repeat(indentAmount) + 'enum: ';
    for (let i = 0; i < e.length; i++) {
      if (limit > -1 && i >= limit) {
        out += ', ....';
        break;
      }
      if (i > 0 && !long) out += ', ';
      else if (long) out += '\n    ';
      out += e[i] === '' ? '""' : String(e[i]);
    }
    return out;
  }

  externalDocs(s: Schema, ind: number): string {
    const d = obj(s['externalDocs']);
    if (!d) return '';
    let out = indent(ind, 'EXTERNAL DOCS:') + '\n';
    if (d['description']) out += indent(ind + 4, wordWrap(String(d['description']), 76 - ind)) + '\n';
    if (d['url']) out += indent(ind + 4, `URL: ${String(d['url'])}`) + '\n';
    return out;
  }

  fieldList(s: Schema, level: number, history: Set<string>): string {
    const ref = typeof s['$ref'] === 'string' ? s['$ref'] : '';
    if (ref && history.has(ref)) return '';
    const next = new Set(history).add(ref);
    const r = this.resolve(ref) ?? s;
    let out = '';
    const props = obj(r['properties']) ?? {};
    for (const name of Object.keys(props).sort()) {
      const fs = obj(props[name])!;
      const ind = level * 2;
      out += indent(ind, name) + `\t<${this.typeGuess(fs)}>`;
      if (((r['required'] as string[] | undefined) ?? []).includes(name)) out += ' -required-';
      out += this.enumText(fs, false, 4, ind);
      out += '\n';
      out += indent(ind + 2, wordWrap(fs['description'] ? String(fs['description']) : '<no description>', 78 - ind)) + '\n';
      const ed = obj(fs['externalDocs']);
      if (ed) {
        out += '\n' + indent(ind + 2, 'EXTERNAL DOCS:') + '\n';
        if (ed['description']) out += indent(ind + 4, wordWrap(String(ed['description']), 76 - ind)) + '\n';
        if (ed['url']) out += indent(ind + 4, `URL: ${String(ed['url'])}`) + '\n';
      }
      out += '\n';
    }
    for (const a of (r['allOf'] as Schema[] | undefined) ?? []) out += this.fieldList(a, level, next);
    if (obj(r['items'])) out += this.fieldList(obj(r['items'])!, level, next);
    if (this.isMapSchema(r['additionalProperties'])) out += this.fieldList(r['additionalProperties'], level, next);
    return out;
  }

  output(s: Schema, path: string[], history: Set<string>): string {
    const ref = typeof s['$ref'] === 'string' ? s['$ref'] : '';
    const next = new Set(history).add(ref);
    const r = this.resolve(ref) ?? s;
    if (path.length === 0) {
      let out = 'DESCRIPTION:\n' + indent(4, wordWrap(this.description(r) || '<empty>', 76)) + '\n';
      const ed = this.externalDocs(r, 0);
      if (ed) out += '\n' + ed;
      const fields = this.fieldList(r, 1, new Set());
      if (fields) out += 'FIELDS:\n' + fields;
      return out;
    }
    if (ref && history.has(ref)) return '';
    const props = obj(r['properties']);
    const sub = props ? obj(props[path[0]!]) : undefined;
    if (sub) {
      let out = '';
      if (path.length === 1) out += `FIELD: ${path[0]} <${this.typeGuess(sub)}>\n` + this.enumText(sub, true, -1, 0) + '\n' + '\n';
      return out + this.output(sub, path.slice(1), new Set());
    }
    if (obj(r['items'])) return this.output(obj(r['items'])!, path, next);
    if (this.isMapSchema(r['additionalProperties'])) return this.output(r['additionalProperties'], path, next);
    for (const a of (r['allOf'] as Schema[] | undefined) ?? []) {
      const o = this.output(a, path, next);
      if (o) return o;
    }
    return '';
  }
}

export async function runExplain(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const arg = args[0];
  if (!arg) {
    throw new CmdError("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n", 1, true);
  }
  const [resource, ...path] = arg.split('.');
  const d = await f.discovery();
  let m = d.resolve(resource!);
  // `deployments.apps.spec` names the group inside the argument: take the longest group that exists.
  for (let i = path.length; i >= 1; i--) {
    const group = path.slice(0, i).join('.');
    const withGroup = d.mappings.find((x) => x.group === group && x.preferred && d.resolve(`${resource}.${group}`) === x);
    if (withGroup) {
      m = withGroup;
      path.splice(0, i);
      break;
    }
  }
  if (!m) throw new CmdError(`the server doesn't have a resource type "${resource}"`, 1, true);
  const apiVersion = flags.str('api-version');
  if (apiVersion) {
    const i = apiVersion.indexOf('/');
    const v = d.mappings.find((x) => x.resource === m!.resource && x.group === (i < 0 ? '' : apiVersion.slice(0, i)) && x.version === (i < 0 ? apiVersion : apiVersion.slice(i + 1)));
    if (!v) throw new CmdError(`couldn't find resource for "${apiVersion}"`);
    m = v;
  }
  const c = f.client();
  const index = await c.requestJSON<{ paths: Record<string, { serverRelativeURL: string }> }>({ method: 'GET', path: '/openapi/v3' });
  const key = m.group ? `apis/${m.group}/${m.version}` : `api/${m.version}`;
  const entry = index.paths[key];
  if (!entry) throw new CmdError(`couldn't find resource for "${m.group ? `${m.group}/${m.version}` : m.version}, Resource=${m.resource}"`);
  const [p, qs] = entry.serverRelativeURL.split('?');
  const doc = await c.requestJSON<Schema>({ method: 'GET', path: p!, query: Object.fromEntries(new URLSearchParams(qs ?? '')) });
  const ex = new Explainer(doc);
  const schemas = obj(obj(doc['components'])?.['schemas']) ?? {};
  const root = Object.values(schemas)
    .map(obj)
    .find((s) => ((s?.['x-kubernetes-group-version-kind'] as Array<{ group: string; version: string; kind: string }> | undefined) ?? []).some((g) => g.group === m!.group && g.version === m!.version && g.kind === m!.kind));
  if (!root) throw new CmdError(`GVK ${m.group}/${m.version}, Kind=${m.kind} not found in OpenAPI schema`);
  let out = '';
  if (m.group) out += `GROUP:      ${m.group}\n`;
  out += `KIND:       ${m.kind}\nVERSION:    ${m.version}\n\n`;
  const body = ex.output(root, path, new Set());
  if (!body) {
    // kubectl's template has printed the header before it fails.
    f.io.out(out);
    throw new CmdError(`field "${path[path.length - 1]}" does not exist`);
  }
  f.io.out(out + body + '\n');
  return 0;
}
