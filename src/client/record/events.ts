/**
 * Events as client-go's tools/record: an EventRecorder builds core/v1 Events for an object;
 * the EventBroadcaster queues them (never blocking the caller; dropping when 1000 are
 * queued), runs them through the correlator (spam filter, aggregation of similar events,
 * de-duplication of identical ones into count++), and writes them to the API: a new event
 * is created, a repeat is PATCHed with the new count, lastTimestamp and message.
 */
import { hostname } from 'node:os';
import type { Event, EventSource, ObjectReference } from 'kubernetes-types/core/v1.js';
import type { ApiObject } from '../object.js';
import { isStatusError } from '../../api/errors.js';
import { Fifo } from '../../util/fifo.js';
import { EventNameSuffix } from './name.js';
import { realClock, type Clock } from '../util/clock.js';
import { OldestFirst } from '../util/evict.js';
import { TokenBucket } from '../util/token_bucket.js';
import type { RestClient } from '../rest/client.js';
import { gvr } from '../rest/gvr.js';
import { resourcePath } from '../rest/resource.js';
import { DropSpells } from './drops.js';
import { sprintf } from './sprintf.js';

export const EVENT_TYPE_NORMAL = 'Normal';
export const EVENT_TYPE_WARNING = 'Warning';

/** EventSink is where the broadcaster writes events (the API by default). */
export interface EventSink {
  create(event: Event): Promise<Event>;
  /** patch applies a strategic merge patch to an existing event. */
  patch(event: Event, patch: Partial<Event>): Promise<Event>;
}

/**
 * apiEventSink writes core/v1 Events through the client, in each event's namespace. It drains
 * each answer without decoding it and answers with the event as sent: the broadcaster reads only
 * the written event's name back (which it chose) and its resourceVersion, which no later write
 * carries (count patches are strategic merge patches by name). Decoding the echoed Event was most
 * of an event write's client cost.
 */
export function apiEventSink(client: RestClient): EventSink {
  return {
    create: async (e) => {
      await client.requestDiscard({ method: 'POST', path: resourcePath(gvr.events, e.metadata.namespace ?? 'default'), body: e });
      return e;
    },
    patch: async (e, p) => {
      await client.requestDiscard({ method: 'PATCH', path: resourcePath(gvr.events, e.metadata.namespace ?? 'default', e.metadata.name ?? ''), body: p, contentType: 'application/strategic-merge-patch+json' });
      return e;
    },
  };
}

export interface EventRecorder {
  /** event records an event about obj; type is Normal or Warning, reason is UpperCamelCase. */
  event(obj: ApiObject | ObjectReference, type: string, reason: string, message: string): void;
  /** eventf is event() with a Go-style format (`%s %v %d %q`). */
  eventf(obj: ApiObject | ObjectReference, type: string, reason: string, messageFmt: string, ...args: unknown[]): void;
  /** annotatedEventf also sets annotations on the Event object. */
  annotatedEventf(
    obj: ApiObject | ObjectReference,
    annotations: Record<string, string>,
    type: string,
    reason: string,
    messageFmt: string,
    ...args: unknown[]
  ): void;
}

export interface EventBroadcasterOptions {
  /** sink receives the events; without one, events only reach watchers. */
  sink?: EventSink;
  clock?: Clock;
  /** maxQueued events waiting to be written; more are dropped (default 1000). */
  maxQueued?: number;
  /** maxTries per event write (default 12) and the pause between tries (default 10 s). */
  maxTries?: number;
  retryPauseMs?: number;
  /** spam filter per source+object: burst (default 25) and refill qps (default 1/300). */
  spamBurst?: number;
  spamQPS?: number;
  /** aggregation window (default 10 min) and the number of distinct messages before aggregating (default 10). */
  aggregateIntervalMs?: number;
  aggregateMaxEvents?: number;
  /**
   * maxConcurrentWrites is how many event writes may be in flight at once (default 1, as
   * tools/record's single writer). Writes of one correlated event (a create and the patches
   * counting it up) stay in order. upstream's events.k8s.io broadcaster, which kube-scheduler
   * uses, writes every event from its own goroutine; a busy component raises this so events
   * are written rather than dropped once 1000 are queued.
   */
  maxConcurrentWrites?: number;
  onError?: (err: unknown) => void;
}

