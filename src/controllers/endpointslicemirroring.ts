/**
 * The EndpointSliceMirroring controller (upstream pkg/controller/endpointslicemirroring): the
 * Endpoints of a Service without a selector are written by someone else (a user, an operator),
 * so no controller derives EndpointSlices from pods for them; this one mirrors such Endpoints
 * into EndpointSlices labeled `kubernetes.io/service-name: <name>` and
 * `endpointslice.kubernetes.io/managed-by: endpointslicemirroring-controller.k8s.io`, owned by
 * the Endpoints (controller reference), carrying the Endpoints' labels and annotations.
 *
 * Upstream's rules, followed here:
 * - Endpoints labeled `endpointslice.kubernetes.io/skip-mirror: "true"` (the apiserver's own
 *   default/kubernetes, the endpoints controller's output) or annotated as a leader-election
 *   record are not mirrored; nor are Endpoints whose Service is missing or has a selector.
 *   In each of those cases the slices mirrored before are deleted.
 * - Subsets are first repacked into canonical form (upstream's RepackSubsets); each
 *   (port set, address type) gets one slice holding at most maxEndpointsPerSubset (1000)
 *   endpoints, ready addresses before not-ready ones, the rest skipped with a
 *   TooManyAddressesToMirror event; unparseable IPs are skipped with an InvalidIPAddress event.
 * - Endpoints carry only the `ready` condition, as upstream.
 * - A slice that would be created while another of the same address type is deleted becomes
 *   an update of that one.
 */
import type { EndpointAddress, EndpointPort as CoreEndpointPort, EndpointSubset, Endpoints, ObjectReference, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type EventRecorder, type Lister } from '../client/index.js';
import { DELETED, SliceTracker, recycleSlices } from './slicetracker.js';
import { watch, watchEvents, type Controller, type ControllerContext, type ReconcileResult, type Watch } from './runner.js';
import { LAST_CHANGE_TRIGGER_TIME } from './util/endpoints.js';
import { newControllerRef, splitKey, stableJSON } from './util/owner.js';

/** MIRRORING_CONTROLLER_NAME is the managed-by label value of mirrored slices. */
export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
/** SKIP_MIRROR_LABEL set to "true" on an Endpoints keeps it from being mirrored. */
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export interface EndpointSliceMirroringControllerOptions {
  /** workers: `--mirroring-concurrent-service-endpoint-syncs` (default 5). */
  workers?: number;
  /** maxEndpointsPerSubset: `--mirroring-max-endpoints-per-subset` (default 1000). */
  maxEndpointsPerSubset?: number;
}

type AddressType = 'IPv4' | 'IPv6';

/**
 * canonicalIP parses an IP as upstream's netutils.ParseIPSloppy (IPv4 parts may carry leading
 * zeros) and prints it as Go's net.IP.String: IPv4-mapped IPv6 becomes IPv4, IPv6 is
 * lower-case with the first longest run of zero groups compressed. undefined: not an IP.
 */
