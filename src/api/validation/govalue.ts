/**
 * Go `%#v` renderings of bad values. Upstream prints non-scalar bad values with Go syntax
 * (`map[string]string{"app":"x"}`); a GoValue carries that text and prints it through
 * field.ts's Stringer rule, so messages match kube-apiserver's byte for byte.
 */

/** GoValue is a bad value whose printed form is fixed text (Go's fmt.Stringer). */
export class GoValue {
  constructor(private readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

import type { Quantity } from '../quantity.js';

const q = (s: string): string => JSON.stringify(s);

/** goQuantity renders a resource.Quantity bad value as ErrorBody does: through its String method, unquoted. */
export const goQuantity = (qty: Quantity): GoValue => new GoValue(qty.toString());

/** goStringMap renders map[string]string with sorted keys, as fmt does. */
export function goStringMapText(m: Record<string, string> | undefined | null): string {
  if (m === undefined || m === null) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${q(k)}:${q(String(m[k]))}`).join(', ')}}`;
}

export const goStringMap = (m: Record<string, string> | undefined | null): GoValue => new GoValue(goStringMapText(m));

export function goStringSliceText(a: readonly string[] | undefined | null): string {
  if (a === undefined || a === null) return '[]string(nil)';
  return `[]string{${a.map((s) => q(String(s))).join(', ')}}`;
}

export const goStringSlice = (a: readonly string[] | undefined | null): GoValue => new GoValue(goStringSliceText(a));

/** goNamedStringSlice renders a slice of a named string type, e.g. `[]core.IPFamily{"IPv4"}`. */
export function goNamedStringSlice(goType: string, a: readonly string[] | undefined | null): GoValue {
  if (a === undefined || a === null) return new GoValue(`[]${goType}(nil)`);
  return new GoValue(`[]${goType}{${a.map((s) => q(String(s))).join(', ')}}`);
}

interface LabelSelectorLike {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

/**
 * goLabelSelector renders a *metav1.LabelSelector bad value as ErrorBody does: the struct with
 * %#v (`v1.LabelSelector{...}`), or null for a nil selector (e.g. one removed on update), which
 * field.ts prints as ErrorBody does a nil pointer: `"null"`.
 */
export function goLabelSelector(sel: LabelSelectorLike | undefined | null): GoValue | null {
  if (!sel) return null;
  const exprs = sel.matchExpressions;
  const exprText =
    exprs === undefined || exprs === null
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${exprs
          .map((e) => `v1.LabelSelectorRequirement{Key:${q(e.key ?? '')}, Operator:${q(e.operator ?? '')}, Values:${goStringSliceText(e.values)}}`)
          .join(', ')}}`;
  return new GoValue(`v1.LabelSelector{MatchLabels:${goStringMapText(sel.matchLabels)}, MatchExpressions:${exprText}}`);
}
