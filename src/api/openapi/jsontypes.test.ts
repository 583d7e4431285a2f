import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonTypeError } from './jsontypes.js';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

function deployment(container: Record<string, unknown>, spec: Record<string, unknown> = {}, labels: Record<string, unknown> = { app: 'web' }): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels },
    spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i', ...container }] } }, ...spec },
  };
}

test('jsonTypeError reports the first wrong JSON type as Go decoding into upstream structs does', () => {
  const cases: Array<{ name: string; obj: object; want: string | undefined }> = [
    { name: 'a valid object', obj: deployment({ env: [{ name: 'A', value: '5' }], resources: { limits: { cpu: 1, memory: '1Gi' } } }), want: undefined },
    {
      name: 'a number where a string belongs',
      obj: deployment({ env: [{ name: 'A', value: 5 }] }),
      want: 'json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string',
    },
    { name: 'a bool label value', obj: deployment({}, {}, { x: true }), want: 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string' },
    { name: 'a fraction where an int32 belongs', obj: deployment({}, { replicas: 1.5 }), want: 'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32' },
    { name: 'an int32 out of range', obj: deployment({}, { replicas: 2 ** 31 }), want: 'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32' },
    { name: 'a string where an int32 belongs', obj: deployment({ ports: [{ containerPort: '80' }] }), want: 'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32' },
    { name: 'an object where a list belongs', obj: deployment({ args: { a: 1 } }), want: 'json: cannot unmarshal object into Go struct field Container.spec.template.spec.containers.args of type []string' },
    { name: 'a scalar where a struct belongs', obj: deployment({}, { strategy: 'Recreate' }), want: 'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.strategy of type v1.DeploymentStrategy' },
    { name: 'null is always accepted', obj: deployment({ env: null, ports: [{ containerPort: null }] }, { strategy: null }), want: undefined },
    { name: 'self-decoding types accept their valid forms', obj: deployment({ resources: { limits: { cpu: 0.5, memory: '1Gi' } } }, { strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } }), want: undefined },
    {
      name: 'document order decides which error is reported',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { a: 1 } }, data: { b: 2 } },
      want: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string',
    },
  ];
  for (const c of cases) {
    const gvk = (c.obj as { kind: string }).kind === 'ConfigMap' ? { group: '', version: 'v1', kind: 'ConfigMap' } : DEPLOYMENT;
    assert.equal(jsonTypeError(gvk, c.obj), c.want, c.name);
  }
  assert.equal(jsonTypeError({ group: '', version: 'v1', kind: 'Secret' }, { metadata: { name: 's' }, data: { a: 5 } }), 'json: cannot unmarshal number into Go struct field Secret.data of type []uint8');
  assert.equal(jsonTypeError({ group: 'example.com', version: 'v1', kind: 'Widget' }, { spec: 5 }), undefined, 'kinds without a built-in schema');
});

const POD = { group: '', version: 'v1', kind: 'Pod' };
const SECRET = { group: '', version: 'v1', kind: 'Secret' };
const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function pod(container: Record<string, unknown>, metadata: Record<string, unknown> = {}): object {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...metadata }, spec: { containers: [{ name: 'c', image: 'i', ...container }] } };
}

