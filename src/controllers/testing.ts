/**
 * Test harness for controller tests: a real apiserver on in-memory SQLite, a client through
 * the in-process transport, and a ControllerRunner running the given controllers. No kubelet:
 * tests mark pods Running/Ready themselves with `setPodReady` (pods/status).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startApiServer, type RunningApiServer } from '../apiserver/index.js';
import { EventBroadcaster, HttpTransport, InProcessTransport, RestClient, type Transport, SharedInformerFactory, gvr, realClock, type Clock } from '../client/index.js';
import { ControllerRunner, type Controller, type ControllerContext } from './runner.js';

export interface Harness {
  server: RunningApiServer;
  client: RestClient;
  ctx: ControllerContext;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  clock?: Clock;
  transport?: 'http' | 'in-process';
  /** wrapTransport lets a test observe or fault the controllers' requests. */
  wrapTransport?: (t: Transport) => Transport;
}

export async function startHarness(make: (ctx: ControllerContext) => Controller[], opts: HarnessOptions = {}): Promise<Harness> {
  const transport = opts.transport ?? 'http';
  const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', bindAddress: '127.0.0.1', port: 0, advertiseAddress: '192.0.2.1' });
  const base: Transport = transport === 'in-process' ? new InProcessTransport(server.handler) : new HttpTransport(server.url);
  const client = new RestClient({ host: transport === 'in-process' ? 'http://in-process' : server.url, transport: opts.wrapTransport ? opts.wrapTransport(base) : base, qps: Infinity });
  const clock = opts.clock ?? realClock;
  const broadcaster = new EventBroadcaster({ clock, onError: () => {} });
  const ctx: ControllerContext = {
    client,
    informers: new SharedInformerFactory(client, { clock, onError: (err) => process.env['K8TS_TEST_LOG'] && console.error('informer', err) }),
    clock,
    recorder: (component) => broadcaster.newRecorder({ component }),
    log: (msg, err) => {
      if (process.env['K8TS_TEST_LOG']) console.error(msg, err);
    },
  };
  const runner = new ControllerRunner(ctx);
  for (const c of make(ctx)) runner.add(c);
  const ac = new AbortController();
  const running = runner.run(ac.signal);
  return {
    server,
    client,
    ctx,
    async stop() {
      ac.abort();
      await running;
      await broadcaster.shutdown();
      await server.close();
    },
  };
}

/** waitFor polls fn until it returns a truthy value (or throws after timeoutMs). */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let nextIP = 2;

/** setPodReady marks a pod Running with Ready (and ContainersReady) True or False via pods/status. */
export async function setPodReady(client: RestClient, pod: Pod, ready: boolean, extra: Partial<NonNullable<Pod['status']>> = {}): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const s = ready ? 'True' : 'False';
  // Endpoints need an IP; give each pod a distinct one, as a kubelet would report.
  const ip = pod.status?.podIP ?? `10.42.${(nextIP >> 8) & 255}.${nextIP++ & 255}`;
  const api = client.resource<Pod>(gvr.pods).namespace(pod.metadata?.namespace ?? '');
  return api.patch(
    pod.metadata?.name ?? '',
    'merge',
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [
          { type: 'Ready', status: s, lastTransitionTime: now },
          { type: 'ContainersReady', status: s, lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
        ...extra,
      },
    },
    { subresource: 'status' },
  );
}

/**
 * startPodReadier plays the kubelet for tests: every pod matching labelSelector that appears
 * (and is not being deleted) is marked Running and Ready after delayMs. stop() ends it.
 */
export function startPodReadier(client: RestClient, opts: { labelSelector?: string; delayMs?: number } = {}): { stop(): Promise<void> } {
  const ac = new AbortController();
  const factory = new SharedInformerFactory(client);
  const inf = factory.forResource<Pod>(gvr.pods, opts.labelSelector ? { labelSelector: opts.labelSelector } : {});
  const pending = new Set<Promise<unknown>>();
  const mark = (p: Pod): void => {
    if (p.metadata?.deletionTimestamp || p.status?.conditions?.some((c) => c.type === 'Ready')) return;
    const t = new Promise((r) => setTimeout(r, opts.delayMs ?? 0))
      .then(() => (ac.signal.aborted ? undefined : setPodReady(client, p, true)))
      .catch(() => {});
    pending.add(t);
    void t.finally(() => pending.delete(t));
  };
  inf.addEventHandler({ add: mark });
  factory.start(ac.signal);
  return {
    async stop() {
      ac.abort();
      await factory.shutdown();
      await Promise.all(pending);
    },
  };
}

/** ChildProcessHandle is a `k8ts controller-manager` child started by spawnControllerManager. */
export interface ChildProcessHandle {
  pid: number;
  /** output collects stderr (logs). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * spawnControllerManager runs `node bin/k8ts.js controller-manager --kubeconfig <kubeconfig> ...args`
 * and resolves once the process has started (logged its `starting` line). A child that dies
 * before that (a dist/ being rebuilt underneath it) is started again, up to three times.
 */
export async function spawnControllerManager(kubeconfig: string, args: readonly string[] = []): Promise<ChildProcessHandle> {
  const { spawn } = await import('node:child_process');
  const bin = new URL('../../../bin/k8ts.js', import.meta.url).pathname;
  let lastOutput = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const child = spawn(process.execPath, [bin, 'controller-manager', '--kubeconfig', kubeconfig, '--kube-api-qps', '1000', '--kube-api-burst', '1000', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const started = await new Promise<boolean>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (out.includes('k8ts controller-manager: starting')) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    if (!started) {
      lastOutput = out;
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    return {
      pid: child.pid ?? -1,
      output: () => out,
      async kill(signal: NodeJS.Signals = 'SIGKILL') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
    };
  }
  throw new Error(`controller-manager did not start:\n${lastOutput}`);
}
