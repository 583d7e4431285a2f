/**
 * The table of built-in kinds and their validators, keyed by `<group>/<Kind>` (version-free:
 * every served version of a built-in kind shares the v1 wire shape we validate).
 */
import type * as core from 'kubernetes-types/core/v1.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as c from './core.js';
import * as flowcontrol from './flowcontrol.js';
import { kind, type KindValidator } from './kind.js';
import * as misc from './misc.js';
import * as net from './networking.js';
import { validatePodCreate, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import * as storage from './storage.js';

export type { KindValidator };

export const registry = new Map<string, KindValidator>([
  ['/Pod', kind<core.Pod>(validatePodCreate, validatePodUpdate, validatePodStatusUpdate)],
  ['/Namespace', kind<core.Namespace>(c.validateNamespace, (n, o) => c.metaUpdate(n, o), c.validateNamespaceStatusUpdate)],
  ['/Service', kind<core.Service>(c.validateService, c.validateServiceUpdate, c.validateServiceStatusUpdate)],
  ['/Endpoints', kind<core.Endpoints>(c.validateEndpoints)],
  ['/Node', kind<core.Node>(c.validateNode, c.validateNodeUpdate, c.validateNodeUpdate)],
  ['/ConfigMap', kind<core.ConfigMap>(c.validateConfigMap, c.validateConfigMapUpdate)],
  ['/Secret', kind<core.Secret>(c.validateSecret, c.validateSecretUpdate)],
  ['/ServiceAccount', kind<core.ServiceAccount>(c.validateServiceAccount)],
  ['/Event', kind<core.Event>(c.validateEvent)],
  ['/PersistentVolume', kind<core.PersistentVolume>(c.validatePersistentVolume, c.validatePersistentVolumeUpdate)],
  ['/PersistentVolumeClaim', kind<core.PersistentVolumeClaim>(c.validatePersistentVolumeClaim, c.validatePersistentVolumeClaimUpdate)],
  ['/ResourceQuota', kind<core.ResourceQuota>(c.validateResourceQuota, c.validateResourceQuotaUpdate, c.validateResourceQuotaStatusUpdate)],
  ['/LimitRange', kind<core.LimitRange>(c.validateLimitRange)],
  ['/ReplicationController', kind<core.ReplicationController>(c.validateReplicationController, undefined, (n, o) => [...c.metaUpdate(n, o), ...c.validateReplicationControllerStatus(n)])],
  ['/PodTemplate', kind<core.PodTemplate>(c.validatePodTemplate)],
  ...apps.validators,
  ...batch.validators,
  ...net.validators,
  ...misc.validators,
  ...storage.validators,
  ...flowcontrol.validators,
]);
