/**
 * resource.Quantity as upstream's k8s.io/apimachinery/pkg/api/resource: a fixed-point number
 * written as `<signedNumber><suffix>` (`100m`, `1.5Gi`, `2e3`), parsed, compared, added and
 * printed in upstream's canonical form, never through floating point.
 *
 * The value is held as `mantissa × 10^scale` with a bigint mantissa, so every value upstream can
 * hold (its int64 fast path and its inf.Dec slow path alike) is exact here. Like upstream, a
 * parsed value keeps its format (DecimalSI, BinarySI or DecimalExponent) and, when the input
 * was already canonical, the input string itself.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** Scale names upstream's powers of ten used with scaledValue (resource.Milli and friends). */
export const Scale = { Nano: -9, Micro: -6, Milli: -3, Kilo: 3, Mega: 6, Giga: 9, Tera: 12, Peta: 15, Exa: 18 } as const;

export const QUANTITY_REGEXP = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
/** Upstream's ErrFormatWrong, ErrNumeric and ErrSuffix texts, which the API shows verbatim. */
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_REGEXP}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

/** QuantityParseError is thrown by Quantity.parse; its message is one of upstream's three. */
export class QuantityParseError extends Error {
  override readonly name = 'QuantityParseError';
}

const MAX_INT64 = (1n << 63n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT32 = 2147483647;
/** MAX_EXACT_SCALE_GAP bounds how far apart two addends' scales may be for an exact sum. */
export const MAX_EXACT_SCALE_GAP = 10_000;
const NANO = -9;

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map<number, string>(Object.entries(DECIMAL_SUFFIXES).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = new Map<number, string>(Object.entries(BINARY_SUFFIXES).map(([s, e]) => [e / 10, s]));

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitCount = (n: bigint): number => (n === 0n ? 0 : abs(n).toString().length);

/** divideAwayFromZero divides and rounds any remainder away from zero, as upstream rounds up. */
function divideAwayFromZero(n: bigint, d: bigint): { q: bigint; exact: boolean } {
  const q = n / d;
  if (q * d === n) return { q, exact: true };
  return { q: n < 0n ? q - 1n : q + 1n, exact: false };
}

/** removeFactors strips trailing factors of base while the magnitude stays at least base. */
function removeFactors(value: bigint, base: bigint): { value: bigint; times: number } {
  let v = abs(value);
  let times = 0;
  while (v >= base && v % base === 0n) {
    v /= base;
    times++;
  }
  return { value: value < 0n ? -v : v, times };
}

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** scanQuantity splits the input as upstream's parseQuantityString (leading zeros stripped). */
function scanQuantity(str: string): Scanned {
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  let pos = 0;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < str.length && str[pos] === '0') pos++;
  if (pos >= str.length) return { positive, num: '0', denom: '', suffix: '' };
  let start = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(start, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    start = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(start, pos);
  }
  const suffixStart = pos;
  while (pos < str.length && 'eEinumkKMGTP'.includes(str[pos]!)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < str.length) throw new QuantityParseError(ERR_FORMAT_WRONG);
  return { positive, num, denom, suffix: str.slice(suffixStart) };
}

/** interpretSuffix maps a suffix to its base, exponent and format as upstream's suffixer. */
function interpretSuffix(s: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  const dec = DECIMAL_SUFFIXES[s];
  if (dec !== undefined && Object.hasOwn(DECIMAL_SUFFIXES, s)) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES[s];
  if (bin !== undefined && Object.hasOwn(BINARY_SUFFIXES, s)) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    // An exponent outside int32 (negatable) is rejected rather than wrapped, as upstream.
    if (Math.abs(exponent) <= MAX_INT32) return { base: 10, exponent, format: 'DecimalExponent' };
  }
  throw new QuantityParseError(ERR_SUFFIX);
}

/** PARSED caches Quantity.parse by input string (successes only), up to PARSED_MAX entries. */
const PARSED = new Map<string, Quantity>();
const PARSED_MAX = 4096;

