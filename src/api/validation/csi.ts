/** CSI driver names, shared by pod and persistent volume sources and the storage.k8s.io kinds. */
import { field, type FieldError, type Path } from '../field.js';
import { byteLength } from './meta.js';
import { isDNS1123Subdomain } from './names.js';

/**
 * validateCSIDriverName is core validation's ValidateCSIDriverName: required, at most 63 bytes,
 * and (lower-cased) a DNS-1123 subdomain; the bad value printed is the name as given. An empty
 * name fails both the required and the subdomain check, as upstream's does.
 */
export function validateCSIDriverName(name: string, p: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (name.length === 0) errs.push(field.required(p, ''));
  if (byteLength(name) > 63) errs.push(field.tooLong(p, name, 63));
  for (const m of isDNS1123Subdomain(name.toLowerCase())) errs.push(field.invalid(p, name, m));
  return errs;
}
