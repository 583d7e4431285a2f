/**
 * Checkpointer thread: copies the WAL into the main database file with PASSIVE checkpoints on
 * its own connection, so the writer never pays for a checkpoint inside a commit (a checkpoint
 * fsyncs the main file and can take tens of milliseconds) and the WAL stays small.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // A full or read-only disk makes checkpoints fail; the writer reports those errors.
  }
}, intervalMs);
parentPort!.on('message', (msg: string) => {
  if (msg !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort!.postMessage('closed');
  parentPort!.close();
});
