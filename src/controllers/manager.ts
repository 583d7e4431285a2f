/**
 * runControllerManager is kube-controller-manager: it (optionally) wins the
 * `kube-system/kube-controller-manager` Lease, then runs the selected controllers on one
 * shared informer factory and one ControllerRunner until leadership is lost or the signal
 * aborts.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  EventBroadcaster,
  LeaderElector,
  LeaseLock,
  SharedInformerFactory,
  apiEventSink,
  realClock,
  type Clock,
  type RestClient,
} from '../client/index.js';
import { ControllerRunner, type Controller, type ControllerContext } from './runner.js';
import { newDeploymentController } from './deployment.js';
import { newDisruptionController } from './disruption.js';
import { newEndpointsController } from './endpoints.js';
import { newEndpointSliceController } from './endpointslice.js';
import { newEndpointSliceMirroringController } from './endpointslicemirroring.js';
import { newGarbageCollector } from './garbagecollector.js';
import { newNodeIPAMController } from './nodeipam.js';
import { newNodeLifecycleController } from './nodelifecycle.js';
import { newPodGCController } from './podgc.js';
import { newNamespaceController } from './namespace.js';
import { newRootCACertPublisher, newServiceAccountsController } from './serviceaccount.js';
import { newResourceQuotaController } from './resourcequota.js';
import { newReplicaSetController, newReplicationControllerController } from './replicaset.js';
import { newPVCProtectionController } from './pvcprotection.js';
import { newPVProtectionController } from './pvprotection.js';

/** ControllerManagerOptions mirrors kube-controller-manager's flags (durations in ms). */
export interface ControllerManagerOptions {
  client: RestClient;
  /** controllers as `--controllers`: `*` enables the defaults, `foo` enables, `-foo` disables. */
  controllers?: readonly string[];
  leaderElect?: boolean;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** identity of this candidate (default `<hostname>_<random>`). */
  identity?: string;
  /** concurrency per controller name (`--concurrent-deployment-syncs` → `deployment`). */
  concurrency?: Readonly<Record<string, number>>;
  clock?: Clock;
  /** settings shared with controllers that need them. */
  settings?: ControllerSettings;
  log?: (msg: string, err?: unknown) => void;
  /** onStartedLeading is told when this instance starts running controllers (tests, logs). */
  onStartedLeading?: () => void;
}

/** ControllerSettings are per-controller knobs from flags. */
export interface ControllerSettings {
  /** rootCA is the PEM published as `ca.crt` in every namespace's kube-root-ca.crt ConfigMap. */
  rootCA?: string;
  nodeMonitorGracePeriodMs?: number;
  /** defaultTolerationSeconds for pods admitted without not-ready/unreachable tolerations (300). */
  defaultTolerationSeconds?: number;
  terminatedPodGCThreshold?: number;
  allocateNodeCIDRs?: boolean;
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  gcIgnoredResources?: readonly string[];
  /** mirroringMaxEndpointsPerSubset: `--mirroring-max-endpoints-per-subset` (1000). */
  mirroringMaxEndpointsPerSubset?: number;
}

/** Factory builds a controller, or undefined when its settings turn it off (nodeipam without --allocate-node-cidrs). */
type Factory = (ctx: ControllerContext, workers: number | undefined, settings: ControllerSettings) => Controller | undefined;

interface Registration {
  name: string;
  aliases: string[];
  factory: Factory;
  /** disabledByDefault controllers run only when named in --controllers. */
  disabledByDefault?: boolean;
}

const registry: Registration[] = [
  { name: 'deployment-controller', aliases: ['deployment'], factory: (c, w) => newDeploymentController(c, { workers: w }) },
  { name: 'replicaset-controller', aliases: ['replicaset'], factory: (c, w) => newReplicaSetController(c, { workers: w }) },
  { name: 'replicationcontroller-controller', aliases: ['replicationcontroller'], factory: (c, w) => newReplicationControllerController(c, { workers: w }) },
  {
    name: 'garbage-collector-controller',
    aliases: ['garbagecollector'],
    factory: (c, w, s) => newGarbageCollector(c, { workers: w, ...(s.gcIgnoredResources ? { ignoredResources: s.gcIgnoredResources } : {}) }),
  },
  { name: 'namespace-controller', aliases: ['namespace'], factory: (c, w) => newNamespaceController(c, { workers: w }) },
  { name: 'serviceaccount-controller', aliases: ['serviceaccount'], factory: (c, w) => newServiceAccountsController(c, w) },
  { name: 'resourcequota-controller', aliases: ['resourcequota'], factory: (c, w) => newResourceQuotaController(c, w) },
  { name: 'endpoints-controller', aliases: ['endpoint'], factory: (c, w) => newEndpointsController(c, w) },
  { name: 'endpointslice-controller', aliases: ['endpointslice'], factory: (c, w) => newEndpointSliceController(c, { workers: w }) },
  {
    name: 'endpointslice-mirroring-controller',
    aliases: ['endpointslicemirroring'],
    factory: (c, w, s) => newEndpointSliceMirroringController(c, { workers: w, ...(s.mirroringMaxEndpointsPerSubset !== undefined ? { maxEndpointsPerSubset: s.mirroringMaxEndpointsPerSubset } : {}) }),
  },
  {
    name: 'node-lifecycle-controller',
    aliases: ['nodelifecycle'],
    factory: (c, _w, s) =>
      newNodeLifecycleController(c, {
        ...(s.nodeMonitorGracePeriodMs !== undefined ? { nodeMonitorGracePeriodMs: s.nodeMonitorGracePeriodMs } : {}),
        ...(s.defaultTolerationSeconds !== undefined ? { defaultTolerationSeconds: s.defaultTolerationSeconds } : {}),
      }),
  },
  {
    name: 'pod-garbage-collector-controller',
    aliases: ['podgc'],
    factory: (c, _w, s) => newPodGCController(c, s.terminatedPodGCThreshold !== undefined ? { terminatedPodGCThreshold: s.terminatedPodGCThreshold } : {}),
  },
  {
    name: 'node-ipam-controller',
    aliases: ['nodeipam'],
    factory: (c, _w, s) =>
      s.allocateNodeCIDRs ? newNodeIPAMController(c, { ...(s.clusterCIDR ? { clusterCIDR: s.clusterCIDR } : {}), ...(s.nodeCIDRMaskSize ? { nodeCIDRMaskSize: s.nodeCIDRMaskSize } : {}) }) : undefined,
  },
  { name: 'disruption-controller', aliases: ['disruption'], factory: (c, w) => newDisruptionController(c, w) },
  { name: 'root-ca-certificate-publisher-controller', aliases: ['root-ca-cert-publisher'], factory: (c, _w, s) => newRootCACertPublisher(c, s.rootCA) },
  { name: 'persistentvolumeclaim-protection-controller', aliases: ['pvc-protection'], factory: (c, w) => newPVCProtectionController(c, w) },
  { name: 'persistentvolume-protection-controller', aliases: ['pv-protection'], factory: (c, w) => newPVProtectionController(c, w) },
];

