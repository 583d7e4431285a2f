/**
 * apps/v1 and batch/v1 defaulting as upstream's pkg/apis/apps/v1/defaults.go and
 * pkg/apis/batch/v1/defaults.go (pod templates get the core PodSpec defaults).
 */
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { defaultPersistentVolumeClaim, defaultPodTemplateSpec, zeroEmbeddedMeta } from './core.js';

const unset = (v: unknown): boolean => v === undefined || v === null;

export function defaultDeployment(d: Deployment): void {
  d.spec ??= { selector: {}, template: {} };
  const s = d.spec;
  if (unset(s.replicas)) s.replicas = 1;
  s.strategy ??= {};
  if (!s.strategy.type) s.strategy.type = 'RollingUpdate';
  if (s.strategy.type === 'RollingUpdate') {
    s.strategy.rollingUpdate ??= {};
    if (unset(s.strategy.rollingUpdate.maxUnavailable)) s.strategy.rollingUpdate.maxUnavailable = '25%';
    if (unset(s.strategy.rollingUpdate.maxSurge)) s.strategy.rollingUpdate.maxSurge = '25%';
  }
  if (unset(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
  if (unset(s.progressDeadlineSeconds)) s.progressDeadlineSeconds = 600;
  defaultPodTemplateSpec(s.template);
}

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec ??= { selector: {} };
  if (unset(rs.spec.replicas)) rs.spec.replicas = 1;
  defaultPodTemplateSpec(rs.spec.template);
}

export function defaultStatefulSet(ss: StatefulSet): void {
  ss.spec ??= { selector: {}, template: {} } as StatefulSet['spec'];
  const s = ss.spec!;
  if (!s.podManagementPolicy) s.podManagementPolicy = 'OrderedReady';
  s.updateStrategy ??= {};
  if (!s.updateStrategy.type) s.updateStrategy.type = 'RollingUpdate';
  if (s.updateStrategy.type === 'RollingUpdate') {
    s.updateStrategy.rollingUpdate ??= {};
    if (unset(s.updateStrategy.rollingUpdate.partition)) s.updateStrategy.rollingUpdate.partition = 0;
  }
  s.persistentVolumeClaimRetentionPolicy ??= {};
  if (!s.persistentVolumeClaimRetentionPolicy.whenDeleted) s.persistentVolumeClaimRetentionPolicy.whenDeleted = 'Retain';
  if (!s.persistentVolumeClaimRetentionPolicy.whenScaled) s.persistentVolumeClaimRetentionPolicy.whenScaled = 'Retain';
  if (unset(s.replicas)) s.replicas = 1;
  if (unset(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
  for (const c of s.volumeClaimTemplates ?? []) {
    c.apiVersion ??= 'v1';
    c.kind ??= 'PersistentVolumeClaim';
    zeroEmbeddedMeta(c);
    defaultPersistentVolumeClaim(c);
  }
  defaultPodTemplateSpec(s.template);
}

export function defaultDaemonSet(ds: DaemonSet): void {
  ds.spec ??= { selector: {}, template: {} };
  const s = ds.spec;
  s.updateStrategy ??= {};
  if (!s.updateStrategy.type) s.updateStrategy.type = 'RollingUpdate';
  if (s.updateStrategy.type === 'RollingUpdate') {
    s.updateStrategy.rollingUpdate ??= {};
    if (unset(s.updateStrategy.rollingUpdate.maxUnavailable)) s.updateStrategy.rollingUpdate.maxUnavailable = 1;
    if (unset(s.updateStrategy.rollingUpdate.maxSurge)) s.updateStrategy.rollingUpdate.maxSurge = 0;
  }
  if (unset(s.revisionHistoryLimit)) s.revisionHistoryLimit = 10;
  defaultPodTemplateSpec(s.template);
}

export function defaultJob(job: Job): void {
  job.spec ??= { template: {} };
  const s = job.spec;
  if (unset(s.completions) && unset(s.parallelism)) {
    s.completions = 1;
    s.parallelism = 1;
  }
  if (unset(s.parallelism)) s.parallelism = 1;
  if (unset(s.backoffLimit)) s.backoffLimit = unset(s.backoffLimitPerIndex) ? 6 : 2147483647;
  const labels = s.template?.metadata?.labels;
  if (labels && Object.keys(labels).length > 0) {
    job.metadata ??= {};
    if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...labels };
  }
  if (!s.completionMode) s.completionMode = 'NonIndexed';
  if (unset(s.suspend)) s.suspend = false;
  for (const rule of s.podFailurePolicy?.rules ?? []) for (const c of rule.onPodConditions ?? []) if (!c.status) c.status = 'True';
  if (!s.podReplacementPolicy) s.podReplacementPolicy = s.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplateSpec(s.template);
}

export function defaultCronJob(cj: CronJob): void {
  cj.spec ??= { schedule: '', jobTemplate: {} };
  const s = cj.spec;
  if (!s.concurrencyPolicy) s.concurrencyPolicy = 'Allow';
  if (unset(s.suspend)) s.suspend = false;
  if (unset(s.successfulJobsHistoryLimit)) s.successfulJobsHistoryLimit = 3;
  if (unset(s.failedJobsHistoryLimit)) s.failedJobsHistoryLimit = 1;
  zeroEmbeddedMeta(s.jobTemplate);
  defaultPodTemplateSpec(s.jobTemplate?.spec?.template);
}
