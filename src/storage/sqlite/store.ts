/**
 * SqliteStorage: the embedded backend. Writes go to a WriterEngine (in a worker thread for
 * files, so fsyncs never stall the event loop) and are acknowledged once their group commit is
 * durable; reads run on this thread through a separate read-only connection, which in WAL mode
 * sees every committed transaction; watch events come back from the writer in revision order.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  StorageError,
  isStorageError,
  type GetOptions,
  type GetResult,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type PutOptions,
  type Storage,
  type StorageErrorCode,
  type TryUpdate,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from '../interface.js';
import { MAX_VALUE_BYTES, prefixEnd, prefixSuccessor } from '../keys.js';
import { SortedMap } from '../sorted-map.js';
import type { StorageOptions } from '../options.js';
import { guaranteedUpdate } from '../update.js';
import { WatchHub } from '../watch-hub.js';
import { WriterCore, eventFromRow, kvFromRow, onReadOnlyFs, sqliteErrorCode, type WriteResult } from './core.js';
import { WriterEngine, type EngineConfig, type InMsg, type OutMsg } from './engine.js';
import { acquireLock } from './lock.js';
import { APPLICATION_ID, checkFile, type LogRow } from './schema.js';
import { TRACE_FILE, Tracer } from './trace.js';
import { CREATE, LEASE, MOD, SLOT, VERSION, decodeOps, encodeOps, type WriteOp } from './wire.js';
import { smallInt } from '../../util/smallint.js';

/** Link is the message channel to the writer, whichever thread it runs on. */
interface Link {
  post(msg: InMsg, transfer?: ArrayBuffer[]): void;
  terminate(): Promise<void>;
  /** busy keeps the process alive while replies are awaited (the writer is unref'd when idle). */
  busy(on: boolean): void;
}

/** Pending is one write on its way: `done` settles the caller's promise from the writer's answer. */
type Pending = { done: (r: WriteResult) => void; op: WriteOp };
type Committed = Extract<WriteResult, { ok: true }>;

const kvOf = (r: Committed): KeyValue => r.kv;
const deletedOf = (r: Committed): { prevKv: KeyValue; revision: number } => ({ prevKv: r.prevKv!, revision: r.revision });

