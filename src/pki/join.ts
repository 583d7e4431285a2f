/**
 * The agent side of joining a cluster with the server's join token (k3s-style; the server side
 * is src/apiserver/auth/join.ts): fetch and pin the server CA, then have the server sign a
 * node client certificate for a key that never leaves this machine.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:https';
import { createCSR } from './certs.js';

export interface NodeCredentials {
  /** caPem is the server CA (verifies the apiserver's serving certificate). */
  caPem: string;
  /** certPem is the node's client certificate (system:node:<name> in system:nodes). */
  certPem: string;
  keyPem: string;
  /** clientCAPem is the cluster's client CA (sent after the node certificate): the kubelet verifies the apiserver's client certificate with it (`--client-ca-file`). */
  clientCAPem: string;
}

export interface JoinOptions {
  /** server is the apiserver URL (https://host:port). */
  server: string;
  /** token is the full join token `K10<ca hash>::server:<secret>` (a bare secret skips CA pinning: trust on first use). */
  token: string;
  nodeName: string;
  /** nodePassword is this node's own secret; the server refuses a different one for the same name later. */
  nodePassword: string;
}

function send(url: URL, method: string, ca: string | undefined, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // Without a CA the first fetch of /cacerts cannot verify the server: the token's hash does.
    const req = request(url, { method, headers, ...(ca ? { ca } : { rejectUnauthorized: false }) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * joinCluster obtains node credentials. Throws when the server CA does not match the token's
 * hash, or the server refuses the token or node password.
 */
export async function joinCluster(o: JoinOptions): Promise<NodeCredentials> {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(o.token);
  const cacerts = await send(new URL('/cacerts', o.server), 'GET', undefined, {});
  if (cacerts.status !== 200) throw new Error(`join: GET /cacerts: HTTP ${cacerts.status}`);
  const caPem = cacerts.body;
  if (m && createHash('sha256').update(caPem).digest('hex') !== m[1]) throw new Error('join: the server CA does not match the join token (wrong server or token)');
  const { csrPem, keyPem } = await createCSR(`system:node:${o.nodeName}`, ['system:nodes']);
  const r = await send(new URL('/v1-k8ts/client-kubelet.crt', o.server), 'POST', caPem, {
    authorization: `Bearer ${o.token}`,
    'k8ts-node-name': o.nodeName,
    'k8ts-node-password': o.nodePassword,
    'content-type': 'application/pkcs10',
  }, csrPem);
  if (r.status !== 200) throw new Error(`join: node certificate request refused: HTTP ${r.status}: ${r.body}`);
  const end = '-----END CERTIFICATE-----';
  const cut = r.body.indexOf(end) + end.length;
  const certPem = r.body.slice(0, cut) + '\n';
  const rest = r.body.slice(cut).trim();
  return { caPem, certPem, keyPem, clientCAPem: rest ? `${rest}\n` : '' };
}

/**
 * requestKubeletServing has the server sign this node's kubelet serving certificate (server CA,
 * for the node name and IP plus localhost), so the apiserver can verify the kubelet it proxies
 * to. The key never leaves this machine. Throws when the server refuses.
 */
export async function requestKubeletServing(o: JoinOptions & { caPem: string; nodeIP: string }): Promise<{ certPem: string; keyPem: string }> {
  const { csrPem, keyPem } = await createCSR(o.nodeName, []);
  const r = await send(new URL('/v1-k8ts/serving-kubelet.crt', o.server), 'POST', o.caPem, {
    authorization: `Bearer ${o.token}`,
    'k8ts-node-name': o.nodeName,
    'k8ts-node-password': o.nodePassword,
    'k8ts-node-ip': o.nodeIP,
    'content-type': 'application/pkcs10',
  }, csrPem);
  if (r.status !== 200) throw new Error(`join: kubelet serving certificate request refused: HTTP ${r.status}: ${r.body}`);
  const end = '-----END CERTIFICATE-----';
  return { certPem: r.body.slice(0, r.body.indexOf(end) + end.length) + '\n', keyPem };
}
