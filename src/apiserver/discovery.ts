/**
 * Discovery documents as kube-apiserver serves them: the legacy ones (`/api`, `/api/v1`,
 * `/apis`, `/apis/<group>`, `/apis/<group>/<version>`) and aggregated discovery
 * (apidiscovery.k8s.io v2 and v2beta1 APIGroupDiscoveryList), all built once from the resource
 * table.
 */
import type { ResourceInfo } from '../api/types.js';

export interface GroupVersions {
  name: string;
  /** versions in preference order (first is preferred). */
  versions: string[];
}

/** groupsOf lists the non-core groups in table order with their versions. */
export function groupsOf(resources: readonly ResourceInfo[]): GroupVersions[] {
  const out: GroupVersions[] = [];
  for (const r of resources) {
    if (r.group === '') continue;
    let g = out.find((x) => x.name === r.group);
    if (!g) out.push((g = { name: r.group, versions: [] }));
    if (!g.versions.includes(r.version)) g.versions.push(r.version);
  }
  return out;
}

function gvString(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function groupDoc(g: GroupVersions): object {
  const versions = g.versions.map((v) => ({ groupVersion: gvString(g.name, v), version: v }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

/** Discovery holds the pre-rendered documents. */
export class Discovery {
  readonly apiVersions: Buffer;
  readonly apiGroupList: Buffer;
  private readonly groups = new Map<string, Buffer>();
  private readonly resourceLists = new Map<string, Buffer>();
  private readonly aggregated = new Map<string, Buffer>();

  constructor(resources: readonly ResourceInfo[], serverAddress: string) {
    const groups = groupsOf(resources);
    this.apiVersions = json({
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    });
    this.apiGroupList = json({ kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(groupDoc) });
    for (const g of groups) this.groups.set(g.name, json({ kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(g) }));
    const byGV = new Map<string, ResourceInfo[]>();
    for (const r of resources) {
      const k = gvString(r.group, r.version);
      if (!byGV.has(k)) byGV.set(k, []);
      byGV.get(k)!.push(r);
    }
    for (const [gv, rs] of byGV) {
      const list: object[] = [];
      for (const r of rs) {
        const base: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
        if (r.shortNames) base.shortNames = r.shortNames;
        if (r.categories) base.categories = r.categories;
        base.storageVersionHash = storageVersionHash(r);
        list.push(base);
        for (const s of r.subresources ?? []) {
          const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
          if (s.group !== undefined) sub.group = s.group;
          if (s.version !== undefined) sub.version = s.version;
          list.push(sub);
        }
      }
      this.resourceLists.set(gv, json({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: list }));
    }
    for (const version of ['v2', 'v2beta1']) {
      const core = { metadata: { creationTimestamp: null }, versions: [aggregatedVersion('v1', byGV.get('v1') ?? [])] };
      this.aggregated.set(`api/${version}`, json({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items: [core] }));
      const items = groups.map((g) => ({
        metadata: { name: g.name, creationTimestamp: null },
        versions: g.versions.map((v) => aggregatedVersion(v, byGV.get(gvString(g.name, v)) ?? [])),
      }));
      this.aggregated.set(`apis/${version}`, json({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items }));
    }
  }

  group(name: string): Buffer | undefined {
    return this.groups.get(name);
  }

  resourceList(groupVersion: string): Buffer | undefined {
    return this.resourceLists.get(groupVersion);
  }

  /** aggregatedList returns the APIGroupDiscoveryList for `api` or `apis` in v2 or v2beta1. */
  aggregatedList(prefix: 'api' | 'apis', version: 'v2' | 'v2beta1'): Buffer {
    return this.aggregated.get(`${prefix}/${version}`)!;
  }
}

function aggregatedVersion(version: string, rs: readonly ResourceInfo[]): object {
  return {
    version,
    resources: rs.map((r) => {
      const out: Record<string, unknown> = {
        resource: r.resource,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: r.verbs,
      };
      if (r.shortNames) out.shortNames = r.shortNames;
      if (r.categories) out.categories = r.categories;
      if (r.subresources?.length) {
        out.subresources = r.subresources.map((s) => ({
          subresource: s.name,
          responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
          verbs: s.verbs,
        }));
      }
      return out;
    }),
    freshness: 'Current',
  };
}

/** storageVersionHash is an opaque, stable hash of the stored group/version/kind, as upstream. */
function storageVersionHash(r: ResourceInfo): string {
  let h = 0x811c9dc5;
  const s = `${r.group}/${r.version}/${r.kind}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return Buffer.from(h.toString(16).padStart(8, '0')).toString('base64').slice(0, 11) + '=';
}

function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v));
}
