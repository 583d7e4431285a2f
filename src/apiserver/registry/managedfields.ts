/**
 * managedFields bookkeeping for non-apply writes, as upstream's fieldmanager for Update
 * operations: each manager's entry records the fields it set (FieldsV1), with the time and the
 * apiVersion it wrote. Lists are recorded as atomic fields (upstream keys associative lists by
 * their merge keys; kubectl hides managedFields by default).
 */
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';

type FieldSet = { [k: string]: FieldSet };

const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName']);

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * identical is a cheap, strict structural equality (same keys in the same order, same values):
 * true implies equal JSON text. false may still be equal text (NaN, undefined members), which
 * the caller settles with JSON.stringify.
 */
function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!identical(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (let i = 0; i < ak.length; i++) {
    const k = ak[i]!;
    if (k !== bk[i] || !identical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** sameJSON: a and b serialize to the same JSON text. */
function sameJSON(a: unknown, b: unknown): boolean {
  return identical(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * changedFields returns the field set of `obj` that differs from `old` (all fields when old is
 * undefined), leaving out the keys in `skip`.
 */
function changedFields(obj: unknown, old: unknown, top: boolean, status: boolean, skip?: ReadonlySet<string>): FieldSet | undefined {
  if (!isMap(obj)) {
    // Scalars compare directly; only lists need a structural comparison.
    if (obj === old) return undefined;
    if (obj === null || typeof obj !== 'object' || old === null || typeof old !== 'object') return {};
    return sameJSON(obj, old) ? undefined : {};
  }
  const oldMap = isMap(old) ? old : undefined;
  const out: FieldSet = {};
  let any = false;
  for (const k of Object.keys(obj)) {
    if (skip?.has(k)) continue;
    if (top && (k === 'apiVersion' || k === 'kind')) continue;
    if (top && (k === 'status') !== status && k !== 'metadata') continue;
    if (top && k === 'metadata' && status) continue;
    const v = obj[k];
    let sub: FieldSet | undefined;
    if (top && k === 'metadata' && isMap(v)) {
      sub = changedFields(v, oldMap?.metadata, false, false, SKIP_META);
      if (sub && isEmpty(sub)) sub = undefined;
    } else {
      sub = changedFields(v, oldMap?.[k], false, false);
    }
    if (sub) {
      out[`f:${k}`] = sub;
      any = true;
    }
  }
  return any || old === undefined ? out : undefined;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function merge(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? merge(out[k]!, v) : v;
  return out;
}

/**
 * recordManagedFields updates obj.metadata.managedFields for a write by `manager`
 * (operation Update, or Apply for server-side apply) relative to `old`. Returns whether the
 * write sets any field (false: the entries are carried over unchanged).
 */
export function recordManagedFields(obj: KubeObject, old: KubeObject | undefined, manager: string, operation: 'Update' | 'Apply', subresource: string, now: Date): boolean {
  const meta = (obj.metadata ??= {});
  const entries: ManagedFieldsEntry[] = (old?.metadata?.managedFields ?? meta.managedFields ?? []).map((e) => ({ ...e }));
  const changed = changedFields(obj, old, true, subresource === 'status');
  if (!changed || Object.keys(changed).length === 0) {
    meta.managedFields = entries.length ? entries : undefined!;
    if (!entries.length) delete meta.managedFields;
    return false;
  }
  const iso = now.toISOString();
  const time = iso.slice(0, iso.length - 5) + 'Z';
  const i = entries.findIndex((e) => e.manager === manager && e.operation === operation && (e.subresource ?? '') === subresource);
  const entry: ManagedFieldsEntry = { manager, operation, apiVersion: obj.apiVersion ?? '', time, fieldsType: 'FieldsV1', fieldsV1: changed };
  if (subresource) entry.subresource = subresource;
  if (i >= 0) {
    entry.fieldsV1 = merge((entries[i]!.fieldsV1 ?? {}) as FieldSet, changed);
    entries[i] = entry;
  } else entries.push(entry);
  meta.managedFields = entries;
  return true;
}
