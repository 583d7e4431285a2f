/**
 * bench:density — upstream's density test / ClusterLoader2 anchor: a control plane, N simulated
 * nodes (kwok-style SimulatedNodes in their own process), then ClusterLoader2's density test
 * (testing/density/config.yaml) in its two phases:
 *
 * - Saturation: P pods through Deployments shaped as that test's saturation pods — one namespace
 *   per 100 nodes (NODES_PER_NAMESPACE), one Deployment per namespace holding that namespace's
 *   share (PODS_PER_NODE 30 × 100 = 3000 at the defaults), requests cpu 1m / memory 10M, created
 *   at 5 per second (tuning set Uniform5qps). Prints how long until all of them ran and the
 *   throughput (pods/s); their startup latencies (saturation_pod_startup_*) mostly measure how
 *   long they queued behind each other, as ClusterLoader2's SaturationPodStartupLatency does.
 * - Latency: --latency-pods Deployments of one pod each (requests cpu 100m / memory 350M:
 *   LATENCY_POD_CPU / LATENCY_POD_MEMORY) created at 5 per second on the saturated cluster: pod
 *   startup latency p50/p90/p99 (pod_startup_*; upstream's SLI: pod first seen by a watch →
 *   first seen Running by the watch; SLO p99 ≤ 5 s), as ClusterLoader2's PodStartupLatency.
 *
 * Also API latency p99 by verb during saturation (server side, as ClusterLoader2's APIResponsivenessPrometheus:
 * the apiserver's apiserver_request_duration_seconds histogram from GET /metrics, scraped with
 * the admin kubeconfig at the start and end of the measured window, p99 by histogram_quantile
 * over the bucket increases; every client counts, the in-process controllers and scheduler too;
 * WATCH and CONNECT left out; the same against another cluster with --kubeconfig, given
 * `get` on /metrics), and peak RSS (VmHWM) of each process. Then the process runtime:
 * a real `k8ts kubelet` and a Deployment of 100 `sleep` pods, startup p50/p99.
 *
 *   --nodes N (1000)  --pods P (30000)  --process-pods M (100; 0 skips)  --timeout S (300)
 *   --latency-pods L (500, ClusterLoader2's MIN_LATENCY_PODS; it runs max(500, N); 0 skips)
 *   --qps Q (5)       Deployments created at Q per second, as ClusterLoader2's density test creates
 *                     its objects (tuning set Uniform5qps); 0 creates them all at once, 16 in flight
 *   --replicas R      Deployments of R replicas instead (spread over the namespaces in turn): many
 *                     small Deployments at 5 qps make the creation schedule, not the cluster, set
 *                     all_running_s (300 of 100 take 59.8 s to create)
 *   --json FILE       pod_startup_p50_ms, pod_startup_p90_ms, pod_startup_p99_ms (latency pods),
 *                     saturation_pod_startup_p50_ms, _p90_ms, _p99_ms, all_running_s (saturation),
 *                     pods_per_s, process_pod_startup_p50_ms, process_pod_startup_p99_ms, rss_mb,
 *                     api_p99_ms_<verb> (create, update, patch, apply, delete, get, list) and
 *                     api_p99_ms_<verb>_<resource>[_<subresource>] for the busiest (verb, resource)s,
 *                     last_deployment_* (the last Deployment's chain from its create: first pod
 *                     seen, all its pods created, bound, Running — what all_running_s adds to the
 *                     creation time)
 *   --kubelet-sync N  instead of all this, only the kubelet's CPU per pod without network (see kubeletSync)
 *   --idle-sample S (5) seconds of idle CPU sampled before the load (see *_net below)
 *   --kubeconfig F    run the load and the nodes against that cluster instead of starting k8ts
 *   --profile DIR     write CPU profiles of the server and the simulated nodes there
 *
 * Diagnostics (environment): BENCH_NODE_ARGS="..." adds node flags to the k8ts server only
 * (e.g. `--import /path/probe.mjs` to preload a probe, `--cpu-prof --cpu-prof-dir D`); with
 * K8TS_APISERVER_TRACE=FILE set, the server writes its per-request latency breakdown there
 * (see src/apiserver/metrics/trace.ts); the environment reaches the server unchanged.
 *
 * CPU per pod (cpu_ms_per_pod_*): CPU time (user+sys, /proc) each process — and the server's
 * main thread on its own — spent from the first Deployment until all pods ran, divided by the
 * pods: the figure to compare on a loaded machine, where wall-clock latencies are noise.
 * cpu_ms_per_pod_*_net subtracts what the process spends idle (sampled for --idle-sample
 * seconds with every node Ready and no pods: Lease renewals, node status syncs, periodic
 * controller work) for the same time, so it does not grow when a loaded machine stretches the
 * run. The server's idle rate right after 1000 nodes registered is not steady: trust the
 * nodes' figure more.
 *
 * The nodes process also times each pod (PodTrace) and the bench splits scheduled → Running
 * into node_watch (bench's watch saw it bound → the nodes' watch did), node_sync (→ the kubelet
 * handed over the Running status), node_queue (→ patch sent), node_patch (→ answered) and
 * node_echo (→ bench's watch saw Running), p50/p99 each in the JSON; status_patches_per_pod
 * counts the pod status patches the apiserver accepted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { RestClient } from '../src/client/rest/client.js';
import { gvr } from '../src/client/rest/gvr.js';
import { loadKubeconfig, restConfigFromKubeconfig } from '../src/client/rest/kubeconfig.js';
import { launchFlags } from './lib/launch.js';
import { count, delta, histogramQuantile, histograms, parsePrometheusText, type Sample } from './lib/prometheus.js';
import { SimulatedNodes, type PodTrace } from '../src/kubelet/simnodes.js';
import { PodLifecycle, type PodHost } from '../src/kubelet/pods.js';
import { SimulatedRuntime } from '../src/kubelet/runtime/simulated.js';
import { TimerHeap } from '../src/kubelet/timerheap.js';
import { realClock } from '../src/kubelet/clock.js';
import type { ApiObject } from '../src/client/object.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string, def: number): number => Number(flag(name) ?? def);
const root = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = join(root, 'bin', 'k8ts.js');
const NODE_PREFIX = 'density-node-';
/** NS names the namespace of the process-runtime pods (and kubeletSync's); the saturation pods use nsName(k). */
const NS = 'density';
/** NODES_PER_NAMESPACE: ClusterLoader2's density test puts one namespace (and one saturation Deployment) per 100 nodes. */
const NODES_PER_NAMESPACE = 100;
const nsName = (k: number): string => (k === 0 ? NS : `${NS}-${k}`);

