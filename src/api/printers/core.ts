/** Printers for the core group (except pods), as upstream's printers.go. */
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  PodTemplate,
  ReplicationController,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
  ComponentStatus,
} from 'kubernetes-types/core/v1.js';
import type { Event as EventsV1Event } from 'kubernetes-types/events/v1.js';
import * as d from './descriptions.js';
import {
  accessModes,
  ageColumn,
  col,
  containersColumn,
  formatLabels,
  imagesColumn,
  layoutContainerCells,
  nameColumn,
  quantityString,
  since,
  typed,
  type Cell,
} from './helpers.js';
import type { Printer } from './registry.js';

const podTemplate: Printer = {
  columns: () => [
    nameColumn(),
    containersColumn(0),
    imagesColumn(0),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  row: (o) => {
    const t = typed<PodTemplate>(o);
    const [names, images] = layoutContainerCells(t.template?.spec?.containers);
    return [t.metadata?.name ?? '', names, images, formatLabels(t.template?.metadata?.labels)];
  },
};

const replicationController: Printer = {
  columns: () => [
    nameColumn(),
    col('Desired', 'integer', d.rcSpecReplicas),
    col('Current', 'integer', d.rcStatusReplicas),
    col('Ready', 'integer', d.rcStatusReadyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.rcSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const rc = typed<ReplicationController>(o);
    const [names, images] = layoutContainerCells(rc.spec?.template?.spec?.containers);
    return [
      rc.metadata?.name ?? '',
      rc.spec?.replicas ?? 1,
      rc.status?.replicas ?? 0,
      rc.status?.readyReplicas ?? 0,
      since(rc.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabels(rc.spec?.selector),
    ];
  },
};

/** serviceExternalIP is upstream's getServiceExternalIP for wide (server-side) output. */
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set((svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter((s) => s !== ''))].sort();
      if (externalIPs.length) return [...lb, ...externalIPs].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

const service: Printer = {
  columns: () => [
    nameColumn(),
    col('Type', 'string', d.serviceSpecType),
    col('Cluster-IP', 'string', d.serviceSpecClusterIP),
    col('External-IP', 'string', d.serviceSpecExternalIPs),
    col('Port(s)', 'string', d.serviceSpecPorts),
    ageColumn(),
    col('Selector', 'string', d.serviceSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const svc = typed<Service>(o);
    const spec = svc.spec ?? {};
    const ports = (spec.ports ?? [])
      .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`))
      .join(',');
    return [
      svc.metadata?.name ?? '',
      spec.type ?? '',
      spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
      serviceExternalIP(svc),
      ports || '<none>',
      since(svc.metadata?.creationTimestamp, now),
      formatLabels(spec.selector),
    ];
  },
};

/** formatEndpoints is upstream's: up to three `ip:port`, then `+ N more...`; `<none>` when empty. */
function formatEndpoints(ep: Endpoints): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  const add = (s: string): boolean => {
    if (list.length === max) {
      more = true;
      return false;
    }
    list.push(s);
    return true;
  };
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    if (!ss.ports?.length) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) if (!add(a.ip)) break;
      continue;
    }
    for (const port of ss.ports) {
      count += addresses.length;
      for (const a of addresses) if (!add(a.ip.includes(':') ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`)) break;
    }
  }
  return more ? `${list.join(',')} + ${count - max} more...` : list.join(',');
}

const endpoints: Printer = {
  columns: () => [nameColumn(), col('Endpoints', 'string', d.endpointsSubsets), ageColumn()],
  row: (o, now) => {
    const ep = typed<Endpoints>(o);
    return [ep.metadata?.name ?? '', formatEndpoints(ep), since(ep.metadata?.creationTimestamp, now)];
  },
};

/** nodeRoles reads `node-role.kubernetes.io/<role>` and `kubernetes.io/role=<role>` labels. */
function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

const node: Printer = {
  columns: () => [
    nameColumn(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    col('Version', 'string', d.nodeInfoKubeletVersion),
    col('Internal-IP', 'string', d.nodeStatusAddresses, { priority: 1 }),
    col('External-IP', 'string', d.nodeStatusAddresses, { priority: 1 }),
    col('OS-Image', 'string', d.nodeInfoOSImage, { priority: 1 }),
    col('Kernel-Version', 'string', d.nodeInfoKernelVersion, { priority: 1 }),
    col('Container-Runtime', 'string', d.nodeInfoContainerRuntimeVersion, { priority: 1 }),
  ],
  row: (o, now) => {
    const n = typed<Node>(o);
    // The last Ready condition wins, as upstream's map keyed by type.
    const ready = (n.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
    const status: string[] = ready ? [ready.status === 'True' ? 'Ready' : 'NotReady'] : ['Unknown'];
    if (n.spec?.unschedulable) status.push('SchedulingDisabled');
    const address = (type: string): string => (n.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
    const info = n.status?.nodeInfo;
    return [
      n.metadata?.name ?? '',
      status.join(','),
      nodeRoles(n).join(',') || '<none>',
      since(n.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info?.osImage || '<unknown>',
      info?.kernelVersion || '<unknown>',
      info?.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** CoreEvent is the core/v1 shape both Event kinds are printed from (upstream prints the internal type). */
function fromEventsV1(e: EventsV1Event): Event {
  return {
    metadata: e.metadata ?? {},
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    source: e.deprecatedSource,
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    type: e.type,
    eventTime: e.eventTime,
    series: e.series,
    reportingComponent: e.reportingController,
    reportingInstance: e.reportingInstance,
  };
}

function eventRow(e: Event, now: Date): Cell[] {
  const firstSeen = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let lastSeen = e.lastTimestamp ? since(e.lastTimestamp, now) : firstSeen;
  let count = e.count ?? 0;
  if (e.series) {
    lastSeen = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  const ref = e.involvedObject ?? {};
  const kind = (ref.kind ?? '').toLowerCase();
  const target = ref.name ? `${kind}/${ref.name}` : kind;
  const component = e.source?.component || e.reportingComponent || '';
  const instance = e.source?.host || e.reportingInstance || '';
  return [
    lastSeen,
    e.type ?? '',
    e.reason ?? '',
    target,
    ref.fieldPath ?? '',
    instance ? `${component}, ${instance}` : component,
    (e.message ?? '').trim(),
    firstSeen,
    count,
    e.metadata?.name ?? '',
  ];
}

const eventColumns = () => [
  col('Last Seen', 'string', d.eventLastTimestamp),
  col('Type', 'string', d.eventType),
  col('Reason', 'string', d.eventReason),
  col('Object', 'string', d.eventInvolvedObject),
  col('Subobject', 'string', d.objectReferenceFieldPath, { priority: 1 }),
  col('Source', 'string', d.eventSource, { priority: 1 }),
  col('Message', 'string', d.eventMessage),
  col('First Seen', 'string', d.eventFirstTimestamp, { priority: 1 }),
  col('Count', 'string', d.eventCount, { priority: 1 }),
  col('Name', 'string', d.objectMetaName, { priority: 1, format: 'name' }),
];

const event: Printer = { columns: eventColumns, row: (o, now) => eventRow(typed<Event>(o), now) };
const eventsV1Event: Printer = { columns: eventColumns, row: (o, now) => eventRow(fromEventsV1(typed<EventsV1Event>(o)), now) };

const namespace: Printer = {
  columns: () => [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (o, now) => {
    const ns = typed<Namespace>(o);
    return [ns.metadata?.name ?? '', ns.status?.phase ?? '', since(ns.metadata?.creationTimestamp, now)];
  },
};

const secret: Printer = {
  columns: () => [nameColumn(), col('Type', 'string', d.secretType), col('Data', 'string', d.secretData), ageColumn()],
  row: (o, now) => {
    const s = typed<Secret>(o);
    return [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, since(s.metadata?.creationTimestamp, now)];
  },
};

const serviceAccount: Printer = {
  columns: () => [nameColumn(), col('Secrets', 'string', d.serviceAccountSecrets), ageColumn()],
  row: (o, now) => {
    const sa = typed<ServiceAccount>(o);
    return [sa.metadata?.name ?? '', (sa.secrets ?? []).length, since(sa.metadata?.creationTimestamp, now)];
  },
};

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

const persistentVolume: Printer = {
  columns: () => [
    nameColumn(),
    col('Capacity', 'string', d.pvSpecCapacity),
    col('Access Modes', 'string', d.pvSpecAccessModes),
    col('Reclaim Policy', 'string', d.pvSpecReclaimPolicy),
    col('Status', 'string', d.pvStatusPhase),
    col('Claim', 'string', d.pvSpecClaimRef),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', d.pvStatusReason),
    ageColumn(),
    col('VolumeMode', 'string', d.pvSpecVolumeMode, { priority: 1 }),
  ],
  row: (o, now) => {
    const pv = typed<PersistentVolume>(o);
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const storageClass = pv.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? spec.storageClassName ?? '';
    return [
      pv.metadata?.name ?? '',
      quantityString(spec.capacity?.['storage']),
      accessModes(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '',
      pv.metadata?.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? ''),
      claim,
      storageClass,
      spec.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '',
      since(pv.metadata?.creationTimestamp, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

const persistentVolumeClaim: Printer = {
  columns: () => [
    nameColumn(),
    col('Status', 'string', d.pvcStatusPhase),
    col('Volume', 'string', d.pvcSpecVolumeName),
    col('Capacity', 'string', d.pvcStatusCapacity),
    col('Access Modes', 'string', d.pvcStatusAccessModes),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    col('VolumeMode', 'string', d.pvcSpecVolumeMode, { priority: 1 }),
  ],
  row: (o, now) => {
    const pvc = typed<PersistentVolumeClaim>(o);
    const spec = pvc.spec ?? {};
    const bound = !!spec.volumeName;
    const storageClass = pvc.metadata?.annotations?.[BETA_STORAGE_CLASS] ?? spec.storageClassName ?? '';
    return [
      pvc.metadata?.name ?? '',
      pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? ''),
      spec.volumeName ?? '',
      bound ? quantityString(pvc.status?.capacity?.['storage']) : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      storageClass,
      spec.volumeAttributesClassName ?? '<unset>',
      since(pvc.metadata?.creationTimestamp, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

const configMap: Printer = {
  columns: () => [nameColumn(), col('Data', 'string', d.configMapData), ageColumn()],
  row: (o, now) => {
    const cm = typed<ConfigMap>(o);
    return [cm.metadata?.name ?? '', Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, since(cm.metadata?.creationTimestamp, now)];
  },
};

const resourceQuota: Printer = {
  columns: () => [
    nameColumn(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn(),
  ],
  row: (o, now) => {
    const rq = typed<ResourceQuota>(o);
    const hard = rq.status?.hard ?? {};
    const used = rq.status?.used ?? {};
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const piece = `${name}: ${quantityString(used[name])}/${quantityString(hard[name])}`;
      const parts = name.split('.');
      (parts.length > 1 && parts[0] === 'limits' ? limits : requests).push(piece);
    }
    return [rq.metadata?.name ?? '', requests.join(', '), limits.join(', '), since(rq.metadata?.creationTimestamp, now)];
  },
};

const componentStatus: Printer = {
  columns: () => [
    nameColumn(),
    col('Status', 'string', 'Status of the component conditions'),
    col('Message', 'string', 'Message of the component conditions'),
    col('Error', 'string', 'Error of the component conditions'),
  ],
  row: (o) => {
    const cs = typed<ComponentStatus>(o);
    const healthy = (cs.conditions ?? []).find((c) => c.type === 'Healthy');
    const status = healthy ? (healthy.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
    return [cs.metadata?.name ?? '', status, healthy?.message ?? '', healthy?.error ?? ''];
  },
};

/** corePrinters are keyed by `<group>/<Kind>`. */
export const corePrinters: Readonly<Record<string, Printer>> = {
  '/PodTemplate': podTemplate,
  '/ReplicationController': replicationController,
  '/Service': service,
  '/Endpoints': endpoints,
  '/Node': node,
  '/Event': event,
  'events.k8s.io/Event': eventsV1Event,
  '/Namespace': namespace,
  '/Secret': secret,
  '/ServiceAccount': serviceAccount,
  '/PersistentVolume': persistentVolume,
  '/PersistentVolumeClaim': persistentVolumeClaim,
  '/ConfigMap': configMap,
  '/ResourceQuota': resourceQuota,
  '/ComponentStatus': componentStatus,
};
