/**
 * Field selectors as upstream's k8s.io/apimachinery/pkg/fields plus each kind's field-label
 * conversion (pkg/apis/<group>/<version>/conversion.go) and selectable fields (the registries'
 * GetAttrs / ToSelectableFields).
 *
 * How the apiserver uses this module for list and watch (as kube-apiserver's ListResource):
 *   1. `compileFieldSelector(gvk, query.fieldSelector)` parses the selector and converts every
 *      field label for the kind; a syntax error or a label the kind does not support throws a
 *      400 BadRequest StatusError with upstream's text (`field label not supported: spec.foo`,
 *      or `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`
 *      for kinds without their own conversion).
 *   2. Each candidate object is kept when `selector.matches(selectableFields(gvk, obj))`.
 *   3. `selector.requiresExactMatch('metadata.name')` (or `spec.nodeName` for pods) lets storage
 *      narrow a list to one key or use an index before filtering.
 */
import { badRequest } from './errors.js';
import type { GroupVersionKind, KubeObject } from './types.js';

export interface FieldRequirement {
  field: string;
  /** op is `=` for both `=` and `==` (upstream's hasTerm), `!=` for notHasTerm. */
  op: '=' | '!=';
  value: string;
}

/** FieldSource reads an object's selectable fields one at a time (undefined when it has none). */
export interface FieldSource {
  field(name: string): string | undefined;
}

export interface FieldSelector {
  requirements: readonly FieldRequirement[];
  /** matches compares against a field set; a field missing from it has the value ''. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  /** matchesSource is matches over fields read from `src` (a cache entry keeps no whole set). */
  matchesSource(src: FieldSource): boolean;
  empty(): boolean;
  requiresExactMatch(field: string): string | undefined;
  toString(): string;
}

/** escapeFieldValue escapes `\`, `,` and `=` as upstream's fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => '\\' + c);
}

/** unescapeFieldValue undoes escapeFieldValue; throws upstream's error for a bad escape. */
function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream formats the rune with %v, which prints its code point.
      throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms splits on commas not escaped by a backslash. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** holds tells whether a field's value (a missing field's is '') satisfies a requirement. */
const holds = (r: FieldRequirement, v: string): boolean => (r.op === '=' ? v === r.value : v !== r.value);

class Selector implements FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.requirements.every((r) => holds(r, Object.hasOwn(fields, r.field) ? fields[r.field]! : ''));
  }

  matchesSource(src: FieldSource): boolean {
    return this.requirements.every((r) => holds(r, src.field(r.field) ?? ''));
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.op === '=')?.value;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(',');
  }
}

/** everythingFields is the empty field selector. */
export const everythingFields: FieldSelector = new Selector([]);

/**
 * parseFieldSelector parses the query-string syntax (`a=b,c!=d`, `==` as `=`, values escaped with
 * `\`), terms sorted as upstream sorts them. Throws a 400 BadRequest StatusError with upstream's
 * text (`invalid selector: 'x'; can't understand 'x'`).
 */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const m = /!=|==|=/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const field = part.slice(0, m.index);
    const value = unescapeFieldValue(part.slice(m.index + m[0].length));
    reqs.push({ field, op: m[0] === '!=' ? '!=' : '=', value });
  }
  return new Selector(reqs);
}

// ---- per-kind field labels ----

interface KindFields {
  /** labels the kind's conversion accepts, mapped to the selectable-field name they match. */
  labels: Readonly<Record<string, string>>;
  /** unsupported renders the error for any other label. */
  unsupported: (label: string) => string;
  /** fields returns the kind-specific selectable fields (metadata ones are added for all). */
  fields?: (obj: KubeObject) => Record<string, string>;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;
const identity = (...labels: string[]): Record<string, string> => Object.fromEntries(labels.map((l) => [l, l]));
const META = ['metadata.name', 'metadata.namespace'];

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): string => String(typeof v === 'number' ? v : 0);

function coreEventFields(o: KubeObject, ref: 'involvedObject' | 'regarding', reporting: string, source: 'source' | 'deprecatedSource'): Record<string, string> {
  const r = (k: string): string => str(get(o, ref, k));
  const component = str(get(o, source, 'component'));
  return {
    'involvedObject.kind': r('kind'),
    'involvedObject.namespace': r('namespace'),
    'involvedObject.name': r('name'),
    'involvedObject.uid': r('uid'),
    'involvedObject.apiVersion': r('apiVersion'),
    'involvedObject.resourceVersion': r('resourceVersion'),
    'involvedObject.fieldPath': r('fieldPath'),
    reason: str(o['reason']),
    reportingComponent: reporting,
    // Events from newer clients carry only the reporting controller: select on that instead.
    source: component || reporting,
    type: str(o['type']),
  };
}

