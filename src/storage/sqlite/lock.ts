/**
 * An exclusive lock file next to the database, so two servers never write one file. It holds
 * the owner's pid; a lock whose pid is gone (the owner was killed) is taken over.
 */
import { acquirePidLock } from '../../util/pidlock.js';
import { StorageError } from '../interface.js';

/** acquireLock takes `path` or throws StorageError 'Unavailable' naming the holder. */
export function acquireLock(path: string): () => void {
  return acquirePidLock(path, {
    onHeld: (pid) =>
      pid === process.pid
        ? new StorageError('Unavailable', `datastore is already open in this process (lock ${path})`)
        : new StorageError('Unavailable', `datastore is in use by process ${pid} (lock file ${path}); stop it first`),
    // A read-only disk cannot hold a lock file, and nobody else can write there either.
    onReadOnly: () => () => {},
  });
}
