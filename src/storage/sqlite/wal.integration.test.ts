/**
 * The WAL stays bounded under writes that never pause: the checkpointer's passes alone rarely
 * let SQLite start the WAL over, so the writer finishes them (engine.ts WAL_RECYCLE_FRAMES,
 * WAL_MAX_FRAMES). Without that the WAL grows with every byte ever written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStorage } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-wal-'));
after(() => rmSync(root, { recursive: true, force: true }));

const MiB = 1024 * 1024;

test('sqlite: the WAL starts over under continuous writes and stays within its 64 MiB bound', async () => {
  const dataDir = join(root, 'continuous');
  const s = await openStorage('', { dataDir, compactIntervalMs: 0 });
  const wal = join(dataDir, 'db', 'state.db-wal');
  try {
    // 160 MiB in 64 KiB values from 32 writers that never pause: more than twice the bound.
    const value = Buffer.alloc(64 * 1024, 'w');
    const total = 2560;
    let next = 0;
    let largest = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        for (let i = next++; i < total; i = next++) {
          await s.create(`/wal/${i}`, value);
          if (i % 64 === 0) largest = Math.max(largest, statSync(wal).size);
        }
      }),
    );
    largest = Math.max(largest, statSync(wal).size);
    assert.ok(largest <= 72 * MiB, `WAL grew to ${(largest / MiB).toFixed(1)} MiB`);
    assert.ok(largest < (total * value.length) / 2, 'the WAL was started over at least once');
    const last = await s.get(`/wal/${total - 1}`);
    assert.deepEqual(last.kv?.value, value);
    assert.equal((await s.list('/wal/', { limit: 1 })).remaining, total - 1);
  } finally {
    await s.close();
  }
});
