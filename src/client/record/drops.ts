/**
 * DropSpells reports events dropped to a full queue without building an Error for each: a
 * component recording faster than its events are written (the ReplicaSet controller's
 * SuccessfulCreate per pod, the scheduler's Scheduled per pod, against a slow apiserver) drops
 * thousands in a row. The first drop of a spell is reported with what was dropped, and the count
 * once the queue takes events again.
 */
export class DropSpells {
  /** dropped counts every event lost to a full queue. */
  dropped = 0;
  /** spell counts the drops since the queue last had room. */
  private spell = 0;

  constructor(private readonly report: (err: Error) => void) {}

  /** drop counts one dropped event; `what` describes it, and is called for a spell's first only. */
  drop(what: () => string): void {
    this.dropped++;
    if (this.spell++ === 0) this.report(new Error(`${what()} and any more until there is room`));
  }

  /** room says the queue took an event: a spell that was running is reported with its count. */
  room(): void {
    if (this.spell === 0) return;
    this.report(new Error(`event queue full: dropped ${this.spell} events`));
    this.spell = 0;
  }
}
