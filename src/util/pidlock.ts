/**
 * Pid lock files: a file created exclusively that holds its owner's pid. A lock whose pid is
 * gone (the owner was killed) is taken over; a live owner is reported through `onHeld`.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PidLockOptions {
  /** onHeld builds the error thrown when a live process (`pid`) holds the lock. */
  onHeld(pid: number): Error;
  /** onReadOnly, when given, is returned as the release function on a read-only disk (EROFS). */
  onReadOnly?: () => () => void;
}

/** processAlive tells whether a process with this pid exists (EPERM means it does). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const heldInProcess = new Set<string>();

/**
 * acquirePidLock creates `path` holding this process's pid and returns its release function
 * (idempotent; also run at process exit). Taking a lock this process already holds fails with
 * `onHeld(process.pid)`: two openers in one process are as wrong as in two.
 */
export function acquirePidLock(path: string, opts: PidLockOptions): () => void {
  if (heldInProcess.has(path)) throw opts.onHeld(process.pid);
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EROFS' && opts.onReadOnly) return opts.onReadOnly();
      if (code !== 'EEXIST') throw err;
      let pid = NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        continue; // vanished between open and read: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) throw opts.onHeld(pid);
      try {
        unlinkSync(path);
      } catch {
        // another starter removed it first; the next attempt decides
      }
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    heldInProcess.add(path);
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      heldInProcess.delete(path);
      process.off('exit', release);
      try {
        if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
      } catch {
        // already gone (e.g. the directory was removed)
      }
    };
    process.on('exit', release);
    return release;
  }
  throw new Error(`could not take lock ${path}`);
}
