/**
 * The small in-tree plugins: PrioritySort, SchedulingGates, NodeName, NodeUnschedulable,
 * NodePorts and DefaultBinder, with upstream's names, reasons and codes.
 */
import { Code, Status } from '../framework/status.js';
import type { CycleState } from '../framework/cycle-state.js';
import type {
  BindPlugin,
  ClusterEventWithHint,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  PreEnqueuePlugin,
  PreFilterPlugin,
  QueuedPodInfo,
  QueueSortPlugin,
} from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { tolerationsTolerateTaint } from '../framework/helpers.js';

export const PrioritySortName = 'PrioritySort';
/** PrioritySort orders by priority (higher first), then by time in the queue (older first). */
export class PrioritySort implements QueueSortPlugin {
  readonly name = PrioritySortName;
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const pa = a.podInfo.priority;
    const pb = b.podInfo.priority;
    return pa > pb || (pa === pb && a.timestamp < b.timestamp);
  }
}

export const SchedulingGatesName = 'SchedulingGates';
/** SchedulingGates keeps pods with spec.schedulingGates out of the active queue. */
export class SchedulingGates implements PreEnqueuePlugin, EnqueueExtensions {
  readonly name = SchedulingGatesName;
  preEnqueue(pod: PodInfo): Status {
    const gates = pod.pod.spec?.schedulingGates ?? [];
    if (gates.length === 0) return Status.success();
    return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g.name).join(' ')}]`);
  }
  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Pod', action: 'Update', label: 'PodSchedulingGatesEliminated' } }];
  }
}

export const NodeNameName = 'NodeName';
export const ErrReasonNodeName = "node(s) didn't match the requested node name";
/** NodeName: a pod with spec.nodeName only fits that node (the scheduler normally never sees one). */
export class NodeName implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NodeNameName;
  /** preFilter skips Filter for pods without spec.nodeName (every node would pass), so it is not called per node. */
  preFilter(_s: CycleState, pod: PodInfo): { status: Status } {
    return { status: pod.pod.spec?.nodeName ? Status.success() : Status.skip() };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return Status.success();
    return Status.unresolvable(ErrReasonNodeName);
  }
  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', action: 'Add' } }];
  }
}

export const NodeUnschedulableName = 'NodeUnschedulable';
export const ErrReasonUnschedulable = 'node(s) were unschedulable';
const unschedulableTaint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
/** NodeUnschedulable rejects cordoned nodes unless the pod tolerates the unschedulable taint. */
export class NodeUnschedulable implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NodeUnschedulableName;
  constructor(private readonly handle: Handle) {}
  /** preFilter skips Filter (every node would pass) while no node is cordoned or the pod tolerates the unschedulable taint. */
  preFilter(_s: CycleState, pod: PodInfo): { status: Status } {
    const pass = this.handle.snapshot.unschedulableNodeCount() === 0 || tolerationsTolerateTaint(pod.pod.spec?.tolerations ?? [], unschedulableTaint);
    return { status: pass ? Status.skip() : Status.success() };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.unschedulable) return Status.success();
    if (tolerationsTolerateTaint(pod.pod.spec?.tolerations ?? [], unschedulableTaint)) return Status.success();
    return Status.unresolvable(ErrReasonUnschedulable);
  }
  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'Update' } },
    ];
  }
}

export const NodePortsName = 'NodePorts';
export const ErrReasonNodePorts = "node(s) didn't have free ports for the requested pod ports";
/** NodePorts rejects nodes where a requested host port (or a hostNetwork container port) is taken. */
export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NodePortsName;
  preFilter(_s: CycleState, pod: PodInfo): { status: Status } {
    return { status: pod.hostPorts.length === 0 ? Status.skip() : Status.success() };
  }
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status {
    return node.portsConflict(pod.hostPorts) ? Status.unschedulable(ErrReasonNodePorts) : Status.success();
  }
  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'AssignedPod', action: 'Delete' } },
      { event: { resource: 'Node', action: 'Add' } },
    ];
  }
}

export const DefaultBinderName = 'DefaultBinder';
/** DefaultBinder binds through the pods/binding subresource. */
export class DefaultBinder implements BindPlugin {
  readonly name = DefaultBinderName;
  constructor(private readonly handle: Handle) {}
  async bind(_s: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    try {
      await this.handle.client.bind(pod.pod, nodeName);
      return Status.success();
    } catch (err) {
      return new Status(Code.Error, [err instanceof Error ? err.message : String(err)], err instanceof Error ? err : undefined);
    }
  }
}
