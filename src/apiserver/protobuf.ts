/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which
 * client-go programs (e2e.test, controllers, kubectl's typed clients) send by default. The
 * implementation lives in ./protobuf/; this module keeps the import path the handlers use.
 */
export { decodeProtobufObject, encodeProtobufObject, isProtobuf } from './protobuf/index.js';
