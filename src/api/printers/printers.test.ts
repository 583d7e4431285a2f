import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { columnDefinitions, hasPrinter, printTable } from './index.js';

const NOW = new Date('2025-06-01T12:00:00Z');
/** ago renders a timestamp that many seconds before NOW. */
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');
const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });
const meta = (name: string, ageSeconds = 300, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(ageSeconds), ...extra });

interface Case {
  name: string;
  gvk: GroupVersionKind;
  obj: KubeObject;
  columns: string[];
  cells: unknown[];
}

const POD = gvk('', 'v1', 'Pod');
const POD_COLUMNS = ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'];
const running = { running: { startedAt: ago(290) } };

const podCases: [string, KubeObject, unknown[]][] = [
  [
    'running pod with a restart',
    {
      metadata: meta('web-1', 3600),
      spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx' }] },
      status: {
        phase: 'Running',
        podIP: '10.244.0.5',
        podIPs: [{ ip: '10.244.0.5' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(150) } } }],
      },
    },
    ['web-1', '1/1', 'Running', '3 (2m30s ago)', '60m', '10.244.0.5', 'node-a', '<none>', '<none>'],
  ],
  [
    'pending pod not yet scheduled',
    { metadata: meta('p', 5), spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] }, status: { phase: 'Pending' } },
    ['p', '0/2', 'Pending', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'scheduling gated',
    {
      metadata: meta('gated', 5),
      spec: { containers: [{ name: 'a', image: 'x' }], schedulingGates: [{ name: 'g' }] },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
    },
    ['gated', '0/1', 'SchedulingGated', '0', '5s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'first of two init containers running',
    {
      metadata: meta('init', 20),
      spec: { nodeName: 'n', initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'i1', ready: false, restartCount: 0, state: running },
          { name: 'i2', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } },
        ],
        containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    ['init', '0/1', 'Init:0/2', '0', '20s', '<none>', 'n', '<none>', '<none>'],
  ],
  [
    'init container crash looping',
    {
      metadata: meta('initcrash', 600),
      spec: { initContainers: [{ name: 'i1', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(30) } } }],
      },
    },
    ['initcrash', '0/1', 'Init:CrashLoopBackOff', '4 (30s ago)', '10m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init container failed with exit code',
    {
      metadata: meta('initfail', 600),
      spec: { initContainers: [{ name: 'i1', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Failed', initContainerStatuses: [{ name: 'i1', ready: false, restartCount: 0, state: { terminated: { exitCode: 2 } } }] },
    },
    ['initfail', '0/1', 'Init:ExitCode:2', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'init done, main container initializing',
    {
      metadata: meta('podinit', 12),
      spec: { initContainers: [{ name: 'i1', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'Initialized', status: 'True' }],
        initContainerStatuses: [{ name: 'i1', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    ['podinit', '0/1', 'PodInitializing', '0', '12s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'crash loop back-off',
    {
      metadata: meta('crash', 900),
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: {
        phase: 'Running',
        containerStatuses: [{ name: 'a', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(45) } } }],
      },
    },
    ['crash', '0/1', 'CrashLoopBackOff', '7 (45s ago)', '15m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'completed job pod',
    {
      metadata: meta('done', 7200),
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
    },
    ['done', '0/1', 'Completed', '0', '120m', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'errored pod',
    {
      metadata: meta('err', 60),
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] },
    },
    ['err', '0/1', 'Error', '0', '60s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'killed by signal without reason',
    {
      metadata: meta('sig', 60),
      spec: { containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Failed', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, signal: 9 } } }] },
    },
    ['sig', '0/1', 'Signal:9', '0', '60s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'one container completed, one still running and ready',
    {
      metadata: meta('mixed', 60),
      spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: running },
          { name: 'b', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
    },
    ['mixed', '1/2', 'NotReady', '0', '60s', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'terminating',
    {
      metadata: meta('bye', 60, { deletionTimestamp: ago(1) }),
      spec: { nodeName: 'n', containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }] },
    },
    ['bye', '1/1', 'Terminating', '0', '60s', '<none>', 'n', '<none>', '<none>'],
  ],
  [
    'node lost',
    {
      metadata: meta('lost', 60, { deletionTimestamp: ago(1) }),
      spec: { nodeName: 'n', containers: [{ name: 'a', image: 'x' }] },
      status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }] },
    },
    ['lost', '1/1', 'Unknown', '0', '60s', '<none>', 'n', '<none>', '<none>'],
  ],
  [
    'sidecar counts as a container; readiness gates and nominated node',
    {
      metadata: meta('side', 60),
      spec: {
        initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always' }],
        containers: [{ name: 'a', image: 'x' }],
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      status: {
        phase: 'Running',
        nominatedNodeName: 'n2',
        conditions: [{ type: 'Initialized', status: 'True' }, { type: 'example.com/lb', status: 'True' }],
        initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(20) } } }],
        containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: running }],
      },
    },
    ['side', '2/2', 'Running', '1 (20s ago)', '60s', '<none>', '<none>', 'n2', '1/2'],
  ],
  // Upstream's TestPrintPodWithRestartableInitContainer cases.
  [
    'sidecars: first running but not started',
    {
      metadata: { name: 'test1' },
      spec: { initContainers: [{ name: 'r1', restartPolicy: 'Always' }, { name: 'r2', restartPolicy: 'Always' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'r1', ready: false, restartCount: 3, state: { running: {} }, started: false, lastState: { terminated: { exitCode: 0, finishedAt: ago(10) } } },
          { name: 'r2', ready: false, restartCount: 0, state: { waiting: {} }, started: false },
        ],
        containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    },
    ['test1', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'sidecars: first started, second running but not started',
    {
      metadata: { name: 'test1' },
      spec: { initContainers: [{ name: 'r1', restartPolicy: 'Always' }, { name: 'r2', restartPolicy: 'Always' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'r1', ready: false, restartCount: 3, state: { running: {} }, started: true, lastState: { terminated: { exitCode: 0, finishedAt: ago(10) } } },
          { name: 'r2', ready: false, restartCount: 0, state: { running: {} }, started: false },
        ],
        containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: {} } }],
        conditions: [{ type: 'Initialized', status: 'False' }],
      },
    },
    ['test1', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'sidecars: both started, container running',
    {
      metadata: { name: 'test2' },
      spec: { initContainers: [{ name: 'r1', restartPolicy: 'Always' }, { name: 'r2', restartPolicy: 'Always' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Running',
        initContainerStatuses: [
          { name: 'r1', ready: false, restartCount: 3, state: { running: {} }, started: true, lastState: { terminated: { exitCode: 0, finishedAt: ago(10) } } },
          { name: 'r2', ready: false, restartCount: 0, state: { running: {} }, started: true },
        ],
        containerStatuses: [{ name: 'c', ready: true, restartCount: 4, state: { running: {} }, lastState: { terminated: { exitCode: 0, finishedAt: ago(20) } } }],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    },
    ['test2', '1/3', 'Running', '7 (10s ago)', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'sidecars: terminated with errors, container completed',
    {
      metadata: { name: 'test3' },
      spec: { initContainers: [{ name: 'r1', restartPolicy: 'Always' }, { name: 'r2', restartPolicy: 'Always' }], containers: [{ name: 'c' }] },
      status: {
        phase: 'Succeeded',
        initContainerStatuses: [
          { name: 'r1', ready: false, restartCount: 3, state: { terminated: { reason: 'Error', exitCode: 137 } }, started: false, lastState: { terminated: { exitCode: 0, finishedAt: ago(10) } } },
          { name: 'r2', ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 137 } }, started: false },
        ],
        containerStatuses: [{ name: 'c', ready: false, restartCount: 4, state: { terminated: { reason: 'Completed', exitCode: 0 } }, lastState: { terminated: { exitCode: 0, finishedAt: ago(20) } } }],
        conditions: [{ type: 'Initialized', status: 'True' }],
      },
    },
    ['test3', '0/3', 'Completed', '7 (10s ago)', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  ],
  [
    'statuses for containers the spec does not have',
    {
      metadata: { name: 'test4' },
      spec: { initContainers: [{ name: 'init1', image: 'initimage' }, { name: 'sidecar1', image: 'sidecarimage', restartPolicy: 'Always' }], containers: [{ name: 'container1', image: 'containerimage' }] },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ name: 'initinvalid' }, { name: 'init1' }, { name: 'sidecar1' }],
        containerStatuses: [{ name: 'containerinvalid' }, { name: 'container1' }],
      },
    },
    ['test4', '0/2', 'Init:0/2', '0', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  ],
];

const template = { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

const cases: Case[] = [
  ...podCases.map(([name, obj, cells]): Case => ({ name: `Pod: ${name}`, gvk: POD, obj, columns: POD_COLUMNS, cells })),
  {
    name: 'PodTemplate',
    gvk: gvk('', 'v1', 'PodTemplate'),
    obj: { metadata: meta('tpl'), template: { metadata: { labels: { b: '2', a: '1' } }, ...template } },
    columns: ['Name', 'Containers', 'Images', 'Pod Labels'],
    cells: ['tpl', 'app,log', 'nginx:1.27,busybox', 'a=1,b=2'],
  },
  {
    name: 'ReplicationController',
    gvk: gvk('', 'v1', 'ReplicationController'),
    obj: { metadata: meta('rc'), spec: { replicas: 3, selector: { app: 'web' }, template }, status: { replicas: 3, readyReplicas: 2 } },
    columns: ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['rc', 3, 3, 2, '5m', 'app,log', 'nginx:1.27,busybox', 'app=web'],
  },
  {
    name: 'ReplicaSet',
    gvk: gvk('apps', 'v1', 'ReplicaSet'),
    obj: { metadata: meta('web-5d4f'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 2 } },
    columns: ['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['web-5d4f', 2, 2, 2, '5m', 'app,log', 'nginx:1.27,busybox', 'app=web'],
  },
  {
    name: 'Deployment',
    gvk: gvk('apps', 'v1', 'Deployment'),
    obj: {
      metadata: meta('web', 86400 * 3),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] }, template },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    },
    columns: ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['web', '2/3', 3, 2, '3d', 'app,log', 'nginx:1.27,busybox', 'app=web,tier in (fe)'],
  },
  {
    name: 'StatefulSet',
    gvk: gvk('apps', 'v1', 'StatefulSet'),
    obj: { metadata: meta('db', 3 * 3600 + 12 * 60), spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template }, status: { replicas: 3, readyReplicas: 1 } },
    columns: ['Name', 'Ready', 'Age', 'Containers', 'Images'],
    cells: ['db', '1/3', '3h12m', 'app,log', 'nginx:1.27,busybox'],
  },
  {
    name: 'DaemonSet',
    gvk: gvk('apps', 'v1', 'DaemonSet'),
    obj: {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    },
    columns: ['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'app,log', 'nginx:1.27,busybox', 'app=agent'],
  },
  {
    name: 'Job completed',
    gvk: gvk('batch', 'v1', 'Job'),
    obj: {
      metadata: meta('pi', 600),
      spec: { completions: 1, parallelism: 1, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template },
      status: { succeeded: 1, startTime: ago(600), completionTime: ago(600 - 42), conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] },
    },
    columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['pi', 'Complete', '1/1', '42s', '10m', 'app,log', 'nginx:1.27,busybox', 'batch.kubernetes.io/controller-uid=u1'],
  },
  {
    name: 'Job running with parallelism',
    gvk: gvk('batch', 'v1', 'Job'),
    obj: { metadata: meta('work', 200), spec: { parallelism: 3, template }, status: { succeeded: 0, active: 3, startTime: ago(150) } },
    columns: ['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['work', 'Running', '0/1 of 3', '2m30s', '3m20s', 'app,log', 'nginx:1.27,busybox', '<none>'],
  },
  {
    name: 'CronJob',
    gvk: gvk('batch', 'v1', 'CronJob'),
    obj: {
      metadata: meta('nightly', 86400 * 10),
      spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(3600 * 9) },
    },
    columns: ['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers', 'Images', 'Selector'],
    cells: ['nightly', '0 3 * * *', '<none>', 'False', 1, '9h', '10d', 'app,log', 'nginx:1.27,busybox', '<none>'],
  },
  {
    name: 'Service ClusterIP',
    gvk: gvk('', 'v1', 'Service'),
    obj: { metadata: meta('web'), spec: { type: 'ClusterIP', clusterIP: '10.96.0.12', clusterIPs: ['10.96.0.12'], selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } },
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['web', 'ClusterIP', '10.96.0.12', '<none>', '80/TCP,53/UDP', '5m', 'app=web'],
  },
  {
    name: 'Service NodePort',
    gvk: gvk('', 'v1', 'Service'),
    obj: { metadata: meta('np'), spec: { type: 'NodePort', clusterIPs: ['10.96.0.13'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['np', 'NodePort', '10.96.0.13', '<none>', '80:30080/TCP', '5m', '<none>'],
  },
  {
    name: 'Service LoadBalancer pending, headless, external name',
    gvk: gvk('', 'v1', 'Service'),
    obj: { metadata: meta('lb'), spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.14'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] } },
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['lb', 'LoadBalancer', '10.96.0.14', '<pending>', '443:31443/TCP', '5m', '<none>'],
  },
  {
    name: 'Service LoadBalancer with ingress',
    gvk: gvk('', 'v1', 'Service'),
    obj: {
      metadata: meta('lb2'),
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.15'], externalIPs: ['1.1.1.1'], ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }] },
      status: { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }] } },
    },
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['lb2', 'LoadBalancer', '10.96.0.15', '203.0.113.9,lb.example.com,1.1.1.1', '80:30001/TCP', '5m', '<none>'],
  },
  {
    name: 'Service ExternalName',
    gvk: gvk('', 'v1', 'Service'),
    obj: { metadata: meta('ext'), spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    columns: ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector'],
    cells: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  },
  {
    name: 'Endpoints',
    gvk: gvk('', 'v1', 'Endpoints'),
    obj: {
      metadata: meta('web'),
      subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    },
    columns: ['Name', 'Endpoints', 'Age'],
    cells: ['web', '10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 1 more...', '5m'],
  },
  {
    name: 'Endpoints empty',
    gvk: gvk('', 'v1', 'Endpoints'),
    obj: { metadata: meta('none') },
    columns: ['Name', 'Endpoints', 'Age'],
    cells: ['none', '<none>', '5m'],
  },
  {
    name: 'EndpointSlice',
    gvk: gvk('discovery.k8s.io', 'v1', 'EndpointSlice'),
    obj: { metadata: meta('web-abc'), addressType: 'IPv4', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }] },
    columns: ['Name', 'AddressType', 'Ports', 'Endpoints', 'Age'],
    cells: ['web-abc', 'IPv4', '80', '10.0.0.1,10.0.0.2', '5m'],
  },
  {
    name: 'Ingress',
    gvk: gvk('networking.k8s.io', 'v1', 'Ingress'),
    obj: {
      metadata: meta('ing'),
      spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
    },
    columns: ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age'],
    cells: ['ing', 'nginx', 'a.example.com,b.example.com', '192.0.2.1', '80, 443', '5m'],
  },
  {
    name: 'IngressClass',
    gvk: gvk('networking.k8s.io', 'v1', 'IngressClass'),
    obj: { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } },
    columns: ['Name', 'Controller', 'Parameters', 'Age'],
    cells: ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '5m'],
  },
  {
    name: 'NetworkPolicy',
    gvk: gvk('networking.k8s.io', 'v1', 'NetworkPolicy'),
    obj: { metadata: meta('deny'), spec: { podSelector: {} } },
    columns: ['Name', 'Pod-Selector', 'Age'],
    cells: ['deny', '<none>', '5m'],
  },
  {
    name: 'Node',
    gvk: gvk('', 'v1', 'Node'),
    obj: {
      metadata: { name: 'cp-1', creationTimestamp: ago(86400 * 400), labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'master' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '192.168.1.10' }, { type: 'Hostname', address: 'cp-1' }],
        nodeInfo: { kubeletVersion: 'v1.33.1', osImage: 'Ubuntu 24.04 LTS', kernelVersion: '6.8.0', containerRuntimeVersion: 'containerd://2.0.0' },
      },
    },
    columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
    cells: ['cp-1', 'Ready,SchedulingDisabled', 'control-plane,master', '400d', 'v1.33.1', '192.168.1.10', '<none>', 'Ubuntu 24.04 LTS', '6.8.0', 'containerd://2.0.0'],
  },
  {
    name: 'Node without conditions',
    gvk: gvk('', 'v1', 'Node'),
    obj: { metadata: { name: 'new', creationTimestamp: ago(3) }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } },
    columns: ['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP', 'External-IP', 'OS-Image', 'Kernel-Version', 'Container-Runtime'],
    cells: ['new', 'NotReady', '<none>', '3s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'Namespace',
    gvk: gvk('', 'v1', 'Namespace'),
    obj: { metadata: { name: 'kube-system', creationTimestamp: ago(86400 * 800) }, status: { phase: 'Active' } },
    columns: ['Name', 'Status', 'Age'],
    cells: ['kube-system', 'Active', '2y70d'],
  },
  {
    name: 'core Event',
    gvk: gvk('', 'v1', 'Event'),
    obj: {
      metadata: meta('web-1.17f'),
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{app}' },
      reason: 'Pulled',
      message: 'Successfully pulled image "nginx"\n',
      source: { component: 'kubelet', host: 'node-a' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(90),
      count: 4,
      type: 'Normal',
    },
    columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
    cells: ['90s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{app}', 'kubelet, node-a', 'Successfully pulled image "nginx"', '10m', 4, 'web-1.17f'],
  },
  {
    name: 'events.k8s.io Event (new API, series)',
    gvk: gvk('events.k8s.io', 'v1', 'Event'),
    obj: {
      metadata: meta('web-1.18a'),
      regarding: { kind: 'Pod', name: 'web-1', namespace: 'default' },
      reason: 'Scheduled',
      note: 'Successfully assigned default/web-1 to node-a',
      type: 'Normal',
      eventTime: '2025-06-01T11:50:00.000000Z',
      series: { count: 2, lastObservedTime: '2025-06-01T11:59:00.000000Z' },
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-cp-1',
      action: 'Binding',
    },
    columns: ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name'],
    cells: ['60s', 'Normal', 'Scheduled', 'pod/web-1', '', 'default-scheduler, default-scheduler-cp-1', 'Successfully assigned default/web-1 to node-a', '10m', 2, 'web-1.18a'],
  },
  {
    name: 'ConfigMap',
    gvk: gvk('', 'v1', 'ConfigMap'),
    obj: { metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } },
    columns: ['Name', 'Data', 'Age'],
    cells: ['cfg', 3, '5m'],
  },
  {
    name: 'Secret',
    gvk: gvk('', 'v1', 'Secret'),
    obj: { metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } },
    columns: ['Name', 'Type', 'Data', 'Age'],
    cells: ['tls', 'kubernetes.io/tls', 2, '5m'],
  },
  {
    name: 'ServiceAccount',
    gvk: gvk('', 'v1', 'ServiceAccount'),
    obj: { metadata: meta('default') },
    columns: ['Name', 'Secrets', 'Age'],
    cells: ['default', 0, '5m'],
  },
  {
    name: 'PersistentVolume',
    gvk: gvk('', 'v1', 'PersistentVolume'),
    obj: {
      metadata: { name: 'pv-1', creationTimestamp: ago(300) },
      spec: {
        capacity: { storage: '10240Mi' },
        accessModes: ['ReadWriteMany', 'ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        claimRef: { namespace: 'default', name: 'data' },
        storageClassName: 'standard',
        volumeMode: 'Filesystem',
      },
      status: { phase: 'Bound' },
    },
    columns: ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode'],
    cells: ['pv-1', '10Gi', 'RWO,RWX', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '5m', 'Filesystem'],
  },
  {
    name: 'PersistentVolumeClaim bound',
    gvk: gvk('', 'v1', 'PersistentVolumeClaim'),
    obj: {
      metadata: meta('data'),
      spec: { volumeName: 'pv-1', storageClassName: 'standard', resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce'] },
    },
    columns: ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
    cells: ['data', 'Bound', 'pv-1', '10Gi', 'RWO', 'standard', '<unset>', '5m', 'Filesystem'],
  },
  {
    name: 'PersistentVolumeClaim pending',
    gvk: gvk('', 'v1', 'PersistentVolumeClaim'),
    obj: { metadata: meta('pend'), spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } },
    columns: ['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode'],
    cells: ['pend', 'Pending', '', '', '', '', '<unset>', '5m', '<unset>'],
  },
  {
    name: 'StorageClass default',
    gvk: gvk('storage.k8s.io', 'v1', 'StorageClass'),
    obj: { metadata: { name: 'standard', creationTimestamp: ago(300), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
    columns: ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age'],
    cells: ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '5m'],
  },
  {
    name: 'ResourceQuota',
    gvk: gvk('', 'v1', 'ResourceQuota'),
    obj: {
      metadata: meta('quota'),
      status: { hard: { 'limits.cpu': '4', 'requests.cpu': '2', pods: '10', 'requests.memory': '2048Mi' }, used: { 'requests.cpu': '500m', pods: '3', 'limits.cpu': '1000m' } },
    },
    columns: ['Name', 'Request', 'Limit', 'Age'],
    cells: ['quota', 'pods: 3/10, requests.cpu: 500m/2, requests.memory: 0/2Gi', 'limits.cpu: 1/4', '5m'],
  },
  {
    name: 'HorizontalPodAutoscaler v2',
    gvk: gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
    obj: {
      metadata: meta('web'),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } },
          { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '1k' } } },
        ],
      },
      status: { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 23, averageValue: '115m' } } }] },
    },
    columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
    cells: ['web', 'Deployment/web', 'cpu: 23%/50%, memory: <unknown>/512Mi + 1 more...', '1', 10, 2, '5m'],
  },
  {
    name: 'HorizontalPodAutoscaler v1',
    gvk: gvk('autoscaling', 'v1', 'HorizontalPodAutoscaler'),
    obj: { metadata: meta('web'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 }, status: { currentReplicas: 1, desiredReplicas: 1 } },
    columns: ['Name', 'Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age'],
    cells: ['web', 'Deployment/web', 'cpu: <unknown>/80%', '<unset>', 5, 1, '5m'],
  },
  {
    name: 'PodDisruptionBudget',
    gvk: gvk('policy', 'v1', 'PodDisruptionBudget'),
    obj: { metadata: meta('pdb'), spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } },
    columns: ['Name', 'Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age'],
    cells: ['pdb', '50%', 'N/A', 1, '5m'],
  },
  {
    name: 'PriorityClass',
    gvk: gvk('scheduling.k8s.io', 'v1', 'PriorityClass'),
    obj: { metadata: { name: 'system-node-critical', creationTimestamp: ago(300) }, value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' },
    columns: ['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy'],
    cells: ['system-node-critical', 2000001000, false, '5m', 'PreemptLowerPriority'],
  },
  {
    name: 'RuntimeClass',
    gvk: gvk('node.k8s.io', 'v1', 'RuntimeClass'),
    obj: { metadata: { name: 'gvisor', creationTimestamp: ago(300) }, handler: 'runsc' },
    columns: ['Name', 'Handler', 'Age'],
    cells: ['gvisor', 'runsc', '5m'],
  },
  {
    name: 'Lease',
    gvk: gvk('coordination.k8s.io', 'v1', 'Lease'),
    obj: { metadata: { name: 'kube-scheduler', namespace: 'kube-system', creationTimestamp: ago(300) }, spec: { holderIdentity: 'cp-1_abc', leaseDurationSeconds: 15 } },
    columns: ['Name', 'Holder', 'Age'],
    cells: ['kube-scheduler', 'cp-1_abc', '5m'],
  },
  {
    name: 'ControllerRevision',
    gvk: gvk('apps', 'v1', 'ControllerRevision'),
    obj: { metadata: { ...meta('agent-7f'), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }] }, revision: 2 },
    columns: ['Name', 'Controller', 'Revision', 'Age'],
    cells: ['agent-7f', 'daemonset.apps/agent', 2, '5m'],
  },
  {
    name: 'RoleBinding',
    gvk: gvk('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
    obj: {
      metadata: meta('rb'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'User', name: 'alice' },
        { kind: 'User', name: 'bob' },
        { kind: 'Group', name: 'devs' },
        { kind: 'ServiceAccount', name: 'ci', namespace: 'build' },
      ],
    },
    columns: ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
    cells: ['rb', 'Role/reader', '5m', 'alice, bob', 'devs', 'build/ci'],
  },
  {
    name: 'ClusterRoleBinding',
    gvk: gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding'),
    obj: { metadata: { name: 'admin', creationTimestamp: ago(300) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'Group', name: 'system:masters' }] },
    columns: ['Name', 'Role', 'Age', 'Users', 'Groups', 'ServiceAccounts'],
    cells: ['admin', 'ClusterRole/cluster-admin', '5m', '', 'system:masters', ''],
  },
  {
    name: 'CertificateSigningRequest',
    gvk: gvk('certificates.k8s.io', 'v1', 'CertificateSigningRequest'),
    obj: {
      metadata: { name: 'csr-1', creationTimestamp: ago(300) },
      spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:node:n1', expirationSeconds: 86400, request: 'x', usages: ['client auth'] },
      status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'Y2VydA==' },
    },
    columns: ['Name', 'Age', 'SignerName', 'Requestor', 'RequestedDuration', 'Condition'],
    cells: ['csr-1', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:n1', '24h', 'Approved,Issued'],
  },
  {
    name: 'Role (no printer upstream: default table)',
    gvk: gvk('rbac.authorization.k8s.io', 'v1', 'Role'),
    obj: { metadata: { name: 'reader', namespace: 'default', creationTimestamp: '2025-05-31T08:09:10Z' }, rules: [] },
    columns: ['Name', 'Created At'],
    cells: ['reader', '2025-05-31T08:09:10Z'],
  },
  {
    name: 'LimitRange (default table)',
    gvk: gvk('', 'v1', 'LimitRange'),
    obj: { metadata: { name: 'limits', namespace: 'default', creationTimestamp: '2025-05-31T08:09:10.123Z' } },
    columns: ['Name', 'Created At'],
    cells: ['limits', '2025-05-31T08:09:10Z'],
  },
];

