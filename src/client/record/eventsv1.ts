/**
 * events.k8s.io/v1 Events as client-go's tools/events broadcaster records them (kube-scheduler's
 * events; tools/record's core/v1 correlator is events.ts).
 *
 * - Recording never waits: an event is queued (at most 1000; more are dropped, as upstream's
 *   broadcaster with DropIfChannelFull) and written later, several at a time.
 * - Isomorphic events (same type, action, reason, reporting controller and instance, regarding
 *   and related object) coalesce as upstream: the second becomes a series (count 2) written
 *   with a PATCH; later ones only count up in memory. Series are re-written every 30 minutes
 *   and finished (final count written, entry dropped) 6 minutes after their last occurrence;
 *   singletons leave the cache after 6 minutes, or earlier once 8192 events are cached.
 * - A write is retried (up to 12 tries, ~10 s apart) only when the server could not be
 *   reached; a refused event is dropped, as upstream.
 */
import { hostname } from 'node:os';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../../api/errors.js';
import { Fifo } from '../../util/fifo.js';
import { EventNameSuffix } from './name.js';
import { OldestFirst } from '../util/evict.js';
import type { RestClient } from '../rest/index.js';
import { resourcePath } from '../rest/resource.js';
import { DropSpells } from './drops.js';

/** EventsV1Event is the events.k8s.io/v1 Event the scheduler writes. */
export interface EventsV1Event {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  eventTime: string;
  series?: { count: number; lastObservedTime: string };
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  related?: ObjectReference;
  note: string;
  type: string;
}

/** EventsV1Sink writes events (the API by default, see apiEventsV1Sink). */
export interface EventsV1Sink {
  create(e: EventsV1Event): Promise<unknown>;
  /** patch applies a strategic merge patch to the named event. */
  patch(e: EventsV1Event, patch: Record<string, unknown>): Promise<unknown>;
}

const eventsV1 = { group: 'events.k8s.io', version: 'v1', resource: 'events' };

/**
 * apiEventsV1Sink writes through the client to events.k8s.io/v1. The written Event the server
 * answers with is not decoded: the broadcaster never reads it.
 */
export function apiEventsV1Sink(client: RestClient): EventsV1Sink {
  return {
    create: (e) => client.requestDiscard({ method: 'POST', path: resourcePath(eventsV1, e.metadata.namespace), body: e }),
    patch: (e, p) => client.requestDiscard({ method: 'PATCH', path: resourcePath(eventsV1, e.metadata.namespace, e.metadata.name), body: p, contentType: 'application/strategic-merge-patch+json' }),
  };
}

export interface EventsV1BroadcasterOptions {
  sink: EventsV1Sink;
  /** reportingController, e.g. `default-scheduler`; the instance is `<controller>-<hostname>`. */
  reportingController: string;
  /** maxConcurrentWrites bounds writes in flight (upstream: one goroutine per event, bounded by the client). */
  maxConcurrentWrites?: number;
  maxQueued?: number;
  now?: () => number;
  /** retryPauseMs between tries of an unreachable server (default 10 s, jittered ±25%). */
  retryPauseMs?: number;
  onError?: (err: unknown) => void;
}

const MAX_TRIES = 12;
const FINISH_MS = 6 * 60_000;
const REFRESH_MS = 30 * 60_000;
/**
 * MAX_CACHED bounds the isomorphic-event cache. Upstream's map is bounded only by the 6-minute
 * finish, which at a thousand Scheduled events a second would hold ~360,000 events in memory;
 * the oldest entry (a finished singleton, or a series written out first) goes instead.
 */
const MAX_CACHED = 8192;

interface Cached {
  event: EventsV1Event;
  /** observedAt: when the last isomorphic event (or the first) was seen. */
  observedAt: number;
}

/** microTime renders metav1.MicroTime (RFC 3339 with microseconds). */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function refKey(r: ObjectReference | undefined): string {
  if (!r) return '';
  return `${r.kind ?? ''}\x01${r.namespace ?? ''}\x01${r.name ?? ''}\x01${r.uid ?? ''}\x01${r.apiVersion ?? ''}\x01${r.resourceVersion ?? ''}\x01${r.fieldPath ?? ''}`;
}

/**
 * EventsV1Broadcaster is the scheduler's tools/events broadcaster. `eventf` is cheap and
 * synchronous; writes happen on later ticks.
 */
export class EventsV1Broadcaster {
  private readonly sink: EventsV1Sink;
  private readonly controller: string;
  private readonly instance: string;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private readonly retryPauseMs: number;
  private readonly onError: (err: unknown) => void;
  private readonly queue = new Fifo<EventsV1Event>();
  private inFlight = 0;
  private scheduled = false;
  private closed = false;
  private readonly cache = new Map<string, Cached>();
  private readonly oldest = new OldestFirst(this.cache);
  private readonly timers: NodeJS.Timeout[] = [];
  private idle: Array<() => void> = [];
  private readonly sleepers = new Set<() => void>();
  private readonly nameSuffix = new EventNameSuffix();
  private readonly drops: DropSpells;

