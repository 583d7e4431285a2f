/**
 * src/client: the TypeScript client-go. Every component talks to the apiserver only through
 * this module:
 *
 * - REST: `new RestClient(loadRestConfig())` (kubeconfig or in-cluster), or with an
 *   `InProcessTransport(server)` inside the apiserver's process; then
 *   `client.resource<Pod>(gvr.pods).namespace('default').list()`. Failures are StatusError.
 * - Caches: `SharedInformerFactory` → `SharedIndexInformer` (handlers, hasSynced) → `Lister`.
 * - Work: `RateLimitingQueue` + `runWorkers`; event handlers only enqueue `namespace/name`.
 * - `LeaderElector` with a `LeaseLock`; `EventBroadcaster.newRecorder()` for Events.
 * - Time is injected through `Clock` (`FakeClock` in tests).
 */
export * from './rest/index.js';
export * from './cache/index.js';
export * from './workqueue/index.js';
export * from './leaderelection/index.js';
export * from './record/index.js';
export { type Clock, type TimerHandle, RealClock, FakeClock, realClock, jitter } from './util/clock.js';
export { TokenBucket } from './util/token_bucket.js';
export { chainTrace, traceLoopDelay } from './util/chaintrace.js';
export { retryOnConflict, retryOnError, DEFAULT_RETRY, DEFAULT_BACKOFF, type RetryBackoff } from './util/retry.js';
export type { ApiObject } from './object.js';
