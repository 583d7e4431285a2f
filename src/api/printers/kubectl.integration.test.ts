/**
 * Real kubectl as the judge: a minimal HTTP server answers discovery and serves printTable's
 * output as a meta.k8s.io/v1 Table, and `kubectl get` (with and without `-o wide`) must render
 * the columns and cells users expect. Skipped when kubectl is not on PATH.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { KubeObject } from '../types.js';
import { printCustomResourceTable, printTable } from './index.js';

const run = promisify(execFile);
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

const NOW = new Date();
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

interface Resource {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  items: KubeObject[];
  /** crd marks a custom resource printed from these printer columns. */
  crd?: Parameters<typeof printCustomResourceTable>[0];
}

const resources: Resource[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    namespaced: true,
    items: [
      {
        metadata: { name: 'web-1', namespace: 'default', creationTimestamp: ago(3600) },
        spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx' }] },
        status: {
          phase: 'Running',
          podIPs: [{ ip: '10.244.0.5' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { exitCode: 1, finishedAt: ago(150) } } }],
        },
      },
      {
        metadata: { name: 'done', namespace: 'default', creationTimestamp: ago(7200) },
        spec: { containers: [{ name: 'a', image: 'x' }] },
        status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
      },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    namespaced: true,
    items: [
      {
        metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(600) },
        spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] },
      },
    ],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
    items: [
      {
        metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(600) },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
        status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
      },
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    namespaced: true,
    items: [
      {
        metadata: { name: 'web-1.17f', namespace: 'default', creationTimestamp: ago(600) },
        involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default' },
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        source: { component: 'kubelet', host: 'node-a' },
        firstTimestamp: ago(600),
        lastTimestamp: ago(30),
        count: 12,
        type: 'Warning',
      },
    ],
  },
  {
    group: 'example.com',
    version: 'v1',
    kind: 'Widget',
    plural: 'widgets',
    namespaced: true,
    crd: [
      { name: 'Color', type: 'string', jsonPath: '.spec.color' },
      { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
      { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ],
    items: [{ metadata: { name: 'w1', namespace: 'default', creationTimestamp: ago(120) }, spec: { color: 'blue', size: 3 } }],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    plural: 'roles',
    namespaced: true,
    items: [{ metadata: { name: 'reader', namespace: 'default', creationTimestamp: '2025-05-31T08:09:10Z' } }],
  },
];

function serve(): http.Server {
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))];
    if (url.pathname === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (url.pathname === '/apis') {
      return send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
      });
    }
    for (const gv of ['/api/v1', ...groups.map((g) => `/apis/${g}/v1`)]) {
      if (url.pathname === gv) {
        const group = gv === '/api/v1' ? '' : gv.split('/')[2];
        return send(200, {
          kind: 'APIResourceList',
          groupVersion: group ? `${group}/v1` : 'v1',
          resources: resources.filter((r) => r.group === group).map((r) => ({ name: r.plural, singularName: r.kind.toLowerCase(), namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'list'] })),
        });
      }
    }
    for (const r of resources) {
      const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
      if (url.pathname === `${base}/namespaces/default/${r.plural}`) {
        assert.match(req.headers.accept ?? '', /as=Table/);
        const t = r.crd ? printCustomResourceTable(r.crd, r.items, NOW) : printTable({ group: r.group, version: r.version, kind: r.kind }, r.items, NOW);
        return send(200, {
          kind: 'Table',
          apiVersion: 'meta.k8s.io/v1',
          metadata: { resourceVersion: '1' },
          columnDefinitions: t.columnDefinitions,
          rows: t.rows.map((row, i) => ({ ...row, object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: r.items[i]!.metadata } })),
        });
      }
    }
    send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  });
}

describe('kubectl renders printTable output', { skip: !hasKubectl && 'kubectl not on PATH' }, () => {
  let server: http.Server;
  let url = '';
  before(async () => {
    server = serve();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const kubectl = async (...args: string[]): Promise<string[]> => {
    const { stdout } = await run('kubectl', ['--server', url, '-n', 'default', ...args], { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 20_000 });
    return stdout.trimEnd().split('\n').map((l) => l.trimEnd().split(/\s{2,}/).join(' | '));
  };

  it('pods', async () => {
    assert.deepEqual(await kubectl('get', 'pods'), ['NAME | READY | STATUS | RESTARTS | AGE', 'web-1 | 1/1 | Running | 3 (2m30s ago) | 60m', 'done | 0/1 | Completed | 0 | 120m']);
  });

  it('pods -o wide', async () => {
    assert.deepEqual(await kubectl('get', 'pods', '-o', 'wide'), [
      'NAME | READY | STATUS | RESTARTS | AGE | IP | NODE | NOMINATED NODE | READINESS GATES',
      'web-1 | 1/1 | Running | 3 (2m30s ago) | 60m | 10.244.0.5 | node-a | <none> | <none>',
      'done | 0/1 | Completed | 0 | 120m | <none> | <none> | <none> | <none>',
    ]);
  });

  it('services', async () => {
    assert.deepEqual(await kubectl('get', 'services', '-o', 'wide'), ['NAME | TYPE | CLUSTER-IP | EXTERNAL-IP | PORT(S) | AGE | SELECTOR', 'web | NodePort | 10.96.0.20 | <none> | 80:30080/TCP | 10m | app=web']);
  });

  it('deployments', async () => {
    assert.deepEqual(await kubectl('get', 'deployments'), ['NAME | READY | UP-TO-DATE | AVAILABLE | AGE', 'web | 2/3 | 3 | 2 | 10m']);
  });

  it('events', async () => {
    assert.deepEqual(await kubectl('get', 'events'), ['LAST SEEN | TYPE | REASON | OBJECT | MESSAGE', '30s | Warning | BackOff | pod/web-1 | Back-off restarting failed container']);
  });

  it('custom resources from printer columns (a missing cell prints empty)', async () => {
    const [header, row] = await kubectl('get', 'widgets');
    assert.equal(header, 'NAME | COLOR | SIZE | READY | AGE');
    // The null READY cell is blank, so its padding merges with the next column's.
    assert.equal(row, 'w1 | blue | 3 | 2m');
  });

  it('roles use the default table', async () => {
    assert.deepEqual(await kubectl('get', 'roles'), ['NAME | CREATED AT', 'reader | 2025-05-31T08:09:10Z']);
  });
});
