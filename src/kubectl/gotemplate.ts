/**
 * The part of Go's text/template that `kubectl -o go-template` users write: text and actions with
 * `{{-`/`-}}` trim markers and comments, field chains, `$` variables (`:=`, `=`, range's
 * `$i, $e :=`), pipelines, parenthesized pipelines, if/else if/else, range/else, with/else,
 * break/continue, and the built-in functions (and or not len index slice print printf println
 * eq ne lt le gt ge html js urlquery) plus kubectl's `exists` and `base64decode`.
 *
 * Data is decoded JSON as kubectl hands it over (unstructured maps; integers are int64, other
 * numbers float64); a missing key is Go's invalid value, printed `<no value>`. Parse and
 * execution errors carry Go's wording and `template: output:LINE[:COL]: ...` positions.
 */
import { GoFloat, formatV, goTypeName, isFloat, isInt, numberOf, sprint, sprintf, type GoValue } from './gofmt.js';

/** TemplateError is a parse or execution error, message as Go's text/template prints it. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly phase: 'parse' | 'exec',
  ) {
    super(message);
  }
}

// ---- lexer ----

type TokType = 'text' | 'left' | 'right' | 'space' | 'field' | 'variable' | 'ident' | 'keyword' | 'dot' | 'string' | 'number' | 'bool' | 'nil' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'char' | 'eof';

interface Token {
  type: TokType;
  val: string;
  pos: number;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => c !== undefined && /[\p{L}\p{N}_]/u.test(c);

class Lexer {
  tokens: Token[] = [];
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly errAt: (pos: number, msg: string) => never,
  ) {
    this.run();
  }

  private run(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const i = s.indexOf('{{', this.pos);
      if (i < 0) {
        this.tokens.push({ type: 'text', val: s.slice(this.pos), pos: this.pos });
        this.pos = s.length;
        break;
      }
      let text = s.slice(this.pos, i);
      let start = i + 2;
      const trimLeft = s[start] === '-' && isSpace(s[start + 1]);
      if (trimLeft) {
        text = text.replace(/[ \t\r\n]+$/, '');
        start += 1;
      }
      if (text) this.tokens.push({ type: 'text', val: text, pos: this.pos });
      this.pos = start;
      // A comment must sit right against the delimiters.
      let j = this.pos;
      while (trimLeft && isSpace(s[j])) j++;
      if (s.startsWith('/*', j)) {
        const end = s.indexOf('*/', j + 2);
        if (end < 0) this.errAt(j, 'unclosed comment');
        let k = end + 2;
        let trimRight = false;
        if (s.startsWith(' -}}', k) || s.startsWith('\t-}}', k) || s.startsWith('\n-}}', k) || s.startsWith('\r-}}', k)) {
          trimRight = true;
          k += 2;
        }
        if (!s.startsWith('}}', k)) this.errAt(k, 'comment ends before closing delimiter');
        this.pos = k + 2;
        if (trimRight) this.pos = this.skipSpace(this.pos);
        continue;
      }
      this.tokens.push({ type: 'left', val: '{{', pos: i });
      this.insideAction();
    }
    this.tokens.push({ type: 'eof', val: '', pos: s.length });
  }

  private skipSpace(p: number): number {
    while (isSpace(this.src[p])) p++;
    return p;
  }

  private insideAction(): void {
    const s = this.src;
    let parens = 0;
    for (;;) {
      if (this.pos >= s.length) this.errAt(s.length, 'unclosed action');
      const c = s[this.pos]!;
      if (isSpace(c)) {
        const st = this.pos;
        while (isSpace(s[this.pos])) this.pos++;
        if (s.startsWith('-}}', this.pos)) {
          this.tokens.push({ type: 'right', val: '}}', pos: this.pos + 1 });
          this.pos = this.skipSpace(this.pos + 3);
          return;
        }
        this.tokens.push({ type: 'space', val: ' ', pos: st });
        continue;
      }
      if (s.startsWith('}}', this.pos)) {
        if (parens > 0) this.errAt(this.pos, 'unclosed left paren');
        this.tokens.push({ type: 'right', val: '}}', pos: this.pos });
        this.pos += 2;
        return;
      }
      const st = this.pos;
      if (s.startsWith(':=', st)) {
        this.tokens.push({ type: 'declare', val: ':=', pos: st });
        this.pos += 2;
      } else if (c === '=') this.one('assign');
      else if (c === '|') this.one('pipe');
      else if (c === ',') this.one('comma');
      else if (c === '(') {
        parens++;
        this.one('lparen');
      } else if (c === ')') {
        parens--;
        if (parens < 0) this.errAt(st, `unexpected right paren`);
        this.one('rparen');
      } else if (c === '"') this.quoted('"', 'string');
      else if (c === '`') {
        const end = s.indexOf('`', st + 1);
        if (end < 0) this.errAt(st, 'unterminated raw quoted string');
        this.tokens.push({ type: 'string', val: s.slice(st, end + 1), pos: st });
        this.pos = end + 1;
      } else if (c === "'") this.quoted("'", 'char');
      else if (c === '$') {
        this.pos++;
        while (isAlnum(s[this.pos])) this.pos++;
        this.tokens.push({ type: 'variable', val: s.slice(st, this.pos), pos: st });
      } else if (c === '.' && !/[0-9]/.test(s[st + 1] ?? '')) {
        this.pos++;
        if (!isAlnum(s[this.pos])) {
          this.tokens.push({ type: 'dot', val: '.', pos: st });
          continue;
        }
        while (isAlnum(s[this.pos])) this.pos++;
        this.tokens.push({ type: 'field', val: s.slice(st, this.pos), pos: st });
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(s.slice(st))!;
        if (m[0] === '' || m[0] === '+' || m[0] === '-' || isAlnum(s[st + m[0].length])) this.errAt(st, `bad number syntax: "${s.slice(st, st + Math.max(1, m[0].length + 1))}"`);
        this.tokens.push({ type: 'number', val: m[0], pos: st });
        this.pos += m[0].length;
      } else if (isAlnum(c)) {
        while (isAlnum(s[this.pos])) this.pos++;
        const w = s.slice(st, this.pos);
        const type: TokType = KEYWORDS.has(w) ? 'keyword' : w === 'true' || w === 'false' ? 'bool' : w === 'nil' ? 'nil' : 'ident';
        this.tokens.push({ type, val: w, pos: st });
      } else this.errAt(st, `unrecognized character in action: ${JSON.stringify(c).slice(1, -1)}`);
    }
  }

  private one(type: TokType): void {
    this.tokens.push({ type, val: this.src[this.pos]!, pos: this.pos });
    this.pos++;
  }

  private quoted(q: string, type: TokType): void {
    const s = this.src;
    const st = this.pos;
    let i = st + 1;
    for (;;) {
      const c = s[i];
      if (c === undefined || c === '\n') this.errAt(st, type === 'char' ? 'unterminated character constant' : 'unterminated quoted string');
      if (c === '\\') i += 2;
      else if (c === q) break;
      else i++;
    }
    this.tokens.push({ type, val: s.slice(st, i + 1), pos: st });
    this.pos = i + 1;
  }
}

