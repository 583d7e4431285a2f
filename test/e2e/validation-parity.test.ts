/**
 * 422 Invalid parity as users see it: real kubectl applies invalid manifests to a k8ts apiserver
 * and its output is compared, byte for byte, with what it prints against kube-apiserver v1.32 for
 * the same manifest. Each expected text follows from upstream's validation function named in the
 * case and kubectl's rendering of an Invalid Status (`The <Kind> "<name>" is invalid: ` and one
 * cause, or one `* <field>: <message>` line per cause). Update cases first apply a valid object
 * and then the changed one, so the update path (immutable fields) is what answers.
 */
import assert from 'node:assert/strict';
import { describeKubectlCases } from './helpers/apiserver.js';

interface Case {
  name: string;
  /** first, when given, is a valid manifest applied before `manifest` (an update case). */
  first?: string;
  manifest: string;
  /** stderr is kubectl's whole error output; firstLine compares only its first line. */
  stderr: string;
  firstLine?: boolean;
}

const deployment = (selector: string, labels: string, podSpec = '{containers: [{name: c, image: nginx}]}', extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: ${selector}}
${extra}  template:
    metadata: {labels: ${labels}}
    spec: ${podSpec}
`;

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const cases: Case[] = [
  {
    name: 'ValidateDeploymentSpec: selector/labels, container image and strategy causes, one line each',
    manifest: deployment('{app: web}', '{app: other}', '{containers: [{name: c}]}', '  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 0, maxUnavailable: "120%"}}\n'),
    stderr: [
      'The Deployment "web" is invalid: ',
      '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
      '* spec.template.spec.containers[0].image: Required value',
      '* spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 120%: must not be greater than 100%',
      '',
    ].join('\n'),
  },
  {
    name: 'ValidateRollingUpdateDeployment: maxSurge and maxUnavailable both 0',
    manifest: deployment('{app: web}', '{app: web}', undefined, '  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}\n'),
    stderr: 'The Deployment "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0\n',
  },
  {
    name: 'deployment strategy ValidateUpdate: apps/v1 selector is immutable',
    first: deployment('{app: web}', '{app: web}'),
    manifest: deployment('{app: web, tier: fe}', '{app: web, tier: fe}'),
    stderr:
      'The Deployment "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable\n',
  },
  {
    // One resource per map: upstream walks requests/limits as Go maps, in random order.
    name: 'ValidateContainerResourceRequirements: request above limit is reported at requests (no key)',
    manifest: `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx
    resources: {limits: {cpu: 100m}, requests: {cpu: 200m}}