/** knownControllers lists the canonical names `--controllers` accepts (aliases: the short upstream names). */
export function knownControllers(): string[] {
  return registry.map((r) => r.name);
}

function lookup(name: string): Registration | undefined {
  return registry.find((r) => r.name === name || r.aliases.includes(name));
}

/**
 * enabledControllers resolves `--controllers` as upstream: a name enables it, `-name` disables
 * it, `*` enables every controller not disabled by default; unknown names are an error.
 */
export function enabledControllers(spec: readonly string[] = ['*']): string[] {
  const on = new Set<string>();
  const off = new Set<string>();
  let star = false;
  for (const raw of spec.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    if (raw === '*') {
      star = true;
      continue;
    }
    const neg = raw.startsWith('-');
    const r = lookup(neg ? raw.slice(1) : raw);
    if (!r) throw new Error(`"${neg ? raw.slice(1) : raw}" is not in the list of known controllers`);
    (neg ? off : on).add(r.name);
  }
  return registry.filter((r) => !off.has(r.name) && (on.has(r.name) || (star && !r.disabledByDefault))).map((r) => r.name);
}

/** concurrencyFor finds a controller's worker count by its name or alias. */
function concurrencyFor(r: Registration, c: Readonly<Record<string, number>> | undefined): number | undefined {
  if (!c) return undefined;
  for (const n of [r.name, ...r.aliases]) if (c[n] !== undefined) return c[n];
  return undefined;
}

/**
 * runControllerManager resolves when `signal` aborts or leadership is lost (`lost` true in
 * the result: upstream exits then, and so does `k8ts controller-manager`).
 */
export async function runControllerManager(opts: ControllerManagerOptions, signal: AbortSignal): Promise<{ lost: boolean }> {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? ((msg: string, err?: unknown) => console.error(err === undefined ? msg : `${msg}: ${err instanceof Error ? err.message : String(err)}`));
  const names = enabledControllers(opts.controllers);
  const runControllers = async (leading: AbortSignal): Promise<void> => {
    const broadcaster = new EventBroadcaster({ sink: apiEventSink(opts.client), clock, onError: () => {} });
    const informers = new SharedInformerFactory(opts.client, { clock, onError: (err) => log('informer error', err) });
    const ctx: ControllerContext = {
      client: opts.client,
      informers,
      clock,
      recorder: (component) => broadcaster.newRecorder({ component }),
      log,
    };
    const runner = new ControllerRunner(ctx);
    for (const n of names) {
      const r = lookup(n)!;
      const c = r.factory(ctx, concurrencyFor(r, opts.concurrency), opts.settings ?? {});
      if (c) runner.add(c);
    }
    opts.onStartedLeading?.();
    await runner.run(leading);
    await Promise.race([broadcaster.shutdown(), clock.after(1000).catch(() => {})]);
  };
  if (opts.leaderElect === false) {
    await runControllers(signal);
    return { lost: false };
  }
  const identity = opts.identity ?? `${hostname()}_${randomBytes(8).toString('hex')}`;
  let running: Promise<void> | undefined;
  const elector = new LeaderElector({
    lock: new LeaseLock(opts.client, 'kube-system', 'kube-controller-manager'),
    identity,
    leaseDurationMs: opts.leaseDurationMs ?? 15_000,
    renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
    retryPeriodMs: opts.retryPeriodMs ?? 2_000,
    releaseOnCancel: true,
    name: 'kube-controller-manager',
    clock,
    onError: (err) => log('leader election', err),
    callbacks: {
      onStartedLeading: (leading) => {
        log(`k8ts controller-manager: ${identity} became leader`);
        running = runControllers(leading).catch((err: unknown) => log('controllers failed', err));
      },
      onStoppedLeading: () => {},
    },
  });
  await elector.run(signal);
  await running;
  return { lost: !signal.aborted && running !== undefined };
}
