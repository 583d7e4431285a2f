import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareForCreate, prepareForUpdate } from '../defaults/index.js';
import { aggregateString, fieldErrorString } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from './index.js';
import { validateCSIDriver } from './storage.js';

const gvk = (kind: string): GroupVersionKind => ({ group: 'storage.k8s.io', version: 'v1', kind });
const CSIDRIVER = gvk('CSIDriver');
const CSINODE = gvk('CSINode');
const CAPACITY = gvk('CSIStorageCapacity');
const VA = gvk('VolumeAttachment');

type Obj = Record<string, unknown>;

/** prepared runs what the apiserver runs before create validation: defaults and create prep. */
function prepared(k: GroupVersionKind, obj: Obj): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(k, o);
  prepareForCreate(k, o);
  return o;
}

/** stored is a created object as the store returns it (identity fields assigned). */
function stored(k: GroupVersionKind, obj: Obj): KubeObject {
  const o = prepared(k, obj);
  o.metadata = { ...o.metadata, uid: 'uid-1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' };
  return o;
}

/** changed clones a stored object, edits the clone and defaults it, as an update request is. */
function changed(k: GroupVersionKind, old: KubeObject, edit: (o: Obj) => void): KubeObject {
  const c = structuredClone(old) as unknown as Obj;
  edit(c);
  applyDefaults(k, c as unknown as KubeObject);
  return c as unknown as KubeObject;
}

const render = (e: readonly { field: string }[]): string[] => e.map((x) => fieldErrorString(x as Parameters<typeof fieldErrorString>[0]));

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const qualifiedNameMsg =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const driver = (spec: Obj = {}, name = 'csi.example.com'): Obj => ({ metadata: { name }, spec });
const csiNode = (drivers: Obj[], name = 'node-1'): Obj => ({ metadata: { name }, spec: { drivers } });
const nodeDriver = (extra: Obj = {}): Obj => ({ name: 'csi.example.com', nodeID: 'n1', topologyKeys: ['topology.example.com/zone'], ...extra });
const capacity = (extra: Obj = {}, meta: Obj = { name: 'cap-1', namespace: 'default' }): Obj => ({
  metadata: meta,
  storageClassName: 'standard',
  capacity: '10Gi',
  nodeTopology: { matchLabels: { 'topology.example.com/zone': 'a' } },
  ...extra,
});
const attachment = (spec: Obj = {}, name = 'va-1'): Obj => ({
  metadata: { name },
  spec: { attacher: 'csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' }, ...spec },
});

interface CreateCase {
  name: string;
  kind: GroupVersionKind;
  obj: Obj;
  want: string[];
}

