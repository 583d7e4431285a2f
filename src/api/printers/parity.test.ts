/**
 * Row-for-row parity with upstream's pkg/printers/internalversion/printers_test.go: each case
 * names the upstream test (and printer function) it was ported from. Upstream's tests call a
 * printer with GenerateOptions{} (the default columns) or {Wide: true}; the apiserver always
 * prints wide and kubectl hides priority-1 columns, so `view` filters our cells the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { printTable } from './index.js';

const NOW = new Date('2025-06-01T12:00:00Z');
/** ago renders a timestamp that many seconds before NOW. */
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace('.000Z', 'Z');
const DAY = 86400;
const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });

/** view prints one object and returns the cells kubectl shows: default columns, or all with wide. */
function view(kind: GroupVersionKind, obj: KubeObject, wide = false): unknown[] {
  const t = printTable(kind, [obj], NOW);
  return t.rows[0]!.cells.filter((_, i) => wide || t.columnDefinitions[i]!.priority === 0);
}

interface Case {
  /** upstream test function and case, e.g. `TestPrintPod test7` */
  name: string;
  obj: KubeObject;
  wide?: boolean;
  cells: unknown[];
}

function suite(title: string, kind: GroupVersionKind, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(c.name, () => assert.deepEqual(view(kind, c.obj, c.wide), c.cells));
    }
  });
}

const POD = gvk('', 'v1', 'Pod');
const two = [{ name: 'a' }, { name: 'b' }];
const one = [{ name: 'a' }];
const runningState = { running: {} };
const restarted = (seconds: number) => ({ terminated: { exitCode: 0, finishedAt: ago(seconds) } });

