/**
 * describe layouts for the less common built-in kinds, as upstream's describers print them:
 * PriorityClass, StorageClass, IngressClass, PodDisruptionBudget, ResourceQuota, LimitRange,
 * Role/ClusterRole, RoleBinding/ClusterRoleBinding, PersistentVolume, PersistentVolumeClaim,
 * EndpointSlice, and the generic (unstructured) describer
 * used for every kind without its own layout.
 */
import type { KubeObject } from '../api/types.js';
import { W, annotationsMultiline, events, labelsMultiline, rfc1123z, selectorString } from './describe.js';
import { compactPolicyRules, combineResourceGroup } from './rules.js';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** formatLabels is labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty. */
function formatLabels(m: unknown): string {
  const keys = Object.keys(o(m)).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${str(o(m)[k])}`).join(',');
}

/** smartLabelFor turns a field name into upstream's title ("apiVersion" → "API Version"). */
export function smartLabelFor(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  const parts = field.match(/[\p{Lu}]+(?![\p{Ll}])|[\p{Lu}]?[\p{Ll}]+|-+/gu) ?? [field];
  return parts.map((p) => (['API', 'URL', 'UID', 'OSB', 'GUID'].includes(p.toUpperCase()) ? p.toUpperCase() : p.charAt(0).toUpperCase() + p.slice(1))).join(' ');
}

const goV = (v: unknown): string => (v === null || v === undefined ? '<nil>' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function unstructured(w: W, level: number, content: Obj, prefix: string, skip: readonly string[]): void {
  for (const field of Object.keys(content).sort()) {
    const v = content[field];
    const path = `${prefix}.${field}`;
    if (skip.includes(path)) continue;
    if (Array.isArray(v)) {
      w.write(level, `${smartLabelFor(field)}:\n`);
      for (const child of v) {
        if (child && typeof child === 'object' && !Array.isArray(child)) unstructured(w, level + 1, child as Obj, path, skip);
        else w.write(level + 1, `${goV(child)}\n`);
      }
    } else if (v && typeof v === 'object') {
      w.write(level, `${smartLabelFor(field)}:\n`);
      unstructured(w, level + 1, v as Obj, path, skip);
    } else w.write(level, `${smartLabelFor(field)}:\t${goV(v)}\n`);
  }
}

/** describeGeneric is upstream's genericDescriber: name, namespace, labels, annotations, then every field sorted. */
export function describeGeneric(obj: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(obj.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  unstructured(w, 0, obj as unknown as Obj, '', ['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);
  events(w, evs);
  return w.text;
}

export function describePriorityClass(pc: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const x = pc as unknown as Obj;
  w.write(0, `Name:\t${str(pc.metadata?.name)}\n`);
  w.write(0, `Value:\t${str(x['value'] ?? 0)}\n`);
  w.write(0, `GlobalDefault:\t${x['globalDefault'] === true}\n`);
  if (x['preemptionPolicy'] !== undefined) w.write(0, `PreemptionPolicy:\t${str(x['preemptionPolicy'])}\n`);
  w.write(0, `Description:\t${str(x['description'])}\n`);
  w.write(0, `Annotations:\t${formatLabels(pc.metadata?.annotations)}\n`);
  events(w, evs);
  return w.text;
}

export function describeStorageClass(sc: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const x = sc as unknown as Obj;
  const ann = pcAnn(sc);
  const isDefault = ann['storageclass.kubernetes.io/is-default-class'] === 'true' || ann['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  w.write(0, `Name:\t${str(sc.metadata?.name)}\n`);
  w.write(0, `IsDefaultClass:\t${isDefault ? 'Yes' : 'No'}\n`);
  w.write(0, `Annotations:\t${formatLabels(ann)}\n`);
  w.write(0, `Provisioner:\t${str(x['provisioner'])}\n`);
  w.write(0, `Parameters:\t${formatLabels(x['parameters'])}\n`);
  const ave = x['allowVolumeExpansion'];
  w.write(0, `AllowVolumeExpansion:\t${ave === undefined || ave === null ? '<unset>' : ave ? 'True' : 'False'}\n`);
  const mo = strs(x['mountOptions']);
  if (mo.length === 0) w.write(0, 'MountOptions:\t<none>\n');
  else {
    w.write(0, 'MountOptions:\n');
    for (const m of mo) w.write(1, `${m}\n`);
  }
  if (x['reclaimPolicy'] !== undefined) w.write(0, `ReclaimPolicy:\t${str(x['reclaimPolicy'])}\n`);
  if (x['volumeBindingMode'] !== undefined) w.write(0, `VolumeBindingMode:\t${str(x['volumeBindingMode'])}\n`);
  const topo = x['allowedTopologies'];
  if (Array.isArray(topo)) {
    w.write(0, 'AllowedTopologies:\t');
    if (topo.length === 0) w.write(0, '<none>\n');
    else {
      w.write(0, '\n');
      topo.forEach((t, i) => {
        w.write(1, `Term ${i}:\t`);
        const exprs = arr(o(t)['matchLabelExpressions']);
        if (exprs.length === 0) w.write(0, '<none>\n');
        exprs.forEach((e, j) => {
          if (j > 0) w.write(1, '\t');
          w.write(0, `${str(e['key'])} in [${strs(e['values']).join(', ')}]\n`);
        });
      });
    }
  }
  events(w, evs);
  return w.text;
}

const pcAnn = (obj: KubeObject): Record<string, string> => (obj.metadata?.annotations ?? {}) as Record<string, string>;

export function describeIngressClass(ic: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const spec = o((ic as unknown as Obj)['spec']);
  w.write(0, `Name:\t${str(ic.metadata?.name)}\n`);
  labelsMultiline(w, 'Labels', ic.metadata?.labels as Record<string, string>);
  annotationsMultiline(w, 'Annotations', pcAnn(ic));
  w.write(0, `Controller:\t${str(spec['controller'])}\n`);
  const p = spec['parameters'];
  if (p && typeof p === 'object') {
    const po = p as Obj;
    w.write(0, 'Parameters:\n');
    if (po['apiGroup'] !== undefined) w.write(1, `APIGroup:\t${str(po['apiGroup'])}\n`);
    w.write(1, `Kind:\t${str(po['kind'])}\n`);
    w.write(1, `Name:\t${str(po['name'])}\n`);
  }
  events(w, evs);
  return w.text;
}

export function describePodDisruptionBudget(pdb: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const spec = o((pdb as unknown as Obj)['spec']);
  const status = o((pdb as unknown as Obj)['status']);
  w.write(0, `Name:\t${str(pdb.metadata?.name)}\n`);
  w.write(0, `Namespace:\t${str(pdb.metadata?.namespace)}\n`);
  if (spec['minAvailable'] !== undefined) w.write(0, `Min available:\t${str(spec['minAvailable'])}\n`);
  else if (spec['maxUnavailable'] !== undefined) w.write(0, `Max unavailable:\t${str(spec['maxUnavailable'])}\n`);
  w.write(0, `Selector:\t${spec['selector'] ? selectorString(o(spec['selector'])) : '<unset>'}\n`);
  w.write(0, 'Status:\n');
  w.write(2, `Allowed disruptions:\t${str(status['disruptionsAllowed'] ?? 0)}\n`);
  w.write(2, `Current:\t${str(status['currentHealthy'] ?? 0)}\n`);
  w.write(2, `Desired:\t${str(status['desiredHealthy'] ?? 0)}\n`);
  w.write(2, `Total:\t${str(status['expectedPods'] ?? 0)}\n`);
  events(w, evs);
  return w.text;
}

const SCOPE_HELP: Record<string, string> = {
  Terminating: 'Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.',
  NotTerminating: 'Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.',
  BestEffort: 'Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.',
  NotBestEffort: 'Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.',
};

export function describeResourceQuota(rq: KubeObject): string {
  const w = new W();
  const spec = o((rq as unknown as Obj)['spec']);
  const status = o((rq as unknown as Obj)['status']);
  w.write(0, `Name:\t${str(rq.metadata?.name)}\n`);
  w.write(0, `Namespace:\t${str(rq.metadata?.namespace)}\n`);
  const scopes = strs(spec['scopes']).sort();
  if (scopes.length > 0) {
    w.write(0, `Scopes:\t${scopes.join(', ')}\n`);
    for (const s of scopes) if (SCOPE_HELP[s]) w.write(0, ` * ${SCOPE_HELP[s]}\n`);
  }
  w.write(0, 'Resource\tUsed\tHard\n');
  w.write(0, '--------\t----\t----\n');
  const hard = o(status['hard']);
  const used = o(status['used']);
  for (const r of Object.keys(hard).sort()) w.write(0, `${r}\t${str(used[r] ?? '0')}\t${str(hard[r])}\n`);
  return w.text;
}

export function describeLimitRange(lr: KubeObject): string {
  const w = new W();
  const spec = o((lr as unknown as Obj)['spec']);
  w.write(0, `Name:\t${str(lr.metadata?.name)}\n`);
  w.write(0, `Namespace:\t${str(lr.metadata?.namespace)}\n`);
  w.write(0, 'Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
  w.write(0, '----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
  for (const item of arr(spec['limits'])) {
    const cols = ['min', 'max', 'defaultRequest', 'default', 'maxLimitRequestRatio'].map((k) => o(item[k]));
    // kubectl ranges over a Go map here (random order); sorted is one of its orders.
    const names = [...new Set(cols.flatMap((c) => Object.keys(c)))].sort();
    for (const n of names) w.write(0, `${str(item['type'])}\t${n}\t${cols.map((c) => (c[n] === undefined ? '-' : str(c[n]))).join('\t')}\n`);
  }
  return w.text;
}

export function describeRole(role: KubeObject): string {
  const w = new W();
  w.write(0, `Name:\t${str(role.metadata?.name)}\n`);
  labelsMultiline(w, 'Labels', role.metadata?.labels as Record<string, string>);
  annotationsMultiline(w, 'Annotations', pcAnn(role));
  w.write(0, 'PolicyRule:\n');
  w.write(1, 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n');
  w.write(1, '---------\t-----------------\t--------------\t-----\n');
  const rules = arr((role as unknown as Obj)['rules']).map((r) => ({ verbs: strs(r['verbs']), apiGroups: strs(r['apiGroups']), resources: strs(r['resources']), resourceNames: strs(r['resourceNames']), nonResourceURLs: strs(r['nonResourceURLs']) }));
  const list = (xs: string[]): string => `[${xs.join(' ')}]`;
  for (const r of compactPolicyRules(rules)) w.write(1, `${combineResourceGroup(r.resources, r.apiGroups)}\t${list(r.nonResourceURLs)}\t${list(r.resourceNames)}\t${list(r.verbs)}\n`);
  return w.text;
}

export function describeRoleBinding(b: KubeObject): string {
  const w = new W();
  const ref = o((b as unknown as Obj)['roleRef']);
  w.write(0, `Name:\t${str(b.metadata?.name)}\n`);
  labelsMultiline(w, 'Labels', b.metadata?.labels as Record<string, string>);
  annotationsMultiline(w, 'Annotations', pcAnn(b));
  w.write(0, 'Role:\n');
  w.write(1, `Kind:\t${str(ref['kind'])}\n`);
  w.write(1, `Name:\t${str(ref['name'])}\n`);
  w.write(0, 'Subjects:\n');
  w.write(1, 'Kind\tName\tNamespace\n');
  w.write(1, '----\t----\t---------\n');
  for (const s of arr((b as unknown as Obj)['subjects'])) w.write(1, `${str(s['kind'])}\t${str(s['name'])}\t${str(s['namespace'])}\n`);
  return w.text;
}

/** accessModes is storageutil.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order. */
function accessModes(modes: unknown): string {
  const m = strs(modes);
  return (
    [
      ['ReadWriteOnce', 'RWO'],
      ['ReadOnlyMany', 'ROX'],
      ['ReadWriteMany', 'RWX'],
      ['ReadWriteOncePod', 'RWOP'],
    ] as const
  )
    .filter(([k]) => m.includes(k))
    .map(([, v]) => v)
    .join(',');
}

const finalizers = (meta: Obj): string => `[${strs(meta['finalizers']).join(' ')}]`;

function volumeNodeAffinity(w: W, aff: Obj | undefined): void {
  w.write(0, 'Node Affinity:\t');
  const req = aff ? aff['required'] : undefined;
  if (!req || typeof req !== 'object') {
    w.write(0, '<none>\n');
    return;
  }
  w.write(0, '\n');
  w.write(1, 'Required Terms:\t');
  const terms = arr((req as Obj)['nodeSelectorTerms']);
  if (terms.length === 0) {
    w.write(0, '<none>\n');
    return;
  }
  w.write(0, '\n');
  terms.forEach((t, i) => {
    w.write(2, `Term ${i}:\t`);
    const reqs = arr(t['matchExpressions']);
    if (reqs.length === 0) w.write(0, '<none>\n');
    reqs.forEach((r, j) => {
      if (j !== 0) w.write(2, '\t');
      const vals = strs(r['values']);
      w.write(0, `${str(r['key'])} ${str(r['operator']).toLowerCase()}${vals.length > 0 ? ` [${vals.join(', ')}]` : ''}\n`);
    });
  });
}

export function describePersistentVolume(pv: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(pv.metadata);
  const spec = o((pv as unknown as Obj)['spec']);
  const status = o((pv as unknown as Obj)['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Finalizers:\t${finalizers(meta)}\n`);
  w.write(0, `StorageClass:\t${str(o(meta['annotations'])['volume.beta.kubernetes.io/storage-class'] ?? spec['storageClassName'])}\n`);
  w.write(0, `Status:\t${str(status['phase'])}\n`);
  const claim = spec['claimRef'] ? o(spec['claimRef']) : undefined;
  w.write(0, `Claim:\t${claim ? `${str(claim['namespace'])}/${str(claim['name'])}` : ''}\n`);
  w.write(0, `Reclaim Policy:\t${str(spec['persistentVolumeReclaimPolicy'])}\n`);
  w.write(0, `Access Modes:\t${accessModes(spec['accessModes'])}\n`);
  if (spec['volumeMode'] !== undefined) w.write(0, `VolumeMode:\t${str(spec['volumeMode'])}\n`);
  w.write(0, `Capacity:\t${str(o(spec['capacity'])['storage'] ?? '0')}\n`);
  volumeNodeAffinity(w, spec['nodeAffinity'] ? o(spec['nodeAffinity']) : undefined);
  w.write(0, `Message:\t${str(status['message'])}\n`);
  w.write(0, 'Source:\n');
  if (spec['hostPath']) {
    const hp = o(spec['hostPath']);
    w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(hp['path'])}\n    HostPathType:\t${hp['type'] === undefined ? '<none>' : str(hp['type'])}\n`);
  } else if (spec['nfs']) {
    const n = o(spec['nfs']);
    w.write(2, `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${str(n['server'])}\n    Path:\t${str(n['path'])}\n    ReadOnly:\t${n['readOnly'] === true}\n`);
  } else if (spec['local']) {
    w.write(2, `Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t${str(o(spec['local'])['path'])}\n`);
  }
  events(w, evs);
  return w.text;
}

export function describePersistentVolumeClaim(pvc: KubeObject, evs: Obj[] | undefined, pods: Obj[]): string {
  const w = new W();
  const meta = o(pvc.metadata);
  const spec = o((pvc as unknown as Obj)['spec']);
  const status = o((pvc as unknown as Obj)['status']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  w.write(0, `StorageClass:\t${str(o(meta['annotations'])['volume.beta.kubernetes.io/storage-class'] ?? spec['storageClassName'])}\n`);
  w.write(0, `Status:\t${str(status['phase'])}\n`);
  w.write(0, `Volume:\t${str(spec['volumeName'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `Finalizers:\t${finalizers(meta)}\n`);
  const bound = str(spec['volumeName']) !== '';
  w.write(0, `Capacity:\t${bound ? str(o(status['capacity'])['storage'] ?? '0') : ''}\n`);
  w.write(0, `Access Modes:\t${bound ? accessModes(status['accessModes']) : ''}\n`);
  if (spec['volumeMode'] !== undefined) w.write(0, `VolumeMode:\t${str(spec['volumeMode'])}\n`);
  const users = pods
    .filter((p) => arr(o(p['spec'])['volumes']).some((v) => str(o(v['persistentVolumeClaim'])['claimName']) === str(meta['name'])))
    .map((p) => str(o(p['metadata'])['name']))
    .sort();
  w.write(0, 'Used By:\t');
  if (users.length === 0) w.write(0, '<none>\n');
  users.forEach((n, i) => w.write(0, `${i !== 0 ? '\t' : ''}${n}\n`));
  const conds = arr(status['conditions']);
  if (conds.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) w.write(1, `${str(c['type'])} \t${str(c['status'])} \t${rfcOr(c['lastProbeTime'])} \t${rfcOr(c['lastTransitionTime'])} \t${str(c['reason'])} \t${str(c['message'])}\n`);
  }
  events(w, evs);
  return w.text;
}

