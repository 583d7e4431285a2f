import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, encodeProtobufObject, goDuration, parseGoDuration } from './index.js';
import { Writer } from './wire.js';

type Obj = Record<string, unknown>;

/**
 * Each case is an object in the JSON form Go's encoding/json gives the decoded struct (what
 * kube-apiserver stores and returns): non-pointer structs present (`status: {}`), non-pointer
 * zeros only where the field is required. Encoding it the way client-go does (non-pointer zeros
 * on the wire) and decoding it must give it back unchanged.
 */
const roundTrips: { name: string; obj: Obj }[] = [
  {
    name: 'Pod with containers, probes, resources, affinity, tolerations',
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' }, annotations: { a: '' }, creationTimestamp: '2024-05-06T07:08:09Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }] },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx',
            command: ['sh', '-c'],
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [{ name: 'A' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m' } },
            livenessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 3, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 'http' }, failureThreshold: 1 },
            startupProbe: { exec: { command: ['true'] } },
            securityContext: { runAsUser: 0, privileged: false, readOnlyRootFilesystem: true },
            volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }],
          },
        ],
        initContainers: [{ name: 'init', image: 'busybox', resources: {} }],
        volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }, { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420, items: [{ key: 'a', path: 'a' }] } }],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 0,
        activeDeadlineSeconds: 2 ** 53 + 2,
        nodeSelector: { disk: 'ssd' },
        affinity: {
          nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } },
          podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' } }] },
        },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }],
        hostNetwork: true,
        enableServiceLinks: false,
      },
      status: {},
    },
  },
  {
    name: 'struct fields newer than the OpenAPI definitions keep their names (not inlined)',
    obj: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'c', resources: {} }], resources: { limits: { cpu: '1' } } },
      status: { containerStatuses: [{ name: 'c', state: {}, lastState: {}, ready: true, restartCount: 0, image: 'x', imageID: '', user: { linux: { uid: 1000, gid: 1000 } } }] },
    },
  },
  {
    name: 'Deployment with replicas 0 (a pointer keeps its zero)',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', generation: 3 },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'd' } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x', resources: {} }] } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: { replicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z', reason: 'R' }] },
    },
  },
  {
    name: 'Service (required port, IntOrString targetPort, nested non-pointer status)',
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'b', port: 81, targetPort: 8081, nodePort: 30001 }], selector: { app: 's' }, type: 'NodePort', clusterIPs: ['10.0.0.1'], ipFamilies: ['IPv4'], sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'Job and CronJob',
    obj: {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'cj' },
      spec: {
        schedule: '*/5 * * * *',
        timeZone: 'Etc/UTC',
        suspend: false,
        jobTemplate: { metadata: {}, spec: { backoffLimit: 0, completions: 1, template: { metadata: {}, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', args: ['echo', 'hi'], resources: {} }] } } } },
      },
      status: { lastScheduleTime: '2024-02-03T04:05:06Z' },
    },
  },
  {
    name: 'Job',
    obj: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 2, manualSelector: true, selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, template: { metadata: {}, spec: { containers: [{ name: 'c', image: 'x', resources: {} }] } }, podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 2] } }] } }, status: {} },
  },
  {
    name: 'Node (quantities, addresses, taints, status daemon endpoints)',
    obj: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1' },
      spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], taints: [{ key: 'node-role', effect: 'NoSchedule', timeAdded: '2024-01-01T00:00:00Z' }], unschedulable: true },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '1900m' },
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }],
        addresses: [{ type: 'InternalIP', address: '10.0.0.2' }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: '', containerRuntimeVersion: 'containerd://1', kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      },
    },
  },
  {
    name: 'core Event (MicroTime eventTime, required-less counts)',
    obj: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
      reason: 'Started',
      message: 'm',
      source: { component: 'kubelet' },
      firstTimestamp: '2024-01-01T00:00:00Z',
      count: 2,
      type: 'Normal',
      eventTime: '2024-01-01T00:00:00.123456Z',
    },
  },
  {
    name: 'events.k8s.io Event with series',
    obj: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e2' }, eventTime: '2024-01-01T00:00:00.000001Z', series: { count: 3, lastObservedTime: '2024-01-01T00:01:00.500000Z' }, reportingController: 'c', reportingInstance: 'i', action: 'A', reason: 'R', regarding: { kind: 'Pod', name: 'p' }, type: 'Normal', deprecatedSource: {} },
  },
  {
    name: 'Lease (MicroTime renewTime, pointer ints)',
    obj: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.250000Z', leaseTransitions: 0 } },
  },
  {
    name: 'EndpointSlice',
    obj: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'es', labels: { 'kubernetes.io/service-name': 's' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', name: 'p', namespace: 'default' }, nodeName: 'n1' }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  },
  {
    name: 'HPA v2',
    obj: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }, { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '100m' } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } },
      },
      status: { desiredReplicas: 0 },
    },
  },
  {
    name: 'RBAC ClusterRole with aggregation and RoleBinding',
    obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }], aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } },
  },
  {
    name: 'RoleBinding',
    obj: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'ns' }, subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'ns' }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } },
  },
  {
    name: 'PersistentVolumeClaim',
    obj: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pvc' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: '', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
  },
  {
    name: 'Ingress (inline IngressRuleValue)',
    obj: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i' },
      spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.example.com'], secretName: 's' }], rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'svc', port: { number: 80 } } } }] } }] },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'DeleteOptions (under a group version)',
    obj: { apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', preconditions: { uid: 'u', resourceVersion: '5' }, dryRun: ['All'] },
  },
  { name: 'Eviction', obj: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'default' }, deleteOptions: { gracePeriodSeconds: 5 } } },
  { name: 'Binding', obj: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: 'default', uid: 'u' }, target: { kind: 'Node', name: 'n1' } } },
  { name: 'Scale (non-pointer replicas 0 is dropped, as omitempty)', obj: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 3 }, status: { replicas: 1, selector: 'app=d' } } },
  {
    name: 'SubjectAccessReview (ExtraValue arrays in a map)',
    obj: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb: 'get', resource: 'pods' }, user: 'u', groups: ['g'], extra: { scopes: ['a', 'b'] } }, status: { allowed: false } },
  },
  {
    name: 'CertificateSigningRequest ([]byte is base64)',
    obj: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'csr' }, spec: { request: Buffer.from('-----BEGIN CERTIFICATE REQUEST-----').toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 600 }, status: {} },
  },
  {
    name: 'ControllerRevision (RawExtension) and managedFields (FieldsV1)',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: { name: 'cr', managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-01T00:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] },
      data: { spec: { template: { x: [1, 'two', null] } } },
      revision: 2,
    },
  },
  { name: 'ConfigMap binaryData and empty values', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: '', b: 'x' }, binaryData: { bin: Buffer.from([0, 1, 2, 255]).toString('base64') }, immutable: false } },
  {
    name: 'PriorityLevelConfiguration (required non-pointer ints keep zeros)',
    obj: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'pl' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 6, queueLengthLimit: 50 } } } }, status: {} },
  },
];

