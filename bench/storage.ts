/**
 * bench:storage — the storage backends side by side: sqlite (embedded, file in a temp dir) and
 * etcd (a real etcd started for the run). Prints a table; `--json FILE` writes a flat object of
 * `<backend>_<metric>` numbers; `--quick` shrinks every phase; `--only sqlite|etcd` runs one;
 * `--phase compaction` runs only the compaction-stall phase; `--disk-probe` also measures the disk
 * while compaction runs; `--phase cpu` runs only the CPU-per-write phase (sqlite: a control
 * plane's write mix at a steady rate, CPU time of the writer and checkpointer threads per write;
 * `--rate N` writes/s, default 3000, for `--seconds N`, default 10).
 * `--trace FILE` runs nothing: it summarises a K8TS_SQLITE_TRACE file written by any run of the
 * store (e.g. `K8TS_SQLITE_TRACE=/tmp/t npm run bench:apiserver`): where the group commits'
 * time went (waiting for the batch, statements, COMMIT split into CPU, run-queue wait and the
 * rest, blocked in I/O; the reply) and what the checkpointer did meanwhile.
 * A `disk` column first measures the disk's own fdatasync latency, which bounds every
 * worst-write figure of both backends; `--phase disk` runs only that, for `--seconds N` (10).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { openStorage, type Storage, type StorageOptions } from '../src/storage/index.js';
import { etcdBinary, startEtcd, type RunningEtcd } from '../src/storage/testing/etcd.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonIdx = args.indexOf('--json');
const jsonFile = jsonIdx >= 0 ? args[jsonIdx + 1] : undefined;
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
const phaseIdx = args.indexOf('--phase');
/** `--phase compaction` runs only the compaction-stall phase (on a fresh store), to repeat it quickly. */
const phase = phaseIdx >= 0 ? args[phaseIdx + 1] : undefined;
/**
 * `--disk-probe` keeps measuring the disk (one fdatasync every few ms on its own thread) while
 * compaction runs, so each slow write can be set against what the disk did at that moment.
 */
const diskProbe = args.includes('--disk-probe');
const argNum = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

const cfg = quick
  ? { writeSecs: 1, small: 2_000, large: 10_000, reads: 100, lists: 10, largeLists: 3, watchWrites: 300, history: 20_000, updates: 50_000 }
  : { writeSecs: 3, small: 10_000, large: 100_000, reads: 500, lists: 30, largeLists: 8, watchWrites: 2_000, history: 100_000, updates: 1_000_000 };

const VALUE = Buffer.alloc(1024, 'v');
/** K8TS_BENCH_STALL_TRACE=FILE writes each compaction-phase write's start (epoch ms) and latency, to line up with other traces. */
const stallTrace = process.env.K8TS_BENCH_STALL_TRACE;
const results: Record<string, number> = {};
const rows: Array<[string, string, string]> = [];

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function record(backend: string, metric: string, value: number, unit: string): void {
  const v = Math.round(value * 100) / 100;
  results[`${backend}_${metric}`] = v;
  rows.push([backend, metric, `${v} ${unit}`]);
  console.error(`  ${backend} ${metric}: ${v} ${unit}`);
}

/**
 * mainThreadCpuMs is this thread's CPU time (user + system, ms) from /proc on Linux, undefined
 * elsewhere. Wall-clock writes/s swing with whatever else the machine runs; CPU per write does
 * not, so the writes/s phases report both.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/** load writes n keys under prefix with `writers` concurrent loops. */
async function load(s: Storage, prefix: string, n: number, writers = 64): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < n; i = next++) await s.create(`${prefix}${String(i).padStart(7, '0')}`, VALUE);
    }),
  );
}

