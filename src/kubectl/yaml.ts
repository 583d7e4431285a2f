/**
 * toYAML renders a JSON value exactly as kubectl's `-o yaml` does: sigs.k8s.io/yaml turns the
 * object's JSON into YAML with go-yaml v2's emitter. That means keys in go-yaml's "natural"
 * order, 2-space indentation, sequences not indented under their key, strings quoted only when
 * a plain scalar would resolve to another type or the emitter's analysis forbids it, literal
 * `|` blocks for multi-line text, and folding of long scalars at 80 columns.
 */

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

/** toYAML returns the document text, ending with a newline. */
export function toYAML(value: unknown): string {
  const e = new Emitter();
  e.node(value, 0, 'top');
  return e.out.endsWith('\n') ? e.out : e.out + '\n';
}

// ---- go-yaml v2 key order (sorter.go keyList.Less) ----

const isLetter = (c: string): boolean => /\p{L}/u.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** naturalLess orders map keys as go-yaml v2: letters by code point, non-letters before letters, digit runs numerically. */
export function naturalLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ca = ar[i] as string;
    const cb = br[i] as string;
    if (ca === cb) continue;
    const al = isLetter(ca);
    const bl = isLetter(cb);
    if (al && bl) return ca < cb;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ca === '0' || cb === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j] as string); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai] as string); ai++) an = an * 10 + Number(ar[ai]);
    for (; bi < br.length && isDigit(br[bi] as string); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ca < cb;
  }
  return ar.length < br.length;
}

export function sortedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));
}

// ---- go-yaml v2 resolve: does a plain scalar read back as something other than a string? ----

const RESOLVE_MAP = new Set([
  '', '~', 'null', 'Null', 'NULL',
  'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE',
  'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE',
  '.nan', '.NaN', '.NAN', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF',
  '<<',
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]| )(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?(?:Z|[+-]\d{1,2}(?::\d{2})?)?)?$/;

function goParseInt(s: string): boolean {
  // strconv.ParseInt(s, 0, 64): optional sign, then 0x / 0o / 0b / leading-0 octal or decimal.
  const m = /^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  return m !== null;
}

function resolvesToNonString(s: string): boolean {
  if (RESOLVE_MAP.has(s)) return true;
  const c = s[0] ?? '';
  if (c === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s) || YAML_FLOAT.test(s);
  if (c === '+' || c === '-' || isDigit(c)) {
    if (TIMESTAMP.test(s) && validTimestamp(s)) return true;
    const plain = s.replace(/_/g, '');
    if (goParseInt(plain)) return true;
    if (YAML_FLOAT.test(plain)) return true;
    if (/^-?0b[01]+$/.test(plain)) return true;
  }
  return false;
}

function validTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return false;
  return true;
}

// ---- emitter analysis (emitterc.go yaml_emitter_analyze_scalar) ----

interface Analysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string | undefined): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isSpace = (c: string | undefined): boolean => c === ' ';
const isBlankz = (c: string | undefined): boolean => c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\0';

function isPrintable(c: string): boolean {
  const x = c.codePointAt(0) ?? 0;
  return (
    x === 0x0a ||
    (x >= 0x20 && x <= 0x7e) ||
    x === 0x85 ||
    (x >= 0xa0 && x <= 0xd7ff) ||
    (x >= 0xe000 && x <= 0xfffd && x !== 0xfeff) ||
    x >= 0x10000
  );
}

