/** inTreeRegistry: every built-in plugin by its upstream name. */
import type { PluginFactory, Registry } from '../framework/registry.js';
import { DefaultBinder, NodeName, NodeNameName, NodePorts, NodePortsName, NodeUnschedulable, NodeUnschedulableName, PrioritySort, PrioritySortName, SchedulingGates, SchedulingGatesName, DefaultBinderName } from './basic.js';
import { DefaultPreemption, DefaultPreemptionName, type DefaultPreemptionArgs } from './default-preemption.js';
import { ImageLocality, ImageLocalityName } from './image-locality.js';
import { InterPodAffinity, InterPodAffinityName, type InterPodAffinityArgs } from './inter-pod-affinity.js';
import { NodeAffinity, NodeAffinityName, type NodeAffinityArgs } from './node-affinity.js';
import {
  NodeResourcesBalancedAllocation,
  NodeResourcesBalancedAllocationName,
  NodeResourcesFit,
  NodeResourcesFitName,
  type NodeResourcesBalancedAllocationArgs,
  type NodeResourcesFitArgs,
} from './node-resources.js';
import { PodTopologySpread, PodTopologySpreadName, type PodTopologySpreadArgs } from './pod-topology-spread.js';
import { TaintToleration, TaintTolerationName } from './taint-toleration.js';
import { VolumeBinding, VolumeBindingName } from './volume-binding.js';

export const inTreeRegistry: Registry = new Map<string, PluginFactory>([
  [PrioritySortName, () => new PrioritySort()],
  [SchedulingGatesName, () => new SchedulingGates()],
  [NodeNameName, () => new NodeName()],
  [NodeUnschedulableName, (_args, h) => new NodeUnschedulable(h)],
  [NodePortsName, () => new NodePorts()],
  [TaintTolerationName, (_args, h) => new TaintToleration(h)],
  [NodeAffinityName, (args) => new NodeAffinity(args as NodeAffinityArgs | undefined)],
  [NodeResourcesFitName, (args) => new NodeResourcesFit(args as NodeResourcesFitArgs | undefined)],
  [NodeResourcesBalancedAllocationName, (args) => new NodeResourcesBalancedAllocation(args as NodeResourcesBalancedAllocationArgs | undefined)],
  [ImageLocalityName, (_args, h) => new ImageLocality(h)],
  [InterPodAffinityName, (args, h) => new InterPodAffinity(args as InterPodAffinityArgs | undefined, h)],
  [PodTopologySpreadName, (args, h) => new PodTopologySpread(args as PodTopologySpreadArgs | undefined, h)],
  [VolumeBindingName, (_args, h) => new VolumeBinding(h)],
  [DefaultPreemptionName, (args, h) => new DefaultPreemption(args as DefaultPreemptionArgs | undefined, h)],
  [DefaultBinderName, (_args, h) => new DefaultBinder(h)],
]);
