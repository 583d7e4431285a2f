/**
 * End-to-end: `k8ts kubelet` (process runtime) as a separate process against a k8ts apiserver,
 * driven with the real kubectl: a pod with a readiness probe becomes Ready only once it serves,
 * ConfigMap volumes and Secret env reach the process, a liveness failure restarts the container
 * into CrashLoopBackOff, a SIGKILLed kubelet's successor adopts the running process without
 * duplicating it, and deleting the pod stops the process within the grace period.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { freePort, killGroupsUnder, pidsUnder, startKubeletProcess, until, stopChild } from './helpers/wait.js';


if (!kubectlPath()) test('kubelet e2e', { skip: 'kubectl not installed' }, () => {});
else {
  let srv: TestApiServer;
  let k: Kubectl;
  let dir: string;
  let kubelet: ChildProcess | undefined;

  const startKubelet = (): Promise<ChildProcess> => startKubeletProcess({ kubeconfig: srv.kubeconfig, nodeName: 'e2e-node', rootDir: join(dir, 'root') });

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
    k = new Kubectl(srv.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-kubelet-e2e-'));
    kubelet = await startKubelet();
  });

  after(async () => {
    await k?.run(['delete', 'pods', '--all', '--wait=true']).catch(() => undefined);
    await stopChild(kubelet);
    await srv?.stop();
    // Whatever a failed run left behind: the container shims of this test's root dir, by pid.
    killGroupsUnder(join(dir, 'root'));
    rmSync(dir, { recursive: true, force: true });
  });

  test('kubelet e2e with kubectl: node, readiness, config, liveness, adoption after SIGKILL, deletion', async () => {
    const nodes = await until('node Ready', async () => {
      const r = await k.run(['get', 'nodes', '--no-headers']);
      return /e2e-node\s+Ready/.test(r.stdout) ? r.stdout : undefined;
    });
    assert.match(nodes, /v1\.32\.0\+k8ts/);

    const port = await freePort();
    const manifest = `apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {index.html: "hello from a configmap\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: web-secret}
stringData: {token: s3cr3t}
---
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: e2e-node
  terminationGracePeriodSeconds: 3
  containers:
  - name: web
    image: python:3
    command: ["sh", "-c", "mkdir -p www && cp html/index.html www/ && echo \\"$TOKEN\\" > www/token && sleep 3 && exec python3 -m http.server ${port} --bind 127.0.0.1 --directory www"]
    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: web-secret, key: token}}
    volumeMounts:
    - {name: html, mountPath: /html}
    readinessProbe:
      httpGet: {path: /, port: ${port}}
      periodSeconds: 1
  volumes:
  - name: html
    configMap: {name: web-config}
`;
    assert.equal((await k.run(['apply', '-f', '-'], { stdin: manifest })).code, 0);
    await until('web Running but not Ready', async () => {
      const r = await k.run(['get', 'pod', 'web', '--no-headers']);
      return /web\s+0\/1\s+Running/.test(r.stdout) ? true : undefined;
    });
    await until('web Ready', async () => {
      const r = await k.run(['get', 'pod', 'web', '--no-headers']);
      return /web\s+1\/1\s+Running\s+0/.test(r.stdout) ? true : undefined;
    });
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), 'hello from a configmap\n');
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/token`)).text(), 's3cr3t\n');

    const crash = `apiVersion: v1
kind: Pod
metadata: {name: crash}
spec:
  nodeName: e2e-node
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "touch healthy; sleep 1; rm healthy; sleep 600.${port}"]
    livenessProbe:
      exec: {command: ["test", "-e", "healthy"]}
      periodSeconds: 1
      failureThreshold: 1
`;
    assert.equal((await k.run(['apply', '-f', '-'], { stdin: crash })).code, 0);
    await until('CrashLoopBackOff', async () => {
      const r = await k.run(['get', 'pod', 'crash', '--no-headers']);
      return /crash\s+0\/1\s+CrashLoopBackOff\s+[1-9]/.test(r.stdout) ? true : undefined;
    });
    const ev = await k.run(['get', 'events', '--field-selector', 'involvedObject.name=crash']);
    assert.match(ev.stdout, /Container app failed liveness probe, will be restarted/);
    assert.match(ev.stdout, /Back-off restarting failed container app/);

    // SIGKILL the kubelet: the server keeps serving; a new kubelet adopts it.
    const before = pidsUnder(`http.server ${port}`);
    assert.equal(before.length, 2, 'shim and python');
    const idBefore = (await k.run(['get', 'pod', 'web', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'])).stdout;
    kubelet!.kill('SIGKILL');
    await new Promise((r) => kubelet!.once('exit', r));
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 200);
    kubelet = await startKubelet();
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(pidsUnder(`http.server ${port}`).sort(), before.sort(), 'adopted, never duplicated');
    const after = await k.run(['get', 'pod', 'web', '--no-headers', '-o', 'custom-columns=ID:.status.containerStatuses[0].containerID,R:.status.containerStatuses[0].restartCount,READY:.status.containerStatuses[0].ready']);
    assert.match(after.stdout, new RegExp(`^${idBefore}\\s+0\\s+true`));

    const t0 = Date.now();
    const del = await k.run(['delete', 'pod', 'web', 'crash']);
    assert.equal(del.code, 0, del.stderr);
    assert.ok(Date.now() - t0 < 6000, 'deleted within the grace period');
    assert.deepEqual(pidsUnder(`http.server ${port}`), []);
    // This test's own sleep (its port in the duration): other suites run `sleep 600` meanwhile.
    assert.deepEqual(pidsUnder(`sleep 600.${port}`), []);
  });
}
