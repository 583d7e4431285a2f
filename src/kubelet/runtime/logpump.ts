/**
 * LogPump turns a container's raw stdout/stderr files into a CRI-format log
 * (`<RFC3339Nano> <stream> <F|P> <content>`). Containers write to plain files (not pipes) so
 * they keep running when the kubelet dies; the pump is the part that restarts with it, resuming
 * from offsets it persists next to the raw files.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/** formatCriTime prints upstream's fixed-width `2006-01-02T15:04:05.000000000Z` timestamp. */
export function formatCriTime(ms: number, subMillisNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}${String(subMillisNanos).padStart(6, '0').slice(0, 6)}Z`;
}

interface Source {
  stream: 'stdout' | 'stderr';
  path: string;
  fd: number | undefined;
  offset: number;
  partial: Buffer;
}

const CHUNK = 256 * 1024;
/** A partial line longer than this is written as a `P` record, as upstream splits at 16 KiB. */
const MAX_LINE = 16 * 1024;

export class LogPump {
  private sources: Source[];
  private logFd: number | undefined;
  private seq = 0;
  private listeners = new Set<(stream: 'stdout' | 'stderr', data: Buffer) => void>();

  constructor(
    private readonly logPath: string,
    rawStdout: string,
    rawStderr: string,
    private readonly offsetsPath: string,
    private readonly now: () => number,
  ) {
    let saved: { stdout?: number; stderr?: number } = {};
    if (existsSync(offsetsPath)) {
      try {
        saved = JSON.parse(readFileSync(offsetsPath, 'utf8')) as typeof saved;
      } catch {
        saved = {};
      }
    }
    this.sources = [
      { stream: 'stdout', path: rawStdout, fd: undefined, offset: saved.stdout ?? 0, partial: Buffer.alloc(0) },
      { stream: 'stderr', path: rawStderr, fd: undefined, offset: saved.stderr ?? 0, partial: Buffer.alloc(0) },
    ];
  }

  /** onData subscribes to raw output as it is pumped (attach uses it). */
  onData(fn: (stream: 'stdout' | 'stderr', data: Buffer) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * pump copies whatever the raw files gained since the last call; with `final`, a trailing
   * partial line is flushed too (the container has exited). Returns true when it copied bytes.
   */
  pump(final = false): boolean {
    let moved = false;
    for (const s of this.sources) {
      if (s.fd === undefined) {
        if (!existsSync(s.path)) continue;
        s.fd = openSync(s.path, 'r');
      }
      const size = fstatSync(s.fd).size;
      if (size < s.offset) s.offset = 0; // truncated underneath us
      while (s.offset < size) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - s.offset));
        const n = readSync(s.fd, buf, 0, buf.length, s.offset);
        if (n <= 0) break;
        s.offset += n;
        moved = true;
        const data = buf.subarray(0, n);
        for (const fn of this.listeners) fn(s.stream, data);
        this.lines(s, data);
      }
      if (final && s.partial.length > 0) {
        this.write(s.stream, 'P', s.partial);
        s.partial = Buffer.alloc(0);
      }
    }
    if (moved) this.saveOffsets();
    return moved;
  }

  private lines(s: Source, data: Buffer): void {
    let buf = s.partial.length ? Buffer.concat([s.partial, data]) : data;
    for (;;) {
      const nl = buf.indexOf(10);
      if (nl < 0) break;
      let line = buf.subarray(0, nl);
      while (line.length > MAX_LINE) {
        this.write(s.stream, 'P', line.subarray(0, MAX_LINE));
        line = line.subarray(MAX_LINE);
      }
      this.write(s.stream, 'F', line);
      buf = buf.subarray(nl + 1);
    }
    while (buf.length > MAX_LINE) {
      this.write(s.stream, 'P', buf.subarray(0, MAX_LINE));
      buf = buf.subarray(MAX_LINE);
    }
    s.partial = Buffer.from(buf);
  }

  private write(stream: string, tag: 'F' | 'P', content: Buffer): void {
    if (this.logFd === undefined) this.logFd = openSync(this.logPath, 'a');
    // Sub-millisecond digits from a counter keep timestamps strictly ordered within a pump.
    const ts = formatCriTime(this.now(), (this.seq = (this.seq + 1) % 1_000_000));
    writeSync(this.logFd, Buffer.concat([Buffer.from(`${ts} ${stream} ${tag} `), content, Buffer.from('\n')]));
  }

  private saveOffsets(): void {
    const tmp = `${this.offsetsPath}.tmp`;
    writeFileSync(tmp, JSON.stringify({ stdout: this.sources[0]!.offset, stderr: this.sources[1]!.offset }));
    renameSync(tmp, this.offsetsPath);
  }

  /** reopen closes the CRI log file so the next write opens it afresh (after rotation). */
  reopen(): void {
    if (this.logFd !== undefined) closeSync(this.logFd);
    this.logFd = undefined;
  }

  close(): void {
    this.reopen();
    for (const s of this.sources) {
      if (s.fd !== undefined) closeSync(s.fd);
      s.fd = undefined;
    }
    this.listeners.clear();
  }
}
