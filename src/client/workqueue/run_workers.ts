/**
 * runWorkers is the tiny worker loop every controller needs: n concurrent workers take keys
 * from the queue, call `fn`, and on a thrown error re-add the key rate-limited; on success
 * the key's backoff is forgotten, and `{ requeueAfter }` re-adds it after a delay.
 */
import type { RateLimitingQueue } from './rate_limiting.js';

/** WorkResult lets a worker ask for the item to be processed again later (level-based requeue). */
export interface WorkResult {
  /** requeueAfter, in milliseconds, re-adds the item after that delay. */
  requeueAfter?: number;
}

export interface RunWorkersOptions<T> {
  /** onError is told about every failure before the item is re-added (default: console.error). */
  onError?: (item: T, err: unknown) => void;
  /** maxRetries drops an item (and forgets it) after this many failed retries; default unlimited. */
  maxRetries?: number;
}

/**
 * runWorkers starts n workers and resolves once all have exited: when the queue is shut down,
 * or when `signal` aborts (which shuts the queue down, letting in-flight items finish).
 */
export async function runWorkers<T>(
  queue: RateLimitingQueue<T>,
  n: number,
  fn: (item: T) => Promise<WorkResult | void> | WorkResult | void,
  signal?: AbortSignal,
  opts: RunWorkersOptions<T> = {},
): Promise<void> {
  const onAbort = (): void => queue.shutDown();
  if (signal?.aborted) queue.shutDown();
  signal?.addEventListener('abort', onAbort, { once: true });
  const onError = opts.onError ?? ((item: T, err: unknown) => console.error(`workqueue ${queue.name}: error processing ${String(item)}:`, err));
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const res = await fn(item);
        queue.forget(item);
        if (res && res.requeueAfter !== undefined) queue.addAfter(item, res.requeueAfter);
      } catch (err) {
        onError(item, err);
        if (opts.maxRetries !== undefined && queue.numRequeues(item) >= opts.maxRetries) queue.forget(item);
        else queue.addRateLimited(item);
      } finally {
        queue.done(item);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, () => worker()));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
