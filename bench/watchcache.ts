/**
 * Watch-cache benchmark: the apiserver's cost of holding objects and fanning events out,
 * measured as CPU time (process.cpuUsage of the server process) so it holds on a busy machine.
 *
 *   node dist/bench/watchcache.js [--pods N] [--nodes N] [--patches N] [--watchers N] [--node-watchers N]
 *
 * The apiserver runs in this process (SQLite file in a temp dir); a forked child process loads
 * ~2 KiB pods (bench/apiserver.ts's shape), holds the watches and sends the writes, so its work
 * is not counted. Reports: heap/RSS after load, CPU per PATCH without watchers, with N
 * all-pods watchers (→ µs per event delivered per watcher) and with one fieldSelector
 * spec.nodeName watcher per node (the density case), GC pauses during the watched churn, and
 * CPU and latency of LISTing one namespace of 3000 pods.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { benchPod, httpClient } from './lib/fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

interface Args {
  pods: number;
  nodes: number;
  patches: number;
  watchers: number;
  nodeWatchers: number;
  /** lists: how many namespace LISTs to time. */
  lists: number;
  /** heapOnly: stop after the heap figures. */
  heapOnly: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { pods: 15_000, nodes: 500, patches: 1000, watchers: 100, nodeWatchers: 500, lists: 60, heapOnly: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]!.replace(/^--/, '').replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()) as keyof Args;
    if (k in a) a[k] = Number(argv[i + 1]);
  }
  return a;
}

const PER_NS = 3000;
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

// ---------------------------------------------------------------- client (child process)

type ToChild = { op: 'load' } | { op: 'patch'; n: number; seq: number } | { op: 'watch'; count: number; byNode: number } | { op: 'unwatch' } | { op: 'list'; n: number };

async function client(server: string, a: Args): Promise<void> {
  const call = httpClient(() => server, { maxSockets: 16 });
  const http = async (method: string, path: string, body?: unknown, ct?: string): Promise<{ status: number; body: Buffer }> => {
    const r = await call(method, path, body, ct);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.toString()}`);
    return r;
  };
  const pool = async (n: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> => {
    let i = 0;
    await Promise.all(Array.from({ length: conc }, async () => {
      while (i < n) await fn(i++);
    }));
  };
  let watches: Array<{ got: number; close(): void }> = [];
  let allPods = 0;
  const send = (m: unknown): void => void process.send!(m);
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.op === 'load') {
        for (let n = 0; n * PER_NS < a.pods; n++) await http('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-${n}` } });
        await pool(a.nodes, 16, (i) => http('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } }));
        await pool(a.pods, 32, (i) => {
          const ns = `bench-${Math.floor(i / PER_NS)}`;
          return http('POST', `/api/v1/namespaces/${ns}/pods`, benchPod(ns, i, { nodeName: `node-${i % a.nodes}` }));
        });
        send({ done: 'load' });
      } else if (m.op === 'watch') {
        const rv = (JSON.parse((await http('GET', '/api/v1/pods?limit=1')).body.toString()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
        const paths = [
          ...Array.from({ length: m.count }, () => `/api/v1/pods?watch=1&resourceVersion=${rv}`),
          ...Array.from({ length: m.byNode }, (_x, i) => `/api/v1/pods?watch=1&resourceVersion=${rv}&fieldSelector=spec.nodeName%3Dnode-${i}`),
        ];
        allPods = m.count;
        watches = await Promise.all(
          paths.map(
            (p) =>
              new Promise<{ got: number; close(): void }>((resolve, reject) => {
                const w = { got: 0, close: () => req.destroy() };
                const req = request(server + p, { agent: false }, (res) => {
                  res.on('data', (c: Buffer) => {
                    for (let i = c.indexOf(10); i >= 0; i = c.indexOf(10, i + 1)) w.got++;
                  });
                  res.on('error', () => {});
                  resolve(w);
                });
                req.on('error', reject);
                req.end();
              }),
          ),
        );
        send({ done: 'watch' });
      } else if (m.op === 'unwatch') {
        for (const w of watches) w.close();
        watches = [];
        send({ done: 'unwatch' });
      } else if (m.op === 'patch') {
        const want = watches.map((w) => w.got);
        await pool(m.n, 8, (i) => {
          const k = ((m.seq + i) * 7919) % a.pods;
          return http('PATCH', `/api/v1/namespaces/bench-${Math.floor(k / PER_NS)}/pods/pod-${k}`, { metadata: { annotations: { 'bench/seq': String(m.seq + i) } } }, 'application/merge-patch+json');
        });
        // Wait for the all-pods watchers to have every event (the node watchers get fewer).
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline && watches.some((w, i) => i < allPods && w.got < want[i]! + m.n)) await new Promise((r) => setTimeout(r, 5));
        send({ done: 'patch' });
      } else if (m.op === 'list') {
        const lat: number[] = [];
        for (let i = 0; i < m.n; i++) {
          const t = performance.now();
          await http('GET', `/api/v1/namespaces/bench-${i % Math.ceil(a.pods / PER_NS)}/pods`);
          lat.push(performance.now() - t);
        }
        send({ done: 'list', lat });
      }
    })().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
  send({ done: 'ready' });
}

