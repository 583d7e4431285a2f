/**
 * The decode-time rules of values upstream's Go types decode themselves, with the errors they
 * fail a request with (kube-apiserver answers them as 400 `<Kind> in version "<v>" cannot be
 * handled as a <Kind>: <error>`):
 *
 * - resource.Quantity.UnmarshalJSON: the raw JSON text, quotes stripped and trimmed, goes to
 *   ParseQuantity, whose ErrFormatWrong / ErrNumeric / ErrSuffix text is the error.
 * - metav1.Time / MicroTime.UnmarshalJSON: a string parsed by Go's time.Parse with RFC3339
 *   (`2006-01-02T15:04:05Z07:00`) or RFC3339Micro (`2006-01-02T15:04:05.000000Z07:00`),
 *   whose *time.ParseError text is the error.
 * - []byte fields: encoding/base64's StdEncoding.Decode, `illegal base64 data at input byte N`.
 *
 * Each function takes the value JSON.parse produced and returns the error text, or undefined.
 * Go sees the raw JSON text where we see the parsed value; where that differs the functions say
 * which form they assume (the one kubectl and client-go send).
 */
import { ERR_FORMAT_WRONG, ERR_NUMERIC, Quantity, QuantityParseError } from '../quantity.js';

const utf8 = new TextEncoder();

// ---------------------------------------------------------------- resource.Quantity

/**
 * GO_SPACE_EDGES matches what strings.TrimSpace removes from the raw JSON text of a quoted
 * quantity: space and the Unicode spaces a JSON encoder leaves unescaped. Tabs, newlines and
 * other control characters (and U+2028/U+2029, which Go's encoder escapes) arrive as `\t`-style
 * escapes, which TrimSpace does not remove and ParseQuantity refuses.
 */
