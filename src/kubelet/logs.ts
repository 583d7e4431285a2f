/**
 * Reading CRI-format container logs for `kubectl logs` as upstream's pkg/kubelet/kuberuntime/logs:
 * tailLines, sinceTime/sinceSeconds, timestamps, limitBytes and follow. Partial (`P`) records are
 * joined with the following record, as kubectl shows them.
 */
import { createReadStream, existsSync, openSync, closeSync, readSync, fstatSync, watch } from 'node:fs';
import type { Writable } from 'node:stream';

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
  if (!existsSync(path)) return;
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
  // client goes away.
  await new Promise<void>((resolve) => {
    let pending = Buffer.alloc(0);
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      watcher.close();
      clearInterval(poll);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const pump = (): void => {
      if (done) return;
      const fd2 = openSync(path, 'r');
      try {
        const size = fstatSync(fd2).size;
        if (size > offset) {
          const b = Buffer.alloc(size - offset);
          readSync(fd2, b, 0, b.length, offset);
          offset = size;
          pending = Buffer.concat([pending, b]);
          const lastNl = pending.lastIndexOf(10);
          if (lastNl >= 0) {
            const lines = splitLines(pending.subarray(0, lastNl + 1));
            pending = pending.subarray(lastNl + 1);
            for (const l of lines) {
              const r = parseCriLine(l);
              if (r && keep(r) && !write(render(r, opts.timestamps ?? false))) return finish();
            }
          }
        }
      } finally {
        closeSync(fd2);
      }
    };
    const watcher = watch(path, () => pump());
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
