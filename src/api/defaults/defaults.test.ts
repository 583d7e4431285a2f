import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { applyDefaults, imagePullPolicyFor, podQOSClass, prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from './index.js';

const gvk = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });

function defaulted(k: GroupVersionKind, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone(obj) as KubeObject;
  applyDefaults(k, o);
  return o;
}

/** The container and pod-spec fields every stored pod template carries after defaulting. */
const defaultedContainer = (name: string, image: string, pull: string) => ({
  name,
  image,
  imagePullPolicy: pull,
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  resources: {},
});
const templateSpecDefaults = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

describe('imagePullPolicyFor', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['registry.example.com:5000/team/app', 'Always'],
    ['registry.example.com:5000/team/app:v1', 'IfNotPresent'],
    ['nginx@sha256:' + 'a'.repeat(64), 'IfNotPresent'],
    ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) it(`${image || '(empty)'} → ${want}`, () => assert.equal(imagePullPolicyFor(image), want));
});

describe('applyDefaults', () => {
  it('defaults a pod as kube-apiserver stores it', () => {
    const o = defaulted(gvk('', 'v1', 'Pod'), {
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            readinessProbe: { httpGet: { port: 80 } },
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            resources: { limits: { cpu: '500m' } },
          },
        ],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }],
        serviceAccountName: 'sa',
      },
    });
    assert.deepEqual(o.spec, {
      containers: [
        {
          name: 'c',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName', apiVersion: 'v1' } } }],
          resources: { limits: { cpu: '500m' }, requests: { cpu: '500m' } },
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      ],
      serviceAccountName: 'sa',
      serviceAccount: 'sa',
      ...templateSpecDefaults,
      enableServiceLinks: true,
    });
  });

  it('defaults a deployment (pod template without pod-only defaults)', () => {
    const o = defaulted(gvk('apps', 'v1', 'Deployment'), {
      metadata: { name: 'd', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
    });
    assert.deepEqual(o['spec'], {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' }, creationTimestamp: null }, spec: { containers: [defaultedContainer('c', 'nginx:1.25', 'IfNotPresent')], ...templateSpecDefaults } },
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
  });

  const table: { name: string; kind: GroupVersionKind; obj: Record<string, unknown>; pick: (o: KubeObject) => unknown; want: unknown }[] = [
    {
      name: 'service',
      kind: gvk('', 'v1', 'Service'),
      obj: { metadata: { name: 's' }, spec: { selector: { app: 's' }, ports: [{ port: 80 }] } },
      pick: (o) => o['spec'],
      want: {
        selector: { app: 's' },
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
        ipFamilyPolicy: 'SingleStack',
        ipFamilies: ['IPv4'],
      },
    },
    {
      name: 'NodePort service gets externalTrafficPolicy',
      kind: gvk('', 'v1', 'Service'),
      obj: { metadata: { name: 's' }, spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] } },
      pick: (o) => (o['spec'] as Record<string, unknown>)['externalTrafficPolicy'],
      want: 'Cluster',
    },
    {
      name: 'headless selectorless service',
      kind: gvk('', 'v1', 'Service'),
      obj: { metadata: { name: 's' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
      pick: (o) => {
        const s = o['spec'] as Record<string, unknown>;
        return [s['clusterIPs'], s['ipFamilyPolicy'], s['ipFamilies']];
      },
      want: [['None'], 'RequireDualStack', ['IPv4', 'IPv6']],
    },
    {
      name: 'statefulset',
      kind: gvk('apps', 'v1', 'StatefulSet'),
      obj: {
        metadata: { name: 's' },
        spec: { selector: {}, template: {}, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] },
      },
      pick: (o) => o['spec'],
      want: {
        selector: {},
        template: { metadata: { creationTimestamp: null } },
        volumeClaimTemplates: [
          { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', creationTimestamp: null }, spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
        ],
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 1,
        revisionHistoryLimit: 10,
      },
    },
    {
      name: 'daemonset',
      kind: gvk('apps', 'v1', 'DaemonSet'),
      obj: { metadata: { name: 'd' }, spec: { selector: {}, template: {} } },
      pick: (o) => o['spec'],
      want: { selector: {}, template: { metadata: { creationTimestamp: null } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
    },
    {
      name: 'job',
      kind: gvk('batch', 'v1', 'Job'),
      obj: { metadata: { name: 'j' }, spec: { template: {} } },
      pick: (o) => o['spec'],
      want: { template: { metadata: { creationTimestamp: null } }, completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' },
    },
    {
      name: 'cronjob',
      kind: gvk('batch', 'v1', 'CronJob'),
      obj: { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: {} } },
      pick: (o) => o['spec'],
      want: { schedule: '* * * * *', jobTemplate: { metadata: { creationTimestamp: null } }, concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 },
    },
    {
      name: 'namespace label',
      kind: gvk('', 'v1', 'Namespace'),
      obj: { metadata: { name: 'team-a' } },
      pick: (o) => o.metadata?.labels,
      want: { 'kubernetes.io/metadata.name': 'team-a' },
    },
    {
      name: 'secret type and stringData',
      kind: gvk('', 'v1', 'Secret'),
      obj: { metadata: { name: 's' }, stringData: { user: 'admin' } },
      pick: (o) => [o['type'], o['data'], o['stringData']],
      want: ['Opaque', { user: 'YWRtaW4=' }, undefined],
    },
    {
      name: 'persistent volume claim',
      kind: gvk('', 'v1', 'PersistentVolumeClaim'),
      obj: { metadata: { name: 'c' }, spec: {} },
      pick: (o) => [o['spec'], o['status']],
      want: [{ volumeMode: 'Filesystem' }, { phase: 'Pending' }],
    },
    {
      name: 'persistent volume',
      kind: gvk('', 'v1', 'PersistentVolume'),
      obj: { metadata: { name: 'v' }, spec: {} },
      pick: (o) => [o['spec'], o['status']],
      want: [{ persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem' }, { phase: 'Pending' }],
    },
    {
      name: 'storage class',
      kind: gvk('storage.k8s.io', 'v1', 'StorageClass'),
      obj: { metadata: { name: 'sc' }, provisioner: 'x.io/p' },
      pick: (o) => [o['reclaimPolicy'], o['volumeBindingMode']],
      want: ['Delete', 'Immediate'],
    },
    {
      name: 'csi driver',
      kind: gvk('storage.k8s.io', 'v1', 'CSIDriver'),
      obj: { metadata: { name: 'd.example.com' }, spec: { podInfoOnMount: true } },
      pick: (o) => o['spec'],
      want: { podInfoOnMount: true, attachRequired: true, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false },
    },
    {
      name: 'network policy types',
      kind: gvk('networking.k8s.io', 'v1', 'NetworkPolicy'),
      obj: { metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
      pick: (o) => o['spec'],
      want: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], policyTypes: ['Ingress', 'Egress'] },
    },
    {
      name: 'priority class',
      kind: gvk('scheduling.k8s.io', 'v1', 'PriorityClass'),
      obj: { metadata: { name: 'p' }, value: 1 },
      pick: (o) => o['preemptionPolicy'],
      want: 'PreemptLowerPriority',
    },
    {
      name: 'role binding api groups',
      kind: gvk('rbac.authorization.k8s.io', 'v1', 'RoleBinding'),
      obj: { metadata: { name: 'r' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'u' }, { kind: 'ServiceAccount', name: 'sa' }] },
      pick: (o) => [o['roleRef'], o['subjects']],
      want: [
        { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' },
        [
          { kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' },
          { kind: 'ServiceAccount', name: 'sa', apiGroup: '' },
        ],
      ],
    },
    {
      name: 'hpa v2 default metric',
      kind: gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
      obj: { metadata: { name: 'h' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 3 } },
      pick: (o) => o['spec'],
      want: {
        scaleTargetRef: { kind: 'Deployment', name: 'd' },
        maxReplicas: 3,
        minReplicas: 1,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    },
    {
      name: 'hpa v2 partial behavior',
      kind: gvk('autoscaling', 'v2', 'HorizontalPodAutoscaler'),
      obj: { metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } },
      pick: (o) => (o['spec'] as Record<string, unknown>)['behavior'],
      want: {
        scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        },
      },
    },
    {
      name: 'limit range defaults from max and min',
      kind: gvk('', 'v1', 'LimitRange'),
      obj: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' } }] } },
      pick: (o) => o['spec'],
      want: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' }, default: { cpu: '1' }, defaultRequest: { cpu: '1', memory: '64Mi' } }] },
    },
    {
      name: 'endpoint slice ports',
      kind: gvk('discovery.k8s.io', 'v1', 'EndpointSlice'),
      obj: { metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] },
      pick: (o) => o['ports'],
      want: [{ port: 80, name: '', protocol: 'TCP' }],
    },
    { name: 'unknown kinds are untouched', kind: gvk('example.com', 'v1', 'Widget'), obj: { metadata: { name: 'w' }, spec: {} }, pick: (o) => o, want: { metadata: { name: 'w' }, spec: {} } },
  ];
  for (const c of table) it(c.name, () => assert.deepEqual(c.pick(defaulted(c.kind, c.obj)), c.want));
});

describe('prepareForCreate', () => {
  it('gives a job its generated selector and labels', () => {
    const k = gvk('batch', 'v1', 'Job');
    const o = defaulted(k, { metadata: { name: 'pi', namespace: 'default', uid: 'u-1' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'perl' }], restartPolicy: 'Never' } } } });
    prepareForCreate(k, o);
    const spec = o['spec'] as { selector: unknown; template: { metadata: { labels: unknown } } };
    assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    assert.deepEqual(spec.template.metadata.labels, {
      'batch.kubernetes.io/controller-uid': 'u-1',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': 'u-1',
      'job-name': 'pi',
    });
    assert.equal(o.metadata?.generation, 1);
  });

  it('leaves a manual job selector alone', () => {
    const k = gvk('batch', 'v1', 'Job');
    const o = { metadata: { name: 'j', uid: 'u' }, spec: { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: {} } } as KubeObject;
    prepareForCreate(k, o);
    assert.deepEqual((o['spec'] as { selector: unknown }).selector, { matchLabels: { a: 'b' } });
  });

  it('adds the kubernetes finalizer to namespaces', () => {
    const k = gvk('', 'v1', 'Namespace');
    const o = { metadata: { name: 'n' } } as KubeObject;
    prepareForCreate(k, o);
    assert.deepEqual(o['spec'], { finalizers: ['kubernetes'] });
    assert.deepEqual(o['status'], { phase: 'Active' });
  });

  it('sets pod phase and QoS class', () => {
    const k = gvk('', 'v1', 'Pod');
    const o = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject;
    prepareForCreate(k, o);
    assert.deepEqual(o['status'], { phase: 'Pending', qosClass: 'BestEffort' });
  });
});

