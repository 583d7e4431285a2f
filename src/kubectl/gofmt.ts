/**
 * Go's fmt for the values kubectl hands to templates (decoded JSON): `%v` of maps, slices,
 * int64 and float64 as Go prints them, and the `printf` verbs templates use (%v %s %d %q %x %X
 * %o %b %f %e %g %t %T %c %%, with flags `-+# 0`, width and precision).
 */

/** GoFloat marks a float64 whose value is integral (JS numbers with a fraction are floats already). */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** A Go value as the template engine sees it; undefined is Go's invalid reflect.Value ("<no value>"). */
export type GoValue = unknown;

export const isFloat = (v: unknown): v is number | GoFloat => v instanceof GoFloat || (typeof v === 'number' && !Number.isInteger(v));
/** isInt: JSON integers (numbers, Go int64) and template constants (bigint, Go int). */
export const isInt = (v: unknown): v is number | bigint => typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
export const numberOf = (v: number | GoFloat): number => (v instanceof GoFloat ? v.value : v);

/** formatFloatG formats as strconv.FormatFloat(f, fmtByte, prec, 64); prec -1 is the shortest representation. */
export function formatFloat(f: number, fmtByte: 'g' | 'e' | 'f', prec: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  let out: string;
  if (fmtByte === 'f') out = prec < 0 ? shortestFixed(a) : a.toFixed(prec);
  else if (fmtByte === 'e') out = goExp(prec < 0 ? a.toExponential() : a.toExponential(prec));
  else {
    // %g: shortest digits; exponent form when exp < -4 || exp >= eprec (6 for the shortest form, as Go).
    const digits = prec < 0 ? a.toExponential() : a.toExponential(Math.max(prec, 1) - 1);
    const exp = a === 0 ? 0 : Number(digits.slice(digits.indexOf('e') + 1));
    const mantDigits = digits.slice(0, digits.indexOf('e')).replace('.', '').length;
    let eprec = prec < 0 ? 6 : Math.max(prec, 1);
    if (prec >= 0 && eprec > mantDigits && mantDigits >= exp + 1) eprec = mantDigits;
    if (prec < 0) eprec = 6;
    if (exp < -4 || exp >= eprec) out = goExp(prec < 0 ? digits : trimZerosExp(digits));
    else out = prec < 0 ? shortestFixed(a) : trimZeros(a.toFixed(Math.max(0, Math.max(prec, 1) - 1 - exp)));
  }
  return (neg ? '-' : '') + out;
}

function shortestFixed(a: number): string {
  const s = String(a);
  if (!s.includes('e')) return s;
  // Expand JS's exponent form into plain digits.
  const [m, e] = s.split('e');
  const exp = Number(e);
  const digits = m!.replace('.', '');
  const point = (m!.indexOf('.') < 0 ? m!.length : m!.indexOf('.')) + exp;
  if (point <= 0) return '0.' + '0'.repeat(-point) + digits;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return digits.slice(0, point) + '.' + digits.slice(point);
}

const trimZeros = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
const trimZerosExp = (s: string): string => {
  const i = s.indexOf('e');
  return trimZeros(s.slice(0, i)) + s.slice(i);
};

/** goExp turns JS's `1.5e+7` into Go's `1.5e+07`. */
const goExp = (s: string): string => s.replace(/e([+-])(\d)$/, 'e$10$2');

/** formatV is fmt's %v (and print's operand formatting) of a decoded-JSON value. */
export function formatV(v: GoValue, plus = false): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return String(v);
  if (v instanceof GoFloat) return formatFloat(v.value, 'g', -1);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v, 'g', -1);
  if (Array.isArray(v)) return '[' + v.map((x) => nested(x, plus)).join(' ') + ']';
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return 'map[' + keys.map((k) => `${k}:${nested(o[k], plus)}`).join(' ') + ']';
  }
  return String(v);
}

// Inside a map or slice a nil interface prints as <nil>.
const nested = (v: unknown, plus: boolean): string => (v === undefined || v === null ? '<nil>' : formatV(v, plus));

/** goTypeName is %T of a value from decoded JSON. */
export function goTypeName(v: GoValue): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (isFloat(v)) return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'int64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** goQuote is strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const code = c.codePointAt(0)!;
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '\x07') out += '\\a';
    else if (c === '\b') out += '\\b';
    else if (c === '\f') out += '\\f';
    else if (c === '\v') out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += c;
  }
  return out + '"';
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number | undefined;
  prec: number | undefined;
}

function pad(s: string, sp: Spec, numeric = false): string {
  if (sp.width === undefined || s.length >= sp.width) return s;
  const n = sp.width - s.length;
  if (sp.minus) return s + ' '.repeat(n);
  if (sp.zero && numeric) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(n) + s.slice(sign.length);
  }
  return ' '.repeat(n) + s;
}