suite('printPod (TestPrintPod)', POD, [
  {
    name: 'TestPrintPod test1: ready count, restarts summed',
    obj: { metadata: { name: 'test1' }, spec: { containers: two }, status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { restartCount: 3 }] } },
    cells: ['test1', '1/2', 'podPhase', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test2: a waiting reason overrides the phase',
    obj: {
      metadata: { name: 'test2' },
      spec: { containers: two },
      status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }] },
    },
    cells: ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test3: the first container overrides the rest',
    obj: {
      metadata: { name: 'test3' },
      spec: { containers: two },
      status: {
        phase: 'podPhase',
        containerStatuses: [
          { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } },
          { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason' } } },
        ],
      },
    },
    cells: ['test3', '0/2', 'ContainerWaitingReason', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test5: status.reason overrides the phase',
    obj: {
      metadata: { name: 'test5' },
      spec: { containers: two },
      status: { reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { ready: true, restartCount: 3 }] },
    },
    cells: ['test5', '1/2', 'podReason', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test6: one running, one completed, no Ready condition is NotReady',
    obj: {
      metadata: { name: 'test6' },
      spec: { containers: two },
      status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: runningState }] },
    },
    cells: ['test6', '1/2', 'NotReady', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test6 with Ready condition is Running',
    obj: {
      metadata: { name: 'test6' },
      spec: { containers: two },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: runningState }],
      },
    },
    cells: ['test6', '1/2', 'Running', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPod test7: init container restarting is Init:0/1 with its restart time',
    obj: {
      metadata: { name: 'test7' },
      spec: { initContainers: one, containers: one },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [{ ready: false, restartCount: 3, state: runningState, lastState: restarted(10) }],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: {} } }],
      },
    },
    cells: ['test7', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test9: first init container done, second restarting is Init:1/2',
    obj: {
      metadata: { name: 'test9' },
      spec: { initContainers: two, containers: one },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, state: { terminated: {} } },
          { ready: false, restartCount: 3, state: runningState, lastState: restarted(10) },
        ],
        containerStatuses: [{ ready: false, state: { waiting: {} } }],
      },
    },
    cells: ['test9', '0/1', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test10: init restarts add up, the latest restart shows',
    obj: {
      metadata: { name: 'test10' },
      spec: { initContainers: two, containers: one },
      status: {
        phase: 'podPhase',
        initContainerStatuses: [
          { ready: false, restartCount: 2, state: { terminated: {} }, lastState: restarted(120) },
          { ready: false, restartCount: 3, state: runningState, lastState: restarted(10) },
        ],
        containerStatuses: [{ ready: false, state: { waiting: {} } }],
      },
    },
    cells: ['test10', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test11: once initialized only regular containers count restarts',
    obj: {
      metadata: { name: 'test11' },
      spec: { initContainers: one, containers: one },
      status: {
        phase: 'Running',
        initContainerStatuses: [{ ready: false, restartCount: 2, state: { terminated: {} }, lastState: restarted(120) }],
        containerStatuses: [{ ready: false, restartCount: 4, state: runningState, lastState: restarted(20) }],
      },
    },
    cells: ['test11', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test12: restart 5d ago',
    obj: { metadata: { name: 'test12' }, spec: { containers: one }, status: { phase: 'Running', containerStatuses: [{ ready: true, restartCount: 3, state: runningState, lastState: restarted(5 * DAY) }] } },
    cells: ['test12', '1/1', 'Running', '3 (5d ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test14: the most recent of two restarts shows',
    obj: {
      metadata: { name: 'test14' },
      spec: { containers: two },
      status: {
        phase: 'Running',
        containerStatuses: [
          { ready: true, restartCount: 6, state: runningState, lastState: restarted(5 * DAY) },
          { ready: true, restartCount: 3, state: runningState, lastState: restarted(20 * DAY) },
        ],
      },
    },
    cells: ['test14', '2/2', 'Running', '9 (5d ago)', '<unknown>'],
  },
  {
    name: 'TestPrintPod test15: PodScheduled reason SchedulingGated',
    obj: { metadata: { name: 'test15' }, spec: { containers: two }, status: { phase: 'podPhase', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } },
    cells: ['test15', '0/2', 'SchedulingGated', '0', '<unknown>'],
  },
  {
    name: 'TestPrintPod test18: a succeeded pod being deleted stays Completed',
    obj: {
      metadata: { name: 'test18', deletionTimestamp: ago(10) },
      spec: { containers: one },
      status: { phase: 'Succeeded', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] },
    },
    cells: ['test18', '0/1', 'Completed', '0', '<unknown>'],
  },
  {
    name: 'TestPrintPod test19: a running pod being deleted is Terminating',
    obj: { metadata: { name: 'test19', deletionTimestamp: ago(10) }, spec: { containers: one }, status: { phase: 'Running', containerStatuses: [{ ready: false, restartCount: 0, state: runningState }] } },
    cells: ['test19', '0/1', 'Terminating', '0', '<unknown>'],
  },
  {
    name: 'TestPrintPod test20: a pending pod being deleted is Terminating',
    obj: { metadata: { name: 'test20', deletionTimestamp: ago(10) }, spec: { containers: one }, status: { phase: 'Pending' } },
    cells: ['test20', '0/1', 'Terminating', '0', '<unknown>'],
  },
  {
    name: 'TestPrintNonTerminatedPod test3: phase Unknown',
    obj: { metadata: { name: 'test3' }, spec: { containers: two }, status: { phase: 'Unknown', containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { restartCount: 3 }] } },
    cells: ['test3', '1/2', 'Unknown', '6', '<unknown>'],
  },
  {
    name: 'TestPrintPodwide test1: first pod IP, node, nominated node, 1/3 readiness gates',
    wide: true,
    obj: {
      metadata: { name: 'test1' },
      spec: { containers: two, nodeName: 'test1', readinessGates: [{ conditionType: 'condition1' }, { conditionType: 'condition2' }, { conditionType: 'condition3' }] },
      status: {
        conditions: [
          { type: 'condition1', status: 'False' },
          { type: 'condition2', status: 'True' },
        ],
        phase: 'podPhase',
        podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
        containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { restartCount: 3 }],
        nominatedNodeName: 'node1',
      },
    },
    cells: ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3'],
  },
  {
    name: 'TestPrintPodwide test2: <none> for unset IP, node, nominated node and gates',
    wide: true,
    obj: {
      metadata: { name: 'test2' },
      spec: { containers: two },
      status: { phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: runningState }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }] },
    },
    cells: ['test2', '1/2', 'ContainerWaitingReason', '6', '<unknown>', '<none>', '<none>', '<none>', '<none>'],
  },
  {
    name: 'printPod: NodeLost pod being deleted is Unknown (node.NodeUnreachablePodReason)',
    obj: { metadata: { name: 'lost', deletionTimestamp: ago(10) }, spec: { containers: one }, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [{ ready: true, restartCount: 0, state: runningState }] } },
    cells: ['lost', '1/1', 'Unknown', '0', '<unknown>'],
  },
  {
    name: 'printPod: init container CrashLoopBackOff is Init:CrashLoopBackOff',
    obj: {
      metadata: { name: 'crash', creationTimestamp: ago(600) },
      spec: { initContainers: one, containers: one },
      status: {
        phase: 'Pending',
        initContainerStatuses: [{ ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(75) } } }],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    cells: ['crash', '0/1', 'Init:CrashLoopBackOff', '4 (75s ago)', '10m'],
  },
  {
    name: 'printPod: failed init container without reason is Init:ExitCode:N, with a signal Init:Signal:N',
    obj: {
      metadata: { name: 'sig' },
      spec: { initContainers: two, containers: one },
      status: { phase: 'Failed', initContainerStatuses: [{ state: { terminated: { exitCode: 0 } } }, { state: { terminated: { exitCode: 137, signal: 9 } } }] },
    },
    cells: ['sig', '0/1', 'Init:Signal:9', '0', '<unknown>'],
  },
  {
    name: 'printPod: first Initialized condition decides, as isPodInitializedConditionTrue',
    obj: {
      metadata: { name: 'dup' },
      spec: { initContainers: one, containers: one },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'Initialized', status: 'False' },
          { type: 'Initialized', status: 'True' },
        ],
        initContainerStatuses: [{ ready: false, restartCount: 0, state: runningState }],
        containerStatuses: [{ ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
      },
    },
    cells: ['dup', '0/1', 'Init:0/1', '0', '<unknown>'],
  },
]);

