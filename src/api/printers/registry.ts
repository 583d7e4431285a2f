/** The printer table: one Printer per built-in kind, keyed by `<group>/<Kind>`. */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { clusterPrinters } from './cluster.js';
import { corePrinters } from './core.js';
import { typed, type Cell } from './helpers.js';
import { podColumns, podConditions, printPod } from './pod.js';
import type { TableColumnDefinition, TableRowCondition } from './types.js';
import { workloadPrinters } from './workloads.js';

/**
 * Printer renders one kind: its column definitions, and for an object the cells of every column
 * (wide ones included: the server always prints wide and kubectl hides priority-1 columns).
 */
export interface Printer {
  columns(): TableColumnDefinition[];
  row(obj: KubeObject, now: Date, gvk: GroupVersionKind): Cell[];
  /** conditions marks rows (pods that finished); most kinds have none. */
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
  /**
   * compare orders the rows of a list, for the kinds whose upstream list printer sorts
   * (printFlowSchemaList); without it rows keep the order of the list.
   */
  compare?(a: KubeObject, b: KubeObject): number;
}

const podPrinter: Printer = {
  columns: podColumns,
  row: (o, now) => printPod(typed<Pod>(o), now),
  conditions: (o) => podConditions(typed<Pod>(o)),
};

const printers: Readonly<Record<string, Printer>> = {
  '/Pod': podPrinter,
  ...corePrinters,
  ...workloadPrinters,
  ...clusterPrinters,
};

/** printerFor returns the kind's printer, or undefined when upstream has none (default table). */
export function printerFor(gvk: GroupVersionKind): Printer | undefined {
  const key = `${gvk.group}/${gvk.kind}`;
  return Object.hasOwn(printers, key) ? printers[key] : undefined;
}
