/**
 * Two REST strategy facts for every resource k8ts serves with an update verb, checked against a
 * real in-process apiserver and cited to upstream's strategy (kubernetes/kubernetes
 * pkg/registry/<group>/<resource>/strategy.go):
 *  - AllowCreateOnUpdate: a PUT to a missing name creates it (201) or answers 404 NotFound;
 *  - generation tracking: metadata.generation is 1 on create, or absent.
 * A few rows also check how an update moves the generation. A resource added to
 * src/api/resources.ts without a row here fails the coverage test, so it gets audited too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../../api/resources.js';
import { startTestApiServer, type TestApiServer } from '../testing.js';

type Obj = Record<string, unknown>;

interface Row {
  /** `group/resource` ('' for core), as the strategy sets key them. */
  id: string;
  /** The upstream file that states both facts. */
  upstream: string;
  createOnUpdate: boolean;
  generation: boolean;
  /** The object without apiVersion, kind and metadata.name. */
  body: (ns: string) => Obj;
  /** What else the created object must show. */
  created?: (o: Obj) => void;
  /** An update and the generation upstream gives it. */
  update?: { change: (o: Obj) => void; generation: number };
}

const containers = [{ name: 'c', image: 'busybox' }];
const selector = { matchLabels: { app: 'x' } };
const template = { metadata: { labels: { app: 'x' } }, spec: { containers } };
const jobTemplate = { spec: { containers, restartPolicy: 'Never' } };
const reg = 'pkg/registry';

