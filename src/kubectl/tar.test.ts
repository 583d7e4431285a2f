import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, TarWriter } from './tar.js';

const LONG = 'd'.repeat(60) + '/' + 'n'.repeat(120) + '.txt';

function sample(): Buffer {
  const tw = new TarWriter();
  tw.add({ name: 'top/a.txt', type: 'file', mode: 0o644, mtime: 1_700_000_000, linkname: '', data: Buffer.from('hello\n') });
  tw.add({ name: 'top/empty', type: 'dir', mode: 0o755, mtime: 1_700_000_000, linkname: '', data: Buffer.alloc(0) });
  tw.add({ name: 'top/link', type: 'symlink', mode: 0o777, mtime: 1_700_000_000, linkname: 'a.txt', data: Buffer.alloc(0) });
  tw.add({ name: `top/${LONG}`, type: 'file', mode: 0o600, mtime: 1_700_000_000, linkname: '', data: Buffer.alloc(1500, 'x') });
  return tw.finish();
}

test('TarWriter output round-trips through readTar', () => {
  const got = readTar(sample()).map((e) => [e.name, e.type, e.mode, e.data.length, e.linkname]);
  assert.deepEqual(got, [
    ['top/a.txt', 'file', 0o644, 6, ''],
    ['top/empty/', 'dir', 0o755, 0, ''],
    ['top/link', 'symlink', 0o777, 0, 'a.txt'],
    [`top/${LONG}`, 'file', 0o600, 1500, ''],
  ]);
});

test('GNU tar extracts what TarWriter writes, and readTar reads what GNU tar writes (long names)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-tar-'));
  try {
    mkdirSync(join(dir, 'x'));
    execFileSync('tar', ['-xmf', '-', '-C', join(dir, 'x')], { input: sample() });
    assert.equal(readFileSync(join(dir, 'x/top/a.txt'), 'utf8'), 'hello\n');
    assert.equal(readlinkSync(join(dir, 'x/top/link')), 'a.txt');
    assert.equal(readFileSync(join(dir, 'x/top', LONG)).length, 1500);
    writeFileSync(join(dir, 'x/top/b.bin'), Buffer.from([0, 1, 2, 255]));
    const archive = execFileSync('tar', ['cf', '-', '-C', join(dir, 'x'), 'top'], { maxBuffer: 1 << 24 });
    const entries = new Map(readTar(archive).map((e) => [e.name, e]));
    assert.deepEqual([...entries.get('top/b.bin')!.data], [0, 1, 2, 255]);
    assert.equal(entries.get(`top/${LONG}`)?.data.length, 1500);
    assert.equal(entries.get('top/link')?.linkname, 'a.txt');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
