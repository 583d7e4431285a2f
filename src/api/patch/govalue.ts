/**
 * goValue renders a decoded JSON value as Go's fmt %v (and %+v) does for a
 * map[string]interface{} and its contents, as upstream's patch errors print patch maps and
 * lists. Numbers are what apimachinery's json.Unmarshal makes of them: whole ones int64, the
 * rest float64.
 */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // fmt sorts map keys; Go compares strings bytewise, as JS does for the BMP.
    return `map[${Object.keys(o).sort().map((k) => `${k}:${goValue(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

/**
 * goFloat prints a number as %v does. Integers were decoded as int64 (plain digits); others are
 * float64, printed as %g with the shortest digits, which switches to an exponent (of at least two
 * digits) below 1e-4 and from 1e6 on.
 */
function goFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 2 ** 63) return BigInt(v).toString();
  const [m, e] = v.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp >= -4 && exp < 6) return String(v);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}