describe('podQOSClass', () => {
  const pod = (resources: unknown) => ({ spec: { containers: [{ name: 'c', image: 'x', resources }] } }) as never;
  const cases: [string, unknown, string][] = [
    ['no resources', {}, 'BestEffort'],
    ['requests only', { requests: { cpu: '100m' } }, 'Burstable'],
    ['equal cpu and memory limits and requests', { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    ['limits only (requests defaulted from them)', { limits: { cpu: '1', memory: '1Gi' } }, 'Guaranteed'],
    ['cpu limit only', { limits: { cpu: '1' } }, 'Burstable'],
  ];
  for (const [name, resources, want] of cases) it(name, () => assert.equal(podQOSClass(pod(resources)), want));
});

describe('prepareForUpdate', () => {
  const DEPLOY = gvk('apps', 'v1', 'Deployment');
  const stored = (): KubeObject =>
    ({
      metadata: { name: 'd', generation: 3, annotations: { a: '1' } },
      spec: { replicas: 1, template: {} },
      status: { observedGeneration: 3, replicas: 1 },
    }) as KubeObject;

  it('keeps status and generation when only labels change', () => {
    const old = stored();
    const n = structuredClone(old) as KubeObject & { status?: unknown };
    n.metadata = { ...n.metadata, labels: { x: 'y' }, generation: 99 } as KubeObject['metadata'];
    n.status = { replicas: 5 };
    prepareForUpdate(DEPLOY, n, old);
    assert.equal(n.metadata?.generation, 3);
    assert.deepEqual(n['status'], { observedGeneration: 3, replicas: 1 });
  });

  it('bumps generation on spec and annotation changes', () => {
    const old = stored();
    const n = structuredClone(old);
    (n['spec'] as { replicas: number }).replicas = 2;
    prepareForUpdate(DEPLOY, n, old);
    assert.equal(n.metadata?.generation, 4);
    const m = structuredClone(old);
    m.metadata = { ...m.metadata, annotations: { a: '2' } } as KubeObject['metadata'];
    prepareForUpdate(DEPLOY, m, old);
    assert.equal(m.metadata?.generation, 4);
  });

  it('keeps namespace finalizers', () => {
    const NS = gvk('', 'v1', 'Namespace');
    const old = { metadata: { name: 'n' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } } as KubeObject;
    const n = { metadata: { name: 'n' }, spec: {} } as KubeObject;
    prepareForUpdate(NS, n, old);
    assert.deepEqual([n['spec'], n['status']], [{ finalizers: ['kubernetes'] }, { phase: 'Active' }]);
  });

  it('follows what each upstream strategy counts for generation (template, webhooks, EndpointSlice labels and body, IngressClass spec)', () => {
    const cases: Array<[string, GroupVersionKind, KubeObject, (o: KubeObject & Record<string, unknown>) => void, number]> = [
      ['PodTemplate: template', gvk('', 'v1', 'PodTemplate'), { metadata: { name: 't', generation: 1 }, template: { spec: {} } } as KubeObject, (o) => ((o['template'] as { metadata?: unknown }).metadata = { labels: { a: 'b' } }), 2],
      ['PodTemplate: labels alone', gvk('', 'v1', 'PodTemplate'), { metadata: { name: 't', generation: 1 }, template: { spec: {} } } as KubeObject, (o) => (o.metadata = { ...o.metadata, labels: { a: 'b' } }), 1],
      ['ValidatingWebhookConfiguration: webhooks', gvk('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration'), { metadata: { name: 'w', generation: 1 }, webhooks: [] } as KubeObject, (o) => (o['webhooks'] = [{ name: 'a.b.c' }]), 2],
      ['MutatingWebhookConfiguration: annotations alone', gvk('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration'), { metadata: { name: 'w', generation: 1 }, webhooks: [] } as KubeObject, (o) => (o.metadata = { ...o.metadata, annotations: { a: 'b' } }), 1],
      ['EndpointSlice: labels', gvk('discovery.k8s.io', 'v1', 'EndpointSlice'), { metadata: { name: 's', generation: 1 }, addressType: 'IPv4', endpoints: [] } as KubeObject, (o) => (o.metadata = { ...o.metadata, labels: { a: 'b' } }), 2],
      ['EndpointSlice: endpoints', gvk('discovery.k8s.io', 'v1', 'EndpointSlice'), { metadata: { name: 's', generation: 1 }, addressType: 'IPv4', endpoints: [] } as KubeObject, (o) => (o['endpoints'] = [{ addresses: ['10.0.0.1'] }]), 2],
      ['EndpointSlice: annotations alone', gvk('discovery.k8s.io', 'v1', 'EndpointSlice'), { metadata: { name: 's', generation: 1 }, addressType: 'IPv4', endpoints: [] } as KubeObject, (o) => (o.metadata = { ...o.metadata, annotations: { a: 'b' } }), 1],
      ['IngressClass: spec', gvk('networking.k8s.io', 'v1', 'IngressClass'), { metadata: { name: 'i', generation: 1 }, spec: { controller: 'a/b' } } as KubeObject, (o) => ((o['spec'] as { controller: string }).controller = 'a/c'), 2],
    ];
    for (const [name, kind, old, change, want] of cases) {
      const n = structuredClone(old) as KubeObject & Record<string, unknown>;
      change(n);
      prepareForUpdate(kind, n, old);
      assert.equal(n.metadata?.generation, want, name);
    }
  });

  it('bumps the daemonset template generation annotation with the template', () => {
    const DS = gvk('apps', 'v1', 'DaemonSet');
    const old = { metadata: { name: 'd', generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } }, spec: { template: { spec: { containers: [] } } } } as KubeObject;
    const n = structuredClone(old);
    (n['spec'] as { template: { metadata?: unknown } }).template.metadata = { labels: { a: 'b' } };
    prepareForUpdate(DS, n, old);
    assert.equal(n.metadata?.annotations?.['deprecated.daemonset.template.generation'], '2');
    assert.equal(n.metadata?.generation, 2);
  });
});

describe('prepareForStatusUpdate', () => {
  it('keeps a Deployment\'s stored spec and labels, and takes its annotations (upstream: spec and labels reset)', () => {
    const DEPLOY = gvk('apps', 'v1', 'Deployment');
    const old = { metadata: { name: 'd', generation: 2, labels: { a: 'b' } }, spec: { replicas: 1 }, status: {} } as KubeObject;
    const n = { metadata: { name: 'd', generation: 7, labels: {}, annotations: { patchedstatus: 'true' } }, spec: { replicas: 9 }, status: { replicas: 1 } } as KubeObject;
    prepareForStatusUpdate(DEPLOY, n, old);
    assert.deepEqual(n, { metadata: { name: 'd', generation: 7, labels: { a: 'b' }, annotations: { patchedstatus: 'true' } }, spec: { replicas: 1 }, status: { replicas: 1 } });
  });

  it('resets a FlowSchema\'s metadata as upstream\'s ResetObjectMetaForStatus', () => {
    const FS = gvk('flowcontrol.apiserver.k8s.io', 'v1', 'FlowSchema');
    const old = { metadata: { name: 'f', generation: 2, labels: { a: 'b' } }, spec: { matchingPrecedence: 1 } } as KubeObject;
    const n = { metadata: { name: 'f', generation: 7, annotations: { x: 'y' }, finalizers: ['f'] }, spec: { matchingPrecedence: 9 }, status: { conditions: [] } } as KubeObject;
    prepareForStatusUpdate(FS, n, old);
    assert.deepEqual(n, { metadata: { name: 'f', generation: 2, labels: { a: 'b' } }, spec: { matchingPrecedence: 1 }, status: { conditions: [] } });
  });

  it('lets a Service status write change labels and annotations, not its spec', () => {
    const SVC = gvk('', 'v1', 'Service');
    const old = { metadata: { name: 's', labels: { a: 'b' } }, spec: { type: 'ClusterIP' } } as KubeObject;
    const n = { metadata: { name: 's', annotations: { patchedstatus: 'true' } }, spec: { type: 'NodePort' }, status: { loadBalancer: {} } } as KubeObject;
    prepareForStatusUpdate(SVC, n, old);
    assert.deepEqual(n, { metadata: { name: 's', annotations: { patchedstatus: 'true' } }, spec: { type: 'ClusterIP' }, status: { loadBalancer: {} } });
  });

  it('lets a pod status write change labels but not owners', () => {
    const POD = gvk('', 'v1', 'Pod');
    const old = { metadata: { name: 'p', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: '1' }] }, spec: { nodeName: 'n1' } } as KubeObject;
    const n = { metadata: { name: 'p', labels: { x: 'y' } }, spec: { nodeName: 'n2' }, status: { phase: 'Running' } } as KubeObject;
    prepareForStatusUpdate(POD, n, old);
    assert.deepEqual(n, { metadata: { name: 'p', labels: { x: 'y' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: '1' }] }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });
  });
});

