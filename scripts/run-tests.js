#!/usr/bin/env node
// Runs every compiled test file under dist/ with Node's built-in test runner.
// Usage: node scripts/run-tests.js [substring ...]   (only files whose path contains one of them)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('dist', [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
const concurrency = process.env.K8TS_TEST_CONCURRENCY ?? '2';
// kubectl keeps discovery and HTTP caches under ~/.kube/cache, one directory per server
// address: every test server's random port would leave one behind. The run gives kubectl a
// cache directory of its own (KUBECACHEDIR, which tests that set their own override) and
// removes it at the end.
const cacheDir = mkdtempSync(join(tmpdir(), 'k8ts-test-kubecache-'));
const env = { ...process.env, KUBECACHEDIR: process.env.KUBECACHEDIR ?? cacheDir };
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], { stdio: 'inherit', env });
rmSync(cacheDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
