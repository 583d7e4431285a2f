/**
 * K8TS_APISERVER_TRACE: an apiserver started with it writes one line per resource request with
 * its stages in order. The variable is read when the module loads, so the server runs in a
 * child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const serverModule = new URL('../server.js', import.meta.url).href;

const script = `
import { startApiServer } from ${JSON.stringify(serverModule)};
const s = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0 });
const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'traced' }, data: { a: '1' } };
const r = await fetch(s.url + '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm) });
await r.arrayBuffer();
const g = await fetch(s.url + '/api/v1/namespaces/default/configmaps/traced');
await g.arrayBuffer();
await s.close();
process.exit(r.status === 201 && g.status === 200 ? 0 : 1);
`;

test('K8TS_APISERVER_TRACE writes each resource request\'s stages, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-trace-'));
  try {
    const file = join(dir, 'trace.jsonl');
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, K8TS_APISERVER_TRACE: file }, timeout: 30_000 }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve()));
    });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number | string>);
    const create = lines.find((l) => l['what'] === 'POST configmaps');
    assert.ok(create, `a line for the create: ${JSON.stringify(lines)}`);
    assert.equal(create['code'], 201);
    const stages = ['authn', 'apf', 'authz', 'body', 'store', 'acked', 'sent', 'finish', 'end'];
    const times = stages.map((s) => create[s]);
    for (const [i, t] of times.entries()) assert.equal(typeof t, 'number', `${stages[i]} stamped`);
    assert.deepEqual([...(times as number[])].sort((a, b) => a - b), times, `stages in order: ${JSON.stringify(create)}`);
    const get = lines.find((l) => l['what'] === 'GET configmaps');
    assert.ok(get && get['store'] === undefined, 'a read has no storage stamps');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