// ---- parse tree ----

type Arg =
  | { t: 'field'; pos: number; idents: string[] }
  | { t: 'variable'; pos: number; name: string; idents: string[] }
  | { t: 'chain'; pos: number; node: Arg; idents: string[] }
  | { t: 'ident'; pos: number; name: string }
  | { t: 'dot'; pos: number }
  | { t: 'nil'; pos: number }
  | { t: 'bool'; pos: number; value: boolean }
  | { t: 'number'; pos: number; text: string; value: GoValue }
  | { t: 'string'; pos: number; text: string; value: string }
  | { t: 'pipe'; pos: number; pipe: Pipe };

interface Command {
  pos: number;
  args: Arg[];
}

interface Pipe {
  pos: number;
  decl: string[];
  isAssign: boolean;
  cmds: Command[];
}

interface ControlNode {
  t: 'if' | 'range' | 'with';
  pos: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | undefined;
}

type Node =
  | { t: 'text'; text: string }
  | { t: 'action'; pos: number; pipe: Pipe }
  | ControlNode
  | { t: 'break' | 'continue'; pos: number };

const BUILTINS = new Set(['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call', 'exists', 'base64decode']);

function argString(a: Arg): string {
  switch (a.t) {
    case 'field':
      return a.idents.map((i) => '.' + i).join('');
    case 'variable':
      return a.name + a.idents.map((i) => '.' + i).join('');
    case 'chain':
      return (a.node.t === 'pipe' ? `(${pipeString(a.node.pipe)})` : argString(a.node)) + a.idents.map((i) => '.' + i).join('');
    case 'ident':
      return a.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(a.value);
    case 'number':
    case 'string':
      return a.text;
    case 'pipe':
      return `(${pipeString(a.pipe)})`;
  }
}
const commandString = (c: Command): string => c.args.map(argString).join(' ');
const pipeString = (p: Pipe): string => (p.decl.length ? p.decl.join(', ') + (p.isAssign ? ' = ' : ' := ') : '') + p.cmds.map(commandString).join(' | ');

