/**
 * Resource names and quantities as upstream's core validation (validateResourceRequirements,
 * ValidateResourceQuantityValue) and core/helper (standard, native, extended resource names).
 */
import { field, type FieldError, type Path } from '../field.js';
import { Quantity } from '../quantity.js';
import { goQuantity } from './govalue.js';
import { isQualifiedName } from './names.js';

const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
  'configmaps',
]);
const integerResources = new Set([
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export const isHugePageResourceName = (name: string): boolean => name.startsWith('hugepages-');
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
const isPrefixedNative = (name: string): boolean => name.includes('kubernetes.io/');
export const isExtendedResourceName = (name: string): boolean =>
  !isNative(name) && !name.startsWith('requests.') && isQualifiedName('requests.' + name).length === 0;
/** isOvercommitAllowed: native resources other than hugepages may have requests below limits (core/helper). */
export const isOvercommitAllowed = (name: string): boolean => isNative(name) && !isHugePageResourceName(name);
const isStandardResourceName = (name: string): boolean => standardResources.has(name) || isHugePageResourceName(name) || /^(requests|limits)\.hugepages-/.test(name);
const isIntegerResourceName = (name: string): boolean => integerResources.has(name) || isExtendedResourceName(name);

/** validateResourceName: a qualified name; unprefixed names must be standard. */
export function validateResourceName(name: string, p: Path): FieldError[] {
  const errs = isQualifiedName(name).map((m) => field.invalid(p, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) errs.push(field.invalid(p, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

/** validateContainerResourceName: resource names a container may request. */
export function validateContainerResourceName(name: string, p: Path): FieldError[] {
  const errs = validateResourceName(name, p);
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePageResourceName(name)) errs.push(field.invalid(p, name, 'must be a standard resource for containers'));
  } else if (!isPrefixedNative(name) && !isExtendedResourceName(name)) {
    errs.push(field.invalid(p, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** parseQuantityField parses a quantity, reporting a malformed one as an Invalid error. */
export function parseQuantityField(v: unknown, p: Path, errs: FieldError[]): Quantity | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') {
    errs.push(field.invalid(p, v, 'must be a quantity'));
    return undefined;
  }
  try {
    return Quantity.parse(v);
  } catch (e) {
    errs.push(field.invalid(p, v, (e as Error).message));
    return undefined;
  }
}

/** validateResourceQuantityValue: non-negative, and whole for integer resources. */
export function validateResourceQuantityValue(name: string, q: Quantity, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (q.cmp(Quantity.parse('0')) < 0) errs.push(field.invalid(p, q.toString(), 'must be greater than or equal to 0'));
  // Upstream passes the Quantity itself here (printed through String, unquoted), its string form above.
  if (isIntegerResourceName(name) && q.milliValue() % 1000 !== 0) errs.push(field.invalid(p, goQuantity(q), 'must be an integer'));
  return errs;
}

/**
 * validateResourceRequirements checks a container's resources: names, quantities, and
 * requests ≤ limits (equal for resources that cannot be overcommitted).
 */
export function validateResourceRequirements(
  req: { limits?: Record<string, unknown>; requests?: Record<string, unknown>; claims?: { name?: string; request?: string }[] } | undefined,
  p: Path,
  podClaimNames: ReadonlySet<string>,
  nameFn: (name: string, p: Path) => FieldError[] = validateContainerResourceName,
): FieldError[] {
  const errs: FieldError[] = [];
  if (!req) return errs;
  const limPath = p.child('limits');
  const reqPath = p.child('requests');
  const limits = new Map<string, Quantity>();
  let limCPUOrMem = false;
  let reqCPUOrMem = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(req.limits ?? {})) {
    const fp = limPath.key(name);
    errs.push(...nameFn(name, fp));
    const q = parseQuantityField(raw, fp, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, fp));
    limits.set(name, q);
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCPUOrMem = true;
  }
  for (const [name, raw] of Object.entries(req.requests ?? {})) {
    const fp = reqPath.key(name);
    errs.push(...nameFn(name, fp));
    const q = parseQuantityField(raw, fp, errs);
    if (!q) continue;
    errs.push(...validateResourceQuantityValue(name, q, fp));
    const lim = limits.get(name);
    if (lim) {
      if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(field.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(field.invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(field.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCPUOrMem = true;
  }
  if (!limCPUOrMem && !reqCPUOrMem && hugePages) errs.push(field.forbidden(p, 'HugePages require cpu or memory'));
  const seen = new Set<string>();
  (req.claims ?? []).forEach((c, i) => {
    const name = c.name ?? '';
    if (!name) {
      errs.push(field.required(p.child('claims').index(i), ''));
      return;
    }
    const key = c.request ? `${name}/${c.request}` : name;
    if (seen.has(key)) errs.push(field.duplicate(p.child('claims').index(i), key));
    seen.add(key);
    if (!podClaimNames.has(name)) {
      const e = field.notFound(p.child('claims').index(i), name);
      e.detail =
        'must be one of the names in pod.spec.resourceClaims' + (podClaimNames.size === 0 ? ' which is empty' : ': ' + [...podClaimNames].sort().join(', '));
      errs.push(e);
    }
  });
  return errs;
}
