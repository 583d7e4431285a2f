/**
 * Validation of the core/v1 kinds other than Pod, as upstream's pkg/apis/core/validation.
 */
import type {
  ConfigMap,
  Endpoints,
  Event,
  LimitRange,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServicePort,
} from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { Quantity } from '../quantity.js';
import { validateCSIDriverName } from './csi.js';
import { diffLines } from './diff.js';
import { GoValue, goNamedStringSlice, goQuantity, goStringMap, goStringSlice } from './govalue.js';
import {
  byteLength,
  deepEqual,
  fieldImmutableErrorMsg,
  isNegativeErrorMsg,
  str,
  validateFinalizerName,
  validateImmutableField,
  validateLabelName,
  validateLabels,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateTemplateObjectMeta,
} from './meta.js';
import {
  cidrErrors,
  ipErrors,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseIP,
} from './names.js';
import { validateNodeSelector, validatePodTemplateSpec, validatePortNumOrName, validateTaintEffect } from './pod.js';
import { parseQuantityField, validateContainerResourceName, validateResourceName, validateResourceQuantityValue, isHugePageResourceName, isOvercommitAllowed } from './resources.js';

/** resource.MaxMilliValue: the largest value whose milli form fits an int64. */
const MAX_MILLI_VALUE = Number((2n ** 63n - 1n) / 1000n);

/** goFloatF formats a float as Go's %f (six decimals, +Inf/-Inf/NaN spelled as Go does). */
function goFloatF(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  return x.toFixed(6);
}

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const protocols = ['SCTP', 'TCP', 'UDP'];
const nonNegative = (v: unknown, p: Path): FieldError[] => (typeof v === 'number' && v < 0 ? [field.invalid(p, v, isNegativeErrorMsg)] : []);
const dns1123Label = (v: string, p: Path): FieldError[] => isDNS1123Label(v).map((m) => field.invalid(p, v, m));

/** metaUpdate is the common first step of every update validation. */
export const metaUpdate = (n: { metadata?: ObjectMeta }, o: { metadata?: ObjectMeta }): FieldError[] => validateObjectMetaUpdate(n.metadata, o.metadata, META);

// ---- Namespace ----

export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel, META);
  for (const f of ns.spec?.finalizers ?? []) errs.push(...validateFinalizerName(str(f), Path.root('spec', 'finalizers')));
  return errs;
}