function bytes(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

const EMPTY = Buffer.alloc(0);

function leaseFor(opts?: PutOptions): number {
  if (!opts?.ttlSeconds || opts.ttlSeconds <= 0) return 0;
  // The lease id is its expiry in epoch seconds: writes expiring in the same second share it.
  return Math.ceil(Date.now() / 1000 + opts.ttlSeconds);
}

export class SqliteStorage implements Storage {
  readonly backend = 'sqlite';
  private readonly hub: WatchHub;
  /**
   * live holds every live key at revision hub.delivered, kept current from the writer's events:
   * latest gets, lists and counts never touch SQLite, and values are shared, not copied.
   */
  private readonly live = new SortedMap<KeyValue>();
  private readonly stmts;
  private readonly readTx;
  private outbox: Pending[] = [];
  private outboxScheduled = false;
  private nextId = 1;
  private readonly inflight = new Map<number, Pending[]>();
  /**
   * mainTrace, while K8TS_SQLITE_TRACE is set, records each write message's life on this thread
   * (`<file>.main`): how long its oldest write waited to be sent (the rest of the event loop's
   * turn), and from sending until this thread took up the writer's reply (the commit plus any
   * wait for this event loop).
   */
  private readonly mainTrace: { tracer: Tracer; firstAt: number; sent: Map<number, { at: number; n: number; queued: number }> } | undefined;
  private readonly compactWaiters = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  private closeWaiter: (() => void) | undefined;
  private closed = false;
  private broken: StorageError | undefined;
  private link!: Link;

  private constructor(
    private readonly reader: Database.Database,
    startRevision: number,
    opts: StorageOptions,
    private readonly releaseLock: () => void,
    private readonly ownsReader: boolean,
  ) {
    this.hub = new WatchHub(startRevision, opts.progressIntervalMs ?? 5000);
    this.mainTrace = TRACE_FILE && ownsReader ? { tracer: new Tracer(TRACE_FILE + '.main'), firstAt: 0, sent: new Map() } : undefined;
    const r = reader;
    this.stmts = {
      meta: r.prepare(`SELECT value FROM meta WHERE name = ?`).pluck(),
      byId: r.prepare(`SELECT * FROM log WHERE id = ?`),
      // Rows after a revision, oldest first: each key's first one tells its state before them.
      after: r.prepare(`SELECT name, created, prev_revision FROM log WHERE id > ? AND id <= ? ORDER BY id`).raw(),
      afterForKey: r.prepare(`SELECT name, created, prev_revision FROM log WHERE id > ? AND id <= ? AND name = ? ORDER BY id LIMIT 1`).raw(),
      between: r.prepare(`SELECT * FROM log WHERE id > ? AND id <= ? ORDER BY id`),
      history: r.prepare(`SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision, l.lease, l.value, l.version, p.value AS old_value, p.lease AS prev_lease FROM log l LEFT JOIN log p ON p.id = l.prev_revision WHERE l.id > ? AND l.id <= ? AND l.name >= ? AND l.name < CAST(? AS TEXT) ORDER BY l.id`),
    };
    // A read transaction gives one consistent snapshot for the revision and the rows.
    this.readTx = <A extends unknown[], T>(fn: (...a: A) => T) => r.transaction(fn);
    const loaded = this.readTx(() => {
      // Each key's last row, found by id alone (the log has no other index); then only those rows are read in full.
      const latest = new Map<string, number>();
      for (const [name, id, deleted] of r.prepare(`SELECT name, id, deleted FROM log ORDER BY id`).raw().iterate() as IterableIterator<[string, number, number]>) {
        if (deleted) latest.delete(name);
        else latest.set(name, id);
      }
      const rows = [...latest.values()].map((id) => this.stmts.byId.get(id) as LogRow);
      rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { rows, rev: this.stmts.meta.get('revision') as number };
    })();
    for (const row of loaded.rows) this.live.set(row.name, kvFromRow(row));
    this.hub.delivered = Math.max(startRevision, loaded.rev);
  }

  /** open opens (creating if needed) the database at `path`, or an in-memory one when undefined. */
  static async open(path: string | undefined, opts: StorageOptions = {}): Promise<SqliteStorage> {
    const cfg: EngineConfig = {
      path: path ?? ':memory:',
      memory: path === undefined,
      compactKeep: opts.compactKeep ?? 1000,
      compactIntervalMs: opts.compactIntervalMs ?? 30_000,
      compactBatchRows: opts.compactBatchRows ?? 200,
    };
    if (path === undefined) {
      const db = new Database(':memory:');
      const core = new WriterCore(db, true);
      let store: SqliteStorage | undefined;
      const engine = new WriterEngine(cfg, (msg) => store!.onMessage(msg), core);
      store = new SqliteStorage(db, core.revision, opts, () => {}, false);
      store.link = {
        post: (msg) => engine.handle(msg),
        terminate: async () => {},
        busy: () => {},
      };
      return store;
    }
    if (onReadOnlyFs(dirname(path))) return SqliteStorage.openReadOnly(path, opts);
    mkdirSync(dirname(path), { recursive: true });
    checkFile(path);
    const release = acquireLock(path + '.lock');
    try {
      if (opts.writerThread === false) {
        const core = new WriterCore(path, false);
        const reader = openReader(path);
        let store: SqliteStorage | undefined;
        const engine = new WriterEngine(cfg, (msg) => store!.onMessage(msg), core);
        store = new SqliteStorage(reader, core.revision, opts, release, true);
        store.link = { post: (msg) => engine.handle(msg), terminate: async () => {}, busy: () => {} };
        return store;
      }
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: cfg });
      const ready = await new Promise<{ revision: number }>((resolve, reject) => {
        const onMsg = (msg: OutMsg): void => {
          worker.off('message', onMsg);
          worker.off('error', reject);
          if (msg.t === 'ready') resolve(msg);
          else if (msg.t === 'fatal') reject(new StorageError(msg.code as StorageErrorCode, `cannot open datastore ${path}: ${msg.message}`));
          else reject(new StorageError('Unavailable', `unexpected message from writer: ${msg.t}`));
        };
        worker.on('message', onMsg);
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new StorageError('Unavailable', `storage writer thread exited (code ${code}) before it was ready`)));
      }).catch(async (err) => {
        await worker.terminate();
        throw err;
      });
      const reader = openReader(path);
      const store = new SqliteStorage(reader, ready.revision, opts, release, true);
      store.link = {
        post: (msg, transfer) => worker.postMessage(msg, transfer),
        terminate: async () => {
          await worker.terminate();
        },
        busy: (on) => (on ? worker.ref() : worker.unref()),
      };
      worker.on('message', (msg: OutMsg) => store.onMessage(msg));
      worker.on('error', (err) => store.fail(new StorageError('Unavailable', `storage writer crashed: ${err.message}`, {}, { cause: err })));
      worker.on('exit', (code) => {
        if (!store.closed) store.fail(new StorageError('Unavailable', `storage writer exited unexpectedly (code ${code})`));
      });
      worker.unref();
      return store;
    } catch (err) {
      release();
      if (isStorageError(err)) throw err;
      const mapped = sqliteErrorCode(err);
      throw new StorageError(mapped.code, `cannot open datastore ${path}: ${mapped.message}`, {}, { cause: err });
    }
  }

  /**
   * openReadOnly serves reads from a database on a read-only filesystem; every write fails with
   * 'ReadOnly' until the store is reopened on a writable disk.
   */
  private static openReadOnly(path: string, opts: StorageOptions): SqliteStorage {
    checkFile(path);
    let reader: Database.Database;
    try {
      let walBytes = 0;
      try {
        walBytes = statSync(path + '-wal').size;
      } catch {
        // No WAL: the main file holds every committed write.
      }
      if (walBytes > 0) {
        throw new StorageError('ReadOnly', `datastore ${path} is on a read-only filesystem with an un-checkpointed WAL (${path}-wal); remount it read-write to recover`);
      }
      // SQLite cannot open a WAL database where it cannot create the -shm file, so the file is
      // read into memory (marked as a rollback-journal database in the copy only; the file on
      // disk is never touched).
      const image = readFileSync(path);
      if (image.length >= 20) {
        image[18] = 1;
        image[19] = 1;
      }
      reader = new Database(image, { readonly: true });
      if (reader.pragma('application_id', { simple: true }) !== APPLICATION_ID) {
        reader.close();
        throw new StorageError('Corrupt', `datastore file ${path} is not a k8ts database; refusing to start and leaving it untouched`);
      }
    } catch (err) {
      if (isStorageError(err)) throw err;
      throw new StorageError('ReadOnly', `datastore ${path} is on a read-only filesystem and cannot be read: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
    const rev = reader.prepare(`SELECT value FROM meta WHERE name = 'revision'`).pluck().get() as number;
    const store = new SqliteStorage(reader, rev, opts, () => {}, true);
    const refusal = { ok: false as const, code: 'ReadOnly' as const, message: `storage: datastore ${path} is on a read-only filesystem` };
    store.link = {
      post: (msg) =>
        queueMicrotask(() => {
          if (msg.t === 'write') {
            const n = decodeOps(msg.buf, msg.len).length;
            store.onMessage({ t: 'batch', ids: [msg.id], res: new Float64Array(n * SLOT), fails: Array.from({ length: n }, (_, i) => ({ ...refusal, i })), internal: [], revision: rev });
          }
          else if (msg.t === 'compact') store.onMessage({ t: 'compacted', ids: [msg.id], revision: 0, error: refusal });
          else store.onMessage({ t: 'closed', id: msg.id });
        }),
      terminate: async () => {},
      busy: () => {},
    };
    return store;
  }

  private post(msg: InMsg, transfer?: ArrayBuffer[]): void {
    this.link.busy(true);
    this.link.post(msg, transfer);
  }

  private settle(): void {
    if (this.inflight.size === 0 && this.compactWaiters.size === 0 && !this.closeWaiter) this.link.busy(false);
  }

  private onMessage(msg: OutMsg): void {
    this.handleMessage(msg);
    this.settle();
  }

  private handleMessage(msg: OutMsg): void {
    switch (msg.t) {
      case 'batch': {
        const t0 = this.mainTrace ? performance.now() : 0;
        this.applyBatch(msg);
        if (this.mainTrace) this.traceReply(msg.ids, t0);
        return;
      }
      case 'compacted':
        for (const id of msg.ids) {
          const w = this.compactWaiters.get(id);
          if (!w) continue;
          this.compactWaiters.delete(id);
          if (msg.error) w.reject(new StorageError(msg.error.code as StorageErrorCode, msg.error.message));
          else w.resolve();
        }
        return;
      case 'closed':
        this.closeWaiter?.();
        return;
      case 'fatal':
        this.fail(new StorageError(msg.code as StorageErrorCode, msg.message));
        return;
      case 'ready':
        return;
    }
  }

  /**
   * applyBatch turns one group commit's reply into KeyValues, watch events and answers. The
   * writer sends revisions and metadata only: values come from the ops sent, and prevKv (and a
   * refused write's `current`) from the live index, which holds exactly the state before each op.
   */
  private applyBatch(msg: Extract<OutMsg, { t: 'batch' }>): void {
    const { res, fails } = msg;
    const events: WatchEvent[] = [];
    const answers: Array<[Pending, WriteResult]> = [];
    let idx = 0;
    let fi = 0;
    let internal = 0;
    const one = (op: WriteOp, p: Pending | undefined): void => {
      const o = idx * SLOT;
      // Small integers, not the doubles a Float64Array yields: the live index keeps these
      // KeyValues, and a double field is a boxed heap number in each (four per live key).
      const mod = smallInt(res[o + MOD]!);
      const key = op.key;
      if (mod === 0) {
        const f = fails[fi++]!;
        if (!p) return;
        const r: WriteResult = { ok: false, code: f.code, message: f.message };
        if (f.code === 'Conflict' || f.code === 'KeyExists') {
          const cur = this.live.get(key);
          if (cur) r.current = cur;
        }
        answers.push([p, r]);
        return;
      }
      const prev = this.live.get(key);
      let kv: KeyValue;
      let ev: WatchEvent;
      if (op.kind === 'delete') {
        kv = { key, value: EMPTY, createRevision: smallInt(res[o + CREATE]!), modRevision: mod, version: 0, lease: smallInt(res[o + LEASE]!) };
        ev = { type: 'DELETE', kv };
        this.live.delete(key);
      } else {
        kv = { key, value: bytes(op.value), createRevision: smallInt(res[o + CREATE]!), modRevision: mod, version: smallInt(res[o + VERSION]!), lease: smallInt(res[o + LEASE]!) };
        ev = { type: 'PUT', kv };
        this.live.set(key, kv);
      }
      if (prev) ev.prevKv = prev;
      events.push(ev);
      if (p) answers.push([p, prev ? { ok: true, kv, prevKv: prev, revision: mod } : { ok: true, kv, revision: mod }]);
    };
    for (const id of msg.ids) {
      if (id === 0) {
        for (const key of msg.internal[internal++]!) {
          one({ kind: 'delete', key }, undefined);
          idx++;
        }
        continue;
      }
      const waiters = this.inflight.get(id);
      if (!waiters) continue;
      this.inflight.delete(id);
      for (const w of waiters) {
        one(w.op, w);
        idx++;
      }
    }
    // Watchers hear about a write before its writer is acknowledged.
    this.hub.deliver(events, msg.revision);
    for (const [p, r] of answers) p.done(r);
  }

  /** traceReply records, per write message of a reply, its wait to be sent, its round trip, and this reply's handling. */
  private traceReply(ids: readonly number[], t0: number): void {
    const mt = this.mainTrace!;
    const apply = performance.now() - t0;
    const r = (x: number): number => Math.round(x * 1000) / 1000;
    for (const id of ids) {
      const s = mt.sent.get(id);
      if (!s) continue;
      mt.sent.delete(id);
      mt.tracer.add({ t: r(performance.timeOrigin + s.at), n: s.n, queued: r(s.queued), rtt: r(t0 - s.at), apply: r(apply) });
    }
  }

  private fail(err: StorageError): void {
    this.broken = err;
    for (const waiters of this.inflight.values()) for (const w of waiters) w.done({ ok: false, code: err.code, message: err.message });
    this.inflight.clear();
    for (const w of this.compactWaiters.values()) w.reject(err);
    this.compactWaiters.clear();
    this.closeWaiter?.();
  }

  private check(): void {
    if (this.closed) throw new StorageError('Closed', 'storage closed');
    if (this.broken) throw this.broken;
  }

  /**
   * submit queues op for the writer and settles with map(result) once its group commit is
   * durable, or rejects with the StorageError the writer reported. One promise per write: writes
   * are the hot path.
   */
  private submit<T>(op: WriteOp, map: (r: Committed) => T): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError('Closed', 'storage closed'));
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      this.outbox.push({
        op,
        done: (r) => {
          if (r.ok) return resolve(map(r));
          const details: { key: string; current?: KeyValue } = { key: op.key };
          if (r.current) details.current = r.current;
          reject(new StorageError(r.code, r.message, details));
        },
      });
      if (!this.outboxScheduled) {
        this.outboxScheduled = true;
        if (this.mainTrace) this.mainTrace.firstAt = performance.now();
        // Writes issued in the same turn of the event loop travel to the writer in one message
        // (setImmediate, not a microtask: one poll phase reads many requests, and each
        // postMessage costs a serialization and a wake-up of the writer thread). The batch leaves
        // before the loop can block again, so no write waits on I/O to be sent.
        setImmediate(this.sendOutboxNow);
      }
    });
  }

  private readonly sendOutboxNow = (): void => this.sendOutbox();

  private sendOutbox(): void {
    this.outboxScheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0) return;
    const id = this.nextId++;
    this.inflight.set(id, batch);
    if (this.mainTrace) {
      const at = performance.now();
      this.mainTrace.sent.set(id, { at, n: batch.length, queued: at - this.mainTrace.firstAt });
    }
    const { buf, len } = encodeOps(batch.map((b) => b.op));
    this.post({ t: 'write', id, buf, len }, [buf]);
  }

  private checkValue(key: string, value: Buffer): StorageError | undefined {
    if (value.length <= MAX_VALUE_BYTES) return undefined;
    return new StorageError('TooLarge', `value of ${key} is ${value.length} bytes, over the ${MAX_VALUE_BYTES} byte limit`, { key });
  }

  private revisions(): { rev: number; compact: number } {
    return { rev: this.stmts.meta.get('revision') as number, compact: this.stmts.meta.get('compact_revision') as number };
  }

  private checkRevision(requested: number, rev: number, compact: number): void {
    if (requested > rev) throw new StorageError('FutureRevision', `revision ${requested} is newer than the current revision ${rev}`, { revision: rev });
    if (requested < compact) throw new StorageError('Compacted', `required revision ${requested} has been compacted (compacted revision ${compact})`, { revision: compact });
  }

  async currentRevision(): Promise<number> {
    this.check();
    return this.hub.delivered;
  }

  async get(key: string, opts: GetOptions = {}): Promise<GetResult> {
    this.check();
    const delivered = this.hub.delivered;
    if (!opts.revision || opts.revision <= 0 || opts.revision === delivered) return { kv: this.live.get(key), revision: delivered };
    const at = opts.revision;
    return this.readTx(() => {
      const { rev, compact } = this.revisions();
      this.checkRevision(at, rev, compact);
      const changed = this.changedAt(at, (k) => k === key, key);
      return { kv: changed.has(key) ? changed.get(key) : this.live.get(key), revision: at };
    })();
  }

  /**
   * changedAt runs inside a read transaction. For the keys that match and were written between
   * revision `at` and the live index's revision, it maps each to its KeyValue at `at`
   * (undefined: absent then); every other key is at `at` as the live index holds it. Going
   * back, a key's first row after `at` names its row at `at` (prev_revision), or is a create (the
   * key was absent): compaction never removes a row whose successor is above the compacted
   * revision, so that row is there. `key` narrows the scan to one key.
   */
  private changedAt(at: number, match: (key: string) => boolean, key?: string): Map<string, KeyValue | undefined> {
    const delivered = this.hub.delivered;
    const out = new Map<string, KeyValue | undefined>();
    if (at > delivered) {
      // Committed but not yet delivered here: replay forward from the live index.
      for (const row of this.stmts.between.iterate(delivered, at) as IterableIterator<LogRow>) {
        if (match(row.name)) out.set(row.name, row.deleted ? undefined : kvFromRow(row));
      }
      return out;
    }
    const rows = (key === undefined ? this.stmts.after.iterate(at, delivered) : this.stmts.afterForKey.iterate(at, delivered, key)) as IterableIterator<[string, number, number]>;
    for (const [name, created, prev] of rows) {
      if (out.has(name) || !match(name)) continue;
      if (created || prev === 0) {
        out.set(name, undefined);
        continue;
      }
      const row = this.stmts.byId.get(prev) as LogRow | undefined;
      out.set(name, row && !row.deleted ? kvFromRow(row) : undefined);
    }
    return out;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.check();
    const delivered = this.hub.delivered;
    if (!opts.revision || opts.revision <= 0 || opts.revision === delivered) return this.listLive(prefix, opts, delivered);
    const at = opts.revision;
    return this.readTx(() => {
      const { rev, compact } = this.revisions();
      this.checkRevision(at, rev, compact);
      const from = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
      const to = prefixSuccessor(prefix);
      const inRange = (k: string): boolean => k >= from && (to === undefined || k < to);
      const changed = this.changedAt(at, inRange);
      const extra: KeyValue[] = [];
      for (const kv of changed.values()) if (kv) extra.push(kv);
      extra.sort((a, b) => (a.key < b.key ? -1 : 1));
      // Merge the live keys not written since `at` with the changed keys' values at `at`.
      const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
      const kvs: KeyValue[] = [];
      let more = false;
      const add = (kv: KeyValue): boolean => {
        if (kvs.length === limit) {
          more = true;
          return false;
        }
        kvs.push(kv);
        return true;
      };
      let ei = 0;
      this.live.range(from, to, (k, kv) => {
        while (ei < extra.length && extra[ei]!.key < k) if (!add(extra[ei++]!)) return false;
        return changed.has(k) || add(kv);
      });
      while (!more && ei < extra.length) add(extra[ei++]!);
      const result: ListResult = { kvs, revision: at, more };
      if (more) {
        const last = kvs[kvs.length - 1]!.key;
        let remaining = this.live.countRange(last + '\0', to);
        for (const [k, kv] of changed) {
          if (k <= last) continue;
          if (this.live.get(k)) remaining--;
          if (kv) remaining++;
        }
        result.remaining = remaining;
      }
      return result;
    })();
  }

  private listLive(prefix: string, opts: ListOptions, revision: number): ListResult {
    const from = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const to = prefixSuccessor(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const kvs: KeyValue[] = [];
    let more = false;
    this.live.range(from, to, (_k, kv) => {
      if (kvs.length === limit) {
        more = true;
        return false;
      }
      kvs.push(kv);
      return true;
    });
    const result: ListResult = { kvs, revision, more };
    if (more) result.remaining = this.live.countRange(kvs[kvs.length - 1]!.key + '\0', to);
    return result;
  }

  async count(prefix: string): Promise<number> {
    this.check();
    return this.live.countRange(prefix, prefixSuccessor(prefix));
  }

  create(key: string, value: Buffer, opts?: PutOptions): Promise<KeyValue> {
    const tooLarge = this.checkValue(key, value);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.submit({ kind: 'create', key, value, lease: leaseFor(opts) }, kvOf);
  }

  update(key: string, value: Buffer, expectedModRevision: number, opts?: PutOptions): Promise<KeyValue> {
    const tooLarge = this.checkValue(key, value);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.submit({ kind: 'update', key, value, expected: expectedModRevision, lease: leaseFor(opts) }, kvOf);
  }

  guaranteedUpdate(key: string, tryUpdate: TryUpdate, cached?: KeyValue): Promise<KeyValue | undefined> {
    return guaranteedUpdate(this, key, tryUpdate, cached);
  }

  delete(key: string, expectedModRevision?: number): Promise<{ prevKv: KeyValue; revision: number }> {
    const op: WriteOp = expectedModRevision === undefined ? { kind: 'delete', key } : { kind: 'delete', key, expected: expectedModRevision };
    return this.submit(op, deletedOf);
  }

  watch(opts: WatchOptions): Watcher {
    if (this.closed || this.broken) return this.hub.failLater(opts, this.broken ?? new StorageError('Closed', 'storage closed'));
    let backlog: WatchEvent[];
    try {
      backlog = this.readTx(() => {
        const { compact } = this.revisions();
        if (opts.afterRevision < compact) {
          throw new StorageError('Compacted', `required revision ${opts.afterRevision} has been compacted (compacted revision ${compact})`, { revision: compact });
        }
        if (opts.afterRevision >= this.hub.delivered) return [];
        // Only history up to what the hub has delivered: newer commits reach the watcher live.
        const upper = opts.prefix === '' ? Buffer.from([0xff]) : prefixEnd(opts.prefix);
        const rows = this.stmts.history.all(opts.afterRevision, this.hub.delivered, opts.prefix, upper) as LogRow[];
        return rows.map(eventFromRow);
      })();
    } catch (err) {
      const se = isStorageError(err) ? err : new StorageError(sqliteErrorCode(err).code, sqliteErrorCode(err).message, {}, { cause: err });
      return this.hub.failLater(opts, se);
    }
    return this.hub.add(opts, backlog);
  }

  async compact(revision: number): Promise<void> {
    this.check();
    const id = this.nextId++;
    await new Promise<void>((resolve, reject) => {
      this.compactWaiters.set(id, { resolve, reject });
      this.post({ t: 'compact', id, target: revision });
    });
  }

  async compactedRevision(): Promise<number> {
    this.check();
    return this.stmts.meta.get('compact_revision') as number;
  }

  async snapshot(path: string): Promise<void> {
    this.check();
    await this.reader.backup(path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.outbox.length > 0) this.sendOutbox();
    this.closed = true;
    // The reader goes first so the writer's close is the last connection: it checkpoints and
    // removes the WAL, leaving a single self-contained file.
    if (this.ownsReader) this.reader.close();
    if (!this.broken) {
      const id = this.nextId++;
      await new Promise<void>((resolve) => {
        this.closeWaiter = resolve;
        this.post({ t: 'close', id });
      });
    }
    await this.link.terminate();
    this.hub.closeAll();
    this.mainTrace?.tracer.close();
    for (const waiters of this.inflight.values()) for (const w of waiters) w.done({ ok: false, code: 'Closed', message: 'storage closed' });
    this.inflight.clear();
    for (const w of this.compactWaiters.values()) w.reject(new StorageError('Closed', 'storage closed'));
    this.compactWaiters.clear();
    this.releaseLock();
  }
}

function openReader(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -32000');
  return db;
}
