/**
 * HttpTransport over TLS, configured from a kubeconfig: CA file, client certificate data,
 * insecure-skip-tls-verify, and a token file that is re-read after rotation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../util/clock.js';
import { RestClient } from './client.js';
import { loadRestConfig } from './kubeconfig.js';

function haveOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const skip = haveOpenssl() ? false : 'openssl not found';

/** makePKI writes a CA, a server certificate for 127.0.0.1 and a client certificate. */
function makePKI(dir: string): void {
  const ossl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=test-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subj] of [
    ['server', '/CN=127.0.0.1'],
    ['client', '/O=system:masters/CN=admin'],
  ] as const) {
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
}

test('TLS: CA file, client certificate data, insecure-skip-tls-verify and token file rotation', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-tls-'));
  try {
    makePKI(dir);
    const read = (f: string): Buffer => readFileSync(join(dir, f));
    const seen: Array<{ cn: string | undefined; auth: string | undefined }> = [];
    const srv = https.createServer({ key: read('server.key'), cert: read('server.crt'), ca: read('ca.crt'), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      const cn = peer?.subject?.CN;
      seen.push({ cn: Array.isArray(cn) ? cn.join(',') : cn, auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","status":"Success"}');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
    const b64 = (f: string): string => read(f).toString('base64');
    writeFileSync(join(dir, 'token'), 'first-token');
    writeFileSync(
      join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: certs',
        'clusters:',
        `- {name: verified, cluster: {server: "${url}", certificate-authority: ca.crt}}`,
        `- {name: unverified, cluster: {server: "${url}"}}`,
        `- {name: insecure, cluster: {server: "${url}", insecure-skip-tls-verify: true}}`,
        'users:',
        `- {name: cert-user, user: {client-certificate-data: ${b64('client.crt')}, client-key-data: ${b64('client.key')}}}`,
        '- {name: token-user, user: {tokenFile: token}}',
        'contexts:',
        '- {name: certs, context: {cluster: verified, user: cert-user}}',
        '- {name: no-ca, context: {cluster: unverified, user: cert-user}}',
        '- {name: insecure, context: {cluster: insecure, user: token-user}}',
        '',
      ].join('\n'),
    );
    const kubeconfig = join(dir, 'kubeconfig');
    const clients: RestClient[] = [];
    try {
      const certs = new RestClient(loadRestConfig({ kubeconfig }));
      clients.push(certs);
      await certs.requestJSON({ method: 'GET', path: '/api' });
      assert.deepEqual(seen.pop(), { cn: 'admin', auth: undefined }, 'client certificate presented, server verified by CA file');

      const noCA = new RestClient(loadRestConfig({ kubeconfig, context: 'no-ca' }));
      clients.push(noCA);
      await assert.rejects(noCA.requestJSON({ method: 'GET', path: '/api' }), /self[- ]signed|unable to verify|certificate/i);

      const clock = new FakeClock();
      const insecure = new RestClient(loadRestConfig({ kubeconfig, context: 'insecure' }), { clock });
      clients.push(insecure);
      await insecure.requestJSON({ method: 'GET', path: '/api' });
      assert.deepEqual(seen.pop(), { cn: undefined, auth: 'Bearer first-token' });
      writeFileSync(join(dir, 'token'), 'second-token');
      await insecure.requestJSON({ method: 'GET', path: '/api' });
      assert.equal(seen.pop()?.auth, 'Bearer first-token', 'the token file is cached for a minute');
      await clock.step(61_000);
      await insecure.requestJSON({ method: 'GET', path: '/api' });
      assert.equal(seen.pop()?.auth, 'Bearer second-token', 'then re-read');
    } finally {
      for (const c of clients) c.close();
      srv.close();
      srv.closeAllConnections();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
