/**
 * Output flags (`-o`, `--show-labels`, `--no-headers`, `-L`, `--sort-by`) and printing of
 * objects and server-side Tables as kubectl does.
 */
import type { KubeObject } from '../api/types.js';
import type { FlagSpecs } from './args.js';
import { Flags } from './args.js';
import { CmdError } from './factory.js';
import { kindPrefix, type Mapping } from './discovery.js';
import { customColumns, goJSON, jsonpathTemplate, tabwrite, toYAML } from './printers.js';
// The module itself, not the printers index: that one loads every kind's table printer at startup.
import { JSONPath } from '../api/printers/jsonpath.js';
import { readFileSync } from 'node:fs';
import { GoTemplate, TemplateError } from './gotemplate.js';
import { formatV, goQuote } from './gofmt.js';

export const OUTPUT_FLAGS: FlagSpecs = {
  output: { type: 'string', short: 'o' },
  'show-labels': { type: 'bool' },
  'no-headers': { type: 'bool' },
  'label-columns': { type: 'array', short: 'L' },
  'sort-by': { type: 'string' },
  'show-kind': { type: 'bool' },
  'show-managed-fields': { type: 'bool' },
  template: { type: 'string' },
  'allow-missing-template-keys': { type: 'bool' },
};

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  priority: number;
}

export interface Table {
  columnDefinitions: TableColumn[];
  rows: Array<{ cells: unknown[]; object?: KubeObject }>;
}

/** outputFormat returns the `-o` value ('' for the default table). */
export function outputFormat(flags: Flags): string {
  return flags.str('output');
}

const VALID = /^(json|yaml|name|wide|jsonpath=.*|jsonpath-as-json=.*|jsonpath-file=.*|custom-columns=.*|custom-columns-file=.*|go-template|go-template=.*|go-template-file=.*|template|template=.*|templatefile=.*)$/s;

export function checkOutputFormat(fmt: string, allowed = 'json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide', flags?: Flags): void {
  if (fmt !== '' && !VALID.test(fmt)) {
    throw new CmdError(`unable to match a printer suitable for the output format "${fmt}", allowed formats are: ${allowed}`);
  }
  // kubectl builds the printer, and so parses the template, before it talks to the server.
  if (flags && isGoTemplateFormat(fmt)) goTemplateOf(fmt, flags);
}

const isGoTemplateFormat = (fmt: string): boolean => /^(go-template|template|go-template-file|templatefile)(=|$)/.test(fmt);

/** goTemplateOf parses the template named by `-o go-template=…`, `-o go-template-file=…` or `--template`. */
function goTemplateOf(fmt: string, flags: Flags): GoTemplate {
  const eq = fmt.indexOf('=');
  let text = eq >= 0 ? fmt.slice(eq + 1) : flags.str('template');
  if (fmt.startsWith('go-template-file') || fmt.startsWith('templatefile')) {
    try {
      text = readFileSync(text, 'utf8');
    } catch (e) {
      throw new CmdError(`error reading --template ${text}, ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? `open ${text}: no such file or directory` : String(e)}`);
    }
  }
  if (text === '') throw new CmdError('template format specified but no template given');
  try {
    return new GoTemplate(text);
  } catch (e) {
    if (e instanceof TemplateError) throw new CmdError(`error parsing template ${text}, ${e.message}`);
    throw e;
  }
}

/** printGoTemplate executes a go-template over doc as kubectl's GoTemplatePrinter, debugging dump included. */
function printGoTemplate(out: (s: string) => void, fmt: string, doc: unknown, flags: Flags): void {
  const t = goTemplateOf(fmt, flags);
  const missingKeyError = flags.has('allow-missing-template-keys') && !flags.bool('allow-missing-template-keys');
  try {
    out(t.execute(doc, { missingKeyError }));
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    const partial = (e as TemplateError & { partial?: string }).partial ?? '';
    out(
      partial +
        `Error executing template: ${e.message}. Printing more information for debugging the template:\n` +
        `\ttemplate was:\n\t\t${t.source}\n` +
        `\traw data was:\n\t\t${goJSON(doc)}\n` +
        `\tobject given to template engine was:\n\t\t${formatV(doc)}\n\n`,
    );
    throw new CmdError(`error executing template ${goQuote(t.source)}: ${e.message}`);
  }
}

/** stripManaged removes metadata.managedFields unless --show-managed-fields. */
export function stripManaged(o: KubeObject, flags: Flags): KubeObject {
  if (flags.bool('show-managed-fields') || !o.metadata?.managedFields) return o;
  const { managedFields: _m, ...meta } = o.metadata;
  void _m;
  return { ...o, metadata: meta };
}

/**
 * printObjects prints objects for the structured formats (json, yaml, name, jsonpath,
 * custom-columns). single prints the one object itself instead of a List; typed keeps the
 * objects' field order in JSON (kubectl prints typed objects, e.g. from generators, that way).
 */
