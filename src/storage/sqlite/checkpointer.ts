/**
 * Checkpointer thread: copies the WAL into the main database file with PASSIVE checkpoints on
 * its own connection, so the writer never pays for a checkpoint inside a commit (a checkpoint
 * fsyncs the main file and can take tens of milliseconds on a busy disk). After each one it
 * tells the writer how long the WAL is: a PASSIVE checkpoint never blocks, so under a steady
 * stream of commits it rarely catches the WAL's very end, and only then can SQLite start the
 * WAL over; the writer decides when to finish the job itself (see WriterEngine).
 *
 * SQLite fsyncs the main file only after a pass that reached the WAL's live end, which under
 * such a stream is almost never: the pages copied by every other pass stay dirty in the page
 * cache until the writer's own checkpoint, whose fsync then has to write all of them back while
 * writes wait (10-20 ms, sometimes 90). So each pass that copied something is followed here by
 * an fdatasync of the main file, off the writer's thread; the writer's pass only has its own few
 * pages left to flush.
 */
import Database from 'better-sqlite3';
import { closeSync, fdatasyncSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { CHECKPOINTER_NICE, setThreadNice } from './thread.js';
import { sched, Tracer } from './trace.js';

/**
 * CheckpointerConfig: every tickMs the checkpointer looks at how many WAL frames wait to be
 * copied (the wal-index header, see pendingFrames) and runs a pass when at least busyFrames do,
 * or when intervalMs passed since the last pass and any do: a WAL growing fast must not wait
 * long between passes, a slow one is copied in fewer, larger passes. `trace` names the trace
 * file (trace.ts) when tracing is on.
 */
export interface CheckpointerConfig {
  path: string;
  intervalMs: number;
  tickMs: number;
  busyFrames: number;
  trace?: string;
}

/** CheckpointReport: WAL frames in the log and how many of them are in the main file. */
export interface CheckpointReport {
  t: 'wal';
  frames: number;
  checkpointed: number;
}

const { path, intervalMs, tickMs, busyFrames, trace } = workerData as CheckpointerConfig;
const tracer = trace ? new Tracer(trace) : undefined;
setThreadNice(CHECKPOINTER_NICE);
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// fsync flushes the file's dirty pages whichever descriptor it is called on; read-only suffices.
const file = openSync(path, 'r');
// The wal-index (`-shm`) exists while the writer has the database open in WAL mode.
let shm: number | undefined;
try {
  shm = openSync(`${path}-shm`, 'r');
} catch {
  shm = undefined;
}
const header = Buffer.alloc(104);
const littleEndian = endianness() === 'LE';
let reported = 0;
let flushed = 0;
let timer: NodeJS.Timeout | undefined;

/** pass runs one checkpoint, flushes what it copied and reports the WAL's length to the writer. */
function pass(): void {
  try {
    const t0 = performance.now();
    const s0 = tracer ? sched() : undefined;
    const before = flushed;
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (!r) return;
    const t1 = performance.now();
    if (r.checkpointed > 0 && r.checkpointed !== flushed) {
      flushed = r.checkpointed;
      fdatasyncSync(file);
    }
    if (s0 && r.checkpointed !== before) {
      const s1 = sched();
      tracer!.add({ t: performance.timeOrigin + t0, pass: t1 - t0, sync: performance.now() - t1, cpu: s1[0] - s0[0], runq: s1[1] - s0[1], log: r.log, checkpointed: r.checkpointed, from: before });
    }
    // An idle store's WAL keeps its length until the next write: say so once, not every pass.
    if (r.log > 0 && r.log !== reported) {
      reported = r.log;
      parentPort!.postMessage({ t: 'wal', frames: r.log, checkpointed: r.checkpointed } satisfies CheckpointReport);
    }
  } catch {
    // A full or read-only disk makes checkpoints fail; the writer reports those errors.
  }
}

/**
 * pendingFrames reads how many WAL frames are not yet in the main file from the wal-index header
 * (sqlite.org/walformat.html: mxFrame at byte 16 of the first WalIndexHdr copy, nBackfill at byte
 * 96, the WalCkptInfo's first field; both u32 in native byte order), without taking any lock: a
 * torn read only mistimes one pass. Undefined when the wal-index cannot be read (a pass then runs
 * on every tick, as if busy).
 */
function pendingFrames(): number | undefined {
  if (shm === undefined) return undefined;
  try {
    if (readSync(shm, header, 0, header.length, 0) < header.length || header[12] !== 1) return undefined;
    const mxFrame = littleEndian ? header.readUInt32LE(16) : header.readUInt32BE(16);
    const backfill = littleEndian ? header.readUInt32LE(96) : header.readUInt32BE(96);
    return Math.max(0, mxFrame - backfill);
  } catch {
    return undefined;
  }
}

// Ticks keep their cadence from start to start: a slow pass (a busy disk) shortens the wait
// after it rather than pushing every later tick back.
let lastPassAt = performance.now();
function schedule(ms: number): void {
  timer = setTimeout(() => {
    const t0 = performance.now();
    const pending = pendingFrames();
    if (pending === undefined || pending >= busyFrames || (pending > 0 && t0 - lastPassAt >= intervalMs)) {
      pass();
      lastPassAt = t0;
    }
    schedule(Math.max(0, tickMs - (performance.now() - t0)));
  }, ms);
}
schedule(tickMs);

parentPort!.on('message', (msg: string) => {
  if (msg !== 'close') return;
  // The pending pass is the only one scheduled (each pass schedules the next): clearing it stops them.
  clearTimeout(timer);
  tracer?.close();
  db.close();
  closeSync(file);
  if (shm !== undefined) closeSync(shm);
  parentPort!.postMessage('closed');
  parentPort!.close();
});