const clientFor = (kubeconfig: string): RestClient => new RestClient({ ...restConfigFromKubeconfig(loadKubeconfig([kubeconfig])), qps: Infinity, userAgent: 'k8ts-density' });

/** The child role: host the simulated nodes in their own process (its RSS is reported apart). */
async function nodesChild(): Promise<void> {
  const client = clientFor(flag('--kubeconfig')!);
  const ac = new AbortController();
  process.on('SIGTERM', () => ac.abort());
  const traceFile = flag('--trace');
  const sim = new SimulatedNodes({ client, count: num('--nodes', 1000), namePrefix: NODE_PREFIX, log: () => {}, trace: traceFile !== undefined });
  // SIGUSR2: write the pod traces and the status patch count, then say so on stdout.
  process.on('SIGUSR2', () => {
    if (!traceFile) return;
    writeFileSync(traceFile, JSON.stringify({ statusPatches: sim.statusPatches, pods: [...sim.traces] }));
    process.stdout.write('trace\n');
  });
  await sim.run(ac.signal, () => process.stdout.write('ready\n'));
  process.exit(0);
}

const peakRssMb = (pid: number | undefined): number => {
  if (!pid) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};

/** cpuMs is the CPU time (user+sys) of a process, or of one of its threads, from /proc (NaN if gone). */
function cpuMs(pid: number | undefined, tid?: number): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised command: utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100;

const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

/** pcts is the JSON fields `<name>_p<p>_ms` of a sorted sample, rounded, in the order of ps. */
const pcts = (name: string, sorted: number[], ps: number[] = [50, 99]): Record<string, number> => Object.fromEntries(ps.map((p) => [`${name}_p${p}_ms`, Math.round(pct(sorted, p))]));

/** The bench's verb names for upstream's metric verbs (POST is create, ...), as its JSON keys have them. */
const VERB_NAMES: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', APPLY: 'apply', DELETE: 'delete', DELETECOLLECTION: 'deletecollection', GET: 'get', LIST: 'list' };
const DURATION = 'apiserver_request_duration_seconds';

/** scrapeMetrics reads the apiserver's GET /metrics (k8ts's or kube-apiserver's: the same text format). */
async function scrapeMetrics(client: RestClient): Promise<Sample[]> {
  return parsePrometheusText(await client.requestText({ method: 'GET', path: '/metrics', accept: 'text/plain;version=0.0.4' }));
}

/**
 * apiP99 is the server-side p99 (ms) and count of each verb — and of each (verb, resource,
 * subresource) — over the window between two scrapes: histogram_quantile(0.99, sum by (verb, le)
 * (increase(apiserver_request_duration_seconds_bucket))), long-running verbs (WATCH, CONNECT) left out as
 * ClusterLoader2 does. Upstream's buckets start at 5 ms: below that the figure is an interpolation.
 */
function apiP99(before: Sample[], after: Sample[]): { byVerb: Map<string, { p99: number; n: number }>; byResource: Map<string, { p99: number; n: number }> } {
  const counted = (l: Record<string, string>): boolean => l['verb'] !== 'WATCH' && l['verb'] !== 'WATCHLIST' && l['verb'] !== 'CONNECT' && l['verb'] !== 'PROXY';
  const summarize = (by: string[]): Map<string, { p99: number; n: number }> => {
    const b = histograms(before, DURATION, by, counted);
    const out = new Map<string, { p99: number; n: number }>();
    for (const [k, h] of histograms(after, DURATION, by, counted)) {
      const d = delta(h, b.get(k));
      const n = count(d);
      if (n > 0) out.set(k, { p99: histogramQuantile(0.99, d) * 1000, n });
    }
    return out;
  };
  return { byVerb: summarize(['verb']), byResource: summarize(['verb', 'resource', 'subresource']) };
}

