/**
 * Validation of the smaller groups: discovery (EndpointSlice), coordination (Lease), events,
 * policy (PodDisruptionBudget), scheduling (PriorityClass), node (RuntimeClass), storage
 * (StorageClass), rbac, and autoscaling (HorizontalPodAutoscaler v1 and v2), each as upstream's
 * pkg/apis/<group>/validation.
 */
import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler as HPAv2, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Event as EventV1 } from 'kubernetes-types/events/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { goIntOrString, isNotMoreThan100Percent, validatePositiveIntOrPercent } from './apps.js';
import { legacyEventErrors } from './core.js';
import { GoValue, goQuantity, goStringSlice } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import {
  byteLength,
  deepEqual,
  str,
  validateImmutableField,
  validateLabelName,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  parseIP,
  validatePathSegmentName,
} from './names.js';
import { validateTolerations } from './pod.js';
import { parseQuantityField, validateContainerResourceName, validateResourceRequirements } from './resources.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const metaUpdate = (n: { metadata?: import('kubernetes-types/meta/v1.js').ObjectMeta }, o: { metadata?: import('kubernetes-types/meta/v1.js').ObjectMeta }): FieldError[] =>
  validateObjectMetaUpdate(n.metadata, o.metadata, META);

// ---- EndpointSlice ----

