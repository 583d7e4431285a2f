/**
 * EtcdStorage: the Storage contract on a real etcd v3 cluster through the `etcd3` client. Every
 * conditional write is one txn comparing create/mod revision, so optimistic concurrency is
 * etcd's own; watches use etcd's watch with prev_kv and a start revision.
 */
import { Etcd3, type IOptions } from 'etcd3';
import type * as RPC from 'etcd3/lib/rpc.js';
import { readFileSync, createWriteStream } from 'node:fs';
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
  type TryUpdate,
  type WatchEvent,
  type WatchOptions,
  type Watcher,
} from '../interface.js';
import { MAX_VALUE_BYTES, prefixEnd } from '../keys.js';
import type { StorageOptions } from '../options.js';
import { guaranteedUpdate } from '../update.js';

const CompareEqual = 0;
const TargetCreate = 1;
const TargetMod = 2;

function toKv(kv: RPC.IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value ?? Buffer.alloc(0),
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
    lease: Number(kv.lease ?? 0),
  };
}

/** mapError turns an etcd/gRPC failure into a StorageError with the matching code. */
export function mapEtcdError(err: unknown, what: string): StorageError {
  if (isStorageError(err)) return err;
  const msg = err instanceof Error ? err.message : String(err);
  let code: StorageError['code'] = 'Unavailable';
  if (/required revision has been compacted/i.test(msg)) code = 'Compacted';
  else if (/future revision/i.test(msg)) code = 'FutureRevision';
  else if (/database space exceeded|no space/i.test(msg)) code = 'NoSpace';
  else if (/request is too large|message larger than max|exceeds the maximum/i.test(msg)) code = 'TooLarge';
  else if (/client (has been )?closed/i.test(msg)) code = 'Closed';
  return new StorageError(code, `etcd ${what}: ${msg}`, {}, { cause: err });
}

/** LeaseManager reuses one lease for writes with a similar TTL, as kube-apiserver does. */
class LeaseManager {
  private cache = new Map<number, { id: string; grantedAt: number }>();
  constructor(private readonly client: Etcd3) {}

  async leaseFor(ttlSeconds: number): Promise<string> {
    const now = Date.now();
    // Reuse window: 5% of the TTL, at most a minute; the lease is granted that much longer.
    const reuseMs = Math.min(60_000, ttlSeconds * 50);
    const hit = this.cache.get(ttlSeconds);
    if (hit && now - hit.grantedAt < reuseMs) return hit.id;
    const res = await this.client.leaseClient.leaseGrant({ TTL: ttlSeconds + Math.ceil(reuseMs / 1000), ID: 0 });
    this.cache.set(ttlSeconds, { id: res.ID, grantedAt: now });
    return res.ID;
  }
}