export function validateNamespaceStatusUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = metaUpdate(ns, old);
  const phase = str(ns.status?.phase);
  if (!ns.metadata?.deletionTimestamp) {
    if (phase !== 'Active') errs.push(field.invalid(Path.root('status', 'Phase'), phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(field.invalid(Path.root('status', 'Phase'), phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

/**
 * validateNamespaceFinalizeUpdate checks a write to namespaces/finalize (the namespace
 * controller removing spec.finalizers): metadata rules plus well-formed finalizer names.
 */
export function validateNamespaceFinalizeUpdate(ns: Namespace, old: Namespace): FieldError[] {
  const errs = metaUpdate(ns, old);
  (ns.spec?.finalizers ?? []).forEach((f, i) => errs.push(...validateFinalizerName(str(f), Path.root('spec', 'finalizers').index(i))));
  return errs;
}

// ---- Service ----

const isHeadless = (s: Service): boolean => (s.spec?.clusterIPs ?? []).length === 1 && s.spec!.clusterIPs![0] === 'None';

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp.name);
  if (requireName && !name) errs.push(field.required(p.child('name'), ''));
  else if (name) {
    errs.push(...dns1123Label(name, p.child('name')));
    if (names.has(name)) errs.push(field.duplicate(p.child('name'), name));
    else names.add(name);
  }
  for (const m of isValidPortNum(sp.port)) errs.push(field.invalid(p.child('port'), sp.port ?? 0, m));
  if (!sp.protocol) errs.push(field.required(p.child('protocol'), ''));
  else if (!protocols.includes(sp.protocol)) errs.push(field.notSupported(p.child('protocol'), sp.protocol, protocols));
  errs.push(...validatePortNumOrName(sp.targetPort ?? 0, p.child('targetPort')));
  if (sp.appProtocol !== undefined) for (const m of isQualifiedName(sp.appProtocol)) errs.push(field.invalid(p.child('appProtocol'), sp.appProtocol, m));
  return errs;
}

class ServicePortKey {
  constructor(
    private readonly protocol: string,
    private readonly port: number,
  ) {}
  toString(): string {
    return `core.ServicePort{Name:"", Protocol:${JSON.stringify(this.protocol)}, AppProtocol:(*string)(nil), Port:${this.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
  }
}

export function validateService(svc: Service): FieldError[] {
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label, META);
  const s = svc.spec ?? {};
  const type = str(s.type);
  const ports = s.ports ?? [];
  if (ports.length === 0 && !isHeadless(svc) && type !== 'ExternalName') errs.push(field.required(SPEC.child('ports'), ''));
  const clusterIPs = s.clusterIPs ?? [];
  if (type === 'LoadBalancer' && isHeadless(svc)) errs.push(field.invalid(SPEC.child('clusterIPs').index(0), clusterIPs[0] ?? 'None', "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && isHeadless(svc)) errs.push(field.invalid(SPEC.child('clusterIPs').index(0), clusterIPs[0] ?? 'None', "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (clusterIPs.length > 0) errs.push(field.forbidden(SPEC.child('clusterIPs'), 'may not be set for ExternalName services'));
    if ((s.ipFamilies ?? []).length > 0) errs.push(field.forbidden(SPEC.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (s.ipFamilyPolicy !== undefined && s.ipFamilyPolicy !== null) errs.push(field.forbidden(SPEC.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const cname = str(s.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(field.invalid(SPEC.child('externalName'), cname, m));
    else errs.push(field.required(SPEC.child('externalName'), ''));
  }
  const names = new Set<string>();
  ports.forEach((sp, i) => errs.push(...validateServicePort(sp, ports.length > 1, names, SPEC.child('ports').index(i))));
  if (s.selector) errs.push(...validateLabels(s.selector, SPEC.child('selector')));
  const affinity = str(s.sessionAffinity);
  if (!affinity) errs.push(field.required(SPEC.child('sessionAffinity'), ''));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(field.notSupported(SPEC.child('sessionAffinity'), affinity, ['ClientIP', 'None']));
  const cfgPath = SPEC.child('sessionAffinityConfig');
  if (affinity === 'ClientIP') {
    const cfg = s.sessionAffinityConfig;
    if (!cfg) errs.push(field.required(cfgPath, 'when session affinity type is ClientIP'));
    else if (!cfg.clientIP) errs.push(field.required(cfgPath.child('clientIP'), 'when session affinity type is ClientIP'));
    else if (cfg.clientIP.timeoutSeconds === undefined) errs.push(field.required(cfgPath.child('clientIP', 'timeoutSeconds'), 'when session affinity type is ClientIP'));
    else {
      const t = cfg.clientIP.timeoutSeconds;
      if (t <= 0 || t > 86400) errs.push(field.invalid(cfgPath.child('clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400'));
    }
  } else if (affinity === 'None' && s.sessionAffinityConfig) {
    errs.push(field.forbidden(cfgPath, 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPFields(svc));
  (s.externalIPs ?? []).forEach((ip, i) => {
    const e = ipErrors(ip).map((m) => field.invalid(SPEC.child('externalIPs').index(i), ip, m));
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, SPEC.child('externalIPs').index(i))));
  });
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (!type) errs.push(field.required(SPEC.child('type'), ''));
  else if (!types.includes(type)) errs.push(field.notSupported(SPEC.child('type'), type, types));
  if (type === 'ClusterIP') {
    ports.forEach((sp, i) => {
      if (sp.nodePort) errs.push(field.forbidden(SPEC.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    if (!sp.nodePort) return;
    const key = `${str(sp.protocol)}/${sp.nodePort}`;
    if (nodePorts.has(key)) errs.push(field.duplicate(SPEC.child('ports').index(i).child('nodePort'), sp.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((sp, i) => {
    const key = `${str(sp.protocol)}/${sp.port}`;
    if (seen.has(key)) errs.push(field.duplicate(SPEC.child('ports').index(i), new ServicePortKey(str(sp.protocol), sp.port)));
    seen.add(key);
  });
  if ((s.loadBalancerSourceRanges ?? []).length > 0) {
    const fp = SPEC.child('LoadBalancerSourceRanges');
    if (type !== 'LoadBalancer') errs.push(field.forbidden(fp, "may only be used when `type` is 'LoadBalancer'"));
    s.loadBalancerSourceRanges!.forEach((v, i) => cidrErrors(v.trim()).forEach((m) => errs.push(field.invalid(fp.index(i), v.trim(), m))));
  }
  if (s.allocateLoadBalancerNodePorts !== undefined && s.allocateLoadBalancerNodePorts !== null && type !== 'LoadBalancer') {
    errs.push(field.forbidden(SPEC.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && (s.allocateLoadBalancerNodePorts === undefined || s.allocateLoadBalancerNodePorts === null)) {
    errs.push(field.required(Path.root('allocateLoadBalancerNodePorts'), ''));
  }
  if (s.loadBalancerClass !== undefined && s.loadBalancerClass !== null) {
    if (type !== 'LoadBalancer') errs.push(field.forbidden(SPEC.child('loadBalancerClass'), "may only be used when `type` is 'LoadBalancer'"));
    else for (const m of isQualifiedName(s.loadBalancerClass)) errs.push(field.invalid(SPEC.child('loadBalancerClass'), s.loadBalancerClass, m));
  }
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);
  const etp = str(s.externalTrafficPolicy);
  if (!externallyAccessible) {
    if (etp) errs.push(field.invalid(SPEC.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  } else if (!etp) errs.push(field.required(SPEC.child('externalTrafficPolicy'), ''));
  else if (etp !== 'Cluster' && etp !== 'Local') errs.push(field.notSupported(SPEC.child('externalTrafficPolicy'), etp, ['Cluster', 'Local']));
  const needsHC = type === 'LoadBalancer' && etp === 'Local';
  if (!needsHC) {
    if (s.healthCheckNodePort) errs.push(field.invalid(SPEC.child('healthCheckNodePort'), s.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (s.healthCheckNodePort) {
    for (const m of isValidPortNum(s.healthCheckNodePort)) errs.push(field.invalid(SPEC.child('healthCheckNodePort'), s.healthCheckNodePort, m));
  }
  const itp = s.internalTrafficPolicy;
  if (itp === undefined || itp === null) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') errs.push(field.required(SPEC.child('internalTrafficPolicy'), ''));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(field.notSupported(SPEC.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  if (s.trafficDistribution !== undefined && s.trafficDistribution !== null && s.trafficDistribution !== 'PreferClose') {
    errs.push(field.notSupported(SPEC.child('trafficDistribution'), s.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateClusterIPFields(svc: Service): FieldError[] {
  const s = svc.spec ?? {};
  if (s.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = SPEC.child('clusterIPs');
  const ips = s.clusterIPs ?? [];
  if (s.clusterIP) {
    if (ips.length === 0) errs.push(field.required(ipsPath, ''));
    else if (ips[0] !== s.clusterIP) errs.push(field.invalid(ipsPath, goStringSlice(ips), 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(field.invalid(ipsPath, goStringSlice(ips), 'must be empty when `clusterIP` is not specified'));
  }
  const fams = s.ipFamilies ?? [];
  const seen = new Set<string>();
  fams.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(field.notSupported(SPEC.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(field.duplicate(SPEC.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  const policy = s.ipFamilyPolicy;
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (policy !== undefined && policy !== null && !policies.includes(policy)) errs.push(field.notSupported(SPEC.child('ipFamilyPolicy'), policy, policies));
  let invalid = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalid = true;
        errs.push(field.invalid(ipsPath, goStringSlice(ips), "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = ipErrors(ip);
    if (msgs.length) invalid = true;
    for (const m of msgs) errs.push(field.invalid(ipsPath.index(i), ip, m));
  });
  if (ips.length > 2) errs.push(field.invalid(ipsPath, goStringSlice(ips), 'may only hold up to 2 values'));
  if (invalid) return errs;
  if (ips.length > 1) {
    const families = ips.map((ip) => parseIP(ip)?.family);
    if (families[0] === families[1]) errs.push(field.invalid(ipsPath, goStringSlice(ips), 'may specify no more than one IP for each IP family'));
  }
  if (!isHeadless(svc) && ips.length > 0 && fams.length > 0) {
    ips.forEach((ip, i) => {
      if (i > fams.length - 1) return;
      const v6 = parseIP(ip)?.family === 6;
      if (fams[i] === 'IPv4' && v6) errs.push(field.invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !v6) errs.push(field.invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

function validateNonSpecialIP(ip: string, p: Path): FieldError[] {
  const parsed = parseIP(ip);
  if (!parsed) return [field.invalid(p, ip, 'must be a valid IP address')];
  const b = parsed.bytes;
  const errs: FieldError[] = [];
  const v4 = parsed.family === 4;
  if (b.every((x) => x === 0)) errs.push(field.invalid(p, ip, `may not be unspecified (${ip})`));
  if ((v4 && b[0] === 127) || (!v4 && b.slice(0, 15).every((x) => x === 0) && b[15] === 1)) errs.push(field.invalid(p, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if ((v4 && b[0] === 169 && b[1] === 254) || (!v4 && b[0] === 0xfe && (b[1]! & 0xc0) === 0x80)) errs.push(field.invalid(p, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if ((v4 && b[0] === 224 && b[1] === 0 && b[2] === 0) || (!v4 && b[0] === 0xff && (b[1]! & 0x0f) === 2)) errs.push(field.invalid(p, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** validateUpgradeDowngrade: primary clusterIP and ipFamily may not change (upstream's upgrade/downgrade rules). */
function validateUpgradeDowngrade(svc: Service, old: Service): FieldError[] {
  const errs: FieldError[] = [];
  const n = svc.spec ?? {};
  const o = old.spec ?? {};
  if (n.type === 'ExternalName' || o.type === 'ExternalName') return errs;
  const nh = isHeadless(svc);
  const oh = isHeadless(old);
  const nips = n.clusterIPs ?? [];
  const oips = o.clusterIPs ?? [];
  const ipsPath = SPEC.child('clusterIPs');
  if (!(nh && oh)) {
    if (oips.length === nips.length) {
      oips.forEach((ip, i) => {
        if (ip !== nips[i]) errs.push(field.invalid(ipsPath.index(i), goStringSlice(nips), 'may not change once set'));
      });
    } else if (oips.length > nips.length) {
      if (nips.length === 0) errs.push(field.invalid(ipsPath.index(0), goStringSlice(nips), 'primary clusterIP can not be unset'));
      if (oips.length > 0 && nips.length > 0 && nips[0] !== oips[0]) errs.push(field.invalid(ipsPath.index(0), goStringSlice(nips), 'may not change once set'));
      if (nips.length === 1 && n.ipFamilyPolicy !== 'SingleStack') {
        errs.push(field.invalid(SPEC.child('ipFamilyPolicy'), n.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (oips.length > 0 && nips[0] !== oips[0]) {
      errs.push(field.invalid(ipsPath.index(0), goStringSlice(nips), 'may not change once set'));
    }
  }
  if (nh === oh && !nh) {
    const nf = n.ipFamilies ?? [];
    const of = o.ipFamilies ?? [];
    const fp = SPEC.child('ipFamilies').index(0);
    if (of.length === nf.length) {
      of.forEach((f, i) => {
        if (f !== nf[i]) errs.push(field.invalid(fp, goNamedStringSlice('core.IPFamily', n.ipFamilies), 'may not change once set'));
      });
    } else if (of.length > nf.length) {
      if (nips.length === 0) errs.push(field.invalid(fp, goNamedStringSlice('core.IPFamily', n.ipFamilies), 'primary ipFamily can not be unset'));
      if (nf.length > 0 && nf[0] !== of[0]) errs.push(field.invalid(fp, goStringSlice(nips), 'may not change once set'));
      if (nf.length === 1 && n.ipFamilyPolicy !== 'SingleStack') {
        errs.push(field.invalid(SPEC.child('ipFamilyPolicy'), n.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
      }
    } else if (of.length > 0 && nf.length > 0 && nf[0] !== of[0]) {
      errs.push(field.invalid(fp, goStringSlice(nips), 'may not change once set'));
    }
  }
  return errs;
}


export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const errs = metaUpdate(svc, old);
  const n = svc.spec ?? {};
  const o = old.spec ?? {};
  errs.push(...validateUpgradeDowngrade(svc, old));
  if (o.type === 'LoadBalancer' && n.type === 'LoadBalancer' && (o.loadBalancerClass ?? null) !== (n.loadBalancerClass ?? null)) {
    errs.push(field.invalid(SPEC.child('loadBalancerClass'), n.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (o.type === 'LoadBalancer' && o.externalTrafficPolicy === 'Local' && n.type === 'LoadBalancer' && n.externalTrafficPolicy === 'Local' && n.healthCheckNodePort !== o.healthCheckNodePort) {
    errs.push(field.forbidden(SPEC.child('healthCheckNodePort'), fieldImmutableErrorMsg));
  }
  errs.push(...validateService(svc));
  return errs;
}

export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = metaUpdate(svc, old);
  const ing = Path.root('status', 'loadBalancer', 'ingress');
  (svc.status?.loadBalancer?.ingress ?? []).forEach((i, idx) => {
    const ip = ing.index(idx);
    if (i.ip) ipErrors(i.ip).forEach((m) => errs.push(field.invalid(ip.child('ip'), i.ip, m)));
    if (i.ip && !i.ipMode) errs.push(field.required(ip.child('ipMode'), 'must be specified when `ip` is set'));
    if (i.ipMode && !i.ip) errs.push(field.forbidden(ip.child('ipMode'), 'may not be specified when `ip` is not set'));
    if (i.hostname) {
      for (const m of isDNS1123Subdomain(i.hostname)) errs.push(field.invalid(ip.child('hostname'), i.hostname, m));
      if (parseIP(i.hostname)) errs.push(field.invalid(ip.child('hostname'), i.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// ---- Endpoints ----

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain, META);
  (ep.subsets ?? []).forEach((ss, i) => {
    const sp = Path.root('subsets').index(i);
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) errs.push(field.required(sp, 'must specify `addresses` or `notReadyAddresses`'));
    for (const key of ['addresses', 'notReadyAddresses'] as const) {
      (ss[key] ?? []).forEach((a, j) => {
        const ap = sp.child(key).index(j);
        errs.push(...ipErrors(str(a.ip)).map((m) => field.invalid(ap.child('ip'), str(a.ip), m)));
        if (a.hostname) errs.push(...dns1123Label(a.hostname, ap.child('hostname')));
        if (a.nodeName !== undefined) for (const m of nameIsDNSSubdomain(a.nodeName, false)) errs.push(field.invalid(ap.child('nodeName'), a.nodeName, m));
        errs.push(...validateNonSpecialIP(str(a.ip), ap.child('ip')));
      });
    }
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => {
      const pp = sp.child('ports').index(j);
      if (ports.length > 1 && !port.name) errs.push(field.required(pp.child('name'), ''));
      else if (port.name) errs.push(...dns1123Label(port.name, pp.child('name')));
      for (const m of isValidPortNum(port.port)) errs.push(field.invalid(pp.child('port'), port.port ?? 0, m));
      if (!port.protocol) errs.push(field.required(pp.child('protocol'), ''));
      else if (!protocols.includes(port.protocol)) errs.push(field.notSupported(pp.child('protocol'), port.protocol, protocols));
      if (port.appProtocol !== undefined) for (const m of isQualifiedName(port.appProtocol)) errs.push(field.invalid(pp.child('appProtocol'), port.appProtocol, m));
    });
  });
  return errs;
}

// ---- Node ----

/**
 * goTaint renders a core.Taint as %#v does; a nil TimeAdded prints `<nil>` (a nil *metav1.Time's
 * promoted GoString panics, which fmt reports so). A set TimeAdded is shown as its RFC 3339 text.
 */
function goTaint(t: { key?: string; value?: string; effect?: string; timeAdded?: string }): GoValue {
  const added = t.timeAdded ? `&${t.timeAdded}` : '<nil>';
  return new GoValue(`core.Taint{Key:${JSON.stringify(str(t.key))}, Value:${JSON.stringify(str(t.value))}, Effect:${JSON.stringify(str(t.effect))}, TimeAdded:${added}}`);
}

function validateNodeTaints(taints: NonNullable<Node['spec']>['taints'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Set<string>();
  (taints ?? []).forEach((t, i) => {
    const ip = p.index(i);
    errs.push(...validateLabelName(str(t.key), ip.child('key')));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(field.invalid(ip.child('value'), str(t.value), msgs.join(';')));
    if (!t.effect) errs.push(field.required(ip.child('effect'), ''));
    else errs.push(...validateTaintEffect(t.effect, ip.child('effect')));
    const key = `${str(t.effect)}\u0000${str(t.key)}`;
    if (unique.has(key)) {
      const e = field.duplicate(ip, goTaint(t));
      e.detail = 'taints must be unique by key and effect pair';
      errs.push(e);
    }
    unique.add(key);
  });
  return errs;
}

export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain, META);
  if ((node.spec?.taints ?? []).length > 0) errs.push(...validateNodeTaints(node.spec!.taints, META.child('taints')));
  errs.push(...validateNodeResources(node));
  (node.spec?.podCIDRs ?? []).forEach((c, i) => cidrErrors(c).forEach((m) => errs.push(field.invalid(Path.root('spec', 'podCIDRs').index(i), c, m))));
  return errs;
}

function validateNodeResources(node: Node): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of ['capacity', 'allocatable'] as const) {
    for (const [k, v] of Object.entries(node.status?.[key] ?? {})) {
      const rp = Path.root('status', key, k);
      const q = parseQuantityField(v, rp, errs);
      if (q) errs.push(...validateResourceQuantityValue(k, q, rp));
    }
  }
  return errs;
}

export function validateNodeUpdate(node: Node, old: Node): FieldError[] {
  const errs = metaUpdate(node, old);
  errs.push(...validateNodeResources(node));
  const oc = old.spec?.podCIDRs ?? [];
  const nc = node.spec?.podCIDRs ?? [];
  if (oc.length > 0 && (oc.length !== nc.length || oc.some((c, i) => c !== nc[i]))) {
    errs.push(field.forbidden(Path.root('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && old.spec.providerID !== node.spec?.providerID) {
    errs.push(field.forbidden(Path.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  }
  if ((node.spec?.taints ?? []).length > 0) errs.push(...validateNodeTaints(node.spec!.taints, META.child('taints')));
  if (str(node.spec?.externalID) !== str(old.spec?.externalID)) errs.push(field.forbidden(Path.root('spec', 'externalID'), 'may not be updated'));
  return errs;
}

// ---- ConfigMap, Secret, ServiceAccount ----

export const maxSecretSize = 1024 * 1024;

/** base64Length is the decoded size of a base64 string (Secret data on the wire). */
const base64Length = (b64: string): number => {
  const s = b64.replace(/\s/g, '');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return Math.floor((s.length * 3) / 4) - pad;
};

export function validateConfigMap(cm: ConfigMap): FieldError[] {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain, META);
  let total = 0;
  const bin = cm.binaryData ?? {};
  for (const [k, v] of Object.entries(cm.data ?? {})) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(Path.root('data').key(k), k, m));
    if (Object.prototype.hasOwnProperty.call(bin, k)) errs.push(field.invalid(Path.root('data').key(k), k, 'duplicate of key present in binaryData'));
    total += byteLength(String(v));
  }
  for (const [k, v] of Object.entries(bin)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(Path.root('binaryData').key(k), k, m));
    total += base64Length(String(v));
  }
  if (total > maxSecretSize) errs.push(field.tooLong(Path.root(''), '', maxSecretSize));
  return errs;
}

export function validateConfigMapUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = metaUpdate(cm, old);
  if (old.immutable === true) {
    if (cm.immutable !== true) errs.push(field.forbidden(Path.root('immutable'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.data ?? null, old.data ?? null)) errs.push(field.forbidden(Path.root('data'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(cm.binaryData ?? null, old.binaryData ?? null)) errs.push(field.forbidden(Path.root('binaryData'), 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateConfigMap(cm));
  return errs;
}

function decodeBase64(b64: string): string | undefined {
  try {
    const bin = atob(b64);
    return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** goJSONError mimics encoding/json's error for content that is not a JSON object. */
function goJSONError(text: string): string | undefined {
  const t = text.trim();
  if (!t) return 'unexpected end of JSON input';
  try {
    const v: unknown = JSON.parse(t);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      const kind = Array.isArray(v) ? 'array' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : undefined;
      return kind ? `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` : undefined;
    }
    return undefined;
  } catch {
    const c = t[0]!;
    return /[{["\-0-9tfn]/.test(c) ? 'unexpected end of JSON input' : `invalid character '${c}' looking for beginning of value`;
  }
}

export function validateSecret(sec: Secret): FieldError[] {
  const errs = validateObjectMeta(sec.metadata, true, nameIsDNSSubdomain, META);
  const dataPath = Path.root('data');
  const data = sec.data ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    for (const m of isConfigMapKey(k)) errs.push(field.invalid(dataPath.key(k), k, m));
    total += base64Length(String(v));
  }
  if (total > maxSecretSize) errs.push(field.tooLong(dataPath, '', maxSecretSize));
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (sec.type ?? '') {
    case 'kubernetes.io/service-account-token':
      if (!sec.metadata?.annotations?.['kubernetes.io/service-account.name']) {
        errs.push(field.required(Path.root('metadata', 'annotations').key('kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = sec.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        errs.push(field.required(dataPath.key(key), ''));
        break;
      }
      const msg = goJSONError(decodeBase64(String(data[key])) ?? '');
      if (msg) errs.push(field.invalid(dataPath.key(key), '<secret contents redacted>', msg));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(field.required(dataPath.key('username'), ''));
        errs.push(field.required(dataPath.key('password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) errs.push(field.required(dataPath.key('ssh-privatekey'), ''));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(field.required(dataPath.key('tls.crt'), ''));
      if (!has('tls.key')) errs.push(field.required(dataPath.key('tls.key'), ''));
      break;
  }
  return errs;
}

export function validateSecretUpdate(sec: Secret, old: Secret): FieldError[] {
  const errs = metaUpdate(sec, old);
  errs.push(...validateImmutableField(str(sec.type), str(old.type), Path.root('type')));
  if (old.immutable === true) {
    if (sec.immutable !== true) errs.push(field.forbidden(Path.root('immutable'), 'field is immutable when `immutable` is set'));
    if (!deepEqual(sec.data ?? null, old.data ?? null)) errs.push(field.forbidden(Path.root('data'), 'field is immutable when `immutable` is set'));
  }
  errs.push(...validateSecret(sec));
  return errs;
}

// ---- Event (core/v1) ----

/** LegacyEventFields: the internal Event fields legacy validation reads, from either API version. */
export interface LegacyEventFields {
  namespace: string;
  involvedNamespace: string;
  eventTime: string | undefined;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  message: string;
}

/**
 * legacyEventErrors is upstream's legacyValidateEvent, which every Event create passes: old-style
 * events (no eventTime) only need matching namespaces; new-style ones need reporting fields.
 * `reportingField` is `reportingComponent` for core/v1 requests, `reportingController` otherwise.
 */
export function legacyEventErrors(e: LegacyEventFields, reportingField: string): FieldError[] {
  const errs: FieldError[] = [];
  const invNs = Path.root('involvedObject', 'namespace');
  if (!e.eventTime) {
    if (!e.involvedNamespace) {
      if (e.namespace !== '' && e.namespace !== 'default') errs.push(field.invalid(invNs, e.involvedNamespace, 'does not match event.namespace'));
    } else if (e.namespace !== e.involvedNamespace) {
      errs.push(field.invalid(invNs, e.involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (!e.involvedNamespace && e.namespace !== 'default' && e.namespace !== 'kube-system') errs.push(field.invalid(invNs, e.involvedNamespace, 'does not match event.namespace'));
    if (!e.reportingController) errs.push(field.required(Path.root(reportingField), ''));
    for (const m of isQualifiedName(e.reportingController)) errs.push(field.invalid(Path.root(reportingField), e.reportingController, m));
    if (!e.reportingInstance) errs.push(field.required(Path.root('reportingInstance'), ''));
    if (e.reportingInstance.length > 128) errs.push(field.invalid(Path.root('reportingInstance'), '', 'can have at most 128 characters'));
    if (!e.action) errs.push(field.required(Path.root('action'), ''));
    if (e.action.length > 128) errs.push(field.invalid(Path.root('action'), '', 'can have at most 128 characters'));
    if (!e.reason) errs.push(field.required(Path.root('reason'), ''));
    if (e.reason.length > 128) errs.push(field.invalid(Path.root('reason'), '', 'can have at most 128 characters'));
    if (e.message.length > 1024) errs.push(field.invalid(Path.root('message'), '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(e.namespace)) errs.push(field.invalid(Path.root('namespace'), e.namespace, m));
  return errs;
}

/** validateEvent: core/v1 Events get only the legacy checks (no name rules), as upstream. */
export function validateEvent(ev: Event): FieldError[] {
  return legacyEventErrors(
    {
      namespace: str(ev.metadata?.namespace),
      involvedNamespace: str(ev.involvedObject?.namespace),
      eventTime: ev.eventTime ?? undefined,
      reportingController: str(ev.reportingComponent),
      reportingInstance: str(ev.reportingInstance),
      action: str(ev.action),
      reason: str(ev.reason),
      message: str(ev.message),
    },
    'reportingComponent',
  );
}

// ---- PersistentVolume, PersistentVolumeClaim ----

const accessModes = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const pvSources = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'glusterfs', 'flocker', 'nfs', 'rbd', 'quobyte', 'cephfs', 'iscsi', 'cinder', 'fc',
  'flexVolume', 'azureFile', 'vsphereVolume', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

function validateAccessModes(modes: string[] | undefined, p: Path, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  const m = modes ?? [];
  if (m.length === 0) errs.push(field.required(p, requiredDetail));
  let rwop = false;
  let other = false;
  for (const mode of m) {
    if (!accessModes.includes(mode)) errs.push(field.notSupported(p, mode, accessModes));
    if (mode === 'ReadWriteOncePod') rwop = true;
    else if (accessModes.includes(mode)) other = true;
  }
  if (rwop && other) errs.push(field.forbidden(p, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

export function validatePersistentVolume(pv: PersistentVolume): FieldError[] {
  return [...validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain, META), ...validatePersistentVolumeSpec(pv.spec ?? {}, SPEC, false)];
}

/**
 * validatePersistentVolumeSpec is upstream's ValidatePersistentVolumeSpec; `inline` is its
 * validateInlinePersistentVolumeSpec (a VolumeAttachment's inlineVolumeSpec: a CSI source, no
 * claimRef or capacity).
 */
export function validatePersistentVolumeSpec(s: NonNullable<PersistentVolume['spec']>, p: Path, inline: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (inline) {
    if (s.claimRef) errs.push(field.forbidden(p.child('claimRef'), 'may not be specified in the context of inline volumes'));
    if (Object.keys(s.capacity ?? {}).length !== 0) errs.push(field.forbidden(p.child('capacity'), 'may not be specified in the context of inline volumes'));
    if (!s.csi) errs.push(field.required(p.child('csi'), 'has to be specified in the context of inline volumes'));
  }
  errs.push(...validateAccessModes(s.accessModes, p.child('accessModes'), ''));
  const cap = s.capacity ?? {};
  if (!inline) {
    if (Object.keys(cap).length === 0) errs.push(field.required(p.child('capacity'), ''));
    if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(field.notSupported(p.child('capacity'), goStringMap(cap as Record<string, string>), ['storage']));
    for (const [k, v] of Object.entries(cap)) {
      const q = parseQuantityField(v, p.child('capacity').key(k), errs);
      if (q && q.cmp(Quantity.parse('0')) <= 0) errs.push(field.invalid(p.child('capacity').key(k), q.toString(), 'must be greater than zero'));
    }
  }
  const rp = s.persistentVolumeReclaimPolicy;
  if (rp && !['Delete', 'Recycle', 'Retain'].includes(rp)) errs.push(field.notSupported(p.child('persistentVolumeReclaimPolicy'), rp, ['Delete', 'Recycle', 'Retain']));
  if (s.nodeAffinity) {
    if (s.nodeAffinity.required) errs.push(...validateNodeSelector(s.nodeAffinity.required, p.child('nodeAffinity', 'required')));
    else errs.push(field.required(p.child('nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  let n = 0;
  const src = s as Record<string, unknown>;
  for (const key of pvSources) {
    if (src[key] === undefined || src[key] === null) continue;
    if (n > 0) {
      errs.push(field.forbidden(p.child(key), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    if (key === 'hostPath' && !s.hostPath?.path) errs.push(field.required(p.child('hostPath', 'path'), ''));
    if (key === 'local') {
      if (!s.local?.path) errs.push(field.required(p.child('local', 'path'), ''));
      if (!s.nodeAffinity) errs.push(field.required(p.child('nodeAffinity'), 'Local volume requires node affinity'));
    }
    if (key === 'nfs') {
      if (!s.nfs?.server) errs.push(field.required(p.child('nfs', 'server'), ''));
      if (!s.nfs?.path) errs.push(field.required(p.child('nfs', 'path'), ''));
    }
    if (key === 'csi') {
      errs.push(...validateCSIDriverName(str(s.csi?.driver), p.child('csi', 'driver')));
      if (!s.csi?.volumeHandle) errs.push(field.required(p.child('csi', 'volumeHandle'), ''));
    }
  }
  if (n === 0) errs.push(field.required(p, 'must specify a volume type'));
  if (s.storageClassName) for (const m of nameIsDNSSubdomain(s.storageClassName, false)) errs.push(field.invalid(p.child('storageClassName'), s.storageClassName, m));
  if (s.volumeMode && !['Block', 'Filesystem'].includes(s.volumeMode)) errs.push(field.notSupported(p.child('volumeMode'), s.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs = metaUpdate(pv, old);
  errs.push(...validatePersistentVolume(pv));
  const strip = (s: PersistentVolume['spec']): unknown => {
    const c = { ...(s ?? {}) } as Record<string, unknown>;
    for (const k of ['capacity', 'claimRef', 'persistentVolumeReclaimPolicy', 'accessModes', 'mountOptions', 'storageClassName', 'nodeAffinity', 'volumeAttributesClassName']) delete c[k];
    return c;
  };
  if (!deepEqual(strip(pv.spec), strip(old.spec))) {
    errs.push(field.forbidden(SPEC.child('persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${diffLines('core.PersistentVolumeSource', strip(old.spec), strip(pv.spec))}`));
  }
  errs.push(...validateImmutableField(str(pv.spec?.volumeMode), str(old.spec?.volumeMode), SPEC.child('volumeMode')));
  if (old.spec?.nodeAffinity && !deepEqual(pv.spec?.nodeAffinity, old.spec.nodeAffinity)) {
    errs.push(field.invalid(SPEC.child('nodeAffinity'), JSON.stringify(pv.spec?.nodeAffinity ?? null), fieldImmutableErrorMsg));
  }
  return errs;
}

function validatePVCSpec(s: NonNullable<PersistentVolumeClaim['spec']>, p: Path): FieldError[] {
  const errs = validateAccessModes(s.accessModes, p.child('accessModes'), 'at least 1 access mode is required');
  if (s.selector) errs.push(...validateLabelSelector(s.selector, p.child('selector')));
  const storagePath = p.child('resources').key('storage');
  const storage = s.resources?.requests?.['storage'];
  if (storage === undefined) errs.push(field.required(storagePath, ''));
  else {
    const q = parseQuantityField(storage, storagePath, errs);
    if (q && q.cmp(Quantity.parse('0')) <= 0) errs.push(field.invalid(storagePath, q.toString(), 'must be greater than zero'));
  }
  if (s.storageClassName) for (const m of nameIsDNSSubdomain(s.storageClassName, false)) errs.push(field.invalid(p.child('storageClassName'), s.storageClassName, m));
  if (s.volumeMode && !['Block', 'Filesystem'].includes(s.volumeMode)) errs.push(field.notSupported(p.child('volumeMode'), s.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validatePVCSpec(pvc.spec ?? {}, SPEC));
  return errs;
}

/** validatePVCTemplate: the embedded claim of an ephemeral volume (only labels/annotations in metadata). */
export function validatePVCTemplate(t: PersistentVolumeClaim, p: Path): FieldError[] {
  return [...validateTemplateObjectMeta(t.metadata, p.child('metadata')), ...validatePVCSpec(t.spec ?? {}, p.child('spec'))];
}


export function validatePersistentVolumeClaimUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs = metaUpdate(pvc, old);
  errs.push(...validatePersistentVolumeClaim(pvc));
  const n = JSON.parse(JSON.stringify(pvc.spec ?? {})) as Record<string, unknown> & NonNullable<PersistentVolumeClaim['spec']>;
  const o = JSON.parse(JSON.stringify(old.spec ?? {})) as Record<string, unknown> & NonNullable<PersistentVolumeClaim['spec']>;
  if (!o.volumeName) o.volumeName = n.volumeName;
  if (o.storageClassName === undefined && n.storageClassName !== undefined) o.storageClassName = n.storageClassName;
  if (pvc.status?.phase === 'Bound' && n.resources?.requests) n.resources.requests['storage'] = o.resources?.requests?.['storage'] as string;
  if (pvc.status?.phase === 'Bound' && n.volumeAttributesClassName !== undefined) n.volumeAttributesClassName = o.volumeAttributesClassName;
  if (!deepEqual(n, o)) {
    errs.push(field.forbidden(SPEC, `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${diffLines('core.PersistentVolumeClaimSpec', o, n)}`));
  }
  const ns = pvc.spec?.resources?.requests?.['storage'];
  const os = old.spec?.resources?.requests?.['storage'];
  if (ns !== undefined && os !== undefined) {
    try {
      if (Quantity.parse(ns).cmp(Quantity.parse(os)) < 0) {
        const cap = old.status?.capacity?.['storage'];
        if (cap !== undefined && Quantity.parse(ns).cmp(Quantity.parse(cap)) <= 0) {
          errs.push(field.forbidden(Path.root('spec', 'resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
        }
      }
    } catch {
      // malformed quantities were reported above
    }
  }
  errs.push(...validateImmutableField(pvc.spec?.volumeMode ?? null, old.spec?.volumeMode ?? null, Path.root('volumeMode')));
  return errs;
}

// ---- ResourceQuota, LimitRange ----

const quotaResources = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.storage', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps',
  'services.nodeports', 'services.loadbalancers',
]);
const quotaScopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

/** isStandardQuotaResourceName is upstream's helper.IsStandardQuotaResourceName. */
const isStandardQuotaResourceName = (k: string): boolean => quotaResources.has(k) || isHugePageResourceName(k) || k.startsWith('requests.hugepages-');
const podComputeQuotaResources = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

/** quotaScopeValidForResource is upstream's helper.IsResourceQuotaScopeValidForResource. */
function quotaScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return resource === 'pods' || podComputeQuotaResources.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}

function validateQuotaResourceName(name: string, p: Path): FieldError[] {
  const errs = validateResourceName(name, p);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) {
    errs.push(field.invalid(p, name, 'must be a standard resource for quota'));
  }
  return errs;
}

