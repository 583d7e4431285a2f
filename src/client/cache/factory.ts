/**
 * SharedInformerFactory hands out one informer per resource (and namespace/selector) per
 * process, so every controller sharing it shares one list+watch and one cache
 * (upstream: informers.SharedInformerFactory plus the dynamic one).
 */
import type { GroupVersionResource } from '../../api/types.js';
import type { ApiObject } from '../object.js';
import type { Clock } from '../util/clock.js';
import type { RestClient } from '../rest/client.js';
import type { ListOptions, ResourceInterface, WatchOptions } from '../rest/resource.js';
import { Lister } from './lister.js';
import type { ListerWatcher } from './reflector.js';
import { SharedIndexInformer, type SharedIndexInformerOptions } from './shared_informer.js';
import type { Indexers } from './store.js';

/** TweakListOptions adjusts the list and watch options of an informer (selectors). */
export type TweakListOptions = (opts: { labelSelector?: string; fieldSelector?: string }) => void;

/** listWatchFor builds the ListerWatcher of a resource client with fixed selectors. */
export function listWatchFor<T extends ApiObject>(
  resource: ResourceInterface<T>,
  sel: { labelSelector?: string; fieldSelector?: string; tweak?: TweakListOptions; skipManagedFields?: boolean } = {},
): ListerWatcher<T> {
  const apply = <O extends ListOptions | WatchOptions>(o: O): O => {
    const out = { ...o };
    if (sel.labelSelector) out.labelSelector = sel.labelSelector;
    if (sel.fieldSelector) out.fieldSelector = sel.fieldSelector;
    sel.tweak?.(out);
    return out;
  };
  return {
    list: (o) => resource.list(apply(o)),
    watch: (o) => resource.watch(sel.skipManagedFields ? { ...apply(o), skipManagedFields: true } : apply(o)),
  };
}

export interface InformerFactoryOptions {
  /** defaultResyncMs applies to informers that do not set their own (0: no resync). */
  defaultResyncMs?: number;
  /** namespace restricts every informer to one namespace (default: all). */
  namespace?: string;
  /** tweakListOptions applies to every informer of this factory. */
  tweakListOptions?: TweakListOptions;
  clock?: Clock;
  onError?: (err: unknown) => void;
  /**
   * transform is applied to every object of every informer before caching (default: drop
   * metadata.managedFields, which no controller reads and which often doubles object size).
   * Pass `(o) => o` to keep objects whole.
   */
  transform?: <O extends ApiObject>(obj: O) => O;
}

/** dropManagedFields is the factory's default transform. */
export function dropManagedFields<T extends ApiObject>(obj: T): T {
  if (obj.metadata?.managedFields) delete obj.metadata.managedFields;
  return obj;
}

export interface ForResourceOptions<T> {
  /**
   * namespace overrides the factory's namespace for this informer; pass '' for a
   * cluster-scoped resource (nodes) in a factory restricted to one namespace.
   */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resyncPeriodMs?: number;
  /** indexers are added to the (possibly shared) informer; names must not clash. */
  indexers?: Indexers<T>;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<ApiObject>>();
  private readonly running = new Map<string, Promise<void>>();
  private signal: AbortSignal | undefined;

  constructor(
    readonly client: RestClient,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /**
   * forResource returns the shared informer for gvr with the given namespace and selectors,
   * creating it on first use. Informers created after start() run on the next start() call.
   */
  forResource<T extends ApiObject>(gvr: GroupVersionResource, o: ForResourceOptions<T> = {}): SharedIndexInformer<T> {
    const ns = o.namespace ?? this.opts.namespace ?? '';
    const key = [gvr.group, gvr.version, gvr.resource, ns, o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key) as SharedIndexInformer<T> | undefined;
    if (!inf) {
      const rc = this.client.resource<T>(gvr);
      const transform = this.opts.transform ?? dropManagedFields;
      const lw = listWatchFor<T>(ns ? rc.namespace(ns) : rc, {
        labelSelector: o.labelSelector,
        fieldSelector: o.fieldSelector,
        tweak: this.opts.tweakListOptions,
        // the default transform drops them anyway: watch events are decoded without them
        skipManagedFields: transform === dropManagedFields,
      });
      const io: SharedIndexInformerOptions<T> = {
        name: `${gvr.group ? `${gvr.resource}.${gvr.group}` : gvr.resource}${ns ? ` in ${ns}` : ''}`,
        resyncPeriodMs: o.resyncPeriodMs ?? this.opts.defaultResyncMs ?? 0,
        clock: this.opts.clock,
        onError: this.opts.onError,
        indexers: o.indexers,
        transform,
      };
      inf = new SharedIndexInformer<T>(lw, io);
      this.informers.set(key, inf as unknown as SharedIndexInformer<ApiObject>);
      if (this.signal && !this.signal.aborted) this.startOne(key, inf as unknown as SharedIndexInformer<ApiObject>, this.signal);
    } else if (o.indexers) {
      const have = inf.getIndexer().getIndexers();
      const fresh = Object.fromEntries(Object.entries(o.indexers).filter(([n]) => !have[n]));
      inf.addIndexers(fresh);
    }
    return inf;
  }

  /** lister returns a Lister over forResource(gvr, o)'s cache. */
  lister<T extends ApiObject>(gvr: GroupVersionResource, o: ForResourceOptions<T> = {}): Lister<T> {
    return new Lister<T>(this.forResource<T>(gvr, o).getIndexer());
  }

  private startOne(key: string, inf: SharedIndexInformer<ApiObject>, signal: AbortSignal): void {
    if (this.running.has(key)) return;
    this.running.set(key, inf.run(signal));
  }

  /**
   * start runs every informer not yet running until `signal` aborts. Informers requested
   * later from this factory start at once with the same signal.
   */
  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const [key, inf] of this.informers) this.startOne(key, inf, signal);
  }

  /** waitForCacheSync resolves true once every started informer has synced (false if aborted). */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** shutdown resolves once every informer started by start() has stopped (abort its signal first). */
  async shutdown(): Promise<void> {
    await Promise.all(this.running.values());
  }
}
