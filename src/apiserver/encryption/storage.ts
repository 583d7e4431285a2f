/**
 * encryptedStorage wraps a Storage so values under `/registry/<resource>/` of configured
 * resources are encrypted on write and decrypted on every read path (get, list, watch events,
 * guaranteedUpdate's current value, delete's previous value). Everything else passes through.
 */
import type { KeyValue, Storage, WatchEvent } from '../../storage/interface.js';
import type { EncryptionSettings } from './config.js';
import type { PrefixTransformers } from './transformers.js';

export function encryptedStorage(storage: Storage, settings: EncryptionSettings): Storage {
  const all = settings.get('*');
  const chainFor = (key: string): PrefixTransformers | undefined => {
    const m = /^\/registry\/([^/]+)\//.exec(key);
    return (m && settings.get(m[1]!)) ?? all;
  };
  const enc = (key: string, value: Buffer): Buffer => chainFor(key)?.toStorage(value, key) ?? value;
  const dec = (kv: KeyValue): KeyValue => {
    const t = chainFor(kv.key);
    // Deletions carry an empty value.
    if (!t || kv.value.length === 0) return kv;
    return { ...kv, value: t.fromStorage(kv.value, kv.key) };
  };
  const decEvent = (e: WatchEvent): WatchEvent => ({ type: e.type, kv: dec(e.kv), ...(e.prevKv ? { prevKv: dec(e.prevKv) } : {}) });
  return {
    get backend() {
      return storage.backend;
    },
    currentRevision: () => storage.currentRevision(),
    get: async (key, opts) => {
      const r = await storage.get(key, opts);
      return r.kv ? { ...r, kv: dec(r.kv) } : r;
    },
    list: async (prefix, opts) => {
      const r = await storage.list(prefix, opts);
      return { ...r, kvs: r.kvs.map(dec) };
    },
    count: (prefix) => storage.count(prefix),
    create: async (key, value, opts) => dec(await storage.create(key, enc(key, value), opts)),
    update: async (key, value, expected, opts) => dec(await storage.update(key, enc(key, value), expected, opts)),
    guaranteedUpdate: async (key, tryUpdate, cached) => {
      const kv = await storage.guaranteedUpdate(
        key,
        async (cur) => {
          const plain = cur ? dec(cur) : undefined;
          const next = await tryUpdate(plain);
          if (next) return { ...next, value: enc(key, next.value) };
          // No change, but the value is under an old key: re-write it, as upstream does.
          if (cur && plain && chainFor(key)?.stale(cur.value)) return { value: enc(key, plain.value) };
          return next;
        },
        // The cached copy is plain; the backend compares revisions, not bytes, before using it.
        cached ? { ...cached, value: enc(key, cached.value) } : undefined,
      );
      return kv ? dec(kv) : kv;
    },
    delete: async (key, expected) => {
      const r = await storage.delete(key, expected);
      return { ...r, prevKv: dec(r.prevKv) };
    },
    watch: (opts) => storage.watch({ ...opts, onEvents: (events) => opts.onEvents(events.map(decEvent)) }),
    compact: (rev) => storage.compact(rev),
    compactedRevision: () => storage.compactedRevision(),
    snapshot: (path) => storage.snapshot(path),
    close: () => storage.close(),
  };
}
