/** Public surface of the request/object limits (see limits.ts). */
export { MAX_OBJECT_BYTES, MAX_NESTING_DEPTH, objectTooLarge, checkNestingDepth, textNestingDepth, limitObjectSize, serverOptions, type ConnectionLimits } from './limits.js';