function validateQuotaList(list: Record<string, unknown> | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const rp = p.key(k);
    errs.push(...validateQuotaResourceName(k, rp));
    const q = parseQuantityField(v, rp, errs);
    if (q) errs.push(...validateResourceQuantityValue(k, q, rp));
  }
  return errs;
}

export function validateResourceQuota(rq: ResourceQuota): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validateQuotaSpec(rq));
  errs.push(...validateQuotaList(rq.status?.hard, Path.root('status', 'hard')));
  errs.push(...validateQuotaList(rq.status?.used, Path.root('status', 'used')));
  return errs;
}

function validateQuotaSpec(rq: ResourceQuota): FieldError[] {
  const errs = validateQuotaList(rq.spec?.hard, SPEC.child('hard'));
  const scopes = rq.spec?.scopes ?? [];
  const hard = Object.keys(rq.spec?.hard ?? {}).sort();
  for (const sc of scopes) {
    if (!quotaScopes.includes(sc)) errs.push(field.invalid(SPEC.child('scopes'), goNamedStringSlice('core.ResourceQuotaScope', rq.spec?.scopes), 'unsupported scope'));
    for (const k of hard) {
      if (isStandardQuotaResourceName(k) && !quotaScopeValidForResource(sc, k)) {
        errs.push(field.invalid(SPEC.child('scopes'), goNamedStringSlice('core.ResourceQuotaScope', rq.spec?.scopes), 'unsupported scope applied to resource'));
      }
    }
  }
  if ((scopes.includes('BestEffort') && scopes.includes('NotBestEffort')) || (scopes.includes('Terminating') && scopes.includes('NotTerminating'))) {
    errs.push(field.invalid(SPEC.child('scopes'), goNamedStringSlice('core.ResourceQuotaScope', rq.spec?.scopes), 'conflicting scopes'));
  }
  return errs;
}

