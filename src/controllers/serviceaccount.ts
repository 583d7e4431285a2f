/**
 * Per-namespace defaults (upstream serviceaccounts-controller and root-ca-cert-publisher):
 * every active namespace has a `default` ServiceAccount and a `kube-root-ca.crt` ConfigMap
 * whose `ca.crt` is the cluster's root CA. Both are keyed by namespace name and recreate
 * what is deleted.
 */
import type { ConfigMap, Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Lister } from '../client/index.js';
import { watch, type Controller, type ControllerContext, type Watch } from './runner.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

const active = (ns: Namespace | undefined): boolean => !!ns && !ns.metadata?.deletionTimestamp && ns.status?.phase !== 'Terminating';

const ignoreExists = (err: unknown): void => {
  // Someone (an earlier sync whose result the cache has not shown yet) was first; the namespace
  // being deleted refuses new objects with Forbidden, which is fine too.
  if (!isStatusError(err, 'AlreadyExists') && !isStatusError(err, 'Forbidden') && !isStatusError(err, 'NotFound')) throw err;
};

class ServiceAccountsController implements Controller {
  readonly name = 'serviceaccount';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly namespaces: Lister<Namespace>;
  private readonly accounts: Lister<ServiceAccount>;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 5;
    this.namespaces = ctx.informers.lister<Namespace>(gvr.namespaces);
    this.accounts = ctx.informers.lister<ServiceAccount>(gvr.serviceaccounts);
    this.watches = [
      watch(ctx.informers.forResource<Namespace>(gvr.namespaces)),
      watch(ctx.informers.forResource<ServiceAccount>(gvr.serviceaccounts), (sa) => (sa.metadata?.name === 'default' ? [sa.metadata?.namespace ?? ''] : [])),
    ];
  }

  async reconcile(ns: string): Promise<void> {
    if (!active(this.namespaces.get(ns)) || this.accounts.namespace(ns).get('default')) return;
    await this.ctx.client
      .resource<ServiceAccount>(gvr.serviceaccounts)
      .namespace(ns)
      .create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } })
      .catch(ignoreExists);
  }
}

class RootCAPublisher implements Controller {
  readonly name = 'root-ca-cert-publisher';
  readonly workers = 1;
  readonly watches: readonly Watch[];
  private readonly namespaces: Lister<Namespace>;
  private readonly configMaps: Lister<ConfigMap>;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly rootCA: string,
  ) {
    this.namespaces = ctx.informers.lister<Namespace>(gvr.namespaces);
    this.configMaps = ctx.informers.lister<ConfigMap>(gvr.configmaps);
    this.watches = [
      watch(ctx.informers.forResource<Namespace>(gvr.namespaces)),
      watch(ctx.informers.forResource<ConfigMap>(gvr.configmaps), (cm) => (cm.metadata?.name === ROOT_CA_CONFIGMAP ? [cm.metadata?.namespace ?? ''] : [])),
    ];
  }

  async reconcile(ns: string): Promise<void> {
    if (!active(this.namespaces.get(ns))) return;
    const api = this.ctx.client.resource<ConfigMap>(gvr.configmaps).namespace(ns);
    const cm = this.configMaps.namespace(ns).get(ROOT_CA_CONFIGMAP);
    if (!cm) {
      await api
        .create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations: { 'kubernetes.io/description': DESCRIPTION } },
          data: { 'ca.crt': this.rootCA },
        })
        .catch(ignoreExists);
      return;
    }
    const data = cm.data ?? {};
    if (data['ca.crt'] === this.rootCA && Object.keys(data).length === 1 && cm.metadata?.annotations?.['kubernetes.io/description'] === DESCRIPTION) return;
    await api
      .update({ ...cm, data: { 'ca.crt': this.rootCA }, metadata: { ...cm.metadata, annotations: { ...(cm.metadata?.annotations ?? {}), 'kubernetes.io/description': DESCRIPTION } } })
      .catch((err: unknown) => {
        if (!isStatusError(err, 'Conflict') && !isStatusError(err, 'NotFound')) throw err;
      });
  }
}

/** newServiceAccountsController keeps a `default` ServiceAccount in every namespace. */
export function newServiceAccountsController(ctx: ControllerContext, workers?: number): Controller {
  return new ServiceAccountsController(ctx, workers);
}

/**
 * newRootCACertPublisher keeps `kube-root-ca.crt` (data `ca.crt`: rootCA) in every namespace.
 * rootCA defaults to the CA the client trusts for the apiserver, or '' on plain HTTP.
 */
export function newRootCACertPublisher(ctx: ControllerContext, rootCA?: string): Controller {
  const ca = rootCA ?? (ctx.client.config.caData ? String(ctx.client.config.caData) : '');
  return new RootCAPublisher(ctx, ca);
}
