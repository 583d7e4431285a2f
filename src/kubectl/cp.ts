/**
 * `kubectl cp`: files to and from a container as kubectl does it, a tar archive streamed
 * through exec. To a pod: `test -d DEST` decides whether DEST names a directory, then the
 * local tree is archived under DEST's base name and unpacked by `tar -xmf - -C DIR` in the
 * container. From a pod: `tar cf - SRC` in the container, unpacked locally with SRC's path
 * prefix stripped. The container needs `tar` (with the process runtime: the host's).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { posix } from 'node:path';
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import { CmdError, type Factory } from './factory.js';
import { defaultContainer, execInPod } from './streaming.js';
import { goQuote } from './gofmt.js';
import { readTar, TarFormatError, TarWriter } from './tar.js';

export const CP_FLAGS: FlagSpecs = {
  container: { type: 'string', short: 'c' },
  'no-preserve': { type: 'bool' },
  retries: { type: 'int' },
  quiet: { type: 'bool', short: 'q' },
};

interface FileSpec {
  namespace: string | undefined;
  pod: string | undefined;
  file: string;
}

/** extractFileSpec splits `[[namespace/]pod:]path` as kubectl does. */
function extractFileSpec(arg: string): FileSpec {
  const i = arg.indexOf(':');
  if (i === 0) throw new CmdError('filespec must match the canonical format: [[namespace/]pod:]file/path');
  if (i < 0) return { namespace: undefined, pod: undefined, file: arg };
  const pieces = arg.slice(0, i).split('/');
  const file = arg.slice(i + 1);
  if (pieces.length === 1) return { namespace: undefined, pod: pieces[0], file };
  if (pieces.length === 2) return { namespace: pieces[0], pod: pieces[1], file };
  throw new CmdError('filespec must match the canonical format: [[namespace/]pod:]file/path');
}

export async function runCp(f: Factory, flags: Flags, args: string[]): Promise<number> {
  if (args.length !== 2) throw new CmdError('source and destination are required');
  const src = extractFileSpec(args[0]!);
  const dest = extractFileSpec(args[1]!);
  if (src.pod && dest.pod) throw new CmdError('one of src or dest must be a local file specification');
  if (src.file === '' || dest.file === '') throw new CmdError('filepath can not be empty');
  if (src.pod) return copyFromPod(f, flags, src, dest.file);
  if (dest.pod) return copyToPod(f, flags, src.file, dest);
  throw new CmdError('one of src or dest must be a remote file specification');
}

async function podTarget(f: Factory, flags: Flags, spec: FileSpec): Promise<{ namespace: string; name: string; container: string }> {
  const namespace = spec.namespace ?? f.namespace().namespace;
  const pod = await f.client().requestJSON<KubeObject>({ method: 'GET', path: `/api/v1/namespaces/${namespace}/pods/${encodeURIComponent(spec.pod!)}` });
  const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') throw new CmdError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  return { namespace, name: spec.pod!, container: defaultContainer(f, pod, flags) };
}

/** addTree archives a local path under the archive name `name` (kubectl's recursiveTar). */
function addTree(tw: TarWriter, local: string, name: string): void {
  const st = lstatSync(local);
  const mtime = Math.floor(st.mtimeMs / 1000);
  if (st.isDirectory()) {
    const entries = readdirSync(local).sort();
    if (entries.length === 0) tw.add({ name, type: 'dir', mode: st.mode, mtime, linkname: '', data: Buffer.alloc(0) });
    for (const e of entries) addTree(tw, join(local, e), posix.join(name, e));
  } else if (st.isSymbolicLink()) {
    tw.add({ name, type: 'symlink', mode: st.mode, mtime, linkname: readlinkSync(local), data: Buffer.alloc(0) });
  } else {
    tw.add({ name, type: 'file', mode: st.mode, mtime, linkname: '', data: readFileSync(local) });
  }
}

