/**
 * Without authorization configured (upstream's AlwaysAllow), the review APIs still answer:
 * `kubectl auth can-i` says yes and `--list` shows the `*` rules, as kube-apiserver does.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { kubectl } from './helpers/kubectl.js';

let server: TestApiServer;
before(async () => {
  server = await startTestApiServer();
});
after(async () => {
  await server?.stop();
});

test('kubectl auth can-i and can-i --list answer on an AlwaysAllow server', async () => {
  const one = await kubectl(['auth', 'can-i', 'delete', 'secrets', '-n', 'kube-system'], { kubeconfig: server.kubeconfig });
  assert.equal(one.stderr, '');
  assert.equal(one.stdout, 'yes\n');
  assert.equal(one.code, 0);
  const list = await kubectl(['auth', 'can-i', '--list'], { kubeconfig: server.kubeconfig });
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(
    list.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' ')),
    ['Resources Non-Resource URLs Resource Names Verbs', '*.* [] [] [*]', '[*] [] [*]', ''],
  );
});
