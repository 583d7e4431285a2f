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

/** changedFields returns the field set of `obj` that differs from `old` (all fields when old is undefined). */
function changedFields(obj: unknown, old: unknown, top: boolean, status: boolean): FieldSet | undefined {
  if (!isMap(obj)) {
    // Scalars compare directly; only lists need a structural comparison.
    if (obj === old) return undefined;
    if (obj === null || typeof obj !== 'object' || old === null || typeof old !== 'object') return {};
    return JSON.stringify(obj) === JSON.stringify(old) ? undefined : {};
  }
  const out: FieldSet = {};
  let any = false;
  for (const [k, v] of Object.entries(obj)) {
    if (top && (k === 'apiVersion' || k === 'kind')) continue;
    if (top && (k === 'status') !== status && k !== 'metadata') continue;
    if (top && k === 'metadata' && status) continue;
    let sub: FieldSet | undefined;
    if (top && k === 'metadata' && isMap(v)) {
      const m: Record<string, unknown> = {};
      for (const [mk, mv] of Object.entries(v)) if (!SKIP_META.has(mk)) m[mk] = mv;
      sub = changedFields(m, isMap(old) ? old.metadata : undefined, false, false);
      if (sub && Object.keys(sub).length === 0) sub = undefined;
    } else {
      sub = changedFields(v, isMap(old) ? old[k] : undefined, false, false);
    }
    if (sub) {
      out[`f:${k}`] = sub;
      any = true;
    }
  }
  return any || old === undefined ? out : undefined;
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
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
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
