/**
 * Reading CRI-format container logs for `kubectl logs` as upstream's pkg/kubelet/kuberuntime/logs:
 * tailLines, sinceTime/sinceSeconds, timestamps, limitBytes and follow (which carries on into the
 * new file when the log is rotated underneath it). Partial (`P`) records are joined with the
 * following record, as kubectl shows them.
 *
 * ContainerLogManager rotates the logs of running containers as upstream's
 * pkg/kubelet/logs/container_log_manager (`--container-log-max-size`, `--container-log-max-files`).
 */
import { createReadStream, existsSync, openSync, closeSync, readSync, fstatSync, statSync, watch, readdirSync, renameSync, rmSync, createWriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import type { RuntimeService } from './runtime/api.js';

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  /** sinceTime in ms since epoch (sinceSeconds is converted by the caller). */
  sinceTime?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

export interface LogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

/** parseCriLine parses `<time> <stream> <P|F> <content>`; undefined for a malformed line. */
export function parseCriLine(line: Buffer): LogRecord | undefined {
  const s1 = line.indexOf(32);
  if (s1 < 0) return undefined;
  const s2 = line.indexOf(32, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString();
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const s3 = line.indexOf(32, s2 + 1);
  const tag = line.subarray(s2 + 1, s3 < 0 ? line.length : s3).toString();
  return {
    time: line.subarray(0, s1).toString(),
    stream,
    partial: tag === 'P',
    content: s3 < 0 ? Buffer.alloc(0) : line.subarray(s3 + 1),
  };
}

/** formatRecords renders records as kubectl expects them, optionally with the RFC3339Nano time. */
function render(rec: LogRecord, timestamps: boolean): Buffer {
  const body = rec.partial ? rec.content : Buffer.concat([rec.content, Buffer.from('\n')]);
  return timestamps ? Buffer.concat([Buffer.from(`${rec.time} `), body]) : body;
}

function splitLines(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl < 0) break;
    out.push(buf.subarray(start, nl));
    start = nl + 1;
  }
  return out;
}

/** readLogs writes the selected part of a CRI log to `out`, following it when asked. */
export async function readLogs(path: string, opts: LogOptions, out: Writable, signal?: AbortSignal, stillRunning: () => boolean = () => false): Promise<void> {
  // Right after a rotation renamed the file away the path is absent until the runtime's next
  // write creates it again: a follower waits for it while the container runs.
  while (!existsSync(path)) {
    if (!opts.follow || !stillRunning() || signal?.aborted || out.destroyed) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  let remaining = opts.limitBytes ?? Infinity;
  const write = (b: Buffer): boolean => {
    if (remaining <= 0) return false;
    const chunk = b.length > remaining ? b.subarray(0, remaining) : b;
    remaining -= chunk.length;
    out.write(chunk);
    return remaining > 0;
  };
  const keep = (rec: LogRecord): boolean => opts.sinceTime === undefined || Date.parse(rec.time) >= opts.sinceTime;

  // Read what exists (logs are bounded by rotation; reading whole files keeps tailLines simple).
  const fd = openSync(path, 'r');
  let offset = 0;
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(size);
    readSync(fd, buf, 0, size, 0);
    const lastNl = buf.lastIndexOf(10);
    offset = lastNl + 1;
    let recs = splitLines(buf.subarray(0, offset)).map(parseCriLine).filter((r): r is LogRecord => r !== undefined && keep(r));
    if (opts.tailLines !== undefined) {
      // Lines are full records: count F records (a P record belongs to the next F).
      let n = 0;
      let i = recs.length;
      while (i > 0) {
        if (!recs[i - 1]!.partial) {
          if (n === opts.tailLines) break;
          n++;
        }
        i--;
      }
      recs = recs.slice(i);
    }
    for (const r of recs) if (!write(render(r, opts.timestamps ?? false))) return;
  } finally {
    closeSync(fd);
  }
  if (!opts.follow) return;

  // Follow: watch the file and stream new complete lines until the container stops or the
  // client goes away. The open descriptor is read to its end; when the path names another file
  // (rotation renamed ours away), reading moves on to the new one from its start.
  await new Promise<void>((resolve) => {
    let pending = Buffer.alloc(0);
    let done = false;
    let fd2 = openSync(path, 'r');
    let ino = fstatSync(fd2).ino;
    // The directory, not the file: a watch on the file stays with the renamed inode, while the
    // directory also reports the new file's creation and every write to it.
    const watcher = watch(dirname(path), () => pump());
    if (fstatSync(fd2).size < offset) offset = 0;
    const finish = (): void => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(poll);
      closeSync(fd2);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const drain = (): boolean => {
      const size = fstatSync(fd2).size;
      if (size <= offset) return true;
      const b = Buffer.alloc(size - offset);
      const n = readSync(fd2, b, 0, b.length, offset);
      offset += n;
      pending = Buffer.concat([pending, b.subarray(0, n)]);
      const lastNl = pending.lastIndexOf(10);
      if (lastNl < 0) return true;
      const lines = splitLines(pending.subarray(0, lastNl + 1));
      pending = pending.subarray(lastNl + 1);
      for (const l of lines) {
        const r = parseCriLine(l);
        if (r && keep(r) && !write(render(r, opts.timestamps ?? false))) return false;
      }
      return true;
    };
    const pump = (): void => {
      if (done) return;
      if (!drain()) return finish();
      let now: number | undefined;
      try {
        now = statSync(path).ino;
      } catch {
        return; // between the rename and the new file's creation
      }
      if (now === ino) return;
      // Rotated: what the old file gained meanwhile was drained above; continue in the new one.
      closeSync(fd2);
      fd2 = openSync(path, 'r');
      ino = fstatSync(fd2).ino;
      offset = 0;
      pending = Buffer.alloc(0);
      if (!drain()) finish();
    };
    // inotify can miss events across renames; a slow poll also notices the container stopped.
    const poll = setInterval(() => {
      pump();
      if (!stillRunning()) {
        pump();
        finish();
      }
    }, 500);
    signal?.addEventListener('abort', finish);
    out.once('close', finish);
    pump();
  });
}

