/**
 * The storage layer's public surface: the contract types, openStorage (backend chosen by the
 * datastore endpoint, as k3s's `--datastore-endpoint`), the options, and snapshot save/restore.
 * Only the apiserver (and the snapshot command) import this. Tests of other areas may also use
 * `./testing/etcd.js` (startEtcd) to run against a real etcd.
 *
 * Backends:
 * - sqlite (default): one file, WAL with synchronous=FULL; a writer thread group-commits every
 *   write that arrives while the previous commit is in flight and acknowledges after the fsync
 *   (a batch of writes crosses to it as one transferred buffer; the answer is one Float64Array).
 *   The file is an append-only log whose only index is the revision; the writer and the store
 *   keep the live keys in memory. Reads at the latest revision come from that index, reads at
 *   older revisions walk back from it through the log rows written since; compaction rides along
 *   in write commits (in short steps of its own between them, which skip their own fsync unless
 *   they answer a compact() call), keeping `compactKeep` revisions, and finds the rows to delete
 *   in the writer's memory, never by reading old rows back; checkpoints run on their own thread
 *   every 100 ms (50 while the WAL grows fast), never inside a commit, and the writer only
 *   finishes one when the WAL is to start over. The writer and checkpointer threads ask for a
 *   higher CPU priority (nice -5, where allowed): every acknowledged write waits for the writer.
 *   K8TS_SQLITE_TRACE=FILE traces each commit and checkpoint (sqlite/trace.ts).
 * - etcd: a real etcd v3 cluster through the etcd3 client.
 *
 * KeyValue objects (and their value Buffers) returned by reads and watches may be shared with
 * other callers and with the store's own index: treat them as read-only.
 */
import { parseEndpoint, type StorageOptions } from './options.js';
import type { Storage } from './interface.js';
import { SqliteStorage } from './sqlite/store.js';

export * from './interface.js';
export { saveSnapshot, restoreSnapshot, snapshotKind, type SnapshotKind, type RestoreResult } from './snapshot/index.js';
export { parseEndpoint, defaultDataDir, type StorageOptions, type Endpoint } from './options.js';

/**
 * openStorage opens the store named by `endpoint`:
 * - '' or 'sqlite': `<opts.dataDir>/db/state.db`; 'sqlite:///abs/path.db': that file;
 * - 'sqlite::memory:': an in-memory database (tests);
 * - 'http(s)://host:2379[,host2:2379]' or 'etcd://...': an etcd v3 cluster (TLS from
 *   opts.caFile/certFile/keyFile).
 * It fails with StorageError 'Corrupt' (naming the file) for a file that is not a k8ts
 * database, and 'Unavailable' when the data dir is locked by another process.
 */
export async function openStorage(endpoint: string, opts: StorageOptions = {}): Promise<Storage> {
  const ep = parseEndpoint(endpoint, opts);
  switch (ep.kind) {
    case 'sqlite':
      return SqliteStorage.open(ep.path, opts);
    case 'sqlite-memory':
      return SqliteStorage.open(undefined, opts);
    case 'etcd': {
      // Loaded on demand: the gRPC client costs ~300 ms of startup that sqlite users never need.
      const { EtcdStorage } = await import('./etcd/store.js');
      return EtcdStorage.open(ep.endpoints, opts);
    }
  }
}
