/**
 * batch/v1 validation (Job, CronJob) as upstream's pkg/apis/batch/validation.
 */
import type { CronJob, Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { cronScheduleError, isKnownTimeZone } from './cron.js';
import { GoValue, goLabelSelector, goStringMap } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import {
  deepEqual,
  fieldImmutableErrorMsg,
  isNegativeErrorMsg,
  selectorMatches,
  str,
  validateImmutableField,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateSpec } from './pod.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const nonNegative = (v: unknown, p: Path): FieldError[] => (typeof v === 'number' && v < 0 ? [field.invalid(p, v, isNegativeErrorMsg)] : []);

/** The labels the apiserver puts on a Job's pods and selector (upstream's batch constants). */
export const controllerUidLabel = 'batch.kubernetes.io/controller-uid';
export const legacyControllerUidLabel = 'controller-uid';
export const jobNameLabel = 'batch.kubernetes.io/job-name';
export const legacyJobNameLabel = 'job-name';

const maxParallelismForIndexedJob = 100000;

function validateJobSpecCommon(s: JobSpec, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...nonNegative(s.parallelism, p.child('parallelism')));
  errs.push(...nonNegative(s.completions, p.child('completions')));
  errs.push(...nonNegative(s.activeDeadlineSeconds, p.child('activeDeadlineSeconds')));
  errs.push(...nonNegative(s.backoffLimit, p.child('backoffLimit')));
  errs.push(...nonNegative(s.ttlSecondsAfterFinished, p.child('ttlSecondsAfterFinished')));
  if (s.backoffLimitPerIndex !== undefined && s.backoffLimitPerIndex !== null) {
    errs.push(...nonNegative(s.backoffLimitPerIndex, p.child('backoffLimitPerIndex')));
    if (s.completionMode !== 'Indexed') errs.push(field.invalid(p.child('backoffLimitPerIndex'), s.backoffLimitPerIndex, 'requires indexed completion mode'));
  }
  if (s.completionMode !== undefined && s.completionMode !== null) {
    if (s.completionMode !== 'NonIndexed' && s.completionMode !== 'Indexed') {
      errs.push(field.notSupported(p.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (s.completionMode === 'Indexed') {
      if (s.completions === undefined || s.completions === null) errs.push(field.required(p.child('completions'), 'when completion mode is Indexed'));
      if ((s.parallelism ?? 0) > maxParallelismForIndexedJob) {
        errs.push(field.invalid(p.child('parallelism'), s.parallelism, `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`));
      }
    }
  }
  if (s.podReplacementPolicy !== undefined && s.podReplacementPolicy !== null) {
    const valid = s.podFailurePolicy ? ['Failed'] : ['Failed', 'TerminatingOrFailed'];
    if (!valid.includes(s.podReplacementPolicy)) errs.push(field.notSupported(p.child('podReplacementPolicy'), s.podReplacementPolicy, valid));
  }
  errs.push(...validatePodTemplateSpec(s.template, p.child('template')));
  const rp = str(s.template?.spec?.restartPolicy);
  const rpPath = p.child('template', 'spec', 'restartPolicy');
  if (rp === 'Always' || rp === '') errs.push(field.required(rpPath, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(field.notSupported(rpPath, rp, ['OnFailure', 'Never']));
  else if (s.podFailurePolicy && rp !== 'Never') errs.push(field.invalid(rpPath, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(s: JobSpec, p: Path): FieldError[] {
  const errs = validateJobSpecCommon(s, p);
  if (!s.selector) errs.push(field.required(p.child('selector'), ''));
  else errs.push(...validateLabelSelector(s.selector, p.child('selector')));
  const parses = !s.selector || validateLabelSelector(s.selector, p).length === 0;
  if (parses && !(s.selector && Object.keys(s.selector.matchLabels ?? {}).length === 0 && (s.selector.matchExpressions ?? []).length === 0)) {
    if (!selectorMatches(s.selector, s.template?.metadata?.labels)) {
      errs.push(field.invalid(p.child('template', 'metadata', 'labels'), goStringMap(s.template?.metadata?.labels), '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

function validateGeneratedSelector(job: Job): FieldError[] {
  const errs: FieldError[] = [];
  const s = job.spec;
  if (!s || s.manualSelector === true || !s.selector) return errs;
  const uid = str(job.metadata?.uid);
  const name = str(job.metadata?.name);
  if (!uid) errs.push(field.required(META.child('uid'), ''));
  const labels = s.template?.metadata?.labels;
  const tp = Path.root('spec', 'template', 'metadata');
  const hasLabel = (key: string, want: string): void => {
    if (!labels || !(key in labels)) errs.push(field.required(tp.child('labels').key(key), `must be '${want}'`));
    else if (labels[key] !== want) errs.push(field.invalid(tp.child('labels').key(key), goStringMap(labels), `must be '${want}'`));
  };
  hasLabel(legacyControllerUidLabel, uid);
  hasLabel(legacyJobNameLabel, name);
  hasLabel(controllerUidLabel, uid);
  hasLabel(jobNameLabel, name);
  const expected = { [controllerUidLabel]: uid, [jobNameLabel]: name, [legacyControllerUidLabel]: uid, [legacyJobNameLabel]: name };
  if (validateLabelSelector(s.selector, SPEC).length === 0 && !selectorMatches(s.selector, expected)) {
    errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), '`selector` not auto-generated'));
  }
  return errs;
}

export function validateJob(job: Job): FieldError[] {
  const errs = validateObjectMeta(job.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validateGeneratedSelector(job));
  errs.push(...validateJobSpec(job.spec ?? ({} as JobSpec), SPEC));
  const s = job.spec;
  if (s?.completionMode === 'Indexed' && (s.completions ?? 0) > 0) {
    const host = `${str(job.metadata?.name)}-${s.completions! - 1}`;
    if (isDNS1123Label(host).length > 0) errs.push(field.invalid(META.child('name'), str(job.metadata?.name), `will not able to create pod with invalid DNS label: ${host}`));
  }
  return errs;
}

/** Fields of a suspended job's template that may change (upstream's mutable scheduling directives). */
function stripMutableSchedulingDirectives(t: unknown): unknown {
  const c = JSON.parse(JSON.stringify(t ?? {})) as { metadata?: Record<string, unknown>; spec?: Record<string, unknown> };
  if (c.metadata) {
    delete c.metadata['labels'];
    delete c.metadata['annotations'];
  }
  if (c.spec) {
    delete c.spec['nodeSelector'];
    delete c.spec['tolerations'];
    delete c.spec['schedulingGates'];
    if (c.spec['affinity'] && typeof c.spec['affinity'] === 'object') delete (c.spec['affinity'] as Record<string, unknown>)['nodeAffinity'];
  }
  return c;
}

export function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const errs = [...validateObjectMetaUpdate(job.metadata, old.metadata, META), ...validateJob(job).filter((e) => !e.field.startsWith('metadata.'))];
  const n = job.spec ?? ({} as JobSpec);
  const o = old.spec ?? ({} as JobSpec);
  const elasticIndexed = n.completionMode === 'Indexed' && o.completionMode === 'Indexed' && n.completions === n.parallelism && o.completions === o.parallelism;
  if (!elasticIndexed) errs.push(...validateImmutableField(n.completions ?? null, o.completions ?? null, SPEC.child('completions')));
  errs.push(...validateImmutableField(n.selector ?? null, o.selector ?? null, SPEC.child('selector'), goLabelSelector(n.selector)));
  const suspendedNeverStarted = n.suspend === true && !old.status?.startTime;
  const nt = suspendedNeverStarted ? stripMutableSchedulingDirectives(n.template) : n.template;
  const ot = suspendedNeverStarted ? stripMutableSchedulingDirectives(o.template) : o.template;
  if (!deepEqual(JSON.parse(JSON.stringify(nt ?? null)), JSON.parse(JSON.stringify(ot ?? null)))) {
    errs.push(field.invalid(SPEC.child('template'), new GoValue(`core.PodTemplateSpec${JSON.stringify(n.template ?? {})}`), fieldImmutableErrorMsg));
  }
  errs.push(...validateImmutableField(n.completionMode ?? null, o.completionMode ?? null, SPEC.child('completionMode')));
  errs.push(...validateImmutableField(n.podFailurePolicy ?? null, o.podFailurePolicy ?? null, SPEC.child('podFailurePolicy'), JSON.stringify(n.podFailurePolicy ?? null)));
  errs.push(...validateImmutableField(n.backoffLimitPerIndex ?? null, o.backoffLimitPerIndex ?? null, SPEC.child('backoffLimitPerIndex')));
  errs.push(...validateImmutableField(n.managedBy ?? null, o.managedBy ?? null, SPEC.child('managedBy')));
  errs.push(...validateImmutableField(n.podReplacementPolicy ?? null, o.podReplacementPolicy ?? null, SPEC.child('podReplacementPolicy')));
  return errs;
}

export function validateJobStatusUpdate(job: Job, old: Job): FieldError[] {
  const p = Path.root('status');
  const st = job.status ?? {};
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata, META);
  errs.push(...nonNegative(st.active, p.child('active')));
  errs.push(...nonNegative(st.succeeded, p.child('succeeded')));
  errs.push(...nonNegative(st.failed, p.child('failed')));
  errs.push(...nonNegative(st.ready, p.child('ready')));
  errs.push(...nonNegative(st.terminating, p.child('terminating')));
  return errs;
}

// ---- CronJob ----

function validateCronJobSpec(cj: CronJob, old?: CronJob): FieldError[] {
  const s = cj.spec ?? ({} as NonNullable<CronJob['spec']>);
  const errs: FieldError[] = [];
  const sched = str(s.schedule);
  if (!sched) errs.push(field.required(SPEC.child('schedule'), ''));
  else {
    const msg = cronScheduleError(sched);
    if (msg) errs.push(field.invalid(SPEC.child('schedule'), sched, msg));
    const allowTZ = old ? str(old.spec?.schedule).includes('TZ') : false;
    if (allowTZ && sched.includes('TZ') && s.timeZone !== undefined && s.timeZone !== null) {
      errs.push(field.invalid(SPEC.child('schedule'), sched, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && sched.includes('TZ')) {
      errs.push(field.invalid(SPEC.child('schedule'), sched, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  errs.push(...nonNegative(s.startingDeadlineSeconds, SPEC.child('startingDeadlineSeconds')));
  if (!old || old.spec?.timeZone !== s.timeZone) {
    const tz = s.timeZone;
    if (tz !== undefined && tz !== null) {
      const tp = SPEC.child('timeZone');
      if (tz === '') errs.push(field.invalid(tp, tz, 'timeZone must be nil or non-empty string'));
      else if (tz.toLowerCase() === 'local') errs.push(field.invalid(tp, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
      else if (!isKnownTimeZone(tz)) errs.push(field.invalid(tp, tz, `unknown time zone ${tz}`));
    }
  }
  const cp = str(s.concurrencyPolicy);
  if (!cp) errs.push(field.required(SPEC.child('concurrencyPolicy'), ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(field.notSupported(SPEC.child('concurrencyPolicy'), cp, ['Allow', 'Forbid', 'Replace']));
  const jt = SPEC.child('jobTemplate');
  const js = s.jobTemplate?.spec ?? ({} as JobSpec);
  errs.push(...validateJobSpecCommon(js, jt.child('spec')));
  if (js.selector) errs.push(field.invalid(jt.child('spec', 'selector'), goLabelSelector(js.selector), '`selector` will be auto-generated'));
  if (js.manualSelector === true) errs.push(field.notSupported(jt.child('spec', 'manualSelector'), true, ['nil', 'false']));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, SPEC.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, SPEC.child('failedJobsHistoryLimit')));
  return errs;
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validateCronJobSpec(cj));
  if (str(cj.metadata?.name).length > 52) errs.push(field.invalid(META.child('name'), str(cj.metadata?.name), 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  const errs = validateObjectMetaUpdate(cj.metadata, old.metadata, META);
  errs.push(...validateCronJobSpec(cj, old));
  return errs;
}

export const validators: [string, KindValidator][] = [
  ['batch/Job', kind(validateJob, validateJobUpdate, validateJobStatusUpdate)],
  ['batch/CronJob', kind(validateCronJob, validateCronJobUpdate)],
];