describe('protobuf decoding matches the JSON form', () => {
  for (const c of roundTrips) {
    test(c.name, () => {
      assert.deepEqual(decodeProtobufObject(encodeProtobufObject(c.obj)), c.obj);
    });
  }
});

describe('protobuf decoding applies Go JSON omitempty to what client-go puts on the wire', () => {
  const cases: { name: string; sent: Obj; stored: Obj }[] = [
    {
      name: 'non-pointer zeros and empty strings are dropped, non-pointer structs appear',
      sent: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: 0, namespace: '' }, spec: { minReadySeconds: 0, paused: false, template: { spec: { containers: [{ name: 'c', image: '', resources: {} }] } } } },
      stored: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'c', resources: {} }] } }, strategy: {} }, status: {} },
    },
    {
      name: 'required zeros stay: ServicePort.port, Container.name, HTTPGetAction.port',
      sent: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [{ readinessProbe: { httpGet: {} } }] } },
      stored: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { containers: [{ name: '', resources: {}, readinessProbe: { httpGet: { port: 0 } } }] }, status: {} },
    },
    {
      name: 'a zero non-pointer IntOrString is dropped (targetPort is defaulted from port)',
      sent: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
      stored: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] }, status: { loadBalancer: {} } },
    },
    {
      name: 'int64 beyond 2^53 becomes the JSON path number',
      sent: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { activeDeadlineSeconds: 2 ** 60 } },
      stored: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { activeDeadlineSeconds: JSON.parse('1152921504606846976') as number }, status: {} },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(decodeProtobufObject(encodeProtobufObject(c.sent)), c.stored);
    });
  }
});

describe('protobuf envelope', () => {
  const envelope = (apiVersion: string, kind: string, raw: Buffer): Buffer =>
    Buffer.concat([Buffer.from('k8s\0', 'binary'), new Writer().bytes(1, new Writer().bytes(1, Buffer.from(apiVersion)).bytes(2, Buffer.from(kind)).finish()).bytes(2, raw).finish()]);
  const cases: { name: string; body: Buffer; code: number }[] = [
    { name: 'no magic is a 400', body: Buffer.from('{"kind":"Pod"}'), code: 400 },
    { name: 'a kind without a schema (custom resource) is a 415', body: envelope('example.com/v1', 'Widget', Buffer.alloc(0)), code: 415 },
    { name: 'a truncated field is a 400', body: envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x05, 0x0a])), code: 400 },
    { name: 'a string field sent as a varint is a 400', body: envelope('v1', 'ConfigMap', Buffer.from([0x0a, 0x02, 0x08, 0x01])), code: 400 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(() => decodeProtobufObject(c.body), (e: unknown) => (e as { status?: { code?: number } }).status?.code === c.code);
    });
  }
  test('unknown field numbers are skipped, as newer clients send fields older servers lack', () => {
    const raw = new Writer().bytes(1, new Writer().bytes(1, Buffer.from('cm')).finish()).tag(99, 0).varint(7).bytes(2, new Writer().bytes(1, Buffer.from('a')).bytes(2, Buffer.from('b')).finish()).finish();
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', raw)), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } });
  });
});

describe('Go durations', () => {
  const cases: [string, bigint][] = [
    ['0s', 0n],
    ['1ns', 1n],
    ['1.5µs', 1500n],
    ['2ms', 2_000_000n],
    ['1.5s', 1_500_000_000n],
    ['2m30s', 150_000_000_000n],
    ['1h0m0s', 3_600_000_000_000n],
    ['-72h3m0.5s', -(72n * 3_600_000_000_000n + 180_000_000_000n + 500_000_000n)],
  ];
  for (const [s, ns] of cases) {
    test(s, () => {
      assert.equal(goDuration(ns), s);
      assert.equal(parseGoDuration(s), ns);
    });
  }
});
