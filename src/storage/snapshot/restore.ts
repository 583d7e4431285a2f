/**
 * Writing a StoreImage into a fresh store so it serves the same keys at the same revisions.
 *
 * sqlite: rows are inserted with their revision as id, so the copy is exact.
 *
 * etcd: revisions cannot be written directly, so the image is replayed into an empty cluster one
 * revision at a time, each write checked to land on its original revision. Revisions the
 * snapshot no longer holds (compacted) are filled so that every kept key also gets its original
 * createRevision and version: the key is created at its createRevision and rewritten
 * (version - 2) times in free revisions before its kept revision, earliest deadline first; any
 * remaining free revision is a write to `/k8ts-restore/filler`, deleted in the next real write's
 * txn. The target is then compacted at the snapshot's compacted revision, so the filler values
 * are never readable. An etcd cluster's first write is revision 2: a history that still holds
 * revision 1 cannot be replayed into etcd (createRevision 1 of compacted keys is moved to the
 * first free revision, with a warning).
 */
import Database from 'better-sqlite3';
import type { Etcd3 } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import { APPLICATION_ID, configureWriter, initSchema } from '../sqlite/schema.js';
import type { ImageOp, StoreImage } from './image.js';

/** imageToSqlite writes the image into a new database file at path (which must not exist). */
export function imageToSqlite(image: StoreImage, path: string): void {
  const db = new Database(path);
  try {
    configureWriter(db, false);
    initSchema(db, path);
    if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) throw new Error('schema init failed');
    const insert = db.prepare(`INSERT INTO log(id, name, created, deleted, create_revision, prev_revision, lease, value, old_value, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`);
    const setMeta = db.prepare(`UPDATE meta SET value = ? WHERE name = ?`);
    const now = Math.ceil(Date.now() / 1000);
    db.transaction(() => {
      const last = new Map<string, { rev: number; createRevision: number; version: number }>();
      for (const rev of [...image.revisions.keys()].sort((a, b) => a - b)) {
        const ops = image.revisions.get(rev)!;
        if (ops.length > 1) throw new Error(`revision ${rev} holds ${ops.length} writes (an etcd multi-key txn); sqlite stores one write per revision`);
        const op = ops[0]!;
        const prev = last.get(op.key);
        const lease = op.ttlSeconds > 0 ? now + op.ttlSeconds : 0;
        if (op.type === 'PUT') {
          insert.run(rev, op.key, op.createRevision === rev ? 1 : 0, 0, op.createRevision, prev?.rev ?? 0, lease, op.value, op.version);
          last.set(op.key, { rev, createRevision: op.createRevision, version: op.version });
        } else {
          insert.run(rev, op.key, 0, 1, prev?.createRevision ?? 0, prev?.rev ?? 0, 0, Buffer.alloc(0), prev?.version ?? 0);
          last.set(op.key, { rev, createRevision: prev?.createRevision ?? 0, version: prev?.version ?? 0 });
        }
      }
      setMeta.run(image.revision, 'revision');
      setMeta.run(image.compactRevision, 'compact_revision');
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

const FILLER = Buffer.from('/k8ts-restore/filler');

/** imageToEtcd replays the image into an empty etcd cluster; it returns warnings. */
export async function imageToEtcd(image: StoreImage, client: Etcd3): Promise<string[]> {
  const warnings: string[] = [];
  const start = Number((await client.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true })).header.revision);
  const existing = Number((await client.kv.range({ key: Buffer.from([0]), range_end: Buffer.from([0]), count_only: true })).count);
  if (start !== 1 || existing !== 0) throw new Error(`restore into etcd needs an empty cluster (it is at revision ${start} with ${existing} keys)`);
  if (image.revisions.has(1)) {
    throw new Error('the snapshot still holds revision 1, but an etcd cluster\'s first write is revision 2; compact the source past revision 1 (k8ts compacts automatically) or restore into sqlite');
  }

  // Keys whose create (and earlier versions) were compacted: they need writes in free revisions.
  interface Job { key: string; create: number; deadline: number; extra: number; value: Buffer; started: boolean }
  const jobs: Job[] = [];
  const seen = new Set<string>();
  const sortedRevs = [...image.revisions.keys()].sort((a, b) => a - b);
  for (const rev of sortedRevs) {
    for (const op of image.revisions.get(rev)!) {
      if (seen.has(op.key)) continue;
      seen.add(op.key);
      if (op.type === 'PUT' && op.createRevision < rev) {
        let create = op.createRevision;
        if (create < 2) {
          warnings.push(`${op.key}: createRevision ${create} cannot exist in etcd; it gets the first free revision`);
          create = 0;
        }
        jobs.push({ key: op.key, create, deadline: rev, extra: Math.max(0, op.version - 2), value: op.value, started: false });
      }
    }
  }
  const byCreate = new Map(jobs.filter((j) => j.create > 0).map((j) => [j.create, j]));
  const byDeadline = new Map(jobs.map((j) => [j.deadline, j]));
  const floating = jobs.filter((j) => j.create === 0);
  const active: Job[] = [];
  const leases = new Map<number, string>();
  const leaseFor = async (ttl: number): Promise<string | undefined> => {
    if (ttl <= 0) return undefined;
    let id = leases.get(ttl);
    if (!id) {
      id = (await client.leaseClient.leaseGrant({ TTL: ttl, ID: 0 })).ID;
      leases.set(ttl, id);
    }
    return id;
  };
  let fillerLive = false;
  const write = async (rev: number, ops: RPC.IRequestOp[]): Promise<void> => {
    const res = await client.kv.txn({ compare: [], success: ops, failure: [] });
    const got = Number(res.header.revision);
    if (got !== rev) throw new Error(`replay drifted: wrote revision ${got}, expected ${rev}`);
  };
  const put = async (key: string | Buffer, value: Buffer, ttl = 0): Promise<RPC.IRequestOp> => {
    const req: RPC.IPutRequest = { key: Buffer.from(key), value };
    const lease = await leaseFor(ttl);
    if (lease) req.lease = lease;
    return { request_put: req };
  };

  for (let rev = 2; rev <= image.revision; rev++) {
    const ops = image.revisions.get(rev);
    if (ops) {
      const req: RPC.IRequestOp[] = [];
      for (const op of ops) {
        if (op.type === 'PUT') req.push(await put(op.key, op.value, op.ttlSeconds));
        else req.push({ request_delete_range: { key: Buffer.from(op.key) } });
        const job = byDeadline.get(rev);
        if (job && job.key === op.key && (!job.started || job.extra > 0)) {
          warnings.push(`${op.key}: not enough free revisions to rebuild its version; version differs`);
        }
      }
      if (fillerLive) {
        req.push({ request_delete_range: { key: FILLER } });
        fillerLive = false;
      }
      await write(rev, req);
      continue;
    }
    // A free (compacted) revision: a key's create first, then the most urgent pending rewrite.
    let job = byCreate.get(rev);
    if (!job) job = floating.find((j) => !j.started && j.deadline > rev);
    if (!job) {
      for (let i = active.length - 1; i >= 0; i--) if (active[i]!.extra === 0 || active[i]!.deadline <= rev) active.splice(i, 1);
      for (const j of active) if (!job || j.deadline < job.deadline) job = j;
    }
    if (job) {
      if (job.started) job.extra--;
      else if (job.extra > 0) active.push(job);
      job.started = true;
      await write(rev, [await put(job.key, job.value)]);
    } else if (rev === image.revision && fillerLive) {
      await write(rev, [{ request_delete_range: { key: FILLER } }]);
      fillerLive = false;
    } else {
      await write(rev, [await put(FILLER, Buffer.alloc(0))]);
      fillerLive = true;
    }
  }
  if (fillerLive) warnings.push(`the filler key ${FILLER.toString()} remains (the snapshot's newest revision was compacted)`);
  if (image.compactRevision > 1) await client.kv.compact({ revision: image.compactRevision, physical: true });
  return warnings;
}

export type { ImageOp };