/** getReference builds the ObjectReference of an API object (or returns a reference as given). */
export function getReference(obj: ApiObject | ObjectReference): ObjectReference {
  const o = obj as ApiObject;
  if (!o.metadata) return obj as ObjectReference;
  if (!o.kind) throw new Error(`object ${o.metadata.name ?? ''} has no kind; cannot build an event reference`);
  const ref: ObjectReference = { kind: o.kind, name: o.metadata.name };
  if (o.apiVersion) ref.apiVersion = o.apiVersion;
  if (o.metadata.namespace) ref.namespace = o.metadata.namespace;
  if (o.metadata.uid) ref.uid = o.metadata.uid;
  if (o.metadata.resourceVersion) ref.resourceVersion = o.metadata.resourceVersion;
  return ref;
}

/** toTime renders metav1.Time (RFC 3339, second precision). */
let timeSecond = NaN;
let timeText = '';
function toTime(ms: number): string {
  // Events come in bursts within one second: render each second once.
  const sec = Math.floor(ms / 1000);
  if (sec !== timeSecond) {
    timeSecond = sec;
    timeText = new Date(sec * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }
  return timeText;
}

/** objectKey is the source and involved object of an event, NUL-separated: the spam filter's key and the start of the others. */
function objectKey(e: Event): string {
  const r = e.involvedObject;
  return `${e.source?.component ?? ''}\x00${e.source?.host ?? ''}\x00${r.kind ?? ''}\x00${r.namespace ?? ''}\x00${r.name ?? ''}\x00${r.uid ?? ''}\x00${r.apiVersion ?? ''}`;
}

interface LoggedEvent {
  count: number;
  firstTimestamp: string;
  name: string;
  resourceVersion: string;
  at: number;
}

interface Aggregate {
  messages: Set<string>;
  at: number;
}

type Watcher = (e: Event) => void;

const CACHE_SIZE = 4096;

export class EventBroadcaster {
  private readonly clock: Clock;
  private readonly queue = new Fifo<Event>();
  private running = false;
  private shuttingDown = false;
  private idleWaiters: Array<() => void> = [];
  private readonly watchers = new Set<Watcher>();
  private readonly spam = new Map<string, TokenBucket>();
  private readonly aggregates = new Map<string, Aggregate>();
  private readonly logged = new Map<string, LoggedEvent>();
  private readonly trims = [new OldestFirst(this.logged), new OldestFirst(this.aggregates), new OldestFirst(this.spam)];
  private readonly o: Required<Omit<EventBroadcasterOptions, 'sink' | 'clock' | 'onError'>>;
  private readonly nameSuffix = new EventNameSuffix();
  private readonly drops = new DropSpells((err) => this.error(err));

  constructor(private readonly opts: EventBroadcasterOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.o = {
      maxQueued: 1000,
      maxTries: 12,
      retryPauseMs: 10_000,
      spamBurst: 25,
      spamQPS: 1 / 300,
      aggregateIntervalMs: 600_000,
      aggregateMaxEvents: 10,
      maxConcurrentWrites: 1,
      ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
    } as Required<Omit<EventBroadcasterOptions, 'sink' | 'clock' | 'onError'>>;
  }

  /** newRecorder returns a recorder stamping events with source component and host. */
  newRecorder(source: EventSource): EventRecorder {
    const src: EventSource = { component: source.component ?? '', host: source.host ?? hostname() };
    // args: the format's arguments, or undefined when `message` is the message itself. The
    // message is formatted only for an event that is kept.
    const record = (obj: ApiObject | ObjectReference, annotations: Record<string, string> | undefined, type: string, reason: string, message: string, args: unknown[] | undefined): void => {
      if (type !== EVENT_TYPE_NORMAL && type !== EVENT_TYPE_WARNING) {
        this.error(new Error(`unsupported event type: '${type}'`));
        return;
      }
      let ref: ObjectReference;
      try {
        ref = getReference(obj);
      } catch (err) {
        this.error(err);
        return;
      }
      if (this.shuttingDown) return;
      // The queue is checked once, before the event is built: a dropped event nobody watches
      // is never built.
      const dropped = this.full(ref, reason);
      if (dropped && this.watchers.size === 0) return;
      this.enqueue(this.makeEvent(ref, annotations, type, reason, args ? sprintf(message, ...args) : message, src), dropped);
    };
    return {
      event: (obj, type, reason, message) => record(obj, undefined, type, reason, message, undefined),
      eventf: (obj, type, reason, fmt, ...args) => record(obj, undefined, type, reason, fmt, args),
      annotatedEventf: (obj, annotations, type, reason, fmt, ...args) => record(obj, annotations, type, reason, fmt, args),
    };
  }

  /**
   * full reports whether the queue has no room for another event (there is a sink and
   * maxQueued are waiting), counting the event as dropped (reported once a spell, DropSpells).
   */
  private full(ref: ObjectReference, reason: string): boolean {
    if (!this.opts.sink) return false;
    if (this.queue.length < this.o.maxQueued) {
      this.drops.room();
      return false;
    }
    this.drops.drop(() => `event queue full (${this.o.maxQueued} queued), dropping event ${ref.namespace ?? ''}/${ref.name ?? ''} ${reason}`);
    return true;
  }

  /** dropped counts the events lost to a full queue. */
  get dropped(): number {
    return this.drops.dropped;
  }

  /** startEventWatcher calls fn with every event recorded (before correlation); returns a stop function. */
  startEventWatcher(fn: Watcher): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /**
   * flush resolves once every queued event has been written (or given up on). Mostly for tests
   * and clean shutdown.
   */
  flush(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** shutdown stops accepting events and resolves once the queue has drained. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    await this.flush();
  }

  private error(err: unknown): void {
    (this.opts.onError ?? ((e: unknown) => console.warn(`events: ${e instanceof Error ? e.message : String(e)}`)))(err);
  }

  private makeEvent(ref: ObjectReference, annotations: Record<string, string> | undefined, type: string, reason: string, message: string, source: EventSource): Event {
    const now = this.clock.now();
    const t = toTime(now);
    const e: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${ref.name ?? ''}.${this.nameSuffix.next(now)}`, namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      source,
      reportingComponent: source.component ?? '',
      reportingInstance: source.host ?? '',
    };
    if (annotations) e.metadata.annotations = { ...annotations };
    return e;
  }

  /** enqueue shows e to the watchers and queues it for the sink unless full() dropped it. */
  private enqueue(e: Event, dropped: boolean): void {
    for (const w of this.watchers) {
      try {
        w(e);
      } catch (err) {
        this.error(err);
      }
    }
    if (!this.opts.sink || dropped) return;
    this.queue.push(e);
    if (!this.running) {
      this.running = true;
      // Writing happens on a later tick, so the caller never waits for it.
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    const limit = Math.max(1, this.o.maxConcurrentWrites);
    // A counter and one wake-up instead of Promise.race over the writes in flight, which
    // attached a handler to every pending write on each turn (O(in flight) per event).
    let inFlight = 0;
    let wake: (() => void) | undefined;
    // the last write per correlation key: a later write of the same event waits for it
    const tails = new Map<string, Promise<void>>();
    try {
      while (this.queue.length > 0 || inFlight > 0) {
        if (this.queue.length === 0 || inFlight >= limit) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        const e = this.queue.shift()!;
        const corr = this.correlate(e);
        if (!corr) continue;
        if (limit === 1) {
          await this.writeWithRetries(corr.event, corr.key);
          continue;
        }
        const prev = tails.get(corr.key);
        const write = (): Promise<void> => this.writeWithRetries(corr.event, corr.key).catch((err: unknown) => this.error(err));
        inFlight++;
        const p: Promise<void> = (prev ? prev.then(write) : write()).finally(() => {
          inFlight--;
          if (tails.get(corr.key) === p) tails.delete(corr.key);
          const w = wake;
          wake = undefined;
          w?.();
        });
        tails.set(corr.key, p);
      }
    } finally {
      this.running = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /**
   * correlate applies the spam filter, aggregation and de-duplication. Returns the event to
   * write (with count and name of an earlier identical event), or undefined to drop it.
   */
  private correlate(e: Event): { event: Event; key: string } | undefined {
    const now = this.clock.now();
    const spamKey = objectKey(e);
    let bucket = this.spam.get(spamKey);
    if (!bucket) this.spam.set(spamKey, (bucket = new TokenBucket(this.o.spamQPS, this.o.spamBurst, this.clock)));
    if (!bucket.tryAccept()) return undefined;

    // Aggregation: many distinct messages for the same (source, object, type, reason) collapse.
    const aggKey = `${spamKey}\x00${e.type ?? ''}\x00${e.reason ?? ''}`;
    let agg = this.aggregates.get(aggKey);
    if (!agg || now - agg.at > this.o.aggregateIntervalMs) this.aggregates.set(aggKey, (agg = { messages: new Set(), at: now }));
    agg.at = now;
    agg.messages.add(e.message ?? '');
    let out = e;
    // Identical events are keyed by everything including the message; once aggregated, by the
    // aggregate key alone, so the combined event counts up while its message follows the latest.
    let key = `${aggKey}\x00${e.message ?? ''}`;
    if (agg.messages.size >= this.o.aggregateMaxEvents) {
      agg.messages.delete(e.message ?? '');
      out = { ...e, message: `(combined from similar events): ${e.message ?? ''}` };
      key = aggKey;
    }

    const last = this.logged.get(key);
    if (last && now - last.at <= this.o.aggregateIntervalMs) {
      out = {
        ...out,
        metadata: { ...out.metadata, name: last.name, resourceVersion: last.resourceVersion },
        count: last.count + 1,
        firstTimestamp: last.firstTimestamp,
      };
    }
    this.logged.delete(key); // re-insert so the Map's order is least-recently-used first
    this.logged.set(key, {
      count: out.count ?? 1,
      firstTimestamp: out.firstTimestamp ?? '',
      name: out.metadata.name ?? '',
      resourceVersion: out.metadata.resourceVersion ?? '',
      at: now,
    });
    // Bounded caches, as upstream's LRUs of 4096 entries.
    for (const t of this.trims) t.trim(CACHE_SIZE);
    return { event: out, key };
  }

  private async writeWithRetries(e: Event, key: string): Promise<void> {
    const sink = this.opts.sink as EventSink;
    for (let attempt = 1; ; attempt++) {
      try {
        let written: Event;
        if ((e.count ?? 1) > 1) {
          try {
            written = await sink.patch(e, { count: e.count, lastTimestamp: e.lastTimestamp, message: e.message });
          } catch (err) {
            if (!isStatusError(err, 'NotFound')) throw err;
            // The earlier event expired or was deleted: start a fresh one carrying the count.
            const { resourceVersion: _rv, ...meta } = e.metadata;
            written = await sink.create({ ...e, metadata: meta });
          }
        } else {
          written = await sink.create(e);
        }
        const l = this.logged.get(key);
        if (l && written.metadata?.name === l.name) l.resourceVersion = written.metadata.resourceVersion ?? '';
        return;
      } catch (err) {
        // Events the server refuses for good (already exists, invalid, namespace going away) are dropped.
        if (isStatusError(err) && (err.reason === 'AlreadyExists' || err.reason === 'Invalid' || err.reason === 'Forbidden' || err.reason === 'BadRequest')) {
          this.error(err);
          return;
        }
        if (attempt >= this.o.maxTries) {
          this.error(new Error(`unable to write event ${e.metadata.name} (retry limit exceeded!)`, { cause: err }));
          return;
        }
        await this.clock.after(this.o.retryPauseMs * (attempt === 1 ? Math.random() : 1));
      }
    }
  }
}
