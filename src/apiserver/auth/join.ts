/**
 * Joining agents, k3s-style. The server has a join token `K10<sha256 of the server CA>::server:
 * <secret>` (from --token, else generated once into `<data-dir>/server/token`). An agent:
 * 1. fetches `GET /cacerts` (anonymous) and checks the CA against the token's hash;
 * 2. posts a PKCS#10 request to `POST /v1-k8ts/client-kubelet.crt` with the join token as
 *    bearer token and headers `K8ts-Node-Name` / `K8ts-Node-Password`;
 * 3. gets back a client certificate for `system:node:<name>` in `system:nodes` (signed by the
 *    client CA; its key never leaves the agent), followed by the client CA certificate;
 * 4. posts another request to `POST /v1-k8ts/serving-kubelet.crt` (same headers, plus
 *    `K8ts-Node-IP`) and gets its kubelet's serving certificate, signed by the server CA for the
 *    node name and IP (k3s's serving-kubelet.crt), so the apiserver can verify the kubelet.
 * The node password is remembered (hashed) in the kube-system Secret
 * `<name>.node-password.k8ts` on first join, so another holder of the join token cannot later
 * take over an existing node's identity. The join token itself authenticates only as
 * `system:k8ts:join` (groups system:bootstrappers, system:bootstrappers:k8ts), which may use
 * these endpoints and nothing else by default: never the admin's credentials.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { badRequest, forbidden, isStatusError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { issue, readCSR, type ClusterPKI } from '../../pki/index.js';
import { readBody } from '../handlers.js';
import { writeBytes } from '../negotiation.js';
import type { UserInfo } from '../pipeline.js';
import type { TokenAuthenticator } from './authn.js';
import type { ObjectSource } from './objects.js';
import type { AttributesAuthorizer } from './rbac/authorizer.js';
import type { StartAccess } from './security.js';
import { GROUP_NODES, NODE_USER_PREFIX } from './node.js';

export const JOIN_USER = 'system:k8ts:join';
export const JOIN_GROUP = 'system:bootstrappers:k8ts';
export const CLIENT_KUBELET_PATH = '/v1-k8ts/client-kubelet.crt';
export const SERVING_KUBELET_PATH = '/v1-k8ts/serving-kubelet.crt';
export const CACERTS_PATH = '/cacerts';

/** caHash is the token's CA fingerprint: hex sha256 of the CA certificate PEM bytes (as k3s). */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

/** formatJoinToken renders the full (secure) join token. */
export function formatJoinToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

/** parseJoinToken splits a full token (or accepts a bare secret). */
export function parseJoinToken(token: string): { caHash?: string; secret: string } {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(token);
  return m ? { caHash: m[1]!, secret: m[2]! } : { secret: token };
}

