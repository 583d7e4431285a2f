/**
 * DefaultIngressClass (upstream plugin/pkg/admission/network/defaultingressclass): an Ingress
 * created without spec.ingressClassName and without the legacy `kubernetes.io/ingress.class`
 * annotation gets the default IngressClass (annotation
 * `ingressclass.kubernetes.io/is-default-class: "true"`); with several, the newest wins.
 */
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { newestDefault } from './storageclass.js';

const IS_DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function defaultIngressClass(objects: AdmissionObjects): AdmissionPlugin {
  return {
    name: 'DefaultIngressClass',
    admit(a) {
      if (a.operation !== 'CREATE' || a.resource.group !== 'networking.k8s.io' || a.resource.resource !== 'ingresses' || a.subresource !== '' || !a.object) return;
      const ing = a.object as Ingress;
      if ((ing.spec?.ingressClassName !== undefined && ing.spec.ingressClassName !== null) || ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION] !== undefined) return;
      const def = newestDefault(objects.list<IngressClass>('networking.k8s.io', 'ingressclasses', ''), (c) => c.metadata?.annotations?.[IS_DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
      if (!def) return;
      ing.spec = { ...ing.spec, ingressClassName: def.metadata!.name! };
    },
  };
}