const NODE = gvk('', 'v1', 'Node');
const ready = (status: string) => ({ conditions: [{ type: 'Ready', status }] });

suite('printNode (TestPrintNodeStatus, TestPrintNodeRole, TestPrintNodeExternalIP)', NODE, [
  { name: 'TestPrintNodeStatus foo1: Ready', obj: { metadata: { name: 'foo1' }, status: ready('True') }, cells: ['foo1', 'Ready', '<none>', '<unknown>', ''] },
  {
    name: 'TestPrintNodeStatus foo2: Ready,SchedulingDisabled',
    obj: { metadata: { name: 'foo2' }, spec: { unschedulable: true }, status: ready('True') },
    cells: ['foo2', 'Ready,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    name: 'TestPrintNodeStatus foo5: NotReady,SchedulingDisabled',
    obj: { metadata: { name: 'foo5' }, spec: { unschedulable: true }, status: ready('False') },
    cells: ['foo5', 'NotReady,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    name: 'TestPrintNodeStatus foo8: no Ready condition is Unknown,SchedulingDisabled',
    obj: { metadata: { name: 'foo8' }, spec: { unschedulable: true }, status: { conditions: [{ type: 'InvalidValue', status: 'True' }] } },
    cells: ['foo8', 'Unknown,SchedulingDisabled', '<none>', '<unknown>', ''],
  },
  {
    name: 'TestPrintNodeRole foo10: roles from both label forms, sorted and deduplicated',
    obj: {
      metadata: {
        name: 'foo10',
        labels: { 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/proxy': '', 'kubernetes.io/role': 'node' },
      },
    },
    cells: ['foo10', 'Unknown', 'control-plane,master,node,proxy', '<unknown>', ''],
  },
  {
    name: 'TestPrintNodeExternalIP foo3: the first address of each type, <unknown> node info',
    wide: true,
    obj: {
      metadata: { name: 'foo3' },
      status: {
        addresses: [
          { type: 'ExternalIP', address: '2.2.2.2' },
          { type: 'InternalIP', address: '3.3.3.3' },
          { type: 'ExternalIP', address: '4.4.4.4' },
        ],
      },
    },
    cells: ['foo3', 'Unknown', '<none>', '<unknown>', '', '3.3.3.3', '2.2.2.2', '<unknown>', '<unknown>', '<unknown>'],
  },
  {
    name: 'TestPrintNodeOSImage foo1: <none> internal IP, OS image shown',
    wide: true,
    obj: { metadata: { name: 'foo1' }, status: { nodeInfo: { osImage: 'fake-os-image' }, addresses: [{ type: 'ExternalIP', address: '1.1.1.1' }] } },
    cells: ['foo1', 'Unknown', '<none>', '<unknown>', '', '<none>', '1.1.1.1', 'fake-os-image', '<unknown>', '<unknown>'],
  },
]);

const SERVICE = gvk('', 'v1', 'Service');
const lbSpec = { clusterIPs: ['1.5.6.7'], type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }], selector: { foo: 'bar' } };

suite('printService (TestPrintServiceLoadBalancer, getServiceExternalIP)', SERVICE, [
  {
    name: 'TestPrintServiceLoadBalancer service2: <pending> and every protocol',
    obj: { metadata: { name: 'service2' }, spec: { clusterIPs: ['1.3.4.5'], type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }, { port: 7777, protocol: 'SCTP' }] } },
    cells: ['service2', 'LoadBalancer', '1.3.4.5', '<pending>', '80/TCP,8090/UDP,8000/TCP,7777/SCTP', '<unknown>'],
  },
  {
    // The apiserver prints wide (kube-apiserver's TableConvertor passes Wide: true), so the
    // 16-character clipping of loadBalancerStatusStringer never applies to kubectl get.
    name: 'TestPrintServiceLoadBalancer service4 wide: the ingress IPs unclipped, selector',
    wide: true,
    obj: { metadata: { name: 'service4' }, spec: lbSpec, status: { loadBalancer: { ingress: [{ ip: '2.3.4.5' }, { ip: '3.4.5.6' }, { ip: '5.6.7.8', hostname: 'host5678' }] } } },
    cells: ['service4', 'LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5.6,5.6.7.8', '80/TCP,8090/UDP,8000/TCP', '<unknown>', 'foo=bar'],
  },
  {
    name: 'getServiceExternalIP: LoadBalancer ingress (sorted, deduplicated) then spec.externalIPs',
    obj: {
      metadata: { name: 'lb' },
      spec: { ...lbSpec, externalIPs: ['9.9.9.9', '1.1.1.1'] },
      status: { loadBalancer: { ingress: [{ hostname: 'b.example.com' }, { ip: '2.3.4.5' }, { ip: '2.3.4.5' }] } },
    },
    cells: ['lb', 'LoadBalancer', '1.5.6.7', '2.3.4.5,b.example.com,9.9.9.9,1.1.1.1', '80/TCP,8090/UDP,8000/TCP', '<unknown>'],
  },
  {
    name: 'makePortString: NodePort ports as port:nodePort/protocol; no ports is <none>',
    obj: { metadata: { name: 'np' }, spec: { type: 'NodePort', clusterIPs: ['10.0.0.1'], externalIPs: ['8.8.8.8'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }] } },
    cells: ['np', 'NodePort', '10.0.0.1', '8.8.8.8', '80:30080/TCP,53:30053/UDP', '<unknown>'],
  },
  {
    name: 'printService: ExternalName without cluster IPs or ports',
    obj: { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    cells: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '<unknown>'],
  },
]);

