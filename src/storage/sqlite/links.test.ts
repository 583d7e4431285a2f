import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Links } from './links.js';

type Row = [id: number, prev: number, tombstone: boolean];

test('links: deletions name the replaced rows and the tombstones, ascending', async (t) => {
  const cases: Array<{ name: string; rows: Row[]; from: number; to: number; want: number[] }> = [
    { name: 'creates delete nothing', rows: [[1, 0, false], [2, 0, false]], from: 1, to: 2, want: [] },
    { name: 'an update deletes the row it replaced', rows: [[1, 0, false], [2, 1, false]], from: 2, to: 2, want: [1] },
    { name: 'a tombstone deletes its prev and itself', rows: [[1, 0, false], [2, 1, false], [3, 2, true]], from: 3, to: 3, want: [2, 3] },
    { name: 'sorted across the range', rows: [[1, 0, false], [2, 0, false], [3, 2, false], [4, 1, false], [5, 4, true]], from: 3, to: 5, want: [1, 2, 4, 5] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const l = new Links(1);
      for (const [id, prev, tomb] of c.rows) l.add(id, prev, tomb);
      assert.equal(l.covers(c.from, c.to), true);
      assert.deepEqual(l.deletions(c.from, c.to), c.want);
    });
  }
});

test('links: coverage follows adds, drops, truncation, the cap and gaps', async (t) => {
  await t.test('dropThrough moves the start; rows before it are no longer covered', () => {
    const l = new Links(11);
    for (let id = 11; id <= 20; id++) l.add(id, id - 1, false);
    l.dropThrough(15);
    assert.equal(l.covers(15, 16), false);
    assert.equal(l.covers(16, 20), true);
    assert.deepEqual(l.deletions(16, 17), [15, 16]);
    assert.equal(l.nextId, 21);
  });
  await t.test('truncate forgets a rolled-back batch', () => {
    const l = new Links(1);
    for (let id = 1; id <= 5; id++) l.add(id, 0, false);
    l.truncate(4);
    assert.equal(l.nextId, 4);
    assert.equal(l.covers(1, 4), false);
    l.add(4, 2, false);
    assert.deepEqual(l.deletions(4, 4), [2]);
  });
  await t.test('growth and reuse of the freed front keep every entry', () => {
    const l = new Links(1);
    let dropped = 0;
    for (let id = 1; id <= 50_000; id++) {
      l.add(id, id - 1, id % 7 === 0);
      if (id % 3000 === 0) {
        dropped = id - 1000;
        l.dropThrough(dropped);
      }
    }
    assert.equal(l.covers(dropped + 1, 50_000), true);
    assert.deepEqual(l.deletions(49_001, 49_002), [49_000, 49_001]);
    assert.deepEqual(l.deletions(49_007, 49_007), [49_006, 49_007], 'row 49007 is a tombstone');
  });
  await t.test('past the cap nothing is covered; once compaction moves, tracking starts again at the next row', () => {
    const l = new Links(1, 4);
    for (let id = 1; id <= 5; id++) l.add(id, 0, false);
    assert.equal(l.covers(1, 1), false);
    l.add(6, 0, false);
    assert.equal(l.covers(6, 6), false, 'no compaction yet: still lost');
    l.dropThrough(2);
    l.add(7, 3, false);
    l.add(8, 7, true);
    assert.equal(l.covers(3, 8), false, 'rows 3-6 were never tracked');
    assert.equal(l.covers(7, 8), true);
    assert.deepEqual(l.deletions(7, 8), [3, 7, 8]);
  });
  await t.test('rows that start past the first id (a history restored from etcd) are tracked from there', () => {
    const l = new Links(1);
    l.add(2, 0, false);
    l.add(3, 2, false);
    assert.equal(l.covers(1, 3), false);
    assert.equal(l.covers(2, 3), true);
    assert.deepEqual(l.deletions(3, 3), [2]);
  });
  await t.test('a gap in ids stops tracking', () => {
    const l = new Links(1);
    l.add(1, 0, false);
    l.add(3, 0, false);
    assert.equal(l.covers(1, 1), false);
  });
});
