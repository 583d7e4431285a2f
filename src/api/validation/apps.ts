/**
 * apps/v1 validation (Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision) as
 * upstream's pkg/apis/apps/validation plus the selector-immutability check of the apps/v1
 * registry strategies.
 */
import type { ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { GoValue, goLabelSelector, goStringMap } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import {
  deepEqual,
  fieldImmutableErrorMsg,
  isNegativeErrorMsg,
  selectorIsEmpty,
  selectorMatches,
  str,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from './meta.js';
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import { validatePodTemplateMeta, validatePodTemplateSpec } from './pod.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');
const nonNegative = (v: unknown, p: Path): FieldError[] => (typeof v === 'number' && v < 0 ? [field.invalid(p, v, isNegativeErrorMsg)] : []);

/** goIntOrString renders intstr.IntOrString as Go's %#v does. */
export function goIntOrString(v: unknown): GoValue {
  if (typeof v === 'string') return new GoValue(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`);
  return new GoValue(`intstr.IntOrString{Type:0, IntVal:${typeof v === 'number' ? v : 0}, StrVal:""}`);
}

/**
 * intOrStringValue renders an intstr.IntOrString bad value as upstream prints it: IntOrString has a
 * String() method (on its pointer), which field.Error's ErrorBody uses, so the text is the raw
 * string or the number, unquoted (`Invalid value: 0: may not be 0 when \`maxSurge\` is 0`).
 */
function intOrStringValue(v: unknown): GoValue {
  return new GoValue(typeof v === 'string' ? v : String(typeof v === 'number' ? v : 0));
}

/** intOrPercentValue: the number, or the percentage number (upstream's getIntOrPercentValue). */
function intOrPercentValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = Number.parseInt(v.replace(/%$/, ''), 10);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

/** validatePositiveIntOrPercent: maxSurge / maxUnavailable style fields. */
export function validatePositiveIntOrPercent(v: unknown, p: Path): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(p, intOrStringValue(v), m));
  if (typeof v === 'number') return nonNegative(v, p);
  if (v === undefined || v === null) return [];
  return [field.invalid(p, intOrStringValue(v), "must be an integer or percentage (e.g '5%')")];
}

export function isNotMoreThan100Percent(v: unknown, p: Path): FieldError[] {
  if (typeof v !== 'string' || !v.endsWith('%')) return [];
  return intOrPercentValue(v) > 100 ? [field.invalid(p, intOrStringValue(v), 'must not be greater than 100%')] : [];
}

/** selectorParses mirrors metav1.LabelSelectorAsSelector succeeding. */
const selectorParses = (sel: LabelSelector | undefined | null): boolean => !sel || validateLabelSelector(sel, Path.root('x')).length === 0;

/** selectorMatchesTemplate: upstream's nil selector matches nothing; an empty one everything. */
function templateMismatch(sel: LabelSelector | undefined | null, t: PodTemplateSpec | undefined, p: Path): FieldError[] {
  if (sel && selectorIsEmpty(sel)) return [];
  if (selectorMatches(sel, t?.metadata?.labels)) return [];
  return [field.invalid(p.child('metadata', 'labels'), goStringMap(t?.metadata?.labels), '`selector` does not match template `labels`')];
}

