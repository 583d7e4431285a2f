/**
 * The storage contract of k8ts: etcd v3's key-value semantics, which resourceVersion, watch and
 * optimistic concurrency in the apiserver rest on. Every backend (sqlite, etcd) implements
 * {@link Storage} and passes the conformance suite in `conformance.case.ts`.
 *
 * Keys are strings such as `/registry/pods/default/web-1`; values are opaque bytes (the apiserver
 * stores JSON). Revisions are cluster-wide, start at 1 for the first write and grow by one per
 * write (create, update or delete); a read reports the revision it was served at.
 */

/** KeyValue is one key at one revision, as etcd's mvccpb.KeyValue. */
export interface KeyValue {
  key: string;
  value: Buffer;
  /** createRevision is the revision of the write that created this incarnation of the key. */
  createRevision: number;
  /** modRevision is the revision of the last write to the key. */
  modRevision: number;
  /** version counts writes to this incarnation of the key: 1 after create. */
  version: number;
  /** lease is the id of the lease attached to the key, 0 when none. */
  lease: number;
}

/**
 * WatchEvent is one write seen by a watcher. For PUT, `kv` is the new value and `prevKv` the
 * previous one (absent on create). For DELETE, `kv.modRevision` is the revision of the delete,
 * `kv.value` is empty, and `prevKv` holds the last value before the delete.
 */
export interface WatchEvent {
  type: 'PUT' | 'DELETE';
  kv: KeyValue;
  prevKv?: KeyValue;
}

export interface GetOptions {
  /** revision reads the key as it was at that revision; unset reads the latest. */
  revision?: number;
}

export interface GetResult {
  /** kv is undefined when the key does not exist (at the requested revision). */
  kv: KeyValue | undefined;
  /** revision is the store revision the read was served at. */
  revision: number;
}

export interface ListOptions {
  /** limit caps the number of keys returned; 0 or unset means no limit. */
  limit?: number;
  /**
   * startKey continues a paginated list: only keys >= startKey (and under the prefix) are
   * returned. The apiserver passes the last key of the previous page plus "\x00".
   */
  startKey?: string;
  /** revision reads the prefix as it was at that revision; unset reads the latest. */
  revision?: number;
}

export interface ListResult {
  /** kvs are sorted by key. */
  kvs: KeyValue[];
  /** revision is the store revision the list was served at (the requested one if given). */
  revision: number;
  /** more is true when keys beyond `limit` remain under the prefix at that revision. */
  more: boolean;
  /** remaining counts the keys left after this page when `more` is true (best effort). */
  remaining?: number;
}

export interface PutOptions {
  /**
   * ttlSeconds attaches a lease: the key is deleted (a DELETE event, a new revision) once the
   * TTL expires. Backends may share one lease among writes with similar expiry, as
   * kube-apiserver's lease manager does.
   */
  ttlSeconds?: number;
}

/** Watcher is the handle of a running watch. */
export interface Watcher {
  /** close stops delivery; no callback runs after it returns. Idempotent. */
  close(): void;
}

export interface WatchOptions {
  /** prefix selects keys; a full key selects one key. */
  prefix: string;
  /**
   * afterRevision: deliver every write with modRevision > afterRevision, in revision order, none
   * skipped. If afterRevision < the compacted revision, onError receives a StorageError with
   * code 'Compacted' and the watch ends.
   */
  afterRevision: number;
  /** withPrevKv asks for prevKv on PUT events (DELETE events always carry it). */
  withPrevKv?: boolean;
  /** onEvents receives events in batches, in revision order. */
  onEvents(events: WatchEvent[]): void;
  /**
   * onProgress, when given, is called with the store revision when the watcher is caught up and
   * no events for its prefix arrived for a while (etcd's progress notify; the apiserver turns
   * it into bookmarks).
   */
  onProgress?(revision: number): void;
  /** onError ends the watch: no more callbacks follow. */
  onError(err: StorageError): void;
}

/**
 * TryUpdate computes the new value from the current one in guaranteedUpdate. Returning
 * undefined means "no change" (nothing is written). Throwing aborts the update.
 */
export type TryUpdate = (current: KeyValue | undefined) => Promise<UpdateResult | undefined> | UpdateResult | undefined;

export interface UpdateResult {
  value: Buffer;
  ttlSeconds?: number;
}

export interface Storage {
  /** backend name: 'sqlite' or 'etcd'. */
  readonly backend: string;

  /** currentRevision is the newest revision in the store. */
  currentRevision(): Promise<number>;

  get(key: string, opts?: GetOptions): Promise<GetResult>;

  list(prefix: string, opts?: ListOptions): Promise<ListResult>;

  /** count returns the number of live keys under prefix. */
  count(prefix: string): Promise<number>;

  /** create writes a key that must not exist; otherwise throws StorageError 'KeyExists'. */
  create(key: string, value: Buffer, opts?: PutOptions): Promise<KeyValue>;

  /**
   * update writes a key only if its modRevision equals expectedModRevision. Throws 'NotFound'
   * when the key is gone and 'Conflict' (with `current` set) when it changed.
   */
  update(key: string, value: Buffer, expectedModRevision: number, opts?: PutOptions): Promise<KeyValue>;

  /**
   * guaranteedUpdate reads the key (or starts from `cached` if given), calls tryUpdate and writes
   * conditionally, retrying on conflict with the fresh value. It returns the stored KeyValue
   * (the current one when tryUpdate reported no change; undefined when the key does not exist
   * and tryUpdate returned undefined).
   */
  guaranteedUpdate(key: string, tryUpdate: TryUpdate, cached?: KeyValue): Promise<KeyValue | undefined>;

  /**
   * delete removes a key, optionally only if its modRevision equals expectedModRevision.
   * Throws 'NotFound' or 'Conflict'. Returns the deleted value and the revision of the delete.
   */
  delete(key: string, expectedModRevision?: number): Promise<{ prevKv: KeyValue; revision: number }>;

  watch(opts: WatchOptions): Watcher;

  /** compact discards history at and below `revision` (never the latest value of a live key). */
  compact(revision: number): Promise<void>;

  /** compactedRevision is the newest revision that has been compacted away (0 if none). */
  compactedRevision(): Promise<number>;

  /** snapshot writes a consistent copy of the whole store to `path`. */
  snapshot(path: string): Promise<void>;

  /** close stops background work, ends watches and releases files and connections. */
  close(): Promise<void>;
}

export type StorageErrorCode =
  | 'KeyExists'
  | 'NotFound'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'Unavailable'
  | 'ReadOnly'
  | 'NoSpace'
  | 'Corrupt'
  | 'Closed'
  | 'TooLarge';

/** StorageError is the only error a backend throws for expected outcomes. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly details: { key?: string; current?: KeyValue; revision?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
