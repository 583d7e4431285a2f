/**
 * Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which
 * kubectl's typed clients send for `kubectl create configmap|secret|namespace|serviceaccount|
 * role|...` and for evictions. The envelope is upstream's runtime.Unknown behind the `k8s\0`
 * magic; the message schemas below cover the kinds those commands send (field numbers from
 * upstream's generated.proto). Other kinds answer 415 as a server without their schema would.
 */
import { badRequest, unsupportedMediaType } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';

/**
 * Field types: 'int0' is a non-pointer integer that JSON omits when zero (gogo-protobuf always
 * writes it); 'intorstr' is intstr.IntOrString; 'quantity' is resource.Quantity.
 */
type FieldType = 'string' | 'bytes' | 'int' | 'int0' | 'bool' | 'time' | 'intorstr' | 'quantity' | { msg: Schema } | { inline: Schema } | { map: 'string' | 'bytes' | 'quantity' } | { repeated: FieldType };
type Schema = Record<number, [string, FieldType]>;

const time: FieldType = 'time';
const ownerReference: Schema = { 1: ['kind', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['controller', 'bool'], 7: ['blockOwnerDeletion', 'bool'] };
const objectMeta: Schema = {
  1: ['name', 'string'],
  2: ['generateName', 'string'],
  3: ['namespace', 'string'],
  5: ['uid', 'string'],
  6: ['resourceVersion', 'string'],
  7: ['generation', 'int0'],
  8: ['creationTimestamp', time],
  9: ['deletionTimestamp', time],
  10: ['deletionGracePeriodSeconds', 'int'],
  11: ['labels', { map: 'string' }],
  12: ['annotations', { map: 'string' }],
  13: ['ownerReferences', { repeated: { msg: ownerReference } }],
  14: ['finalizers', { repeated: 'string' }],
};
const meta: [string, FieldType] = ['metadata', { msg: objectMeta }];
const objectReference: Schema = { 1: ['kind', 'string'], 2: ['namespace', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'], 5: ['apiVersion', 'string'], 6: ['resourceVersion', 'string'], 7: ['fieldPath', 'string'] };
const policyRule: Schema = { 1: ['verbs', { repeated: 'string' }], 2: ['apiGroups', { repeated: 'string' }], 3: ['resources', { repeated: 'string' }], 4: ['resourceNames', { repeated: 'string' }], 5: ['nonResourceURLs', { repeated: 'string' }] };
const labelSelector: Schema = { 1: ['matchLabels', { map: 'string' }] };
const deleteOptions: Schema = {
  1: ['gracePeriodSeconds', 'int'],
  2: ['preconditions', { msg: { 1: ['uid', 'string'], 2: ['resourceVersion', 'string'] } }],
  3: ['orphanDependents', 'bool'],
  4: ['propagationPolicy', 'string'],
  5: ['dryRun', { repeated: 'string' }],
};

/** Schemas by `apiVersion/kind`. */
const KINDS: Record<string, Schema> = {
  'v1/ConfigMap': { 1: meta, 2: ['data', { map: 'string' }], 3: ['binaryData', { map: 'bytes' }], 4: ['immutable', 'bool'] },
  'v1/Secret': { 1: meta, 2: ['data', { map: 'bytes' }], 3: ['type', 'string'], 4: ['stringData', { map: 'string' }], 5: ['immutable', 'bool'] },
  'v1/Namespace': { 1: meta, 2: ['spec', { msg: { 1: ['finalizers', { repeated: 'string' }] } }], 3: ['status', { msg: { 1: ['phase', 'string'] } }] },
  'v1/ServiceAccount': {
    1: meta,
    2: ['secrets', { repeated: { msg: objectReference } }],
    3: ['imagePullSecrets', { repeated: { msg: { 1: ['name', 'string'] } } }],
    4: ['automountServiceAccountToken', 'bool'],
  },
  'v1/Binding': { 1: meta, 2: ['target', { msg: objectReference }] },
  'policy/v1/Eviction': { 1: meta, 2: ['deleteOptions', { msg: deleteOptions }] },
  'scheduling.k8s.io/v1/PriorityClass': { 1: meta, 2: ['value', 'int'], 3: ['globalDefault', 'bool'], 4: ['description', 'string'], 5: ['preemptionPolicy', 'string'] },
  'rbac.authorization.k8s.io/v1/Role': { 1: meta, 2: ['rules', { repeated: { msg: policyRule } }] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { 1: meta, 2: ['rules', { repeated: { msg: policyRule } }], 3: ['aggregationRule', { msg: { 1: ['clusterRoleSelectors', { repeated: { msg: labelSelector } }] } }] },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    1: meta,
    2: ['subjects', { repeated: { msg: { 1: ['kind', 'string'], 2: ['apiGroup', 'string'], 3: ['name', 'string'], 4: ['namespace', 'string'] } } }],
    3: ['roleRef', { msg: { 1: ['apiGroup', 'string'], 2: ['kind', 'string'], 3: ['name', 'string'] } }],
  },
};
KINDS['rbac.authorization.k8s.io/v1/ClusterRoleBinding'] = KINDS['rbac.authorization.k8s.io/v1/RoleBinding']!;

// Workload kinds `kubectl create deployment|job|cronjob|service|quota|ingress|pdb` and
// `kubectl expose` send. Only spec fields are decoded; a create's status is reset anyway.
const labelSelectorFull: Schema = {
  1: ['matchLabels', { map: 'string' }],
  2: ['matchExpressions', { repeated: { msg: { 1: ['key', 'string'], 2: ['operator', 'string'], 3: ['values', { repeated: 'string' }] } } }],
};
const resources: Schema = { 1: ['limits', { map: 'quantity' }], 2: ['requests', { map: 'quantity' }] };
const containerPort: Schema = { 1: ['name', 'string'], 2: ['hostPort', 'int0'], 3: ['containerPort', 'int'], 4: ['protocol', 'string'], 5: ['hostIP', 'string'] };
const envVar: Schema = { 1: ['name', 'string'], 2: ['value', 'string'] };
const container: Schema = {
  1: ['name', 'string'],
  2: ['image', 'string'],
  3: ['command', { repeated: 'string' }],
  4: ['args', { repeated: 'string' }],
  5: ['workingDir', 'string'],
  6: ['ports', { repeated: { msg: containerPort } }],
  7: ['env', { repeated: { msg: envVar } }],
  8: ['resources', { msg: resources }],
  13: ['terminationMessagePath', 'string'],
  14: ['imagePullPolicy', 'string'],
  16: ['stdin', 'bool'],
  17: ['stdinOnce', 'bool'],
  18: ['tty', 'bool'],
  20: ['terminationMessagePolicy', 'string'],
};
const podSpec: Schema = {
  2: ['containers', { repeated: { msg: container } }],
  3: ['restartPolicy', 'string'],
  4: ['terminationGracePeriodSeconds', 'int'],
  5: ['activeDeadlineSeconds', 'int'],
  6: ['dnsPolicy', 'string'],
  7: ['nodeSelector', { map: 'string' }],
  8: ['serviceAccountName', 'string'],
  10: ['nodeName', 'string'],
  11: ['hostNetwork', 'bool'],
  20: ['initContainers', { repeated: { msg: container } }],
  19: ['schedulerName', 'string'],
};
const podTemplateSpec: Schema = { 1: meta, 2: ['spec', { msg: podSpec }] };
const jobSpec: Schema = {
  1: ['parallelism', 'int'],
  2: ['completions', 'int'],
  3: ['activeDeadlineSeconds', 'int'],
  4: ['selector', { msg: labelSelectorFull }],
  5: ['manualSelector', 'bool'],
  6: ['template', { msg: podTemplateSpec }],
  7: ['backoffLimit', 'int'],
  8: ['ttlSecondsAfterFinished', 'int'],
};
const servicePort: Schema = { 1: ['name', 'string'], 2: ['protocol', 'string'], 3: ['port', 'int'], 4: ['targetPort', 'intorstr'], 5: ['nodePort', 'int0'], 6: ['appProtocol', 'string'] };
KINDS['apps/v1/Deployment'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['replicas', 'int'],
        2: ['selector', { msg: labelSelectorFull }],
        3: ['template', { msg: podTemplateSpec }],
        4: ['strategy', { msg: { 1: ['type', 'string'] } }],
        5: ['minReadySeconds', 'int0'],
        6: ['revisionHistoryLimit', 'int'],
        7: ['paused', 'bool'],
        9: ['progressDeadlineSeconds', 'int'],
      },
    },
  ],
};
KINDS['batch/v1/Job'] = { 1: meta, 2: ['spec', { msg: jobSpec }] };
KINDS['batch/v1/CronJob'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['schedule', 'string'],
        2: ['startingDeadlineSeconds', 'int'],
        3: ['concurrencyPolicy', 'string'],
        4: ['suspend', 'bool'],
        5: ['jobTemplate', { msg: { 1: meta, 2: ['spec', { msg: jobSpec }] } }],
        6: ['successfulJobsHistoryLimit', 'int'],
        7: ['failedJobsHistoryLimit', 'int'],
        8: ['timeZone', 'string'],
      },
    },
  ],
};
KINDS['v1/Service'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['ports', { repeated: { msg: servicePort } }],
        2: ['selector', { map: 'string' }],
        3: ['clusterIP', 'string'],
        4: ['type', 'string'],
        5: ['externalIPs', { repeated: 'string' }],
        7: ['sessionAffinity', 'string'],
        8: ['loadBalancerIP', 'string'],
        10: ['externalName', 'string'],
        11: ['externalTrafficPolicy', 'string'],
        18: ['clusterIPs', { repeated: 'string' }],
      },
    },
  ],
};
KINDS['v1/ResourceQuota'] = { 1: meta, 2: ['spec', { msg: { 1: ['hard', { map: 'quantity' }], 2: ['scopes', { repeated: 'string' }] } }] };
const ingressBackend: Schema = { 4: ['service', { msg: { 1: ['name', 'string'], 2: ['port', { msg: { 1: ['name', 'string'], 2: ['number', 'int0'] } }] } }] };
KINDS['networking.k8s.io/v1/Ingress'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['defaultBackend', { msg: ingressBackend }],
        2: ['tls', { repeated: { msg: { 1: ['hosts', { repeated: 'string' }], 2: ['secretName', 'string'] } } }],
        3: [
          'rules',
          {
            repeated: {
              msg: {
                1: ['host', 'string'],
                2: ['ingressRuleValue', { inline: { 1: ['http', { msg: { 1: ['paths', { repeated: { msg: { 1: ['path', 'string'], 2: ['backend', { msg: ingressBackend }], 3: ['pathType', 'string'] } } }] } }] } }],
              },
            },
          },
        ],
        4: ['ingressClassName', 'string'],
      },
    },
  ],
};
const crossVersionRef: Schema = { 1: ['kind', 'string'], 2: ['name', 'string'], 3: ['apiVersion', 'string'] };
const metricTarget: Schema = { 1: ['type', 'string'], 2: ['value', 'quantity'], 3: ['averageValue', 'quantity'], 4: ['averageUtilization', 'int'] };
KINDS['autoscaling/v2/HorizontalPodAutoscaler'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['scaleTargetRef', { msg: crossVersionRef }],
        2: ['minReplicas', 'int'],
        3: ['maxReplicas', 'int'],
        4: ['metrics', { repeated: { msg: { 1: ['type', 'string'], 4: ['resource', { msg: { 1: ['name', 'string'], 2: ['target', { msg: metricTarget }] } }] } } }],
      },
    },
  ],
};
KINDS['autoscaling/v1/HorizontalPodAutoscaler'] = {
  1: meta,
  2: ['spec', { msg: { 1: ['scaleTargetRef', { msg: crossVersionRef }], 2: ['minReplicas', 'int'], 3: ['maxReplicas', 'int'], 4: ['targetCPUUtilizationPercentage', 'int'] } }],
};
KINDS['policy/v1/PodDisruptionBudget'] = {
  1: meta,
  2: ['spec', { msg: { 1: ['minAvailable', 'intorstr'], 2: ['selector', { msg: labelSelectorFull }], 3: ['maxUnavailable', 'intorstr'], 4: ['unhealthyPodEvictionPolicy', 'string'] } }],
};
// The review and TokenRequest kinds kubectl's typed clients post (auth can-i, whoami, create token).
const resourceAttributes: Schema = { 1: ['namespace', 'string'], 2: ['verb', 'string'], 3: ['group', 'string'], 4: ['version', 'string'], 5: ['resource', 'string'], 6: ['subresource', 'string'], 7: ['name', 'string'] };
const nonResourceAttributes: Schema = { 1: ['path', 'string'], 2: ['verb', 'string'] };
const accessReviewSpec: Schema = { 1: ['resourceAttributes', { msg: resourceAttributes }], 2: ['nonResourceAttributes', { msg: nonResourceAttributes }], 3: ['user', 'string'], 4: ['groups', { repeated: 'string' }], 6: ['uid', 'string'] };
KINDS['authorization.k8s.io/v1/SelfSubjectAccessReview'] = { 1: meta, 2: ['spec', { msg: accessReviewSpec }] };
KINDS['authorization.k8s.io/v1/SubjectAccessReview'] = { 1: meta, 2: ['spec', { msg: accessReviewSpec }] };
KINDS['authorization.k8s.io/v1/LocalSubjectAccessReview'] = { 1: meta, 2: ['spec', { msg: accessReviewSpec }] };
KINDS['authorization.k8s.io/v1/SelfSubjectRulesReview'] = { 1: meta, 2: ['spec', { msg: { 1: ['namespace', 'string'] } }] };
KINDS['authentication.k8s.io/v1/SelfSubjectReview'] = { 1: meta };
KINDS['authentication.k8s.io/v1/TokenReview'] = { 1: meta, 2: ['spec', { msg: { 1: ['token', 'string'], 2: ['audiences', { repeated: 'string' }] } }] };
const csrCondition: Schema = { 1: ['type', 'string'], 2: ['reason', 'string'], 3: ['message', 'string'], 4: ['lastUpdateTime', time], 5: ['lastTransitionTime', time], 6: ['status', 'string'] };
KINDS['certificates.k8s.io/v1/CertificateSigningRequest'] = {
  1: meta,
  2: ['spec', { msg: { 1: ['request', 'bytes'], 2: ['username', 'string'], 3: ['uid', 'string'], 4: ['groups', { repeated: 'string' }], 5: ['usages', { repeated: 'string' }], 7: ['signerName', 'string'], 8: ['expirationSeconds', 'int'] } }],
  3: ['status', { msg: { 1: ['conditions', { repeated: { msg: csrCondition } }], 2: ['certificate', 'bytes'] } }],
};
KINDS['authentication.k8s.io/v1/TokenRequest'] = {
  1: meta,
  2: ['spec', { msg: { 1: ['audiences', { repeated: 'string' }], 3: ['boundObjectRef', { msg: { 1: ['kind', 'string'], 2: ['apiVersion', 'string'], 3: ['name', 'string'], 4: ['uid', 'string'] } }], 4: ['expirationSeconds', 'int'] } }],
};

