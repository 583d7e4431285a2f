/**
 * Tables for custom resources, as apiextensions-apiserver's tableconvertor: a Name column, then
 * the CRD version's additionalPrinterColumns evaluated by JSONPath (an Age column when none are
 * declared). Cells the path does not find are null (kubectl leaves them blank).
 */
import type { CustomResourceColumnDefinition } from 'kubernetes-types/apiextensions/v1.js';
import { humanDuration } from '../duration.js';
import type { KubeObject } from '../types.js';
import * as d from './descriptions.js';
import { nameColumn } from './helpers.js';
import { JSONPath, textOf } from './jsonpath.js';
import type { TableColumnDefinition, TableRowCells } from './types.js';

export type { CustomResourceColumnDefinition };

const DEFAULT_COLUMNS: CustomResourceColumnDefinition[] = [{ name: 'Age', type: 'date', description: d.objectMetaCreationTimestamp, jsonPath: '.metadata.creationTimestamp' }];

/** cellForJSONValue converts a selected value to the column's type; null when it does not fit. */
function cellForJSONValue(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      if (Number.isNaN(t)) return '<invalid>';
      return humanDuration(now.getTime() - t);
    }
    default:
      return null;
  }
}

/**
 * printCustomResourceTable prints custom resources with their CRD version's printer columns.
 * Throws a JSONPathError for a column whose jsonPath does not parse (the CRD is invalid).
 */
export function printCustomResourceTable(
  columns: readonly CustomResourceColumnDefinition[] | undefined,
  objs: readonly KubeObject[],
  now: Date = new Date(),
): { columnDefinitions: TableColumnDefinition[]; rows: TableRowCells[] } {
  const cols = columns && columns.length > 0 ? columns : DEFAULT_COLUMNS;
  const paths = cols.map((c) => new JSONPath(c.jsonPath));
  const columnDefinitions = [
    nameColumn(),
    ...cols.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  const rows = objs.map((o) => ({
    cells: [
      o.metadata?.name ?? '',
      ...cols.map((c, i) => {
        const found = paths[i]!.find(o);
        if (found.length === 0) return null;
        // String columns print whatever was found (objects as JSON); others must fit the type.
        return c.type === 'string' ? (textOf(found[0]) ?? null) : cellForJSONValue(c.type, found[0], now);
      }),
    ],
  }));
  return { columnDefinitions, rows };
}
