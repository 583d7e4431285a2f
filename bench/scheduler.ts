/**
 * bench:scheduler — modelled on scheduler_perf SchedulingBasic: N fake nodes, 1000 warm-up
 * pods, then 10,000 measured pods; average and p50 pods/s for N=500 and N=5000, plus pod
 * anti-affinity and topology-spread variants.
 *
 * Modes (both by default): `apiserver` runs the real scheduler (informers, pods/binding,
 * events) against an apiserver on in-memory SQLite in a worker thread, with nodes and pods
 * created by a second worker; `in-memory` (`--in-memory`) measures the scheduling framework
 * alone. `--json FILE` writes `pods_per_s_500_nodes`, `pods_per_s_5000_nodes` and the
 * variants (apiserver mode) and the same keys prefixed `framework_` (in-memory mode);
 * `--quick` shrinks the pod counts, `--basic-only` skips the variants, `--nodes N` runs
 * SchedulingBasic at N nodes only, `--variant affinity|spread` that variant only. Apiserver mode also prints CPU milliseconds per measured pod
 * for each thread (apiserver, load generator, scheduler) and the whole process — the figure to
 * compare on a shared machine — plus `helpers`, the rest of the process (V8's GC and compiler
 * threads, shared by all isolates; ~25% of the process at 5000 nodes), and how many Scheduled
 * events were dropped. `--datastore sqlite:///abs/path.db` puts the apiserver on a file
 * database, whose writes then run on the storage's own writer thread (default: in-memory
 * SQLite on the apiserver's thread). Experiment knobs:
 * `--in-process` (apiserver on the scheduler's thread through InProcessTransport),
 * `--transport http` (the scheduler's client reaches the apiserver's worker over loopback HTTP,
 * as a standalone `k8ts scheduler` would, instead of the default `port`: a MessagePort, as the
 * scheduler inside `k8ts server` does),
 * `--bind-concurrency N` (bindings in flight), `--max-sockets N` (scheduler connections);
 * BENCH_VERBOSE=1 logs the scheduler and whether pod creation or scheduling lags.
 */
import { writeFileSync } from 'node:fs';
import { MessageChannel, Worker } from 'node:worker_threads';
import { startApiServer } from '../src/apiserver/index.js';
import { HttpTransport, InProcessTransport, RestClient, type Transport } from '../src/client/index.js';
import { PortTransport } from '../src/client/rest/porttransport.js';
import { InMemoryCluster, resolveConfig, Scheduler } from '../src/scheduler/index.js';
import { startScheduler } from '../src/scheduler/run.js';
import { benchNode, benchPod, threadCpuSeconds, throughputStats, type Variant } from './scheduler-workloads.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const warmup = quick ? 200 : 1000;
const measured = quick ? 2000 : 10_000;
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
// `--bind-concurrency N` caps the scheduler's binding requests in flight
const bindConcurrency = flag('--bind-concurrency') ? Number(flag('--bind-concurrency')) : undefined;
// `--in-process`: the apiserver shares the scheduler's thread (InProcessTransport) rather than a worker
const inProcess = args.includes('--in-process');
const maxSockets = flag('--max-sockets') ? Number(flag('--max-sockets')) : undefined;
const datastore = flag('--datastore');
// The scheduler reaches the apiserver's thread over a MessagePort (PortTransport) by default, as the scheduler of `k8ts server` does; `--transport http` uses loopback HTTP instead, as a standalone `k8ts scheduler`
const transportKind = flag('--transport') ?? 'port';
if (transportKind !== 'http' && transportKind !== 'port') throw new Error(`--transport: want http or port, got ${transportKind}`);
if (maxSockets !== undefined && transportKind !== 'http') throw new Error('--max-sockets sizes the HTTP connection pool: use it with --transport http');

interface Result {
  avg: number;
  p50: number;
  /** CPU milliseconds per measured pod, per thread (apiserver mode) and for the whole process. */
  cpuMsPerPod?: Record<string, number>;
}

const processCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** runInMemory: the framework alone; binding and the watch are in-memory map updates. */
async function runInMemory(nodes: number, variant: Variant): Promise<Result> {
  const cluster = new InMemoryCluster();
  cluster.recordEvents = false;
  const s = new Scheduler({ client: cluster });
  cluster.sink = s;
  for (let i = 0; i < nodes; i++) cluster.createNode(benchNode(i));
  const done: number[] = [];
  let bound = 0;
  let target = warmup;
  let resolveTarget: (() => void) | undefined;
  const origUpdate = s.updatePod.bind(s);
  s.updatePod = (old, pod) => {
    origUpdate(old, pod);
    if (!old.spec?.nodeName && pod.spec?.nodeName) {
      bound++;
      if (bound > warmup) done.push(performance.now());
      if (bound >= target) resolveTarget?.();
    }
  };
  const ac = new AbortController();
  const running = s.run(ac.signal);
  const phase = async (prefix: string, n: number): Promise<void> => {
    target = bound + n;
    const reached = new Promise<void>((r) => (resolveTarget = r));
    // pods are created with distinct groups so anti-affinity stays satisfiable: one group per node count
    for (let i = 0; i < n; i++) cluster.createPod(benchPod(`${prefix}-${i}`, variant, `${prefix}-g${Math.floor(i / Math.max(1, nodes - 1))}`));
    await untilReached(reached, () => bound, `${variant} ${nodes} nodes`);
  };
  await phase('warmup', warmup);
  const cpu0 = threadCpuSeconds();
  done.push(performance.now());
  await phase('measured', measured);
  const cpu1 = threadCpuSeconds();
  ac.abort();
  await running;
  if (s.stats.unschedulable > 0) console.error(`  (${s.stats.unschedulable} unschedulable attempts)`);
  return { ...throughputStats(done), cpuMsPerPod: { scheduler: ((cpu1 - cpu0) * 1000) / measured } };
}

function worker(role: string, data: Record<string, unknown> = {}): Worker {
  return new Worker(new URL('./scheduler-worker.js', import.meta.url), { workerData: { role, ...data } });
}
const once = <T>(w: Worker): Promise<T> =>
  new Promise((resolve, reject) => {
    w.once('message', (m: T & { error?: string }) => (m && typeof m === 'object' && 'error' in m ? reject(new Error(m.error)) : resolve(m)));
    w.once('error', reject);
  });

/**
 * runWithApiserver: the scheduler (informers, bindings through pods/binding, events) against
 * an apiserver on in-memory SQLite in a worker thread, over HTTP; a second worker creates the
 * nodes and pods. A pod counts once the scheduler's watch sees it bound.
 */
async function runWithApiserver(nodes: number, variant: Variant): Promise<Result> {
  const api = worker('apiserver', datastore ? { datastore } : {});
  const { url } = await once<{ url: string }>(api);
  const creator = worker('creator', { url });
  let transport: Transport | undefined;
  if (transportKind === 'port') {
    const { port1, port2 } = new MessageChannel();
    api.postMessage({ servePort: port1 }, [port1]);
    transport = new PortTransport(port2);
  } else if (maxSockets) transport = new HttpTransport(url, {}, { maxSockets });
  // `--max-sockets N` caps the scheduler's keep-alive connections (its watches hold ~10 of them)
  const client = new RestClient({ host: url, qps: Infinity, ...(transport ? { transport } : {}) });
  return driveScheduler(nodes, variant, client, api, creator);
}

/**
 * runInProcess: as runWithApiserver, but the apiserver runs on the scheduler's thread and the
 * scheduler reaches it through the client's InProcessTransport (as `k8ts server` does); the
 * load generator still creates over HTTP from its worker.
 */
async function runInProcess(nodes: number, variant: Variant): Promise<Result> {
  const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, bindAddress: '127.0.0.1', advertiseAddress: '10.0.0.1' });
  const creator = worker('creator', { url: server.url });
  const client = new RestClient({ host: server.url, transport: new InProcessTransport(server.handler), qps: Infinity });
  try {
    return await driveScheduler(nodes, variant, client, undefined, creator);
  } finally {
    await server.close();
  }
}

