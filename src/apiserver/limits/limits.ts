/**
 * Request and object limits as kube-apiserver and etcd enforce them: stored objects are capped
 * at etcd's default --max-request-bytes (1.5 MiB), decoded bodies at Go's JSON nesting depth
 * (10000), and the HTTP server gets timeouts and header caps against slow or flooding clients.
 */
import type { ServerOptions } from 'node:http';
import { badRequest, requestEntityTooLarge } from '../../api/errors.js';
import type { KeyValue, Storage, TryUpdate } from '../../storage/interface.js';

/** MAX_OBJECT_BYTES is etcd's default request limit (--max-request-bytes 1.5 MiB). */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** MAX_NESTING_DEPTH is the depth Go's encoding/json (and so upstream's decoder) refuses beyond. */
export const MAX_NESTING_DEPTH = 10000;

/**
 * objectTooLarge is the answer for a value etcd would refuse: upstream maps etcd's
 * ErrRequestTooLarge to 413 RequestEntityTooLarge with etcd's own message.
 */
export function objectTooLarge(): Error {
  return requestEntityTooLarge('etcdserver: request is too large');
}

/**
 * checkNestingDepth throws a 400 when a decoded value nests arrays/objects deeper than `max`.
 * It walks iteratively so that hostile depth cannot overflow the stack here.
 */
export function checkNestingDepth(value: unknown, max = MAX_NESTING_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) throw badRequest(`json: exceeded max depth of ${max}`);
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}

/**
 * textNestingDepth is the deepest bracket nesting in JSON (or flow-style YAML) text, counted
 * without parsing so a body can be refused before a recursive parser sees it. Brackets inside
 * double-quoted strings are skipped.
 */
export function textNestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * limitObjectSize wraps storage so that writes larger than `maxBytes` fail as etcd's would,
 * whatever the backend (SQLite has no such limit of its own).
 */
export function limitObjectSize(storage: Storage, maxBytes = MAX_OBJECT_BYTES): Storage {
  const check = (key: string, value: Buffer): void => {
    if (key.length + value.length > maxBytes) throw objectTooLarge();
  };
  return {
    get backend() {
      return storage.backend;
    },
    currentRevision: () => storage.currentRevision(),
    get: (key, opts) => storage.get(key, opts),
    list: (prefix, opts) => storage.list(prefix, opts),
    count: (prefix) => storage.count(prefix),
    create: (key, value, opts) => {
      check(key, value);
      return storage.create(key, value, opts);
    },
    update: (key, value, expected, opts) => {
      check(key, value);
      return storage.update(key, value, expected, opts);
    },
    guaranteedUpdate: (key, tryUpdate: TryUpdate, cached?: KeyValue) =>
      storage.guaranteedUpdate(
        key,
        async (cur) => {
          const next = await tryUpdate(cur);
          if (next) check(key, next.value);
          return next;
        },
        cached,
      ),
    delete: (key, expected) => storage.delete(key, expected),
    watch: (opts) => storage.watch(opts),
    compact: (rev) => storage.compact(rev),
    compactedRevision: () => storage.compactedRevision(),
    snapshot: (path) => storage.snapshot(path),
    close: () => storage.close(),
  };
}

/** ConnectionLimits are the HTTP server's protections against slow and flooding clients. */
export interface ConnectionLimits {
  /** headersTimeoutMs: a client must finish sending headers within this (slow-loris; default 60 s). */
  headersTimeoutMs?: number;
  /** requestTimeoutMs: a request must be fully received within this (default 5 min; 0 disables). */
  requestTimeoutMs?: number;
  /** maxHeaderSize in bytes (default 16 KiB, Node's --max-http-header-size): larger answers 431. */
  maxHeaderSize?: number;
}

/**
 * serverOptions turns ConnectionLimits into node:http ServerOptions. The connection check runs
 * at a quarter of the shortest timeout so a stalled client is dropped close to its deadline.
 */
export function serverOptions(l: ConnectionLimits = {}): ServerOptions {
  const headersTimeout = l.headersTimeoutMs ?? 60_000;
  const requestTimeout = l.requestTimeoutMs ?? 300_000;
  return {
    headersTimeout,
    requestTimeout: requestTimeout > 0 ? Math.max(requestTimeout, headersTimeout) : 0,
    maxHeaderSize: l.maxHeaderSize ?? 16 * 1024,
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(headersTimeout / 4))),
  };
}
