/**
 * Framework runs one profile's plugins at each extension point, as upstream's
 * framework/runtime.frameworkImpl: plugin lists built from the resolved configuration,
 * statuses tagged with the plugin that produced them, weighted and normalized scores.
 */
import type { ResolvedProfile } from '../config/config.js';
import type { ExtensionPoint, PluginRef } from '../config/types.js';
import { CycleState } from './cycle-state.js';
import {
  MAX_NODE_SCORE,
  MIN_NODE_SCORE,
  type BindPlugin,
  type ClusterEventWithHint,
  type EnqueueExtensions,
  type FilterPlugin,
  type FrameworkRunner,
  type Handle,
  type NodeToStatus,
  type NormalizeScorePlugin,
  type PermitPlugin,
  type Plugin,
  type PostBindPlugin,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreBindPlugin,
  type PreEnqueuePlugin,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreScorePlugin,
  type QueueSortPlugin,
  type ReservePlugin,
  type ScoreAllPlugin,
  type ScorePlugin,
} from './interface.js';
import type { Registry } from './registry.js';
import { Code, Status } from './status.js';
import type { NodeInfo, PodInfo } from './types.js';

const methodOf: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue',
  queueSort: 'less',
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  permit: 'permit',
  preBind: 'preBind',
  bind: 'bind',
  postBind: 'postBind',
};

function implementsPoint(p: Plugin, point: ExtensionPoint): boolean {
  return typeof (p as unknown as Record<string, unknown>)[methodOf[point]] === 'function';
}

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
  normalize: NormalizeScorePlugin | undefined;
  /** all is the plugin again when it implements ScoreAllPlugin. */
  all: ScoreAllPlugin | undefined;
}

/** ScoreBreakdown: per plugin, the weighted normalized score of each node (for explain). */
export type ScoreBreakdown = Map<string, number[]>;

export class Framework implements FrameworkRunner {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly plugins = new Map<string, Plugin>();
  queueSort!: QueueSortPlugin;
  preEnqueue: PreEnqueuePlugin[] = [];
  preFilter: PreFilterPlugin[] = [];
  filter: FilterPlugin[] = [];
  postFilter: PostFilterPlugin[] = [];
  preScore: PreScorePlugin[] = [];
  score: WeightedScorePlugin[] = [];
  reserve: ReservePlugin[] = [];
  permit: PermitPlugin[] = [];
  preBind: PreBindPlugin[] = [];
  bind: BindPlugin[] = [];
  postBind: PostBindPlugin[] = [];
  private extensions: PreFilterExtensions[] = [];
  private readonly handle: Handle;

