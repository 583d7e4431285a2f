/** Work queues for controllers, as client-go's util/workqueue. */
export { Queue } from './queue.js';
export { DelayingQueue } from './delaying.js';
export { RateLimitingQueue, type RateLimitingQueueOptions } from './rate_limiting.js';
export {
  type RateLimiter,
  ItemExponentialFailureRateLimiter,
  ItemFastSlowRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate_limiters.js';
export { runWorkers, type WorkResult, type RunWorkersOptions } from './run_workers.js';
