/**
 * ObjectMeta, label and selector validation as upstream's apimachinery api/validation
 * (objectmeta.go) and apis/meta/v1/validation, plus the core wrapper that checks finalizer names.
 */
import type { LabelSelector, ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { field, type FieldError, type Path } from '../field.js';
import { GoValue, goStringSliceText } from './govalue.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, type NameValidator } from './names.js';

export const fieldImmutableErrorMsg = 'field is immutable';
export const isNegativeErrorMsg = 'must be greater than or equal to 0';

/** str reads a string field defensively (undefined for anything else). */
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** validateLabelName checks one label key; errors point at the map, as upstream. */
export function validateLabelName(name: string, p: Path): FieldError[] {
  return isQualifiedName(name).map((m) => field.invalid(p, name, m));
}

/** validateLabels checks keys and values of a label map (errors point at the map itself). */
export function validateLabels(labels: Record<string, string> | undefined | null, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!labels || typeof labels !== 'object') return errs;
  for (const k in labels) {
    if (!hasOwn(labels, k)) continue;
    const v = labels[k]!;
    for (const m of isQualifiedName(k)) errs.push(field.invalid(p, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(p, v, m));
  }
  return errs;
}

export const totalAnnotationSizeLimitB = 256 * 1024;

/** byteLength is Go's len(string): UTF-8 bytes (counted without encoding the string). */
export const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

/** validateAnnotations checks keys (lower-cased qualified names) and the 256 KiB total. */
export function validateAnnotations(annotations: Record<string, string> | undefined | null, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!annotations || typeof annotations !== 'object') return errs;
  let total = 0;
  for (const k in annotations) {
    if (!hasOwn(annotations, k)) continue;
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(p, k, m));
    total += byteLength(k) + byteLength(String(annotations[k]));
  }
  if (total > totalAnnotationSizeLimitB) errs.push(field.tooLong(p, '', totalAnnotationSizeLimitB));
  return errs;
}

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: an unprefixed finalizer must be one of the standard ones. */
function validateKubeFinalizerName(name: string, p: Path): FieldError[] {
  return !name.includes('/') && !standardFinalizers.has(name) ? [field.invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified')] : [];
}

/** validateFinalizerName: a qualified name, and a standard one when it has no prefix. */
export function validateFinalizerName(name: string, p: Path): FieldError[] {
  return [...isQualifiedName(name).map((m) => field.invalid(p, name, m)), ...validateKubeFinalizerName(name, p)];
}

function validateFinalizers(finalizers: string[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(finalizers)) return errs;
  for (const f of finalizers) errs.push(...isQualifiedName(str(f)).map((m) => field.invalid(p, f, m)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(field.invalid(p, new GoValue(goStringSliceText(finalizers)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // The core wrapper checks each name again, indexed.
  finalizers.forEach((f, i) => errs.push(...validateKubeFinalizerName(str(f), p.index(i))));
  return errs;
}

function goOwnerRefs(refs: OwnerReference[]): GoValue {
  const one = (r: OwnerReference): string =>
    `v1.OwnerReference{APIVersion:${JSON.stringify(r.apiVersion ?? '')}, Kind:${JSON.stringify(r.kind ?? '')}, Name:${JSON.stringify(
      r.name ?? '',
    )}, UID:${JSON.stringify(r.uid ?? '')}, Controller:${r.controller === undefined ? '(*bool)(nil)' : `(*bool)(${r.controller})`}, BlockOwnerDeletion:${
      r.blockOwnerDeletion === undefined ? '(*bool)(nil)' : `(*bool)(${r.blockOwnerDeletion})`
    }}`;
  return new GoValue(`[]v1.OwnerReference{${refs.map(one).join(', ')}}`);
}

function validateOwnerReferences(refs: OwnerReference[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(refs)) return errs;
  let firstController = '';
  for (const r of refs) {
    const apiVersion = str(r.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(field.invalid(p.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (!str(r.kind)) errs.push(field.invalid(p.child('kind'), str(r.kind), 'kind must not be empty'));
    if (!str(r.name)) errs.push(field.invalid(p.child('name'), str(r.name), 'name must not be empty'));
    if (!str(r.uid)) errs.push(field.invalid(p.child('uid'), str(r.uid), 'uid must not be empty'));
    if (r.controller === true) {
      const cur = `${str(r.kind)}/${str(r.name)}`;
      if (firstController) {
        errs.push(field.invalid(p, goOwnerRefs(refs), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`));
      } else firstController = cur;
    }
  }
  return errs;
}

/**
 * validateObjectMeta checks metadata on create as upstream's ValidateObjectMeta: name (or
 * generateName) per the kind's name rule, namespace presence per scope, labels, annotations,
 * ownerReferences and finalizers.
 */
export function validateObjectMeta(meta: ObjectMeta | undefined, requiresNamespace: boolean, nameFn: NameValidator, p: Path): FieldError[] {
  const m = meta ?? {};
  const errs: FieldError[] = [];
  const generateName = str(m.generateName);
  if (generateName) for (const msg of nameFn(generateName, true)) errs.push(field.invalid(p.child('generateName'), generateName, msg));
  const name = str(m.name);
  if (!name) errs.push(field.required(p.child('name'), 'name or generateName is required'));
  else for (const msg of nameFn(name, false)) errs.push(field.invalid(p.child('name'), name, msg));
  const ns = str(m.namespace);
  if (requiresNamespace) {
    if (!ns) errs.push(field.required(p.child('namespace'), ''));
    else for (const msg of nameIsDNSLabel(ns, false)) errs.push(field.invalid(p.child('namespace'), ns, msg));
  } else if (ns) {
    errs.push(field.forbidden(p.child('namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(field.invalid(p.child('generation'), m.generation, isNegativeErrorMsg));
  errs.push(...validateLabels(m.labels, p.child('labels')));
  errs.push(...validateAnnotations(m.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(m.ownerReferences, p.child('ownerReferences')));
  errs.push(...validateFinalizers(m.finalizers, p.child('finalizers')));
  return errs;
}

/** validateImmutableField reports `field is immutable` when the value changed (deep comparison). */
export function validateImmutableField(newVal: unknown, oldVal: unknown, p: Path, shown: unknown = newVal): FieldError[] {
  return deepEqual(newVal, oldVal) ? [] : [field.invalid(p, shown, fieldImmutableErrorMsg)];
}

/**
 * validateObjectMetaUpdate checks metadata on update as upstream's ValidateObjectMetaUpdate:
 * identity and timestamps are immutable, and a deleting object may not gain finalizers.
 */
export function validateObjectMetaUpdate(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, p: Path): FieldError[] {
  const n = meta ?? {};
  const o = old ?? {};
  const errs: FieldError[] = [];
  if (o.deletionTimestamp) {
    const before = new Set(o.finalizers ?? []);
    const added = [...new Set((n.finalizers ?? []).filter((f) => !before.has(f)))].sort();
    if (added.length > 0) {
      errs.push(
        field.forbidden(p.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSliceText(added)}`),
      );
    }
  }
  // Upstream also rejects an empty resourceVersion here, but its store has already filled it in
  // for unconditional updates (and answered kinds that forbid them with its own 0x0 error), so
  // the check never shows; here it would only break `kubectl replace` of a manifest without one.
  if ((n.generation ?? 0) < (o.generation ?? 0)) errs.push(field.invalid(p.child('generation'), n.generation ?? 0, 'must not be decremented'));
  errs.push(...validateImmutableField(str(n.name), str(o.name), p.child('name')));
  errs.push(...validateImmutableField(str(n.namespace), str(o.namespace), p.child('namespace')));
  errs.push(...validateImmutableField(str(n.uid), str(o.uid), p.child('uid')));
  // The Go rendering of a time is built only for the error, not on every update.
  if (n.creationTimestamp !== o.creationTimestamp) errs.push(...validateImmutableField(n.creationTimestamp ?? null, o.creationTimestamp ?? null, p.child('creationTimestamp'), new GoValue(goTime(n.creationTimestamp))));
  if (n.deletionTimestamp !== o.deletionTimestamp) errs.push(...validateImmutableField(n.deletionTimestamp ?? null, o.deletionTimestamp ?? null, p.child('deletionTimestamp'), n.deletionTimestamp ? new GoValue(goTime(n.deletionTimestamp)) : null));
  errs.push(
    ...validateImmutableField(n.deletionGracePeriodSeconds ?? null, o.deletionGracePeriodSeconds ?? null, p.child('deletionGracePeriodSeconds')),
  );
  errs.push(...validateLabels(n.labels, p.child('labels')));
  errs.push(...validateAnnotations(n.annotations, p.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, p.child('ownerReferences')));
  // The core wrapper insists on standard or prefixed finalizer names.
  (n.finalizers ?? []).forEach((f, i) => errs.push(...validateKubeFinalizerName(str(f), p.child('finalizers').index(i))));
  return errs;
}

function goTime(t: string | undefined): string {
  if (!t) return '"0001-01-01 00:00:00 +0000 UTC"';
  return JSON.stringify(t.replace('T', ' ').replace(/Z$/, ' +0000 UTC'));
}

/** validateTemplateObjectMeta: metadata of an embedded PVC template (only labels/annotations allowed). */
export function validateTemplateObjectMeta(meta: ObjectMeta | undefined, p: Path): FieldError[] {
  const m = meta ?? {};
  const errs = [...validateAnnotations(m.annotations, p.child('annotations')), ...validateLabels(m.labels, p.child('labels'))];
  for (const k of Object.keys(m)) {
    const v = (m as Record<string, unknown>)[k];
    if (k !== 'labels' && k !== 'annotations' && v !== undefined && v !== null) errs.push(field.forbidden(p.child(k), 'cannot be set'));
  }
  return errs;
}

/** validateLabelSelector checks a metav1.LabelSelector (matchLabels and matchExpressions). */
export function validateLabelSelector(sel: LabelSelector | undefined | null, p: Path, allowInvalidValues = false): FieldError[] {
  const errs: FieldError[] = [];
  if (!sel) return errs;
  errs.push(...validateLabels(sel.matchLabels, p.child('matchLabels')));
  (sel.matchExpressions ?? []).forEach((r, i) => {
    const rp = p.child('matchExpressions').index(i);
    const values = r.values ?? [];
    switch (r.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(field.required(rp.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(rp.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(rp.child('operator'), str(r.operator), 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(str(r.key), rp.child('key')));
    if (!allowInvalidValues) {
      values.forEach((v, vi) => {
        for (const m of isValidLabelValue(str(v))) errs.push(field.invalid(rp.child('values').index(vi), v, m));
      });
    }
  });
  return errs;
}

/** selectorIsEmpty: a selector with neither matchLabels nor matchExpressions. */
export function selectorIsEmpty(sel: LabelSelector | undefined | null): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** selectorMatches evaluates a metav1.LabelSelector against labels (an empty selector matches all). */
export function selectorMatches(sel: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  if (!sel) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const vals = r.values ?? [];
    switch (r.operator) {
      case 'In':
        if (!has || !vals.includes(l[r.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[r.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** deepEqual compares JSON values; a missing field and null are the same (both Go's nil). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (typeof a === 'object') {
    if (Array.isArray(b)) return false;
    // Every update compares whole pods with this: walked in place, without key arrays or sets.
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k in ao) if (hasOwn(ao, k) && !deepEqual(ao[k], hasOwn(bo, k) ? bo[k] : undefined)) return false;
    for (const k in bo) if (hasOwn(bo, k) && !hasOwn(ao, k) && !deepEqual(undefined, bo[k])) return false;
    return true;
  }
  return false;
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
