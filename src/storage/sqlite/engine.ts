/**
 * WriterEngine drives a WriterCore: it groups every write that arrives while the previous commit
 * is in flight into the next transaction (group commit), compacts in small batches between
 * commits, and expires leases with one timer. It talks to the storage front end only through
 * messages, so the same code runs inside a worker thread or on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import type { CheckpointerConfig, CheckpointReport } from './checkpointer.js';
import { WriterCore } from './core.js';
import { WAL_MAX_BYTES } from './schema.js';
import { sched, TRACE_FILE, Tracer } from './trace.js';
import { decodeOps, type OpFailure, type WriteOp } from './wire.js';

export interface EngineConfig {
  path: string;
  memory: boolean;
  compactKeep: number;
  compactIntervalMs: number;
  compactBatchRows: number;
}

export type InMsg =
  /** write: ops packed by encodeOps into buf (transferred). */
  | { t: 'write'; id: number; buf: ArrayBuffer; len: number }
  | { t: 'compact'; id: number; target: number }
  | { t: 'close'; id: number };

export type OutMsg =
  | { t: 'ready'; revision: number; compactRevision: number }
  | { t: 'fatal'; code: string; message: string }
  /**
   * batch answers one group commit: `ids` are the requests it holds, in order (0: the writer's
   * own lease-expiry deletes, whose keys are the next entry of `internal`); `res` has one SLOT
   * per op (wire.ts) and `fails` the refused ops, indexed across the whole batch.
   */
  | { t: 'batch'; ids: number[]; res: Float64Array; fails: OpFailure[]; internal: string[][]; revision: number }
  | { t: 'compacted'; ids: number[]; revision: number; error?: { code: string; message: string } }
  | { t: 'closed'; id: number };

/** MAX_BATCH bounds one transaction so a flood of writers cannot make one commit huge. */
const MAX_BATCH = 1024;
/** QUIET_MS: compaction commits on its own only after this long without a write. */
const QUIET_MS = 5;
const EXPIRE_BATCH = 256;
/**
 * CHECKPOINT_MS: how often the checkpointer thread copies the WAL into the main file while
 * fewer than CHECKPOINT_BUSY_FRAMES wait to be copied. A pass copies each page once however many
 * commits rewrote it since the last one (the log's right edge, its interior pages, the freelist,
 * meta), and pays one fdatasync: in a writer+checkpoint loop of a control plane's write mix,
 * checkpointer CPU per write was ~16 us at 40 writes per pass, ~7.5 at 160 and ~5.5 at 640.
 * Each pass that reaches the WAL's end also lets the next commit start the WAL over, and its
 * writes and syncs of the main file share the disk with the commits' WAL syncs. Under
 * bench:apiserver's 200 writes/s on 155,000 objects, passes every 100 ms left 18 and 29 commits
 * slower than 50 ms (waiting off-CPU; the worst 330 and 399 ms) in two traced runs; passes once
 * a second left 1 to 3 (the worst 52 to 130 ms) in three, with a quarter less checkpointer CPU
 * (K8TS_SQLITE_TRACE). The commits that stay slow wait on the disk itself, whose own flushes
 * stall on some machines whoever writes (`npm run bench:storage -- --phase disk`).
 */
const CHECKPOINT_MS = 1000;
/**
 * CHECKPOINT_TICK_MS: how often the checkpointer looks at the WAL, and passes when
 * CHECKPOINT_BUSY_FRAMES (16 MiB) or more wait to be copied, so a WAL growing faster than 16 MiB/s
 * is copied more often than once a second and stays within its bound (wal.integration.test: a
 * 50 MiB/s stream). bench:apiserver's churn writes ~10 MiB/s of WAL (2,600 frames a second).
 */
const CHECKPOINT_TICK_MS = 50;
const CHECKPOINT_BUSY_FRAMES = 4096;
/**
 * WAL_RECYCLE_FRAMES (32 MiB of 4 KiB pages): SQLite starts the WAL over only when a write
 * transaction begins after a checkpoint copied all of it. The checkpointer's PASSIVE passes run
 * beside the commits, so under writes that never pause each pass misses the frames committed
 * during it and the WAL keeps growing. Past this length the writer finishes the job right
 * after a complete pass of the checkpointer (onCheckpointReport), when only those few frames
 * are left (and the checkpointer has flushed the pages of its own passes): its pass costs one
 * fsync of the main file, which SQLite's ftruncate before it turns into a filesystem journal
 * commit (a few ms here), and it holds up only the writes that arrive meanwhile. It is a fixed
 * cost per cycle, so cycles are long: a few per second under the heaviest load, not one per
 * checkpointer pass.
 */
