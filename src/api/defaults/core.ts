/**
 * core/v1 defaulting as upstream's pkg/apis/core/v1/defaults.go, plus the v1 conversion quirks
 * that show in every stored object (serviceAccount mirrors serviceAccountName, Secret stringData
 * merged into data, containers always carry `resources: {}`).
 */
import type {
  Container,
  Endpoints,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicationController,
  Secret,
  Service,
  Volume,
} from 'kubernetes-types/core/v1.js';
import { Quantity } from '../quantity.js';

type Obj = Record<string, unknown>;

/**
 * canonicalQuantity rewrites a quantity as upstream serializes every resource.Quantity: a string
 * in canonical form (`cpu: 0.5` → "500m", `memory: 1024Mi` → "1Gi", `cpu: 1` → "1"). Malformed
 * values are left for validation to report.
 */
export function canonicalQuantity(v: unknown): unknown {
  if (typeof v !== 'string' && typeof v !== 'number') return v;
  try {
    return Quantity.parse(v).toString();
  } catch {
    return v;
  }
}

/** canonicalQuantities applies canonicalQuantity to each value of a ResourceList, in place. */
export function canonicalQuantities(list: unknown): void {
  if (!list || typeof list !== 'object' || Array.isArray(list)) return;
  const m = list as Record<string, unknown>;
  for (const k of Object.keys(m)) m[k] = canonicalQuantity(m[k]);
}

function canonicalRequirements(r: unknown): void {
  if (!r || typeof r !== 'object') return;
  canonicalQuantities((r as Obj)['limits']);
  canonicalQuantities((r as Obj)['requests']);
}

function canonicalDivisor(ref: { divisor?: unknown } | undefined): void {
  if (ref && ref.divisor !== undefined) ref.divisor = canonicalQuantity(ref.divisor) as string;
}

/** imagePullPolicyFor: Always for `:latest` or an untagged image, else IfNotPresent (digests included). */
export function imagePullPolicyFor(image: string | undefined): 'Always' | 'IfNotPresent' {
  const img = image ?? '';
  if (!img || img.includes('@')) return 'IfNotPresent';
  const lastSlash = img.lastIndexOf('/');
  const name = img.slice(lastSlash + 1);
  const colon = name.lastIndexOf(':');
  const repo = colon >= 0 ? img.slice(0, lastSlash + 1 + colon) : img;
  // An unparseable reference has no tag upstream, so it gets IfNotPresent.
  const path = repo.includes('/') && /[.:]|^localhost$/.test(repo.slice(0, repo.indexOf('/'))) ? repo.slice(repo.indexOf('/') + 1) : repo;
  if (/[A-Z]/.test(path)) return 'IfNotPresent';
  const tag = colon >= 0 ? name.slice(colon + 1) : 'latest';
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: Obj | undefined): void {
  if (!h) return;
  const http = h['httpGet'] as Obj | undefined;
  if (http) {
    if (!http['path']) http['path'] = '/';
    if (!http['scheme']) http['scheme'] = 'HTTP';
  }
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= 1;
  p.periodSeconds ||= 10;
  p.successThreshold ||= 1;
  p.failureThreshold ||= 3;
  defaultHandler(p as unknown as Obj);
  if (p.grpc && p.grpc.service === undefined) p.grpc.service = '';
}

function defaultContainer(c: Container): void {
  if (!c.imagePullPolicy) c.imagePullPolicy = imagePullPolicyFor(c.image);
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  // ResourceRequirements is a value struct upstream: it always serializes, if only as {}.
  if (!c.resources) c.resources = {};
  canonicalRequirements(c.resources);
  for (const port of c.ports ?? []) if (!port.protocol) port.protocol = 'TCP';
  for (const ev of c.env ?? []) {
    const fr = ev.valueFrom?.fieldRef;
    if (fr && !fr.apiVersion) fr.apiVersion = 'v1';
    const rf = ev.valueFrom?.resourceFieldRef;
    if (rf && rf.divisor === undefined) rf.divisor = '0';
    canonicalDivisor(rf);
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart as unknown as Obj | undefined);
  defaultHandler(c.lifecycle?.preStop as unknown as Obj | undefined);
}