// ---------------------------------------------------------------- server (this process)

async function main(a: Args): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { startApiServer } = await import('../src/apiserver/index.js');
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-wc-'));
  const s = await startApiServer({ dataDir: dir, port: 0, bindAddress: '127.0.0.1', advertiseAddress: '192.0.2.1' });
  let child: ChildProcess | undefined;
  try {
    child = fork(new URL(import.meta.url).pathname, ['--client', s.url, ...process.argv.slice(2)]);
    const replies: Array<(m: { done: string; lat?: number[] }) => void> = [];
    child.on('message', (m: { done: string }) => replies.shift()?.(m));
    const ask = (m: ToChild | null): Promise<{ done: string; lat?: number[] }> =>
      new Promise((resolve) => {
        replies.push(resolve);
        if (m) child!.send(m);
      });
    await ask(null);
    const cpuOf = async (m: ToChild): Promise<{ ms: number; reply: { done: string; lat?: number[] } }> => {
      const c0 = process.cpuUsage();
      const reply = await ask(m);
      const c = process.cpuUsage(c0);
      return { ms: (c.user + c.system) / 1000, reply };
    };
    const t0 = performance.now();
    await ask({ op: 'load' });
    const loadS = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    gc();
    gc();
    // A full (non-incremental) mark-compact of the loaded heap: what the live cache costs the GC.
    // CPU time (all GC threads), not wall time: it holds on a busy machine.
    const g0 = process.cpuUsage();
    for (let i = 0; i < 5; i++) gc();
    const g = process.cpuUsage(g0);
    const fullGcMs = (g.user + g.system) / 1000 / 5;
    // BENCH_HEAP_SNAPSHOT=FILE writes the heap after load (object counts by constructor).
    if (process.env.BENCH_HEAP_SNAPSHOT) writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
    const mem = process.memoryUsage();
    const out: Record<string, number> = {
      pods: a.pods,
      load_s: Number(loadS.toFixed(1)),
      heap_used_mb: Math.round(mem.heapUsed / 2 ** 20),
      external_mb: Math.round(mem.external / 2 ** 20),
      array_buffers_mb: Math.round(mem.arrayBuffers / 2 ** 20),
      rss_mb: Math.round(mem.rss / 2 ** 20),
      full_gc_cpu_ms: Number(fullGcMs.toFixed(1)),
    };
    if (a.heapOnly) return void console.log(JSON.stringify(out, null, 2));
    let seq = 0;
    const patches = async (): Promise<number> => {
      const { ms } = await cpuOf({ op: 'patch', n: a.patches, seq });
      seq += a.patches;
      return ms / a.patches;
    };
    await patches(); // warm-up
    const base = await patches();
    out.cpu_us_per_patch_no_watchers = Math.round(base * 1000);

    await ask({ op: 'watch', count: a.watchers, byNode: 0 });
    const gcStats = { n: 0, total: 0, max: 0, majors: 0 };
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcStats.n++;
        gcStats.total += e.duration;
        gcStats.max = Math.max(gcStats.max, e.duration);
        if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === 4) gcStats.majors++;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
    const withW = await patches();
    obs.disconnect();
    out.cpu_us_per_patch_with_watchers = Math.round(withW * 1000);
    out.cpu_us_per_event_per_watcher = Number((((withW - base) * 1000) / a.watchers).toFixed(2));
    out.gc_count = gcStats.n;
    out.gc_major_count = gcStats.majors;
    out.gc_total_ms = Math.round(gcStats.total);
    out.gc_max_ms = Number(gcStats.max.toFixed(1));
    await ask({ op: 'unwatch' });

    if (a.nodeWatchers) {
      await ask({ op: 'watch', count: 0, byNode: a.nodeWatchers });
      out.node_watchers = a.nodeWatchers;
      out.cpu_us_per_patch_with_node_watchers = Math.round((await patches()) * 1000);
      await ask({ op: 'unwatch' });
    }

    const { ms, reply } = await cpuOf({ op: 'list', n: a.lists });
    out.cpu_ms_per_list_namespace = Number((ms / a.lists).toFixed(2));
    out.list_namespace_p99_ms = Number(pct(reply.lat!, 99).toFixed(1));
    out.list_namespace_p50_ms = Number(pct(reply.lat!, 50).toFixed(1));
    console.log(JSON.stringify(out, null, 2));
  } finally {
    child?.kill();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--client') await client(argv[1]!, parseArgs(argv.slice(2)));
else await main(parseArgs(argv));
