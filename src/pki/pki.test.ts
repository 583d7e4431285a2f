import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, request, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { certInfo, ensureKubeletServing, ensurePKI, kubeconfigYAML, signCert } from './index.js';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-pki-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('ensurePKI creates CAs, a serving cert with SANs and an admin identity, private files 0600', async (t) => {
  const dir = tmp(t);
  const pki = await ensurePKI(dir, { tlsSANs: ['k8ts.example.com', '10.9.8.7'], serviceIP: '10.43.0.1' });
  const serving = certInfo(pki.serving.certPem);
  assert.equal(serving.commonName, 'kube-apiserver');
  for (const n of ['localhost', 'kubernetes.default.svc', 'k8ts.example.com']) assert.ok(serving.dnsNames.includes(n), n);
  for (const ip of ['127.0.0.1', '10.43.0.1', '10.9.8.7']) assert.ok(serving.ipAddresses.includes(ip), ip);
  const admin = certInfo(pki.admin.certPem);
  assert.equal(admin.commonName, 'system:admin');
  assert.deepEqual(admin.organizations, ['system:masters']);
  assert.equal(statSync(pki.files.serverCAKey).mode & 0o777, 0o600);
  assert.equal(readFileSync(pki.files.adminCert, 'utf8'), pki.admin.certPem);
  const kc = certInfo(pki.kubeletClient.certPem);
  assert.equal(kc.commonName, 'kube-apiserver-kubelet-client');
  assert.deepEqual(kc.organizations, ['system:masters']);
  assert.ok(pki.files.kubeletClientCert.endsWith('client-kube-apiserver.crt'));
  assert.equal(statSync(pki.files.kubeletClientKey).mode & 0o777, 0o600);
});

test('ensureKubeletServing issues a serving cert for the node name and IP, reused until a SAN changes', async (t) => {
  const dir = tmp(t);
  const pki = await ensurePKI(dir);
  const first = await ensureKubeletServing(join(dir, 'agent'), pki.serverCA, { nodeName: 'node-a', nodeIP: '192.0.2.7' });
  const info = certInfo(first.certPem);
  assert.ok(info.dnsNames.includes('node-a'));
  assert.ok(info.ipAddresses.includes('192.0.2.7'));
  assert.equal((await ensureKubeletServing(join(dir, 'agent'), pki.serverCA, { nodeName: 'node-a', nodeIP: '192.0.2.7' })).certPem, first.certPem);
  const moved = await ensureKubeletServing(join(dir, 'agent'), pki.serverCA, { nodeName: 'node-a', nodeIP: '192.0.2.8' });
  assert.notEqual(moved.certPem, first.certPem);
  assert.ok(certInfo(moved.certPem).ipAddresses.includes('192.0.2.8'));
  // Without a cluster CA (an agent) the node signs with a CA of its own, kept for the next start.
  const own = await ensureKubeletServing(join(dir, 'other'), undefined, { nodeName: 'node-b', nodeIP: '192.0.2.9' });
  assert.ok(certInfo(own.certPem).dnsNames.includes('node-b'));
  assert.ok(readFileSync(join(dir, 'other', 'kubelet-ca.crt'), 'utf8').includes('BEGIN CERTIFICATE'));
  assert.equal((await ensureKubeletServing(join(dir, 'other'), undefined, { nodeName: 'node-b', nodeIP: '192.0.2.9' })).certPem, own.certPem);
});

test('ensurePKI reuses what exists and reissues the serving cert for a new SAN only', async (t) => {
  const dir = tmp(t);
  const first = await ensurePKI(dir);
  const again = await ensurePKI(dir);
  assert.equal(again.serving.certPem, first.serving.certPem);
  assert.equal(again.serverCA.certPem, first.serverCA.certPem);
  const withSan = await ensurePKI(dir, { tlsSANs: ['new.example.com'] });
  assert.notEqual(withSan.serving.certPem, first.serving.certPem);
  assert.equal(withSan.serverCA.certPem, first.serverCA.certPem);
  assert.equal(withSan.admin.certPem, first.admin.certPem);
  assert.ok(certInfo(withSan.serving.certPem).dnsNames.includes('new.example.com'));
});

test('ensurePKI renews leaf certificates that expire within 90 days, keeping the CAs', async (t) => {
  const dir = tmp(t);
  const longAgo = new Date(Date.now() - 300 * 24 * 3600 * 1000);
  const old = await ensurePKI(dir, { now: longAgo });
  assert.ok(certInfo(old.admin.certPem).notAfter.getTime() < Date.now() + 90 * 24 * 3600 * 1000);
  const renewed = await ensurePKI(dir);
  assert.notEqual(renewed.admin.certPem, old.admin.certPem);
  assert.notEqual(renewed.kubeletClient.certPem, old.kubeletClient.certPem);
  assert.notEqual(renewed.serving.certPem, old.serving.certPem);
  assert.equal(renewed.clientCA.certPem, old.clientCA.certPem);
  assert.ok(certInfo(renewed.admin.certPem).notAfter.getTime() > Date.now() + 300 * 24 * 3600 * 1000);
});

test('a TLS server with the serving cert verifies the admin client cert against the client CA', async (t) => {
  const pki = await ensurePKI(tmp(t));
  const server: Server = createServer(
    { cert: pki.serving.certPem, key: pki.serving.keyPem, ca: pki.clientCA.certPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      const sock = req.socket as TLSSocket;
      const peer = sock.getPeerCertificate();
      res.end(JSON.stringify({ authorized: sock.authorized, cn: peer.subject?.CN, o: peer.subject?.O }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const get = (cert?: string, key?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca: pki.serverCA.certPem, cert, key, servername: 'localhost' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });
  assert.deepEqual(JSON.parse(await get(pki.admin.certPem, pki.admin.keyPem)), { authorized: true, cn: 'system:admin', o: 'system:masters' });
  // A certificate from another CA is not authorized.
  const stranger = await signCert((await ensurePKI(tmp(t))).clientCA, { commonName: 'mallory', usage: 'client' });
  assert.equal(JSON.parse(await get(stranger.certPem, stranger.keyPem)).authorized, false);
});

test('kubeconfigYAML embeds the CA and credentials', () => {
  const y = kubeconfigYAML({ server: 'https://127.0.0.1:6443', caPem: 'CA', certPem: 'C', keyPem: 'K' });
  assert.match(y, /certificate-authority-data: Q0E=/);
  assert.match(y, /server: https:\/\/127\.0\.0\.1:6443/);
  assert.match(y, /client-certificate-data: Qw==/);
  assert.match(y, /current-context: default/);
});
