/**
 * Compaction deletes the same rows whether it finds them in memory (links.ts) or by reading the
 * log (the fallback): two writers get the same random history, compacting as they go, and their
 * logs must match each other and a model after every batch. Reopened mid-history, the writer
 * rebuilds its links from the log (rows above the compacted revision) and must still agree.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { WriterCore, type WriteOp } from './core.js';
import { MOD, SLOT } from './wire.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-compaction-'));
after(() => rmSync(root, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

/** Row is what the model keeps of a log row: the row it replaced and whether it is a tombstone. */
type Row = { prev: number; tombstone: boolean };

/**
 * compareHistories drives one random history through a writer that finds compaction's rows in
 * memory, one that reads them from the log (linksCap 0) and one whose tracking keeps running
 * past its cap and starting again whenever compaction moves (linksCap 40). `open(linksCap)` opens a writer;
 * before each batch listed in `reopenAt`, both are closed and opened again.
 */
function compareHistories(seed: number, open: (linksCap?: number) => WriterCore, reopenAt: readonly number[] = []): void {
  let fromMemory = open();
  let fromLog = open(0);
  let capped = open(40);
  const rand = rng(seed);
  const keys = Array.from({ length: 20 }, (_, i) => `/c/k${i}`);
  const live = new Map<string, number>();
  const rows = new Map<number, Row>();
  let compacted = 0;
  try {
    for (let batch = 0; batch < 300; batch++) {
      if (reopenAt.includes(batch)) {
        fromMemory.close();
        fromLog.close();
        capped.close();
        fromMemory = open();
        fromLog = open(0);
        capped = open(40);
        assert.equal(fromMemory.compactedRevision, compacted, `batch ${batch}: compacted revision after reopening`);
      }
      const ops: WriteOp[] = [];
      const touched = new Set<string>();
      for (let j = 0, n = 1 + Math.floor(rand() * 6); j < n; j++) {
        const key = keys[Math.floor(rand() * keys.length)]!;
        if (touched.has(key)) continue;
        touched.add(key);
        const cur = live.get(key);
        if (cur === undefined) ops.push({ kind: 'create', key, value: Buffer.from(`v${batch}`), lease: 0 });
        else if (rand() < 0.25) ops.push({ kind: 'delete', key, expected: cur });
        else ops.push({ kind: 'update', key, value: Buffer.from(`v${batch}`), expected: cur, lease: 0 });
      }
      const target = fromMemory.revision + ops.length - 15;
      const compact = rand() < 0.7 ? { target, rows: 1 + Math.floor(rand() * 10) } : undefined;
      const a = fromMemory.applyBatch(ops, compact);
      const b = fromLog.applyBatch(ops, compact);
      const c = capped.applyBatch(ops, compact);
      assert.deepEqual(a.fails, []);
      assert.deepEqual([...a.res], [...b.res]);
      assert.deepEqual([...a.res], [...c.res]);
      ops.forEach((op, i) => {
        const id = a.res[i * SLOT + MOD]!;
        const cur = live.get(op.key);
        rows.set(id, { prev: cur ?? 0, tombstone: op.kind === 'delete' });
        if (op.kind === 'delete') live.delete(op.key);
        else live.set(op.key, id);
      });
      // The model: passing row r deletes the row it replaced and, for a tombstone, r itself.
      for (let r = compacted + 1; r <= fromMemory.compactedRevision; r++) {
        const row = rows.get(r)!;
        if (row.prev > 0) rows.delete(row.prev);
        if (row.tombstone) rows.delete(r);
      }
      compacted = fromMemory.compactedRevision;
      assert.equal(fromLog.compactedRevision, compacted);
      const ids = (c: WriterCore): number[] => c.db.prepare(`SELECT id FROM log ORDER BY id`).pluck().all() as number[];
      const want = [...rows.keys()].sort((x, y) => x - y);
      assert.deepEqual(ids(fromMemory), want, `batch ${batch}: rows found in memory`);
      assert.deepEqual(ids(fromLog), want, `batch ${batch}: rows found by reading the log`);
      assert.deepEqual(ids(capped), want, `batch ${batch}: rows found with tracking lost and resumed`);
    }
    assert.ok(compacted > 500, `compaction ran (compacted to ${compacted})`);
  } finally {
    fromMemory.close();
    fromLog.close();
    capped.close();
  }
}

test('sqlite compaction: rows found in memory and by reading the log are the same rows', async (t) => {
  for (const seed of [1, 7, 42]) {
    await t.test(`seed ${seed}`, () => {
      compareHistories(seed, (linksCap) => new WriterCore(new Database(':memory:'), true, linksCap));
    });
  }
});

test('sqlite compaction: a reopened log rebuilds its links from the rows above the compacted revision', async (t) => {
  // Reopened early (little compacted), midway and late; seed 3 also reopens right after the first batch.
  const cases = [
    { name: 'seed 7, reopened at batches 40, 150 and 299', seed: 7, reopenAt: [40, 150, 299] },
    { name: 'seed 3, reopened after every 25 batches', seed: 3, reopenAt: [1, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 275] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const dir = mkdtempSync(join(root, 'reopen-'));
      const memoryPath = join(dir, 'memory.db');
      const logPath = join(dir, 'log.db');
      const cappedPath = join(dir, 'capped.db');
      compareHistories(c.seed, (linksCap) => new WriterCore(linksCap === 0 ? logPath : linksCap === undefined ? memoryPath : cappedPath, false, linksCap), c.reopenAt);
    });
  }
});
