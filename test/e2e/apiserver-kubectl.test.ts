/**
 * End-to-end: the real kubectl against a fresh k8ts apiserver (in-memory SQLite). One server
 * for the file; each test drives kubectl as a user would and asserts what kubectl prints.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlVersions } from './helpers/kubectl.js';
import { builtinResources } from '../../src/api/resources.js';

const binaries = kubectlVersions();
if (binaries.length === 0) test('kubectl e2e', { skip: 'kubectl not installed' }, () => {});

for (const binary of binaries) describe(`${binary.split('/').pop()} against k8ts apiserver`, () => {
  let srv: TestApiServer;
  let k: Kubectl;

  before(async () => {
    srv = await startTestApiServer();
    k = new Kubectl(srv.kubeconfig, binary);
  });
  after(async () => {
    await srv?.stop();
  });

  const manifest = (replicas: number): string => `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

  test('version, api-versions and api-resources describe the built-in API', async () => {
    const version = JSON.parse(await k.ok(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    assert.deepEqual([version.serverVersion.major, version.serverVersion.minor, version.serverVersion.gitVersion], ['1', '32', 'v1.32.0+k8ts']);
    const versions = (await k.ok(['api-versions'])).trim().split('\n');
    for (const v of ['v1', 'apps/v1', 'batch/v1', 'autoscaling/v2', 'autoscaling/v1', 'networking.k8s.io/v1', 'rbac.authorization.k8s.io/v1', 'events.k8s.io/v1']) {
      assert.ok(versions.includes(v), `api-versions lists ${v}`);
    }
    const resources = await k.ok(['api-resources']);
    assert.match(resources, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(resources, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(resources, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  test('bootstrap: system namespaces and the kubernetes Service at .1 with endpoints', async () => {
    assert.deepEqual((await k.ok(['get', 'ns', '-o', 'name'])).trim().split('\n').sort(), ['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    assert.equal(await k.ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}']), '10.43.0.1 443');
    // The advertised address is the host's (the Endpoints API rejects loopback); the port is the server's.
    const port = new URL(srv.url).port;
    const ep = await k.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}']);
    assert.match(ep, new RegExp(`^\\d+\\.\\d+\\.\\d+\\.\\d+:${port}$`));
    assert.equal(await k.ok(['get', 'endpointslices.discovery.k8s.io', 'kubernetes', '-o', 'jsonpath={.endpoints[0].addresses[0]}:{.ports[0].port}']), ep);
  });

  test('apply of multi-document YAML: created, unchanged, configured', async () => {
    assert.equal(await k.ok(['apply', '-f', '-'], { stdin: manifest(2) }), 'namespace/shop created\ndeployment.apps/web created\nservice/web created\n');
    assert.equal(await k.ok(['apply', '-f', '-'], { stdin: manifest(2) }), 'namespace/shop unchanged\ndeployment.apps/web unchanged\nservice/web unchanged\n');
    assert.equal(await k.ok(['apply', '-f', '-'], { stdin: manifest(3) }), 'namespace/shop unchanged\ndeployment.apps/web configured\nservice/web unchanged\n');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}']), '3 2');
  });

  test('get in yaml, json, jsonpath, name, table and wide', async () => {
    const yaml = await k.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml']);
    assert.match(yaml, /^kind: Deployment$/m);
    assert.match(yaml, /^  uid: [0-9a-f-]{36}$/m);
    assert.match(yaml, /^  resourceVersion: "\d+"$/m);
    const json = JSON.parse(await k.ok(['get', 'svc', 'web', '-n', 'shop', '-o', 'json'])) as { spec: { clusterIP: string; clusterIPs: string[] } };
    assert.match(json.spec.clusterIP, /^10\.43\.\d+\.\d+$/);
    assert.notEqual(json.spec.clusterIP, '10.43.0.1');
    assert.deepEqual(json.spec.clusterIPs, [json.spec.clusterIP]);
    assert.equal(await k.ok(['get', 'deploy', '-n', 'shop', '-o', 'name']), 'deployment.apps/web\n');
    const table = await k.ok(['get', 'deploy', '-n', 'shop']);
    assert.match(table.split('\n')[0]!, /^NAME\s+/);
    assert.match(table, /^web\s+/m);
    const wide = await k.ok(['get', 'svc', '-n', 'shop', '-o', 'wide']);
    assert.match(wide, /^web\s+/m);
    const all = await k.ok(['get', 'all', '-n', 'shop', '-o', 'name']);
    assert.match(all, /service\/web/);
    assert.match(all, /deployment.apps\/web/);
  });

  test('describe shows the object', async () => {
    const out = await k.ok(['describe', 'deploy', 'web', '-n', 'shop']);
    assert.match(out, /^Name:\s+web$/m);
    assert.match(out, /^Namespace:\s+shop$/m);
    assert.match(out, /^Selector:\s+app=web$/m);
  });

  test('label, annotate and label selectors', async () => {
    assert.equal(await k.ok(['label', 'deploy', 'web', '-n', 'shop', 'tier=frontend']), 'deployment.apps/web labeled\n');
    // kubectl 1.27 prints "annotate" (its own wording), newer ones "annotated".
    assert.match(await k.ok(['annotate', 'deploy', 'web', '-n', 'shop', 'owner=team-a']), /^deployment\.apps\/web annotated?\n$/);
    assert.equal(await k.ok(['get', 'deploy', '-n', 'shop', '-l', 'tier=frontend', '-o', 'name']), 'deployment.apps/web\n');
    const none = await k.run(['get', 'deploy', '-n', 'shop', '-l', 'tier=backend']);
    assert.equal(none.stderr, 'No resources found in shop namespace.\n');
    assert.equal(await k.ok(['label', 'deploy', 'web', '-n', 'shop', 'tier-']), 'deployment.apps/web unlabeled\n');
  });

  test('patch: strategic merge, merge, json; scale through the scale subresource', async () => {
    assert.equal(await k.ok(['patch', 'deploy', 'web', '-n', 'shop', '-p', '{"spec":{"replicas":4}}']), 'deployment.apps/web patched\n');
    assert.equal(await k.ok(['patch', 'deploy', 'web', '-n', 'shop', '--type=merge', '-p', '{"spec":{"replicas":5}}']), 'deployment.apps/web patched\n');
    assert.equal(await k.ok(['patch', 'deploy', 'web', '-n', 'shop', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":6}]']), 'deployment.apps/web patched\n');
    assert.equal(await k.ok(['patch', 'deploy', 'web', '-n', 'shop', '--type=merge', '-p', '{"spec":{"replicas":6}}']), 'deployment.apps/web patched (no change)\n');
    assert.equal(await k.ok(['scale', 'deploy', 'web', '-n', 'shop', '--replicas=2']), 'deployment.apps/web scaled\n');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}']), '2');
    const failed = await k.run(['patch', 'deploy', 'web', '-n', 'shop', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    assert.notEqual(failed.code, 0);
  });

  test('edit through a scripted KUBE_EDITOR', async () => {
    const editor = join(srv.dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/replicas: 2/replicas: 7/" "$1"\n');
    chmodSync(editor, 0o755);
    assert.equal(await k.ok(['edit', 'deploy', 'web', '-n', 'shop'], { env: { KUBE_EDITOR: editor, EDITOR: editor } }), 'deployment.apps/web edited\n');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.replicas}']), '7');
  });

  test('create configmap, secret and namespace (protobuf bodies)', async () => {
    assert.equal(await k.ok(['create', 'configmap', 'cfg', '-n', 'shop', '--from-literal=a=1', '--from-literal=b=2']), 'configmap/cfg created\n');
    assert.equal(await k.ok(['get', 'cm', 'cfg', '-n', 'shop', '-o', 'jsonpath={.data}']), '{"a":"1","b":"2"}');
    assert.equal(await k.ok(['create', 'secret', 'generic', 'pw', '-n', 'shop', '--from-literal=password=hunter2']), 'secret/pw created\n');
    assert.equal(await k.ok(['get', 'secret', 'pw', '-n', 'shop', '-o', 'jsonpath={.data.password}']), Buffer.from('hunter2').toString('base64'));
    assert.equal(await k.ok(['create', 'namespace', 'scratch']), 'namespace/scratch created\n');
    assert.equal(await k.ok(['get', 'ns', 'scratch', '-o', 'jsonpath={.status.phase} {.metadata.labels.kubernetes\\.io/metadata\\.name}']), 'Active scratch');
  });

  test('kubectl create of workloads and services (protobuf bodies) stores what kubectl built', async () => {
    assert.equal(await k.ok(['create', 'deployment', 'api', '-n', 'shop', '--image=nginx:1.27', '--port=80', '--replicas=2']), 'deployment.apps/api created\n');
    assert.equal(
      await k.ok(['get', 'deploy', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.replicas} {.spec.selector.matchLabels.app} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}']),
      '2 api nginx:1.27 80',
    );
    assert.equal(await k.ok(['expose', 'deployment', 'api', '-n', 'shop', '--port=8080', '--target-port=80']), 'service/api exposed\n');
    assert.equal(await k.ok(['get', 'svc', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.ports[0].port}->{.spec.ports[0].targetPort} {.spec.selector.app}']), '8080->80 api');
    assert.equal(await k.ok(['create', 'service', 'nodeport', 'np', '-n', 'shop', '--tcp=80:8080']), 'service/np created\n');
    assert.match(await k.ok(['get', 'svc', 'np', '-n', 'shop', '-o', 'jsonpath={.spec.type} {.spec.ports[0].nodePort}']), /^NodePort 3\d{4}$/);
    assert.equal(await k.ok(['create', 'job', 'once', '-n', 'shop', '--image=busybox', '--', 'echo', 'hi']), 'job.batch/once created\n');
    assert.equal(await k.ok(['get', 'job', 'once', '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']), '["echo","hi"]');
    assert.equal(await k.ok(['create', 'cronjob', 'tick', '-n', 'shop', '--image=busybox', '--schedule=*/5 * * * *']), 'cronjob.batch/tick created\n');
    assert.equal(await k.ok(['get', 'cronjob', 'tick', '-n', 'shop', '-o', 'jsonpath={.spec.schedule}']), '*/5 * * * *');
    assert.equal(await k.ok(['create', 'pdb', 'api', '-n', 'shop', '--selector=app=api', '--min-available=50%']), 'poddisruptionbudget.policy/api created\n');
    assert.equal(await k.ok(['get', 'pdb', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.minAvailable}']), '50%');
    assert.equal(await k.ok(['autoscale', 'deployment', 'api', '-n', 'shop', '--min=2', '--max=5', '--cpu-percent=60']), 'horizontalpodautoscaler.autoscaling/api autoscaled\n');
    assert.equal(await k.ok(['get', 'hpa', 'api', '-n', 'shop', '-o', 'jsonpath={.spec.minReplicas}-{.spec.maxReplicas} {.spec.scaleTargetRef.name}']), '2-5 api');
    assert.equal(await k.ok(['create', 'ingress', 'web', '-n', 'shop', '--rule=shop.example.com/=api:8080']), 'ingress.networking.k8s.io/web created\n');
    assert.equal(await k.ok(['get', 'ingress', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.rules[0].host} {.spec.rules[0].http.paths[0].backend.service.name}:{.spec.rules[0].http.paths[0].backend.service.port.number}']), 'shop.example.com api:8080');
  });

  test('error cases print what kube-apiserver makes kubectl print', async () => {
    const cases: Array<{ name: string; args: string[]; stdin?: string; stderr: string | RegExp }> = [
      { name: 'unknown kind', args: ['get', 'widgets'], stderr: 'error: the server doesn\'t have a resource type "widgets"\n' },
      { name: 'not found', args: ['get', 'pod', 'ghost', '-n', 'shop'], stderr: 'Error from server (NotFound): pods "ghost" not found\n' },
      { name: 'namespace not found on create', args: ['create', 'configmap', 'x', '-n', 'nowhere'], stderr: 'error: failed to create configmap: namespaces "nowhere" not found\n' },
      { name: 'already exists', args: ['create', 'namespace', 'scratch'], stderr: 'Error from server (AlreadyExists): namespaces "scratch" already exists\n' },
      {
        name: 'unknown field under strict validation',
        args: ['apply', '-f', '-'],
        stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad, namespace: shop}\ndata: {a: b}\nspec: {foo: 1}\n',
        stderr: 'Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"\n',
      },
      {
        name: 'a value of the wrong JSON type',
        args: ['apply', '-f', '-'],
        stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: typed, namespace: shop}\nspec:\n  containers:\n  - {name: c, image: x, env: [{name: A, value: 5}]}\n',
        stderr:
          'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string\n',
      },
      {
        name: 'protected namespace',
        args: ['delete', 'namespace', 'default'],
        stderr: 'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n',
      },
    ];
    for (const c of cases) {
      const r = await k.run(c.args, c.stdin === undefined ? {} : { stdin: c.stdin });
      assert.notEqual(r.code, 0, c.name);
      if (typeof c.stderr === 'string') assert.equal(r.stderr, c.stderr, c.name);
      else assert.match(r.stderr, c.stderr, c.name);
    }
  });

  test('conflict: replace with a stale resourceVersion', async () => {
    const stale = await k.ok(['get', 'cm', 'cfg', '-n', 'shop', '-o', 'json']);
    await k.ok(['label', 'cm', 'cfg', '-n', 'shop', 'bump=1']);
    const r = await k.run(['replace', '-f', '-'], { stdin: stale });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again\n',
    );
  });

  test('get -w streams changes', async () => {
    const child = spawn(binary, ['--kubeconfig', srv.kubeconfig, 'get', 'cm', '-n', 'shop', '-w', '-o', 'name'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      await waitFor(() => out.includes('configmap/cfg'));
      await k.ok(['create', 'configmap', 'watched', '-n', 'shop', '--from-literal=x=y']);
      await waitFor(() => out.includes('configmap/watched'));
    } finally {
      child.kill();
    }
  });

  test('get -w in table form prints the header once, then a row per change (--watch-only: the first event carries the columns)', async () => {
    for (const watchOnly of [false, true]) {
      const name = watchOnly ? 'tw-only' : 'tw';
      const child = spawn(binary, ['--kubeconfig', srv.kubeconfig, 'get', 'cm', '-l', `tw=${name}`, '-n', 'shop', watchOnly ? '--watch-only' : '-w'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      try {
        await new Promise((r) => setTimeout(r, 500));
        await k.ok(['apply', '-f', '-'], { stdin: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: shop, labels: {tw: ${name}}}\ndata: {x: v}\n` });
        await waitFor(() => out.split('\n').filter((l) => l.startsWith(`${name} `)).length >= 1);
        await k.ok(['patch', 'cm', name, '-n', 'shop', '-p', '{"data":{"z":"w"}}']);
        await waitFor(() => out.split('\n').filter((l) => l.startsWith(`${name} `)).length >= 2);
      } finally {
        child.kill();
        await k.ok(['delete', 'cm', name, '-n', 'shop']);
      }
      const lines = out.split('\n').filter(Boolean);
      assert.equal(err.replace(/^No resources found.*\n/m, ''), '', name);
      assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' ')), ['NAME DATA', `${name} 1`, `${name} 2`], name);
    }
  });

  test('delete: background, orphan and foreground leave the right finalizers; pods delete gracefully once bound', async () => {
    await k.ok(['create', 'configmap', 'gone', '-n', 'shop']);
    assert.equal(await k.ok(['delete', 'cm', 'gone', '-n', 'shop']), 'configmap "gone" deleted\n');
    assert.equal((await k.run(['get', 'cm', 'gone', '-n', 'shop'])).code, 1);
    assert.equal(await k.ok(['delete', 'deploy', 'web', '-n', 'shop', '--cascade=orphan', '--wait=false']), 'deployment.apps "web" deleted\n');
    assert.equal(await k.ok(['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.metadata.finalizers}']), '["orphan"]');
    await k.ok(['create', 'configmap', 'fg', '-n', 'shop']);
    await k.ok(['patch', 'cm', 'fg', '-n', 'shop', '-p', '{"metadata":{"finalizers":["example.com/hold"]}}']);
    assert.equal(await k.ok(['delete', 'cm', 'fg', '-n', 'shop', '--cascade=foreground', '--wait=false']), 'configmap "fg" deleted\n');
    assert.match(await k.ok(['get', 'cm', 'fg', '-n', 'shop', '-o', 'jsonpath={.metadata.deletionTimestamp} {.metadata.finalizers}']), /^\d{4}-\d\d-\d\dT\S+Z \["example.com\/hold","foregroundDeletion"\]$/);
    // Removing the last finalizer completes the deletion.
    await k.ok(['patch', 'cm', 'fg', '-n', 'shop', '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
    assert.equal((await k.run(['get', 'cm', 'fg', '-n', 'shop'])).code, 1);

    // An unscheduled pod goes at once; a bound pod waits for its kubelet (grace 0).
    const pod = (name: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  containers: [{name: c, image: busybox}]\n`;
    await k.ok(['apply', '-f', '-'], { stdin: pod('loose') });
    assert.equal(await k.ok(['delete', 'pod', 'loose', '-n', 'shop']), 'pod "loose" deleted\n');
    await k.ok(['apply', '-f', '-'], { stdin: pod('bound') });
    const bind = await fetch(`${srv.url}/api/v1/namespaces/shop/pods/bound/binding`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound' }, target: { kind: 'Node', name: 'node-1' } }),
    });
    assert.equal(bind.status, 201);
    assert.equal(await k.ok(['get', 'pod', 'bound', '-n', 'shop', '-o', 'jsonpath={.spec.nodeName}']), 'node-1');
    assert.equal(await k.ok(['delete', 'pod', 'bound', '-n', 'shop', '--grace-period=30', '--wait=false']), 'pod "bound" deleted\n');
    assert.equal(await k.ok(['get', 'pod', 'bound', '-n', 'shop', '-o', 'jsonpath={.metadata.deletionGracePeriodSeconds}']), '30');
    assert.equal(await k.ok(['delete', 'pod', 'bound', '-n', 'shop', '--grace-period=0', '--force']).then((s) => s.trim().split('\n').pop()), 'pod "bound" force deleted');
    assert.equal((await k.run(['get', 'pod', 'bound', '-n', 'shop'])).code, 1);
  });

  test('kubectl get works for every listable built-in resource', async () => {
    for (const r of builtinResources) {
      if (!r.verbs.includes('list')) continue;
      const name = r.group ? `${r.resource}.${r.version}.${r.group}` : r.resource;
      const out = await k.run(['get', name, '-A']);
      assert.equal(out.code, 0, `kubectl get ${name}: ${out.stderr}`);
      assert.ok(out.stdout === '' || /^NAMESPACE\s+NAME\s|^NAME\s/.test(out.stdout), `${name} prints a table`);
    }
  });

  test('explain reads the served OpenAPI', async () => {
    const out = await k.ok(['explain', 'pods.spec.restartPolicy']);
    assert.match(out, /^KIND:\s+Pod$/m);
    assert.match(out, /^FIELD:\s+restartPolicy <string>$/m);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
