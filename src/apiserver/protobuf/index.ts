/**
 * Kubernetes protobuf (`application/vnd.kubernetes.protobuf`) for the built-in kinds, driven by
 * the message table generated from kubectl's embedded descriptors
 * (scripts/gen-protobuf-schemas.mjs -> schemas.generated.ts).
 *
 * Public surface: decoding request bodies (the apiserver's create/update/subresource/delete
 * paths) and encoding objects the way client-go does (tests; future protobuf responses).
 */
export { decodeProtobufObject, goDuration, isProtobuf, MAGIC } from './decode.js';
export { encodeProtobufMessage, encodeProtobufObject, parseGoDuration } from './encode.js';
export { messageForKind } from './types.js';
