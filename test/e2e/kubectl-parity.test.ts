/**
 * Parity: the same scenario driven by the real kubectl against one fresh apiserver and by
 * `k8ts kubectl` against another, step by step. stdout, stderr and the exit code of every step
 * are compared after masking what legitimately differs between two servers (ages, timestamps,
 * uids, resourceVersions, ports, generated names). Prints `parity: N/M identical`; fails on any
 * difference that is not in KNOWN_DIFFERENCES.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { kubectlPath, runCommand } from './helpers/kubectl.js';

const cli = join(import.meta.dirname, '..', '..', 'src', 'kubectl', 'cli.js');
const k8tsBin = join(import.meta.dirname, '..', '..', '..', 'bin', 'k8ts.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], kubeconfig: string, stdin = '', env: Record<string, string> = {}): Promise<Result> {
  return runCommand(cmd, args, { env: { KUBECONFIG: kubeconfig, HOME: process.env['HOME'] ?? '/tmp', ...env }, stdin });
}

interface Step {
  name: string;
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
}

/**
 * KNOWN_DIFFERENCES: steps whose outputs differ on purpose, with the reason.
 * - version: the client reports its own build (v1.32.0+k8ts, no Kustomize line).
 */
const KNOWN_DIFFERENCES: Record<string, string> = {
  'version': 'client version is k8ts, and k8ts kubectl has no kustomize',
};

function mask(s: string, srv: TestApiServer, dir: string): string {
  const port = new URL(srv.url).port;
  return s
    .replaceAll(srv.url, 'SERVER')
    .replaceAll(dir, 'DIR')
    .replace(new RegExp(`\\b${port}\\b`, 'g'), 'PORT')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, 'TIMESTAMP')
    .replace(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}/g, 'DATE')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UID')
    .replace(/(resourceVersion"?:\s*)"\d+"/g, '$1"RV"')
    .replace(/(Resource Version:\s+)\d+/g, '$1RV')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC/g, 'GOTIME')
    .replace(/(?<=\s|^)\d+(s|m|h|d|y)(\d+(s|m|h))?(?=\s|$)/gm, 'AGE')
    .replace(/\b10\.43\.\d+\.\d+\b/g, 'CLUSTER-IP');
}

/** Pads of table columns depend on masked cell widths; compare tables cell by cell. */
function normalizeSpaces(s: string): string {
  return s.replace(/(\S) {2,}/g, "$1  ");
}

const manifest = (replicas: number, image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: shop
  labels:
    app: api
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
      - name: api
        image: ${image}
        ports:
        - containerPort: 8080
        env:
        - name: MODE
          value: "true"
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector:
    app: api
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  enabled: "true"
  count: "3"
  text: |
    line one
    line two
  star: '*'
`;

/** TRICKY holds strings that exercise every quoting, folding and block rule of go-yaml's emitter. */
const TRICKY = {
  "apiVersion": "v1",
  "kind": "ConfigMap",
  "metadata": {
    "name": "tricky",
    "namespace": "shop",
    "annotations": {
      "example.com/zeta": "z",
      "example.com/Alpha_1": "a",
      "a.b/c-d": "1",
      "description": "An annotation that is long enough to be folded by the emitter because it exceeds eighty columns by far, yes."
    }
  },
  "data": {
    "long": "word word word word word word word word word word word word word word word word word word word word word word word word word word word word word word end",
    "longnospace": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "lead": "  leading spaces",
    "trail": "trailing space ",
    "tab": "a\tb",
    "colon": "key: value",
    "colon2": "a:b",
    "hash": "a #comment",
    "hash2": "a#b",
    "dash": "- item",
    "dash2": "-x",
    "q": "?",
    "star": "*star",
    "amp": "&anchor",
    "bang": "!tag",
    "pipe": "|",
    "gt": ">",
    "quote": "'single'",
    "dq": "\"double\"",
    "pct": "%pct",
    "at": "@at",
    "back": "`tick",
    "yes": "yes",
    "no": "No",
    "on": "ON",
    "y": "y",
    "n": "n",
    "tilde": "~",
    "null": "null",
    "empty": "",
    "int": "42",
    "neg": "-7",
    "float": "3.14",
    "exp": "1e3",
    "hex": "0x1F",
    "oct": "0o17",
    "octal": "017",
    "under": "1_000",
    "base60": "1:20",
    "dot": ".5",
    "inf": ".inf",
    "nan": ".NaN",
    "date": "2026-01-02",
    "datetime": "2026-01-02T03:04:05Z",
    "notdate": "2026-13-45",
    "multi": "line1\nline2",
    "multinl": "line1\nline2\n",
    "multinl2": "a\n\n",
    "leadnl": "\nx",
    "leadsp_multi": "  x\ny",
    "trailsp_multi": "x \ny",
    "unicode": "héllo wörld ✓",
    "comma": "a,b",
    "brackets": "[a]",
    "braces": "{a}",
    "mid": "a [b] {c}",
    "longquoted": "true true true true true true true true true true true true true true true true true true true true true true true true true ",
    "longcolon": "k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v k: v",
    "docstart": "--- x",
    "docend": "... x",
    "cr": "a\rb",
    "0": "0",
    "a10": "1",
    "a9": "2",
    "A": "3",
    "_u": "4",
    "-d": "5",
    "1k": "6",
    "json": "{\"a\":1,\"b\":[1,2]}\n"
  }
};

