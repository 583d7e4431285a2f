/**
 * An exclusive lock file next to the database, so two servers never write one file. It holds
 * the owner's pid; a lock whose pid is gone (the owner was killed) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { StorageError } from '../interface.js';

const heldInProcess = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** acquireLock takes `path` or throws StorageError 'Unavailable' naming the holder. */
export function acquireLock(path: string): () => void {
  if (heldInProcess.has(path)) throw new StorageError('Unavailable', `datastore is already open in this process (lock ${path})`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldInProcess.add(path);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldInProcess.delete(path);
        try {
          unlinkSync(path);
        } catch {
          // Already gone (e.g. the directory was removed); nothing to release.
        }
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS') {
        // A read-only disk cannot hold a lock file, and nobody else can write there either.
        return () => {};
      }
      if (code !== 'EEXIST') throw err;
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue;
    }
    if (Number.isFinite(pid) && pid !== process.pid && alive(pid)) {
      throw new StorageError('Unavailable', `datastore is in use by process ${pid} (lock file ${path}); stop it first`);
    }
    try {
      unlinkSync(path);
    } catch {
      // Another opener removed it first; retry.
    }
  }
  throw new StorageError('Unavailable', `could not take datastore lock ${path}`);
}