describe('prepareForCreate daemonset', () => {
  it('starts the template generation annotation at 1', () => {
    const o = { metadata: { name: 'd' }, spec: {} } as KubeObject;
    prepareForCreate(gvk('apps', 'v1', 'DaemonSet'), o);
    assert.deepEqual(o.metadata?.annotations, { 'deprecated.daemonset.template.generation': '1' });
  });
});

describe('prepareForUpdate for services', () => {
  const SVC = gvk('', 'v1', 'Service');
  const stored = (): KubeObject =>
    ({
      metadata: { name: 's', namespace: 'default', resourceVersion: '5' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.43.0.7',
        clusterIPs: ['10.43.0.7'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP', nodePort: 30080 }],
        externalTrafficPolicy: 'Cluster',
        internalTrafficPolicy: 'Cluster',
        sessionAffinity: 'None',
      },
      status: { loadBalancer: {} },
    }) as KubeObject;

  it('keeps allocated values on a replace that omits them', () => {
    const old = stored();
    const n = { metadata: { name: 's', namespace: 'default', resourceVersion: '5' }, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } } as KubeObject;
    applyDefaults(SVC, n);
    prepareForUpdate(SVC, n, old);
    const spec = n['spec'] as { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] };
    assert.deepEqual([spec.clusterIP, spec.clusterIPs, spec.ports[0]!.nodePort], ['10.43.0.7', ['10.43.0.7'], 30080]);
  });

  it('drops nodePorts and externalTrafficPolicy when switching to ClusterIP', () => {
    const old = stored();
    const n = structuredClone(old);
    (n['spec'] as { type: string }).type = 'ClusterIP';
    applyDefaults(SVC, n);
    prepareForUpdate(SVC, n, old);
    const spec = n['spec'] as { ports: { nodePort?: number }[]; externalTrafficPolicy?: string };
    assert.equal(spec.ports[0]!.nodePort, undefined);
    assert.equal(spec.externalTrafficPolicy, undefined);
  });
});