/** PodWatch records, per pod, when the watch first saw it and when it first saw it Running. */
class PodWatch {
  readonly seen = new Map<string, number>();
  readonly running = new Map<string, number>();
  /** scheduled: when the watch first saw spec.nodeName (splits the latency into scheduling and node). */
  readonly scheduled = new Map<string, number>();
  /** deploymentOf: each pod's `deployment` label, to time one Deployment's pods (the last one's chain). */
  readonly deploymentOf = new Map<string, string>();
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  private readonly ac = new AbortController();
  constructor(
    private readonly client: RestClient,
    private readonly selector: string,
  ) {}
  async start(): Promise<void> {
    // Every namespace: the saturation pods are spread over one per 100 nodes.
    const pods = this.client.resource<Pod & ApiObject>(gvr.pods);
    const list = await pods.list({ labelSelector: this.selector });
    const loop = async (rv: string): Promise<void> => {
      while (!this.ac.signal.aborted) {
        try {
          for await (const ev of pods.watch({ labelSelector: this.selector, resourceVersion: rv, allowWatchBookmarks: true, signal: this.ac.signal })) {
            if (ev.type === 'ERROR') throw new Error('watch error');
            const obj = ev.object as Pod & ApiObject;
            if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
            if (ev.type === 'BOOKMARK' || ev.type === 'DELETED') continue;
            const uid = obj.metadata?.uid ?? '';
            const now = performance.now();
            if (!this.seen.has(uid)) {
              this.seen.set(uid, now);
              this.deploymentOf.set(uid, obj.metadata?.labels?.['deployment'] ?? '');
            }
            if (obj.spec?.nodeName && !this.scheduled.has(uid)) this.scheduled.set(uid, now);
            if (obj.status?.phase === 'Running' && !this.running.has(uid)) {
              this.running.set(uid, now);
              this.waiters = this.waiters.filter((w) => (this.running.size >= w.n ? (w.resolve(), false) : true));
            }
          }
        } catch {
          if (this.ac.signal.aborted) return;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    void loop(list.metadata.resourceVersion ?? '0');
  }
  /** untilRunning resolves once n pods ran (false on timeout). */
  untilRunning(n: number, timeoutMs: number): Promise<boolean> {
    if (this.running.size >= n) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push({ n, resolve: () => (clearTimeout(t), resolve(true)) });
    });
  }
  latencies(): number[] {
    const out: number[] = [];
    for (const [uid, r] of this.running) out.push(r - (this.seen.get(uid) ?? r));
    return out.sort((a, b) => a - b);
  }
  /** phases: created → scheduled and scheduled → Running, each sorted. */
  phases(): { scheduling: number[]; node: number[] } {
    const scheduling: number[] = [];
    const node: number[] = [];
    for (const [uid, r] of this.running) {
      const c = this.seen.get(uid) ?? r;
      const sch = this.scheduled.get(uid) ?? c;
      scheduling.push(sch - c);
      node.push(r - sch);
    }
    return { scheduling: scheduling.sort((a, b) => a - b), node: node.sort((a, b) => a - b) };
  }
  /** chain: when a Deployment's pods were first and last seen, last bound and last Running (undefined if none). */
  chain(deployment: string): { firstSeen: number; lastSeen: number; lastScheduled: number; lastRunning: number } | undefined {
    let c: { firstSeen: number; lastSeen: number; lastScheduled: number; lastRunning: number } | undefined;
    for (const [uid, d] of this.deploymentOf) {
      if (d !== deployment) continue;
      const seen = this.seen.get(uid)!;
      const sch = this.scheduled.get(uid) ?? NaN;
      const run = this.running.get(uid) ?? NaN;
      if (!c) c = { firstSeen: seen, lastSeen: seen, lastScheduled: sch, lastRunning: run };
      else Object.assign(c, { firstSeen: Math.min(c.firstSeen, seen), lastSeen: Math.max(c.lastSeen, seen), lastScheduled: Math.max(c.lastScheduled, sch), lastRunning: Math.max(c.lastRunning, run) });
    }
    return c;
  }
  stop(): void {
    this.ac.abort();
  }
}

/** readNodeTrace asks the nodes process for its pod traces (SIGUSR2) and reads them; undefined if it does not answer in 10 s. */
async function readNodeTrace(proc: ChildProcess, lines: ReturnType<typeof createInterface>, file: string): Promise<{ statusPatches: number; pods: Array<[string, PodTrace]> } | undefined> {
  const written = new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), 10_000);
    lines.on('line', (l) => {
      if (l === 'trace') (clearTimeout(t), resolve(true));
    });
  });
  proc.kill('SIGUSR2');
  if (!(await written)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as { statusPatches: number; pods: Array<[string, PodTrace]> };
}

/** The steps of scheduled → Running the nodes process timed (see podSteps), in order. */
const NODE_STEPS = ['node_watch', 'node_sync', 'node_queue', 'node_patch', 'node_echo'] as const;

/**
 * podSteps breaks one pod's scheduled → Running (as the bench's watch saw both) into the steps
 * the nodes process timed: until its watch delivered the bound pod, until the kubelet handed
 * over the Running status, until the patch was sent, until it was answered, and until the
 * bench's watch saw Running (NaN where the trace lacks a time); undefined if the bench did not
 * see both. Times of both processes are epoch ms (timeOrigin + now).
 */
