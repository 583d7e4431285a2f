/** guaranteedUpdate shared by every backend: read, compute, write conditionally, retry on conflict. */
import { isStorageError, type KeyValue, type PutOptions, type TryUpdate } from './interface.js';

interface Writable {
  get(key: string): Promise<{ kv: KeyValue | undefined }>;
  create(key: string, value: Buffer, opts?: PutOptions): Promise<KeyValue>;
  update(key: string, value: Buffer, expectedModRevision: number, opts?: PutOptions): Promise<KeyValue>;
}

/**
 * guaranteedUpdate implements Storage.guaranteedUpdate on top of get/create/update. A cached
 * starting value is trusted only for the first attempt: when tryUpdate reports no change from a
 * cached value, the key is re-read so a stale cache never hides a newer value.
 */
export async function guaranteedUpdate(store: Writable, key: string, tryUpdate: TryUpdate, cached?: KeyValue): Promise<KeyValue | undefined> {
  let current = cached ?? (await store.get(key)).kv;
  let fromCache = cached !== undefined;
  for (;;) {
    const next = await tryUpdate(current);
    if (next === undefined) {
      if (!fromCache) return current;
      const fresh = (await store.get(key)).kv;
      fromCache = false;
      if (fresh?.modRevision === current?.modRevision) return current;
      current = fresh;
      continue;
    }
    const opts: PutOptions = next.ttlSeconds !== undefined ? { ttlSeconds: next.ttlSeconds } : {};
    try {
      if (current === undefined) return await store.create(key, next.value, opts);
      return await store.update(key, next.value, current.modRevision, opts);
    } catch (err) {
      fromCache = false;
      if (isStorageError(err, 'Conflict') || isStorageError(err, 'KeyExists')) {
        current = err.details.current ?? (await store.get(key)).kv;
        continue;
      }
      if (isStorageError(err, 'NotFound')) {
        current = undefined;
        continue;
      }
      throw err;
    }
  }
}