export function canonicalIP(ip: string): { address: string; type: AddressType } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const b = v4.slice(1).map(Number);
    return b.every((x) => x <= 255) ? { address: b.join('.'), type: 'IPv4' } : undefined;
  }
  if (!ip.includes(':') || !/^[0-9a-fA-F:.]+$/.test(ip)) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string, last: boolean): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (last && i === parts.length - 1 && p.includes('.')) {
        const inner = canonicalIP(p);
        if (inner?.type !== 'IPv4') return undefined;
        const b = inner.address.split('.').map(Number);
        out.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groups(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  let g: number[];
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    g = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else if (head.length === 8) g = head;
  else return undefined;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return { address: `${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`, type: 'IPv4' };
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  return { address: best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`, type: 'IPv6' };
}

/** compareIP orders addresses as upstream's LessEndpointAddress: IP bytes, then target uid. */
const byIPAndUID = (a: EndpointAddress, b: EndpointAddress): number => {
  const c = Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip));
  if (c) return c;
  const au = a.targetRef?.uid;
  const bu = b.targetRef?.uid;
  if (bu === undefined) return au === undefined ? 0 : 1;
  if (au === undefined) return -1;
  return au < bu ? -1 : au > bu ? 1 : 0;
};

/**
 * repackSubsets is upstream's RepackSubsets: subsets expanded to (address, port, ready) and
 * packed again, each subset the ports shared by one exact set of addresses. An address is
 * identified by IP and target uid; not-ready on any subset wins over ready for that port;
 * subsets without ports drop out.
 */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: CoreEndpointPort; ready: Map<string, boolean> }>();
  for (const s of subsets) {
    for (const port of s.ports ?? []) {
      const pk = stableJSON(port);
      let p = byPort.get(pk);
      if (!p) byPort.set(pk, (p = { port, ready: new Map() }));
      for (const [list, ready] of [
        [s.addresses, true],
        [s.notReadyAddresses, false],
      ] as const) {
        for (const a of list ?? []) {
          const k = `${a.ip}\x00${a.targetRef?.uid ?? ''}`;
          if (!addrs.has(k)) addrs.set(k, a);
          if (p.ready.get(k) !== false) p.ready.set(k, ready);
        }
      }
    }
  }
  const groups = new Map<string, { ready: Map<string, boolean>; ports: CoreEndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const sig = JSON.stringify([...ready].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { ready, ports: [] }));
    g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.ready) (r ? ready : notReady).push(addrs.get(k)!);
    const s: EndpointSubset = { ports: g.ports.sort((a, b) => stableJSON(a).localeCompare(stableJSON(b))) };
    if (ready.length) s.addresses = ready.sort(byIPAndUID);
    if (notReady.length) s.notReadyAddresses = notReady.sort(byIPAndUID);
    out.push(s);
  }
  return out.sort((a, b) => stableJSON(a).localeCompare(stableJSON(b)));
}

/** endpointHash identifies an endpoint as upstream's EndpointSet: addresses, hostname, target name. */
const endpointHash = (e: Endpoint): string => stableJSON([[...e.addresses].sort(), e.hostname ?? '', e.targetRef?.namespace ?? '', e.targetRef?.name ?? '']);
/** endpointBody is what an in-place update compares beyond the hash (EndpointsEqualBeyondHash and more). */
const endpointBody = (e: Endpoint): string =>
  stableJSON({ c: e.conditions ?? {}, t: e.targetRef ?? null, n: e.nodeName ?? '', z: e.zone ?? '', h: e.hints ?? null, d: e.deprecatedTopology ?? {} });
const portsKey = (t: AddressType | string, ports: readonly EndpointPort[]): string =>
  `${t}-${stableJSON(ports.map((p) => ({ name: p.name ?? '', port: p.port ?? 0, protocol: p.protocol ?? 'TCP', appProtocol: p.appProtocol })).sort((a, b) => stableJSON(a).localeCompare(stableJSON(b))))}`;
const sameMap = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => stableJSON(a ?? {}) === stableJSON(b ?? {});
const without = (m: Record<string, string> | undefined, ...keys: string[]): Record<string, string> => {
  const out = { ...(m ?? {}) };
  for (const k of keys) delete out[k];
  return out;
};
const hasSelector = (svc: Service): boolean => Object.keys(svc.spec?.selector ?? {}).length > 0;
const isMirroredSlice = (s: EndpointSlice): boolean => s.metadata?.labels?.[MANAGED_BY_LABEL] === MIRRORING_CONTROLLER_NAME;
/** sliceKey: the `namespace/name` of the Endpoints a slice is labeled for (none without the label). */
const sliceKey = (s: EndpointSlice): string[] => {
  const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
  return svc ? [`${s.metadata?.namespace ?? ''}/${svc}`] : [];
};

/** shouldMirror is upstream's: no skip-mirror label set to "true", no leader-election annotation. */
export function shouldMirror(ep: Endpoints | undefined): ep is Endpoints {
  return !!ep && ep.metadata?.labels?.[SKIP_MIRROR_LABEL] !== 'true' && ep.metadata?.annotations?.[LEADER_ANNOTATION] === undefined;
}

interface Desired {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

class EndpointSliceMirroringController implements Controller {
  readonly name = 'endpointslicemirroring';
  readonly workers: number;
  readonly watches: readonly Watch[];
  private readonly endpoints: Lister<Endpoints>;
  private readonly services: Lister<Service>;
  private readonly slices: Lister<EndpointSlice>;
  private readonly max: number;
  private readonly recorder: EventRecorder;
  /**
   * tracker: per Endpoints key, the state each slice we wrote must reach in the cache, so a
   * reconcile never acts on a cache that misses our own writes.
   */
  private readonly tracker = new SliceTracker();

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointSliceMirroringControllerOptions,
  ) {
    this.workers = opts.workers ?? 5;
    this.max = opts.maxEndpointsPerSubset ?? 1000;
    this.recorder = ctx.recorder('endpoint-slice-mirroring-controller');
    this.endpoints = ctx.informers.lister<Endpoints>(gvr.endpoints);
    this.services = ctx.informers.lister<Service>(gvr.services);
    this.slices = ctx.informers.lister<EndpointSlice>(gvr.endpointslices);
    const key = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    this.watches = [
      // An update is mapped on both states: Endpoints that stop being mirrored get cleaned up.
      watch(ctx.informers.forResource<Endpoints>(gvr.endpoints), (e) => (shouldMirror(e) ? [key(e)] : [])),
      // Only selector-less Services matter; a selector appearing or going away flips the answer.
      watch(ctx.informers.forResource<Service>(gvr.services), (s) => (hasSelector(s) ? [] : [key(s)])),
      // As upstream's handlers: slice events this controller caused itself (the tracker expects
      // them) enqueue nothing; a user's change, or a slice moving to or from this controller
      // or to another Service, does.
      watchEvents(ctx.informers.forResource<EndpointSlice>(gvr.endpointslices), {
        add: (s) => (isMirroredSlice(s) && !this.expected(s, false) ? sliceKey(s) : []),
        update: (a, b) => {
          if (a.metadata?.labels?.[SERVICE_NAME_LABEL] !== b.metadata?.labels?.[SERVICE_NAME_LABEL] || isMirroredSlice(a) !== isMirroredSlice(b)) {
            return [...new Set([...sliceKey(a), ...sliceKey(b)])];
          }
          return isMirroredSlice(b) && !this.expected(b, false) ? sliceKey(b) : [];
        },
        delete: (s) => {
          const ours = this.expected(s, true);
          // Whoever deleted it, the tracker must stop waiting for this slice (upstream: HandleDeletion).
          this.forget(s);
          return isMirroredSlice(s) && !ours ? sliceKey(s) : [];
        },
      }),
    ];
  }

  /** expected: the tracker awaits exactly this state of the slice (written or deleted by us). */
  private expected(s: EndpointSlice, deleted: boolean): boolean {
    const [k] = sliceKey(s);
    const want = k === undefined ? undefined : this.tracker.expected(k, s.metadata?.name ?? '');
    if (want === undefined) return false;
    return deleted ? want === DELETED : want !== DELETED && String(want) === s.metadata?.resourceVersion;
  }

  private forget(s: EndpointSlice): void {
    const [k] = sliceKey(s);
    if (k !== undefined) this.tracker.forget(k, s.metadata?.name ?? '');
  }

  private mirrored(ns: string, name: string): EndpointSlice[] {
    return this.slices
      .namespace(ns)
      .list()
      .filter((s) => isMirroredSlice(s) && s.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
  }

  private track(key: string, s: EndpointSlice | undefined, rv: number): void {
    const name = s?.metadata?.name;
    if (name) this.tracker.track(key, name, rv);
  }

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const [ns, name] = splitKey(key);
    const ep = this.endpoints.namespace(ns).get(name);
    const svc = this.services.namespace(ns).get(name);
    if (!shouldMirror(ep) || !svc || hasSelector(svc)) {
      this.tracker.delete(key);
      await this.deleteSlices(ns, this.mirrored(ns, name));
      return;
    }
    // The cache does not yet show a write this controller made for the Endpoints.
    if (this.tracker.stale(key, ns, this.slices)) return { requeueAfter: 50 };
    const desired = this.desired(ep);
    const existing = new Map<string, EndpointSlice[]>();
    for (const s of this.mirrored(ns, name).sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))) {
      const k = portsKey(s.addressType, s.ports ?? []);
      existing.set(k, [...(existing.get(k) ?? []), s]);
    }
    const labels = { ...(ep.metadata?.labels ?? {}), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MIRRORING_CONTROLLER_NAME };
    const annotations = without(ep.metadata?.annotations, LAST_CHANGE_TRIGGER_TIME, LAST_APPLIED);
    const build = (d: Desired, base?: EndpointSlice): EndpointSlice => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        ...(base?.metadata ?? { generateName: `${name}-`, namespace: ns }),
        labels,
        annotations,
        ownerReferences: [newControllerRef(ep, 'v1', 'Endpoints')],
      },
      addressType: d.addressType,
      endpoints: [...d.endpoints.values()].sort((a, b) => endpointHash(a).localeCompare(endpointHash(b))),
      ports: d.ports,
    });
    const toCreate: Array<{ d: Desired }> = [];
    const toUpdate: EndpointSlice[] = [];
    const toDelete: EndpointSlice[] = [];
    for (const [k, d] of desired) {
      const mine = existing.get(k) ?? [];
      existing.delete(k);
      if (!d.endpoints.size) {
        toDelete.push(...mine);
        continue;
      }
      const [first, ...rest] = mine;
      toDelete.push(...rest);
      if (!first) {
        toCreate.push({ d });
        continue;
      }
      const have = first.endpoints ?? [];
      const same =
        have.length === d.endpoints.size &&
        have.every((e) => {
          const want = d.endpoints.get(endpointHash(e));
          return !!want && endpointBody(want) === endpointBody(e);
        }) &&
        sameMap(ep.metadata?.labels, without(first.metadata?.labels, MANAGED_BY_LABEL, SERVICE_NAME_LABEL)) &&
        sameMap(annotations, first.metadata?.annotations);
      if (!same) toUpdate.push(build(d, first));
    }
    // Port sets no longer wanted.
    for (const l of existing.values()) toDelete.push(...l);
    for (const [{ d }, old] of recycleSlices(toCreate, toDelete, (c) => c.d.addressType)) toUpdate.push(build(d, old));
    const api = this.ctx.client.resource<EndpointSlice>(gvr.endpointslices).namespace(ns);
    // No new slices for Endpoints being deleted.
    if (!ep.metadata?.deletionTimestamp) {
      for (const { d } of toCreate) {
        try {
          const out = await api.create(build(d));
          this.track(key, out, Number(out.metadata?.resourceVersion ?? 0));
        } catch (err) {
          if (isStatusError(err, 'Forbidden')) return; // the namespace is terminating: creates keep failing
          throw err;
        }
      }
    }
    for (const s of toUpdate) {
      const out = await api.update(s);
      this.track(key, out, Number(out.metadata?.resourceVersion ?? 0));
    }
    await this.deleteSlices(ns, toDelete, key);
  }

  private async deleteSlices(ns: string, slices: readonly EndpointSlice[], key?: string): Promise<void> {
    const api = this.ctx.client.resource<EndpointSlice>(gvr.endpointslices).namespace(ns);
    for (const s of slices) {
      await api.delete(s.metadata?.name ?? '', { preconditions: { uid: s.metadata?.uid } }).catch((err: unknown) => {
        if (!isStatusError(err, 'NotFound') && !isStatusError(err, 'Conflict')) throw err;
      });
      if (key) this.track(key, s, DELETED);
    }
  }

  /** desired maps each (address type, port set) key to the slice content the Endpoints asks for. */
  private desired(ep: Endpoints): Map<string, Desired> {
    const out = new Map<string, Desired>();
    let invalid = 0;
    let skipped = 0;
    for (const subset of repackSubsets(ep.subsets ?? [])) {
      const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port,
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
      }));
      const group = (t: AddressType): Desired => {
        const k = portsKey(t, ports);
        let d = out.get(k);
        if (!d) out.set(k, (d = { addressType: t, ports, endpoints: new Map() }));
        return d;
      };
      group('IPv4');
      group('IPv6');
      const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
      let added = 0;
      for (const [list, ready] of [
        [subset.addresses ?? [], true],
        [subset.notReadyAddresses ?? [], false],
      ] as const) {
        for (const a of list) {
          if (added >= this.max) break;
          const ip = canonicalIP(a.ip);
          if (!ip) {
            invalid++;
            continue;
          }
          const e: Endpoint = {
            addresses: [ip.address],
            conditions: { ready },
            ...(a.targetRef ? { targetRef: a.targetRef } : {}),
            ...(a.nodeName ? { nodeName: a.nodeName } : {}),
            ...(a.hostname ? { hostname: a.hostname } : {}),
          };
          group(ip.type).endpoints.set(endpointHash(e), e);
          added++;
        }
      }
      skipped += total - added;
    }
    const ref: ObjectReference = { apiVersion: 'v1', kind: 'Endpoints', namespace: ep.metadata?.namespace, name: ep.metadata?.name, uid: ep.metadata?.uid, resourceVersion: ep.metadata?.resourceVersion };
    if (invalid > 0) this.recorder.eventf(ref, 'Warning', 'InvalidIPAddress', 'Skipped %d invalid IP addresses when mirroring to EndpointSlices', invalid);
    if (skipped > invalid) {
      this.recorder.eventf(ref, 'Warning', 'TooManyAddressesToMirror', 'A max of %d addresses can be mirrored to EndpointSlices per Endpoints subset. %d addresses were skipped', this.max, skipped);
    }
    return out;
  }
}

/**
 * newEndpointSliceMirroringController mirrors the Endpoints of selector-less Services into
 * EndpointSlices (kube-controller-manager's `endpointslice-mirroring-controller`).
 */
export function newEndpointSliceMirroringController(ctx: ControllerContext, opts: EndpointSliceMirroringControllerOptions = {}): Controller {
  return new EndpointSliceMirroringController(ctx, opts);
}
