/**
 * A pid lock file, so two k8ts servers (or agents) never share one data dir: the PKI, the
 * token, the kubelet's pods and (for sqlite) the database all live there. The datastore's own
 * lock only covers the sqlite file; this one also covers etcd-backed servers and the node.
 */
import { acquirePidLock } from '../util/pidlock.js';

/** DirLockedError: the lock is held by a live process (`pid`). */
export class DirLockedError extends Error {
  override name = 'DirLockedError';
  constructor(
    message: string,
    readonly pid: number,
  ) {
    super(message);
  }
}

/**
 * acquireDirLock creates `path` holding this process's pid and returns its release function
 * (idempotent; also run at process exit). A lock left by a dead process is taken over. A live
 * holder is a DirLockedError whose message is `describe(pid)`.
 */
export function acquireDirLock(path: string, describe: (pid: number) => string): () => void {
  return acquirePidLock(path, { onHeld: (pid) => new DirLockedError(describe(pid), pid) });
}
