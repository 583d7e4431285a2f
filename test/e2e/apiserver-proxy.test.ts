/**
 * End-to-end: `kubectl logs` and `kubectl exec` through the apiserver's pods/log and pods/exec
 * proxy to a real kubelet (process runtime) registered against it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { RestClient } from '../../src/client/rest/client.js';
import { Kubelet } from '../../src/kubelet/index.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';
import { until } from './helpers/wait.js';

describe('pods/log and pods/exec through the apiserver', { skip: kubectlPath() === undefined && 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;
  let dir: string;
  const ac = new AbortController();
  let running: Promise<void> | undefined;

  before(async () => {
    srv = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
    k = new Kubectl(srv.kubeconfig);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-proxy-'));
    const kubelet = new Kubelet({ client: new RestClient({ host: srv.url, qps: Infinity }), nodeName: 'node-1', nodeIP: '127.0.0.1', rootDir: join(dir, 'root'), containerRuntime: 'process', port: 0, log: () => {} });
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    running = kubelet.run(ac.signal, ready);
    await isReady;
  });
  after(async () => {
    ac.abort();
    await running?.catch(() => {});
    await srv?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('logs and exec reach the container', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: {name: talker}
spec:
  nodeName: node-1
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo line1; echo line2; sleep 60"]
`;
    await k.ok(['apply', '-f', '-'], { stdin: pod });
    await k.ok(['wait', '--for=condition=Ready', 'pod/talker', '--timeout=30s']);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('line2'); i++) {
      logs = (await k.run(['logs', 'talker'])).stdout;
      if (!logs.includes('line2')) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'line1\nline2\n');
    assert.equal(await k.ok(['logs', 'talker', '--tail=1']), 'line2\n');
    assert.equal(await k.ok(['exec', 'talker', '--', 'echo', 'from-exec']), 'from-exec\n');
    const bad = await k.run(['logs', 'talker', '-c', 'nope']);
    assert.equal(bad.stderr, 'error: container nope is not valid for pod talker\n');
    await k.ok(['delete', 'pod', 'talker', '--wait=false']);
    // The kubelet tears the pod down after the delete answers: wait until its sandbox record is
    // gone, or the teardown would write into the test's directory after it was removed.
    const sandboxes = join(dir, 'root', 'runtime', 'process', 'sandboxes');
    await until('talker torn down', async () => (!existsSync(sandboxes) || readdirSync(sandboxes).length === 0 ? true : undefined), 20_000);
  });
});
