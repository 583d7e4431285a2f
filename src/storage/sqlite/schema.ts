/**
 * The on-disk format of the sqlite backend: a kine-style append-only log plus a small index of
 * live keys, and the checks that refuse files that are not ours.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { StorageError } from '../interface.js';

/** APPLICATION_ID marks k8ts databases ('k8ts' in ASCII) so foreign SQLite files are refused. */
export const APPLICATION_ID = 0x6b387473;

// log: one row per write; id is the revision. It is the only table that grows, and its only
// index is the primary key, so a write appends at the right edge of one B-tree and a group
// commit dirties a handful of pages (each secondary index on the key name costs a random leaf
// page per write: in SQLite CPU and WAL bytes about as much as the append itself). Nothing
// needs one: the writer and the store keep the live keys in memory (rebuilt from the log on
// open), a read at an older revision walks back from there through the rows after it (a
// primary-key range) and prev_revision, and compaction works on id ranges.
// meta.schema: 1 had kine's UNIQUE(name, prev_revision), an index on (name, id) and a kv table
// of live keys; initSchema migrates it to 2.
const SCHEMA_VERSION = 2;
/** LOG_COLUMNS: the log table's columns, for creating it and for the schema-1 migration's rebuild. */
const LOG_COLUMNS = `
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  value BLOB NOT NULL,
  old_value BLOB,
  version INTEGER NOT NULL
`;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS log (${LOG_COLUMNS});
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta(name, value) VALUES ('revision', 0), ('compact_revision', 0), ('schema', ${SCHEMA_VERSION});
`;

// MIGRATE_1 rebuilds log without its UNIQUE constraint (SQLite cannot drop one in place) and
// drops the name indexes and kv, all in one transaction.
const MIGRATE_1 = `
CREATE TABLE log_v2 (${LOG_COLUMNS});
INSERT INTO log_v2 SELECT id, name, created, deleted, create_revision, prev_revision, lease, value, old_value, version FROM log ORDER BY id;
DROP TABLE log;
ALTER TABLE log_v2 RENAME TO log;
DROP TABLE IF EXISTS kv;
UPDATE meta SET value = ${SCHEMA_VERSION} WHERE name = 'schema';
`;

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * checkFile refuses (StorageError 'Corrupt', naming the file) a path that exists, is not empty
 * and does not start with the SQLite header. It never writes to the file.
 */
export function checkFile(path: string): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new StorageError('Corrupt', `datastore file ${path} is not a regular file; refusing to start`);
    size = st.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (size === 0) return;
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) {
    throw new StorageError('Corrupt', `datastore file ${path} is not a SQLite database (corrupt or foreign file); refusing to start and leaving it untouched`);
  }
}

/**
 * WRITER_SYNCHRONOUS: the writer's synchronous level, every commit fsynced; a compaction step
 * that relaxes it (core.ts compactStep) restores this.
 */
export const WRITER_SYNCHRONOUS = 'FULL';

/** WAL_MAX_BYTES: as large as the WAL gets (engine.ts WAL_MAX_FRAMES is this in 4 KiB pages). */
export const WAL_MAX_BYTES = 64 * 1024 * 1024;

/** pragmas for the writing connection: WAL, durable commits, bounded WAL. */
export function configureWriter(db: Database.Database, memory: boolean): void {
  if (!memory) {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${WRITER_SYNCHRONOUS}`);
    // As large as the WAL gets: a WAL that starts over keeps its blocks.
    db.pragma(`journal_size_limit = ${WAL_MAX_BYTES}`);
    db.pragma('wal_autocheckpoint = 1000');
  }
  db.pragma('busy_timeout = 5000');
  db.pragma(`cache_size = ${WRITER_CACHE_KIB}`);
}

/**
 * WRITER_CACHE_KIB (negative: KiB, as cache_size takes it) is small on purpose. The writer only
 * needs the log's right edge and the pages compaction reads just behind compactKeep (other reads
 * come from the OS page cache). And SQLite scans its whole page-cache hash table at the end of
 * every write transaction whose B-tree rebalance parked a page at the lock-byte page number
 * (balance_nonroot sorts sibling pages through it; compaction's deletes and the freelist make
 * that common): with 32 MiB (~8000 pages) that scan was 18% of the writer's CPU, with 2 MiB 2%.
 */
const WRITER_CACHE_KIB = -2048;

/**
 * initSchema creates the schema in a new database, or verifies an existing one is a k8ts
 * database; a foreign database is refused with 'Corrupt' naming the file.
 */
export function initSchema(db: Database.Database, path: string): void {
  checkOwnership(db, path);
  if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
  db.exec(SCHEMA);
  const version = db.prepare(`SELECT value FROM meta WHERE name = 'schema'`).pluck().get() as number;
  if (version > SCHEMA_VERSION) {
    throw new StorageError('Corrupt', `datastore file ${path} has schema ${version}, newer than this k8ts understands (${SCHEMA_VERSION}); refusing to start and leaving it untouched`);
  }
  if (version < SCHEMA_VERSION) db.transaction(() => db.exec(MIGRATE_1))();
}

/**
 * checkOwnership refuses a database that holds tables but is not a k8ts database. It only reads,
 * so it must run before anything (even a journal-mode pragma) writes to the file.
 */
export function checkOwnership(db: Database.Database, path: string): void {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = (db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number }).n;
  if (appId !== APPLICATION_ID) {
    if (tables > 0) {
      throw new StorageError('Corrupt', `datastore file ${path} is a SQLite database of another application (application_id ${appId}); refusing to start and leaving it untouched`);
    }
  }
}

/** LogRow is one row of the log table as better-sqlite3 returns it. */
export interface LogRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  lease: number;
  value: Buffer;
  /** old_value is NULL in the table; readers join it in from the previous row. */
  old_value?: Buffer | null;
  /** prev_lease is the previous row's lease, joined in by readers. */
  prev_lease?: number | null;
  version: number;
}