const rows: Row[] = [
  // core/v1
  { id: '/configmaps', upstream: `${reg}/core/configmap/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ data: { a: 'b' } }) },
  { id: '/endpoints', upstream: `${reg}/core/endpoint/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ subsets: [] }) },
  {
    id: '/events',
    upstream: `${reg}/core/event/strategy.go`,
    createOnUpdate: true,
    generation: false,
    body: (ns) => ({ involvedObject: { kind: 'Pod', name: 'p', namespace: ns }, reason: 'Test', message: 'm', type: 'Normal', source: { component: 'test' } }),
  },
  { id: '/limitranges', upstream: `${reg}/core/limitrange/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } }) },
  { id: '/namespaces', upstream: `${reg}/core/namespace/strategy.go`, createOnUpdate: false, generation: false, body: () => ({}) },
  { id: '/nodes', upstream: `${reg}/core/node/strategy.go`, createOnUpdate: false, generation: false, body: () => ({}) },
  {
    id: '/persistentvolumeclaims',
    upstream: `${reg}/core/persistentvolumeclaim/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }),
  },
  {
    id: '/persistentvolumes',
    upstream: `${reg}/core/persistentvolume/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/strategy-test' } } }),
  },
  // v1.32 (the version k8ts serves) has no pod generation; upstream added it in v1.33.
  { id: '/pods', upstream: `${reg}/core/pod/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ spec: { containers } }) },
  {
    id: '/podtemplates',
    upstream: `${reg}/core/podtemplate/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ template }),
    update: { change: (o) => ((o['metadata'] as Obj)['labels'] = { a: 'b' }), generation: 1 },
  },
  {
    id: '/replicationcontrollers',
    upstream: `${reg}/core/replicationcontroller/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { replicas: 0, selector: { app: 'x' }, template } }),
  },
  { id: '/resourcequotas', upstream: `${reg}/core/resourcequota/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ spec: { hard: { pods: '1' } } }) },
  { id: '/secrets', upstream: `${reg}/core/secret/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ stringData: { a: 'b' } }) },
  { id: '/serviceaccounts', upstream: `${reg}/core/serviceaccount/strategy.go`, createOnUpdate: false, generation: false, body: () => ({}) },
  {
    id: '/services',
    upstream: `${reg}/core/service/strategy.go`,
    createOnUpdate: true,
    generation: false,
    body: () => ({ spec: { type: 'NodePort', ports: [{ port: 80 }] } }),
    // A Service created by PUT is allocated its cluster IP and node port as one created by POST.
    created: (o) => {
      const spec = o['spec'] as { clusterIP?: string; ports: Array<{ nodePort?: number }> };
      assert.match(spec.clusterIP ?? '', /^10\.43\./);
      assert.ok(spec.ports[0]!.nodePort! >= 30000);
    },
  },
  // admissionregistration.k8s.io/v1
  {
    id: 'admissionregistration.k8s.io/mutatingwebhookconfigurations',
    upstream: `${reg}/admissionregistration/mutatingwebhookconfiguration/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ webhooks: [] }),
  },
  {
    id: 'admissionregistration.k8s.io/validatingwebhookconfigurations',
    upstream: `${reg}/admissionregistration/validatingwebhookconfiguration/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ webhooks: [] }),
  },
  // apps/v1
  { id: 'apps/controllerrevisions', upstream: `${reg}/apps/controllerrevision/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ revision: 1, data: {} }) },
  { id: 'apps/daemonsets', upstream: `${reg}/apps/daemonset/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: { selector, template } }) },
  {
    id: 'apps/deployments',
    upstream: `${reg}/apps/deployment/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { replicas: 0, selector, template } }),
    update: { change: (o) => ((o['spec'] as Obj)['replicas'] = 1), generation: 2 },
  },
  { id: 'apps/replicasets', upstream: `${reg}/apps/replicaset/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: { replicas: 0, selector, template } }) },
  { id: 'apps/statefulsets', upstream: `${reg}/apps/statefulset/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: { replicas: 0, serviceName: 's', selector, template } }) },
  // autoscaling (v2 and v1 share one strategy). Upstream sets the HPA's generation only behind
  // the HPAGeneration gate, which came after v1.32 (the version k8ts serves): none here.
  {
    id: 'autoscaling/horizontalpodautoscalers',
    upstream: `${reg}/autoscaling/horizontalpodautoscaler/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' }, minReplicas: 1, maxReplicas: 2 } }),
  },
  // batch/v1
  {
    id: 'batch/cronjobs',
    upstream: `${reg}/batch/cronjob/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: jobTemplate } } } }),
  },
  { id: 'batch/jobs', upstream: `${reg}/batch/job/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: { template: jobTemplate } }) },
  // certificates.k8s.io/v1
  {
    id: 'certificates.k8s.io/certificatesigningrequests',
    upstream: `${reg}/certificates/certificates/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ spec: { request: Buffer.from(CSR_PEM).toString('base64'), signerName: 'example.com/signer', usages: ['digital signature'] } }),
  },
  // coordination.k8s.io/v1
  { id: 'coordination.k8s.io/leases', upstream: `${reg}/coordination/lease/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ spec: { holderIdentity: 'h' } }) },
  // discovery.k8s.io/v1
  {
    id: 'discovery.k8s.io/endpointslices',
    upstream: `${reg}/discovery/endpointslice/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ addressType: 'IPv4', endpoints: [], ports: [] }),
  },
  // events.k8s.io/v1 is served by the core event storage and strategy.
  {
    id: 'events.k8s.io/events',
    upstream: `${reg}/core/event/strategy.go`,
    createOnUpdate: true,
    generation: false,
    body: (ns) => ({
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'example.com/test',
      reportingInstance: 'i',
      action: 'Test',
      reason: 'Test',
      type: 'Normal',
      regarding: { kind: 'Pod', name: 'p', namespace: ns },
    }),
  },
  // flowcontrol.apiserver.k8s.io/v1
  {
    id: 'flowcontrol.apiserver.k8s.io/flowschemas',
    upstream: `${reg}/flowcontrol/flowschema/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { priorityLevelConfiguration: { name: 'global-default' }, matchingPrecedence: 5000 } }),
  },
  {
    id: 'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations',
    upstream: `${reg}/flowcontrol/prioritylevelconfiguration/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } } } }),
  },
  // networking.k8s.io/v1
  {
    id: 'networking.k8s.io/ingressclasses',
    upstream: `${reg}/networking/ingressclass/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { controller: 'example.com/ingress' } }),
    update: { change: (o) => ((o['spec'] as Obj)['parameters'] = { apiGroup: 'example.com', kind: 'Params', name: 'p' }), generation: 2 },
  },
  {
    id: 'networking.k8s.io/ingresses',
    upstream: `${reg}/networking/ingress/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { defaultBackend: { service: { name: 's', port: { number: 80 } } } } }),
  },
  { id: 'networking.k8s.io/networkpolicies', upstream: `${reg}/networking/networkpolicy/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: { podSelector: {} } }) },
  // node.k8s.io/v1
  { id: 'node.k8s.io/runtimeclasses', upstream: `${reg}/node/runtimeclass/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ handler: 'runc' }) },
  // policy/v1
  {
    id: 'policy/poddisruptionbudgets',
    upstream: `${reg}/policy/poddisruptionbudget/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ spec: { minAvailable: 1, selector } }),
  },
  // rbac.authorization.k8s.io/v1
  {
    id: 'rbac.authorization.k8s.io/clusterrolebindings',
    upstream: `${reg}/rbac/clusterrolebinding/strategy.go`,
    createOnUpdate: true,
    generation: false,
    body: () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [] }),
  },
  { id: 'rbac.authorization.k8s.io/clusterroles', upstream: `${reg}/rbac/clusterrole/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ rules: [] }) },
  {
    id: 'rbac.authorization.k8s.io/rolebindings',
    upstream: `${reg}/rbac/rolebinding/strategy.go`,
    createOnUpdate: true,
    generation: false,
    body: () => ({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [] }),
  },
  { id: 'rbac.authorization.k8s.io/roles', upstream: `${reg}/rbac/role/strategy.go`, createOnUpdate: true, generation: false, body: () => ({ rules: [] }) },
  // scheduling.k8s.io/v1: generation 1 on create, and PrepareForUpdate never bumps it.
  {
    id: 'scheduling.k8s.io/priorityclasses',
    upstream: `${reg}/scheduling/priorityclass/strategy.go`,
    createOnUpdate: false,
    generation: true,
    body: () => ({ value: 1000 }),
    update: { change: (o) => (o['description'] = 'changed'), generation: 1 },
  },
  // storage.k8s.io/v1
  { id: 'storage.k8s.io/csidrivers', upstream: `${reg}/storage/csidriver/strategy.go`, createOnUpdate: false, generation: true, body: () => ({ spec: {} }) },
  { id: 'storage.k8s.io/csinodes', upstream: `${reg}/storage/csinode/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ spec: { drivers: [] } }) },
  {
    id: 'storage.k8s.io/csistoragecapacities',
    upstream: `${reg}/storage/csistoragecapacity/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ storageClassName: 'sc' }),
  },
  { id: 'storage.k8s.io/storageclasses', upstream: `${reg}/storage/storageclass/strategy.go`, createOnUpdate: false, generation: false, body: () => ({ provisioner: 'example.com/p' }) },
  {
    id: 'storage.k8s.io/volumeattachments',
    upstream: `${reg}/storage/volumeattachment/strategy.go`,
    createOnUpdate: false,
    generation: false,
    body: () => ({ spec: { attacher: 'example.com', nodeName: 'n', source: { persistentVolumeName: 'pv' } } }),
  },
];

/** A throwaway CSR (CN=strategy-test); the apiserver only stores it. */
const CSR_PEM = `-----BEGIN CERTIFICATE REQUEST-----
MIGcMEQCAQAwGDEWMBQGA1UEAxMNc3RyYXRlZ3ktdGVzdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABA==
-----END CERTIFICATE REQUEST-----
`;

describe('registry strategies: create-on-update and generation, as upstream', () => {
  let srv: TestApiServer;
  const ns = 'strategy-audit';

  before(async () => {
    srv = await startTestApiServer();
    const r = await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => {
    await srv?.stop();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Obj }> {
    const init: RequestInit = { method, headers: { 'Content-Type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(srv.url + path, init);
    return { status: res.status, body: (await res.json()) as Obj };
  }

  test('every served resource with an update verb has a row', () => {
    const served = new Set(builtinResources.filter((r) => r.verbs.includes('update')).map((r) => `${r.group}/${r.resource}`));
    const audited = new Set(rows.map((r) => r.id));
    assert.deepEqual([...served].filter((id) => !audited.has(id)), [], 'served but not audited');
    assert.deepEqual([...audited].filter((id) => !served.has(id)), [], 'audited but not served');
  });

  for (const row of rows) {
    test(`${row.id}: PUT to a missing name is ${row.createOnUpdate ? '201 Created' : '404 NotFound'}; generation ${row.generation ? '1' : 'absent'} on create (${row.upstream})`, async () => {
      // The preferred (first listed) version, as kubectl would use.
      const info = builtinResources.find((r) => `${r.group}/${r.resource}` === row.id)!;
      const gv = info.group ? `${info.group}/${info.version}` : info.version;
      const collection = `${info.group ? `/apis/${gv}` : '/api/v1'}${info.namespaced ? `/namespaces/${ns}` : ''}/${info.resource}`;
      // Both Event APIs share one storage: the group keeps their names apart.
      const name = `audit-${info.group ? `${info.group.split('.')[0]}-` : ''}${info.resource}`.slice(0, 63);
      const obj = { apiVersion: gv, kind: info.kind, metadata: { name }, ...row.body(ns) };

      const put = await call('PUT', `${collection}/${name}`, obj);
      let created: Obj;
      if (row.createOnUpdate) {
        assert.equal(put.status, 201, JSON.stringify(put.body));
        created = put.body;
      } else {
        assert.equal(put.status, 404, JSON.stringify(put.body));
        assert.equal(put.body['reason'], 'NotFound');
        const post = await call('POST', collection, obj);
        assert.equal(post.status, 201, JSON.stringify(post.body));
        created = post.body;
      }
      const meta = created['metadata'] as { generation?: number };
      assert.equal(meta.generation, row.generation ? 1 : undefined);
      row.created?.(created);

      if (row.update) {
        const current = (await call('GET', `${collection}/${name}`)).body;
        row.update.change(current);
        const upd = await call('PUT', `${collection}/${name}`, current);
        assert.equal(upd.status, 200, JSON.stringify(upd.body));
        assert.equal((upd.body['metadata'] as { generation?: number }).generation, row.update.generation);
      }
    });
  }
});
