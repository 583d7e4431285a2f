/**
 * Real kubectl against the OpenAPI documents: `kubectl explain` (v3 documents) and the
 * fieldValidation query-param check of `kubectl create --validate=strict` (v3, and v2 when v3 is
 * missing). A minimal HTTP server stands in for the apiserver's discovery and object endpoints,
 * since only the documents are under test. Skipped when kubectl is not installed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinResources } from '../resources.js';
import { applyStrategicMergePatch, createThreeWayMergePatch } from '../patch/index.js';
import type { KubeObject } from '../types.js';
import { openAPIV2JSON, openAPIV2Protobuf, openAPIV3Index, openAPIV3JSON } from './index.js';

const kubectlPath = await new Promise<string | undefined>((resolve) => {
  execFile('sh', ['-c', 'command -v kubectl'], (err, out) => resolve(err ? undefined : out.trim()));
});

/** kubectl 1.27 is the oldest client we promise; it falls back to v2 differently from recent ones. */
const KUBECTL_1_27 = '/usr/lib/google-cloud-sdk/bin/kubectl.1.27';
const kubectl127 = existsSync(KUBECTL_1_27) ? KUBECTL_1_27 : undefined;

let server: Server;
let dir: string;
let kubeconfig: string;
let serveV3 = true;
const seenQueries: string[] = [];
/** objects holds what GET returns by URL path; PATCH applies our strategic merge patch to it. */
const objects = new Map<string, KubeObject>();
const patches: { contentType: string; patch: unknown }[] = [];

function discovery(path: string): object | undefined {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
  const groups = new Map<string, string[]>();
  for (const r of builtinResources) {
    if (!r.group) continue;
    const vs = groups.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    groups.set(r.group, vs);
  }
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, vs]) => ({
        name,
        versions: vs.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${name}/${vs[0]}`, version: vs[0] },
      })),
    };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const group = m[2] ?? '';
  const version = m[1] ?? m[3]!;
  const rs = builtinResources.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: rs.flatMap((r) => [
      { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs, shortNames: r.shortNames },
      ...(r.subresources ?? []).map((s) => ({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs })),
    ]),
  };
}

before(async () => {
  if (!kubectlPath) return;
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: string): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (url.pathname === '/openapi/v2') {
      if (!(req.headers.accept ?? '').includes('protobuf')) return send(200, openAPIV2JSON(builtinResources));
      res.writeHead(200, { 'content-type': 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf' });
      res.end(openAPIV2Protobuf(builtinResources));
      return;
    }
    if (url.pathname === '/openapi/v3') return serveV3 ? send(200, JSON.stringify(openAPIV3Index(builtinResources))) : send(404, '{}');
    if (url.pathname.startsWith('/openapi/v3/')) {
      const d = serveV3 ? openAPIV3JSON(builtinResources, url.pathname.slice('/openapi/v3/'.length)) : undefined;
      return d ? send(200, d.json) : send(404, '{}');
    }
    const d = discovery(url.pathname);
    if (d) return send(200, JSON.stringify(d));
    if (req.method === 'POST') {
      seenQueries.push(url.search);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => send(201, Buffer.concat(chunks).toString()));
      return;
    }
    const stored = objects.get(url.pathname);
    if (stored && req.method === 'GET') return send(200, JSON.stringify(stored));
    if (stored && req.method === 'PATCH') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const patch = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
        patches.push({ contentType: req.headers['content-type'] ?? '', patch });
        const next = applyStrategicMergePatch({ group: '', version: 'v1', kind: 'Pod' }, stored, patch);
        objects.set(url.pathname, next);
        send(200, JSON.stringify(next));
      });
      return;
    }
    send(404, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'k8ts-openapi-'));
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n`,
  );
});

after(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(kubectlPath!, ...args);
}

function run(bin: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('kubectl explain pods.spec.containers prints the v3 schema', { skip: !kubectlPath }, async () => {
  const r = await kubectl('explain', 'pods.spec.containers');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^KIND:\s+Pod$/m);
  assert.match(r.stdout, /^VERSION:\s+v1$/m);
  assert.match(r.stdout, /^FIELD: containers <\[\]Container>$/m);
  assert.match(r.stdout, /^DESCRIPTION:$/m);
  assert.match(r.stdout, /^\s+name\s+<string> -required-$/m);
  assert.match(r.stdout, /^\s+ports\s+<\[\]ContainerPort>$/m);
  assert.match(r.stdout, /^\s+resources\s+<ResourceRequirements>$/m);
});

