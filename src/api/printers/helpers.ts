/**
 * Cell formatting shared by the printers, as the helpers in upstream's
 * pkg/printers/internalversion/printers.go (`<none>`, `+ N more...`, AGE, container layout).
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../duration.js';
import { formatLabelSelector } from '../labels.js';
import { Quantity } from '../quantity.js';
import type { KubeObject } from '../types.js';
import * as d from './descriptions.js';
import type { TableColumnDefinition } from './types.js';

/**
 * typed views an API object as its kubernetes-types shape. Objects reach the printers after
 * decoding, defaulting and validation for their kind; every field is still read as optional.
 */
export function typed<T>(obj: KubeObject): T {
  return obj as unknown as T;
}

/** Cell is what a table cell may hold: strings, integers and booleans, as upstream's. */
export type Cell = string | number | boolean;

/** col builds a column definition; format and priority default to '' and 0. */
export function col(name: string, type: string, description: string, opts: { format?: string; priority?: number } = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const nameColumn = (): TableColumnDefinition => col('Name', 'string', d.objectMetaName, { format: 'name' });
export const ageColumn = (): TableColumnDefinition => col('Age', 'string', d.objectMetaCreationTimestamp);
export const containersColumn = (priority = 1): TableColumnDefinition => col('Containers', 'string', 'Names of each container in the template.', { priority });
export const imagesColumn = (priority = 1): TableColumnDefinition => col('Images', 'string', 'Images referenced by each container in the template.', { priority });

const timeOf = (ts: string | undefined): number | undefined => {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
};

/** since is upstream's translateTimestampSince: `<unknown>` for an unset time. */
export function since(ts: string | undefined, now: Date): string {
  const t = timeOf(ts);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** millis parses an RFC 3339 time; 0 (Go's zero time, for comparisons) when unset. */
export const millis = (ts: string | undefined): number => timeOf(ts) ?? 0;

/** layoutContainerCells joins container names and images with commas. */
export function layoutContainerCells(containers: readonly Container[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

/** formatLabels prints a label map sorted by key (`a=b,c=d`), `<none>` when empty. */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const s = Object.keys(labels ?? {})
    .sort()
    .map((k) => `${k}=${labels![k]}`)
    .join(',');
  return s === '' ? '<none>' : s;
}

export { formatLabelSelector };

/** listWithMore joins a clipped list and counts what was left out; `<unset>` when empty. */
export function listWithMore(list: readonly string[], more: boolean, count: number, max: number): string {
  const s = list.join(',');
  if (more) return `${s} + ${count - max} more...`;
  return s === '' ? '<unset>' : s;
}

/** quantityString prints a quantity canonically; an unset one prints as `0` (Go's zero Quantity). */
export function quantityString(q: string | number | undefined): string {
  if (q === undefined || q === null) return '0';
  try {
    return Quantity.parse(q).toString();
  } catch {
    return String(q);
  }
}

/** intOrString prints an IntOrString as upstream's String(). */
export const intOrString = (v: string | number): string => String(v);

/** printBoolPtr is upstream's: `True`/`False`, `<unset>` for nil. */
export const printBoolPtr = (v: boolean | undefined): string => (v === undefined ? '<unset>' : v ? 'True' : 'False');

/** lowerGroupKind lowercases `Kind.group` (from an apiVersion and kind) as upstream's formatResourceName. */
export function lowerGroupKind(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return (group ? `${kind}.${group}` : kind).toLowerCase();
}

/** accessModes abbreviates PV access modes in upstream's fixed order (RWO, ROX, RWX, RWOP). */
export function accessModes(modes: readonly string[] | undefined): string {
  const has = new Set(modes ?? []);
  const out: string[] = [];
  if (has.has('ReadWriteOnce')) out.push('RWO');
  if (has.has('ReadOnlyMany')) out.push('ROX');
  if (has.has('ReadWriteMany')) out.push('RWX');
  if (has.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** rfc3339 formats a time as Go's Time.UTC().Format(time.RFC3339) (whole seconds). */
export function rfc3339(ts: string | undefined): string {
  const t = timeOf(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
