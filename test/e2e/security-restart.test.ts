/**
 * A secure `k8ts apiserver` restarted on the same data dir reuses its CAs, certificates,
 * service-account key and join token: the admin kubeconfig, issued client certificates and
 * ServiceAccount tokens keep working, and RBAC state persists.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { startSecureApiServer } from './helpers/secure.js';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-restart-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('restart reuses the PKI, keys and join token', { skip: !kubectlPath() && 'kubectl not on PATH' }, async () => {
  const tls = join(dir, 'server', 'tls');
  const first = await startSecureApiServer({ dataDir: dir, persistent: true });
  let token: string;
  let aliceKubeconfig: string;
  let joinToken: string;
  let ca: string;
  try {
    const admin = new Kubectl(first.kubeconfig);
    await admin.ok(['create', 'serviceaccount', 'robot']);
    await admin.ok(['create', 'clusterrolebinding', 'alice-view', '--clusterrole=view', '--user=alice']);
    token = (await admin.ok(['create', 'token', 'robot'])).trim();
    aliceKubeconfig = await first.userKubeconfig({ user: 'alice' });
    joinToken = readFileSync(join(dir, 'server', 'token'), 'utf8');
    ca = readFileSync(join(tls, 'server-ca.crt'), 'utf8');
  } finally {
    await first.stop();
  }
  const second = await startSecureApiServer({ dataDir: dir, persistent: true });
  try {
    assert.equal(readFileSync(join(tls, 'server-ca.crt'), 'utf8'), ca, 'the CA is kept');
    assert.equal(readFileSync(join(dir, 'server', 'token'), 'utf8'), joinToken, 'the join token is kept');
    // The admin kubeconfig (rewritten for the new port) carries the same CA and admin certificate.
    const whoami = JSON.parse(await new Kubectl(second.kubeconfig).ok(['auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string } } };
    assert.equal(whoami.status.userInfo.username, 'system:admin');
    // A client certificate issued before the restart, against the new URL (a new port).
    const alice = readFileSync(aliceKubeconfig, 'utf8').replace(/server: .*/, `server: ${second.url}`);
    const alicePath = join(dir, 'alice-2.kubeconfig');
    writeFileSync(alicePath, alice);
    assert.equal((await new Kubectl(alicePath).run(['auth', 'can-i', 'list', 'pods'])).stdout.trim(), 'yes');
    assert.equal((await second.request({ token }, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 403, 'the old token still authenticates (RBAC then says no)');
    assert.equal((await second.request({ token: token + 'x' }, 'GET', '/api/v1/namespaces/default/serviceaccounts/robot')).status, 401);
  } finally {
    await second.stop();
  }
});