test('kubectl explain deployment shows the group and object fields', { skip: !kubectlPath }, async () => {
  const r = await kubectl('explain', 'deployment');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^GROUP:\s+apps$/m);
  assert.match(r.stdout, /^KIND:\s+Deployment$/m);
  assert.match(r.stdout, /^\s+metadata\s+<ObjectMeta>$/m);
  assert.match(r.stdout, /^\s+spec\s+<DeploymentSpec>$/m);
});

test('kubectl explain a missing field fails as upstream', { skip: !kubectlPath }, async () => {
  const r = await kubectl('explain', 'pods.spec.nope');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /field "nope" does not exist/);
});

test('kubectl 1.27 explain (v3) and explain --output=plaintext-openapiv2 (v2 protobuf)', { skip: !kubectlPath || !kubectl127 }, async () => {
  const v3 = await run(kubectl127!, 'explain', 'pods.spec.containers');
  assert.equal(v3.code, 0, v3.stderr);
  assert.match(v3.stdout, /^FIELD: containers <\[\]Container>$/m);
  const v2 = await run(kubectl127!, 'explain', 'pods.spec.containers', '--output=plaintext-openapiv2');
  assert.equal(v2.code, 0, v2.stderr);
  assert.match(v2.stdout, /^RESOURCE: containers <\[\]Object>$/m);
  assert.match(v2.stdout, /^\s+name\t<string> -required-$/m);
});

const validateCases: [boolean, string | undefined][] = [
  [true, undefined],
  [false, undefined],
];
if (kubectl127) validateCases.push([false, kubectl127]);
for (const [v3, bin] of validateCases) {
  const label = `${v3 ? 'OpenAPI v3' : 'v2 fallback'}${bin ? ', kubectl 1.27' : ''}`;
  test(`kubectl create --validate=strict sends fieldValidation=Strict (${label})`, { skip: !kubectlPath }, async () => {
    serveV3 = v3;
    try {
      const file = join(dir, `cm-${label.replace(/\W+/g, '-')}.yaml`);
      writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\ndata:\n  a: b\n');
      seenQueries.length = 0;
      const r = await run(bin ?? kubectlPath!, 'create', '--validate=strict', '-f', file, '--cache-dir', join(dir, `cache-${label.replace(/\W+/g, '-')}`));
      assert.equal(r.code, 0, r.stderr);
      assert.ok(seenQueries.some((s) => s.includes('fieldValidation=Strict')), `queries: ${seenQueries.join(' ')}`);
    } finally {
      serveV3 = true;
    }
  });
}

const applyClients: [string, string | undefined, boolean][] = [
  ['kubectl', kubectlPath, true],
  ['kubectl (v2 only)', kubectlPath, false],
];
if (kubectl127) applyClients.push(['kubectl 1.27', kubectl127, true], ['kubectl 1.27 (v2 only)', kubectl127, false]);
for (const [clientName, bin, v3] of applyClients) test(`${clientName} apply: its three-way patch equals ours, and our strategic merge applies it`, { skip: !kubectlPath }, async () => {
  serveV3 = v3;
  try {
    await applyScenario(bin!);
  } finally {
    serveV3 = true;
  }
});

