/**
 * The EndpointSlice controller (upstream pkg/controller/endpointslice): a Service with a
 * selector gets EndpointSlices (labels `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`, owned by the
 * Service) holding at most maxEndpointsPerSlice endpoints each, grouped by resolved port set
 * and address type, with ready/serving/terminating conditions. Changes keep endpoints in the
 * slices they are already in and fill existing slices before creating new ones, so updates
 * touch few slices. A tracker of what this controller wrote makes it wait for its own writes
 * to reach the cache instead of acting twice on a stale one.
 */
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Lister } from '../client/index.js';
import { DELETED, SliceTracker, recycleSlices } from './slicetracker.js';
import { generatedName } from './replicaset.js';
import { watch, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { HEADLESS_LABEL, LAST_CHANGE_TRIGGER_TIME, findPort, lastChangeTriggerTime, managedService, podIPs, selectedPods, servicesForPod, shouldPodBeInEndpoints } from './util/endpoints.js';
import { newControllerRef, splitKey, stableJSON } from './util/owner.js';
import { isPodReady } from './util/pod.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';

export interface EndpointSliceControllerOptions {
  workers?: number;
  /** maxEndpointsPerSlice (`--max-endpoints-per-slice`, default 100). */
  maxEndpointsPerSlice?: number;
}

interface Desired {
  key: string;
  addressType: 'IPv4' | 'IPv6';
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

const endpointId = (e: Endpoint): string => e.targetRef?.uid ?? e.addresses[0] ?? '';
const byId = (a: Endpoint, b: Endpoint): number => endpointId(a).localeCompare(endpointId(b));
const addressTypeOf = (ip: string): 'IPv4' | 'IPv6' => (ip.includes(':') ? 'IPv6' : 'IPv4');

class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly slices: Lister<EndpointSlice>;
  private readonly nodes: Lister<Node>;
  private readonly max: number;
  /** tracker: per service, the state each slice we wrote must reach in the cache. */
  private readonly tracker = new SliceTracker();

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointSliceControllerOptions,
  ) {
    this.workers = opts.workers ?? 5;
    this.max = opts.maxEndpointsPerSlice ?? 100;
    this.services = ctx.informers.lister<Service>(gvr.services);
    this.pods = ctx.informers.lister<Pod>(gvr.pods);
    this.slices = ctx.informers.lister<EndpointSlice>(gvr.endpointslices);
    this.nodes = ctx.informers.lister<Node>(gvr.nodes);
    ctx.informers.forResource<Node>(gvr.nodes);
    this.watches = [
      watch(ctx.informers.forResource<Service>(gvr.services)),
      watch(ctx.informers.forResource<Pod>(gvr.pods), (p) => servicesForPod(this.services, p)),
      watch(ctx.informers.forResource<EndpointSlice>(gvr.endpointslices), (s) =>
        s.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME && s.metadata.labels[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : [],
      ),
    ];
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(key);
    const svc = this.services.namespace(ns).get(name);
    // Slices of a deleted Service are removed by the garbage collector through their ownerReference.
    if (!managedService(svc)) {
      this.tracker.delete(key);
      return;
    }
    // The cache does not yet show a write this controller made for the service.
    if (this.tracker.stale(key, ns, this.slices)) return { requeueAfter: 50 };
    const pods = selectedPods(this.pods, svc).filter((p) => shouldPodBeInEndpoints(p, true));
    const desired = this.desired(svc, pods);
    const existing = this.slices
      .namespace(ns)
      .list()
      .filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name && s.metadata.labels[MANAGED_BY_LABEL] === CONTROLLER_NAME);
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: CONTROLLER_NAME };
    if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const trigger = lastChangeTriggerTime(svc, pods);
    const api = this.ctx.client.resource<EndpointSlice>(gvr.endpointslices).namespace(ns);
    const toCreate: EndpointSlice[] = [];
    const toUpdate: EndpointSlice[] = [];
    const toDelete: EndpointSlice[] = [];
    const used = new Set<EndpointSlice>();
    const groupKey = (s: EndpointSlice): string => `${s.addressType}|${stableJSON([...(s.ports ?? [])].sort((a, b) => stableJSON(a).localeCompare(stableJSON(b))))}`;
    const fresh = (g: Desired, endpoints: Endpoint[], base?: EndpointSlice): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(base?.metadata ?? { name: generatedName(name), namespace: ns, ownerReferences: [newControllerRef(svc, 'v1', 'Service')] }),
        labels,
        annotations: { ...(base?.metadata?.annotations ?? {}), ...(trigger ? { [LAST_CHANGE_TRIGGER_TIME]: trigger } : {}) },
      },
      addressType: g.addressType,
      endpoints: endpoints.sort(byId),
      ports: g.ports,
    });
    for (const g of desired) {
      const remaining = new Map(g.endpoints);
      const mine = existing.filter((s) => groupKey(s) === g.key);
      const withRoom: Array<{ slice: EndpointSlice; endpoints: Endpoint[]; changed: boolean }> = [];
      // Keep each still-wanted endpoint in the slice it is already in.
      for (const s of mine) {
        used.add(s);
        let changed = false;
        const kept: Endpoint[] = [];
        for (const e of s.endpoints ?? []) {
          const want = remaining.get(endpointId(e));
          if (!want) {
            changed = true;
            continue;
          }
          remaining.delete(endpointId(e));
          if (stableJSON(want) !== stableJSON(e)) changed = true;
          kept.push(want);
        }
        withRoom.push({ slice: s, endpoints: kept, changed });
      }
      // Fill slices with room, then create new ones.
      const rest = [...remaining.values()].sort(byId);
      for (const w of withRoom) {
        while (rest.length && w.endpoints.length < this.max) {
          w.endpoints.push(rest.shift()!);
          w.changed = true;
        }
      }
      for (const w of withRoom) {
        if (!w.endpoints.length) toDelete.push(w.slice);
        else if (w.changed || stableJSON(w.slice.metadata?.labels ?? {}) !== stableJSON(labels)) toUpdate.push(fresh(g, w.endpoints, w.slice));
      }
      while (rest.length) toCreate.push(fresh(g, rest.splice(0, this.max)));
    }
    for (const s of existing) if (!used.has(s)) toDelete.push(s);
    // A Service with no endpoints keeps one empty placeholder slice, as upstream.
    const placeholder = desired.length === 0;
    if (placeholder) {
      const keep = existing.find((s) => !(s.endpoints ?? []).length && !(s.ports ?? []).length);
      const ph: Desired = { key: '', addressType: addressTypeOf(svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? svc.spec.clusterIP : '0.0.0.0'), ports: [], endpoints: new Map() };
      if (keep) {
        toDelete.splice(toDelete.indexOf(keep), 1);
        if (stableJSON(keep.metadata?.labels ?? {}) !== stableJSON(labels)) toUpdate.push(fresh(ph, [], keep));
      } else toCreate.push(fresh(ph, []));
    }
    for (const [s, old] of recycleSlices(toCreate, toDelete, (c) => c.addressType)) {
      toUpdate.push({ ...s, metadata: { ...old.metadata, labels: s.metadata?.labels, annotations: s.metadata?.annotations } });
    }
    try {
      for (const s of toCreate) {
        const out = await api.create(s);
        this.tracker.track(key, out.metadata?.name ?? '', Number(out.metadata?.resourceVersion ?? 0));
      }
      for (const s of toUpdate) {
        const out = await api.update(s);
        this.tracker.track(key, out.metadata?.name ?? '', Number(out.metadata?.resourceVersion ?? 0));
      }
      for (const s of toDelete) {
        await api.delete(s.metadata?.name ?? '', { preconditions: { uid: s.metadata?.uid } }).catch((err: unknown) => {
          if (!isStatusError(err, 'NotFound')) throw err;
        });
        this.tracker.track(key, s.metadata?.name ?? '', DELETED);
      }
    } catch (err) {
      if (isStatusError(err, 'Forbidden') && toCreate.length) return; // namespace being deleted
      throw err;
    }
  }

  /** desired groups the selected pods' endpoints by address type and resolved port set. */
  private desired(svc: Service, pods: readonly Pod[]): Desired[] {
    const groups = new Map<string, Desired>();
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const name = svc.metadata?.name ?? '';
    for (const p of pods) {
      const ports: EndpointPort[] = [];
      for (const sp of svc.spec?.ports ?? []) {
        const port = findPort(p, sp);
        if (port === undefined) continue;
        ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      }
      ports.sort((a, b) => stableJSON(a).localeCompare(stableJSON(b)));
      const serving = isPodReady(p);
      const terminating = !!p.metadata?.deletionTimestamp;
      for (const ip of podIPs(p)) {
        const addressType = addressTypeOf(ip);
        const key = `${addressType}|${stableJSON(ports)}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { key, addressType, ports, endpoints: new Map() }));
        const e: Endpoint = {
          addresses: [ip],
          conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
          ...(p.spec?.hostname && p.spec.subdomain === name ? { hostname: p.spec.hostname } : {}),
          targetRef: { kind: 'Pod', namespace: p.metadata?.namespace, name: p.metadata?.name, uid: p.metadata?.uid },
          ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        };
        const zone = p.spec?.nodeName ? this.nodes.get(p.spec.nodeName)?.metadata?.labels?.['topology.kubernetes.io/zone'] : undefined;
        if (zone) e.zone = zone;
        g.endpoints.set(endpointId(e), e);
      }
    }
    return [...groups.values()];
  }
}

/** newEndpointSliceController maintains discovery.k8s.io/v1 EndpointSlices (`--concurrent-service-endpoint-syncs`). */
export function newEndpointSliceController(ctx: ControllerContext, opts: EndpointSliceControllerOptions = {}): Controller {
  return new EndpointSliceController(ctx, opts);
}