const WAL_RECYCLE_FRAMES = 8192;
/**
 * WAL_MAX_FRAMES bounds the WAL (64 MiB) when no complete pass comes (a long read holds the
 * checkpointer back): past it the writer checkpoints after every group commit until one is
 * complete. schema.ts sets journal_size_limit to the same size (WAL_MAX_BYTES), so a WAL that starts over is
 * never cut back (an ftruncate that frees blocks costs the next commit a journal commit with
 * discards, about 50 ms here) and commits overwrite blocks the file already has.
 */
const WAL_MAX_FRAMES = WAL_MAX_BYTES / 4096;

export class WriterEngine {
  private readonly core: WriterCore;
  /** pending: requests not yet committed; `at` is when each arrived (performance.now()). */
  private pending: Array<{ id: number; ops: WriteOp[]; at: number }> = [];
  private flushScheduled = false;
  private compactTarget = 0;
  private compactWaiters: Array<{ id: number; target: number }> = [];
  private compacting = false;
  private autoTimer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leaseTimerAt = Infinity;
  private closed = false;

  private checkpointer: Worker | undefined;
  private stepRows: number;
  private lastWriteAt = 0;
  /** walFrames: the WAL's length as last reported (0 once the writer checkpointed all of it). */
  private walFrames = 0;
  private readonly tracer: Tracer | undefined;

  constructor(private readonly cfg: EngineConfig, private readonly emit: (msg: OutMsg, transfer?: ArrayBuffer[]) => void, core?: WriterCore) {
    this.core = core ?? new WriterCore(cfg.path, cfg.memory);
    this.stepRows = cfg.compactBatchRows;
    if (TRACE_FILE && !cfg.memory) {
      this.tracer = new Tracer(TRACE_FILE);
      this.core.timing.on = true;
    }
    if (!cfg.memory) {
      // Checkpoints run on their own thread: SQLite's auto-checkpoint would run one inside the
      // commit that crosses the threshold, holding up every write acknowledged by it.
      this.core.db.pragma('wal_autocheckpoint = 0');
      const checkpointerConfig: CheckpointerConfig = { path: cfg.path, intervalMs: CHECKPOINT_MS, tickMs: CHECKPOINT_TICK_MS, busyFrames: CHECKPOINT_BUSY_FRAMES };
      if (this.tracer) checkpointerConfig.trace = TRACE_FILE + '.ckpt';
      this.checkpointer = new Worker(new URL('./checkpointer.js', import.meta.url), { workerData: checkpointerConfig });
      this.checkpointer.unref();
      this.checkpointer.on('message', (m: CheckpointReport | string) => {
        if (typeof m === 'string') return;
        this.onCheckpointReport(m);
      });
      this.checkpointer.on('error', () => {
        this.checkpointer = undefined;
        this.core.db.pragma('wal_autocheckpoint = 1000');
      });
    }
    if (cfg.compactIntervalMs > 0) {
      this.autoTimer = setInterval(() => this.autoCompact(), cfg.compactIntervalMs);
      this.autoTimer.unref();
    }
    this.scheduleLeaseTimer(this.core.nextLeaseExpiry());
  }

  get revision(): number {
    return this.core.revision;
  }

  get compactedRevision(): number {
    return this.core.compactedRevision;
  }

  handle(msg: InMsg): void {
    if (this.closed) return;
    switch (msg.t) {
      case 'write':
        this.lastWriteAt = performance.now();
        this.pending.push({ id: msg.id, ops: decodeOps(msg.buf, msg.len), at: this.lastWriteAt });
        this.scheduleFlush();
        return;
      case 'compact':
        this.compactWaiters.push({ id: msg.id, target: msg.target });
        this.compactTarget = Math.max(this.compactTarget, msg.target);
        this.runCompaction();
        return;
      case 'close':
        this.flush();
        this.closed = true;
        clearInterval(this.autoTimer);
        clearTimeout(this.leaseTimer);
        void this.stopCheckpointer().then(() => this.finishClose(msg.id));
        return;
    }
  }

  private stopCheckpointer(): Promise<void> {
    const w = this.checkpointer;
    if (!w) return Promise.resolve();
    this.checkpointer = undefined;
    return new Promise<void>((resolve) => {
      const done = (): void => resolve();
      w.on('message', (m: unknown) => {
        if (m === 'closed') done();
      });
      w.once('exit', done);
      w.once('error', done);
      w.postMessage('close');
    });
  }

