/**
 * 400 BadRequest parity for values that decode themselves, as users see it: real kubectl applies
 * manifests whose Quantity, Time, MicroTime, IntOrString or []byte values fail upstream's
 * decoding into Go structs, and its output is compared with what it prints against
 * kube-apiserver for the same manifest. Each expected text follows from the upstream function
 * named in the case (resource.Quantity.UnmarshalJSON -> ParseQuantity, metav1.Time.UnmarshalJSON
 * -> time.Parse, base64.StdEncoding.Decode, intstr.IntOrString.UnmarshalJSON) and the
 * apiserver's wrapping, `<Kind> in version "<v>" cannot be handled as a <Kind>: <error>`.
 */
import assert from 'node:assert/strict';
import { describeKubectlCases } from './helpers/apiserver.js';

interface Case {
  name: string;
  manifest: string;
  /** stderr is kubectl's error line after `error when creating "<file>": ` (or undefined: applies). */
  error: string | undefined;
}

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const pod = (container: string): string => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx${container}}]}\n`;

const cases: Case[] = [
  {
    name: 'resource.Quantity.UnmarshalJSON: ParseQuantity ErrFormatWrong for 1Gb',
    manifest: pod(', resources: {limits: {memory: 1Gb}}'),
    error: `Pod in version "v1" cannot be handled as a Pod: ${FORMAT}`,
  },
  {
    // kubectl asks for fieldValidation=Strict; the decode error comes before the strict errors.
    name: 'json serializer Decode: a decoding error wins over strict decoding errors',
    manifest: pod(', foo: bar, resources: {limits: {memory: 1Gb}}'),
    error: `Pod in version "v1" cannot be handled as a Pod: ${FORMAT}`,
  },
  {
    name: 'json serializer Decode: strict decoding errors still answer alone',
    manifest: pod(', foo: bar, resources: {limits: {memory: 1Gi}}'),
    error: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].foo"',
  },
  {
    name: "resource.Quantity.UnmarshalJSON: ParseQuantity ErrSuffix for 1ki",
    manifest: pod(', resources: {requests: {memory: 1ki}}'),
    error: `Pod in version "v1" cannot be handled as a Pod: unable to parse quantity's suffix`,
  },
  {
    name: 'resource.Quantity.UnmarshalJSON: numbers and every quantity form decode',
    manifest: pod(', resources: {limits: {cpu: 0.5, memory: 1Gi, ephemeral-storage: 1e3}, requests: {cpu: 100m, memory: .5Ki}}'),
    error: undefined,
  },
  {
    name: 'base64.StdEncoding.Decode: CorruptInputError in Secret.data',
    manifest: 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: "not base64!"}\n',
    error: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3',
  },
  {
    name: 'base64.StdEncoding.Decode: an unpadded group in ConfigMap.binaryData',
    manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbinaryData: {blob: aGVsbG8}\n',
    error: 'ConfigMap in version "v1" cannot be handled as a ConfigMap: illegal base64 data at input byte 4',
  },
  {
    // Not in metadata: kubectl decodes ObjectMeta itself and would refuse the file first.
    name: 'metav1.Time.UnmarshalJSON: time.Parse RFC3339 error',
    manifest: `${pod('')}status: {startTime: x}\n`,
    error: 'Pod in version "v1" cannot be handled as a Pod: parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"',
  },
  {
    name: 'metav1.MicroTime.UnmarshalJSON: RFC3339Micro needs six fraction digits',
    manifest: 'apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l}\nspec: {renewTime: "2024-01-01T00:00:00Z"}\n',
    error: 'Lease in version "v1" cannot be handled as a Lease: parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
  },
  {
    name: 'intstr.IntOrString.UnmarshalJSON: a boolean fails json.Unmarshal into int32',
    manifest: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: true}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
`,
    error: 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32',
  },
];

describeKubectlCases('400 decode parity through real kubectl', cases, async (c, i, { k, ns, write }) => {
  const file = write(`case-${i}.yaml`, c.manifest);
  const r = await k.run(['apply', '-n', ns, '-f', file]);
  if (c.error === undefined) {
    assert.equal(r.code, 0, r.stderr);
    return;
  }
  assert.equal(r.code, 1, r.stdout);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, `Error from server (BadRequest): error when creating ${JSON.stringify(file)}: ${c.error}\n`);
});