/** applyScenario runs one client-side apply; kubectl warns when it cannot use our schemas for the patch. */
async function applyScenario(bin: string): Promise<void> {
  const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
  const config1 = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { x: '1', y: '2' } },
    spec: { containers: [{ name: 'a', image: 'a:v1' }, { name: 'b', image: 'b:v1' }] },
  };
  const live: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', labels: { x: '1', y: '2', added: 'elsewhere' }, annotations: { [LAST_APPLIED]: JSON.stringify(config1) + '\n' } },
    spec: {
      nodeName: 'n1',
      containers: [
        { name: 'a', image: 'a:v1', imagePullPolicy: 'IfNotPresent' },
        { name: 'b', image: 'b:v1', imagePullPolicy: 'IfNotPresent' },
      ],
    },
  };
  const config2 = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', labels: { x: '1' } },
    spec: { containers: [{ name: 'a', image: 'a:v2' }, { name: 'c', image: 'c:v1' }] },
  };
  objects.set('/api/v1/namespaces/default/pods/web', live);
  patches.length = 0;
  const file = join(dir, 'pod.json');
  writeFileSync(file, JSON.stringify(config2));
  const r = await run(bin, '--cache-dir', join(dir, `cache-apply-${patches.length}-${Math.random()}`), 'apply', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/i);
  assert.equal(patches.length, 1);
  assert.equal(patches[0]!.contentType, 'application/strategic-merge-patch+json');
  // kubectl serializes the annotation its own way (sorted keys): take its text as is.
  const sent = patches[0]!.patch as { metadata: { annotations: Record<string, string> } };
  const withAnnotation = { ...config2, metadata: { ...config2.metadata, annotations: { [LAST_APPLIED]: sent.metadata.annotations[LAST_APPLIED]! } } };
  assert.deepEqual(patches[0]!.patch, createThreeWayMergePatch(config1, withAnnotation, live, { group: '', version: 'v1', kind: 'Pod' }));
  const result = objects.get('/api/v1/namespaces/default/pods/web')!;
  assert.deepEqual(result.metadata?.labels, { x: '1', added: 'elsewhere' });
  assert.deepEqual((result['spec'] as { containers: unknown[] }).containers, [
    { name: 'a', image: 'a:v2', imagePullPolicy: 'IfNotPresent' },
    { name: 'c', image: 'c:v1' },
  ]);
  assert.equal((result['spec'] as { nodeName: string }).nodeName, 'n1');
}

test('kubectl apply with retainKeys, primitive merge lists and reordering: same patch as ours', { skip: !kubectlPath }, async () => {
  const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
  const gvk = { group: '', version: 'v1', kind: 'Pod' };
  const config1 = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web2', namespace: 'default', finalizers: ['a', 'b'] },
    spec: {
      volumes: [{ name: 'v', emptyDir: {} }],
      tolerations: [{ key: 'k1', operator: 'Exists' }],
      containers: [{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80 }] }],
    },
  };
  const live: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web2', namespace: 'default', finalizers: ['a', 'b', 'server'], annotations: { [LAST_APPLIED]: JSON.stringify(config1) } },
    spec: {
      volumes: [{ name: 'v', emptyDir: {} }, { name: 'token', projected: { sources: [] } }],
      tolerations: [{ key: 'k1', operator: 'Exists' }, { key: 'node.kubernetes.io/not-ready', operator: 'Exists' }],
      containers: [{ name: 'a', image: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }], ports: [{ containerPort: 80, protocol: 'TCP' }] }],
    },
  };
  const config2 = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web2', namespace: 'default', finalizers: ['b', 'c'] },
    spec: {
      volumes: [{ name: 'v', hostPath: { path: '/tmp' } }],
      tolerations: [{ key: 'k2', operator: 'Exists' }],
      containers: [{ name: 'a', image: 'a', env: [{ name: 'Y', value: '2' }, { name: 'Z', value: '3' }], ports: [{ containerPort: 8080 }] }],
    },
  };
  objects.set('/api/v1/namespaces/default/pods/web2', live);
  patches.length = 0;
  const file = join(dir, 'pod2.json');
  writeFileSync(file, JSON.stringify(config2));
  const r = await kubectl('apply', '-f', file);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/i);
  const sent = patches[0]!.patch as { metadata: { annotations: Record<string, string> } };
  const modified = { ...config2, metadata: { ...config2.metadata, annotations: { [LAST_APPLIED]: sent.metadata.annotations[LAST_APPLIED]! } } };
  assert.deepEqual(sent, createThreeWayMergePatch(config1, modified, live, gvk));
  const result = objects.get('/api/v1/namespaces/default/pods/web2')!;
  assert.deepEqual(result.metadata?.finalizers, ['b', 'c', 'server']);
  const spec = result['spec'] as Record<string, unknown>;
  assert.deepEqual(spec['volumes'], [{ name: 'v', hostPath: { path: '/tmp' } }, { name: 'token', projected: { sources: [] } }]);
  assert.deepEqual(spec['tolerations'], [{ key: 'k2', operator: 'Exists' }]);
  assert.deepEqual((spec['containers'] as Record<string, unknown>[])[0]!['env'], [{ name: 'Y', value: '2' }, { name: 'Z', value: '3' }]);
  assert.deepEqual((spec['containers'] as Record<string, unknown>[])[0]!['ports'], [{ containerPort: 8080 }]);
});
