/**
 * Real kubectl as the judge of server-side printing: objects in the states that have their own
 * wording upstream (init containers crashing, sidecars, Terminating, NodeLost, load balancers,
 * truncated endpoints, default storage classes, ...) are written to a fresh apiserver (no
 * controllers, so they stay as written), and `kubectl get` (-o wide where it adds columns) must
 * show the cells kube-apiserver's printers (pkg/printers/internalversion) produce for them.
 *
 * Output is read column by column from the header's offsets (kubectl aligns with a tabwriter),
 * so empty cells and cells with spaces compare exactly. Ages of just-created objects are masked
 * as AGE; every other time is set relative to the test's start and prints deterministically.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { Kubectl, kubectlPath } from './helpers/kubectl.js';

const binary = kubectlPath();
const T0 = Date.now();
/** ago is an RFC 3339 time that many seconds before the test started. */
const ago = (seconds: number): string => new Date(T0 - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const MIN = 60;
const DAY = 86400;

/** parseTable splits kubectl's table output into cells at the header's column offsets. */
function parseTable(out: string): { header: string[]; rows: string[][] } {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const head = lines[0] ?? '';
  const starts: number[] = [];
  const header: string[] = [];
  for (const m of head.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    header.push(m[0]);
  }
  const rows = lines.slice(1).map((l) => starts.map((s, i) => l.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).trim()));
  return { header, rows };
}

/** maskAge replaces the age of an object created during the test (a few seconds) with AGE. */
const maskAge = (cell: string): string => (/^\d+s$/.test(cell) ? 'AGE' : cell);

const status = (s: Record<string, unknown>) => JSON.stringify({ status: s });
const runningSince = { running: { startedAt: ago(20 * MIN) } };
const restarted = { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(11 * MIN), finishedAt: ago(10 * MIN) } };
const cs = (name: string, s: Record<string, unknown>) => ({ name, image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false, ...s });

const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...meta },
  spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
});

/** OBJECTS are created with `kubectl create`; STATUS then patches their status subresource. */
const OBJECTS: object[] = [
  {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } },
    spec: { unschedulable: true },
  },
  pod('p-running', { nodeName: 'node-a', readinessGates: [{ conditionType: 'example.com/gate' }] }),
  pod('p-init-crash', { nodeName: 'node-a', initContainers: [{ name: 'init', image: 'busybox' }] }),
  pod('p-init-progress', { nodeName: 'node-a', initContainers: [{ name: 'one', image: 'busybox' }, { name: 'two', image: 'busybox' }] }),
  pod('p-pod-initializing', { nodeName: 'node-a', initContainers: [{ name: 'init', image: 'busybox' }] }),
  pod('p-creating', { nodeName: 'node-a' }),
  pod('p-completed', { nodeName: 'node-a', restartPolicy: 'Never' }),
  pod('p-error', { nodeName: 'node-a', restartPolicy: 'Never' }),
  pod('p-signal', { nodeName: 'node-a', restartPolicy: 'Never' }),
  pod('p-crash', { nodeName: 'node-a' }),
  pod('p-sidecar', { nodeName: 'node-a', initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] }),
  pod('p-gated', { schedulingGates: [{ name: 'example.com/wait' }] }),
  pod('p-terminating', { nodeName: 'node-a' }, { finalizers: ['example.com/hold'] }),
  pod('p-nodelost', { nodeName: 'node-a' }, { finalizers: ['example.com/hold'] }),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc-lb' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.43.200.10',
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'https', port: 443, nodePort: 30443 },
      ],
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-pending' }, spec: { type: 'LoadBalancer', clusterIP: '10.43.200.11', ports: [{ port: 53, protocol: 'UDP', nodePort: 30053 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-headless' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc-external-ips' },
    spec: { clusterIP: '10.43.200.12', externalIPs: ['198.51.100.7'], ports: [{ port: 8080, targetPort: 80 }] },
  },
  {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'ep-many' },
    subsets: [{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.42.0.${i}` })), ports: [{ port: 8080 }] }],
  },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ep-none' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } },
    },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly' },
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'Etc/UTC',
      suspend: true,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox' }] } } } },
    },
  },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  },
  {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'local', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'rancher.io/local-path',
    volumeBindingMode: 'WaitForFirstConsumer',
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'ing' },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: ['a.example.com'] }],
      rules: ['a', 'b', 'c', 'd'].map((h) => ({ host: `${h}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc-lb', port: { number: 80 } } } }] } })),
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'p-running.1' },
    involvedObject: { kind: 'Pod', name: 'p-running', namespace: 'default', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container app  ',
    source: { component: 'kubelet', host: 'node-a' },
    firstTimestamp: ago(3 * DAY),
    lastTimestamp: ago(2 * DAY),
    count: 4,
    type: 'Warning',
  },
  {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: 'agent-7f', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: '00000000-0000-0000-0000-000000000001', controller: true }] },
    data: { spec: {} },
    revision: 2,
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web' },
    spec: { maxUnavailable: '25%', selector: { matchLabels: { app: 'web' } } },
  },
];

