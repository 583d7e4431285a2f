/**
 * The k8ts scheduler (upstream: kube-scheduler): the scheduling framework, the in-tree
 * plugins, the KubeSchedulerConfiguration loader and the Scheduler that runs them.
 * Everything else in this folder is private to it.
 */
export { Scheduler, numFeasibleNodesToFind, ErrNoNodesAvailable, type SchedulerOptions, type ScheduleResult, type ExplainNode } from './scheduler.js';
export { loadConfig, resolveConfig, DefaultSchedulerName, defaultMultiPoint, type ResolvedConfig, type ResolvedProfile } from './config/config.js';
export type { KubeSchedulerConfiguration, KubeSchedulerProfile, Plugins, PluginSet, PluginRef } from './config/types.js';
export { Status, Code } from './framework/status.js';
export { CycleState, type StateData } from './framework/cycle-state.js';
export { FitError, renderFitError, type Diagnosis } from './framework/fit-error.js';
export { NodeInfo, PodInfo, podInfoOf, podKey } from './framework/types.js';
export { Resource } from './framework/resource.js';
export type * from './framework/interface.js';
export { MAX_NODE_SCORE, MIN_NODE_SCORE } from './framework/interface.js';
export type { Registry, PluginFactory } from './framework/registry.js';
export { inTreeRegistry } from './plugins/registry.js';
export { MemoryLister, InMemoryCluster } from './memory.js';
export { startScheduler, buildScheduler, apiSchedulerClient, type StartSchedulerOptions } from './run.js';
export { explainPod, formatExplain } from './explain.js';
