/**
 * The OpenAPI documents kube-apiserver serves (`/openapi/v2`, `/openapi/v3`), built from the
 * schemas of the built-in types (generated from kubernetes-types, see gen/), plus schema-driven
 * helpers: unknown-field detection for fieldValidation, and the definitions the strategic merge
 * patch reads its merge keys from.
 *
 * Documents are built once per resource table (cached by array identity) and must be treated
 * as read-only; the `*JSON` variants return the serialized bytes, also built once.
 */
import type { GroupVersionKind, KubeObject, ResourceInfo } from '../types.js';
import { openAPIV2Document, openAPIV2ProtobufDocument, openAPIV3Document, openAPIV3IndexDocument } from './documents.js';
import { unknownFieldsOf } from './unknown.js';

export { unknownFieldsForSchema } from './unknown.js';
export { jsonTypeError } from './jsontypes.js';

export { definitionNameForKind, definitions, type Schema } from './definitions.js';
export { groupVersionCamel } from './paths.js';

/** openAPIV2 returns the swagger 2.0 document of all built-in types and the resources' paths. */
export function openAPIV2(resources: readonly ResourceInfo[]): object {
  return openAPIV2Document(resources).doc;
}

/** openAPIV2JSON is openAPIV2 serialized (computed once). */
export function openAPIV2JSON(resources: readonly ResourceInfo[]): string {
  return openAPIV2Document(resources).json;
}

/**
 * openAPIV2Protobuf is the swagger document encoded as gnostic's openapi.v2.Document protobuf
 * (computed once). Serve it when the request accepts
 * `application/com.github.proto-openapi.spec.v2@v1.0+protobuf` (or the older
 * `...spec.v2.v1.0+protobuf`): client-go's OpenAPISchema() only asks for this form, so kubectl's
 * v2 code paths (validation and the fieldValidation check when v3 is missing) need it.
 */
export function openAPIV2Protobuf(resources: readonly ResourceInfo[]): Uint8Array {
  return openAPIV2ProtobufDocument(resources);
}

/**
 * openAPIV3Index returns the `/openapi/v3` discovery document:
 * `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=..."}, ...}}`.
 */
export function openAPIV3Index(resources: readonly ResourceInfo[]): { paths: Record<string, { serverRelativeURL: string }> } {
  return openAPIV3IndexDocument(resources);
}

/**
 * openAPIV3 returns the document for one group-version path such as `api/v1` or
 * `apis/apps/v1` (also `api` and `apis`), or undefined for an unknown path (404).
 */
export function openAPIV3(resources: readonly ResourceInfo[], path: string): object | undefined {
  return openAPIV3Document(resources, path)?.doc;
}

/**
 * openAPIV3JSON is openAPIV3 serialized (computed once), with its content hash: the apiserver
 * can answer a request whose `?hash=` matches with long-lived cache headers, as upstream does.
 */
export function openAPIV3JSON(resources: readonly ResourceInfo[], path: string): { json: string; hash: string } | undefined {
  const d = openAPIV3Document(resources, path);
  return d && { json: d.json, hash: d.hash };
}

/**
 * unknownFields lists the paths of fields in obj that the kind's schema does not know, rendered
 * as upstream's strict decoding errors (`spec.template.spec.containers[0].foo`), for
 * fieldValidation=Strict/Warn. Kinds without a built-in schema (custom resources) report none.
 */
export function unknownFields(gvk: GroupVersionKind, obj: KubeObject): string[] {
  return unknownFieldsOf(gvk, obj);
}

/**
 * strictDecodingError renders unknown-field paths as upstream's runtime.StrictDecodingError:
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`. For
 * fieldValidation=Strict the apiserver wraps it in a 400 BadRequest
 * (`<Kind> in version "<v>" cannot be handled as a <Kind>: <this>`); for Warn each
 * `unknown field "<path>"` becomes one warning header.
 */
export function strictDecodingError(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`;
}

/** unknownFieldMessage is one entry of a strict decoding error: `unknown field "spec.foo"`. */
export function unknownFieldMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}
