/**
 * LimitRanger (upstream plugin/pkg/admission/limitranger): on pod creation, containers get the
 * namespace's LimitRange defaults (`default` -> limits, `defaultRequest` -> requests; recorded
 * in the `kubernetes.io/limit-ranger` annotation), then every Container and Pod item's min, max
 * and maxLimitRequestRatio is enforced with upstream's messages. Pod updates are skipped, as
 * upstream: containers' resources cannot change through an update.
 */
import type { Container, LimitRange, LimitRangeItem, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity, type Quantity } from '../../api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden, isPod, podOf } from './util.js';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';
type ResourceList = Record<string, string>;

export function limitRanger(objects: AdmissionObjects): AdmissionPlugin {
  const ranges = (ns: string): LimitRange[] => objects.list<LimitRange>('', 'limitranges', ns);
  const applies = (a: AdmissionAttributes): boolean => a.operation === 'CREATE' && isPod(a);
  return {
    name: 'LimitRanger',
    admit(a) {
      if (!applies(a)) return;
      const pod = podOf(a);
      const notes: string[] = [];
      for (const lr of ranges(a.namespace)) {
        const requests: ResourceList = {};
        const limits: ResourceList = {};
        for (const item of lr.spec?.limits ?? []) {
          if (item.type !== 'Container') continue;
          Object.assign(requests, item.defaultRequest ?? {});
          Object.assign(limits, item.default ?? {});
        }
        if (!Object.keys(requests).length && !Object.keys(limits).length) continue;
        for (const c of pod.spec!.containers) notes.push(...merge(c, requests, limits, 'container'));
        for (const c of pod.spec!.initContainers ?? []) notes.push(...merge(c, requests, limits, 'init container'));
      }
      if (notes.length) {
        const meta = (pod.metadata ??= {});
        meta.annotations = { ...(meta.annotations ?? {}), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
      }
    },
    validate(a) {
      if (!applies(a)) return;
      const pod = podOf(a);
      const errs: string[] = [];
      for (const lr of ranges(a.namespace)) {
        for (const item of lr.spec?.limits ?? []) {
          if (item.type === 'Container') {
            for (const c of [...pod.spec!.containers, ...(pod.spec!.initContainers ?? [])]) errs.push(...enforce(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}));
          } else if (item.type === 'Pod') {
            errs.push(...enforce(item, 'Pod', podTotal(pod, 'requests'), podTotal(pod, 'limits')));
          }
        }
      }
      // utilerrors.NewAggregate: one error alone, several in brackets.
      if (errs.length === 1) throw admissionForbidden(a, errs[0]!);
      if (errs.length > 1) throw admissionForbidden(a, `[${errs.join(', ')}]`);
    },
  };
}

/** merge fills what a container lacks and returns the annotation notes for it. */
function merge(c: Container, requests: ResourceList, limits: ResourceList, prefix: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(limits)) {
    if ((res.limits ??= {})[k] === undefined) {
      res.limits[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(requests)) {
    if ((res.requests ??= {})[k] === undefined) {
      res.requests[k] = v;
      setRequests.push(k);
    }
  }
  if (res.limits && !Object.keys(res.limits).length) delete res.limits;
  if (res.requests && !Object.keys(res.requests).length) delete res.requests;
  const notes: string[] = [];
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name}`);
  return notes;
}

/** podTotal sums the containers' values and takes the max with each init container, as upstream's podRequests/podLimits. */
function podTotal(pod: Pod, kind: 'requests' | 'limits'): ResourceList {
  const sum = new Map<string, Quantity>();
  for (const c of pod.spec!.containers) {
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) sum.set(k, sum.has(k) ? sum.get(k)!.add(parseQuantity(v)) : parseQuantity(v));
  }
  for (const c of pod.spec!.initContainers ?? []) {
    for (const [k, v] of Object.entries(c.resources?.[kind] ?? {})) {
      const q = parseQuantity(v);
      const cur = sum.get(k);
      if (!cur || q.cmp(cur) > 0) sum.set(k, q);
    }
  }
  return Object.fromEntries([...sum].map(([k, q]) => [k, q.toString()]));
}

/** enforce checks one LimitRange item against observed requests and limits. */
function enforce(item: LimitRangeItem, type: string, req: ResourceList, lim: ResourceList): string[] {
  const errs: string[] = [];
  for (const [r, enforced] of Object.entries(item.min ?? {})) {
    const e = parseQuantity(enforced);
    if (req[r] === undefined) errs.push(`minimum ${r} usage per ${type} is ${enforced}.  No request is specified`);
    else if (parseQuantity(req[r]!).cmp(e) < 0) errs.push(`minimum ${r} usage per ${type} is ${enforced}, but request is ${req[r]}`);
    else if (lim[r] !== undefined && parseQuantity(lim[r]!).cmp(e) < 0) errs.push(`minimum ${r} usage per ${type} is ${enforced}, but limit is ${lim[r]}`);
  }
  for (const [r, enforced] of Object.entries(item.max ?? {})) {
    const e = parseQuantity(enforced);
    if (lim[r] === undefined) errs.push(`maximum ${r} usage per ${type} is ${enforced}.  No limit is specified`);
    else if (parseQuantity(lim[r]!).cmp(e) > 0) errs.push(`maximum ${r} usage per ${type} is ${enforced}, but limit is ${lim[r]}`);
    else if (req[r] !== undefined && parseQuantity(req[r]!).cmp(e) > 0) errs.push(`maximum ${r} usage per ${type} is ${enforced}, but request is ${req[r]}`);
  }
  for (const [r, enforced] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const rq = req[r] === undefined ? 0 : parseQuantity(req[r]!).milliValue();
    const lm = lim[r] === undefined ? 0 : parseQuantity(lim[r]!).milliValue();
    if (rq === 0) errs.push(`${r} max limit to request ratio per ${type} is ${enforced}, but no request is specified or request is 0`);
    else if (lm === 0) errs.push(`${r} max limit to request ratio per ${type} is ${enforced}, but no limit is specified or limit is 0`);
    else if (lm / rq > parseQuantity(enforced).milliValue() / 1000) errs.push(`${r} max limit to request ratio per ${type} is ${enforced}, but provided ratio is ${(lm / rq).toFixed(6)}`);
  }
  return errs;
}
