/**
 * The Endpoints controller (upstream pkg/controller/endpoint): a Service with a selector gets
 * an Endpoints object of the same name listing its pods' addresses, ready ones under
 * `addresses` and the rest under `notReadyAddresses` (all under `addresses` with
 * publishNotReadyAddresses), grouped into subsets by their resolved ports.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Lister } from '../client/index.js';
import { watch, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import {
  HEADLESS_LABEL,
  LAST_CHANGE_TRIGGER_TIME,
  findPort,
  lastChangeTriggerTime,
  managedService,
  podIPs,
  selectedPods,
  servicesForPod,
  shouldPodBeInEndpoints,
} from './util/endpoints.js';
import { splitKey, stableJSON } from './util/owner.js';
import { isPodReady } from './util/pod.js';

const MAX_CAPACITY = 1000;

/** repackSubsets groups addresses by identical port sets, sorted as upstream's RepackSubsets. */
function repackSubsets(entries: Array<{ addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }>): EndpointSubset[] {
  const byPorts = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const e of entries) {
    const ports = [...e.ports].sort((a, b) => stableJSON(a).localeCompare(stableJSON(b)));
    const k = stableJSON(ports);
    let g = byPorts.get(k);
    if (!g) byPorts.set(k, (g = { ports, ready: [], notReady: [] }));
    const list = e.ready ? g.ready : g.notReady;
    if (!list.some((a) => a.ip === e.addr.ip)) list.push(e.addr);
  }
  const byIP = (a: EndpointAddress, b: EndpointAddress): number => a.ip.localeCompare(b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...byPorts.values()]
    .map((g) => {
      const s: EndpointSubset = {};
      if (g.ready.length) s.addresses = g.ready.sort(byIP);
      if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(byIP);
      if (g.ports.length) s.ports = g.ports;
      return s;
    })
    .sort((a, b) => stableJSON(a.ports ?? []).localeCompare(stableJSON(b.ports ?? [])));
}

class EndpointsController implements Controller {
  readonly name = 'endpoint';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly services: Lister<Service>;
  private readonly pods: Lister<Pod>;
  private readonly endpoints: Lister<Endpoints>;

  constructor(
    private readonly ctx: ControllerContext,
    workers: number | undefined,
  ) {
    this.workers = workers ?? 5;
    this.services = ctx.informers.lister<Service>(gvr.services);
    this.pods = ctx.informers.lister<Pod>(gvr.pods);
    this.endpoints = ctx.informers.lister<Endpoints>(gvr.endpoints);
    this.watches = [
      watch(ctx.informers.forResource<Service>(gvr.services)),
      watch(ctx.informers.forResource<Pod>(gvr.pods), (p) => servicesForPod(this.services, p)),
      watch(ctx.informers.forResource<Endpoints>(gvr.endpoints)),
    ];
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(key);
    const svc = this.services.namespace(ns).get(name);
    const api = this.ctx.client.resource<Endpoints>(gvr.endpoints).namespace(ns);
    const current = this.endpoints.namespace(ns).get(name);
    if (!svc) {
      // The Service is gone: its Endpoints go too (but never the apiserver's own).
      if (current && !(ns === 'default' && name === 'kubernetes')) {
        await api.delete(name).catch((err: unknown) => {
          if (!isStatusError(err, 'NotFound')) throw err;
        });
      }
      return;
    }
    if (!managedService(svc)) return;
    const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
    const headless = svc.spec?.clusterIP === 'None';
    const pods = selectedPods(this.pods, svc).filter((p) => shouldPodBeInEndpoints(p, publishNotReady));
    const entries: Array<{ addr: EndpointAddress; ready: boolean; ports: EndpointPort[] }> = [];
    for (const p of pods) {
      const ip = podIPs(p)[0]!;
      const addr: EndpointAddress = {
        ip,
        ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
        targetRef: { kind: 'Pod', namespace: ns, name: p.metadata?.name, uid: p.metadata?.uid },
      };
      if (p.spec?.hostname && p.spec.subdomain === name) addr.hostname = p.spec.hostname;
      const ready = publishNotReady || isPodReady(p);
      const svcPorts = svc.spec?.ports ?? [];
      if (!svcPorts.length) {
        // Headless services without ports still publish addresses.
        if (headless) entries.push({ addr, ready, ports: [] });
        continue;
      }
      const ports: EndpointPort[] = [];
      for (const sp of svcPorts) {
        const port = findPort(p, sp);
        if (port === undefined) continue;
        ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
      }
      // Each resolved port is its own entry group only when ports differ per pod; upstream
      // adds one subset per (address, port) then repacks, which is what grouping by set does.
      if (ports.length) entries.push({ addr, ready, ports });
    }
    let subsets = repackSubsets(entries);
    let truncated = false;
    let total = 0;
    subsets = subsets.map((s) => {
      const keep = (l: EndpointAddress[] | undefined): EndpointAddress[] | undefined => {
        if (!l) return l;
        const room = Math.max(0, MAX_CAPACITY - total);
        if (l.length > room) truncated = true;
        const out = l.slice(0, room);
        total += out.length;
        return out.length ? out : undefined;
      };
      const addresses = keep(s.addresses);
      const notReadyAddresses = keep(s.notReadyAddresses);
      return { ...(addresses ? { addresses } : {}), ...(notReadyAddresses ? { notReadyAddresses } : {}), ...(s.ports ? { ports: s.ports } : {}) };
    });
    // skip-mirror tells the EndpointSlice mirroring controller these Endpoints already have slices.
    const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}), 'endpointslice.kubernetes.io/skip-mirror': 'true' };
    if (headless) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    const curLabels = current?.metadata?.labels ?? {};
    const overCap = current?.metadata?.annotations?.['endpoints.kubernetes.io/over-capacity'];
    if (current && stableJSON(current.subsets ?? []) === stableJSON(subsets) && stableJSON(curLabels) === stableJSON(labels) && (overCap === 'truncated') === truncated) return;
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    const trigger = lastChangeTriggerTime(svc, pods);
    if (trigger) annotations[LAST_CHANGE_TRIGGER_TIME] = trigger;
    if (truncated) annotations['endpoints.kubernetes.io/over-capacity'] = 'truncated';
    else delete annotations['endpoints.kubernetes.io/over-capacity'];
    const next: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...(current?.metadata ?? {}), name, namespace: ns, labels, annotations },
      subsets,
    };
    try {
      if (current) await api.update(next);
      else await api.create(next);
    } catch (err) {
      // A namespace being deleted refuses new objects; nothing to publish there.
      if (isStatusError(err, 'Forbidden') && !current) return;
      // Our own earlier write has not reached the cache yet: look again shortly.
      if (isStatusError(err, 'AlreadyExists') || isStatusError(err, 'Conflict')) return { requeueAfter: 50 };
      throw err;
    }
  }
}

/** newEndpointsController maintains core/v1 Endpoints for Services with selectors (`--concurrent-endpoint-syncs`). */
export function newEndpointsController(ctx: ControllerContext, workers?: number): Controller {
  return new EndpointsController(ctx, workers);
}