const rfcOr = (ts: unknown): string => (ts ? rfc1123z(str(ts)) : 'Mon, 01 Jan 0001 00:00:00 +0000');

export function describeEndpointSlice(eps: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const x = eps as unknown as Obj;
  const meta = o(eps.metadata);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `AddressType:\t${str(x['addressType'])}\n`);
  const ports = arr(x['ports']);
  if (ports.length === 0) w.write(0, 'Ports: <unset>\n');
  else {
    w.write(0, 'Ports:\n');
    w.write(1, 'Name\tPort\tProtocol\n');
    w.write(1, '----\t----\t--------\n');
    for (const p of ports) w.write(1, `${str(p['name']) || '<unset>'}\t${p['port'] === undefined ? '<unset>' : str(p['port'])}\t${str(p['protocol'])}\n`);
  }
  const eps2 = arr(x['endpoints']);
  if (eps2.length === 0) w.write(0, 'Endpoints: <none>\n');
  else {
    w.write(0, 'Endpoints:\n');
    for (const e of eps2) {
      w.write(1, `- Addresses:\t${strs(e['addresses']).join(', ') || '<none>'}\n`);
      w.write(2, 'Conditions:\n');
      const ready = o(e['conditions'])['ready'];
      w.write(3, `Ready:\t${ready === undefined ? '<unset>' : String(ready)}\n`);
      w.write(2, `Hostname:\t${e['hostname'] === undefined ? '<unset>' : str(e['hostname'])}\n`);
      if (e['targetRef']) w.write(2, `TargetRef:\t${str(o(e['targetRef'])['kind'])}/${str(o(e['targetRef'])['name'])}\n`);
      w.write(2, `NodeName:\t${e['nodeName'] === undefined ? '<unset>' : str(e['nodeName'])}\n`);
      w.write(2, `Zone:\t${e['zone'] === undefined ? '<unset>' : str(e['zone'])}\n`);
    }
  }
  events(w, evs);
  return w.text;
}