/** tailBytes returns the last `maxLines` lines of a CRI log, at most maxBytes (termination message fallback). */
export async function tailLogContent(path: string, maxLines: number, maxBytes: number): Promise<string> {
  if (!existsSync(path)) return '';
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    createReadStream(path)
      .on('data', (b) => chunks.push(b as Buffer))
      .on('end', resolve)
      .on('error', reject);
  });
  const recs = splitLines(Buffer.concat(chunks)).map(parseCriLine).filter((r): r is LogRecord => r !== undefined);
  const text = Buffer.concat(recs.slice(-maxLines).map((r) => render(r, false)));
  return text.subarray(Math.max(0, text.length - maxBytes)).toString('utf8');
}

/** Upstream's defaults for `--container-log-max-size` and `--container-log-max-files`. */
export const DEFAULT_CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024;
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;

export interface ContainerLogManagerOptions {
  runtime: RuntimeService;
  /** maxSize in bytes a log grows to before it is rotated (default 10 MiB). */
  maxSize?: number;
  /** maxFiles is how many files a container's log may span, the current one included (default 5, at least 2). */
  maxFiles?: number;
  /** now gives the time rotated files are named after (default Date.now). */
  now?: () => number;
  /** onError hears about a log that could not be rotated. */
  onError?: (logPath: string, err: unknown) => void;
}

/** rotatedSuffix is upstream's timestamp suffix `20060102-150405` (UTC). */
export function rotatedSuffix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * ContainerLogManager rotates each running container's log once it exceeds maxSize, as
 * upstream: the current log `N.log` is renamed `N.log.<yyyymmdd-hhmmss>` and the runtime told
 * to reopen (ReopenContainerLog), so writing continues in a fresh `N.log`; rotated files beyond
 * maxFiles - 1 are removed oldest first, and rotated files but the newest two are gzip-compressed
 * (`.gz`, the newest before this rotation is left as upstream does). `kubectl logs` reads the current file only, as upstream.
 */
export class ContainerLogManager {
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ContainerLogManagerOptions) {
    this.maxSize = o.maxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE;
    this.maxFiles = Math.max(2, o.maxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES);
  }

  /** rotateLogs checks every running container once; concurrent calls share one pass. */
  rotateLogs(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { containers } = await this.o.runtime.listContainers({ filter: { state: 'CONTAINER_RUNNING' } });
    for (const c of containers) {
      let logPath: string;
      try {
        logPath = (await this.o.runtime.containerStatus({ containerId: c.id })).status.logPath;
      } catch {
        continue; // gone meanwhile
      }
      if (!logPath) continue;
      try {
        const size = statSync(logPath, { throwIfNoEntry: false })?.size ?? 0;
        if (size < this.maxSize) continue;
        await this.rotate(c.id, logPath);
      } catch (e) {
        this.o.onError?.(logPath, e);
      }
    }
  }

  private rotated(logPath: string): string[] {
    const dir = dirname(logPath);
    const prefix = `${basename(logPath)}.`;
    // Suffixes sort by time: yyyymmdd-hhmmss, optionally .gz.
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && !f.endsWith('.tmp'))
      .sort()
      .map((f) => join(dir, f));
  }

  private async rotate(containerId: string, logPath: string): Promise<void> {
    const dir = dirname(logPath);
    // Leftovers of an interrupted compression.
    for (const f of readdirSync(dir)) if (f.startsWith(`${basename(logPath)}.`) && f.endsWith('.tmp')) rmSync(join(dir, f), { force: true });
    // Make room: after this rotation there are maxFiles - 1 rotated files plus the current one.
    const old = this.rotated(logPath);
    for (const f of old.slice(0, Math.max(0, old.length - (this.maxFiles - 2)))) rmSync(f, { force: true });
    // Compress every rotated file but the newest (a follower may still be reading it).
    for (const f of this.rotated(logPath).slice(0, -1)) {
      if (f.endsWith('.gz')) continue;
      const tmp = `${f}.gz.tmp`;
      await pipeline(createReadStream(f), createGzip(), createWriteStream(tmp));
      renameSync(tmp, `${f}.gz`);
      rmSync(f, { force: true });
    }
    const target = `${logPath}.${rotatedSuffix((this.o.now ?? Date.now)())}`;
    if (existsSync(target) || existsSync(`${target}.gz`)) return; // rotated this very second: next pass
    renameSync(logPath, target);
    try {
      await this.o.runtime.reopenContainerLog({ containerId });
    } catch (e) {
      // Upstream renames the file back so the container keeps logging where it was.
      renameSync(target, logPath);
      throw e;
    }
  }
}
