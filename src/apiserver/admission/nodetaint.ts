/**
 * TaintNodesByCondition (upstream plugin/pkg/admission/nodetaint): a Node is created with the
 * `node.kubernetes.io/not-ready:NoSchedule` taint (unless it has a taint of that key and
 * effect), so no pod is scheduled to it before its kubelet reports Ready; the node lifecycle
 * controller removes the taint once the Ready condition is True.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import { TAINT_NODE_NOT_READY } from './tolerations.js';

export function taintNodesByCondition(): AdmissionPlugin {
  return {
    name: 'TaintNodesByCondition',
    admit(a) {
      if (a.operation !== 'CREATE' || a.resource.group !== '' || a.resource.resource !== 'nodes' || a.subresource !== '' || !a.object) return;
      const node = a.object as Node;
      const have = node.spec?.taints ?? [];
      // upstream MatchTaint: the same key and effect (the value does not count).
      if (have.some((h) => h.key === TAINT_NODE_NOT_READY && h.effect === 'NoSchedule')) return;
      node.spec = { ...node.spec, taints: [...have, { key: TAINT_NODE_NOT_READY, effect: 'NoSchedule' }] };
    },
  };
}