export class Quantity {
  /**
   * @param mantissa the unscaled value; the quantity is mantissa × 10^scale.
   * @param cached the string to print instead of the canonical form (set by parse when the
   *   input was already canonical, exactly where upstream keeps it).
   */
  private constructor(
    private readonly mantissa: bigint,
    private readonly scale: number,
    readonly format: QuantityFormat,
    private readonly cached?: string,
  ) {}

  /**
   * parse reads a quantity string (or a JSON number) as upstream's ParseQuantity, including its
   * rounding of precision below 1n up (away from zero) and its cap of BinarySI values at 2^63-1.
   * Throws a QuantityParseError with upstream's message for malformed input.
   */
  static parse(s: string | number): Quantity {
    if (typeof s !== 'string') return Quantity.parseUncached(s);
    // Quantities are immutable and clusters use few distinct strings ("100m", "128Mi"), which
    // validation, defaulting and admission parse again on every write: remember the results.
    let q = PARSED.get(s);
    if (q === undefined) {
      q = Quantity.parseUncached(s);
      if (PARSED.size >= PARSED_MAX) PARSED.clear();
      PARSED.set(s, q);
    }
    return q;
  }

  private static parseUncached(s: string | number): Quantity {
    const str = typeof s === 'number' ? numberToString(s) : s;
    if (str.length === 0) throw new QuantityParseError(ERR_FORMAT_WRONG);
    if (str === '0') return new Quantity(0n, 0, 'DecimalSI', '0');
    const { positive, num, denom, suffix } = scanQuantity(str);
    const { base, exponent, format: parsedFormat } = interpretSuffix(suffix);
    let format = parsedFormat;

    let mantissa = BigInt(num + denom);
    let scale = -denom.length;
    if (base === 10) scale += exponent;
    else mantissa <<= BigInt(exponent);

    // Round anything finer than 1n up to 1n: who asks for a resource should get some.
    if (mantissa !== 0n && scale < NANO) {
      const shift = NANO - scale;
      mantissa = digitCount(mantissa) <= shift ? 1n : divideAwayFromZero(mantissa, pow10(shift)).q;
      scale = NANO;
    }
    if (format === 'BinarySI') {
      const q = new Quantity(mantissa, scale, format);
      if (q.cmp(MAX_ALLOWED) > 0) {
        mantissa = MAX_INT64;
        scale = 0;
      } else if (mantissa !== 0n && q.cmp(ONE) < 0) {
        format = 'DecimalSI';
      }
    }
    if (!positive) mantissa = -mantissa;
    return new Quantity(mantissa, scale, format, keepsInputString(parsedFormat, exponent, num, denom) ? str : undefined);
  }

  /**
   * fromJSON reads a quantity field of a decoded object as upstream's UnmarshalJSON: a string
   * (surrounding whitespace ignored) or a number. Throws QuantityParseError otherwise.
   */
  static fromJSON(v: unknown): Quantity {
    if (typeof v === 'number') return Quantity.parse(v);
    if (typeof v === 'string') return Quantity.parse(v.trim());
    throw new QuantityParseError(ERR_FORMAT_WRONG);
  }

