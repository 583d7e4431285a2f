/**
 * Label selectors as upstream's k8s.io/apimachinery/pkg/labels: the string syntax
 * (`a=b,c!=d,e in (f,g),!h`) and metav1.LabelSelector, both compiled to a matcher.
 *
 * TEMPORARY STUB: the selectors work replaces these bodies; the signatures are the contract.
 */
import type { LabelSelector as MetaLabelSelector } from 'kubernetes-types/meta/v1.js';

export interface Selector {
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** empty is true for the selector that matches everything. */
  empty(): boolean;
  /** requiresExactMatch returns the value when the selector pins `label=value` (for indexing). */
  requiresExactMatch(label: string): string | undefined;
  toString(): string;
}

/** parseLabelSelector parses the query-string syntax; throws a StatusError BadRequest. */
export function parseLabelSelector(_s: string): Selector {
  return everything;
}

/** selectorFromLabelSelector compiles metav1.LabelSelector (matchLabels + matchExpressions). */
export function selectorFromLabelSelector(_ls: MetaLabelSelector | undefined | null): Selector {
  return everything;
}

const everything: Selector = {
  matches: () => true,
  empty: () => true,
  requiresExactMatch: () => undefined,
  toString: () => '',
};
