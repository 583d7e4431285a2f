/** Entry point of the sqlite writer thread: hosts a WriterEngine behind the parent port. */
import { parentPort, workerData } from 'node:worker_threads';
import { isStorageError } from '../interface.js';
import { sqliteErrorCode } from './core.js';
import { WriterEngine, type EngineConfig, type InMsg, type OutMsg } from './engine.js';
import { setThreadNice, WRITER_NICE } from './thread.js';

const port = parentPort!;
const post = (msg: OutMsg, transfer?: ArrayBuffer[]): void => port.postMessage(msg, transfer);
let engine: WriterEngine;
// Only on this thread of its own: an engine on the caller's thread leaves the caller's priority alone.
setThreadNice(WRITER_NICE);
try {
  engine = new WriterEngine(workerData as EngineConfig, post);
  post({ t: 'ready', revision: engine.revision, compactRevision: engine.compactedRevision });
  port.on('message', (msg: InMsg) => engine.handle(msg));
} catch (err) {
  const mapped = isStorageError(err) ? { code: err.code, message: err.message } : sqliteErrorCode(err);
  post({ t: 'fatal', code: mapped.code, message: mapped.message });
}
