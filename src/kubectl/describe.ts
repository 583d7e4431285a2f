/**
 * `kubectl describe`: client-side, as upstream's describers — a prefix writer feeding one
 * tabwriter (padding 2) per object, objects separated by a blank line. Pods, Deployments,
 * ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs, Services, ConfigMaps, Secrets,
 * Namespaces, Nodes, ServiceAccounts, HPAs and Ingresses have their own layout here, more kinds
 * in describe_kinds.ts; the rest get the generic describer (every field, sorted).
 */
import type { KubeObject } from '../api/types.js';
import { Flags, type FlagSpecs } from './args.js';
import { objectPath } from './discovery.js';
import { CmdError, type Factory } from './factory.js';
import { statusLine } from './mutate.js';
import { buildTargets, fetchObjects } from './resources.js';
import { goTabwriter } from './tabwriter.js';
import { labelsString } from './output.js';
import { StatusError } from '../api/errors.js';
import { LAST_APPLIED } from './mutate.js';
import { Quantity } from '../api/quantity.js';
import { describeNetworkPolicy, describeHPA, describeIngress, describeEndpointSlice, describePersistentVolume, describePersistentVolumeClaim, describeGeneric, describeIngressClass, describeLimitRange, describePodDisruptionBudget, describePriorityClass, describeResourceQuota, describeRole, describeRoleBinding, describeStorageClass } from './describe_kinds.js';

export const DESCRIBE_FLAGS: FlagSpecs = {
  'all-namespaces': { type: 'bool', short: 'A' },
  selector: { type: 'string', short: 'l' },
  filename: { type: 'array', short: 'f' },
  recursive: { type: 'bool', short: 'R' },
  'show-events': { type: 'bool' },
  'chunk-size': { type: 'int' },
  kustomize: { type: 'string', short: 'k' },
};

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** W is upstream's PrefixWriter: each level indents two spaces. */
export class W {
  text = '';
  write(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
}

/** rfc1123z formats a timestamp as Go's time.RFC1123Z in UTC ("Mon, 02 Jan 2006 15:04:05 +0000"). */
export function rfc1123z(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export function labelsMultiline(w: W, title: string, labels: Record<string, string> | undefined, skip: string[] = [], indent = ''): void {
  w.write(0, `${indent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).filter((k) => !skip.includes(k)).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${indent}\t`);
    w.write(0, `${k}=${labels![k]}\n`);
  });
}

export function annotationsMultiline(w: W, title: string, ann: Record<string, string> | undefined, indent = ''): void {
  w.write(0, `${indent}${title}:\t`);
  const keys = Object.keys(ann ?? {}).filter((k) => k !== LAST_APPLIED).sort();
  if (keys.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) w.write(0, `${indent}\t`);
    const value = ann![k]!;
    const line = `${k}: ${value}`;
    if (value.includes('\n') || line.length > 140) {
      // Upstream prints long or multi-line values on following lines, wrapped.
      w.write(0, `${k}:\n`);
      for (const l of value.split('\n')) w.write(0, `${indent}  ${l}\n`);
    } else w.write(0, line + '\n');
  });
}

function tolerations(w: W, tols: Obj[]): void {
  w.write(0, 'Tolerations:\t');
  if (tols.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  tols.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t');
    let s = str(t['key']);
    if (t['value']) s += `=${str(t['value'])}`;
    if (t['effect']) s += `:${str(t['effect'])}`;
    if (t['operator'] === 'Exists' && !t['value']) s += t['key'] ? ' op=Exists' : 'op=Exists';
    if (t['tolerationSeconds'] !== undefined) s += ` for ${str(t['tolerationSeconds'])}s`;
    w.write(0, s + '\n');
  });
}

