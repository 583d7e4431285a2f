import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { storageConformance } from './conformance.case.js';
import { openStorage } from './index.js';

storageConformance('sqlite (memory)', () => openStorage('sqlite::memory:', { compactIntervalMs: 0 }));

const root = mkdtempSync(join(tmpdir(), 'k8ts-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
storageConformance('sqlite (file, writer thread)', () => openStorage('', { dataDir: join(root, String(n++)), compactIntervalMs: 0 }));

test('sqlite: an idle watcher hears the current revision as progress', async () => {
  const s = await openStorage('sqlite::memory:', { compactIntervalMs: 0, progressIntervalMs: 20 });
  try {
    await s.create('/elsewhere/a', Buffer.from('1'));
    const rev = await s.currentRevision();
    // The store's timers are unref'd (it never keeps a process alive); this one holds the test.
    const keepAlive = setTimeout(() => {}, 5000);
    const got = await new Promise<number>((resolve, reject) => {
      const w = s.watch({
        prefix: '/quiet/',
        afterRevision: 0,
        onEvents: () => reject(new Error('no events expected')),
        onProgress: (r) => {
          w.close();
          resolve(r);
        },
        onError: reject,
      });
    });
    clearTimeout(keepAlive);
    assert.equal(got, rev);
  } finally {
    await s.close();
  }
});

test('sqlite: reopening a file restores every key, revision and the compacted revision', async () => {
  const dataDir = join(root, 'reopen');
  const s = await openStorage('', { dataDir, compactIntervalMs: 0 });
  const a = await s.create('/r/a', Buffer.from('1'));
  await s.update('/r/a', Buffer.from('2'), a.modRevision);
  await s.create('/r/b', Buffer.from('3'));
  await s.delete('/r/b');
  await s.compact(a.modRevision);
  const before = { list: await s.list('/r/'), rev: await s.currentRevision(), compacted: await s.compactedRevision() };
  await s.close();
  const again = await openStorage('', { dataDir, compactIntervalMs: 0 });
  try {
    assert.deepEqual(await again.list('/r/'), before.list);
    assert.equal(await again.currentRevision(), before.rev);
    assert.equal(await again.compactedRevision(), before.compacted);
    const next = await again.create('/r/c', Buffer.from('4'));
    assert.equal(next.modRevision, before.rev + 1);
  } finally {
    await again.close();
  }
});