test('jsonTypeError reports the UnmarshalJSON errors of values that decode themselves', () => {
  const cases: Array<{ name: string; gvk: typeof POD; obj: object; want: string | undefined }> = [
    { name: 'resource.Quantity.UnmarshalJSON: ErrFormatWrong', gvk: POD, obj: pod({ resources: { limits: { memory: '1Gb' } } }), want: FORMAT },
    { name: 'resource.Quantity.UnmarshalJSON: ErrSuffix', gvk: POD, obj: pod({ resources: { requests: { memory: '1ki' } } }), want: "unable to parse quantity's suffix" },
    { name: 'resource.Quantity.UnmarshalJSON: a JSON number', gvk: POD, obj: pod({ resources: { requests: { cpu: 0.5 } } }), want: undefined },
    { name: 'resource.Quantity.UnmarshalJSON: a boolean', gvk: POD, obj: pod({ resources: { requests: { cpu: true } } }), want: FORMAT },
    {
      name: 'metav1.Time.UnmarshalJSON: time.Parse error',
      gvk: POD,
      obj: pod({}, { creationTimestamp: 'x' }),
      want: 'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"',
    },
    { name: 'metav1.Time.UnmarshalJSON: null', gvk: POD, obj: pod({}, { creationTimestamp: null }), want: undefined },
    { name: 'metav1.Time.UnmarshalJSON: RFC3339', gvk: POD, obj: pod({}, { creationTimestamp: '2024-05-01T10:00:00Z' }), want: undefined },
    {
      name: 'metav1.Time.UnmarshalJSON: a number fails its json.Unmarshal into a string, with the outer field context',
      gvk: POD,
      obj: pod({}, { creationTimestamp: 5 }),
      want: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string',
    },
    {
      name: 'metav1.MicroTime.UnmarshalJSON: RFC3339Micro wants six fraction digits',
      gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
      obj: { metadata: { name: 'l' }, spec: { renewTime: '2024-01-01T00:00:00Z' } },
      want: 'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
    },
    {
      name: 'intstr.IntOrString.UnmarshalJSON: a boolean',
      gvk: DEPLOYMENT,
      obj: deployment({}, { strategy: { rollingUpdate: { maxSurge: true } } }),
      want: 'json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
    },
    {
      name: 'intstr.IntOrString.UnmarshalJSON: a fraction',
      gvk: POD,
      obj: pod({ ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 1.5 } } }),
      want: 'json: cannot unmarshal number 1.5 into Go struct field HTTPGetAction.spec.containers.readinessProbe.httpGet.port of type int32',
    },
    { name: 'intstr.IntOrString.UnmarshalJSON: an object', gvk: POD, obj: pod({ readinessProbe: { tcpSocket: { port: {} } } }), want: 'json: cannot unmarshal object into Go struct field TCPSocketAction.spec.containers.readinessProbe.tcpSocket.port of type int32' },
    { name: '[]byte: invalid base64', gvk: SECRET, obj: { metadata: { name: 's' }, data: { a: 'YWJj', b: 'not base64!' } }, want: 'illegal base64 data at input byte 3' },
    { name: '[]byte: an array of bytes decodes as a slice', gvk: SECRET, obj: { metadata: { name: 's' }, data: { a: [104, 105] } }, want: undefined },
    { name: '[]byte: an array element out of uint8', gvk: SECRET, obj: { metadata: { name: 's' }, data: { a: [256] } }, want: 'json: cannot unmarshal number 256 into Go struct field Secret.data of type uint8' },
    {
      name: '[]byte: a webhook caBundle holding PEM text',
      gvk: { group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingWebhookConfiguration' },
      obj: { metadata: { name: 'w' }, webhooks: [{ name: 'a.b.c', clientConfig: { caBundle: '-----BEGIN CERTIFICATE-----' } }] },
      want: 'illegal base64 data at input byte 0',
    },
    {
      name: 'JSONSchemaPropsOrBool.UnmarshalJSON: neither boolean nor schema',
      gvk: { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
      obj: { metadata: { name: 'ws.example.com' }, spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', additionalProperties: 'yes' } } }] } },
      want: 'boolean or JSON schema expected',
    },
    {
      name: 'JSONSchemaPropsOrBool.UnmarshalJSON: a boolean or a schema',
      gvk: { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
      obj: { metadata: { name: 'ws.example.com' }, spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', additionalProperties: false, properties: { m: { type: 'object', additionalProperties: { type: 'string' } } } } } }] } },
      want: undefined,
    },
    {
      name: 'a saved type error wins over a later saved base64 error (first saved)',
      gvk: SECRET,
      obj: { metadata: { name: 's', labels: { a: 1 } }, data: { b: '!' } },
      want: 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    },
    {
      name: 'a saved base64 error wins over a later saved type error',
      gvk: SECRET,
      obj: { metadata: { name: 's' }, data: { b: '!' }, type: 5 },
      want: 'illegal base64 data at input byte 0',
    },
    {
      name: 'an UnmarshalJSON error stops decoding and wins over a type error saved before it',
      gvk: POD,
      obj: pod({ env: [{ name: 'A', value: 5 }], resources: { limits: { memory: '1Gb' } } }),
      want: FORMAT,
    },
    {
      name: 'the first UnmarshalJSON error in document order wins',
      gvk: POD,
      obj: pod({ resources: { limits: { memory: '1Gb' } } }, { creationTimestamp: 'x' }),
      want: 'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"',
    },
  ];
  for (const c of cases) assert.equal(jsonTypeError(c.gvk, c.obj), c.want, c.name);
});
