/**
 * sched() re-reads its thread's schedstat through one descriptor per thread: the figures must
 * stay fresh (procfs regenerates the file on each read at offset 0) and belong to the calling
 * thread, not to the thread that loaded the module first.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { sched } from './trace.js';

const available = existsSync('/proc/thread-self/schedstat');

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('sched: fresh CPU time of the calling thread on every read', { skip: available ? false : 'no /proc/thread-self/schedstat here' }, async () => {
  const a = sched();
  spin(60);
  const b = sched();
  // The thread ran ~60 ms; on a busy machine some of that may be run-queue wait instead.
  assert.ok(b[0] - a[0] + (b[1] - a[1]) >= 30, `main: ${JSON.stringify([a, b])}`);
  // A worker that spins reports its own time: the main thread's figure does not move meanwhile
  // by more than the little it spends waiting.
  const url = new URL('./trace.js', import.meta.url).href;
  const worker = new Worker(
    `const { sched } = await import(${JSON.stringify(url)});
     const { parentPort } = await import('node:worker_threads');
     const a = sched(); const end = performance.now() + 200; while (performance.now() < end);
     parentPort.postMessage([a, sched()]);`,
    { eval: true },
  );
  const main0 = sched();
  const [wa, wb] = await new Promise<[[number, number], [number, number]]>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const main1 = sched();
  await worker.terminate();
  assert.ok(wb[0] - wa[0] + (wb[1] - wa[1]) >= 150, `worker: ${JSON.stringify([wa, wb])}`);
  assert.ok(main1[0] - main0[0] < 150, `main thread while the worker spun: ${JSON.stringify([main0, main1])}`);
});
