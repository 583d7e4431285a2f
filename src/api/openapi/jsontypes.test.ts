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
    { name: 'self-decoding types are left to validation', obj: deployment({ resources: { limits: { cpu: true } } }, { strategy: { rollingUpdate: { maxSurge: '25%' } } }), want: undefined },
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