async function writesPerSecond(s: Storage, backend: string, writers: number): Promise<void> {
  const prefix = `/bench/w${writers}/`;
  const until = performance.now() + cfg.writeSecs * 1000;
  let n = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < until; i++) {
        await s.create(`${prefix}${w}/${i}`, VALUE);
        n++;
      }
    }),
  );
  record(backend, `writes_per_s_${writers}`, n / ((performance.now() - t0) / 1000), 'writes/s');
  // For sqlite the process is the whole store (main thread, writer and checkpointer threads);
  // for etcd it is only the client side.
  const cpu = process.cpuUsage(cpu0);
  record(backend, `process_cpu_us_per_write_${writers}`, (cpu.user + cpu.system) / n, 'us');
  const main1 = mainThreadCpuMs();
  if (main0 !== undefined && main1 !== undefined) record(backend, `main_thread_cpu_us_per_write_${writers}`, ((main1 - main0) * 1000) / n, 'us');
}

async function readLatency(s: Storage, backend: string, n: number, label: string, lists: number): Promise<void> {
  const prefix = `/bench/r${label}/`;
  await load(s, prefix, n);
  const gets: number[] = [];
  for (let i = 0; i < cfg.reads; i++) {
    const key = `${prefix}${String(Math.floor(Math.random() * n)).padStart(7, '0')}`;
    const t = performance.now();
    await s.get(key);
    gets.push(performance.now() - t);
  }
  const ls: number[] = [];
  for (let i = 0; i < lists; i++) {
    const t = performance.now();
    const r = await s.list(prefix);
    ls.push(performance.now() - t);
    if (r.kvs.length !== n) throw new Error(`list returned ${r.kvs.length} of ${n}`);
  }
  record(backend, `get_${label}_p50_ms`, pct(gets, 50), 'ms');
  record(backend, `get_${label}_p99_ms`, pct(gets, 99), 'ms');
  record(backend, `list_${label}_p50_ms`, pct(ls, 50), 'ms');
  record(backend, `list_${label}_p99_ms`, pct(ls, 99), 'ms');
}

async function watchLatency(s: Storage, backend: string): Promise<void> {
  const prefix = '/bench/watch/';
  const start = await s.currentRevision();
  const sent = new Map<number, number>();
  const lat: number[] = [];
  let received = 0;
  const total = cfg.watchWrites * 100;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const watchers = Array.from({ length: 100 }, () =>
    s.watch({
      prefix,
      afterRevision: start,
      onEvents: (evs) => {
        const now = performance.now();
        for (const ev of evs) {
          const t = sent.get(Number(ev.kv.value.subarray(0, 16).toString()));
          if (t !== undefined) lat.push(now - t);
          if (++received === total) done();
        }
      },
      onError: (err) => console.error(`watch failed: ${err.message}`),
    }),
  );
  await new Promise((r) => setTimeout(r, 200));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < cfg.watchWrites; i = next++) {
        const v = Buffer.concat([Buffer.from(String(i).padStart(16, '0')), VALUE]);
        sent.set(i, performance.now());
        await s.create(`${prefix}${i}`, v);
      }
    }),
  );
  await Promise.race([finished, new Promise((r) => setTimeout(r, 30_000))]);
  for (const w of watchers) w.close();
  record(backend, 'watch_p50_ms', pct(lat, 50), 'ms');
  record(backend, 'watch_p99_ms', pct(lat, 99), 'ms');
}