function validateEndpointSlice(es: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(es.metadata, true, nameIsDNSSubdomain, META);
  const ep = Path.root('endpoints');
  const eps = es.endpoints ?? [];
  if (eps.length > 1000) errs.push(field.tooMany(ep, eps.length, 1000));
  eps.forEach((e, i) => {
    const ip = ep.index(i);
    const addrs = e.addresses ?? [];
    const ap = ip.child('addresses');
    if (addrs.length === 0) errs.push(field.required(ap, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(field.tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      const p = ap.index(j);
      if (es.addressType === 'IPv4') {
        const parsed = parseIP(a);
        if (!parsed || parsed.family !== 4) errs.push(field.invalid(p, a, 'must be a valid IPv4 address'));
      } else if (es.addressType === 'IPv6') {
        const parsed = parseIP(a);
        if (!parsed || parsed.family !== 6) errs.push(field.invalid(p, a, 'must be a valid IPv6 address'));
      } else if (es.addressType === 'FQDN') {
        const name = a.endsWith('.') ? a.slice(0, -1) : a;
        const msgs = isDNS1123Subdomain(name);
        if (!a) errs.push(field.required(p, ''));
        else if (msgs.length) errs.push(field.invalid(p, name, msgs.join(',')));
        else if (name.split('.').length < 2) errs.push(field.invalid(p, name, 'should be a domain with at least two segments separated by dots'));
      }
    });
    if (e.hostname) for (const m of isDNS1123Label(e.hostname)) errs.push(field.invalid(ip.child('hostname'), e.hostname, m));
    if (e.nodeName) for (const m of nameIsDNSSubdomain(e.nodeName, false)) errs.push(field.invalid(ip.child('nodeName'), e.nodeName, m));
    for (const [k, v] of Object.entries(e.deprecatedTopology ?? {})) {
      errs.push(...validateLabelName(k, ip.child('deprecatedTopology')));
      void v;
    }
  });
  const pp = Path.root('ports');
  const names = new Set<string>();
  (es.ports ?? []).forEach((port, i) => {
    const ip = pp.index(i);
    const name = str(port.name);
    if (name) for (const m of isDNS1123Label(name)) errs.push(field.invalid(ip.child('name'), name, m));
    if (names.has(name)) errs.push(field.duplicate(ip.child('name'), name));
    names.add(name);
    if (port.protocol === undefined || port.protocol === null) errs.push(field.required(ip.child('protocol'), ''));
    else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(field.notSupported(ip.child('protocol'), port.protocol, ['SCTP', 'TCP', 'UDP']));
    if (port.port !== undefined && port.port !== null && port.port !== 0) for (const m of isValidPortNum(port.port)) errs.push(field.invalid(ip.child('port'), port.port, m));
    if (port.appProtocol !== undefined && port.appProtocol !== null) for (const m of isQualifiedName(port.appProtocol)) errs.push(field.invalid(ip.child('appProtocol'), port.appProtocol, m));
  });
  return errs;
}

function validateAddressType(t: string | undefined): FieldError[] {
  if (!t) return [field.required(Path.root('addressType'), '')];
  if (!['FQDN', 'IPv4', 'IPv6'].includes(t)) return [field.notSupported(Path.root('addressType'), t, ['FQDN', 'IPv4', 'IPv6'])];
  return [];
}

// ---- Lease ----

function validateLease(l: Lease): FieldError[] {
  const errs = validateObjectMeta(l.metadata, true, nameIsDNSSubdomain, META);
  const s = l.spec ?? {};
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds !== null && s.leaseDurationSeconds <= 0) {
    errs.push(field.invalid(SPEC.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (s.leaseTransitions !== undefined && s.leaseTransitions !== null && s.leaseTransitions < 0) {
    errs.push(field.invalid(SPEC.child('leaseTransitions'), s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return errs;
}

// ---- events.k8s.io Event ----

function validateEventV1(ev: EventV1): FieldError[] {
  const errs = legacyEventErrors(
    {
      namespace: str(ev.metadata?.namespace),
      involvedNamespace: str(ev.regarding?.namespace),
      eventTime: ev.eventTime || undefined,
      reportingController: str(ev.reportingController),
      reportingInstance: str(ev.reportingInstance),
      action: str(ev.action),
      reason: str(ev.reason),
      message: str(ev.note),
    },
    'reportingController',
  );
  errs.push(...validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain, META));
  if (ev.series) {
    if ((ev.series.count ?? 0) < 2) errs.push(field.invalid(Path.root('series', 'count'), '', 'should be at least 2'));
    if (!ev.series.lastObservedTime) errs.push(field.required(Path.root('series', 'lastObservedTime'), ''));
  }
  if (!ev.eventTime) errs.push(field.required(Path.root('eventTime'), ''));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(field.invalid(Path.root('type'), '', `has invalid value: ${str(ev.type)}`));
  if (ev.deprecatedFirstTimestamp) errs.push(field.invalid(Path.root('firstTimestamp'), '', 'needs to be unset'));
  if (ev.deprecatedLastTimestamp) errs.push(field.invalid(Path.root('lastTimestamp'), '', 'needs to be unset'));
  if (ev.deprecatedCount) errs.push(field.invalid(Path.root('count'), '', 'needs to be unset'));
  if (ev.deprecatedSource?.component || ev.deprecatedSource?.host) errs.push(field.invalid(Path.root('source'), '', 'needs to be unset'));
  return errs;
}

// ---- PodDisruptionBudget ----

/** validatePDB: upstream validates only the spec here; the generic ObjectMeta check follows. */
function validatePDB(pdb: PodDisruptionBudget): FieldError[] {
  const errs: FieldError[] = [];
  const s = pdb.spec ?? {};
  if (s.minAvailable !== undefined && s.maxUnavailable !== undefined) {
    errs.push(
      field.invalid(
        SPEC,
        new GoValue(`policy.PodDisruptionBudgetSpec{MinAvailable:&${goIntOrString(s.minAvailable)}, Selector:${s.selector ? '&v1.LabelSelector{...}' : '(*v1.LabelSelector)(nil)'}, MaxUnavailable:&${goIntOrString(s.maxUnavailable)}}`),
        'minAvailable and maxUnavailable cannot be both set',
      ),
    );
  }
  for (const k of ['minAvailable', 'maxUnavailable'] as const) {
    if (s[k] === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(s[k], SPEC.child(k)));
    errs.push(...isNotMoreThan100Percent(s[k], SPEC.child(k)));
  }
  errs.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
  const uh = s.unhealthyPodEvictionPolicy;
  if (uh !== undefined && uh !== null && uh !== 'IfHealthyBudget' && uh !== 'AlwaysAllow') {
    errs.push(field.notSupported(SPEC.child('unhealthyPodEvictionPolicy'), uh, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

// ---- PriorityClass ----

const systemPriorityClasses: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

function validatePriorityClass(pc: PriorityClass): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain, META);
  const name = str(pc.metadata?.name);
  if (name.startsWith('system-')) {
    let problem: string | undefined;
    const known = systemPriorityClasses[name];
    if (known === undefined) problem = `${name} is not a known system priority class`;
    else if (pc.value !== known) problem = `value of ${name} PriorityClass must be ${known}`;
    else if (pc.globalDefault) problem = `globalDefault of ${name} PriorityClass must be false`;
    if (problem) errs.push(field.forbidden(META.child('name'), `priority class names with 'system-' prefix are reserved for system use only. error: ${problem}`));
  } else if ((pc.value ?? 0) > 1000000000) {
    errs.push(field.forbidden(Path.root('value'), 'maximum allowed value of a user defined priority is 1000000000'));
  }
  if (pc.preemptionPolicy !== undefined && pc.preemptionPolicy !== null) {
    if (pc.preemptionPolicy === '') errs.push(field.required(Path.root('preemptionPolicy'), ''));
    else if (pc.preemptionPolicy !== 'PreemptLowerPriority' && pc.preemptionPolicy !== 'Never') {
      errs.push(field.notSupported(Path.root('preemptionPolicy'), pc.preemptionPolicy, ['PreemptLowerPriority', 'Never']));
    }
  }
  return errs;
}

function validatePriorityClassUpdate(pc: PriorityClass, old: PriorityClass): FieldError[] {
  const errs = metaUpdate(pc, old);
  if (pc.value !== old.value) errs.push(field.forbidden(Path.root('value'), 'may not be changed in an update.'));
  errs.push(...validateImmutableField(pc.preemptionPolicy ?? null, old.preemptionPolicy ?? null, Path.root('preemptionPolicy')));
  return errs;
}

// ---- RuntimeClass ----

function validateRuntimeClass(rc: RuntimeClass): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain, META);
  for (const m of nameIsDNSLabel(str(rc.handler), false)) errs.push(field.invalid(Path.root('handler'), str(rc.handler), m));
  if (rc.overhead?.podFixed) errs.push(...validateResourceRequirements({ limits: rc.overhead.podFixed }, Path.root('overhead', 'podFixed'), new Set()).map((e) => ({ ...e, field: e.field.replace('overhead.podFixed.limits', 'overhead.podFixed') })));
  if (rc.scheduling) {
    for (const [k, v] of Object.entries(rc.scheduling.nodeSelector ?? {})) {
      errs.push(...validateLabelName(k, Path.root('scheduling', 'nodeSelector')));
      void v;
    }
    errs.push(...validateTolerations(rc.scheduling.tolerations, Path.root('scheduling', 'tolerations')));
  }
  return errs;
}

function validateRuntimeClassUpdate(rc: RuntimeClass, old: RuntimeClass): FieldError[] {
  return [...metaUpdate(rc, old), ...validateImmutableField(str(rc.handler), str(old.handler), Path.root('handler'))];
}

// ---- StorageClass ----

function validateStorageClass(sc: StorageClass): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain, META);
  const prov = str(sc.provisioner);
  if (!prov) errs.push(field.required(Path.root('provisioner'), ''));
  else for (const m of isQualifiedName(prov.toLowerCase())) errs.push(field.invalid(Path.root('provisioner'), prov.toLowerCase(), m));
  const params = sc.parameters ?? {};
  const pp = Path.root('parameters');
  if (Object.keys(params).length > 512) errs.push(field.tooLong(pp, '', 512));
  else {
    let total = 0;
    for (const [k, v] of Object.entries(params)) {
      if (k.length < 1) errs.push(field.invalid(pp, k, 'field can not be empty.'));
      total += byteLength(k) + byteLength(String(v));
    }
    if (total > 256 * 1024) errs.push(field.tooLong(pp, '', 256 * 1024));
  }
  const rp = str(sc.reclaimPolicy);
  if (rp && rp !== 'Delete' && rp !== 'Retain') errs.push(field.notSupported(Path.root('reclaimPolicy'), rp, ['Delete', 'Retain']));
  const vbm = sc.volumeBindingMode;
  if (vbm === undefined || vbm === null) errs.push(field.required(Path.root('volumeBindingMode'), ''));
  else if (vbm !== 'Immediate' && vbm !== 'WaitForFirstConsumer') errs.push(field.notSupported(Path.root('volumeBindingMode'), vbm, ['Immediate', 'WaitForFirstConsumer']));
  (sc.allowedTopologies ?? []).forEach((t, i) => {
    const tp = Path.root('allowedTopologies').index(i);
    const exprs = t.matchLabelExpressions ?? [];
    if (exprs.length === 0) errs.push(field.required(tp.child('matchLabelExpressions'), 'must have at least one label expression'));
    exprs.forEach((e, j) => {
      const ep = tp.child('matchLabelExpressions').index(j);
      errs.push(...validateLabelName(str(e.key), ep.child('key')));
      if ((e.values ?? []).length === 0) errs.push(field.required(ep.child('values'), 'must specify as least one value'));
    });
  });
  return errs;
}

function validateStorageClassUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs = metaUpdate(sc, old);
  if (!deepEqual(sc.parameters ?? null, old.parameters ?? null)) errs.push(field.forbidden(Path.root('parameters'), 'updates to parameters are forbidden.'));
  if (str(sc.provisioner) !== str(old.provisioner)) errs.push(field.forbidden(Path.root('provisioner'), 'updates to provisioner are forbidden.'));
  if (str(sc.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(field.forbidden(Path.root('reclaimPolicy'), 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode ?? null, old.volumeBindingMode ?? null, Path.root('volumeBindingMode')));
  return errs;
}

// ---- RBAC ----

const rbacGroup = 'rbac.authorization.k8s.io';

function validatePolicyRule(r: PolicyRule, namespaced: boolean, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if ((r.verbs ?? []).length === 0) errs.push(field.required(p.child('verbs'), 'verbs must contain at least one value'));
  if ((r.nonResourceURLs ?? []).length > 0) {
    if (namespaced) errs.push(field.invalid(p.child('nonResourceURLs'), goStringSlice(r.nonResourceURLs), 'namespaced rules cannot apply to non-resource URLs'));
    if ((r.apiGroups ?? []).length > 0 || (r.resources ?? []).length > 0 || (r.resourceNames ?? []).length > 0) {
      errs.push(field.invalid(p.child('nonResourceURLs'), goStringSlice(r.nonResourceURLs), 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if ((r.apiGroups ?? []).length === 0) errs.push(field.required(p.child('apiGroups'), 'resource rules must supply at least one api group'));
  if ((r.resources ?? []).length === 0) errs.push(field.required(p.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

function validateRole(role: Role): FieldError[] {
  const errs = validateObjectMeta(role.metadata, true, validatePathSegmentName, META);
  (role.rules ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r, true, Path.root('rules').index(i))));
  return errs;
}

function validateClusterRole(role: ClusterRole): FieldError[] {
  const errs = validateObjectMeta(role.metadata, false, validatePathSegmentName, META);
  (role.rules ?? []).forEach((r, i) => errs.push(...validatePolicyRule(r, false, Path.root('rules').index(i))));
  if (role.aggregationRule) {
    const sels = role.aggregationRule.clusterRoleSelectors ?? [];
    const ap = Path.root('aggregationRule', 'clusterRoleSelectors');
    if (sels.length === 0) errs.push(field.required(ap, 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, ap.index(i))));
  }
  return errs;
}

function validateSubject(s: Subject, namespaced: boolean, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(field.required(p.child('name'), ''));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) for (const m of nameIsDNSSubdomain(s.name, false)) errs.push(field.invalid(p.child('name'), s.name, m));
      if (s.apiGroup) errs.push(field.notSupported(p.child('apiGroup'), s.apiGroup, ['']));
      if (!namespaced && !s.namespace) errs.push(field.required(p.child('namespace'), ''));
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== rbacGroup) errs.push(field.notSupported(p.child('apiGroup'), str(s.apiGroup), [rbacGroup]));
      break;
    default:
      errs.push(field.notSupported(p.child('kind'), str(s.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

function validateBinding(b: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(b.metadata, namespaced, validatePathSegmentName, META);
  const ref = b.roleRef ?? ({} as RoleBinding['roleRef']);
  if (ref.apiGroup !== rbacGroup) errs.push(field.notSupported(Path.root('roleRef', 'apiGroup'), str(ref.apiGroup), [rbacGroup]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(field.notSupported(Path.root('roleRef', 'kind'), str(ref.kind), kinds));
  if (!ref.name) errs.push(field.required(Path.root('roleRef', 'name'), ''));
  else for (const m of validatePathSegmentName(ref.name, false)) errs.push(field.invalid(Path.root('roleRef', 'name'), ref.name, m));
  (b.subjects ?? []).forEach((s, i) => errs.push(...validateSubject(s, namespaced, Path.root('subjects').index(i))));
  return errs;
}

const goRoleRef = (r: RoleBinding['roleRef'] | undefined): GoValue =>
  new GoValue(`rbac.RoleRef{APIGroup:${JSON.stringify(str(r?.apiGroup))}, Kind:${JSON.stringify(str(r?.kind))}, Name:${JSON.stringify(str(r?.name))}}`);

function validateBindingUpdate(b: RoleBinding | ClusterRoleBinding, old: RoleBinding | ClusterRoleBinding, namespaced: boolean): FieldError[] {
  const errs = [...validateBinding(b, namespaced), ...metaUpdate(b, old)];
  const n = b.roleRef;
  const o = old.roleRef;
  if (str(n?.apiGroup) !== str(o?.apiGroup) || str(n?.kind) !== str(o?.kind) || str(n?.name) !== str(o?.name)) {
    errs.push(field.invalid(Path.root('roleRef'), goRoleRef(n), 'cannot change roleRef'));
  }
  return errs;
}

// ---- HorizontalPodAutoscaler ----

function validateScaleTargetRef(ref: { kind?: string; name?: string } | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const k = str(ref?.kind);
  const n = str(ref?.name);
  if (!k) errs.push(field.required(p.child('kind'), ''));
  else for (const m of validatePathSegmentName(k, false)) errs.push(field.invalid(p.child('kind'), k, m));
  if (!n) errs.push(field.required(p.child('name'), ''));
  else for (const m of validatePathSegmentName(n, false)) errs.push(field.invalid(p.child('name'), n, m));
  return errs;
}

function validateHPACommon(meta: HPAv1['metadata'], min: number | undefined, max: number | undefined, ref: { kind?: string; name?: string } | undefined): FieldError[] {
  const errs = validateObjectMeta(meta, true, validatePathSegmentName, META);
  if (min !== undefined && min !== null && min < 1) errs.push(field.invalid(SPEC.child('minReplicas'), min, 'must be greater than or equal to 1'));
  const mx = max ?? 0;
  if (mx < 1) errs.push(field.invalid(SPEC.child('maxReplicas'), mx, 'must be greater than 0'));
  if (min !== undefined && min !== null && mx < min) errs.push(field.invalid(SPEC.child('maxReplicas'), mx, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateScaleTargetRef(ref, SPEC.child('scaleTargetRef')));
  return errs;
}

function validateHPAv1(h: HPAv1): FieldError[] {
  const s = h.spec ?? ({} as HPAv1['spec']);
  const errs = validateHPACommon(h.metadata, s?.minReplicas, s?.maxReplicas, s?.scaleTargetRef);
  const t = s?.targetCPUUtilizationPercentage;
  if (t !== undefined && t !== null && t < 1) {
    errs.push(field.invalid(SPEC.child('metrics').index(0).child('resource', 'target', 'averageUtilization'), t, 'must be greater than 0'));
  }
  return errs;
}

function validateScalingRules(r: HPAScalingRules | undefined, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!r) return errs;
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && w !== null) {
    if (w < 0) errs.push(field.invalid(p.child('stabilizationWindowSeconds'), w, 'must be greater than or equal to zero'));
    if (w > 3600) errs.push(field.invalid(p.child('stabilizationWindowSeconds'), w, 'must be less than or equal to 3600'));
  }
  if (r.selectPolicy && !['Max', 'Min', 'Disabled'].includes(r.selectPolicy)) errs.push(field.notSupported(p.child('selectPolicy'), r.selectPolicy, ['Disabled', 'Max', 'Min']));
  const policies = r.policies ?? [];
  if (policies.length === 0) errs.push(field.required(p.child('policies'), 'must specify at least one Policy'));
  policies.forEach((pol, i) => {
    const pp = p.child('policies').index(i);
    if (pol.type !== 'Pods' && pol.type !== 'Percent') errs.push(field.notSupported(pp.child('type'), str(pol.type), ['Percent', 'Pods']));
    if (pol.value <= 0) errs.push(field.invalid(pp.child('value'), pol.value, 'must be greater than zero'));
    if (pol.periodSeconds <= 0) errs.push(field.invalid(pp.child('periodSeconds'), pol.periodSeconds, 'must be greater than zero'));
    if (pol.periodSeconds > 1800) errs.push(field.invalid(pp.child('periodSeconds'), pol.periodSeconds, 'must be less than or equal to 1800'));
  });
  return errs;
}

interface MetricTarget {
  type?: string;
  value?: unknown;
  averageValue?: unknown;
  averageUtilization?: number;
}
interface MetricIdentifier {
  name?: string;
}
interface MetricSpec {
  type?: string;
  object?: { describedObject?: { kind?: string; name?: string }; metric?: MetricIdentifier; target?: MetricTarget };
  pods?: { metric?: MetricIdentifier; target?: MetricTarget };
  resource?: { name?: string; target?: MetricTarget };
  containerResource?: { name?: string; container?: string; target?: MetricTarget };
  external?: { metric?: MetricIdentifier; target?: MetricTarget };
}

const metricSourceTypes = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const set = (v: unknown): boolean => v !== undefined && v !== null;

/** validateMetricTarget is upstream's function of that name; Quantities print through String (unquoted). */
function validateMetricTarget(mt: MetricTarget | undefined, p: Path): FieldError[] {
  const t = mt ?? {};
  const errs: FieldError[] = [];
  const type = str(t.type);
  if (!type) errs.push(field.required(p.child('type'), 'must specify a metric target type'));
  if (type !== 'Utilization' && type !== 'Value' && type !== 'AverageValue') errs.push(field.invalid(p.child('type'), type, 'must be either Utilization, Value, or AverageValue'));
  for (const k of ['value', 'averageValue'] as const) {
    if (!set(t[k])) continue;
    const q = parseQuantityField(t[k], p.child(k), errs);
    if (q && q.sign() !== 1) errs.push(field.invalid(p.child(k), goQuantity(q), 'must be positive'));
  }
  if (t.averageUtilization !== undefined && t.averageUtilization !== null && t.averageUtilization < 1) {
    errs.push(field.invalid(p.child('averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

function validateMetricIdentifier(id: MetricIdentifier | undefined, p: Path): FieldError[] {
  const name = str(id?.name);
  if (!name) return [field.required(p.child('name'), 'must specify a metric name')];
  return validatePathSegmentName(name, false).map((m) => field.invalid(p.child('name'), name, m));
}

type MetricSourceKey = Exclude<keyof MetricSpec, 'type'>;

/** The per-source checks of upstream's validateObjectSource, validatePodsSource, ... */
const metricSources: { [K in MetricSourceKey]: (src: NonNullable<MetricSpec[K]>, p: Path) => FieldError[] } = {
  object: (o, p) => {
    const errs = validateScaleTargetRef(o.describedObject, p.child('describedObject'));
    errs.push(...validateMetricIdentifier(o.metric, p.child('metric')), ...validateMetricTarget(o.target, p.child('target')));
    if (!set(o.target?.value) && !set(o.target?.averageValue)) errs.push(field.required(p.child('target', 'averageValue'), 'must set either a target value or averageValue'));
    return errs;
  },
  external: (e, p) => {
    const errs = [...validateMetricIdentifier(e.metric, p.child('metric')), ...validateMetricTarget(e.target, p.child('target'))];
    if (!set(e.target?.value) && !set(e.target?.averageValue)) errs.push(field.required(p.child('target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
    if (set(e.target?.value) && set(e.target?.averageValue)) errs.push(field.forbidden(p.child('target', 'value'), 'may not set both a target value for metric and a per-pod target'));
    return errs;
  },
  pods: (po, p) => {
    const errs = [...validateMetricIdentifier(po.metric, p.child('metric')), ...validateMetricTarget(po.target, p.child('target'))];
    if (!set(po.target?.averageValue)) errs.push(field.required(p.child('target', 'averageValue'), 'must specify a positive target averageValue'));
    return errs;
  },
  resource: (r, p) => {
    const errs: FieldError[] = [];
    if (!r.name) errs.push(field.required(p.child('name'), 'must specify a resource name'));
    errs.push(...validateMetricTarget(r.target, p.child('target')));
    errs.push(...utilizationOrValue(r.target, p.child('target')));
    return errs;
  },
  containerResource: (r, p) => {
    const errs: FieldError[] = [];
    if (!r.name) errs.push(field.required(p.child('name'), 'must specify a resource name'));
    else errs.push(...validateContainerResourceName(r.name, p.child('name')));
    if (!r.container) errs.push(field.required(p.child('container'), 'must specify a container'));
    else errs.push(...isDNS1123Label(r.container).map((m) => field.invalid(p.child('container'), r.container, m)));
    errs.push(...validateMetricTarget(r.target, p.child('target')));
    errs.push(...utilizationOrValue(r.target, p.child('target')));
    return errs;
  },
};

function utilizationOrValue(t: MetricTarget | undefined, p: Path): FieldError[] {
  if (!set(t?.averageUtilization) && !set(t?.averageValue)) return [field.required(p.child('averageUtilization'), 'must set either a target raw value or a target utilization')];
  if (set(t?.averageUtilization) && set(t?.averageValue)) return [field.forbidden(p.child('averageValue'), 'may not set both a target raw value and a target utilization')];
  return [];
}

/** validateMetricSpec is upstream's function of that name (autoscaling validation). */
function validateMetricSpec(m: MetricSpec, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(m.type);
  if (!type) errs.push(field.required(p.child('type'), 'must specify a metric source type'));
  if (!metricSourceTypes.includes(type)) errs.push(field.notSupported(p.child('type'), type, metricSourceTypes));
  // Only the first source present is validated, in upstream's order.
  const present: string[] = [];
  for (const key of ['object', 'external', 'pods', 'resource', 'containerResource'] as const) {
    const src = m[key];
    if (!set(src)) continue;
    present.push(key);
    // TypeScript cannot pair metricSources[key] with m[key] for a union key.
    if (present.length === 1) errs.push(...(metricSources[key] as (s: object, p: Path) => FieldError[])(src as object, p.child(key)));
  }
  const expected = metricSourceTypes.includes(type) ? type.charAt(0).toLowerCase() + type.slice(1) : '';
  // An unknown type is reported a second time here, as the default branch of upstream's switch does.
  if (!expected) errs.push(field.notSupported(p.child('type'), type, metricSourceTypes));
  else if (!present.includes(expected)) errs.push(field.required(p.child(expected), 'must populate information for the given metric source'));
  if (present.length !== 1) {
    // Upstream ranges over a Go map here; the order of several extra sources is not fixed.
    for (const key of present) if (key !== expected) errs.push(field.forbidden(p.child(key), 'must populate the given metric source only'));
  }
  return errs;
}

function validateHPAv2(h: HPAv2): FieldError[] {
  const s = h.spec ?? ({} as HPAv2['spec']);
  const errs = validateHPACommon(h.metadata, s?.minReplicas, s?.maxReplicas, s?.scaleTargetRef);
  (s?.metrics ?? []).forEach((m, i) => errs.push(...validateMetricSpec(m as unknown as MetricSpec, SPEC.child('metrics').index(i))));
  if (s?.behavior) {
    errs.push(...validateScalingRules(s.behavior.scaleUp, SPEC.child('behavior', 'scaleUp')));
    errs.push(...validateScalingRules(s.behavior.scaleDown, SPEC.child('behavior', 'scaleDown')));
  }
  return errs;
}

/** validateHPA dispatches on apiVersion: v1 objects carry targetCPUUtilizationPercentage. */
function validateHPA(h: HPAv1 | HPAv2): FieldError[] {
  return h.apiVersion === 'autoscaling/v1' ? validateHPAv1(h as HPAv1) : validateHPAv2(h as HPAv2);
}

// ---- subresource bodies: Scale, Binding ----

/** validateScale: the autoscaling/v1 Scale written to a scale subresource (replicas not negative). */
function validateScale(sc: { metadata?: import('kubernetes-types/meta/v1.js').ObjectMeta; spec?: { replicas?: number } }): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, true, nameIsDNSSubdomain, META);
  const r = sc.spec?.replicas ?? 0;
  if (r < 0) errs.push(field.invalid(Path.root('spec', 'replicas'), r, 'must be greater than or equal to 0'));
  return errs;
}

/** validateBinding: the core/v1 Binding posted to pods/binding by a scheduler. */
function validatePodBinding(b: { target?: { kind?: string; name?: string } }): FieldError[] {
  const errs: FieldError[] = [];
  const k = str(b.target?.kind);
  if (k && k !== 'Node') errs.push(field.notSupported(Path.root('target', 'kind'), k, ['Node', '<empty>']));
  if (!b.target?.name) errs.push(field.required(Path.root('target', 'name'), ''));
  return errs;
}

export const validators: [string, KindValidator][] = [
  ['autoscaling/Scale', kind(validateScale)],
  ['/Binding', kind(validatePodBinding)],
  [
    'discovery.k8s.io/EndpointSlice',
    kind<EndpointSlice>(
      (es) => [...validateEndpointSlice(es), ...validateAddressType(es.addressType)],
      (es, old) => [...metaUpdate(es, old), ...validateEndpointSlice(es), ...validateImmutableField(str(es.addressType), str(old.addressType), Path.root('addressType'))],
    ),
  ],
  ['coordination.k8s.io/Lease', kind(validateLease)],
  ['events.k8s.io/Event', kind(validateEventV1)],
  ['policy/PodDisruptionBudget', kind(validatePDB)],
  ['scheduling.k8s.io/PriorityClass', kind(validatePriorityClass, validatePriorityClassUpdate)],
  ['node.k8s.io/RuntimeClass', kind(validateRuntimeClass, validateRuntimeClassUpdate)],
  ['storage.k8s.io/StorageClass', kind(validateStorageClass, validateStorageClassUpdate)],
  ['rbac.authorization.k8s.io/Role', kind(validateRole)],
  ['rbac.authorization.k8s.io/ClusterRole', kind(validateClusterRole)],
  ['rbac.authorization.k8s.io/RoleBinding', kind<RoleBinding>((b) => validateBinding(b, true), (b, o) => validateBindingUpdate(b, o, true))],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', kind<ClusterRoleBinding>((b) => validateBinding(b, false), (b, o) => validateBindingUpdate(b, o, false))],
  ['autoscaling/HorizontalPodAutoscaler', kind(validateHPA)],
];