export function validateResourceQuotaUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = metaUpdate(rq, old);
  errs.push(...validateQuotaSpec(rq));
  const a = [...new Set(rq.spec?.scopes ?? [])].sort();
  const b = [...new Set(old.spec?.scopes ?? [])].sort();
  if (!deepEqual(a, b)) errs.push(field.invalid(SPEC.child('scopes'), goNamedStringSlice('core.ResourceQuotaScope', rq.spec?.scopes), fieldImmutableErrorMsg));
  return errs;
}

export function validateResourceQuotaStatusUpdate(rq: ResourceQuota, old: ResourceQuota): FieldError[] {
  const errs = metaUpdate(rq, old);
  errs.push(...validateQuotaList(rq.status?.hard, Path.root('status', 'hard')));
  errs.push(...validateQuotaList(rq.status?.used, Path.root('status', 'used')));
  return errs;
}

export function validateLimitRange(lr: LimitRange): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain, META);
  const types = new Set<string>();
  (lr.spec?.limits ?? []).forEach((l, i) => {
    const ip = Path.root('spec', 'limits').index(i);
    const type = str(l.type);
    const typeErrs = isQualifiedName(type).map((m) => field.invalid(ip.child('type'), type, m));
    if (typeErrs.length === 0 && !type.includes('/') && !['Pod', 'Container', 'PersistentVolumeClaim'].includes(type)) {
      typeErrs.push(field.invalid(ip.child('type'), type, 'must be a standard limit type or fully qualified'));
    }
    errs.push(...typeErrs);
    if (types.has(type)) errs.push(field.duplicate(ip.child('type'), type));
    types.add(type);
    const nameFn = type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
    const read = (key: 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio'): Map<string, Quantity> => {
      const out = new Map<string, Quantity>();
      for (const [k, v] of Object.entries(l[key] ?? {})) {
        errs.push(...nameFn(k, ip.child(key).key(k)));
        const q = parseQuantityField(v, ip.child(key).key(k), errs);
        if (q) out.set(k, q);
      }
      return out;
    };
    const max = read('max');
    const min = read('min');
    let def = new Map<string, Quantity>();
    let defReq = new Map<string, Quantity>();
    if (type === 'Pod') {
      if (Object.keys(l.default ?? {}).length > 0) errs.push(field.forbidden(ip.child('default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(l.defaultRequest ?? {}).length > 0) errs.push(field.forbidden(ip.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      def = read('default');
      defReq = read('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
      errs.push(field.required(ip.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    const ratio = read('maxLimitRequestRatio');
    const keys = new Set([...max.keys(), ...min.keys(), ...def.keys(), ...defReq.keys(), ...ratio.keys()]);
    for (const k of keys) {
      const mn = min.get(k);
      const mx = max.get(k);
      const d = def.get(k);
      const dr = defReq.get(k);
      const r = ratio.get(k);
      if (mn && mx && mn.cmp(mx) > 0) errs.push(field.invalid(ip.child('min').key(k), goQuantity(mn), `min value ${mn} is greater than max value ${mx}`));
      if (dr && mn && mn.cmp(dr) > 0) errs.push(field.invalid(ip.child('defaultRequest').key(k), goQuantity(dr), `min value ${mn} is greater than default request value ${dr}`));
      if (dr && mx && dr.cmp(mx) > 0) errs.push(field.invalid(ip.child('defaultRequest').key(k), goQuantity(dr), `default request value ${dr} is greater than max value ${mx}`));
      if (dr && d && dr.cmp(d) > 0) errs.push(field.invalid(ip.child('defaultRequest').key(k), goQuantity(dr), `default request value ${dr} is greater than default limit value ${d}`));
      if (d && mn && mn.cmp(d) > 0) errs.push(field.invalid(ip.child('default').key(k), goQuantity(mn), `min value ${mn} is greater than default value ${d}`));
      if (d && mx && d.cmp(mx) > 0) errs.push(field.invalid(ip.child('default').key(k), goQuantity(mx), `default value ${d} is greater than max value ${mx}`));
      if (r && r.cmp(Quantity.parse('1')) < 0) errs.push(field.invalid(ip.child('maxLimitRequestRatio').key(k), goQuantity(r), `ratio ${r} is less than 1`));
      if (r && mn && mx) {
        // Upstream compares in milli units unless a value is too large for them.
        const big = [r, mn, mx].some((q) => q.value() >= MAX_MILLI_VALUE);
        const ratioValue = big ? r.value() : r.milliValue() / 1000;
        const limit = big ? mx.value() / mn.value() : mx.milliValue() / mn.milliValue();
        if (ratioValue > limit) {
          errs.push(field.invalid(ip.child('maxLimitRequestRatio').key(k), goQuantity(r), `ratio ${r} is greater than max/min = ${goFloatF(limit)}`));
        }
      }
      // Resources that cannot be overcommitted need default == defaultRequest when both are set.
      if (!isOvercommitAllowed(k) && d && dr && d.cmp(dr) !== 0) {
        errs.push(field.invalid(ip.child('defaultRequest').key(k), goQuantity(dr), `default value ${d} must equal to defaultRequest value ${dr} in ${k}`));
      }
    }
  });
  return errs;
}

// ---- ServiceAccount ----

export function validateServiceAccount(sa: { metadata?: ObjectMeta }): FieldError[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain, META);
}

// ---- ReplicationController, PodTemplate ----

export function validateReplicationController(rc: ReplicationController): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain, META);
  const s = rc.spec ?? {};
  errs.push(...nonNegative(s.minReadySeconds, SPEC.child('minReadySeconds')));
  const sel = s.selector ?? {};
  if (Object.keys(sel).length === 0) errs.push(field.required(SPEC.child('selector'), ''));
  errs.push(...nonNegative(s.replicas, SPEC.child('replicas')));
  const tp = SPEC.child('template');
  if (!s.template) errs.push(field.required(tp, ''));
  else {
    const labels = s.template.metadata?.labels ?? {};
    if (Object.keys(sel).length > 0 && !Object.entries(sel).every(([k, v]) => labels[k] === v)) {
      errs.push(field.invalid(tp.child('metadata', 'labels'), goStringMap(s.template.metadata?.labels), '`selector` does not match template `labels`'));
    }
    errs.push(...validatePodTemplateSpec(s.template, tp));
    const rp = str(s.template.spec?.restartPolicy);
    if (rp !== 'Always') errs.push(field.notSupported(tp.child('spec', 'restartPolicy'), rp, ['Always']));
    if (s.template.spec?.activeDeadlineSeconds !== undefined && s.template.spec.activeDeadlineSeconds !== null) {
      errs.push(field.forbidden(tp.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
    }
  }
  return errs;
}

export function validateReplicationControllerStatus(rc: ReplicationController): FieldError[] {
  const st = rc.status ?? { replicas: 0 };
  const p = Path.root('status');
  const errs: FieldError[] = [];
  for (const k of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) errs.push(...nonNegative(st[k], p.child(k)));
  const replicas = st.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((st.fullyLabeledReplicas ?? 0) > replicas) errs.push(field.invalid(p.child('fullyLabeledReplicas'), st.fullyLabeledReplicas, msg));
  if ((st.readyReplicas ?? 0) > replicas) errs.push(field.invalid(p.child('readyReplicas'), st.readyReplicas, msg));
  if ((st.availableReplicas ?? 0) > replicas) errs.push(field.invalid(p.child('availableReplicas'), st.availableReplicas, msg));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) errs.push(field.invalid(p.child('availableReplicas'), st.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export function validatePodTemplate(pt: { metadata?: ObjectMeta; template?: import('kubernetes-types/core/v1.js').PodTemplateSpec }): FieldError[] {
  const errs = validateObjectMeta(pt.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validatePodTemplateSpec(pt.template, Path.root('template')));
  return errs;
}


