/**
 * WriterCore applies batches of writes to the log in one transaction each (group commit) and
 * runs compaction and lease expiry. It is synchronous and owns the only writing connection; it
 * runs either in a worker thread (files) or on the calling thread (in-memory databases).
 */
import Database from 'better-sqlite3';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyValue, StorageErrorCode, WatchEvent } from '../interface.js';
import { checkOwnership, configureWriter, initSchema, WRITER_SYNCHRONOUS, type LogRow } from './schema.js';
import { Links } from './links.js';
import { sched } from './trace.js';
import { CREATE, LEASE, MOD, SLOT, VERSION, type OpFailure, type WriteOp } from './wire.js';

export type { WriteOp } from './wire.js';

export type WriteResult =
  | { ok: true; kv: KeyValue; prevKv?: KeyValue; revision: number }
  | { ok: false; code: StorageErrorCode; message: string; current?: KeyValue; revision?: number };

export interface BatchOutcome {
  /** per op, SLOT numbers (see wire.ts): modRevision (0 when refused), createRevision, version, lease. */
  res: Float64Array;
  /** the refused ops, in op order. */
  fails: OpFailure[];
  /** minLease is the earliest lease (epoch seconds) of a committed put, Infinity if none. */
  minLease: number;
}

/**
 * CommitTiming describes the last applyBatch (milliseconds): its statements, its COMMIT (WAL
 * write and fsync), and the thread's CPU time and run-queue wait during the COMMIT (the rest of
 * it was spent blocked, in I/O). Measured only while `on` (tracing): otherwise a commit pays
 * for no clock reads.
 */
export interface CommitTiming {
  on: boolean;
  execMs: number;
  commitMs: number;
  commitCpuMs: number;
  commitRunqMs: number;
}

/** Meta is what the writer keeps in memory about a live key: everything a write checks or copies. */
interface Meta {
  id: number;
  create: number;
  version: number;
  lease: number;
}

/** kvFromRow turns a log row into the KeyValue it describes (for a delete: the tombstone). */
export function kvFromRow(r: LogRow): KeyValue {
  return {
    key: r.name,
    value: r.deleted ? Buffer.alloc(0) : r.value,
    createRevision: r.create_revision,
    modRevision: r.id,
    version: r.deleted ? 0 : r.version,
    lease: r.lease,
  };
}

/**
 * prevKvFromRow rebuilds the value a row replaced from `old_value`/`prev_lease`, which readers
 * join in from the previous row. The log stores old_value as NULL: for every row above the
 * compacted revision (the only ones a watch can replay) the previous row is retained, so keeping
 * a second copy of each value would only double the file.
 */
export function prevKvFromRow(r: LogRow): KeyValue | undefined {
  if (r.created || r.old_value === null || r.old_value === undefined) return undefined;
  return {
    key: r.name,
    value: r.old_value,
    createRevision: r.create_revision,
    modRevision: r.prev_revision,
    version: r.deleted ? r.version : r.version - 1,
    lease: r.prev_lease ?? r.lease,
  };
}

/** eventFromRow is the watch event a log row stands for. */
export function eventFromRow(r: LogRow): WatchEvent {
  const prevKv = prevKvFromRow(r);
  const ev: WatchEvent = { type: r.deleted ? 'DELETE' : 'PUT', kv: kvFromRow(r) };
  if (prevKv) ev.prevKv = prevKv;
  return ev;
}

/** sqliteErrorCode maps a SQLite failure to the StorageError code callers act on. */
export function sqliteErrorCode(err: unknown): { code: StorageErrorCode; message: string } {
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_FULL' || /ENOSPC|disk is full|database or disk is full/i.test(msg)) {
    return { code: 'NoSpace', message: `storage: no space left on device: ${msg}` };
  }
  if (code.startsWith('SQLITE_READONLY') || /EROFS|read-only/i.test(msg)) {
    return { code: 'ReadOnly', message: `storage: datastore is read-only: ${msg}` };
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return { code: 'Corrupt', message: `storage: datastore is corrupt: ${msg}` };
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return { code: 'Unavailable', message: `storage: I/O error: ${msg}` };
  }
  return { code: 'Unavailable', message: `storage: ${msg}` };
}

