/**
 * src/server: `k8ts server` assembled from the components (k3s server), and the pieces
 * `k8ts agent` shares with it.
 *
 * - `startServer(opts)`: datastore, apiserver, controller-manager, scheduler and a local node in
 *   one process (scheduler and controller-manager each in a worker thread of its own unless
 *   `componentThreads: 'main'`); resolves once the node is Ready; `close()` stops everything.
 * - join tokens (`parseToken`, `caHash`): reading k3s's `K10<ca hash>::server:<secret>`.
 * - `acquireDirLock`: the data-dir lock; `waitForNodeReady`, `stopAllPods`.
 */
export { startServer, ServerStartError, DISABLEABLE, DEFAULT_COMPONENT_THREADS, type ServerOptions, type RunningServer, type ProgressEvent } from './server.js';
export { parseToken, caHash, type ParsedToken } from './token.js';
export { acquireDirLock, DirLockedError } from './lock.js';
export { waitForNodeReady, stopAllPods, isReady } from './node.js';
