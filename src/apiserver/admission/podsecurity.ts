/**
 * PodSecurity admission (upstream k8s.io/pod-security-admission): the Pod Security Standards
 * (privileged / baseline / restricted) chosen per namespace by the labels
 * `pod-security.kubernetes.io/<enforce|warn|audit>[-version]`. Enforce refuses pods that violate
 * the level; warn returns upstream's `would violate PodSecurity ...` warning (kubectl prints it);
 * audit results become audit annotations (pod-security.kubernetes.io/audit-violations). Workload
 * resources (Deployments, Jobs, ...) get warnings for their pod templates, as upstream.
 * Checks follow the "latest" version of the standards; exemptions are not configurable.
 */
import type { Capabilities, Container, Namespace, PodSpec, SecurityContext } from 'kubernetes-types/core/v1.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden } from './util.js';

export type Level = 'privileged' | 'baseline' | 'restricted';
const LEVELS: readonly Level[] = ['privileged', 'baseline', 'restricted'];
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';

/** Policy is one mode's level and version from namespace labels. */
export interface Policy {
  level: Level;
  version: string;
}

/** A check result: the forbidden reason and its detail, as upstream's CheckResult. */
interface Violation {
  reason: string;
  detail: string;
}

type AnyContainer = Container & { __init?: boolean };

const q = (s: string): string => JSON.stringify(s);
const joinQuote = (xs: string[]): string => xs.map(q).join(', ');
const containersPhrase = (names: string[]): string => `${names.length === 1 ? 'container' : 'containers'} ${joinQuote(names)}`;

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

interface CheckInput {
  meta: ObjectMeta;
  spec: PodSpec;
  containers: AnyContainer[];
}

type Check = { id: string; level: Exclude<Level, 'privileged'>; overrides?: string; run(i: CheckInput): Violation | undefined };

const sc = (c: Container): SecurityContext => c.securityContext ?? {};