function podSteps(watch: PodWatch, uid: string, t: PodTrace): number[] | undefined {
  const sch = watch.scheduled.get(uid);
  const run = watch.running.get(uid);
  if (sch === undefined || run === undefined) return undefined;
  const epoch = (x: number): number => performance.timeOrigin + x;
  const setAt = t.setAt ?? NaN;
  const sentAt = t.sentAt ?? NaN;
  const doneAt = t.doneAt ?? NaN;
  return [t.seen - epoch(sch), setAt - t.seen, sentAt - setAt, doneAt - sentAt, epoch(run) - doneAt];
}

/** nodeSplit collects podSteps of every fully traced pod, each step sorted. */
function nodeSplit(watch: PodWatch, traces: Array<[string, PodTrace]>): Record<(typeof NODE_STEPS)[number], number[]> {
  const out = Object.fromEntries(NODE_STEPS.map((k) => [k, [] as number[]])) as Record<(typeof NODE_STEPS)[number], number[]>;
  for (const [uid, t] of traces) {
    const steps = podSteps(watch, uid, t);
    if (!steps || steps.some(Number.isNaN)) continue;
    NODE_STEPS.forEach((k, i) => out[k].push(steps[i]!));
  }
  for (const v of Object.values(out)) v.sort((a, b) => a - b);
  return out;
}

/** slowest describes the n pods slowest from first seen to Running, step by step. */
function slowest(watch: PodWatch, traces: Array<[string, PodTrace]>, n: number): string {
  const byUid = new Map(traces);
  const ms = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '?' : String(Math.round(x)));
  return [...watch.running]
    .map(([uid, run]) => ({ uid, total: run - (watch.seen.get(uid) ?? run) }))
    .sort((a, b) => b.total - a.total)
    .slice(0, n)
    .map(({ uid, total }) => {
      const seen = watch.seen.get(uid)!;
      const sch = watch.scheduled.get(uid);
      const t = byUid.get(uid);
      const steps = (t && podSteps(watch, uid, t)) ?? [];
      return `${ms(total)} = ${ms(sch === undefined ? undefined : sch - seen)} + [${steps.map(ms).join(', ')}]`;
    })
    .join('; ');
}

function deployment(
  name: string,
  replicas: number,
  labels: Record<string, string>,
  nodeSelector: Record<string, string>,
  command?: string[],
  namespace = NS,
  requests: Record<string, string> = { cpu: '1m', memory: '10M' },
): Deployment & ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { ...labels, deployment: name } },
      template: {
        metadata: { labels: { ...labels, deployment: name } },
        spec: {
          nodeSelector,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', ...(command ? { command } : {}), resources: { requests } }],
        },
      },
    },
  } as Deployment & ApiObject;
}

/**
 * createAll creates the Deployments, each in its own namespace: at `qps` per second as
 * ClusterLoader2's qpsLoad tuning sets do (object i at t0 + i/qps, none waiting for the
 * previous), or with qps 0 all at once, 16 in flight. Returns when the last one was sent.
 */
async function createAll(client: RestClient, deployments: Array<Deployment & ApiObject>, qps: number): Promise<number> {
  const create = (d: Deployment & ApiObject): Promise<unknown> => client.resource<Deployment & ApiObject>(gvr.deployments).namespace(d.metadata!.namespace!).create(d);
  let lastSent = NaN;
  const t0 = performance.now();
  if (qps > 0) {
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < deployments.length; i++) {
      const wait = t0 + (i * 1000) / qps - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (i === deployments.length - 1) lastSent = performance.now();
      pending.push(create(deployments[i]!));
    }
    await Promise.all(pending);
    return lastSent;
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < deployments.length) {
        if (next === deployments.length - 1) lastSent = performance.now();
        await create(deployments[next++]!);
      }
    }),
  );
  return lastSent;
}

/** waitFor polls fn every intervalMs (default 250) until it is true. */
async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * readyNodes counts the nodes ClusterLoader2 counts as ready to take pods (its
 * IsNodeSchedulableAndUntainted): Ready, not cordoned, and no NoSchedule/NoExecute taint — a new
 * Node carries node.kubernetes.io/not-ready (TaintNodesByCondition) until the node lifecycle
 * controller sees it Ready.
 */
async function readyNodes(client: RestClient, prefix: string): Promise<number> {
  type N = ApiObject & { spec?: { unschedulable?: boolean; taints?: Array<{ effect: string }> }; status?: { conditions?: Array<{ type: string; status: string }> } };
  const list = await client.resource<N>(gvr.nodes).list();
  return list.items.filter(
    (n) =>
      n.metadata?.name?.startsWith(prefix) &&
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
      !n.spec?.unschedulable &&
      !n.spec?.taints?.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
  ).length;
}

/**
 * kubeletSync (--kubelet-sync N) measures the kubelet's own per-pod CPU with no network and no
 * apiserver: N pods (30 per node) through PodLifecycle on the simulated runtime, each then
 * delivered again with its status changed (the watch's echo of the kubelet's own patch), as the
 * simulated nodes see them. Repeatable on a loaded machine, unlike the whole pipeline.
 */
