/**
 * Allocators for Service ClusterIPs (from --service-cluster-ip-range) and NodePorts (30000-32767),
 * as upstream's ipallocator and portallocator. State lives in memory, rebuilt from the stored
 * Services on start; the Service registry reserves on create and releases on delete.
 */

/** IPv4Range is an IPv4 CIDR with its usable host addresses. */
export class IPv4Range {
  readonly base: number;
  readonly size: number;

  constructor(readonly cidr: string) {
    const [addr, bits] = cidr.split('/');
    const prefix = Number(bits);
    const ip = ipToInt(addr ?? '');
    if (ip === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid service cluster IP range ${JSON.stringify(cidr)}`);
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.base = (ip & mask) >>> 0;
    this.size = 2 ** (32 - prefix);
  }

  contains(ip: string): boolean {
    const n = ipToInt(ip);
    return n !== undefined && n >= this.base && n < this.base + this.size;
  }

  /** nth returns the address at offset n (1 = the first host, the `kubernetes` Service). */
  nth(n: number): string {
    return intToIp(this.base + n);
  }
}

export function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** ClusterIPAllocator hands out addresses of a range, skipping network and broadcast. */
export class ClusterIPAllocator {
  private readonly used = new Set<string>();
  private next = 2;

  constructor(readonly range: IPv4Range) {}

  /** reserve marks a specific address; false if taken. Throws RangeError when outside the range. */
  reserve(ip: string): boolean {
    if (!this.range.contains(ip)) throw new RangeError(`the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.range.cidr}`);
    if (this.used.has(ip)) return false;
    this.used.add(ip);
    return true;
  }

  /** allocate returns a free address; undefined when the range is full. */
  allocate(): string | undefined {
    const hosts = this.range.size - 2;
    for (let i = 0; i < hosts; i++) {
      const off = ((this.next - 1 + i) % hosts) + 1;
      const ip = this.range.nth(off);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        this.next = off + 1;
        return ip;
      }
    }
    return undefined;
  }

  release(ip: string): void {
    this.used.delete(ip);
  }
}

/** NodePortAllocator hands out ports of [min, max]. */
export class NodePortAllocator {
  private readonly used = new Set<number>();
  private next: number;

  constructor(
    readonly min = 30000,
    readonly max = 32767,
  ) {
    this.next = min;
  }

  contains(port: number): boolean {
    return port >= this.min && port <= this.max;
  }

  reserve(port: number): boolean {
    if (this.used.has(port)) return false;
    this.used.add(port);
    return true;
  }

  allocate(): number | undefined {
    const n = this.max - this.min + 1;
    for (let i = 0; i < n; i++) {
      const p = this.min + ((this.next - this.min + i) % n);
      if (!this.used.has(p)) {
        this.used.add(p);
        this.next = p + 1;
        return p;
      }
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }
}