/** compactionStall builds history, then measures every write's latency while compaction runs. */
async function compactionStall(s: Storage, backend: string): Promise<void> {
  const prefix = '/bench/hist/';
  let next = 0;
  await load(s, prefix, 1000);
  const revs = new Map<number, number>();
  for (const kv of (await s.list(prefix)).kvs) revs.set(Number(kv.key.slice(prefix.length)), kv.modRevision);
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < cfg.history; i = next++) {
        const k = i % 1000;
        const kv = await s.update(`${prefix}${String(k).padStart(7, '0')}`, VALUE, revs.get(k)!).catch(async () => {
          const cur = (await s.get(`${prefix}${String(k).padStart(7, '0')}`)).kv!;
          return s.update(cur.key, VALUE, cur.modRevision);
        });
        revs.set(k, kv.modRevision);
      }
    }),
  );
  const target = (await s.currentRevision()) - 1000;
  // Baseline: the same single-writer loop without compaction, to tell compaction's cost from
  // the machine's own noise (fsync and scheduling jitter).
  const base: number[] = [];
  const baseUntil = performance.now() + 1000;
  for (let i = 0; performance.now() < baseUntil; i++) {
    const t = performance.now();
    await s.create(`/bench/base/${i}`, VALUE);
    base.push(performance.now() - t);
  }
  record(backend, 'write_p50_ms_no_compaction', pct(base, 50), 'ms');
  record(backend, 'write_max_ms_no_compaction', Math.max(...base), 'ms');
  const lat: number[] = [];
  const probe = diskProbe ? await startDiskProbe(join(work, 'stall-probe')) : undefined;
  let compacting = true;
  const t0 = performance.now();
  const compaction = s.compact(target).finally(() => (compacting = false));
  let i = 0;
  const latStart: number[] = [];
  while (compacting) {
    const t = performance.now();
    await s.create(`/bench/stall/${i++}`, VALUE);
    lat.push(performance.now() - t);
    latStart.push(performance.timeOrigin + t);
  }
  await compaction;
  const syncs = await probe?.stop();
  record(backend, 'compaction_ms', performance.now() - t0, 'ms');
  record(backend, 'compaction_write_p50_ms', pct(lat, 50), 'ms');
  record(backend, 'compaction_stall_max_ms', Math.max(...lat), 'ms');
  record(backend, 'compaction_stall_p99_ms', pct(lat, 99), 'ms');
  record(backend, 'compaction_writes_over_50ms', lat.filter((x) => x > 50).length, 'writes');
  if (syncs) {
    record(backend, 'compaction_disk_fsync_max_ms', Math.max(...syncs.map((x) => x[1])), 'ms');
    record(backend, 'compaction_cpu_wait_max_ms', Math.max(...syncs.map((x) => x[2])), 'ms');
    // A write the machine explains: the probe's fsync (disk) or its timer (CPU) was held up at
    // least half as long while the write waited.
    const unexplained = lat.filter((l, j) => {
      if (l <= 50) return false;
      const a = latStart[j]!;
      return !syncs.some(([s0, d, late]) => (s0 < a + l && s0 + d > a && d >= l / 2) || (s0 - late < a + l && s0 > a && late >= l / 2));
    });
    record(backend, 'compaction_writes_over_50ms_unexplained', unexplained.length, 'writes');
  }
  if (stallTrace) writeFileSync(stallTrace, JSON.stringify({ starts: latStart, lat, syncs }) + '\n');
}

/**
 * startDiskProbe starts a thread that appends 8 KiB and fdatasyncs it every 5 ms on a thread of its own until stopped;
 * stop() resolves to each sync's [start (epoch ms), duration (ms), how late its 5 ms timer fired
 * (ms)]. A late timer means the machine's CPUs were busy: every thread, the store's too, waited.
 */
