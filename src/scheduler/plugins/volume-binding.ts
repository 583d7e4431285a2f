/**
 * VolumeBinding, kept simple but correct for local volumes: bound claims require the PV's
 * node affinity to match; unbound claims of an Immediate class make the pod wait; unbound
 * WaitForFirstConsumer claims need an available PV reachable from the node (matching class,
 * access modes, capacity, node affinity) or a dynamic provisioner whose allowedTopologies
 * admit the node. PreBind points the chosen PV at its claim (or annotates the claim with the
 * selected node for the provisioner); the PV controller completes the binding.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import type { CycleState, StateData } from '../framework/cycle-state.js';
import { nodeSelectorMatches } from '../framework/helpers.js';
import type {
  ClusterEventWithHint,
  EnqueueExtensions,
  FilterPlugin,
  Handle,
  PreBindPlugin,
  PreFilterPlugin,
  ReservePlugin,
} from '../framework/interface.js';
import { valueOf } from '../framework/resource.js';
import { Status } from '../framework/status.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const VolumeBindingName = 'VolumeBinding';
export const ErrReasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const ErrReasonNodeConflict = 'node(s) had volume node affinity conflict';
export const ErrUnboundImmediatePVC = 'pod has unbound immediate PersistentVolumeClaims';
const noProvisioner = 'kubernetes.io/no-provisioner';
const selectedNodeAnnotation = 'volume.kubernetes.io/selected-node';

interface ClaimsToBind {
  bound: Array<{ pvc: PersistentVolumeClaim; pv: PersistentVolume | undefined }>;
  delayed: Array<{ pvc: PersistentVolumeClaim; cls: StorageClass | undefined }>;
}

class PreFilterState implements StateData {
  /** chosen per node name: which PV (or provisioning) each delayed claim would get. */
  readonly decisions = new Map<string, Array<{ pvc: PersistentVolumeClaim; pv: PersistentVolume | undefined }>>();
  constructor(readonly claims: ClaimsToBind) {}
  clone(): PreFilterState {
    return this;
  }
}
const stateKey = 'PreFilter' + VolumeBindingName;

export class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin, EnqueueExtensions {
  readonly name = VolumeBindingName;
  /** assumed: PVs promised to pods in flight, so two pods never pick the same one. */
  private readonly assumed = new Map<string, string>();

  constructor(private readonly handle: Handle) {}