function intText(v: GoValue): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (isInt(v)) return BigInt(v);
  return undefined;
}

function badVerb(verb: string, v: GoValue): string {
  return `%!${verb}(${goTypeName(v)}=${formatV(v)})`;
}

function signed(s: string, n: number | bigint, sp: Spec): string {
  const neg = typeof n === 'bigint' ? n < 0n : n < 0 || Object.is(n, -0);
  if (neg) return s;
  if (sp.plus) return '+' + s;
  if (sp.space) return ' ' + s;
  return s;
}

function formatOne(verb: string, v: GoValue, sp: Spec): string {
  const i = intText(v);
  switch (verb) {
    case 'v':
      if (isFloat(v) || isInt(v)) return formatOne(isFloat(v) ? 'g' : 'd', v, sp);
      return pad(formatV(v, sp.plus), sp);
    case 's':
      if (typeof v === 'string') return pad(sp.prec !== undefined ? [...v].slice(0, sp.prec).join('') : v, sp);
      if (v !== undefined && v !== null && typeof v === 'object') return pad(formatV(v), sp);
      return badVerb(verb, v);
    case 'q':
      if (typeof v === 'string') return pad(sp.sharp && !v.includes('`') ? '`' + v + '`' : goQuote(v), sp);
      if (i !== undefined) return pad(`'${String.fromCodePoint(Number(i))}'`, sp);
      return badVerb(verb, v);
    case 't':
      return typeof v === 'boolean' ? pad(String(v), sp) : badVerb(verb, v);
    case 'T':
      return pad(goTypeName(v), sp);
    case 'c':
      return i !== undefined ? pad(String.fromCodePoint(Number(i)), sp) : badVerb(verb, v);
    case 'd':
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      if (i === undefined) {
        if (typeof v === 'string' && (verb === 'x' || verb === 'X')) {
          const hex = Buffer.from(v).toString('hex');
          return pad(verb === 'X' ? hex.toUpperCase() : hex, sp);
        }
        if (isFloat(v) && (verb === 'x' || verb === 'X' || verb === 'b')) return badVerb(verb, v);
        return badVerb(verb, v);
      }
      const base = verb === 'd' ? 10 : verb === 'o' ? 8 : verb === 'b' ? 2 : 16;
      let s = (i < 0n ? -i : i).toString(base);
      if (verb === 'X') s = s.toUpperCase();
      if (sp.prec !== undefined && s.length < sp.prec) s = '0'.repeat(sp.prec - s.length) + s;
      if (sp.sharp && verb === 'x') s = '0x' + s;
      if (sp.sharp && verb === 'X') s = '0X' + s;
      if (sp.sharp && verb === 'o') s = '0' + s;
      if (i < 0n) s = '-' + s;
      return pad(signed(s, i, sp), sp, sp.prec === undefined);
    }
    case 'f':
    case 'F':
    case 'e':
    case 'g': {
      if (!isFloat(v)) return badVerb(verb, v);
      const f = numberOf(v);
      const kind = verb === 'F' ? 'f' : verb;
      const prec = sp.prec ?? (kind === 'g' ? -1 : 6);
      return pad(signed(formatFloat(f, kind, prec), f, sp), sp, true);
    }
    default:
      return `%!${verb}(${goTypeName(v)}=${formatV(v)})`;
  }
}

/** sprintf is Go's fmt.Sprintf for the verbs above; missing and extra operands print as Go does. */
export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let argi = 0;
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const sp: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: undefined, prec: undefined };
    i++;
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') sp.minus = true;
      else if (f === '+') sp.plus = true;
      else if (f === '#') sp.sharp = true;
      else if (f === ' ') sp.space = true;
      else if (f === '0') sp.zero = !sp.minus;
      else break;
    }
    const num = (): number | undefined => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return isInt(a) ? Number(a) : 0;
      }
      let s = '';
      while (i < format.length && /[0-9]/.test(format[i]!)) s += format[i++];
      return s === '' ? undefined : Number(s);
    };
    sp.width = num();
    if (format[i] === '.') {
      i++;
      sp.prec = num() ?? 0;
    }
    const verb = format[i];
    if (verb === undefined) {
      out += '%!(NOVERB)';
      break;
    }
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(verb, args[argi++], sp);
  }
  if (argi < args.length) {
    out += '%!(EXTRA ' + args.slice(argi).map((a) => `${goTypeName(a)}=${formatV(a)}`).join(', ') + ')';
  }
  return out;
}

/** sprint is fmt.Sprint: spaces between operands when neither is a string. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += a === undefined ? '<nil>' : formatV(a);
  });
  return out;
}
