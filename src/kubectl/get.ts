/** `kubectl get`: server-side Tables for humans, objects for the structured formats, --watch. */
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import { collectionPath, objectPath, type Mapping } from './discovery.js';
import { CmdError, type Factory } from './factory.js';
import { OUTPUT_FLAGS, checkOutputFormat, printObjects, renderTable, sortByPath, tableOptions, tableRows, type Table } from './output.js';
import { buildTargets, type Target } from './resources.js';
import { StatusError } from '../api/errors.js';

export const GET_FLAGS: FlagSpecs = {
  ...OUTPUT_FLAGS,
  'all-namespaces': { type: 'bool', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'field-selector': { type: 'string' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  watch: { type: 'bool', short: 'w' },
  'watch-only': { type: 'bool' },
  'output-watch-events': { type: 'bool' },
  'ignore-not-found': { type: 'bool' },
  'chunk-size': { type: 'int' },
  'server-print': { type: 'bool' },
  raw: { type: 'string' },
  subresource: { type: 'string' },
  kustomize: { type: 'string', short: 'k' },
};

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** notFoundMessage is kubectl's wording when nothing matched. */
export function noResourcesMessage(namespace: string | undefined, allNamespaces: boolean): string {
  return allNamespaces || namespace === undefined ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`;
}

export async function runGet(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const fmt = flags.str('output');
  checkOutputFormat(fmt, undefined, flags);
  if (flags.has('raw')) {
    f.io.out(await f.client().requestText({ method: 'GET', path: flags.str('raw') }));
    return 0;
  }
  const allNamespaces = flags.bool('all-namespaces');
  if (args.length === 0 && flags.list('filename').length === 0) {
    f.io.err('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n');
    throw new CmdError('Required resource not specified.\nUse "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\nSee \'kubectl get -h\' for help and examples');
  }
  const { targets, singleItem } = await buildTargets(f, args, { filenames: flags.list('filename'), recursive: flags.bool('recursive'), allNamespaces, verb: 'get' });
  const query = { labelSelector: flags.str('selector') || undefined, fieldSelector: flags.str('field-selector') || undefined };
  const { namespace } = f.namespace();
  const errors: string[] = [];
  const ignoreNotFound = flags.bool('ignore-not-found');
  const recordErr = (err: unknown): void => {
    if (err instanceof StatusError) {
      if (err.code === 404 && ignoreNotFound) return;
      errors.push(`Error from server (${err.reason}): ${err.message}`);
    } else throw err;
  };
  const distinctKinds = new Set(targets.map((t) => `${t.mapping.group}/${t.mapping.kind}`));
  const withKind = distinctKinds.size > 1 || flags.bool('show-kind');
  const human = fmt === '' || fmt === 'wide';
  const sortBy = flags.str('sort-by');

  if (flags.bool('watch') || flags.bool('watch-only')) return runWatch(f, flags, targets, query, allNamespaces);

  if (human) {
    let printed = 0;
    let first = true;
    let lastKey = '';
    let pending: { rows: string[][] } | undefined;
    const flush = (): void => {
      if (!pending) return;
      const text = renderTable(pending.rows);
      if (!first) f.io.out('\n');
      f.io.out(text);
      first = false;
      pending = undefined;
    };
    for (const t of targets) {
      let table: Table;
      try {
        table = await getTable(f, t, query, sortBy !== '');
      } catch (err) {
        recordErr(err);
        continue;
      }
      if (table.rows.length === 0) continue;
      if (sortBy) table.rows = sortByPath(table.rows, sortBy, (r) => r.object);
      const key = `${t.mapping.group}/${t.mapping.resource}`;
      const opts = tableOptions(flags, allNamespaces && t.mapping.namespaced, withKind ? t.mapping : undefined);
      if (pending && key === lastKey) {
        pending.rows.push(...tableRows(table, { ...opts, noHeaders: true }));
      } else {
        flush();
        pending = { rows: tableRows(table, opts) };
      }
      lastKey = key;
      printed += table.rows.length;
    }
    flush();
    if (printed === 0 && errors.length === 0 && targets.every((t) => t.name === undefined)) {
      const nsTarget = targets.some((t) => t.mapping.namespaced) ? namespace : undefined;
      f.io.err(noResourcesMessage(nsTarget, allNamespaces));
    }
  } else {
    const objs: KubeObject[] = [];
    const mappingByObj = new Map<KubeObject, Mapping>();
    for (const t of targets) {
      try {
        const got = await fetchForPrint(f, t, query);
        for (const o of got) mappingByObj.set(o, t.mapping);
        objs.push(...got);
      } catch (err) {
        recordErr(err);
      }
    }
    const sorted = sortBy ? sortByPath(objs, sortBy, (o) => o) : objs;
    if (!(singleItem && sorted.length === 0)) {
      printObjects(f.io.out, fmt, sorted, singleItem, flags, (o) => mappingByObj.get(o) ?? { group: '', kind: String(o.kind) });
    }
  }
  if (errors.length > 0) {
    for (const e of errors) f.io.err(e + '\n');
    return 1;
  }
  return 0;
}

async function fetchForPrint(f: Factory, t: Target, q: { labelSelector?: string | undefined; fieldSelector?: string | undefined }): Promise<KubeObject[]> {
  const c = f.client();
  const apiVersion = t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version;
  if (t.name !== undefined) return [await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name) })];
  const list = await c.requestJSON<{ items: KubeObject[] }>({ method: 'GET', path: collectionPath(t.mapping, t.namespace), query: { ...q } });
  return list.items.map((i) => ({ ...i, apiVersion, kind: t.mapping.kind }));
}

async function getTable(f: Factory, t: Target, q: { labelSelector?: string | undefined; fieldSelector?: string | undefined }, includeObject: boolean): Promise<Table> {
  const path = t.name !== undefined ? objectPath(t.mapping, t.namespace, t.name) : collectionPath(t.mapping, t.namespace);
  const res = await f.client().requestJSON<Table & { kind?: string }>({
    method: 'GET',
    path,
    accept: TABLE_ACCEPT,
    query: { ...(t.name === undefined ? q : {}), ...(includeObject ? { includeObject: 'Object' } : {}) },
  });
  if (res.kind !== 'Table') throw new CmdError(`server did not return a Table for ${t.mapping.resource}`);
  return res;
}

async function runWatch(f: Factory, flags: Flags, targets: Target[], q: { labelSelector?: string | undefined; fieldSelector?: string | undefined }, allNamespaces: boolean): Promise<number> {
  if (targets.length !== 1) throw new CmdError('you may only specify a single resource type');
  const t = targets[0]!;
  const fmt = flags.str('output');
  const human = fmt === '' || fmt === 'wide';
  const c = f.client();
  const listPath = collectionPath(t.mapping, t.namespace);
  const fieldSelector = t.name !== undefined ? `metadata.name=${t.name}` : q.fieldSelector;
  const opts = tableOptions(flags, allNamespaces && t.mapping.namespaced, undefined);
  let rv: string | undefined;
  let headerPrinted = false;
  let columns: Table['columnDefinitions'] | undefined;
  const widths: string[][] = [];
  const print = (rows: string[][]): void => {
    // kubectl's tabwriter remembers widths across flushes; keep earlier rows to align later ones.
    const base = widths.length;
    widths.push(...rows);
    const text = renderTable(widths).split('\n').slice(base, base + rows.length);
    f.io.out(text.map((l) => l + '\n').join(''));
  };
  if (!flags.bool('watch-only')) {
    const table = await c.requestJSON<Table & { metadata?: { resourceVersion?: string } }>({ method: 'GET', path: listPath, accept: TABLE_ACCEPT, query: { labelSelector: q.labelSelector, fieldSelector } });
    rv = table.metadata?.resourceVersion;
    columns = table.columnDefinitions;
    if (human) {
      print(tableRows(table, opts));
      headerPrinted = true;
    }
  }
  for await (const ev of c.watch<Table>({ path: listPath, accept: TABLE_ACCEPT, query: { labelSelector: q.labelSelector, fieldSelector, resourceVersion: rv } })) {
    if (ev.type === 'ERROR' || ev.type === 'BOOKMARK') continue;
    const table = ev.object as unknown as Table;
    // The server sends columnDefinitions with the first event only (null afterwards).
    if (table.columnDefinitions?.length) columns = table.columnDefinitions;
    else if (columns) table.columnDefinitions = columns;
    if (human) {
      print(tableRows(table, { ...opts, noHeaders: headerPrinted || opts.noHeaders }));
      headerPrinted = true;
    } else {
      printObjects(f.io.out, fmt, [ev.object as unknown as KubeObject], true, flags, () => t.mapping);
    }
  }
  return 0;
}
