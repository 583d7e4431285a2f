import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const moduleUrl = new URL('./chaintrace.js', import.meta.url).href;

test('chainTrace: off without K8TS_CHAIN_TRACE; with it, stamps only the names the pattern matches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chaintrace-'));
  try {
    const file = join(dir, 'trace.txt');
    const script = `const m = await import(${JSON.stringify(moduleUrl)}); console.log(m.chainTrace === undefined ? 'off' : 'on'); m.chainTrace?.('density/density-9', 'deployment enqueue'); m.chainTrace?.('density/density-19', 'other'); m.chainTrace?.('density-9-abc', 'no namespace');`;
    const run = (env: Record<string, string>): string => execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, K8TS_CHAIN_TRACE: '', ...env }, encoding: 'utf8' }).trim();
    assert.equal(run({}), 'off');
    assert.equal(run({ K8TS_CHAIN_TRACE: '^density-9(-|$)', K8TS_CHAIN_TRACE_FILE: file }), 'on');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\d+\.\d{3} main density\/density-9 deployment enqueue$/);
    assert.match(lines[1]!, /^\d+\.\d{3} main density-9-abc no namespace$/);
    assert.ok(Math.abs(Number(lines[0]!.split(' ')[0]) - Date.now()) < 60_000, 'epoch milliseconds');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
