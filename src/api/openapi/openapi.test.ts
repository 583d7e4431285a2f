import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceInfo } from '../types.js';
import { builtinResources } from '../resources.js';
import { definitions, openAPIV2, openAPIV2Protobuf, openAPIV3, openAPIV3Index, openAPIV3JSON, strictDecodingError, unknownFields, unknownFieldsForSchema } from './index.js';

type Obj = Record<string, unknown>;

/** g walks a JSON document by keys (undefined when a step is missing). */
const g = (o: unknown, ...keys: (string | number)[]): unknown =>
  keys.reduce<unknown>((x, k) => (x === null || typeof x !== 'object' ? undefined : (x as Record<string | number, unknown>)[k]), o);
const names = (params: unknown): unknown[] => (params as Obj[]).map((p) => p['name']);

const v2 = openAPIV2(builtinResources);
const P = (path: string, ...rest: (string | number)[]): unknown => g(v2, 'paths', path, ...rest);

test('definitions: upstream names, formats and extensions', () => {
  const pod = definitions['io.k8s.api.core.v1.Pod']!;
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Pod' }]);
  assert.equal(definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString']!.format, 'int-or-string');
  assert.equal(definitions['io.k8s.apimachinery.pkg.api.resource.Quantity']!.type, 'string');
  assert.equal(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.Time']!.format, 'date-time');
  const spec = definitions['io.k8s.api.core.v1.PodSpec']!.properties!;
  assert.equal(spec['containers']!['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(spec['volumes']!['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(spec['terminationGracePeriodSeconds']!.format, 'int64');
  assert.deepEqual(definitions['io.k8s.api.core.v1.Container']!.properties!['ports']!['x-kubernetes-list-map-keys'], ['containerPort', 'protocol']);
  assert.deepEqual(definitions['io.k8s.api.core.v1.Container']!.required, ['name']);
  assert.equal(definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']!.properties!['finalizers']!['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(definitions['io.k8s.api.apps.v1.DeploymentSpec']!.properties!['template']!.$ref, '#/definitions/io.k8s.api.core.v1.PodTemplateSpec');
});

test('v2: paths, operation ids, actions and query parameters as upstream', () => {
  const item = '/api/v1/namespaces/{namespace}/pods/{name}';
  assert.equal(P(item, 'get', 'operationId'), 'readCoreV1NamespacedPod');
  assert.equal(P(item, 'put', 'operationId'), 'replaceCoreV1NamespacedPod');
  assert.equal(P(item, 'delete', 'operationId'), 'deleteCoreV1NamespacedPod');
  assert.equal(P(item, 'patch', 'operationId'), 'patchCoreV1NamespacedPod');
  assert.equal(P(item, 'patch', 'x-kubernetes-action'), 'patch');
  assert.deepEqual(P(item, 'patch', 'x-kubernetes-group-version-kind'), { group: '', version: 'v1', kind: 'Pod' });
  for (const n of ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names(P(item, 'patch', 'parameters')).includes(n), n);
  assert.deepEqual(names(P(item, 'parameters')), ['name', 'namespace', 'pretty']);
  assert.ok((P(item, 'patch', 'consumes') as string[]).includes('application/strategic-merge-patch+json'));
  const coll = '/apis/apps/v1/namespaces/{namespace}/deployments';
  assert.equal(P(coll, 'get', 'operationId'), 'listAppsV1NamespacedDeployment');
  assert.equal(P(coll, 'post', 'operationId'), 'createAppsV1NamespacedDeployment');
  assert.equal(P(coll, 'delete', 'operationId'), 'deletecollectionAppsV1NamespacedDeployment');
  assert.equal(P(coll, 'get', 'responses', '200', 'schema', '$ref'), '#/definitions/io.k8s.api.apps.v1.DeploymentList');
  assert.equal(P('/apis/apps/v1/deployments', 'get', 'operationId'), 'listAppsV1DeploymentForAllNamespaces');
  assert.equal(P('/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}', 'get', 'x-kubernetes-action'), 'watch');
  assert.equal(P('/api/v1/nodes/{name}', 'get', 'operationId'), 'readCoreV1Node');
  assert.equal(P('/apis/rbac.authorization.k8s.io/v1/clusterroles', 'get', 'operationId'), 'listRbacAuthorizationV1ClusterRole');
});

test('v2: subresources status, scale, binding, eviction, finalize', () => {
  assert.equal(P('/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch', 'operationId'), 'patchCoreV1NamespacedPodStatus');
  const scale = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale';
  assert.equal(P(scale, 'get', 'operationId'), 'readAppsV1NamespacedDeploymentScale');
  assert.deepEqual(P(scale, 'get', 'x-kubernetes-group-version-kind'), { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(P(scale, 'put', 'parameters', 0, 'schema', '$ref'), '#/definitions/io.k8s.api.autoscaling.v1.Scale');
  assert.equal(P('/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post', 'operationId'), 'createCoreV1NamespacedPodBinding');
  assert.equal(P('/api/v1/namespaces/{namespace}/pods/{name}/eviction', 'post', 'operationId'), 'createCoreV1NamespacedPodEviction');
  assert.equal(P('/api/v1/namespaces/{name}/finalize', 'put', 'operationId'), 'replaceCoreV1NamespaceFinalize');
});

test('v3 index: one content-hashed URL per group-version', () => {
  const idx = openAPIV3Index(builtinResources);
  assert.match(idx.paths['api/v1']!.serverRelativeURL, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{16}$/);
  assert.ok(idx.paths['apis/apps/v1']);
  assert.ok(idx.paths['apis/autoscaling/v2']);
  assert.ok(idx.paths['api'] && idx.paths['apis']);
  const hash = idx.paths['apis/apps/v1']!.serverRelativeURL.split('hash=')[1];
  assert.equal(openAPIV3JSON(builtinResources, 'apis/apps/v1')!.hash, hash);
  assert.equal(openAPIV3(builtinResources, 'apis/nope/v1'), undefined);
  assert.equal(openAPIV3Index(builtinResources), idx, 'cached per resource table');
});

test('v3 document: components, allOf-wrapped refs and kubectl-shaped lookups', () => {
  const doc = openAPIV3(builtinResources, 'apis/apps/v1');
  assert.equal(g(doc, 'openapi'), '3.0.0');
  const S = (...keys: (string | number)[]): unknown => g(doc, 'components', 'schemas', ...keys);
  assert.deepEqual(S('io.k8s.api.apps.v1.Deployment', 'x-kubernetes-group-version-kind'), [{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
  assert.deepEqual(S('io.k8s.api.apps.v1.Deployment', 'properties', 'spec', 'allOf'), [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
  assert.ok(S('io.k8s.api.core.v1.Container'), 'transitively referenced schemas are included');
  assert.ok(S('io.k8s.api.autoscaling.v1.Scale'), 'subresource kinds are included');
  assert.equal(S('io.k8s.api.core.v1.Pod'), undefined, 'schemas not reachable from apps/v1 are left out');
  const patch = (...keys: (string | number)[]): unknown => g(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch', ...keys);
  assert.ok((patch('parameters') as Obj[]).some((p) => p['name'] === 'fieldValidation' && p['in'] === 'query'));
  assert.equal(patch('requestBody', 'content', 'application/strategic-merge-patch+json', 'schema', '$ref'), '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
  assert.equal(patch('responses', '200', 'content', 'application/json', 'schema', '$ref'), '#/components/schemas/io.k8s.api.apps.v1.Deployment');
  assert.ok(!JSON.stringify(doc).includes('#/definitions/'), 'no v2 refs left');
});

test('documents follow the resource table they are given', () => {
  const only: ResourceInfo[] = builtinResources.filter((r) => r.group === 'batch');
  assert.deepEqual(Object.keys(openAPIV3Index(only).paths).sort(), ['api', 'apis', 'apis/batch/v1']);
  assert.ok(!Object.keys(g(openAPIV2(only), 'paths') as Obj).some((p) => p.startsWith('/api/v1')));
});

test('v2 protobuf starts with the swagger version field', () => {
  const pb = openAPIV2Protobuf(builtinResources);
  assert.deepEqual([...pb.subarray(0, 5)], [0x0a, 3, ...new TextEncoder().encode('2.0')]);
  assert.ok(pb.length > 1_000_000);
});

const deployment = { group: 'apps', version: 'v1', kind: 'Deployment' };
const unknownCases: { name: string; gvk?: typeof deployment; obj: Obj; want: string[] }[] = [
  {
    name: 'known fields, free-form maps, int-or-string and quantities pass',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' } },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', memory: '1Gi' } } }] } },
      },
      status: { replicas: 1 },
    },
    want: [],
  },
  {
    name: 'nested unknown fields are reported with upstream paths',
    obj: { metadata: { name: 'x', bogus: 1 }, spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b', foo: 1, ports: [{ containerPort: 80, bar: 2 }] }] } } }, extra: true },
    want: ['metadata.bogus', 'spec.template.spec.containers[1].foo', 'spec.template.spec.containers[1].ports[0].bar', 'extra'],
  },
  { name: 'kinds without a schema report nothing', gvk: { group: 'example.com', version: 'v1', kind: 'Widget' }, obj: { spec: { anything: 1 } }, want: [] },
  {
    name: 'raw extensions and fields maps are free-form',
    gvk: { group: 'apps', version: 'v1', kind: 'ControllerRevision' },
    obj: { data: { any: { thing: 1 } }, metadata: { managedFields: [{ fieldsV1: { 'f:spec': {} } }] } },
    want: [],
  },
  {
    name: "a CRD's schema extensions are known fields",
    gvk: { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
    obj: {
      spec: {
        group: 'example.com',
        versions: [
          {
            name: 'v1',
            schema: {
              openAPIV3Schema: {
                type: 'object',
                'x-kubernetes-preserve-unknown-fields': true,
                properties: { spec: { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a > 0' }], properties: { a: { type: 'integer', 'x-kubernetes-int-or-string': true, bogus: 1 } } } },
              },
            },
          },
        ],
      },
    },
    want: ['spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.a.bogus'],
  },
];

for (const c of unknownCases) {
  test(`unknownFields: ${c.name}`, () => {
    assert.deepEqual(unknownFields(c.gvk ?? deployment, c.obj).sort(), c.want.sort());
  });
}

test('strictDecodingError renders as upstream', () => {
  assert.equal(strictDecodingError(['spec.foo', 'metadata.bar']), 'strict decoding error: unknown field "spec.foo", unknown field "metadata.bar"');
});

test('unknownFieldsForSchema: custom resources against a structural schema', () => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const cr = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', nope: 1 },
    spec: {
      replicas: 1,
      extra: true,
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { anything: 1 }, stray: 2 },
      items: [{ name: 'a' }, { name: 'b', bad: 3 }],
      labels: { free: 'form' },
    },
    status: { whatever: { deep: 1 } },
  };
  assert.deepEqual(unknownFieldsForSchema(schema, cr).sort(), ['metadata.nope', 'spec.extra', 'spec.items[1].bad', 'spec.template.stray'].sort());
  assert.deepEqual(unknownFieldsForSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, cr), []);
});
