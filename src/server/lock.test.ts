import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDirLock, DirLockedError } from './lock.js';

const describe = (pid: number): string => `in use by pid ${pid}`;

test('acquireDirLock: table', async (t) => {
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const cases: Array<{ name: string; existing?: string; want: 'acquired' | RegExp }> = [
    { name: 'no lock file', want: 'acquired' },
    { name: 'held by a live process', existing: `${process.ppid}\n`, want: new RegExp(`in use by pid ${process.ppid}`) },
    { name: 'left by a dead process is taken over', existing: `${dead}\n`, want: 'acquired' },
    { name: 'garbage content is taken over', existing: 'not a pid', want: 'acquired' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const dir = mkdtempSync(join(tmpdir(), 'k8ts-lock-'));
      try {
        const path = join(dir, 'sub', 'k8ts.lock');
        if (c.existing !== undefined) {
          acquireDirLock(path, describe)(); // creates the directory
          writeFileSync(path, c.existing);
        }
        if (c.want === 'acquired') {
          const release = acquireDirLock(path, describe);
          assert.equal(readFileSync(path, 'utf8').trim(), String(process.pid));
          release();
          release();
          assert.ok(!existsSync(path));
        } else {
          assert.throws(() => acquireDirLock(path, describe), (err: unknown) => err instanceof DirLockedError && (c.want as RegExp).test(err.message));
          assert.equal(readFileSync(path, 'utf8'), c.existing, 'a live holder\'s lock is left alone');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
