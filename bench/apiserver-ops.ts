/**
 * apiserver CPU per mutating operation: starts `startApiServer` in a child process on a temp
 * SQLite file and, for each verb the scheduler and kubelets send, runs N requests and prints the
 * server process's CPU time per request (process.cpuUsage() read over IPC before and after each
 * phase). CPU per op, not wall-clock, is the figure to compare on a shared machine.
 *
 *   npm run bench:apiserver-ops -- [--n N] [--concurrency C] [--admission] [--json FILE] [--repeat R]
 *
 * --admission enables kube-apiserver's default admission plugins (as `k8ts server` does).
 * --repeat R runs every phase R times on fresh pods and reports the median.
 * --phases create,binding,... runs only those (a phase needs the ones it builds on: binding and
 * the patches need create; put and delete run after the others).
 * BENCH_CPU_PROF=DIR writes the server's CPU profile (node --cpu-prof) into DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { benchNode, benchPod, httpClient } from './lib/fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Args {
  n: number;
  concurrency: number;
  admission: boolean;
  json?: string;
  repeat: number;
  /** phases limits the run to these verbs (each needs the ones before it, e.g. binding needs create). */
  phases?: Set<string>;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { n: 2000, concurrency: 8, admission: false, repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    if (k === '--n' && v) (a.n = Number(v)), i++;
    else if (k === '--concurrency' && v) (a.concurrency = Number(v)), i++;
    else if (k === '--admission') a.admission = true;
    else if (k === '--json' && v) (a.json = v), i++;
    else if (k === '--repeat' && v) (a.repeat = Number(v)), i++;
    else if (k === '--phases' && v) (a.phases = new Set(v.split(','))), i++;
  }
  return a;
}

let server = '';
const http = httpClient(() => server, { userAgent: 'bench-ops/v0' });

async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < n) await fn(i++);
    }),
  );
}

/** scheduledEvent is the core/v1 Event the scheduler's recorder writes for a bound pod. */
function scheduledEvent(podName: string, i: number, at: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${podName}.${(0x17a0000000 + i).toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: podName, uid: '6b1f7a9e-0000-4000-8000-000000000000', apiVersion: 'v1', resourceVersion: '12' },
    reason: 'Scheduled',
    message: `Successfully assigned default/${podName} to node-${i % 100}`,
    source: { component: 'default-scheduler' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-bench',
  };
}

/** scheduledEventV1 is the events.k8s.io/v1 Event the scheduler's broadcaster writes for a bound pod. */
function scheduledEventV1(podName: string, i: number): object {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: `${podName}.${(0x27a0000000 + i).toString(16)}`, namespace: 'default' },
    eventTime: new Date().toISOString().replace('Z', '000Z'),
    reportingController: 'default-scheduler',
    reportingInstance: 'default-scheduler-bench',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', namespace: 'default', name: podName, uid: '6b1f7a9e-0000-4000-8000-000000000000', apiVersion: 'v1', resourceVersion: '12' },
    note: `Successfully assigned default/${podName} to node-${i % 100}`,
    type: 'Normal',
  };
}

/** kubeletStatus is a Running pod status as the kubelet's status manager patches it. */
function kubeletStatus(i: number, at: string): Record<string, unknown> {
  const cond = (type: string): object => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: at });
  return {
    phase: 'Running',
    conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
    hostIP: '10.0.0.1',
    hostIPs: [{ ip: '10.0.0.1' }],
    podIP: `10.42.${(i >> 8) & 255}.${i & 255}`,
    podIPs: [{ ip: `10.42.${(i >> 8) & 255}.${i & 255}` }],
    startTime: at,
    containerStatuses: [
      {
        name: 'main',
        state: { running: { startedAt: at } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: 'registry.example.com/team/app:1.2.3',
        imageID: 'registry.example.com/team/app@sha256:0000000000000000000000000000000000000000000000000000000000000000',
        containerID: `containerd://${i.toString(16).padStart(64, '0')}`,
        started: true,
      },
    ],
  };
}

interface ServerProc {
  child: ChildProcess;
  /** cpuUs returns the process's CPU time (all threads) and the main thread's, in µs. */
  cpuUs(): Promise<[number, number]>;
}

async function startServer(dir: string, admission: boolean): Promise<ServerProc> {
  const entry = new URL('../src/apiserver/index.js', import.meta.url).href;
  const admEntry = new URL('../src/apiserver/admission/index.js', import.meta.url).href;
  const script = [
    `const { startApiServer } = await import(${JSON.stringify(entry)});`,
    `const { DEFAULT_ADMISSION_PLUGINS } = await import(${JSON.stringify(admEntry)});`,
    `const s = await startApiServer({ dataDir: ${JSON.stringify(dir)}, port: 0, bindAddress: '127.0.0.1', advertiseAddress: '192.0.2.1'${admission ? ', enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS' : ''} });`,
    `const { readFileSync } = await import('node:fs');`,
    // The main thread's CPU (utime+stime of the task whose tid is the pid, in 10 ms ticks): the
    // storage writer's worker thread is not the request path's cost.
    `const mainUs = () => { const f = readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8'); const x = f.slice(f.lastIndexOf(')') + 2).split(' '); return (Number(x[11]) + Number(x[12])) * 10000; };`,
    `process.on('message', (m) => { if (m === 'cpu') { const u = process.cpuUsage(); process.send([u.user + u.system, mainUs()]); } });`,
    `process.on('SIGTERM', () => s.close().then(() => process.exit(0)));`,
    `process.send('url ' + s.url);`,
  ].join('\n');
  const file = join(dir, 'apiserver.mjs');
  writeFileSync(file, script);
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, file], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  server = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String(m).slice(4)));
    child.once('exit', (code) => reject(new Error(`apiserver exited (${code})`)));
  });
  return {
    child,
    cpuUs: () =>
      new Promise<[number, number]>((resolve) => {
        child.once('message', (m) => resolve(m as [number, number]));
        child.send('cpu');
      }),
  };
}