describe('storage.k8s.io create validation', () => {
  const cases: CreateCase[] = [
    // ---- CSIDriver: ValidateCSIDriver ----
    { name: 'ValidateCSIDriver: a defaulted empty spec is valid', kind: CSIDRIVER, obj: driver(), want: [] },
    { name: 'ValidateCSIDriverName (metadata): a DNS subdomain', kind: CSIDRIVER, obj: driver({}, 'CSI_Driver'), want: [`metadata.name: Invalid value: "CSI_Driver": ${subdomainMsg}`] },
    {
      name: 'validateFSGroupPolicy: one of the supported values, listed sorted',
      kind: CSIDRIVER,
      obj: driver({ fsGroupPolicy: 'Bogus' }),
      want: ['spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"'],
    },
    {
      name: 'validateVolumeLifecycleModes: each mode Persistent or Ephemeral',
      kind: CSIDRIVER,
      obj: driver({ volumeLifecycleModes: ['Persistent', 'Forever'] }),
      want: ['spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"'],
    },
    {
      name: 'validateTokenRequests: audiences unique, expirations between 10 minutes and 2^32 seconds',
      kind: CSIDRIVER,
      obj: driver({ tokenRequests: [{ audience: 'a', expirationSeconds: 100 }, { audience: 'a', expirationSeconds: 1 }, { audience: '' }, { audience: 'b', expirationSeconds: 2 ** 32 + 1 }] }),
      want: [
        'spec.tokenRequests[0].expirationSeconds: Invalid value: 100: may not specify a duration less than 10 minutes',
        'spec.tokenRequests[1].audience: Duplicate value: "a"',
        'spec.tokenRequests[3].expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds',
      ],
    },
    {
      name: 'validateTokenRequests: the bounds themselves are allowed',
      kind: CSIDRIVER,
      obj: driver({ tokenRequests: [{ audience: 'a', expirationSeconds: 600 }, { audience: 'b', expirationSeconds: 2 ** 32 }] }),
      want: [],
    },

    // ---- CSINode: ValidateCSINode ----
    { name: 'ValidateCSINode: a driver with node ID and topology keys is valid', kind: CSINODE, obj: csiNode([nodeDriver()]), want: [] },
    { name: 'ValidateCSINode: no drivers is valid', kind: CSINODE, obj: csiNode([]), want: [] },
    { name: 'ValidateNodeName (metadata): a DNS subdomain', kind: CSINODE, obj: csiNode([], 'Node_1'), want: [`metadata.name: Invalid value: "Node_1": ${subdomainMsg}`] },
    {
      name: 'ValidateCSIDriverName: the lower-cased name must be a DNS subdomain; the value shown as given',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ name: 'CSI_Driver' })]),
      want: [`spec.drivers[0].name: Invalid value: "CSI_Driver": ${subdomainMsg}`],
    },
    { name: 'ValidateCSIDriverName: upper case alone is fine', kind: CSINODE, obj: csiNode([nodeDriver({ name: 'CSI.Example.com' })]), want: [] },
    {
      name: 'ValidateCSIDriverName: required (and then not a subdomain)',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ name: '' })]),
      want: ['spec.drivers[0].name: Required value', `spec.drivers[0].name: Invalid value: "": ${subdomainMsg}`],
    },
    {
      name: 'ValidateCSIDriverName: at most 63 bytes',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ name: 'a'.repeat(64) })]),
      want: ['spec.drivers[0].name: Too long: may not be more than 63 bytes'],
    },
    { name: 'validateCSINodeDriverNodeID: required', kind: CSINODE, obj: csiNode([nodeDriver({ nodeID: '' })]), want: ['spec.drivers[0].nodeID: Required value'] },
    { name: 'validateCSINodeDriverNodeID: 256 characters allowed (AllowLongNodeID)', kind: CSINODE, obj: csiNode([nodeDriver({ nodeID: 'n'.repeat(256) })]), want: [] },
    {
      name: 'validateCSINodeDriverNodeID: 257 characters rejected',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ nodeID: 'n'.repeat(257) })]),
      want: [`spec.drivers[0].nodeID: Invalid value: "${'n'.repeat(257)}": must be 256 characters or less`],
    },
    {
      name: 'validateCSINodeDriverAllocatable: count non-negative',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ allocatable: { count: -1 } })]),
      want: ['spec.drivers[0].allocatable.count: Invalid value: -1: must be greater than or equal to 0'],
    },
    { name: 'validateCSINodeDriverAllocatable: zero is fine', kind: CSINODE, obj: csiNode([nodeDriver({ allocatable: { count: 0 } })]), want: [] },
    {
      name: 'validateCSINodeDriver: driver names unique',
      kind: CSINODE,
      obj: csiNode([nodeDriver(), nodeDriver({ nodeID: 'n2' })]),
      want: ['spec.drivers[1].name: Duplicate value: "csi.example.com"'],
    },
    {
      name: 'validateCSINodeDriver: topology keys unique qualified names, errors at the driver',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ topologyKeys: ['topology.example.com/zone', 'topology.example.com/zone', 'bad key'] })]),
      want: ['spec.drivers[0]: Duplicate value: "topology.example.com/zone"', `spec.drivers[0]: Invalid value: "bad key": ${qualifiedNameMsg}`],
    },

    // ---- CSIStorageCapacity: ValidateCSIStorageCapacity ----
    { name: 'ValidateCSIStorageCapacity: valid', kind: CAPACITY, obj: capacity(), want: [] },
    { name: 'ValidateCSIStorageCapacity: capacity and topology are optional', kind: CAPACITY, obj: capacity({ capacity: undefined, nodeTopology: undefined }), want: [] },
    { name: 'ValidateObjectMeta: namespaced', kind: CAPACITY, obj: capacity({}, { name: 'cap-1' }), want: ['metadata.namespace: Required value'] },
    { name: 'ValidateStorageCapacityName: a DNS subdomain', kind: CAPACITY, obj: capacity({}, { name: 'Cap_1', namespace: 'default' }), want: [`metadata.name: Invalid value: "Cap_1": ${subdomainMsg}`] },
    { name: 'ValidateClassName: storageClassName required', kind: CAPACITY, obj: capacity({ storageClassName: undefined }), want: [`storageClassName: Invalid value: "": ${subdomainMsg}`] },
    {
      name: 'ValidateNonnegativeQuantity: capacity, shown as its canonical string',
      kind: CAPACITY,
      obj: capacity({ capacity: '-1Gi' }),
      want: ['capacity: Invalid value: "-1Gi": must be greater than or equal to 0'],
    },
    {
      name: 'ValidateLabelSelector: nodeTopology operator',
      kind: CAPACITY,
      obj: capacity({ nodeTopology: { matchExpressions: [{ key: 'zone', operator: 'Bogus' }] } }),
      want: ['nodeTopology.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator'],
    },
    {
      name: 'ValidateLabelSelector: label values checked on create',
      kind: CAPACITY,
      obj: capacity({ nodeTopology: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a b'] }] } }),
      want: [`nodeTopology.matchExpressions[0].values[0]: Invalid value: "a b": ${labelValueMsg}`],
    },

    // ---- VolumeAttachment: ValidateVolumeAttachment + ValidateVolumeAttachmentV1 ----
    { name: 'ValidateVolumeAttachment: a persistent volume attachment is valid', kind: VA, obj: attachment(), want: [] },
    {
      name: 'validateVolumeAttachmentSource: an inline CSI volume spec is valid',
      kind: VA,
      obj: attachment({ source: { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], csi: { driver: 'csi.example.com', volumeHandle: 'h' } } } }),
      want: [],
    },
    {
      name: 'validateAttacher + ValidateVolumeAttachmentV1: attacher required, then checked as a CSI driver name',
      kind: VA,
      obj: attachment({ attacher: '' }),
      want: ['spec.attacher: Required value', 'spec.attacher: Required value', `spec.attacher: Invalid value: "": ${subdomainMsg}`],
    },
    { name: 'ValidateVolumeAttachmentV1: attacher a CSI driver name', kind: VA, obj: attachment({ attacher: 'csi_driver' }), want: [`spec.attacher: Invalid value: "csi_driver": ${subdomainMsg}`] },
    { name: 'ValidateVolumeAttachmentV1: attacher too long', kind: VA, obj: attachment({ attacher: 'a'.repeat(64) }), want: ['spec.attacher: Too long: may not be more than 63 bytes'] },
    { name: 'ValidateClassName (metadata): a DNS subdomain', kind: VA, obj: attachment({}, 'VA_1'), want: [`metadata.name: Invalid value: "VA_1": ${subdomainMsg}`] },
    {
      name: 'validateVolumeAttachmentSource: one of inlineVolumeSpec and persistentVolumeName required',
      kind: VA,
      obj: attachment({ source: {} }),
      want: ['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName'],
    },
    {
      name: 'validateVolumeAttachmentSource: not both',
      kind: VA,
      obj: attachment({ source: { persistentVolumeName: 'pv-1', inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], csi: { driver: 'd', volumeHandle: 'h' } } } }),
      want: ['spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName'],
    },
    {
      name: 'validateVolumeAttachmentSource + ValidateVolumeAttachmentV1: persistentVolumeName non-empty, a DNS subdomain',
      kind: VA,
      obj: attachment({ source: { persistentVolumeName: '' } }),
      want: ['spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName', `spec.source.persistentVolumeName: Invalid value: "": ${subdomainMsg}`],
    },
    {
      name: 'ValidateVolumeAttachmentV1: persistentVolumeName a DNS subdomain',
      kind: VA,
      obj: attachment({ source: { persistentVolumeName: 'PV_1' } }),
      want: [`spec.source.persistentVolumeName: Invalid value: "PV_1": ${subdomainMsg}`],
    },
    {
      name: 'ValidatePersistentVolumeSpec (inline): no claimRef or capacity, a CSI source required',
      kind: VA,
      obj: attachment({ source: { inlineVolumeSpec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, claimRef: { name: 'c' }, nfs: { server: 's', path: '/p' } } } }),
      want: [
        'spec.source.inlineVolumeSpec.claimRef: Forbidden: may not be specified in the context of inline volumes',
        'spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes',
        'spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes',
      ],
    },
    {
      name: 'ValidatePersistentVolumeSpec (inline): access modes required, CSI fields required',
      kind: VA,
      obj: attachment({ source: { inlineVolumeSpec: { csi: { driver: 'd' } } } }),
      want: ['spec.source.inlineVolumeSpec.accessModes: Required value', 'spec.source.inlineVolumeSpec.csi.volumeHandle: Required value'],
    },
    {
      name: 'validateNodeName: a DNS subdomain (required through the regex)',
      kind: VA,
      obj: attachment({ nodeName: '' }),
      want: [`spec.nodeName: Invalid value: "": ${subdomainMsg}`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(render(validateCreate(c.kind, prepared(c.kind, c.obj))), c.want));
  }

  it('validateCSIDriverSpec: the defaulted booleans are required when left unset', () => {
    const d = { metadata: { name: 'csi.example.com' }, spec: {} };
    assert.deepEqual(render(validateCSIDriver(d)), [
      'spec.attachedRequired: Required value',
      'spec.podInfoOnMount: Required value',
      'spec.storageCapacity: Required value',
      'spec.seLinuxMount: Required value',
    ]);
  });
});

