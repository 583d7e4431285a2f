/**
 * Priority admission (upstream plugin/pkg/admission/priority): a pod's spec.priority and
 * preemptionPolicy come from its PriorityClass (or the globalDefault class, or 0 and
 * PreemptLowerPriority when there is none); at most one class may be the global default. The
 * two built-in system classes are created at start-up by {@link systemPriorityClasses}.
 */
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden, isPod, podOf } from './util.js';

/** systemPriorityClasses are upstream's built-in classes (scheduling.SystemPriorityClasses). */
export function systemPriorityClasses(): PriorityClass[] {
  return [
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-node-critical' },
      value: 2000001000,
      description: 'Used for system critical pods that must not be moved from their current node.',
    },
    {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name: 'system-cluster-critical' },
      value: 2000000000,
      description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    },
  ];
}

export function priorityAdmission(objects: AdmissionObjects): AdmissionPlugin {
  const defaultClass = (): PriorityClass | undefined => {
    let best: PriorityClass | undefined;
    for (const pc of objects.list<PriorityClass>('scheduling.k8s.io', 'priorityclasses', '')) {
      if (pc.globalDefault && (!best || pc.value > best.value)) best = pc;
    }
    return best;
  };
  return {
    name: 'Priority',
    async admit(a) {
      if (a.operation !== 'CREATE' || !isPod(a)) return;
      const spec = podOf(a).spec!;
      let priority = 0;
      let policy = 'PreemptLowerPriority';
      if (!spec.priorityClassName) {
        const pc = defaultClass();
        if (pc) {
          spec.priorityClassName = pc.metadata!.name!;
          priority = pc.value;
          policy = pc.preemptionPolicy ?? policy;
        }
      } else {
        const pc = await objects.get<PriorityClass>('scheduling.k8s.io', 'priorityclasses', '', spec.priorityClassName);
        if (!pc) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
        priority = pc.value;
        policy = pc.preemptionPolicy ?? policy;
      }
      if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
        throw admissionForbidden(a, `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
      }
      spec.priority = priority;
      if (spec.preemptionPolicy && spec.preemptionPolicy !== policy) {
        throw admissionForbidden(a, `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
      }
      spec.preemptionPolicy = policy;
    },
    validate(a) {
      // Only one class may be the global default.
      if (a.resource.group !== 'scheduling.k8s.io' || a.resource.resource !== 'priorityclasses' || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
      const pc = a.object as PriorityClass | undefined;
      if (!pc?.globalDefault) return;
      const other = objects.list<PriorityClass>('scheduling.k8s.io', 'priorityclasses', '').find((x) => x.globalDefault && x.metadata?.name !== pc.metadata?.name);
      if (other) throw admissionForbidden(a, `PriorityClass ${other.metadata!.name} is already marked as default. Only one default can exist`);
    },
  };
}