  constructor(o: EventsV1BroadcasterOptions) {
    this.sink = o.sink;
    this.controller = o.reportingController;
    this.instance = `${o.reportingController}-${hostname()}`;
    this.maxInFlight = Math.max(1, o.maxConcurrentWrites ?? 256);
    this.maxQueued = o.maxQueued ?? 1000;
    this.now = o.now ?? Date.now;
    this.retryPauseMs = o.retryPauseMs ?? 10_000;
    this.onError = o.onError ?? ((e) => console.warn(`events: ${e instanceof Error ? e.message : String(e)}`));
    this.drops = new DropSpells(this.onError);
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      this.timers.push(t);
    };
    every(REFRESH_MS, () => this.refreshSeries());
    every(FINISH_MS, () => this.finishSeries());
  }

  /** dropped counts events lost to a full queue. */
  get dropped(): number {
    return this.drops.dropped;
  }

  /**
   * eventf records an event about `regarding` (and optionally `related`), as upstream's
   * recorder.Eventf: type Normal or Warning, reason UpperCamelCase, action what was done.
   */
  eventf(regarding: ObjectReference, related: ObjectReference | undefined, type: string, reason: string, action: string, note: string): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      this.drops.drop(() => `event queue full (${this.maxQueued} queued), dropping event ${regarding.namespace ?? ''}/${regarding.name ?? ''} ${reason}`);
      return;
    }
    this.drops.room();
    const ms = this.now();
    const e: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `${regarding.name ?? ''}.${this.nameSuffix.next(ms)}`, namespace: regarding.namespace || 'default' },
      eventTime: microTime(ms),
      reportingController: this.controller,
      reportingInstance: this.instance,
      action,
      reason,
      regarding,
      note,
      type,
    };
    if (related) e.related = related;
    this.queue.push(e);
    if (!this.scheduled) {
      this.scheduled = true;
      // writes start after the caller's tick, so recording costs it nothing more
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** flush resolves once every queued event has been written or given up on (tests, shutdown). */
  flush(): Promise<void> {
    if (this.inFlight === 0 && this.queue.length === 0 && !this.scheduled) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  /** shutdown stops recording, the series timers and retries, then waits for writes in flight. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const wake of [...this.sleepers]) wake();
    await this.flush();
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const e = this.queue.shift()!;
      const toWrite = this.coalesce(e);
      if (!toWrite) continue;
      this.inFlight++;
      void this.attempt(toWrite).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
    if (this.inFlight === 0 && this.queue.length === 0 && !this.scheduled) for (const w of this.idle.splice(0)) w();
  }

  /** coalesce returns the event to write, or undefined when an isomorphic series only counts up. */
  private coalesce(e: EventsV1Event): EventsV1Event | undefined {
    const key = `${e.type}\x00${e.action}\x00${e.reason}\x00${e.reportingController}\x00${e.reportingInstance}\x00${refKey(e.regarding)}\x00${refKey(e.related)}`;
    const now = this.now();
    const c = this.cache.get(key);
    if (!c) {
      this.cache.set(key, { event: e, observedAt: now });
      if (this.cache.size > MAX_CACHED) this.evictOldest();
      return e;
    }
    c.observedAt = now;
    if (c.event.series) {
      c.event.series.count++;
      c.event.series.lastObservedTime = microTime(now);
      return undefined;
    }
    c.event.series = { count: 2, lastObservedTime: microTime(now) };
    return { ...c.event, series: { ...c.event.series } };
  }

  /** pause sleeps between tries; shutdown cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        this.sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private async attempt(e: EventsV1Event): Promise<void> {
    for (let tries = 1; ; tries++) {
      if (!(await this.record(e))) return;
      if (tries >= MAX_TRIES) {
        this.onError(new Error(`unable to write event ${e.metadata.name} (retry limit exceeded!)`));
        return;
      }
      if (this.closed) return;
      await this.pause(this.retryPauseMs * (0.75 + Math.random() / 2));
      if (this.closed) return;
    }
  }

  /** record writes one event (a series as a PATCH, re-created when gone); true means retry. */
  private async record(e: EventsV1Event): Promise<boolean> {
    const series = e.series;
    try {
      if (series) {
        try {
          await this.sink.patch(e, { series: { count: series.count, lastObservedTime: series.lastObservedTime } });
          return false;
        } catch (err) {
          if (!isStatusError(err, 'NotFound')) throw err;
        }
      }
      const { resourceVersion: _rv, ...meta } = e.metadata;
      await this.sink.create({ ...e, metadata: meta });
      return false;
    } catch (err) {
      if (isStatusError(err)) {
        // a series whose create raced an earlier write of the same event is retried as a patch
        if (series && err.reason === 'AlreadyExists') return true;
        if (err.reason !== 'AlreadyExists') this.onError(err);
        return false;
      }
      this.onError(err);
      return true;
    }
  }

  private evictOldest(): void {
    this.oldest.trim(MAX_CACHED, (_k, c) => {
      if (c.event.series) this.writeSnapshot(c.event);
    });
  }

  private refreshSeries(): void {
    for (const c of this.cache.values()) {
      if (c.event.series) this.writeSnapshot(c.event);
    }
  }

  private finishSeries(): void {
    const cutoff = this.now() - FINISH_MS;
    for (const [k, c] of this.cache) {
      if (c.observedAt >= cutoff) continue;
      if (c.event.series) this.writeSnapshot(c.event);
      this.cache.delete(k);
    }
  }

  private writeSnapshot(e: EventsV1Event): void {
    if (this.closed) return;
    this.inFlight++;
    void this.attempt({ ...e, series: { ...e.series! } }).finally(() => {
      this.inFlight--;
      this.pump();
    });
  }
}