const volumeSources = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs', 'persistentVolumeClaim', 'rbd',
  'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk',
  'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

function defaultVolume(v: Volume): void {
  const src = v as unknown as Obj;
  if (!volumeSources.some((k) => src[k] !== undefined && src[k] !== null)) v.emptyDir = {};
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = '';
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = 0o644;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = 0o644;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = 0o644;
    for (const item of v.downwardAPI.items ?? []) {
      if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
      if (item.resourceFieldRef && item.resourceFieldRef.divisor === undefined) item.resourceFieldRef.divisor = '0';
      canonicalDivisor(item.resourceFieldRef);
    }
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = 0o644;
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken && s.serviceAccountToken.expirationSeconds === undefined) s.serviceAccountToken.expirationSeconds = 3600;
      for (const item of s.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
    }
  }
  if (v.iscsi) {
    if (!v.iscsi.iscsiInterface) v.iscsi.iscsiInterface = 'default';
  }
  if (v.rbd) {
    if (!v.rbd.pool) v.rbd.pool = 'rbd';
    if (!v.rbd.user) v.rbd.user = 'admin';
    if (!v.rbd.keyring) v.rbd.keyring = '/etc/ceph/keyring';
  }
  if (v.azureDisk) {
    if (v.azureDisk.cachingMode === undefined) v.azureDisk.cachingMode = 'ReadWrite';
    if (v.azureDisk.kind === undefined) v.azureDisk.kind = 'Shared';
    if (v.azureDisk.fsType === undefined) v.azureDisk.fsType = 'ext4';
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
  }
  if (v.scaleIO) {
    if (!v.scaleIO.storageMode) v.scaleIO.storageMode = 'ThinProvisioned';
    if (!v.scaleIO.fsType) v.scaleIO.fsType = 'xfs';
  }
  if (v.ephemeral?.volumeClaimTemplate?.spec) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
  if (v.emptyDir && v.emptyDir.sizeLimit !== undefined) v.emptyDir.sizeLimit = canonicalQuantity(v.emptyDir.sizeLimit) as string;
}

/** defaultPodSpec applies SetDefaults_PodSpec and everything nested (containers, volumes, probes). */
export function defaultPodSpec(s: PodSpec | undefined): void {
  if (!s) return;
  if (!s.dnsPolicy) s.dnsPolicy = 'ClusterFirst';
  if (!s.restartPolicy) s.restartPolicy = 'Always';
  if (!s.securityContext) s.securityContext = {};
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) s.terminationGracePeriodSeconds = 30;
  if (!s.schedulerName) s.schedulerName = 'default-scheduler';
  // The v1 conversion keeps the deprecated serviceAccount field equal to serviceAccountName.
  if (!s.serviceAccountName && s.serviceAccount) s.serviceAccountName = s.serviceAccount;
  if (s.serviceAccountName) s.serviceAccount = s.serviceAccountName;
  for (const c of s.containers ?? []) defaultContainer(c);
  for (const c of s.initContainers ?? []) defaultContainer(c);
  for (const c of s.ephemeralContainers ?? []) defaultContainer(c as unknown as Container);
  for (const v of s.volumes ?? []) defaultVolume(v);
  canonicalQuantities(s.overhead);
  canonicalRequirements((s as unknown as Obj)['resources']);
}

/**
 * zeroEmbeddedMeta gives an embedded ObjectMeta (pod templates, job templates, claim templates)
 * the `creationTimestamp: null` that upstream's Go serializer always writes for a value struct.
 */
export function zeroEmbeddedMeta(holder: { metadata?: object } | undefined): void {
  if (!holder) return;
  const m = (holder.metadata ??= {}) as Record<string, unknown>;
  if (!('creationTimestamp' in m)) m['creationTimestamp'] = null;
}

