/**
 * src/kubelet: the node agent.
 *
 * - `Kubelet` (kubelet.ts): the whole agent for one node against the API; `k8ts kubelet` runs it.
 * - `PodLifecycle` (pods.ts): the API-free pod engine (pod workers, syncPod, termination), fed
 *   pods and reporting through a `PodHost`; usable on its own in tests and simulations.
 * - `NodeAgent` / `NodeHost` (node.ts): Node registration, status and Lease heartbeats for one
 *   or many nodes on one timer heap.
 * - `startKubeletServer` (server.ts): the kubelet HTTP API (logs, exec, attach, port-forward;
 *   WebSocket channel protocols and SPDY/3.1 port-forward from spdy.ts).
 * - Runtimes (runtime/): the CRI-shaped `RuntimeService` with `process` and `simulated`; the
 *   process runtime's pods get their own network namespace and pod-CIDR IP with `CniNetwork`
 *   (runtime/cni.ts, `--network cni`) and a TTY for `exec -t` through python's pty (runtime/pty.ts).
 * - Building blocks with their own tests: TimerHeap, Backoff, env expansion, volumes, probes,
 *   pod status generation, active deadlines (activedeadline.ts: when spec.activeDeadlineSeconds
 *   fails a pod, which PodLifecycle enforces on every runtime).
 */
export { Kubelet, type KubeletOptions } from './kubelet.js';
export { PodLifecycle, type PodHost, type PodLifecycleOptions, labels as containerLabels, annotations as containerAnnotations } from './pods.js';
export { NodeAgent, NodeHost, buildNodeStatus, nodeConditions, nodePressure, nodeLabels, hostCapacity, KUBELET_VERSION, type NodeConfig, type NodeHostOptions, type NodePressure } from './node.js';
export { StatusManager, type StatusManagerOptions, type PatchObserver } from './statusmanager.js';
export { SimulatedNodes, type SimulatedNodesOptions, type PodTrace } from './simnodes.js';
export { kubeletClients, type KubeletClients } from './clients.js';
export { ApiSources } from './sources.js';
export { startKubeletServer, type KubeletServer, type KubeletServerOptions } from './server.js';
export { readStaticPods, staticPod, mirrorPodFor, isMirrorPod } from './staticpods.js';
export { TimerHeap, type TimerHandle } from './timerheap.js';
export { realClock, FakeClock, type Clock } from './clock.js';
export { Backoff } from './backoff.js';
export { DEADLINE_EXCEEDED, activeDeadlineAt, pastActiveDeadline, startTimeMs } from './activedeadline.js';
export { generatePodStatus, getPhase, qosClass, shouldContainerBeRestarted, type RuntimeContainer, type PodStatusInput } from './status.js';
export { makeEnvironmentVariables, serviceEnvVars, expandContainerCommand, EnvError, type EnvSources } from './envvars.js';
export { expand, mappingFuncFor } from './expansion.js';
export { readLogs, parseCriLine, type LogOptions } from './logs.js';
export { SpdySession, SpdyStream, SPDY_DICTIONARY } from './spdy.js';
export * from './runtime/index.js';
export * from './volumes/index.js';
export * from './prober/index.js';
