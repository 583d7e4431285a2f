/**
 * Per-item rate limiters for the workqueue (upstream: util/workqueue/default_rate_limiters.go).
 * when() returns how long (ms) an item should wait before it is retried, and records a failure.
 */
import { realClock, type Clock } from '../util/clock.js';
import { TokenBucket } from '../util/token_bucket.js';

export interface RateLimiter<T> {
  /** when records a retry of item and returns the delay in milliseconds before it. */
  when(item: T): number;
  /** forget clears item's failure history (call it after a success). */
  forget(item: T): void;
  /** numRequeues returns how many times item has been retried since it was last forgotten. */
  numRequeues(item: T): number;
}

/**
 * ItemExponentialFailureRateLimiter waits baseDelay * 2^failures, capped at maxDelay
 * (defaults 5 ms and 1000 s as upstream's DefaultControllerRateLimiter).
 */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1000_000,
  ) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const d = this.baseDelayMs * 2 ** n;
    return d > this.maxDelayMs || !Number.isFinite(d) ? this.maxDelayMs : d;
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** ItemFastSlowRateLimiter waits fastDelay for the first maxFastAttempts retries, then slowDelay. */
export class ItemFastSlowRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    readonly fastDelayMs: number,
    readonly slowDelayMs: number,
    readonly maxFastAttempts: number,
  ) {}
  when(item: T): number {
    const n = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, n);
    return n <= this.maxFastAttempts ? this.fastDelayMs : this.slowDelayMs;
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * BucketRateLimiter bounds the overall retry rate with one token bucket shared by all items
 * (defaults 10 qps, burst 100 as upstream). It keeps no per-item history.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100, clock: Clock = realClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }
  when(_item: T): number {
    return this.bucket.reserve();
  }
  forget(_item: T): void {}
  numRequeues(_item: T): number {
    return 0;
  }
}

/** MaxOfRateLimiter waits the longest of its limiters' delays (every limiter records the retry). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/**
 * defaultControllerRateLimiter is upstream's DefaultControllerRateLimiter: max of per-item
 * exponential backoff (5 ms .. 1000 s) and an overall 10 qps / 100 burst bucket.
 */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1000_000), new BucketRateLimiter<T>(10, 100, clock));
}