  /**
   * constructor instantiates the profile's plugins from the registry. `handleBase` lacks
   * `framework`, which is this object. Throws for unknown plugins or a missing QueueSort/Bind.
   */
  constructor(profile: ResolvedProfile, registry: Registry, handleBase: Omit<Handle, 'framework'>) {
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    const handle: Handle = { ...handleBase, framework: this };
    this.handle = handle;
    const instance = (name: string): Plugin => {
      let p = this.plugins.get(name);
      if (p) return p;
      const factory = registry.get(name);
      if (!factory) throw new Error(`plugin "${name}" does not exist`);
      p = factory(profile.pluginConfig.get(name), handle);
      this.plugins.set(name, p);
      return p;
    };
    const multi = profile.plugins.multiPoint?.enabled ?? [];
    const weights = new Map<string, number>();
    for (const r of multi) if (r.weight) weights.set(r.name, r.weight);
    for (const point of ['preEnqueue', 'queueSort', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const) {
      const specific = profile.plugins[point];
      const disabled = new Set((specific?.disabled ?? []).map((d) => d.name));
      const refs: PluginRef[] = [];
      const seen = new Set<string>();
      // plugins enabled at this point come first, then the multiPoint ones that implement it
      for (const r of specific?.enabled ?? []) {
        if (seen.has(r.name)) continue;
        const p = instance(r.name);
        if (!implementsPoint(p, point)) throw new Error(`plugin "${r.name}" does not extend ${point} plugin`);
        refs.push(r);
        seen.add(r.name);
      }
      if (!disabled.has('*')) {
        for (const r of multi) {
          if (seen.has(r.name) || disabled.has(r.name)) continue;
          const p = instance(r.name);
          if (!implementsPoint(p, point)) continue;
          refs.push(r);
          seen.add(r.name);
        }
      }
      for (const r of refs) this.register(point, instance(r.name), r.weight || weights.get(r.name) || 1);
    }
    if (!this.queueSort) throw new Error('queue sort plugin needs to be configured');
    if (this.bind.length === 0) throw new Error('at least one bind plugin is needed');
    for (const p of this.preFilter) {
      const ext = p as Partial<PreFilterExtensions>;
      if (typeof ext.addPod === 'function' && typeof ext.removePod === 'function') this.extensions.push(p as unknown as PreFilterExtensions);
    }
  }

  private register(point: ExtensionPoint, p: Plugin, weight: number): void {
    switch (point) {
      case 'queueSort':
        if (this.queueSort && this.queueSort !== p) throw new Error('only one queue sort plugin can be enabled');
        this.queueSort = p as QueueSortPlugin;
        break;
      case 'score': {
        const n = p as Partial<NormalizeScorePlugin & ScoreAllPlugin>;
        this.score.push({
          plugin: p as ScorePlugin,
          weight,
          normalize: typeof n.normalizeScore === 'function' ? (p as NormalizeScorePlugin) : undefined,
          all: typeof n.scoreAll === 'function' ? (p as ScoreAllPlugin) : undefined,
        });
        break;
      }
      default:
        (this[point] as Plugin[]).push(p);
    }
  }

  /** eventsByPlugin collects EnqueueExtensions registrations for the queue. */
  eventsByPlugin(): Map<string, ClusterEventWithHint[]> {
    const m = new Map<string, ClusterEventWithHint[]>();
    for (const [name, p] of this.plugins) {
      const e = p as Partial<EnqueueExtensions>;
      // plugins without EnqueueExtensions are moved by every event, as upstream
      m.set(name, typeof e.eventsToRegister === 'function' ? e.eventsToRegister() : allEvents);
    }
    return m;
  }

  runPreEnqueuePlugins(pod: PodInfo): Status {
    for (const p of this.preEnqueue) {
      const s = p.preEnqueue(pod);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * runPreFilterPlugins: a rejection ends the cycle; the PreFilterResults of all plugins are
   * intersected. `resultPlugins` names the plugins that narrowed the node set.
   */
  runPreFilterPlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): { status: Status; nodeNames?: Set<string>; resultPlugins: string[] } {
    let names: Set<string> | undefined;
    const resultPlugins: string[] = [];
    for (const p of this.preFilter) {
      const { status, result } = p.preFilter(state, pod, nodes);
      if (status.isSkip()) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (!status.isSuccess()) {
        if (status.code === Code.Error) return { status: Status.error(new Error(`running PreFilter plugin "${p.name}": ${status.message()}`)).withPlugin(p.name), resultPlugins };
        return { status: status.withPlugin(p.name), resultPlugins };
      }
      if (result?.nodeNames) {
        resultPlugins.push(p.name);
        names = names ? new Set([...names].filter((n) => result.nodeNames!.has(n))) : new Set(result.nodeNames);
      }
    }
    state.activeFilters = state.skipFilterPlugins.size > 0 ? this.filter.filter((p) => !state.skipFilterPlugins.has(p.name)) : this.filter;
    return names ? { status: Status.success(), nodeNames: names, resultPlugins } : { status: Status.success(), resultPlugins };
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: PodInfo, node: NodeInfo): Status {
    for (const p of this.extensions) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.addPod(state, pod, added, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: PodInfo, node: NodeInfo): Status {
    for (const p of this.extensions) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.removePod(state, pod, removed, node);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** runFilterPlugins returns the first rejection (tagged with its plugin), or Success. */
  runFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const list = (state.activeFilters as FilterPlugin[] | undefined) ?? this.filter.filter((p) => !state.skipFilterPlugins.has(p.name));
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      const s = p.filter(state, pod, node);
      if (s.code !== Code.Success) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** runAllFilterPlugins runs every filter (not stopping at the first rejection), for explain. */
  runAllFilterPlugins(state: CycleState, pod: PodInfo, node: NodeInfo): Status[] {
    const out: Status[] = [];
    for (const p of this.filter) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (!s.isSuccess()) out.push(s.withPlugin(p.name));
    }
    return out;
  }

  /**
   * runFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated to
   * the node, the pod must fit both with them (so it does not steal their place) and without
   * them (affinity to them must not count), as upstream.
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo, nominated?: readonly PodInfo[]): Status {
    const all = nominated ?? this.handle.nominatedPodsForNode(node.name);
    if (all.length === 0) return this.runFilterPlugins(state, pod, node);
    const list = all.filter((p) => p.key !== pod.key && p.priority >= pod.priority);
    if (list.length > 0) {
      const n2 = node.clone();
      const s2 = state.clone();
      for (const p of list) {
        n2.addPod(p);
        const s = this.runPreFilterExtensionAddPod(s2, pod, p, n2);
        if (!s.isSuccess()) return s;
      }
      const s = this.runFilterPlugins(s2, pod, n2);
      if (!s.isSuccess()) return s;
    }
    return this.runFilterPlugins(state, pod, node);
  }

  runPostFilterPlugins(state: CycleState, pod: PodInfo, filtered: NodeToStatus): { status: Status; result?: PostFilterResult } {
    const reasons: string[] = [];
    let result: PostFilterResult | undefined;
    let plugin = '';
    for (const p of this.postFilter) {
      const r = p.postFilter(state, pod, filtered);
      if (r.status.isSuccess()) return r;
      if (r.status.code === Code.Error || r.status.code === Code.UnschedulableAndUnresolvable) {
        return { status: r.status.withPlugin(p.name), ...(r.result ? { result: r.result } : {}) };
      }
      reasons.push(...r.status.reasons);
      result = r.result ?? result;
      plugin = p.name;
    }
    return { status: new Status(Code.Unschedulable, reasons).withPlugin(plugin), ...(result ? { result } : {}) };
  }

  runPreScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    for (const p of this.preScore) {
      const s = p.preScore(state, pod, nodes);
      if (s.isSkip()) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (!s.isSuccess()) return Status.error(new Error(`running PreScore plugin "${p.name}": ${s.message()}`)).withPlugin(p.name);
    }
    return Status.success();
  }

  /**
   * runScorePlugins returns the total weighted score of each node (aligned with `nodes`);
   * `breakdown`, when given, receives each plugin's weighted scores. Out-of-range scores throw.
   */
  runScorePlugins(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], breakdown?: ScoreBreakdown): number[] {
    const totals = new Array<number>(nodes.length).fill(0);
    const scores = new Array<number>(nodes.length);
    for (const { plugin, weight, normalize, all } of this.score) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      if (all) all.scoreAll(state, pod, nodes, scores);
      else for (let i = 0; i < nodes.length; i++) scores[i] = plugin.score(state, pod, nodes[i]!);
      normalize?.normalizeScore(state, pod, scores, nodes);
      for (let i = 0; i < nodes.length; i++) {
        const s = scores[i]!;
        if (s > MAX_NODE_SCORE || s < MIN_NODE_SCORE) {
          throw new Error(`plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
        }
        totals[i] += s * weight;
      }
      if (breakdown) breakdown.set(plugin.name, scores.map((s) => s * weight));
    }
    return totals;
  }

  runReservePluginsReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reserve) {
      const s = p.reserve(state, pod, nodeName);
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  /** runReservePluginsUnreserve runs in reverse order, as upstream. */
  runReservePluginsUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reserve.length - 1; i >= 0; i--) this.reserve[i]!.unreserve(state, pod, nodeName);
  }

  /** runPermitPlugins: a rejection wins; otherwise Wait with the shortest timeout, or Success. */
  runPermitPlugins(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutMs: number } {
    let wait = Infinity;
    for (const p of this.permit) {
      const { status, timeoutMs } = p.permit(state, pod, nodeName);
      if (status.code === Code.Wait) {
        wait = Math.min(wait, timeoutMs ?? 15 * 60_000);
        continue;
      }
      if (!status.isSuccess()) return { status: status.withPlugin(p.name), timeoutMs: 0 };
    }
    return wait === Infinity ? { status: Status.success(), timeoutMs: 0 } : { status: Status.wait(), timeoutMs: wait };
  }

  /**
   * runPreBindPreFlights asks each PreBind plugin whether it has work for this pod: those that
   * return Skip are left out of runPreBindPlugins; Skip when all of them skip (then PreBind need
   * not run at all), the first error otherwise, else Success.
   */
  runPreBindPreFlights(state: CycleState, pod: PodInfo, nodeName: string): Status {
    let any = false;
    for (const p of this.preBind) {
      const s = p.preBindPreFlight(state, pod, nodeName);
      if (s.isSkip()) (state.skipPreBindPlugins ??= new Set()).add(p.name);
      else if (s.isSuccess()) any = true;
      else if (s.code === Code.Error) return Status.error(new Error(`running PreBindPreFlight "${p.name}": ${s.message()}`)).withPlugin(p.name);
      // upstream's wording for any other code (a rejection is not PreBindPreFlight's to give)
      else {
        const msg = `PreBindPreFlight ${p.name} returned "${s.codeName()}", which is unsupported. It is supposed to return Success, Skip, or Error status`;
        return Status.error(new Error(msg)).withPlugin(p.name);
      }
    }
    return any ? Status.success() : Status.skip();
  }

  async runPreBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.preBind) {
      if (state.skipPreBindPlugins?.has(p.name)) continue;
      const s = await p.preBind(state, pod, nodeName);
      if (s.isSkip()) continue;
      if (!s.isSuccess()) return s.withPlugin(p.name);
    }
    return Status.success();
  }

  async runBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status> {
    for (const p of this.bind) {
      const s = await p.bind(state, pod, nodeName);
      if (s.isSkip()) continue;
      return s.withPlugin(p.name);
    }
    return Status.error(new Error('no bind plugin bound the pod'));
  }

  runPostBindPlugins(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.postBind) p.postBind(state, pod, nodeName);
  }

  hasPostFilterPlugins(): boolean {
    return this.postFilter.length > 0;
  }
}

const allEvents: ClusterEventWithHint[] = ['Pod', 'AssignedPod', 'Node', 'PersistentVolume', 'PersistentVolumeClaim', 'StorageClass', 'Namespace', 'PodDisruptionBudget', 'Service'].flatMap((resource) =>
  (['Add', 'Update', 'Delete'] as const).map((action) => ({ event: { resource, action } })),
);

export { CycleState };