class Parser {
  private i = 0;
  private vars: string[][] = [['$']];
  private rangeDepth = 0;
  constructor(
    private readonly toks: Token[],
    private readonly lineOf: (pos: number) => number,
  ) {}

  fail(msg: string, tok: Token = this.toks[Math.min(this.i, this.toks.length - 1)]!): never {
    throw new TemplateError(`template: output:${this.lineOf(tok.pos)}: ${msg}`, 'parse');
  }

  private peek(): Token {
    return this.toks[this.i]!;
  }
  private next(): Token {
    return this.toks[this.i++]!;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const t = this.nextNonSpace();
    this.i--;
    return t;
  }

  parse(): Node[] {
    const [list, end] = this.itemList(true);
    if (end) this.fail(`unexpected ${end}`);
    return list;
  }

  /** itemList parses nodes up to {{end}}/{{else}} (returned as the terminator) or EOF (top only). */
  private itemList(top: boolean): [Node[], string | undefined] {
    const out: Node[] = [];
    for (;;) {
      const t = this.next();
      if (t.type === 'eof') {
        if (!top) this.fail('unexpected EOF', t);
        return [out, undefined];
      }
      if (t.type === 'text') {
        out.push({ t: 'text', text: t.val });
        continue;
      }
      // left delimiter
      const k = this.peekNonSpace();
      if (k.type === 'keyword') {
        this.nextNonSpace();
        switch (k.val) {
          case 'end':
            this.expectRight('end');
            if (top) this.fail('unexpected {{end}}', k);
            return [out, '{{end}}'];
          case 'else':
            if (top) this.fail('unexpected {{else}}', k);
            return [out, '{{else}}'];
          case 'if':
          case 'range':
          case 'with':
            out.push(this.control(k.val, k));
            continue;
          case 'break':
          case 'continue':
            if (this.rangeDepth === 0) this.fail(`{{${k.val}}} outside {{range}}`, k);
            this.expectRight(k.val);
            out.push({ t: k.val, pos: k.pos });
            continue;
          default:
            this.fail(`{{${k.val}}} is not supported by k8ts kubectl's go-template`, k);
        }
      }
      out.push({ t: 'action', pos: k.pos, pipe: this.pipeline('command', 'right') });
    }
  }

  private expectRight(context: string): void {
    const t = this.nextNonSpace();
    if (t.type !== 'right') this.fail(`unexpected ${describeToken(t)} in ${context}`, t);
  }

