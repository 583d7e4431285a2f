/**
 * "The node keeps running its pods while the control plane is down, and reconciles when it
 * comes back": the kubelet reaches the apiserver through a TCP proxy that the test cuts; the
 * pod's container finishes meanwhile, and its status catches up once the proxy is back on the
 * same port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestApiServer } from '../apiserver/testing.js';
import { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import type { KubeObject } from '../api/types.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { Kubelet } from './kubelet.js';
import { NodeAgent, NodeHost } from './node.js';
import { TimerHeap } from './timerheap.js';
import { realClock } from './clock.js';
import { waitFor } from './runtime/runtime.case.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

/** proxy forwards 127.0.0.1:port to target until close() cuts every connection. */
async function proxy(port: number, target: number): Promise<{ close(): Promise<void> }> {
  const conns = new Set<Socket>();
  const server: Server = createServer((c) => {
    const up = connect(target, '127.0.0.1');
    conns.add(c).add(up);
    c.pipe(up).pipe(c);
    const drop = (): void => {
      c.destroy();
      up.destroy();
    };
    c.on('error', drop).on('close', drop);
    up.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    close: () =>
      new Promise<void>((r) => {
        for (const s of conns) s.destroy();
        server.close(() => r());
      }),
  };
}

test('kubelet keeps pods running while the apiserver is down and catches up after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-offline-'));
  const api = await startTestApiServer({ advertiseAddress: '192.0.2.10' });
  const apiPort = Number(new URL(api.url).port);
  const port = await freePort();
  let link = await proxy(port, apiPort);
  const client = new RestClient({ host: `http://127.0.0.1:${port}`, qps: Infinity });
  const direct = new RestClient({ host: api.url, qps: Infinity });
  const ac = new AbortController();
  const kubelet = new Kubelet({ client, nodeName: 'n1', nodeIP: '127.0.0.1', rootDir: join(dir, 'root'), containerRuntime: 'simulated', port: 0, log: () => {} });
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const running = kubelet.run(ac.signal, ready);
  await isReady;
  const pods = direct.resource<Pod & KubeObject>(gvr.pods).namespace('default');
  try {
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'batch', annotations: { 'simulated.k8ts.io/exit-after-ms': '3000', 'simulated.k8ts.io/exit-code': '0' } },
      spec: { nodeName: 'n1', restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox' }] },
    });
    await waitFor('running', async () => (await pods.get('batch')).status?.phase === 'Running');

    await link.close();
    // While the control plane is away, the container runs to completion on the node.
    await waitFor('completed locally', () => kubelet.lifecycle.pods()[0] && (kubelet.lifecycle.findContainer('default', 'batch', 'job') as { container?: { state: string } }).container?.state === 'CONTAINER_EXITED', 6000);

    assert.equal((await pods.get('batch')).status?.phase, 'Running', 'the API did not hear about it yet');
    link = await proxy(port, apiPort);
    const done = await waitFor('status caught up', async () => {
      const p = await pods.get('batch').catch(() => undefined);
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    }, 15_000);
    assert.equal(done.status!.containerStatuses![0]!.state!.terminated!.reason, 'Completed');
  } finally {
    ac.abort();
    await running;
    await link.close();
    client.close();
    direct.close();
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a node marked Ready=Unknown while its apiserver was away reports Ready again on return, not 5 minutes later', async () => {
  const api = await startTestApiServer({});
  const apiPort = Number(new URL(api.url).port);
  const port = await freePort();
  let link = await proxy(port, apiPort);
  const client = new RestClient({ host: `http://127.0.0.1:${port}`, qps: Infinity, timeoutMs: 1000 });
  const direct = new RestClient({ host: api.url, qps: Infinity });
  const heap = new TimerHeap(realClock);
  let failed = 0;
  const host = new NodeHost({ heap, leaseRenewMs: 100, statusSyncMs: 100, onError: () => void failed++ });
  host.add(new NodeAgent(client, { nodeName: 'away', nodeIP: '127.0.0.1', kubeletPort: 0, runtimeName: 'simulated', runtimeVersion: '0', capacity: { cpu: '1', memory: '1Gi' } }, () => Date.now()));
  const nodes = direct.resource<Node & KubeObject>(gvr.nodes);
  const ready = async (): Promise<string | undefined> => (await nodes.get('away').catch(() => undefined))?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  try {
    host.start();
    await waitFor('registered Ready', async () => (await ready()) === 'True');
    await link.close();
    // What the node lifecycle controller does once the lease is stale.
    const node = await nodes.get('away');
    const conditions = node.status!.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c));
    await nodes.updateStatus({ ...node, status: { ...node.status, conditions } });
    // The controller marks a node Unknown only after its heartbeats stopped reaching the apiserver.
    await waitFor('a failed heartbeat', async () => failed > 0, 10_000);
    assert.equal(await ready(), 'Unknown');
    link = await proxy(port, apiPort);
    await waitFor('Ready again', async () => (await ready()) === 'True', 15_000);
  } finally {
    host.stop();
    heap.stop();
    await link.close();
    client.close();
    direct.close();
    await api.stop();
  }
});