/** ensureJoinToken returns the server's join secret: --token, else the one saved in the data dir, else a new one. */
export function ensureJoinToken(dataDir: string, caPem: string, given?: string): { secret: string; token: string } {
  const path = join(dataDir, 'server', 'token');
  let secret = given ? parseJoinToken(given).secret : undefined;
  if (!secret && existsSync(path)) secret = parseJoinToken(readFileSync(path, 'utf8').trim()).secret;
  secret ??= randomBytes(16).toString('hex');
  const token = formatJoinToken(caPem, secret);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return { secret, token };
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** joinTokenAuthenticator accepts the join token (full form with this CA's hash, or the bare secret). */
export function joinTokenAuthenticator(secret: string, caPem: string): TokenAuthenticator {
  const wantHash = caHash(caPem);
  return {
    authenticateToken(token) {
      const t = parseJoinToken(token);
      if (t.caHash && t.caHash !== wantHash) return undefined;
      if (!same(t.secret, secret)) return undefined;
      return { username: JOIN_USER, groups: ['system:bootstrappers', JOIN_GROUP] };
    },
  };
}

/** joinAuthorizer lets anyone fetch /cacerts and join-token holders request node certificates. */
export const joinAuthorizer: AttributesAuthorizer = {
  authorize(a) {
    if (a.resourceRequest) return { decision: 'noOpinion', reason: '' };
    if (a.path === CACERTS_PATH && a.verb === 'get') return { decision: 'allow', reason: '' };
    if ((a.path === CLIENT_KUBELET_PATH || a.path === SERVING_KUBELET_PATH) && a.verb === 'post' && a.user.groups.includes(JOIN_GROUP)) return { decision: 'allow', reason: '' };
    return { decision: 'noOpinion', reason: '' };
  },
};

const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const passwordSecretName = (node: string): string => `${node}.node-password.k8ts`;
const hashPassword = (pw: string): string => createHash('sha256').update(pw).digest('hex');

/** JoinEndpoints serves /cacerts and the node client certificate endpoint. */
export class JoinEndpoints {
  private access?: StartAccess;

  constructor(
    private readonly pki: ClusterPKI,
    private readonly objects: ObjectSource,
  ) {}

  /** start gives the endpoints write access (for node-password secrets). */
  start(access: StartAccess): void {
    this.access = access;
  }

  /** serve answers a join endpoint request; false when the path is not one. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, user: UserInfo): Promise<boolean> {
    if (path === CACERTS_PATH) {
      writeBytes(res, 200, Buffer.from(this.pki.serverCA.certPem), 'text/plain; charset=utf-8');
      return true;
    }
    if (path !== CLIENT_KUBELET_PATH && path !== SERVING_KUBELET_PATH) return false;
    const node = String(req.headers['k8ts-node-name'] ?? '').toLowerCase();
    const password = String(req.headers['k8ts-node-password'] ?? '');
    if (!NODE_NAME.test(node) || node.length > 253) throw badRequest(`invalid node name ${JSON.stringify(node)}`);
    if (!password) throw badRequest('K8ts-Node-Password header is required');
    let csr;
    try {
      csr = await readCSR((await readBody(req)).toString('utf8'));
    } catch (err) {
      throw badRequest(`invalid certificate request: ${(err as Error).message}`);
    }
    await this.checkNodePassword(node, password, user);
    if (path === SERVING_KUBELET_PATH) {
      const ip = String(req.headers['k8ts-node-ip'] ?? '');
      if (!isIP(ip)) throw badRequest(`invalid node IP ${JSON.stringify(ip)}`);
      const serving = await issue(this.pki.serverCA, { commonName: node, usage: 'server', dnsNames: [...new Set([node, 'localhost'])], ipAddresses: [...new Set([ip, '127.0.0.1'])], validityDays: 365 }, csr.publicKey);
      writeBytes(res, 200, Buffer.from(serving + this.pki.serverCA.certPem), 'application/x-pem-file');
      return true;
    }
    const cert = await issue(this.pki.clientCA, { commonName: `${NODE_USER_PREFIX}${node}`, organizations: [GROUP_NODES], usage: 'client', validityDays: 365 }, csr.publicKey);
    writeBytes(res, 200, Buffer.from(cert + this.pki.clientCA.certPem), 'application/x-pem-file');
    return true;
  }

  private async checkNodePassword(node: string, password: string, user: UserInfo): Promise<void> {
    const name = passwordSecretName(node);
    const want = hashPassword(password);
    const existing = this.objects.get<{ data?: Record<string, string> }>('', 'secrets', 'kube-system', name);
    const reject = (): never => {
      throw forbidden({ group: '', resource: 'nodes' }, node, `Node password rejected, duplicate hostname or contents of the node password file may not match the server's entry for node "${node}"`);
    };
    if (existing) {
      if (!same(Buffer.from(existing.data?.hash ?? '', 'base64').toString(), want)) reject();
      return;
    }
    const a = this.access;
    if (!a) throw forbidden({ group: '', resource: 'nodes' }, node, 'the server is still starting');
    const secret: KubeObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'kube-system', labels: { 'k8ts.io/node-password': 'true' } },
      type: 'k8ts.io/node-password',
      data: { hash: Buffer.from(want).toString('base64') },
    } as KubeObject;
    try {
      await a.store.create(a.resolve('', 'v1', 'secrets')!, 'kube-system', secret, { dryRun: false, fieldManager: 'k8ts-join', user, admission: a.admission, now: new Date() });
    } catch (err) {
      // A concurrent first join of the same name: the winner's password decides.
      if (!isStatusError(err, 'AlreadyExists')) throw err;
      const raced = await a.store.get(a.resolve('', 'v1', 'secrets')!, 'kube-system', name);
      if (Buffer.from(((raced as { data?: Record<string, string> }).data?.hash ?? ''), 'base64').toString() !== want) reject();
    }
  }
}