function validateTemplateForReplicaSet(sel: LabelSelector | undefined | null, t: PodTemplateSpec | undefined, p: Path, owner: string): FieldError[] {
  if (!t) return [field.required(p, '')];
  const errs = templateMismatch(sel, t, p);
  errs.push(...validatePodTemplateSpec(t, p));
  const rp = str(t.spec?.restartPolicy);
  if (rp !== 'Always') errs.push(field.notSupported(p.child('spec', 'restartPolicy'), rp, ['Always']));
  if (t.spec?.activeDeadlineSeconds !== undefined && t.spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(p.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${owner} is not Supported`));
  }
  return errs;
}

// ---- Deployment ----

function validateDeploymentStrategy(s: NonNullable<Deployment['spec']>['strategy'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(s?.type);
  if (type === 'Recreate') {
    if (s?.rollingUpdate) errs.push(field.forbidden(p.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    const ru = s?.rollingUpdate;
    if (!ru) errs.push(field.required(p.child('rollingUpdate'), 'this should be defaulted and never be nil'));
    else {
      const rp = p.child('rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, rp.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, rp.child('maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(field.invalid(rp.child('maxUnavailable'), intOrStringValue(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, rp.child('maxUnavailable')));
    }
  } else {
    errs.push(
      field.notSupported(
        p,
        new GoValue(`apps.DeploymentStrategy{Type:${JSON.stringify(type)}, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}`),
        ['Recreate', 'RollingUpdate'],
      ),
    );
  }
  return errs;
}

function validateDeploymentSpec(d: Deployment): FieldError[] {
  const s = d.spec ?? ({} as NonNullable<Deployment['spec']>);
  const errs = nonNegative(s.replicas, SPEC.child('replicas'));
  if (!s.selector) errs.push(field.required(SPEC.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
    if (selectorIsEmpty(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'empty selector is invalid for deployment'));
  }
  if (!selectorParses(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(s.selector, s.template, SPEC.child('template'), 'ReplicaSet'));
  errs.push(...validateDeploymentStrategy(s.strategy, SPEC.child('strategy')));
  errs.push(...nonNegative(s.minReadySeconds, SPEC.child('minReadySeconds')));
  errs.push(...nonNegative(s.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
  if (s.progressDeadlineSeconds !== undefined && s.progressDeadlineSeconds !== null) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, SPEC.child('progressDeadlineSeconds')));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(field.invalid(SPEC.child('progressDeadlineSeconds'), s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(d: Deployment): FieldError[] {
  return [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain, META), ...validateDeploymentSpec(d)];
}

const selectorImmutable = (n: LabelSelector | undefined, o: LabelSelector | undefined): FieldError[] =>
  deepEqual(n ?? null, o ?? null) ? [] : [field.invalid(SPEC.child('selector'), goLabelSelector(n), fieldImmutableErrorMsg)];

export function validateDeploymentUpdate(d: Deployment, old: Deployment): FieldError[] {
  return [...validateObjectMetaUpdate(d.metadata, old.metadata, META), ...validateDeploymentSpec(d), ...selectorImmutable(d.spec?.selector, old.spec?.selector)];
}

function validateReplicaStatus(st: Record<string, number | undefined> | undefined, keys: string[], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  const s = st ?? {};
  for (const k of keys) errs.push(...nonNegative(s[k], p.child(k)));
  return errs;
}

export function validateDeploymentStatusUpdate(d: Deployment, old: Deployment): FieldError[] {
  const p = Path.root('status');
  const st = (d.status ?? {}) as Record<string, number | undefined>;
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata, META);
  errs.push(...validateReplicaStatus(st, ['observedGeneration', 'replicas', 'updatedReplicas', 'availableReplicas', 'unavailableReplicas', 'readyReplicas', 'collisionCount'], p));
  const msg = 'cannot be greater than status.replicas';
  const replicas = st['replicas'] ?? 0;
  if ((st['updatedReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('updatedReplicas'), st['updatedReplicas'], msg));
  if ((st['readyReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('readyReplicas'), st['readyReplicas'], msg));
  if ((st['availableReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('availableReplicas'), st['availableReplicas'], msg));
  if ((st['availableReplicas'] ?? 0) > (st['readyReplicas'] ?? 0)) errs.push(field.invalid(p.child('availableReplicas'), st['availableReplicas'], 'cannot be greater than readyReplicas'));
  return errs;
}

// ---- ReplicaSet ----

function validateReplicaSetSpec(rs: ReplicaSet): FieldError[] {
  const s = rs.spec ?? ({} as NonNullable<ReplicaSet['spec']>);
  const errs = nonNegative(s.replicas, SPEC.child('replicas'));
  errs.push(...nonNegative(s.minReadySeconds, SPEC.child('minReadySeconds')));
  if (!s.selector) errs.push(field.required(SPEC.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
    if (selectorIsEmpty(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'empty selector is invalid for deployment'));
  }
  if (!selectorParses(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'invalid label selector'));
  else errs.push(...validateTemplateForReplicaSet(s.selector, s.template, SPEC.child('template'), 'ReplicaSet'));
  return errs;
}

export function validateReplicaSet(rs: ReplicaSet): FieldError[] {
  return [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain, META), ...validateReplicaSetSpec(rs)];
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  return [...validateObjectMetaUpdate(rs.metadata, old.metadata, META), ...validateReplicaSetSpec(rs), ...selectorImmutable(rs.spec?.selector, old.spec?.selector)];
}

export function validateReplicaSetStatusUpdate(rs: ReplicaSet, old: ReplicaSet): FieldError[] {
  const p = Path.root('status');
  const st = (rs.status ?? {}) as unknown as Record<string, number | undefined>;
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata, META);
  errs.push(...validateReplicaStatus(st, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'], p));
  const msg = 'cannot be greater than status.replicas';
  const replicas = st['replicas'] ?? 0;
  if ((st['fullyLabeledReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('fullyLabeledReplicas'), st['fullyLabeledReplicas'], msg));
  if ((st['readyReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('readyReplicas'), st['readyReplicas'], msg));
  if ((st['availableReplicas'] ?? 0) > replicas) errs.push(field.invalid(p.child('availableReplicas'), st['availableReplicas'], msg));
  if ((st['availableReplicas'] ?? 0) > (st['readyReplicas'] ?? 0)) errs.push(field.invalid(p.child('availableReplicas'), st['availableReplicas'], 'cannot be greater than readyReplicas'));
  return errs;
}

// ---- StatefulSet ----

/** goStsRollingUpdate renders apps.RollingUpdateStatefulSetStrategy as Go's %#v. */
function goStsRollingUpdate(ru: { partition?: number; maxUnavailable?: number | string }): GoValue {
  const mu = ru.maxUnavailable === undefined ? '(*intstr.IntOrString)(nil)' : `&${goIntOrString(ru.maxUnavailable)}`;
  return new GoValue(`apps.RollingUpdateStatefulSetStrategy{Partition:${ru.partition ?? 0}, MaxUnavailable:${mu}}`);
}

function validateStatefulSetSpec(ss: StatefulSet): FieldError[] {
  const s = ss.spec ?? ({} as NonNullable<StatefulSet['spec']>);
  const errs: FieldError[] = [];
  const pmp = str(s.podManagementPolicy);
  if (!pmp) errs.push(field.required(SPEC.child('podManagementPolicy'), ''));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(field.invalid(SPEC.child('podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = s.updateStrategy ?? {};
  const ut = str(us.type);
  if (!ut) errs.push(field.required(SPEC.child('updateStrategy'), ''));
  else if (ut === 'OnDelete') {
    if (us.rollingUpdate) errs.push(field.invalid(SPEC.child('updateStrategy', 'rollingUpdate'), goStsRollingUpdate(us.rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (ut === 'RollingUpdate') {
    if (us.rollingUpdate) {
      const rp = SPEC.child('updateStrategy', 'rollingUpdate');
      errs.push(...nonNegative(us.rollingUpdate.partition, rp.child('partition')));
      if (us.rollingUpdate.maxUnavailable !== undefined) {
        const mu = us.rollingUpdate.maxUnavailable;
        errs.push(...validatePositiveIntOrPercent(mu, rp.child('maxUnavailable')));
        if (intOrPercentValue(mu) === 0) errs.push(field.invalid(rp.child('maxUnavailable'), intOrStringValue(mu), 'cannot be 0'));
        errs.push(...isNotMoreThan100Percent(mu, rp.child('maxUnavailable')));
      }
    }
  } else {
    errs.push(
      field.invalid(
        SPEC.child('updateStrategy'),
        new GoValue(
          `apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(ut)}, RollingUpdate:${us.rollingUpdate ? '&' + String(goStsRollingUpdate(us.rollingUpdate)) : '(*apps.RollingUpdateStatefulSetStrategy)(nil)'}}`,
        ),
        "must be 'RollingUpdate' or 'OnDelete'",
      ),
    );
  }
  const rpol = s.persistentVolumeClaimRetentionPolicy;
  if (rpol) {
    for (const k of ['whenDeleted', 'whenScaled'] as const) {
      const v = rpol[k];
      if (v !== undefined && v !== 'Retain' && v !== 'Delete') {
        errs.push(field.notSupported(SPEC.child('persistentVolumeClaimRetentionPolicy', k), v, ['Retain', 'Delete']));
      }
    }
  }
  errs.push(...nonNegative(s.replicas, SPEC.child('replicas')));
  errs.push(...nonNegative(s.minReadySeconds, SPEC.child('minReadySeconds')));
  if (s.ordinals) errs.push(...nonNegative(s.ordinals.start, SPEC.child('ordinals.start')));
  if (!s.selector) errs.push(field.required(SPEC.child('selector'), ''));
  else {
    errs.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
    if (selectorIsEmpty(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'empty selector is invalid for statefulset'));
  }
  const tp = SPEC.child('template');
  if (!selectorParses(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), ''));
  else {
    // Upstream checks only the template's labels and annotations here, not its pod spec.
    errs.push(...templateMismatch(s.selector, s.template, tp));
    errs.push(...validatePodTemplateMeta(s.template, tp));
  }
  const rp = str(s.template?.spec?.restartPolicy);
  if (rp !== 'Always') errs.push(field.notSupported(tp.child('spec', 'restartPolicy'), rp, ['Always']));
  if (s.template?.spec?.activeDeadlineSeconds !== undefined && s.template.spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(tp.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errs;
}

export function validateStatefulSet(ss: StatefulSet): FieldError[] {
  return [...validateObjectMeta(ss.metadata, true, nameIsDNSLabel, META), ...validateStatefulSetSpec(ss)];
}

export function validateStatefulSetUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const errs = [...validateObjectMetaUpdate(ss.metadata, old.metadata, META), ...validateStatefulSetSpec(ss)];
  const mutable = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];
  const strip = (s: unknown): Record<string, unknown> => {
    const c = { ...((s ?? {}) as Record<string, unknown>) };
    for (const k of mutable) delete c[k];
    return c;
  };
  if (!deepEqual(strip(ss.spec), strip(old.spec))) {
    errs.push(
      field.forbidden(
        SPEC,
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(ss: StatefulSet, old: StatefulSet): FieldError[] {
  const p = Path.root('status');
  const st = (ss.status ?? {}) as unknown as Record<string, number | undefined>;
  const errs = validateObjectMetaUpdate(ss.metadata, old.metadata, META);
  errs.push(...validateReplicaStatus(st, ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'], p));
  const msg = 'cannot be greater than status.replicas';
  const replicas = st['replicas'] ?? 0;
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) {
    if ((st[k] ?? 0) > replicas) errs.push(field.invalid(p.child(k), st[k], msg));
  }
  if ((st['availableReplicas'] ?? 0) > (st['readyReplicas'] ?? 0)) errs.push(field.invalid(p.child('availableReplicas'), st['availableReplicas'], 'cannot be greater than status.readyReplicas'));
  return errs;
}

// ---- DaemonSet ----

function validateDaemonSetSpec(ds: DaemonSet): FieldError[] {
  const s = ds.spec ?? ({} as NonNullable<DaemonSet['spec']>);
  const errs = validateLabelSelector(s.selector, SPEC.child('selector'));
  const tp = SPEC.child('template');
  if (selectorParses(s.selector) && !(s.selector && selectorIsEmpty(s.selector)) && !selectorMatches(s.selector, s.template?.metadata?.labels)) {
    errs.push(field.invalid(tp.child('metadata', 'labels'), goStringMap(s.template?.metadata?.labels), '`selector` does not match template `labels`'));
  }
  if (s.selector && selectorIsEmpty(s.selector)) errs.push(field.invalid(SPEC.child('selector'), goLabelSelector(s.selector), 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(s.template, tp));
  const rp = str(s.template?.spec?.restartPolicy);
  if (rp !== 'Always') errs.push(field.notSupported(tp.child('spec', 'restartPolicy'), rp, ['Always']));
  if (s.template?.spec?.activeDeadlineSeconds !== undefined && s.template.spec.activeDeadlineSeconds !== null) {
    errs.push(field.forbidden(tp.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errs.push(...nonNegative(s.minReadySeconds, SPEC.child('minReadySeconds')));
  const us = s.updateStrategy ?? {};
  const up = SPEC.child('updateStrategy');
  if (us.type === 'RollingUpdate') {
    const ru = us.rollingUpdate;
    if (!ru) errs.push(field.required(up.child('rollingUpdate'), ''));
    else {
      const rp2 = up.child('rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, rp2.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, rp2.child('maxSurge')));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, rp2.child('maxUnavailable')));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, rp2.child('maxSurge')));
      const hasU = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasS = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasU && hasS) errs.push(field.invalid(rp2.child('maxSurge'), intOrStringValue(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasU && !hasS) errs.push(field.required(rp2.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(
      field.notSupported(up, new GoValue(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(str(us.type))}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`), [
        'RollingUpdate',
        'OnDelete',
      ]),
    );
  }
  errs.push(...nonNegative(s.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSet(ds: DaemonSet): FieldError[] {
  return [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain, META), ...validateDaemonSetSpec(ds)];
}

export function validateDaemonSetUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  return [...validateObjectMetaUpdate(ds.metadata, old.metadata, META), ...validateDaemonSetSpec(ds), ...selectorImmutable(ds.spec?.selector, old.spec?.selector)];
}

