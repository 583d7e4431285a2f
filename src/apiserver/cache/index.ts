/**
 * The apiserver's watch cache (as kube-apiserver's cacher): one storage watch feeding a cache
 * per resource, LIST/GET/WATCH served from it.
 *
 * - WatchCache / ResourceCache: state, history window, watchers indexed by namespace and pod
 *   spec.nodeName (watchcache.ts).
 * - CachedObject: one object at one revision; cache entries share storage's value bytes and
 *   splice the revision in when served (object.ts).
 * - watchFrame: a watch event's JSON line, built once per event for all watchers.
 * - writeJsonList: a LIST body from cached items without re-serializing (list.ts).
 */
export { WatchCache, ResourceCache, watchFrame, type CacheEvent, type CacheWatcher, type Indexer, type WatchEventType } from './watchcache.js';
export type { CachedObject } from './object.js';
export { writeJsonList } from './list.js';