/** defaultPodTemplateSpec: pod templates get PodSpec defaults but not Pod-only ones. */
export function defaultPodTemplateSpec(t: PodTemplateSpec | undefined): void {
  if (!t) return;
  zeroEmbeddedMeta(t);
  defaultPodSpec(t.spec);
}

function requestsFromLimits(cs: Container[] | undefined): void {
  for (const c of cs ?? []) {
    const limits = c.resources?.limits;
    if (!limits) continue;
    c.resources!.requests ??= {};
    for (const [k, v] of Object.entries(limits)) if (!(k in c.resources!.requests)) c.resources!.requests[k] = v;
  }
}

function hostNetworkPorts(cs: Container[] | undefined): void {
  for (const c of cs ?? []) for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
}

export function defaultPod(pod: Pod): void {
  pod.spec ??= { containers: [] };
  defaultPodSpec(pod.spec);
  requestsFromLimits(pod.spec.containers);
  requestsFromLimits(pod.spec.initContainers);
  if (pod.spec.enableServiceLinks === undefined || pod.spec.enableServiceLinks === null) pod.spec.enableServiceLinks = true;
  if (pod.spec.hostNetwork) {
    hostNetworkPorts(pod.spec.containers);
    hostNetworkPorts(pod.spec.initContainers);
  }
}

export function defaultPodTemplate(pt: { template?: PodTemplateSpec }): void {
  defaultPodTemplateSpec(pt.template);
}

