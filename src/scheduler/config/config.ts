/**
 * Loading and defaulting of KubeSchedulerConfiguration as upstream's
 * pkg/scheduler/apis/config/v1: the default profile, merging a profile's plugin sets with the
 * defaults (`disabled: [{name: '*'}]` drops them all), and validation errors in upstream's words.
 */
import { parse as parseYaml } from 'yaml';
import {
  extensionPoints,
  type KubeSchedulerConfiguration,
  type KubeSchedulerProfile,
  type LeaderElectionConfiguration,
  type PluginRef,
  type Plugins,
  type PluginSet,
} from './types.js';

export const DefaultSchedulerName = 'default-scheduler';
export const SchedulerConfigAPIVersion = 'kubescheduler.config.k8s.io/v1';

/** defaultMultiPoint is upstream's default profile (v1), minus the volume plugins k8ts lacks. */
export const defaultMultiPoint: PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'VolumeBinding' },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

/** ResolvedConfig is a defaulted, validated configuration. */
export interface ResolvedConfig {
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  leaderElection: Required<LeaderElectionConfiguration>;
  kubeconfig: string | undefined;
  clientQPS: number | undefined;
  clientBurst: number | undefined;
  profiles: ResolvedProfile[];
}

export interface ResolvedProfile {
  schedulerName: string;
  percentageOfNodesToScore: number | undefined;
  plugins: Plugins;
  pluginConfig: Map<string, Record<string, unknown>>;
}

function mergeSet(def: PluginSet | undefined, custom: PluginSet | undefined): PluginSet {
  if (!custom) return { enabled: [...(def?.enabled ?? [])] };
  const disabled = new Set((custom.disabled ?? []).map((p) => p.name));
  const customEnabled = new Map((custom.enabled ?? []).map((p) => [p.name, p] as const));
  const enabled: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const p of def?.enabled ?? []) {
      if (disabled.has(p.name)) continue;
      const override = customEnabled.get(p.name);
      enabled.push(override ?? p);
      customEnabled.delete(p.name);
    }
  }
  for (const p of custom.enabled ?? []) if (customEnabled.has(p.name)) enabled.push(p);
  return { enabled, disabled: custom.disabled ?? [] };
}

/** mergePlugins merges a profile's plugins with the default profile, point by point. */
export function mergePlugins(custom: Plugins | undefined): Plugins {
  const out: Plugins = { multiPoint: mergeSet({ enabled: defaultMultiPoint }, custom?.multiPoint) };
  for (const p of extensionPoints) {
    if (custom?.[p]) out[p] = mergeSet(undefined, custom[p]);
  }
  return out;
}

function durationMs(s: string | undefined, def: number): number {
  if (!s) return def;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (!m) throw new Error(`invalid duration "${s}"`);
  const n = Number(m[1]);
  return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[m[2] as 'ms' | 's' | 'm' | 'h'];
}

/** resolveConfig defaults and validates; errors use upstream's field paths. */
export function resolveConfig(cfg: KubeSchedulerConfiguration = {}): ResolvedConfig {
  if (cfg.apiVersion !== undefined && cfg.apiVersion !== SchedulerConfigAPIVersion) {
    throw new Error(`no kind "KubeSchedulerConfiguration" is registered for version "${cfg.apiVersion}"`);
  }
  if (cfg.kind !== undefined && cfg.kind !== 'KubeSchedulerConfiguration') throw new Error(`no kind "${cfg.kind}" is registered for version "${SchedulerConfigAPIVersion}"`);
  const pct = cfg.percentageOfNodesToScore ?? 0;
  if (pct < 0 || pct > 100) throw new Error(`percentageOfNodesToScore: Invalid value: ${pct}: not in valid range [0-100]`);
  const initial = (cfg.podInitialBackoffSeconds ?? 1) * 1000;
  const max = (cfg.podMaxBackoffSeconds ?? 10) * 1000;
  if (initial <= 0) throw new Error(`podInitialBackoffSeconds: Invalid value: ${cfg.podInitialBackoffSeconds}: must be greater than 0`);
  if (max < initial) throw new Error(`podMaxBackoffSeconds: Invalid value: ${cfg.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  const profiles = (cfg.profiles?.length ? cfg.profiles : [{}]).map((p: KubeSchedulerProfile, i): ResolvedProfile => {
    const name = p.schedulerName ?? DefaultSchedulerName;
    if (!name) throw new Error(`profiles[${i}].schedulerName: Required value`);
    if (p.percentageOfNodesToScore !== undefined && (p.percentageOfNodesToScore < 0 || p.percentageOfNodesToScore > 100)) {
      throw new Error(`profiles[${i}].percentageOfNodesToScore: Invalid value: ${p.percentageOfNodesToScore}: not in valid range [0-100]`);
    }
    const pluginConfig = new Map<string, Record<string, unknown>>();
    for (const [j, pc] of (p.pluginConfig ?? []).entries()) {
      if (pluginConfig.has(pc.name)) throw new Error(`profiles[${i}].pluginConfig[${j}]: Duplicate value: "${pc.name}"`);
      pluginConfig.set(pc.name, pc.args ?? {});
    }
    return { schedulerName: name, percentageOfNodesToScore: p.percentageOfNodesToScore, plugins: mergePlugins(p.plugins), pluginConfig };
  });
  const seen = new Set<string>();
  for (const [i, p] of profiles.entries()) {
    if (seen.has(p.schedulerName)) throw new Error(`profiles[${i}].schedulerName: Duplicate value: "${p.schedulerName}"`);
    seen.add(p.schedulerName);
  }
  const le = cfg.leaderElection ?? {};
  durationMs(le.leaseDuration, 0);
  return {
    percentageOfNodesToScore: pct,
    podInitialBackoffMs: initial,
    podMaxBackoffMs: max,
    leaderElection: {
      leaderElect: le.leaderElect ?? true,
      leaseDuration: le.leaseDuration ?? '15s',
      renewDeadline: le.renewDeadline ?? '10s',
      retryPeriod: le.retryPeriod ?? '2s',
      resourceLock: le.resourceLock ?? 'leases',
      resourceName: le.resourceName ?? 'kube-scheduler',
      resourceNamespace: le.resourceNamespace ?? 'kube-system',
    },
    kubeconfig: cfg.clientConnection?.kubeconfig || undefined,
    clientQPS: cfg.clientConnection?.qps,
    clientBurst: cfg.clientConnection?.burst,
    profiles,
  };
}

/** loadConfig parses a --config file's text (YAML or JSON). */
export function loadConfig(text: string): ResolvedConfig {
  const doc = parseYaml(text) as KubeSchedulerConfiguration | null;
  return resolveConfig(doc ?? {});
}

export { durationMs };