interface UpdateCase {
  name: string;
  kind: GroupVersionKind;
  obj: Obj;
  edit: (o: Obj) => void;
  want: string[];
}

const spec = (o: Obj): Obj => o['spec'] as Obj;

describe('storage.k8s.io update validation', () => {
  const cases: UpdateCase[] = [
    { name: 'ValidateCSIDriverUpdate: podInfoOnMount may change', kind: CSIDRIVER, obj: driver(), edit: (o) => (spec(o)['podInfoOnMount'] = true), want: [] },
    {
      name: 'ValidateCSIDriverUpdate: attachRequired immutable (path spec.attachedRequired)',
      kind: CSIDRIVER,
      obj: driver(),
      edit: (o) => (spec(o)['attachRequired'] = false),
      want: ['spec.attachedRequired: Invalid value: false: field is immutable'],
    },
    {
      name: 'ValidateCSIDriverUpdate: volumeLifecycleModes immutable',
      kind: CSIDRIVER,
      obj: driver(),
      edit: (o) => (spec(o)['volumeLifecycleModes'] = ['Persistent', 'Ephemeral']),
      want: ['spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{"Persistent", "Ephemeral"}: field is immutable'],
    },
    {
      name: 'csidriver ValidateUpdate: spec errors twice (ValidateCSIDriver, then ValidateCSIDriverUpdate)',
      kind: CSIDRIVER,
      obj: driver(),
      edit: (o) => (spec(o)['fsGroupPolicy'] = 'Bogus'),
      want: [
        'spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"',
        'spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"',
      ],
    },
    { name: 'ValidateCSINodeUpdate: drivers may be added', kind: CSINODE, obj: csiNode([nodeDriver()]), edit: (o) => ((spec(o)['drivers'] as Obj[]).push(nodeDriver({ name: 'other.example.com' }))), want: [] },
    { name: 'ValidateCSINodeUpdate: drivers may be removed', kind: CSINODE, obj: csiNode([nodeDriver()]), edit: (o) => (spec(o)['drivers'] = []), want: [] },
    {
      name: 'ValidateCSINodeUpdate: an empty and a missing topologyKeys are the same',
      kind: CSINODE,
      obj: csiNode([nodeDriver({ topologyKeys: undefined })]),
      edit: (o) => ((spec(o)['drivers'] as Obj[])[0]!['topologyKeys'] = []),
      want: [],
    },
    {
      name: 'ValidateCSINodeUpdate: an existing driver is immutable, shown as %#v',
      kind: CSINODE,
      obj: csiNode([nodeDriver()]),
      edit: (o) => ((spec(o)['drivers'] as Obj[])[0]!['nodeID'] = 'n2'),
      want: [
        'spec.drivers: Invalid value: storage.CSINodeDriver{Name:"csi.example.com", NodeID:"n2", TopologyKeys:[]string{"topology.example.com/zone"}, Allocatable:(*storage.VolumeNodeResources)(nil)}: field is immutable',
      ],
    },
    {
      name: 'csinode ValidateUpdate: driver errors twice (ValidateCSINode, then ValidateCSINodeUpdate)',
      kind: CSINODE,
      obj: csiNode([]),
      edit: (o) => (spec(o)['drivers'] = [nodeDriver({ nodeID: '' })]),
      want: ['spec.drivers[0].nodeID: Required value', 'spec.drivers[0].nodeID: Required value'],
    },
    { name: 'ValidateCSIStorageCapacityUpdate: capacity may change', kind: CAPACITY, obj: capacity(), edit: (o) => (o['capacity'] = '20Gi'), want: [] },
    {
      name: 'ValidateCSIStorageCapacityUpdate: storageClassName immutable',
      kind: CAPACITY,
      obj: capacity(),
      edit: (o) => (o['storageClassName'] = 'other'),
      want: ['storageClassName: Invalid value: "other": field is immutable'],
    },
    {
      name: 'ValidateCSIStorageCapacityUpdate: nodeTopology immutable, shown as %#v',
      kind: CAPACITY,
      obj: capacity(),
      edit: (o) => (o['nodeTopology'] = { matchLabels: { 'topology.example.com/zone': 'b' } }),
      want: [
        'nodeTopology: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"topology.example.com/zone":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      ],
    },
    {
      name: 'ValidateCSIStorageCapacityUpdate: a removed nodeTopology is shown as "null"',
      kind: CAPACITY,
      obj: capacity(),
      edit: (o) => delete o['nodeTopology'],
      want: ['nodeTopology: Invalid value: "null": field is immutable'],
    },
    {
      name: 'csistoragecapacity ValidateUpdate: invalid label values already stored are tolerated',
      kind: CAPACITY,
      obj: capacity({ nodeTopology: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a b'] }] } }),
      edit: (o) => (o['capacity'] = '1Gi'),
      want: [],
    },
    { name: 'ValidateVolumeAttachmentUpdate: metadata may change', kind: VA, obj: attachment(), edit: (o) => ((o['metadata'] as Obj)['labels'] = { a: 'b' }), want: [] },
    {
      name: 'ValidateVolumeAttachmentUpdate: spec immutable, shown as %#v (pointers at a fixed address)',
      kind: VA,
      obj: attachment(),
      edit: (o) => (spec(o)['nodeName'] = 'node-2'),
      want: [
        'spec: Invalid value: storage.VolumeAttachmentSpec{Attacher:"csi.example.com", Source:storage.VolumeAttachmentSource{PersistentVolumeName:(*string)(0xc000000000), InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"node-2"}: field is immutable',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const old = stored(c.kind, c.obj);
      assert.deepEqual(render(validateUpdate(c.kind, changed(c.kind, old, c.edit), old)), c.want);
    });
  }

  it('the doubled update errors render once in the Status message', () => {
    const old = stored(CSINODE, csiNode([]));
    const n = changed(CSINODE, old, (o) => (spec(o)['drivers'] = [nodeDriver({ nodeID: '' })]));
    assert.equal(aggregateString(validateUpdate(CSINODE, n, old)), 'spec.drivers[0].nodeID: Required value');
  });
});

describe('VolumeAttachment status validation', () => {
  const cases: { name: string; status: Obj; want: string[] }[] = [
    { name: 'validateVolumeAttachmentStatus: attached with metadata', status: { attached: true, attachmentMetadata: { device: '/dev/sdb' } }, want: [] },
    {
      name: 'validateAttachmentMetadata: at most 256 KiB of keys and values',
      status: { attached: true, attachmentMetadata: { k: 'v'.repeat(256 * 1024) } },
      want: ['status.attachmentMetadata: Too long: may not be more than 262144 bytes', 'status.attachmentMetadata: Too long: may not be more than 262144 bytes'],
    },
    {
      name: 'validateVolumeError: a message over 1024 bytes, reported with the metadata limit as upstream does',
      status: { attached: false, attachError: { message: 'x'.repeat(1025) }, detachError: { message: 'x'.repeat(1024) } },
      want: ['status.attachError.message: Too long: may not be more than 262144 bytes', 'status.attachError.message: Too long: may not be more than 262144 bytes'],
    },
    {
      name: 'validateVolumeError: message length counts bytes',
      status: { attached: false, detachError: { message: 'é'.repeat(513) } },
      want: ['status.detachError.message: Too long: may not be more than 262144 bytes', 'status.detachError.message: Too long: may not be more than 262144 bytes'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const old = stored(VA, attachment());
      const n = changed(VA, old, (o) => (o['status'] = c.status));
      assert.deepEqual(render(validateStatusUpdate(VA, n, old)), c.want);
    });
  }
});

describe('VolumeAttachment status is written only through /status (strategy PrepareForCreate, PrepareForUpdate)', () => {
  const badStatus = { attached: true, attachError: { message: 'x'.repeat(1025) } };

  it('a create drops the status it was given (to Status{}), so it is not validated', () => {
    const va = prepared(VA, { ...attachment(), status: badStatus });
    assert.deepEqual((va as { status?: unknown }).status, { attached: false });
    assert.deepEqual(validateCreate(VA, va), []);
  });

  it('an update keeps the stored status, so a status in the request is not validated', () => {
    const old = stored(VA, attachment());
    const n = changed(VA, old, (o) => (o['status'] = badStatus));
    prepareForUpdate(VA, n, old);
    assert.deepEqual((n as { status?: unknown }).status, { attached: false });
    assert.deepEqual(validateUpdate(VA, n, old), []);
  });
});

describe('ValidateCSIDriverName in core volume sources', () => {
  const POD: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
  const PV: GroupVersionKind = { group: '', version: 'v1', kind: 'PersistentVolume' };
  const pod = (driverName: string): Obj => ({
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', csi: { driver: driverName } }] },
  });
  const pv = (driverName: string): Obj => ({
    metadata: { name: 'pv-1' },
    spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, csi: { driver: driverName, volumeHandle: 'h' } },
  });
  const cases: CreateCase[] = [
    { name: 'validateCSIVolumeSource: a valid driver name', kind: POD, obj: pod('csi.example.com'), want: [] },
    {
      name: 'validateCSIVolumeSource: driver required (and then not a subdomain)',
      kind: POD,
      obj: pod(''),
      want: ['spec.volumes[0].csi.driver: Required value', `spec.volumes[0].csi.driver: Invalid value: "": ${subdomainMsg}`],
    },
    { name: 'validateCSIVolumeSource: driver a DNS subdomain', kind: POD, obj: pod('csi_driver'), want: [`spec.volumes[0].csi.driver: Invalid value: "csi_driver": ${subdomainMsg}`] },
    { name: 'validateCSIPersistentVolumeSource: a valid driver name', kind: PV, obj: pv('csi.example.com'), want: [] },
    { name: 'validateCSIPersistentVolumeSource: driver at most 63 bytes', kind: PV, obj: pv('a'.repeat(64)), want: ['spec.csi.driver: Too long: may not be more than 63 bytes'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(render(validateCreate(c.kind, prepared(c.kind, c.obj))), c.want));
  }
});