/** STATUS patches each object's status subresource (type, name, status). */
const STATUS: [string, string, string][] = [
  [
    'node',
    'node-a',
    status({
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: ago(10), lastTransitionTime: ago(DAY) }],
      addresses: [
        { type: 'InternalIP', address: '192.168.1.10' },
        { type: 'Hostname', address: 'node-a' },
      ],
      nodeInfo: {
        machineID: 'm',
        systemUUID: 's',
        bootID: 'b',
        kernelVersion: '6.8.0-45-generic',
        osImage: 'Ubuntu 24.04.1 LTS',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    }),
  ],
  [
    'pod',
    'p-running',
    status({
      phase: 'Running',
      podIP: '10.42.0.7',
      podIPs: [{ ip: '10.42.0.7' }],
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'example.com/gate', status: 'False' },
      ],
      containerStatuses: [cs('app', { ready: true, started: true, restartCount: 3, state: runningSince, lastState: restarted })],
    }),
  ],
  [
    'pod',
    'p-init-crash',
    status({
      phase: 'Pending',
      initContainerStatuses: [cs('init', { restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off' } }, lastState: restarted })],
      containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
    }),
  ],
  [
    'pod',
    'p-init-progress',
    status({
      phase: 'Pending',
      initContainerStatuses: [
        cs('one', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(MIN), finishedAt: ago(30) } } }),
        cs('two', { started: true, state: runningSince }),
      ],
      containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
    }),
  ],
  [
    'pod',
    'p-pod-initializing',
    status({
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [cs('init', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(MIN), finishedAt: ago(30) } } })],
      containerStatuses: [cs('app', { state: { waiting: { reason: 'PodInitializing' } } })],
    }),
  ],
  ['pod', 'p-creating', status({ phase: 'Pending', containerStatuses: [cs('app', { state: { waiting: { reason: 'ContainerCreating' } } })] })],
  ['pod', 'p-completed', status({ phase: 'Succeeded', containerStatuses: [cs('app', { state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: ago(MIN), finishedAt: ago(30) } } })] })],
  ['pod', 'p-error', status({ phase: 'Failed', containerStatuses: [cs('app', { state: { terminated: { exitCode: 2, reason: 'Error', startedAt: ago(MIN), finishedAt: ago(30) } } })] })],
  ['pod', 'p-signal', status({ phase: 'Failed', containerStatuses: [cs('app', { state: { terminated: { exitCode: 137, signal: 9, startedAt: ago(MIN), finishedAt: ago(30) } } })] })],
  ['pod', 'p-crash', status({ phase: 'Running', containerStatuses: [cs('app', { restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: restarted })] })],
  [
    'pod',
    'p-sidecar',
    status({
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'True' },
      ],
      initContainerStatuses: [cs('proxy', { ready: true, started: true, restartCount: 1, state: runningSince, lastState: restarted })],
      containerStatuses: [cs('app', { ready: true, started: true, state: runningSince })],
    }),
  ],
  ['pod', 'p-terminating', status({ phase: 'Running', containerStatuses: [cs('app', { ready: true, started: true, state: runningSince })] })],
  ['pod', 'p-nodelost', status({ phase: 'Running', reason: 'NodeLost', containerStatuses: [cs('app', { ready: true, started: true, state: runningSince })] })],
  [
    'service',
    'svc-lb',
    status({
      loadBalancer: {
        ingress: [
          { ip: '203.0.113.10', ipMode: 'VIP' },
          { hostname: 'lb.example.com' },
        ],
      },
    }),
  ],
  ['deployment', 'web', status({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1 })],
  ['cronjob', 'nightly', status({ lastScheduleTime: ago(15 * MIN) })],
  [
    'hpa',
    'web',
    status({
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 23, averageValue: '115m' } } }],
    }),
  ],
  ['ingress', 'ing', status({ loadBalancer: { ingress: [{ ip: '10.0.0.9' }, { hostname: 'ing.example.com' }] } })],
  ['pdb', 'web', status({ disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, observedGeneration: 1 })],
];