const NODE = `apiVersion: v1
kind: Node
metadata:
  name: n1
  labels:
    kubernetes.io/hostname: n1
    node-role.kubernetes.io/control-plane: ""
spec:
  podCIDR: 10.42.0.0/24
  podCIDRs: [10.42.0.0/24]
status:
  capacity: {cpu: "4", memory: 8Gi, pods: "110", ephemeral-storage: 50Gi}
  allocatable: {cpu: 3900m, memory: 7Gi, pods: "110", ephemeral-storage: 45Gi}
  addresses:
  - {type: InternalIP, address: 10.0.0.5}
  - {type: Hostname, address: n1}
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: kubelet is posting ready status, lastHeartbeatTime: "2026-01-01T00:00:00Z", lastTransitionTime: "2026-01-01T00:00:00Z"}
  nodeInfo: {machineID: m1, systemUUID: u1, bootID: b1, kernelVersion: 6.1.0, osImage: Linux, operatingSystem: linux, architecture: amd64, containerRuntimeVersion: k8ts://1.0, kubeletVersion: v1.32.0, kubeProxyVersion: v1.32.0}
`;

const NODE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: onnode
  namespace: shop
spec:
  nodeName: n1
  containers:
  - name: app
    image: nginx
    command: [nginx, -g, daemon off;]
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {cpu: "1", memory: 128Mi}
    env:
    - name: FROM_CM
      valueFrom: {configMapKeyRef: {name: settings, key: count}}
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: cfg, mountPath: /etc/cfg, readOnly: true}
  volumes:
  - name: data
    emptyDir: {}
  - name: cfg
    configMap: {name: settings}
`;

const LEASE = `apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: n1
  namespace: kube-node-lease
spec:
  holderIdentity: n1
  leaseDurationSeconds: 40
  renewTime: "2026-01-01T00:00:00.000000Z"
`;

/** KINDS has one object of each kind with its own describe layout (a LimitRange line per resource: kubectl ranges over a map). */
const KINDS = `apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000
description: high priority
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata: {name: rc1}
handler: runc
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: example.com/fast
parameters: {type: ssd}
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
mountOptions: [debug]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: k8s.io/ingress-nginx
  parameters: {apiGroup: example.com, kind: Params, name: p1}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb1, namespace: shop}
spec:
  maxUnavailable: 25%
  selector: {matchLabels: {app: web}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {name: rq1, namespace: shop}
spec:
  hard: {pods: "10"}
  scopes: [NotBestEffort]
---
apiVersion: v1
kind: LimitRange
metadata: {name: lr1, namespace: shop}
spec:
  limits:
  - type: Container
    max: {cpu: "2"}
    min: {cpu: 10m}
  - type: Pod
    max: {memory: 1Gi}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r1, namespace: shop, labels: {team: a}}
rules:
- apiGroups: [""]
  resources: [pods, services]
  verbs: [get, list]
- apiGroups: [""]
  resources: [pods]
  verbs: [delete]
- apiGroups: [apps]
  resources: [deployments/scale]
  resourceNames: [web]
  verbs: [update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb1, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r1}
