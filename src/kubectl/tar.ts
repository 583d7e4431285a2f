/**
 * A small tar writer and reader for `kubectl cp`, which streams tar archives through exec.
 * The writer emits ustar headers, with a PAX extended header for names or link targets that
 * do not fit (as Go's archive/tar does). The reader understands ustar, GNU tar's long names
 * (`L`/`K` entries, what GNU tar in the container writes) and PAX `path`/`linkpath`/`size`.
 */

/** TarEntry is one archive member. */
export interface TarEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  mtime: number;
  size: number;
  linkname: string;
  /** data is the content of a regular file (empty otherwise). */
  data: Buffer;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width includes the trailing NUL.
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, typeflag: string, size: number, mode: number, mtime: number, linkname: string): Buffer {
  const h = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  // ustar splits long names at a slash into prefix (155) and name (100).
  if (Buffer.byteLength(base) > 100) {
    const i = name.lastIndexOf('/', 155);
    if (i > 0 && Buffer.byteLength(name.slice(i + 1)) <= 100 && Buffer.byteLength(name.slice(0, i)) <= 155) {
      prefix = name.slice(0, i);
      base = name.slice(i + 1);
    }
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.max(0, Math.floor(mtime)), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(typeflag, 156, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\x0000', 257, 'binary');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

const padding = (n: number): Buffer => Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

/** TarWriter collects entries into an archive buffer. */
export class TarWriter {
  private readonly parts: Buffer[] = [];

  add(e: Omit<TarEntry, 'size'>): void {
    const typeflag = e.type === 'dir' ? '5' : e.type === 'symlink' ? '2' : '0';
    const name = e.type === 'dir' && !e.name.endsWith('/') ? e.name + '/' : e.name;
    const size = e.type === 'file' ? e.data.length : 0;
    const fitsName = Buffer.byteLength(name) <= 100 || (name.lastIndexOf('/', 155) > 0 && Buffer.byteLength(name.slice(name.lastIndexOf('/', 155) + 1)) <= 100);
    if (!fitsName || Buffer.byteLength(e.linkname) > 100) {
      let rec = '';
      if (!fitsName) rec += paxRecord('path', name);
      if (Buffer.byteLength(e.linkname) > 100) rec += paxRecord('linkpath', e.linkname);
      const body = Buffer.from(rec);
      this.parts.push(header('PaxHeaders.0/' + name.slice(0, 80), 'x', body.length, 0o644, e.mtime, ''), body, padding(body.length));
    }
    this.parts.push(header(name, typeflag, size, e.mode, e.mtime, e.linkname.slice(0, 100)));
    if (size > 0) this.parts.push(e.data, padding(size));
  }

  /** finish returns the archive, closed by two zero blocks. */
  finish(): Buffer {
    return Buffer.concat([...this.parts, Buffer.alloc(BLOCK * 2)]);
  }
}

const str = (b: Buffer, off: number, len: number): string => {
  const s = b.subarray(off, off + len);
  const nul = s.indexOf(0);
  return (nul >= 0 ? s.subarray(0, nul) : s).toString('utf8');
};

function num(b: Buffer, off: number, len: number): number {
  // GNU base-256 for large values.
  if (b[off]! & 0x80) {
    let n = 0;
    for (let i = off + 1; i < off + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = str(b, off, len).trim();
  return s ? parseInt(s, 8) : 0;
}

function parsePax(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(' ', i);
    if (sp < 0) break;
    const len = Number(body.slice(i, sp));
    if (!len) break;
    const rec = Buffer.from(body.slice(i)).subarray(0, len).toString('utf8');
    const kv = rec.slice(rec.indexOf(' ') + 1, -1);
    const eq = kv.indexOf('=');
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
    i += rec.length;
  }
  return out;
}

/** TarFormatError: the stream is not a tar archive kubectl cp could read. */
export class TarFormatError extends Error {}

/** readTar parses a whole archive; it stops at the end-of-archive blocks or the end of data. */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== num(h, 148, 8)) throw new TarFormatError('archive/tar: invalid tar header');
    const typeflag = String.fromCharCode(h[156]!);
    let size = num(h, 124, 12);
    if (pax['size'] !== undefined) size = Number(pax['size']);
    const dataStart = off + BLOCK;
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (typeflag === 'K') {
      longLink = str(data, 0, data.length);
      continue;
    }
    if (typeflag === 'x') {
      pax = { ...pax, ...parsePax(data.toString('utf8')) };
      continue;
    }
    if (typeflag === 'g') continue;
    const magic = str(h, 257, 6);
    const prefix = magic === 'ustar' ? str(h, 345, 155) : '';
    let name = longName ?? pax['path'] ?? (prefix ? `${prefix}/${str(h, 0, 100)}` : str(h, 0, 100));
    const linkname = longLink ?? pax['linkpath'] ?? str(h, 157, 100);
    const type: TarEntry['type'] = typeflag === '5' ? 'dir' : typeflag === '2' ? 'symlink' : typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : 'other';
    if (type === 'file' && name.endsWith('/')) name = name.slice(0, -1);
    out.push({ name, type: type === 'file' && name.endsWith('/') ? 'dir' : type, mode: num(h, 100, 8), mtime: num(h, 136, 12), size, linkname, data: type === 'file' ? Buffer.from(data) : Buffer.alloc(0) });
    longName = undefined;
    longLink = undefined;
    pax = {};
  }
  return out;
}
