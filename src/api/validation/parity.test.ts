/**
 * Parity of 422 Invalid answers with kube-apiserver v1.32: each case runs an object through the
 * apiserver's own steps (defaults, create/update preparation, validation, errors.invalid) and
 * compares the whole Status message and its causes with what upstream's code produces. Each case
 * names the upstream function (pkg/apis/<group>/validation unless said otherwise) whose field
 * path, error type, detail and cause order it pins. The update cases compare against the stored
 * object as the registry would have kept it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareForCreate, prepareForUpdate } from '../defaults/index.js';
import { invalid } from '../errors.js';
import { applyMergePatch } from '../patch/index.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { validateCreate, validateUpdate } from './index.js';

type Obj = Record<string, unknown>;

const gvk = (group: string, kind: string): GroupVersionKind => ({ group, version: 'v1', kind });
const POD = gvk('', 'Pod');
const SVC = gvk('', 'Service');
const CM = gvk('', 'ConfigMap');
const SECRET = gvk('', 'Secret');
const NS = gvk('', 'Namespace');
const DEPLOY = gvk('apps', 'Deployment');
const STS = gvk('apps', 'StatefulSet');
const DS = gvk('apps', 'DaemonSet');
const RS = gvk('apps', 'ReplicaSet');
const JOB = gvk('batch', 'Job');
const CRON = gvk('batch', 'CronJob');
const ING = gvk('networking.k8s.io', 'Ingress');
const LIMITS = gvk('', 'LimitRange');
const QUOTA = gvk('', 'ResourceQuota');
const NODE = gvk('', 'Node');
const HPA: GroupVersionKind = { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' };

/** stored runs the create path up to validation, as the registry does before it validates. */
function stored(k: GroupVersionKind, obj: Obj): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  o.metadata = { ...(k.kind === 'Namespace' || k.kind === 'Node' ? {} : { namespace: 'default' }), uid: '7d3f0a52-5c7e-4c53-9f55-2b1d2c8e0b11', ...o.metadata };
  applyDefaults(k, o);
  prepareForCreate(k, o);
  return o;
}

/** statusOf answers the Status the apiserver sends for obj (an update of `old` when given), or undefined when valid. */
function statusOf(k: GroupVersionKind, obj: Obj, old?: Obj): { message: string; causes: string[] } | undefined {
  let o: KubeObject;
  let errs;
  if (old) {
    const prev = stored(k, old);
    prev.metadata = { ...prev.metadata, resourceVersion: '5' };
    // The user's change arrives as kubectl apply sends it: a patch of the stored object.
    o = applyMergePatch(prev, obj);
    applyDefaults(k, o);
    prepareForUpdate(k, o, prev);
    errs = validateUpdate(k, o, prev);
  } else {
    o = stored(k, obj);
    errs = validateCreate(k, o);
  }
  if (errs.length === 0) return undefined;
  const st = invalid({ group: k.group, kind: k.kind }, o.metadata?.name ?? '', errs).status;
  return { message: st.message, causes: (st.details?.causes ?? []).map((c) => `${c.reason} ${c.field}: ${c.message}`) };
}

const container = (extra: Obj = {}): Obj => ({ name: 'c', image: 'nginx', ...extra });
const pod = (spec: Obj, meta: Obj = {}): Obj => ({ metadata: { name: 'p', ...meta }, spec });
const template = (labels: Obj, spec: Obj = {}): Obj => ({ metadata: { labels }, spec: { containers: [container()], ...spec } });
const deploy = (spec: Obj): Obj => ({ metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), ...spec } });
const svc = (spec: Obj): Obj => ({ metadata: { name: 's' }, spec });
const job = (spec: Obj): Obj => ({ metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [container()] } }, ...spec } });
const cron = (spec: Obj, podSpec: Obj = { restartPolicy: 'OnFailure' }): Obj => ({
  metadata: { name: 'cj' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [container()], ...podSpec } } } }, ...spec },
});

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const configKeyMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const nameMsg = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

interface Case {
  name: string;
  kind: GroupVersionKind;
  obj: Obj;
  old?: Obj;
  message: string;
  /** causes, when given, are the Status causes as `<reason> <field>: <message>`, in order. */
  causes?: string[];
}