function qosClass(pod: Obj): string {
  const status = o(pod['status']);
  if (status['qosClass']) return str(status['qosClass']);
  const cs = arr(o(pod['spec'])['containers']);
  let any = false;
  let guaranteed = true;
  for (const c of cs) {
    const r = o(c['resources']);
    const req = o(r['requests']);
    const lim = o(r['limits']);
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    for (const k of ['cpu', 'memory']) {
      if (lim[k] === undefined || (req[k] !== undefined && req[k] !== lim[k])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function containers(w: W, label: string, list: Obj[], statuses: Obj[], space: string): void {
  w.write(0, `${space}${label}:${list.length === 0 ? ' <none>' : ''}\n`);
  const byName = new Map(statuses.map((s) => [str(s['name']), s]));
  for (const c of list) {
    const st = byName.get(str(c['name']));
    w.write(1, `${space ? ' ' : ''}${str(c['name'])}:\n`);
    if (st) w.write(2, `Container ID:\t${str(st['containerID'])}\n`);
    w.write(2, `Image:\t${str(c['image'])}\n`);
    if (st) w.write(2, `Image ID:\t${str(st['imageID'])}\n`);
    const ports = arr(c['ports']);
    const p = ports.map((x) => `${str(x['containerPort'])}/${str(x['protocol'] ?? 'TCP')}`).join(', ');
    const hp = ports.map((x) => `${str(x['hostPort'] ?? 0)}/${str(x['protocol'] ?? 'TCP')}`).join(', ');
    w.write(2, p.includes(',') ? `Ports:\t${p}\n` : `Port:\t${p || '<none>'}\n`);
    w.write(2, hp.includes(',') ? `Host Ports:\t${hp}\n` : `Host Port:\t${hp || '<none>'}\n`);
    for (const [k, title] of [['command', 'Command'], ['args', 'Args']] as const) {
      const v = c[k] as string[] | undefined;
      if (v && v.length > 0) {
        w.write(2, `${title}:\n`);
        for (const s of v) for (const line of s.split('\n')) w.write(3, `${line}\n`);
      }
    }
    if (st) {
      const state = o(st['state']);
      if (state['running']) {
        w.write(2, 'State:\tRunning\n');
        w.write(3, `Started:\t${rfc1123z(str(o(state['running'])['startedAt']))}\n`);
      } else if (state['terminated']) {
        const t = o(state['terminated']);
        w.write(2, 'State:\tTerminated\n');
        if (t['reason']) w.write(3, `Reason:\t${str(t['reason'])}\n`);
        if (t['message']) w.write(3, `Message:\t${str(t['message'])}\n`);
        w.write(3, `Exit Code:\t${str(t['exitCode'] ?? 0)}\n`);
        w.write(3, `Started:\t${rfc1123z(str(t['startedAt']))}\n`);
        w.write(3, `Finished:\t${rfc1123z(str(t['finishedAt']))}\n`);
      } else {
        w.write(2, 'State:\tWaiting\n');
        const wt = o(state['waiting']);
        if (wt['reason']) w.write(3, `Reason:\t${str(wt['reason'])}\n`);
      }
      w.write(2, `Ready:\t${st['ready'] ? 'True' : 'False'}\n`);
      w.write(2, `Restart Count:\t${str(st['restartCount'] ?? 0)}\n`);
    }
    const res = o(c['resources']);
    for (const [k, title] of [['limits', 'Limits'], ['requests', 'Requests']] as const) {
      const m = o(res[k]);
      if (Object.keys(m).length > 0) {
        w.write(2, `${title}:\n`);
        for (const name of Object.keys(m).sort()) w.write(3, `${name}:\t${str(m[name])}\n`);
      }
    }
    const envFrom = arr(c['envFrom']);
    if (envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of envFrom) {
        const ref = e['configMapRef'] ? o(e['configMapRef']) : o(e['secretRef']);
        const from = e['configMapRef'] ? 'ConfigMap' : 'Secret';
        const optional = ref['optional'] === true;
        if (e['prefix']) w.write(3, `${str(ref['name'])}\t${from} with prefix '${str(e['prefix'])}'\tOptional: ${optional}\n`);
        else w.write(3, `${str(ref['name'])}\t${from}\tOptional: ${optional}\n`);
      }
    }
    const env = arr(c['env']);
    w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
    for (const e of env) {
      const vf = e['valueFrom'] ? o(e['valueFrom']) : undefined;
      if (!vf) {
        str(e['value'])
          .split('\n')
          .forEach((s, i) => w.write(3, i === 0 ? `${str(e['name'])}:\t${s}\n` : `\t${s}\n`));
      } else if (vf['fieldRef']) {
        const fr = o(vf['fieldRef']);
        w.write(3, `${str(e['name'])}:\t (${str(fr['apiVersion'])}:${str(fr['fieldPath'])})\n`);
      } else if (vf['secretKeyRef']) {
        const r = o(vf['secretKeyRef']);
        w.write(3, `${str(e['name'])}:\t<set to the key '${str(r['key'])}' in secret '${str(r['name'])}'>\tOptional: ${r['optional'] === true}\n`);
      } else if (vf['configMapKeyRef']) {
        const r = o(vf['configMapKeyRef']);
        w.write(3, `${str(e['name'])}:\t<set to the key '${str(r['key'])}' of config map '${str(r['name'])}'>\tOptional: ${r['optional'] === true}\n`);
      }
    }
    const mounts = arr(c['volumeMounts']);
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of [...mounts].sort((a, b) => (str(a['mountPath']) < str(b['mountPath']) ? -1 : 1))) {
      const flags = [m['readOnly'] ? 'ro' : 'rw'];
      if (m['subPath']) flags.push(`path=${JSON.stringify(m['subPath'])}`);
      w.write(3, `${str(m['mountPath'])} from ${str(m['name'])} (${flags.join(',')})\n`);
    }
  }
}

function volumes(w: W, vols: Obj[], space: string): void {
  if (vols.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of vols) {
    w.write(1, `${space ? ' ' : ''}${str(v['name'])}:\n`);
    if (v['emptyDir']) {
      const e = o(v['emptyDir']);
      w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${str(e['medium'])}\n    SizeLimit:\t${e['sizeLimit'] ? str(e['sizeLimit']) : '<unset>'}\n`);
    } else if (v['configMap']) {
      const c = o(v['configMap']);
      w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${str(c['name'])}\n    Optional:\t${c['optional'] === true}\n`);
    } else if (v['secret']) {
      const s = o(v['secret']);
      w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${str(s['secretName'])}\n    Optional:\t${s['optional'] === true}\n`);
    } else if (v['hostPath']) {
      const h = o(v['hostPath']);
      w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(h['path'])}\n    HostPathType:\t${h['type'] === undefined ? '<none>' : str(h['type'])}\n`);
    } else if (v['persistentVolumeClaim']) {
      const p = o(v['persistentVolumeClaim']);
      w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${str(p['claimName'])}\n    ReadOnly:\t${p['readOnly'] === true}\n`);
    } else if (v['projected']) {
      w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      for (const s of arr(o(v['projected'])['sources'])) {
        if (s['secret']) w.write(2, `SecretName:\t${str(o(s['secret'])['name'])}\n    Optional:\t${o(s['secret'])['optional'] === true}\n`);
        else if (s['downwardAPI']) w.write(2, 'DownwardAPI:\ttrue\n');
        else if (s['configMap']) w.write(2, `ConfigMapName:\t${str(o(s['configMap'])['name'])}\n    Optional:\t${o(s['configMap'])['optional'] === true}\n`);
        else if (s['serviceAccountToken']) w.write(2, `TokenExpirationSeconds:\t${str(o(s['serviceAccountToken'])['expirationSeconds'])}\n`);
      }
    } else w.write(1, '<unknown>\n');
  }
}

function podTemplate(w: W, tpl: Obj): void {
  w.write(0, 'Pod Template:\n');
  const meta = o(tpl['metadata']);
  const spec = o(tpl['spec']);
  labelsMultiline(w, '  Labels', meta['labels'] as Record<string, string>);
  if (Object.keys(o(meta['annotations'])).length > 0) annotationsMultiline(w, '  Annotations', meta['annotations'] as Record<string, string>);
  if (spec['serviceAccountName']) w.write(1, `Service Account:\t${str(spec['serviceAccountName'])}\n`);
  if (arr(spec['initContainers']).length > 0) containers(w, 'Init Containers', arr(spec['initContainers']), [], '  ');
  containers(w, 'Containers', arr(spec['containers']), [], '  ');
  volumes(w, arr(spec['volumes']), '  ');
  labelsMultiline(w, '  Node-Selectors', spec['nodeSelector'] as Record<string, string>);
  w.write(0, '  ');
  const tw = new W();
  tolerations(tw, arr(spec['tolerations']));
  w.write(0, tw.text.replace(/\n\t/g, '\n  \t'));
  if (spec['priorityClassName']) w.write(1, `Priority Class Name:\t${str(spec['priorityClassName'])}\n`);
}

function conditions(w: W, conds: Obj[], withReason: boolean): void {
  if (conds.length === 0) return;
  if (withReason) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conds) w.write(1, `${str(c['type'])} \t${str(c['status'])}\t${str(c['reason'])}\n`);
  } else {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conds) w.write(1, `${str(c['type'])} \t${str(c['status'])} \n`);
  }
}

function age(ts: string | undefined, now: number): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

export function events(w: W, list: Obj[] | undefined): void {
  if (!list) return;
  if (list.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const now = Date.now();
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  const sorted = [...list].sort((a, b) => Date.parse(str(a['lastTimestamp'] || a['eventTime'] || o(a['metadata'])['creationTimestamp'])) - Date.parse(str(b['lastTimestamp'] || b['eventTime'] || o(b['metadata'])['creationTimestamp'])));
  for (const e of sorted) {
    const first = str(e['firstTimestamp'] || e['eventTime'] || o(e['metadata'])['creationTimestamp']);
    const last = str(e['lastTimestamp'] || e['eventTime'] || first);
    const count = Number(e['count'] ?? 1);
    const interval = count > 1 ? `${age(last, now)} (x${count} over ${age(first, now)})` : age(first, now);
    // kubectl shows the component only (not the source host).
    const from = str(o(e['source'])['component'] || e['reportingComponent']);
    w.write(1, `${str(e['type'])}\t${str(e['reason'])}\t${interval}\t${from}\t${str(e['message']).trim()}\n`);
  }
}

export function selectorString(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  const ml = o(sel['matchLabels']);
  for (const k of Object.keys(ml).sort()) parts.push(`${k}=${str(ml[k])}`);
  for (const e of arr(sel['matchExpressions'])) {
    const op = str(e['operator']);
    const vals = ((e['values'] as string[]) ?? []).slice().sort();
    if (op === 'In') parts.push(`${str(e['key'])} in (${vals.join(',')})`);
    else if (op === 'NotIn') parts.push(`${str(e['key'])} notin (${vals.join(',')})`);
    else if (op === 'Exists') parts.push(str(e['key']));
    else parts.push(`!${str(e['key'])}`);
  }
  return parts.length === 0 ? '<none>' : parts.join(',');
}

/** controlledBy writes the `Controlled By` line for an object with a controller owner (upstream's printController). */
function controlledBy(w: W, meta: Obj): void {
  const ctrl = arr(meta['ownerReferences']).find((r) => r['controller'] === true);
  if (ctrl) w.write(0, `Controlled By:\t${str(ctrl['kind'])}/${str(ctrl['name'])}\n`);
}

/** ownedWorkloadHeader is the head ReplicaSet and Job descriptions share, in upstream's order. */
function ownedWorkloadHeader(w: W, meta: Obj, spec: Obj): void {
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  w.write(0, `Selector:\t${selectorString(spec['selector'] as Obj)}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  controlledBy(w, meta);
}

function describePod(pod: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(pod.metadata);
  const spec = o(pod['spec']);
  const status = o(pod['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  if (spec['priority'] !== undefined) w.write(0, `Priority:\t${str(spec['priority'])}\n`);
  if (spec['priorityClassName']) w.write(0, `Priority Class Name:\t${str(spec['priorityClassName'])}\n`);
  if (spec['runtimeClassName']) w.write(0, `Runtime Class Name:\t${str(spec['runtimeClassName'])}\n`);
  if (spec['serviceAccountName']) w.write(0, `Service Account:\t${str(spec['serviceAccountName'])}\n`);
  w.write(0, spec['nodeName'] ? `Node:\t${str(spec['nodeName'])}/${str(status['hostIP'])}\n` : 'Node:\t<none>\n');
  if (status['startTime']) w.write(0, `Start Time:\t${rfc1123z(str(status['startTime']))}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  if (meta['deletionTimestamp'] && status['phase'] !== 'Failed' && status['phase'] !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${age(str(meta['deletionTimestamp']), Date.now())})\n`);
    w.write(0, `Termination Grace Period:\t${str(meta['deletionGracePeriodSeconds'])}s\n`);
  } else w.write(0, `Status:\t${str(status['phase'])}\n`);
  if (status['reason']) w.write(0, `Reason:\t${str(status['reason'])}\n`);
  if (status['message']) w.write(0, `Message:\t${str(status['message'])}\n`);
  const sc = o(spec['securityContext']);
  if (sc['seccompProfile']) w.write(0, `SeccompProfile:\t${str(o(sc['seccompProfile'])['type'])}\n`);
  w.write(0, `IP:\t${str(status['podIP'])}\n`);
  const ips = arr(status['podIPs']);
  if (ips.length === 0) w.write(0, 'IPs:\t<none>\n');
  else {
    w.write(0, 'IPs:\n');
    for (const ip of ips) w.write(1, `IP:\t${str(ip['ip'])}\n`);
  }
  controlledBy(w, meta);
  if (status['nominatedNodeName']) w.write(0, `NominatedNodeName:\t${str(status['nominatedNodeName'])}\n`);
  if (arr(spec['initContainers']).length > 0) containers(w, 'Init Containers', arr(spec['initContainers']), arr(status['initContainerStatuses']), '');
  containers(w, 'Containers', arr(spec['containers']), arr(status['containerStatuses']), '');
  if (arr(spec['readinessGates']).length > 0) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of arr(spec['readinessGates'])) {
      const c = arr(status['conditions']).find((x) => x['type'] === g['conditionType']);
      w.write(1, `${str(g['conditionType'])} \t${c ? str(c['status']) : '<none>'} \n`);
    }
  }
  conditions(w, arr(status['conditions']), false);
  volumes(w, arr(spec['volumes']), '');
  w.write(0, `QoS Class:\t${qosClass(pod as Obj)}\n`);
  labelsMultiline(w, 'Node-Selectors', spec['nodeSelector'] as Record<string, string>);
  tolerations(w, arr(spec['tolerations']));
  events(w, evs);
  return w.text;
}

function describeDeployment(d: KubeObject, evs: Obj[] | undefined, rss: Obj[]): string {
  const w = new W();
  const meta = o(d.metadata);
  const spec = o(d['spec']);
  const status = o(d['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(meta['creationTimestamp']))}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Selector:\t${selectorString(spec['selector'] as Obj)}\n`);
  w.write(0, `Replicas:\t${str(spec['replicas'] ?? 1)} desired | ${str(status['updatedReplicas'] ?? 0)} updated | ${str(status['replicas'] ?? 0)} total | ${str(status['availableReplicas'] ?? 0)} available | ${str(status['unavailableReplicas'] ?? 0)} unavailable\n`);
  const strategy = o(spec['strategy']);
  w.write(0, `StrategyType:\t${str(strategy['type'])}\n`);
  w.write(0, `MinReadySeconds:\t${str(spec['minReadySeconds'] ?? 0)}\n`);
  if (strategy['rollingUpdate']) {
    const ru = o(strategy['rollingUpdate']);
    w.write(0, `RollingUpdateStrategy:\t${str(ru['maxUnavailable'])} max unavailable, ${str(ru['maxSurge'])} max surge\n`);
  }
  podTemplate(w, o(spec['template']));
  conditions(w, arr(status['conditions']), true);
  if (rss.length > 0) {
    // The new ReplicaSet carries the deployment's revision; every other owned one is old.
    const rev = str(o(meta['annotations'])['deployment.kubernetes.io/revision']);
    const byAge = [...rss].sort((a, b) => str(o(a['metadata'])['creationTimestamp']).localeCompare(str(o(b['metadata'])['creationTimestamp'])));
    const isNew = (r: Obj): boolean => str(o(o(r['metadata'])['annotations'])['deployment.kubernetes.io/revision']) === rev;
    const fmt = (list: Obj[]): string => (list.length === 0 ? '<none>' : list.map((r) => `${str(o(r['metadata'])['name'])} (${str(o(r['status'])['replicas'] ?? 0)}/${str(o(r['spec'])['replicas'] ?? 0)} replicas created)`).join(', '));
    w.write(0, `OldReplicaSets:\t${fmt(byAge.filter((r) => !isNew(r)))}\n`);
    w.write(0, `NewReplicaSet:\t${fmt(byAge.filter(isNew).slice(0, 1))}\n`);
  }
  events(w, evs);
  return w.text;
}

function describeReplicaSet(rs: KubeObject, evs: Obj[] | undefined, pods: Obj[]): string {
  const w = new W();
  const meta = o(rs.metadata);
  const spec = o(rs['spec']);
  const status = o(rs['status']);
  ownedWorkloadHeader(w, meta, spec);
  w.write(0, `Replicas:\t${str(status['replicas'] ?? 0)} current / ${str(spec['replicas'] ?? 1)} desired\n`);
  const owned = pods.filter((p) => arr(o(p['metadata'])['ownerReferences']).some((r) => r['uid'] === meta['uid'] && r['controller'] === true));
  const count = (phase: string): number => owned.filter((p) => o(p['status'])['phase'] === phase).length;
  w.write(0, `Pods Status:\t${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed\n`);
  podTemplate(w, o(spec['template']));
  const conds = arr(status['conditions']);
  if (conds.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tReason\n');
    w.write(1, '----\t------\t------\n');
    for (const c of conds) w.write(1, `${str(c['type'])} \t${str(c['status'])}\t${str(c['reason'])}\n`);
  }
  events(w, evs);
  return w.text;
}

/** podCounts counts the pods a controller owns by phase, as getPodStatusForController. */
function podCounts(owner: Obj, pods: Obj[]): string {
  const owned = pods.filter((p) => arr(o(p['metadata'])['ownerReferences']).some((r) => r['uid'] === owner['uid'] && r['controller'] === true));
  const count = (phase: string): number => owned.filter((p) => o(p['status'])['phase'] === phase).length;
  return `${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed`;
}

const boolPtr = (v: unknown): string => (v === undefined || v === null ? '<unset>' : v ? 'True' : 'False');

function describeStatefulSet(ss: KubeObject, evs: Obj[] | undefined, pods: Obj[]): string {
  const w = new W();
  const meta = o(ss.metadata);
  const spec = o(ss['spec']);
  const status = o(ss['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(meta['creationTimestamp']))}\n`);
  w.write(0, `Selector:\t${selectorString(spec['selector'] as Obj)}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Replicas:\t${str(spec['replicas'] ?? 1)} desired | ${str(status['replicas'] ?? 0)} total\n`);
  const us = o(spec['updateStrategy']);
  w.write(0, `Update Strategy:\t${str(us['type'])}\n`);
  if (us['rollingUpdate']) {
    const ru = o(us['rollingUpdate']);
    if (ru['partition'] !== undefined) w.write(1, `Partition:\t${str(ru['partition'])}\n`);
    if (ru['maxUnavailable'] !== undefined) w.write(1, `MaxUnavailable:\t${str(ru['maxUnavailable'])}\n`);
  }
  w.write(0, `Pods Status:\t${podCounts(meta, pods)}\n`);
  podTemplate(w, o(spec['template']));
  const vcts = arr(spec['volumeClaimTemplates']);
  if (vcts.length === 0) w.write(0, 'Volume Claims:\t<none>\n');
  else {
    w.write(0, 'Volume Claims:\n');
    for (const pvc of vcts) {
      const pm = o(pvc['metadata']);
      const ps = o(pvc['spec']);
      w.write(1, `Name:\t${str(pm['name'])}\n`);
      w.write(1, `StorageClass:\t${str(o(pm['annotations'])['volume.beta.kubernetes.io/storage-class'] ?? ps['storageClassName'])}\n`);
      labelsMultiline(w, 'Labels', pm['labels'] as Record<string, string>, [], '  ');
      labelsMultiline(w, 'Annotations', pm['annotations'] as Record<string, string>, [], '  ');
      const cap = o(o(ps['resources'])['requests'])['storage'];
      w.write(1, `Capacity:\t${cap === undefined ? '<default>' : str(cap)}\n`);
      w.write(1, `Access Modes:\t[${((ps['accessModes'] as string[] | undefined) ?? []).join(' ')}]\n`);
    }
  }
  events(w, evs);
  return w.text;
}

function describeDaemonSet(ds: KubeObject, evs: Obj[] | undefined, pods: Obj[]): string {
  const w = new W();
  const meta = o(ds.metadata);
  const spec = o(ds['spec']);
  const status = o(ds['status']);
  const n = (k: string): string => str(status[k] ?? 0);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Selector:\t${selectorString(spec['selector'] as Obj)}\n`);
  w.write(0, `Node-Selector:\t${labelsString(o(o(o(spec['template'])['spec'])['nodeSelector']) as Record<string, string>)}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Desired Number of Nodes Scheduled: ${n('desiredNumberScheduled')}\n`);
  w.write(0, `Current Number of Nodes Scheduled: ${n('currentNumberScheduled')}\n`);
  w.write(0, `Number of Nodes Scheduled with Up-to-date Pods: ${n('updatedNumberScheduled')}\n`);
  w.write(0, `Number of Nodes Scheduled with Available Pods: ${n('numberAvailable')}\n`);
  w.write(0, `Number of Nodes Misscheduled: ${n('numberMisscheduled')}\n`);
  w.write(0, `Pods Status:\t${podCounts(meta, pods)}\n`);
  podTemplate(w, o(spec['template']));
  events(w, evs);
  return w.text;
}

function describeJob(job: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(job.metadata);
  const spec = o(job['spec']);
  const status = o(job['status']);
  ownedWorkloadHeader(w, meta, spec);
  if (spec['parallelism'] !== undefined) w.write(0, `Parallelism:\t${str(spec['parallelism'])}\n`);
  w.write(0, `Completions:\t${spec['completions'] === undefined ? '<unset>' : str(spec['completions'])}\n`);
  if (spec['completionMode'] !== undefined) w.write(0, `Completion Mode:\t${str(spec['completionMode'])}\n`);
  if (spec['suspend'] !== undefined) w.write(0, `Suspend:\t${str(spec['suspend'])}\n`);
  if (spec['backoffLimit'] !== undefined) w.write(0, `Backoff Limit:\t${str(spec['backoffLimit'])}\n`);
  if (spec['ttlSecondsAfterFinished'] !== undefined) w.write(0, `TTL Seconds After Finished:\t${str(spec['ttlSecondsAfterFinished'])}\n`);
  if (status['startTime']) w.write(0, `Start Time:\t${rfc1123z(str(status['startTime']))}\n`);
  if (status['completionTime']) w.write(0, `Completed At:\t${rfc1123z(str(status['completionTime']))}\n`);
  if (status['startTime'] && status['completionTime']) w.write(0, `Duration:\t${age(str(status['startTime']), Date.parse(str(status['completionTime'])))}\n`);
  if (spec['activeDeadlineSeconds'] !== undefined) w.write(0, `Active Deadline Seconds:\t${str(spec['activeDeadlineSeconds'])}s\n`);
  const n = (k: string): string => str(status[k] ?? 0);
  if (status['ready'] === undefined) w.write(0, `Pods Statuses:\t${n('active')} Active / ${n('succeeded')} Succeeded / ${n('failed')} Failed\n`);
  else w.write(0, `Pods Statuses:\t${n('active')} Active (${n('ready')} Ready) / ${n('succeeded')} Succeeded / ${n('failed')} Failed\n`);
  if (spec['completionMode'] === 'Indexed') w.write(0, `Completed Indexes:\t${str(status['completedIndexes']) || '<none>'}\n`);
  podTemplate(w, o(spec['template']));
  events(w, evs);
  return w.text;
}

function describeCronJob(cj: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(cj.metadata);
  const spec = o(cj['spec']);
  const status = o(cj['status']);
  const unset = (v: unknown, suffix = ''): string => (v === undefined || v === null ? '<unset>' : `${str(v)}${suffix}`);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Schedule:\t${str(spec['schedule'])}\n`);
  w.write(0, `Concurrency Policy:\t${str(spec['concurrencyPolicy'])}\n`);
  w.write(0, `Suspend:\t${boolPtr(spec['suspend'])}\n`);
  w.write(0, `Successful Job History Limit:\t${unset(spec['successfulJobsHistoryLimit'])}\n`);
  w.write(0, `Failed Job History Limit:\t${unset(spec['failedJobsHistoryLimit'])}\n`);
  w.write(0, `Starting Deadline Seconds:\t${unset(spec['startingDeadlineSeconds'], 's')}\n`);
  const jt = o(o(spec['jobTemplate'])['spec']);
  w.write(0, `Selector:\t${jt['selector'] ? selectorString(o(jt['selector'])) : '<unset>'}\n`);
  w.write(0, `Parallelism:\t${unset(jt['parallelism'])}\n`);
  w.write(0, `Completions:\t${unset(jt['completions'])}\n`);
  if (jt['activeDeadlineSeconds'] !== undefined) w.write(0, `Active Deadline Seconds:\t${str(jt['activeDeadlineSeconds'])}s\n`);
  podTemplate(w, o(jt['template']));
  w.write(0, `Last Schedule Time:\t${status['lastScheduleTime'] ? rfc1123z(str(status['lastScheduleTime'])) : '<unset>'}\n`);
  const active = arr(status['active']).map((r) => str(r['name']));
  w.write(0, `Active Jobs:\t${active.length === 0 ? '<none>' : active.join(', ')}\n`);
  events(w, evs);
  return w.text;
}

function describeService(s: KubeObject, evs: Obj[] | undefined, endpoints: Obj | undefined): string {
  const w = new W();
  const meta = o(s.metadata);
  const spec = o(s['spec']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  const sel = o(spec['selector']);
  w.write(0, `Selector:\t${Object.keys(sel).length === 0 ? '<none>' : Object.keys(sel).sort().map((k) => `${k}=${str(sel[k])}`).join(',')}\n`);
  w.write(0, `Type:\t${str(spec['type'])}\n`);
  if (spec['ipFamilyPolicy']) w.write(0, `IP Family Policy:\t${str(spec['ipFamilyPolicy'])}\n`);
  const fams = (spec['ipFamilies'] as string[] | undefined) ?? [];
  if (fams.length > 0) w.write(0, `IP Families:\t${fams.join(',')}\n`);
  else w.write(0, 'IP Families:\t<none>\n');
  w.write(0, `IP:\t${str(spec['clusterIP'])}\n`);
  const ips = (spec['clusterIPs'] as string[] | undefined) ?? [];
  w.write(0, `IPs:\t${ips.length > 0 ? ips.join(',') : '<none>'}\n`);
  if (arr(spec['externalIPs']).length > 0) w.write(0, `External IPs:\t${(spec['externalIPs'] as string[]).join(',')}\n`);
  if (spec['externalName']) w.write(0, `External Name:\t${str(spec['externalName'])}\n`);
  for (const p of arr(spec['ports'])) {
    const name = p['name'] ? str(p['name']) : '<unset>';
    w.write(0, `Port:\t${name}  ${str(p['port'])}/${str(p['protocol'])}\n`);
    const tp = p['targetPort'];
    w.write(0, `TargetPort:\t${typeof tp === 'number' ? `${tp}/${str(p['protocol'])}` : `${str(tp)}/${str(p['protocol'])}`}\n`);
    if (p['nodePort']) w.write(0, `NodePort:\t${name}  ${str(p['nodePort'])}/${str(p['protocol'])}\n`);
    if (spec['type'] !== 'ExternalName') {
      const addrs: string[] = [];
      for (const sub of arr(endpoints?.['subsets'])) {
        const ep = arr(sub['ports']).find((x) => (x['name'] ?? '') === (p['name'] ?? '')) ?? (arr(sub['ports']).length === 1 ? arr(sub['ports'])[0] : undefined);
        if (!ep) continue;
        for (const a of arr(sub['addresses'])) addrs.push(`${str(a['ip'])}:${str(ep['port'])}`);
      }
      w.write(0, `Endpoints:\t${addrs.length === 0 ? '<none>' : addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',')}\n`);
    }
  }
  w.write(0, `Session Affinity:\t${str(spec['sessionAffinity'])}\n`);
  if (spec['externalTrafficPolicy']) w.write(0, `External Traffic Policy:\t${str(spec['externalTrafficPolicy'])}\n`);
  if (spec['internalTrafficPolicy']) w.write(0, `Internal Traffic Policy:\t${str(spec['internalTrafficPolicy'])}\n`);
  events(w, evs);
  return w.text;
}

function describeConfigMap(c: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(c.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, '\nData\n====\n');
  const data = o(c['data']);
  for (const k of Object.keys(data).sort()) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${str(data[k])}\n\n`);
  }
  w.write(0, '\nBinaryData\n====\n');
  const bin = o(c['binaryData']);
  for (const k of Object.keys(bin).sort()) w.write(0, `${k}: ${Buffer.from(str(bin[k]), 'base64').length} bytes\n`);
  w.write(0, '\n');
  events(w, evs);
  return w.text;
}

function describeSecret(s: KubeObject): string {
  const w = new W();
  const meta = o(s.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `\nType:\t${str(s['type'])}\n\nData\n====\n`);
  const data = o(s['data']);
  for (const k of Object.keys(data).sort()) {
    w.write(0, `${k}:\t${Buffer.from(str(data[k]), 'base64').length} bytes\n`);
  }
  return w.text;
}

function describeNamespace(ns: KubeObject, quotas: Obj[], limits: Obj[]): string {
  const w = new W();
  const meta = o(ns.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Status:\t${str(o(ns['status'])['phase'])}\n`);
  if (quotas.length === 0) w.write(0, '\nNo resource quota.\n');
  else {
    for (const q of quotas) {
      w.write(0, `\nResource Quotas\n`);
      w.write(1, `Name:\t${str(o(q['metadata'])['name'])}\n`);
      w.write(1, 'Resource\tUsed\tHard\n');
      w.write(1, '--------\t---\t---\n');
      const hard = o(o(q['status'])['hard']);
      const used = o(o(q['status'])['used']);
      for (const k of Object.keys(hard).sort()) w.write(1, `${k}\t${str(used[k] ?? '0')}\t${str(hard[k])}\n`);
    }
  }
  if (limits.length === 0) w.write(0, '\nNo LimitRange resource.\n');
  else w.write(0, '\nResource Limits\n');
  return w.text;
}

function describeServiceAccount(sa: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(sa.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  const pulls = arr(sa['imagePullSecrets']).map((s) => str(s['name']));
  const mounts = arr(sa['secrets']).map((s) => str(s['name']));
  w.write(0, `Image pull secrets:\t${pulls.length === 0 ? '<none>' : pulls.join('\n\t')}\n`);
  w.write(0, `Mountable secrets:\t${mounts.length === 0 ? '<none>' : mounts.join('\n\t')}\n`);
  w.write(0, 'Tokens:\t<none>\n');
  events(w, evs);
  return w.text;
}

function nodeRoles(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

const q = (v: unknown): Quantity => (v === undefined || v === null ? Quantity.parse('0') : Quantity.parse(v as string));

/** podRequestsAndLimits sums container requests/limits, taking the max with each init container (resourcehelper). */
function podRequestsAndLimits(pod: Obj): { req: Map<string, Quantity>; lim: Map<string, Quantity> } {
  const spec = o(pod['spec']);
  const sum = (key: 'requests' | 'limits'): Map<string, Quantity> => {
    const out = new Map<string, Quantity>();
    for (const c of arr(spec['containers'])) for (const [n, v] of Object.entries(o(o(c['resources'])[key]))) out.set(n, (out.get(n) ?? q(0)).add(q(v)));
    for (const c of arr(spec['initContainers'])) for (const [n, v] of Object.entries(o(o(c['resources'])[key]))) if (q(v).cmp(out.get(n) ?? q(0)) > 0) out.set(n, q(v));
    for (const [n, v] of Object.entries(o(spec['overhead']))) out.set(n, (out.get(n) ?? q(0)).add(q(v)));
    return out;
  };
  return { req: sum('requests'), lim: sum('limits') };
}

function describeNode(node: KubeObject, pods: Obj[], lease: Obj | string, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(node.metadata);
  const spec = o(node['spec']);
  const status = o(node['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  const roles = nodeRoles((meta['labels'] ?? {}) as Record<string, string>);
  w.write(0, `Roles:\t${roles.length > 0 ? roles.join(',') : '<none>'}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(meta['creationTimestamp']))}\n`);
  const taints = arr(spec['taints']);
  w.write(0, 'Taints:\t');
  if (taints.length === 0) w.write(0, '<none>\n');
  taints.forEach((t, i) => {
    if (i !== 0) w.write(0, '\t');
    w.write(0, `${str(t['key'])}${t['value'] ? `=${str(t['value'])}` : ''}:${str(t['effect'])}\n`);
  });
  w.write(0, `Unschedulable:\t${spec['unschedulable'] === true}\n`);
  if (typeof lease === 'string') w.write(0, `Lease:\tFailed to get lease: ${lease}\n`);
  else {
    const ls = o(lease['spec']);
    w.write(0, 'Lease:\n');
    w.write(1, `HolderIdentity:\t${ls['holderIdentity'] ? str(ls['holderIdentity']) : '<unset>'}\n`);
    w.write(1, `AcquireTime:\t${ls['acquireTime'] ? rfc1123z(str(ls['acquireTime'])) : '<unset>'}\n`);
    w.write(1, `RenewTime:\t${ls['renewTime'] ? rfc1123z(str(ls['renewTime'])) : '<unset>'}\n`);
  }
  const conds = arr(status['conditions']);
  if (conds.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) {
      w.write(1, `${str(c['type'])} \t${str(c['status'])} \t${rfc1123z(str(c['lastHeartbeatTime'])) || 'Mon, 01 Jan 0001 00:00:00 +0000'} \t${rfc1123z(str(c['lastTransitionTime'])) || 'Mon, 01 Jan 0001 00:00:00 +0000'} \t${str(c['reason'])} \t${str(c['message'])}\n`);
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of arr(status['addresses'])) w.write(1, `${str(a['type'])}:\t${str(a['address'])}\n`);
  const printList = (title: string, list: Obj): void => {
    if (Object.keys(list).length === 0) return;
    w.write(0, `${title}:\n`);
    for (const k of Object.keys(list).sort()) w.write(0, `  ${k}:\t${q(list[k]).toString()}\n`);
  };
  printList('Capacity', o(status['capacity']));
  printList('Allocatable', o(status['allocatable']));
  const info = o(status['nodeInfo']);
  w.write(0, 'System Info:\n');
  for (const [title, key] of [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ] as const) {
    w.write(0, `  ${title}:\t${str(info[key])}\n`);
  }
  if (spec['podCIDR']) w.write(0, `PodCIDR:\t${str(spec['podCIDR'])}\n`);
  if (arr(spec['podCIDRs']).length > 0) w.write(0, `PodCIDRs:\t${(spec['podCIDRs'] as string[]).join(',')}\n`);
  if (spec['providerID']) w.write(0, `ProviderID:\t${str(spec['providerID'])}\n`);
  const alloc = Object.keys(o(status['allocatable'])).length > 0 ? o(status['allocatable']) : o(status['capacity']);
  const allocCPU = q(alloc['cpu']).milliValue();
  const allocMem = q(alloc['memory']).value();
  const allocEph = q(alloc['ephemeral-storage']).value();
  // Go converts float64 to int64 truncating; division by zero allocatable gives +Inf/NaN, printed as int64 min.
  const pct = (n: number, d: number): string => {
    const f = (n / d) * 100;
    return Number.isFinite(f) ? String(Math.trunc(f)) : '-9223372036854775808';
  };
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const now = Date.now();
  const total = { req: new Map<string, Quantity>(), lim: new Map<string, Quantity>() };
  for (const p of pods) {
    const { req, lim } = podRequestsAndLimits(p);
    for (const [k, v] of req) total.req.set(k, (total.req.get(k) ?? q(0)).add(v));
    for (const [k, v] of lim) total.lim.set(k, (total.lim.get(k) ?? q(0)).add(v));
    const cr = req.get('cpu') ?? q(0);
    const cl = lim.get('cpu') ?? q(0);
    const mr = req.get('memory') ?? q(0);
    const ml = lim.get('memory') ?? q(0);
    const pm = o(p['metadata']);
    w.write(1, `${str(pm['namespace'])}\t${str(pm['name'])}\t\t${cr.toString()} (${pct(cr.milliValue(), allocCPU)}%)\t${cl.toString()} (${pct(cl.milliValue(), allocCPU)}%)\t${mr.toString()} (${pct(mr.value(), allocMem)}%)\t${ml.toString()} (${pct(ml.value(), allocMem)}%)\t${age(str(pm['creationTimestamp']), now)}\n`);
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  const frac = (v: number, d: number): string => (d !== 0 ? String(Math.trunc((v / d) * 100)) : '0');
  for (const [name, denom, milli] of [['cpu', allocCPU, true], ['memory', allocMem, false], ['ephemeral-storage', allocEph, false]] as const) {
    const r = total.req.get(name) ?? q(0);
    const l = total.lim.get(name) ?? q(0);
    const rv = milli ? r.milliValue() : r.value();
    const lv = milli ? l.milliValue() : l.value();
    w.write(1, `${name}\t${r.toString()} (${frac(rv, denom)}%)\t${l.toString()} (${frac(lv, denom)}%)\n`);
  }
  for (const k of Object.keys(alloc).sort()) {
    if (['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(k)) continue;
    if (!k.startsWith('hugepages-') && !k.includes('/')) continue;
    w.write(1, `${k}\t${(total.req.get(k) ?? q(0)).toString()}\t${(total.lim.get(k) ?? q(0)).toString()}\n`);
  }
  events(w, evs);
  return w.text;
}

export async function runDescribe(f: Factory, flags: Flags, args: string[]): Promise<number> {
  const allNamespaces = flags.bool('all-namespaces');
  if (args.length === 0 && flags.list('filename').length === 0) {
    throw new CmdError('You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n', 1, true);
  }
  const { targets } = await buildTargets(f, args, { filenames: flags.list('filename'), allNamespaces, verb: 'describe' });
  const c = f.client();
  const showEvents = flags.bool('show-events', true);
  const out: string[] = [];
  const errors: string[] = [];
  const selector = flags.str('selector') || undefined;
  for (const t of targets) {
    let objs: KubeObject[];
    try {
      if (t.name !== undefined) objs = [await c.requestJSON<KubeObject>({ method: 'GET', path: objectPath(t.mapping, t.namespace, t.name) })];
      else {
        objs = await fetchObjects(f, t, { labelSelector: selector });
      }
    } catch (err) {
      if (err instanceof StatusError) {
        errors.push(statusLine(err));
        continue;
      }
      throw err;
    }
    if (t.name === undefined && objs.length === 0 && targets.length === 1) {
      const { namespace } = f.namespace();
      f.io.err(t.mapping.namespaced && !allNamespaces ? `No resources found in ${namespace} namespace.\n` : 'No resources found\n');
    }
    for (const obj of objs) {
      obj.apiVersion ??= t.mapping.group ? `${t.mapping.group}/${t.mapping.version}` : t.mapping.version;
      obj.kind ??= t.mapping.kind;
      const ns = obj.metadata?.namespace;
      const evs = showEvents ? await searchEvents(f, obj, t.mapping.kind === 'Pod') : undefined;
      const key = `${t.mapping.group}/${t.mapping.kind}`;
      let text: string;
      switch (key) {
        case 'apps/Deployment': {
          const all = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${ns}/replicasets` })).items;
          const owned = all.filter((r) => arr(o(r['metadata'])['ownerReferences']).some((ref) => ref['uid'] === obj.metadata?.uid && ref['controller'] === true));
          text = describeDeployment(obj, evs, owned);
          break;
        }
        case 'apps/ReplicaSet': {
          const pods = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods`, query: { labelSelector: selectorString(o(obj['spec'])['selector'] as Obj).replace(/^<none>$/, '') } })).items;
          text = describeReplicaSet(obj, evs, pods);
          break;
        }
        case '/Service': {
          let ep: Obj | undefined;
          try {
            ep = await c.requestJSON<Obj>({ method: 'GET', path: `/api/v1/namespaces/${ns}/endpoints/${obj.metadata?.name}` });
          } catch {
            ep = undefined;
          }
          text = describeService(obj, evs, ep);
          break;
        }
        case '/Node': {
          const name = obj.metadata?.name ?? '';
          const pods = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: '/api/v1/pods', query: { fieldSelector: `spec.nodeName=${name},status.phase!=Succeeded,status.phase!=Failed` } })).items;
          let lease: Obj | string;
          try {
            lease = await c.requestJSON<Obj>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}` });
          } catch (err) {
            if (!(err instanceof StatusError)) throw err;
            lease = err.message;
          }
          text = describeNode(obj, pods, lease, evs);
          break;
        }
        case '/Namespace': {
          const name = obj.metadata?.name ?? '';
          const quotas = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/api/v1/namespaces/${name}/resourcequotas` })).items;
          const limits = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/api/v1/namespaces/${name}/limitranges` })).items;
          text = describeNamespace(obj, quotas, limits);
          break;
        }
        case 'apps/StatefulSet':
        case 'apps/DaemonSet': {
          const pods = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods`, query: { labelSelector: selectorString(o(obj['spec'])['selector'] as Obj).replace(/^<none>$/, '') } })).items;
          text = t.mapping.kind === 'StatefulSet' ? describeStatefulSet(obj, evs, pods) : describeDaemonSet(obj, evs, pods);
          break;
        }
        case 'autoscaling/HorizontalPodAutoscaler':
          // kubectl describes through autoscaling/v2 whatever version was named.
          text = describeHPA(t.mapping.version === 'v2' ? obj : await c.requestJSON<KubeObject>({ method: 'GET', path: `/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/${obj.metadata?.name}` }), evs);
          break;
        case 'networking.k8s.io/Ingress':
          text = await describeIngress(obj, evs, {
            slices: async (sns, svc) => {
              try {
                return (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/apis/discovery.k8s.io/v1/namespaces/${sns}/endpointslices`, query: { labelSelector: `kubernetes.io/service-name=${svc}` } })).items;
              } catch {
                return [];
              }
            },
            service: async (sns, name) => {
              try {
                return await c.requestJSON<Obj>({ method: 'GET', path: `/api/v1/namespaces/${sns}/services/${encodeURIComponent(name)}` });
              } catch (err) {
                if (err instanceof StatusError) return err.message;
                throw err;
              }
            },
          });
          break;
        case '/PersistentVolumeClaim': {
          const pods = (await c.requestJSON<{ items: Obj[] }>({ method: 'GET', path: `/api/v1/namespaces/${ns}/pods` })).items;
          text = describePersistentVolumeClaim(obj, evs, pods);
          break;
        }
        default:
          text = (PLAIN[key] ?? describeGeneric)(obj, evs);
      }
      out.push(goTabwriter(text, 0, 2));
    }
  }
  f.io.out(out.join('\n\n'));
  for (const e of errors) f.io.err(e + '\n');
  return errors.length > 0 ? 1 : 0;
}

/** Describers that need only the object and its events, by `group/Kind`; the rest read related objects. */
const PLAIN: Record<string, (obj: KubeObject, evs: Obj[] | undefined) => string> = {
  '/Pod': describePod,
  '/ConfigMap': describeConfigMap,
  '/Secret': describeSecret,
  '/ServiceAccount': describeServiceAccount,
  '/PersistentVolume': describePersistentVolume,
  '/ResourceQuota': describeResourceQuota,
  '/LimitRange': describeLimitRange,
  'batch/Job': describeJob,
  'batch/CronJob': describeCronJob,
  'networking.k8s.io/NetworkPolicy': describeNetworkPolicy,
  'networking.k8s.io/IngressClass': describeIngressClass,
  'discovery.k8s.io/EndpointSlice': describeEndpointSlice,
  'scheduling.k8s.io/PriorityClass': describePriorityClass,
  'storage.k8s.io/StorageClass': describeStorageClass,
  'policy/PodDisruptionBudget': describePodDisruptionBudget,
  'rbac.authorization.k8s.io/Role': describeRole,
  'rbac.authorization.k8s.io/ClusterRole': describeRole,
  'rbac.authorization.k8s.io/RoleBinding': describeRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': describeRoleBinding,
};

async function searchEvents(f: Factory, obj: KubeObject, omitKind: boolean): Promise<Obj[]> {
  const meta = obj.metadata ?? {};
  const sel = [`involvedObject.name=${meta.name ?? ''}`, `involvedObject.namespace=${meta.namespace ?? ''}`];
  if (!omitKind) sel.push(`involvedObject.kind=${obj.kind ?? ''}`);
  if (meta.uid) sel.push(`involvedObject.uid=${meta.uid}`);
  const path = meta.namespace ? `/api/v1/namespaces/${meta.namespace}/events` : '/api/v1/events';
  try {
    return (await f.client().requestJSON<{ items: Obj[] }>({ method: 'GET', path, query: { fieldSelector: sel.join(',') } })).items;
  } catch {
    return [];
  }
}