interface Get {
  /** name says which upstream printer function the expectation follows. */
  name: string;
  args: string[];
  header: string[];
  rows: string[][];
}

const POD_WIDE = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'];
const podRow = (name: string, ready: string, statusCell: string, restarts: string, ip = '<none>', node = 'node-a', gates = '<none>'): string[] => [
  name,
  ready,
  statusCell,
  restarts,
  'AGE',
  ip,
  node,
  '<none>',
  gates,
];

const GETS: Get[] = [
  {
    name: 'printPod: init, sidecar, terminal, gated, Terminating and NodeLost pods (-o wide)',
    args: ['get', 'pods', '-o', 'wide'],
    header: POD_WIDE,
    rows: [
      podRow('p-completed', '0/1', 'Completed', '0'),
      podRow('p-crash', '0/1', 'CrashLoopBackOff', '7 (10m ago)'),
      podRow('p-creating', '0/1', 'ContainerCreating', '0'),
      podRow('p-error', '0/1', 'Error', '0'),
      podRow('p-gated', '0/1', 'SchedulingGated', '0', '<none>', '<none>'),
      podRow('p-init-crash', '0/1', 'Init:CrashLoopBackOff', '4 (10m ago)'),
      podRow('p-init-progress', '0/1', 'Init:1/2', '0'),
      podRow('p-nodelost', '1/1', 'Unknown', '0'),
      podRow('p-pod-initializing', '0/1', 'PodInitializing', '0'),
      podRow('p-running', '1/1', 'Running', '3 (10m ago)', '10.42.0.7', 'node-a', '0/1'),
      podRow('p-sidecar', '2/2', 'Running', '1 (10m ago)'),
      podRow('p-signal', '0/1', 'Signal:9', '0'),
      podRow('p-terminating', '1/1', 'Terminating', '0'),
    ],
  },
  {
    name: 'printNode: Ready,SchedulingDisabled, roles from both labels, wide node info',
    args: ['get', 'nodes', '-o', 'wide'],
    header: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    rows: [['node-a', 'Ready,SchedulingDisabled', 'control-plane,master', 'AGE', 'v1.32.0', '192.168.1.10', '<none>', 'Ubuntu 24.04.1 LTS', '6.8.0-45-generic', 'containerd://1.7.22']],
  },
  {
    name: 'printService: LoadBalancer ingress and <pending>, ExternalName, headless, externalIPs (-o wide)',
    args: ['get', 'services', '-o', 'wide', '--field-selector', 'metadata.name!=kubernetes'],
    header: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR'],
    rows: [
      ['svc-ext', 'ExternalName', '<none>', 'db.example.com', '<none>', 'AGE', '<none>'],
      ['svc-external-ips', 'ClusterIP', '10.43.200.12', '198.51.100.7', '8080/TCP', 'AGE', '<none>'],
      ['svc-headless', 'ClusterIP', 'None', '<none>', '5432/TCP', 'AGE', 'app=db'],
      ['svc-lb', 'LoadBalancer', '10.43.200.10', '203.0.113.10,lb.example.com', '80:30080/TCP,443:30443/TCP', 'AGE', 'app=web'],
      ['svc-pending', 'LoadBalancer', '10.43.200.11', '<pending>', '53:30053/UDP', 'AGE', '<none>'],
    ],
  },
  {
    name: 'printEndpoints: three addresses then + N more..., <none> without subsets',
    args: ['get', 'endpoints', 'ep-many', 'ep-none'],
    header: ['NAME', 'ENDPOINTS', 'AGE'],
    rows: [
      ['ep-many', '10.42.0.1:8080,10.42.0.2:8080,10.42.0.3:8080 + 2 more...', 'AGE'],
      ['ep-none', '<none>', 'AGE'],
    ],
  },
  {
    name: 'printDeployment (-o wide)',
    args: ['get', 'deployments', '-o', 'wide'],
    header: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    rows: [['web', '2/3', '3', '2', 'AGE', 'app,log', 'nginx:1.27,busybox', 'app=web']],
  },
  {
    name: 'printCronJob: timezone, suspended, last schedule',
    args: ['get', 'cronjobs'],
    header: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    rows: [['nightly', '*/5 * * * *', 'Etc/UTC', 'True', '0', '15m', 'AGE']],
  },
  {
    name: 'printHorizontalPodAutoscaler: reference and cpu current/target',
    args: ['get', 'hpa'],
    header: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
    rows: [['web', 'Deployment/web', 'cpu: 23%/50%', '1', '5', '2', 'AGE']],
  },
  {
    name: 'printStorageClass: (default) suffix and defaulted reclaim policy',
    args: ['get', 'storageclasses'],
    header: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    rows: [['local (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', 'false', 'AGE']],
  },
  {
    name: 'printIngress: class, three hosts + 1 more..., address, TLS ports',
    args: ['get', 'ingress'],
    header: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    rows: [['ing', 'nginx', 'a.example.com,b.example.com,c.example.com + 1 more...', '10.0.0.9,ing.example.com', '80, 443', 'AGE']],
  },
  {
    name: 'printEvent: last seen from lastTimestamp, object, trimmed message',
    args: ['get', 'events', '--field-selector', 'involvedObject.name=p-running'],
    header: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    rows: [['2d', 'Warning', 'BackOff', 'pod/p-running', 'Back-off restarting failed container app']],
  },
  {
    name: 'printEvent (-o wide): subobject, source, first seen, count, name',
    args: ['get', 'events', '-o', 'wide', '--field-selector', 'involvedObject.name=p-running'],
    header: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    rows: [['2d', 'Warning', 'BackOff', 'pod/p-running', 'spec.containers{app}', 'kubelet, node-a', 'Back-off restarting failed container app', '3d', '4', 'p-running.1']],
  },
  {
    name: 'printControllerRevision: controller as kind.group/name',
    args: ['get', 'controllerrevisions'],
    header: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    rows: [['agent-7f', 'daemonset.apps/agent', '2', 'AGE']],
  },
  {
    name: 'printPodDisruptionBudget: N/A for the unset bound',
    args: ['get', 'pdb'],
    header: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    rows: [['web', 'N/A', '25%', '1', 'AGE']],
  },
];

