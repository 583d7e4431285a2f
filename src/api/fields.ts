/**
 * Field selectors as upstream: the syntax (`a=b,c!=d`, `==`), and per kind the fields the
 * apiserver supports (`metadata.name`, `metadata.namespace` for all; `spec.nodeName`,
 * `status.phase`, ... for pods) with their values for an object.
 *
 * TEMPORARY STUB: the selectors work replaces these bodies; the signatures are the contract.
 */
import type { GroupVersionKind, KubeObject } from './types.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  requirements: readonly FieldRequirement[];
  matches(fields: Readonly<Record<string, string>>): boolean;
  empty(): boolean;
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/** parseFieldSelector parses the query-string syntax; throws a StatusError BadRequest. */
export function parseFieldSelector(_s: string): FieldSelector {
  return { requirements: [], matches: () => true, empty: () => true, requiresExactMatch: () => undefined, toString: () => '' };
}

/**
 * selectableFields returns the field-selector values of an object of the given kind, or
 * undefined for an unknown kind. The apiserver rejects a selector naming any other field with
 * upstream's 400 `field label not supported: <field>`.
 */
export function selectableFields(_gvk: GroupVersionKind, obj: KubeObject): Record<string, string> {
  const m = obj.metadata ?? {};
  return { 'metadata.name': m.name ?? '', 'metadata.namespace': m.namespace ?? '' };
}
