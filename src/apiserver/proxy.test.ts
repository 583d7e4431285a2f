/**
 * The apiserver → kubelet dial: the kubelet's serving certificate is verified against the
 * configured CA (with upstream's x509 messages and no fallback to plain HTTP), and left
 * unverified only when no CA is configured.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCA, signCert, type CertKey } from '../pki/index.js';
import { StatusError } from '../api/errors.js';
import { certificateError, proxyLog, type KubeletTarget } from './proxy.js';

const listen = (s: Server): Promise<number> => new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

/** A kubelet stand-in serving /containerLogs over HTTPS with `serving`. */
async function fakeKubelet(serving: CertKey): Promise<{ port: number; close(): Promise<void> }> {
  const s = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('log line\n');
  });
  const port = await listen(s);
  return { port, close: () => close(s) };
}

/** proxied runs proxyLog to `t` behind a front server and returns what a client sees. */
async function proxied(t: KubeletTarget): Promise<{ status: number; body: string }> {
  const front = createHttpServer((_req, res) => {
    proxyLog(res, t, 'default', 'p', 'c', new URLSearchParams()).catch((err: unknown) => {
      const st = err instanceof StatusError ? err.status : { code: 599, message: String(err) };
      res.writeHead(st.code ?? 500);
      res.end(st.message);
    });
  });
  const port = await listen(front);
  try {
    return await new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
  } finally {
    front.closeAllConnections();
    await close(front);
  }
}

test('proxy to a kubelet: its serving certificate is verified against the CA, never downgraded to HTTP', async () => {
  const ca = await createCA('kubelet-test-ca');
  const other = await createCA('some-other-ca');
  const good = await fakeKubelet(await signCert(ca, { commonName: 'node-a', usage: 'server', dnsNames: ['node-a'], ipAddresses: ['127.0.0.1'] }));
  const wrongName = await fakeKubelet(await signCert(ca, { commonName: 'node-b', usage: 'server', dnsNames: ['node-b'], ipAddresses: ['10.9.9.9'] }));
  const selfCA = await fakeKubelet(await signCert(other, { commonName: 'node-c', usage: 'server', ipAddresses: ['127.0.0.1'] }));
  try {
    const target = (port: number, caPem?: string): KubeletTarget => ({ host: '127.0.0.1', port, nodeName: 'n', ...(caPem ? { ca: caPem } : {}) });
    const cases: Array<{ name: string; t: KubeletTarget; status: number; body: RegExp }> = [
      { name: 'signed by the CA, naming the address', t: target(good.port, ca.certPem), status: 200, body: /^log line\n$/ },
      { name: 'signed by another CA', t: target(selfCA.port, ca.certPem), status: 500, body: /^Get "https:\/\/127\.0\.0\.1:\d+\/containerLogs\/default\/p\/c": tls: failed to verify certificate: x509: certificate signed by unknown authority$/ },
      { name: 'not naming the address dialed', t: target(wrongName.port, ca.certPem), status: 500, body: /x509: certificate is valid for node-b, 10\.9\.9\.9, not 127\.0\.0\.1$/ },
      { name: 'no CA configured: not verified (upstream default)', t: target(selfCA.port), status: 200, body: /^log line\n$/ },
    ];
    for (const c of cases) {
      const r = await proxied(c.t);
      assert.equal(r.status, c.status, `${c.name}: ${r.body}`);
      assert.match(r.body, c.body, c.name);
    }
  } finally {
    await Promise.all([good.close(), wrongName.close(), selfCA.close()]);
  }
});

test('certificateError: only certificate failures are final; other dial errors may fall back', () => {
  const cases = [
    { name: 'unknown authority', err: Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), want: /unknown authority/ },
    { name: 'expired', err: Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }), want: /has expired or is not yet valid/ },
    { name: 'plain HTTP peer', err: Object.assign(new Error('wrong version number'), { code: 'EPROTO' }), want: undefined },
    { name: 'refused', err: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), want: undefined },
  ];
  for (const c of cases) {
    const got = certificateError(c.err, '127.0.0.1');
    if (c.want) assert.match(got ?? '', c.want, c.name);
    else assert.equal(got, undefined, c.name);
  }
});