const EVENT = gvk('', 'v1', 'Event');
suite('printEvent (TestPrintEvent)', EVENT, [
  {
    name: 'TestPrintEvent basic: Last Seen, Type, Reason, Object, Message',
    obj: {
      metadata: { name: 'event1' },
      source: { component: 'kubelet' },
      involvedObject: { kind: 'Pod', name: 'Pod Name', fieldPath: 'spec.containers{foo}' },
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: ago(3 * DAY),
      lastTimestamp: ago(2 * DAY),
      count: 6,
      type: 'Normal',
    },
    cells: ['2d', 'Normal', 'Event Reason', 'pod/Pod Name', 'Message Data'],
  },
  {
    name: 'TestPrintEvent event6 wide: a series gives Last Seen and Count, eventTime First Seen',
    wide: true,
    obj: {
      metadata: { name: 'event6' },
      source: { component: 'kubelet', host: 'Node1' },
      involvedObject: { kind: 'Deployment', name: 'Deployment Name', fieldPath: 'spec.containers{foo}' },
      series: { count: 2, lastObservedTime: ago(2 * DAY) },
      reason: 'Event Reason',
      message: 'Message Data',
      eventTime: new Date(NOW.getTime() - 3 * DAY * 1000).toISOString(),
      type: 'Warning',
    },
    cells: ['2d', 'Warning', 'Event Reason', 'deployment/Deployment Name', 'spec.containers{foo}', 'kubelet, Node1', 'Message Data', '3d', 2, 'event6'],
  },
  {
    name: 'TestPrintEvent empty Source wide: reportingController, reportingInstance',
    wide: true,
    obj: {
      metadata: { name: 'event2' },
      reportingComponent: 'kubelet',
      reportingInstance: 'test',
      involvedObject: { kind: 'Deployment', name: 'Deployment Name', fieldPath: 'spec.containers{foo}' },
      reason: 'Event Reason',
      message: 'Message Data',
      firstTimestamp: ago(3 * DAY),
      lastTimestamp: ago(2 * DAY),
      count: 6,
      type: 'Warning',
    },
    cells: ['2d', 'Warning', 'Event Reason', 'deployment/Deployment Name', 'spec.containers{foo}', 'kubelet, test', 'Message Data', '3d', 6, 'event2'],
  },
]);

