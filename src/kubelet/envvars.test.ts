import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { expand, mappingFuncFor } from './expansion.js';
import { type EnvSources, EnvError, expandContainerCommand, makeEnvironmentVariables, serviceEnvVars } from './envvars.js';

test('expand follows upstream expansion rules', () => {
  const m = mappingFuncFor(new Map([['VAR_A', 'A'], ['VAR_EMPTY', '']]));
  const cases: Array<[string, string, string]> = [
    ['whole', '$(VAR_A)', 'A'],
    ['inside text', 'x-$(VAR_A)-y', 'x-A-y'],
    ['twice', '$(VAR_A)$(VAR_A)', 'AA'],
    ['undefined stays', '$(VAR_UNDEFINED)', '$(VAR_UNDEFINED)'],
    ['empty value', '[$(VAR_EMPTY)]', '[]'],
    ['escaped', '$$(VAR_A)', '$(VAR_A)'],
    ['double escaped', '$$$(VAR_A)', '$A'],
    ['lone dollar', 'a$b', 'a$b'],
    ['trailing dollar', 'abc$', 'abc$'],
    ['unclosed', '$(VAR_A', '$(VAR_A'],
    ['empty name', '$()', '$()'],
    ['nested looking', '$(VAR_$(VAR_A))', '$(VAR_$(VAR_A))'],
  ];
  for (const [name, input, want] of cases) assert.equal(expand(input, m), want, name);
});

const svc = (ns: string, name: string, ip: string, ports: Array<{ name?: string; port: number; protocol?: string }>): Service => ({
  metadata: { namespace: ns, name },
  spec: { clusterIP: ip, ports },
});

function sources(): EnvSources {
  const cms: Record<string, ConfigMap> = {
    'default/cfg': { metadata: { name: 'cfg' }, data: { LOG_LEVEL: 'debug', 'bad key': 'x', mode: 'fast' } },
  };
  const secrets: Record<string, Secret> = {
    'default/creds': { metadata: { name: 'creds' }, data: { password: Buffer.from('s3cr3t').toString('base64') } },
  };
  const services: Service[] = [
    svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443 }]),
    svc('default', 'redis-primary', '10.43.0.11', [{ port: 6379 }]),
    svc('default', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'db', '10.43.0.12', [{ port: 5432 }]),
  ];
  return {
    getConfigMap: async (ns, n) => cms[`${ns}/${n}`],
    getSecret: async (ns, n) => secrets[`${ns}/${n}`],
    listServices: async (ns) => services.filter((s) => s.metadata?.namespace === ns),
    nodeAllocatable: { cpu: '2', memory: '4Gi' },
  };
}

const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'web-1', namespace: 'default', uid: 'u-1', labels: { app: 'web' } },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', resources: { requests: { cpu: '250m', memory: '64Mi' } } }], ...spec },
  status: { podIP: '10.0.0.5', hostIP: '10.0.0.5' },
});

test('makeEnvironmentVariables: envFrom, env with expansion and valueFrom, then service variables', async () => {
  const p = pod();
  const c = {
    name: 'app',
    resources: { requests: { cpu: '250m', memory: '64Mi' } },
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { configMapRef: { name: 'missing', optional: true } }],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'APP_LABEL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: 'GREETING', value: 'hi $(POD_NAME) on $(REDIS_PRIMARY_SERVICE_HOST), $$(POD_NAME), $(NOPE)' },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
      { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
      { name: 'CPU_REQ_M', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'MEM_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CFG_LOG_LEVEL', value: 'overridden' },
    ],
  };
  p.spec!.containers = [c];
  const env = await makeEnvironmentVariables(p, c, sources());
  const m = Object.fromEntries(env.map((e) => [e.name, e.value]));
  assert.equal(m['POD_NAME'], 'web-1');
  assert.equal(m['APP_LABEL'], 'web');
  assert.equal(m['GREETING'], 'hi web-1 on 10.43.0.11, $(POD_NAME), $(NOPE)');
  assert.equal(m['PASSWORD'], 's3cr3t');
  assert.equal(m['MODE'], 'fast');
  assert.equal('OPT' in m, false);
  assert.equal(m['CPU_REQ_M'], '250');
  assert.equal(m['MEM_LIMIT'], '4096', 'unset limit falls back to node allocatable');
  assert.equal(m['CFG_LOG_LEVEL'], 'overridden');
  assert.equal(m['CFG_mode'], 'fast');
  assert.equal('CFG_bad key' in m, false, 'invalid names from envFrom are skipped');
  assert.equal(m['KUBERNETES_SERVICE_HOST'], '10.43.0.1');
  assert.equal(m['KUBERNETES_SERVICE_PORT_HTTPS'], '443');
  assert.equal(m['REDIS_PRIMARY_PORT'], 'tcp://10.43.0.11:6379');
  assert.equal(m['REDIS_PRIMARY_PORT_6379_TCP_ADDR'], '10.43.0.11');
  assert.equal('HEADLESS_SERVICE_HOST' in m, false);
  assert.equal('DB_SERVICE_HOST' in m, false, 'other namespaces are not linked');

  const cmd = expandContainerCommand(['echo', '$(GREETING)', '$$(HOME)', '$(UNSET)'], env);
  assert.deepEqual(cmd, ['echo', 'hi web-1 on 10.43.0.11, $(POD_NAME), $(NOPE)', '$(HOME)', '$(UNSET)']);
});

