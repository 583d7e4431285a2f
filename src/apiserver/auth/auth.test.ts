import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { isStatusError } from '../../api/errors.js';
import type { UserInfo } from '../pipeline.js';
import { parseTokenFile, withAuthenticatedGroup, x509User } from './authn.js';
import { formatJoinToken, joinTokenAuthenticator, parseJoinToken } from './join.js';
import { NodeAuthorizer, nodeName, podReferences } from './node.js';
import type { ObjectSource } from './objects.js';
import { bootstrapTokenAuthenticator } from './bootstraptoken.js';

test('token file: CSV token,user,uid,"groups" with quoting, comments and errors as kube-apiserver', () => {
  const tokens = parseTokenFile('# comment\nt1,alice,u1,"devs,ops"\nt2,bob,u2\n\n"t,3",carol,u3,single\n');
  assert.deepEqual(tokens.get('t1'), { username: 'alice', uid: 'u1', groups: ['devs', 'ops'] });
  assert.deepEqual(tokens.get('t2'), { username: 'bob', uid: 'u2', groups: [] });
  assert.deepEqual(tokens.get('t,3'), { username: 'carol', uid: 'u3', groups: ['single'] });
  assert.throws(() => parseTokenFile('only,two\n'), /at least 3 columns/);
});

test('system:authenticated is added once, never to anonymous', () => {
  assert.deepEqual(withAuthenticatedGroup({ username: 'a', groups: ['g'] }).groups, ['g', 'system:authenticated']);
  assert.deepEqual(withAuthenticatedGroup({ username: 'a', groups: ['system:authenticated'] }).groups, ['system:authenticated']);
  assert.deepEqual(withAuthenticatedGroup({ username: 'system:anonymous', groups: ['system:unauthenticated'] }).groups, ['system:unauthenticated']);
});

test('join token: K10<ca hash>::server:<secret>; a token for another CA is refused', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
  const full = formatJoinToken(ca, 's3cret');
  assert.match(full, /^K10[0-9a-f]{64}::server:s3cret$/);
  assert.deepEqual(parseJoinToken('bare'), { secret: 'bare' });
  const auth = joinTokenAuthenticator('s3cret', ca);
  assert.equal((auth.authenticateToken(full) as { username: string }).username, 'system:k8ts:join');
  assert.equal((auth.authenticateToken('s3cret') as { username: string }).username, 'system:k8ts:join');
  assert.equal(auth.authenticateToken(formatJoinToken('other ca', 's3cret')), undefined);
  assert.equal(auth.authenticateToken('wrong'), undefined);
});

const pod = {
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    nodeName: 'n1',
    serviceAccountName: 'robot',
    imagePullSecrets: [{ name: 'pull' }],
    volumes: [
      { name: 'a', secret: { secretName: 'vol-secret' } },
      { name: 'b', configMap: { name: 'vol-cm' } },
      { name: 'c', projected: { sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'proj-cm' } }] } },
      { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'scratch', ephemeral: {} },
    ],
    containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 'env-secret' } } }], envFrom: [{ configMapRef: { name: 'envfrom-cm' } }] }],
    initContainers: [{ envFrom: [{ secretRef: { name: 'init-secret' } }] }],
  },
};

test('podReferences finds every object kind a pod uses (the Node authorizer graph edges)', () => {
  assert.deepEqual([...podReferences(pod, 'secret')].sort(), ['env-secret', 'init-secret', 'proj-secret', 'pull', 'vol-secret']);
  assert.deepEqual([...podReferences(pod, 'configmap')].sort(), ['envfrom-cm', 'proj-cm', 'vol-cm']);
  assert.deepEqual([...podReferences(pod, 'pvc')].sort(), ['data', 'web-scratch']);
  assert.deepEqual([...podReferences(pod, 'serviceaccount')], ['robot']);
  assert.deepEqual([...podReferences({ metadata: { name: 'x' }, spec: {} }, 'serviceaccount')], ['default']);
});