async function driveScheduler(nodes: number, variant: Variant, client: RestClient, api: Worker | undefined, creator: Worker): Promise<Result> {
  const ac = new AbortController();
  const done: number[] = [];
  let bound = 0;
  let target = warmup;
  let resolveTarget: (() => void) | undefined;
  let sched: Scheduler | undefined;
  const config = resolveConfig({ leaderElection: { leaderElect: false } });
  const groupSize = Math.max(1, nodes - 1);
  let eventsDropped = 0;
  let running: Promise<void> | undefined;
  try {
    creator.postMessage({ kind: 'nodes', count: nodes });
    await once(creator);
    running = startScheduler({
      client,
      config,
      signal: ac.signal,
      ...(bindConcurrency ? { maxBindingsInFlight: bindConcurrency } : {}),
      log: (m) => {
        // a dropped Scheduled event is work the apiserver was spared: the figures must say so
        if (m.includes('event queue full')) eventsDropped++;
        if (process.env['BENCH_VERBOSE']) console.error(m);
      },
      onScheduler: (s) => {
        sched = s;
        const orig = s.updatePod.bind(s);
        s.updatePod = (old, pod) => {
          orig(old, pod);
          if (!old.spec?.nodeName && pod.spec?.nodeName) {
            bound++;
            if (bound > warmup) done.push(performance.now());
            if (bound >= target) resolveTarget?.();
          }
        };
      },
    });
    const phase = async (prefix: string, n: number): Promise<void> => {
      target = bound + n;
      const reached = new Promise<void>((r) => (resolveTarget = r));
      const t0 = performance.now();
      const b0 = bound;
      creator.postMessage({ kind: 'pods', count: n, prefix, variant, groupSize });
      await once(creator);
      // whether the load generator or the scheduling side is behind
      const created = performance.now();
      if (process.env['BENCH_VERBOSE']) console.error(`${prefix}: ${n} pods created in ${((created - t0) / 1000).toFixed(1)} s, ${bound - b0} bound by then`);
      await untilReached(reached, () => bound, `${variant} ${nodes} nodes`);
      if (process.env['BENCH_VERBOSE']) console.error(`${prefix}: all bound ${((performance.now() - created) / 1000).toFixed(1)} s later`);
    };
    const cpu = async (): Promise<Record<string, number>> => {
      api?.postMessage('cpu');
      creator.postMessage({ kind: 'cpu' });
      const [a, c] = await Promise.all([api ? once<{ cpu: number }>(api) : undefined, once<{ cpu: number }>(creator)]);
      const own = threadCpuSeconds();
      return { ...(a ? { apiserver: a.cpu, scheduler: own } : { 'apiserver+scheduler': own }), creator: c.cpu, process: processCpuSeconds() };
    };
    await phase('warmup', warmup);
    const cpu0 = await cpu();
    done.push(performance.now());
    await phase('measured', measured);
    const cpu1 = await cpu();
    if (sched && sched.stats.unschedulable > 0) console.error(`  (${sched.stats.unschedulable} unschedulable attempts)`);
    if (eventsDropped > 0) console.error(`  (${eventsDropped} events dropped: the scheduler's event queue was full)`);
    const cpuMsPerPod = Object.fromEntries(Object.keys(cpu1).map((k) => [k, ((cpu1[k]! - cpu0[k]!) * 1000) / measured]));
    // what no JavaScript thread accounts for: V8's shared helper threads (parallel and concurrent GC, background compilation) and libuv's pool
    cpuMsPerPod['helpers'] = Object.entries(cpuMsPerPod).reduce((left, [k, v]) => (k === 'process' ? left : left - v), cpuMsPerPod['process']!);
    return { ...throughputStats(done), cpuMsPerPod };
  } finally {
    ac.abort();
    await running;
    client.close();
    creator.postMessage({ kind: 'stop' });
    if (api) {
      api.postMessage('stop');
      await once(api);
    }
    await Promise.all([api?.terminate(), creator.terminate()]);
  }
}

