/**
 * Backup and restore of a datastore, as `k8ts snapshot save|restore` (k3s's etcd-snapshot):
 * sqlite snapshots are consistent copies of the database file (VACUUM INTO, safe while the
 * server runs); etcd snapshots come from etcd's snapshot API (a bbolt file, as `etcdctl snapshot
 * save`). Either kind restores into either backend with the same keys at the same revisions.
 */
import Database from 'better-sqlite3';
import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseEndpoint, type StorageOptions } from '../options.js';
import { acquireLock } from '../sqlite/lock.js';
import { checkFile, checkOwnership } from '../sqlite/schema.js';
import { isBbolt } from './bbolt.js';
import { imageFromEtcdSnapshot, imageFromSqlite, type StoreImage } from './image.js';
import { imageToEtcd, imageToSqlite } from './restore.js';

export type SnapshotKind = 'sqlite' | 'etcd';

/** snapshotKind tells a sqlite snapshot from an etcd one by the file's first bytes. */
export function snapshotKind(file: string): SnapshotKind {
  const head = Buffer.alloc(64);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, head, 0, 64, 0);
  } finally {
    closeSync(fd);
  }
  if (head.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  if (isBbolt(head)) return 'etcd';
  throw new Error(`${file} is neither a k8ts sqlite snapshot nor an etcd snapshot`);
}

/** saveSnapshot writes a consistent snapshot of the datastore to file (which must not exist). */
export async function saveSnapshot(endpoint: string, opts: StorageOptions, file: string): Promise<SnapshotKind> {
  if (existsSync(file)) throw new Error(`${file} already exists; refusing to overwrite it`);
  const ep = parseEndpoint(endpoint, opts);
  if (ep.kind === 'sqlite-memory') throw new Error('an in-memory datastore has nothing to snapshot from another process');
  if (ep.kind === 'sqlite') {
    checkFile(ep.path);
    if (!existsSync(ep.path)) throw new Error(`datastore ${ep.path} does not exist`);
    // A read-only connection does not need the server's lock: WAL readers see a consistent
    // snapshot while the server keeps writing.
    const db = new Database(ep.path, { readonly: true, fileMustExist: true });
    try {
      checkOwnership(db, ep.path);
      db.prepare('VACUUM INTO ?').run(file);
    } finally {
      db.close();
    }
    return 'sqlite';
  }
  const { EtcdStorage } = await import('../etcd/store.js');
  const store = await EtcdStorage.open(ep.endpoints, { ...opts, compactIntervalMs: 0 });
  try {
    await store.snapshot(file);
  } finally {
    await store.close();
  }
  return 'etcd';
}

function readImage(file: string, kind: SnapshotKind): StoreImage {
  return kind === 'sqlite' ? imageFromSqlite(file) : imageFromEtcdSnapshot(readFileSync(file));
}

export interface RestoreResult {
  /** kind of the snapshot file. */
  from: SnapshotKind;
  /** movedAside is where an existing sqlite database was moved (never deleted). */
  movedAside?: string;
  warnings: string[];
}

/**
 * restoreSnapshot restores file into the datastore named by endpoint. A sqlite target must not be
 * in use (its lock is taken); an existing database there is moved aside, never overwritten. An
 * etcd target must be an empty cluster.
 */
export async function restoreSnapshot(file: string, endpoint: string, opts: StorageOptions): Promise<RestoreResult> {
  const from = snapshotKind(file);
  const ep = parseEndpoint(endpoint, opts);
  if (ep.kind === 'sqlite-memory') throw new Error('cannot restore into an in-memory datastore');
  if (ep.kind === 'sqlite') {
    mkdirSync(dirname(ep.path), { recursive: true });
    const release = acquireLock(ep.path + '.lock');
    try {
      const tmp = `${ep.path}.restoring`;
      rmSync(tmp, { force: true });
      const warnings: string[] = [];
      if (from === 'sqlite') {
        const check = new Database(file, { readonly: true, fileMustExist: true });
        try {
          checkOwnership(check, file);
        } finally {
          check.close();
        }
        copyFileSync(file, tmp);
      } else {
        imageToSqlite(readImage(file, from), tmp);
      }
      const result: RestoreResult = { from, warnings };
      if (existsSync(ep.path)) {
        const aside = `${ep.path}.pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(ep.path, aside);
        for (const suffix of ['-wal', '-shm']) if (existsSync(ep.path + suffix)) renameSync(ep.path + suffix, aside + suffix);
        result.movedAside = aside;
      }
      renameSync(tmp, ep.path);
      return result;
    } finally {
      release();
    }
  }
  const image = readImage(file, from);
  const { Etcd3 } = await import('etcd3');
  const client = new Etcd3(etcdClientOptions(ep.endpoints, opts));
  try {
    return { from, warnings: await imageToEtcd(image, client) };
  } finally {
    client.close();
  }
}

function etcdClientOptions(hosts: string[], opts: StorageOptions): import('etcd3').IOptions {
  const o: import('etcd3').IOptions = { hosts, dialTimeout: 5000 };
  if (opts.caFile) {
    o.credentials = { rootCertificate: readFileSync(opts.caFile) };
    if (opts.keyFile) o.credentials.privateKey = readFileSync(opts.keyFile);
    if (opts.certFile) o.credentials.certChain = readFileSync(opts.certFile);
  }
  return o;
}