subjects:
- {kind: User, name: alice, apiGroup: rbac.authorization.k8s.io}
- {kind: ServiceAccount, name: bot, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr1}
rules:
- nonResourceURLs: [/metrics, /healthz]
  verbs: [get]
- apiGroups: [""]
  resources: [nodes]
  verbs: [get, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr1}
subjects:
- {kind: Group, name: devs, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: coordination.k8s.io/v1
kind: Lease
metadata: {name: l1, namespace: shop}
spec: {holderIdentity: me, leaseDurationSeconds: 15}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv1}
spec:
  capacity: {storage: 5Gi}
  accessModes: [ReadWriteMany, ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: fast
  hostPath: {path: /tmp/pv1, type: DirectoryOrCreate}
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: pv2, labels: {tier: local}}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  local: {path: /mnt/disk}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions:
        - {key: kubernetes.io/hostname, operator: In, values: [n1, n2]}
        - {key: disk, operator: Exists}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc1, namespace: shop}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: fast
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: pvc-user, namespace: shop}
spec:
  containers: [{name: c, image: busybox}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: pvc1}}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: es1, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints:
- addresses: [10.42.0.5, 10.42.0.6]
  conditions: {ready: true}
  nodeName: n1
  targetRef: {kind: Pod, name: web-1, namespace: shop}
- addresses: [10.42.0.7]
ports:
- {name: http, port: 8080, protocol: TCP}
- {port: 9090, protocol: UDP}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j1, namespace: shop}
spec:
  backoffLimit: 2
  activeDeadlineSeconds: 60
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [echo, hi]}]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj1, namespace: shop}
spec:
  schedule: "*/5 * * * *"
  startingDeadlineSeconds: 30
  suspend: true
  jobTemplate:
    spec:
      completions: 2
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: busybox, command: [date]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ss1, namespace: shop}
spec:
  serviceName: ss1
  replicas: 2
  selector: {matchLabels: {app: ss1}}
  template:
    metadata: {labels: {app: ss1}}
    spec:
      containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
  volumeClaimTemplates:
  - metadata: {name: data, labels: {tier: db}}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: fast
      resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds1, namespace: shop}
spec:
  selector: {matchLabels: {app: ds1}}
  template:
    metadata: {labels: {app: ds1}}
    spec:
      nodeSelector: {disk: ssd}
      containers: [{name: c, image: nginx}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing1, namespace: shop, annotations: {a: b}}
spec:
  ingressClassName: nginx
  defaultBackend: {resource: {apiGroup: example.com, kind: Bucket, name: b1}}
  tls:
  - hosts: [a.example.com, b.example.com]
    secretName: tls1
  - hosts: [c.example.com]
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
      - {path: /v2, pathType: Exact, backend: {service: {name: nope, port: {name: http}}}}
  - http:
      paths:
      - {path: /x, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ing2, namespace: shop}
spec:
  defaultBackend: {service: {name: api, port: {number: 80}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h1, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: ss1}
  minReplicas: 2
  maxReplicas: 7
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
  - type: Pods
    pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "10"}}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
      policies: [{type: Percent, value: 10, periodSeconds: 60}, {type: Pods, value: 2, periodSeconds: 30}]
    scaleUp:
      selectPolicy: Min
      policies: [{type: Pods, value: 4, periodSeconds: 15}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np1, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: a}}
      podSelector: {matchLabels: {role: db}}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
  - ports: [{port: 53, protocol: UDP}, {port: http}]
  egress:
  - to: [{namespaceSelector: {}}]
