/**
 * The bench's reading of the sqlite store's commit trace: against a trace the real store wrote
 * (K8TS_SQLITE_TRACE, set before the storage module loads), and the attribution of requests to
 * the disk waits they overlapped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { diskWaits, outsideWaits, type DiskWait } from './storage-trace.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-strace-'));
after(() => rmSync(root, { recursive: true, force: true }));
const trace = join(root, 'trace.jsonl');
process.env['K8TS_SQLITE_TRACE'] = trace;
const { openStorage } = await import('../../src/storage/index.js');

test('diskWaits reads the commits of a trace the sqlite store wrote', async () => {
  const s = await openStorage('', { dataDir: join(root, 'data'), compactIntervalMs: 0 });
  const from = performance.timeOrigin + performance.now();
  for (let i = 0; i < 20; i++) await s.create(`/strace/${i}`, Buffer.alloc(512, 'v'));
  await s.close();
  // With no threshold every commit of the window is a wait: each write here commits alone.
  const all = diskWaits(trace, 0, from);
  assert.ok(all.length >= 20, `${all.length} commits read`);
  for (const [t, span, blocked] of all) {
    assert.ok(t >= from && t < from + 60_000, `start ${t}`);
    assert.ok(span >= 0 && blocked <= span + 1e-6, `span ${span}, blocked ${blocked}`);
  }
  // A local fsync is far below a minute: no wait that long.
  assert.deepEqual(diskWaits(trace, 60_000, from), []);
  assert.deepEqual(diskWaits(join(root, 'missing'), 0), []);
});

test('diskWaits counts a commit by its time blocked in I/O, and the writer checkpoints whole', () => {
  const file = join(root, 'synthetic.jsonl');
  const lines = [
    { t: 1000, wait: 0, ops: 1, reqs: 1, exec: 0.1, commit: 120, commitCpu: 1, commitRunq: 0, post: 0, total: 121, cpu: 1, runq: 0, wal: 0 },
    // Slow, but on a CPU or waiting for one: not the disk.
    { t: 2000, wait: 0, ops: 1, reqs: 1, exec: 0.1, commit: 90, commitCpu: 30, commitRunq: 50, post: 0, total: 91, cpu: 30, runq: 50, wal: 0 },
    { t: 3000, writerCheckpoint: 70, frames: 100, complete: 1 },
    { t: 4000, writerCheckpoint: 3, frames: 10, complete: 1 },
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  assert.deepEqual(diskWaits(file, 50), [
    [1000, 121, 119],
    [3000, 70, 70],
  ]);
  assert.deepEqual(diskWaits(file, 50, 2500), [[3000, 70, 70]]);
});

test('outsideWaits keeps the requests that overlapped no wait', () => {
  const waits: DiskWait[] = [[1000, 100, 100]];
  const samples: Array<[number, number, number]> = [
    [900, 50, 1], // ends before the wait
    [950, 100, 2], // runs into it
    [1050, 5, 3], // inside it
    [1099, 10, 4], // starts before its end
    [1100, 5, 5], // starts at its end
  ];
  assert.deepEqual(outsideWaits(samples, waits).map((s) => s[2]), [1, 5]);
  assert.equal(outsideWaits(samples, []).length, samples.length);
});
