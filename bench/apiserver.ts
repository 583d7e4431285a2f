/**
 * apiserver benchmark: load Nodes and ~2 KiB Pods through the API, then under a steady write
 * churn measure mutating and GET latency, namespace and cluster-wide LIST time, watch delivery
 * latency to many watchers, and the apiserver's RSS.
 *
 *   npm run bench:apiserver -- [--scale small|full] [--kubeconfig FILE] [--json FILE] [--seconds N]
 *                                [--warmup S] [--burst N] [--storage-trace off]
 *
 * The churn is 200 merge PATCHes a second, each to a different pod, issued at uniform intervals
 * (one every 5 ms, on an absolute schedule, each without waiting for the others), as
 * ClusterLoader2's qpsLoad tuning sets issue their requests. --burst N sends them N at a time
 * every N × 5 ms instead (the same rate; each burst queues on the server behind itself). For
 * --warmup S seconds (2) before the measured --seconds (20), the same churn, GETs and LISTs run
 * and are reported apart (warmup_*): the first requests after the load phase run the PATCH path
 * for the first time, unoptimized.
 *
 * A write is acknowledged once it is on disk, so when the disk stalls every write waits with it.
 * When the bench starts the server it also traces the store's commits (K8TS_SQLITE_TRACE; off with
 * --storage-trace off), and the result adds, as a diagnostic beside the headline p99, the commits
 * of the measured window that were blocked in I/O for DISK_WAIT_MS or more (storage_disk_waits,
 * storage_disk_wait_max_ms) and the mutating p99 of the writes that overlapped none of them
 * (mutating_p99_ms_outside_disk_waits).
 *
 * On a virtual machine the host may take CPU time from it while the bench runs: every thread
 * then waits for a CPU however little work it has. machine_cpu_steal_pct reports that for the
 * measured window, in percent of one CPU (/proc/stat's steal time; 0 on bare metal).
 *
 * Without --kubeconfig it starts `k8ts apiserver` as a child process (SQLite file in a temp dir)
 * and reaches it only through the kubeconfig it writes, as any client would. RSS is reported for
 * that child (-1 when the server is external).
 *
 * Diagnostics (environment): BENCH_CPU_PROF=DIR profiles the apiserver; BENCH_NODE_ARGS="..."
 * adds node/V8 flags to it (e.g. --trace-gc, --import a probe); BENCH_SAMPLES=FILE writes every
 * churn-phase sample as [start (epoch ms), latency ms, pod index] for correlating slow requests
 * with server-side events.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Agent, request } from 'node:http';
import { benchNode, benchPod, httpClient } from './lib/fixtures.js';
import { launchFlags } from './lib/launch.js';
import { stealPct, stealTicks } from './lib/machine.js';
import { diskWaits, outsideWaits, type DiskWait } from './lib/storage-trace.js';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface Args {
  scale: 'small' | 'full';
  kubeconfig?: string;
  json?: string;
  seconds: number;
  warmup: number;
  burst: number;
  /** storageTrace: trace the started server's commits. */
  storageTrace: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { scale: 'full', seconds: 20, warmup: 2, burst: 1, storageTrace: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--scale' && (v === 'small' || v === 'full')) (a.scale = v), i++;
    else if (k === '--kubeconfig' && v) (a.kubeconfig = v), i++;
    else if (k === '--json' && v) (a.json = v), i++;
    else if (k === '--seconds' && v) (a.seconds = Number(v)), i++;
    else if (k === '--warmup' && v) (a.warmup = Number(v)), i++;
    else if (k === '--burst' && v) (a.burst = Math.max(1, Math.floor(Number(v)))), i++;
    else if (k === '--storage-trace' && v) (a.storageTrace = v !== 'off'), i++;
  }
  return a;
}

let server = '';
const http = httpClient(() => server, { maxSockets: 128 });

/** traces holds, per sink, each sample's [start (epoch ms), latency, tag] in the sink's order. */
const traces = new Map<number[], Array<[number, number, number]>>();

async function timed(fn: () => Promise<{ status: number }>, sink: number[], tag = -1): Promise<void> {
  const t = performance.now();
  const r = await fn();
  if (r.status >= 300) throw new Error(`request failed with ${r.status}`);
  const ms = performance.now() - t;
  sink.push(ms);
  let tr = traces.get(sink);
  if (!tr) traces.set(sink, (tr = []));
  tr.push([performance.timeOrigin + t, ms, tag]);
}

