/**
 * Clock is the injected source of time for everything in src/client, so tests can drive
 * timers deterministically instead of sleeping (upstream: k8s.io/utils/clock).
 */

/** TimerHandle is an opaque handle returned by Clock.setTimeout. */
export interface TimerHandle {
  readonly __timer: unique symbol;
}

export interface Clock {
  /** now returns milliseconds since the Unix epoch. */
  now(): number;
  /** setTimeout calls fn once after `ms` milliseconds (never synchronously). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** clearTimeout cancels a pending timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
  /**
   * after resolves after `ms` milliseconds, or rejects with the signal's reason as soon as
   * `signal` aborts (immediately if it is already aborted).
   */
  after(ms: number, signal?: AbortSignal): Promise<void>;
}

function afterWith(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(h);
      reject(signal?.reason);
    };
    const h = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** RealClock uses the process clock and Node timers. Its timers never keep the process alive. */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    return t as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  }
  after(ms: number, signal?: AbortSignal): Promise<void> {
    return afterWith(this, ms, signal);
  }
}

/** realClock is the shared RealClock instance used when no clock is injected. */
export const realClock: Clock = new RealClock();

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * FakeClock is a manually advanced Clock for tests. Timers fire only from step()/set(),
 * in due-time order (ties in creation order), with `now()` equal to each timer's due time.
 */
export class FakeClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { id: this.nextId++, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  after(ms: number, signal?: AbortSignal): Promise<void> {
    return afterWith(this, ms, signal);
  }
  /** pending is the number of timers not yet fired. */
  pending(): number {
    return this.timers.length;
  }
  /**
   * step advances time by `ms`, firing due timers one by one and letting promise callbacks
   * run between them (so async code awaiting `after()` observes each tick).
   */
  async step(ms: number): Promise<void> {
    await this.set(this.t + ms);
  }
  /** set advances time to the absolute `time` (never backwards), firing due timers. */
  async set(time: number): Promise<void> {
    await flush();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const x of this.timers) if (x.at <= time && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flush();
    }
    this.t = Math.max(this.t, time);
    await flush();
  }
}

/** flush lets pending promise callbacks (and one macrotask turn) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}

/**
 * jitter returns a duration in [d, d*(1+maxFactor)) as wait.Jitter; maxFactor <= 0 means 1.
 */
export function jitter(d: number, maxFactor: number, random: () => number = Math.random): number {
  const f = maxFactor <= 0 ? 1 : maxFactor;
  return d + random() * f * d;
}