export class WriterCore {
  readonly db: Database.Database;
  private rev: number;
  private compactRev: number;
  private readonly stmts;
  /**
   * live holds every live key's latest row (rebuilt from the log on open): as the only writer,
   * the core checks and builds every write from memory and touches SQLite only to append.
   */
  private readonly live = new Map<string, Meta>();
  /** leased: the live keys with a lease (epoch seconds of expiry). */
  private readonly leased = new Map<string, number>();
  /** links: what compaction deletes for each row above the compacted revision (links.ts). */
  private readonly links: Links;

  private readonly path: string | undefined;
  private readonly memory: boolean;
  /** timing of the last applyBatch, overwritten by the next one (for tracing). */
  readonly timing: CommitTiming = { on: false, execMs: 0, commitMs: 0, commitCpuMs: 0, commitRunqMs: 0 };

  /**
   * @param linksCap bounds the rows compaction tracks in memory (default: Links' own cap); past
   * it compaction reads the log instead. Tests pass 0 to run that path.
   */
  constructor(pathOrDb: string | Database.Database, memory: boolean, linksCap?: number) {
    this.db = typeof pathOrDb === 'string' ? new Database(pathOrDb) : pathOrDb;
    this.path = typeof pathOrDb === 'string' ? pathOrDb : undefined;
    this.memory = memory;
    const name = typeof pathOrDb === 'string' ? pathOrDb : ':memory:';
    checkOwnership(this.db, name);
    configureWriter(this.db, memory);
    initSchema(this.db, name);
    const db = this.db;
    this.stmts = {
      insert: db.prepare(`INSERT INTO log(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`),
      setMeta: db.prepare(`UPDATE meta SET value = ? WHERE name = ?`),
      getMeta: db.prepare(`SELECT value FROM meta WHERE name = ?`).pluck(),
      compactPrev: db.prepare(`DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)`),
      deleteId: db.prepare(`DELETE FROM log WHERE id = ?`),
      compactTombstones: db.prepare(`DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1`),
      // BEGIN and COMMIT prepared once: db.exec would parse them again for every group commit.
      begin: db.prepare(`BEGIN IMMEDIATE`),
      commit: db.prepare(`COMMIT`),
      syncNormal: db.prepare(`PRAGMA synchronous = NORMAL`),
      syncRestore: db.prepare(`PRAGMA synchronous = ${WRITER_SYNCHRONOUS}`),
    };
    this.rev = this.stmts.getMeta.get('revision') as number;
    this.compactRev = this.stmts.getMeta.get('compact_revision') as number;
    this.links = new Links(this.compactRev + 1, linksCap);
    const rows = db.prepare(`SELECT name, id, deleted, create_revision, version, lease, prev_revision FROM log ORDER BY id`).raw().iterate() as IterableIterator<[string, number, number, number, number, number, number]>;
    for (const [key, id, deleted, create, version, lease, prev] of rows) {
      this.setLive(key, deleted ? undefined : { id, create, version, lease });
      if (id > this.compactRev) this.links.add(id, prev, deleted === 1);
    }
  }

  private setLive(key: string, meta: Meta | undefined): void {
    if (meta === undefined) {
      this.live.delete(key);
      this.leased.delete(key);
      return;
    }
    this.live.set(key, meta);
    if (meta.lease > 0) this.leased.set(key, meta.lease);
    else this.leased.delete(key);
  }

  get revision(): number {
    return this.rev;
  }

  get compactedRevision(): number {
    return this.compactRev;
  }

