/** Informer machinery as client-go's tools/cache. */
export {
  ThreadSafeStore,
  DeletedFinalStateUnknown,
  metaNamespaceKeyFunc,
  splitMetaNamespaceKey,
  metaNamespaceIndexFunc,
  newIndexer,
  NAMESPACE_INDEX,
  type Store,
  type Indexer,
  type Indexers,
  type IndexFunc,
  type KeyFunc,
} from './store.js';
export { DeltaFIFO, type Delta, type DeltaType, type DeltaFIFOOptions, type KeyListerGetter } from './delta_fifo.js';
export { Reflector, ExponentialBackoff, isExpired, type ListerWatcher, type ReflectorStore, type ReflectorOptions, type BackoffOptions } from './reflector.js';
export {
  SharedIndexInformer,
  type ResourceEventHandler,
  type ResourceEventHandlerRegistration,
  type SharedIndexInformerOptions,
} from './shared_informer.js';
export { SharedInformerFactory, listWatchFor, dropManagedFields, type TweakListOptions, type InformerFactoryOptions, type ForResourceOptions } from './factory.js';
export { Lister, NamespaceLister } from './lister.js';
