/**
 * Worker threads of bench:scheduler, so the apiserver, the load generator and the scheduler
 * each get a thread (as in scheduler_perf, where they share one multi-core Go process):
 * - `apiserver`: starts an apiserver on in-memory SQLite on a free port, posts `{ url }`,
 *   closes on `'stop'`; `{ servePort }` also serves HTTP arriving over that MessagePort.
 * - `creator`: creates the objects it is asked for over HTTP, posts `'done'` per batch.
 * Both answer `'cpu'` (creator: `{ kind: 'cpu' }`) with `{ cpu }`, their thread's CPU seconds.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { startApiServer } from '../src/apiserver/index.js';
import { gvr, RestClient } from '../src/client/index.js';
import { servePort } from '../src/client/rest/porttransport.js';
import { benchNode, benchPod, threadCpuSeconds, type Variant } from './scheduler-workloads.js';

const role = (workerData as { role: string; url?: string }).role;
const port = parentPort!;

if (role === 'apiserver') {
  const datastoreEndpoint = (workerData as { datastore?: string }).datastore ?? 'sqlite::memory:';
  const server = await startApiServer({ datastoreEndpoint, port: 0, bindAddress: '127.0.0.1', advertiseAddress: '10.0.0.1' });
  port.postMessage({ url: server.url });
  let stopServing: (() => void) | undefined;
  port.on('message', (m: unknown) => {
    if (m === 'stop') {
      stopServing?.();
      void server.close().then(() => port.postMessage('stopped'));
    } else if (m === 'cpu') port.postMessage({ cpu: threadCpuSeconds() });
    else if (m && typeof m === 'object' && 'servePort' in m) {
      // `--transport port`: the scheduler's requests arrive over this MessagePort, as in `k8ts server`
      stopServing = servePort((m as { servePort: MessagePort }).servePort, server.handler);
    }
  });
} else if (role === 'creator') {
  const client = new RestClient({ host: (workerData as { url: string }).url, qps: Infinity });
  const createAll = async <T>(n: number, make: (i: number) => T, create: (x: T) => Promise<unknown>, concurrency = 64): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < n; i = next++) await create(make(i));
      }),
    );
  };
  port.on('message', (m: { kind: 'nodes' | 'pods' | 'stop' | 'cpu'; count: number; prefix: string; variant: Variant; groupSize: number }) => {
    if (m.kind === 'cpu') {
      port.postMessage({ cpu: threadCpuSeconds() });
      return;
    }
    if (m.kind === 'stop') {
      client.close();
      port.close();
      return;
    }
    const job =
      m.kind === 'nodes'
        ? createAll(m.count, benchNode, (n) => client.resource<Node>(gvr.nodes).create(n))
        : createAll(m.count, (i) => benchPod(`${m.prefix}-${i}`, m.variant, `${m.prefix}-g${Math.floor(i / m.groupSize)}`), (p) => client.resource<Pod>(gvr.pods).namespace('default').create(p));
    job.then(
      () => port.postMessage('done'),
      (err: unknown) => port.postMessage({ error: String(err) }),
    );
  });
}
