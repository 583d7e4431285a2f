/**
 * Admission webhooks end to end: a real HTTPS webhook server (certificates from src/pki) that
 * mutates with a JSONPatch, warns and denies; reached by URL and through a Service's Endpoints;
 * selectors, failurePolicy and dry-run side effects as upstream; kubectl shows the denial.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { hostIPv4 } from '../../src/util/net.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../../src/apiserver/admission/index.js';
import { createCA, signCert } from '../../src/pki/index.js';
import { kubectl } from './helpers/kubectl.js';

interface Review {
  request: { uid: string; operation: string; name: string; namespace?: string; object: { metadata?: { labels?: Record<string, string> } }; dryRun: boolean; userInfo: { username: string }; kind: { kind: string } };
}

describe('admission webhooks', () => {
  let srv: TestApiServer;
  let hook: Server;
  let hookPort: number;
  let caBundle: string;
  let hostIP: string;
  const seen: Review['request'][] = [];

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; warning: string | null }> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const r = await fetch(srv.url + path, init);
    return { status: r.status, body: (await r.json()) as Record<string, unknown>, warning: r.headers.get('warning') };
  }
  const pod = (name: string, labels: Record<string, string> = {}): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const rule = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' };

  before(async () => {
    const ca = await createCA('webhook-ca');
    const serving = await signCert(ca, { commonName: 'hook.hooks.svc', dnsNames: ['hook.hooks.svc'], ipAddresses: ['127.0.0.1'], usage: 'server' });
    caBundle = Buffer.from(ca.certPem).toString('base64');
    hook = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
        const r = review.request;
        seen.push(r);
        let response: Record<string, unknown> = { uid: r.uid, allowed: true };
        if (req.url?.startsWith('/mutate')) {
          const patch = [{ op: 'add', path: '/metadata/labels/mutated', value: 'true' }];
          response = { ...response, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64'), warnings: ['mutated by the test webhook'] };
        } else if (req.url?.startsWith('/validate') && r.object.metadata?.labels?.deny === 'yes') {
          response = { uid: r.uid, allowed: false, status: { code: 403, message: `pods labeled deny=yes are not allowed (saw mutated=${r.object.metadata.labels.mutated})` } };
        } else if (req.url?.startsWith('/wronguid')) {
          response = { uid: 'nope', allowed: true };
        }
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    // Endpoints may not be loopback: the Service path needs a host address, URLs use loopback.
    hostIP = hostIPv4();
    await new Promise<void>((r) => hook.listen(0, hostIP === '127.0.0.1' ? '127.0.0.1' : '0.0.0.0', r));
    hookPort = (hook.address() as AddressInfo).port;
    srv = await startTestApiServer({ enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS });
    for (const ns of ['hooked', 'hooks']) {
      assert.equal((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { webhooks: ns === 'hooked' ? 'on' : 'off' } } })).status, 201);
      assert.equal((await call('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } })).status, 201);
    }
    // The validating webhook is reached through a Service: its Endpoints point at the test server.
    assert.equal((await call('POST', '/api/v1/namespaces/hooks/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hook' }, spec: { ports: [{ name: 'https', port: 443, targetPort: hookPort }] } })).status, 201);
    const eps = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'hook' }, subsets: [{ addresses: [{ ip: hostIP }], ports: [{ name: 'https', port: hookPort }] }] };
    const epRes = await call('POST', '/api/v1/namespaces/hooks/endpoints', eps);
    assert.equal(epRes.status, 201, JSON.stringify(epRes.body));
    const selector = { matchLabels: { webhooks: 'on' } };
    const mutating = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: { name: 'label-pods' },
      webhooks: [{ name: 'label.k8ts.io', clientConfig: { url: `https://127.0.0.1:${hookPort}/mutate`, caBundle }, rules: [rule], namespaceSelector: selector, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
    };
    assert.equal((await call('POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', mutating)).status, 201);
    const validating = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'deny-pods' },
      webhooks: [{ name: 'deny.k8ts.io', clientConfig: { service: { namespace: 'hooks', name: 'hook', path: '/validate', port: 443 }, caBundle }, rules: [rule], namespaceSelector: selector, sideEffects: 'None', admissionReviewVersions: ['v1'] }],
    };
    assert.equal((await call('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', validating)).status, 201);
    // Configurations are read from the watch cache: wait until a pod is mutated.
    for (let i = 0; i < 100; i++) {
      const r = await call('POST', '/api/v1/namespaces/hooked/pods?dryRun=All', pod('probe'));
      if ((r.body.metadata as { labels?: Record<string, string> } | undefined)?.labels?.mutated) break;
      await new Promise((res) => setTimeout(res, 20));
    }
  });
  after(async () => {
    await srv?.stop();
    await new Promise<void>((r) => hook.close(() => r()));
  });

  test('a mutating webhook patches the pod and its warning reaches the client', async () => {
    const r = await call('POST', '/api/v1/namespaces/hooked/pods', pod('web'));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((r.body.metadata as { labels: Record<string, string> }).labels.mutated, 'true');
    assert.equal(r.warning, '299 - "mutated by the test webhook"');
    const req = seen.find((x) => x.name === 'web' && !x.dryRun)!;
    assert.equal(req.operation, 'CREATE');
    assert.equal(req.namespace, 'hooked');
    assert.equal(req.kind.kind, 'Pod');
    assert.equal(req.userInfo.username, 'system:admin');
  });

  test('a validating webhook behind a Service denies with upstream\'s message, after mutation', async () => {
    const r = await call('POST', '/api/v1/namespaces/hooked/pods', pod('bad', { deny: 'yes' }));
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'admission webhook "deny.k8ts.io" denied the request: pods labeled deny=yes are not allowed (saw mutated=true)');
  });

  test('kubectl shows the denial', async () => {
    const r = await kubectl(['run', 'bad2', '-n', 'hooked', '--image=nginx', '--labels=deny=yes'], { kubeconfig: srv.kubeconfig });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /admission webhook "deny\.k8ts\.io" denied the request: pods labeled deny=yes are not allowed \(saw mutated=true\)/);
  });

  test('namespaceSelector: namespaces without the label are not sent to the webhooks', async () => {
    const r = await call('POST', '/api/v1/namespaces/hooks/pods', pod('free', { deny: 'yes' }));
    assert.equal(r.status, 201);
    assert.equal((r.body.metadata as { labels: Record<string, string> }).labels.mutated, undefined);
  });

  const failing = (name: string, policy: string, url: string): Record<string, unknown> => ({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: [{ name: `${name}.k8ts.io`, clientConfig: { url, caBundle }, rules: [{ ...rule, resources: ['configmaps'] }], failurePolicy: policy, sideEffects: name === 'effects' ? 'Some' : 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 2 }],
  });
  const cm = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
  async function withConfig(cfg: Record<string, unknown>, fn: () => Promise<void>): Promise<void> {
    assert.equal((await call('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', cfg)).status, 201);
    const name = (cfg.metadata as { name: string }).name;
    try {
      await fn();
    } finally {
      await call('DELETE', `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`);
      // Wait until the cache forgets it.
      for (let i = 0; i < 100 && (await call('POST', '/api/v1/namespaces/hooked/configmaps?dryRun=All', cm('after'))).status !== 201; i++) await new Promise((r) => setTimeout(r, 20));
    }
  }
  async function eventually(fn: () => Promise<boolean>): Promise<void> {
    for (let i = 0; i < 100 && !(await fn()); i++) await new Promise((r) => setTimeout(r, 20));
  }

  test('failurePolicy Fail: an unreachable webhook fails the request with upstream\'s message', async () => {
    await withConfig(failing('down', 'Fail', 'https://127.0.0.1:1/validate'), async () => {
      let r = await call('POST', '/api/v1/namespaces/hooked/configmaps', cm('x'));
      await eventually(async () => (r = await call('POST', '/api/v1/namespaces/hooked/configmaps', cm('x'))).status === 500);
      assert.equal(r.status, 500);
      assert.match(r.body.message as string, /^Internal error occurred: failed calling webhook "down\.k8ts\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:1\/validate\?timeout=2s": connect ECONNREFUSED/);
    });
  });

  test('failurePolicy Ignore: an unreachable webhook is skipped', async () => {
    await withConfig(failing('ignored', 'Ignore', 'https://127.0.0.1:1/validate'), async () => {
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await call('POST', '/api/v1/namespaces/hooked/configmaps', cm('ignored'))).status, 201);
    });
  });

  test('a response with the wrong uid is a failure', async () => {
    await withConfig(failing('uid', 'Fail', `https://127.0.0.1:${hookPort}/wronguid`), async () => {
      let r = await call('POST', '/api/v1/namespaces/hooked/configmaps', cm('y'));
      await eventually(async () => (r = await call('POST', '/api/v1/namespaces/hooked/configmaps', cm('y'))).status === 500);
      assert.match(r.body.message as string, /expected response\.uid="[0-9a-f-]+", got "nope"/);
    });
  });

  test('dry run is refused by webhooks with side effects', async () => {
    await withConfig(failing('effects', 'Fail', `https://127.0.0.1:${hookPort}/validate`), async () => {
      let r = await call('POST', '/api/v1/namespaces/hooked/configmaps?dryRun=All', cm('z'));
      await eventually(async () => (r = await call('POST', '/api/v1/namespaces/hooked/configmaps?dryRun=All', cm('z'))).status === 400);
      assert.equal(r.status, 400);
      assert.equal(r.body.message, 'admission webhook "effects.k8ts.io" does not support dry run');
    });
  });
});
