/**
 * What the sqlite backend does with bad disks: corrupt or foreign files are refused and left
 * untouched, a second opener is refused, a full disk fails writes with 'NoSpace' and recovers,
 * a read-only disk serves reads and fails writes with 'ReadOnly'. The disk cases use a small
 * tmpfs this test mounts (root only) and unmounts.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isStorageError, openStorage } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-disk-'));
let mounted: string | undefined;
after(() => {
  if (mounted) execFileSync('umount', [mounted]);
  rmSync(root, { recursive: true, force: true });
});

async function refused(dataDir: string, code: string, mention: string): Promise<void> {
  await assert.rejects(openStorage('', { dataDir }), (err: unknown) => {
    assert.ok(isStorageError(err), String(err));
    assert.equal(err.code, code);
    assert.ok(err.message.includes(mention), `message names ${mention}: ${err.message}`);
    return true;
  });
}

const files: Array<{ name: string; make: (path: string) => void }> = [
  { name: 'random bytes', make: (p) => writeFileSync(p, Buffer.from('this is not a database at all, just some text '.repeat(100))) },
  { name: 'a truncated SQLite header', make: (p) => writeFileSync(p, Buffer.from('SQLite format')) },
  {
    name: 'another application\'s SQLite database',
    make: (p) => {
      const db = new Database(p);
      db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts(owner) VALUES (\'alice\')');
      db.close();
    },
  },
];

for (const f of files) {
  test(`sqlite: refuses ${f.name} and leaves it untouched`, async () => {
    const dataDir = join(root, f.name.replace(/\W+/g, '-'));
    mkdirSync(join(dataDir, 'db'), { recursive: true });
    const path = join(dataDir, 'db', 'state.db');
    f.make(path);
    const before = readFileSync(path);
    await refused(dataDir, 'Corrupt', path);
    assert.deepEqual(readFileSync(path), before);
  });
}

test('sqlite: a second opener of the same data dir is refused while the first runs', async () => {
  const dataDir = join(root, 'locked');
  const first = await openStorage('', { dataDir });
  try {
    await refused(dataDir, 'Unavailable', 'lock');
  } finally {
    await first.close();
  }
  const again = await openStorage('', { dataDir });
  await again.close();
});

const isRoot = process.getuid?.() === 0;
test('sqlite: full and read-only disks', { skip: isRoot ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const mnt = join(root, 'tmpfs');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
  mounted = mnt;
  const endpoint = `sqlite://${join(mnt, 'db', 'state.db')}`;

  await t.test('a full disk fails writes with NoSpace, keeps reads, and recovers', async () => {
    const s = await openStorage(endpoint, { compactIntervalMs: 0 });
    try {
      const keep = await s.create('/keep', Buffer.from('k'));
      const st = statfsSync(mnt);
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(st.bavail * st.bsize - 64 * 1024));
      let err: unknown;
      for (let i = 0; i < 50 && err === undefined; i++) {
        await s.create(`/big/${i}`, Buffer.alloc(16 * 1024, 1)).catch((e: unknown) => (err = e));
      }
      assert.ok(isStorageError(err, 'NoSpace'), `expected NoSpace, got ${String(err)}`);
      assert.equal((await s.get('/keep')).kv?.modRevision, keep.modRevision, 'reads go on');
      rmSync(join(mnt, 'filler'));
      const after = await s.create('/after', Buffer.from('space is back'));
      assert.equal(after.modRevision, await s.currentRevision());
    } finally {
      await s.close();
    }
    const reopened = await openStorage(endpoint, { compactIntervalMs: 0 });
    assert.equal((await reopened.get('/after')).kv?.value.toString(), 'space is back');
    await reopened.close();
  });

  await t.test('a read-only disk serves reads and fails writes with ReadOnly', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    try {
      const s = await openStorage(endpoint, { compactIntervalMs: 0 });
      try {
        assert.equal((await s.get('/after')).kv?.value.toString(), 'space is back');
        assert.equal(await s.count('/'), await s.count('/'));
        await assert.rejects(s.create('/new', Buffer.from('x')), (e: unknown) => isStorageError(e, 'ReadOnly'));
        await assert.rejects(s.delete('/after'), (e: unknown) => isStorageError(e, 'ReadOnly'));
      } finally {
        await s.close();
      }
    } finally {
      execFileSync('mount', ['-o', 'remount,rw', mnt]);
    }
    const s = await openStorage(endpoint, { compactIntervalMs: 0 });
    await s.create('/writable-again', Buffer.from('y'));
    await s.close();
  });
});