const asObj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' ? (v as Obj) : undefined);

/** podFields reads a pod's selectable fields (every pod write indexes them: no generic path walk). */
function podFields(o: KubeObject): Record<string, string> {
  const spec = asObj(o['spec']);
  const status = asObj(o['status']);
  const podIPs = status?.['podIPs'];
  const first = Array.isArray(podIPs) && podIPs.length > 0 ? str(asObj(podIPs[0])?.['ip']) : str(status?.['podIP']);
  return {
    'spec.nodeName': str(spec?.['nodeName']),
    'spec.restartPolicy': str(spec?.['restartPolicy']),
    'spec.schedulerName': str(spec?.['schedulerName']),
    'spec.serviceAccountName': str(spec?.['serviceAccountName']),
    'spec.hostNetwork': String(spec?.['hostNetwork'] === true),
    'status.phase': str(status?.['phase']),
    'status.podIP': first,
    'status.nominatedNodeName': str(status?.['nominatedNodeName']),
  };
}

const KINDS: Readonly<Record<string, KindFields>> = {
  '/Pod': {
    labels: {
      ...identity(...META, 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'),
      // Old v1 clients send spec.host.
      'spec.host': 'spec.nodeName',
    },
    unsupported: notSupported,
    fields: podFields,
  },
  '/Node': {
    labels: identity('metadata.name', 'spec.unschedulable'),
    unsupported: notSupported,
    fields: (o) => ({ 'spec.unschedulable': String(get(o, 'spec', 'unschedulable') === true) }),
  },
  '/ReplicationController': {
    labels: identity(...META, 'status.replicas'),
    unsupported: notSupported,
    fields: (o) => ({ 'status.replicas': int(get(o, 'status', 'replicas')) }),
  },
  '/Event': {
    labels: identity(
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
      ...META,
    ),
    unsupported: notSupported,
    fields: (o) => coreEventFields(o, 'involvedObject', str(o['reportingComponent']), 'source'),
  },
  '/Namespace': {
    labels: identity('status.phase', 'metadata.name'),
    unsupported: notSupported,
    fields: (o) => ({ 'status.phase': str(get(o, 'status', 'phase')) }),
  },
  '/Secret': {
    labels: identity('type', ...META),
    unsupported: notSupported,
    fields: (o) => ({ type: str(o['type']) }),
  },
  '/Service': {
    labels: identity(...META, 'spec.clusterIP', 'spec.type'),
    unsupported: notSupported,
    fields: (o) => ({ 'spec.clusterIP': str(get(o, 'spec', 'clusterIP')), 'spec.type': str(get(o, 'spec', 'type')) }),
  },
  'batch/Job': {
    labels: identity(...META, 'status.successful'),
    unsupported: (label) => `field label ${JSON.stringify(label)} not supported for batchv1.Job`,
    fields: (o) => ({ 'status.successful': int(get(o, 'status', 'succeeded')) }),
  },
  'certificates.k8s.io/CertificateSigningRequest': {
    labels: identity('metadata.name', 'spec.signerName'),
    unsupported: notSupported,
    fields: (o) => ({ 'spec.signerName': str(get(o, 'spec', 'signerName')) }),
  },
  'events.k8s.io/Event': {
    labels: {
      reason: 'reason',
      'regarding.kind': 'involvedObject.kind',
      'regarding.namespace': 'involvedObject.namespace',
      'regarding.name': 'involvedObject.name',
      'regarding.uid': 'involvedObject.uid',
      'regarding.apiVersion': 'involvedObject.apiVersion',
      'regarding.resourceVersion': 'involvedObject.resourceVersion',
      'regarding.fieldPath': 'involvedObject.fieldPath',
      reportingController: 'reportingComponent',
      source: 'source',
      type: 'type',
      ...identity(...META),
    },
    unsupported: notSupported,
    fields: (o) => coreEventFields(o, 'regarding', str(o['reportingController']), 'deprecatedSource'),
  },
};

// ReplicaSet keeps status.replicas among its selectable fields, but apps/v1 registers no label
// conversion, so (as upstream) the default conversion rejects it before it can be used.
const EXTRA_FIELDS: Readonly<Record<string, (o: KubeObject) => Record<string, string>>> = {
  'apps/ReplicaSet': (o) => ({ 'status.replicas': int(get(o, 'status', 'replicas')) }),
};

const DEFAULT_KIND: KindFields = {
  labels: identity(...META),
  unsupported: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const kindKey = (gvk: GroupVersionKind): string => `${gvk.group}/${gvk.kind}`;
const kindFields = (gvk: GroupVersionKind): KindFields => KINDS[kindKey(gvk)] ?? DEFAULT_KIND;

/** supportedFieldLabels lists the field labels a kind accepts in a field selector. */
export function supportedFieldLabels(gvk: GroupVersionKind): string[] {
  return Object.keys(kindFields(gvk).labels);
}

/**
 * convertFieldLabel is the kind's field-label conversion: it returns the selectable-field name
 * the label matches (`spec.host` → `spec.nodeName`, `regarding.name` → `involvedObject.name`),
 * or throws a 400 BadRequest StatusError with upstream's text for an unsupported label.
 */
export function convertFieldLabel(gvk: GroupVersionKind, label: string): string {
  const k = kindFields(gvk);
  const mapped = Object.hasOwn(k.labels, label) ? k.labels[label] : undefined;
  if (mapped === undefined) throw badRequest(k.unsupported(label));
  return mapped;
}

/**
 * compileFieldSelector parses a field selector and converts its labels for the kind, ready to
 * match selectableFields(gvk, obj). Throws a 400 BadRequest StatusError as kube-apiserver does.
 */
export function compileFieldSelector(gvk: GroupVersionKind, s: string): FieldSelector {
  const parsed = parseFieldSelector(s);
  return new Selector(parsed.requirements.map((r) => ({ ...r, field: convertFieldLabel(gvk, r.field) })));
}

/**
 * selectableFields returns the field-selector values of an object of the given kind, keyed by
 * the names compileFieldSelector converts labels to: `metadata.name` for every object,
 * `metadata.namespace` for namespaced ones, plus the kind's own fields (Pod `spec.nodeName`,
 * `status.phase`, ...). Fields absent from the result compare as ''.
 */
export function selectableFields(gvk: GroupVersionKind, obj: KubeObject): Record<string, string> {
  const m = obj.metadata ?? {};
  const out: Record<string, string> = { 'metadata.name': m.name ?? '' };
  if (m.namespace !== undefined) out['metadata.namespace'] = m.namespace;
  const extra = kindFields(gvk).fields ?? EXTRA_FIELDS[kindKey(gvk)];
  if (!extra) return out;
  // Assigned rather than spread: a spread result of this size is a dictionary-mode object.
  const more = extra(obj);
  for (const k of Object.keys(more)) out[k] = more[k]!;
  return out;
}

// ---- custom resources ----

/** CustomResourceFieldSource is what a CRD version declares for field selection. */
export interface CustomResourceFieldSource {
  /** clusterScoped is true for CRDs with `scope: Cluster` (then metadata.namespace is rejected). */
  clusterScoped: boolean;
  /** selectableFields are the version's `selectableFields` (`{jsonPath: '.spec.color'}`). */
  selectableFields?: readonly { jsonPath: string }[];
}

const crFieldName = (jsonPath: string): string => (jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath);

/**
 * compileCustomResourceFieldSelector is compileFieldSelector for a custom resource version, as
 * apiextensions-apiserver's converter: metadata.name, metadata.namespace (namespaced CRDs only)
 * and the declared selectable fields; anything else is a 400 `field label not supported: <label>`.
 */
export function compileCustomResourceFieldSelector(cr: CustomResourceFieldSource, s: string): FieldSelector {
  const declared = new Set((cr.selectableFields ?? []).map((f) => crFieldName(f.jsonPath)));
  const parsed = parseFieldSelector(s);
  for (const r of parsed.requirements) {
    const ok = r.field === 'metadata.name' || (!cr.clusterScoped && r.field === 'metadata.namespace') || declared.has(r.field);
    if (!ok) throw badRequest(notSupported(r.field));
  }
  return parsed;
}

/**
 * customResourceSelectableFields returns a custom resource's field set: metadata fields plus
 * each declared field's value (strings as-is, booleans and integers printed; '' when absent).
 */
export function customResourceSelectableFields(cr: CustomResourceFieldSource, obj: KubeObject): Record<string, string> {
  const m = obj.metadata ?? {};
  const out: Record<string, string> = { 'metadata.name': m.name ?? '' };
  if (!cr.clusterScoped) out['metadata.namespace'] = m.namespace ?? '';
  for (const f of cr.selectableFields ?? []) {
    const name = crFieldName(f.jsonPath);
    const v = get(obj, ...name.split('.'));
    out[name] = typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : '';
  }
  return out;
}