type Op = (i: number) => Promise<{ status: number; body: Buffer }>;

/** measure runs n requests and returns the server's CPU µs per request: [process, main thread]. */
async function measure(srv: ServerProc, n: number, concurrency: number, op: Op): Promise<[number, number]> {
  const [p0, m0] = await srv.cpuUs();
  await pool(n, concurrency, async (i) => {
    const r = await op(i);
    if (r.status >= 300) throw new Error(`request failed with ${r.status}: ${r.body.toString().slice(0, 300)}`);
  });
  const [p1, m1] = await srv.cpuUs();
  return [(p1 - p0) / n, (m1 - m0) / n];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-ops-'));
  let srv: ServerProc | undefined;
  const results: Record<string, Array<[number, number]>> = {};
  try {
    srv = await startServer(dir, args.admission);
    for (let k = 0; k < 100; k++) await http('POST', '/api/v1/nodes', benchNode(k));
    // The ServiceAccount admission plugin wants the namespace's default account (the
    // controller-manager creates it in a cluster).
    if (args.admission) await http('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    const { n, concurrency: c } = args;
    for (let round = 0; round < args.repeat; round++) {
      const name = (i: number): string => `p${round}-${i}`;
      const at = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const phases: Array<[string, Op]> = [
        ['create', (i) => http('POST', '/api/v1/namespaces/default/pods', benchPod('default', i, { name: name(i) }))],
        ['binding', (i) => http('POST', `/api/v1/namespaces/default/pods/${name(i)}/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: name(i), namespace: 'default' }, target: { apiVersion: 'v1', kind: 'Node', name: `node-${i % 100}` } })],
        ['event', (i) => http('POST', '/api/v1/namespaces/default/events', scheduledEvent(name(i), round * n + i, at))],
        ['event_v1', (i) => http('POST', '/apis/events.k8s.io/v1/namespaces/default/events', scheduledEventV1(name(i), round * n + i))],
        [
          'status_smp',
          (i) => {
            const status = kubeletStatus(i, at);
            const patch = { status: { $setElementOrder: { conditions: (status.conditions as Array<{ type: string }>).map((x) => ({ type: x.type })) }, ...status } };
            return http('PATCH', `/api/v1/namespaces/default/pods/${name(i)}/status`, patch, 'application/strategic-merge-patch+json');
          },
        ],
        [
          'status_apply',
          (i) => {
            const status = kubeletStatus(i, at);
            (status.conditions as Array<{ lastProbeTime: null | string }>)[0]!.lastProbeTime = at;
            return http('PATCH', `/api/v1/namespaces/default/pods/${name(i)}/status?fieldManager=kubelet&force=true`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: name(i), namespace: 'default' }, status }, 'application/apply-patch+yaml');
          },
        ],
        ['merge_patch', (i) => http('PATCH', `/api/v1/namespaces/default/pods/${name(i)}`, { metadata: { annotations: { 'bench/touched': String(i) } } }, 'application/merge-patch+json')],
        ['get', (i) => http('GET', `/api/v1/namespaces/default/pods/${name(i)}`)],
      ];
      const want = (label: string): boolean => !args.phases || args.phases.has(label);
      for (const [label, op] of phases) if (want(label)) (results[label] ??= []).push(await measure(srv, n, c, op));
      if (!want('put')) continue;
      // PUT: read every pod first (not measured), then replace it with one label added.
      const bodies: Array<Record<string, unknown>> = [];
      await pool(n, c, async (i) => {
        bodies[i] = JSON.parse((await http('GET', `/api/v1/namespaces/default/pods/${name(i)}`)).body.toString()) as Record<string, unknown>;
      });
      (results.put ??= []).push(
        await measure(srv, n, c, (i) => {
          const b = bodies[i]! as { metadata: { labels: Record<string, string> } };
          b.metadata.labels.put = 'yes';
          return http('PUT', `/api/v1/namespaces/default/pods/${name(i)}`, b);
        }),
      );
      (results.delete ??= []).push(await measure(srv, n, c, (i) => http('DELETE', `/api/v1/namespaces/default/pods/${name(i)}?gracePeriodSeconds=0`)));
    }
    const out: Record<string, { process_us: number; main_thread_us: number }> = {};
    for (const [k, v] of Object.entries(results)) out[k] = { process_us: Math.round(median(v.map((x) => x[0]))), main_thread_us: Math.round(median(v.map((x) => x[1]))) };
    // What the scheduler costs the apiserver per pod: create + binding + Scheduled event.
    const sum = (f: 'process_us' | 'main_thread_us'): number => out.create![f] + out.binding![f] + out.event![f];
    if (out.create && out.binding && out.event) out.scheduled_pod = { process_us: sum('process_us'), main_thread_us: sum('main_thread_us') };
    console.log(`apiserver CPU µs per request (n=${n}, concurrency ${c}, admission ${args.admission ? 'on' : 'off'}, median of ${args.repeat}; main thread in 10 ms ticks):`);
    console.table(out);
    if (args.json) writeFileSync(args.json, JSON.stringify(out, null, 2) + '\n');
  } finally {
    http.close();
    if (srv) {
      srv.child.kill('SIGTERM');
      await new Promise((r) => srv!.child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