suite('printIngressClass (TestPrintIngressClass)', gvk('networking.k8s.io', 'v1', 'IngressClass'), [
  {
    name: 'TestPrintIngressClass with params: Kind/name',
    obj: { metadata: { name: 'test1', creationTimestamp: ago(10 * 365 * DAY) }, spec: { controller: 'example.com/controller', parameters: { kind: 'customgroup', name: 'example' } } },
    cells: ['test1', 'example.com/controller', 'customgroup/example', '10y'],
  },
  {
    name: 'TestPrintIngressClass with params + API Group: Kind.group/name',
    obj: { metadata: { name: 'test1', creationTimestamp: ago(10 * 365 * DAY) }, spec: { controller: 'example.com/controller', parameters: { apiGroup: 'example.com', kind: 'customgroup', name: 'example' } } },
    cells: ['test1', 'example.com/controller', 'customgroup.example.com/example', '10y'],
  },
  {
    name: 'printIngressClass: a set but empty apiGroup still adds the dot (pointer check)',
    obj: { metadata: { name: 'test1', creationTimestamp: ago(10 * 365 * DAY) }, spec: { controller: 'c', parameters: { apiGroup: '', kind: 'K', name: 'n' } } },
    cells: ['test1', 'c', 'K./n', '10y'],
  },
  {
    name: 'TestPrintIngressClass without params: <none>',
    obj: { metadata: { name: 'test2', creationTimestamp: ago(11 * 365 * DAY) }, spec: { controller: 'example.com/controller2' } },
    cells: ['test2', 'example.com/controller2', '<none>', '11y'],
  },
]);

suite('printControllerRevision (TestPrintControllerRevision, TestFormatResourceName)', gvk('apps', 'v1', 'ControllerRevision'), [
  {
    name: 'TestPrintControllerRevision: controller as kind.group/name',
    obj: { metadata: { name: 'test1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: 'u', controller: true }] }, revision: 1 },
    cells: ['test1', 'daemonset.apps/foo', 1, '<unknown>'],
  },
  {
    name: 'TestPrintControllerRevision: an owner that is not the controller is <none>',
    obj: { metadata: { name: 'test2', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'foo', uid: 'u', controller: false }] }, revision: 1 },
    cells: ['test2', '<none>', 1, '<unknown>'],
  },
  {
    name: 'TestFormatResourceName: empty group and kind print the bare name',
    obj: { metadata: { name: 'test3', ownerReferences: [{ apiVersion: 'v1', kind: '', name: 'foo', uid: 'u', controller: true }] }, revision: 2 },
    cells: ['test3', 'foo', 2, '<unknown>'],
  },
  {
    name: 'TestFormatResourceName: core kind without group is kind/name',
    obj: { metadata: { name: 'test4', ownerReferences: [{ apiVersion: 'v1', kind: 'Kind', name: 'name', uid: 'u', controller: true }] }, revision: 3 },
    cells: ['test4', 'kind/name', 3, '<unknown>'],
  },
]);

