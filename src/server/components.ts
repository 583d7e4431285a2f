/**
 * The control-plane components of `k8ts server` that are API clients only — the scheduler and
 * the controller-manager — can run in a worker thread of their own (`componentThreads:
 * 'worker'`), so their informers (watch decoding, caches), reconciles and scheduling cycles use
 * the second core instead of the apiserver's event loop. They reach the apiserver on the main
 * thread through a PortTransport (HTTP over a MessagePort: no TLS, no sockets), with their own
 * bearer tokens, exactly as they would through the in-process transport.
 *
 * This module is both sides: startComponentsWorker on the main thread, and the worker's entry
 * when loaded as a worker.
 */
import { isMainThread, parentPort, Worker, workerData, MessageChannel, type MessagePort } from 'node:worker_threads';
import type http from 'node:http';
import { setMaxListeners } from 'node:events';
import { RestClient, traceLoopDelay } from '../client/index.js';
import { PortTransport, servePort } from '../client/rest/porttransport.js';
import { runControllerManager, type ControllerSettings } from '../controllers/index.js';
import { resolveConfig } from '../scheduler/index.js';
import { startScheduler } from '../scheduler/run.js';

/** ComponentName names a component the worker can run. */
export type ComponentName = 'controller-manager' | 'scheduler';

/** ComponentSpec is what the worker needs to run one component (structured-clonable). */
export interface ComponentSpec {
  component: ComponentName;
  bearerToken: string;
  userAgent: string;
  leaderElect: boolean;
  /** settings of the controller-manager. */
  settings?: ControllerSettings;
}

type ToMain = { t: 'ready'; component: ComponentName } | { t: 'log'; component: ComponentName; msg: string } | { t: 'ended'; component: ComponentName; error?: string };
type ToWorker = { t: 'stop' };

interface WorkerInput {
  host: string;
  port: MessagePort;
  specs: ComponentSpec[];
}

export interface ComponentsWorker {
  /** ended[component] resolves when it stopped, or rejects with its failure. */
  ended: Map<ComponentName, Promise<void>>;
  /** ready resolves once every component reported ready (the controller-manager: leading). */
  ready: Promise<void>;
  /** stop asks every component to stop and resolves once the thread has exited. */
  stop(): Promise<void>;
}

/**
 * WORKER_YOUNG_GENERATION_MB sizes the components threads' young generation (V8's default
 * semi-spaces are 16 MiB). The scheduler and the controller-manager keep every object of an
 * informer event alive across a few awaits, so with the default size most scavenges copied
 * (and promoted) megabytes of still-live objects: at 200 nodes / 3000 pods the two threads
 * spent seconds in scavenges; with a larger young generation they scavenge a third as often.
 */
const WORKER_YOUNG_GENERATION_MB = 192;

/**
 * startComponentsWorker starts `specs` in one worker thread whose API requests are served by
 * `handler` (the apiserver's) on this thread. `ready` and `log` report what the components say.
 */
export function startComponentsWorker(o: {
  host: string;
  handler: http.RequestListener;
  specs: ComponentSpec[];
  ready: (component: ComponentName) => void;
  log: (component: ComponentName, msg: string) => void;
}): ComponentsWorker {
  const { port1, port2 } = new MessageChannel();
  const stopServing = servePort(port1, o.handler);
  const input: WorkerInput = { host: o.host, port: port2, specs: o.specs };
  const worker = new Worker(new URL(import.meta.url), { workerData: input, transferList: [port2], name: 'k8ts-components', resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
  const settle = new Map<ComponentName, { resolve: () => void; reject: (e: Error) => void }>();
  const ended = new Map<ComponentName, Promise<void>>();
  for (const s of o.specs) ended.set(s.component, new Promise<void>((resolve, reject) => settle.set(s.component, { resolve, reject })));
  const finish = (component: ComponentName, error?: string): void => {
    const s = settle.get(component);
    if (!s) return;
    settle.delete(component);
    if (error === undefined) s.resolve();
    else s.reject(new Error(error));
  };
  const waiting = new Set(o.specs.map((s) => s.component));
  let allReady!: () => void;
  const ready = new Promise<void>((r) => (allReady = r));
  if (waiting.size === 0) allReady();
  worker.on('message', (m: ToMain) => {
    if (m.t === 'ready') {
      o.ready(m.component);
      waiting.delete(m.component);
      if (waiting.size === 0) allReady();
    }
    else if (m.t === 'log') o.log(m.component, m.msg);
    else finish(m.component, m.error);
  });
  worker.on('error', (err) => {
    for (const c of [...settle.keys()]) finish(c, `components thread failed: ${err.message}`);
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      for (const c of [...settle.keys()]) finish(c, `components thread exited (code ${code})`);
      stopServing();
      port1.close();
      resolve();
    }),
  );
  let stopping: Promise<void> | undefined;
  return {
    ended,
    ready,
    stop: () =>
      (stopping ??= (async () => {
        worker.postMessage({ t: 'stop' } satisfies ToWorker);
        // Components get the same grace as in-process ones; a wedged thread is terminated.
        const t = setTimeout(() => void worker.terminate(), 10_000);
        await exited;
        clearTimeout(t);
      })()),
  };
}

/** runWorker is the worker's side: run every component until the main thread says stop. */
async function runWorker(input: WorkerInput, parent: MessagePort): Promise<void> {
  const stop = new AbortController();
  parent.on('message', (m: ToWorker) => {
    if (m.t === 'stop') stop.abort();
  });
  const transport = new PortTransport(input.port);
  const post = (m: ToMain): void => parent.postMessage(m);
  const runs = input.specs.map(async (spec) => {
    // Each component its own signal, as in-process: they tune its listener limit.
    const own = new AbortController();
    setMaxListeners(0, own.signal);
    stop.signal.addEventListener('abort', () => own.abort(), { once: true });
    const signal = own.signal;
    traceLoopDelay(spec.component, signal);
    const client = new RestClient({ host: input.host, transport, bearerToken: spec.bearerToken, userAgent: spec.userAgent, qps: Infinity });
    const log = (msg: string): void => post({ t: 'log', component: spec.component, msg });
    try {
      if (spec.component === 'controller-manager') {
        await runControllerManager(
          {
            client,
            leaderElect: spec.leaderElect,
            settings: spec.settings ?? {},
            log: (m, err) => log(err === undefined ? m : `${m}: ${err instanceof Error ? err.message : String(err)}`),
            onStartedLeading: () => post({ t: 'ready', component: spec.component }),
          },
          signal,
        );
      } else {
        const config = resolveConfig();
        config.leaderElection.leaderElect = spec.leaderElect;
        await startScheduler({ client, config, signal, log, onScheduler: () => post({ t: 'ready', component: spec.component }) });
      }
      post({ t: 'ended', component: spec.component });
    } catch (err) {
      post({ t: 'ended', component: spec.component, error: err instanceof Error ? err.message : String(err) });
    }
  });
  await Promise.all(runs);
  transport.close();
  input.port.close();
  parent.close();
  // Every component has stopped; a timer one of them left behind must not keep the thread (and
  // the server's shutdown) waiting for the 10 s terminate. process.exit in a worker ends the thread only.
  process.exit(0);
}

if (!isMainThread && parentPort && (workerData as WorkerInput | undefined)?.specs) {
  void runWorker(workerData as WorkerInput, parentPort);
}
