/**
 * Validation of API objects as upstream's pkg/apis/<group>/validation: each function returns the
 * list of field errors (empty when valid); the apiserver turns a non-empty list into 422 Invalid
 * with `invalid()` from ../errors.ts. Objects arrive in their v1 wire shape, after defaulting.
 *
 * Kinds without a registered validator (custom resources, unknown kinds) validate to [].
 *
 * The apiserver's order, as upstream's registry: decode → applyDefaults (../defaults) → on create
 * assign name/uid/creationTimestamp, mutating admission, then prepareForCreate → validateCreate;
 * on update prepareForUpdate / prepareForStatusUpdate → validateUpdate / validateStatusUpdate.
 * An update without metadata.resourceVersion is accepted here (upstream's store fills it in).
 */
import { field, type FieldError, Path } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { validatePathSegmentName } from './names.js';
import { registry, type KindValidator } from './registry.js';

export type { KindValidator } from './registry.js';
export { GoValue, goLabelSelector, goStringMap, goStringSlice } from './govalue.js';
export { validateObjectMeta, validateObjectMetaUpdate, validateLabelSelector, selectorMatches } from './meta.js';
export * as names from './names.js';
export { validatePodEphemeralContainersUpdate } from './pod.js';
export { validateNamespaceFinalizeUpdate } from './core.js';
export { validateCSIDriverName } from './csi.js';

function lookup(gvk: GroupVersionKind): KindValidator | undefined {
  return registry.get(`${gvk.group}/${gvk.kind}`);
}

const clusterScoped = new Set([
  '/Namespace', '/Node', '/PersistentVolume', 'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment', 'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
]);

/**
 * genericMeta is the check every upstream registry runs after the kind's own validation passed
 * (rest.BeforeCreate): names must be URL path segments and namespaces follow the kind's scope.
 * It matters for kinds whose validation skips ObjectMeta (core Events, PodDisruptionBudgets).
 */
const genericMeta = (gvk: GroupVersionKind, obj: KubeObject): FieldError[] =>
  validateObjectMeta(obj.metadata, !clusterScoped.has(`${gvk.group}/${gvk.kind}`), validatePathSegmentName, Path.root('metadata'));

/**
 * guarded runs a validator over input whose field types were not checked: upstream rejects a
 * wrongly typed field while decoding (400), so reaching here with one is the caller's bug; it is
 * reported as a field error rather than thrown.
 */
function guarded(run: () => FieldError[]): FieldError[] {
  try {
    return run();
  } catch (e) {
    if (e instanceof TypeError) return [field.internal(Path.root('<object>'), new Error(`malformed object: ${e.message}`))];
    throw e;
  }
}

/** validateCreate checks a new object (after defaulting) of the given kind. */
export function validateCreate(gvk: GroupVersionKind, obj: KubeObject): FieldError[] {
  const v = lookup(gvk);
  if (!v) return [];
  return guarded(() => {
    const errs = v.create(obj);
    return errs.length > 0 ? errs : genericMeta(gvk, obj);
  });
}

/** validateUpdate checks an update of `old` to `obj` (spec and metadata; immutable fields). */
export function validateUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): FieldError[] {
  const v = lookup(gvk);
  if (!v) return [];
  return guarded(() => {
    const errs = v.update ? v.update(obj, old) : v.create(obj);
    return errs.length > 0 ? errs : validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata'));
  });
}

/** validateStatusUpdate checks a write to the status subresource. */
export function validateStatusUpdate(gvk: GroupVersionKind, obj: KubeObject, old: KubeObject): FieldError[] {
  const v = lookup(gvk);
  if (!v) return [];
  return guarded(() => {
    const errs = v.status ? v.status(obj, old) : v.update ? v.update(obj, old) : v.create(obj);
    return errs.length > 0 ? errs : validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata'));
  });
}
