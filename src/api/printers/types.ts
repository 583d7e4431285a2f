/** Table shapes as upstream's metav1.Table (column definitions and rows). */
import type { KubeObject } from '../types.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  /** priority 0 columns show by default, 1 only with `-o wide`. */
  priority: number;
}

/** TableRowCondition is upstream's metav1.TableRowCondition (pods mark finished rows `Completed`). */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRowCells {
  cells: unknown[];
  conditions?: TableRowCondition[];
  /**
   * object is the object the row prints. A few kinds order their rows as upstream's list printers
   * do (FlowSchemas by matching precedence), so callers pair rows with objects through it, not by
   * position.
   */
  object?: KubeObject;
}
