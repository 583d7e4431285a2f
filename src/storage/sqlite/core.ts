/**
 * WriterCore applies batches of writes to the log in one transaction each (group commit) and
 * runs compaction and lease expiry. It is synchronous and owns the only writing connection; it
 * runs either in a worker thread (files) or on the calling thread (in-memory databases).
 */
import Database from 'better-sqlite3';
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { KeyValue, StorageErrorCode, WatchEvent } from '../interface.js';
import { checkOwnership, configureWriter, initSchema, type LogRow } from './schema.js';

export type WriteOp =
  | { kind: 'create'; key: string; value: Uint8Array; lease: number }
  | { kind: 'update'; key: string; value: Uint8Array; expected: number; lease: number }
  | { kind: 'delete'; key: string; expected?: number };

export type WriteResult =
  | { ok: true; kv: KeyValue; prevKv?: KeyValue; revision: number }
  | { ok: false; code: StorageErrorCode; message: string; current?: KeyValue; revision?: number };

export interface BatchOutcome {
  results: WriteResult[];
  /** events of the committed writes, in revision order. */
  events: WatchEvent[];
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

  private readonly path: string | undefined;

  constructor(pathOrDb: string | Database.Database, memory: boolean) {
    this.db = typeof pathOrDb === 'string' ? new Database(pathOrDb) : pathOrDb;
    this.path = typeof pathOrDb === 'string' ? pathOrDb : undefined;
    const name = typeof pathOrDb === 'string' ? pathOrDb : ':memory:';
    checkOwnership(this.db, name);
    configureWriter(this.db, memory);
    initSchema(this.db, name);
    const db = this.db;
    this.stmts = {
      current: db.prepare(`SELECT log.id, log.name, log.created, log.deleted, log.create_revision, log.prev_revision, log.lease, log.value, log.version FROM kv JOIN log ON log.id = kv.id WHERE kv.name = ?`),
      lastId: db.prepare(`SELECT MAX(id) AS id FROM log WHERE name = ?`),
      insert: db.prepare(`INSERT INTO log(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`),
      upsertKv: db.prepare(`INSERT INTO kv(name, id, lease) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET id = excluded.id, lease = excluded.lease`),
      deleteKv: db.prepare(`DELETE FROM kv WHERE name = ?`),
      setMeta: db.prepare(`UPDATE meta SET value = ? WHERE name = ?`),
      getMeta: db.prepare(`SELECT value FROM meta WHERE name = ?`).pluck(),
      compactPrev: db.prepare(`DELETE FROM log WHERE id IN (SELECT prev_revision FROM log WHERE id > ? AND id <= ? AND prev_revision > 0)`),
      compactTombstones: db.prepare(`DELETE FROM log WHERE id > ? AND id <= ? AND deleted = 1`),
      minLease: db.prepare(`SELECT MIN(lease) FROM kv WHERE lease > 0`).pluck(),
      expired: db.prepare(`SELECT name, id FROM kv WHERE lease > 0 AND lease <= ? ORDER BY lease LIMIT ?`),
    };
    this.rev = this.stmts.getMeta.get('revision') as number;
    this.compactRev = this.stmts.getMeta.get('compact_revision') as number;
  }

  get revision(): number {
    return this.rev;
  }

  get compactedRevision(): number {
    return this.compactRev;
  }

