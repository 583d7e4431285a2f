/**
 * First-start state, as kube-apiserver's bootstrap controllers: the system namespaces and the
 * `kubernetes` Service in `default` (ClusterIP .1 of the service range, port 443 -> the
 * apiserver's port) with its Endpoints and EndpointSlice. Existing objects are left alone
 * except the endpoints, which follow the current address and port.
 */
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { Admission } from './pipeline.js';
import { ANONYMOUS_ADMIN } from './pipeline.js';
import type { Resource, Store, WriteContext } from './registry/store.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export interface BootstrapOptions {
  kubernetesServiceIP: string;
  advertiseAddress: string;
  port: number;
}

export async function bootstrap(
  store: Store,
  resolve: (g: string, v: string, r: string) => Resource | undefined,
  admission: Admission,
  o: BootstrapOptions,
): Promise<void> {
  const ctx = (): WriteContext => ({ dryRun: false, fieldManager: 'kube-apiserver', user: ANONYMOUS_ADMIN, admission, now: new Date() });
  const ensure = async (r: Resource, ns: string, obj: KubeObject): Promise<void> => {
    // Look first: a create would run allocation hooks (the Service's ClusterIP) before noticing the object exists.
    const found = await store.get(r, ns, obj.metadata!.name!).then(() => true, (err: unknown) => (isStatusError(err, 'NotFound') ? false : Promise.reject(err)));
    if (found) return;
    try {
      await store.create(r, ns, obj, ctx());
    } catch (err) {
      if (!isStatusError(err, 'AlreadyExists')) throw err;
    }
  };
  const namespaces = resolve('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    await ensure(namespaces, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } });
  }
  await ensure(resolve('', 'v1', 'services')!, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: o.kubernetesServiceIP,
      clusterIPs: [o.kubernetesServiceIP],
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }],
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
  });
  const endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: o.advertiseAddress }], ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] }],
  };
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [o.advertiseAddress], conditions: { ready: true } }],
    ports: [{ name: 'https', port: o.port, protocol: 'TCP' }],
  };
  // Endpoints follow the apiserver's current address: create or replace.
  const epR = resolve('', 'v1', 'endpoints')!;
  await store.update(epR, 'default', 'kubernetes', (cur) => ({ ...endpoints, metadata: { ...(cur?.metadata ?? {}), ...endpoints.metadata } }), ctx(), '');
  const slR = resolve('discovery.k8s.io', 'v1', 'endpointslices')!;
  // EndpointSlices are not created by PUT (upstream's AllowCreateOnUpdate is false): the apiserver's own write may.
  await store.update(slR, 'default', 'kubernetes', (cur) => ({ ...slice, metadata: { ...(cur?.metadata ?? {}), ...slice.metadata } }), ctx(), '', { forceAllowCreate: true });
}
