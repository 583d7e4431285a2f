/**
 * Container log rotation (ContainerLogManager against the real process runtime) and following a
 * log across rotations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { realClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { openProcessRuntime } from './runtime/process.js';
import { sandboxConfig, waitFor } from './runtime/runtime.case.js';
import { ContainerLogManager, readLogs, rotatedSuffix } from './logs.js';

test('rotatedSuffix is upstream time format 20060102-150405 in UTC', () => {
  const cases = [
    { name: 'epoch', ms: 0, want: '19700101-000000' },
    { name: 'padded fields', ms: Date.UTC(2024, 0, 2, 3, 4, 5, 678), want: '20240102-030405' },
  ];
  for (const c of cases) assert.equal(rotatedSuffix(c.ms), c.want, c.name);
});

test('readLogs -f carries on into the new file after each rotation, losing and repeating nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-follow-'));
  try {
    const path = join(dir, '0.log');
    const line = (i: number): string => `2024-01-01T00:00:00.000000000Z stdout F line ${i}\n`;
    appendFileSync(path, line(0));
    const out = new PassThrough();
    let got = '';
    out.on('data', (b: Buffer) => (got += b.toString()));
    let running = true;
    const done = readLogs(path, { follow: true }, out, undefined, () => running);
    for (let i = 1; i <= 60; i++) {
      appendFileSync(path, line(i));
      if (i % 10 === 0) renameSync(path, `${path}.${i}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor('all lines', () => got.split('\n').filter(Boolean).length === 61);
    running = false;
    await done;
    assert.deepEqual(got.split('\n').filter(Boolean), Array.from({ length: 61 }, (_, i) => `line ${i}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readLogs -f that starts right after a rotation (no current file yet) waits for it while the container runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-follow-'));
  try {
    const path = join(dir, '0.log');
    const out = new PassThrough();
    let got = '';
    out.on('data', (b: Buffer) => (got += b.toString()));
    let running = true;
    const done = readLogs(path, { follow: true }, out, undefined, () => running);
    await new Promise((r) => setTimeout(r, 150));
    appendFileSync(path, '2024-01-01T00:00:00.000000000Z stdout F after rotation\n');
    await waitFor('the line', () => got === 'after rotation\n');
    running = false;
    await done;
    // Not following, or the container gone: nothing to wait for.
    await readLogs(join(dir, 'missing.log'), { follow: true }, new PassThrough(), undefined, () => false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ContainerLogManager: a running container log over max size rotates to 0.log.<time>, older ones are compressed, at most maxFiles remain', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-rotate-'));
  const heap = new TimerHeap(realClock);
  const rt = await openProcessRuntime({ stateDir: join(dir, 'state'), heap, podIP: '127.0.0.1', pumpIntervalMs: 20, cgroups: null });
  try {
    const sc = sandboxConfig(join(dir, 'logs'));
    const { podSandboxId } = await rt.runPodSandbox({ config: sc });
    const { containerId } = await rt.createContainer({
      podSandboxId,
      sandboxConfig: sc,
      config: { metadata: { name: 'c', attempt: 0 }, image: { image: 'x' }, command: ['sh', '-c', 'i=0; while true; do printf "line %05d %0100d\\n" $i 0; i=$((i+1)); sleep 0.01; done'], logPath: 'c/0.log' },
    });
    await rt.startContainer({ containerId });
    const logPath = join(dir, 'logs', 'c', '0.log');
    // A fake clock: one rotation per distinct second, as the names are per second.
    let now = Date.UTC(2024, 0, 2, 3, 4, 5);
    const m = new ContainerLogManager({ runtime: rt, maxSize: 1024, maxFiles: 4, now: () => (now += 1000) });
    for (let i = 0; i < 5; i++) {
      await waitFor('log over max size', async () => {
        try {
          return readFileSync(logPath).length > 1024;
        } catch {
          return false;
        }
      });
      await m.rotateLogs();
    }
    // The runtime reopened its log: the current file grows again.
    await waitFor('current log written', async () => {
      try {
        return readFileSync(logPath).length > 0;
      } catch {
        return false;
      }
    });
    // maxFiles 4: the current file and three rotated ones, all but the newest two compressed (as upstream).
    const files = readdirSync(dirname(logPath)).sort();
    assert.equal(files.length, 4, files.join(' '));
    assert.equal(files[0], '0.log');
    assert.match(files[1]!, /^0\.log\.2024010\d-\d{6}\.gz$/);
    assert.match(files[2]!, /^0\.log\.2024010\d-\d{6}$/);
    assert.match(files[3]!, /^0\.log\.2024010\d-\d{6}$/);
    const num = (text: string): number[] => [...text.matchAll(/stdout F line (\d{5})/g)].map((x) => Number(x[1]));
    const older = num(gunzipSync(readFileSync(join(dirname(logPath), files[1]!))).toString());
    const newer = num(readFileSync(join(dirname(logPath), files[2]!), 'utf8'));
    assert.ok(older.length > 0 && newer.length > 0);
    assert.equal(newer[0], older[older.length - 1]! + 1, 'no line lost between rotated files');
    // A log under max size is left alone.
    const before = readdirSync(dirname(logPath)).length;
    await new ContainerLogManager({ runtime: rt, maxSize: 1 << 30 }).rotateLogs();
    assert.equal(readdirSync(dirname(logPath)).length, before);
  } finally {
    for (const s of (await rt.listPodSandbox()).items) await rt.removePodSandbox({ podSandboxId: s.id });
    await rt.close();
    heap.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
