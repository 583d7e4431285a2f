import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { applyDefaults, prepareForCreate } from '../defaults/index.js';
import { aggregateString, fieldErrorString } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { validateCreate, validateNamespaceFinalizeUpdate, validatePodEphemeralContainersUpdate, validateStatusUpdate, validateUpdate } from './index.js';

const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });
const POD = gvk('', 'v1', 'Pod');
const SVC = gvk('', 'v1', 'Service');
const DEPLOY = gvk('apps', 'v1', 'Deployment');

/** prepared runs the same steps as the apiserver before validation: defaults and create prep. */
function prepared(k: GroupVersionKind, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(k, o);
  prepareForCreate(k, o);
  return o;
}

const errs = (k: GroupVersionKind, obj: Record<string, unknown>): string[] => validateCreate(k, prepared(k, obj)).map(fieldErrorString);

const podSpec = (extra: Record<string, unknown> = {}) => ({ containers: [{ name: 'c', image: 'nginx', ...extra }] });
const pod = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({ metadata: { name: 'p', namespace: 'default', ...meta }, spec });
const deploy = (spec: Record<string, unknown>) => ({
  metadata: { name: 'd', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: podSpec() }, ...spec },
});

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('validateCreate', () => {
  const cases: { name: string; kind: GroupVersionKind; obj: Record<string, unknown>; want: string[] }[] = [
    { name: 'valid pod', kind: POD, obj: pod(podSpec()), want: [] },
    { name: 'name required', kind: POD, obj: { metadata: { namespace: 'default' }, spec: podSpec() }, want: ['metadata.name: Required value: name or generateName is required'] },
    { name: 'bad pod name', kind: POD, obj: pod(podSpec(), { name: 'Bad_Name' }), want: [`metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`] },
    { name: 'generateName with trailing dash is fine', kind: POD, obj: { metadata: { generateName: 'web-', name: 'web-abcde', namespace: 'default' }, spec: podSpec() }, want: [] },
    { name: 'namespace required', kind: POD, obj: { metadata: { name: 'p' }, spec: podSpec() }, want: ['metadata.namespace: Required value'] },
    { name: 'image required', kind: POD, obj: pod(podSpec({ image: '' })), want: ['spec.containers[0].image: Required value'] },
    { name: 'containers required', kind: POD, obj: pod({ containers: [] }), want: ['spec.containers: Required value'] },
    {
      name: 'duplicate container names',
      kind: POD,
      obj: pod({ containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }),
      want: ['spec.containers[1].name: Duplicate value: "a"'],
    },
    { name: 'container name must be a DNS label', kind: POD, obj: pod(podSpec({ name: 'A' })), want: [`spec.containers[0].name: Invalid value: "A": ${labelMsg}`] },
    {
      name: 'container port out of range',
      kind: POD,
      obj: pod(podSpec({ ports: [{ containerPort: 70000 }] })),
      want: ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    },
    {
      name: 'bad protocol',
      kind: POD,
      obj: pod(podSpec({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })),
      want: ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    },
    {
      name: 'port name too long',
      kind: POD,
      obj: pod(podSpec({ ports: [{ containerPort: 80, name: 'a-very-long-port-name' }] })),
      want: ['spec.containers[0].ports[0].name: Invalid value: "a-very-long-port-name": must be no more than 15 characters'],
    },
    {
      name: 'env name with =',
      kind: POD,
      obj: pod(podSpec({ env: [{ name: 'A=B', value: 'x' }] })),
      want: [`spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`],
    },
    {
      name: 'valueFrom needs a source',
      kind: POD,
      obj: pod(podSpec({ env: [{ name: 'A', valueFrom: {} }] })),
      want: ['spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'],
    },
    {
      name: 'volumeMount of unknown volume',
      kind: POD,
      obj: pod(podSpec({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })),
      want: ['spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    },
    {
      name: 'two volume sources',
      kind: POD,
      obj: pod({ ...podSpec(), volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }),
      want: ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
    },
    {
      name: 'requests above limits',
      kind: POD,
      obj: pod(podSpec({ resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } })),
      want: ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    },
    {
      name: 'unknown resource name',
      kind: POD,
      obj: pod(podSpec({ resources: { limits: { gpu: '1' } } })),
      want: [
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    },
    {
      name: 'probe with two handlers',
      kind: POD,
      obj: pod(podSpec({ livenessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } })),
      want: ['spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type'],
    },
    {
      name: 'liveness successThreshold must be 1',
      kind: POD,
      obj: pod(podSpec({ livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } })),
      want: ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    },
    {
      name: 'restartPolicy enum',
      kind: POD,
      obj: pod({ ...podSpec(), restartPolicy: 'Sometimes' }),
      want: ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    },
    {
      name: 'toleration operator Exists with value',
      kind: POD,
      obj: pod({ ...podSpec(), tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }),
      want: [`spec.tolerations[0].operator: Invalid value: "v": value must be empty when \`operator\` is 'Exists'`],
    },
    {
      name: 'label value too long',
      kind: POD,
      obj: pod(podSpec(), { labels: { app: 'x'.repeat(64) } }),
      want: [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`],
    },
    {
      name: 'label key with two slashes',
      kind: POD,
      obj: pod(podSpec(), { labels: { 'a/b/c': 'x' } }),
      want: [
        `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    },
    {
      name: 'two controller owners',
      kind: POD,
      obj: pod(podSpec(), {
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'a', uid: '1', controller: true },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'b', uid: '2', controller: true },
        ],
      }),
      want: [
        'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"a", UID:"1", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}, v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"2", Controller:(*bool)(true), BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b',
      ],
    },
    {
      name: 'finalizer without prefix',
      kind: POD,
      obj: pod(podSpec(), { finalizers: ['custom'] }),
      want: ['metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'],
    },
    { name: 'valid service', kind: SVC, obj: { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } }, want: [] },
    {
      name: 'service name must be DNS-1035',
      kind: SVC,
      obj: { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } },
      want: [
        `metadata.name: Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    },
    { name: 'service ports required', kind: SVC, obj: { metadata: { name: 's', namespace: 'default' }, spec: {} }, want: ['spec.ports: Required value'] },
    {
      name: 'service port names required when several',
      kind: SVC,
      obj: { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }, { port: 443 }] } },
      want: ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
    },
    {
      name: 'service type enum',
      kind: SVC,
      obj: { metadata: { name: 's', namespace: 'default' }, spec: { type: 'Magic', ports: [{ port: 80 }] } },
      want: ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    },
    {
      name: 'nodePort on ClusterIP',
      kind: SVC,
      obj: { metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80, nodePort: 30080 }] } },
      want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    },
    { name: 'valid deployment', kind: DEPLOY, obj: deploy({}), want: [] },
    {
      name: 'deployment without selector',
      kind: DEPLOY,
      obj: { metadata: { name: 'd', namespace: 'default' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: podSpec() } } },
      want: ['spec.selector: Required value', 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    },
    {
      name: 'deployment selector mismatch',
      kind: DEPLOY,
      obj: deploy({ selector: { matchLabels: { app: 'y' } } }),
      want: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
    },
    {
      name: 'deployment template image required',
      kind: DEPLOY,
      obj: deploy({ template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c' }] } } }),
      want: ['spec.template.spec.containers[0].image: Required value'],
    },
    { name: 'deployment negative replicas', kind: DEPLOY, obj: deploy({ replicas: -1 }), want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'] },
    {
      name: 'deployment restartPolicy',
      kind: DEPLOY,
      obj: deploy({ template: { metadata: { labels: { app: 'x' } }, spec: { ...podSpec(), restartPolicy: 'Never' } } }),
      want: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    },
    {
      name: 'deployment maxSurge and maxUnavailable both 0',
      kind: DEPLOY,
      obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      want: ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
    },
    {
      name: 'job restartPolicy defaulted to Always',
      kind: gvk('batch', 'v1', 'Job'),
      obj: { metadata: { name: 'j', namespace: 'default', uid: 'u' }, spec: { template: { spec: podSpec() } } },
      want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
    },
    {
      name: 'cronjob bad schedule',
      kind: gvk('batch', 'v1', 'CronJob'),
      obj: { metadata: { name: 'cj', namespace: 'default' }, spec: { schedule: 'every minute', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } } } },
      want: ['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]'],
    },
    {
      name: 'cronjob name too long',
      kind: gvk('batch', 'v1', 'CronJob'),
      obj: { metadata: { name: 'c'.repeat(53), namespace: 'default' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'Never' } } } } } },
      want: [`metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`],
    },
    {
      name: 'namespace name must be a label',
      kind: gvk('', 'v1', 'Namespace'),
      obj: { metadata: { name: 'a.b' } },
      want: ['metadata.name: Invalid value: "a.b": must not contain dots'],
    },
    {
      name: 'namespace on a cluster-scoped kind',
      kind: gvk('', 'v1', 'Namespace'),
      obj: { metadata: { name: 'a', namespace: 'default' } },
      want: ['metadata.namespace: Forbidden: not allowed on this type'],
    },
    {
      name: 'configmap bad key',
      kind: gvk('', 'v1', 'ConfigMap'),
      obj: { metadata: { name: 'c', namespace: 'default' }, data: { 'a b': 'x' } },
      want: [
        `data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      ],
    },
    {
      name: 'tls secret without keys',
      kind: gvk('', 'v1', 'Secret'),
      obj: { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} },
      want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
    },
    {
      name: 'rbac name may not contain a slash',
      kind: gvk('rbac.authorization.k8s.io', 'v1', 'ClusterRole'),
      obj: { metadata: { name: 'a/b' }, rules: [] },
      want: ["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
    },
    {
      name: 'role rule without verbs',
      kind: gvk('rbac.authorization.k8s.io', 'v1', 'Role'),
      obj: { metadata: { name: 'r', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'] }] },
      want: ['rules[0].verbs: Required value: verbs must contain at least one value'],
    },
    {
      name: 'priority class above user maximum',
      kind: gvk('scheduling.k8s.io', 'v1', 'PriorityClass'),
      obj: { metadata: { name: 'high' }, value: 2000000000 },
      want: ['value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
    },
    {
      name: 'ingress needs rules or a default backend',
      kind: gvk('networking.k8s.io', 'v1', 'Ingress'),
      obj: { metadata: { name: 'i', namespace: 'default' }, spec: {} },
      want: ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'],
    },
    {
      name: 'ingress path type required',
      kind: gvk('networking.k8s.io', 'v1', 'Ingress'),
      obj: { metadata: { name: 'i', namespace: 'default' }, spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } },
      want: ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
    },
    {
      name: 'ingress class controller required',
      kind: gvk('networking.k8s.io', 'v1', 'IngressClass'),
      obj: { metadata: { name: 'nginx' }, spec: {} },
      want: ['spec.controller: Required value'],
    },
    {
      name: 'hpa max below min',
      kind: gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
      obj: { metadata: { name: 'h', namespace: 'default' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, minReplicas: 3, maxReplicas: 2 } },
      want: ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`'],
    },
    { name: 'unknown kinds validate to nothing', kind: gvk('example.com', 'v1', 'Widget'), obj: { metadata: {} }, want: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(errs(c.kind, c.obj), c.want));
  }

  it('renders the aggregate as kubectl shows it', () => {
    const e = validateCreate(POD, prepared(POD, pod(podSpec({ image: '' }))));
    assert.equal(aggregateString(e), 'spec.containers[0].image: Required value');
  });
});

describe('validateUpdate', () => {
  const stored = (k: GroupVersionKind, obj: Record<string, unknown>): KubeObject => {
    const o = prepared(k, obj);
    o.metadata = { ...o.metadata, uid: 'uid-1', resourceVersion: '5', creationTimestamp: '2026-01-01T00:00:00Z' };
    return o;
  };
  /** change clones a stored object and edits the clone, typed as the kind's wire shape. */
  const change = <T,>(o: KubeObject, f: (x: T) => void): KubeObject => {
    const c = structuredClone(o);
    f(c as unknown as T);
    return c;
  };

  it('accepts an unchanged object', () => {
    const old = stored(DEPLOY, deploy({}));
    assert.deepEqual(validateUpdate(DEPLOY, structuredClone(old), old), []);
  });

  it('accepts an unconditional update (no resourceVersion), which the store completes', () => {
    const old = stored(DEPLOY, deploy({}));
    const n = change<{ metadata: { resourceVersion?: string } }>(old, (x) => delete x.metadata.resourceVersion);
    assert.deepEqual(validateUpdate(DEPLOY, n, old), []);
  });

  it('keeps the deployment selector immutable', () => {
    const old = stored(DEPLOY, deploy({}));
    const n = change<Deployment>(old, (x) => {
      x.spec!.selector = { matchLabels: { app: 'y' } };
      x.spec!.template.metadata!.labels = { app: 'y' };
    });
    assert.deepEqual(validateUpdate(DEPLOY, n, old).map(fieldErrorString), [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"y"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
  });

  it('keeps metadata.uid immutable', () => {
    const old = stored(POD, pod(podSpec()));
    const n = change<{ metadata: { uid?: string } }>(old, (x) => (x.metadata.uid = 'other'));
    assert.deepEqual(validateUpdate(POD, n, old).map(fieldErrorString), ['metadata.uid: Invalid value: "other": field is immutable']);
  });

  it('keeps metadata.deletionTimestamp immutable, a removed one shown as a nil *metav1.Time ("null")', () => {
    const old = stored(POD, pod(podSpec()));
    old.metadata = { ...old.metadata, deletionTimestamp: '2026-01-02T03:04:05Z' };
    const removed = change<{ metadata: { deletionTimestamp?: string } }>(old, (x) => delete x.metadata.deletionTimestamp);
    const moved = change<{ metadata: { deletionTimestamp?: string } }>(old, (x) => (x.metadata.deletionTimestamp = '2026-01-03T00:00:00Z'));
    assert.deepEqual(validateUpdate(POD, removed, old).map(fieldErrorString), ['metadata.deletionTimestamp: Invalid value: "null": field is immutable']);
    assert.deepEqual(validateUpdate(POD, moved, old).map(fieldErrorString), ['metadata.deletionTimestamp: Invalid value: "2026-01-03 00:00:00 +0000 UTC": field is immutable']);
  });

  it('lets a pod change its image', () => {
    const old = stored(POD, pod(podSpec()));
    const n = change<Pod>(old, (x) => (x.spec!.containers[0]!.image = 'nginx:2'));
    assert.deepEqual(validateUpdate(POD, n, old), []);
  });

  it('forbids other pod spec changes with upstream message', () => {
    const old = stored(POD, pod(podSpec()));
    const n = change<Pod>(old, (x) => (x.spec!.restartPolicy = 'Never'));
    const got = validateUpdate(POD, n, old).map(fieldErrorString);
    assert.equal(got.length, 1);
    assert.equal(
      got[0]!.split('\n')[0],
      'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    );
    assert.match(got[0]!, /RestartPolicy/);
  });

  it('forbids statefulset spec changes outside the mutable fields', () => {
    const STS = gvk('apps', 'v1', 'StatefulSet');
    const old = stored(STS, { metadata: { name: 's', namespace: 'default' }, spec: { serviceName: 's', selector: { matchLabels: { app: 's' } }, template: { metadata: { labels: { app: 's' } }, spec: podSpec() } } });
    const n = change<StatefulSet>(old, (x) => (x.spec!.serviceName = 'other'));
    assert.deepEqual(validateUpdate(STS, n, old).map(fieldErrorString), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('keeps roleRef immutable', () => {
    const RB = gvk('rbac.authorization.k8s.io', 'v1', 'RoleBinding');
    const old = stored(RB, { metadata: { name: 'rb', namespace: 'default' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'a' } });
    const n = change<RoleBinding>(old, (x) => (x.roleRef.name = 'b'));
    assert.deepEqual(validateUpdate(RB, n, old).map(fieldErrorString), [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef',
    ]);
  });

  it('keeps the secret type immutable', () => {
    const SEC = gvk('', 'v1', 'Secret');
    const old = stored(SEC, { metadata: { name: 's', namespace: 'default' } });
    const n = change<Secret>(old, (x) => (x.type = 'kubernetes.io/basic-auth'));
    assert.deepEqual(validateUpdate(SEC, n, old).map(fieldErrorString), [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'data[username]: Required value',
      'data[password]: Required value',
    ]);
  });

  it('keeps a priority class value', () => {
    const PC = gvk('scheduling.k8s.io', 'v1', 'PriorityClass');
    const old = stored(PC, { metadata: { name: 'p' }, value: 10 });
    const n = change<PriorityClass>(old, (x) => (x.value = 11));
    assert.deepEqual(validateUpdate(PC, n, old).map(fieldErrorString), ['value: Forbidden: may not be changed in an update.']);
  });

  it('keeps a service clusterIP', () => {
    const old = stored(SVC, { metadata: { name: 's', namespace: 'default' }, spec: { clusterIP: '10.43.0.5', ports: [{ port: 80 }] } });
    const n = change<Service>(old, (x) => {
      x.spec!.clusterIP = '10.43.0.6';
      x.spec!.clusterIPs = ['10.43.0.6'];
    });
    assert.deepEqual(validateUpdate(SVC, n, old).map(fieldErrorString), ['spec.clusterIPs[0]: Invalid value: []string{"10.43.0.6"}: may not change once set']);
  });

  it('checks pod status writes', () => {
    const old = stored(POD, pod(podSpec()));
    const n = change<Pod>(old, (x) => (x.spec!.nodeName = 'node-1'));
    assert.deepEqual(validateStatusUpdate(POD, n, old).map(fieldErrorString), ['status.nodeName: Forbidden: may not be changed directly']);
  });
});

describe('events', () => {
  it('accepts an old-style core event without name rules', () => {
    const k = gvk('', 'v1', 'Event');
    const ev = { metadata: { name: 'web.17a8f', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started' };
    assert.deepEqual(errs(k, ev), []);
  });

  it('rejects a core event whose involvedObject is in another namespace', () => {
    const k = gvk('', 'v1', 'Event');
    const ev = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } };
    assert.deepEqual(errs(k, ev), ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  });

  it('requires eventTime and reporting fields on events.k8s.io', () => {
    const k = gvk('events.k8s.io', 'v1', 'Event');
    const ev = { metadata: { name: 'e', namespace: 'default' }, eventTime: '2026-01-01T00:00:00.000000Z', type: 'Normal', regarding: { namespace: 'default' } };
    assert.deepEqual(errs(k, ev), [
      'reportingController: Required value',
      "reportingController: Invalid value: \"\": name part must be non-empty",
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ]);
  });
});

describe('subresource bodies', () => {
  it('rejects a negative scale', () => {
    const k = gvk('autoscaling', 'v1', 'Scale');
    assert.deepEqual(validateCreate(k, { metadata: { name: 'd', namespace: 'default' }, spec: { replicas: -1 } } as KubeObject).map(fieldErrorString), [
      'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
  it('rejects a binding to something other than a node', () => {
    const k = gvk('', 'v1', 'Binding');
    assert.deepEqual(validateCreate(k, { metadata: { name: 'p', namespace: 'default' }, target: { kind: 'Pod', name: 'x' } } as KubeObject).map(fieldErrorString), [
      'target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"',
    ]);
  });
});

describe('wrongly typed input', () => {
  it('is reported, not thrown', () => {
    const o = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: 'nginx' } } as unknown as KubeObject;
    applyDefaults(POD, o);
    const got = validateCreate(POD, o);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.type, 'InternalError');
  });
});

describe('validatePodEphemeralContainersUpdate', () => {
  const base = (): KubeObject => {
    const o = prepared(POD, pod(podSpec()));
    o.metadata = { ...o.metadata, uid: 'u', resourceVersion: '3' };
    return o;
  };
  const withDebugger = (o: KubeObject, extra: Record<string, unknown> = {}): KubeObject => {
    const n = structuredClone(o) as KubeObject & { spec: { ephemeralContainers?: unknown[] } };
    n.spec.ephemeralContainers = [{ name: 'debugger-abc', image: 'busybox', stdin: true, tty: true, targetContainerName: 'c', ...extra }];
    applyDefaults(POD, n);
    return n;
  };

  it('accepts kubectl debug adding a container', () => {
    const old = base();
    assert.deepEqual(validatePodEphemeralContainersUpdate(withDebugger(old) as never, old as never), []);
  });

  it('rejects fields ephemeral containers may not set', () => {
    const old = base();
    const got = validatePodEphemeralContainersUpdate(withDebugger(old, { ports: [{ containerPort: 80 }] }) as never, old as never).map(fieldErrorString);
    assert.deepEqual(got, ['spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container']);
  });

  it('rejects removing one', () => {
    const old = withDebugger(base());
    const n = structuredClone(old) as KubeObject & { spec: { ephemeralContainers?: unknown[] } };
    n.spec.ephemeralContainers = [];
    assert.deepEqual(validatePodEphemeralContainersUpdate(n as never, old as never).map(fieldErrorString), [
      'spec.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-abc" may not be removed\n',
    ]);
  });
});

describe('validateNamespaceFinalizeUpdate', () => {
  it('accepts removing the kubernetes finalizer', () => {
    const old = { metadata: { name: 'n', uid: 'u', resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] } } as KubeObject;
    const n = { metadata: { name: 'n', uid: 'u', resourceVersion: '1' }, spec: { finalizers: [] } } as KubeObject;
    assert.deepEqual(validateNamespaceFinalizeUpdate(n as never, old as never), []);
  });
  it('rejects an unqualified custom finalizer', () => {
    const old = { metadata: { name: 'n', uid: 'u', resourceVersion: '1' }, spec: {} } as KubeObject;
    const n = { metadata: { name: 'n', uid: 'u', resourceVersion: '1' }, spec: { finalizers: ['mine'] } } as KubeObject;
    assert.deepEqual(validateNamespaceFinalizeUpdate(n as never, old as never).map(fieldErrorString), [
      'spec.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});