`;

const binary = kubectlPath();

describe('k8ts kubectl parity with the real kubectl', { skip: binary ? false : 'kubectl not installed' }, () => {
  let a: TestApiServer;
  let b: TestApiServer;
  let dir: string;
  before(async () => {
    [a, b] = await Promise.all([startTestApiServer(), startTestApiServer()]);
    dir = mkdtempSync(join(tmpdir(), 'k8ts-parity-'));
    writeFileSync(join(dir, 'app.yaml'), manifest(2, 'nginx:1.27'));
    writeFileSync(join(dir, 'app-v2.yaml'), manifest(4, 'nginx:1.28'));
    writeFileSync(join(dir, 'tricky.json'), JSON.stringify(TRICKY));
    writeFileSync(join(dir, 'node.yaml'), NODE);
    writeFileSync(join(dir, 'node-pod.yaml'), NODE_POD);
    writeFileSync(join(dir, 'lease.yaml'), LEASE);
    writeFileSync(join(dir, 'kinds.yaml'), KINDS);
    writeFileSync(join(dir, 'ns.tpl'), '{{- /* a file */ -}}\n{{ .metadata.name }}: {{ .status.phase }}\n');
    writeFileSync(join(dir, 'editor.sh'), '#!/bin/sh\nsed -i "s/replicas: [0-9]*/replicas: 5/" "$1"\n', { mode: 0o755 });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const f = (name: string): string => join(dir, name);
  const steps = (): Step[] => [
    { name: 'get namespaces', args: ['get', 'ns'] },
    { name: 'get ns -o name', args: ['get', 'namespaces', '-o', 'name'] },
    { name: 'get ns default -o yaml', args: ['get', 'ns', 'default', '-o', 'yaml'] },
    { name: 'get ns default -o json', args: ['get', 'ns/default', '-o', 'json'] },
    { name: 'get svc -o wide', args: ['get', 'svc', '-o', 'wide'] },
    { name: 'api-versions', args: ['api-versions'] },
    { name: 'api-resources', args: ['api-resources'] },
    { name: 'api-resources -o wide', args: ['api-resources', '-o', 'wide'] },
    { name: 'api-resources --namespaced=false', args: ['api-resources', '--namespaced=false'] },
    { name: 'version', args: ['version'] },
    { name: 'api-resources -o name', args: ['api-resources', '-o', 'name'] },
    { name: 'api-resources --api-group', args: ['api-resources', '--api-group=apps'] },
    { name: 'get --raw', args: ['get', '--raw', '/api'] },
    { name: 'explain resource', args: ['explain', 'configmaps'] },
    { name: 'explain grouped field', args: ['explain', 'deployments.apps.spec.strategy'] },
    { name: 'explain list field', args: ['explain', 'pod.spec.containers'] },
    { name: 'explain scalar field', args: ['explain', 'svc.spec.type'] },
    { name: 'explain missing field', args: ['explain', 'pods.spec.nope'] },
    { name: 'explain unknown resource', args: ['explain', 'foo'] },
    { name: 'create namespace', args: ['create', 'namespace', 'shop'] },
    { name: 'create namespace again', args: ['create', 'ns', 'shop'] },
    { name: 'create deployment', args: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '-n', 'shop'] },
    { name: 'create deployment dry-run yaml', args: ['create', 'deployment', 'x', '--image=busybox', '--port=80', '--dry-run=client', '-o', 'yaml'] },
    { name: 'create deployment server dry-run', args: ['create', 'deploy', 'y', '--image=busybox', '--dry-run=server', '-n', 'shop'] },
    { name: 'create configmap', args: ['create', 'configmap', 'c1', '--from-literal=a=true', '--from-literal=b=123', '--from-literal=c=hello world', '-n', 'shop'] },
    { name: 'create secret generic', args: ['create', 'secret', 'generic', 's1', '--from-literal=password=hunter2', '-n', 'shop'] },
    { name: 'create secret docker-registry -o json', args: ['create', 'secret', 'docker-registry', 'reg', '--docker-server=r.example', '--docker-username=u', '--docker-password=p', '--dry-run=client', '-o', 'json'] },
    { name: 'create service clusterip', args: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'shop'] },
    { name: 'create service nodeport dry-run', args: ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--dry-run=client', '-o', 'yaml'] },
    { name: 'create serviceaccount', args: ['create', 'serviceaccount', 'bot', '-n', 'shop'] },
    { name: 'create job', args: ['create', 'job', 'once', '--image=busybox', '-n', 'shop', '--', 'echo', 'hi'] },
    { name: 'create job -o yaml dry-run', args: ['create', 'job', 'twice', '--image=busybox', '--dry-run=client', '-o', 'yaml'] },
    { name: 'get deploy,cm,svc', args: ['get', 'deploy,cm,svc', '-n', 'shop'] },
    { name: 'get all', args: ['get', 'all', '-n', 'shop'] },
    { name: 'get deploy -o yaml', args: ['get', 'deploy', 'web', '-n', 'shop', '-o', 'yaml'] },
    { name: 'get deploy list -o json', args: ['get', 'deployments', '-n', 'shop', '-o', 'json'] },
    { name: 'get cm list -o yaml', args: ['get', 'cm', '-n', 'shop', '-o', 'yaml'] },
    { name: 'get jsonpath items', args: ['get', 'cm', '-n', 'shop', '-o', 'jsonpath={.items[*].metadata.name}'] },
    { name: 'get jsonpath range', args: ['get', 'cm', '-n', 'shop', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.data}{"\\n"}{end}'] },
    { name: 'get jsonpath single', args: ['get', 'deploy', 'web', '-n', 'shop', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'] },
    { name: 'get custom-columns', args: ['get', 'deploy', '-n', 'shop', '-o', 'custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image,MISSING:.status.nothing'] },
    { name: 'get --show-labels', args: ['get', 'deploy', '-n', 'shop', '--show-labels'] },
    { name: 'get -L', args: ['get', 'deploy', '-n', 'shop', '-L', 'app'] },
    { name: 'get --no-headers', args: ['get', 'cm', '-n', 'shop', '--no-headers'] },
    { name: 'get -A', args: ['get', 'deploy', '-A'] },
    { name: 'get --sort-by', args: ['get', 'cm', '-n', 'shop', '--sort-by=.metadata.name', '-o', 'name'] },
    { name: 'go-template range', args: ['get', 'cm', '-n', 'shop', '-o', 'go-template={{range .items}}{{.metadata.name}}:{{range $k, $v := .data}}{{$k}}={{$v}},{{end}}{{"\n"}}{{end}}'] },
    { name: 'go-template functions', args: ['get', 'deploy', 'web', '-n', 'shop', '-o', 'go-template={{ $c := index .spec.template.spec.containers 0 }}{{ printf "%s %q %T %d" $c.name $c.image .spec.replicas (len .metadata.labels) }} {{- if eq .spec.replicas 2 }} two{{ else }} other{{ end }} {{ .nope }} {{ with .metadata.labels }}{{ .app | len }}{{ end }} {{ exists . "spec" "paused" }} {{ or .nope "dflt" }}'] },
    { name: 'go-template --template', args: ['get', 'deploy', '-n', 'shop', '-o', 'go-template', '--template', '{{range .items}}{{.kind}}/{{.metadata.name}} {{.spec.strategy}}{{"\n"}}{{end}}'] },
    { name: 'go-template-file', args: ['get', 'ns', 'shop', '-o', `go-template-file=${f('ns.tpl')}`] },
    { name: 'go-template parse error', args: ['get', 'cm', '-n', 'shop', '-o', 'go-template={{range .items}}{{.metadata.name}}'] },
    { name: 'go-template unknown function', args: ['get', 'cm', '-n', 'shop', '-o', 'go-template={{ upper .kind }}'] },
    { name: 'apply tricky strings', args: ['apply', '-f', f('tricky.json')] },
    { name: 'tricky strings -o yaml', args: ['get', 'cm', 'tricky', '-n', 'shop', '-o', 'yaml'] },
    { name: 'tricky strings -o json', args: ['get', 'cm', 'tricky', '-n', 'shop', '-o', 'json'] },
    { name: 'tricky strings jsonpath', args: ['get', 'cm', 'tricky', '-n', 'shop', '-o', 'jsonpath={.data}'] },
    { name: 'get secret -o yaml', args: ['get', 'secret', 's1', '-n', 'shop', '-o', 'yaml'] },
    { name: 'label', args: ['label', 'cm', 'c1', 'tier=backend', '-n', 'shop'] },
    { name: 'label without overwrite', args: ['label', 'cm', 'c1', 'tier=frontend', '-n', 'shop'] },
    { name: 'label --overwrite', args: ['label', 'cm', 'c1', 'tier=frontend', '--overwrite', '-n', 'shop'] },
    { name: 'label unchanged', args: ['label', 'cm', 'c1', 'tier=frontend', '--overwrite', '-n', 'shop'] },
    { name: 'get -l', args: ['get', 'cm', '-n', 'shop', '-l', 'tier=frontend'] },
    { name: 'get -l none', args: ['get', 'cm', '-n', 'shop', '-l', 'tier=none'] },
    { name: 'label --list', args: ['label', 'cm', 'c1', '--list', '-n', 'shop'] },
    { name: 'label --list by selector', args: ['label', 'cm', '-l', 'tier', '--list', '-n', 'shop'] },
    { name: 'label remove', args: ['label', 'cm', 'c1', 'tier-', '-n', 'shop'] },
    { name: 'label --list with a change', args: ['label', 'cm', 'c1', 'only=one', '--list', '-n', 'shop'] },
    { name: 'label --list empty', args: ['annotate', 'cm', 'c1', '--list', '-n', 'shop'] },
    { name: 'label remove again', args: ['label', 'cm', 'c1', 'only-', '-n', 'shop'] },
    { name: 'annotate', args: ['annotate', 'cm', 'c1', 'note=hello', '-n', 'shop'] },
    { name: 'patch strategic', args: ['patch', 'deploy', 'web', '-n', 'shop', '-p', '{"spec":{"replicas":3}}'] },
    { name: 'patch no change', args: ['patch', 'deploy', 'web', '-n', 'shop', '-p', '{"spec":{"replicas":3}}'] },
    { name: 'patch merge', args: ['patch', 'cm', 'c1', '-n', 'shop', '--type=merge', '-p', '{"data":{"d":"4"}}'] },
    { name: 'patch json', args: ['patch', 'cm', 'c1', '-n', 'shop', '--type=json', '-p', '[{"op":"remove","path":"/data/d"}]'] },
    { name: 'scale', args: ['scale', 'deploy', 'web', '--replicas=1', '-n', 'shop'] },
    { name: 'scale by type/name', args: ['scale', 'deployment/web', '--replicas=2', '-n', 'shop'] },
    { name: 'apply create', args: ['apply', '-f', f('app.yaml')] },
    { name: 'apply unchanged', args: ['apply', '-f', f('app.yaml')] },
    { name: 'apply configured', args: ['apply', '-f', f('app-v2.yaml')] },
    { name: 'apply from stdin dry-run', args: ['apply', '-f', '-', '--dry-run=server'], stdin: manifest(1, 'nginx:1.29') },
    { name: 'get applied -o yaml', args: ['get', 'deploy', 'api', '-n', 'shop', '-o', 'yaml'] },
    { name: 'get applied cm -o yaml', args: ['get', 'cm', 'settings', '-n', 'shop', '-o', 'yaml'] },
    { name: 'create -f exists', args: ['create', '-f', f('app.yaml')] },
    { name: 'replace -f', args: ['replace', '-f', f('app.yaml')] },
    { name: 'edit with KUBE_EDITOR', args: ['edit', 'deploy', 'web', '-n', 'shop'], env: { KUBE_EDITOR: f('editor.sh') } },
    { name: 'describe deployment', args: ['describe', 'deploy', 'web', '-n', 'shop'] },
    // kubectl ranges over the data map in Go's random order: describe a one-key ConfigMap.
    { name: 'create one-key configmap', args: ['create', 'cm', 'one', '--from-literal=key=multi\nline', '-n', 'shop'] },
    { name: 'annotate one-key configmap', args: ['annotate', 'cm', 'one', 'a=1', 'b=2', '-n', 'shop'] },
    { name: 'describe configmap', args: ['describe', 'cm', 'one', '-n', 'shop'] },
    { name: 'describe namespace', args: ['describe', 'ns', 'shop'] },
    { name: 'describe service', args: ['describe', 'svc', 'api', '-n', 'shop'] },
    { name: 'describe secret', args: ['describe', 'secret', 's1', '-n', 'shop'] },
    { name: 'create kinds', args: ['create', '-f', f('kinds.yaml')] },
    ...['priorityclass/high', 'runtimeclass/rc1', 'storageclass/fast', 'ingressclass/nginx', 'pdb/pdb1', 'quota/rq1', 'limits/lr1', 'role/r1', 'rolebinding/rb1', 'clusterrole/cr1', 'clusterrolebinding/crb1', 'lease/l1', 'pv/pv1', 'pv/pv2', 'pvc/pvc1', 'endpointslice/es1', 'job/j1', 'cronjob/cj1', 'sts/ss1', 'ds/ds1', 'ingress/ing1', 'ingress/ing2', 'hpa/h1', 'netpol/np1'].map((k) => ({ name: `describe ${k}`, args: ['describe', k, '-n', 'shop'] })),
    { name: 'run pod', args: ['run', 'p1', '--image=nginx', '--labels=app=p1,tier=web', '--env=X=1', '--port=80', '-n', 'shop'] },
    { name: 'get pods', args: ['get', 'pods', '-n', 'shop'] },
    { name: 'get pods -o wide', args: ['get', 'pods', '-n', 'shop', '-o', 'wide'] },
    { name: 'describe pod', args: ['describe', 'pod', 'p1', '-n', 'shop'] },
    { name: 'exec on an unscheduled pod', args: ['exec', 'p1', '-n', 'shop', '--', 'ls'] },
    { name: 'port-forward to a pending pod', args: ['port-forward', 'p1', '8080:80', '-n', 'shop'] },
    { name: 'expose deployment', args: ['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '-n', 'shop'] },
    { name: 'set image', args: ['set', 'image', 'deployment/web', 'nginx=nginx:1.29', '-n', 'shop'] },
    { name: 'set env', args: ['set', 'env', 'deployment/web', 'A=1', '-n', 'shop'] },
    { name: 'rollout history', args: ['rollout', 'history', 'deployment/web', '-n', 'shop'] },
    { name: 'rollout pause', args: ['rollout', 'pause', 'deployment/web', '-n', 'shop'] },
    { name: 'rollout resume', args: ['rollout', 'resume', 'deployment/web', '-n', 'shop'] },
    { name: 'rollout restart', args: ['rollout', 'restart', 'deployment/web', '-n', 'shop'] },
    { name: 'rollout status no watch', args: ['rollout', 'status', 'deployment/web', '--watch=false', '-n', 'shop'] },
    { name: 'rollout undo without history', args: ['rollout', 'undo', 'deployment/web', '-n', 'shop'] },
    { name: 'rollout pause twice', args: ['rollout', 'pause', 'deploy/web', '-n', 'shop'] },
    { name: 'rollout pause again', args: ['rollout', 'pause', 'deploy/web', '-n', 'shop'] },
    { name: 'wait jsonpath', args: ['wait', '--for=jsonpath={.spec.replicas}=5', 'deploy/web', '-n', 'shop'] },
    { name: 'wait delete missing', args: ['wait', '--for=delete', 'cm/nope', '--timeout=1s', '-n', 'shop'] },
    { name: 'logs without kubelet', args: ['logs', 'p1', '-n', 'shop'] },
    { name: 'events none', args: ['events', '-n', 'shop'] },
    { name: 'top pods', args: ['top', 'pods'] },
    { name: 'apply node', args: ['apply', '-f', f('node.yaml')] },
    { name: 'get nodes', args: ['get', 'nodes'] },
    { name: 'pod on the node', args: ['apply', '-f', f('node-pod.yaml')] },
    { name: 'describe node without lease', args: ['describe', 'node', 'n1'] },
    { name: 'node lease', args: ['apply', '-f', f('lease.yaml')] },
    { name: 'describe node', args: ['describe', 'nodes', 'n1'] },
    { name: 'describe scheduled pod', args: ['describe', 'pod', 'onnode', '-n', 'shop'] },
    { name: 'get scheduled pod -o wide', args: ['get', 'pod', 'onnode', '-n', 'shop', '-o', 'wide'] },
    { name: 'cordon', args: ['cordon', 'n1'] },
    { name: 'cordon again', args: ['cordon', 'n1'] },
    { name: 'get nodes cordoned', args: ['get', 'nodes', '-o', 'wide'] },
    { name: 'uncordon', args: ['uncordon', 'n1'] },
    { name: 'taint', args: ['taint', 'nodes', 'n1', 'dedicated=gpu:NoSchedule'] },
    { name: 'taint again', args: ['taint', 'nodes', 'n1', 'dedicated=gpu:NoSchedule'] },
    { name: 'get node taints', args: ['get', 'node', 'n1', '-o', 'jsonpath={.spec.taints}'] },
    { name: 'untaint', args: ['taint', 'nodes', 'n1', 'dedicated:NoSchedule-'] },
    { name: 'untaint missing', args: ['taint', 'nodes', 'n1', 'dedicated:NoSchedule-'] },
    { name: 'get pod missing', args: ['get', 'pod', 'nope', '-n', 'shop'] },
    { name: 'get unknown type', args: ['get', 'foo'] },
    { name: 'get no resources', args: ['get', 'pods'] },
    { name: 'get no resources -A none', args: ['get', 'pv'] },
    { name: 'delete dry-run client', args: ['delete', 'cm', 'c1', '-n', 'shop', '--dry-run=client'] },
    { name: 'delete dry-run server', args: ['delete', 'cm', 'c1', '-n', 'shop', '--dry-run=server'] },
    { name: 'delete configmap', args: ['delete', 'cm', 'c1', '-n', 'shop'] },
    { name: 'delete missing', args: ['delete', 'cm', 'c1', '-n', 'shop'] },
    { name: 'delete missing ignored', args: ['delete', 'cm', 'c1', '-n', 'shop', '--ignore-not-found'] },
    { name: 'create -f -o name', args: ['create', '-f', f('tricky.json'), '-o', 'name', '--dry-run=server'] },
    { name: 'apply -o yaml', args: ['apply', '-f', f('app.yaml'), '-o', 'yaml'] },
    { name: 'delete two types', args: ['delete', 'svc,deploy', 'web', '-n', 'shop'] },
    { name: 'delete -f', args: ['delete', '-f', f('app.yaml')] },
    { name: 'delete by label', args: ['delete', 'pods', '-l', 'app=p1', '-n', 'shop'] },
    { name: 'config set-context new', args: ['config', 'set-context', 'dev', '--cluster=k8ts', '--user=admin', '--namespace=shop'] },
    { name: 'config set-context current', args: ['config', 'set-context', '--current', '--namespace=default'] },
    { name: 'config use-context', args: ['config', 'use-context', 'dev'] },
    { name: 'get in the new context', args: ['get', 'cm', '-o', 'name'] },
    { name: 'get with --context', args: ['get', 'cm', '-o', 'name', '--context', 'k8ts'] },
    { name: 'config use-context missing', args: ['config', 'use-context', 'nope'] },
    { name: 'config use-context back', args: ['config', 'use-context', 'k8ts'] },
    { name: 'config get-contexts', args: ['config', 'get-contexts'] },
    { name: 'config current-context', args: ['config', 'current-context'] },
    { name: 'config view', args: ['config', 'view'] },
    { name: 'cluster-info', args: ['cluster-info'] },
    { name: 'auth can-i', args: ['auth', 'can-i', 'create', 'pods'] },
    { name: 'auth can-i --list', args: ['auth', 'can-i', '--list'] },
    { name: 'unknown flag', args: ['get', 'pods', '--bogus'] },
  ];

  test('every step prints what kubectl prints', async () => {
    const differences: string[] = [];
    let identical = 0;
    const all = steps();
    for (const s of all) {
      const [ra, rb] = await Promise.all([run(binary!, s.args, a.kubeconfig, s.stdin, s.env), run(process.execPath, [cli, ...s.args], b.kubeconfig, s.stdin, s.env)]);
      const norm = (r: Result, srv: TestApiServer): Result => ({ code: r.code, stdout: normalizeSpaces(mask(r.stdout, srv, dir)), stderr: normalizeSpaces(mask(r.stderr, srv, dir)) });
      const na = norm(ra, a);
      const nb = norm(rb, b);
      // Exact bytes where nothing was masked inside a table: compare unnormalized too.
      const exact = mask(ra.stdout, a, dir) === mask(rb.stdout, b, dir);
      const same = na.code === nb.code && na.stdout === nb.stdout && na.stderr === nb.stderr;
      if (same) identical++;
      else if (!(s.name in KNOWN_DIFFERENCES)) {
        differences.push(`--- ${s.name}: kubectl ${s.args.join(' ')}\n[kubectl] code=${na.code}\n${na.stdout}${na.stderr ? `[stderr]\n${na.stderr}` : ''}\n[k8ts] code=${nb.code}\n${nb.stdout}${nb.stderr ? `[stderr]\n${nb.stderr}` : ''}`);
      }
      void exact;
    }
    console.log(`parity: ${identical}/${all.length} identical (${Object.keys(KNOWN_DIFFERENCES).length} known differences)`);
    assert.deepEqual(differences, [], differences.join('\n'));
  });

  test('k8ts kubectl is reachable through the k8ts binary', async () => {
    const r = await run(process.execPath, [k8tsBin, 'kubectl', 'get', 'ns', 'default', '-o', 'name'], b.kubeconfig);
    assert.equal(r.stdout, 'namespace/default\n', r.stderr);
    assert.equal(r.code, 0);
  });
});
