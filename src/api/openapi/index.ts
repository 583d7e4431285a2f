/**
 * The OpenAPI documents kube-apiserver serves (`/openapi/v2`, `/openapi/v3`), built from the
 * schemas of the built-in types, plus schema-driven helpers (unknown-field detection for
 * fieldValidation).
 *
 * TEMPORARY STUB: the OpenAPI work replaces these bodies; the signatures are the contract.
 */
import type { GroupVersionKind, KubeObject } from '../types.js';

/** openAPIV2 returns the swagger 2.0 document of all built-in types and paths. */
export function openAPIV2(): object {
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths: {}, definitions: {} };
}

/** openAPIV3Index returns the `/openapi/v3` discovery document ({paths: {"api/v1": {serverRelativeURL}}}). */
export function openAPIV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  return { paths: {} };
}

/** openAPIV3 returns the document for one group-version path such as `api/v1` or `apis/apps/v1`. */
export function openAPIV3(_path: string): object | undefined {
  return undefined;
}

/**
 * unknownFields lists the JSON paths of fields in obj that the kind's schema does not know
 * (`.spec.foo`), for fieldValidation=Strict/Warn.
 */
export function unknownFields(_gvk: GroupVersionKind, _obj: KubeObject): string[] {
  return [];
}