/** untilReached waits for `reached`, failing when no pod is bound for 60 s (a stuck workload). */
async function untilReached(reached: Promise<void>, progress: () => number, what: string): Promise<void> {
  let last = progress();
  let lastChange = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const p = progress();
      if (p !== last) {
        last = p;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 60_000) reject(new Error(`${what}: no pod bound for 60 s (stuck at ${p})`));
    }, 1000);
  });
  try {
    await Promise.race([reached, stalled]);
  } finally {
    clearInterval(timer);
  }
}

const results: Record<string, number> = {};
async function measure(label: string, key: string, fn: () => Promise<Result>): Promise<void> {
  const r = await fn();
  results[key] = Math.round(r.avg);
  results[`${key}_p50`] = Math.round(r.p50);
  let line = `${label.padEnd(48)} avg ${Math.round(r.avg).toString().padStart(6)} pods/s   p50 ${Math.round(r.p50).toString().padStart(6)} pods/s`;
  if (r.cpuMsPerPod) {
    // CPU per pod is what the shared, loaded machine does not distort much
    line += `   CPU ms/pod: ${Object.entries(r.cpuMsPerPod)
      .map(([t, ms]) => `${t} ${ms.toFixed(3)}`)
      .join(', ')}`;
    for (const [t, ms] of Object.entries(r.cpuMsPerPod)) results[`${key}_cpu_ms_per_pod_${t}`] = Number(ms.toFixed(4));
  }
  console.log(line);
}

// Default: both modes. `--in-memory` or `--apiserver-only` runs one.
const modes: Array<'apiserver' | 'in-memory'> = args.includes('--in-memory') ? ['in-memory'] : args.includes('--apiserver-only') ? ['apiserver'] : ['apiserver', 'in-memory'];
const only = args.includes('--basic-only');
// `--nodes N` runs SchedulingBasic at one node count only (profiling)
const nodesIdx = args.indexOf('--nodes');
const onlyNodes = nodesIdx >= 0 ? Number(args[nodesIdx + 1]) : undefined;
// `--variant basic|affinity|spread` runs that workload only (at --nodes, default 5000)
const onlyVariant = flag('--variant') as Variant | undefined;
for (const mode of modes) {
  const run = mode === 'in-memory' ? runInMemory : inProcess ? runInProcess : runWithApiserver;
  // apiserver-mode figures are the headline keys; in-memory ones are prefixed `framework_`
  const k = (key: string): string => (mode === 'in-memory' ? `framework_${key}` : key);
  console.log(
    mode === 'in-memory'
      ? `\n[in-memory] the scheduling framework alone, no apiserver (bindings and watch events are map updates) — ${warmup} warm-up + ${measured} measured pods`
      : `\n[apiserver] scheduler (informers, pods/binding, events over ${transportKind === 'port' ? 'a MessagePort' : 'HTTP'}) + apiserver on in-memory SQLite in a worker thread — ${warmup} warm-up + ${measured} measured pods`,
  );
  if (onlyNodes !== undefined || onlyVariant !== undefined) {
    const n = onlyNodes ?? 5000;
    const v = onlyVariant ?? 'basic';
    await measure(`${v} ${n} nodes`, k(`pods_per_s_${n}_nodes${v === 'basic' ? '' : v === 'affinity' ? '_anti_affinity' : '_topology_spread'}`), () => run(n, v));
    continue;
  }
  await measure('SchedulingBasic 500 nodes', k('pods_per_s_500_nodes'), () => run(500, 'basic'));
  await measure('SchedulingBasic 5000 nodes', k('pods_per_s_5000_nodes'), () => run(5000, 'basic'));
  if (!only) {
    await measure('PodAntiAffinity (hostname) 5000 nodes', k('pods_per_s_5000_nodes_anti_affinity'), () => run(5000, 'affinity'));
    await measure('TopologySpread (zone + hostname) 5000 nodes', k('pods_per_s_5000_nodes_topology_spread'), () => run(5000, 'spread'));
  }
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');
