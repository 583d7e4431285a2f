/**
 * Printers for networking, discovery, rbac, storage, scheduling, node, coordination,
 * certificates, admission and flow-control kinds, as upstream's printers.go.
 */
import type { MutatingWebhookConfiguration, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import type { Ingress, IngressClass, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { ClusterRoleBinding, RoleBinding, Subject } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { CSIDriver, CSINode, CSIStorageCapacity, StorageClass, VolumeAttachment } from 'kubernetes-types/storage/v1.js';
import { humanDuration } from '../duration.js';
import { formatLabelSelector } from '../labels.js';
import * as d from './descriptions.js';
import { ageColumn, col, listWithMore, nameColumn, quantityString, since, typed, type Cell } from './helpers.js';
import type { Printer } from './registry.js';
import type { KubeObject } from '../types.js';

const ingress: Printer = {
  columns: () => [
    nameColumn(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  row: (o, now) => {
    const ing = typed<Ingress>(o);
    const rules = ing.spec?.rules ?? [];
    const max = 3;
    const hosts: string[] = [];
    let more = false;
    for (const r of rules) {
      if (hosts.length === max) more = true;
      if (!more && r.host) hosts.push(r.host);
    }
    let hostsCell = hosts.length === 0 ? '*' : hosts.join(',');
    if (hosts.length > 0 && more) hostsCell = `${hostsCell} + ${rules.length - max} more...`;
    const address = [...new Set((ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== ''))].sort().join(',');
    return [ing.metadata?.name ?? '', ing.spec?.ingressClassName ?? '<none>', hostsCell, address, ing.spec?.tls?.length ? '80, 443' : '80', since(ing.metadata?.creationTimestamp, now)];
  },
};

const ingressClass: Printer = {
  columns: () => [
    nameColumn(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  row: (o, now) => {
    const ic = typed<IngressClass>(o);
    const p = ic.spec?.parameters;
    // A set apiGroup is appended even when empty, as upstream checks the pointer, not the value.
    const parameters = p ? `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? '.' + p.apiGroup : ''}/${p.name}` : '<none>';
    return [ic.metadata?.name ?? '', ic.spec?.controller ?? '', parameters, since(ic.metadata?.creationTimestamp, now)];
  },
};

const networkPolicy: Printer = {
  columns: () => [nameColumn(), col('Pod-Selector', 'string', d.networkPolicySpecPodSelector), ageColumn()],
  row: (o, now) => {
    const np = typed<NetworkPolicy>(o);
    // The pod selector is a value, not a pointer, upstream: unset means `{}` (everything).
    return [np.metadata?.name ?? '', formatLabelSelector(np.spec?.podSelector ?? {}), since(np.metadata?.creationTimestamp, now)];
  },
};

const endpointSlice: Printer = {
  columns: () => [
    nameColumn(),
    col('AddressType', 'string', d.endpointSliceAddressType),
    col('Ports', 'string', d.endpointSlicePorts),
    col('Endpoints', 'string', d.endpointSliceEndpoints),
    ageColumn(),
  ],
  row: (o, now) => {
    const es = typed<EndpointSlice>(o);
    const max = 3;
    const ports = es.ports ?? [];
    const portList = ports.slice(0, max).map((p) => (p.port !== undefined && p.port !== null ? String(p.port) : (p.name ?? '*')));
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses ?? []);
    return [
      es.metadata?.name ?? '',
      es.addressType ?? '',
      listWithMore(portList, ports.length > max, ports.length, max),
      listWithMore(addresses.slice(0, max), addresses.length > max, addresses.length, max),
      since(es.metadata?.creationTimestamp, now),
    ];
  },
};

/** subjectsStrings splits subjects as upstream's rbac.SubjectsStrings. */
function subjectsStrings(subjects: readonly Subject[] | undefined): [string, string, string] {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of subjects ?? []) {
    if (s.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name}`);
    else if (s.kind === 'User') users.push(s.name);
    else if (s.kind === 'Group') groups.push(s.name);
  }
  return [users.join(', '), groups.join(', '), sas.join(', ')];
}

function bindingPrinter(what: 'roleBinding' | 'clusterRoleBinding'): Printer {
  return {
    columns: () => [
      nameColumn(),
      col('Role', 'string', what === 'roleBinding' ? d.roleBindingRoleRef : d.clusterRoleBindingRoleRef),
      ageColumn(),
      col('Users', 'string', `Users in the ${what}`, { priority: 1 }),
      col('Groups', 'string', `Groups in the ${what}`, { priority: 1 }),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, { priority: 1 }),
    ],
    row: (o, now) => {
      const b = typed<RoleBinding | ClusterRoleBinding>(o);
      return [b.metadata?.name ?? '', `${b.roleRef?.kind ?? ''}/${b.roleRef?.name ?? ''}`, since(b.metadata?.creationTimestamp, now), ...subjectsStrings(b.subjects)];
    },
  };
}

const isDefaultClass = (o: KubeObject): boolean => {
  const a = o.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
};

const storageClass: Printer = {
  columns: () => [
    nameColumn(),
    col('Provisioner', 'string', d.storageClassProvisioner),
    col('ReclaimPolicy', 'string', d.storageClassReclaimPolicy),
    col('VolumeBindingMode', 'string', d.storageClassVolumeBindingMode),
    col('AllowVolumeExpansion', 'string', d.storageClassAllowVolumeExpansion),
    ageColumn(),
  ],
  row: (o, now) => {
    const sc = typed<StorageClass>(o);
    return [
      (sc.metadata?.name ?? '') + (isDefaultClass(o) ? ' (default)' : ''),
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      since(sc.metadata?.creationTimestamp, now),
    ];
  },
};

const volumeAttachment: Printer = {
  columns: () => [
    nameColumn(),
    col('Attacher', 'string', d.volumeAttachmentSpecAttacher, { format: 'name' }),
    col('PV', 'string', d.volumeAttachmentSourcePV),
    col('Node', 'string', d.volumeAttachmentSpecNodeName),
    col('Attached', 'boolean', d.volumeAttachmentStatusAttached),
    ageColumn(),
  ],
  row: (o, now) => {
    const va = typed<VolumeAttachment>(o);
    return [va.metadata?.name ?? '', va.spec?.attacher ?? '', va.spec?.source?.persistentVolumeName ?? '', va.spec?.nodeName ?? '', va.status?.attached ?? false, since(va.metadata?.creationTimestamp, now)];
  },
};

const csiDriver: Printer = {
  columns: () => [
    nameColumn(),
    col('AttachRequired', 'boolean', d.csiDriverAttachRequired),
    col('PodInfoOnMount', 'boolean', d.csiDriverPodInfoOnMount),
    col('StorageCapacity', 'boolean', d.csiDriverStorageCapacity),
    col('TokenRequests', 'string', d.csiDriverTokenRequests),
    col('RequiresRepublish', 'boolean', d.csiDriverRequiresRepublish),
    col('Modes', 'string', d.csiDriverVolumeLifecycleModes),
    ageColumn(),
  ],
  row: (o, now) => {
    const c = typed<CSIDriver>(o);
    const spec = c.spec;
    return [
      c.metadata?.name ?? '',
      spec?.attachRequired ?? true,
      spec?.podInfoOnMount ?? false,
      spec?.storageCapacity ?? false,
      spec?.tokenRequests ? spec.tokenRequests.map((t) => t.audience).join(',') : '<unset>',
      spec?.requiresRepublish ?? false,
      (spec?.volumeLifecycleModes ?? []).join(',') || '<none>',
      since(c.metadata?.creationTimestamp, now),
    ];
  },
};

const csiNode: Printer = {
  columns: () => [nameColumn(), col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn()],
  row: (o, now) => {
    const n = typed<CSINode>(o);
    return [n.metadata?.name ?? '', (n.spec?.drivers ?? []).length, since(n.metadata?.creationTimestamp, now)];
  },
};

const csiStorageCapacity: Printer = {
  columns: () => [nameColumn(), col('StorageClassName', 'string', d.csiStorageCapacityStorageClassName), col('Capacity', 'string', d.csiStorageCapacityCapacity)],
  row: (o) => {
    const c = typed<CSIStorageCapacity>(o);
    return [c.metadata?.name ?? '', c.storageClassName ?? '', c.capacity === undefined ? '<unset>' : quantityString(c.capacity)];
  },
};

const priorityClass: Printer = {
  columns: () => [
    nameColumn(),
    col('Value', 'integer', d.priorityClassValue),
    col('Global-Default', 'boolean', d.priorityClassGlobalDefault),
    ageColumn(),
    col('PreemptionPolicy', 'string', d.priorityClassPreemptionPolicy),
  ],
  row: (o, now) => {
    const pc = typed<PriorityClass>(o);
    return [pc.metadata?.name ?? '', pc.value ?? 0, pc.globalDefault ?? false, since(pc.metadata?.creationTimestamp, now), pc.preemptionPolicy ?? ''];
  },
};

const runtimeClass: Printer = {
  // Upstream looks the handler description up on ObjectMeta, where it does not exist: empty.
  columns: () => [nameColumn(), col('Handler', 'string', ''), ageColumn()],
  row: (o, now) => {
    const rc = typed<RuntimeClass>(o);
    return [rc.metadata?.name ?? '', rc.handler ?? '', since(rc.metadata?.creationTimestamp, now)];
  },
};

const lease: Printer = {
  columns: () => [nameColumn(), col('Holder', 'string', d.leaseSpecHolderIdentity), ageColumn()],
  row: (o, now) => {
    const l = typed<Lease>(o);
    return [l.metadata?.name ?? '', l.spec?.holderIdentity ?? '', since(l.metadata?.creationTimestamp, now)];
  },
};

/** csrStatus is upstream's extractCSRStatus: Denied/Approved/Pending, then Failed and Issued. */
function csrStatus(csr: CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (csr.status?.certificate) status += ',Issued';
  return status;
}

const certificateSigningRequest: Printer = {
  columns: () => [
    nameColumn(),
    ageColumn(),
    col('SignerName', 'string', d.csrSpecSignerName),
    col('Requestor', 'string', d.csrSpecRequest),
    col('RequestedDuration', 'string', d.csrSpecExpirationSeconds),
    col('Condition', 'string', d.csrStatusConditions),
  ],
  row: (o, now) => {
    const csr = typed<CertificateSigningRequest>(o);
    const seconds = csr.spec?.expirationSeconds;
    return [
      csr.metadata?.name ?? '',
      since(csr.metadata?.creationTimestamp, now),
      csr.spec?.signerName || '<none>',
      csr.spec?.username ?? '',
      seconds === undefined ? '<none>' : humanDuration(seconds * 1000),
      csrStatus(csr),
    ];
  },
};

const webhookCount = (o: KubeObject, now: Date): Cell[] => {
  const w = typed<MutatingWebhookConfiguration | ValidatingWebhookConfiguration>(o);
  return [w.metadata?.name ?? '', (w.webhooks ?? []).length, since(w.metadata?.creationTimestamp, now)];
};
const webhookColumns = () => [nameColumn(), col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageColumn()];

const validatingAdmissionPolicy: Printer = {
  columns: () => [
    nameColumn(),
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageColumn(),
  ],
  row: (o, now) => {
    const p = typed<ValidatingAdmissionPolicy>(o);
    const pk = p.spec?.paramKind;
    return [p.metadata?.name ?? '', (p.spec?.validations ?? []).length, pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>', since(p.metadata?.creationTimestamp, now)];
  },
};

const validatingAdmissionPolicyBinding: Printer = {
  columns: () => [
    nameColumn(),
    col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn(),
  ],
  row: (o, now) => {
    const b = typed<ValidatingAdmissionPolicyBinding>(o);
    const pr = b.spec?.paramRef;
    let param = '<unset>';
    if (pr?.name) param = pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
    else if (pr?.selector) param = formatLabelSelector(pr.selector);
    return [b.metadata?.name ?? '', b.spec?.policyName ?? '', param, since(b.metadata?.creationTimestamp, now)];
  },
};

const flowSchema: Printer = {
  columns: () => [
    nameColumn(),
    col('PriorityLevel', 'string', d.flowSchemaPriorityLevelName),
    col('MatchingPrecedence', 'string', d.flowSchemaMatchingPrecedence),
    col('DistinguisherMethod', 'string', d.flowSchemaDistinguisherMethod),
    ageColumn(),
    col('MissingPL', 'string', 'references a broken or non-existent PriorityLevelConfiguration'),
  ],
  row: (o, now) => {
    const fs = typed<FlowSchema>(o);
    const dangling = (fs.status?.conditions ?? []).find((c) => c.type === 'Dangling');
    return [
      fs.metadata?.name ?? '',
      fs.spec?.priorityLevelConfiguration?.name ?? '',
      fs.spec?.matchingPrecedence ?? 0,
      fs.spec?.distinguisherMethod?.type ?? '<none>',
      since(fs.metadata?.creationTimestamp, now),
      dangling?.status ?? '?',
    ];
  },
  // printFlowSchemaList sorts as FlowSchemaSequence: lower matching precedence first, then name.
  compare: (a, b) => {
    const pa = typed<FlowSchema>(a).spec?.matchingPrecedence ?? 0;
    const pb = typed<FlowSchema>(b).spec?.matchingPrecedence ?? 0;
    if (pa !== pb) return pa - pb;
    const na = a.metadata?.name ?? '';
    const nb = b.metadata?.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  },
};

const priorityLevelConfiguration: Printer = {
  columns: () => [
    nameColumn(),
    col('Type', 'string', d.priorityLevelType),
    col('NominalConcurrencyShares', 'string', d.priorityLevelNominalConcurrencyShares),
    col('Queues', 'string', d.priorityLevelQueues),
    col('HandSize', 'string', d.priorityLevelHandSize),
    col('QueueLengthLimit', 'string', d.priorityLevelQueueLengthLimit),
    ageColumn(),
  ],
  row: (o, now) => {
    const pl = typed<PriorityLevelConfiguration>(o);
    const limited = pl.spec?.limited;
    const q = limited?.limitResponse?.queuing;
    return [
      pl.metadata?.name ?? '',
      pl.spec?.type ?? '',
      limited ? (limited.nominalConcurrencyShares ?? 0) : '<none>',
      q ? (q.queues ?? 0) : '<none>',
      q ? (q.handSize ?? 0) : '<none>',
      q ? (q.queueLengthLimit ?? 0) : '<none>',
      since(pl.metadata?.creationTimestamp, now),
    ];
  },
};

export const clusterPrinters: Readonly<Record<string, Printer>> = {
  'networking.k8s.io/Ingress': ingress,
  'networking.k8s.io/IngressClass': ingressClass,
  'networking.k8s.io/NetworkPolicy': networkPolicy,
  'discovery.k8s.io/EndpointSlice': endpointSlice,
  'rbac.authorization.k8s.io/RoleBinding': bindingPrinter('roleBinding'),
  'rbac.authorization.k8s.io/ClusterRoleBinding': bindingPrinter('clusterRoleBinding'),
  'storage.k8s.io/StorageClass': storageClass,
  'storage.k8s.io/VolumeAttachment': volumeAttachment,
  'storage.k8s.io/CSIDriver': csiDriver,
  'storage.k8s.io/CSINode': csiNode,
  'storage.k8s.io/CSIStorageCapacity': csiStorageCapacity,
  'scheduling.k8s.io/PriorityClass': priorityClass,
  'node.k8s.io/RuntimeClass': runtimeClass,
  'coordination.k8s.io/Lease': lease,
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequest,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': { columns: webhookColumns, row: webhookCount },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': { columns: webhookColumns, row: webhookCount },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validatingAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validatingAdmissionPolicyBinding,
  'flowcontrol.apiserver.k8s.io/FlowSchema': flowSchema,
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': priorityLevelConfiguration,
};