`,
    stderr: 'The Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "200m": must be less than or equal to cpu limit of 100m\n',
  },
  {
    name: 'validateObjectFieldSelector: ConvertDownwardAPIFieldLabel error',
    manifest: `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - name: c
    image: nginx
    env: [{name: PHASE, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]
`,
    stderr: 'The Pod "p" is invalid: spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.foo": error converting fieldPath: field label not supported: spec.foo\n',
  },
  {
    name: 'ValidatePodUpdate: forbidden spec change (first line; the cmp.Diff after it is randomised upstream)',
    first: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx}]}\n',
    manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}\n',
    stderr:
      'The Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
    firstLine: true,
  },
  {
    name: 'ValidateService: ports required',
    manifest: 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {app: web}}\n',
    stderr: 'The Service "s" is invalid: spec.ports: Required value\n',
  },
  {
    name: 'validateUpgradeDowngradeClusterIPs: the allocated clusterIP may not change',
    first: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: [{port: 80}]}\n',
    manifest: 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.43.0.200, clusterIPs: [10.43.0.200], selector: {app: web}, ports: [{port: 80}]}\n',
    stderr: 'The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.43.0.200"}: may not change once set\n',
  },
  {
    name: 'ValidateResourceQuantityValue: a fractional extended resource prints the Quantity unquoted',
    manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: gpu}\nspec: {containers: [{name: c, image: nginx, resources: {limits: {nvidia.com/gpu: 500m}}}]}\n',
    stderr: [
      'The Pod "gpu" is invalid: ',
      '* spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: 500m: must be an integer',
      '* spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: 500m: must be an integer',
      '',
    ].join('\n'),
  },
  {
    name: 'ValidateConfigMap: key format',
    manifest: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"a b": x}\n',
    stderr:
      "The ConfigMap \"c\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n",
  },
  {
    name: 'validateJobSpec: template restartPolicy defaulted to Always',
    manifest: 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {containers: [{name: c, image: busybox}]}}}\n',
    stderr: 'The Job "j" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"\n',
  },
  {
    name: 'ValidatePodTemplateSpec: a Job name too long for its job-name label, reported at spec.template.labels',
    manifest: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: ${'j'.repeat(64)}}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}\n`,
    stderr: `The Job "${'j'.repeat(64)}" is invalid: spec.template.labels: Invalid value: "${'j'.repeat(64)}": must be no more than 63 characters\n`,
  },
  {
    name: 'validateScheduleFormat: cron parse error',
    manifest:
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: cj}\nspec: {schedule: "* * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}}}}}\n',
    stderr: 'The CronJob "cj" is invalid: spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]\n',
  },
  {
    name: 'ValidateVolumeAttachment + ValidateVolumeAttachmentV1: source required, attacher a CSI driver name',
    manifest: 'apiVersion: storage.k8s.io/v1\nkind: VolumeAttachment\nmetadata: {name: va-parity}\nspec: {attacher: csi_driver, nodeName: node-1, source: {}}\n',
    stderr: [
      'The VolumeAttachment "va-parity" is invalid: ',
      '* spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName',
      `* spec.attacher: Invalid value: "csi_driver": ${subdomainMsg}`,
      '',
    ].join('\n'),
  },
  {
    name: 'validateCSINodeDriver: duplicate topology keys are reported at the driver',
    manifest: 'apiVersion: storage.k8s.io/v1\nkind: CSINode\nmetadata: {name: node-parity}\nspec: {drivers: [{name: csi.example.com, nodeID: n1, topologyKeys: [zone, zone]}]}\n',
    stderr: 'The CSINode "node-parity" is invalid: spec.drivers[0]: Duplicate value: "zone"\n',
  },
  {
    name: 'ValidateCSIStorageCapacityUpdate: storageClassName is immutable',
    first: 'apiVersion: storage.k8s.io/v1\nkind: CSIStorageCapacity\nmetadata: {name: cap}\nstorageClassName: standard\ncapacity: 10Gi\n',
    manifest: 'apiVersion: storage.k8s.io/v1\nkind: CSIStorageCapacity\nmetadata: {name: cap}\nstorageClassName: other\ncapacity: 10Gi\n',
    stderr: 'The CSIStorageCapacity "cap" is invalid: storageClassName: Invalid value: "other": field is immutable\n',
  },
  {
    name: 'ValidateCSIDriverUpdate: attachRequired is immutable (reported at spec.attachedRequired)',
    first: 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: attach.csi.example.com}\nspec: {}\n',
    manifest: 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: attach.csi.example.com}\nspec: {attachRequired: false}\n',
    stderr: 'The CSIDriver "attach.csi.example.com" is invalid: spec.attachedRequired: Invalid value: false: field is immutable\n',
  },
  {
    // Upstream's update runs ValidateCSIDriver and then ValidateCSIDriverUpdate, which checks the
    // spec again: the Status carries the cause twice, and kubectl prints it once.
    name: 'csidriver ValidateUpdate: validateFSGroupPolicy, its doubled cause printed once',
    first: 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: fsgroup.csi.example.com}\nspec: {}\n',
    manifest: 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: fsgroup.csi.example.com}\nspec: {fsGroupPolicy: Bogus}\n',
    stderr: 'The CSIDriver "fsgroup.csi.example.com" is invalid: spec.fsGroupPolicy: Unsupported value: "Bogus": supported values: "File", "None", "ReadWriteOnceWithFSType"\n',
  },
];

describeKubectlCases('422 Invalid parity through real kubectl', cases, async (c, i, { k, ns, write }) => {
  if (c.first) await k.ok(['apply', '-n', ns, '-f', write(`first-${i}.yaml`, c.first)]);
  const file = write(`case-${i}.yaml`, c.manifest);
  const r = await k.run(['apply', '-n', ns, '-f', file]);
  assert.equal(r.code, 1, r.stdout);
  assert.equal(r.stdout, '');
  assert.equal(c.firstLine ? r.stderr.split('\n')[0] : r.stderr, c.stderr);
});