  /**
   * applyBatch runs every op in one transaction and returns per-op results. If the commit fails
   * (disk full, read-only), every op fails with the mapped code and nothing is half-written.
   */
  applyBatch(ops: WriteOp[], compact?: { target: number; rows: number }): BatchOutcome {
    const startRev = this.rev;
    let compactTo = this.compactRev;
    const results: WriteResult[] = [];
    const events: WatchEvent[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const op of ops) {
        const r = this.applyOne(op);
        results.push(r);
        if (r.ok) {
          const ev: WatchEvent = { type: op.kind === 'delete' ? 'DELETE' : 'PUT', kv: r.kv };
          if (r.prevKv) ev.prevKv = r.prevKv;
          events.push(ev);
        }
      }
      if (this.rev !== startRev) this.stmts.setMeta.run(this.rev, 'revision');
      // Compaction rides along: its deletes share this commit's fsync instead of needing their own.
      if (compact) compactTo = this.compactRows(compact.target, compact.rows);
      this.db.exec('COMMIT');
      this.compactRev = compactTo;
    } catch (err) {
      if (this.db.inTransaction) {
        try {
          this.db.exec('ROLLBACK');
        } catch {
          // The transaction may already be rolled back by SQLite itself (e.g. SQLITE_FULL).
        }
      }
      this.rev = startRev;
      const mapped = sqliteErrorCode(err);
      // A disk remounted read-only under a running server shows up as a generic I/O error.
      if (mapped.code === 'Unavailable' && this.path !== undefined && onReadOnlyFs(dirname(this.path))) {
        mapped.code = 'ReadOnly';
        mapped.message = `storage: datastore ${this.path} is on a read-only filesystem: ${mapped.message}`;
      }
      return { results: ops.map(() => ({ ok: false, code: mapped.code, message: mapped.message })), events: [] };
    }
    return { results, events };
  }

  private applyOne(op: WriteOp): WriteResult {
    const cur = this.stmts.current.get(op.key) as LogRow | undefined;
    const curKv = cur ? kvFromRow(cur) : undefined;
    if (op.kind === 'create') {
      if (cur) return { ok: false, code: 'KeyExists', message: `key ${op.key} already exists`, current: curKv! };
      const last = (this.stmts.lastId.get(op.key) as { id: number | null }).id ?? 0;
      const id = ++this.rev;
      const value = toBuffer(op.value);
      this.stmts.insert.run(id, op.key, 1, 0, id, last, op.lease, value, 1);
      this.stmts.upsertKv.run(op.key, id, op.lease);
      return { ok: true, kv: { key: op.key, value, createRevision: id, modRevision: id, version: 1, lease: op.lease }, revision: id };
    }
    if (!cur) return { ok: false, code: 'NotFound', message: `key ${op.key} not found` };
    if (op.expected !== undefined && cur.id !== op.expected) {
      return { ok: false, code: 'Conflict', message: `key ${op.key} was modified (modRevision ${cur.id}, expected ${op.expected})`, current: curKv! };
    }
    const id = ++this.rev;
    const prevKv = curKv!;
    if (op.kind === 'update') {
      const value = toBuffer(op.value);
      const version = cur.version + 1;
      this.stmts.insert.run(id, op.key, 0, 0, cur.create_revision, cur.id, op.lease, value, version);
      this.stmts.upsertKv.run(op.key, id, op.lease);
      return { ok: true, kv: { key: op.key, value, createRevision: cur.create_revision, modRevision: id, version, lease: op.lease }, prevKv, revision: id };
    }
    this.stmts.insert.run(id, op.key, 0, 1, cur.create_revision, cur.id, cur.lease, EMPTY, cur.version);
    this.stmts.deleteKv.run(op.key);
    return { ok: true, kv: { key: op.key, value: Buffer.alloc(0), createRevision: cur.create_revision, modRevision: id, version: 0, lease: cur.lease }, prevKv, revision: id };
  }

  /**
   * compactStep compacts at most `rows` revisions after the current compacted revision, up to
   * `target`, in one short transaction, and returns the new compacted revision. A row is removed
   * when a newer row of the same key is also at or below the compacted revision; tombstones at
   * or below it go too. Every row above the compacted revision is kept, so reads and watches from
   * any retained revision stay exact.
   */
  compactStep(target: number, rows: number): number {
    if (Math.min(target, this.rev, this.compactRev + rows) <= this.compactRev) return this.compactRev;
    this.db.exec('BEGIN IMMEDIATE');
    let to: number;
    try {
      to = this.compactRows(target, rows);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    this.compactRev = to;
    return to;
  }

  /** compactRows does one compaction step inside the caller's transaction; it returns the new compacted revision. */
  private compactRows(target: number, rows: number): number {
    const from = this.compactRev;
    const to = Math.min(target, this.rev, from + rows);
    if (to <= from) return from;
    this.stmts.compactPrev.run(from, to);
    this.stmts.compactTombstones.run(from, to);
    this.stmts.setMeta.run(to, 'compact_revision');
    return to;
  }

  /** nextLeaseExpiry is the earliest lease (epoch seconds) of a live key, undefined if none. */
  nextLeaseExpiry(): number | undefined {
    const v = this.stmts.minLease.get() as number | null;
    return v ?? undefined;
  }

  /** expiredKeys lists live keys whose lease (epoch seconds) is at or before nowSec. */
  expiredKeys(nowSec: number, limit: number): Array<{ name: string; id: number }> {
    return this.stmts.expired.all(nowSec, limit) as Array<{ name: string; id: number }>;
  }

  /** checkpoint moves the WAL into the main file without blocking readers (PASSIVE). */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
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