export function validateDaemonSetStatusUpdate(ds: DaemonSet, old: DaemonSet): FieldError[] {
  const p = Path.root('status');
  const st = (ds.status ?? {}) as unknown as Record<string, number | undefined>;
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata, META);
  errs.push(
    ...validateReplicaStatus(
      st,
      ['numberMisscheduled', 'currentNumberScheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
      p,
    ),
  );
  return errs;
}

// ---- ControllerRevision ----

export function validateControllerRevision(cr: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain, META);
  if (cr.data === undefined || cr.data === null) errs.push(field.required(Path.root('data'), 'data is mandatory'));
  errs.push(...nonNegative(cr.revision, Path.root('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(cr: ControllerRevision, old: ControllerRevision): FieldError[] {
  const errs = [...validateObjectMetaUpdate(cr.metadata, old.metadata, META), ...validateControllerRevision(cr)];
  if (!deepEqual(cr.data ?? null, old.data ?? null)) errs.push(field.invalid(Path.root('data'), JSON.stringify(cr.data ?? null), fieldImmutableErrorMsg));
  return errs;
}

export const validators: [string, KindValidator][] = [
  ['apps/Deployment', kind(validateDeployment, validateDeploymentUpdate, validateDeploymentStatusUpdate)],
  ['apps/ReplicaSet', kind(validateReplicaSet, validateReplicaSetUpdate, validateReplicaSetStatusUpdate)],
  ['apps/StatefulSet', kind(validateStatefulSet, validateStatefulSetUpdate, validateStatefulSetStatusUpdate)],
  ['apps/DaemonSet', kind(validateDaemonSet, validateDaemonSetUpdate, validateDaemonSetStatusUpdate)],
  ['apps/ControllerRevision', kind(validateControllerRevision, validateControllerRevisionUpdate)],
];
