/**
 * The part of client-go's util/jsonpath that CRD printer columns use: `.a.b`, `['a.b']`,
 * `[0]`, `[-1]`, `[1:3]`, `[*]`, `.*`, `..name`, and filters `[?(@.type=="Ready")]`,
 * `[?(@.count > 2)]`, `[?(@.name)]`, evaluated with missing keys allowed (no match, no error).
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'recursive'; name: string }
  | { kind: 'wildcard' }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; path: Step[]; op?: '==' | '!=' | '<' | '>' | '<=' | '>='; literal?: string | number | boolean | null };

/** JSONPathError is a malformed expression. */
export class JSONPathError extends Error {
  override readonly name = 'JSONPathError';
}

const IDENT = /^[A-Za-z0-9_\-/$]+/;

function parseSteps(src: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '.') {
      if (src[i + 1] === '.') {
        const m = IDENT.exec(src.slice(i + 2));
        if (!m) throw new JSONPathError(`invalid recursive descent at ${src.slice(i)}`);
        steps.push({ kind: 'recursive', name: m[0] });
        i += 2 + m[0].length;
        continue;
      }
      if (src[i + 1] === '*') {
        steps.push({ kind: 'wildcard' });
        i += 2;
        continue;
      }
      const m = IDENT.exec(src.slice(i + 1));
      if (!m) {
        // A lone `.` (the whole object) is allowed at the end.
        i++;
        continue;
      }
      steps.push({ kind: 'field', name: m[0] });
      i += 1 + m[0].length;
    } else if (c === '[') {
      const close = findClose(src, i);
      steps.push(parseBracket(src.slice(i + 1, close)));
      i = close + 1;
    } else if (c === '@' || c === '$') {
      i++;
    } else {
      const m = IDENT.exec(src.slice(i));
      if (!m) throw new JSONPathError(`unrecognized character in ${JSON.stringify(src)} at ${i}`);
      steps.push({ kind: 'field', name: m[0] });
      i += m[0].length;
    }
  }
  return steps;
}

function findClose(src: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < src.length; i++) {
    const c = src[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  throw new JSONPathError(`unclosed [ in ${JSON.stringify(src)}`);
}

function parseLiteral(s: string): string | number | boolean | null {
  const t = s.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t === 'null') return null;
  const n = Number(t);
  if (t !== '' && !Number.isNaN(n)) return n;
  throw new JSONPathError(`unrecognized literal ${JSON.stringify(t)}`);
}

function parseBracket(inner: string): Step {
  const s = inner.trim();
  if (s === '*') return { kind: 'wildcard' };
  if (s.startsWith('?')) {
    const m = /^\?\((.*)\)$/s.exec(s);
    if (!m) throw new JSONPathError(`invalid filter ${s}`);
    const expr = m[1]!.trim();
    const op = /(==|!=|<=|>=|<|>)/.exec(expr);
    if (!op) return { kind: 'filter', path: parseSteps(expr) };
    return { kind: 'filter', path: parseSteps(expr.slice(0, op.index).trim()), op: op[1] as '==', literal: parseLiteral(expr.slice(op.index + op[1]!.length)) };
  }
  if ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"'))) return { kind: 'field', name: s.slice(1, -1) };
  if (s.includes(':')) {
    const [a, b, c] = s.split(':').map((x) => (x.trim() === '' ? undefined : Number(x)));
    return { kind: 'slice', start: a, end: b, step: c };
  }
  const n = Number(s);
  if (!Number.isInteger(n)) throw new JSONPathError(`invalid array index ${s}`);
  return { kind: 'index', index: n };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function compare(a: unknown, op: NonNullable<Extract<Step, { kind: 'filter' }>['op']>, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default:
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      return op === '<' ? a < (b as typeof a) : op === '>' ? a > (b as typeof a) : op === '<=' ? a <= (b as typeof a) : a >= (b as typeof a);
  }
}

function apply(step: Step, values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case 'field':
        if (isObject(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
        break;
      case 'wildcard':
        if (Array.isArray(v)) out.push(...v);
        else if (isObject(v)) out.push(...Object.keys(v).sort().map((k) => v[k]));
        break;
      case 'index':
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) out.push(v[i]);
        }
        break;
      case 'slice':
        if (Array.isArray(v)) {
          const norm = (x: number | undefined, dflt: number): number => (x === undefined ? dflt : x < 0 ? Math.max(0, v.length + x) : Math.min(x, v.length));
          const stepBy = step.step ?? 1;
          for (let i = norm(step.start, 0); i < norm(step.end, v.length); i += stepBy > 0 ? stepBy : 1) out.push(v[i]);
        }
        break;
      case 'recursive':
        collect(v, step.name, out);
        break;
      case 'filter': {
        const items = Array.isArray(v) ? v : isObject(v) ? [v] : [];
        for (const item of items) {
          const found = evaluate(step.path, item);
          if (step.op === undefined ? found.length > 0 : found.some((f) => compare(f, step.op!, step.literal))) out.push(item);
        }
        break;
      }
    }
  }
  return out;
}

function collect(v: unknown, name: string, out: unknown[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collect(x, name, out);
  } else if (isObject(v)) {
    if (Object.hasOwn(v, name)) out.push(v[name]);
    for (const k of Object.keys(v)) collect(v[k], name, out);
  }
}

function evaluate(steps: readonly Step[], root: unknown): unknown[] {
  return steps.reduce<unknown[]>((values, step) => apply(step, values), [root]);
}

/** JSONPath is a compiled expression; `{...}` braces around it are optional. */
export class JSONPath {
  private readonly steps: Step[];

  constructor(readonly expression: string) {
    const e = expression.trim();
    this.steps = parseSteps(e.startsWith('{') && e.endsWith('}') ? e.slice(1, -1).trim() : e);
  }

  /** find returns every value the expression selects, in document order; [] when nothing matches. */
  find(root: unknown): unknown[] {
    return evaluate(this.steps, root);
  }
}

/** textOf prints a selected value as jsonpath's PrintResults: JSON for objects and arrays. */
export function textOf(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object') return JSON.stringify(sortKeys(v));
  return String(v);
}

/** sortKeys orders object keys as Go's json.Marshal of a map does. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