  /**
   * applyBatch runs every op in one transaction and reports per-op results. If the commit fails
   * (disk full, read-only), every op fails with the mapped code and nothing is half-written,
   * in SQLite or in memory.
   */
  applyBatch(ops: readonly WriteOp[], compact?: { target: number; rows: number }): BatchOutcome {
    const startRev = this.rev;
    let compactTo = this.compactRev;
    const res = new Float64Array(ops.length * SLOT);
    const fails: OpFailure[] = [];
    // undo restores `live` should the transaction fail after some ops changed it.
    const undo: Array<[string, Meta | undefined]> = [];
    let minLease = Infinity;
    const timed = this.timing.on;
    const t0 = timed ? performance.now() : 0;
    try {
      this.stmts.begin.run();
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        const cur = this.live.get(op.key);
        const fail = this.check(op, cur);
        if (fail !== undefined) {
          fails.push({ i, code: fail[0], message: fail[1] });
          continue;
        }
        const id = ++this.rev;
        const o = i * SLOT;
        res[o + MOD] = id;
        undo.push([op.key, cur]);
        if (op.kind === 'delete') {
          this.stmts.insert.run(id, op.key, 0, 1, cur!.create, cur!.id, cur!.lease, EMPTY, cur!.version);
          this.links.add(id, cur!.id, true);
          this.setLive(op.key, undefined);
          res[o + CREATE] = cur!.create;
          res[o + LEASE] = cur!.lease;
          continue;
        }
        const value = toBuffer(op.value);
        const lease = op.lease;
        if (lease > 0 && lease < minLease) minLease = lease;
        let meta: Meta;
        if (cur === undefined) {
          // A create's prev_revision is 0: nothing reads a previous value through it.
          meta = { id, create: id, version: 1, lease };
          this.stmts.insert.run(id, op.key, 1, 0, id, 0, lease, value, 1);
          this.links.add(id, 0, false);
        } else {
          meta = { id, create: cur.create, version: cur.version + 1, lease };
          this.stmts.insert.run(id, op.key, 0, 0, meta.create, cur.id, lease, value, meta.version);
          this.links.add(id, cur.id, false);
        }
        this.setLive(op.key, meta);
        res[o + CREATE] = meta.create;
        res[o + VERSION] = meta.version;
        res[o + LEASE] = lease;
      }
      if (this.rev !== startRev) this.stmts.setMeta.run(this.rev, 'revision');
      // Compaction rides along: its deletes share this commit's fsync instead of needing their own.
      if (compact) compactTo = this.compactRows(compact.target, compact.rows);
      const t1 = timed ? performance.now() : 0;
      const s0 = timed ? sched() : undefined;
      this.stmts.commit.run();
      this.compactRev = compactTo;
      this.links.dropThrough(compactTo);
      if (s0) {
        this.timing.execMs = t1 - t0;
        this.timing.commitMs = performance.now() - t1;
        const s1 = sched();
        this.timing.commitCpuMs = s1[0] - s0[0];
        this.timing.commitRunqMs = s1[1] - s0[1];
      }
    } catch (err) {
      if (this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The transaction may already be rolled back by SQLite itself (e.g. SQLITE_FULL).
        }
      }
      this.rev = startRev;
      this.links.truncate(startRev + 1);
      for (let j = undo.length - 1; j >= 0; j--) {
        const [key, meta] = undo[j]!;
        this.setLive(key, meta);
      }
      const mapped = sqliteErrorCode(err);
      // A disk remounted read-only under a running server shows up as a generic I/O error.
      if (mapped.code === 'Unavailable' && this.path !== undefined && onReadOnlyFs(dirname(this.path))) {
        mapped.code = 'ReadOnly';
        mapped.message = `storage: datastore ${this.path} is on a read-only filesystem: ${mapped.message}`;
      }
      return { res: new Float64Array(ops.length * SLOT), fails: ops.map((_, i) => ({ i, code: mapped.code, message: mapped.message })), minLease: Infinity };
    }
    return { res, fails, minLease };
  }

  /** check tells why op cannot apply to the key's current state, or undefined when it can. */
  private check(op: WriteOp, cur: Meta | undefined): [StorageErrorCode, string] | undefined {
    if (op.kind === 'create') return cur ? ['KeyExists', `key ${op.key} already exists`] : undefined;
    if (!cur) return ['NotFound', `key ${op.key} not found`];
    if (op.expected !== undefined && cur.id !== op.expected) {
      return ['Conflict', `key ${op.key} was modified (modRevision ${cur.id}, expected ${op.expected})`];
    }
    return undefined;
  }

  /**
   * compactStep compacts at most `rows` revisions after the current compacted revision, up to
   * `target`, in one short transaction, and returns the new compacted revision. A row is removed
   * when a newer row of the same key is also at or below the compacted revision; tombstones at
   * or below it go too. Every row above the compacted revision is kept, so reads and watches from
   * any retained revision stay exact.
   *
   * Unless `durable`, the step commits without its own fsync (synchronous=NORMAL): a write
   * queued behind it then waits for a little CPU, not for the disk. The next durable commit's
   * fsync of the WAL covers the step's frames too, and a step lost to a power cut only leaves
   * rows that the next compaction removes again (the log and every acknowledged write are as
   * before). Callers make the step that answers a compact() request durable.
   */
  compactStep(target: number, rows: number, durable = true): number {
    if (Math.min(target, this.rev, this.compactRev + rows) <= this.compactRev) return this.compactRev;
    const relaxed = !durable && !this.memory;
    if (relaxed) this.stmts.syncNormal.run();
    let to: number;
    try {
      this.stmts.begin.run();
      try {
        to = this.compactRows(target, rows);
        this.stmts.commit.run();
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      if (relaxed) this.stmts.syncRestore.run();
    }
    this.compactRev = to;
    this.links.dropThrough(to);
    return to;
  }

  /** compactRows does one compaction step inside the caller's transaction; it returns the new compacted revision. */
  private compactRows(target: number, rows: number): number {
    const from = this.compactRev;
    const to = Math.min(target, this.rev, from + rows);
    if (to <= from) return from;
    if (this.links.covers(from + 1, to)) {
      for (const id of this.links.deletions(from + 1, to)) this.stmts.deleteId.run(id);
    } else {
      this.stmts.compactPrev.run(from, to);
      this.stmts.compactTombstones.run(from, to);
    }
    this.stmts.setMeta.run(to, 'compact_revision');
    return to;
  }

  /** nextLeaseExpiry is the earliest lease (epoch seconds) of a live key, undefined if none. */
  nextLeaseExpiry(): number | undefined {
    let min = Infinity;
    for (const lease of this.leased.values()) if (lease < min) min = lease;
    return min === Infinity ? undefined : min;
  }

  /** expiredKeys lists up to `limit` live keys whose lease (epoch seconds) is at or before nowSec, earliest first. */
  expiredKeys(nowSec: number, limit: number): Array<{ name: string; id: number }> {
    const due: Array<{ name: string; id: number; lease: number }> = [];
    for (const [name, lease] of this.leased) if (lease <= nowSec) due.push({ name, id: this.live.get(name)!.id, lease });
    due.sort((a, b) => a.lease - b.lease);
    return due.slice(0, limit).map(({ name, id }) => ({ name, id }));
  }

  /**
   * checkpoint moves the WAL into the main file without blocking readers (PASSIVE) and tells
   * whether it got all of it, in which case the next write starts the WAL over from its start.
   */
  checkpoint(): { frames: number; complete: boolean } {
    const [r] = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return { frames: r?.log ?? 0, complete: r !== undefined && r.busy === 0 && r.checkpointed === r.log };
  }

  close(): void {
    this.db.close();
  }
}

const EMPTY = Buffer.alloc(0);

/** onReadOnlyFs tells whether dir sits on a read-only filesystem (EROFS, which binds root too). */
export function onReadOnlyFs(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS';
  }
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
