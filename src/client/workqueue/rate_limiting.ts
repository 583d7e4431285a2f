/**
 * RateLimitingQueue is a DelayingQueue whose retries are spaced by a RateLimiter
 * (upstream: workqueue.RateLimitingInterface).
 */
import { realClock, type Clock } from '../util/clock.js';
import { DelayingQueue } from './delaying.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate_limiters.js';

export interface RateLimitingQueueOptions<T> {
  /** rateLimiter defaults to defaultControllerRateLimiter(). */
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
  /** name identifies the queue in logs and metrics. */
  name?: string;
}

export class RateLimitingQueue<T> extends DelayingQueue<T> {
  readonly rateLimiter: RateLimiter<T>;
  readonly name: string;

  constructor(opts: RateLimitingQueueOptions<T> = {}) {
    const clock = opts.clock ?? realClock;
    super(clock);
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(clock);
    this.name = opts.name ?? '';
  }

  /** addRateLimited adds item after the rate limiter says it may be retried. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** forget tells the rate limiter item succeeded, resetting its backoff. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  /** numRequeues returns how many times item has been retried with addRateLimited. */
  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }
}