  /** fromValue is upstream's NewQuantity: an integer value in the given format. */
  static fromValue(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), 0, format);
  }

  /** fromMilli is upstream's NewMilliQuantity: value thousandths in the given format. */
  static fromMilli(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(value), -3, format);
  }

  /** fromScaled is upstream's NewScaledQuantity: value × 10^scale, DecimalSI. */
  static fromScaled(value: number | bigint, scale: number): Quantity {
    return new Quantity(BigInt(value), scale, 'DecimalSI');
  }

  /** milliValue is ceil(q × 1000), rounded away from zero (cpu `100m` → 100, `0.1m` parses as 1m). */
  milliValue(): number {
    return this.scaledValue(Scale.Milli);
  }

  /** value is the value rounded away from zero to an integer (memory `1Ki` → 1024). */
  value(): number {
    return this.scaledValue(0);
  }

  /**
   * scaledValue is upstream's ScaledValue: the value in units of 10^scale, rounded away from
   * zero, saturating at the int64 range. Values past 2^53 lose precision as JS numbers; use
   * scaledValueBig where that matters.
   */
  scaledValue(scale: number): number {
    return Number(this.scaledValueBig(scale));
  }

  /** scaledValueBig is scaledValue as an exact bigint (still saturating at the int64 range). */
  scaledValueBig(scale: number): bigint {
    if (this.mantissa === 0n) return 0n;
    const delta = this.scale - scale;
    if (delta < 0) {
      if (-delta >= digitCount(this.mantissa)) return this.mantissa < 0n ? -1n : 1n;
      return divideAwayFromZero(this.mantissa, pow10(-delta)).q;
    }
    if (delta >= 19) return this.mantissa < 0n ? MIN_INT64 : MAX_INT64;
    const v = this.mantissa * pow10(delta);
    return v > MAX_INT64 ? MAX_INT64 : v < MIN_INT64 ? MIN_INT64 : v;
  }

  /** asApproximateFloat64 is the value as a float, for ratios and display only. */
  asApproximateFloat64(): number {
    return Number(this.mantissa) * 10 ** this.scale;
  }

  sign(): -1 | 0 | 1 {
    return this.mantissa < 0n ? -1 : this.mantissa > 0n ? 1 : 0;
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    const a = this.sign();
    const b = other.sign();
    if (a !== b) return a > b ? 1 : -1;
    if (a === 0) return 0;
    // Settle by magnitude first so huge exponent gaps never expand into huge numbers.
    const ma = digitCount(this.mantissa) + this.scale;
    const mb = digitCount(other.mantissa) + other.scale;
    if (ma !== mb) return (ma > mb ? a : -a) as -1 | 1;
    const [x, y] = Quantity.align(this, other);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  equal(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /**
   * add returns this + other, in this quantity's format unless this is zero (then other's).
   * Exact, except that operands more than MAX_EXACT_SCALE_GAP decimal orders apart (`1e5000` +
   * `1m`) return the larger one: writing that sum out exactly would take unbounded memory.
   */
  add(other: Quantity): Quantity {
    const format = this.mantissa === 0n ? other.format : this.format;
    if (other.mantissa === 0n) return new Quantity(this.mantissa, this.scale, format);
    if (this.mantissa === 0n) return new Quantity(other.mantissa, other.scale, format);
    if (Math.abs(this.scale - other.scale) > MAX_EXACT_SCALE_GAP) {
      const big = this.magnitude() >= other.magnitude() ? this : other;
      return new Quantity(big.mantissa, big.scale, format);
    }
    const [x, y] = Quantity.align(this, other);
    return new Quantity(x + y, Math.min(this.scale, other.scale), format);
  }

  /** sub returns this - other, in this quantity's format unless this is zero (then other's). */
  sub(other: Quantity): Quantity {
    return this.add(other.neg()).withFormat(this.mantissa === 0n ? other.format : this.format);
  }

  /** mul returns this × n (upstream's Mul with an int64). */
  mul(n: number | bigint): Quantity {
    return new Quantity(this.mantissa * BigInt(n), this.scale, this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.mantissa, this.scale, this.format);
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  /** withFormat returns the same value printed in another format. */
  withFormat(format: QuantityFormat): Quantity {
    return new Quantity(this.mantissa, this.scale, format);
  }

  /**
   * toString prints upstream's String(): the parsed input when it was canonical, otherwise the
   * canonical form of CanonicalizeBytes (`1000m` → `1`, `1024Mi` → `1Gi`, `1.5Gi` → `1536Mi`,
   * `0.1` → `100m`, `1e3` stays `1e3`).
   */
  toString(): string {
    return this.cached ?? (this.printed ??= this.canonical());
  }

  /** printed memoizes the canonical form (parsed quantities are shared through the parse cache). */
  private printed: string | undefined;

  /** toJSON serializes as the string form, as upstream's MarshalJSON. */
  toJSON(): string {
    return this.toString();
  }

  /** magnitude is the decimal order of the value's leading digit (digits + scale). */
  private magnitude(): number {
    return digitCount(this.mantissa) + this.scale;
  }

  /** align returns both mantissas at the smaller of the two scales. */
  private static align(a: Quantity, b: Quantity): [bigint, bigint] {
    const s = Math.min(a.scale, b.scale);
    return [a.mantissa * pow10(a.scale - s), b.mantissa * pow10(b.scale - s)];
  }

  private canonical(): string {
    if (this.mantissa === 0n) return '0';
    if (this.format === 'BinarySI') {
      // Values under 1024 in magnitude, and fractions, print as DecimalSI to avoid rounding.
      const small = this.cmp(BINARY_LOW) > 0 && this.cmp(BINARY_HIGH) < 0;
      const integer = this.scale >= 0 || this.mantissa % pow10(-this.scale) === 0n;
      if (!small && integer) {
        const whole = this.scale >= 0 ? this.mantissa * pow10(this.scale) : this.mantissa / pow10(-this.scale);
        const { value, times } = removeFactors(whole, 1024n);
        if (times === 0) return value.toString();
        const suffix = BINARY_BY_POWER.get(times);
        // Past Ei there is no binary suffix: fall back to the exact decimal-exponent form.
        return suffix === undefined ? this.decimalForm('DecimalExponent') : value.toString() + suffix;
      }
      return this.decimalForm('DecimalSI');
    }
    return this.decimalForm(this.format);
  }

  private decimalForm(format: QuantityFormat): string {
    const removed = removeFactors(this.mantissa, 10n);
    let amount = removed.value;
    let exponent = this.scale + removed.times;
    const rem = exponent % 3;
    if (rem === 1 || rem === -2) {
      amount *= 10n;
      exponent -= 1;
    } else if (rem === 2 || rem === -1) {
      amount *= 100n;
      exponent -= 2;
    }
    if (format === 'DecimalSI') {
      const suffix = DECIMAL_BY_EXPONENT.get(exponent);
      // Beyond E and below n there is no SI suffix: fall back to exponent notation.
      if (suffix !== undefined) return amount.toString() + suffix;
    }
    return exponent === 0 ? amount.toString() : `${amount}e${exponent}`;
  }
}

const ONE = Quantity.fromValue(1);
const MAX_ALLOWED = Quantity.fromValue(MAX_INT64);
const BINARY_LOW = Quantity.fromValue(-1024);
const BINARY_HIGH = Quantity.fromValue(1024);

/**
 * keepsInputString reports whether upstream's fast path reuses the input as the printed form:
 * the value fits its int64 fast path and looks canonical already.
 */
function keepsInputString(format: QuantityFormat, exponent: number, num: string, denom: string): boolean {
  const shifted = num + denom;
  if (format === 'BinarySI') {
    if (exponent < 0 || denom.length > 0) return false;
    const precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    if (precision < 0) return false;
    const value = BigInt(shifted);
    if (value << BigInt(exponent) > MAX_INT64) return false;
    return exponent % 10 === 0 && (value & 7n) !== 0n;
  }
  if (18 - shifted.length < 0) return false;
  const scale = exponent - denom.length;
  if (scale < NANO) return false;
  return scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
}

/** numberToString renders a JSON number the way it would appear in JSON text. */
function numberToString(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityParseError(ERR_FORMAT_WRONG);
  // JSON text writes `1e21` where JS writes `1e+21`; both mean the same exponent.
  return String(n).replace('e+', 'e');
}

/** parseQuantity is Quantity.parse as a function (upstream's ParseQuantity). */
export const parseQuantity = (s: string | number): Quantity => Quantity.parse(s);

/** mustParseQuantity is upstream's MustParse: for constants known to be valid. */
export function mustParseQuantity(s: string): Quantity {
  try {
    return Quantity.parse(s);
  } catch (err) {
    throw new Error(`cannot parse '${s}': ${(err as Error).message}`, { cause: err });
  }
}
