/**
 * Reflector keeps a store in step with the apiserver, as client-go's: list (paged), replace
 * the store, then watch from the list's resourceVersion with bookmarks; re-establish watches
 * that time out or close; relist when the resourceVersion is gone (410); back off
 * exponentially with jitter on errors.
 */
import type { ApiObject } from '../object.js';
import { StatusError, isStatusError } from '../../api/errors.js';
import { realClock, type Clock, type TimerHandle } from '../util/clock.js';
import type { ListOptions, ObjectList, WatchOptions } from '../rest/resource.js';
import type { WatchEvent } from '../rest/watch.js';

/** ListerWatcher is the list and watch a Reflector needs (options carry the signal). */
export interface ListerWatcher<T> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** ReflectorStore is what a Reflector writes to (a DeltaFIFO, or any Store). */
export interface ReflectorStore<T> {
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
  replace(list: T[], resourceVersion: string): void;
  resync(): void;
}

export interface BackoffOptions {
  /** initialMs, maxMs, factor and jitter default to client-go's 800 ms, 30 s, 2 and 1.0. */
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  jitter?: number;
  /** resetAfterMs: a backoff untouched this long starts over (default 2 min). */
  resetAfterMs?: number;
}

export interface ReflectorOptions<T> {
  /** name shows in log lines (`pods`, `v1/Pod`). */
  name?: string;
  listerWatcher: ListerWatcher<T>;
  store: ReflectorStore<T>;
  /** resyncPeriodMs > 0 calls store.resync() that often while watching. */
  resyncPeriodMs?: number;
  /** pageSize for the paged initial list (default 500). */
  pageSize?: number;
  /** minWatchTimeoutSeconds: each watch asks for a timeout in [min, 2*min) (default 300). */
  minWatchTimeoutSeconds?: number;
  backoff?: BackoffOptions;
  clock?: Clock;
  random?: () => number;
  /** onError is told about list/watch failures (default: console.warn). */
  onError?: (err: unknown) => void;
}

/** ExponentialBackoff yields jittered delays that grow by `factor` up to `maxMs`. */
export class ExponentialBackoff {
  private current: number;
  private lastAt = -Infinity;
  private readonly o: Required<BackoffOptions>;

  constructor(
    opts: BackoffOptions = {},
    private readonly clock: Clock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    this.o = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1, resetAfterMs: 120_000, ...opts };
    this.current = this.o.initialMs;
  }

  /** next returns the delay to wait now and grows the following one. */
  next(): number {
    const now = this.clock.now();
    if (now - this.lastAt > this.o.resetAfterMs) this.current = this.o.initialMs;
    this.lastAt = now;
    const base = this.current;
    this.current = Math.min(this.o.maxMs, this.current * this.o.factor);
    return Math.min(this.o.maxMs, base + base * this.o.jitter * this.random());
  }

  reset(): void {
    this.current = this.o.initialMs;
  }
}

/** isExpired reports a 410 Gone / Expired error (the resourceVersion was compacted). */
export function isExpired(err: unknown): boolean {
  return isStatusError(err) && err.code === 410;
}

class RelistNeeded extends Error {}