describe('status defaults', () => {
  it('defaults a load balancer ingress IP mode to VIP', () => {
    const o = defaulted(gvk('', 'v1', 'Service'), { metadata: { name: 's' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.168.1.5' }, { hostname: 'lb.example.com' }] } } });
    assert.deepEqual((o['status'] as { loadBalancer: unknown }).loadBalancer, { ingress: [{ ip: '192.168.1.5', ipMode: 'VIP' }, { hostname: 'lb.example.com' }] });
  });
});

describe('quantities are stored in canonical form', () => {
  const cases: { name: string; kind: GroupVersionKind; obj: Record<string, unknown>; pick: (o: KubeObject) => unknown; want: unknown }[] = [
    {
      name: 'container resources (numbers become strings)',
      kind: gvk('', 'v1', 'Pod'),
      obj: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 1, memory: '1024Mi' }, requests: { cpu: 0.5 } } }] } },
      pick: (o) => (o['spec'] as { containers: { resources: unknown }[] }).containers[0]!.resources,
      want: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    },
    {
      name: 'emptyDir sizeLimit',
      kind: gvk('apps', 'v1', 'Deployment'),
      obj: { metadata: { name: 'd' }, spec: { template: { spec: { containers: [], volumes: [{ name: 'v', emptyDir: { sizeLimit: '2048Mi' } }] } } } },
      pick: (o) => (o['spec'] as { template: { spec: { volumes: unknown[] } } }).template.spec.volumes[0],
      want: { name: 'v', emptyDir: { sizeLimit: '2Gi' } },
    },
    {
      name: 'resource quota',
      kind: gvk('', 'v1', 'ResourceQuota'),
      obj: { metadata: { name: 'q' }, spec: { hard: { pods: 10, 'requests.cpu': '4000m' } } },
      pick: (o) => o['spec'],
      want: { hard: { pods: '10', 'requests.cpu': '4' } },
    },
    {
      name: 'malformed quantities are left for validation',
      kind: gvk('', 'v1', 'PersistentVolumeClaim'),
      obj: { metadata: { name: 'c' }, spec: { resources: { requests: { storage: 'lots' } } } },
      pick: (o) => (o['spec'] as { resources: unknown }).resources,
      want: { requests: { storage: 'lots' } },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(c.pick(defaulted(c.kind, c.obj)), c.want));
});
