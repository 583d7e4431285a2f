/**
 * Server-side printing (`as=Table`) with upstream's columns for every built-in kind, as
 * kube-apiserver's pkg/printers/internalversion: column names, types, formats, swagger
 * descriptions and priorities (1 = shown only with `-o wide`), and the same cell values.
 *
 * Like kube-apiserver, rows always carry the wide cells; kubectl hides priority-1 columns.
 * Kinds upstream has no printer for (Role, ClusterRole, LimitRange, CRDs without printer columns,
 * ...) get the default table: Name and Created At (RFC 3339). Custom resources are printed by
 * printCustomResourceTable from their CRD's additionalPrinterColumns.
 */
import type { GroupVersionKind, KubeObject } from '../types.js';
import * as d from './descriptions.js';
import { col, nameColumn, rfc3339 } from './helpers.js';
import { printerFor } from './registry.js';
import type { TableColumnDefinition, TableRowCells } from './types.js';

export type { TableColumnDefinition, TableRowCells, TableRowCondition } from './types.js';
export { printCustomResourceTable, type CustomResourceColumnDefinition } from './crd.js';
export { JSONPath, JSONPathError } from './jsonpath.js';

const defaultColumns = (): TableColumnDefinition[] => [nameColumn(), col('Created At', 'date', d.objectMetaCreationTimestamp)];

/** hasPrinter reports whether the kind has its own columns (false: the default table). */
export function hasPrinter(gvk: GroupVersionKind): boolean {
  return printerFor(gvk) !== undefined;
}

/** columnDefinitions returns the kind's columns (what an empty list's Table carries). */
export function columnDefinitions(gvk: GroupVersionKind): TableColumnDefinition[] {
  return printerFor(gvk)?.columns() ?? defaultColumns();
}

/**
 * printTable returns the column definitions and one row per object, each with the object it
 * prints (the apiserver renders it into the row according to includeObject). `now` is injected
 * for AGE columns. Rows keep the order of `objs`, except for kinds whose upstream list printer
 * sorts (FlowSchemas, by matching precedence then name).
 */
export function printTable(gvk: GroupVersionKind, objs: readonly KubeObject[], now: Date = new Date()): { columnDefinitions: TableColumnDefinition[]; rows: TableRowCells[] } {
  const printer = printerFor(gvk);
  if (!printer) {
    return {
      columnDefinitions: defaultColumns(),
      rows: objs.map((o) => ({ cells: [o.metadata?.name ?? '', rfc3339(o.metadata?.creationTimestamp)], object: o })),
    };
  }
  const ordered = printer.compare ? [...objs].sort(printer.compare) : objs;
  return {
    columnDefinitions: printer.columns(),
    rows: ordered.map((o) => {
      const row: TableRowCells = { cells: printer.row(o, now, gvk), object: o };
      const conditions = printer.conditions?.(o);
      if (conditions) row.conditions = conditions;
      return row;
    }),
  };
}
