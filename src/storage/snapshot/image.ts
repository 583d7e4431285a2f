/**
 * A store image: every retained revision of a snapshot, backend-neutral, so a snapshot of either
 * backend can be restored into either backend with the same keys at the same revisions.
 */
import Database from 'better-sqlite3';
import { BboltReader, decodeProto } from './bbolt.js';
import { checkOwnership } from '../sqlite/schema.js';
import type { LogRow } from '../sqlite/schema.js';

export interface ImageOp {
  type: 'PUT' | 'DELETE';
  key: string;
  value: Buffer;
  createRevision: number;
  version: number;
  /** ttlSeconds is the remaining lease TTL of the key, 0 when it has none. */
  ttlSeconds: number;
}

export interface StoreImage {
  /** revision is the store's current revision. */
  revision: number;
  /** compactRevision: revisions below it are gone from the image. */
  compactRevision: number;
  /** revisions maps each retained revision to its writes (one, or several for an etcd txn). */
  revisions: Map<number, ImageOp[]>;
}

/** imageFromSqlite reads a k8ts sqlite database (a snapshot file) into an image. */
export function imageFromSqlite(path: string): StoreImage {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    checkOwnership(db, path);
    const meta = (name: string): number => db.prepare(`SELECT value FROM meta WHERE name = ?`).pluck().get(name) as number;
    const now = Date.now() / 1000;
    const revisions = new Map<number, ImageOp[]>();
    for (const r of db.prepare(`SELECT * FROM log ORDER BY id`).iterate() as IterableIterator<LogRow>) {
      revisions.set(r.id, [{
        type: r.deleted ? 'DELETE' : 'PUT',
        key: r.name,
        value: r.deleted ? Buffer.alloc(0) : r.value,
        createRevision: r.create_revision,
        version: r.version,
        ttlSeconds: r.lease > 0 ? Math.max(1, Math.ceil(r.lease - now)) : 0,
      }]);
    }
    return { revision: meta('revision'), compactRevision: meta('compact_revision'), revisions };
  } finally {
    db.close();
  }
}

const num = (f: Map<number, Array<bigint | Buffer>>, n: number): number => Number((f.get(n)?.[0] as bigint | undefined) ?? 0n);

/** imageFromEtcdSnapshot reads an etcd snapshot (bbolt file) into an image. */
export function imageFromEtcdSnapshot(buf: Buffer): StoreImage {
  const bolt = new BboltReader(buf);
  const keys = bolt.bucket('key');
  if (!keys) throw new Error('etcd snapshot has no "key" bucket');
  const ttls = new Map<string, number>();
  bolt.bucket('lease')?.((k, v) => {
    const f = decodeProto(v);
    ttls.set(k.readBigUInt64BE(0).toString(), num(f, 2));
  });
  const revisions = new Map<number, ImageOp[]>();
  let maxRev = 0;
  keys((k, v) => {
    const main = Number(k.readBigUInt64BE(0));
    const tombstone = k.length > 17 && k[17] === 0x74;
    const f = decodeProto(v);
    const lease = ((f.get(6)?.[0] as bigint | undefined) ?? 0n).toString();
    const op: ImageOp = {
      type: tombstone ? 'DELETE' : 'PUT',
      key: ((f.get(1)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)).toString('utf8'),
      value: tombstone ? Buffer.alloc(0) : Buffer.from((f.get(5)?.[0] as Buffer | undefined) ?? Buffer.alloc(0)),
      createRevision: num(f, 2),
      version: num(f, 4),
      ttlSeconds: lease !== '0' ? (ttls.get(lease) ?? 0) : 0,
    };
    const list = revisions.get(main) ?? [];
    list.push(op);
    revisions.set(main, list);
    maxRev = Math.max(maxRev, main);
  });
  let compactRevision = 0;
  bolt.bucket('meta')?.((k, v) => {
    if (k.toString('latin1') === 'finishedCompactRev' && v.length >= 8) compactRevision = Number(v.readBigUInt64BE(0));
  });
  return { revision: Math.max(maxRev, compactRevision), compactRevision, revisions };
}
