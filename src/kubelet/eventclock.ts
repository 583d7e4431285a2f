/**
 * eventClock is the client Clock given to the kubelet's EventBroadcaster: its retry timers are
 * unref'd, because events are best effort and a stopped kubelet must not linger for minutes
 * retrying event writes to an unreachable apiserver.
 */
import { RealClock, type TimerHandle } from '../client/util/clock.js';

class UnrefClock extends RealClock {
  override setTimeout(fn: () => void, ms: number): TimerHandle {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    return t as unknown as TimerHandle;
  }
}

export const eventClock = new UnrefClock();
