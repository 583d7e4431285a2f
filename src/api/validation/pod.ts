/**
 * Pod and pod-template validation as upstream's pkg/apis/core/validation (ValidatePodSpec and
 * friends), on the v1 wire shape. Order of checks follows upstream so the aggregated 422
 * message lists errors in the same order.
 */
import type {
  Affinity,
  Container,
  EnvFromSource,
  EnvVar,
  NodeSelector,
  NodeSelectorRequirement,
  Pod,
  PodAffinityTerm,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Toleration,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { validateCSIDriverName } from './csi.js';
import { deepEqual, isNegativeErrorMsg, str, validateAnnotations, validateLabelName, validateLabels, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  inclusiveRangeError,
  ipErrors,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidID,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './names.js';
import { Quantity } from '../quantity.js';
import { validateResourceRequirements } from './resources.js';
import { diffLines } from './diff.js';
import { GoValue, goStringSlice } from './govalue.js';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const protocols = ['SCTP', 'TCP', 'UDP'];

const nonNegative = (v: unknown, p: Path): FieldError[] => (typeof v === 'number' && v < 0 ? [field.invalid(p, v, isNegativeErrorMsg)] : []);
const dns1123Label = (v: string, p: Path): FieldError[] => isDNS1123Label(v).map((m) => field.invalid(p, v, m));
const dns1123Subdomain = (v: string, p: Path): FieldError[] => isDNS1123Subdomain(v).map((m) => field.invalid(p, v, m));

/** validatePortNumOrName checks an IntOrString port (probes, targetPort). */
export function validatePortNumOrName(port: unknown, p: Path): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => field.invalid(p, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => field.invalid(p, port, m));
  return isValidPortNum(0).map((m) => field.invalid(p, 0, m));
}

// ---- volumes ----

function validateKeyToPath(kp: { key?: string; path?: string; mode?: number }, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!kp.key) errs.push(field.required(p.child('key'), ''));
  if (!kp.path) errs.push(field.required(p.child('path'), ''));
  errs.push(...validateLocalNonReservedPath(str(kp.path), p.child('path')));
  if (kp.mode !== undefined && (kp.mode > 0o777 || kp.mode < 0)) errs.push(field.invalid(p.child('mode'), kp.mode, fileModeErrorMsg));
  return errs;
}

function validatePathNoBacksteps(target: string, p: Path): FieldError[] {
  return target.split('/').includes('..') ? [field.invalid(p, target, "must not contain '..'")] : [];
}

function validateLocalDescendingPath(target: string, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(field.invalid(p, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, p));
  return errs;
}

function validateLocalNonReservedPath(target: string, p: Path): FieldError[] {
  const errs = validateLocalDescendingPath(target, p);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(field.invalid(p, target, "must not start with '..'"));
  return errs;
}

const defaultModeErr = (mode: number | undefined, p: Path): FieldError[] =>
  mode !== undefined && (mode > 0o777 || mode < 0) ? [field.invalid(p.child('defaultMode'), mode, fileModeErrorMsg)] : [];

