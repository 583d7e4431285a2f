/**
 * The checkpointer's cadence: a WAL that grows slowly is copied about once a second, not on
 * every tick (each pass that reaches the WAL's end lets the next commit start the WAL over, and
 * its syncs share the disk with the commits'); wal.integration.test covers the fast stream.
 * Passes are counted from the checkpointer's own trace (K8TS_SQLITE_TRACE), set before the
 * storage module is loaded.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const root = mkdtempSync(join(tmpdir(), 'k8ts-ckpt-'));
after(() => rmSync(root, { recursive: true, force: true }));
const trace = join(root, 'trace.jsonl');
process.env['K8TS_SQLITE_TRACE'] = trace;
const { openStorage } = await import('../index.js');

test('sqlite checkpointer: a slowly growing WAL is copied about once a second', async () => {
  const s = await openStorage('', { dataDir: join(root, 'data'), compactIntervalMs: 0 });
  const value = Buffer.alloc(2048, 'v');
  const t0 = performance.now();
  // 50 writes a second for 2.5 s: a few hundred frames, far below the busy threshold.
  for (let i = 0; performance.now() - t0 < 2500; i++) {
    await s.create(`/slow/${i}`, value);
    await new Promise((r) => setTimeout(r, 20));
  }
  await s.close();
  const file = `${trace}.ckpt`;
  const passes = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  // One a second (2 or 3 in 2.5 s, one more at a boundary); every 50 ms tick would make ~50.
  assert.ok(passes >= 1 && passes <= 4, `${passes} checkpoint passes copied frames in 2.5 s`);
});
