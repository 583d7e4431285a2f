/**
 * Options and datastore-endpoint parsing shared by every backend. The endpoint grammar follows
 * k3s's `--datastore-endpoint`.
 */
import { join } from 'node:path';
import { StorageError } from './interface.js';

/** StorageOptions tunes a backend; every field has a default suited to a server. */
export interface StorageOptions {
  /** dataDir holds `db/state.db` when the endpoint is '' or 'sqlite'. */
  dataDir?: string;
  /** caFile, certFile, keyFile: TLS material for etcd endpoints (PEM files). */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  /** compactKeep is how many newest revisions automatic compaction keeps (default 1000). */
  compactKeep?: number;
  /**
   * compactIntervalMs is how often automatic compaction runs (default 30 s; 0 disables it).
   * sqlite: while it is on, every group commit also compacts up to compactKeep revisions behind.
   */
  compactIntervalMs?: number;
  /** compactBatchRows caps the rows one compaction transaction touches (sqlite, default 200). */
  compactBatchRows?: number;
  /** progressIntervalMs is how often idle watchers with onProgress hear the revision (default 5 s). */
  progressIntervalMs?: number;
  /**
   * writerThread runs the sqlite writer (and its fsyncs) in a worker thread (default true for
   * files; in-memory databases always write on the calling thread).
   */
  writerThread?: boolean;
}

export type Endpoint =
  | { kind: 'sqlite'; path: string }
  | { kind: 'sqlite-memory' }
  | { kind: 'etcd'; endpoints: string[] };

/** defaultDataDir is k3s's: /var/lib/k8ts as root, ~/.k8ts otherwise. */
export function defaultDataDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/k8ts';
  return join(process.env.HOME ?? '.', '.k8ts');
}

/** parseEndpoint turns a datastore endpoint into a backend choice; it throws on unknown schemes. */
export function parseEndpoint(endpoint: string, opts: StorageOptions = {}): Endpoint {
  const e = endpoint.trim();
  if (e === '' || e === 'sqlite') return { kind: 'sqlite', path: join(opts.dataDir ?? defaultDataDir(), 'db', 'state.db') };
  if (e === 'sqlite::memory:' || e === 'sqlite://:memory:') return { kind: 'sqlite-memory' };
  if (e.startsWith('sqlite://')) {
    const path = e.slice('sqlite://'.length).split('?')[0] ?? '';
    if (!path.startsWith('/')) throw new StorageError('Unavailable', `datastore endpoint ${JSON.stringify(endpoint)}: sqlite path must be absolute (sqlite:///abs/path.db)`);
    return { kind: 'sqlite', path };
  }
  if (/^(https?|etcd|etcds):\/\//.test(e)) {
    const endpoints = e.split(',').map((part) => {
      const p = part.trim();
      if (p.startsWith('etcds://')) return 'https://' + p.slice('etcds://'.length);
      if (p.startsWith('etcd://')) return (opts.caFile || opts.certFile ? 'https://' : 'http://') + p.slice('etcd://'.length);
      return p;
    }).filter((p) => p !== '');
    return { kind: 'etcd', endpoints };
  }
  throw new StorageError('Unavailable', `datastore endpoint ${JSON.stringify(endpoint)}: unsupported scheme (want sqlite, sqlite:///path, http(s)://host:2379 or etcd://host:2379)`);
}