  private control(kind: 'if' | 'range' | 'with', k: Token): Node {
    this.vars.push([]);
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const [list, end] = this.itemList(false);
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end === '{{else}}') {
      // `else if`/`else with` nest a new control as the whole else branch.
      const nk = this.peekNonSpace();
      if ((kind === 'if' && nk.val === 'if' && nk.type === 'keyword') || (kind === 'with' && nk.val === 'with' && nk.type === 'keyword')) {
        this.nextNonSpace();
        elseList = [this.control(kind, nk)];
      } else {
        this.expectRight('else');
        const [l, e2] = this.itemList(false);
        if (e2 !== '{{end}}') this.fail(`expected end; found ${e2}`);
        elseList = l;
      }
    }
    this.vars.pop();
    return { t: kind, pos: k.pos, pipe, list, elseList };
  }

  private pipeline(context: string, end: 'right' | 'rparen'): Pipe {
    const start = this.peekNonSpace();
    const pipe: Pipe = { pos: start.pos, decl: [], isAssign: false, cmds: [] };
    // Declarations: $x := / $x = / $i, $e :=
    const save = this.i;
    const v = this.nextNonSpace();
    if (v.type === 'variable') {
      const n = this.nextNonSpace();
      if (n.type === 'declare' || n.type === 'assign') {
        pipe.decl.push(v.val);
        pipe.isAssign = n.type === 'assign';
      } else if (n.type === 'comma' && context === 'range') {
        const v2 = this.nextNonSpace();
        const d = this.nextNonSpace();
        if (v2.type !== 'variable' || (d.type !== 'declare' && d.type !== 'assign')) this.fail('range can only initialize variables', v2);
        pipe.decl.push(v.val, v2.val);
        pipe.isAssign = d.type === 'assign';
      } else this.i = save;
    } else this.i = save;
    if (pipe.isAssign) for (const d of pipe.decl) this.lookupVar(d, v);
    else for (const d of pipe.decl) this.vars[this.vars.length - 1]!.push(d);
    for (;;) {
      const t = this.peekNonSpace();
      if (t.type === end) {
        this.nextNonSpace();
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, t);
        return pipe;
      }
      if (t.type === 'eof') this.fail('unclosed action', t);
      pipe.cmds.push(this.command());
    }
  }

  private lookupVar(name: string, t: Token): void {
    for (const scope of this.vars) if (scope.includes(name)) return;
    this.fail(`undefined variable "${name}"`, t);
  }

  private command(): Command {
    const cmd: Command = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const a = this.operand();
      if (a) cmd.args.push(a);
      const t = this.peek();
      if (t.type === 'space') {
        this.next();
        continue;
      }
      if (t.type === 'right' || t.type === 'rparen') break;
      if (t.type === 'pipe') {
        this.next();
        break;
      }
      if (!a) this.fail(`unexpected ${describeToken(t)} in operand`, t);
      this.fail(`unexpected ${describeToken(t)} in operand`, t);
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): Arg | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type === 'field') {
      const idents: string[] = [];
      const pos = this.peek().pos;
      while (this.peek().type === 'field') idents.push(this.next().val.slice(1));
      if (node.t === 'field') return { t: 'field', pos, idents: [...node.idents, ...idents] };
      if (node.t === 'variable') return { ...node, idents: [...node.idents, ...idents] };
      if (node.t === 'bool' || node.t === 'string' || node.t === 'number' || node.t === 'nil' || node.t === 'dot') this.fail(`unexpected . after term "${argString(node)}"`);
      return { t: 'chain', pos, node, idents };
    }
    return node;
  }

  private term(): Arg | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'ident':
        if (!BUILTINS.has(t.val)) this.fail(`function "${t.val}" not defined`, t);
        return { t: 'ident', pos: t.pos, name: t.val };
      case 'dot':
        return { t: 'dot', pos: t.pos };
      case 'nil':
        return { t: 'nil', pos: t.pos };
      case 'variable':
        this.lookupVar(t.val, t);
        return { t: 'variable', pos: t.pos, name: t.val, idents: [] };
      case 'field':
        return { t: 'field', pos: t.pos, idents: [t.val.slice(1)] };
      case 'bool':
        return { t: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'number':
        return { t: 'number', pos: t.pos, text: t.val, value: numberValue(t.val) };
      case 'char':
        return { t: 'number', pos: t.pos, text: t.val, value: BigInt(unquote(t.val).codePointAt(0) ?? 0) };
      case 'string':
        return { t: 'string', pos: t.pos, text: t.val, value: unquote(t.val) };
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        return { t: 'pipe', pos: t.pos, pipe };
      }
      default:
        this.i--;
        return undefined;
    }
  }
}

function describeToken(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'right') return '"}}"';
  if (t.type === 'rparen') return '")"';
  if (t.type === 'keyword') return `<${t.val}>`;
  return `"${t.val}"`;
}

