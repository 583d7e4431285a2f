import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchFlags } from './launch.js';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'k8ts.js');

test('the k8ts command runs through its own #! line, with the flags launchFlags reads from it', () => {
  const flags = launchFlags(bin);
  assert.ok(flags.includes('--max-semi-space-size=64'), `flags: ${flags.join(' ')}`);
  // Executed directly, as npm's bin link runs it: the kernel runs env -S node <flags> bin/k8ts.js.
  const out = execFileSync(bin, ['--help'], { encoding: 'utf8' });
  assert.match(out, /^Usage: k8ts /);
  // Node accepts every flag (an unknown one would exit with "bad option").
  assert.equal(execFileSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' }), 'ok');
});
