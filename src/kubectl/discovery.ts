/**
 * Discovery and the REST mapping kubectl does with it: resource arguments (`po`, `pods`,
 * `Pod`, `deployments.apps`, `deploy.v1.apps`, categories such as `all`) and kinds from
 * manifests resolve to a served resource, preferring each group's preferred version and the
 * core group first, as kubectl's priority RESTMapper.
 */
import type { RestClient } from '../client/rest/index.js';

export interface Mapping {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** preferred: the group's preferred version serves this resource. */
  preferred: boolean;
}

interface APIResource {
  name: string;
  singularName?: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  group?: string;
  version?: string;
}

interface APIGroup {
  name: string;
  versions: Array<{ groupVersion: string; version: string }>;
  preferredVersion?: { groupVersion: string; version: string };
}

export class Discovery {
  constructor(
    readonly mappings: Mapping[],
    readonly groupVersions: string[],
  ) {}

  /** load asks the server for every group version's resources (in parallel). */
  static async load(client: RestClient): Promise<Discovery> {
    const core = await client.requestJSON<{ versions: string[] }>({ method: 'GET', path: '/api' });
    const groups = await client.requestJSON<{ groups: APIGroup[] }>({ method: 'GET', path: '/apis' });
    const gvs: Array<{ group: string; version: string; preferred: boolean }> = core.versions.map((v) => ({ group: '', version: v, preferred: true }));
    for (const g of groups.groups) {
      const pref = g.preferredVersion?.version ?? g.versions[0]?.version;
      for (const v of g.versions) gvs.push({ group: g.name, version: v.version, preferred: v.version === pref });
    }
    const lists = await Promise.all(
      gvs.map(async (gv) => {
        const path = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
        try {
          return await client.requestJSON<{ resources: APIResource[] }>({ method: 'GET', path });
        } catch {
          return { resources: [] };
        }
      }),
    );
    const mappings: Mapping[] = [];
    gvs.forEach((gv, i) => {
      for (const r of lists[i]!.resources) {
        if (r.name.includes('/')) continue;
        mappings.push({
          group: gv.group,
          version: gv.version,
          resource: r.name,
          kind: r.kind,
          singular: r.singularName || r.kind.toLowerCase(),
          namespaced: r.namespaced,
          shortNames: r.shortNames ?? [],
          categories: r.categories ?? [],
          verbs: r.verbs ?? [],
          preferred: gv.preferred,
        });
      }
    });
    // Preferred versions first, keeping the server's group order (core first).
    mappings.sort((a, b) => Number(b.preferred) - Number(a.preferred));
    const groupVersions = gvs.map((gv) => (gv.group ? `${gv.group}/${gv.version}` : gv.version));
    return new Discovery(mappings, groupVersions);
  }

  /**
   * resolve maps one resource argument to a mapping; undefined when the server has no such
   * resource type (kubectl: `the server doesn't have a resource type "x"`).
   */
  resolve(arg: string): Mapping | undefined {
    const lower = arg.toLowerCase();
    const parts = lower.split('.');
    const name = parts[0] as string;
    const matches = (m: Mapping, n: string): boolean => m.resource === n || m.singular === n || m.shortNames.includes(n) || m.kind.toLowerCase() === n;
    if (parts.length === 1) return this.mappings.find((m) => matches(m, name));
    // resource.version.group, then resource.group
    if (parts.length >= 3) {
      const version = parts[1] as string;
      const group = parts.slice(2).join('.');
      const m = this.mappings.find((x) => x.group === group && x.version === version && matches(x, name));
      if (m) return m;
    }
    const group = parts.slice(1).join('.');
    return this.mappings.find((x) => x.group === group && matches(x, name)) ?? this.mappings.find((x) => (x.group === group || x.group.startsWith(group + '.')) && matches(x, name));
  }

  /** category returns the resources of a category (`all`), one version each; undefined when no resource has it. */
  category(name: string): Mapping[] | undefined {
    const seen = new Set<string>();
    const out: Mapping[] = [];
    for (const m of this.mappings) {
      if (!m.categories.includes(name)) continue;
      const key = `${m.group}/${m.resource}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    }
    return out.length > 0 ? out : undefined;
  }

  /** forKind maps a manifest's apiVersion and kind. */
  forKind(apiVersion: string, kind: string): Mapping | undefined {
    const i = apiVersion.indexOf('/');
    const group = i < 0 ? '' : apiVersion.slice(0, i);
    const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
    return this.mappings.find((m) => m.group === group && m.version === version && m.kind === kind);
  }
}

/** apiPathOf returns the collection path of a mapping in a namespace. */
export function collectionPath(m: Pick<Mapping, 'group' | 'version' | 'resource' | 'namespaced'>, namespace: string | undefined): string {
  const base = m.group ? `/apis/${m.group}/${m.version}` : `/api/${m.version}`;
  return m.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${m.resource}` : `${base}/${m.resource}`;
}

export function objectPath(m: Pick<Mapping, 'group' | 'version' | 'resource' | 'namespaced'>, namespace: string | undefined, name: string, sub?: string): string {
  return `${collectionPath(m, namespace)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
}

/** kindName is what `-o name` and the verbs' messages print: `deployment.apps/web`, `pod/x`. */
export function kindPrefix(m: Pick<Mapping, 'group' | 'kind'>): string {
  return m.group ? `${m.kind.toLowerCase()}.${m.group}` : m.kind.toLowerCase();
}

/** resourceString is `deployments.apps` / `pods`, as NotFound messages spell it. */
export function groupResource(m: Pick<Mapping, 'group' | 'resource'>): string {
  return m.group ? `${m.resource}.${m.group}` : m.resource;
}
