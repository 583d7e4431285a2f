/**
 * A pid lock file, so two k8ts servers (or agents) never share one data dir: the PKI, the
 * token, the kubelet's pods and (for sqlite) the database all live there. The datastore's own
 * lock only covers the sqlite file; this one also covers etcd-backed servers and the node.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * acquireDirLock creates `path` holding this process's pid and returns its release function
 * (idempotent; also run at process exit). A lock left by a dead process is taken over. A live
 * holder is a DirLockedError whose message is `describe(pid)`.
 */
export function acquireDirLock(path: string, describe: (pid: number) => string): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let pid = NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // vanished between open and read: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DirLockedError(describe(pid), pid);
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first; the next attempt decides
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      process.off('exit', release);
      try {
        if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
      } catch {
        // already gone
      }
    };
    process.on('exit', release);
    return release;
  }
  throw new Error(`could not take lock ${path}`);
}
