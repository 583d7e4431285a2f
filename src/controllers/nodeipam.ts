/**
 * The node IPAM controller's range allocator (upstream pkg/controller/nodeipam): with
 * `--allocate-node-cidrs`, each node without spec.podCIDR gets the next free subnet of
 * `--cluster-cidr` (mask `--node-cidr-mask-size`, /24 by default) in spec.podCIDR and
 * spec.podCIDRs. One worker and an in-memory reservation keep two nodes from ever getting
 * the same subnet while the cache catches up.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr, type Indexer, type Lister } from '../client/index.js';
import { watchEvents, type Controller, type ControllerContext, type Watch } from './runner.js';

export interface NodeIPAMOptions {
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
}

/** parseCIDR reads an IPv4 CIDR into base address and prefix length. */
export function parseCIDR(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr.trim());
  if (!m) throw new Error(`invalid CIDR address: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) throw new Error(`invalid CIDR address: ${cidr}`);
  const ip = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, bits };
}

const formatIP = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** POD_CIDR_INDEX indexes nodes by the pod CIDRs they hold, so a sync reads the CIDRs in use without listing every node. */
const POD_CIDR_INDEX = 'nodeipam/podCIDR';

function podCIDRsOf(n: Node): string[] {
  const out: string[] = [];
  for (const c of [n.spec?.podCIDR, ...(n.spec?.podCIDRs ?? [])]) if (c && !out.includes(c)) out.push(c);
  return out;
}

class NodeIPAMController implements Controller {
  readonly name = 'nodeipam';
  readonly workers = 1;
  readonly watches: readonly Watch[];
  private readonly nodes: Lister<Node>;
  private readonly indexer: Indexer<Node>;
  private readonly cluster: { base: number; bits: number };
  private readonly mask: number;
  /** count is how many subnets the cluster CIDR holds. */
  private readonly count: number;
  /** subnets caches the text of each subnet scanned so far (subnet i at index i). */
  private readonly subnets: string[] = [];
  /** reserved: CIDRs handed out whose node the cache may not show yet (cidr → node). */
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeIPAMOptions,
  ) {
    this.cluster = parseCIDR(opts.clusterCIDR ?? '10.42.0.0/16');
    this.mask = opts.nodeCIDRMaskSize ?? 24;
    if (this.mask < this.cluster.bits || this.mask > 32) throw new Error(`--node-cidr-mask-size ${this.mask} does not fit in --cluster-cidr`);
    this.count = 2 ** (this.mask - this.cluster.bits);
    const informer = ctx.informers.forResource<Node>(gvr.nodes, { indexers: { [POD_CIDR_INDEX]: podCIDRsOf } });
    this.nodes = ctx.informers.lister<Node>(gvr.nodes);
    this.indexer = informer.getIndexer();
    // Only a node without a pod CIDR needs a sync (upstream's range allocator handlers): the
    // free set is read from the cache then, so a deleted node's CIDR needs no event.
    const needs = (n: Node): string[] => (n.spec?.podCIDR || n.metadata?.deletionTimestamp ? [] : [n.metadata?.name ?? '']);
    this.watches = [watchEvents(informer, { add: needs, update: (_old, cur) => needs(cur) })];
  }

  private subnet(i: number): string {
    let s = this.subnets[i];
    if (s === undefined) this.subnets[i] = s = `${formatIP((this.cluster.base + i * 2 ** (32 - this.mask)) >>> 0)}/${this.mask}`;
    return s;
  }

  async reconcile(name: string): Promise<void> {
    const node = this.nodes.get(name);
    const used = new Set(this.indexer.listIndexFuncValues(POD_CIDR_INDEX));
    // Reservations end once the cache shows them, or their node is gone.
    for (const [cidr, owner] of this.reserved) {
      if (!this.nodes.get(owner) || used.has(cidr)) this.reserved.delete(cidr);
      else used.add(cidr);
    }
    if (!node || node.spec?.podCIDR || node.metadata?.deletionTimestamp) return;
    let cidr: string | undefined;
    for (let i = 0; i < this.count; i++) {
      const c = this.subnet(i);
      if (!used.has(c)) {
        cidr = c;
        break;
      }
    }
    if (!cidr) {
      this.ctx.recorder('cidrAllocator').event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
      throw new Error(`failed to allocate cidr from cluster cidr: cidr allocation failed; there are no remaining CIDRs left to allocate in the accepted range`);
    }
    this.reserved.set(cidr, name);
    try {
      await this.ctx.client.resource<Node>(gvr.nodes).patch(name, 'merge', { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { podCIDR: cidr, podCIDRs: [cidr] } });
    } catch (err) {
      this.reserved.delete(cidr);
      if (isStatusError(err, 'NotFound')) return;
      throw err;
    }
  }
}

/** newNodeIPAMController allocates pod CIDRs to nodes (only when --allocate-node-cidrs). */
export function newNodeIPAMController(ctx: ControllerContext, opts: NodeIPAMOptions = {}): Controller {
  return new NodeIPAMController(ctx, opts);
}