describe('printTable', () => {
  for (const c of cases) {
    it(c.name, () => {
      const table = printTable(c.gvk, [c.obj], NOW);
      assert.deepEqual(
        table.columnDefinitions.map((col) => col.name),
        c.columns,
      );
      assert.equal(table.rows.length, 1);
      assert.deepEqual(table.rows[0]!.cells, c.cells);
      // Every row carries a cell per column, wide ones included.
      assert.equal(table.rows[0]!.cells.length, table.columnDefinitions.length);
    });
  }

  it('marks finished pods with a Completed row condition', () => {
    const succeeded = printTable(POD, [{ metadata: meta('a'), spec: { containers: [] }, status: { phase: 'Succeeded' } }], NOW);
    assert.deepEqual(succeeded.rows[0]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    const running = printTable(POD, [{ metadata: meta('b'), spec: { containers: [] }, status: { phase: 'Running' } }], NOW);
    assert.equal(running.rows[0]!.conditions, undefined);
  });

  it('column definitions carry upstream types, formats, descriptions and priorities', () => {
    const cols = columnDefinitions(POD);
    assert.deepEqual(cols[0], {
      name: 'Name',
      type: 'string',
      format: 'name',
      description:
        'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
      priority: 0,
    });
    assert.deepEqual(
      cols.map((c) => c.priority),
      [0, 0, 0, 0, 0, 1, 1, 1, 1],
    );
    assert.equal(columnDefinitions(gvk('apps', 'v1', 'DaemonSet'))[1]!.type, 'integer');
    assert.equal(columnDefinitions(gvk('', 'v1', 'ConfigMap'))[0]!.format, 'name');
    assert.equal(columnDefinitions(gvk('', 'v1', 'Event'))[9]!.priority, 1);
    assert.deepEqual(
      columnDefinitions(gvk('example.com', 'v1', 'Widget')).map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Created At', 'date'],
      ],
    );
  });

  it('knows which kinds have their own printer', () => {
    assert.equal(hasPrinter(POD), true);
    assert.equal(hasPrinter(gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRole')), false);
  });

  it('prints an empty list with columns and no rows', () => {
    const t = printTable(gvk('apps', 'v1', 'Deployment'), [], NOW);
    assert.equal(t.rows.length, 0);
    assert.equal(t.columnDefinitions.length, 8);
  });
});

describe('HPA targets as upstream TestPrintHPA', () => {
  const HPA = gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler');
  const hpa = (metrics: unknown[], currentMetrics: unknown[] = []): KubeObject => ({
    metadata: { name: 'some-hpa' },
    spec: { scaleTargetRef: { name: 'some-rc', kind: 'ReplicationController' }, minReplicas: 2, maxReplicas: 10, metrics },
    status: { currentReplicas: 4, desiredReplicas: 5, currentMetrics },
  });
  const cases: [string, KubeObject, string][] = [
    ['no metrics', { metadata: { name: 'some-hpa' }, spec: { scaleTargetRef: { name: 'some-rc', kind: 'ReplicationController' }, maxReplicas: 10 }, status: { currentReplicas: 4 } }, '<none>'],
    ['external average, no current', hpa([{ type: 'External', external: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '100m' } } }]), '<unknown>/100m (avg)'],
    [
      'external average',
      hpa([{ type: 'External', external: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '100m' } } }], [{ type: 'External', external: { metric: { name: 'm' }, current: { averageValue: '50m' } } }]),
      '50m/100m (avg)',
    ],
    ['external value, no current', hpa([{ type: 'External', external: { metric: { name: 'm' }, target: { type: 'Value', value: '100m' } } }]), '<unknown>/100m'],
    ['pods', hpa([{ type: 'Pods', pods: { metric: { name: 'm' }, target: { type: 'AverageValue', averageValue: '100m' } } }], [{ type: 'Pods', pods: { metric: { name: 'm' }, current: { averageValue: '50m' } } }]), '50m/100m'],
    [
      'object value',
      hpa([{ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'm' }, target: { type: 'Value', value: '100m' } } }], [{ type: 'Object', object: { describedObject: { kind: 'Service', name: 's' }, metric: { name: 'm' }, current: { value: '50m' } } }]),
      '50m/100m',
    ],
    ['resource average value, no current', hpa([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '100m' } } }]), 'cpu: <unknown>/100m'],
    ['resource utilization', hpa([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 50, averageValue: '10' } } }]), 'cpu: 50%/80%'],
  ];
  for (const [name, obj, targets] of cases) {
    it(name, () => {
      const cells = printTable(HPA, [obj], NOW).rows[0]!.cells;
      assert.equal(cells[2], targets);
      assert.deepEqual([cells[1], cells[4], cells[5]], ['ReplicationController/some-rc', 10, 4]);
    });
  }
});