/** IngressBackendLookup fetches what describing a service backend needs (endpoint slices, the service). */
export interface IngressLookups {
  slices(ns: string, service: string): Promise<Obj[]>;
  /** service resolves to the Service or to the error text kubectl prints inside `<error: …>`. */
  service(ns: string, name: string): Promise<Obj | string>;
}

/** formatEndpointSlices lists up to three `ip:port` endpoints of the named ports, as kubectl. */
function formatEndpointSlices(slices: Obj[], portName: string): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const s of slices) {
    const eps = arr(s['endpoints']);
    const ports = arr(s['ports']);
    if (ports.length === 0) {
      for (const e of eps) {
        if (list.length < 3) list.push(strs(e['addresses'])[0] ?? '');
        count++;
      }
      continue;
    }
    for (const p of ports) {
      if (str(p['name']) !== portName) continue;
      for (const e of eps) {
        const addr = strs(e['addresses'])[0] ?? '';
        if (list.length < 3) list.push(`${addr.includes(':') ? `[${addr}]` : addr}:${str(p['port'])}`);
        count++;
      }
    }
  }
  return count > 3 ? `${list.join(',')} + ${count - 3} more...` : list.join(',');
}

async function ingressBackend(ns: string, backend: Obj | undefined, look: IngressLookups): Promise<string> {
  if (!backend) return '';
  const svc = backend['service'] ? o(backend['service']) : undefined;
  if (svc) {
    const port = o(svc['port']);
    const name = str(svc['name']);
    const sb = `${name}:${port['number'] !== undefined && port['number'] !== 0 ? str(port['number']) : str(port['name'])}`;
    const slices = await look.slices(ns, name);
    const service = await look.service(ns, name);
    if (typeof service === 'string') return `${sb} (<error: ${service}>)`;
    let spName = '';
    for (const sp of arr(o(service['spec'])['ports'])) {
      if ((port['number'] !== undefined && port['number'] !== 0 && port['number'] === sp['port']) || (str(port['name']) !== '' && str(port['name']) === str(sp['name']))) spName = str(sp['name']);
    }
    return `${sb} (${formatEndpointSlices(slices, spName)})`;
  }
  const res = backend['resource'] ? o(backend['resource']) : undefined;
  if (res) return `APIGroup: ${res['apiGroup'] === undefined ? '<none>' : str(res['apiGroup'])}, Kind: ${str(res['kind'])}, Name: ${str(res['name'])}`;
  return '';
}

