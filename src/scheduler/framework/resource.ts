/**
 * Resource arithmetic on plain numbers, as upstream's framework.Resource: cpu in millicores,
 * memory and storage in bytes, scalar (extended, hugepages) resources in their integer value.
 * Quantities are parsed once per distinct string and cached, because the same few strings
 * (`100m`, `1Gi`) appear on thousands of pods.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../api/quantity.js';

/** DEFAULT_MILLI_CPU_REQUEST is what scoring assumes for a container with no cpu request (upstream: 100m). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** DEFAULT_MEMORY_REQUEST is what scoring assumes for a container with no memory request (200Mi). */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();

/** milliValueOf parses a quantity and returns thousandths, rounded up; malformed input throws. */
export function milliValueOf(q: string | number): number {
  const k = String(q);
  let v = milliCache.get(k);
  if (v === undefined) {
    v = Quantity.parse(q).milliValue();
    milliCache.set(k, v);
  }
  return v;
}

/** valueOf parses a quantity and returns its integer value, rounded up; malformed input throws. */
export function valueOf(q: string | number): number {
  const k = String(q);
  let v = valueCache.get(k);
  if (v === undefined) {
    v = Quantity.parse(q).value();
    valueCache.set(k, v);
  }
  return v;
}

/** isScalarResourceName: extended (`example.com/foo`), prefixed native, hugepages and attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return name.includes('/') || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** scalar holds extended resources; undefined until the first one is added. */
  scalar: Map<string, number> | undefined;

  /** fromList builds a Resource from a ResourceList (`{cpu: '1', memory: '1Gi'}`). */
  static fromList(rl: Readonly<Record<string, string | number>> | undefined): Resource {
    const r = new Resource();
    if (rl) r.addList(rl);
    return r;
  }

  addList(rl: Readonly<Record<string, string | number>>): void {
    for (const name in rl) {
      const q = rl[name]!;
      switch (name) {
        case 'cpu':
          this.milliCPU += milliValueOf(q);
          break;
        case 'memory':
          this.memory += valueOf(q);
          break;
        case 'pods':
          this.allowedPodNumber += valueOf(q);
          break;
        case 'ephemeral-storage':
          this.ephemeralStorage += valueOf(q);
          break;
        default:
          if (isScalarResourceName(name)) this.addScalar(name, valueOf(q));
      }
    }
  }

  addScalar(name: string, v: number): void {
    this.scalar ??= new Map();
    this.scalar.set(name, (this.scalar.get(name) ?? 0) + v);
  }

  getScalar(name: string): number {
    return this.scalar?.get(name) ?? 0;
  }

  add(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, sign * v);
  }

  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    if (o.scalar) {
      for (const [k, v] of o.scalar) {
        this.scalar ??= new Map();
        this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
      }
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.add(this);
    return r;
  }

  /** get returns the amount of a named resource (`cpu` in millicores). */
  get(name: string): number {
    switch (name) {
      case 'cpu':
        return this.milliCPU;
      case 'memory':
        return this.memory;
      case 'ephemeral-storage':
        return this.ephemeralStorage;
      case 'pods':
        return this.allowedPodNumber;
      default:
        return this.getScalar(name);
    }
  }
}

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests as Record<string, string> | undefined);
  if (nonZero) {
    const req = c.resources?.requests;
    if (!req || req['cpu'] === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!req || req['memory'] === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * podRequests computes what a pod asks of a node, as upstream's resourcehelper.PodRequests:
 * the sum of regular containers plus restartable init containers (sidecars, which keep running),
 * raised to the largest init-container step (each plain init container runs next to the sidecars
 * started before it), plus the pod overhead. With nonZero, containers without a cpu/memory
 * request count as 100m/200Mi, the figures scoring uses.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const reqs = new Resource();
  if (!spec) return reqs;
  for (const c of spec.containers ?? []) reqs.add(containerRequests(c, nonZero));
  if (spec.initContainers?.length) {
    const sidecars = new Resource();
    const maxInit = new Resource();
    for (const c of spec.initContainers) {
      const cr = containerRequests(c, nonZero);
      if (c.restartPolicy === 'Always') {
        sidecars.add(cr);
        maxInit.setMax(sidecars);
      } else {
        const step = cr.clone();
        step.add(sidecars);
        maxInit.setMax(step);
      }
    }
    reqs.add(sidecars);
    reqs.setMax(maxInit);
  }
  if (spec.overhead) {
    reqs.add(Resource.fromList(spec.overhead as Record<string, string>));
  }
  return reqs;
}
