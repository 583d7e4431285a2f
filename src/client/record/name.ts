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
    // ms * 1e6 + seq passes 2^53, so it is put together in two parts below and above bit 20
    // (each exact in a double) rather than with BigInt, which allocated on every event.
    const low = (ms % 0x100000) * 1_000_000 + (this.seq % 1_000_000);
    const high = Math.floor(ms / 0x100000) * 1_000_000 + Math.floor(low / 0x100000);
    const lowHex = (low % 0x100000).toString(16);
    return high > 0 ? high.toString(16) + '00000'.slice(lowHex.length) + lowHex : lowHex;
  }
}