export class Reflector<T extends ApiObject> {
  private lastRV = '';
  private readonly name: string;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: ExponentialBackoff;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.name = opts.name ?? 'reflector';
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.backoff = new ExponentialBackoff(opts.backoff, this.clock, this.random);
    this.onError = opts.onError ?? ((err) => console.warn(`${this.name}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** lastSyncResourceVersion is the resourceVersion of the last list, event or bookmark seen. */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** run lists and watches until `signal` aborts; it resolves then and never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    let goneInARow = 0;
    while (!signal.aborted) {
      try {
        await this.listAndWatch(signal);
        goneInARow = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof RelistNeeded) {
          // A 410 means "relist now"; only back off if relisting keeps hitting it.
          if (++goneInARow < 3) continue;
        } else {
          goneInARow = 0;
          this.onError(err);
        }
      }
      if (signal.aborted) break;
      try {
        await this.clock.after(this.backoff.next(), signal);
      } catch {
        break;
      }
    }
  }

  private async list(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const lw = this.opts.listerWatcher;
    const limit = this.opts.pageSize ?? 500;
    const items: T[] = [];
    let resourceVersion = '';
    let cont: string | undefined;
    try {
      do {
        const page = await lw.list({ limit, continue: cont, signal });
        if (!cont) resourceVersion = page.metadata.resourceVersion ?? '';
        items.push(...withTypeMeta(page));
        cont = page.metadata.continue || undefined;
      } while (cont);
    } catch (err) {
      if (!(cont && isExpired(err))) throw err;
      // The continue token expired mid-way: fall back to one unpaged list, as client-go's pager.
      const all = await lw.list({ signal });
      return { items: withTypeMeta(all), resourceVersion: all.metadata.resourceVersion ?? '' };
    }
    return { items, resourceVersion };
  }

  /**
   * listAndWatch does one list and then watches until an error. Resolves only when `signal`
   * aborts; throws RelistNeeded on 410 and the error otherwise.
   */
  private async listAndWatch(signal: AbortSignal): Promise<void> {
    const { items, resourceVersion } = await this.list(signal);
    this.opts.store.replace(items, resourceVersion);
    this.lastRV = resourceVersion;
    let resyncTimer: TimerHandle | undefined;
    const period = this.opts.resyncPeriodMs ?? 0;
    const armResync = (): void => {
      resyncTimer = this.clock.setTimeout(() => {
        if (signal.aborted) return;
        this.opts.store.resync();
        armResync();
      }, period);
    };
    if (period > 0) armResync();
    try {
      while (!signal.aborted) {
        const min = this.opts.minWatchTimeoutSeconds ?? 300;
        const timeoutSeconds = Math.floor(min * (1 + this.random()));
        try {
          const started = this.clock.now();
          const n = await this.watchOnce(timeoutSeconds, signal);
          // A watch that ends cleanly (server timeout) is simply re-established, unless it
          // ended at once with nothing in it: then something is wrong, so back off and relist.
          if (n === 0 && this.clock.now() - started < 1000 && !signal.aborted) {
            throw new Error('very short watch: Unexpected watch close - watch lasted less than a second and no items received');
          }
        } catch (err) {
          if (signal.aborted) return;
          if (isExpired(err)) throw new RelistNeeded('resourceVersion expired', { cause: err });
          if (isStatusError(err) && err.code === 429) {
            // The server is overloaded: keep our resourceVersion and retry the watch later.
            await this.clock.after(this.backoff.next(), signal).catch(() => undefined);
            continue;
          }
          throw err;
        }
      }
    } finally {
      if (resyncTimer !== undefined) this.clock.clearTimeout(resyncTimer);
    }
  }

  /** watchOnce runs one watch to its end and returns how many events it carried. */
  private async watchOnce(timeoutSeconds: number, signal: AbortSignal): Promise<number> {
    let n = 0;
    const store = this.opts.store;
    const events = this.opts.listerWatcher.watch({
      resourceVersion: this.lastRV,
      allowWatchBookmarks: true,
      timeoutSeconds,
      signal,
    });
    for await (const ev of events) {
      n++;
      if (ev.type === 'ERROR') {
        const s = ev.object;
        throw new StatusError({
          ...s,
          code: s.code ?? 500,
          reason: (s.reason ?? 'InternalError') as StatusError['reason'],
          message: s.message ?? 'watch error',
        });
      }
      const obj = ev.object;
      const rv = obj.metadata?.resourceVersion;
      switch (ev.type) {
        case 'ADDED':
          store.add(obj);
          break;
        case 'MODIFIED':
          store.update(obj);
          break;
        case 'DELETED':
          store.delete(obj);
          break;
        case 'BOOKMARK':
          break;
      }
      if (rv) this.lastRV = rv;
    }
    return n;
  }
}

/** withTypeMeta fills kind/apiVersion of list items (the API omits them) from the list's. */
function withTypeMeta<T extends ApiObject>(list: ObjectList<T>): T[] {
  const kind = list.kind?.endsWith('List') ? list.kind.slice(0, -4) : undefined;
  for (const item of list.items) {
    if (kind && !item.kind) item.kind = kind;
    if (list.apiVersion && !item.apiVersion) item.apiVersion = list.apiVersion;
  }
  return list.items;
}
