/**
 * AtomicWriter as upstream's pkg/volume/util/atomic_writer.go: a volume's files are written
 * into a fresh timestamped directory, `..data` is swapped to it with one rename of a symlink,
 * and the user-visible names are symlinks through `..data`. A reader therefore sees either
 * the old payload or the new one, never a mix.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileProjection {
  data: Buffer;
  /** mode is the file mode (default 0o644, upstream's defaultMode 420). */
  mode: number;
}

/** Payload maps relative paths (`key`, `dir/file`) to contents. */
export type Payload = Map<string, FileProjection>;

const DATA = '..data';
const DATA_TMP = '..data_tmp';

/** validatePath is upstream's rule: relative, no `..` element, no leading `..`. */
export function validatePath(p: string): void {
  if (!p) throw new Error('invalid path: must not be empty');
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.split('/').includes('..')) throw new Error(`invalid path: must not contain '..': ${p}`);
  if (p.startsWith('..')) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function timestampDir(now: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rnd = Math.floor(Math.random() * 1e9);
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.${pad(rnd, 9)}`;
}

/**
 * writeAtomically makes `targetDir` show exactly `payload`. It returns false (and touches
 * nothing) when the current payload is already identical.
 */
export function writeAtomically(targetDir: string, payload: Payload, now = new Date()): boolean {
  for (const p of payload.keys()) validatePath(p);
  mkdirSync(targetDir, { recursive: true });
  const dataLink = join(targetDir, DATA);
  let oldTsDir: string | undefined;
  try {
    oldTsDir = readlinkSync(dataLink);
  } catch {
    oldTsDir = undefined;
  }
  if (oldTsDir && sameAsOnDisk(join(targetDir, oldTsDir), payload)) return false;

  const tsName = timestampDir(now);
  const tsDir = join(targetDir, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [p, f] of payload) {
    const full = join(tsDir, p);
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, f.data, { mode: f.mode });
    chmodSync(full, f.mode); // the umask must not narrow what the pod asked for
  }
  const tmpLink = join(targetDir, DATA_TMP);
  rmSync(tmpLink, { force: true });
  symlinkSync(tsName, tmpLink);
  renameSync(tmpLink, dataLink);

  // User-visible names: one symlink per top-level element, through ..data.
  const wanted = new Set([...payload.keys()].map((p) => normalize(p).split(sep)[0]!));
  for (const top of wanted) {
    const link = join(targetDir, top);
    const st = lstatSync(link, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && readlinkSync(link) === join(DATA, top)) continue;
    if (st) rmSync(link, { recursive: true, force: true });
    symlinkSync(join(DATA, top), link);
  }
  for (const name of readdirSync(targetDir)) {
    if (name.startsWith('..')) continue;
    if (!wanted.has(name)) rmSync(join(targetDir, name), { recursive: true, force: true });
  }
  if (oldTsDir && oldTsDir !== tsName) rmSync(join(targetDir, oldTsDir), { recursive: true, force: true });
  return true;
}

function sameAsOnDisk(dir: string, payload: Payload): boolean {
  if (!existsSync(dir)) return false;
  const onDisk: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else onDisk.push(r);
    }
  };
  walk(dir, '');
  if (onDisk.length !== payload.size) return false;
  for (const [p, f] of payload) {
    const full = join(dir, p);
    const st = lstatSync(full, { throwIfNoEntry: false });
    if (!st || (st.mode & 0o7777) !== f.mode) return false;
    if (!readFileSync(full).equals(f.data)) return false;
  }
  return true;
}
