/**
 * client-go programs (e2e.test, controllers) send request bodies as protobuf. Every built-in kind
 * sent as protobuf must be stored exactly as the same object sent as JSON, and the subresource
 * bodies (status, scale, binding, eviction), DeleteOptions on DELETE and the reviews must decode.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { encodeProtobufObject } from '../../src/apiserver/protobuf/index.js';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';

type Obj = Record<string, unknown>;
const PB = 'application/vnd.kubernetes.protobuf';

let srv: TestApiServer;

async function call(method: string, path: string, body?: Obj, proto = false, accept = 'application/json'): Promise<{ status: number; json: Obj; contentType: string }> {
  const headers: Record<string, string> = { accept };
  let payload: Buffer | string | undefined;
  if (body) {
    headers['content-type'] = proto ? PB : 'application/json';
    payload = proto ? encodeProtobufObject(body) : JSON.stringify(body);
  }
  const res = await fetch(`${srv.url}${path}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Obj) : {}, contentType: res.headers.get('content-type') ?? '' };
}

/** The stored object without what differs between two creates of the same content. */
function comparable(o: Obj): Obj {
  const c = structuredClone(o);
  const meta = c.metadata as Obj;
  for (const k of ['name', 'uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'selfLink']) delete meta[k];
  const spec = c.spec as Obj | undefined;
  if (c.kind === 'Service' && spec) {
    for (const k of ['clusterIP', 'clusterIPs']) delete spec[k];
    for (const p of (spec.ports as Obj[] | undefined) ?? []) delete p.nodePort;
  }
  return c;
}

const ns = 'pb';
const pod = (name: string): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'c',
        image: 'nginx',
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '500m', memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
        securityContext: { runAsUser: 0 },
      },
    ],
    terminationGracePeriodSeconds: 0,
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
  },
});
const template = { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'x', resources: {} }] } };

/** [resource path (namespaced under ns unless it starts with /), object without its name]. */
const kinds: [string, (name: string) => Obj][] = [
  ['/api/v1/namespaces/pb/pods', pod],
  ['/apis/apps/v1/namespaces/pb/deployments', (name) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns }, spec: { replicas: 0, selector: { matchLabels: { app: 'd' } }, template } })],
  ['/api/v1/namespaces/pb/services', (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, targetPort: 'http' }] } })],
  ['/apis/batch/v1/namespaces/pb/cronjobs', (name) => ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: ns }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } } } })],
  ['/apis/coordination.k8s.io/v1/namespaces/pb/leases', (name) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: ns }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-01-01T00:00:00.250000Z' } })],
  ['/apis/discovery.k8s.io/v1/namespaces/pb/endpointslices', (name) => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace: ns }, addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] })],
  ['/apis/autoscaling/v2/namespaces/pb/horizontalpodautoscalers', (name) => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: ns }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] } })],
  ['/apis/rbac.authorization.k8s.io/v1/namespaces/pb/roles', (name) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: ns }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] })],
  ['/api/v1/namespaces/pb/persistentvolumeclaims', (name) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: ns }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } })],
  ['/apis/networking.k8s.io/v1/namespaces/pb/ingresses', (name) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: ns }, spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } })],
  ['/api/v1/namespaces/pb/events', (name) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: ns }, involvedObject: { kind: 'Pod', name: 'p', namespace: ns }, reason: 'R', message: 'm', count: 1, type: 'Normal', firstTimestamp: '2024-01-01T00:00:00Z' })],
  ['/apis/scheduling.k8s.io/v1/priorityclasses', (name) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 0, description: 'd' })],
];

before(async () => {
  srv = await startTestApiServer();
  const r = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
});

after(async () => {
  await srv?.stop();
});

describe('a protobuf create stores what the same JSON create stores', () => {
  for (const [path, make] of kinds) {
    const kind = String(make('x').kind);
    test(kind, async () => {
      const base = `${kind.toLowerCase()}-`;
      const viaJSON = await call('POST', path, make(`${base}json`));
      assert.equal(viaJSON.status, 201, JSON.stringify(viaJSON.json));
      const viaPB = await call('POST', path, make(`${base}pb`), true);
      assert.equal(viaPB.status, 201, JSON.stringify(viaPB.json));
      const got = await call('GET', `${path}/${base}pb`);
      assert.equal(got.status, 200);
      assert.deepEqual(comparable(got.json), comparable((await call('GET', `${path}/${base}json`)).json));
    });
  }
});

test('fields k8ts\'s schema lacks are dropped as on the JSON path (a newer client\'s fields)', async () => {
  // supplementalGroupsPolicy is in kubectl 1.32's descriptors; whichever schema k8ts has, both paths must agree.
  const make = (name: string): Obj => ({ ...pod(name), spec: { ...(pod(name).spec as Obj), securityContext: { runAsUser: 1000, supplementalGroupsPolicy: 'Strict' } } });
  assert.equal((await call('POST', '/api/v1/namespaces/pb/pods', make('newer-json'))).status, 201);
  assert.equal((await call('POST', '/api/v1/namespaces/pb/pods', make('newer-pb'), true)).status, 201);
  const [j, p] = [(await call('GET', '/api/v1/namespaces/pb/pods/newer-json')).json, (await call('GET', '/api/v1/namespaces/pb/pods/newer-pb')).json];
  assert.deepEqual(comparable(p), comparable(j));
  assert.equal(((p.spec as Obj).securityContext as Obj).runAsUser, 1000);
});

