/**
 * networking.k8s.io/v1 validation (Ingress, IngressClass, NetworkPolicy) as upstream's
 * pkg/apis/networking/validation.
 */
import type { Ingress, IngressBackend, IngressClass, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { GoValue } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import { fieldImmutableErrorMsg, str, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  cidrErrors,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSSubdomain,
  parseIP,
} from './names.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const protocols = ['TCP', 'UDP', 'SCTP'];

function validateBackend(b: IngressBackend, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (b.resource && b.service) return [field.invalid(p, '', 'cannot set both resource and service backends')];
  if (b.resource) {
    const rp = p.child('resource');
    if (!b.resource.kind) errs.push(field.required(rp.child('kind'), ''));
    if (!b.resource.name) errs.push(field.required(rp.child('name'), ''));
    if (b.resource.apiGroup !== undefined && b.resource.apiGroup !== null) {
      for (const m of isDNS1123Subdomain(b.resource.apiGroup)) errs.push(field.invalid(rp.child('apiGroup'), b.resource.apiGroup, m));
    } else errs.push(field.invalid(rp.child('apiGroup'), null, 'apiGroup is required'));
    return errs;
  }
  if (b.service) {
    const sp = p.child('service');
    if (!b.service.name) errs.push(field.required(sp.child('name'), ''));
    else for (const m of nameIsDNS1035Label(b.service.name, false)) errs.push(field.invalid(sp.child('name'), b.service.name, m));
    const portName = str(b.service.port?.name);
    const portNum = b.service.port?.number ?? 0;
    if (portName && portNum) errs.push(field.invalid(p, '', 'cannot set both port name & port number'));
    else if (portName) for (const m of isValidPortName(portName)) errs.push(field.invalid(sp.child('port', 'name'), portName, m));
    else if (portNum) for (const m of isValidPortNum(portNum)) errs.push(field.invalid(sp.child('port', 'number'), portNum, m));
    else errs.push(field.required(p, 'port name or number is required'));
    return errs;
  }
  return [field.invalid(p, '', 'resource or service backend is required')];
}

function validateHost(host: string, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (parseIP(host)) errs.push(field.invalid(p, host, 'must be a DNS name, not an IP address'));
  const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
  for (const m of msgs) errs.push(field.invalid(p, host, m));
  return errs;
}

export function validateIngress(ing: Ingress): FieldError[] {
  const errs = validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain, META);
  const s = ing.spec ?? {};
  const rules = s.rules ?? [];
  if (rules.length === 0 && !s.defaultBackend) {
    errs.push(field.invalid(SPEC, new GoValue(s.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, SPEC.child('defaultBackend')));
  rules.forEach((r, i) => {
    const rp = SPEC.child('rules').index(i);
    if (r.host) errs.push(...validateHost(r.host, rp.child('host')));
    if (r.http) {
      const hp = rp.child('http');
      const paths = r.http.paths ?? [];
      if (paths.length === 0) errs.push(field.required(hp.child('paths'), ''));
      paths.forEach((path, j) => {
        const pp = hp.child('paths').index(j);
        if (!path.pathType) {
          errs.push(field.required(pp.child('pathType'), 'pathType must be specified'));
          return;
        }
        const v = str(path.path);
        if (path.pathType === 'Exact' || path.pathType === 'Prefix') {
          if (!v.startsWith('/')) errs.push(field.invalid(pp.child('path'), v, 'must be an absolute path'));
          if (v) {
            for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (v.includes(seq)) errs.push(field.invalid(pp.child('path'), v, `must not contain '${seq}'`));
            for (const suf of ['/..', '/.']) if (v.endsWith(suf)) errs.push(field.invalid(pp.child('path'), v, `cannot end with '${suf}'`));
          }
        } else if (path.pathType === 'ImplementationSpecific') {
          if (v && !v.startsWith('/')) errs.push(field.invalid(pp.child('path'), v, 'must be an absolute path'));
        } else {
          errs.push(field.notSupported(pp.child('pathType'), path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
        }
        errs.push(...validateBackend(path.backend ?? {}, pp.child('backend')));
      });
    }
  });
  (s.tls ?? []).forEach((t, i) => {
    const tp = SPEC.child('tls').index(i);
    (t.hosts ?? []).forEach((h, j) => {
      const msgs = h.includes('*') ? isWildcardDNS1123Subdomain(h) : isDNS1123Subdomain(h);
      for (const m of msgs) errs.push(field.invalid(tp.child('hosts').index(j), h, m));
    });
    if (t.secretName) for (const m of nameIsDNSSubdomain(t.secretName, false)) errs.push(field.invalid(tp.child('secretName'), t.secretName, m));
  });
  if (s.ingressClassName !== undefined && s.ingressClassName !== null) {
    for (const m of nameIsDNSSubdomain(s.ingressClassName, false)) errs.push(field.invalid(SPEC.child('ingressClassName'), s.ingressClassName, m));
  }
  const ann = ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (ann !== undefined && s.ingressClassName && ann !== s.ingressClassName) {
    errs.push(field.invalid(Path.root('annotations').child('kubernetes.io/ingress.class'), ann, 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

export function validateIngressUpdate(ing: Ingress, old: Ingress): FieldError[] {
  return [...validateObjectMetaUpdate(ing.metadata, old.metadata, META), ...validateIngress(ing).filter((e) => !e.field.startsWith('metadata.') && e.field !== 'annotations.kubernetes.io/ingress.class')];
}

export function validateIngressStatusUpdate(ing: Ingress, old: Ingress): FieldError[] {
  const errs = validateObjectMetaUpdate(ing.metadata, old.metadata, META);
  (ing.status?.loadBalancer?.ingress ?? []).forEach((i, idx) => {
    const ip = Path.root('status', 'loadBalancer', 'ingress').index(idx);
    if (i.ip && !parseIP(i.ip)) errs.push(field.invalid(ip.child('ip'), i.ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
    if (i.hostname) {
      for (const m of isDNS1123Subdomain(i.hostname)) errs.push(field.invalid(ip.child('hostname'), i.hostname, m));
      if (parseIP(i.hostname)) errs.push(field.invalid(ip.child('hostname'), i.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// ---- IngressClass ----

export function validateIngressClass(ic: IngressClass): FieldError[] {
  const errs = validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain, META);
  const ctrl = str(ic.spec?.controller);
  const cp = SPEC.child('controller');
  if (ctrl.length > 250) errs.push(field.tooLong(cp, '', 250));
  if (!ctrl) errs.push(field.required(cp, ''));
  else {
    const slash = ctrl.indexOf('/');
    if (slash <= 0 || slash === ctrl.length - 1) errs.push(field.invalid(cp, ctrl, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    else {
      const host = ctrl.slice(0, slash);
      for (const m of isDNS1123Subdomain(host)) errs.push(field.invalid(cp, host, m));
      const rest = ctrl.slice(slash + 1);
      if (!/^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(rest)) {
        errs.push(field.invalid(cp, rest, "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')"));
      }
    }
  }
  const params = ic.spec?.parameters;
  if (params) {
    const pp = SPEC.child('parameters');
    if (!params.kind) errs.push(field.required(pp.child('kind'), 'kind is required'));
    if (!params.name) errs.push(field.required(pp.child('name'), 'name is required'));
    const scope = params.scope;
    if (scope === undefined || scope === null) errs.push(field.required(pp.child('scope'), ''));
    else if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(field.notSupported(pp.child('scope'), scope, ['Cluster', 'Namespace']));
    else if (scope === 'Namespace' && !params.namespace) errs.push(field.required(pp.child('namespace'), '`parameters.scope` is set to "Namespace"'));
    else if (scope === 'Cluster' && params.namespace) errs.push(field.forbidden(pp.child('namespace'), '`parameters.scope` is set to "Cluster"'));
  }
  return errs;
}

export function validateIngressClassUpdate(ic: IngressClass, old: IngressClass): FieldError[] {
  const errs = validateObjectMetaUpdate(ic.metadata, old.metadata, META);
  errs.push(...validateIngressClass(ic).filter((e) => !e.field.startsWith('metadata.')));
  if (str(ic.spec?.controller) !== str(old.spec?.controller)) errs.push(field.invalid(SPEC.child('controller'), str(ic.spec?.controller), fieldImmutableErrorMsg));
  return errs;
}

// ---- NetworkPolicy ----

function validatePort(port: NetworkPolicyPort, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol !== undefined && port.protocol !== null && !protocols.includes(port.protocol)) errs.push(field.notSupported(p.child('protocol'), port.protocol, protocols));
  const v = port.port;
  if (v !== undefined && v !== null) {
    if (typeof v === 'number') {
      for (const m of isValidPortNum(v)) errs.push(field.invalid(p.child('port'), v, m));
      if (port.endPort !== undefined && port.endPort !== null) {
        if (port.endPort < v) errs.push(field.invalid(p.child('endPort'), port.endPort, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(port.endPort)) errs.push(field.invalid(p.child('endPort'), port.endPort, m));
      }
    } else {
      if (port.endPort !== undefined && port.endPort !== null) errs.push(field.invalid(p.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(String(v))) errs.push(field.invalid(p.child('port'), String(v), m));
    }
  } else if (port.endPort !== undefined && port.endPort !== null) {
    errs.push(field.invalid(p.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function validatePeer(peer: NetworkPolicyPeer, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (peer.podSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.podSelector, p.child('podSelector')));
  }
  if (peer.namespaceSelector) {
    n++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, p.child('namespaceSelector')));
  }
  if (peer.ipBlock) {
    n++;
    const bp = p.child('ipBlock');
    const cidr = str(peer.ipBlock.cidr);
    if (!cidr) errs.push(field.required(bp.child('cidr'), ''));
    else if (cidrErrors(cidr).length > 0) errs.push(...cidrErrors(cidr).map((m) => field.invalid(bp.child('cidr'), cidr, m)));
    else {
      (peer.ipBlock.except ?? []).forEach((ex, i) => {
        const ep = bp.child('except').index(i);
        const msgs = cidrErrors(ex);
        for (const m of msgs) errs.push(field.invalid(ep, ex, m));
        if (msgs.length === 0 && !cidrStrictSubset(ex, cidr)) errs.push(field.invalid(ep, ex, 'must be a strict subset of `cidr`'));
      });
    }
  }
  if (n === 0) errs.push(field.required(p, 'must specify a peer'));
  else if (n > 1 && peer.ipBlock) errs.push(field.forbidden(p, 'may not specify both ipBlock and another peer'));
  return errs;
}

function cidrStrictSubset(inner: string, outer: string): boolean {
  const [ia, ib] = inner.split('/');
  const [oa, ob] = outer.split('/');
  const i = parseIP(ia!);
  const o = parseIP(oa!);
  if (!i || !o || i.family !== o.family) return false;
  const ibits = Number(ib);
  const obits = Number(ob);
  if (ibits <= obits) return false;
  for (let bit = 0; bit < obits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((i.bytes[byte]! & mask) !== (o.bytes[byte]! & mask)) return false;
  }
  return true;
}

export function validateNetworkPolicy(np: NetworkPolicy): FieldError[] {
  const errs = validateObjectMeta(np.metadata, true, nameIsDNSSubdomain, META);
  const s: NonNullable<NetworkPolicy['spec']> = np.spec ?? { podSelector: {} };
  errs.push(...validateLabelSelector(s.podSelector, SPEC.child('podSelector')));
  (s.ingress ?? []).forEach((r, i) => {
    const rp = SPEC.child('ingress').index(i);
    (r.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, rp.child('ports').index(j))));
    (r.from ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, rp.child('from').index(j))));
  });
  (s.egress ?? []).forEach((r, i) => {
    const rp = SPEC.child('egress').index(i);
    (r.ports ?? []).forEach((port, j) => errs.push(...validatePort(port, rp.child('ports').index(j))));
    (r.to ?? []).forEach((peer, j) => errs.push(...validatePeer(peer, rp.child('to').index(j))));
  });
  const types = s.policyTypes ?? [];
  if (types.length > 2) {
    errs.push(field.invalid(SPEC.child('policyTypes'), new GoValue(`&[]networking.PolicyType{${types.map((t) => JSON.stringify(t)).join(', ')}}`), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(field.notSupported(SPEC.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

export const validators: [string, KindValidator][] = [
  ['networking.k8s.io/Ingress', kind(validateIngress, validateIngressUpdate, validateIngressStatusUpdate)],
  ['networking.k8s.io/IngressClass', kind(validateIngressClass, validateIngressClassUpdate)],
  ['networking.k8s.io/NetworkPolicy', kind(validateNetworkPolicy)],
];