async function startDiskProbe(path: string): Promise<{ stop: () => Promise<Array<[number, number, number]>> }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const fs = require('node:fs');
    const fd = fs.openSync(workerData, 'w');
    const block = Buffer.alloc(8192, 1);
    const out = [];
    let stop = false;
    let due = performance.now();
    parentPort.on('message', () => (stop = true));
    parentPort.postMessage('ready');
    const tick = () => {
      if (stop) {
        fs.closeSync(fd);
        fs.rmSync(workerData, { force: true });
        parentPort.postMessage(out);
        return;
      }
      const t = performance.now();
      fs.writeSync(fd, block);
      fs.fdatasyncSync(fd);
      const end = performance.now();
      out.push([performance.timeOrigin + t, end - t, Math.max(0, t - due)]);
      due = end + 5;
      setTimeout(tick, 5);
    };
    tick();`;
  const w = new Worker(code, { eval: true, workerData: path });
  // A thread can take a while to start on a busy machine: measure only once it runs.
  await new Promise<void>((resolve, reject) => {
    w.once('message', () => resolve());
    w.once('error', reject);
  });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        w.once('message', (out: Array<[number, number, number]>) => void w.terminate().then(() => resolve(out)));
        w.once('error', reject);
        w.postMessage('stop');
      }),
  };
}

/** fileSize runs `updates` updates of 1000 keys with automatic compaction and reports disk use. */
async function fileSize(open: (o: StorageOptions) => Promise<Storage>, backend: string, du: () => number): Promise<void> {
  const s = await open({ compactIntervalMs: 1000, compactKeep: 1000 });
  try {
    const prefix = '/bench/size/';
    await load(s, prefix, 1000);
    // Each writer owns the keys k with k % 64 == w, so every update is one conditional write.
    const revs = new Map<string, number>();
    for (const kv of (await s.list(prefix)).kvs) revs.set(kv.key, kv.modRevision);
    const t0 = performance.now();
    let worst = 0;
    const perWriter = Math.ceil(cfg.updates / 64);
    await Promise.all(
      Array.from({ length: 64 }, async (_, w) => {
        const mine = [...revs.keys()].filter((_k, i) => i % 64 === w);
        for (let i = 0; i < perWriter; i++) {
          const key = mine[i % mine.length]!;
          const t = performance.now();
          const kv = await s.update(key, VALUE, revs.get(key)!);
          worst = Math.max(worst, performance.now() - t);
          revs.set(key, kv.modRevision);
        }
      }),
    );
    record(backend, 'updates_per_s', (perWriter * 64) / ((performance.now() - t0) / 1000), 'updates/s');
    record(backend, 'update_latency_max_ms', worst, 'ms');
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    await s.close();
  }
  record(backend, `size_after_${cfg.updates}_updates_mb`, du() / 1e6, 'MB');
}

function dirBytes(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir]).toString().split('\t')[0]);
}

/** threadIds lists this process's thread ids (Linux), empty elsewhere. */
function threadIds(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}

/** threadCpuMs is a thread's CPU time so far (ms, from schedstat: nanosecond resolution), NaN if unknown. */
function threadCpuMs(tid: string | undefined): number {
  if (tid === undefined) return NaN;
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/**
 * cpuPerWrite is a control plane's write mix at a steady rate, measured in CPU time per write of
 * each sqlite thread (wall clock swings with the machine's load; CPU time per write does not,
 * much). Per pod: a ~2.5 KiB create, two updates that grow it (binding, status), and two
 * ~0.8 KiB events with a one-hour lease; automatic compaction is on, as in a server.
 */
async function cpuPerWrite(open: (o: StorageOptions) => Promise<Storage>, backend: string): Promise<void> {
  const rate = argNum('--rate', 3000);
  const secs = argNum('--seconds', quick ? 4 : 10);
  const before = new Set(threadIds());
  const s = await open({});
  // The writer starts the checkpointer thread as it opens: both are up once a write is answered.
  await s.create('/cpu/warm', VALUE);
  await new Promise((r) => setTimeout(r, 300));
  // New threads in creation order: the writer, then its checkpointer.
  const fresh = threadIds().filter((t) => !before.has(t)).sort((a, b) => Number(a) - Number(b));
  const [writer, checkpointer] = fresh;
  const pod = Buffer.alloc(2500, 'p');
  const bound = Buffer.alloc(2600, 'b');
  const running = Buffer.alloc(3000, 'r');
  const event = Buffer.alloc(800, 'e');
  let writes = 0;
  const lifecycle = async (i: number): Promise<void> => {
    const key = `/registry/pods/ns-${i % 50}/pod-${i}`;
    const ev = (n: number): Promise<unknown> => s.create(`/registry/events/ns-${i % 50}/pod-${i}.${n}`, event, { ttlSeconds: 3600 }).then(() => writes++);
    const created = await s.create(key, pod);
    writes++;
    const e1 = ev(1);
    const b = await s.update(key, bound, created.modRevision);
    writes++;
    const e2 = ev(2);
    await s.update(key, running, b.modRevision);
    writes++;
    await Promise.all([e1, e2]);
  };
  const w0 = threadCpuMs(writer);
  const c0 = threadCpuMs(checkpointer);
  const m0 = mainThreadCpuMs() ?? NaN;
  const p0 = process.cpuUsage();
  const t0 = performance.now();
  const pods = Math.round((rate / 5) * secs);
  const inflight: Array<Promise<void>> = [];
  let started = 0;
  while (started < pods) {
    const due = Math.min(pods, Math.floor(((performance.now() - t0) / 1000) * (rate / 5)));
    for (; started < due; started++) inflight.push(lifecycle(started));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const wall = performance.now() - t0;
  const p = process.cpuUsage(p0);
  record(backend, 'cpu_phase_writes_per_s', writes / (wall / 1000), 'writes/s');
  record(backend, 'cpu_writer_us_per_write', ((threadCpuMs(writer) - w0) * 1000) / writes, 'us');
  record(backend, 'cpu_checkpointer_us_per_write', ((threadCpuMs(checkpointer) - c0) * 1000) / writes, 'us');
  record(backend, 'cpu_main_us_per_write', (((mainThreadCpuMs() ?? NaN) - m0) * 1000) / writes, 'us');
  record(backend, 'cpu_process_us_per_write', (p.user + p.system) / writes, 'us');
  await s.close();
}

async function suite(backend: string, open: (o: StorageOptions) => Promise<Storage>, du: () => number): Promise<void> {
  console.error(`== ${backend}`);
  if (phase === 'cpu') {
    if (backend === 'sqlite') await cpuPerWrite(open, backend);
    return;
  }
  if (phase === 'compaction') {
    const s = await open({ compactIntervalMs: 0 });
    try {
      await compactionStall(s, backend);
    } finally {
      await s.close();
    }
    return;
  }
  const s = await open({ compactIntervalMs: 0 });
  try {
    await writesPerSecond(s, backend, 1);
    await writesPerSecond(s, backend, 64);
    await readLatency(s, backend, cfg.small, quick ? '2k' : '10k', cfg.lists);
    await readLatency(s, backend, cfg.large, quick ? '10k' : '100k', cfg.largeLists);
    await watchLatency(s, backend);
    await compactionStall(s, backend);
  } finally {
    await s.close();
  }
  await fileSize(open, backend, du);
}

const work = mkdtempSync(join(tmpdir(), 'k8ts-bench-'));
let etcd: RunningEtcd | undefined;
// An interrupted run still stops its etcd and removes its files.
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void (etcd?.stop() ?? Promise.resolve()).finally(() => {
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  });
}
/**
 * diskFsync measures the disk itself: 8 KiB appends, each followed by fdatasync, for `ms`. No
 * durable store can acknowledge a write faster than its disk syncs, so its outliers bound every
 * worst-write figure below (stalls here are the machine's, not compaction's).
 */
function diskFsync(ms: number): void {
  const path = join(work, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8192, 1);
  const lat: number[] = [];
  try {
    for (const end = performance.now() + ms; performance.now() < end; ) {
      const t = performance.now();
      writeSync(fd, block);
      fdatasyncSync(fd);
      lat.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  record('disk', 'fsync_p50_ms', pct(lat, 50), 'ms');
  record('disk', 'fsync_p99_ms', pct(lat, 99), 'ms');
  record('disk', 'fsync_max_ms', Math.max(...lat), 'ms');
  record('disk', 'fsyncs_over_50ms_per_min', (lat.filter((x) => x > 50).length * 60_000) / ms, '/min');
}

/** summariseTrace prints the percentiles of a K8TS_SQLITE_TRACE file (src/storage/sqlite/trace.ts). */
function summariseTrace(file: string): void {
  const read = (f: string): Array<Record<string, number>> => {
    try {
      return readFileSync(f, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, number>);
    } catch {
      return [];
    }
  };
  const lines = read(file);
  const batches = lines.filter((x) => x.ops !== undefined);
  const passes = read(file + '.ckpt');
  const show = (name: string, v: number[]): void => {
    if (v.length === 0) return;
    const f = (x: number): string => x.toFixed(2).padStart(9);
    console.log(`${name.padEnd(12)} p50 ${f(pct(v, 50))} p90 ${f(pct(v, 90))} p99 ${f(pct(v, 99))} max ${f(Math.max(...v))} ms`);
  };
  console.log(`writer: ${batches.length} group commits, ${batches.reduce((a, x) => a + x.ops!, 0)} writes`);
  show('wait', batches.map((x) => x.wait!));
  show('statements', batches.map((x) => x.exec!));
  show('commit', batches.map((x) => x.commit!));
  show('  cpu', batches.map((x) => x.commitCpu!));
  show('  run-queue', batches.map((x) => x.commitRunq!));
  show('  blocked', batches.map((x) => Math.max(0, x.commit! - x.commitCpu! - x.commitRunq!)));
  show('reply', batches.map((x) => x.post!));
  show('batch total', batches.map((x) => x.total!));
  show('batch runq', batches.map((x) => x.runq!));
  const sizes = batches.map((x) => x.ops!);
  if (sizes.length > 0) console.log(`writes per commit: p50 ${pct(sizes, 50)} p90 ${pct(sizes, 90)} max ${Math.max(...sizes)}`);
  console.log(`checkpointer: ${passes.length} passes that copied frames`);
  show('pass', passes.map((x) => x.pass!));
  show('  runq', passes.map((x) => x.runq!));
  show('fdatasync', passes.map((x) => x.sync!));
  const own = lines.filter((x) => x.writerCheckpoint !== undefined);
  if (own.length > 0) show("writer's own checkpoints", own.map((x) => x.writerCheckpoint!));
  const blocked = batches.filter((x) => x.commit! - x.commitCpu! - x.commitRunq! > 20);
  const overlapping = blocked.filter((x) => {
    const s0 = x.t! + x.exec!;
    const e0 = s0 + x.commit!;
    return passes.some((c) => c.t! < e0 && c.t! + c.pass! + c.sync! > s0);
  });
  console.log(`commits blocked in I/O over 20 ms: ${blocked.length}, of which during a checkpointer pass or its fdatasync: ${overlapping.length}`);
  console.log(`batches that waited over 20 ms in the run queue: ${batches.filter((x) => x.runq! > 20).length}`);
}

const traceIdx = args.indexOf('--trace');
if (traceIdx >= 0) {
  summariseTrace(args[traceIdx + 1] ?? '');
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}

try {
  if (phase !== 'cpu') diskFsync(phase === 'disk' ? argNum('--seconds', 10) * 1000 : quick ? 3000 : 10_000);
  if (only !== 'etcd' && phase !== 'disk') {
    let n = 0;
    let last = '';
    await suite(
      'sqlite',
      (o) => {
        last = join(work, `sqlite-${n++}`, 'state.db');
        return openStorage(`sqlite://${last}`, o);
      },
      () => statSize(last) + statSize(last + '-wal'),
    );
  }
  if (only !== 'sqlite' && phase !== 'cpu' && phase !== 'disk') {
    if (!etcdBinary()) {
      console.error('etcd not installed: skipping the etcd column');
    } else {
      etcd = await startEtcd({ quotaBackendBytes: 8 * 1024 * 1024 * 1024 });
      const e = etcd;
      await suite('etcd', (o) => openStorage(e.endpoint, o), () => dirBytes(e.dataDir));
    }
  }
} finally {
  await etcd?.stop();
  rmSync(work, { recursive: true, force: true });
}

if (results.sqlite_writes_per_s_64 && results.etcd_writes_per_s_64) {
  results.sqlite_vs_etcd_writes_64_ratio = Math.round((results.sqlite_writes_per_s_64 / results.etcd_writes_per_s_64) * 100) / 100;
}
const metrics = [...new Set(rows.map((r) => r[1]))];
const backends = [...new Set(rows.map((r) => r[0]))];
const cell = (b: string, m: string): string => rows.find((r) => r[0] === b && r[1] === m)?.[2] ?? '-';
const widths = [Math.max(...metrics.map((m) => m.length), 6), ...backends.map((b) => Math.max(b.length, ...metrics.map((m) => cell(b, m).length)))];
const line = (cols: string[]): string => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ');
console.log(line(['metric', ...backends]));
for (const m of metrics) console.log(line([m, ...backends.map((b) => cell(b, m))]));
if (results.sqlite_vs_etcd_writes_64_ratio) console.log(`sqlite/etcd writes/s with 64 writers: ${results.sqlite_vs_etcd_writes_64_ratio}x`);
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n');

function statSize(p: string): number {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
}