describe('protobuf bodies of updates, subresources, deletes and reviews', () => {
  test('update and status update', async () => {
    const path = '/apis/apps/v1/namespaces/pb/deployments/deployment-pb';
    const cur = (await call('GET', path)).json;
    const upd = await call('PUT', path, { ...cur, spec: { ...(cur.spec as Obj), replicas: 2 } }, true);
    assert.equal(upd.status, 200, JSON.stringify(upd.json));
    assert.equal((upd.json.spec as Obj).replicas, 2);
    const st = await call('PUT', `${path}/status`, { ...upd.json, status: { replicas: 2, observedGeneration: 2, conditions: [{ type: 'Available', status: 'True', reason: 'R', lastTransitionTime: '2024-01-01T00:00:00Z' }] } }, true);
    assert.equal(st.status, 200, JSON.stringify(st.json));
    assert.deepEqual((st.json.status as Obj).conditions, [{ type: 'Available', status: 'True', reason: 'R', lastTransitionTime: '2024-01-01T00:00:00Z' }]);
  });

  test('scale', async () => {
    const path = '/apis/apps/v1/namespaces/pb/deployments/deployment-pb/scale';
    const cur = (await call('GET', path)).json;
    const res = await call('PUT', path, { ...cur, spec: { replicas: 5 } }, true);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(((await call('GET', '/apis/apps/v1/namespaces/pb/deployments/deployment-pb')).json.spec as Obj).replicas, 5);
  });

  test('binding and eviction', async () => {
    await call('POST', '/api/v1/namespaces/pb/pods', pod('bound'), true);
    const bind = await call('POST', '/api/v1/namespaces/pb/pods/bound/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'bound', namespace: ns }, target: { kind: 'Node', name: 'n1' } }, true);
    assert.equal(bind.status, 201, JSON.stringify(bind.json));
    assert.equal(((await call('GET', '/api/v1/namespaces/pb/pods/bound')).json.spec as Obj).nodeName, 'n1');
    const evict = await call('POST', '/api/v1/namespaces/pb/pods/bound/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'bound', namespace: ns }, deleteOptions: { dryRun: ['All'] } }, true);
    assert.equal(evict.status, 201, JSON.stringify(evict.json));
    assert.equal((await call('GET', '/api/v1/namespaces/pb/pods/bound')).status, 200, 'a dry-run eviction leaves the pod');
  });

  test('DeleteOptions on DELETE', async () => {
    const path = '/api/v1/namespaces/pb/pods/pod-pb';
    const conflict = await call('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: 'not-the-uid' } }, true);
    assert.equal(conflict.status, 409, JSON.stringify(conflict.json));
    const dry = await call('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', dryRun: ['All'] }, true);
    assert.equal(dry.status, 200, JSON.stringify(dry.json));
    assert.equal((await call('GET', path)).status, 200);
  });

  test('SelfSubjectAccessReview and SubjectAccessReview', async () => {
    const ssar = await call('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: ns } } }, true);
    assert.equal(ssar.status, 201, JSON.stringify(ssar.json));
    assert.deepEqual((ssar.json.spec as Obj).resourceAttributes, { verb: 'get', resource: 'pods', namespace: ns });
    const sar = await call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {}, spec: { user: 'u', extra: { scopes: ['a'] }, nonResourceAttributes: { path: '/healthz', verb: 'get' } } }, true);
    assert.equal(sar.status, 201, JSON.stringify(sar.json));
    assert.deepEqual((sar.json.spec as Obj).extra, { scopes: ['a'] });
  });

  test('a protobuf-only Accept gets a JSON answer client-go can decode, not a 406', async () => {
    const res = await call('GET', '/api/v1/namespaces/pb/pods/pod-pb', undefined, false, PB);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.match(res.contentType, /^application\/json/);
    assert.equal((res.json.metadata as Obj).name, 'pod-pb');
  });

  test('a protobuf-only Accept on a watch gets a JSON event stream', async () => {
    const first = await new Promise<{ contentType: string; line: string }>((resolve, reject) => {
      const req = request(`${srv.url}/api/v1/namespaces/pb/pods?watch=true&fieldSelector=metadata.name%3Dpod-pb`, { headers: { Accept: PB } }, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          const nl = buf.indexOf('\n');
          if (nl >= 0) {
            resolve({ contentType: String(res.headers['content-type']), line: buf.slice(0, nl) });
            req.destroy();
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    assert.match(first.contentType, /^application\/json/);
    const ev = JSON.parse(first.line) as { type: string; object: Obj };
    assert.equal(ev.type, 'ADDED');
    assert.equal((ev.object.metadata as Obj).name, 'pod-pb');
  });
});