async function kubeletSync(n: number): Promise<void> {
  const perNode = 30;
  const heap = new TimerHeap(realClock);
  let statuses = 0;
  const host: PodHost = { recordEvent: () => {}, setPodStatus: (_p, st) => void (statuses++, JSON.stringify(st)), deletePod: async () => {} };
  const kubernetes = { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } };
  const sources = { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async (ns: string) => (ns === 'default' ? [kubernetes] : []) };
  const nodes = Array.from({ length: Math.ceil(n / perNode) }, (_, i) => new PodLifecycle({ runtime: new SimulatedRuntime({ heap }), heap, rootDir: `/nonexistent/n${i}`, nodeName: `n${i}`, nodeIP: '10.0.0.9', host, sources, fileless: true, resyncMs: 600_000 }));
  const podJSON = (i: number, phase: string): string =>
    JSON.stringify({
      metadata: { name: `density-0-${i}`, namespace: NS, uid: `uid-${i}`, labels: { app: 'density', deployment: 'density-0' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'density-0-5d8f7c9b', uid: 'rs', controller: true }], resourceVersion: '1' },
      spec: { ...deployment('density-0', 1, { app: 'density' }, { 'node.kubernetes.io/simulated': 'true' }).spec!.template.spec, nodeName: `n${Math.floor(i / perNode)}`, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', enableServiceLinks: true },
      status: { phase, conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
    });
  // The pods arrive as the watch delivers them: parsed objects, parsed before the clock starts.
  const added = Array.from({ length: n }, (_, i) => JSON.parse(podJSON(i, 'Pending')) as Pod);
  const echoed = Array.from({ length: n }, (_, i) => JSON.parse(podJSON(i, 'Running')) as Pod);
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    nodes[Math.floor(i / perNode)]!.updatePod(added[i]!);
    if (i % 100 === 99) await tick();
  }
  for (let i = 0; i < n; i++) {
    nodes[Math.floor(i / perNode)]!.updatePod(echoed[i]!);
    if (i % 100 === 99) await tick();
  }
  for (let k = 0; k < 20; k++) await tick();
  const c = process.cpuUsage(c0);
  console.log(`density: kubelet sync only, ${n} pods: ${(((c.user + c.system) / n)).toFixed(0)} µs CPU per pod, ${(statuses / n).toFixed(2)} statuses per pod`);
  for (const l of nodes) l.stop();
  heap.stop();
}