function analyze(value: string): Analysis {
  const chars = [...value];
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const followedByWhitespace = isBlankz(chars[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (c === '?' || c === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (c === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (',?[]{}'.includes(c)) flowIndicators = true;
      if (c === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (c === '#' && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (isSpace(c)) {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) blockPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  void flowIndicators;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | 'single' | 'double' | 'literal';

class Emitter {
  out = '';
  column = 0;
  /** whitespace: the last character written is whitespace (go-yaml's emitter.whitespace). */
  whitespace = true;
  indention = true;

  private put(s: string): void {
    this.out += s;
    this.column += [...s].length;
    this.whitespace = false;
    this.indention = false;
  }

  private newline(): void {
    this.out += '\n';
    this.column = 0;
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.newline();
    while (this.column < indent) {
      this.out += ' ';
      this.column++;
    }
    this.whitespace = true;
    this.indention = true;
  }

  /**
   * node writes a value. `indent` is the block indentation of the enclosing collection's
   * entries; ctx says where the value sits (after `key:`, after `- `, or the document top).
   */
  node(v: unknown, indent: number, ctx: 'top' | 'value' | 'item'): void {
    if (Array.isArray(v)) {
      if (v.length === 0) return this.inlineScalar('[]', ctx);
      // Sequences under a mapping key are indentless, as go-yaml's block mapping values.
      const seqIndent = ctx === 'value' ? indent : ctx === 'item' ? indent + BEST_INDENT : 0;
      let first = true;
      for (const item of v) {
        if (!(ctx === 'item' && first)) this.writeIndent(seqIndent);
        else if (!this.whitespace) this.put(' ');
        this.put('-');
        this.whitespace = false;
        first = false;
        this.node(item, seqIndent, 'item');
      }
      return;
    }
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const keys = sortedKeys(o).filter((k) => o[k] !== undefined);
      if (keys.length === 0) return this.inlineScalar('{}', ctx);
      const mapIndent = ctx === 'top' ? 0 : indent + BEST_INDENT;
      let first = true;
      for (const k of keys) {
        if (ctx === 'item' && first) this.put(' ');
        else this.writeIndent(mapIndent);
        first = false;
        this.scalar(k, mapIndent, true);
        this.put(':');
        this.node(o[k], mapIndent, 'value');
      }
      return;
    }
    if (ctx !== 'top') this.sep();
    if (v === null || v === undefined) return this.put('null');
    if (typeof v === 'boolean') return this.put(String(v));
    if (typeof v === 'number') return this.put(formatNumber(v));
    this.scalar(String(v), indent, false);
  }

  private sep(): void {
    this.put(' ');
    this.whitespace = true;
  }

  private inlineScalar(text: string, ctx: 'top' | 'value' | 'item'): void {
    if (ctx !== 'top') this.sep();
    this.put(text);
  }

  /** scalar writes a string as go-yaml v2 chooses its style. Keys are simple keys (no folding, no blocks). */
  private scalar(s: string, parentIndent: number, isKey: boolean): void {
    const a = analyze(s);
    let style: Style;
    if (s.includes('\n')) style = 'literal';
    else if (resolvesToNonString(s) || BASE60_FLOAT.test(s)) style = 'double';
    else style = 'plain';
    if (style === 'plain' && (!a.blockPlainAllowed || (s.length === 0 && isKey))) style = 'single';
    if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || isKey)) style = 'double';
    // The scalar's own indent (continuation lines): go-yaml increases the indent for every scalar.
    const indent = isKey ? parentIndent + BEST_INDENT : parentIndent + BEST_INDENT;
    const allowBreaks = !isKey;
    switch (style) {
      case 'plain':
        return this.writePlain(s, indent, allowBreaks);
      case 'single':
        return this.writeSingle(s, indent, allowBreaks);
      case 'double':
        return this.writeDouble(s, indent, allowBreaks);
      case 'literal':
        return this.writeLiteral(s, indent);
    }
  }

  private writePlain(s: string, indent: number, allowBreaks: boolean): void {
    const chars = [...s];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && !isSpace(chars[i + 1])) {
          this.writeIndent(indent);
        } else {
          this.out += c;
          this.column++;
        }
        spaces = true;
      } else {
        this.out += c;
        this.column++;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(s: string, indent: number, allowBreaks: boolean): void {
    this.put("'");
    const chars = [...s];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && !isSpace(chars[i + 1])) {
          this.writeIndent(indent);
        } else {
          this.out += c;
          this.column++;
        }
        spaces = true;
      } else {
        if (c === "'") {
          this.out += "'";
          this.column++;
        }
        this.out += c;
        this.column++;
        spaces = false;
      }
    }
    this.put("'");
  }

  private writeDouble(s: string, indent: number, allowBreaks: boolean): void {
    this.put('"');
    const chars = [...s];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      const code = c.codePointAt(0) ?? 0;
      if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
        const esc = ESCAPES[c];
        let text: string;
        if (esc !== undefined) text = '\\' + esc;
        else if (code <= 0xff) text = '\\x' + code.toString(16).toUpperCase().padStart(2, '0');
        else if (code <= 0xffff) text = '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
        else text = '\\U' + code.toString(16).toUpperCase().padStart(8, '0');
        this.out += text;
        this.column += text.length;
        spaces = false;
      } else if (isSpace(c)) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.writeIndent(indent);
          if (isSpace(chars[i + 1])) {
            this.out += '\\';
            this.column++;
          }
        } else {
          this.out += c;
          this.column++;
        }
        spaces = true;
      } else {
        this.out += c;
        this.column++;
        spaces = false;
      }
    }
    this.put('"');
  }

  private writeLiteral(s: string, indent: number): void {
    let hints = '';
    if (isSpace(s[0]) || isBreak(s[0])) hints += String(BEST_INDENT);
    if (!isBreak(s[s.length - 1])) hints += '-';
    else if (s.length === 1 || isBreak(s[s.length - 2])) hints += '+';
    this.put('|' + hints);
    this.newline();
    let breaks = true;
    for (const c of s) {
      if (isBreak(c)) {
        this.newline();
        breaks = true;
      } else {
        if (breaks) this.writeIndent(indent);
        this.out += c;
        this.column++;
        this.whitespace = false;
        this.indention = false;
        breaks = false;
      }
    }
  }
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\x0b': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\u0085': 'N',
  '\u00a0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

/** formatNumber prints a number as Go's strconv.FormatFloat(f, 'g', -1, 64) for floats, decimal for integers. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '+.inf' : '-.inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  const digits = n.toExponential().split('e')[0]!.replace('.', '').replace('-', '').length;
  if (exp < -4 || exp >= Math.max(digits, 21)) {
    const [m, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const ev = e.replace(/^[-+]/, '');
    return `${m}e${sign}${ev.padStart(2, '0')}`;
  }
  return String(n);
}
