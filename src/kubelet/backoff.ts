/**
 * Backoff is upstream's flowcontrol.Backoff as the kubelet uses it for CrashLoopBackOff:
 * per key, the delay starts at `initial` (10 s), doubles on each failure up to `max` (5 min),
 * and resets once the container has run for `resetAfter` (10 min, twice the max) without a
 * new failure.
 */
import type { Clock } from './clock.js';

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** resetAfterMs: an entry untouched this long starts over at initialMs. */
  resetAfterMs?: number;
}

interface Entry {
  delay: number;
  lastUpdate: number;
}

export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly resetAfterMs: number;
  private entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    opts: BackoffOptions = {},
  ) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.resetAfterMs = opts.resetAfterMs ?? 2 * this.maxMs;
  }

  /**
   * next records a failure at `eventTime` (ms; defaults to now): the first failure, or one after
   * resetAfterMs of quiet, gets initialMs; later ones double the delay up to maxMs.
   */
  next(key: string, eventTime = this.clock.now()): void {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > this.resetAfterMs) {
      this.entries.set(key, { delay: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.delay = Math.min(e.delay * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** get returns the current delay for key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.delay ?? 0;
  }

  /**
   * isInBackOffSince is true while `eventTime + delay` is still in the future: the kubelet must
   * not restart the container yet (upstream: IsInBackOffSince).
   */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (eventTime - e.lastUpdate > this.resetAfterMs) return false;
    return this.clock.now() - eventTime < e.delay;
  }

  /** remainingMs is how long until key may be retried after a failure at eventTime. */
  remainingMs(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, eventTime + e.delay - this.clock.now());
  }

  /** reset forgets key (the pod was deleted). */
  reset(key: string): void {
    this.entries.delete(key);
  }

  /** gc drops entries idle longer than twice maxMs so deleted pods leave no trace. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}