async function main(): Promise<void> {
  if (flag('--role') === 'nodes') return nodesChild();
  if (flag('--kubelet-sync')) return kubeletSync(num('--kubelet-sync', 20_000));
  const nodes = num('--nodes', 1000);
  const podsWanted = num('--pods', 30_000);
  const processPods = num('--process-pods', 100);
  const timeoutMs = num('--timeout', 300) * 1000;
  const qps = num('--qps', 5);
  const jsonFile = flag('--json');
  const external = flag('--kubeconfig');
  // --profile DIR: CPU profiles (node --cpu-prof) of the server and the simulated nodes.
  const profile = flag('--profile');
  const prof = profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : [];
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-density-'));
  const children: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let kubeconfig = external ?? join(dir, 'admin.yaml');

  const cleanup = async (): Promise<void> => {
    for (const c of children.reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await new Promise((r) => c.once('exit', r));
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Stopped from outside (timeout, Ctrl-C): stop the server and the nodes too, and remove the temp dir.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      console.error(`density: ${sig}, cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    if (!external) {
      kubeconfig = join(dir, 'admin.yaml');
      // A cluster CIDR with a /24 for every node, as a cluster sized for N nodes has (the default
      // 10.42.0.0/16 holds 256): otherwise node IPAM fails, logs and retries for every node past
      // the 256th on each of its heartbeats, work no real cluster of this size does.
      const cidrBits = Math.max(8, Math.ceil(Math.log2(Math.max(nodes, 256))));
      const clusterCIDR = cidrBits <= 8 ? [] : ['--cluster-cidr', `10.128.0.0/${24 - cidrBits}`];
      const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
      server = spawn(process.execPath, [...launchFlags(bin), ...prof, ...extra, bin, 'server', '--data-dir', join(dir, 'data'), '--https-listen-port', '0', '--bind-address', '127.0.0.1', '--disable-agent', ...clusterCIDR, '-o', kubeconfig], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(server);
      let startup = '';
      const lines = createInterface({ input: server.stderr! });
      lines.on('line', (line) => {
        if (startup.length < 20_000) startup += line + '\n';
      });
      await waitFor('k8ts server', async () => {
        if (server!.exitCode !== null) throw new Error(`k8ts server exited: ${startup}`);
        return existsSync(kubeconfig) && /scheduler: ready/.test(startup) && /controller-manager: ready/.test(startup);
      }, 60_000);
    }
    const client = clientFor(kubeconfig);
    const self = new URL(import.meta.url).pathname;

    // Nodes.
    const t0Nodes = performance.now();
    const traceFile = join(dir, 'trace.json');
    const nodesProc = spawn(process.execPath, [...launchFlags(bin), ...prof, self, '--role', 'nodes', '--kubeconfig', kubeconfig, '--nodes', String(nodes), '--trace', traceFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(nodesProc);
    const nodeLines = createInterface({ input: nodesProc.stdout! });
    // Listing every Node is ~3 KB per node: at 1000 nodes the poll itself would load the apiserver, so it slows with the node count.
    await waitFor(`${nodes} Ready nodes`, async () => (await readyNodes(client, NODE_PREFIX)) >= nodes, timeoutMs, Math.max(250, nodes * 2));
    console.log(`density: ${nodes} simulated nodes Ready in ${((performance.now() - t0Nodes) / 1000).toFixed(1)} s`);

    // ClusterLoader2's shape: a namespace per 100 nodes, one Deployment per namespace (or --replicas R each, spread over them in turn).
    const namespaces = Math.max(1, Math.floor(nodes / NODES_PER_NAMESPACE));
    const replicas = num('--replicas', Math.ceil(podsWanted / namespaces));
    for (let k = 0; k < namespaces; k++) await client.resource<ApiObject>(gvr.namespaces).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsName(k) } }).catch(() => undefined);
    const watch = new PodWatch(client, 'app=density');
    await watch.start();

    const deployments: Array<Deployment & ApiObject> = [];
    for (let left = podsWanted, i = 0; left > 0; i++, left -= replicas) deployments.push(deployment(`density-${i}`, Math.min(replicas, left), { app: 'density' }, { 'node.kubernetes.io/simulated': 'true' }, undefined, nsName(i % namespaces)));
    const deploys = client.resource<Deployment & ApiObject>(gvr.deployments).namespace(NS);
    console.log(`density: ${deployments.length} Deployment(s) of ${replicas} replicas in ${namespaces} namespace(s), created at ${qps > 0 ? `${qps} per second` : 'once, 16 in flight'}`);
    // Idle CPU with every node Ready and no pods yet (Lease renewals, node status syncs, the
    // controllers' periodic work): subtracted for the *_net figures, which then do not grow
    // with how long a loaded machine stretches the run. (Pods' own periodic resyncs stay in.)
    const idleMs = num('--idle-sample', 5) * 1000;
    const idle0 = { server: cpuMs(server?.pid), nodes: cpuMs(nodesProc.pid), t: performance.now() };
    await new Promise((r) => setTimeout(r, idleMs));
    const idleRate = { server: (cpuMs(server?.pid) - idle0.server) / (performance.now() - idle0.t), nodes: (cpuMs(nodesProc.pid) - idle0.nodes) / (performance.now() - idle0.t) };
    // Server-side API latency: the apiserver's request histogram now and when all pods ran.
    const scrape = (): Promise<Sample[] | string> => scrapeMetrics(client).catch((err: unknown) => `GET /metrics: ${err instanceof Error ? err.message : String(err)}`);
    const metrics0 = await scrape();
    const cpu0 = { server: cpuMs(server?.pid), serverMain: cpuMs(server?.pid, server?.pid), nodes: cpuMs(nodesProc.pid), bench: process.cpuUsage() };
    const t0 = performance.now();
    const lastSent = await createAll(client, deployments, qps);
    const created = performance.now();
    const allRan = await watch.untilRunning(podsWanted, timeoutMs);
    const benchCpu = process.cpuUsage(cpu0.bench);
    const busyMs = performance.now() - t0;
    const cpu1 = { server: cpuMs(server?.pid), serverMain: cpuMs(server?.pid, server?.pid), nodes: cpuMs(nodesProc.pid) };
    // after the window's time and CPU are read: rendering /metrics is not the load's work
    const metrics1 = await scrape();
    const cpuPerPod = (ms: number): number => Number((ms / podsWanted).toFixed(2));
    const cpu = {
      server: cpuPerPod(cpu1.server - cpu0.server),
      serverMain: cpuPerPod(cpu1.serverMain - cpu0.serverMain),
      nodes: cpuPerPod(cpu1.nodes - cpu0.nodes),
      bench: cpuPerPod((benchCpu.user + benchCpu.system) / 1000),
      serverNet: cpuPerPod(cpu1.server - cpu0.server - idleRate.server * busyMs),
      nodesNet: cpuPerPod(cpu1.nodes - cpu0.nodes - idleRate.nodes * busyMs),
    };
    const nodeTrace = await readNodeTrace(nodesProc, nodeLines, traceFile);
    const lastRunning = Math.max(...watch.running.values());
    const allRunningS = allRan ? (lastRunning - t0) / 1000 : NaN;
    const saturationLat = watch.latencies();
    const phases = watch.phases();
    watch.stop();

    // Latency pods, as ClusterLoader2's density test measures the pod startup SLO: on the
    // saturated cluster, Deployments of one pod each (requests cpu 100m, memory 350M: its
    // LATENCY_POD_CPU / LATENCY_POD_MEMORY), created at 5 per second over the namespaces. The
    // saturation pods' own startup latencies measure how long they queued behind each other.
    const latencyPods = num('--latency-pods', 500);
    let lat: number[] = [];
    let latencyRan = true;
    if (latencyPods > 0) {
      const lw = new PodWatch(client, 'app=density-latency');
      await lw.start();
      const lds = Array.from({ length: latencyPods }, (_, i) =>
        deployment(`density-latency-${i}`, 1, { app: 'density-latency' }, { 'node.kubernetes.io/simulated': 'true' }, undefined, nsName(i % namespaces), { cpu: '100m', memory: '350M' }),
      );
      await createAll(client, lds, 5);
      latencyRan = await lw.untilRunning(latencyPods, timeoutMs);
      lat = lw.latencies();
      lw.stop();
    }
    const result: Record<string, number> = {
      nodes,
      pods: podsWanted,
      pods_running: watch.running.size,
      ...pcts('pod_startup', lat, [50, 90, 99]),
      latency_pods: latencyPods,
      latency_pods_running: lat.length,
      ...pcts('saturation_pod_startup', saturationLat, [50, 90, 99]),
      all_running_s: Number(allRunningS.toFixed(2)),
      pods_per_s: Math.round(watch.running.size / ((lastRunning - t0) / 1000)),
      deployments_created_s: Number(((created - t0) / 1000).toFixed(2)),
      deployments_qps: qps,
      deployments: deployments.length,
      deployment_replicas: replicas,
      namespaces,
      ...pcts('scheduling', phases.scheduling),
      ...pcts('node', phases.node),
      cpu_ms_per_pod_server: cpu.server,
      cpu_ms_per_pod_server_main_thread: cpu.serverMain,
      cpu_ms_per_pod_nodes: cpu.nodes,
      cpu_ms_per_pod_bench: cpu.bench,
      cpu_ms_per_pod_server_net: cpu.serverNet,
      cpu_ms_per_pod_nodes_net: cpu.nodesNet,
      idle_cpu_ms_per_s_server: Number((idleRate.server * 1000).toFixed(1)),
      idle_cpu_ms_per_s_nodes: Number((idleRate.nodes * 1000).toFixed(1)),
    };
    // The last Deployment's own chain, from its create: after it nothing else is created, so
    // all_running_s is at least its creation time plus this.
    const last = watch.chain(deployments[deployments.length - 1]!.metadata!.name!);
    if (last) {
      const since = (t: number): number => Math.round(t - lastSent);
      Object.assign(result, {
        last_deployment_sent_s: Number(((lastSent - t0) / 1000).toFixed(2)),
        last_deployment_first_pod_ms: since(last.firstSeen),
        last_deployment_all_pods_ms: since(last.lastSeen),
        last_deployment_all_bound_ms: since(last.lastScheduled),
        last_deployment_all_running_ms: since(last.lastRunning),
      });
    }
    const split = nodeTrace ? nodeSplit(watch, nodeTrace.pods) : undefined;
    if (nodeTrace) result['status_patches_per_pod'] = Number((nodeTrace.statusPatches / podsWanted).toFixed(2));
    for (const [k, v] of Object.entries(split ?? {})) Object.assign(result, pcts(k, v));
    console.log(`density: ${watch.running.size}/${podsWanted} pods Running${allRan ? '' : ' (timed out)'}; all running after ${result['all_running_s']} s (${result['pods_per_s']} pods/s; Deployments created in ${result['deployments_created_s']} s)`);
    if (last) console.log(`density:   the last Deployment, sent at ${result['last_deployment_sent_s']} s: its first pod seen after ${result['last_deployment_first_pod_ms']} ms, all its pods created after ${result['last_deployment_all_pods_ms']} ms, bound after ${result['last_deployment_all_bound_ms']} ms, Running after ${result['last_deployment_all_running_ms']} ms`);
    console.log(`density: saturation pods' startup latency (watch: first seen → Running; they queue behind each other) p50 ${result['saturation_pod_startup_p50_ms']} ms, p90 ${result['saturation_pod_startup_p90_ms']} ms, p99 ${result['saturation_pod_startup_p99_ms']} ms`);
    console.log(`density: CPU per pod (first Deployment → all Running): k8ts server ${cpu.server} ms (main thread ${cpu.serverMain} ms), simulated nodes ${cpu.nodes} ms, bench watch ${cpu.bench} ms`);
    console.log(`density:   net of idle CPU (server ${result['idle_cpu_ms_per_s_server']} ms/s, nodes ${result['idle_cpu_ms_per_s_nodes']} ms/s with no pods): k8ts server ${cpu.serverNet} ms, simulated nodes ${cpu.nodesNet} ms`);
    console.log(`density:   of which created → scheduled p50 ${result['scheduling_p50_ms']} ms, p99 ${result['scheduling_p99_ms']} ms; scheduled → Running p50 ${result['node_p50_ms']} ms, p99 ${result['node_p99_ms']} ms`);
    if (split) {
      const part = (k: string, what: string): string => `${what} p50 ${result[`${k}_p50_ms`]} / p99 ${result[`${k}_p99_ms`]} ms`;
      console.log(`density:   scheduled → Running, step by step (n=${split.node_watch.length}): ${part('node_watch', 'bench watch sees it bound → nodes\' watch does')}; ${part('node_sync', '→ kubelet hands over the Running status')}; ${part('node_queue', '→ patch sent')}; ${part('node_patch', '→ patch answered')}; ${part('node_echo', '→ bench watch sees Running')}`);
      console.log(`density: pod status patches accepted: ${nodeTrace!.statusPatches} for ${podsWanted} pods (${result['status_patches_per_pod']} per pod)`);
      console.log(`density:   slowest pods (created → scheduled, then the steps above, ms): ${slowest(watch, nodeTrace!.pods, 5)}`);
    }

    if (latencyPods > 0) console.log(`density: pod startup latency, ${lat.length}/${latencyPods} latency pods at 5 per second on the saturated cluster${latencyRan ? '' : ' (timed out)'} (watch: first seen → Running) p50 ${result['pod_startup_p50_ms']} ms, p90 ${result['pod_startup_p90_ms']} ms, p99 ${result['pod_startup_p99_ms']} ms (upstream SLO p99 ≤ 5000 ms; target ≤ 1000 ms)`);

    // Process runtime: a real kubelet running `sleep` pods.
    if (processPods > 0) {
      const node = 'density-process-node';
      const kubelet = spawn(process.execPath, [bin, 'kubelet', '--kubeconfig', kubeconfig, '--node-name', node, '--node-ip', '127.0.0.1', '--root-dir', join(dir, 'kubelet'), '--port', '0', '--capacity', `pods=${processPods + 10}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(kubelet);
      let kout = '';
      kubelet.stderr!.on('data', (b: Buffer) => (kout = (kout + b.toString()).slice(-5000)));
      await waitFor('process node Ready', async () => {
        if (kubelet.exitCode !== null) throw new Error(`kubelet exited: ${kout}`);
        return (await readyNodes(client, node)) === 1;
      }, 60_000);
      const pw = new PodWatch(client, 'app=density-process');
      await pw.start();
      await deploys.create(deployment('density-process', processPods, { app: 'density-process' }, { 'kubernetes.io/hostname': node }, ['sleep', '3600']));
      const ok = await pw.untilRunning(processPods, 120_000);
      const plat = pw.latencies();
      pw.stop();
      result['process_pods_running'] = pw.running.size;
      Object.assign(result, pcts('process_pod_startup', plat));
      console.log(`density: process runtime, ${pw.running.size}/${processPods} pods Running${ok ? '' : ' (timed out)'}: startup p50 ${result['process_pod_startup_p50_ms']} ms, p99 ${result['process_pod_startup_p99_ms']} ms`);
      // The kubelet leaves containers running for its successor: stop them through the API first.
      await deploys.delete('density-process');
      const pods = client.resource<Pod & ApiObject>(gvr.pods).namespace(NS);
      await waitFor('process pods gone', async () => (await pods.list({ labelSelector: 'app=density-process' })).items.length === 0, 60_000).catch((e: unknown) => console.error(`density: ${String(e)}`));
      result['rss_mb_process_kubelet'] = peakRssMb(kubelet.pid);
    }

    result['rss_mb_nodes'] = peakRssMb(nodesProc.pid);
    result['rss_mb_bench'] = Math.round(process.resourceUsage().maxRSS / 1024);
    if (server) result['rss_mb_server'] = peakRssMb(server.pid);
    console.log(`density: peak RSS ${server ? `k8ts server ${result['rss_mb_server']} MB, ` : ''}simulated nodes ${result['rss_mb_nodes']} MB, bench client ${result['rss_mb_bench']} MB${result['rss_mb_process_kubelet'] ? `, process kubelet ${result['rss_mb_process_kubelet']} MB` : ''}`);
    if (typeof metrics0 !== 'string' && typeof metrics1 !== 'string') {
      const { byVerb, byResource } = apiP99(metrics0, metrics1);
      const name = (verb: string): string => VERB_NAMES[verb] ?? verb.toLowerCase();
      const parts: string[] = [];
      for (const [verb, { p99, n }] of [...byVerb].sort((a, b) => name(a[0]).localeCompare(name(b[0])))) {
        result[`api_p99_ms_${name(verb)}`] = Number(p99.toFixed(1));
        parts.push(`${name(verb)} ${result[`api_p99_ms_${name(verb)}`]} ms (n=${n})`);
      }
      console.log(`density: API p99 by verb (server side): ${parts.join(', ')}`);
      const busiest = [...byResource].sort((a, b) => b[1].n - a[1].n).slice(0, 8);
      const rparts: string[] = [];
      for (const [k, { p99, n }] of busiest) {
        const [verb, resource, sub] = k.split(' ');
        const what = `${name(verb!)}_${resource}${sub ? `_${sub}` : ''}`;
        result[`api_p99_ms_${what}`] = Number(p99.toFixed(1));
        rparts.push(`${name(verb!)} ${resource}${sub ? `/${sub}` : ''} ${result[`api_p99_ms_${what}`]} ms (n=${n})`);
      }
      console.log(`density:   by resource, busiest: ${rparts.join(', ')}`);
    } else console.log(`density: API p99 by verb: not measured (${typeof metrics0 === 'string' ? metrics0 : metrics1})`);

    if (external) {
      for (let k = 0; k < namespaces; k++) await client.resource<Deployment & ApiObject>(gvr.deployments).namespace(nsName(k)).deleteCollection({}, { labelSelector: 'app in (density, density-latency)' }).catch(() => undefined);
      // Stop what registered nodes (simulated nodes, the process kubelet), then remove those nodes.
      for (const c of children) {
        if (c.exitCode !== null || c.signalCode !== null) continue;
        c.kill('SIGTERM');
        await new Promise((r) => c.once('exit', r));
      }
      const nodeClient = client.resource<ApiObject>(gvr.nodes);
      for (const n of (await nodeClient.list()).items) if (n.metadata?.name?.startsWith('density-')) await nodeClient.delete(n.metadata.name).catch(() => undefined);
    }
    if (jsonFile) writeFileSync(jsonFile, JSON.stringify(result, null, 2) + '\n');
    client.close();
  } finally {
    await cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`density: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  },
);
