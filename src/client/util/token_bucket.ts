/**
 * TokenBucket is the rate limiter behind client-side QPS/burst (upstream: flowcontrol's
 * tokenBucketPassiveRateLimiter over golang.org/x/time/rate): tokens refill at `qps` per
 * second up to `burst`; each request takes one. A request that finds no token reserves one
 * from the future (the bucket goes negative), so waiters are served in arrival order.
 */
import { realClock, type Clock } from './clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param qps refill rate in tokens per second; `Infinity` disables limiting.
   * @param burst bucket size; also the number of tokens available at start.
   */
  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(qps > 0)) throw new Error(`TokenBucket: qps must be > 0, got ${qps}`);
    if (!(burst >= 1)) throw new Error(`TokenBucket: burst must be >= 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  private advance(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
      this.last = now;
    }
  }

  /** tryAccept takes a token if one is available now and reports whether it did. */
  tryAccept(): boolean {
    if (this.qps === Infinity) return true;
    this.advance();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /**
   * reserve takes a token now or from the future and returns how many milliseconds the caller
   * must wait before using it (0 when one was available).
   */
  reserve(): number {
    if (this.qps === Infinity) return 0;
    this.advance();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** available returns the current (possibly fractional, possibly negative) token count. */
  available(): number {
    this.advance();
    return this.tokens;
  }

  /**
   * wait resolves once the caller may proceed. If `signal` aborts first the reservation is
   * returned to the bucket and the promise rejects with the signal's reason.
   */
  async wait(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const delay = this.reserve();
    if (delay <= 0) return;
    try {
      await this.clock.after(delay, signal);
    } catch (err) {
      this.tokens += 1;
      throw err;
    }
  }
}