  private finishClose(id: number): void {
    try {
      this.core.checkpoint();
    } catch {
      // A read-only or full disk cannot checkpoint; the WAL stays valid and is replayed on open.
    }
    this.core.close();
    this.tracer?.close();
    this.emit({ t: 'closed', id });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate lets every message that arrived during the previous commit join this batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0) {
      const ids: number[] = [];
      const internal: string[][] = [];
      let ops: WriteOp[] = [];
      // Clock and schedstat reads only while tracing: off, a group commit pays for none.
      const s0 = this.tracer ? sched() : undefined;
      const start = s0 ? performance.now() : 0;
      const first = this.pending[0]!.at;
      while (this.pending.length > 0 && (ops.length === 0 || ops.length + this.pending[0]!.ops.length <= MAX_BATCH)) {
        const req = this.pending.shift()!;
        ids.push(req.id);
        if (req.id === 0) internal.push(req.ops.map((op) => op.key));
        ops = ops.length === 0 ? req.ops : ops.concat(req.ops);
      }
      // With automatic compaction on, every commit also compacts to compactKeep revisions behind:
      // history never piles up between two runs of the timer (the file stays at about
      // compactKeep rows plus the live keys), and each commit deletes about as many rows as it writes.
      if (this.cfg.compactIntervalMs > 0) this.compactTarget = Math.max(this.compactTarget, this.core.revision - this.cfg.compactKeep);
      const target = Math.min(this.compactTarget, this.core.revision);
      const outcome = this.core.applyBatch(ops, target > this.core.compactedRevision ? { target, rows: Math.max(ops.length * 2, 50) } : undefined);
      const posted = s0 ? performance.now() : 0;
      this.emit({ t: 'batch', ids, res: outcome.res, fails: outcome.fails, internal, revision: this.core.revision }, [outcome.res.buffer as ArrayBuffer]);
      if (outcome.minLease < this.leaseTimerAt) this.scheduleLeaseTimer(outcome.minLease);
      if (s0) this.traceBatch(start, first, ops.length, ids.length, posted, s0);
    }
    if (this.walFrames >= WAL_MAX_FRAMES) this.walCheckpoint();
  }

  /**
   * traceBatch records one group commit: when it started (epoch ms), how long its oldest request
   * had waited for it, its statements and COMMIT, the reply's postMessage, and the thread's CPU
   * and run-queue wait over the whole batch and over the COMMIT alone.
   */
  private traceBatch(start: number, first: number, ops: number, reqs: number, posted: number, s0: [number, number]): void {
    const end = performance.now();
    const s1 = sched();
    const t = this.core.timing;
    const r = (x: number): number => Math.round(x * 1000) / 1000;
    this.tracer!.add({
      t: r(performance.timeOrigin + start),
      wait: r(start - first),
      ops,
      reqs,
      exec: r(t.execMs),
      commit: r(t.commitMs),
      commitCpu: r(t.commitCpuMs),
      commitRunq: r(t.commitRunqMs),
      post: r(end - posted),
      total: r(end - start),
      cpu: r(s1[0] - s0[0]),
      runq: r(s1[1] - s0[1]),
      wal: this.walFrames,
    });
  }

  /**
   * walCheckpoint finishes the checkpointer's work on this connection, so that the next commit
   * starts the WAL over instead of growing it. Running here, it never waits for a commit, and no
   * commit can slip in before it is done (it gives up at once if the checkpointer is mid-pass).
   */
  private walCheckpoint(): void {
    try {
      const t0 = performance.now();
      const done = this.core.checkpoint().complete;
      this.tracer?.add({ t: performance.timeOrigin + t0, writerCheckpoint: performance.now() - t0, frames: this.walFrames, complete: done ? 1 : 0 });
      if (done) this.walFrames = 0;
    } catch {
      // A full or read-only disk cannot checkpoint; commits report those errors.
    }
  }

  /**
   * onCheckpointReport: the checkpointer copied all of the WAL it saw into the main file, but a
   * commit during its pass keeps SQLite from starting the WAL over. Right after such a pass only
   * the frames of those few commits are left, so the writer's own checkpoint is short (one
   * small write and fsync of the main file), and the next commit starts the WAL over.
   */
  private onCheckpointReport(m: CheckpointReport): void {
    this.walFrames = m.frames;
    if (!this.closed && m.checkpointed === m.frames && m.frames >= WAL_RECYCLE_FRAMES) this.walCheckpoint();
  }

  private autoCompact(): void {
    const target = this.core.revision - this.cfg.compactKeep;
    if (target > this.core.compactedRevision) {
      this.compactTarget = Math.max(this.compactTarget, target);
      this.runCompaction();
    }
  }

  /** runCompaction advances the compacted revision one small transaction per event-loop turn. */
  private runCompaction(): void {
    if (this.compacting || this.closed) return;
    this.compacting = true;
    setImmediate(() => this.compactionStep());
  }

  private compactionStep(): void {
    if (this.closed) return;
    const target = Math.min(this.compactTarget, this.core.revision);
    // While writes flow, compaction rides along in their commits; it commits on its own only in
    // the gaps between them.
    if (this.pending.length > 0) {
      this.flush();
      this.compactionProgress(target);
      return;
    }
    const quietFor = performance.now() - this.lastWriteAt;
    if (quietFor < QUIET_MS) {
      // Writes are still arriving: their own commits carry the compaction, and a standalone
      // step now would only make the next one wait.
      setTimeout(() => this.compactionStep(), QUIET_MS - quietFor);
      return;
    }
    let error: { code: string; message: string } | undefined;
    try {
      const t0 = performance.now();
      // Only a step that answers compact() callers (or ends the run) waits for the disk.
      const from = this.core.compactedRevision;
      const to = Math.min(target, from + this.stepRows);
      const answers = to >= target || this.compactWaiters.some((w) => {
        const want = this.waiterRevision(w);
        return want > from && want <= to;
      });
      this.core.compactStep(target, this.stepRows, answers);
      // Keep each step (which holds up the writes queued behind it) near 5 ms, even on a busy CPU.
      const took = performance.now() - t0;
      if (took > 10) this.stepRows = Math.max(20, this.stepRows >> 1);
      else if (took < 3) this.stepRows = Math.min(this.cfg.compactBatchRows, this.stepRows * 2);
    } catch (err) {
      error = { code: 'Unavailable', message: `storage: compaction failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    this.compactionProgress(target, error);
  }

  /** waiterRevision is the revision that answers a compact() caller: its target, at most the current revision. */
  private waiterRevision(w: { target: number }): number {
    return Math.min(w.target, this.core.revision);
  }

  /** compactionProgress answers compact() callers whose target is reached and keeps the loop going. */
  private compactionProgress(target: number, error?: { code: string; message: string }): void {
    const rev = this.core.compactedRevision;
    const done = error !== undefined || rev >= target;
    const ready = this.compactWaiters.filter((w) => error !== undefined || rev >= this.waiterRevision(w));
    if (ready.length > 0) {
      this.compactWaiters = this.compactWaiters.filter((w) => !ready.includes(w));
      const msg: OutMsg = { t: 'compacted', ids: ready.map((w) => w.id), revision: rev };
      if (error) msg.error = error;
      this.emit(msg);
    }
    if (done) {
      this.compacting = false;
      if (this.compactWaiters.length > 0 && error === undefined) this.runCompaction();
      return;
    }
    setImmediate(() => this.compactionStep());
  }

  private scheduleLeaseTimer(expirySec: number | undefined): void {
    clearTimeout(this.leaseTimer);
    this.leaseTimer = undefined;
    this.leaseTimerAt = Infinity;
    if (expirySec === undefined || this.closed) return;
    this.leaseTimerAt = expirySec;
    const delay = Math.max(0, expirySec * 1000 - Date.now());
    this.leaseTimer = setTimeout(() => this.expireLeases(), Math.min(delay, 2 ** 31 - 1));
    this.leaseTimer.unref();
  }

  private expireLeases(): void {
    this.leaseTimer = undefined;
    this.leaseTimerAt = Infinity;
    if (this.closed) return;
    const nowSec = Date.now() / 1000;
    let keys: Array<{ name: string; id: number }>;
    try {
      keys = this.core.expiredKeys(nowSec, EXPIRE_BATCH);
    } catch {
      keys = [];
    }
    if (keys.length > 0) {
      // Expiry deletes go through the normal commit path so watchers see ordinary DELETE events.
      this.pending.push({ id: 0, ops: keys.map((k) => ({ kind: 'delete', key: k.name, expected: k.id })), at: performance.now() });
      this.flush();
    }
    const next = keys.length === EXPIRE_BATCH ? nowSec : this.core.nextLeaseExpiry();
    this.scheduleLeaseTimer(next);
  }
}