export class EtcdStorage implements Storage {
  readonly backend = 'etcd';
  private readonly leases: LeaseManager;
  private closed = false;
  private readonly watchers = new Set<{ end(err: StorageError): void }>();
  private knownCompacted = 0;
  private autoTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly client: Etcd3, opts: StorageOptions) {
    this.leases = new LeaseManager(client);
    const interval = opts.compactIntervalMs ?? 30_000;
    const keep = opts.compactKeep ?? 1000;
    if (interval > 0) {
      this.autoTimer = setInterval(() => {
        void this.currentRevision()
          .then((rev) => (rev - keep > this.knownCompacted ? this.compact(rev - keep) : undefined))
          .catch(() => {
            // Another apiserver may have compacted further; the next round tries again.
          });
      }, interval);
      this.autoTimer.unref();
    }
  }

  /** open connects to the endpoints and checks the cluster answers. */
  static async open(endpoints: string[], opts: StorageOptions = {}): Promise<EtcdStorage> {
    // Lists of many objects exceed gRPC's default 4 MiB receive limit (kube-apiserver lifts it too).
    const options: IOptions = { hosts: endpoints, dialTimeout: 5000, grpcOptions: { 'grpc.max_receive_message_length': 2 ** 31 - 1 } };
    if (opts.caFile) {
      options.credentials = { rootCertificate: readFileSync(opts.caFile) };
      if (opts.keyFile) options.credentials.privateKey = readFileSync(opts.keyFile);
      if (opts.certFile) options.credentials.certChain = readFileSync(opts.certFile);
    }
    const client = new Etcd3(options);
    const store = new EtcdStorage(client, opts);
    try {
      await store.currentRevision();
    } catch (err) {
      await store.close();
      throw new StorageError('Unavailable', `cannot reach etcd at ${endpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
    return store;
  }

  private check(): void {
    if (this.closed) throw new StorageError('Closed', 'storage closed');
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.check();
    try {
      return await fn();
    } catch (err) {
      throw mapEtcdError(err, what);
    }
  }

  async currentRevision(): Promise<number> {
    const res = await this.call('range', () => this.client.kv.range({ key: Buffer.from([0]), count_only: true }));
    return Number(res.header.revision);
  }

  async get(key: string, opts: GetOptions = {}): Promise<GetResult> {
    const req: RPC.IRangeRequest = { key: Buffer.from(key) };
    if (opts.revision) req.revision = opts.revision;
    const res = await this.call('get', () => this.client.kv.range(req));
    const kv = res.kvs[0];
    return { kv: kv ? toKv(kv) : undefined, revision: opts.revision || Number(res.header.revision) };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const from = opts.startKey !== undefined && opts.startKey > prefix ? opts.startKey : prefix;
    const req: RPC.IRangeRequest = { key: Buffer.from(from || '\0'), range_end: prefixEnd(prefix) };
    if (opts.limit && opts.limit > 0) req.limit = opts.limit;
    if (opts.revision) req.revision = opts.revision;
    const res = await this.call('list', () => this.client.kv.range(req));
    const kvs = res.kvs.map(toKv);
    const result: ListResult = { kvs, revision: opts.revision || Number(res.header.revision), more: res.more };
    if (res.more) result.remaining = Number(res.count) - kvs.length;
    return result;
  }

  async count(prefix: string): Promise<number> {
    const res = await this.call('count', () => this.client.kv.range({ key: Buffer.from(prefix || '\0'), range_end: prefixEnd(prefix), count_only: true }));
    return Number(res.count);
  }

  private async leaseId(opts?: PutOptions): Promise<string | undefined> {
    if (!opts?.ttlSeconds || opts.ttlSeconds <= 0) return undefined;
    return this.call('lease grant', () => this.leases.leaseFor(opts.ttlSeconds!));
  }

  private checkValue(key: string, value: Buffer): void {
    if (value.length > MAX_VALUE_BYTES) {
      throw new StorageError('TooLarge', `value of ${key} is ${value.length} bytes, over the ${MAX_VALUE_BYTES} byte limit`, { key });
    }
  }

  async create(key: string, value: Buffer, opts?: PutOptions): Promise<KeyValue> {
    this.checkValue(key, value);
    const lease = await this.leaseId(opts);
    const k = Buffer.from(key);
    const put: RPC.IPutRequest = { key: k, value };
    if (lease) put.lease = lease;
    const res = await this.call('create', () =>
      this.client.kv.txn({
        compare: [{ key: k, target: TargetCreate, result: CompareEqual, create_revision: 0 }],
        success: [{ request_put: put }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) {
      const cur = res.responses[0]?.response_range.kvs[0];
      const details: { key: string; current?: KeyValue } = { key };
      if (cur) details.current = toKv(cur);
      throw new StorageError('KeyExists', `key ${key} already exists`, details);
    }
    const rev = Number(res.header.revision);
    return { key, value, createRevision: rev, modRevision: rev, version: 1, lease: Number(lease ?? 0) };
  }

  async update(key: string, value: Buffer, expectedModRevision: number, opts?: PutOptions): Promise<KeyValue> {
    this.checkValue(key, value);
    const lease = await this.leaseId(opts);
    const k = Buffer.from(key);
    const put: RPC.IPutRequest = { key: k, value, prev_kv: true };
    if (lease) put.lease = lease;
    const res = await this.call('update', () =>
      this.client.kv.txn({
        compare: [{ key: k, target: TargetMod, result: CompareEqual, mod_revision: expectedModRevision }],
        success: [{ request_put: put }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.preconditionFailed(key, res, expectedModRevision);
    const prev = res.responses[0]?.response_put.prev_kv;
    const rev = Number(res.header.revision);
    return { key, value, createRevision: prev ? Number(prev.create_revision) : rev, modRevision: rev, version: prev ? Number(prev.version) + 1 : 1, lease: Number(lease ?? 0) };
  }

  private preconditionFailed(key: string, res: RPC.ITxnResponse, expected: number): StorageError {
    const cur = res.responses[0]?.response_range.kvs[0];
    if (!cur) return new StorageError('NotFound', `key ${key} not found`, { key });
    const current = toKv(cur);
    return new StorageError('Conflict', `key ${key} was modified (modRevision ${current.modRevision}, expected ${expected})`, { key, current });
  }

  guaranteedUpdate(key: string, tryUpdate: TryUpdate, cached?: KeyValue): Promise<KeyValue | undefined> {
    return guaranteedUpdate(this, key, tryUpdate, cached);
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prevKv: KeyValue; revision: number }> {
    const k = Buffer.from(key);
    if (expectedModRevision === undefined) {
      const res = await this.call('delete', () => this.client.kv.deleteRange({ key: k, prev_kv: true }));
      const prev = res.prev_kvs[0];
      if (!prev) throw new StorageError('NotFound', `key ${key} not found`, { key });
      return { prevKv: toKv(prev), revision: Number(res.header.revision) };
    }
    const res = await this.call('delete', () =>
      this.client.kv.txn({
        compare: [{ key: k, target: TargetMod, result: CompareEqual, mod_revision: expectedModRevision }],
        success: [{ request_delete_range: { key: k, prev_kv: true } }],
        failure: [{ request_range: { key: k } }],
      }),
    );
    if (!res.succeeded) throw this.preconditionFailed(key, res, expectedModRevision);
    const prev = res.responses[0]!.response_delete_range.prev_kvs[0]!;
    return { prevKv: toKv(prev), revision: Number(res.header.revision) };
  }

  watch(opts: WatchOptions): Watcher {
    let active = true;
    let native: { cancel(): Promise<void> } | undefined;
    let last = opts.afterRevision;
    const entry = {
      end: (err: StorageError): void => {
        if (!active) return;
        active = false;
        this.watchers.delete(entry);
        void native?.cancel().catch(() => {});
        opts.onError(err);
      },
    };
    const handle: Watcher = {
      close: () => {
        if (!active) return;
        active = false;
        this.watchers.delete(entry);
        void native?.cancel().catch(() => {});
      },
    };
    if (this.closed) {
      queueMicrotask(() => entry.end(new StorageError('Closed', 'storage closed')));
      return handle;
    }
    this.watchers.add(entry);
    const start = async (): Promise<void> => {
      // etcd accepts a start revision equal to the compacted one; the contract does not, and a
      // range at afterRevision fails exactly when afterRevision is below the compacted revision.
      if (opts.afterRevision > 0) {
        await this.client.kv.range({ key: Buffer.from(opts.prefix || '\0'), count_only: true, revision: opts.afterRevision }).catch((err: unknown) => {
          const se = mapEtcdError(err, 'watch');
          if (se.code === 'Compacted' || se.code !== 'FutureRevision') throw se;
        });
      }
      const builder = this.client.watch().inRange({ start: Buffer.from(opts.prefix || '\0'), end: prefixEnd(opts.prefix) }).withPreviousKV();
      builder.startRevision(String(opts.afterRevision + 1));
      const w = builder.watcher();
      native = w;
      if (!active) {
        void w.cancel().catch(() => {});
        return;
      }
      w.on('data', (res: RPC.IWatchResponse) => {
        if (!active) return;
        if (res.events.length === 0) {
          if (opts.onProgress && !res.created) opts.onProgress(Number(res.header.revision));
          return;
        }
        const evs: WatchEvent[] = [];
        for (const e of res.events) {
          const kv = toKv(e.kv);
          if (kv.modRevision <= last) continue;
          last = kv.modRevision;
          const ev: WatchEvent = { type: e.type === 'Delete' ? 'DELETE' : 'PUT', kv };
          if (e.prev_kv && (ev.type === 'DELETE' || opts.withPrevKv)) ev.prevKv = toKv(e.prev_kv);
          evs.push(ev);
        }
        if (evs.length > 0) opts.onEvents(evs);
      });
      w.on('error', (err: Error) => {
        // A canceled watch is almost always a compaction race; check to report it precisely.
        void this.client.kv
          .range({ key: Buffer.from([0]), count_only: true, revision: Math.max(1, last) })
          .then(() => entry.end(mapEtcdError(err, 'watch')))
          .catch((e: unknown) => entry.end(mapEtcdError(e, 'watch')));
      });
    };
    start().catch((err: unknown) => entry.end(mapEtcdError(err, 'watch')));
    return handle;
  }

  async compact(revision: number): Promise<void> {
    await this.call('compact', async () => {
      try {
        await this.client.kv.compact({ revision, physical: true });
      } catch (err) {
        // Compacting to or below an already compacted revision is not an error here.
        if (!/required revision has been compacted/i.test(err instanceof Error ? err.message : '')) throw err;
      }
    });
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  /**
   * compactedRevision: etcd has no call for it, so it is found by bisection: the smallest
   * revision a range still accepts is the compacted one.
   */
  async compactedRevision(): Promise<number> {
    const current = await this.currentRevision();
    const ok = async (rev: number): Promise<boolean> => {
      try {
        await this.client.kv.range({ key: Buffer.from([0]), count_only: true, revision: rev });
        return true;
      } catch (err) {
        const se = mapEtcdError(err, 'range');
        if (se.code === 'Compacted') return false;
        throw se;
      }
    };
    if (await ok(1)) return 0;
    let lo = 1;
    let hi = current;
    while (lo + 1 < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await ok(mid)) hi = mid;
      else lo = mid;
    }
    this.knownCompacted = hi;
    return hi;
  }

  /** snapshot streams etcd's own backend snapshot (a bbolt file, as `etcdctl snapshot save`). */
  async snapshot(path: string): Promise<void> {
    this.check();
    const stream = await this.client.maintenance.snapshot();
    const out = createWriteStream(path, { flags: 'wx' });
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: RPC.ISnapshotResponse) => {
        if (chunk.blob?.length) out.write(chunk.blob);
      });
      stream.on('end', () => out.end(() => resolve()));
      stream.on('error', (err: Error) => {
        out.destroy();
        reject(mapEtcdError(err, 'snapshot'));
      });
      out.on('error', reject);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.autoTimer);
    for (const w of [...this.watchers]) w.end(new StorageError('Closed', 'storage closed'));
    this.client.close();
  }
}