async function copyToPod(f: Factory, flags: Flags, srcFile: string, dest: FileSpec): Promise<number> {
  try {
    statSync(srcFile);
  } catch {
    throw new CmdError(`${srcFile} doesn't exist in local filesystem`);
  }
  const target = await podTarget(f, flags, dest);
  const cfg = f.config();
  let destFile = dest.file;
  const isDir = await execInPod(cfg, target, ['test', '-d', destFile], { onStdout: () => undefined, onStderr: () => undefined });
  if (isDir.exitCode === 0 && !isDir.statusError) destFile = posix.join(destFile, basename(resolve(srcFile)));
  const clean = posix.normalize(destFile);
  const tw = new TarWriter();
  addTree(tw, srcFile, posix.basename(clean));
  const cmd = flags.bool('no-preserve') ? ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-'] : ['tar', '-xmf', '-'];
  const dir = posix.dirname(clean);
  if (dir) cmd.push('-C', dir);
  const r = await execInPod(cfg, target, cmd, { stdin: tw.finish(), onStdout: (b) => f.io.out(b.toString('utf8')), onStderr: (b) => f.io.err(b.toString('utf8')) });
  if (r.statusError) throw new CmdError(r.statusError);
  if (r.exitCode !== 0) {
    // As exec: the remote tar's exit code becomes kubectl's.
    f.io.err(`command terminated with exit code ${r.exitCode}\n`);
    return r.exitCode;
  }
  return 0;
}

/** stripPathShortcuts removes leading `../` and `./` as kubectl does before matching the prefix. */
function stripPathShortcuts(p: string): string {
  let s = p;
  for (;;) {
    if (s.startsWith('../')) s = s.slice(3);
    else if (s.startsWith('./')) s = s.slice(2);
    else if (s === '..' || s === '.') return '';
    else return s;
  }
}

async function copyFromPod(f: Factory, flags: Flags, src: FileSpec, destFile: string): Promise<number> {
  const target = await podTarget(f, flags, src);
  const chunks: Buffer[] = [];
  const r = await execInPod(f.config(), target, ['tar', 'cf', '-', src.file], {
    onStdout: (b) => chunks.push(Buffer.from(b)),
    // kubectl hands the remote stderr to its stdout here; it returns when the archive ends, so
    // whatever tar says after that (a missing file) may or may not reach kubectl's output.
    onStderr: (b) => f.io.out(b.toString('utf8')),
  });
  let entries;
  try {
    entries = readTar(Buffer.concat(chunks));
  } catch (e) {
    if (e instanceof TarFormatError) throw new CmdError(e.message);
    throw e;
  }
  const prefix = stripPathShortcuts(posix.normalize(src.file.replace(/^\/+/, '')));
  const destAbs = resolve(destFile);
  let warnedSymlink = false;
  for (const e of entries) {
    if (!e.name.startsWith(prefix)) throw new CmdError('tar contents corrupted');
    const rest = e.name.slice(prefix.length);
    const out = join(destFile, ...posix.normalize(rest || '.').split('/')).replace(/(.)\/$/, '$1');
    const rel = relative(destAbs, resolve(out));
    if (rel.startsWith('..' + sep) || rel === '..') {
      f.io.err(`warning: file "${out}" is outside target destination, skipping\n`);
      continue;
    }
    mkdirSync(dirname(out), { recursive: true });
    if (e.type === 'dir') {
      mkdirSync(out, { recursive: true });
      continue;
    }
    if (e.type === 'symlink') {
      // The first warning suggests kubectl's own workaround, as kubectl does.
      const hint = warnedSymlink ? '' : ` (consider using "kubectl exec -n ${goQuote(src.namespace ?? '')} ${goQuote(src.pod!)} -- tar cf - ${goQuote(src.file)} | tar xf -")`;
      warnedSymlink = true;
      f.io.err(`warning: skipping symlink: ${goQuote(out)} -> ${goQuote(e.linkname)}${hint}\n`);
      continue;
    }
    try {
      writeFileSync(out, e.data, { mode: e.mode & 0o777 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR') throw new CmdError(`open ${out}: is a directory`);
      throw err;
    }
  }
  // kubectl returns as soon as the archive ends, before tar's exit status arrives: a missing
  // source prints tar's complaint and still exits 0.
  if (r.statusError) throw new CmdError(r.statusError);
  return 0;
}