const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateVolumeSource(v: Volume, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const src = v as unknown as Record<string, unknown>;
  const one = (key: string, check: () => FieldError[]): void => {
    if (src[key] === undefined || src[key] === null) return;
    if (n > 0) {
      errs.push(field.forbidden(p.child(key), 'may not specify more than 1 volume type'));
      return;
    }
    n++;
    errs.push(...check());
  };
  one('emptyDir', () => {
    const limit = v.emptyDir!.sizeLimit;
    if (limit === undefined || limit === null) return [];
    let q: Quantity;
    try {
      q = Quantity.parse(limit);
    } catch {
      return []; // an unparsable quantity fails decoding (400) before validation upstream
    }
    return q.sign() < 0 ? [field.forbidden(p.child('emptyDir', 'sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  });
  one('hostPath', () => {
    const hp = v.hostPath!;
    if (!hp.path) return [field.required(p.child('hostPath', 'path'), '')];
    const e = validatePathNoBacksteps(hp.path, p.child('hostPath', 'path'));
    if (hp.type !== undefined && !hostPathTypes.includes(hp.type)) e.push(field.notSupported(p.child('hostPath', 'type'), hp.type, hostPathTypes));
    return e;
  });
  one('gitRepo', () => {
    const e: FieldError[] = [];
    if (!v.gitRepo!.repository) e.push(field.required(p.child('gitRepo', 'repository'), ''));
    e.push(...validateLocalDescendingPath(str(v.gitRepo!.directory), p.child('gitRepo', 'directory')));
    return e;
  });
  one('gcePersistentDisk', () => (v.gcePersistentDisk!.pdName ? [] : [field.required(p.child('persistentDisk', 'pdName'), '')]));
  one('awsElasticBlockStore', () => (v.awsElasticBlockStore!.volumeID ? [] : [field.required(p.child('awsElasticBlockStore', 'volumeID'), '')]));
  one('secret', () => {
    const s = v.secret!;
    const sp = p.child('secret');
    const e: FieldError[] = [];
    if (!s.secretName) e.push(field.required(sp.child('secretName'), ''));
    e.push(...defaultModeErr(s.defaultMode, sp));
    (s.items ?? []).forEach((kp, i) => e.push(...validateKeyToPath(kp, sp.child('items').index(i))));
    return e;
  });
  one('nfs', () => {
    const e: FieldError[] = [];
    const np = p.child('nfs');
    if (!v.nfs!.server) e.push(field.required(np.child('server'), ''));
    if (!v.nfs!.path) e.push(field.required(np.child('path'), ''));
    if (!str(v.nfs!.path).startsWith('/')) e.push(field.invalid(np.child('path'), str(v.nfs!.path), 'must be an absolute path'));
    return e;
  });
  one('iscsi', () => []);
  one('glusterfs', () => []);
  one('flocker', () => []);
  one('persistentVolumeClaim', () => (v.persistentVolumeClaim!.claimName ? [] : [field.required(p.child('persistentVolumeClaim', 'claimName'), '')]));
  one('rbd', () => []);
  one('cinder', () => []);
  one('cephfs', () => []);
  one('quobyte', () => []);
  one('downwardAPI', () => {
    const dp = p.child('downwardAPI');
    const e = defaultModeErr(v.downwardAPI!.defaultMode, dp);
    for (const f of v.downwardAPI!.items ?? []) {
      if (!f.path) e.push(field.required(dp.child('path'), ''));
      e.push(...validateLocalNonReservedPath(str(f.path), dp.child('path')));
      // Upstream's validateDownwardAPIVolumeFile reports against the volume source's path, not the item's.
      if (f.fieldRef) {
        e.push(...validateObjectFieldSelector(f.fieldRef, volumeFieldPaths, dp.child('fieldRef')));
        if (f.resourceFieldRef) e.push(field.invalid(dp, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
      } else if (!f.resourceFieldRef) e.push(field.required(dp, 'one of fieldRef and resourceFieldRef is required'));
      if (f.mode !== undefined && (f.mode > 0o777 || f.mode < 0)) e.push(field.invalid(dp.child('mode'), f.mode, fileModeErrorMsg));
    }
    return e;
  });
  one('fc', () => []);
  one('flexVolume', () => (v.flexVolume!.driver ? [] : [field.required(p.child('flexVolume', 'driver'), '')]));
  one('configMap', () => {
    const c = v.configMap!;
    const cp = p.child('configMap');
    const e: FieldError[] = [];
    if (!c.name) e.push(field.required(cp.child('name'), ''));
    e.push(...defaultModeErr(c.defaultMode, cp));
    (c.items ?? []).forEach((kp, i) => e.push(...validateKeyToPath(kp, cp.child('items').index(i))));
    return e;
  });
  one('azureFile', () => []);
  one('vsphereVolume', () => []);
  one('photonPersistentDisk', () => []);
  one('portworxVolume', () => []);
  one('azureDisk', () => []);
  one('storageos', () => []);
  one('projected', () => {
    const pp = p.child('projected');
    const e = defaultModeErr(v.projected!.defaultMode, pp);
    (v.projected!.sources ?? []).forEach((s, i) => {
      const sp = pp.child('sources').index(i);
      let count = 0;
      if (s.secret) {
        count++;
        if (!s.secret.name) e.push(field.required(sp.child('secret', 'name'), ''));
        (s.secret.items ?? []).forEach((kp, j) => e.push(...validateKeyToPath(kp, sp.child('secret', 'items').index(j))));
      }
      if (s.configMap) {
        count++;
        if (!s.configMap.name) e.push(field.required(sp.child('configMap', 'name'), ''));
        (s.configMap.items ?? []).forEach((kp, j) => e.push(...validateKeyToPath(kp, sp.child('configMap', 'items').index(j))));
      }
      if (s.downwardAPI) count++;
      if (s.serviceAccountToken) {
        count++;
        const exp = s.serviceAccountToken.expirationSeconds;
        if (exp !== undefined && exp < 600) e.push(field.invalid(sp.child('serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
        if (exp !== undefined && exp > 2 ** 32) e.push(field.invalid(sp.child('serviceAccountToken', 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
        if (!s.serviceAccountToken.path) e.push(field.required(pp.child('path'), ''));
        else e.push(...validateLocalNonReservedPath(s.serviceAccountToken.path, pp.child('path')));
      }
      if (s.clusterTrustBundle) count++;
      if (count > 1) e.push(field.forbidden(sp, 'may not specify more than 1 volume type per source'));
    });
    return e;
  });
  one('scaleIO', () => []);
  one('csi', () => validateCSIDriverName(str(v.csi!.driver), p.child('csi', 'driver')));
  one('ephemeral', () => (v.ephemeral!.volumeClaimTemplate ? [] : [field.required(p.child('ephemeral', 'volumeClaimTemplate'), '')]));
  one('image', () => []);
  if (n === 0) errs.push(field.required(p, 'must specify a volume type'));
  return errs;
}

function validateVolumes(volumes: Volume[] | undefined, p: Path): { names: Map<string, Volume>; errs: FieldError[] } {
  const names = new Map<string, Volume>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const ip = p.index(i);
    const el = validateVolumeSource(v, ip);
    const name = str(v.name);
    if (!name) el.push(field.required(ip.child('name'), ''));
    else el.push(...dns1123Label(name, ip.child('name')));
    if (names.has(name)) el.push(field.duplicate(ip.child('name'), name));
    if (el.length === 0) names.set(name, v);
    else errs.push(...el);
  });
  return { names, errs };
}

// ---- containers ----

function validateContainerPorts(ports: Container['ports'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const ip = p.index(i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(field.invalid(ip.child('name'), name, m));
      else if (names.has(name)) errs.push(field.duplicate(ip.child('name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(field.required(ip.child('containerPort'), ''));
    else for (const m of isValidPortNum(port.containerPort)) errs.push(field.invalid(ip.child('containerPort'), port.containerPort, m));
    if (port.hostPort) for (const m of isValidPortNum(port.hostPort)) errs.push(field.invalid(ip.child('hostPort'), port.hostPort, m));
    if (!port.protocol) errs.push(field.required(ip.child('protocol'), ''));
    else if (!protocols.includes(port.protocol)) errs.push(field.notSupported(ip.child('protocol'), port.protocol, protocols));
  });
  return errs;
}

const envFieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** Upstream's validVolumeDownwardAPIFieldPathExpressions, sorted as sets.List prints them. */
const volumeFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const resourceFieldPaths = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** Downward API labels a v1 pod's fieldRef may name (upstream's pods.ConvertDownwardAPIFieldLabel). */
const downwardAPIFieldLabels = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);

/** splitMaybeSubscriptedPath splits `metadata.labels['k']` into path and subscript (upstream's fieldpath helper). */
function splitMaybeSubscriptedPath(fp: string): [string, string] | undefined {
  if (!fp.endsWith("']")) return undefined;
  const s = fp.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/**
 * convertDownwardAPIFieldLabel is upstream's pods.ConvertDownwardAPIFieldLabel: the internal field
 * path, or the conversion error validation reports as "error converting fieldPath: <error>".
 */
function convertDownwardAPIFieldLabel(version: string, label: string): { path: string } | { error: string } {
  if (version !== 'v1') return { error: `unsupported pod version: ${version}` };
  const sub = splitMaybeSubscriptedPath(label);
  if (sub) return sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels' ? { path: label } : { error: `field label does not support subscript: ${label}` };
  if (label === 'spec.host') return { path: 'spec.nodeName' };
  return downwardAPIFieldLabels.has(label) ? { path: label } : { error: `field label not supported: ${label}` };
}

/** validateObjectFieldSelector is upstream's function of that name (env fieldRef, downward API items). */
function validateObjectFieldSelector(fs: { apiVersion?: string; fieldPath?: string }, valid: string[], p: Path): FieldError[] {
  if (!fs.apiVersion) return [field.required(p.child('apiVersion'), '')];
  if (!fs.fieldPath) return [field.required(p.child('fieldPath'), '')];
  const conv = convertDownwardAPIFieldLabel(fs.apiVersion, fs.fieldPath);
  if ('error' in conv) return [field.invalid(p.child('fieldPath'), fs.fieldPath, `error converting fieldPath: ${conv.error}`)];
  const sub = splitMaybeSubscriptedPath(conv.path);
  if (sub) {
    const [path, subscript] = sub;
    if (path === 'metadata.annotations') return isQualifiedName(subscript.toLowerCase()).map((msg) => field.invalid(p, subscript, msg));
    if (path === 'metadata.labels') return isQualifiedName(subscript).map((msg) => field.invalid(p, subscript, msg));
    return [field.invalid(p, path, 'does not support subscript')];
  }
  if (!valid.includes(conv.path)) return [field.notSupported(p.child('fieldPath'), conv.path, valid)];
  return [];
}

function validateKeySelector(s: { name?: string; key?: string }, p: Path): FieldError[] {
  const errs = nameIsDNSSubdomain(str(s.name), false).map((m) => field.invalid(p.child('name'), str(s.name), m));
  if (!s.key) errs.push(field.required(p.child('key'), ''));
  else for (const m of isConfigMapKey(s.key)) errs.push(field.invalid(p.child('key'), s.key, m));
  return errs;
}

function validateEnv(vars: EnvVar[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const ip = p.index(i);
    if (!ev.name) errs.push(field.required(ip.child('name'), ''));
    else for (const m of isRelaxedEnvVarName(ev.name)) errs.push(field.invalid(ip.child('name'), ev.name, m));
    const vf = ev.valueFrom;
    if (!vf) return;
    const vp = ip.child('valueFrom');
    let n = 0;
    if (vf.fieldRef) {
      n++;
      errs.push(...validateObjectFieldSelector(vf.fieldRef, envFieldPaths, vp.child('fieldRef')));
    }
    if (vf.resourceFieldRef) {
      n++;
      const r = vf.resourceFieldRef;
      if (!r.resource) errs.push(field.required(vp.child('resourceFieldRef', 'resource'), ''));
      else if (!resourceFieldPaths.includes(r.resource) && !/^(requests|limits)\.hugepages-/.test(r.resource)) {
        errs.push(field.notSupported(vp.child('resourceFieldRef', 'resource'), r.resource, resourceFieldPaths));
      }
    }
    if (vf.configMapKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.configMapKeyRef, vp.child('configMapKeyRef')));
    }
    if (vf.secretKeyRef) {
      n++;
      errs.push(...validateKeySelector(vf.secretKeyRef, vp.child('secretKeyRef')));
    }
    if (n === 0) errs.push(field.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (ev.value) errs.push(field.invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(field.invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(vars: EnvFromSource[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (vars ?? []).forEach((ev, i) => {
    const ip = p.index(i);
    if (ev.prefix) for (const m of isRelaxedEnvVarName(ev.prefix)) errs.push(field.invalid(ip.child('prefix'), ev.prefix, m));
    let n = 0;
    for (const key of ['configMapRef', 'secretRef'] as const) {
      const ref = ev[key];
      if (!ref) continue;
      n++;
      if (!ref.name) errs.push(field.required(ip.child(key, 'name'), ''));
      else for (const m of nameIsDNSSubdomain(ref.name, true)) errs.push(field.invalid(ip.child(key, 'name'), ref.name, m));
    }
    if (n === 0) errs.push(field.invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(field.invalid(p, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, devices: Map<string, string>, volumes: Map<string, Volume>, c: Container, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const points = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const ip = p.index(i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(field.required(ip.child('name'), ''));
    if (!volumes.has(name)) errs.push(field.notFound(ip.child('name'), name));
    if (!mountPath) errs.push(field.required(ip.child('mountPath'), ''));
    if (points.has(mountPath)) errs.push(field.invalid(ip.child('mountPath'), mountPath, 'must be unique'));
    points.add(mountPath);
    if (devices.has(name)) errs.push(field.invalid(ip.child('name'), name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(mountPath)) errs.push(field.invalid(ip.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, p.child('subPath')));
    if (m.subPathExpr) {
      if (m.subPath) errs.push(field.invalid(ip.child('subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, p.child('subPathExpr')));
    }
    if (m.mountPropagation !== undefined) {
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(m.mountPropagation)) errs.push(field.notSupported(p.child('mountPropagation'), m.mountPropagation, supported));
      else if (m.mountPropagation === 'Bidirectional' && c.securityContext?.privileged !== true) {
        errs.push(field.forbidden(p.child('mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

function validateHandler(h: Record<string, unknown>, keys: readonly string[], grace: number | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of keys) {
    const v = h[k] as Record<string, unknown> | undefined;
    if (v === undefined || v === null) continue;
    if (n > 0) {
      errs.push(field.forbidden(p.child(k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const hp = p.child(k);
    switch (k) {
      case 'exec':
        if (!Array.isArray(v['command']) || (v['command'] as unknown[]).length === 0) errs.push(field.required(hp.child('command'), ''));
        break;
      case 'httpGet': {
        if (!v['path']) errs.push(field.required(hp.child('path'), ''));
        errs.push(...validatePortNumOrName(v['port'], hp.child('port')));
        const scheme = str(v['scheme']);
        if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(field.notSupported(hp.child('scheme'), scheme, ['HTTP', 'HTTPS']));
        for (const hd of (v['httpHeaders'] as { name?: string }[] | undefined) ?? []) {
          for (const m of isHTTPHeaderName(str(hd.name))) errs.push(field.invalid(hp.child('httpHeaders'), str(hd.name), m));
        }
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(v['port'], hp.child('port')));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(typeof v['port'] === 'number' ? v['port'] : 0, hp.child('port')));
        break;
      case 'sleep': {
        // v1.32: AllowPodLifecycleSleepActionZeroValue is off, so zero is rejected.
        const secs = typeof v['seconds'] === 'number' ? v['seconds'] : 0;
        if (grace !== undefined && (secs <= 0 || secs > grace)) {
          errs.push(
            field.invalid(
              hp,
              secs,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
            ),
          );
        }
        break;
      }
    }
  }
  if (n === 0) errs.push(field.required(p, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe | undefined, grace: number | undefined, p: Path, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!probe) return [];
  const errs = validateHandler(probe as unknown as Record<string, unknown>, ['exec', 'httpGet', 'tcpSocket', 'grpc'], grace, p);
  errs.push(...nonNegative(probe.initialDelaySeconds, p.child('initialDelaySeconds')));
  errs.push(...nonNegative(probe.timeoutSeconds, p.child('timeoutSeconds')));
  errs.push(...nonNegative(probe.periodSeconds, p.child('periodSeconds')));
  errs.push(...nonNegative(probe.successThreshold, p.child('successThreshold')));
  errs.push(...nonNegative(probe.failureThreshold, p.child('failureThreshold')));
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(p.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && (probe.successThreshold ?? 1) !== 1) errs.push(field.invalid(p.child('successThreshold'), probe.successThreshold, 'must be 1'));
  if (kind === 'readiness' && probe.terminationGracePeriodSeconds !== undefined) {
    errs.push(field.invalid(p.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycle(c: Container, grace: number | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const keys = ['exec', 'httpGet', 'tcpSocket', 'sleep'] as const;
  if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart as unknown as Record<string, unknown>, keys, grace, p.child('postStart')));
  if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop as unknown as Record<string, unknown>, keys, grace, p.child('preStop')));
  return errs;
}

function validateSecurityContext(sc: Container['securityContext'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!sc) return errs;
  if (sc.runAsUser !== undefined) for (const m of isValidID(sc.runAsUser)) errs.push(field.invalid(p.child('runAsUser'), sc.runAsUser, m));
  if (sc.runAsGroup !== undefined) for (const m of isValidID(sc.runAsGroup)) errs.push(field.invalid(p.child('runAsGroup'), sc.runAsGroup, m));
  if (sc.procMount !== undefined && sc.procMount !== 'Default' && sc.procMount !== 'Unmasked') {
    errs.push(field.notSupported(p.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, p.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(field.invalid(p, securityContextText(sc), 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(field.invalid(p, securityContextText(sc), 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, p.child('appArmorProfile')));
  return errs;
}

/** validateAppArmorProfile is upstream's ValidateAppArmorProfileField (pod and container securityContext). */
function validateAppArmorProfile(ap: { type?: string; localhostProfile?: string } | undefined, p: Path): FieldError[] {
  if (!ap) return [];
  switch (ap.type) {
    case 'Localhost': {
      if (ap.localhostProfile === undefined || ap.localhostProfile === null) return [field.required(p.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
      const prof = ap.localhostProfile;
      const errs: FieldError[] = [];
      if (prof.trim() !== prof) errs.push(field.invalid(p.child('localhostProfile'), prof, 'must not be padded with whitespace'));
      else if (prof === '') errs.push(field.required(p.child('localhostProfile'), 'must be set when AppArmor type is Localhost'));
      if (prof.length > maxLocalhostProfileLength) errs.push(field.tooLong(p.child('localhostProfile'), '', maxLocalhostProfileLength));
      return errs;
    }
    case 'RuntimeDefault':
    case 'Unconfined':
      return ap.localhostProfile !== undefined && ap.localhostProfile !== null
        ? [field.invalid(p.child('localhostProfile'), ap.localhostProfile, 'can only be set when AppArmor type is Localhost')]
        : [];
    case undefined:
    case '':
      return [field.required(p.child('type'), 'type is required when appArmorProfile is set')];
    default:
      return [field.notSupported(p.child('type'), ap.type, ['Localhost', 'RuntimeDefault', 'Unconfined'])];
  }
}

/** Upstream's maxLocalhostProfileLength: the kernel's limit on an AppArmor profile name. */
const maxLocalhostProfileLength = 4095;

const sysctlSegment = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
/** sysctlContainSlashRegexp as upstream prints it (regexp.String: anchors included). */
const sysctlRegexpText = `^(${sysctlSegment}[\\./])*${sysctlSegment}$`;
const sysctlRegexp = new RegExp(sysctlRegexpText);
const sysctlMaxLength = 253;

/** sysctlNamespace is upstream's utilsysctl.GetNamespace, reduced to the two namespaces validation asks about. */
function sysctlNamespace(name: string): 'net' | 'ipc' | undefined {
  // A name whose first separator is '/' uses '/' between segments (NormalizeName).
  const firstSep = name.search(/[./]/);
  const n = firstSep >= 0 && name[firstSep] === '/' ? name.replace(/\//g, '.') : name;
  if (n.startsWith('net.')) return 'net';
  if (n === 'kernel.sem' || n.startsWith('kernel.shm') || n.startsWith('kernel.msg') || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

/** validateSysctls is upstream's validateSysctls (for a create: namespaced sysctls conflict with hostNetwork/hostIPC). */
function validateSysctls(sysctls: { name?: string }[], hostNetwork: boolean, hostIPC: boolean, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  sysctls.forEach((sc, i) => {
    const np = p.index(i).child('name');
    const name = str(sc.name);
    if (!name) errs.push(field.required(np, ''));
    else if (name.length > sysctlMaxLength || !sysctlRegexp.test(name)) {
      errs.push(field.invalid(np, name, `must have at most ${sysctlMaxLength} characters and match regex ${sysctlRegexpText}`));
    } else if (seen.has(name)) errs.push(field.duplicate(np, name));
    const ns = sysctlNamespace(name);
    if (hostNetwork && ns === 'net') errs.push(field.invalid(np, name, "may not be specified when 'hostNetwork' is true"));
    else if (hostIPC && ns === 'ipc') errs.push(field.invalid(np, name, "may not be specified when 'hostIPC' is true"));
    seen.add(name);
  });
  return errs;
}

/** securityContextText: upstream prints the Go struct here (with pointer addresses); JSON is the readable stand-in. */
const securityContextText = (sc: object): GoValue => new GoValue(`core.SecurityContext${JSON.stringify(sc)}`);

function validateSeccompProfile(sp: { type?: string; localhostProfile?: string } | undefined, p: Path): FieldError[] {
  if (!sp) return [];
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!sp.type) return [field.required(p.child('type'), 'type is required when seccompProfile is set')];
  if (!types.includes(sp.type)) return [field.notSupported(p.child('type'), sp.type, types)];
  if (sp.type === 'Localhost' && !sp.localhostProfile) return [field.required(p.child('localhostProfile'), 'must be set when seccomp type is Localhost')];
  if (sp.type === 'Localhost') return validateLocalDescendingPath(str(sp.localhostProfile), p.child('localhostProfile'));
  if (sp.type !== 'Localhost' && sp.localhostProfile !== undefined) {
    return [field.invalid(p.child('localhostProfile'), sp.localhostProfile, 'can only be set when seccomp type is Localhost')];
  }
  return [];
}

function validateContainerCommon(c: Container, volumes: Map<string, Volume>, podClaims: ReadonlySet<string>, p: Path, restartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(field.required(p.child('name'), ''));
  else errs.push(...dns1123Label(name, p.child('name')));
  if (!c.image) errs.push(field.required(p.child('image'), ''));
  const tmp = c.terminationMessagePolicy ?? '';
  if (tmp === '') errs.push(field.required(p.child('terminationMessagePolicy'), ''));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(field.notSupported(p.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  const devices = new Map((c.volumeDevices ?? []).map((d) => [str(d.name), str(d.devicePath)] as const));
  errs.push(...validateContainerPorts(c.ports, p.child('ports')));
  errs.push(...validateEnv(c.env, p.child('env')));
  errs.push(...validateEnvFrom(c.envFrom, p.child('envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, devices, volumes, c, p.child('volumeMounts')));
  const pull = c.imagePullPolicy ?? '';
  if (pull === '') errs.push(field.required(p.child('imagePullPolicy'), ''));
  else if (!['Always', 'IfNotPresent', 'Never'].includes(pull)) errs.push(field.notSupported(p.child('imagePullPolicy'), pull, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResourceRequirements(c.resources, p.child('resources'), podClaims));
  (c.resizePolicy ?? []).forEach((rp) => {
    const rpp = p.child('resizePolicy');
    if (!rp.resourceName) errs.push(field.required(rpp, ''));
    else if (rp.resourceName !== 'cpu' && rp.resourceName !== 'memory') errs.push(field.notSupported(rpp, rp.resourceName, ['cpu', 'memory']));
    if (!rp.restartPolicy) errs.push(field.required(rpp, ''));
    else if (rp.restartPolicy !== 'NotRequired' && rp.restartPolicy !== 'RestartContainer') {
      errs.push(field.notSupported(rpp, rp.restartPolicy, ['NotRequired', 'RestartContainer']));
    }
    if (restartPolicy === 'Never' && rp.restartPolicy !== 'NotRequired') {
      errs.push(field.invalid(rpp, str(rp.restartPolicy), "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  errs.push(...validateSecurityContext(c.securityContext, p.child('securityContext')));
  return errs;
}

function hostPortConflicts(containers: Container[], p: Path, acc = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    (c.ports ?? []).forEach((port, pi) => {
      if (!port.hostPort) return;
      const key = `${str(port.protocol)}/${str(port.hostIP)}/${port.hostPort}`;
      if (acc.has(key)) errs.push(field.duplicate(p.index(ci).child('ports').index(pi).child('hostPort'), key));
      else acc.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: Container[] | undefined, volumes: Map<string, Volume>, podClaims: ReadonlySet<string>, grace: number | undefined, p: Path, restartPolicy: string): FieldError[] {
  if (!containers || containers.length === 0) return [field.required(p, '')];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const cp = p.index(i);
    errs.push(...validateContainerCommon(c, volumes, podClaims, cp, restartPolicy));
    if (names.has(str(c.name))) errs.push(field.duplicate(cp.child('name'), str(c.name)));
    else names.add(str(c.name));
    if (c.lifecycle) errs.push(...validateLifecycle(c, grace, cp.child('lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, grace, cp.child('livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, grace, cp.child('readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, grace, cp.child('startupProbe'), 'startup'));
    if (c.restartPolicy !== undefined) errs.push(field.forbidden(cp.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...hostPortConflicts(containers, p));
  return errs;
}

function validateInitContainers(inits: Container[] | undefined, regular: Container[] | undefined, volumes: Map<string, Volume>, podClaims: ReadonlySet<string>, grace: number | undefined, p: Path, restartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set((regular ?? []).map((c) => str(c.name)));
  (inits ?? []).forEach((c, i) => {
    const cp = p.index(i);
    errs.push(...validateContainerCommon(c, volumes, podClaims, cp, restartPolicy));
    let always = false;
    if (c.restartPolicy !== undefined) {
      if (c.restartPolicy !== 'Always') errs.push(field.notSupported(cp.child('restartPolicy'), c.restartPolicy, ['Always']));
      always = c.restartPolicy === 'Always';
    }
    if (names.has(str(c.name))) errs.push(field.duplicate(cp.child('name'), str(c.name)));
    else if (c.name) names.add(c.name);
    errs.push(...hostPortConflicts([c], p));
    if (always) {
      if (c.lifecycle) errs.push(...validateLifecycle(c, grace, cp.child('lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, grace, cp.child('livenessProbe'), 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, grace, cp.child('readinessProbe'), 'readiness'));
      errs.push(...validateProbe(c.startupProbe, grace, cp.child('startupProbe'), 'startup'));
    } else {
      const msg = 'may not be set for init containers without restartPolicy=Always';
      if (c.lifecycle) errs.push(field.forbidden(cp.child('lifecycle'), msg));
      if (c.livenessProbe) errs.push(field.forbidden(cp.child('livenessProbe'), msg));
      if (c.readinessProbe) errs.push(field.forbidden(cp.child('readinessProbe'), msg));
      if (c.startupProbe) errs.push(field.forbidden(cp.child('startupProbe'), msg));
    }
  });
  return errs;
}

/** Fields an ephemeral container may set (upstream's allowedEphemeralContainerFields). */
const ephemeralAllowed = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices', 'terminationMessagePath',
  'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName',
]);
const ephemeralFieldOrder = [
  'ports', 'resources', 'resizePolicy', 'restartPolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle',
];

function validateEphemeralContainers(s: PodSpec, volumes: Map<string, Volume>, podClaims: ReadonlySet<string>, p: Path, restartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const ecs = s.ephemeralContainers ?? [];
  if (ecs.length === 0) return errs;
  const other = new Set([...(s.containers ?? []), ...(s.initContainers ?? [])].map((c) => str(c.name)));
  const all = new Set(other);
  ecs.forEach((ec, i) => {
    const ip = p.index(i);
    const c = ec as unknown as Container;
    errs.push(...validateContainerCommon(c, volumes, podClaims, ip, restartPolicy));
    const img = str(c.image);
    if (img !== img.trim()) errs.push(field.invalid(ip.child('image'), img, 'must not have leading or trailing whitespace'));
    if (all.has(str(ec.name))) errs.push(field.duplicate(ip.child('name'), str(ec.name)));
    else all.add(str(ec.name));
    if (ec.targetContainerName && !other.has(ec.targetContainerName)) errs.push(field.notFound(ip.child('targetContainerName'), ec.targetContainerName));
    const rec = ec as unknown as Record<string, unknown>;
    for (const k of ephemeralFieldOrder) {
      const v = rec[k];
      const set = v !== undefined && v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0);
      if (set && !ephemeralAllowed.has(k)) errs.push(field.forbidden(ip.child(k), 'cannot be set for an Ephemeral Container'));
    }
    (ec.volumeMounts ?? []).forEach((vm, j) => {
      if (vm.subPath) errs.push(field.forbidden(ip.child('volumeMounts').index(j).child('subPath'), 'cannot be set for an Ephemeral Container'));
      if (vm.subPathExpr) errs.push(field.forbidden(ip.child('volumeMounts').index(j).child('subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

/**
 * validatePodEphemeralContainersUpdate checks a write to pods/ephemeralcontainers (kubectl debug):
 * the pod must stay valid and existing ephemeral containers may be neither removed nor changed.
 */
export function validatePodEphemeralContainersUpdate(pod: Pod, old: Pod): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validatePodMetadataAndSpec(pod));
  if (old.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
    return [field.forbidden(Path.root(''), 'static pods do not support ephemeral containers')];
  }
  const p = Path.root('spec', 'ephemeralContainers');
  const byName = new Map((pod.spec?.ephemeralContainers ?? []).map((c) => [str(c.name), c] as const));
  for (const oc of old.spec?.ephemeralContainers ?? []) {
    const nc = byName.get(str(oc.name));
    if (!nc) errs.push(field.forbidden(p, `existing ephemeral containers ${JSON.stringify(str(oc.name))} may not be removed\n`));
    else if (!deepEqual(JSON.parse(JSON.stringify(oc)), JSON.parse(JSON.stringify(nc)))) {
      errs.push(field.forbidden(p, `existing ephemeral containers ${JSON.stringify(str(oc.name))} may not be changed\n${diffLines('core.EphemeralContainer', oc, nc)}`));
    }
  }
  return errs;
}

// ---- scheduling ----

/** validateTolerations checks pod tolerations as upstream's ValidateTolerations. */
export function validateTolerations(tolerations: Toleration[] | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const ip = p.index(i);
    const key = str(t.key);
    const op = str(t.operator);
    if (key) errs.push(...validateLabelName(key, ip.child('key')));
    if (!key && op !== 'Exists') errs.push(field.invalid(ip.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(field.invalid(ip.child('effect'), str(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (op) {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(str(t.value));
        if (msgs.length) errs.push(field.invalid(ip.child('operator'), str(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(field.invalid(ip.child('operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(field.notSupported(ip.child('operator'), op, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, ip.child('effect')));
  });
  return errs;
}

/** validateTaintEffect: NoSchedule, PreferNoSchedule or NoExecute. */
export function validateTaintEffect(effect: string, p: Path): FieldError[] {
  const valid = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
  return valid.includes(effect) ? [] : [field.notSupported(p, effect, valid)];
}

function validateNodeSelectorRequirement(r: NodeSelectorRequirement, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(field.required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(field.forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(field.required(p.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(field.invalid(p.child('operator'), str(r.operator), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(r.key), p.child('key')));
  if (r.operator !== 'Gt' && r.operator !== 'Lt') {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(str(v))) errs.push(field.invalid(p.child('values').index(i), v, m));
    });
  }
  return errs;
}

/** validateNodeSelector checks nodeSelectorTerms (required node affinity, PV node affinity). */
export function validateNodeSelector(ns: NodeSelector, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const terms = ns.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [field.required(p.child('nodeSelectorTerms'), 'must have at least one node selector term')];
  terms.forEach((t, i) => {
    const tp = p.child('nodeSelectorTerms').index(i);
    (t.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, tp.child('matchExpressions').index(j))));
    (t.matchFields ?? []).forEach((r, j) => {
      const fp = tp.child('matchFields').index(j);
      if (r.key !== 'metadata.name') errs.push(field.invalid(fp.child('key'), str(r.key), 'not a valid field selector key'));
      if ((r.operator === 'In' || r.operator === 'NotIn') && (r.values ?? []).length !== 1) {
        errs.push(field.required(fp.child('values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
      }
    });
  });
  return errs;
}

function validatePodAffinityTerm(t: PodAffinityTerm, p: Path): FieldError[] {
  const errs = validateLabelSelector(t.labelSelector, p.child('labelSelector'));
  errs.push(...validateLabelSelector(t.namespaceSelector, p.child('namespaceSelector')));
  (t.namespaces ?? []).forEach((ns) => errs.push(...dns1123Label(ns, p.child('namespace'))));
  if (!t.topologyKey) errs.push(field.required(p.child('topologyKey'), 'can not be empty'));
  else errs.push(...validateLabelName(t.topologyKey, p.child('topologyKey')));
  return errs;
}

function validateAffinity(a: Affinity | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!a) return errs;
  if (a.nodeAffinity) {
    const np = p.child('nodeAffinity');
    if (a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution) {
      errs.push(...validateNodeSelector(a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution, np.child('requiredDuringSchedulingIgnoredDuringExecution')));
    }
    (a.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = np.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (t.weight <= 0 || t.weight > 100) errs.push(field.invalid(tp.child('weight'), t.weight, inclusiveRangeError(1, 100)));
      (t.preference?.matchExpressions ?? []).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, tp.child('preference', 'matchExpressions').index(j))));
    });
  }
  for (const key of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = a[key];
    if (!pa) continue;
    const pp = p.child(key);
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => errs.push(...validatePodAffinityTerm(t, pp.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))));
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const tp = pp.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      if (t.weight <= 0 || t.weight > 100) errs.push(field.invalid(tp.child('weight'), t.weight, inclusiveRangeError(1, 100)));
      errs.push(...validatePodAffinityTerm(t.podAffinityTerm, tp.child('podAffinityTerm')));
    });
  }
  return errs;
}

function validateTopologySpreadConstraints(cs: PodSpec['topologySpreadConstraints'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const list = cs ?? [];
  list.forEach((c, i) => {
    const cp = p.index(i);
    if (c.maxSkew <= 0) errs.push(field.invalid(cp.child('maxSkew'), c.maxSkew, 'must be greater than zero'));
    if (!c.topologyKey) errs.push(field.required(cp.child('topologyKey'), 'can not be empty'));
    if (!['DoNotSchedule', 'ScheduleAnyway'].includes(c.whenUnsatisfiable)) errs.push(field.notSupported(cp.child('whenUnsatisfiable'), str(c.whenUnsatisfiable), ['DoNotSchedule', 'ScheduleAnyway']));
    if (list.slice(i + 1).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(field.duplicate(cp.child('{topologyKey, whenUnsatisfiable}'), `{${str(c.topologyKey)}, ${str(c.whenUnsatisfiable)}}`));
    }
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (c.minDomains <= 0) errs.push(field.invalid(cp.child('minDomains'), c.minDomains, 'must be greater than zero'));
      if (c.whenUnsatisfiable !== 'DoNotSchedule') {
        errs.push(field.invalid(cp.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${str(c.whenUnsatisfiable)}`));
      }
    }
    for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      const v = c[k];
      if (v !== undefined && v !== null && v !== 'Honor' && v !== 'Ignore') errs.push(field.notSupported(cp.child(k), v, ['Honor', 'Ignore']));
    }
    const keys = c.matchLabelKeys ?? [];
    if (keys.length > 0) {
      if (!c.labelSelector) errs.push(field.forbidden(cp.child('matchLabelKeys'), 'must not be specified when labelSelector is not set'));
      else {
        const inSelector = new Set([...Object.keys(c.labelSelector.matchLabels ?? {}), ...(c.labelSelector.matchExpressions ?? []).map((e) => e.key)]);
        keys.forEach((k, j) => {
          errs.push(...validateLabelName(k, cp.child('matchLabelKeys').index(j)));
          if (inSelector.has(k)) errs.push(field.invalid(cp.child('matchLabelKeys').index(j), k, 'exists in both matchLabelKeys and labelSelector'));
        });
      }
    }
    errs.push(...validateLabelSelector(c.labelSelector, cp.child('labelSelector')));
  });
  return errs;
}

// ---- pod spec ----

export interface PodSpecOptions {
  /** podMeta is set for a real pod (not a template). */
  podMeta?: ObjectMeta;
  resourceIsPod?: boolean;
}

/** validatePodSpec checks a pod spec as upstream's ValidatePodSpec (after defaulting). */
export function validatePodSpec(spec: PodSpec | undefined, p: Path, opts: PodSpecOptions = {}): FieldError[] {
  const s = spec ?? ({ containers: [] } as PodSpec);
  const errs: FieldError[] = [];
  if (s.terminationGracePeriodSeconds === undefined || s.terminationGracePeriodSeconds === null) errs.push(field.required(p.child('terminationGracePeriodSeconds'), ''));
  const grace = s.terminationGracePeriodSeconds ?? undefined;
  const restartPolicy = str(s.restartPolicy);
  const { names: volumes, errs: vErrs } = validateVolumes(s.volumes, p.child('volumes'));
  errs.push(...vErrs);
  const podClaims = new Set((s.resourceClaims ?? []).map((c) => str(c.name)).filter(Boolean));
  (s.resourceClaims ?? []).forEach((c, i) => {
    const cp = p.child('resourceClaims').index(i);
    if (!c.name) errs.push(field.required(cp.child('name'), ''));
    else errs.push(...dns1123Label(c.name, cp.child('name')));
  });
  errs.push(...validateContainers(s.containers, volumes, podClaims, grace, p.child('containers'), restartPolicy));
  errs.push(...validateInitContainers(s.initContainers, s.containers, volumes, podClaims, grace, p.child('initContainers'), restartPolicy));
  errs.push(...validateEphemeralContainers(s, volumes, podClaims, p.child('ephemeralContainers'), restartPolicy));
  if (s.hostNetwork) {
    (s.containers ?? []).forEach((c, i) =>
      (c.ports ?? []).forEach((port, j) => {
        const hp = port.hostPort ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== port.containerPort) {
          errs.push(field.invalid(p.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  if (restartPolicy === '') errs.push(field.required(p.child('restartPolicy'), ''));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) errs.push(field.notSupported(p.child('restartPolicy'), restartPolicy, ['Always', 'OnFailure', 'Never']));
  const dnsPolicy = str(s.dnsPolicy);
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dnsPolicy === '') errs.push(field.required(p.child('dnsPolicy'), ''));
  else if (!dnsPolicies.includes(dnsPolicy)) errs.push(field.notSupported(p.child('dnsPolicy'), dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(s.nodeSelector, p.child('nodeSelector')));
  const psc = s.securityContext;
  if (psc) {
    const sp = p.child('securityContext');
    if (psc.fsGroup !== undefined) for (const m of isValidID(psc.fsGroup)) errs.push(field.invalid(sp.child('fsGroup'), psc.fsGroup, m));
    if (psc.runAsUser !== undefined) for (const m of isValidID(psc.runAsUser)) errs.push(field.invalid(sp.child('runAsUser'), psc.runAsUser, m));
    if (psc.runAsGroup !== undefined) for (const m of isValidID(psc.runAsGroup)) errs.push(field.invalid(sp.child('runAsGroup'), psc.runAsGroup, m));
    (psc.supplementalGroups ?? []).forEach((g, i) => isValidID(g).forEach((m) => errs.push(field.invalid(sp.child('supplementalGroups').index(i), g, m))));
    if (s.shareProcessNamespace && s.hostPID) errs.push(field.invalid(sp.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
    if (psc.sysctls?.length) errs.push(...validateSysctls(psc.sysctls, s.hostNetwork === true, s.hostIPC === true, sp.child('sysctls')));
    if (psc.fsGroupChangePolicy !== undefined && !['OnRootMismatch', 'Always'].includes(psc.fsGroupChangePolicy)) {
      errs.push(field.notSupported(sp.child('fsGroupChangePolicy'), psc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
    }
    errs.push(...validateSeccompProfile(psc.seccompProfile, sp.child('seccompProfile')));
    errs.push(...validateAppArmorProfile(psc.appArmorProfile, sp.child('appArmorProfile')));
  }
  // Upstream's validateImagePullSecrets ("only name may be set") cannot fire on a decoded object:
  // LocalObjectReference has no other field, and decoding drops (or, strict, rejects) unknown ones.
  errs.push(...validateAffinity(s.affinity, p.child('affinity')));
  errs.push(...validateDNSConfig(s, p.child('dnsConfig')));
  (s.readinessGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(str(g.conditionType))) errs.push(field.invalid(p.child('readinessGates').index(i).child('conditionType'), str(g.conditionType), m));
  });
  const gates = new Set<string>();
  (s.schedulingGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(str(g.name))) errs.push(field.invalid(p.child('schedulingGates').index(i), str(g.name), m));
    if (gates.has(str(g.name))) errs.push(field.duplicate(p.child('schedulingGates').index(i), str(g.name)));
    gates.add(str(g.name));
  });
  errs.push(...validateTopologySpreadConstraints(s.topologySpreadConstraints, p.child('topologySpreadConstraints')));
  if (s.serviceAccountName) for (const m of nameIsDNSSubdomain(s.serviceAccountName, false)) errs.push(field.invalid(p.child('serviceAccountName'), s.serviceAccountName, m));
  if (s.nodeName) for (const m of nameIsDNSSubdomain(s.nodeName, false)) errs.push(field.invalid(p.child('nodeName'), s.nodeName, m));
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds !== null) {
    const v = s.activeDeadlineSeconds;
    if (v < 1 || v > 2147483647) errs.push(field.invalid(p.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, 2147483647)));
  }
  if (s.hostname) errs.push(...dns1123Label(s.hostname, p.child('hostname')));
  if (s.subdomain) errs.push(...dns1123Label(s.subdomain, p.child('subdomain')));
  errs.push(...validateTolerations(s.tolerations, p.child('tolerations')));
  (s.hostAliases ?? []).forEach((ha, i) => {
    const hp = p.child('hostAliases').index(i);
    for (const m of ipErrors(str(ha.ip))) errs.push(field.invalid(hp.child('ip'), str(ha.ip), m));
    (ha.hostnames ?? []).forEach((h, j) => errs.push(...dns1123Subdomain(h, hp.child('hostnames').index(j))));
  });
  if (s.priorityClassName) for (const m of nameIsDNSSubdomain(s.priorityClassName, false)) errs.push(field.invalid(p.child('priorityClassName'), s.priorityClassName, m));
  if (s.runtimeClassName !== undefined && s.runtimeClassName !== null) {
    for (const m of nameIsDNSSubdomain(s.runtimeClassName, false)) errs.push(field.invalid(p.child('runtimeClassName'), s.runtimeClassName, m));
  }
  if (s.preemptionPolicy !== undefined && s.preemptionPolicy !== null) {
    if (s.preemptionPolicy === '') errs.push(field.required(p.child('preemptionPolicy'), ''));
    else if (!['PreemptLowerPriority', 'Never'].includes(s.preemptionPolicy)) errs.push(field.notSupported(p.child('preemptionPolicy'), s.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
  }
  if (s.os) {
    if (!s.os.name) errs.push(field.required(p.child('os', 'name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(s.os.name)) errs.push(field.notSupported(p.child('os'), s.os.name, ['linux', 'windows']));
  }
  return errs;
}

function validateDNSConfig(s: PodSpec, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const cfg = s.dnsConfig;
  if (s.dnsPolicy === 'None') {
    if (!cfg) return [field.required(p, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if ((cfg.nameservers ?? []).length === 0) return [field.required(p.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!cfg) return errs;
  const ns = cfg.nameservers ?? [];
  if (ns.length > 3) errs.push(field.invalid(p.child('nameservers'), goStringSlice(ns), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => ipErrors(n).forEach((m) => errs.push(field.invalid(p.child('nameservers').index(i), n, m))));
  const searches = cfg.searches ?? [];
  if (searches.length > 32) errs.push(field.invalid(p.child('searches'), goStringSlice(searches), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(field.invalid(p.child('searches'), goStringSlice(searches), 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((sr, i) => {
    if (sr === '.') return;
    const v = sr.endsWith('.') ? sr.slice(0, -1) : sr;
    const re = /^_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$/;
    if (v.length > 253 || !re.test(v)) errs.push(...dns1123Subdomain(v, p.child('searches').index(i)));
  });
  (cfg.options ?? []).forEach((o, i) => {
    if (!o.name) errs.push(field.required(p.child('options').index(i), 'must not be empty'));
  });
  return errs;
}


const appArmorAnnotationPrefix = 'container.apparmor.security.beta.kubernetes.io/';

/** validDeletionCost is upstream's GetDeletionCostFromPodAnnotations: a plain int32, no '+' or leading zeros. */
function validDeletionCost(v: string): boolean {
  if (!/^(0|-?[1-9]\d*)$/.test(v)) return false;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647;
}

/** hasContainer: a container, init container or ephemeral container of that name is in the spec. */
const hasContainer = (spec: PodSpec | undefined, name: string): boolean =>
  [spec?.initContainers, spec?.containers, spec?.ephemeralContainers].some((cs) => (cs ?? []).some((c) => str(c.name) === name));

/**
 * validatePodSpecificAnnotations is upstream's ValidatePodSpecificAnnotations (pods and pod
 * templates): the mirror-pod annotation needs a node, pod-deletion-cost is an int32, and the
 * deprecated AppArmor annotations name a container and a known profile form.
 */
function validatePodSpecificAnnotations(annotations: Record<string, string> | undefined, spec: PodSpec | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const ann = annotations ?? {};
  const mirror = ann['kubernetes.io/config.mirror'];
  if (mirror !== undefined && !spec?.nodeName) errs.push(field.invalid(p.key('kubernetes.io/config.mirror'), mirror, 'must set spec.nodeName if mirror pod annotation is set'));
  const cost = ann['controller.kubernetes.io/pod-deletion-cost'];
  if (cost !== undefined && !validDeletionCost(cost)) errs.push(field.invalid(p.key('controller.kubernetes.io/pod-deletion-cost'), cost, 'must be a 32bit integer'));
  for (const [k, profile] of Object.entries(ann)) {
    if (!k.startsWith(appArmorAnnotationPrefix)) continue;
    const container = k.slice(appArmorAnnotationPrefix.length);
    if (!hasContainer(spec, container)) errs.push(field.invalid(p.key(k), container, 'container not found'));
    if (profile !== '' && profile !== 'runtime/default' && profile !== 'unconfined' && !profile.startsWith('localhost/')) {
      errs.push(field.invalid(p.key(k), profile, `invalid AppArmor profile name: ${JSON.stringify(profile)}`));
    }
  }
  return errs;
}

/**
 * validatePodTemplateMeta is the metadata part of upstream's ValidatePodTemplateSpec: labels,
 * annotations and the pod-specific annotations, which StatefulSets check without the pod spec.
 * Upstream names the embedded ObjectMeta's fields without `metadata` (`spec.template.labels`), as
 * users see for a Job whose name is too long for its job-name label.
 */
export function validatePodTemplateMeta(t: PodTemplateSpec | undefined, p: Path): FieldError[] {
  const errs = validateLabels(t?.metadata?.labels, p.child('labels'));
  errs.push(...validateAnnotations(t?.metadata?.annotations, p.child('annotations')));
  errs.push(...validatePodSpecificAnnotations(t?.metadata?.annotations, t?.spec, p.child('annotations')));
  return errs;
}

/** validatePodTemplateSpec checks an embedded pod template (Deployments, Jobs, ...). */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, p: Path): FieldError[] {
  const tpl = t ?? {};
  const errs = validatePodTemplateMeta(tpl, p);
  errs.push(...validatePodSpec(tpl.spec, p.child('spec')));
  if ((tpl.spec?.ephemeralContainers ?? []).length > 0) errs.push(field.forbidden(p.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

function validatePodMetadataAndSpec(pod: Pod): FieldError[] {
  const meta = Path.root('metadata');
  const spec = Path.root('spec');
  const errs = validateObjectMeta(pod.metadata, true, nameIsDNSSubdomain, meta);
  errs.push(...validatePodSpecificAnnotations(pod.metadata?.annotations, pod.spec, meta.child('annotations')));
  errs.push(...validatePodSpec(pod.spec, spec, { podMeta: pod.metadata, resourceIsPod: true }));
  if (!pod.spec?.serviceAccountName) {
    (pod.spec?.volumes ?? []).forEach((v, vi) =>
      (v.projected?.sources ?? []).forEach((s, si) => {
        if (s.serviceAccountToken) {
          errs.push(field.forbidden(spec.child('volumes').index(vi).child('projected', 'sources').index(si).child('serviceAccountToken'), 'must not be specified when serviceAccountName is not set'));
        }
      }),
    );
  }
  for (const key of ['containers', 'initContainers'] as const) {
    (pod.spec?.[key] ?? []).forEach((c, i) => {
      const img = str(c.image);
      if (img !== img.trim()) errs.push(field.invalid(spec.child(key).index(i).child('image'), img, 'must not have leading or trailing whitespace'));
    });
  }
  return errs;
}

/** validatePodCreate: ValidatePodCreate. */
export function validatePodCreate(pod: Pod): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = Path.root('spec');
  if ((pod.spec?.ephemeralContainers ?? []).length > 0) errs.push(field.forbidden(spec.child('ephemeralContainers'), 'cannot be set on create'));
  if (pod.spec?.nodeName && (pod.spec.schedulingGates ?? []).length > 0) {
    errs.push(field.forbidden(spec.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  }
  return errs;
}

const updatablePodSpecFields = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** validatePodUpdate: ValidatePodUpdate (only images, activeDeadlineSeconds, added tolerations and removed gates may change). */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  const meta = Path.root('metadata');
  const spec = Path.root('spec');
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, meta);
  errs.push(...validatePodMetadataAndSpec(pod));
  const ns = pod.spec ?? ({ containers: [] } as PodSpec);
  const os = old.spec ?? ({ containers: [] } as PodSpec);
  for (const key of ['containers', 'initContainers'] as const) {
    const n = ns[key] ?? [];
    const o = os[key] ?? [];
    if (n.length !== o.length) {
      errs.push(field.forbidden(spec.child(key), 'pod updates may not add or remove containers'));
      return errs;
    }
    n.forEach((c, i) => {
      if (!c.image) errs.push(field.required(spec.child(key).index(i).child('image'), ''));
      if (str(c.image) !== str(c.image).trim()) errs.push(field.invalid(spec.child(key).index(i).child('image'), str(c.image), 'must not have leading or trailing whitespace'));
    });
  }
  if (ns.activeDeadlineSeconds !== undefined && ns.activeDeadlineSeconds !== null) {
    const v = ns.activeDeadlineSeconds;
    if (v < 0 || v > 2147483647) {
      errs.push(field.invalid(spec.child('activeDeadlineSeconds'), v, inclusiveRangeError(0, 2147483647)));
      return errs;
    }
    if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds !== null && os.activeDeadlineSeconds < v) {
      errs.push(field.invalid(spec.child('activeDeadlineSeconds'), v, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (os.activeDeadlineSeconds !== undefined && os.activeDeadlineSeconds !== null) {
    errs.push(field.invalid(spec.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  for (const ot of os.tolerations ?? []) {
    const found = (ns.tolerations ?? []).some((nt) => deepEqual({ ...ot, tolerationSeconds: nt.tolerationSeconds }, nt));
    if (!found) {
      errs.push(field.forbidden(spec.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  const oldGates = new Set((os.schedulingGates ?? []).map((g) => g.name));
  (ns.schedulingGates ?? []).forEach((g, i) => {
    if (!oldGates.has(g.name)) errs.push(field.forbidden(spec.child('schedulingGates').index(i).child('name'), `only deletion is allowed, but found new scheduling gate '${g.name}'`));
  });
  if (deepEqual(ns, os)) return errs;
  const munged: PodSpec = JSON.parse(JSON.stringify(ns)) as PodSpec;
  munged.containers = (munged.containers ?? []).map((c, i) => ({ ...c, image: os.containers?.[i]?.image }) as Container);
  if (munged.initContainers) munged.initContainers = munged.initContainers.map((c, i) => ({ ...c, image: os.initContainers?.[i]?.image }) as Container);
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  munged.schedulingGates = os.schedulingGates;
  munged.tolerations = os.tolerations;
  if ((os.terminationGracePeriodSeconds ?? 0) < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  if ((os.schedulingGates ?? []).length > 0) {
    munged.nodeSelector = os.nodeSelector;
    if (munged.affinity || os.affinity?.nodeAffinity) munged.affinity = { ...(munged.affinity ?? {}), nodeAffinity: os.affinity?.nodeAffinity } as Affinity;
  }
  const clean = (o: unknown): unknown => JSON.parse(JSON.stringify(o ?? null));
  if (!deepEqual(clean(munged), clean(os))) {
    errs.push(field.forbidden(spec, `pod updates may not change fields other than ${updatablePodSpecFields.join(',')}\n${diffLines('core.PodSpec', os, munged)}`));
  }
  return errs;
}


/** validatePodStatusUpdate: ValidatePodStatusUpdate (the kubelet's writes). */
export function validatePodStatusUpdate(pod: Pod, old: Pod): FieldError[] {
  const meta = Path.root('metadata');
  const status = Path.root('status');
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata, meta);
  const system = new Set(['PodScheduled', 'Ready', 'Initialized']);
  (pod.status?.conditions ?? []).forEach((c, i) => {
    if (system.has(c.type)) return;
    for (const m of isQualifiedName(str(c.type))) errs.push(field.invalid(meta.child('conditions').index(i).child('Type'), str(c.type), m));
  });
  if (str(pod.spec?.nodeName) !== str(old.spec?.nodeName)) errs.push(field.forbidden(status.child('nodeName'), 'may not be changed directly'));
  const nn = str(pod.status?.nominatedNodeName);
  if (nn && nn !== str(old.status?.nominatedNodeName)) for (const m of nameIsDNSSubdomain(nn, false)) errs.push(field.invalid(status.child('nominatedNodeName'), nn, m));
  if (old.status?.qosClass && str(pod.status?.qosClass) !== old.status.qosClass) {
    errs.push(field.invalid(status.child('qosClass'), str(pod.status?.qosClass), 'field is immutable'));
  }
  (pod.status?.podIPs ?? []).forEach((ip, i) => ipErrors(str(ip.ip)).forEach((m) => errs.push(field.invalid(status.child('podIPs').index(i), str(ip.ip), m))));
  (pod.status?.hostIPs ?? []).forEach((ip, i) => ipErrors(str(ip.ip)).forEach((m) => errs.push(field.invalid(status.child('hostIPs').index(i), str(ip.ip), m))));
  return errs;
}
