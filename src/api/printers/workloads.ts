/** Printers for apps, batch, autoscaling and policy kinds, as upstream's printers.go. */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { HorizontalPodAutoscaler as HPAv1 } from 'kubernetes-types/autoscaling/v1.js';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from 'kubernetes-types/autoscaling/v2.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { humanDuration } from '../duration.js';
import { selectorFromLabelSelector } from '../labels.js';
import * as d from './descriptions.js';
import {
  ageColumn,
  col,
  containersColumn,
  formatLabelSelector,
  formatLabels,
  imagesColumn,
  intOrString,
  layoutContainerCells,
  lowerGroupKind,
  millis,
  nameColumn,
  printBoolPtr,
  quantityString,
  since,
  typed,
} from './helpers.js';
import type { Printer } from './registry.js';

const replicaSet: Printer = {
  columns: () => [
    nameColumn(),
    col('Desired', 'integer', d.rsSpecReplicas),
    col('Current', 'integer', d.rsStatusReplicas),
    col('Ready', 'integer', d.rsStatusReadyReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.rsSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const rs = typed<ReplicaSet>(o);
    const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
    return [
      rs.metadata?.name ?? '',
      rs.spec?.replicas ?? 1,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      since(rs.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ];
  },
};

const deployment: Printer = {
  columns: () => [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', d.deploymentStatusUpdatedReplicas),
    col('Available', 'string', d.deploymentStatusAvailableReplicas),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.deploymentSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const dep = typed<Deployment>(o);
    let selector: string;
    try {
      selector = selectorFromLabelSelector(dep.spec?.selector).toString();
    } catch {
      selector = '<invalid>';
    }
    const [names, images] = layoutContainerCells(dep.spec?.template?.spec?.containers);
    return [
      dep.metadata?.name ?? '',
      `${dep.status?.readyReplicas ?? 0}/${dep.spec?.replicas ?? 1}`,
      dep.status?.updatedReplicas ?? 0,
      dep.status?.availableReplicas ?? 0,
      since(dep.metadata?.creationTimestamp, now),
      names,
      images,
      selector,
    ];
  },
};

const statefulSet: Printer = {
  columns: () => [nameColumn(), col('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), containersColumn(), imagesColumn()],
  row: (o, now) => {
    const ss = typed<StatefulSet>(o);
    const [names, images] = layoutContainerCells(ss.spec?.template?.spec?.containers);
    return [ss.metadata?.name ?? '', `${ss.status?.readyReplicas ?? 0}/${ss.spec?.replicas ?? 1}`, since(ss.metadata?.creationTimestamp, now), names, images];
  },
};

const daemonSet: Printer = {
  columns: () => [
    nameColumn(),
    col('Desired', 'integer', d.dsStatusDesired),
    col('Current', 'integer', d.dsStatusCurrent),
    col('Ready', 'integer', d.dsStatusReady),
    col('Up-to-date', 'integer', d.dsStatusUpdated),
    col('Available', 'integer', d.dsStatusAvailable),
    col('Node Selector', 'string', d.podSpecNodeSelector),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.dsSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const ds = typed<DaemonSet>(o);
    const st = ds.status;
    const [names, images] = layoutContainerCells(ds.spec?.template?.spec?.containers);
    return [
      ds.metadata?.name ?? '',
      st?.desiredNumberScheduled ?? 0,
      st?.currentNumberScheduled ?? 0,
      st?.numberReady ?? 0,
      st?.updatedNumberScheduled ?? 0,
      st?.numberAvailable ?? 0,
      formatLabels(ds.spec?.template?.spec?.nodeSelector),
      since(ds.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(ds.spec?.selector),
    ];
  },
};

const controllerRevision: Printer = {
  columns: () => [nameColumn(), col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', d.controllerRevisionRevision), ageColumn()],
  row: (o, now) => {
    const cr = typed<ControllerRevision>(o);
    const ref = (cr.metadata?.ownerReferences ?? []).find((r) => r.controller);
    // formatResourceName prints the bare name when the group and kind are both empty.
    const groupKind = ref ? lowerGroupKind(ref.apiVersion, ref.kind) : '';
    const controller = ref ? (groupKind ? `${groupKind}/${ref.name}` : ref.name) : '<none>';
    return [cr.metadata?.name ?? '', controller, cr.revision ?? 0, since(cr.metadata?.creationTimestamp, now)];
  },
};

const hasCondition = (conditions: readonly { type: string; status: string }[] | undefined, type: string): boolean =>
  conditions?.find((c) => c.type === type)?.status === 'True';

const job: Printer = {
  columns: () => [
    nameColumn(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', d.jobStatusSucceeded),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.jobSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const j = typed<Job>(o);
    const succeeded = j.status?.succeeded ?? 0;
    let completions: string;
    if (j.spec?.completions !== undefined && j.spec.completions !== null) completions = `${succeeded}/${j.spec.completions}`;
    else if ((j.spec?.parallelism ?? 0) > 1) completions = `${succeeded}/1 of ${j.spec!.parallelism}`;
    else completions = `${succeeded}/1`;
    const start = j.status?.startTime;
    const end = j.status?.completionTime;
    const duration = !start ? '' : humanDuration((end ? millis(end) : now.getTime()) - millis(start));
    const conds = j.status?.conditions;
    let status: string;
    if (hasCondition(conds, 'Complete')) status = 'Complete';
    else if (hasCondition(conds, 'Failed')) status = 'Failed';
    else if (j.metadata?.deletionTimestamp) status = 'Terminating';
    else if (hasCondition(conds, 'Suspended')) status = 'Suspended';
    else if (hasCondition(conds, 'FailureTarget')) status = 'FailureTarget';
    else status = 'Running';
    const [names, images] = layoutContainerCells(j.spec?.template?.spec?.containers);
    return [j.metadata?.name ?? '', status, completions, duration, since(j.metadata?.creationTimestamp, now), names, images, formatLabelSelector(j.spec?.selector)];
  },
};

const cronJob: Printer = {
  columns: () => [
    nameColumn(),
    col('Schedule', 'string', d.cronJobSpecSchedule),
    col('Timezone', 'string', d.cronJobSpecTimeZone),
    col('Suspend', 'boolean', d.cronJobSpecSuspend),
    col('Active', 'integer', d.cronJobStatusActive),
    col('Last Schedule', 'string', d.cronJobStatusLastScheduleTime),
    ageColumn(),
    containersColumn(),
    imagesColumn(),
    col('Selector', 'string', d.jobSpecSelector, { priority: 1 }),
  ],
  row: (o, now) => {
    const cj = typed<CronJob>(o);
    const jobSpec = cj.spec?.jobTemplate?.spec;
    const [names, images] = layoutContainerCells(jobSpec?.template?.spec?.containers);
    return [
      cj.metadata?.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      printBoolPtr(cj.spec?.suspend),
      (cj.status?.active ?? []).length,
      cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>',
      since(cj.metadata?.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(jobSpec?.selector),
    ];
  },
};

/** formatHPAMetrics is upstream's: at most two `current/target` entries, then `+ N more...`. */
function formatHPAMetrics(specs: readonly MetricSpec[], statuses: readonly MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((spec, i): string => {
    const st = statuses[i];
    const q = (v: string | number | undefined): string => quantityString(v);
    switch (spec.type) {
      case 'External': {
        const t = spec.external?.target;
        if (t?.averageValue !== undefined) return `${st?.external?.current?.averageValue !== undefined ? q(st.external.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`;
        return `${st?.external ? q(st.external.current?.value) : '<unknown>'}/${q(t?.value)}`;
      }
      case 'Pods':
        return `${st?.pods ? q(st.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
      case 'Object': {
        const t = spec.object?.target;
        if (t?.averageValue !== undefined) return `${st?.object?.current?.averageValue !== undefined ? q(st.object.current.averageValue) : '<unknown>'}/${q(t.averageValue)} (avg)`;
        return `${st?.object ? q(st.object.current?.value) : '<unknown>'}/${q(t?.value)}`;
      }
      case 'Resource':
      case 'ContainerResource': {
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const cur = spec.type === 'Resource' ? st?.resource : st?.containerResource;
        const name = src?.name ?? '';
        if (src?.target?.averageValue !== undefined) return `${name}: ${cur ? q(cur.current?.averageValue) : '<unknown>'}/${q(src.target.averageValue)}`;
        const current = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : '<unknown>';
        const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : '<auto>';
        return `${name}: ${current}/${target}`;
      }
      default:
        return '<unknown type>';
    }
  });
  const max = 2;
  return list.length > max ? `${list.slice(0, max).join(', ')} + ${list.length - max} more...` : list.join(', ');
}

/** hpaV2 reads an autoscaling/v1 object the way its conversion to the stored version does. */
function hpaV2(o: Record<string, unknown>, version: string): HorizontalPodAutoscaler {
  if (version !== 'v1') return typed<HorizontalPodAutoscaler>(o);
  const v1 = typed<HPAv1>(o);
  const cpu = v1.spec?.targetCPUUtilizationPercentage ?? 80;
  const current = v1.status?.currentCPUUtilizationPercentage;
  return {
    metadata: v1.metadata ?? {},
    spec: {
      scaleTargetRef: v1.spec?.scaleTargetRef ?? { kind: '', name: '' },
      minReplicas: v1.spec?.minReplicas,
      maxReplicas: v1.spec?.maxReplicas ?? 0,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } }],
    },
    status: {
      currentReplicas: v1.status?.currentReplicas ?? 0,
      desiredReplicas: v1.status?.desiredReplicas ?? 0,
      currentMetrics: current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
    },
  };
}

const horizontalPodAutoscaler: Printer = {
  columns: () => [
    nameColumn(),
    col('Reference', 'string', d.hpaSpecScaleTargetRef),
    col('Targets', 'string', d.hpaSpecMetrics),
    col('MinPods', 'string', d.hpaSpecMinReplicas),
    col('MaxPods', 'string', d.hpaSpecMaxReplicas),
    col('Replicas', 'string', d.hpaStatusCurrentReplicas),
    ageColumn(),
  ],
  row: (o, now, gvk) => {
    const hpa = hpaV2(o, gvk.version);
    const ref = hpa.spec?.scaleTargetRef;
    return [
      hpa.metadata?.name ?? '',
      `${ref?.kind ?? ''}/${ref?.name ?? ''}`,
      formatHPAMetrics(hpa.spec?.metrics ?? [], hpa.status?.currentMetrics ?? []),
      hpa.spec?.minReplicas === undefined ? '<unset>' : String(hpa.spec.minReplicas),
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      since(hpa.metadata?.creationTimestamp, now),
    ];
  },
};

const podDisruptionBudget: Printer = {
  columns: () => [
    nameColumn(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  row: (o, now) => {
    const pdb = typed<PodDisruptionBudget>(o);
    const min = pdb.spec?.minAvailable;
    const max = pdb.spec?.maxUnavailable;
    return [
      pdb.metadata?.name ?? '',
      min === undefined ? 'N/A' : intOrString(min),
      max === undefined ? 'N/A' : intOrString(max),
      pdb.status?.disruptionsAllowed ?? 0,
      since(pdb.metadata?.creationTimestamp, now),
    ];
  },
};

const scale: Printer = {
  columns: () => [
    col('Name', 'string', d.objectMetaName),
    col('Desired', 'integer', d.scaleSpecReplicas),
    col('Available', 'integer', d.scaleStatusReplicas),
    ageColumn(),
  ],
  row: (o, now) => {
    const s = typed<{ metadata?: { name?: string; creationTimestamp?: string }; spec?: { replicas?: number }; status?: { replicas?: number } }>(o);
    return [s.metadata?.name ?? '', s.spec?.replicas ?? 0, s.status?.replicas ?? 0, since(s.metadata?.creationTimestamp, now)];
  },
};

export const workloadPrinters: Readonly<Record<string, Printer>> = {
  'apps/ReplicaSet': replicaSet,
  'apps/Deployment': deployment,
  'apps/StatefulSet': statefulSet,
  'apps/DaemonSet': daemonSet,
  'apps/ControllerRevision': controllerRevision,
  'batch/Job': job,
  'batch/CronJob': cronJob,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscaler,
  'autoscaling/Scale': scale,
  'policy/PodDisruptionBudget': podDisruptionBudget,
};
