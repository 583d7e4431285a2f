/**
 * API-backed lookups for env and volumes: ConfigMaps, Secrets, Services, PVCs/PVs and
 * TokenRequests, read with a short TTL cache (upstream's default ConfigMap/Secret manager
 * strategy). Services come from an informer's cache once one is attached (upstream's kubelet
 * lists them from its service informer: a container start never waits for the apiserver).
 * When the apiserver is unreachable the last value read is used, so pods keep restarting with
 * the configuration they had.
 */
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, Service } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import type { GroupVersionResource, KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import type { EnvSources } from './envvars.js';
import type { VolumeSources } from './volumes/volumes.js';
import type { SharedIndexInformer } from '../client/cache/shared_informer.js';
import { NAMESPACE_INDEX } from '../client/cache/store.js';

interface Cached {
  value: unknown;
  at: number;
}

export class ApiSources implements EnvSources, VolumeSources {
  private cache = new Map<string, Cached>();

  constructor(
    private readonly client: RestClient,
    private readonly now: () => number,
    readonly nodeAllocatable: Record<string, string> = {},
    private readonly ttlMs = 5_000,
  ) {}

  /** inFlight shares one request among concurrent misses of a key (a burst of pod syncs would list once each). */
  private inFlight = new Map<string, Promise<unknown>>();
  private services: SharedIndexInformer<Service & KubeObject> | undefined;

  /** useServiceInformer makes listServices read this informer's cache once it has synced (the caller runs it). */
  useServiceInformer(informer: SharedIndexInformer<Service & KubeObject>): void {
    this.services = informer;
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const c = this.cache.get(key);
    if (c && this.now() - c.at < this.ttlMs) return Promise.resolve(c.value as T);
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const p = this.fetch(key, c, load).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private async fetch<T>(key: string, c: Cached | undefined, load: () => Promise<T>): Promise<T> {
    try {
      const value = await load();
      this.cache.set(key, { value, at: this.now() });
      return value;
    } catch (e) {
      // Unreachable apiserver: fall back to what we knew.
      if (c && !isStatusError(e)) return c.value as T;
      throw e;
    }
  }

  private getObject<T extends KubeObject>(r: GroupVersionResource, ns: string | undefined, name: string): Promise<T | undefined> {
    return this.cached(`${r.resource}/${ns ?? ''}/${name}`, async () => {
      try {
        const rc = this.client.resource<T>(r);
        return await (ns ? rc.namespace(ns) : rc).get(name);
      } catch (e) {
        if (isStatusError(e, 'NotFound')) return undefined;
        throw e;
      }
    });
  }

  getConfigMap(ns: string, name: string): Promise<ConfigMap | undefined> {
    return this.getObject<ConfigMap & KubeObject>(gvr.configmaps, ns, name);
  }

  getSecret(ns: string, name: string): Promise<Secret | undefined> {
    return this.getObject<Secret & KubeObject>(gvr.secrets, ns, name);
  }

  getPersistentVolumeClaim(ns: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    return this.getObject<PersistentVolumeClaim & KubeObject>(gvr.persistentvolumeclaims, ns, name);
  }

  getPersistentVolume(name: string): Promise<PersistentVolume | undefined> {
    return this.getObject<PersistentVolume & KubeObject>(gvr.persistentvolumes, undefined, name);
  }

  listServices(ns: string): Promise<Service[]> {
    if (this.services?.hasSynced()) return Promise.resolve(this.services.getIndexer().byIndex(NAMESPACE_INDEX, ns));
    return this.cached(`services/${ns}`, async () => (await this.client.resource<Service & KubeObject>(gvr.services).namespace(ns).list()).items);
  }

  async requestToken(req: { namespace: string; serviceAccountName: string; audiences: string[]; expirationSeconds: number; podName: string; podUID: string }): Promise<{ token: string; expirationTimestamp: string }> {
    const r = await this.client.resource<KubeObject>(gvr.serviceaccounts).namespace(req.namespace).createSubresource<KubeObject, { status?: { token?: string; expirationTimestamp?: string } }>(req.serviceAccountName, 'token', {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences: req.audiences,
        expirationSeconds: req.expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: req.podName, uid: req.podUID },
      },
    });
    if (!r.status?.token) throw new Error('TokenRequest returned no token');
    return { token: r.status.token, expirationTimestamp: r.status.expirationTimestamp ?? new Date(this.now() + req.expirationSeconds * 1000).toISOString() };
  }
}