/** CHECKS are upstream's checks for the latest standards, run in ID order as upstream's registry. */
const CHECKS: Check[] = [
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run: ({ containers }) => {
      const bad = containers.filter((c) => sc(c).allowPrivilegeEscalation !== false).map((c) => c.name);
      return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
    },
  },
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run: ({ meta, spec, containers }) => {
      const bad: string[] = [];
      const okType = (t: string | undefined): boolean => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
      if (!okType(spec.securityContext?.appArmorProfile?.type)) bad.push(`pod must not set securityContext.appArmorProfile.type to ${q(spec.securityContext!.appArmorProfile!.type)}`);
      for (const c of containers) if (!okType(sc(c).appArmorProfile?.type)) bad.push(`container ${q(c.name)} must not set securityContext.appArmorProfile.type to ${q(sc(c).appArmorProfile!.type)}`);
      for (const [k, v] of Object.entries(meta.annotations ?? {})) {
        if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) bad.push(`${k}=${q(v)}`);
      }
      return bad.length ? { reason: 'forbidden AppArmor profile', detail: bad.join(', ') } : undefined;
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run: ({ containers }) => {
      const bad = new Set<string>();
      const caps = new Set<string>();
      for (const c of containers) {
        for (const cap of sc(c).capabilities?.add ?? []) {
          if (!BASELINE_CAPS.has(cap)) {
            bad.add(c.name);
            caps.add(cap);
          }
        }
      }
      return bad.size ? { reason: 'non-default capabilities', detail: `${containersPhrase([...bad])} must not include ${joinQuote([...caps])} in securityContext.capabilities.add` } : undefined;
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    run: ({ containers }) => {
      const noDrop: string[] = [];
      const addBad = new Set<string>();
      const caps = new Set<string>();
      for (const c of containers) {
        const k: Capabilities = sc(c).capabilities ?? {};
        if (!(k.drop ?? []).includes('ALL')) noDrop.push(c.name);
        for (const cap of k.add ?? []) {
          if (cap !== 'NET_BIND_SERVICE') {
            addBad.add(c.name);
            caps.add(cap);
          }
        }
      }
      const details: string[] = [];
      if (noDrop.length) details.push(`${containersPhrase(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (addBad.size) details.push(`${containersPhrase([...addBad])} must not include ${joinQuote([...caps])} in securityContext.capabilities.add`);
      return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run: ({ spec }) => {
      const on = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true).map((k) => `${k}=true`);
      return on.length ? { reason: 'host namespaces', detail: on.join(', ') } : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run: ({ spec }) => {
      const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
      return bad.length ? { reason: 'hostPath volumes', detail: `${bad.length === 1 ? 'volume' : 'volumes'} ${joinQuote(bad)}` } : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run: ({ containers }) => {
      const names: string[] = [];
      const ports: string[] = [];
      for (const c of containers) {
        const hp = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
        if (hp.length) {
          names.push(c.name);
          ports.push(...hp);
        }
      }
      return names.length ? { reason: 'hostPort', detail: `${containersPhrase(names)} ${names.length === 1 ? 'uses' : 'use'} ${ports.length === 1 ? 'hostPort' : 'hostPorts'} ${ports.join(', ')}` } : undefined;
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run: ({ containers }) => {
      const bad = containers.filter((c) => sc(c).privileged === true).map((c) => c.name);
      return bad.length ? { reason: 'privileged', detail: `${containersPhrase(bad)} must not set securityContext.privileged=true` } : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run: ({ containers }) => {
      const bad = containers.filter((c) => sc(c).procMount !== undefined && sc(c).procMount !== 'Default').map((c) => c.name);
      return bad.length ? { reason: 'procMount', detail: `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote([...new Set(containers.filter((c) => bad.includes(c.name)).map((c) => sc(c).procMount!))])}` } : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    run: ({ spec }) => {
      const bad: Array<[string, string]> = [];
      for (const v of spec.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== 'name');
        if (type && !RESTRICTED_VOLUMES.includes(type)) bad.push([v.name, type]);
      }
      if (!bad.length) return undefined;
      const types = [...new Set(bad.map(([, t]) => t))];
      return { reason: 'restricted volume types', detail: `${bad.length === 1 ? 'volume' : 'volumes'} ${joinQuote(bad.map(([n]) => n))} ${bad.length === 1 ? 'uses' : 'use'} restricted volume ${types.length === 1 ? 'type' : 'types'} ${joinQuote(types)}` };
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run: ({ spec, containers }) => {
      const podSet = spec.securityContext?.runAsNonRoot === true;
      const explicitFalse = containers.filter((c) => sc(c).runAsNonRoot === false).map((c) => c.name);
      const unset = containers.filter((c) => sc(c).runAsNonRoot === undefined && !podSet).map((c) => c.name);
      const details: string[] = [];
      if (spec.securityContext?.runAsNonRoot === false) details.push('pod must not set securityContext.runAsNonRoot=false');
      if (explicitFalse.length) details.push(`${containersPhrase(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
      if (unset.length && spec.securityContext?.runAsNonRoot !== false) details.push(`pod or ${containersPhrase(unset)} must set securityContext.runAsNonRoot=true`);
      return details.length ? { reason: 'runAsNonRoot != true', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run: ({ spec, containers }) => {
      const details: string[] = [];
      if (spec.securityContext?.runAsUser === 0) details.push('pod must not set runAsUser=0');
      const bad = containers.filter((c) => sc(c).runAsUser === 0).map((c) => c.name);
      if (bad.length) details.push(`${containersPhrase(bad)} must not set runAsUser=0`);
      return details.length ? { reason: 'runAsUser=0', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run: ({ spec, containers }) => {
      const badTypes = new Set<string>();
      let userRole = false;
      for (const o of [spec.securityContext?.seLinuxOptions, ...containers.map((c) => sc(c).seLinuxOptions)]) {
        if (!o) continue;
        if (!SELINUX_TYPES.has(o.type ?? '')) badTypes.add(o.type!);
        if (o.user || o.role) userRole = true;
      }
      const details: string[] = [];
      if (badTypes.size) details.push(`type ${joinQuote([...badTypes])}`);
      if (userRole) details.push('user may not be set, role may not be set');
      return details.length ? { reason: 'seLinuxOptions', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run: ({ spec, containers }) => {
      const details: string[] = [];
      if (spec.securityContext?.seccompProfile?.type === 'Unconfined') details.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
      const bad = containers.filter((c) => sc(c).seccompProfile?.type === 'Unconfined').map((c) => c.name);
      if (bad.length) details.push(`${containersPhrase(bad)} must not set securityContext.seccompProfile.type to "Unconfined"`);
      return details.length ? { reason: 'seccompProfile', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: 'seccompProfile_baseline',
    run: ({ spec, containers }) => {
      const ok = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
      const podType = spec.securityContext?.seccompProfile?.type;
      const details: string[] = [];
      if (podType !== undefined && !ok(podType)) details.push(`pod must not set securityContext.seccompProfile.type to ${q(podType)}`);
      const badSet = containers.filter((c) => sc(c).seccompProfile?.type !== undefined && !ok(sc(c).seccompProfile!.type)).map((c) => c.name);
      if (badSet.length) details.push(`${containersPhrase(badSet)} must not set securityContext.seccompProfile.type to ${joinQuote([...new Set(containers.filter((c) => badSet.includes(c.name)).map((c) => sc(c).seccompProfile!.type))])}`);
      const unset = podType === undefined ? containers.filter((c) => sc(c).seccompProfile?.type === undefined).map((c) => c.name) : [];
      if (unset.length) details.push(`pod or ${containersPhrase(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
      return details.length ? { reason: 'seccompProfile', detail: details.join('; ') } : undefined;
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run: ({ spec }) => {
      const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
    },
  },
];

/** evaluate runs the checks of a level on a pod spec; the result is upstream's `reason (detail), ...` list. */
export function evaluate(level: Level, meta: ObjectMeta, spec: PodSpec): string[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => c.level === 'baseline' || level === 'restricted');
  const overridden = new Set(active.map((c) => c.overrides).filter((x): x is string => !!x));
  const containers: AnyContainer[] = [...(spec.initContainers ?? []), ...spec.containers, ...((spec.ephemeralContainers ?? []) as Container[])];
  const out: string[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const v = c.run({ meta, spec, containers });
    if (v) out.push(v.detail ? `${v.reason} (${v.detail})` : v.reason);
  }
  return out;
}

/** policyFor reads one mode's policy from namespace labels; an invalid level is treated as restricted, as upstream. */
export function policyFor(labels: Record<string, string>, mode: 'enforce' | 'warn' | 'audit'): Policy {
  const raw = labels[`${LABEL_PREFIX}${mode}`];
  const level: Level = raw === undefined ? 'privileged' : LEVELS.includes(raw as Level) ? (raw as Level) : 'restricted';
  const version = labels[`${LABEL_PREFIX}${mode}-version`] ?? 'latest';
  return { level, version };
}

/** Where workload resources keep their pod template. */
const TEMPLATES: Record<string, (o: Record<string, unknown>) => { metadata?: ObjectMeta; spec?: PodSpec } | undefined> = {
  'apps/deployments': (o) => (o.spec as { template?: never } | undefined)?.template,
  'apps/replicasets': (o) => (o.spec as { template?: never } | undefined)?.template,
  'apps/statefulsets': (o) => (o.spec as { template?: never } | undefined)?.template,
  'apps/daemonsets': (o) => (o.spec as { template?: never } | undefined)?.template,
  '/replicationcontrollers': (o) => (o.spec as { template?: never } | undefined)?.template,
  'batch/jobs': (o) => (o.spec as { template?: never } | undefined)?.template,
  '/podtemplates': (o) => o.template as never,
  'batch/cronjobs': (o) => (o.spec as { jobTemplate?: { spec?: { template?: never } } } | undefined)?.jobTemplate?.spec?.template,
};

export function podSecurityAdmission(objects: AdmissionObjects): AdmissionPlugin {
  return {
    name: 'PodSecurity',
    async validate(a) {
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object || !a.namespace) return;
      const id = `${a.resource.group}/${a.resource.resource}`;
      const isPod = id === '/pods';
      if (isPod ? a.subresource !== '' && a.subresource !== 'ephemeralcontainers' : a.subresource !== '' || !TEMPLATES[id]) return;
      const ns = await objects.get<Namespace>('', 'namespaces', '', a.namespace);
      const labels = ns?.metadata?.labels ?? {};
      const enforce = policyFor(labels, 'enforce');
      const warn = policyFor(labels, 'warn');
      const audit = policyFor(labels, 'audit');
      if (enforce.level === 'privileged' && warn.level === 'privileged' && audit.level === 'privileged') return;
      const pod = isPod ? { metadata: a.object.metadata ?? {}, spec: a.object.spec as PodSpec } : TEMPLATES[id]!(a.object as Record<string, unknown>);
      if (!pod?.spec) return;
      // Updates that leave the pod spec alone (labels, annotations, status) are not re-checked, as upstream.
      if (isPod && a.operation === 'UPDATE' && a.oldObject && JSON.stringify(a.oldObject.spec) === JSON.stringify(a.object.spec)) return;
      const label = (p: Policy): string => `${p.level}:${p.version}`;
      // As upstream: the audit log names the enforced policy of every evaluated pod request.
      if (isPod) a.annotate?.('pod-security.kubernetes.io/enforce-policy', label(enforce));
      // Workload resources are never refused: what enforce would refuse in their pods is a warning.
      if (enforce.level !== 'privileged') {
        const v = evaluate(enforce.level, pod.metadata ?? {}, pod.spec);
        if (v.length && isPod) throw admissionForbidden(a, `violates PodSecurity ${q(label(enforce))}: ${v.join(', ')}`);
        if (v.length) a.warn?.(`would violate PodSecurity ${q(label(enforce))}: ${v.join(', ')}`);
      }
      if (warn.level !== 'privileged' && label(warn) !== label(enforce)) {
        const v = evaluate(warn.level, pod.metadata ?? {}, pod.spec);
        if (v.length) a.warn?.(`would violate PodSecurity ${q(label(warn))}: ${v.join(', ')}`);
      }
      if (audit.level !== 'privileged' && a.annotate) {
        const v = evaluate(audit.level, pod.metadata ?? {}, pod.spec);
        if (v.length) a.annotate('pod-security.kubernetes.io/audit-violations', `would violate PodSecurity ${q(label(audit))}: ${v.join(', ')}`);
      }
    },
  };
}