// flowcontrol.apiserver.k8s.io/v1, which client-go's typed clients (the APF conformance tests)
// send as protobuf for create, update and updateStatus.
const apfCondition: Schema = { 1: ['type', 'string'], 2: ['status', 'string'], 3: ['lastTransitionTime', time], 4: ['reason', 'string'], 5: ['message', 'string'] };
const apfStatus: [string, FieldType] = ['status', { msg: { 1: ['conditions', { repeated: { msg: apfCondition } }] } }];
const apfSubject: Schema = {
  1: ['kind', 'string'],
  2: ['user', { msg: { 1: ['name', 'string'] } }],
  3: ['group', { msg: { 1: ['name', 'string'] } }],
  4: ['serviceAccount', { msg: { 1: ['namespace', 'string'], 2: ['name', 'string'] } }],
};
const apfResourceRule: Schema = { 1: ['verbs', { repeated: 'string' }], 2: ['apiGroups', { repeated: 'string' }], 3: ['resources', { repeated: 'string' }], 4: ['clusterScope', 'bool'], 5: ['namespaces', { repeated: 'string' }] };
const apfNonResourceRule: Schema = { 1: ['verbs', { repeated: 'string' }], 6: ['nonResourceURLs', { repeated: 'string' }] };
KINDS['flowcontrol.apiserver.k8s.io/v1/FlowSchema'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['priorityLevelConfiguration', { msg: { 1: ['name', 'string'] } }],
        2: ['matchingPrecedence', 'int0'],
        3: ['distinguisherMethod', { msg: { 1: ['type', 'string'] } }],
        4: ['rules', { repeated: { msg: { 1: ['subjects', { repeated: { msg: apfSubject } }], 2: ['resourceRules', { repeated: { msg: apfResourceRule } }], 3: ['nonResourceRules', { repeated: { msg: apfNonResourceRule } }] } } }],
      },
    },
  ],
  3: apfStatus,
};
KINDS['flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration'] = {
  1: meta,
  2: [
    'spec',
    {
      msg: {
        1: ['type', 'string'],
        2: [
          'limited',
          {
            msg: {
              1: ['nominalConcurrencyShares', 'int'],
              2: ['limitResponse', { msg: { 1: ['type', 'string'], 2: ['queuing', { msg: { 1: ['queues', 'int0'], 2: ['handSize', 'int0'], 3: ['queueLengthLimit', 'int0'] } }] } }],
              3: ['lendablePercent', 'int'],
              4: ['borrowingLimitPercent', 'int'],
            },
          },
        ],
        3: ['exempt', { msg: { 1: ['nominalConcurrencyShares', 'int'], 2: ['lendablePercent', 'int'] } }],
      },
    },
  ],
  3: apfStatus,
};

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw badRequest('protobuf: truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }
  bytes(): Buffer {
    const n = Number(this.varint());
    if (this.pos + n > this.buf.length) throw badRequest('protobuf: truncated field');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

function signed(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function decodeTime(buf: Buffer): string | undefined {
  const r = new Reader(buf);
  let seconds = 0;
  while (!r.done) {
    const tag = Number(r.varint());
    if (tag >>> 3 === 1 && (tag & 7) === 0) seconds = signed(r.varint());
    else r.skip(tag & 7);
  }
  // The zero time (-62135596800) is Go's time.Time{}: JSON null, omitted here.
  if (seconds === -62135596800 || seconds === 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeMapEntry(buf: Buffer, valueType: 'string' | 'bytes' | 'quantity'): [string, string] {
  const r = new Reader(buf);
  let k = '';
  let v = '';
  while (!r.done) {
    const tag = Number(r.varint());
    const no = tag >>> 3;
    if ((tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const b = r.bytes();
    if (no === 1) k = b.toString('utf8');
    else if (no === 2) v = valueType === 'bytes' ? b.toString('base64') : valueType === 'quantity' ? ((decodeMessage(b, { 1: ['string', 'string'] }).string as string | undefined) ?? '0') : b.toString('utf8');
  }
  return [k, v];
}

function decodeValue(t: FieldType, r: Reader, wire: number): unknown {
  if (t === 'int') return signed(r.varint());
  if (t === 'int0') {
    const v = signed(r.varint());
    return v === 0 ? undefined : v;
  }
  if (t === 'bool') return r.varint() !== 0n;
  const b = wire === 2 ? r.bytes() : undefined;
  if (b === undefined) throw badRequest('protobuf: unexpected wire type');
  if (t === 'string') return b.toString('utf8');
  if (t === 'bytes') return b.toString('base64');
  if (t === 'time') return decodeTime(b);
  if (t === 'quantity') return decodeMessage(b, { 1: ['string', 'string'] }).string ?? '0';
  if (t === 'intorstr') {
    const v = decodeMessage(b, { 1: ['type', 'int'], 2: ['intVal', 'int'], 3: ['strVal', 'string'] });
    return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
  }
  if ('msg' in t) return decodeMessage(b, t.msg);
  throw badRequest('protobuf: unexpected field type');
}

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const r = new Reader(buf);
  const out: Record<string, unknown> = {};
  while (!r.done) {
    const tag = Number(r.varint());
    const spec = schema[tag >>> 3];
    const wire = tag & 7;
    if (!spec) {
      r.skip(wire);
      continue;
    }
    const [name, type] = spec;
    if (typeof type === 'object' && 'inline' in type) {
      // An embedded struct JSON inlines into its parent (IngressRule's IngressRuleValue).
      Object.assign(out, decodeMessage(r.bytes(), type.inline));
    } else if (typeof type === 'object' && 'map' in type) {
      const [k, v] = decodeMapEntry(r.bytes(), type.map);
      ((out[name] ??= {}) as Record<string, string>)[k] = v;
    } else if (typeof type === 'object' && 'repeated' in type) {
      ((out[name] ??= []) as unknown[]).push(decodeValue(type.repeated, r, wire));
    } else {
      const v = decodeValue(type, r, wire);
      // gogo-protobuf writes empty optional scalars; JSON's omitempty leaves them out.
      if (v !== undefined && v !== '' && v !== false) out[name] = v;
    }
  }
  return out;
}

/** isProtobuf reports whether a content type is Kubernetes protobuf. */
export function isProtobuf(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === 'application/vnd.kubernetes.protobuf';
}

/** decodeProtobufObject decodes an enveloped protobuf body into a JSON-shaped object. */
export function decodeProtobufObject(body: Buffer): KubeObject {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw badRequest('provided protobuf data does not start with the k8s magic prefix');
  const env = new Reader(body.subarray(4));
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  while (!env.done) {
    const tag = Number(env.varint());
    const no = tag >>> 3;
    if ((tag & 7) !== 2) {
      env.skip(tag & 7);
      continue;
    }
    const b = env.bytes();
    if (no === 1) {
      const tm = decodeMessage(b, { 1: ['apiVersion', 'string'], 2: ['kind', 'string'] });
      apiVersion = (tm.apiVersion as string | undefined) ?? '';
      kind = (tm.kind as string | undefined) ?? '';
    } else if (no === 2) raw = b;
  }
  const schema = KINDS[`${apiVersion}/${kind}`];
  if (!schema) throw unsupportedMediaType(['application/json', 'application/yaml']);
  return { apiVersion, kind, ...decodeMessage(raw, schema) } as KubeObject;
}
