/**
 * kubectl's output printers: Go-style JSON (`-o json`, 4-space indent, sorted keys, HTML-safe
 * escapes), YAML (see yaml.ts), `-o name`, tab-aligned tables (text/tabwriter with kubectl's
 * minwidth 6 and padding 3), the JSONPath template dialect and custom columns.
 */
// The module itself, not the printers index: that one loads every kind's table printer at startup.
import { JSONPath } from '../api/printers/jsonpath.js';
import { UsageError } from './args.js';
import { formatNumber, toYAML } from './yaml.js';

export { toYAML };

// ---- JSON as Go's encoding/json ----

function goString(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || c === '<' || c === '>' || c === '&' || code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += c;
  }
  return out + '"';
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a < 1e-6 || a >= 1e21)) return n.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
  return String(n);
}

/**
 * goJSON marshals as Go: object keys sorted bytewise (maps of unstructured objects) unless
 * sort is false (typed objects keep their field order), `indent` spaces per level (0: compact).
 */
export function goJSON(v: unknown, indent = 0, level = 0, sort = true): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  const nl = indent > 0 ? '\n' + ' '.repeat(indent * (level + 1)) : '';
  const end = indent > 0 ? '\n' + ' '.repeat(indent * level) : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[' + v.map((x) => nl + goJSON(x, indent, level + 1, sort)).join(',') + end + ']';
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined);
  if (sort) keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  if (keys.length === 0) return '{}';
  const sep = indent > 0 ? ': ' : ':';
  return '{' + keys.map((k) => nl + goString(k) + sep + goJSON(o[k], indent, level + 1, sort)).join(',') + end + '}';
}

// ---- tables ----

/** tabwrite aligns rows as kubectl's tabwriter: every cell but the last padded to max(6, width + 3). */
export function tabwrite(rows: readonly string[][]): string {
  const widths: number[] = [];
  for (const r of rows) {
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? 6, [...(r[i] as string)].length + 3);
  }
  let out = '';
  for (const r of rows) {
    out += r.map((c, i) => (i < r.length - 1 ? c + ' '.repeat((widths[i] as number) - [...c].length) : c)).join('') + '\n';
  }
  return out;
}

// ---- jsonpath templates ----

type Node = { kind: 'text'; text: string } | { kind: 'expr'; expr: string } | { kind: 'range'; expr: string; body: Node[] };

function parseTemplate(tpl: string): Node[] {
  const stack: Node[][] = [[]];
  const ranges: Array<{ expr: string }> = [];
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf('{', i);
    if (open < 0) {
      stack[stack.length - 1]!.push({ kind: 'text', text: tpl.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1]!.push({ kind: 'text', text: tpl.slice(i, open) });
    // Find the matching close brace, skipping quoted strings.
    let j = open + 1;
    let quote: string | undefined;
    let depth = 1;
    for (; j < tpl.length; j++) {
      const c = tpl[j];
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    if (j >= tpl.length) throw new UsageError(`unclosed action`);
    const inner = tpl.slice(open + 1, j).trim();
    i = j + 1;
    if (inner.startsWith('range ')) {
      ranges.push({ expr: inner.slice(6).trim() });
      stack.push([]);
    } else if (inner === 'end') {
      const r = ranges.pop();
      if (!r) throw new UsageError('not in range, nothing to end');
      const body = stack.pop()!;
      stack[stack.length - 1]!.push({ kind: 'range', expr: r.expr, body });
    } else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) {
      stack[stack.length - 1]!.push({ kind: 'text', text: JSON.parse(inner) as string });
    } else if (/^'[^']*'$/.test(inner)) {
      stack[stack.length - 1]!.push({ kind: 'text', text: inner.slice(1, -1) });
    } else {
      stack[stack.length - 1]!.push({ kind: 'expr', expr: inner });
    }
  }
  if (ranges.length > 0) throw new UsageError('unterminated range');
  return stack[0]!;
}

function findAll(expr: string, root: unknown): unknown[] {
  let e = expr.trim();
  if (e === '@' || e === '$' || e === '') return [root];
  if (e.startsWith('@') || e.startsWith('$')) e = e.slice(1);
  if (!e.startsWith('.') && !e.startsWith('[')) e = '.' + e;
  return new JSONPath(e).find(root);
}

/** jsonpathText prints one selected value as kubectl's jsonpath: JSON for objects and arrays. */
export function jsonpathText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return goJSON(v);
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function execNodes(nodes: readonly Node[], cur: unknown): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'expr') {
      const exprs = n.expr.split(',');
      out += exprs
        .flatMap((x) => findAll(x, cur))
        .map(jsonpathText)
        .join(' ');
    } else {
      const items = findAll(n.expr, cur);
      const list = items.length === 1 && Array.isArray(items[0]) ? (items[0] as unknown[]) : items;
      for (const item of list) out += execNodes(n.body, item);
    }
  }
  return out;
}

/** jsonpathTemplate evaluates kubectl's `-o jsonpath=` template against an object. */
export function jsonpathTemplate(tpl: string, obj: unknown): string {
  return execNodes(parseTemplate(tpl), obj);
}

/** customColumns renders `-o custom-columns=NAME:.path,...`. */
export function customColumns(spec: string, objs: readonly unknown[], noHeaders: boolean): string {
  const cols = spec.split(',').map((c) => {
    const i = c.indexOf(':');
    if (i < 0) throw new UsageError(`unexpected custom-columns spec: ${c}, expected <header>:<json-path-expr>`);
    let path = c.slice(i + 1);
    if (path.startsWith('{') && path.endsWith('}')) path = path.slice(1, -1);
    return { header: c.slice(0, i), path };
  });
  const rows: string[][] = noHeaders ? [] : [cols.map((c) => c.header)];
  for (const o of objs) {
    rows.push(
      cols.map((c) => {
        const vals = findAll(c.path, o).filter((v) => v !== undefined);
        if (vals.length === 0) return '<none>';
        return vals.map((v) => (v === null ? '<none>' : jsonpathText(v))).join(',');
      }),
    );
  }
  return tabwrite(rows);
}
