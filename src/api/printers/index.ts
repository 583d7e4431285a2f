/**
 * Server-side printing (`as=Table`) with upstream's columns for every built-in kind, as
 * kube-apiserver's pkg/printers/internalversion.
 *
 * TEMPORARY STUB: the printers work replaces this body; the signature is the contract.
 */
import type { GroupVersionKind, KubeObject } from '../types.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** priority 0 columns show by default, 1 only with `-o wide`. */
  priority: number;
}

export interface TableRowCells {
  cells: unknown[];
}

/**
 * printTable returns the column definitions and one row of cells per object (the apiserver adds
 * `object` to each row according to includeObject). `now` is injected for AGE columns.
 */
export function printTable(gvk: GroupVersionKind, objs: readonly KubeObject[], now: Date = new Date()): { columnDefinitions: TableColumnDefinition[]; rows: TableRowCells[] } {
  void gvk;
  void now;
  return {
    columnDefinitions: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
      { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
    ],
    rows: objs.map((o) => ({ cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] })),
  };
}
