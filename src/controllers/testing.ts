/**
 * Test harness for controller tests: a real apiserver on in-memory SQLite, a client through
 * the in-process transport, and a ControllerRunner running the given controllers. No kubelet:
 * tests mark pods Running/Ready themselves with `setPodReady` (pods/status).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startApiServer, type RunningApiServer } from '../apiserver/index.js';
import { EventBroadcaster, InProcessTransport, RestClient, SharedInformerFactory, gvr, realClock, type Clock } from '../client/index.js';
import { ControllerRunner, type Controller, type ControllerContext } from './runner.js';

export interface Harness {
  server: RunningApiServer;
  client: RestClient;
  ctx: ControllerContext;
  stop(): Promise<void>;
}

export async function startHarness(make: (ctx: ControllerContext) => Controller[], opts: { clock?: Clock } = {}): Promise<Harness> {
  const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', bindAddress: '127.0.0.1', port: 0, advertiseAddress: '192.0.2.1' });
  const client = new RestClient({ host: 'http://in-process', transport: new InProcessTransport(server.handler), qps: Infinity });
  const clock = opts.clock ?? realClock;
  const broadcaster = new EventBroadcaster({ clock, onError: () => {} });
  const ctx: ControllerContext = {
    client,
    informers: new SharedInformerFactory(client, { clock }),
    clock,
    recorder: (component) => broadcaster.newRecorder({ component }),
    log: () => {},
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

/** setPodReady marks a pod Running with Ready (and ContainersReady) True or False via pods/status. */
export async function setPodReady(client: RestClient, pod: Pod, ready: boolean, extra: Partial<NonNullable<Pod['status']>> = {}): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const s = ready ? 'True' : 'False';
  const api = client.resource<Pod>(gvr.pods).namespace(pod.metadata?.namespace ?? '');
  return api.patch(
    pod.metadata?.name ?? '',
    'merge',
    {
      status: {
        phase: 'Running',
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