export function defaultReplicationController(rc: ReplicationController): void {
  rc.spec ??= {};
  const s = rc.spec;
  const labels = s.template?.metadata?.labels;
  if (labels) {
    if (!s.selector || Object.keys(s.selector).length === 0) s.selector = { ...labels };
    rc.metadata ??= {};
    if (!rc.metadata.labels || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  if (s.replicas === undefined || s.replicas === null) s.replicas = 1;
  defaultPodTemplateSpec(s.template);
}

// ---- Service ----

export function defaultService(svc: Service): void {
  // LoadBalancerIPMode (beta, on in v1.32) defaults an ingress IP's mode to VIP.
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) if (ing.ip && !ing.ipMode) ing.ipMode = 'VIP';
  svc.spec ??= {};
  const s = svc.spec;
  if (!s.sessionAffinity) s.sessionAffinity = 'None';
  if (s.sessionAffinity === 'None') delete s.sessionAffinityConfig;
  if (s.sessionAffinity === 'ClientIP' && s.sessionAffinityConfig?.clientIP?.timeoutSeconds === undefined) {
    s.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  if (!s.type) s.type = 'ClusterIP';
  for (const p of s.ports ?? []) {
    if (!p.protocol) p.protocol = 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);
  if (externallyAccessible && !s.externalTrafficPolicy) s.externalTrafficPolicy = 'Cluster';
  if (!s.internalTrafficPolicy && (s.type === 'NodePort' || s.type === 'LoadBalancer' || s.type === 'ClusterIP')) s.internalTrafficPolicy = 'Cluster';
  if (s.type === 'LoadBalancer' && (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)) s.allocateLoadBalancerNodePorts = true;
  // IP family fields are filled by the apiserver's allocator upstream; a single-stack IPv4
  // cluster gives these values.
  if (s.type !== 'ExternalName') {
    // As the service strategy's NormalizeClusterIPs: a lone clusterIP (an old client) also fills
    // clusterIPs; the reverse is not done, validation reports it.
    if (s.clusterIP && (!s.clusterIPs || s.clusterIPs.length === 0)) s.clusterIPs = [s.clusterIP];
    const headlessSelectorless = s.clusterIP === 'None' && (!s.selector || Object.keys(s.selector).length === 0);
    if (!s.ipFamilyPolicy) s.ipFamilyPolicy = headlessSelectorless ? 'RequireDualStack' : 'SingleStack';
    if (!s.ipFamilies || s.ipFamilies.length === 0) {
      s.ipFamilies = headlessSelectorless || s.ipFamilyPolicy === 'RequireDualStack' ? ['IPv4', 'IPv6'] : ['IPv4'];
    }
  }
}

// ---- others ----

export function defaultNamespace(ns: Namespace): void {
  ns.metadata ??= {};
  if (ns.metadata.name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': ns.metadata.name };
  if (ns.status && !ns.status.phase) ns.status.phase = 'Active';
}

/** base64 of a UTF-8 string, without Node's Buffer (src/api stays runtime-neutral). */
function toBase64(s: string): string {
  const bytes = new TextEncoder().encode(s);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

export function defaultSecret(sec: Secret): void {
  if (!sec.type) sec.type = 'Opaque';
  // The v1 conversion folds write-only stringData into data (stringData wins).
  if (sec.stringData) {
    sec.data ??= {};
    for (const [k, v] of Object.entries(sec.stringData)) sec.data[k] = toBase64(String(v));
    delete sec.stringData;
  }
}

export function defaultEndpoints(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) if (!p.protocol) p.protocol = 'TCP';
}

export function defaultNode(node: Node): void {
  canonicalQuantities(node.status?.capacity);
  canonicalQuantities(node.status?.allocatable);
  if (node.status?.capacity && !node.status.allocatable) node.status.allocatable = { ...node.status.capacity };
}

export function defaultPersistentVolume(pv: PersistentVolume): void {
  pv.spec ??= {};
  if (!pv.spec.persistentVolumeReclaimPolicy) pv.spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!pv.spec.volumeMode) pv.spec.volumeMode = 'Filesystem';
  const w = pv as { status?: { phase?: string } };
  w.status ??= {};
  if (!w.status.phase) w.status.phase = 'Pending';
  if (pv.spec.hostPath && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = '';
  canonicalQuantities(pv.spec.capacity);
}

function defaultPVCSpec(s: NonNullable<PersistentVolumeClaim['spec']>): void {
  if (!s.volumeMode) s.volumeMode = 'Filesystem';
  canonicalRequirements(s.resources);
}

export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  defaultPVCSpec(pvc.spec);
  const w = pvc as { status?: { phase?: string; capacity?: unknown; allocatedResources?: unknown } };
  w.status ??= {};
  if (!w.status.phase) w.status.phase = 'Pending';
  canonicalQuantities(w.status.capacity);
  canonicalQuantities(w.status.allocatedResources);
}

export function defaultLimitRange(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) canonicalQuantities(item[k]);
    if (item.type !== 'Container') continue;
    const def: Record<string, string> = { ...(item.default ?? {}) };
    const defReq: Record<string, string> = { ...(item.defaultRequest ?? {}) };
    for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(defReq).length) item.defaultRequest = defReq;
  }
}

/**
 * defaultEvent shapes a core/v1 Event as v1.32's Go serializer writes it: the value-typed fields
 * without omitempty are always present (`reportingComponent: ""`, `source: {}`, `eventTime: null`).
 */
export function defaultEvent(ev: Record<string, unknown>): void {
  if (ev['eventTime'] === undefined) ev['eventTime'] = null;
  if (ev['firstTimestamp'] === undefined) ev['firstTimestamp'] = null;
  if (ev['lastTimestamp'] === undefined) ev['lastTimestamp'] = null;
  if (ev['reportingComponent'] === undefined) ev['reportingComponent'] = '';
  if (ev['reportingInstance'] === undefined) ev['reportingInstance'] = '';
  if (ev['source'] === undefined) ev['source'] = {};
  if (ev['involvedObject'] === undefined) ev['involvedObject'] = {};
}

/** defaultResourceQuota: ResourceQuotaSpec is a value struct, so `spec: {}` is always written. */
export function defaultResourceQuota(rq: Record<string, unknown>): void {
  if (rq['spec'] === undefined) rq['spec'] = {};
  canonicalQuantities((rq['spec'] as Obj)['hard']);
  const st = rq['status'] as Obj | undefined;
  canonicalQuantities(st?.['hard']);
  canonicalQuantities(st?.['used']);
}
