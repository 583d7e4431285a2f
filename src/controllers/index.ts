/**
 * src/controllers: kube-controller-manager. Controllers are level-based reconcile functions
 * keyed by `namespace/name` on one shared ControllerRunner (runner.ts); manager.ts selects
 * them from `--controllers` and runs them under leader election.
 */
export { runControllerManager, enabledControllers, knownControllers, type ControllerManagerOptions, type ControllerSettings } from './manager.js';
export { ControllerRunner, watch, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
export { newDeploymentController, type DeploymentControllerOptions } from './deployment.js';
export { newReplicaSetController, newReplicationControllerController, type ReplicaSetControllerOptions } from './replicaset.js';
export { newGarbageCollector, GC_RESOURCES, type GarbageCollectorOptions } from './garbagecollector.js';
export { newNamespaceController, type NamespaceControllerOptions } from './namespace.js';
export { newServiceAccountsController, newRootCACertPublisher, ROOT_CA_CONFIGMAP } from './serviceaccount.js';
export { newEndpointsController } from './endpoints.js';
export { newEndpointSliceController, SERVICE_NAME_LABEL, MANAGED_BY_LABEL, CONTROLLER_NAME as ENDPOINTSLICE_CONTROLLER_NAME, type EndpointSliceControllerOptions } from './endpointslice.js';
export {
  newEndpointSliceMirroringController,
  MIRRORING_CONTROLLER_NAME,
  SKIP_MIRROR_LABEL,
  type EndpointSliceMirroringControllerOptions,
} from './endpointslicemirroring.js';
export { newNodeLifecycleController, tolerates, TAINT_NOT_READY, TAINT_UNREACHABLE, type NodeLifecycleOptions } from './nodelifecycle.js';
export { newPodGCController, type PodGCOptions } from './podgc.js';
export { newNodeIPAMController, parseCIDR, type NodeIPAMOptions } from './nodeipam.js';
export { newPVCProtectionController, podUsesPVC, PVC_PROTECTION_FINALIZER } from './pvcprotection.js';
export { newPVProtectionController, PV_PROTECTION_FINALIZER } from './pvprotection.js';
