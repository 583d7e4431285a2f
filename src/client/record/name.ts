/**
 * EventNameSuffix makes the `.<suffix>` of event names as client-go does: the time in
 * nanoseconds, in hex. Milliseconds are all a JS clock gives, so events within one millisecond
 * count up in the nanoseconds, keeping names unique per recorder.
 */
export class EventNameSuffix {
  private lastMs = 0;
  private seq = 0;

  /** next returns the suffix for an event recorded at `ms` (epoch milliseconds). */
  next(ms: number): string {
    if (ms === this.lastMs) this.seq++;
    else {
      this.lastMs = ms;
      this.seq = 0;
    }
    return (BigInt(ms) * 1_000_000n + BigInt(this.seq % 1_000_000)).toString(16);
  }
}