/** describeIngress is upstream's describeIngressV1 (backends resolved through look). */
export async function describeIngress(ing: KubeObject, evs: Obj[] | undefined, look: IngressLookups): Promise<string> {
  const w = new W();
  const meta = o(ing.metadata);
  const spec = o((ing as unknown as Obj)['spec']);
  const ns = str(meta['namespace']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  w.write(0, `Namespace:\t${ns}\n`);
  const lb = arr(o(o((ing as unknown as Obj)['status'])['loadBalancer'])['ingress']);
  w.write(0, `Address:\t${lb.map((x) => str(x['ip']) || str(x['hostname'])).filter((x) => x).join(',')}\n`);
  w.write(0, `Ingress Class:\t${spec['ingressClassName'] === undefined ? '<none>' : str(spec['ingressClassName'])}\n`);
  const def = spec['defaultBackend'] ? o(spec['defaultBackend']) : undefined;
  w.write(0, `Default backend:\t${def ? await ingressBackend(ns, def, look) : '<default>'}\n`);
  const tls = arr(spec['tls']);
  if (tls.length > 0) {
    w.write(0, 'TLS:\n');
    for (const t of tls) {
      const hosts = strs(t['hosts']);
      const secret = str(t['secretName']);
      if (secret === '') w.write(1, `SNI routes ${hosts.join(',')}\n`);
      else w.write(1, `${secret} terminates ${hosts.join(',')}\n`);
    }
  }
  w.write(0, 'Rules:\n  Host\tPath\tBackends\n');
  w.write(1, '----\t----\t--------\n');
  let count = 0;
  for (const r of arr(spec['rules'])) {
    const http = r['http'] ? o(r['http']) : undefined;
    if (!http) continue;
    count++;
    w.write(1, `${str(r['host']) || '*'}\t\n`);
    for (const p of arr(http['paths'])) w.write(2, `\t${str(p['path'])} \t${await ingressBackend(ns, o(p['backend']), look)}\n`);
  }
  if (count === 0) w.write(1, `*\t*\t${await ingressBackend(ns, def, look)}\n`);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  events(w, evs);
  return w.text;
}

/** describeHPA is upstream's describeHorizontalPodAutoscalerV2 (Resource and Pods metrics). */
export function describeHPA(hpa: KubeObject, evs: Obj[] | undefined): string {
  const w = new W();
  const meta = o(hpa.metadata);
  const spec = o((hpa as unknown as Obj)['spec']);
  const status = o((hpa as unknown as Obj)['status']);
  const ref = o(spec['scaleTargetRef']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(meta['creationTimestamp']))}\n`);
  w.write(0, `Reference:\t${str(ref['kind'])}/${str(ref['name'])}\n`);
  w.write(0, 'Metrics:\t( current / target )\n');
  const current = arr(status['currentMetrics']);
  arr(spec['metrics']).forEach((m, i) => {
    const cur = current[i];
    const type = str(m['type']);
    if (type === 'Resource' || type === 'ContainerResource') {
      const r = o(m[type === 'Resource' ? 'resource' : 'containerResource']);
      const cr = cur ? o(cur[type === 'Resource' ? 'resource' : 'containerResource']) : undefined;
      const target = o(r['target']);
      w.write(1, type === 'Resource' ? `resource ${str(r['name'])} on pods` : `resource ${str(r['name'])} of container "${str(r['container'])}" on pods`);
      if (target['averageValue'] !== undefined) {
        const c = cr && cr['current'] ? str(o(cr['current'])['averageValue'] ?? '0') : '<unknown>';
        w.write(0, `:\t${c} / ${str(target['averageValue'])}\n`);
      } else {
        const cc = cr ? o(cr['current']) : {};
        const c = cr && cc['averageUtilization'] !== undefined ? `${str(cc['averageUtilization'])}% (${str(cc['averageValue'] ?? '0')})` : '<unknown>';
        const t = target['averageUtilization'] !== undefined ? `${str(target['averageUtilization'])}%` : '<auto>';
        w.write(1, `(as a percentage of request):\t${c} / ${t}\n`);
      }
    } else if (type === 'Pods') {
      const p = o(m['pods']);
      const cp = cur ? o(cur['pods']) : undefined;
      const c = cp && cp['current'] ? str(o(cp['current'])['averageValue'] ?? '0') : '<unknown>';
      w.write(1, `"${str(o(p['metric'])['name'])}" on pods:\t${c} / ${str(o(p['target'])['averageValue'] ?? '0')}\n`);
    } else w.write(1, `<unknown metric type "${type}">\n`);
  });
  w.write(0, `Min replicas:\t${spec['minReplicas'] === undefined ? '<unset>' : str(spec['minReplicas'])}\n`);
  w.write(0, `Max replicas:\t${str(spec['maxReplicas'] ?? 0)}\n`);
  const behavior = spec['behavior'] ? o(spec['behavior']) : undefined;
  if (behavior) {
    w.write(0, 'Behavior:\n');
    for (const [title, key] of [
      ['Scale Up', 'scaleUp'],
      ['Scale Down', 'scaleDown'],
    ] as const) {
      const rules = behavior[key] ? o(behavior[key]) : undefined;
      if (!rules) continue;
      w.write(1, `${title}:\n`);
      if (rules['stabilizationWindowSeconds'] !== undefined) w.write(2, `Stabilization Window: ${str(rules['stabilizationWindowSeconds'])} seconds\n`);
      const pols = arr(rules['policies']);
      if (pols.length > 0) {
        w.write(2, `Select Policy: ${str(rules['selectPolicy'] ?? 'Max')}\n`);
        w.write(2, 'Policies:\n');
        for (const p of pols) w.write(3, `- Type: ${str(p['type'])}\tValue: ${str(p['value'])}\tPeriod: ${str(p['periodSeconds'])} seconds\n`);
      }
    }
  }
  w.write(0, `${str(ref['kind'])} pods:\t${str(status['currentReplicas'] ?? 0)} current / ${str(status['desiredReplicas'] ?? 0)} desired\n`);
  const conds = arr(status['conditions']);
  if (conds.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tReason\tMessage\n');
    w.write(1, '----\t------\t------\t-------\n');
    for (const c of conds) w.write(1, `${str(c['type'])}\t${str(c['status'])}\t${str(c['reason'])}\t${str(c['message'])}\n`);
  }
  events(w, evs);
  return w.text;
}

/** goTimeString is Go's time.Time.String() in UTC ("2006-01-02 15:04:05 +0000 UTC"). */
const goTimeString = (ts: unknown): string => (ts ? new Date(str(ts)).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' +0000 UTC') : '0001-01-01 00:00:00 +0000 UTC');

function peers(w: W, rules: Obj[], dir: 'ingress' | 'egress'): void {
  const ind = '    ';
  const [peerKey, word, isolated, any] =
    dir === 'ingress' ? (['from', 'From', 'ingress', 'source'] as const) : (['to', 'To', 'egress', 'destination'] as const);
  if (rules.length === 0) {
    w.write(0, `${ind}<none> (Selected pods are isolated for ${isolated} connectivity)\n`);
    return;
  }
  rules.forEach((r, i) => {
    const ports = arr(r['ports']);
    if (ports.length === 0) w.write(0, `${ind}To Port: <any> (traffic allowed to all ports)\n`);
    for (const p of ports) w.write(0, `${ind}To Port: ${p['port'] === undefined ? '<nil>' : str(p['port'])}/${str(p['protocol'] ?? 'TCP')}\n`);
    const list = arr(r[peerKey]);
    if (list.length === 0) w.write(0, `${ind}${word}: <any> (traffic not restricted by ${any})\n`);
    else {
      for (const pe of list) {
        w.write(0, `${ind}${word}:\n`);
        w.write(0, ind);
        const pod = pe['podSelector'] ? o(pe['podSelector']) : undefined;
        const nsSel = pe['namespaceSelector'] ? o(pe['namespaceSelector']) : undefined;
        if (pod && nsSel) {
          w.write(1, `NamespaceSelector: ${selectorString(nsSel)}\n`);
          w.write(0, ind);
          w.write(1, `PodSelector: ${selectorString(pod)}\n`);
        } else if (pod) w.write(1, `PodSelector: ${selectorString(pod)}\n`);
        else if (nsSel) w.write(1, `NamespaceSelector: ${selectorString(nsSel)}\n`);
        else if (pe['ipBlock']) {
          const b = o(pe['ipBlock']);
          w.write(1, 'IPBlock:\n');
          w.write(0, ind);
          w.write(2, `CIDR: ${str(b['cidr'])}\n`);
          w.write(0, ind);
          w.write(2, `Except: ${strs(b['except']).join(', ')}\n`);
        }
      }
    }
    if (i !== rules.length - 1) w.write(0, `${ind}----------\n`);
  });
}

/** describeNetworkPolicy is upstream's describeNetworkPolicy. */
export function describeNetworkPolicy(np: KubeObject): string {
  const w = new W();
  const meta = o(np.metadata);
  const spec = o((np as unknown as Obj)['spec']);
  w.write(0, `Name:\t${str(meta['name'])}\n`);
  w.write(0, `Namespace:\t${str(meta['namespace'])}\n`);
  w.write(0, `Created on:\t${goTimeString(meta['creationTimestamp'])}\n`);
  labelsMultiline(w, 'Labels', meta['labels'] as Record<string, string>);
  annotationsMultiline(w, 'Annotations', meta['annotations'] as Record<string, string>);
  w.write(0, 'Spec:\n');
  w.write(1, 'PodSelector: ');
  const ps = o(spec['podSelector']);
  if (Object.keys(o(ps['matchLabels'])).length === 0 && arr(ps['matchExpressions']).length === 0) w.write(2, '<none> (Allowing the specific traffic to all pods in this namespace)\n');
  else w.write(2, `${selectorString(ps)}\n`);
  const types = strs(spec['policyTypes']);
  if (types.includes('Ingress')) {
    w.write(1, 'Allowing ingress traffic:\n');
    peers(w, arr(spec['ingress']), 'ingress');
  } else w.write(1, 'Not affecting ingress traffic\n');
  if (types.includes('Egress')) {
    w.write(1, 'Allowing egress traffic:\n');
    peers(w, arr(spec['egress']), 'egress');
  } else w.write(1, 'Not affecting egress traffic\n');
  w.write(1, `Policy Types: ${types.join(', ')}\n`);
  // kubectl's NetworkPolicy describer prints no events.
  return w.text;
}
