/**
 * ResourceQuota admission (upstream plugin/pkg/admission/resourcequota): a creation is charged
 * to every quota of its namespace that limits something it uses. The charge is written into the
 * quota's status.used at once (optimistic concurrency, retried on conflict), so concurrent
 * creations cannot both take the last unit; the resourcequota controller later recomputes
 * status.used from what exists, releasing deleted objects' usage.
 */
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../../api/errors.js';
import { addUsage, fromList, isScoped, mask, missingComputeResources, prettyPrint, quotaCoversPod, toList, usageOf } from '../../api/quota.js';
import type { AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';
import { admissionForbidden } from './util.js';

/** QuotaStatusWriter writes a quota's status; a stale metadata.resourceVersion throws a Conflict StatusError. */
export type QuotaStatusWriter = (quota: ResourceQuota) => Promise<void>;

const MAX_RETRIES = 5;

export function resourceQuotaAdmission(objects: AdmissionObjects, writeStatus: QuotaStatusWriter): AdmissionPlugin {
  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (a.operation !== 'CREATE' || a.subresource !== '' || !a.resource.namespaced || !a.namespace || !a.object) return;
      const cached = objects.list<ResourceQuota>('', 'resourcequotas', a.namespace);
      if (!cached.length) return;
      const isPod = a.resource.group === '' && a.resource.resource === 'pods';
      const usage = usageOf(a.resource.group, a.resource.resource, a.object);
      for (const c of cached) {
        const name = c.metadata!.name!;
        // Only quotas that could limit this object cost a storage read.
        if (!Object.keys(c.spec?.hard ?? {}).some((n) => usage.has(n))) continue;
        for (let attempt = 0; ; attempt++) {
          // Storage's copy, not the cache's: its resourceVersion is the precondition of the charge.
          const q = await objects.getLive<ResourceQuota>('', 'resourcequotas', a.namespace, name);
          if (!q) break;
          if (isScoped(q) && (!isPod || !quotaCoversPod(q, a.object as Pod))) break;
          const hardNames = Object.keys(q.status?.hard ?? q.spec?.hard ?? {});
          const requested = mask(usage, hardNames);
          if (!requested.size) break;
          if (isPod) {
            const missing = missingComputeResources(a.object as Pod, hardNames);
            if (missing) throw admissionForbidden(a, `failed quota: ${name}: ${missing}`);
          }
          const hard = fromList(q.status?.hard);
          const used = fromList(q.status?.used);
          const unknown = [...requested.keys()].filter((n) => !hard.has(n) || !used.has(n));
          if (unknown.length) throw admissionForbidden(a, `status unknown for quota: ${name}, resources: ${[...requested.keys()].sort().join(',')}`);
          const next = addUsage(used, requested);
          const exceeded = [...requested.keys()].filter((n) => next.get(n)!.cmp(hard.get(n)!) > 0);
          if (exceeded.length) {
            throw admissionForbidden(a, `exceeded quota: ${name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
          }
          if (a.dryRun) break;
          try {
            await writeStatus({ ...q, status: { ...q.status, used: toList(next) } });
            break;
          } catch (err) {
            if (!isStatusError(err, 'Conflict') || attempt >= MAX_RETRIES) throw err;
          }
        }
      }
    },
  };
}
