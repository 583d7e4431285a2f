/**
 * managedFields bookkeeping for non-apply writes, as upstream's fieldmanager for Update
 * operations: each manager's entry records the fields it set (FieldsV1), with the time and the
 * apiVersion it wrote. Lists are recorded as atomic fields (upstream keys associative lists by
 * their merge keys; kubectl hides managedFields by default).
 */
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import { sameJSONText } from '../../api/patch/index.js';
import type { KubeObject } from '../../api/types.js';

type FieldSet = { [k: string]: FieldSet };

const SKIP_META = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink', 'generateName']);

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
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
    return sameJSONText(obj, old) ? undefined : {};
  }
  const oldMap = isMap(old) ? old : undefined;
  const out: FieldSet = {};
  let any = false;
  for (const k in obj) {
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
      out[fieldKey(k)] = sub;
      any = true;
    }
  }
  return any || old === undefined ? out : undefined;
}

/**
 * fieldKey is FieldsV1's `f:<name>` key. The same few hundred field names recur in every
 * object: each key string is built once, not once per field per write. Bounded like the watch
 * cache's intern table (custom resources bring names of their own).
 */
const fieldKeys = new Map<string, string>();
function fieldKey(name: string): string {
  let key = fieldKeys.get(name);
  if (key === undefined) {
    if (fieldKeys.size >= 1 << 14) fieldKeys.clear();
    fieldKeys.set(name, (key = `f:${name}`));
  }
  return key;
}

function isEmpty(o: object): boolean {
  for (const _ in o) return false;
  return true;
}

function merge(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { ...a };
  for (const k in b) {
    const v = b[k]!;
    out[k] = out[k] ? merge(out[k]!, v) : v;
  }
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
