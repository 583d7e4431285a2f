/**
 * Links: what compaction must delete for each log row above the compacted revision, kept in
 * the writer's memory so that compaction never reads those rows back. Passing row `id`,
 * compaction deletes the row it replaced (its prev_revision) and, for a tombstone, the row
 * itself. Reading that out of the log meant a range scan of rows written compactKeep revisions
 * earlier, long gone from the writer's small page cache: a pread per page, on every commit.
 *
 * Rows above the compacted revision are contiguous (every revision is one row and compaction
 * removes nothing above it), so one array indexed by `id - base` holds them: prev_revision for
 * a put (0 for a create), minus prev_revision for a tombstone (whose prev_revision is never 0).
 */
export class Links {
  private buf: Float64Array;
  /** base: the id of buf[start]. */
  private base: number;
  private start = 0;
  private end = 0;
  private lost = false;
  /** resume: tracking was lost and compaction has moved since; the next add() starts it again. */
  private resume = false;

  /**
   * @param firstId the id the next add() describes (the compacted revision + 1 on open).
   * @param cap entries kept at most: past it (compaction long off) tracking stops and every
   * covers() answers false, so compaction reads the log as before. Once compaction moves again
   * (dropThrough), tracking starts afresh at the next add(): compaction reads the log up to that
   * row and memory from there.
   */
  constructor(firstId: number, private readonly cap = 1 << 22) {
    this.base = firstId;
    this.buf = new Float64Array(1024);
  }

  /** nextId is the id the next add() must describe. */
  get nextId(): number {
    return this.base + (this.end - this.start);
  }

  /**
   * add records row `id`: a put replacing `prev` (0: a create), or a tombstone. While nothing is
   * tracked, rows may start past nextId (a history restored from etcd, whose first write is
   * revision 2): tracking starts there, and covers() stays false for the ids skipped. Past
   * that, an id other than nextId (a log with a gap, which no writer of ours leaves) stops
   * tracking, as the cap does.
   */
  add(id: number, prev: number, tombstone: boolean): void {
    if (this.lost) {
      if (!this.resume) return;
      this.lost = this.resume = false;
      this.buf = new Float64Array(1024);
      this.start = this.end = 0;
      this.base = id;
    }
    if (this.start === this.end && id > this.base) this.base = id;
    if (id !== this.nextId || this.end - this.start >= this.cap) {
      this.lost = true;
      this.buf = new Float64Array(0);
      this.start = this.end = 0;
      return;
    }
    if (this.end === this.buf.length) this.grow();
    this.buf[this.end++] = tombstone ? -prev : prev;
  }

  /** truncate forgets the rows from id on (a rolled-back transaction's). */
  truncate(id: number): void {
    if (this.lost) return;
    const n = id - this.base;
    if (n >= 0 && n < this.end - this.start) this.end = this.start + n;
  }

  /** covers tells whether rows from..to (inclusive) are all known. */
  covers(from: number, to: number): boolean {
    return !this.lost && from >= this.base && to < this.nextId;
  }

  /** deletions lists, ascending, the ids compaction deletes when it passes rows from..to (covers() must hold). */
  deletions(from: number, to: number): number[] {
    const ids: number[] = [];
    for (let id = from; id <= to; id++) {
      const v = this.buf[this.start + id - this.base]!;
      if (v > 0) ids.push(v);
      else if (v < 0) ids.push(-v, id);
    }
    return ids.sort((a, b) => a - b);
  }

  /** dropThrough forgets rows up to and including id (compaction passed them). */
  dropThrough(id: number): void {
    if (this.lost) {
      this.resume = true;
      return;
    }
    const n = Math.min(id + 1 - this.base, this.end - this.start);
    if (n <= 0) return;
    this.start += n;
    this.base += n;
    if (this.start === this.end) this.start = this.end = 0;
  }

  private grow(): void {
    const live = this.end - this.start;
    // Reuse the room compaction freed at the front before asking for more.
    const size = live * 2 > this.buf.length ? this.buf.length * 2 : this.buf.length;
    const next = size === this.buf.length ? this.buf : new Float64Array(size);
    next.set(this.buf.subarray(this.start, this.end), 0);
    this.buf = next;
    this.start = 0;
    this.end = live;
  }
}
