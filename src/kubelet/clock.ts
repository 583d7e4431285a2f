/**
 * Clock is the kubelet's only source of time. Production code uses `realClock`; tests use
 * `FakeClock` so backoffs, probes and heartbeats are checked without sleeping.
 */
export interface Clock {
  /** now returns milliseconds since the Unix epoch. */
  now(): number;
  /** setTimer calls fn once after ms; the returned function cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    // Kept referenced: whoever awaits a scheduled task must keep the process alive; shutdown
    // stops the heap, which clears this single timer.
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** FakeClock only moves when `advance` is called, firing due timers in time order. */
export class FakeClock implements Clock {
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];
  private seq = 0;
  constructor(private t = 1_700_000_000_000) {}

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** advance moves time forward by ms, running each timer at its due time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }

  /** pending is the number of armed timers (tests use it to prove nothing leaks). */
  get pending(): number {
    return this.timers.length;
  }
}
