/**
 * RuntimeClass admission (upstream plugin/pkg/admission/runtimeclass): a pod created with
 * spec.runtimeClassName gets its RuntimeClass's overhead.podFixed as spec.overhead and the
 * class's scheduling nodeSelector and tolerations merged into its own. A class that does not
 * exist, a nodeSelector that conflicts, or an overhead the pod set that differs from the
 * class's (or an overhead without a class that defines one) is Forbidden, with upstream's words.
 */
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { parseQuantity } from '../../api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden, isPod, podOf } from './util.js';

type ResourceList = Record<string, string>;

/** sameResources is Semantic.DeepEqual on ResourceLists: the same names with equal quantities. */
function sameResources(a: ResourceList | undefined, b: ResourceList | undefined): boolean {
  if (!a || !b) return !a && !b;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => {
    const y = b[k];
    if (y === undefined) return false;
    try {
      return parseQuantity(a[k]!).equal(parseQuantity(y));
    } catch {
      return a[k] === y;
    }
  });
}

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '') && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '') && a.tolerationSeconds === b.tolerationSeconds;
}

/** isSuperset is upstream's: ss tolerates every taint t tolerates. */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  // An empty key with Exists matches every key.
  if ((t.key ?? '') !== (ss.key ?? '') && ((ss.key ?? '') !== '' || ss.operator !== 'Exists')) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? '') !== (ss.effect ?? '') && (ss.effect ?? '') !== '') return false;
  if (ss.effect === 'NoExecute' && ss.tolerationSeconds !== undefined && ss.tolerationSeconds !== null) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  const op = ss.operator ?? '';
  if (op === 'Equal' || op === '') return (t.operator ?? 'Equal') === 'Equal' && (t.value ?? '') === (ss.value ?? '');
  return op === 'Exists';
}

/** mergeTolerations is upstream's MergeTolerations: both lists, without the ones another covers. */
export function mergeTolerations(first: readonly Toleration[], second: readonly Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    // Of two equal tolerations the first is kept; a strictly wider later one replaces t.
    if (all.slice(i + 1).some((t2) => !sameToleration(t, t2) && isSuperset(t2, t))) return;
    merged.push(t);
  });
  return merged;
}

export function runtimeClassAdmission(objects: AdmissionObjects): AdmissionPlugin {
  const applies = (a: AdmissionAttributes): boolean => a.operation === 'CREATE' && isPod(a);
  /** classOf looks the pod's class up (the cache, then storage); undefined when the pod names none. */
  const classOf = async (a: AdmissionAttributes, pod: Pod): Promise<RuntimeClass | undefined> => {
    const name = pod.spec?.runtimeClassName;
    if (name === undefined || name === null) return undefined;
    const rc = await objects.get<RuntimeClass>('node.k8s.io', 'runtimeclasses', '', name);
    if (!rc) throw admissionForbidden(a, `pod rejected: RuntimeClass ${JSON.stringify(name)} not found`);
    return rc;
  };
  const overheadMismatch = (a: AdmissionAttributes): Error => admissionForbidden(a, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
  return {
    name: 'RuntimeClass',
    async admit(a) {
      if (!applies(a)) return;
      const pod = podOf(a);
      const rc = await classOf(a, pod);
      if (!rc) return;
      const spec = (pod.spec ??= { containers: [] });
      if (rc.overhead) {
        const fixed = rc.overhead.podFixed as ResourceList | undefined;
        if (spec.overhead && !sameResources(fixed, spec.overhead as ResourceList)) throw overheadMismatch(a);
        if (fixed) spec.overhead = { ...fixed };
        else delete spec.overhead;
      }
      const sched = rc.scheduling;
      if (!sched) return;
      const selector = sched.nodeSelector ?? {};
      if (spec.nodeSelector) {
        for (const [k, v] of Object.entries(selector)) {
          const podValue = spec.nodeSelector[k];
          if (podValue !== undefined && podValue !== v) throw admissionForbidden(a, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${podValue}`);
        }
        spec.nodeSelector = { ...spec.nodeSelector, ...selector };
      } else if (sched.nodeSelector) {
        spec.nodeSelector = { ...sched.nodeSelector };
      }
      const merged = mergeTolerations(spec.tolerations ?? [], sched.tolerations ?? []);
      if (merged.length) spec.tolerations = merged;
    },
    async validate(a) {
      if (!applies(a)) return;
      const pod = podOf(a);
      const rc = await classOf(a, pod);
      const overhead = pod.spec?.overhead as ResourceList | undefined;
      if (rc?.overhead) {
        if (!sameResources(rc.overhead.podFixed as ResourceList | undefined, overhead)) throw overheadMismatch(a);
      } else if (overhead) {
        throw admissionForbidden(a, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
      }
    },
  };
}