describe('kubectl get shows what kube-apiserver prints', { skip: binary ? false : 'kubectl not installed' }, () => {
  let srv: TestApiServer;
  let k: Kubectl;
  before(async () => {
    srv = await startTestApiServer();
    k = new Kubectl(srv.kubeconfig, binary);
    await k.ok(['create', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: OBJECTS }) });
    for (const [type, name, patch] of STATUS) {
      await k.ok(['patch', type, name, '--subresource=status', '--type=merge', '-p', patch]);
    }
    await k.ok(['delete', 'pod', 'p-terminating', 'p-nodelost', '--wait=false']);
  });
  after(async () => {
    await srv?.stop();
  });

  for (const g of GETS) {
    test(g.name, async () => {
      const t = parseTable(await k.ok(g.args));
      assert.deepEqual(t.header, g.header);
      assert.deepEqual(
        t.rows.map((r) => r.map(maskAge)),
        g.rows,
      );
    });
  }

  test('printFlowSchemaList: bootstrap FlowSchemas listed by matching precedence, then name', async () => {
    const t = parseTable(await k.ok(['get', 'flowschemas']));
    assert.deepEqual(t.header, ['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'AGE', 'MISSINGPL']);
    const keyed = t.rows.map((r) => [Number(r[2]), r[0]!] as const);
    const sorted = [...keyed].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    assert.ok(keyed.length > 1, 'bootstrap FlowSchemas exist');
    assert.deepEqual(keyed, sorted);
  });

  test('Table rows mark finished pods Completed, as kube-apiserver (row conditions)', async () => {
    const res = await fetch(`${srv.url}/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dp-completed`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    const table = (await res.json()) as { rows: { cells: unknown[]; conditions?: unknown[] }[] };
    assert.deepEqual(table.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  });
});