function numberValue(text: string): GoValue {
  const clean = text.replaceAll('_', '');
  if (/^[+-]?0[xX]/.test(clean) || /^[+-]?0[bB]/.test(clean) || /^[+-]?0[oO]/.test(clean)) {
    const neg = clean.startsWith('-');
    const body = clean.replace(/^[+-]/, '');
    const n = BigInt(body.toLowerCase().startsWith('0o') ? '0o' + body.slice(2) : body);
    return neg ? -n : n;
  }
  if (/[.eE]/.test(clean)) {
    const f = Number(clean);
    return Number.isInteger(f) ? new GoFloat(f) : f;
  }
  if (/^[+-]?0\d+$/.test(clean)) return BigInt(parseInt(clean, 8));
  return BigInt(clean);
}

function unquote(q: string): string {
  if (q.startsWith('`')) return q.slice(1, -1);
  let out = '';
  for (let i = 1; i < q.length - 1; i++) {
    const c = q[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = q[++i]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (e in simple) out += simple[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(q.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      out += String.fromCodePoint(parseInt(q.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else if (/[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(q.slice(i, i + 3), 8));
      i += 2;
    } else out += e;
  }
  return out;
}

// ---- execution ----

class ExecError extends Error {
  constructor(
    readonly pos: number,
    readonly context: string,
    message: string,
  ) {
    super(message);
  }
}

class BreakSignal {
  constructor(readonly kind: 'break' | 'continue') {}
}

const isMap = (v: GoValue): v is Record<string, GoValue> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);

/** truth is text/template's notion of true. */
function truth(v: GoValue): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (v instanceof GoFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';
function basicKind(v: GoValue): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (isFloat(v)) return 'float';
  if (isInt(v)) return 'int';
  return 'invalid';
}

/** Options for executing a template. */
export interface TemplateOptions {
  /** missingKeyError makes a missing map key an error (kubectl's --allow-missing-template-keys=false). */
  missingKeyError?: boolean;
}

class Exec {
  out = '';
  private vars: Array<{ name: string; value: GoValue }> = [];
  constructor(
    private readonly opts: TemplateOptions,
    root: GoValue,
  ) {
    this.vars.push({ name: '$', value: root });
  }

  walk(dot: GoValue, nodes: readonly Node[]): void {
    for (const n of nodes) this.node(dot, n);
  }

  private node(dot: GoValue, n: Node): void {
    switch (n.t) {
      case 'text':
        this.out += n.text;
        return;
      case 'action': {
        const v = this.pipe(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.out += formatV(v);
        return;
      }
      case 'break':
      case 'continue':
        throw new BreakSignal(n.t);
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.pipe(dot, n.pipe);
        if (truth(v)) this.walk(n.t === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walk(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.range(dot, n);
    }
  }

  private range(dot: GoValue, n: ControlNode): void {
    const mark = this.vars.length;
    const v = this.pipe(dot, { ...n.pipe, decl: [] });
    const each = (key: GoValue, elem: GoValue): boolean => {
      if (n.pipe.decl.length === 1) this.setVar(n.pipe.decl[0]!, elem, n.pipe.isAssign);
      if (n.pipe.decl.length === 2) {
        this.setVar(n.pipe.decl[0]!, key, n.pipe.isAssign);
        this.setVar(n.pipe.decl[1]!, elem, n.pipe.isAssign);
      }
      const inner = this.vars.length;
      try {
        this.walk(elem, n.list);
      } catch (e) {
        if (!(e instanceof BreakSignal)) throw e;
        if (e.kind === 'break') return false;
      } finally {
        this.vars.length = inner;
      }
      return true;
    };
    let any = false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        any = true;
        if (!each(BigInt(i), v[i] ?? undefined)) break;
      }
    } else if (isMap(v)) {
      for (const k of Object.keys(v).sort()) {
        any = true;
        if (!each(k, v[k] ?? undefined)) break;
      }
    } else if (isInt(v)) {
      for (let i = 0n; i < BigInt(v); i++) {
        any = true;
        if (!each(i, i)) break;
      }
    } else if (v !== undefined && v !== null) {
      throw new ExecError(n.pos, `range ${pipeString(n.pipe)}`, `range can't iterate over ${formatV(v)}`);
    }
    if (!any && n.elseList) this.walk(dot, n.elseList);
    this.vars.length = mark;
  }

  private setVar(name: string, value: GoValue, assign: boolean): void {
    if (assign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]!.name === name) {
          this.vars[i]!.value = value;
          return;
        }
      }
    }
    this.vars.push({ name, value });
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    return undefined;
  }

  private pipe(dot: GoValue, p: Pipe): GoValue {
    let v: GoValue;
    let first = true;
    for (const c of p.cmds) {
      v = this.command(dot, c, first ? undefined : { v });
      first = false;
    }
    for (const d of p.decl) this.setVar(d, v, p.isAssign);
    return v;
  }

  private command(dot: GoValue, c: Command, final: { v: GoValue } | undefined): GoValue {
    const a = c.args[0]!;
    const notFn = (): void => {
      if (c.args.length > 1 || final) throw new ExecError(a.pos, argString(a), `can't give argument to non-function ${argString(a)}`);
    };
    switch (a.t) {
      case 'ident':
        return this.call(dot, a.name, c, c.args.slice(1), final);
      case 'nil':
        throw new ExecError(a.pos, 'nil', 'nil is not a command');
      case 'field':
      case 'variable':
      case 'chain':
        notFn();
        return this.arg(dot, a);
      default:
        notFn();
        return this.arg(dot, a);
    }
  }

  /** arg evaluates an operand to a value. */
  private arg(dot: GoValue, a: Arg): GoValue {
    switch (a.t) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
        return a.value;
      case 'number':
        return a.value;
      case 'string':
        return a.value;
      case 'field':
        return this.fields(dot, a.idents, a);
      case 'variable':
        return this.fields(this.varValue(a.name), a.idents, a);
      case 'chain': {
        const base = a.node.t === 'pipe' ? this.pipe(dot, a.node.pipe) : this.arg(dot, a.node);
        return this.fields(base, a.idents, a);
      }
      case 'pipe':
        return this.pipe(dot, a.pipe);
      case 'ident':
        return this.call(dot, a.name, { pos: a.pos, args: [a] }, [], undefined);
    }
  }

  private fields(v: GoValue, idents: readonly string[], node: Arg): GoValue {
    let cur = v === null ? undefined : v;
    for (const id of idents) {
      if (cur === undefined || cur === null) {
        if (this.opts.missingKeyError) throw new ExecError(node.pos, argString(node), `nil data; no entry for key "${id}"`);
        return undefined;
      }
      if (!isMap(cur)) throw new ExecError(node.pos, argString(node), `can't evaluate field ${id} in type interface {}`);
      if (!(id in cur) && this.opts.missingKeyError) throw new ExecError(node.pos, argString(node), `map has no entry for key "${id}"`);
      const next = cur[id];
      cur = next === null ? undefined : next;
    }
    return cur;
  }

  private call(dot: GoValue, name: string, c: Command, args: Arg[], final: { v: GoValue } | undefined): GoValue {
    const ctx = commandString(c);
    const err = (msg: string): ExecError => new ExecError(c.pos, ctx, `error calling ${name}: ${msg}`);
    const all = (): GoValue[] => {
      const vals = args.map((a) => this.arg(dot, a));
      if (final) vals.push(final.v);
      return vals;
    };
    const arity = (n: number, vals: GoValue[]): void => {
      if (vals.length !== n) throw new ExecError(c.pos, ctx, `wrong number of args for ${name}: want ${n} got ${vals.length}`);
    };
    switch (name) {
      case 'and':
      case 'or': {
        const n = args.length + (final ? 1 : 0);
        if (n < 1) throw new ExecError(c.pos, ctx, `wrong number of args for ${name}: want at least 1 got 0`);
        let v: GoValue;
        for (let i = 0; i < n; i++) {
          v = i < args.length ? this.arg(dot, args[i]!) : final!.v;
          if (truth(v) !== (name === 'and')) return v;
        }
        return v;
      }
      case 'not': {
        const vals = all();
        arity(1, vals);
        return !truth(vals[0]);
      }
      case 'len': {
        const vals = all();
        arity(1, vals);
        const v = vals[0];
        if (v === undefined || v === null) throw err('reflect: call of reflect.Value.Type on zero Value');
        if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
        if (Array.isArray(v)) return BigInt(v.length);
        if (isMap(v)) return BigInt(Object.keys(v).length);
        throw err(`len of type ${goTypeName(v)}`);
      }
      case 'index': {
        const vals = all();
        if (vals.length < 1) throw new ExecError(c.pos, ctx, `wrong number of args for index: want at least 1 got 0`);
        let v = vals[0];
        for (const k of vals.slice(1)) {
          if (v === undefined || v === null) throw err('index of nil pointer');
          if (Array.isArray(v)) {
            if (!isInt(k)) throw err(`cannot index slice/array with type ${goTypeName(k)}`);
            if (k < 0 || k >= v.length) throw err(`index out of range: ${k}`);
            v = v[Number(k)];
          } else if (isMap(v)) {
            if (typeof k !== 'string') throw err(k === undefined || k === null ? 'value is nil; should be of type string' : `value has type ${goTypeName(k)}; should be string`);
            v = v[k];
          } else if (typeof v === 'string') {
            if (!isInt(k)) throw err(`cannot index slice/array with type ${goTypeName(k)}`);
            const b = Buffer.from(v);
            if (k < 0 || k >= b.length) throw err(`index out of range: ${k}`);
            v = BigInt(b[Number(k)]!);
          } else throw err(`can't index item of type ${goTypeName(v)}`);
          if (v === null) v = undefined;
        }
        return v;
      }
      case 'slice': {
        const vals = all();
        const v = vals[0];
        const idx = vals.slice(1);
        if (idx.length > 3) throw err(`too many slice indexes: ${idx.length}`);
        if (typeof v === 'string' || Array.isArray(v)) {
          if (typeof v === 'string' && idx.length === 3) throw err('cannot 3-index slice a string');
          const len = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
          const nums = idx.map((i) => {
            if (!isInt(i)) throw err(`cannot index slice/array with type ${goTypeName(i)}`);
            return Number(i);
          });
          const lo = nums[0] ?? 0;
          const hi = nums[1] ?? len;
          if (lo < 0 || hi > len || lo > hi) throw err(`index out of range: ${lo > hi ? hi : Math.max(lo, hi)}`);
          return typeof v === 'string' ? Buffer.from(v).subarray(lo, hi).toString() : v.slice(lo, hi);
        }
        if (v === undefined || v === null) throw err('slice of untyped nil');
        throw err(`can't slice item of type ${goTypeName(v)}`);
      }
      case 'print':
        return sprint(all());
      case 'println':
        return all().map((a) => (a === undefined ? '<nil>' : formatV(a))).join(' ') + '\n';
      case 'printf': {
        const vals = all();
        if (typeof vals[0] !== 'string') throw new ExecError(c.pos, ctx, `wrong type for value; expected string; got ${goTypeName(vals[0])}`);
        return sprintf(vals[0], vals.slice(1));
      }
      case 'html':
        return sprint(all()).replace(/[<>&'"\0]/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[ch]!);
      case 'js':
        return sprint(all()).replace(/[\\'"<>&=\x00-\x1f]/g, (ch) =>
          ch === '\\' ? '\\\\' : ch === "'" ? "\\'" : ch === '"' ? '\\"' : '\\u' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0'),
        );
      case 'urlquery':
        return encodeURIComponent(sprint(all()))
          .replace(/%20/g, '+')
          .replace(/[!'()*]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
      case 'eq':
      case 'ne':
      case 'lt':
      case 'le':
      case 'gt':
      case 'ge': {
        const vals = all();
        if (name !== 'eq') arity(2, vals);
        if (vals.length < 2) throw err('missing argument for comparison');
        return compare(name, vals[0], vals.slice(1), err);
      }
      case 'exists': {
        const vals = all();
        let v = vals[0];
        for (const k of vals.slice(1)) {
          if (v === undefined || v === null) return false;
          if (Array.isArray(v) || typeof v === 'string') {
            if (!isInt(k) || k < 0 || k >= (typeof v === 'string' ? Buffer.byteLength(v) : v.length)) return false;
            v = Array.isArray(v) ? v[Number(k)] : Buffer.from(v)[Number(k)];
          } else if (isMap(v)) {
            if (typeof k !== 'string') return false;
            v = v[k];
          } else return false;
        }
        return v !== undefined && v !== null;
      }
      case 'base64decode': {
        const vals = all();
        arity(1, vals);
        if (typeof vals[0] !== 'string') throw new ExecError(c.pos, ctx, `wrong type for value; expected string; got ${goTypeName(vals[0])}`);
        const bad = base64Error(vals[0]);
        if (bad !== undefined) throw err(`base64 decode failed: illegal base64 data at input byte ${bad}`);
        return Buffer.from(vals[0], 'base64').toString('latin1') === '' ? '' : Buffer.from(vals[0], 'base64').toString();
      }
      default:
        throw err(`${name} is not supported`);
    }
  }
}

/** base64Error returns the byte offset Go's StdEncoding.DecodeString reports, or undefined if valid. */
function base64Error(s: string): number | undefined {
  const alpha = /[A-Za-z0-9+/]/;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\n' || c === '\r') continue;
    if (c === '=') break;
    if (!alpha.test(c)) return i;
  }
  const data = s.slice(0, i).replace(/[\r\n]/g, '').length;
  const pad = s.slice(i).replace(/[\r\n]/g, '');
  if (pad.length === 0) return data % 4 === 0 ? undefined : data % 4 === 1 ? data - 1 : data;
  const need = data % 4 === 2 ? 2 : data % 4 === 3 ? 1 : 0;
  if (need === 0 || pad !== '='.repeat(need)) return i;
  return undefined;
}

function compare(name: string, a: GoValue, rest: GoValue[], err: (m: string) => ExecError): boolean {
  const ka = basicKind(a);
  if (name === 'eq' || name === 'ne') {
    for (const b of rest) {
      const kb = basicKind(b);
      let eq = false;
      if (ka !== kb) {
        if (a !== undefined && a !== null && b !== undefined && b !== null) throw err('incompatible types for comparison');
        eq = false;
      } else if (ka === 'invalid') {
        if ((a === undefined || a === null) && (b === undefined || b === null)) eq = true;
        else throw err('non-comparable types');
      } else {
        const norm = (x: GoValue): GoValue => (isFloat(x) ? numberOf(x) : typeof x === 'bigint' ? Number(x) : x);
        eq = norm(a) === norm(b);
      }
      if (name === 'ne') return !eq;
      if (eq) return true;
    }
    return false;
  }
  const b = rest[0];
  const kb = basicKind(b);
  if (ka === 'invalid' || kb === 'invalid' || ka === 'bool') throw err('invalid type for comparison');
  if (ka !== kb) throw err('incompatible types for comparison');
  const x = isFloat(a) ? numberOf(a) : typeof a === 'bigint' ? Number(a) : (a as number | string);
  const y = isFloat(b) ? numberOf(b) : typeof b === 'bigint' ? Number(b) : (b as number | string);
  const lt = x < y;
  const eq = x === y;
  return name === 'lt' ? lt : name === 'le' ? lt || eq : name === 'gt' ? !lt && !eq : !lt;
}

/** GoTemplate is a parsed template; parse errors throw TemplateError at construction. */
export class GoTemplate {
  private readonly nodes: Node[];
  constructor(readonly source: string) {
    const lineOf = (pos: number): number => 1 + (source.slice(0, pos).match(/\n/g)?.length ?? 0);
    const lexer = new Lexer(source, (pos, msg) => {
      throw new TemplateError(`template: output:${lineOf(pos)}: ${msg}`, 'parse');
    });
    this.nodes = new Parser(lexer.tokens, lineOf).parse();
  }

  /**
   * execute runs the template on data. On an execution error it throws TemplateError whose
   * `partial` holds what was written before the error (Go streams output as it goes).
   */
  execute(data: GoValue, opts: TemplateOptions = {}): string {
    const ex = new Exec(opts, data);
    try {
      ex.walk(data, this.nodes);
    } catch (e) {
      if (!(e instanceof ExecError)) throw e;
      const before = this.source.slice(0, e.pos);
      const line = 1 + (before.match(/\n/g)?.length ?? 0);
      const col = e.pos - (before.lastIndexOf('\n') + 1);
      const te = new TemplateError(`template: output:${line}:${col}: executing "output" at <${e.context}>: ${e.message}`, 'exec');
      throw Object.assign(te, { partial: ex.out });
    }
    return ex.out;
  }
}