const GO_SPACE_EDGES = /^[ \u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+|[ \u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+$/g;
/** ESCAPED holds the characters a JSON encoder writes as escapes (a backslash in the raw text). */
const ESCAPED = /[\u0000-\u001f"\\\u2028\u2029]/;

/**
 * quantityDecodeError is resource.Quantity.UnmarshalJSON's error for a decoded JSON value, or
 * undefined when it decodes. A JSON number is valid whenever JSON.parse read it: its raw text
 * always has ParseQuantity's form (`0.5`, `-1e3`). Booleans, objects and arrays reach
 * ParseQuantity as their raw text and fail its format.
 */
export function quantityDecodeError(v: unknown): string | undefined {
  if (v === null || typeof v === 'number') return undefined;
  if (typeof v !== 'string') return ERR_FORMAT_WRONG;
  // Clusters use few distinct quantities ("100m", "128Mi"), checked on every write.
  let answer = QUANTITY_ANSWERS.get(v);
  if (answer === undefined) {
    answer = quantityStringError(v) ?? '';
    if (QUANTITY_ANSWERS.size >= QUANTITY_ANSWERS_MAX) QUANTITY_ANSWERS.clear();
    QUANTITY_ANSWERS.set(v, answer);
  }
  return answer || undefined;
}

/** QUANTITY_ANSWERS caches quantityStringError by input ('' when valid). */
const QUANTITY_ANSWERS = new Map<string, string>();
const QUANTITY_ANSWERS_MAX = 4096;

function quantityStringError(v: string): string | undefined {
  if (ESCAPED.test(v)) return ERR_FORMAT_WRONG;
  const s = v.replace(GO_SPACE_EDGES, '');
  const numeric = missingDigitsError(s);
  if (numeric) return numeric;
  try {
    Quantity.parse(s);
    return undefined;
  } catch (err) {
    if (err instanceof QuantityParseError) return err.message;
    throw err;
  }
}

/**
 * missingDigitsError covers one ParseQuantity outcome the shared parser does not report: when
 * a value has no digit before its suffix (`Pi`, `-.Ei`, `e-10`) and its precision or scale sends
 * it to the inf.Dec path, inf.Dec.SetString finds no digits and ParseQuantity answers ErrNumeric.
 * (On the int64 path such values are 0.) That path is taken for decimal exponents below -9 and
 * for binary suffixes of 2^50 and up (precision 13 - exponent*3/10 below zero).
 */
function missingDigitsError(s: string): string | undefined {
  const m = /^[+-]?\.?(Pi|Ei|[eE]([-+]?[0-9]+))$/.exec(s);
  if (!m) return undefined;
  if (m[2] === undefined) return ERR_NUMERIC;
  const exponent = Number(m[2]);
  return exponent < -9 && exponent >= -(2 ** 31) ? ERR_NUMERIC : undefined;
}

// ---------------------------------------------------------------- metav1.Time / MicroTime

/** TimeLayout is one of the two layouts metav1 parses with. */
export type TimeLayout = 'RFC3339' | 'RFC3339Micro';

const LAYOUT_TEXT: Record<TimeLayout, string> = {
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Micro: '2006-01-02T15:04:05.000000Z07:00',
};

type Std = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'frac6' | 'tz';
/** A layout as time.nextStdChunk splits it: literal prefix, element, the element's layout text. */
interface Chunk {
  prefix: number | undefined;
  std: Std;
  text: string;
}
const ch = (prefix: string, std: Std, text: string): Chunk => ({ prefix: prefix ? prefix.charCodeAt(0) : undefined, std, text });
const DATE_TIME = [ch('', 'year', '2006'), ch('-', 'month', '01'), ch('-', 'day', '02'), ch('T', 'hour', '15'), ch(':', 'minute', '04'), ch(':', 'second', '05')];
const CHUNKS: Record<TimeLayout, Chunk[]> = {
  RFC3339: [...DATE_TIME, ch('', 'tz', 'Z07:00')],
  RFC3339Micro: [...DATE_TIME, ch('', 'frac6', '.000000'), ch('', 'tz', 'Z07:00')],
};

const isDigit = (b: Uint8Array, i: number): boolean => i < b.length && b[i]! >= 0x30 && b[i]! <= 0x39;
const isCommaOrPeriod = (c: number | undefined): boolean => c === 0x2e || c === 0x2c;

/** goQuote is the time package's quote: bytes outside printable ASCII as \xNN, `"` and `\` escaped. */
function goQuote(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? utf8.encode(b) : b;
  let out = '"';
  for (const c of bytes) {
    if (c < 0x20 || c >= 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += (c === 0x22 || c === 0x5c ? '\\' : '') + String.fromCharCode(c);
  }
  return out + '"';
}

/** getnum is time's getnum: one or two digits (two when fixed), or undefined. */
function getnum(b: Uint8Array, at: number, fixed: boolean): [number, number] | undefined {
  if (!isDigit(b, at)) return undefined;
  if (!isDigit(b, at + 1)) return fixed ? undefined : [b[at]! - 0x30, at + 1];
  return [(b[at]! - 0x30) * 10 + (b[at + 1]! - 0x30), at + 2];
}

/** atoi is time's atoi on b[from, to): an optional sign, then digits only. */
function atoi(b: Uint8Array, from: number, to: number): number | undefined {
  let i = from;
  const neg = b[i] === 0x2d;
  if (neg || b[i] === 0x2b) i++;
  let x = 0;
  for (; i < to; i++) {
    if (!isDigit(b, i)) return undefined;
    x = x * 10 + (b[i]! - 0x30);
  }
  return neg ? -x : x;
}

const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * goTimeParseError is the text of the error Go's time.Parse(layout, value) returns, or
 * undefined when value parses. It follows time.parse element by element: a malformed element
 * is `parsing time "<value>" as "<layout>": cannot parse "<rest>" as "<element>"`, a value out
 * of range is `parsing time "<value>": month out of range` (hour, minute, second, fractional
 * second, time zone offset hour/minute, day), and text left over is `: extra text: "<rest>"`.
 */
export function goTimeParseError(layout: TimeLayout, value: string): string | undefined {
  const b = utf8.encode(value);
  const whole = (message: string): string => `parsing time ${goQuote(b)}${message}`;
  const cannot = (at: number, elem: string): string => `parsing time ${goQuote(b)} as ${goQuote(LAYOUT_TEXT[layout])}: cannot parse ${goQuote(b.subarray(at))} as ${goQuote(elem)}`;
  const chunks = CHUNKS[layout];
  let at = 0;
  let year = 0;
  let month = 1;
  let day = 1;
  for (let ci = 0; ci < chunks.length; ci++) {
    const { prefix, std, text } = chunks[ci]!;
    if (prefix !== undefined) {
      if (b[at] !== prefix) return cannot(at, String.fromCharCode(prefix));
      at++;
    }
    const hold = at;
    let bad = false;
    let range = '';
    switch (std) {
      case 'year': {
        if (b.length - at < 4 || !isDigit(b, at)) {
          bad = true;
          break;
        }
        const y = atoi(b, at, at + 4);
        at += 4;
        if (y === undefined) bad = true;
        else year = y;
        break;
      }
      case 'month':
      case 'day':
      case 'minute':
      case 'second':
      case 'hour': {
        const n = getnum(b, at, std !== 'hour');
        if (!n) {
          bad = true;
          break;
        }
        at = n[1];
        if (std === 'month') {
          month = n[0];
          if (month <= 0 || month > 12) range = 'month';
        } else if (std === 'day') day = n[0];
        else if (std === 'hour' && n[0] >= 24) range = 'hour';
        else if (std === 'minute' && n[0] >= 60) range = 'minute';
        else if (std === 'second') {
          if (n[0] >= 60) range = 'second';
          // A fraction the layout does not name is read here, unless the layout names one next.
          else if (isCommaOrPeriod(b[at]) && isDigit(b, at + 1) && chunks[ci + 1]?.std !== 'frac6') {
            at += 2;
            while (isDigit(b, at)) at++;
          }
        }
        break;
      }
      case 'frac6': {
        // parseNanoseconds: a separator, then atoi of exactly six bytes (a sign is allowed).
        if (b.length - at < 7 || !isCommaOrPeriod(b[at])) {
          bad = true;
          break;
        }
        const ns = atoi(b, at + 1, at + 7);
        at += 7;
        if (ns === undefined) bad = true;
        else if (ns < 0) range = 'fractional second';
        break;
      }
      case 'tz': {
        if (b[at] === 0x5a) {
          at++;
          break;
        }
        if (b.length - at < 6 || b[at + 3] !== 0x3a) {
          bad = true;
          break;
        }
        const hr = getnum(b.subarray(at + 1, at + 3), 0, true);
        const mm = hr && getnum(b.subarray(at + 4, at + 6), 0, true);
        if (hr && hr[0] > 24) range = 'time zone offset hour';
        if (mm && mm[0] > 60) range = 'time zone offset minute';
        if (!hr || !mm || (b[at] !== 0x2b && b[at] !== 0x2d)) bad = true;
        at += 6;
        break;
      }
    }
    if (range) return whole(`: ${range} out of range`);
    if (bad) return cannot(hold, text);
  }
  if (at < b.length) return whole(`: extra text: ${goQuote(b.subarray(at))}`);
  const days = month === 2 && isLeap(year) ? 29 : DAYS_IN[month - 1]!;
  if (day < 1 || day > days) return whole(': day out of range');
  return undefined;
}

/**
 * timeDecodeError is metav1.Time's (RFC3339) or MicroTime's (RFC3339Micro) UnmarshalJSON error
 * for a string, or undefined. null is accepted; other JSON types fail the json.Unmarshal into a
 * string before, which the caller reports as a type error.
 */
export function timeDecodeError(layout: TimeLayout, v: string): string | undefined {
  if (isCanonical(layout, v)) return undefined;
  return goTimeParseError(layout, v);
}

/** twoDigits reads v[i..i+1] as a number, or -1. */
function twoDigits(v: string, i: number): number {
  const a = v.charCodeAt(i) - 0x30;
  const b = v.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * isCanonical accepts, without the element walk, the forms clients write (`...T15:04:05Z`,
 * with any fraction for RFC3339 and six digits for RFC3339Micro) when every field is in range.
 */
function isCanonical(layout: TimeLayout, v: string): boolean {
  if (!(layout === 'RFC3339' ? CANONICAL_RFC3339 : CANONICAL_MICRO).test(v)) return false;
  const year = twoDigits(v, 0) * 100 + twoDigits(v, 2);
  const month = twoDigits(v, 5);
  const day = twoDigits(v, 8);
  const days = month === 2 && isLeap(year) ? 29 : DAYS_IN[month - 1];
  return days !== undefined && day >= 1 && day <= days && twoDigits(v, 11) < 24 && twoDigits(v, 14) < 60 && twoDigits(v, 17) < 60;
}
const CANONICAL_RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;
const CANONICAL_MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

// ---------------------------------------------------------------- []byte

const BASE64_CANONICAL = /^[A-Za-z0-9+/]*={0,2}$/;

const isBase64Alphabet = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
const isNewline = (c: number | undefined): boolean => c === 0x0a || c === 0x0d;

/**
 * base64DecodeError is encoding/json's error for a string decoded into a []byte field:
 * base64.StdEncoding.Decode's CorruptInputError, `illegal base64 data at input byte N`, where N
 * is a byte offset into the string's UTF-8 form. Like Go's decoder, \r and \n are skipped
 * anywhere, padding is required (an unfinished group fails at its first byte), and anything
 * after the padding is an error at its offset.
 */
export function base64DecodeError(s: string): string | undefined {
  if (s.length % 4 === 0 && BASE64_CANONICAL.test(s)) return undefined;
  const at = corruptInputOffset(utf8.encode(s));
  return at === undefined ? undefined : `illegal base64 data at input byte ${at}`;
}

/** corruptInputOffset runs Go's decodeQuantum over src, one 4-byte group at a time. */
function corruptInputOffset(src: Uint8Array): number | undefined {
  const n = src.length;
  let si = 0;
  while (si < n) {
    for (let j = 0; j < 4; j++) {
      if (si === n) return j === 0 ? undefined : si - j;
      const c = src[si++]!;
      if (isBase64Alphabet(c)) continue;
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== 0x3d || j < 2) return si - 1;
      // Padding: "==" after two symbols, "=" after three, then only newlines may follow.
      if (j === 2) {
        while (si < n && isNewline(src[si])) si++;
        if (si === n) return n;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < n && isNewline(src[si])) si++;
      return si < n ? si : undefined;
    }
  }
  return undefined;
}