test('Node authorizer: graph for secrets/PVs/tokens, system:node rules otherwise, nothing for non-nodes', () => {
  const objects: ObjectSource = {
    // As the watch cache: `where` tests a selectable field (the pod's spec.nodeName).
    list: <T>(_g: string, r: string, _ns: string, where?: { field: string; value: string }) =>
      r === 'pods' && (!where || (where.field === 'spec.nodeName' && where.value === pod.spec.nodeName)) ? [pod as unknown as T] : [],
    get: <T>(_g: string, r: string, _ns: string, name: string) => (r === 'persistentvolumeclaims' && name === 'data' ? ({ spec: { volumeName: 'pv-1' } } as unknown as T) : undefined),
    revision: () => '',
  };
  const authz = new NodeAuthorizer(objects);
  const kubelet = (n: string) => ({ username: `system:node:${n}`, groups: ['system:nodes', 'system:authenticated'] });
  const a = (user: ReturnType<typeof kubelet>, verb: string, resource: string, name: string, extra: { subresource?: string; namespace?: string; apiGroup?: string } = {}) =>
    authz.authorize({ user, verb, resourceRequest: true, apiGroup: extra.apiGroup ?? '', namespace: extra.namespace ?? 'ns', resource, subresource: extra.subresource ?? '', name, path: '' }).decision;
  const cases: [string, string, 'allow' | 'noOpinion'][] = [
    ['n1 get vol-secret', a(kubelet('n1'), 'get', 'secrets', 'vol-secret'), 'allow'],
    ['n2 get vol-secret', a(kubelet('n2'), 'get', 'secrets', 'vol-secret'), 'noOpinion'],
    ['n1 update secret', a(kubelet('n1'), 'update', 'secrets', 'vol-secret'), 'noOpinion'],
    ['n1 get pv via pvc', a(kubelet('n1'), 'get', 'persistentvolumes', 'pv-1', { namespace: '' }), 'allow'],
    ['n1 get other pv', a(kubelet('n1'), 'get', 'persistentvolumes', 'pv-2', { namespace: '' }), 'noOpinion'],
    ['n1 token for robot', a(kubelet('n1'), 'create', 'serviceaccounts', 'robot', { subresource: 'token' }), 'allow'],
    ['n1 token for default', a(kubelet('n1'), 'create', 'serviceaccounts', 'default', { subresource: 'token' }), 'noOpinion'],
    ['n1 list nodes (rules)', a(kubelet('n1'), 'list', 'nodes', '', { namespace: '' }), 'allow'],
    ['n1 delete namespaces', a(kubelet('n1'), 'delete', 'namespaces', 'ns', { namespace: '' }), 'noOpinion'],
    ['n1 update its lease', a(kubelet('n1'), 'update', 'leases', 'n1', { namespace: 'kube-node-lease', apiGroup: 'coordination.k8s.io' }), 'allow'],
    ['n1 update n2 lease', a(kubelet('n1'), 'update', 'leases', 'n2', { namespace: 'kube-node-lease', apiGroup: 'coordination.k8s.io' }), 'noOpinion'],
    ['n1 lease elsewhere', a(kubelet('n1'), 'get', 'leases', 'n1', { namespace: 'kube-system', apiGroup: 'coordination.k8s.io' }), 'noOpinion'],
    ['n1 get unknown volumeattachment', a(kubelet('n1'), 'get', 'volumeattachments', 'va', { namespace: '', apiGroup: 'storage.k8s.io' }), 'noOpinion'],
  ];
  for (const [name, got, want] of cases) assert.equal(got, want, name);
  assert.equal(nodeName({ username: 'system:node:n1', groups: [] }), undefined, 'the group is required');
  assert.equal(authz.authorize({ user: { username: 'alice', groups: [] }, verb: 'list', resourceRequest: true, apiGroup: '', namespace: '', resource: 'nodes', subresource: '', name: '', path: '' }).decision, 'noOpinion');
});

test('bootstrap tokens: valid secret, usage, expiry and extra groups as upstream', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const secrets = new Map<string, unknown>();
  const put = (id: string, data: Record<string, string>, type = 'bootstrap.kubernetes.io/token'): void => {
    secrets.set(`bootstrap-token-${id}`, { type, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
  };
  const objects: ObjectSource = { list: () => [], get: <T>(_g: string, _r: string, ns: string, name: string) => (ns === 'kube-system' ? (secrets.get(name) as T | undefined) : undefined), revision: () => '' };
  const now = new Date('2026-06-01T00:00:00Z');
  const auth = bootstrapTokenAuthenticator(objects, () => now);
  put('abcdef', { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', expiration: '2026-06-02T00:00:00Z' });
  put('expird', { 'token-id': 'expird', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', expiration: '2026-05-01T00:00:00Z' });
  put('nousag', { 'token-id': 'nousag', 'token-secret': '0123456789abcdef' });
  put('badgrp', { 'token-id': 'badgrp', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:masters' });
  assert.deepEqual(auth.authenticateToken('abcdef.0123456789abcdef'), { username: 'system:bootstrap:abcdef', groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token'] });
  for (const [name, token] of [
    ['wrong secret', 'abcdef.0123456789abcdex'],
    ['expired', 'expird.0123456789abcdef'],
    ['not for authentication', 'nousag.0123456789abcdef'],
    ['extra group outside system:bootstrappers', 'badgrp.0123456789abcdef'],
    ['unknown id', 'zzzzzz.0123456789abcdef'],
    ['not a bootstrap token', 'abcdef0123456789abcdef'],
  ] as const) {
    assert.equal(auth.authenticateToken(token), undefined, name);
  }
});

test('x509User: the certificate identity is read once per connection; validity is checked per request', () => {
  const day = 86_400_000;
  const fmt = (ms: number): string => new Date(ms).toUTCString().replace(/^\w+, (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$2 $1 $4 $3 GMT');
  const socketFor = (cert: object | undefined, authorized: boolean): { reads: number; socket: object } => {
    const s = {
      reads: 0,
      socket: {
        authorized,
        getPeerCertificate: () => {
          s.reads++;
          return cert ?? {};
        },
      },
    };
    return s;
  };
  const reqOf = (socket: object): IncomingMessage => ({ socket }) as unknown as IncomingMessage;
  const now = Date.now();
  const cert = (from: number, to: number, o?: string | string[]): object => ({ subject: { CN: 'alice', ...(o ? { O: o } : {}) }, valid_from: fmt(from), valid_to: fmt(to) });
  const cases: Array<{ name: string; cert?: object; authorized: boolean; want: UserInfo | undefined | 'Unauthorized' }> = [
    { name: 'valid certificate with groups', cert: cert(now - day, now + day, ['dev', 'ops']), authorized: true, want: { username: 'alice', groups: ['dev', 'ops'] } },
    { name: 'no certificate', authorized: false, want: undefined },
    { name: 'not signed by the client CA', cert: cert(now - day, now + day), authorized: false, want: 'Unauthorized' },
    { name: 'expired since the handshake', cert: cert(now - 2 * day, now - day), authorized: true, want: 'Unauthorized' },
  ];
  for (const c of cases) {
    const s = socketFor(c.cert, c.authorized);
    for (let i = 0; i < 3; i++) {
      if (c.want === 'Unauthorized') assert.throws(() => x509User(reqOf(s.socket)), (e: unknown) => isStatusError(e, 'Unauthorized'), c.name);
      else assert.deepEqual(x509User(reqOf(s.socket)), c.want, c.name);
    }
    assert.equal(s.reads, 1, `${c.name}: certificate read once`);
  }
});
