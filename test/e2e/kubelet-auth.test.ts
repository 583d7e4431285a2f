/**
 * End-to-end: the kubelet's HTTPS API authenticates callers (client certificates of the
 * cluster's client CA, bearer tokens through TokenReview) and authorizes them with
 * SubjectAccessReview on `nodes/proxy` etc., against a secure `k8ts apiserver` (RBAC).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createCA, signCert } from '../../src/pki/index.js';
import { RestClient } from '../../src/client/rest/client.js';
import { loadKubeconfig, restConfigFromKubeconfig } from '../../src/client/rest/kubeconfig.js';
import { realClock } from '../../src/kubelet/clock.js';
import { TimerHeap } from '../../src/kubelet/timerheap.js';
import { SimulatedRuntime } from '../../src/kubelet/runtime/simulated.js';
import { PodLifecycle } from '../../src/kubelet/pods.js';
import { startKubeletServer, type KubeletServer } from '../../src/kubelet/server.js';
import { KubeletAuth, requestAttributes } from '../../src/kubelet/auth.js';
import { startSecureApiServer, type SecureApiServer } from './helpers/secure.js';

type Caller = { token?: string; cert?: { certPem: string; keyPem: string } };

let api: SecureApiServer;
let kubelet: KubeletServer;
let client: RestClient;
let heap: TimerHeap;
let lifecycle: PodLifecycle;
let clientCA: { certPem: string; keyPem: string };
let servingCA: string;
const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-auth-'));

function get(path: string, who: Caller): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${kubelet.url}${path}`,
      { ca: servingCA, ...(who.cert ? { cert: who.cert.certPem, key: who.cert.keyPem } : {}), headers: who.token ? { authorization: `Bearer ${who.token}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  api = await startSecureApiServer({ tokenFile: 'tok-admin,alice,u1,"system:masters"\ntok-bob,bob,u2\n' });
  const tls = join(api.dataDir, 'server', 'tls');
  clientCA = { certPem: readFileSync(join(tls, 'client-ca.crt'), 'utf8'), keyPem: readFileSync(join(tls, 'client-ca.key'), 'utf8') };
  client = new RestClient({ ...restConfigFromKubeconfig(loadKubeconfig([api.kubeconfig])), qps: Infinity });
  heap = new TimerHeap(realClock);
  lifecycle = new PodLifecycle({
    runtime: new SimulatedRuntime({ heap, podIP: '127.0.0.1' }),
    heap,
    rootDir: join(dir, 'root'),
    nodeName: 'auth-node',
    nodeIP: '127.0.0.1',
    fileless: true,
    host: { recordEvent: () => {}, setPodStatus: () => {}, deletePod: async () => {} },
    sources: { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async () => [] },
  });
  const ca = await createCA('kubelet-serving-ca');
  servingCA = ca.certPem;
  const serving = await signCert(ca, { commonName: 'auth-node', ipAddresses: ['127.0.0.1'], usage: 'server', validityDays: 1 });
  kubelet = await startKubeletServer({
    lifecycle,
    tls: { cert: serving.certPem, key: serving.keyPem, clientCA: clientCA.certPem },
    auth: new KubeletAuth({ client, nodeName: 'auth-node', tokenWebhook: true, authorization: 'Webhook', cacheMs: 0 }),
  });
});

after(async () => {
  await kubelet?.close();
  lifecycle?.stop();
  heap?.stop();
  client?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('request attributes follow upstream: verb from the method, subresource from the path', () => {
  const cases: Array<[string, string, string, string]> = [
    ['GET', '/pods', 'get', 'proxy'],
    ['POST', '/exec/ns/p/c', 'create', 'proxy'],
    ['GET', '/containerLogs/ns/p/c', 'get', 'proxy'],
    ['GET', '/stats/summary', 'get', 'stats'],
    ['GET', '/metrics', 'get', 'metrics'],
    ['GET', '/logs/syslog', 'get', 'log'],
    ['GET', '/spec', 'get', 'spec'],
  ];
  for (const [method, path, verb, subresource] of cases) assert.deepEqual(requestAttributes(method, path), { verb, subresource }, `${method} ${path}`);
});

test('the kubelet API authenticates and authorizes through the apiserver', async () => {
  const apiserverClient = await signCert(clientCA, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', validityDays: 1 });
  const stranger = await signCert(await createCA('someone-else'), { commonName: 'mallory', organizations: ['system:masters'], usage: 'client', validityDays: 1 });
  const cases: Array<{ name: string; path: string; who: Caller; status: number; body?: RegExp }> = [
    { name: 'anonymous is refused', path: '/pods', who: {}, status: 401, body: /^Unauthorized/ },
    { name: 'healthz stays open', path: '/healthz', who: {}, status: 200 },
    { name: 'an unknown token is refused', path: '/pods', who: { token: 'nope' }, status: 401 },
    { name: 'a token of system:masters may proxy', path: '/pods', who: { token: 'tok-admin' }, status: 200, body: /"kind":"PodList"/ },
    { name: 'a token without nodes/proxy is forbidden', path: '/pods', who: { token: 'tok-bob' }, status: 403, body: /^Forbidden \(user=bob, verb=get, resource=nodes, subresource\(s\)=\[proxy\]\)/ },
    { name: "the apiserver's kubelet client certificate may proxy", path: '/pods', who: { cert: apiserverClient }, status: 200 },
    { name: "a certificate of another CA is not trusted", path: '/pods', who: { cert: stranger }, status: 401 },
  ];
  for (const c of cases) {
    const r = await get(c.path, c.who);
    assert.equal(r.status, c.status, `${c.name}: ${r.body}`);
    if (c.body) assert.match(r.body, c.body, c.name);
  }

  // Upgrades (exec, attach, port-forward) are checked before the handshake.
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${kubelet.url.replace('https', 'wss')}/exec/default/p/c?command=true`, ['v5.channel.k8s.io'], { ca: servingCA, headers: { authorization: 'Bearer tok-bob' } });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
    ws.on('error', () => undefined);
  });
  assert.equal(status, 403);

  // Granting nodes/proxy through RBAC lets bob in.
  const grant = await api.request({ token: 'tok-admin' }, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'node-proxier' }, rules: [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get', 'create'] }] });
  assert.equal(grant.status, 201, grant.body);
  const bind = await api.request({ token: 'tok-admin' }, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bob-node-proxier' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'node-proxier' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }] });
  assert.equal(bind.status, 201, bind.body);
  const end = Date.now() + 10_000;
  let r = await get('/pods', { token: 'tok-bob' });
  while (r.status !== 200 && Date.now() < end) {
    await new Promise((res) => setTimeout(res, 200));
    r = await get('/pods', { token: 'tok-bob' });
  }
  assert.equal(r.status, 200, r.body);
});