/**
 * listAgent serves the namespace LISTs of the churn phase. Their ~6 MB bodies are counted, not
 * kept: the thread that receives them also times the PATCHes, and needs no 12 MB of chunks plus
 * copy per list (4 a second) to measure time to the last byte.
 */
const listAgent = new Agent({ keepAlive: true, maxSockets: 4 });
function getDiscarding(path: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const req = request(server + path, { agent: listAgent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** CHURN_INTERVAL_MS: the churn's 200 writes a second, one every 5 ms. */
const CHURN_INTERVAL_MS = 5;

/** DISK_WAIT_MS: a commit blocked in I/O this long is a disk wait (the mutating p99 target). */
const DISK_WAIT_MS = 50;

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** pool runs tasks with bounded concurrency. */
async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/**
 * startServer runs the apiserver alone in a child process (SQLite file in `dir`, plain HTTP on
 * loopback, no authentication: the bench measures the API machinery, not TLS) and writes a
 * kubeconfig for it. The child imports only the apiserver, not every command of the binary.
 */
async function startServer(dir: string, trace: string | undefined): Promise<{ child: ChildProcess; kubeconfig: string }> {
  const entry = new URL('../src/apiserver/index.js', import.meta.url).href;
  const script = [
    `const { startApiServer } = await import(${JSON.stringify(entry)});`,
    `const s = await startApiServer({ dataDir: ${JSON.stringify(dir)}, port: 0, bindAddress: '127.0.0.1', advertiseAddress: '192.0.2.1' });`,
    `console.error('serving on ' + s.url);`,
    `process.on('SIGTERM', () => s.close().then(() => process.exit(0)));`,
  ].join('\n');
  const file = join(dir, 'apiserver.mjs');
  writeFileSync(file, script);
  // BENCH_CPU_PROF=DIR profiles the apiserver (node --cpu-prof) into DIR; BENCH_NODE_ARGS adds flags.
  // The node flags are the k8ts command's own (its #! line), as `k8ts apiserver` runs.
  const bin = new URL('../../bin/k8ts.js', import.meta.url).pathname;
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...launchFlags(bin), ...prof, ...extra, file], { stdio: ['ignore', 'inherit', 'pipe'], env: trace ? { ...process.env, K8TS_SQLITE_TRACE: trace } : process.env });
  const url = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      const m = /serving on (\S+)/.exec(err);
      if (m) resolve(m[1]!);
      if (err.length > 10_000) err = err.slice(-5000);
      if (process.env.BENCH_VERBOSE) process.stderr.write(d);
    });
    child.once('exit', (code) => reject(new Error(`apiserver exited (${code}): ${err}`)));
  });
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: b\n  cluster: {server: "${url}"}\nusers:\n- name: b\n  user: {}\ncontexts:\n- name: b\n  context: {cluster: b, user: b}\ncurrent-context: b\n`);
  return { child, kubeconfig };
}

/** cpuMs is a process's user+system CPU time in ms (/proc/PID/stat), -1 when unavailable. */
function cpuMs(pid: number | undefined): number {
  if (!pid) return -1;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14 and 15 (utime, stime) are the 12th and 13th after the command name, in clock ticks
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return -1;
  }
}

/**
 * cpuPer runs `n` requests (at `concurrency`) and returns the apiserver's CPU time per request
 * in ms. Wall-clock percentiles on a shared machine measure the neighbours as much as the
 * server; the CPU the server spends per request is what the optimisations change.
 */
async function cpuPer(pid: number | undefined, n: number, concurrency: number, fn: (i: number) => Promise<{ status: number }>): Promise<number> {
  if (!pid) return -1;
  const before = cpuMs(pid);
  await pool([...Array(n).keys()], concurrency, async (i) => {
    const r = await fn(i);
    if (r.status >= 300) throw new Error(`request failed with ${r.status}`);
  });
  return Number(((cpuMs(pid) - before) / n).toFixed(3));
}

function rssMb(pid: number | undefined): number {
  if (!pid) return -1;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : -1;
  } catch {
    return -1;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const nodes = args.scale === 'small' ? 500 : 5000;
  const pods = args.scale === 'small' ? 15_000 : 150_000;
  const perNs = 3000;
  const namespaces = Math.ceil(pods / perNs);
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
  let child: ChildProcess | undefined;
  try {
    let kubeconfig = args.kubeconfig;
    // The store's commit trace, when the bench runs the server (its records of the measured window);
    // kept where K8TS_SQLITE_TRACE says, if set, else removed with the data directory.
    const trace = !kubeconfig && args.storageTrace ? process.env.K8TS_SQLITE_TRACE || join(dir, 'storage-trace.jsonl') : undefined;
    if (!kubeconfig) ({ child, kubeconfig } = await startServer(dir, trace));
    const cfg = parseYaml(readFileSync(kubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
    server = cfg.clusters[0]!.cluster.server;

    const t0 = performance.now();
    for (let n = 0; n < namespaces; n++) await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
    await pool([...Array(nodes).keys()], 32, async (i) => void (await http('POST', '/api/v1/nodes', benchNode(i))));
    const loadLat: number[] = [];
    await pool([...Array(pods).keys()], 64, async (i) => {
      const ns = `bench-${Math.floor(i / perNs)}`;
      await timed(() => http('POST', `/api/v1/namespaces/${ns}/pods`, benchPod(ns, i, { nodeName: `node-${i % nodes}` })), loadLat);
    });
    const loadSeconds = (performance.now() - t0) / 1000;
    console.log(`loaded ${nodes} nodes, ${pods} pods in ${loadSeconds.toFixed(1)} s (create p50 ${pct(loadLat, 50).toFixed(1)} ms, p99 ${pct(loadLat, 99).toFixed(1)} ms)`);

    // 100 watchers on all pods from the current revision; latency = receipt - write start.
    const rv = (JSON.parse((await http('GET', '/api/v1/pods?limit=1')).body.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    // The watchers run in a worker thread so their parsing does not delay the writers' clock.
    const watchers = new Worker(new URL(import.meta.url), { workerData: { server, rv, count: 100 } });
    await new Promise<void>((resolve) => watchers.once('message', () => resolve()));
    await new Promise((r) => setTimeout(r, 500));

    const churnPhase = (seconds: number, mutating: number[], gets: number[], nsLists: number[]): Promise<unknown> => {
      const end = Date.now() + seconds * 1000;
      const churn = (async () => {
        const inflight: Array<Promise<void>> = [];
        // 200 writes a second: `burst` of them every burst × 5 ms, on an absolute schedule.
        const interval = CHURN_INTERVAL_MS * args.burst;
        const start = performance.now();
        for (let tick = 0; Date.now() < end; tick++) {
          const wait = start + tick * interval - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          for (let k = 0; k < args.burst; k++) {
            const i = (seq++ * 7919) % pods;
            const ns = `bench-${Math.floor(i / perNs)}`;
            const sent = String(performance.timeOrigin + performance.now());
            inflight.push(timed(() => http('PATCH', `/api/v1/namespaces/${ns}/pods/pod-${i}`, { metadata: { annotations: { 'bench/sent': sent } } }, 'application/merge-patch+json'), mutating, i));
          }
        }
        await Promise.all(inflight);
      })();
      const getter = (async () => {
        while (Date.now() < end) {
          const i = Math.floor(Math.random() * pods);
          await timed(() => http('GET', `/api/v1/namespaces/bench-${Math.floor(i / perNs)}/pods/pod-${i}`), gets, i);
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const lister = (async () => {
        while (Date.now() < end) {
          const n = Math.floor(Math.random() * namespaces);
          await timed(() => getDiscarding(`/api/v1/namespaces/bench-${n}/pods`), nsLists, n);
          await new Promise((r) => setTimeout(r, 250));
        }
      })();
      return Promise.all([churn, getter, lister]);
    };
    let seq = 0;
    const warm = { mutating: [] as number[], gets: [] as number[], nsLists: [] as number[] };
    if (args.warmup > 0) {
      await churnPhase(args.warmup, warm.mutating, warm.gets, warm.nsLists);
      console.log(`warm-up (${args.warmup} s, not counted): ${warm.mutating.length} writes p99 ${pct(warm.mutating, 99).toFixed(1)} ms, slowest ${Math.max(0, ...warm.mutating).toFixed(1)} ms`);
    }
    watchers.postMessage({ from: performance.timeOrigin + performance.now() });
    const mutating: number[] = [];
    const gets: number[] = [];
    const nsLists: number[] = [];
    const genCpu0 = process.cpuUsage();
    const serverCpu0 = cpuMs(child?.pid);
    const steal0 = stealTicks();
    const churnStart = performance.now();
    const churnStartEpoch = performance.timeOrigin + churnStart;
    await churnPhase(args.seconds, mutating, gets, nsLists);
    const churnMs = performance.now() - churnStart;
    const steal = stealPct(steal0, stealTicks(), churnMs);
    const genCpu = process.cpuUsage(genCpu0);
    const loadgenCpuPct = Math.round(((genCpu.user + genCpu.system) / 1000 / churnMs) * 100);
    // The server's CPU use during the churn: far below 100% with high latencies means the
    // machine (or storage's fsync), not the apiserver's work, is what the requests wait for.
    const serverCpuPct = child?.pid ? Math.round(((cpuMs(child.pid) - serverCpu0) / churnMs) * 100) : -1;
    // The watchers stop recording (their connections stay open) before the cost phase rewrites pods.
    const watchLat = await new Promise<number[]>((resolve) => {
      watchers.once('message', (m: number[]) => resolve(m));
      watchers.postMessage('stop');
    });
    // CPU cost per request type, measured in isolation after the churn (watchers still connected,
    // so a PATCH includes its fan-out to 100 watchers).
    const pid = child?.pid;
    const podPath = (i: number): string => `/api/v1/namespaces/bench-${Math.floor(i / perNs)}/pods/pod-${i}`;
    const cpu = {
      get: await cpuPer(pid, 1000, 8, (i) => http('GET', podPath((i * 7919) % pods))),
      get_rv0: await cpuPer(pid, 1000, 8, (i) => http('GET', podPath((i * 7919) % pods) + '?resourceVersion=0')),
      patch: await cpuPer(pid, 500, 8, (i) => http('PATCH', podPath((i * 104729) % pods), { metadata: { annotations: { 'bench/cpu': String(i) } } }, 'application/merge-patch+json')),
      list_namespace: await cpuPer(pid, 20, 2, (i) => http('GET', `/api/v1/namespaces/bench-${i % namespaces}/pods`)),
      list_all_pods: await cpuPer(pid, 3, 1, () => http('GET', '/api/v1/pods')),
    };
    await watchers.terminate();
    const allList: number[] = [];
    for (let k = 0; k < 2; k++) await timed(() => http('GET', '/api/v1/pods'), allList);
    await new Promise((r) => setTimeout(r, 500));
    const rss = rssMb(child?.pid);
    // The trace is appended once a second; the cost phase above has long flushed the window's records.
    const waits = trace ? diskWaits(trace, DISK_WAIT_MS, churnStartEpoch).filter((w) => w[0] < churnStartEpoch + churnMs) : undefined;
    const df = waits ? diskFigures(waits, traces.get(mutating) ?? []) : {};

    const result = {
      scale: args.scale,
      nodes,
      pods,
      load_seconds: Number(loadSeconds.toFixed(1)),
      mutating_p50_ms: Number(pct(mutating, 50).toFixed(2)),
      mutating_p99_ms: Number(pct(mutating, 99).toFixed(2)),
      churn_burst: args.burst,
      get_p99_ms: Number(pct(gets, 99).toFixed(2)),
      list_namespace_p99_ms: Number(pct(nsLists, 99).toFixed(2)),
      list_all_pods_ms: Number(Math.min(...allList).toFixed(2)),
      watch_p99_ms: Number(pct(watchLat, 99).toFixed(2)),
      ...df,
      watch_events: watchLat.length,
      apiserver_rss_mb: rss,
      samples: { mutating: mutating.length, get: gets.length, list_namespace: nsLists.length },
      warmup_seconds: args.warmup,
      warmup_mutating_p99_ms: Number(pct(warm.mutating, 99).toFixed(2)),
      warmup_mutating_max_ms: Number(Math.max(0, ...warm.mutating).toFixed(2)),
      warmup_get_p99_ms: Number(pct(warm.gets, 99).toFixed(2)),
      loadgen_cpu_pct: loadgenCpuPct,
      apiserver_cpu_pct_during_churn: serverCpuPct,
      machine_cpu_steal_pct: steal,
      cpu_ms_per_get: cpu.get,
      cpu_ms_per_get_rv0: cpu.get_rv0,
      cpu_ms_per_patch: cpu.patch,
      cpu_ms_per_list_namespace: cpu.list_namespace,
      cpu_ms_per_list_all_pods: cpu.list_all_pods,
    };
    console.log(JSON.stringify(result, null, 2));
    console.table({
      mutating: { p50_ms: result.mutating_p50_ms, p99_ms: result.mutating_p99_ms, cpu_ms: cpu.patch, samples: mutating.length },
      get: { p50_ms: Number(pct(gets, 50).toFixed(2)), p99_ms: result.get_p99_ms, cpu_ms: cpu.get, samples: gets.length },
      list_namespace: { p50_ms: Number(pct(nsLists, 50).toFixed(2)), p99_ms: result.list_namespace_p99_ms, cpu_ms: cpu.list_namespace, samples: nsLists.length },
      list_all_pods: { p50_ms: result.list_all_pods_ms, p99_ms: Number(Math.max(...allList).toFixed(2)), cpu_ms: cpu.list_all_pods, samples: allList.length },
      watch: { p50_ms: Number(pct(watchLat, 50).toFixed(2)), p99_ms: result.watch_p99_ms, cpu_ms: NaN, samples: watchLat.length },
      ...(waits && {
        [`mutating outside ${waits.length} disk waits`]: { p50_ms: NaN, p99_ms: df.mutating_p99_ms_outside_disk_waits, cpu_ms: NaN, samples: df.mutating_outside_disk_waits },
      }),
    });
    if (steal > 0) console.log(`the host took ${steal}% of a CPU from this machine during the churn (machine_cpu_steal_pct)`);
    if (process.env.BENCH_SAMPLES) writeFileSync(process.env.BENCH_SAMPLES, JSON.stringify({ mutating: traces.get(mutating) ?? [], gets: traces.get(gets) ?? [], nsLists: traces.get(nsLists) ?? [], diskWaits: waits ?? [] }));
    if (args.json) writeFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
  } finally {
    http.close();
    listAgent.destroy();
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** diskFigures: the measured window's disk waits, and the mutating p99 over the writes that overlapped none of them. */
function diskFigures(waits: DiskWait[], writes: Array<[number, number, number]>): Record<string, number> {
  const outside = outsideWaits(writes, waits).map((w) => w[1]);
  return {
    storage_disk_waits: waits.length,
    storage_disk_wait_max_ms: Number(Math.max(0, ...waits.map((w) => w[2])).toFixed(2)),
    mutating_p99_ms_outside_disk_waits: Number(pct(outside, 99).toFixed(2)),
    mutating_outside_disk_waits: outside.length,
  };
}

/** runWatchers is the worker side: open `count` watches and record delivery latency. */
async function runWatchers(d: { server: string; rv: string; count: number }): Promise<void> {
  const lat: number[] = [];
  let recording = true;
  let from = 0;
  for (let k = 0; k < d.count; k++) {
    const req = request(`${d.server}/api/v1/pods?watch=1&resourceVersion=${d.rv}&allowWatchBookmarks=true`, { agent: new Agent({ keepAlive: false }) }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = recording ? /"bench\/sent":"([\d.]+)"/.exec(line) : null;
          // Only writes of the measured window count (not the warm-up's).
          if (m && Number(m[1]) >= from) lat.push(performance.timeOrigin + performance.now() - Number(m[1]));
        }
      });
    });
    req.on('error', () => {});
    req.end();
  }
  await new Promise((r) => setTimeout(r, 500));
  parentPort!.postMessage('ready');
  parentPort!.on('message', (m: 'stop' | { from: number }) => {
    if (m === 'stop') {
      recording = false;
      parentPort!.postMessage(lat);
    } else from = m.from;
  });
}

if (isMainThread) await main();
else await runWatchers(workerData as { server: string; rv: string; count: number });
