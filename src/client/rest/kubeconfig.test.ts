import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { inClusterConfig, loadKubeconfig, loadRestConfig, restConfigFromKubeconfig } from './kubeconfig.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-kubeconfig-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const first = `
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://dev.example:6443
    certificate-authority: certs/ca.crt
- name: shared
  cluster:
    server: https://from-first:6443
users:
- name: dev-user
  user:
    client-certificate-data: ${b64('CERT')}
    client-key: keys/client.key
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
`;

const second = `
apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: shared
  cluster:
    server: https://from-second:6443
- name: prod-cluster
  cluster:
    server: https://prod.example:6443
    certificate-authority-data: ${b64('PRODCA')}
    insecure-skip-tls-verify: false
    tls-server-name: kubernetes
users:
- name: prod-user
  user:
    token: secret-token
- name: file-user
  user:
    tokenFile: tok
contexts:
- name: prod
  context: {cluster: prod-cluster, user: prod-user}
- name: via-file
  context: {cluster: shared, user: file-user}
`;

test('kubeconfig: KUBECONFIG list merges with first-wins, relative paths resolve per file', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'a', 'certs'), { recursive: true });
    mkdirSync(join(dir, 'a', 'keys'), { recursive: true });
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'a', 'config'), first);
    writeFileSync(join(dir, 'a', 'certs', 'ca.crt'), 'DEVCA');
    writeFileSync(join(dir, 'a', 'keys', 'client.key'), 'KEY');
    writeFileSync(join(dir, 'b', 'config'), second);
    writeFileSync(join(dir, 'b', 'tok'), 'file-token\n');
    const env = { KUBECONFIG: [join(dir, 'a', 'config'), join(dir, 'missing'), join(dir, 'b', 'config')].join(delimiter) };
    const kc = loadKubeconfig(undefined, env);
    assert.equal(kc['current-context'], 'dev', 'first file setting current-context wins');
    assert.deepEqual(kc.clusters.map((c) => c.name), ['dev-cluster', 'shared', 'prod-cluster']);
    assert.equal(kc.clusters.find((c) => c.name === 'shared')?.cluster.server, 'https://from-first:6443');

    const cases: Array<{ name: string; context?: string; want: Record<string, unknown> }> = [
      {
        name: 'current context: CA file, inline cert, key file, namespace',
        want: { host: 'https://dev.example:6443', caData: 'DEVCA', certData: 'CERT', keyData: 'KEY', namespace: 'team-a' },
      },
      {
        name: 'explicit context: inline CA, token, tls-server-name, default namespace',
        context: 'prod',
        want: { host: 'https://prod.example:6443', caData: 'PRODCA', bearerToken: 'secret-token', tlsServerName: 'kubernetes', namespace: 'default' },
      },
      {
        name: 'tokenFile relative to its own file; cluster from the first file',
        context: 'via-file',
        want: { host: 'https://from-first:6443', bearerTokenFile: join(dir, 'b', 'tok'), namespace: 'default' },
      },
    ];
    for (const c of cases) {
      const cfg = loadRestConfig({ env, context: c.context });
      const got: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(cfg)) got[k] = Buffer.isBuffer(v) ? v.toString() : v;
      assert.deepEqual(got, c.want, c.name);
    }
  });
});

test('kubeconfig: errors as kubectl prints them', () => {
  withDir((dir) => {
    const p = join(dir, 'config');
    writeFileSync(p, second);
    assert.throws(() => loadRestConfig({ kubeconfig: p, context: 'nope' }), /context "nope" does not exist/);
    assert.throws(() => loadRestConfig({ kubeconfig: join(dir, 'absent') }), /no such file/);
    // A missing file named by $KUBECONFIG is skipped, as kubectl does, not a stat error.
    const env = { KUBECONFIG: join(dir, 'absent'), HOME: dir };
    assert.throws(() => loadRestConfig({ env }), /^Error: invalid configuration: no configuration has been provided/);
    writeFileSync(join(dir, 'present'), second);
    assert.ok(loadRestConfig({ env: { KUBECONFIG: `${join(dir, 'absent')}:${join(dir, 'present')}`, HOME: dir } }).host);
    writeFileSync(p, 'apiVersion: v1\nkind: Config\n');
    assert.throws(() => restConfigFromKubeconfig(loadKubeconfig([p])), /invalid configuration/);
    writeFileSync(p, 'clusters: [\n');
    assert.throws(() => loadKubeconfig([p]), /error loading config file/);
  });
});

test('kubeconfig: overrides of namespace and server', () => {
  withDir((dir) => {
    const p = join(dir, 'config');
    writeFileSync(p, second);
    const cfg = loadRestConfig({ kubeconfig: p, namespace: 'x', server: 'http://127.0.0.1:1' });
    assert.equal(cfg.namespace, 'x');
    assert.equal(cfg.host, 'http://127.0.0.1:1');
  });
});

test('in-cluster config from service account files and env', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'token'), 'sa-token\n');
    writeFileSync(join(dir, 'ca.crt'), 'SACA');
    writeFileSync(join(dir, 'namespace'), 'kube-system');
    const cases = [
      { name: 'IPv4', host: '10.43.0.1', want: 'https://10.43.0.1:443' },
      { name: 'IPv6', host: 'fd00::1', want: 'https://[fd00::1]:443' },
    ];
    for (const c of cases) {
      const cfg = inClusterConfig({ KUBERNETES_SERVICE_HOST: c.host, KUBERNETES_SERVICE_PORT: '443' }, dir);
      assert.equal(cfg.host, c.want, c.name);
      assert.equal(cfg.bearerToken, 'sa-token');
      assert.equal(cfg.bearerTokenFile, join(dir, 'token'));
      assert.equal(String(cfg.caData), 'SACA');
      assert.equal(cfg.namespace, 'kube-system');
    }
    assert.throws(() => inClusterConfig({}, dir), /KUBERNETES_SERVICE_HOST/);
  });
});

test('loadRestConfig falls back to in-cluster only when no kubeconfig file exists', () => {
  withDir((dir) => {
    const env = { HOME: dir, KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };
    // No ~/.kube/config: in-cluster (outside a pod the token file is missing, so that read fails).
    try {
      assert.equal(loadRestConfig({ env }).host, 'https://10.0.0.1:443');
    } catch (err) {
      assert.match(String(err), /serviceaccount\/token/);
    }
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), second);
    assert.equal(loadRestConfig({ env }).host, 'https://prod.example:6443');
  });
});
