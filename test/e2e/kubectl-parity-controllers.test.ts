/**
 * Parity with controllers running: two apiservers, each with a controller-manager and a pod
 * readier, one driven by the real kubectl and one by `k8ts kubectl`. Covers what needs
 * ReplicaSets and rollouts: rollout status/history/undo, ReplicaSet tables, describe of
 * deployments, ReplicaSets and controlled pods. Events are left out of describe
 * (--show-events=false): their timing differs between two clusters. Prints
 * `parity (controllers): N/M identical`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { RestClient, loadRestConfig } from '../../src/client/index.js';
import { spawnControllerManager, startPodReadier, waitFor, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { kubectlPath, runCommand } from './helpers/kubectl.js';

const cli = join(import.meta.dirname, '..', '..', 'src', 'kubectl', 'cli.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], kubeconfig: string): Promise<Result> {
  return runCommand(cmd, args, { env: { KUBECONFIG: kubeconfig } });
}

function mask(s: string, srv: TestApiServer): string {
  return s
    .replaceAll(srv.url, 'SERVER')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIMESTAMP')
    .replace(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}/g, 'DATE')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID')
    .replace(/\b(web-[a-z0-9]{6,10})-[a-z0-9]{5}\b/g, '$1-POD')
    .replace(/\b(10\.42|10\.43)\.\d+\.\d+\b/g, 'IP')
    .replace(/(?<=\s|^)\d+(s|m|h|d|y)(\d+(s|m|h))?(?=\s|$)/gm, 'AGE')
    .replace(/(\S) {2,}/g, '$1  ');
}

interface Cluster {
  srv: TestApiServer;
  client: RestClient;
  cm: ChildProcessHandle;
  readier: { stop(): Promise<void> };
}

const binary = kubectlPath();

describe('k8ts kubectl parity with controllers running', { skip: binary ? false : 'kubectl not installed' }, () => {
  let a: Cluster;
  let b: Cluster;
  const start = async (): Promise<Cluster> => {
    const srv = await startTestApiServer({ advertiseAddress: '192.0.2.1' });
    const client = new RestClient({ ...loadRestConfig({ kubeconfig: srv.kubeconfig }), qps: Infinity });
    const readier = startPodReadier(client);
    const cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false']);
    return { srv, client, cm, readier };
  };
  before(async () => {
    [a, b] = await Promise.all([start(), start()]);
  });
  after(async () => {
    for (const c of [a, b]) {
      await c?.cm.kill();
      await c?.readier.stop();
      await c?.srv.stop();
    }
  });

  /** settled waits until the deployment's rollout finished and only its new pods remain. */
  const settled = (c: Cluster, name: string): Promise<unknown> =>
    waitFor(
      `deployment ${name} settled`,
      async () => {
        const d = await c.client.requestJSON<{ metadata: { generation: number }; spec: { replicas: number }; status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/default/deployments/${name}` });
        const s = d.status ?? {};
        if ((s.observedGeneration ?? 0) < d.metadata.generation) return false;
        if ((s.updatedReplicas ?? 0) !== d.spec.replicas || (s.replicas ?? 0) !== d.spec.replicas || (s.availableReplicas ?? 0) !== d.spec.replicas) return false;
        const pods = await c.client.requestJSON<{ items: unknown[] }>({ method: 'GET', path: '/api/v1/namespaces/default/pods', query: { labelSelector: `app=${name}` } });
        return pods.items.length === d.spec.replicas;
      },
      30_000,
    );

  /** revisionSettled waits until the deployment carries `revision` (the controller renumbers after an annotate). */
  const revisionSettled = (c: Cluster, name: string, revision: string): Promise<unknown> =>
    waitFor(
      `deployment ${name} at revision ${revision}`,
      async () => {
        const d = await c.client.requestJSON<{ metadata: { annotations?: Record<string, string> } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/default/deployments/${name}` });
        return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision;
      },
      30_000,
    );

  type Step = { name: string; args: string[] } | { wait: string } | { waitRevision: string; revision: string };
  const steps: Step[] = [
    { name: 'create deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=1'] },
    { wait: 'web' },
    { name: 'rollout status', args: ['rollout', 'status', 'deployment/web', '--timeout=30s'] },
    { name: 'get rs -o wide', args: ['get', 'rs', '-o', 'wide'] },
    { name: 'get pods', args: ['get', 'pods', '-l', 'app=web'] },
    { name: 'set image', args: ['set', 'image', 'deployment/web', 'nginx=nginx:1.28'] },
    { wait: 'web' },
    { name: 'rollout status after update', args: ['rollout', 'status', 'deployment/web', '--timeout=30s'] },
    { name: 'rollout history', args: ['rollout', 'history', 'deployment/web'] },
    { name: 'describe deployment with ReplicaSets', args: ['describe', 'deployment', 'web', '--show-events=false'] },
    { name: 'describe replicasets', args: ['describe', 'rs', '--show-events=false'] },
    { name: 'describe controlled pod', args: ['describe', 'pods', '-l', 'app=web', '--show-events=false'] },
    { name: 'get all', args: ['get', 'all'] },
    { name: 'rollout undo', args: ['rollout', 'undo', 'deployment/web'] },
    { wait: 'web' },
    { name: 'rollout history after undo', args: ['rollout', 'history', 'deployment/web'] },
    { name: 'get deploy -o wide after undo', args: ['get', 'deploy', '-o', 'wide'] },
    { name: 'scale to zero', args: ['scale', 'deployment/web', '--replicas=0'] },
    { wait: 'web' },
    { name: 'get rs after scale', args: ['get', 'rs'] },
    // Revisions are int64: past 2^53 a JavaScript number would print 3546343826724306000.
    { name: 'annotate int64 revisions', args: ['annotate', 'rs', '-l', 'app=web', '--overwrite', 'deployment.kubernetes.io/revision=3546343826724305832'] },
    { waitRevision: 'web', revision: '3546343826724305833' },
    { name: 'rollout history with int64 revisions', args: ['rollout', 'history', 'deployment/web'] },
  ];

  test('rollouts and controller-owned objects print what kubectl prints', async () => {
    const differences: string[] = [];
    let identical = 0;
    let total = 0;
    for (const s of steps) {
      if ('wait' in s) {
        await Promise.all([settled(a, s.wait), settled(b, s.wait)]);
        continue;
      }
      if ('waitRevision' in s) {
        await Promise.all([revisionSettled(a, s.waitRevision, s.revision), revisionSettled(b, s.waitRevision, s.revision)]);
        continue;
      }
      total++;
      const [ra, rb] = await Promise.all([run(binary!, s.args, a.srv.kubeconfig), run(process.execPath, [cli, ...s.args], b.srv.kubeconfig)]);
      const na = { code: ra.code, stdout: mask(ra.stdout, a.srv), stderr: mask(ra.stderr, a.srv) };
      const nb = { code: rb.code, stdout: mask(rb.stdout, b.srv), stderr: mask(rb.stderr, b.srv) };
      if (na.code === nb.code && na.stdout === nb.stdout && na.stderr === nb.stderr) identical++;
      else differences.push(`--- ${s.name}: kubectl ${s.args.join(' ')}\n[kubectl] code=${na.code}\n${na.stdout}${na.stderr}\n[k8ts] code=${nb.code}\n${nb.stdout}${nb.stderr}`);
    }
    console.log(`parity (controllers): ${identical}/${total} identical`);
    assert.deepEqual(differences, [], differences.join('\n'));
  });
});
