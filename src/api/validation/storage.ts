/**
 * Validation of storage.k8s.io's CSI kinds as upstream v1.32's pkg/apis/storage/validation and the
 * registry strategies that call it (pkg/registry/storage/<kind>/strategy.go): CSIDriver, CSINode,
 * CSIStorageCapacity and VolumeAttachment (with its status). StorageClass lives in misc.ts.
 *
 * Upstream strategies run the kind's create validation again inside the update validation, so
 * an update reports a spec error twice (two Status causes; the message and kubectl show it
 * once); the functions here keep that doubling so the causes match kube-apiserver's.
 *
 * Gated fields newer than v1.32 (CSIDriver nodeAllocatableUpdatePeriodSeconds, VolumeError
 * errorCode, the MutableCSINodeAllocatableCount update rule) are not checked: v1.32 does not
 * know them.
 */
import type { LabelSelector, ObjectMeta } from 'kubernetes-types/meta/v1.js';
import type { CSIDriver, CSINode, CSINodeDriver, CSIStorageCapacity, VolumeAttachment, VolumeError } from 'kubernetes-types/storage/v1.js';
import { field, type FieldError, Path } from '../field.js';
import { validatePersistentVolumeSpec } from './core.js';
import { validateCSIDriverName } from './csi.js';
import { GoValue, goLabelSelector, goNamedStringSlice, goStringSliceText } from './govalue.js';
import { kind, type KindValidator } from './kind.js';
import { byteLength, fieldImmutableErrorMsg, isNegativeErrorMsg, str, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { parseQuantityField } from './resources.js';

const META = Path.root('metadata');
const SPEC = Path.root('spec');

const metaUpdate = (n: { metadata?: ObjectMeta }, o: { metadata?: ObjectMeta }): FieldError[] => validateObjectMetaUpdate(n.metadata, o.metadata, META);

const set = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * semanticEqual is apiequality.Semantic.DeepEqual on JSON values: a nil and an empty slice are
 * equal (as are a missing field and null); everything else compares deeply.
 */
function semanticEqual(a: unknown, b: unknown): boolean {
  const nil = (v: unknown): boolean => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (nil(a) || nil(b)) return nil(a) && nil(b);
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  if (typeof a === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) if (!semanticEqual(ao[k], bo[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * goPointer renders a non-nil pointer field inside a %#v struct. Go prints its address, which
 * differs on every request upstream; a fixed one keeps our messages stable.
 */
const goPointer = (goType: string, v: unknown): string => (set(v) ? `(*${goType})(0xc000000000)` : `(*${goType})(nil)`);

const qualifiedNameErrors = (v: string, p: Path): FieldError[] => isQualifiedName(v).map((m) => field.invalid(p, v, m));

// ---- CSIDriver ----

const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType'];
const lifecycleModes = ['Persistent', 'Ephemeral'];
const tokenMinSeconds = 10 * 60;
const tokenMaxSeconds = 2 ** 32;

function validateCSIDriverSpec(spec: NonNullable<CSIDriver['spec']> | undefined, p: Path): FieldError[] {
  const s = spec ?? ({} as NonNullable<CSIDriver['spec']>);
  const errs: FieldError[] = [];
  // Upstream's path says attachedRequired (sic) for the attachRequired field.
  if (!set(s.attachRequired)) errs.push(field.required(p.child('attachedRequired'), ''));
  if (!set(s.podInfoOnMount)) errs.push(field.required(p.child('podInfoOnMount'), ''));
  if (!set(s.storageCapacity)) errs.push(field.required(p.child('storageCapacity'), ''));
  if (set(s.fsGroupPolicy) && !fsGroupPolicies.includes(str(s.fsGroupPolicy))) errs.push(field.notSupported(p.child('fsGroupPolicy'), s.fsGroupPolicy, fsGroupPolicies));
  const audiences = new Set<string>();
  (s.tokenRequests ?? []).forEach((tr, i) => {
    const tp = p.child('tokenRequests').index(i);
    const audience = str(tr.audience);
    if (audiences.has(audience)) {
      errs.push(field.duplicate(tp.child('audience'), audience));
      return;
    }
    audiences.add(audience);
    const exp = tr.expirationSeconds;
    if (!set(exp)) return;
    if (exp! < tokenMinSeconds) errs.push(field.invalid(tp.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
    if (exp! > tokenMaxSeconds) errs.push(field.invalid(tp.child('expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
  });
  for (const mode of s.volumeLifecycleModes ?? []) {
    if (!lifecycleModes.includes(mode)) errs.push(field.notSupported(p.child('volumeLifecycleModes'), mode, lifecycleModes));
  }
  // Required while the SELinuxMountReadWriteOncePod gate is on (beta, on by default in v1.32).
  if (!set(s.seLinuxMount)) errs.push(field.required(p.child('seLinuxMount'), ''));
  return errs;
}

/** validateCSIDriver is ValidateCSIDriver: cluster-scoped DNS-subdomain name, then the spec. */
export function validateCSIDriver(d: CSIDriver): FieldError[] {
  return [...validateObjectMeta(d.metadata, false, nameIsDNSSubdomain, META), ...validateCSIDriverSpec(d.spec, SPEC)];
}

/**
 * validateCSIDriverUpdate is the strategy's ValidateUpdate: ValidateCSIDriver(new), then
 * ValidateCSIDriverUpdate (metadata update, the spec again, attachRequired and
 * volumeLifecycleModes immutable).
 */
export function validateCSIDriverUpdate(d: CSIDriver, old: CSIDriver): FieldError[] {
  const errs = [...validateCSIDriver(d), ...metaUpdate(d, old), ...validateCSIDriverSpec(d.spec, SPEC)];
  const attach = d.spec?.attachRequired;
  if (!semanticEqual(attach, old.spec?.attachRequired)) errs.push(field.invalid(SPEC.child('attachedRequired'), attach ?? null, fieldImmutableErrorMsg));
  const modes = d.spec?.volumeLifecycleModes;
  if (!semanticEqual(modes, old.spec?.volumeLifecycleModes)) {
    errs.push(field.invalid(SPEC.child('volumeLifecycleModes'), goNamedStringSlice('storage.VolumeLifecycleMode', modes), fieldImmutableErrorMsg));
  }
  return errs;
}

// ---- CSINode ----

/** CSI node IDs may be this long (upstream allows the longer limit on create and update since v1.22). */
const csiNodeIDMaxLength = 256;

function validateCSINodeDriver(d: CSINodeDriver, seen: Set<string>, p: Path): FieldError[] {
  const name = str(d.name);
  const errs = validateCSIDriverName(name, p.child('name'));
  const nodeID = str(d.nodeID);
  if (nodeID.length === 0) errs.push(field.required(p.child('nodeID'), ''));
  if (byteLength(nodeID) > csiNodeIDMaxLength) errs.push(field.invalid(p.child('nodeID'), nodeID, `must be ${csiNodeIDMaxLength} characters or less`));
  const count = d.allocatable?.count;
  if (set(count) && count! < 0) errs.push(field.invalid(p.child('allocatable', 'count'), count, isNegativeErrorMsg));
  if (seen.has(name)) errs.push(field.duplicate(p.child('name'), name));
  seen.add(name);
  // Topology key errors point at the driver itself, as upstream's do.
  const keys = new Set<string>();
  for (const raw of d.topologyKeys ?? []) {
    const key = str(raw);
    if (key.length === 0) errs.push(field.required(p, ''));
    if (keys.has(key)) errs.push(field.duplicate(p, key));
    keys.add(key);
    errs.push(...qualifiedNameErrors(key, p));
  }
  return errs;
}

/** validateCSINode is ValidateCSINode (AllowLongNodeID, as the strategy sets since v1.22). */
export function validateCSINode(n: CSINode): FieldError[] {
  const errs = validateObjectMeta(n.metadata, false, nameIsDNSSubdomain, META);
  const seen = new Set<string>();
  (n.spec?.drivers ?? []).forEach((d, i) => errs.push(...validateCSINodeDriver(d, seen, SPEC.child('drivers').index(i))));
  return errs;
}

/** goCSINodeDriver renders a storage.CSINodeDriver as %#v does. */
const goCSINodeDriver = (d: CSINodeDriver): GoValue =>
  new GoValue(
    `storage.CSINodeDriver{Name:${JSON.stringify(str(d.name))}, NodeID:${JSON.stringify(str(d.nodeID))}, TopologyKeys:${goStringSliceText(d.topologyKeys)}, Allocatable:${goPointer('storage.VolumeNodeResources', d.allocatable)}}`,
  );

/**
 * validateCSINodeUpdate is the strategy's ValidateUpdate: ValidateCSINode(new), then
 * ValidateCSINodeUpdate (the object again, and a driver present in both may not change; drivers
 * may be added or removed).
 */
export function validateCSINodeUpdate(n: CSINode, old: CSINode): FieldError[] {
  const errs = [...metaUpdate(n, old), ...validateCSINode(n), ...validateCSINode(n)];
  for (const od of old.spec?.drivers ?? []) {
    for (const nd of n.spec?.drivers ?? []) {
      if (str(od.name) === str(nd.name) && !semanticEqual(nd, od)) errs.push(field.invalid(SPEC.child('drivers'), goCSINodeDriver(nd), fieldImmutableErrorMsg));
    }
  }
  return errs;
}

// ---- CSIStorageCapacity ----

function validateCSIStorageCapacityWith(c: CSIStorageCapacity, allowInvalidLabelValues: boolean): FieldError[] {
  const errs = validateObjectMeta(c.metadata, true, nameIsDNSSubdomain, META);
  errs.push(...validateLabelSelector(c.nodeTopology, Path.root('nodeTopology'), allowInvalidLabelValues));
  const sc = str(c.storageClassName);
  for (const m of nameIsDNSSubdomain(sc, false)) errs.push(field.invalid(Path.root('storageClassName'), sc, m));
  if (set(c.capacity)) {
    const cp = Path.root('capacity');
    const q = parseQuantityField(c.capacity, cp, errs);
    if (q && q.sign() < 0) errs.push(field.invalid(cp, q.toString(), isNegativeErrorMsg));
  }
  return errs;
}

/** validateCSIStorageCapacity is ValidateCSIStorageCapacity as the strategy calls it on create (label values checked). */
export const validateCSIStorageCapacity = (c: CSIStorageCapacity): FieldError[] => validateCSIStorageCapacityWith(c, false);

/**
 * hasInvalidLabelValue is the strategy's hasInvalidLabelValueInLabelSelector: any error from the
 * strict selector check on the stored object (not only bad values) relaxes the value check.
 */
const hasInvalidLabelValue = (sel: LabelSelector | undefined): boolean => validateLabelSelector(sel, Path.root('nodeTopology'), false).length > 0;

/**
 * validateCSIStorageCapacityUpdate is the strategy's ValidateUpdate: the object (bad label values
 * tolerated when the stored selector has them), then nodeTopology and storageClassName immutable.
 */
export function validateCSIStorageCapacityUpdate(c: CSIStorageCapacity, old: CSIStorageCapacity): FieldError[] {
  const errs = [...metaUpdate(c, old), ...validateCSIStorageCapacityWith(c, hasInvalidLabelValue(old.nodeTopology))];
  if (!semanticEqual(c.nodeTopology, old.nodeTopology)) errs.push(field.invalid(Path.root('nodeTopology'), goLabelSelector(c.nodeTopology), fieldImmutableErrorMsg));
  if (str(c.storageClassName) !== str(old.storageClassName)) errs.push(field.invalid(Path.root('storageClassName'), str(c.storageClassName), fieldImmutableErrorMsg));
  return errs;
}

// ---- VolumeAttachment ----

const maxAttachedVolumeMetadataSize = 256 * 1024;
const maxVolumeErrorMessageSize = 1024;

function validateVolumeAttachmentSource(src: NonNullable<VolumeAttachment['spec']>['source'] | undefined, p: Path): FieldError[] {
  const inline = src?.inlineVolumeSpec;
  const pvName = src?.persistentVolumeName;
  if (!set(inline) && !set(pvName)) return [field.required(p, 'must specify exactly one of inlineVolumeSpec and persistentVolumeName')];
  if (set(inline) && set(pvName)) return [field.forbidden(p, 'must specify exactly one of inlineVolumeSpec and persistentVolumeName')];
  if (set(pvName)) return str(pvName).length === 0 ? [field.required(p.child('persistentVolumeName'), 'must specify non empty persistentVolumeName')] : [];
  return validatePersistentVolumeSpec(inline!, p.child('inlineVolumeSpec'), true);
}

function validateVolumeError(e: VolumeError | undefined, p: Path): FieldError[] {
  if (!set(e)) return [];
  const errs: FieldError[] = [];
  // Upstream reports the metadata limit (256 KiB) here, not the 1024 bytes it enforces.
  if (byteLength(str(e!.message)) > maxVolumeErrorMessageSize) errs.push(field.tooLong(p.child('message'), '', maxAttachedVolumeMetadataSize));
  return errs;
}

function validateVolumeAttachmentStatus(s: VolumeAttachment['status'], p: Path): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(s?.attachmentMetadata ?? {})) size += byteLength(k) + byteLength(str(v));
  if (size > maxAttachedVolumeMetadataSize) errs.push(field.tooLong(p.child('attachmentMetadata'), '', maxAttachedVolumeMetadataSize));
  errs.push(...validateVolumeError(s?.attachError, p.child('attachError')), ...validateVolumeError(s?.detachError, p.child('detachError')));
  return errs;
}

/** validateVolumeAttachmentCommon is ValidateVolumeAttachment (shared by v1 and v1beta1). */
function validateVolumeAttachmentCommon(va: VolumeAttachment): FieldError[] {
  const errs = validateObjectMeta(va.metadata, false, nameIsDNSSubdomain, META);
  const attacher = str(va.spec?.attacher);
  if (attacher.length === 0) errs.push(field.required(SPEC.child('attacher'), ''));
  errs.push(...validateVolumeAttachmentSource(va.spec?.source, SPEC.child('source')));
  const nodeName = str(va.spec?.nodeName);
  for (const m of nameIsDNSSubdomain(nodeName, false)) errs.push(field.invalid(SPEC.child('nodeName'), nodeName, m));
  errs.push(...validateVolumeAttachmentStatus(va.status, Path.root('status')));
  return errs;
}

/** validateVolumeAttachmentV1 is ValidateVolumeAttachmentV1: the attacher is a CSI driver name, a PV name a DNS subdomain. */
function validateVolumeAttachmentV1(va: VolumeAttachment): FieldError[] {
  const errs = validateCSIDriverName(str(va.spec?.attacher), SPEC.child('attacher'));
  const pvName = va.spec?.source?.persistentVolumeName;
  if (set(pvName)) for (const m of nameIsDNSSubdomain(str(pvName), false)) errs.push(field.invalid(SPEC.child('source', 'persistentVolumeName'), str(pvName), m));
  return errs;
}

/** validateVolumeAttachment is the strategy's Validate (create): ValidateVolumeAttachment, then the v1 checks. */
export const validateVolumeAttachment = (va: VolumeAttachment): FieldError[] => [...validateVolumeAttachmentCommon(va), ...validateVolumeAttachmentV1(va)];

/** goVolumeAttachmentSpec renders a storage.VolumeAttachmentSpec as %#v does. */
function goVolumeAttachmentSpec(s: VolumeAttachment['spec'] | undefined): GoValue {
  const src = s?.source;
  const source = `storage.VolumeAttachmentSource{PersistentVolumeName:${goPointer('string', src?.persistentVolumeName)}, InlineVolumeSpec:${goPointer('core.PersistentVolumeSpec', src?.inlineVolumeSpec)}}`;
  return new GoValue(`storage.VolumeAttachmentSpec{Attacher:${JSON.stringify(str(s?.attacher))}, Source:${source}, NodeName:${JSON.stringify(str(s?.nodeName))}}`);
}

/**
 * validateVolumeAttachmentUpdate is the strategy's ValidateUpdate (also the status strategy's,
 * after the stored spec was put back): ValidateVolumeAttachment(new), then
 * ValidateVolumeAttachmentUpdate (the object again, and the spec immutable). The v1 checks run on
 * create only.
 */
export function validateVolumeAttachmentUpdate(va: VolumeAttachment, old: VolumeAttachment): FieldError[] {
  const errs = [...metaUpdate(va, old), ...validateVolumeAttachmentCommon(va), ...validateVolumeAttachmentCommon(va)];
  if (!semanticEqual(va.spec ?? {}, old.spec ?? {})) errs.push(field.invalid(SPEC, goVolumeAttachmentSpec(va.spec), fieldImmutableErrorMsg));
  return errs;
}

export const validators: [string, KindValidator][] = [
  ['storage.k8s.io/CSIDriver', kind(validateCSIDriver, validateCSIDriverUpdate)],
  ['storage.k8s.io/CSINode', kind(validateCSINode, validateCSINodeUpdate)],
  ['storage.k8s.io/CSIStorageCapacity', kind(validateCSIStorageCapacity, validateCSIStorageCapacityUpdate)],
  ['storage.k8s.io/VolumeAttachment', kind(validateVolumeAttachment, validateVolumeAttachmentUpdate, validateVolumeAttachmentUpdate)],
];
