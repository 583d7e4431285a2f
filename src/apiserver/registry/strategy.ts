/**
 * Per-resource behaviour of the generic store, as upstream's REST strategies
 * (pkg/registry/<group>/<resource>/strategy.go): what create and update may set, the spec/status
 * split, create-on-update, TTLs and whether delete returns the object.
 */
import { cloneJSON as clone } from '../../api/patch/index.js';
import type { KubeObject, ResourceInfo } from '../../api/types.js';

type Obj = Record<string, unknown>;

export interface Strategy {
  /** hasStatus: PUT to the resource keeps the stored status; PUT to /status changes only status. */
  hasStatus: boolean;
  allowCreateOnUpdate: boolean;
  /** ttlSeconds makes stored objects expire (Events: 1 h). */
  ttlSeconds?: number;
  /** returnDeletedObject: DELETE answers with the object instead of a Status. */
  returnDeletedObject: boolean;
  prepareForCreate(obj: KubeObject): void;
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
}


/**
 * Resources whose upstream strategy answers AllowCreateOnUpdate true: a PUT to a missing name
 * creates the object (201). Every other resource answers 404 NotFound. Audited against each
 * pkg/registry/<group>/<resource>/strategy.go (strategy.integration.test.ts holds the table).
 */
const CREATE_ON_UPDATE = new Set([
  '/endpoints',
  '/events',
  '/limitranges',
  '/services',
  'node.k8s.io/runtimeclasses',
  'events.k8s.io/events',
  'coordination.k8s.io/leases',
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
]);

/** Kinds whose client-supplied status is kept on create (kubelets create Nodes with status). */
const KEEP_STATUS_ON_CREATE = new Set(['/nodes']);

/** strategyFor returns the strategy of a resource. */
export function strategyFor(r: ResourceInfo): Strategy {
  const id = `${r.group}/${r.resource}`;
  const hasStatus = (r.subresources ?? []).some((s) => s.name === 'status');
  const base: Strategy = {
    hasStatus,
    allowCreateOnUpdate: CREATE_ON_UPDATE.has(id),
    returnDeletedObject: id === '/pods',
    prepareForCreate(obj) {
      if (hasStatus && !KEEP_STATUS_ON_CREATE.has(id)) delete obj.status;
    },
    prepareForUpdate(obj, old) {
      if (hasStatus) {
        if (old.status === undefined) delete obj.status;
        else obj.status = clone(old.status);
      }
    },
  };
  if (id === '/events' || id === 'events.k8s.io/events') base.ttlSeconds = 3600;
  switch (id) {
    case '/pods':
      base.prepareForCreate = (obj) => {
        obj.status = { phase: 'Pending', qosClass: podQOSClass(obj) };
      };
      break;
    case '/namespaces':
      base.prepareForCreate = (obj) => {
        const spec = (obj.spec ?? {}) as Obj;
        const fins = (spec.finalizers as string[] | undefined) ?? [];
        if (!fins.includes('kubernetes')) fins.push('kubernetes');
        obj.spec = { ...spec, finalizers: fins };
        obj.status = { phase: 'Active' };
        namespaceNameLabel(obj);
      };
      base.prepareForUpdate = (obj, old) => {
        namespaceNameLabel(obj);
        // spec.finalizers changes only through /finalize; status through /status.
        obj.spec = clone(old.spec);
        obj.status = clone(old.status);
      };
      break;
    case '/persistentvolumes':
    case '/persistentvolumeclaims':
      base.prepareForCreate = (obj) => {
        obj.status = { phase: 'Pending' };
      };
      break;
    case '/services':
      base.prepareForCreate = (obj) => {
        obj.status = { loadBalancer: {} };
      };
      break;
  }
  return base;
}

/**
 * prepareForStatusUpdate keeps everything but status and metadata from the old object. Metadata
 * is the kind's status strategy's to reset (api/defaults prepareForStatusUpdate): upstream's
 * classic kinds let a /status write change labels and annotations (the conformance tests patch
 * an annotation through /status and expect it to stick); the server-owned fields were already
 * taken from the stored object.
 */
export function prepareForStatusUpdate(obj: KubeObject, old: KubeObject): void {
  const status = obj.status;
  const metadata = obj.metadata ?? {};
  for (const k of Object.keys(obj)) delete obj[k];
  // In the stored object's key order. Neither the written metadata nor spec is copied: spec stays
  // shared with old only until the kind's strategy puts its own copy there (every status write).
  for (const k of Object.keys(old)) obj[k] = k === 'metadata' ? metadata : k === 'status' ? status : k === 'spec' ? old[k] : clone(old[k]);
  obj.metadata = metadata;
  if (status === undefined) delete obj.status;
  else obj.status = status;
}

/** podQOSClass computes status.qosClass as upstream's qos.GetPodQOS (cpu and memory only). */
export function podQOSClass(pod: KubeObject): string {
  const spec = (pod.spec ?? {}) as Obj;
  const containers = [...((spec.containers ?? []) as Obj[]), ...((spec.initContainers ?? []) as Obj[])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const res = (c.resources ?? {}) as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
    const req = res.requests ?? {};
    const lim = res.limits ?? {};
    for (const name of ['cpu', 'memory']) {
      const r = req[name] ?? lim[name];
      const l = lim[name];
      if (r !== undefined || l !== undefined) any = true;
      if (l === undefined || String(r) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** namespaceNameLabel sets the immutable `kubernetes.io/metadata.name` label, as upstream. */
function namespaceNameLabel(obj: KubeObject): void {
  const meta = (obj.metadata ??= {});
  if (meta.name) meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name };
}