const JOB = gvk('batch', 'v1', 'Job');
suite('printJob (TestPrintJob)', JOB, [
  { name: 'TestPrintJob job1: Running 1/2, no duration', obj: { metadata: { name: 'job1' }, spec: { completions: 2 }, status: { succeeded: 1 } }, cells: ['job1', 'Running', '1/2', '', '<unknown>'] },
  {
    name: 'TestPrintJob job3: duration from start to completion',
    obj: { metadata: { name: 'job3', creationTimestamp: ago(10 * 365 * DAY) }, spec: {}, status: { startTime: ago(-60), completionTime: ago(-31 * 60) } },
    cells: ['job3', 'Running', '0/1', '30m', '10y'],
  },
  { name: 'TestPrintJob job4: running duration to now', obj: { metadata: { name: 'job4' }, spec: {}, status: { startTime: ago(20 * 60) } }, cells: ['job4', 'Running', '0/1', '20m', '<unknown>'] },
  { name: 'TestPrintJob job6: Failed', obj: { metadata: { name: 'job6' }, spec: {}, status: { conditions: [{ type: 'Failed', status: 'True' }] } }, cells: ['job6', 'Failed', '0/1', '', '<unknown>'] },
  {
    name: 'TestPrintJob job9: Terminating beats Suspended, Complete beats Terminating',
    obj: { metadata: { name: 'job9', deletionTimestamp: ago(0) }, spec: {}, status: { conditions: [{ type: 'Suspended', status: 'True' }] } },
    cells: ['job9', 'Terminating', '0/1', '', '<unknown>'],
  },
  { name: 'printJob: parallelism without completions is N/1 of P', obj: { metadata: { name: 'par' }, spec: { parallelism: 3 }, status: { succeeded: 1 } }, cells: ['par', 'Running', '1/1 of 3', '', '<unknown>'] },
]);

describe('printFlowSchemaList (FlowSchemaSequence)', () => {
  it('orders rows by matching precedence, then name, and pairs each row with its object', () => {
    const fs = (name: string, matchingPrecedence: number): KubeObject => ({ metadata: { name }, spec: { matchingPrecedence, priorityLevelConfiguration: { name: 'pl' } } });
    const objs = [fs('catch-all', 10000), fs('service-accounts', 9000), fs('exempt', 1), fs('kube-scheduler', 800), fs('kube-controller-manager', 800), fs('probes', 2)];
    const t = printTable(gvk('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema'), objs, NOW);
    const names = t.rows.map((r) => r.cells[0]);
    assert.deepEqual(names, ['exempt', 'probes', 'kube-controller-manager', 'kube-scheduler', 'service-accounts', 'catch-all']);
    assert.deepEqual(
      t.rows.map((r) => r.object?.metadata?.name),
      names,
    );
    // The caller's list is left as it was.
    assert.equal(objs[0]!.metadata?.name, 'catch-all');
  });
});

/** iso renders NOW plus ms (negative: the past) with millisecond precision, as Go's time.Now().Add. */
const at = (ms: number): string => new Date(NOW.getTime() + ms).toISOString();
const NAMESPACE = gvk('', 'v1', 'Namespace');
suite(
  'translateTimestampSince and duration.HumanDuration (TestTranslateTimestampSince, TestHumanDuration) through printNamespace',
  NAMESPACE,
  (
    [
      ['a while from now', at(2100), '<invalid>'],
      ['almost now', at(1900), '0s'],
      ['now', at(0), '0s'],
      ['unknown', undefined, '<unknown>'],
      ['30 seconds ago', at(-30e3), '30s'],
      ['119 seconds ago', at(-119e3), '119s'],
      ['5 minutes ago', at(-300e3), '5m'],
      ['5m10s ago', at(-310e3), '5m10s'],
      ['an hour ago', at(-6e6), '100m'],
      ['3h12m ago', at(-(3 * 3600 + 12 * 60) * 1000), '3h12m'],
      ['8 hours ago', at(-8 * 3600e3), '8h'],
      ['47 hours ago', at(-47 * 3600e3), '47h'],
      ['2 days ago', at(-2 * DAY * 1000), '2d'],
      ['2d3h ago', at(-(2 * DAY + 3 * 3600) * 1000), '2d3h'],
      ['months ago', at(-90 * DAY * 1000), '90d'],
      ['2y100d ago', at(-(2 * 365 + 100) * DAY * 1000), '2y100d'],
      ['10 years ago', at(-10 * 365 * DAY * 1000), '10y'],
    ] as const
  ).map(([name, ts, age]) => ({
    name: `${name}: ${age}`,
    obj: { metadata: { name: 'ns', ...(ts ? { creationTimestamp: ts } : {}) }, status: { phase: 'Active' } },
    cells: ['ns', 'Active', age],
  })),
);