test('makeEnvironmentVariables: enableServiceLinks=false keeps only the kubernetes Service', async () => {
  const p = pod({ enableServiceLinks: false });
  const env = await makeEnvironmentVariables(p, p.spec!.containers[0]!, sources());
  const names = env.map((e) => e.name);
  assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
  assert.ok(!names.some((n) => n.startsWith('REDIS_PRIMARY')));
});

test('makeEnvironmentVariables: missing required sources are configuration errors', async () => {
  const cases: Array<[string, object, RegExp]> = [
    ['configmap', { configMapKeyRef: { name: 'nope', key: 'k' } }, /configmap "nope" not found/],
    ['configmap key', { configMapKeyRef: { name: 'cfg', key: 'k' } }, /couldn't find key k in ConfigMap default\/cfg/],
    ['secret', { secretKeyRef: { name: 'nope', key: 'k' } }, /secret "nope" not found/],
    ['secret key', { secretKeyRef: { name: 'creds', key: 'k' } }, /couldn't find key k in Secret default\/creds/],
  ];
  for (const [name, valueFrom, re] of cases) {
    const p = pod();
    const c = { name: 'app', env: [{ name: 'X', valueFrom }] };
    await assert.rejects(makeEnvironmentVariables(p, c, sources()), (e: unknown) => e instanceof EnvError && re.test(e.message), name);
  }
});

test('serviceEnvVars names ports and protocols as docker links', () => {
  const env = serviceEnvVars([svc('default', 'my-svc', '10.43.0.9', [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }])]);
  assert.deepEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
    MY_SVC_SERVICE_HOST: '10.43.0.9',
    MY_SVC_SERVICE_PORT: '80',
    MY_SVC_SERVICE_PORT_HTTP: '80',
    MY_SVC_SERVICE_PORT_DNS: '53',
    MY_SVC_PORT: 'tcp://10.43.0.9:80',
    MY_SVC_PORT_80_TCP: 'tcp://10.43.0.9:80',
    MY_SVC_PORT_80_TCP_PROTO: 'tcp',
    MY_SVC_PORT_80_TCP_PORT: '80',
    MY_SVC_PORT_80_TCP_ADDR: '10.43.0.9',
    MY_SVC_PORT_53_UDP: 'udp://10.43.0.9:53',
    MY_SVC_PORT_53_UDP_PROTO: 'udp',
    MY_SVC_PORT_53_UDP_PORT: '53',
    MY_SVC_PORT_53_UDP_ADDR: '10.43.0.9',
  });
});

test('makeEnvironmentVariables: a container without env gets the Service variables, following the Services as they are replaced', async () => {
  let services: Service[] = [svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443 }]), svc('other', 'db', '10.43.0.12', [{ port: 5432 }])];
  const src: EnvSources = { ...sources(), listServices: async (ns) => services.filter((s) => s.metadata?.namespace === ns) };
  const p: Pod = { ...pod(), metadata: { ...pod().metadata, namespace: 'other' } };
  const c = p.spec!.containers[0]!;
  const first = await makeEnvironmentVariables(p, c, src);
  assert.deepEqual(first.map((e) => `${e.name}=${e.value}`), [
    'DB_SERVICE_HOST=10.43.0.12',
    'DB_SERVICE_PORT=5432',
    'DB_PORT=tcp://10.43.0.12:5432',
    'DB_PORT_5432_TCP=tcp://10.43.0.12:5432',
    'DB_PORT_5432_TCP_PROTO=tcp',
    'DB_PORT_5432_TCP_PORT=5432',
    'DB_PORT_5432_TCP_ADDR=10.43.0.12',
    'KUBERNETES_SERVICE_HOST=10.43.0.1',
    'KUBERNETES_SERVICE_PORT=443',
    'KUBERNETES_SERVICE_PORT_HTTPS=443',
    'KUBERNETES_PORT=tcp://10.43.0.1:443',
    'KUBERNETES_PORT_443_TCP=tcp://10.43.0.1:443',
    'KUBERNETES_PORT_443_TCP_PROTO=tcp',
    'KUBERNETES_PORT_443_TCP_PORT=443',
    'KUBERNETES_PORT_443_TCP_ADDR=10.43.0.1',
  ]);
  assert.deepEqual(await makeEnvironmentVariables(p, c, src), first);
  // The db Service is replaced (an informer hands out a new object): its new address shows.
  services = [services[0]!, svc('other', 'db', '10.43.0.99', [{ port: 5432 }])];
  const after = await makeEnvironmentVariables(p, c, src);
  assert.equal(after.find((e) => e.name === 'DB_SERVICE_HOST')?.value, '10.43.0.99');
  // With env of its own, the container's variables come first and the Services' after.
  const withEnv = await makeEnvironmentVariables(p, { ...c, env: [{ name: 'A', value: '$(DB_SERVICE_HOST)' }] }, src);
  assert.deepEqual(withEnv.slice(0, 2).map((e) => `${e.name}=${e.value}`), ['A=10.43.0.99', 'DB_SERVICE_HOST=10.43.0.99']);
});
