import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from './errors.js';
import {
  compileCustomResourceFieldSelector,
  compileFieldSelector,
  convertFieldLabel,
  customResourceSelectableFields,
  escapeFieldValue,
  parseFieldSelector,
  selectableFields,
  supportedFieldLabels,
} from './fields.js';
import type { GroupVersionKind, KubeObject } from './types.js';

const badRequestWith = (message: string) => (err: unknown) => isStatusError(err, 'BadRequest') && err.message === message;
const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });
const POD = gvk('', 'v1', 'Pod');

describe('parseFieldSelector', () => {
  const good: [string, string][] = [
    ['', ''],
    ['metadata.name=a', 'metadata.name=a'],
    ['metadata.name==a', 'metadata.name=a'],
    ['status.phase!=Running', 'status.phase!=Running'],
    ['b=2,a=1', 'a=1,b=2'],
    ['a=x\\,y', 'a=x\\,y'],
    ['a=x\\=y', 'a=x\\=y'],
    ['a=x\\\\y', 'a=x\\\\y'],
    ['a=', 'a='],
    [',a=1,', 'a=1'],
  ];
  for (const [input, out] of good) {
    it(`parses ${JSON.stringify(input)}`, () => assert.equal(parseFieldSelector(input).toString(), out));
  }

  it('unescapes values', () => {
    assert.equal(parseFieldSelector('a=x\\,y').requirements[0]!.value, 'x,y');
    assert.equal(parseFieldSelector('a=x\\=y').requirements[0]!.value, 'x=y');
    assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
  });

  const bad: [string, string][] = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['a=1,b', "invalid selector: 'a=1,b'; can't understand 'b'"],
    ['a=x\\y', 'invalid field selector: invalid escape sequence: \\y'],
    ['a=x\\', 'invalid field selector: invalid escape sequence: \\'],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.throws(() => parseFieldSelector(input), badRequestWith(message)));
  }

  it('matches and pins exact values', () => {
    const s = parseFieldSelector('spec.nodeName=n1,status.phase!=Failed');
    assert.equal(s.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Running' }), true);
    assert.equal(s.matches({ 'spec.nodeName': 'n1', 'status.phase': 'Failed' }), false);
    assert.equal(s.matches({ 'status.phase': 'Running' }), false);
    assert.equal(s.requiresExactMatch('spec.nodeName'), 'n1');
    assert.equal(s.requiresExactMatch('status.phase'), undefined);
    assert.equal(parseFieldSelector('').empty(), true);
  });
});

