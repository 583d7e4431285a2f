/**
 * retryOnConflict as client-go's util/retry: run a read-modify-write function again when the
 * write loses an optimistic-concurrency race (409 Conflict).
 */
import { isStatusError } from '../../api/errors.js';
import { realClock, type Clock } from './clock.js';

export interface RetryBackoff {
  /** steps is the maximum number of attempts. */
  steps: number;
  durationMs: number;
  factor: number;
  jitter: number;
}

/** DEFAULT_RETRY is upstream's retry.DefaultRetry: 5 attempts, 10 ms apart, 10% jitter. */
export const DEFAULT_RETRY: Readonly<RetryBackoff> = { steps: 5, durationMs: 10, factor: 1, jitter: 0.1 };
/** DEFAULT_BACKOFF is upstream's retry.DefaultBackoff: 4 attempts from 10 ms, growing 5x. */
export const DEFAULT_BACKOFF: Readonly<RetryBackoff> = { steps: 4, durationMs: 10, factor: 5, jitter: 0.1 };

/**
 * retryOnError calls fn until it succeeds, `retriable(err)` is false, or `backoff.steps`
 * attempts have failed; then it rethrows the last error.
 */
export async function retryOnError<R>(
  backoff: Readonly<RetryBackoff>,
  retriable: (err: unknown) => boolean,
  fn: () => Promise<R>,
  opts: { clock?: Clock; signal?: AbortSignal } = {},
): Promise<R> {
  const clock = opts.clock ?? realClock;
  let delay = backoff.durationMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= backoff.steps || !retriable(err)) throw err;
    }
    await clock.after(delay + (backoff.jitter > 0 ? Math.random() * backoff.jitter * delay : 0), opts.signal);
    delay *= backoff.factor;
  }
}

/** retryOnConflict retries fn (which should re-read the object) on 409 Conflict. */
export function retryOnConflict<R>(fn: () => Promise<R>, backoff: Readonly<RetryBackoff> = DEFAULT_RETRY, opts: { clock?: Clock; signal?: AbortSignal } = {}): Promise<R> {
  return retryOnError(backoff, (err) => isStatusError(err, 'Conflict'), fn, opts);
}