const cases: Case[] = [
  // ---- apps ----
  {
    name: 'ValidatePodTemplateSpecForReplicaSet: selector does not match template labels',
    kind: DEPLOY,
    obj: deploy({ template: template({ app: 'other' }) }),
    message: 'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    causes: ['FieldValueInvalid spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`'],
  },
  {
    name: 'ValidateDeploymentSpec: a missing selector is Required and (labels.Nothing) matches no template',
    kind: DEPLOY,
    obj: deploy({ selector: undefined }),
    message:
      'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
  },
  {
    name: 'ValidateDeploymentSpec: empty selector',
    kind: DEPLOY,
    obj: deploy({ selector: {} }),
    message:
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  },
  {
    name: 'ValidateDeploymentSpec: replicas, then template, then strategy (ValidateDeploymentStrategy prints the Go struct)',
    kind: DEPLOY,
    obj: deploy({ replicas: -1, strategy: { type: 'rolling' }, template: template({ app: 'web' }, { containers: [{ name: 'c' }] }) }),
    message:
      'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.spec.containers[0].image: Required value, spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"rolling", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"]',
  },
  {
    name: 'ValidateDeploymentStrategy: rollingUpdate with Recreate',
    kind: DEPLOY,
    obj: deploy({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }),
    message: 'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is \'Recreate\'',
  },
  {
    name: 'ValidateRollingUpdateDeployment: both zero (IntOrString prints through its String method)',
    kind: DEPLOY,
    obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
    message: 'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  },
  {
    name: 'ValidatePositiveIntOrPercent then IsNotMoreThan100Percent',
    kind: DEPLOY,
    obj: deploy({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 'abc', maxUnavailable: '120%' } } }),
    message:
      "Deployment.apps \"web\" is invalid: [spec.strategy.rollingUpdate.maxSurge: Invalid value: abc: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%'), spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%]",
  },
  {
    name: 'deployment strategy ValidateUpdate (apps/v1): selector is immutable',
    kind: DEPLOY,
    old: deploy({}),
    obj: deploy({ selector: { matchLabels: { app: 'web', tier: 'fe' } }, template: template({ app: 'web', tier: 'fe' }) }),
    message:
      'Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  },
  {
    name: 'ValidateReplicaSetSpec: missing selector',
    kind: RS,
    obj: { metadata: { name: 'rs' }, spec: { template: template({ app: 'web' }) } },
    message:
      'ReplicaSet.apps "rs" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`]',
  },
  {
    name: 'ValidateStatefulSetSpec: podManagementPolicy before the template',
    kind: STS,
    obj: { metadata: { name: 'db' }, spec: { serviceName: 'db', podManagementPolicy: 'Foo', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'other' }) } },
    message:
      'StatefulSet.apps "db" is invalid: [spec.podManagementPolicy: Invalid value: "Foo": must be \'OrderedReady\' or \'Parallel\', spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`]',
  },
  {
    name: 'ValidateStatefulSetSpec: template labels and annotations, pod-specific annotations included, at spec.template.*',
    kind: STS,
    obj: {
      metadata: { name: 'db' },
      spec: {
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db', 'a b': 'x' }, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '+5' } }, spec: { containers: [container()] } },
      },
    },
    message:
      'StatefulSet.apps "db" is invalid: [spec.template.labels: Invalid value: "a b": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\'), spec.template.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+5": must be a 32bit integer]',
  },
  {
    name: 'ValidateStatefulSetUpdate: only some spec fields may change',
    kind: STS,
    old: { metadata: { name: 'db' }, spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } },
    obj: { metadata: { name: 'db' }, spec: { serviceName: 'other', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) } },
    message:
      "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  },
  {
    name: 'ValidateDaemonSetSpec: template labels, then restartPolicy Always only',
    kind: DS,
    obj: { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'ds' } }, template: template({ app: 'other' }, { restartPolicy: 'Never' }) } },
    message:
      'DaemonSet.apps "ds" is invalid: [spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`, spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"]',
  },
  {
    name: 'ValidateRollingUpdateDaemonSet: maxSurge with maxUnavailable (String form)',
    kind: DS,
    obj: {
      metadata: { name: 'ds' },
      spec: { selector: { matchLabels: { app: 'ds' } }, template: template({ app: 'ds' }), updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '10%' } } },
    },
    message: 'DaemonSet.apps "ds" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 10%: may not be set when maxUnavailable is non-zero',
  },
  // ---- core: Pod ----
  {
    name: 'validateContainerCommon: name and image required',
    kind: POD,
    obj: pod({ containers: [{}] }),
    message: 'Pod "p" is invalid: [spec.containers[0].name: Required value, spec.containers[0].image: Required value]',
    causes: ['FieldValueRequired spec.containers[0].name: Required value', 'FieldValueRequired spec.containers[0].image: Required value'],
  },
  {
    name: 'validateContainerPorts: duplicate name, hostPort range',
    kind: POD,
    obj: pod({ containers: [container({ ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81, hostPort: 70000 }] })] }),
    message: 'Pod "p" is invalid: [spec.containers[0].ports[1].name: Duplicate value: "http", spec.containers[0].ports[1].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive]',
  },
  {
    name: 'AccumulateUniqueHostPorts: protocol/hostIP/port across containers',
    kind: POD,
    obj: pod({ containers: [container({ name: 'a', ports: [{ containerPort: 80, hostPort: 8080 }] }), container({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })] }),
    message: 'Pod "p" is invalid: spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"',
  },
  {
    name: 'ValidateContainerResourceRequirements: request above limit (requests defaulted from limits only when absent)',
    kind: POD,
    obj: pod({ containers: [container({ resources: { limits: { cpu: '100m', memory: '64Mi' }, requests: { cpu: '200m', memory: '128Mi' } } })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m, spec.containers[0].resources.requests: Invalid value: "128Mi": must be less than or equal to memory limit of 64Mi]',
  },
  {
    name: 'validateContainerResourceName: unknown unprefixed resource',
    kind: POD,
    obj: pod({ containers: [container({ resources: { requests: { foo: '1' } } })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified, spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers]',
  },
  {
    name: 'ValidateResourceQuantityValue: integer resources print the Quantity through String (unquoted)',
    kind: POD,
    obj: pod({ containers: [container({ resources: { limits: { 'nvidia.com/gpu': '500m' } } })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: 500m: must be an integer, spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: 500m: must be an integer]',
  },
  {
    name: 'ValidateResourceQuotaSpec: fractional pods',
    kind: QUOTA,
    obj: { metadata: { name: 'q' }, spec: { hard: { pods: '1500m' } } },
    message: 'ResourceQuota "q" is invalid: spec.hard[pods]: Invalid value: 1500m: must be an integer',
  },
  {
    name: 'validateResourceQuotaScopes: scopes print as []core.ResourceQuotaScope',
    kind: QUOTA,
    obj: { metadata: { name: 'q' }, spec: { hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort', 'Foo'] } },
    message:
      'ResourceQuota "q" is invalid: [spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort", "Foo"}: unsupported scope, spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort", "Foo"}: conflicting scopes]',
  },
  {
    name: 'validateResourceQuotaScopes/IsResourceQuotaScopeValidForResource: BestEffort only limits pods',
    kind: QUOTA,
    obj: { metadata: { name: 'q' }, spec: { hard: { 'requests.cpu': '1' }, scopes: ['BestEffort'] } },
    message: 'ResourceQuota "q" is invalid: spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
  },
  {
    name: 'ValidateResourceQuotaResourceName/IsStandardQuotaResourceName: hugepages are standard quota resources (and pod-compute scoped), other bare names are not',
    kind: QUOTA,
    obj: { metadata: { name: 'q' }, spec: { hard: { foo: '1', 'hugepages-2Mi': '1', 'requests.hugepages-2Mi': '1' }, scopes: ['BestEffort'] } },
    message:
      'ResourceQuota "q" is invalid: [spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified, spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota, spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource]',
  },
  {
    name: 'ValidateLimitRange: min above max, against the defaulted default and defaultRequest (Quantities unquoted)',
    kind: LIMITS,
    obj: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '100m' }, min: { cpu: '200m' } }] } },
    message:
      'LimitRange "l" is invalid: [spec.limits[0].min[cpu]: Invalid value: 200m: min value 200m is greater than max value 100m, spec.limits[0].defaultRequest[cpu]: Invalid value: 100m: min value 200m is greater than default request value 100m, spec.limits[0].default[cpu]: Invalid value: 200m: min value 200m is greater than default value 100m]',
  },
  {
    name: 'ValidateLimitRange: maxLimitRequestRatio above max/min (%f)',
    kind: LIMITS,
    obj: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '200m' }, min: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '3' } }] } },
    message: 'LimitRange "l" is invalid: spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 3: ratio 3 is greater than max/min = 2.000000',
  },
  {
    name: 'ValidateLimitRange: non-overcommitable default must equal defaultRequest',
    kind: LIMITS,
    obj: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', default: { 'nvidia.com/gpu': '2' }, defaultRequest: { 'nvidia.com/gpu': '1' } }] } },
    message: 'LimitRange "l" is invalid: spec.limits[0].defaultRequest[nvidia.com/gpu]: Invalid value: 1: default value 2 must equal to defaultRequest value 1 in nvidia.com/gpu',
  },
  {
    name: 'ValidateEnv/validateEnvVarValueFrom: value with valueFrom, missing name',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'A', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: '', value: 'y' }] })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty, spec.containers[0].env[1].name: Required value]',
  },
  {
    name: 'validateObjectFieldSelector: ConvertDownwardAPIFieldLabel rejects an unknown label',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'spec.foo' } } }] })] }),
    message: 'Pod "p" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo',
  },
  {
    name: 'validateObjectFieldSelector: a convertible label env vars may not use',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } }] })] }),
    message:
      'Pod "p" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
  },
  {
    name: 'validateObjectFieldSelector: subscript on a field without one',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'B', valueFrom: { fieldRef: { fieldPath: "spec.nodeName['x']" } } }] })] }),
    message:
      "Pod \"p\" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: \"spec.nodeName['x']\": error converting fieldPath: field label does not support subscript: spec.nodeName['x']",
  },
  {
    name: 'validateObjectFieldSelector: apiVersion other than v1',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'B', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } }] })] }),
    message: 'Pod "p" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2',
  },
  {
    name: 'validateDownwardAPIVolumeFile: volume fieldRef expressions, reported at the volume source',
    kind: POD,
    obj: pod({ volumes: [{ name: 'info', downwardAPI: { items: [{ path: 'node', fieldRef: { fieldPath: 'spec.nodeName' } }] } }], containers: [container()] }),
    message:
      'Pod "p" is invalid: spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
  },
  {
    name: 'ValidateVolumes/ValidateVolumeMounts: invalid volumes are not mountable',
    kind: POD,
    obj: pod({
      volumes: [{ name: 'v' }, { name: 'v', emptyDir: {} }, { name: 'cm', configMap: {} }],
      containers: [container({ volumeMounts: [{ name: 'x', mountPath: '/a' }, { name: 'v', mountPath: '' }, { name: 'cm', mountPath: '/a' }] })],
    }),
    message:
      'Pod "p" is invalid: [spec.volumes[1].name: Duplicate value: "v", spec.volumes[2].configMap.name: Required value, spec.containers[0].volumeMounts[0].name: Not found: "x", spec.containers[0].volumeMounts[1].mountPath: Required value, spec.containers[0].volumeMounts[2].name: Not found: "cm", spec.containers[0].volumeMounts[2].mountPath: Invalid value: "/a": must be unique]',
  },
  {
    name: 'validateVolumeSource: negative emptyDir sizeLimit; validateKeyToPath; subPath reported at volumeMounts (no index)',
    kind: POD,
    obj: pod({
      volumes: [
        { name: 's', secret: { secretName: '', items: [{ key: '', path: '../x' }] } },
        { name: 'e', emptyDir: { sizeLimit: '-1' } },
      ],
      containers: [container({ volumeMounts: [{ name: 's', mountPath: '/a', subPath: '../b' }] })],
    }),
    message:
      "Pod \"p\" is invalid: [spec.volumes[0].secret.secretName: Required value, spec.volumes[0].secret.items[0].key: Required value, spec.volumes[0].secret.items[0].path: Invalid value: \"../x\": must not contain '..', spec.volumes[1].emptyDir.sizeLimit: Forbidden: SizeLimit field must be a valid resource quantity, spec.containers[0].volumeMounts[0].name: Not found: \"s\", spec.containers[0].volumeMounts.subPath: Invalid value: \"../b\": must not contain '..']",
  },
  {
    name: 'validateProbe: handler, then the numeric fields; liveness/startup successThreshold must be 1',
    kind: POD,
    obj: pod({
      containers: [container({ livenessProbe: { periodSeconds: -1 }, readinessProbe: { httpGet: { port: 0 } }, startupProbe: { tcpSocket: { port: 'bad_name' }, successThreshold: 2 } })],
    }),
    message:
      'Pod "p" is invalid: [spec.containers[0].livenessProbe: Required value: must specify a handler type, spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0, spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.containers[0].startupProbe.tcpSocket.port: Invalid value: "bad_name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), spec.containers[0].startupProbe.successThreshold: Invalid value: 2: must be 1]',
  },
  {
    name: 'ValidatePodSpec: containers, restartPolicy, dnsPolicy in that order',
    kind: POD,
    obj: pod({ restartPolicy: 'Sometimes', dnsPolicy: 'Foo', containers: [container({ imagePullPolicy: 'Sometimes' })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never", spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never", spec.dnsPolicy: Unsupported value: "Foo": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]',
  },
  {
    name: 'validateInitContainers: sidecar restartPolicy, probes only on restartable init containers, names shared with containers',
    kind: POD,
    obj: pod({
      initContainers: [container({ name: 'i', restartPolicy: 'Never' }), container({ name: 'j', livenessProbe: { exec: { command: ['x'] } } }), container({ name: 'c' })],
      containers: [container()],
    }),
    message:
      'Pod "p" is invalid: [spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always", spec.initContainers[1].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always, spec.initContainers[2].name: Duplicate value: "c"]',
  },
  {
    name: 'validateContainers: restartPolicy is for init containers only',
    kind: POD,
    obj: pod({ containers: [container({ restartPolicy: 'Always' })] }),
    message: 'Pod "p" is invalid: spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers',
  },
  {
    name: 'validatePodSpecSecurityContext: fsGroup before runAsUser, after containers',
    kind: POD,
    obj: pod({ securityContext: { runAsUser: -1, fsGroup: -2 }, containers: [container({ securityContext: { runAsUser: -1 } })] }),
    message:
      'Pod "p" is invalid: [spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 4294967295, inclusive, spec.securityContext.fsGroup: Invalid value: -2: must be between 0 and 4294967295, inclusive, spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 4294967295, inclusive]',
  },
  {
    name: 'validateSysctls: name format, namespaced sysctls with hostNetwork, duplicates; ValidateAppArmorProfileField',
    kind: POD,
    obj: pod({
      hostNetwork: true,
      securityContext: {
        sysctls: [
          { name: 'bad sysctl', value: '1' },
          { name: 'net.core.somaxconn', value: '1' },
          { name: 'kernel.shm_rmid_forced', value: '1' },
          { name: 'kernel.shm_rmid_forced', value: '0' },
        ],
        appArmorProfile: { type: 'Foo' },
      },
      containers: [container({ securityContext: { appArmorProfile: { type: 'Localhost' } } })],
    }),
    message:
      'Pod "p" is invalid: [spec.containers[0].securityContext.appArmorProfile.localhostProfile: Required value: must be set when AppArmor type is Localhost, spec.securityContext.sysctls[0].name: Invalid value: "bad sysctl": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$, spec.securityContext.sysctls[1].name: Invalid value: "net.core.somaxconn": may not be specified when \'hostNetwork\' is true, spec.securityContext.sysctls[3].name: Duplicate value: "kernel.shm_rmid_forced", spec.securityContext.appArmorProfile.type: Unsupported value: "Foo": supported values: "Localhost", "RuntimeDefault", "Unconfined"]',
  },
  {
    name: 'ValidateEnvFrom: prefix, source name, one source required (at envFrom itself)',
    kind: POD,
    obj: pod({ containers: [container({ envFrom: [{ prefix: '1=', configMapRef: { name: '' } }, {}] })] }),
    message:
      "Pod \"p\" is invalid: [spec.containers[0].envFrom[0].prefix: Invalid value: \"1=\": a valid environment variable name must consist only of printable ASCII characters other than '=', spec.containers[0].envFrom[0].configMapRef.name: Required value, spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`]",
  },
  {
    name: 'ValidatePodUpdate: forbidden spec change (header; the cmp.Diff that follows is not compared)',
    kind: POD,
    old: pod({ containers: [container()] }),
    obj: pod({ containers: [container({ ports: [{ containerPort: 80 }] })] }),
    message:
      'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
  },
  {
    name: 'ValidatePodUpdate: activeDeadlineSeconds may not be removed (nil prints as "null")',
    kind: POD,
    old: pod({ activeDeadlineSeconds: 30, containers: [container()] }),
    obj: { spec: { activeDeadlineSeconds: null } },
    message: 'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value',
  },
  // ---- core: metadata ----
  {
    name: 'ValidateObjectMetaAccessor: name too long',
    kind: CM,
    obj: { metadata: { name: 'a'.repeat(254) } },
    message: `ConfigMap "${'a'.repeat(254)}" is invalid: metadata.name: Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`,
  },
  {
    name: 'ValidateLabels: key and value, each reported at metadata.labels',
    kind: CM,
    obj: { metadata: { name: 'c', labels: { '-bad': '-bad' } } },
    message: `ConfigMap "c" is invalid: [metadata.labels: Invalid value: "-bad": ${nameMsg}, metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')]`,
  },
  {
    name: 'ValidateAnnotations: total size',
    kind: CM,
    obj: { metadata: { name: 'c', annotations: { big: 'x'.repeat(256 * 1024) } } },
    message: 'ConfigMap "c" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
  },
  {
    name: 'ValidateObjectMeta (core): unqualified finalizer names must be standard',
    kind: CM,
    obj: { metadata: { name: 'c', finalizers: ['custom', 'example.com/ok', 'kubernetes'] } },
    message: 'ConfigMap "c" is invalid: metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  },
  {
    name: 'validateOwnerReference: each empty field, at ownerReferences (no index)',
    kind: CM,
    obj: { metadata: { name: 'c', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] } },
    message:
      'ConfigMap "c" is invalid: [metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty, metadata.ownerReferences.kind: Invalid value: "": kind must not be empty, metadata.ownerReferences.name: Invalid value: "": name must not be empty, metadata.ownerReferences.uid: Invalid value: "": uid must not be empty]',
  },
  {
    name: 'ValidateObjectMeta: namespace must be a DNS label',
    kind: CM,
    obj: { metadata: { name: 'c', namespace: 'Bad_NS' } },
    message: `ConfigMap "c" is invalid: metadata.namespace: Invalid value: "Bad_NS": ${labelMsg}`,
  },
  {
    name: 'ValidateNamespace: name is a DNS label',
    kind: NS,
    obj: { metadata: { name: 'Foo' } },
    message: `Namespace "Foo" is invalid: metadata.name: Invalid value: "Foo": ${labelMsg}`,
  },
  {
    name: 'validateNodeTaints: duplicate key/effect printed as a core.Taint, under metadata.taints as upstream passes it',
    kind: NODE,
    obj: { metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }, { key: 'k', value: 'w', effect: 'NoSchedule' }] } },
    message:
      'Node "n1" is invalid: metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"w", Effect:"NoSchedule", TimeAdded:<nil>}: taints must be unique by key and effect pair',
  },
  // ---- core: ConfigMap / Secret ----
  {
    name: 'ValidateConfigMap: IsConfigMapKey per data key',
    kind: CM,
    obj: { metadata: { name: 'c' }, data: { 'a b': 'x' } },
    message: `ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": ${configKeyMsg}`,
  },
  {
    name: 'ValidateConfigMap: a key in both bags is reported on data',
    kind: CM,
    obj: { metadata: { name: 'c' }, data: { a: 'x' }, binaryData: { a: 'eA==' } },
    message: 'ConfigMap "c" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData',
  },
  {
    name: 'ValidateConfigMap: total size at the empty path',
    kind: CM,
    obj: { metadata: { name: 'c' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } },
    message: 'ConfigMap "c" is invalid: : Too long: may not be more than 1048576 bytes',
  },
  {
    name: 'ValidateConfigMapUpdate: immutable flag and data',
    kind: CM,
    old: { metadata: { name: 'c' }, immutable: true, data: { a: 'x' } },
    obj: { metadata: { name: 'c' }, immutable: null, data: { a: 'y' } },
    message: 'ConfigMap "c" is invalid: [immutable: Forbidden: field is immutable when `immutable` is set, data: Forbidden: field is immutable when `immutable` is set]',
  },
  {
    name: 'ValidateSecret: basic-auth needs both keys',
    kind: SECRET,
    obj: { metadata: { name: 's' }, type: 'kubernetes.io/basic-auth', data: {} },
    message: 'Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]',
  },
  {
    name: 'ValidateSecretUpdate: type is immutable',
    kind: SECRET,
    old: { metadata: { name: 's' }, type: 'Opaque' },
    obj: { metadata: { name: 's' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' } },
    message: 'Secret "s" is invalid: type: Invalid value: "kubernetes.io/tls": field is immutable',
  },
  // ---- core: Service ----
  {
    name: 'ValidateService: ports required',
    kind: SVC,
    obj: svc({ selector: { app: 'web' } }),
    message: 'Service "s" is invalid: spec.ports: Required value',
  },
  {
    name: 'validateServicePort: names required with several ports, port range, protocol, ValidatePortNumOrName',
    kind: SVC,
    obj: svc({ ports: [{ port: 0, targetPort: 70000 }, { port: 80, targetPort: 'Bad_Name', protocol: 'HTTP' }] }),
    message:
      'Service "s" is invalid: [spec.ports[0].name: Required value, spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.ports[1].name: Required value, spec.ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP", spec.ports[1].targetPort: Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)]',
  },
  {
    name: 'ValidateService: duplicate (protocol, port) printed as a core.ServicePort',
    kind: SVC,
    obj: svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }] }),
    message:
      'Service "s" is invalid: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  },
  {
    name: 'ValidateService: type enum',
    kind: SVC,
    obj: svc({ type: 'Foo', ports: [{ port: 80 }] }),
    message: 'Service "s" is invalid: spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
  },
  {
    name: 'ValidateService: nodePort on a ClusterIP service',
    kind: SVC,
    obj: svc({ ports: [{ port: 80, nodePort: 30001 }] }),
    message: "Service \"s\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
  },
  {
    name: 'validateUpgradeDowngradeClusterIPs: primary clusterIP may not change',
    kind: SVC,
    old: svc({ clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], ports: [{ port: 80 }] }),
    obj: svc({ clusterIP: '10.0.0.6', clusterIPs: ['10.0.0.6'], ports: [{ port: 80 }] }),
    message: 'Service "s" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.6"}: may not change once set',
  },
  {
    name: 'ValidateService: LoadBalancerSourceRanges keeps its historical capitalised path',
    kind: SVC,
    obj: svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['foo'], ports: [{ port: 80 }] }),
    message: 'Service "s" is invalid: spec.LoadBalancerSourceRanges[0]: Invalid value: "foo": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  },
  // ---- batch ----
  {
    name: 'ValidatePodTemplateSpec: template labels are reported at spec.template.labels (a Job name too long for its job-name label)',
    kind: JOB,
    obj: { ...job({}), metadata: { name: 'j'.repeat(64) } },
    // Both job-name labels fail alike: two causes, one message (ToAggregate drops repeats).
    message: `Job.batch "${'j'.repeat(64)}" is invalid: spec.template.labels: Invalid value: "${'j'.repeat(64)}": must be no more than 63 characters`,
  },
  {
    name: 'ValidatePodSpecificAnnotations: pod-deletion-cost is a plain int32; AppArmor annotations name a container and a profile',
    kind: POD,
    obj: pod(
      { containers: [container()] },
      { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '+10', 'container.apparmor.security.beta.kubernetes.io/other': 'bad' } },
    ),
    message:
      'Pod "p" is invalid: [metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+10": must be a 32bit integer, metadata.annotations[container.apparmor.security.beta.kubernetes.io/other]: Invalid value: "other": container not found, metadata.annotations[container.apparmor.security.beta.kubernetes.io/other]: Invalid value: "bad": invalid AppArmor profile name: "bad"]',
  },
  {
    name: 'validateJobSpec: Always (the defaulted policy) is Required with the valid values',
    kind: JOB,
    obj: job({ template: { spec: { restartPolicy: 'Always', containers: [container()] } } }),
    message: 'Job.batch "j" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
  },
  {
    name: 'validateJobSpec: non-negative counts in field order',
    kind: JOB,
    obj: job({ parallelism: -1, completions: -2, backoffLimit: -3, ttlSecondsAfterFinished: -1 }),
    message:
      'Job.batch "j" is invalid: [spec.parallelism: Invalid value: -1: must be greater than or equal to 0, spec.completions: Invalid value: -2: must be greater than or equal to 0, spec.backoffLimit: Invalid value: -3: must be greater than or equal to 0, spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0]',
  },
  {
    name: 'validateCompletions: completions immutable for NonIndexed jobs',
    kind: JOB,
    old: job({ completions: 1 }),
    obj: job({ completions: 3 }),
    message: 'Job.batch "j" is invalid: spec.completions: Invalid value: 3: field is immutable',
  },
  {
    name: 'validateCompletions: a removed (nil *int32) value prints as ErrorBody\'s quoted "null"',
    kind: JOB,
    old: job({ completions: 2, parallelism: 1 }),
    obj: { spec: { completions: null } },
    message: 'Job.batch "j" is invalid: spec.completions: Invalid value: "null": field is immutable',
  },
  {
    name: 'validateCronJobSpec/validateScheduleFormat: robfig cron parse error',
    kind: CRON,
    obj: cron({ schedule: '* * * *' }),
    message: 'CronJob.batch "cj" is invalid: spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]',
  },
  {
    name: 'validateCronJobSpec: schedule, startingDeadlineSeconds, concurrencyPolicy, then the job template',
    kind: CRON,
    obj: cron({ schedule: '', concurrencyPolicy: 'Sometimes', startingDeadlineSeconds: -1 }, { restartPolicy: 'Always' }),
    message:
      'CronJob.batch "cj" is invalid: [spec.schedule: Required value, spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0, spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace", spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"]',
  },
  {
    name: 'validateScheduleFormat: TZ in the schedule',
    kind: CRON,
    obj: cron({ schedule: 'TZ=UTC * * * * *' }),
    message: 'CronJob.batch "cj" is invalid: spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  },
  {
    name: 'validateTimeZone: time.LoadLocation error',
    kind: CRON,
    obj: cron({ schedule: '@hourly', timeZone: 'Mars/Olympus' }),
    message: 'CronJob.batch "cj" is invalid: spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
  },
  {
    name: 'ValidateCronJobCreate: name at most 52 characters',
    kind: CRON,
    obj: { ...cron({}), metadata: { name: 'c'.repeat(53) } },
    message: `CronJob.batch "${'c'.repeat(53)}" is invalid: metadata.name: Invalid value: "${'c'.repeat(53)}": must be no more than 52 characters`,
  },
  // ---- autoscaling ----
  {
    name: 'validateMetricSpec: each source validated (validateResourceSource, validatePodsSource), unknown types NotSupported',
    kind: HPA,
    obj: {
      apiVersion: 'autoscaling/v2',
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 1,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization' } } },
          { type: 'Foo' },
          { type: 'Pods', pods: { metric: { name: '' }, target: { type: 'AverageValue' } } },
          { type: 'External', external: { metric: { name: 'queue' }, target: { type: 'Value', value: '-1' } } },
        ],
      },
    },
    message:
      'HorizontalPodAutoscaler.autoscaling "h" is invalid: [spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`, spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization, spec.metrics[1].type: Unsupported value: "Foo": supported values: "ContainerResource", "External", "Object", "Pods", "Resource", spec.metrics[2].pods.metric.name: Required value: must specify a metric name, spec.metrics[2].pods.target.averageValue: Required value: must specify a positive target averageValue, spec.metrics[3].external.target.value: Invalid value: -1: must be positive]',
  },
  // ---- networking ----
  {
    name: 'validateIngressRules/validateHTTPIngressPath/validateIngressBackend',
    kind: ING,
    obj: {
      metadata: { name: 'i' },
      spec: {
        rules: [
          {
            host: 'Foo.example.com',
            http: {
              paths: [
                { path: 'foo', pathType: 'Prefix', backend: { service: { name: 's' } } },
                { path: '/bar', pathType: 'Weird', backend: { service: { name: 's', port: { number: 80, name: 'http' } } } },
              ],
            },
          },
        ],
      },
    },
    message: `Ingress.networking.k8s.io "i" is invalid: [spec.rules[0].host: Invalid value: "Foo.example.com": ${subdomainMsg}, spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path, spec.rules[0].http.paths[0].backend: Required value: port name or number is required, spec.rules[0].http.paths[1].pathType: Unsupported value: "Weird": supported values: "Exact", "ImplementationSpecific", "Prefix", spec.rules[0].http.paths[1].backend: Invalid value: "": cannot set both port name & port number]`,
  },
  {
    name: 'validateIngressRules: IP hosts rejected, wildcard rules still validated',
    kind: ING,
    obj: {
      metadata: { name: 'i' },
      spec: { rules: [{ host: '*.example.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 's', port: { number: 70000 } } } }] } }, { host: '1.2.3.4' }] },
    },
    message:
      'Ingress.networking.k8s.io "i" is invalid: [spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive, spec.rules[1].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address]',
  },
];

/** Objects upstream accepts where a stricter check would be easy to get wrong. */
const accepted: { name: string; kind: GroupVersionKind; obj: Obj }[] = [
  {
    name: 'ConvertDownwardAPIFieldLabel: spec.host is the legacy spelling of spec.nodeName',
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.host' } } }] })] }),
  },
  {
    name: "validateObjectFieldSelector: env may read one label by subscript",
    kind: POD,
    obj: pod({ containers: [container({ env: [{ name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }] })] }),
  },
  {
    name: 'validateImagePullSecrets: fields other than name are dropped by decoding, never reported',
    kind: POD,
    obj: pod({ imagePullSecrets: [{ name: 'regcred', namespace: 'other' }], containers: [container()] }),
  },
  {
    name: 'ValidatePodSpecificAnnotations: AppArmor annotations may name a container or an init container',
    kind: POD,
    obj: pod(
      { initContainers: [container({ name: 'init' })], containers: [container()] },
      { annotations: { 'container.apparmor.security.beta.kubernetes.io/init': 'runtime/default', 'container.apparmor.security.beta.kubernetes.io/c': 'localhost/prof' } },
    ),
  },
  {
    name: 'validateJobSpec: both completions and parallelism unset default to 1, so Indexed needs nothing more',
    kind: JOB,
    obj: job({ completionMode: 'Indexed' }),
  },
];

describe('objects kube-apiserver accepts', () => {
  for (const c of accepted) {
    it(c.name, () => assert.equal(statusOf(c.kind, c.obj)?.message, undefined));
  }
});

describe('422 Invalid parity with kube-apiserver', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = statusOf(c.kind, c.obj, c.old);
      assert.ok(got, 'expected the object to be invalid');
      // ValidatePodUpdate appends a cmp.Diff whose layout go-cmp randomises; only its header is stable.
      const message = got.message.includes('\n') ? got.message.split('\n')[0] : got.message;
      assert.equal(message, c.message);
      if (c.causes) assert.deepEqual(got.causes, c.causes);
    });
  }
});
