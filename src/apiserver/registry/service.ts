/**
 * Service write hooks: ClusterIP and NodePort allocation as upstream's service REST
 * (pkg/registry/core/service): allocate on create, keep allocations across updates (a PUT that
 * omits clusterIP or a nodePort keeps the old one), reject changes to an allocated clusterIP,
 * release on delete. Headless (`None`) and ExternalName services get no ClusterIP.
 */
import { field, type FieldError } from '../../api/field.js';
import type { KubeObject } from '../../api/types.js';
import type { ClusterIPAllocator, NodePortAllocator } from './allocator.js';
import type { WriteHooks } from './store.js';

interface ServicePort {
  port?: number;
  protocol?: string;
  nodePort?: number;
  name?: string;
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  allocateLoadBalancerNodePorts?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
}

const specOf = (o: KubeObject | undefined): ServiceSpec => ((o?.spec ?? {}) as ServiceSpec);

function wantsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

export function serviceHooks(ips: ClusterIPAllocator, ports: NodePortAllocator): WriteHooks {
  return {
    beforeWrite(obj, old, dryRun) {
      const spec = specOf(obj);
      obj.spec = spec;
      const oldSpec = old ? specOf(old) : undefined;
      const errors: FieldError[] = [];
      const undo: Array<() => void> = [];
      const type = spec.type ?? 'ClusterIP';
      // ClusterIP
      if (type === 'ExternalName') {
        if (!oldSpec || oldSpec.type !== 'ExternalName') {
          delete spec.clusterIP;
          delete spec.clusterIPs;
        }
      } else if (oldSpec?.clusterIP && oldSpec.clusterIP !== 'None' && oldSpec.type !== 'ExternalName') {
        if (!spec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
        if (!spec.clusterIPs?.length) spec.clusterIPs = oldSpec.clusterIPs ?? [oldSpec.clusterIP];
        if (spec.clusterIP !== oldSpec.clusterIP) errors.push(field.invalid('spec.clusterIPs[0]', [spec.clusterIP], 'may not change once set'));
      } else if (oldSpec?.clusterIP === 'None') {
        if (!spec.clusterIP) spec.clusterIP = 'None';
        if (spec.clusterIP !== 'None') errors.push(field.invalid('spec.clusterIPs[0]', [spec.clusterIP], 'may not change once set'));
        spec.clusterIPs = ['None'];
      } else {
        const requested = spec.clusterIP || spec.clusterIPs?.[0] || '';
        if (requested === 'None') {
          spec.clusterIP = 'None';
          spec.clusterIPs = ['None'];
        } else if (requested) {
          try {
            if (!dryRun && !ips.reserve(requested)) {
              errors.push(field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`));
            } else if (!dryRun) undo.push(() => ips.release(requested));
            spec.clusterIP = requested;
            spec.clusterIPs = [requested];
          } catch (err) {
            errors.push(field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: ${(err as Error).message}`));
          }
        } else {
          const ip = dryRun ? '' : ips.allocate();
          if (ip === undefined) errors.push(field.invalid('spec.clusterIPs', [], 'failed to allocate IP: range is full'));
          else if (ip) {
            undo.push(() => ips.release(ip));
            spec.clusterIP = ip;
            spec.clusterIPs = [ip];
          }
        }
      }
      if (spec.clusterIP && spec.clusterIP !== 'None' && type !== 'ExternalName') {
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      // NodePorts
      const portsList = spec.ports ?? [];
      if (wantsNodePorts(spec)) {
        portsList.forEach((p, i) => {
          if (!p.nodePort) {
            const prev = oldSpec?.ports?.find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && o.nodePort);
            if (prev?.nodePort) {
              p.nodePort = prev.nodePort;
              return;
            }
            if (dryRun) return;
            const np = ports.allocate();
            if (np === undefined) errors.push(field.invalid(`spec.ports[${i}].nodePort`, 0, 'failed to allocate port: range is full'));
            else {
              p.nodePort = np;
              undo.push(() => ports.release(np));
            }
          } else if (!oldSpec?.ports?.some((o) => o.nodePort === p.nodePort)) {
            if (!ports.contains(p.nodePort)) {
              errors.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${ports.min}-${ports.max}`));
            } else if (!dryRun) {
              if (!ports.reserve(p.nodePort)) errors.push(field.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
              else {
                const np = p.nodePort;
                undo.push(() => ports.release(np));
              }
            }
          }
        });
      } else {
        for (const p of portsList) delete p.nodePort;
      }
      // Release what the new spec dropped only after a successful write: on update we release
      // eagerly; a failed write re-reserves through the rollback.
      const dropped: Array<() => void> = [];
      if (oldSpec && !dryRun) {
        const keptPorts = new Set(portsList.map((p) => p.nodePort).filter((n): n is number => !!n));
        for (const p of oldSpec.ports ?? []) {
          if (p.nodePort && !keptPorts.has(p.nodePort)) {
            const np = p.nodePort;
            ports.release(np);
            dropped.push(() => ports.reserve(np));
          }
        }
        if (oldSpec.clusterIP && oldSpec.clusterIP !== 'None' && spec.clusterIP !== oldSpec.clusterIP && type === 'ExternalName') {
          const ip = oldSpec.clusterIP;
          ips.release(ip);
          dropped.push(() => ips.reserve(ip));
        }
      }
      if (errors.length) {
        for (const u of undo) u();
        for (const d of dropped) d();
        return { errors, rollback: () => {} };
      }
      return {
        errors,
        rollback: () => {
          for (const u of undo) u();
          for (const d of dropped) d();
        },
      };
    },
    afterDelete(obj) {
      const spec = specOf(obj);
      if (spec.clusterIP && spec.clusterIP !== 'None') ips.release(spec.clusterIP);
      for (const p of spec.ports ?? []) if (p.nodePort) ports.release(p.nodePort);
    },
  };
}

/** reserveExisting marks the allocations of a stored Service as used (rebuild on start). */
export function reserveExisting(obj: KubeObject, ips: ClusterIPAllocator, ports: NodePortAllocator): void {
  const spec = specOf(obj);
  if (spec.clusterIP && spec.clusterIP !== 'None') {
    try {
      ips.reserve(spec.clusterIP);
    } catch {
      // outside the current range (the range changed): nothing to track
    }
  }
  for (const p of spec.ports ?? []) if (p.nodePort) ports.reserve(p.nodePort);
}