export function printObjects(
  out: (s: string) => void,
  fmt: string,
  objs: KubeObject[],
  single: boolean,
  flags: Flags,
  mappingOf: (o: KubeObject) => Pick<Mapping, 'group' | 'kind'>,
  typed = false,
  listMeta: Record<string, unknown> = { resourceVersion: '' },
): void {
  // kubectl's template, jsonpath and custom-columns printers see managedFields; json/yaml drop them.
  if (fmt === 'json' || fmt === 'yaml') objs = objs.map((o) => stripManaged(o, flags));
  const doc: unknown = single && objs.length === 1 ? objs[0] : { apiVersion: 'v1', items: objs, kind: 'List', metadata: listMeta };
  if (fmt === 'json') return out(goJSON(doc, 4, 0, !typed) + '\n');
  if (fmt === 'yaml') return out(toYAML(doc));
  if (fmt === 'name') {
    for (const o of objs) out(`${kindPrefix(mappingOf(o))}/${o.metadata?.name ?? ''}\n`);
    return;
  }
  if (fmt.startsWith('jsonpath=') || fmt.startsWith('jsonpath-as-json=')) {
    const tpl = fmt.slice(fmt.indexOf('=') + 1);
    return out(jsonpathTemplate(tpl, doc));
  }
  if (isGoTemplateFormat(fmt)) return printGoTemplate(out, fmt, doc, flags);
  if (fmt.startsWith('custom-columns=')) {
    return out(customColumns(fmt.slice('custom-columns='.length), objs, flags.bool('no-headers')));
  }
  throw new CmdError(`output format "${fmt}" is not supported by k8ts kubectl`);
}

/** labelsString formats labels as labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty. */
export function labelsString(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const i = cell.search(/[\f\n\r]/);
    return i >= 0 ? cell.slice(0, i) + '...' : cell;
  }
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

export interface TableOptions {
  wide: boolean;
  noHeaders: boolean;
  showLabels: boolean;
  labelColumns: string[];
  withNamespace: boolean;
  /** withKind prefixes names with `kind.group/`. */
  withKind: Pick<Mapping, 'group' | 'kind'> | undefined;
}

export function tableOptions(flags: Flags, withNamespace: boolean, withKind: Pick<Mapping, 'group' | 'kind'> | undefined): TableOptions {
  return {
    wide: flags.str('output') === 'wide',
    noHeaders: flags.bool('no-headers'),
    showLabels: flags.bool('show-labels'),
    labelColumns: flags.list('label-columns'),
    withNamespace,
    withKind,
  };
}

/** tableRows renders a server Table as cell rows (header first unless noHeaders). */
export function tableRows(t: Table, o: TableOptions): string[][] {
  const cols = t.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => o.wide || c.priority === 0);
  const rows: string[][] = [];
  if (!o.noHeaders) {
    const h = cols.map(({ c }) => c.name.toUpperCase());
    if (o.withNamespace) h.unshift('NAMESPACE');
    for (const l of o.labelColumns) h.push(l.split('/').pop()!.toUpperCase());
    if (o.showLabels) h.push('LABELS');
    rows.push(h);
  }
  for (const r of t.rows) {
    const meta = r.object?.metadata;
    const cells = cols.map(({ c, i }) => {
      const text = cellText(r.cells[i]);
      if (i === 0 && o.withKind && c.format === 'name') return `${kindPrefix(o.withKind)}/${text}`;
      return text;
    });
    if (o.withNamespace) cells.unshift(meta?.namespace ?? '');
    for (const l of o.labelColumns) cells.push(meta?.labels?.[l] ?? '');
    if (o.showLabels) cells.push(labelsString(meta?.labels));
    rows.push(cells);
  }
  return rows;
}

/** renderTable aligns table rows. */
export function renderTable(rows: string[][]): string {
  return tabwrite(rows);
}

/** sortObjects orders objects by a --sort-by JSONPath as kubectl (numbers numerically, else strings). */
export function sortByPath<T>(items: T[], expr: string, objOf: (t: T) => unknown): T[] {
  let e = expr.trim();
  if (e.startsWith('{') && e.endsWith('}')) e = e.slice(1, -1);
  if (!e.startsWith('.')) e = '.' + e;
  const p = new JSONPath(e);
  const keyed = items.map((t) => ({ t, v: p.find(objOf(t))[0] }));
  keyed.sort((a, b) => {
    const x = a.v;
    const y = b.v;
    if (x === undefined && y === undefined) return 0;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const xs = typeof x === 'string' ? x : JSON.stringify(x);
    const ys = typeof y === 'string' ? y : JSON.stringify(y);
    // Quantities and timestamps compare as strings here; kubectl parses quantities.
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  });
  return keyed.map((k) => k.t);
}
