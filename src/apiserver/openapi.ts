/**
 * The apiserver's view of src/api/openapi: the documents for its resource table, each built once
 * and kept as bytes, and the decode-time schema checks.
 */
import * as openapi from '../api/openapi/index.js';
import type { GroupVersionKind, KubeObject, ResourceInfo } from '../api/types.js';

export class OpenAPI {
  private v2: Buffer | undefined;
  private v2pb: Buffer | undefined;
  private v3Index: Buffer | undefined;
  /**
   * v3 holds each group-version document's bytes, keyed by its JSON (the same string every time,
   * so V8 hashes it once) rather than by request path: unknown paths and other spellings of a
   * known one (`api/v1/`) come from clients and must not grow the map.
   */
  private readonly v3 = new Map<string, Buffer>();

  constructor(private readonly resources: readonly ResourceInfo[]) {}

  /** v2 returns the swagger document bytes (built once). */
  swagger(): Buffer {
    return (this.v2 ??= Buffer.from(openapi.openAPIV2JSON(this.resources)));
  }

  /** swaggerProtobuf returns the same document as gnostic protobuf (older kubectl asks for it). */
  swaggerProtobuf(): Buffer {
    if (!this.v2pb) {
      const pb = openapi.openAPIV2Protobuf(this.resources);
      this.v2pb = Buffer.from(pb.buffer, pb.byteOffset, pb.byteLength);
    }
    return this.v2pb;
  }

  index(): Buffer {
    return (this.v3Index ??= Buffer.from(JSON.stringify(openapi.openAPIV3Index(this.resources))));
  }

  /** groupVersion returns the v3 document of `api/v1` or `apis/<g>/<v>`, undefined when unknown. */
  groupVersion(path: string): Buffer | undefined {
    const doc = openapi.openAPIV3JSON(this.resources, path);
    if (!doc) return undefined;
    let b = this.v3.get(doc.json);
    if (!b) this.v3.set(doc.json, (b = Buffer.from(doc.json)));
    return b;
  }

  /** typeError is Go's UnmarshalTypeError text for a value of the wrong JSON type in obj, if any. */
  typeError(gvk: GroupVersionKind, obj: KubeObject): string | undefined {
    return openapi.jsonTypeError(gvk, obj);
  }

  unknownFields(gvk: GroupVersionKind, obj: KubeObject): string[] {
    return openapi.unknownFields(gvk, obj);
  }
}
