/**
 * DefaultTolerationSeconds (upstream plugin/pkg/admission/defaulttolerationseconds): a pod that
 * does not tolerate the not-ready and unreachable NoExecute taints gets tolerations for them
 * for 300 s, so the node lifecycle controller evicts it five minutes after its node fails.
 */
import type { Toleration } from 'kubernetes-types/core/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import { isPod, podOf } from './util.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';

export function defaultTolerationSeconds(notReadySeconds = 300, unreachableSeconds = 300): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !isPod(a)) return;
      const spec = podOf(a).spec!;
      const tolerations = spec.tolerations ?? [];
      // An empty key (with Exists) or an empty effect already covers the taint.
      const tolerates = (key: string): boolean => tolerations.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
      const add: Toleration[] = [];
      if (!tolerates(TAINT_NODE_NOT_READY)) add.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: notReadySeconds });
      if (!tolerates(TAINT_NODE_UNREACHABLE)) add.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: unreachableSeconds });
      if (add.length) spec.tolerations = [...tolerations, ...add];
    },
  };
}
