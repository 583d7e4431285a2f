/** Server discovery for controllers that act on every resource (namespace deleter). */
import type { GroupVersionResource } from '../../api/types.js';
import type { RestClient } from '../../client/index.js';

export interface DiscoveredResource {
  gvr: GroupVersionResource;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

interface APIResourceList {
  groupVersion: string;
  resources: Array<{ name: string; namespaced: boolean; kind: string; verbs: string[] }>;
}

/**
 * preferredResources lists the top-level resources of every group's preferred version
 * (upstream ServerPreferredResources). A group whose list fails is reported in `failed`.
 */
export async function preferredResources(client: RestClient): Promise<{ resources: DiscoveredResource[]; failed: string[] }> {
  const gvs: string[] = ['v1'];
  const groups = await client.requestJSON<{ groups: Array<{ preferredVersion?: { groupVersion: string }; versions: Array<{ groupVersion: string }> }> }>({ method: 'GET', path: '/apis' });
  for (const g of groups.groups ?? []) {
    const gv = g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion;
    if (gv) gvs.push(gv);
  }
  const resources: DiscoveredResource[] = [];
  const failed: string[] = [];
  await Promise.all(
    gvs.map(async (gv) => {
      try {
        const list = await client.requestJSON<APIResourceList>({ method: 'GET', path: gv === 'v1' ? '/api/v1' : `/apis/${gv}` });
        const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
        for (const r of list.resources ?? []) {
          if (r.name.includes('/')) continue;
          resources.push({ gvr: { group, version, resource: r.name }, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] });
        }
      } catch {
        failed.push(gv);
      }
    }),
  );
  return { resources, failed };
}