  preFilter(state: CycleState, pod: PodInfo): { status: Status } {
    const vols = (pod.pod.spec?.volumes ?? []).filter((v) => v.persistentVolumeClaim);
    if (vols.length === 0) return { status: Status.skip() };
    const l = this.handle.listers;
    const claims: ClaimsToBind = { bound: [], delayed: [] };
    let immediateUnbound = false;
    for (const v of vols) {
      const name = v.persistentVolumeClaim!.claimName;
      const pvc = l.persistentVolumeClaims?.get(pod.namespace, name);
      if (!pvc) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" not found`) };
      if (pvc.metadata?.deletionTimestamp) return { status: Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`) };
      if (pvc.spec?.volumeName) {
        claims.bound.push({ pvc, pv: l.persistentVolumes?.get('', pvc.spec.volumeName) });
        continue;
      }
      const clsName = pvc.spec?.storageClassName ?? '';
      const cls = clsName ? l.storageClasses?.get('', clsName) : undefined;
      if (cls?.volumeBindingMode === 'WaitForFirstConsumer') claims.delayed.push({ pvc, cls });
      else immediateUnbound = true;
    }
    if (immediateUnbound) return { status: Status.unresolvable(ErrUnboundImmediatePVC) };
    state.write(stateKey, new PreFilterState(claims));
    return { status: Status.success() };
  }

  filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(stateKey);
    if (!s) return Status.success();
    for (const { pv } of s.claims.bound) {
      if (!pv) return Status.unresolvable(ErrReasonBindConflict);
      const na = pv.spec?.nodeAffinity?.required;
      if (na && !nodeSelectorMatches(na, node.name, node.labels)) return Status.unresolvable(ErrReasonNodeConflict);
    }
    if (s.claims.delayed.length === 0) return Status.success();
    const taken = new Set<string>();
    const decisions: Array<{ pvc: PersistentVolumeClaim; pv: PersistentVolume | undefined }> = [];
    for (const { pvc, cls } of s.claims.delayed) {
      const pv = this.findMatchingVolume(pvc, node, taken);
      if (pv) {
        taken.add(pv.metadata?.name ?? '');
        decisions.push({ pvc, pv });
        continue;
      }
      const provisioner = cls?.provisioner;
      if (!provisioner || provisioner === noProvisioner || !allowedTopologiesMatch(cls, node)) return Status.unresolvable(ErrReasonBindConflict);
      decisions.push({ pvc, pv: undefined });
    }
    s.decisions.set(node.name, decisions);
    return Status.success();
  }

  private findMatchingVolume(pvc: PersistentVolumeClaim, node: NodeInfo, taken: ReadonlySet<string>): PersistentVolume | undefined {
    const want = valueOf(pvc.spec?.resources?.requests?.['storage'] ?? '0');
    const cls = pvc.spec?.storageClassName ?? '';
    const modes = pvc.spec?.accessModes ?? [];
    let best: PersistentVolume | undefined;
    let bestSize = Infinity;
    for (const pv of this.handle.listers.persistentVolumes?.list() ?? []) {
      const name = pv.metadata?.name ?? '';
      if (taken.has(name) || this.assumed.has(name)) continue;
      if (pv.spec?.claimRef || pv.status?.phase === 'Released' || pv.metadata?.deletionTimestamp) continue;
      if ((pv.spec?.storageClassName ?? '') !== cls) continue;
      if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
      const size = valueOf(pv.spec?.capacity?.['storage'] ?? '0');
      if (size < want) continue;
      const na = pv.spec?.nodeAffinity?.required;
      if (na && !nodeSelectorMatches(na, node.name, node.labels)) continue;
      // the smallest PV that fits, as upstream
      if (size < bestSize) {
        best = pv;
        bestSize = size;
      }
    }
    return best;
  }

  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    const s = state.read<PreFilterState>(stateKey);
    for (const d of s?.decisions.get(nodeName) ?? []) {
      const name = d.pv?.metadata?.name;
      if (name) this.assumed.set(name, pod.key);
    }
    return Status.success();
  }

  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    const s = state.read<PreFilterState>(stateKey);
    for (const d of s?.decisions.get(nodeName) ?? []) {
      const name = d.pv?.metadata?.name;
      if (name && this.assumed.get(name) === pod.key) this.assumed.delete(name);
    }
  }

  /** preBindPreFlight skips pods with nothing to bind or provision on the node. */
  preBindPreFlight(state: CycleState, _pod: PodInfo, nodeName: string): Status {
    const s = state.read<PreFilterState>(stateKey);
    return (s?.decisions.get(nodeName)?.length ?? 0) > 0 ? Status.success() : Status.skip();
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    const s = state.read<PreFilterState>(stateKey);
    const decisions = s?.decisions.get(nodeName) ?? [];
    if (decisions.length === 0) return Status.skip();
    const c = this.handle.client;
    try {
      for (const d of decisions) {
        if (d.pv) {
          if (!c.bindPersistentVolume) throw new Error('binding volumes is not supported by this client');
          await c.bindPersistentVolume(d.pv, d.pvc);
        } else {
          if (!c.annotateSelectedNode) throw new Error('provisioning volumes is not supported by this client');
          if (d.pvc.metadata?.annotations?.[selectedNodeAnnotation] !== nodeName) await c.annotateSelectedNode(d.pvc, nodeName);
        }
      }
    } catch (err) {
      return Status.error(err);
    } finally {
      for (const d of decisions) if (d.pv?.metadata?.name && this.assumed.get(d.pv.metadata.name) === pod.key) this.assumed.delete(d.pv.metadata.name);
    }
    return Status.success();
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'PersistentVolumeClaim', action: 'Add' } },
      { event: { resource: 'PersistentVolumeClaim', action: 'Update' } },
      { event: { resource: 'PersistentVolume', action: 'Add' } },
      { event: { resource: 'PersistentVolume', action: 'Update' } },
      { event: { resource: 'StorageClass', action: 'Add' } },
      { event: { resource: 'Node', action: 'Add' } },
      { event: { resource: 'Node', action: 'Update', label: 'NodeLabelChange' } },
    ];
  }
}

function allowedTopologiesMatch(cls: StorageClass | undefined, node: NodeInfo): boolean {
  const terms = cls?.allowedTopologies;
  if (!terms?.length) return true;
  return terms.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? '\u0000')));
}