describe('field labels per kind', () => {
  const unsupported: [string, GroupVersionKind, string, string][] = [
    ['Pod', POD, 'spec.foo', 'field label not supported: spec.foo'],
    ['Node namespace', gvk('', 'v1', 'Node'), 'metadata.namespace', 'field label not supported: metadata.namespace'],
    ['Job', gvk('batch', 'v1', 'Job'), 'spec.foo', 'field label "spec.foo" not supported for batchv1.Job'],
    ['ConfigMap', gvk('', 'v1', 'ConfigMap'), 'data.x', '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['apps/v1 ReplicaSet', gvk('apps', 'v1', 'ReplicaSet'), 'status.replicas', '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"'],
    ['events.k8s.io involvedObject', gvk('events.k8s.io', 'v1', 'Event'), 'involvedObject.name', 'field label not supported: involvedObject.name'],
  ];
  for (const [name, kind, label, message] of unsupported) {
    it(`rejects ${label} on ${name}`, () => assert.throws(() => compileFieldSelector(kind, `${label}=x`), badRequestWith(message)));
  }

  it('maps aliases to selectable fields', () => {
    assert.equal(convertFieldLabel(POD, 'spec.host'), 'spec.nodeName');
    assert.equal(convertFieldLabel(gvk('events.k8s.io', 'v1', 'Event'), 'regarding.name'), 'involvedObject.name');
    assert.equal(convertFieldLabel(gvk('events.k8s.io', 'v1', 'Event'), 'reportingController'), 'reportingComponent');
  });

  it('lists supported labels', () => {
    assert.deepEqual(supportedFieldLabels(gvk('', 'v1', 'Secret')).sort(), ['metadata.name', 'metadata.namespace', 'type']);
    assert.deepEqual(supportedFieldLabels(gvk('', 'v1', 'Namespace')).sort(), ['metadata.name', 'status.phase']);
    assert.deepEqual(supportedFieldLabels(gvk('', 'v1', 'ConfigMap')), ['metadata.name', 'metadata.namespace']);
    assert.ok(supportedFieldLabels(POD).includes('status.nominatedNodeName'));
  });

  const pod: KubeObject = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }], nominatedNodeName: '' },
  };
  const cases: [string, GroupVersionKind, KubeObject, Record<string, string>][] = [
    [
      'Pod',
      POD,
      pod,
      {
        'metadata.name': 'web-1',
        'metadata.namespace': 'default',
        'spec.nodeName': 'node-a',
        'spec.restartPolicy': 'Always',
        'spec.schedulerName': 'default-scheduler',
        'spec.serviceAccountName': 'default',
        'spec.hostNetwork': 'true',
        'status.phase': 'Running',
        'status.podIP': '10.0.0.5',
        'status.nominatedNodeName': '',
      },
    ],
    ['Node', gvk('', 'v1', 'Node'), { metadata: { name: 'n1' }, spec: { unschedulable: true } }, { 'metadata.name': 'n1', 'spec.unschedulable': 'true' }],
    ['Namespace', gvk('', 'v1', 'Namespace'), { metadata: { name: 'ns' }, status: { phase: 'Terminating' } }, { 'metadata.name': 'ns', 'status.phase': 'Terminating' }],
    ['Secret', gvk('', 'v1', 'Secret'), { metadata: { name: 's', namespace: 'd' }, type: 'Opaque' }, { 'metadata.name': 's', 'metadata.namespace': 'd', type: 'Opaque' }],
    ['Job', gvk('batch', 'v1', 'Job'), { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 2 } }, { 'metadata.name': 'j', 'metadata.namespace': 'd', 'status.successful': '2' }],
    ['ConfigMap', gvk('', 'v1', 'ConfigMap'), { metadata: { name: 'c', namespace: 'd' } }, { 'metadata.name': 'c', 'metadata.namespace': 'd' }],
    [
      'Service',
      gvk('', 'v1', 'Service'),
      { metadata: { name: 'svc', namespace: 'd' }, spec: { clusterIP: '10.96.0.10', type: 'ClusterIP' } },
      { 'metadata.name': 'svc', 'metadata.namespace': 'd', 'spec.clusterIP': '10.96.0.10', 'spec.type': 'ClusterIP' },
    ],
    [
      'events.k8s.io Event',
      gvk('events.k8s.io', 'v1', 'Event'),
      { metadata: { name: 'e', namespace: 'd' }, regarding: { kind: 'Pod', name: 'web-1', namespace: 'd', uid: 'u1' }, reason: 'Scheduled', type: 'Normal', reportingController: 'default-scheduler' },
      {
        'metadata.name': 'e',
        'metadata.namespace': 'd',
        'involvedObject.kind': 'Pod',
        'involvedObject.namespace': 'd',
        'involvedObject.name': 'web-1',
        'involvedObject.uid': 'u1',
        'involvedObject.apiVersion': '',
        'involvedObject.resourceVersion': '',
        'involvedObject.fieldPath': '',
        reason: 'Scheduled',
        reportingComponent: 'default-scheduler',
        source: 'default-scheduler',
        type: 'Normal',
      },
    ],
  ];
  for (const [name, kind, obj, want] of cases) {
    it(`selectable fields of a ${name}`, () => assert.deepEqual(selectableFields(kind, obj), want));
  }

  it('selects pods by node through the spec.host alias', () => {
    const s = compileFieldSelector(POD, 'spec.host=node-a,status.phase=Running');
    assert.equal(s.matches(selectableFields(POD, pod)), true);
    assert.equal(s.requiresExactMatch('spec.nodeName'), 'node-a');
  });

  it('selects core events by involvedObject', () => {
    const ev = { metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', name: 'web-1' }, source: { component: 'kubelet' }, type: 'Warning' };
    const ek = gvk('', 'v1', 'Event');
    assert.equal(compileFieldSelector(ek, 'involvedObject.name=web-1,source=kubelet,type=Warning').matches(selectableFields(ek, ev)), true);
    assert.equal(compileFieldSelector(ek, 'involvedObject.name=other').matches(selectableFields(ek, ev)), false);
  });
});

describe('custom resource field selectors', () => {
  const cr = { clusterScoped: false, selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }, { jsonPath: '.status.ready' }] };
  const obj = { metadata: { name: 'w', namespace: 'd' }, spec: { color: 'blue', size: 3 }, status: { ready: true } };

  it('selects on declared fields', () => {
    const fields = customResourceSelectableFields(cr, obj);
    assert.deepEqual(fields, { 'metadata.name': 'w', 'metadata.namespace': 'd', 'spec.color': 'blue', 'spec.size': '3', 'status.ready': 'true' });
    assert.equal(compileCustomResourceFieldSelector(cr, 'spec.color=blue,status.ready=true').matches(fields), true);
    assert.equal(compileCustomResourceFieldSelector(cr, 'spec.size!=3').matches(fields), false);
    assert.equal(customResourceSelectableFields(cr, { metadata: { name: 'x', namespace: 'd' } })['spec.color'], '');
  });

  it('rejects undeclared fields and namespace on cluster-scoped kinds', () => {
    assert.throws(() => compileCustomResourceFieldSelector(cr, 'spec.shape=round'), badRequestWith('field label not supported: spec.shape'));
    assert.throws(() => compileCustomResourceFieldSelector({ clusterScoped: true }, 'metadata.namespace=d'), badRequestWith('field label not supported: metadata.namespace'));
  });
});
