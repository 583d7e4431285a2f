/**
 * Response negotiation and encoding: the Accept header's media types (plain JSON, YAML, and the
 * meta.k8s.io transformations `as=Table` and `as=PartialObjectMetadata(List)`), the Warning
 * header, and writing objects and metav1.Status errors.
 */
import type { ServerResponse } from 'node:http';
import { stringify as yamlStringify } from 'yaml';
import { notAcceptable, type StatusError } from '../api/errors.js';
import { printTable } from '../api/printers/index.js';
import type { GroupVersionKind, KubeObject } from '../api/types.js';

export type Output =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type, ...ps] = part.split(';').map((s) => s.trim());
      const params: Record<string, string> = {};
      for (const p of ps) {
        const eq = p.indexOf('=');
        if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
      }
      return { type: (type ?? '').toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

/**
 * negotiate picks the output for a resource request from its Accept header; 406 when nothing fits.
 * `tables` false is a resource without a Table convertor (upstream's create-only reviews and
 * bindings): as=Table is then skipped like any media type the endpoint cannot produce. `watch`
 * also accepts as=PartialObjectMetadata for a list request, as upstream's watch handler does.
 */
export function negotiate(accept: string | undefined, isList: boolean, tables = true, watch = false): Output {
  if (!accept) return { kind: 'json' };
  for (const m of parseAccept(accept)) {
    // k8ts does not encode protobuf responses yet: a client asking only for protobuf (client-go
    // with ContentType protobuf) gets JSON, which client-go decodes by the response Content-Type.
    const jsonish = m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*' || m.type === 'application/vnd.kubernetes.protobuf';
    if (m.params.as) {
      if (!jsonish || m.params.g !== 'meta.k8s.io' || (m.params.v !== 'v1' && m.params.v !== 'v1beta1')) continue;
      const version = m.params.v;
      if (m.params.as === 'Table') {
        if (tables) return { kind: 'table', version };
        continue;
      }
      // A watch carries single objects: metadata informers ask for PartialObjectMetadata there.
      if (m.params.as === 'PartialObjectMetadata' && (!isList || watch)) return { kind: 'partial', version, list: false };
      if (m.params.as === 'PartialObjectMetadataList' && isList) return { kind: 'partial', version, list: true };
      continue;
    }
    if (jsonish) return { kind: 'json' };
    if (m.type === 'application/yaml') return { kind: 'yaml' };
  }
  throw notAcceptable('only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

/** ResponseWarnings collects `Warning: 299 - "..."` headers for one request. */
export class ResponseWarnings {
  readonly list: string[] = [];
  add(msg: string): void {
    if (!this.list.includes(msg)) this.list.push(msg);
  }
  apply(res: ServerResponse): void {
    if (this.list.length && !res.headersSent) res.setHeader('Warning', this.list.map((w) => `299 - ${JSON.stringify(w)}`));
  }
}

export function writeBytes(res: ServerResponse, code: number, body: Buffer, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
  res.end(body);
}

/** writeObject writes one object (already JSON bytes or a value) in the negotiated encoding. */
export function writeValue(res: ServerResponse, code: number, value: unknown, out: Output = { kind: 'json' }): void {
  if (out.kind === 'yaml') {
    writeBytes(res, code, Buffer.from(yamlStringify(value)), 'application/yaml');
    return;
  }
  writeBytes(res, code, Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)));
}

export function writeStatusError(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  writeBytes(res, err.code, Buffer.from(JSON.stringify(err.status)));
}

/** partialObjectMetadata is the `as=PartialObjectMetadata` form of an object. */
export function partialObjectMetadata(obj: KubeObject, version: string): object {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata ?? {} };
}

/** toTable renders objects as a meta.k8s.io Table with rows' objects per includeObject. */
export function toTable(
  gvk: GroupVersionKind,
  objs: readonly KubeObject[],
  version: string,
  includeObject: string,
  listMeta: Record<string, unknown>,
  now: Date,
): object {
  const { columnDefinitions, rows } = safePrintTable(gvk, objs, now);
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: listMeta,
    columnDefinitions,
    rows: rows.map((row, i) => {
      // Rows carry their object: some kinds order rows as upstream's list printers do.
      const o = row.object ?? objs[i]!;
      const out: Record<string, unknown> = { cells: row.cells };
      if (row.conditions) out.conditions = row.conditions;
      if (includeObject === 'Object') out.object = o;
      else if (includeObject !== 'None') out.object = partialObjectMetadata(o, version);
      return out;
    }),
  };
}

/**
 * safePrintTable falls back to upstream's default columns (Name, Created At) when a kind's
 * printer fails on an unusual object, so `kubectl get` keeps working; the failure is logged.
 */
function safePrintTable(gvk: GroupVersionKind, objs: readonly KubeObject[], now: Date): ReturnType<typeof printTable> {
  try {
    return printTable(gvk, objs, now);
  } catch (err) {
    console.error(`apiserver: printing ${gvk.kind} as a table failed: ${(err as Error).message}`);
    return {
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
        { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.', priority: 0 },
      ],
      rows: objs.map((o) => ({ cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] })),
    };
  }
}
