/**
 * Listers read an informer's cache (upstream: the generated listers): list by label selector,
 * per namespace through the namespace index, get by name. Returned objects are the cached
 * ones: never mutate them (copy with structuredClone first).
 */
import type { ApiObject } from '../object.js';
import type { Selector } from '../../api/labels.js';
import { NAMESPACE_INDEX, type Indexer } from './store.js';

function select<T extends ApiObject>(items: T[], selector: Selector | undefined): T[] {
  if (!selector || selector.empty()) return items;
  return items.filter((o) => selector.matches(o.metadata?.labels));
}

/** NamespaceLister reads one namespace of a Lister's cache. */
export class NamespaceLister<T extends ApiObject> {
  constructor(
    private readonly indexer: Indexer<T>,
    readonly namespace: string,
  ) {}

  /** list returns the namespace's objects matching selector (all when omitted). */
  list(selector?: Selector): T[] {
    return select(this.indexer.byIndex(NAMESPACE_INDEX, this.namespace), selector);
  }

  /** get returns the named object, or undefined if the cache has none. */
  get(name: string): T | undefined {
    return this.indexer.getByKey(`${this.namespace}/${name}`);
  }
}

/** Lister reads an informer's cache across namespaces, or one via namespace(). */
export class Lister<T extends ApiObject> {
  constructor(readonly indexer: Indexer<T>) {}

  /** list returns every cached object matching selector, across namespaces. */
  list(selector?: Selector): T[] {
    return select(this.indexer.list(), selector);
  }

  /** get returns a cluster-scoped object by name, or undefined. */
  get(name: string): T | undefined {
    return this.indexer.getByKey(name);
  }

  /** namespace scopes reads to one namespace. */
  namespace(ns: string): NamespaceLister<T> {
    return new NamespaceLister<T>(this.indexer, ns);
  }
}
