/** Helpers shared by the admission plugins. */
import { randomInt } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { forbidden } from '../../api/errors.js';
import type { AdmissionAttributes } from '../pipeline.js';

/** isPodCreate is true for a CREATE of a pod itself (not a subresource). */
export function isPod(a: AdmissionAttributes): boolean {
  return a.resource.group === '' && a.resource.resource === 'pods' && a.subresource === '' && a.object !== undefined;
}

export function podOf(a: AdmissionAttributes): Pod {
  return a.object as Pod;
}

/**
 * admissionForbidden is upstream's admission.NewForbidden: the name is the object's name, or
 * its generateName while the name is still to be generated.
 */
export function admissionForbidden(a: AdmissionAttributes, reason: string): Error {
  const meta = a.object?.metadata ?? a.oldObject?.metadata;
  const name = meta?.name || meta?.generateName || a.name || 'Unknown';
  return forbidden({ group: a.resource.group, resource: a.resource.resource }, name, reason);
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** randomSuffix is upstream's utilrand.String: `n` characters without vowels or confusables. */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}
