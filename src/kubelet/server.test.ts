import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { request } from 'node:http';
import WebSocket from 'ws';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { realClock } from './clock.js';
import { TimerHeap } from './timerheap.js';
import { openProcessRuntime } from './runtime/process.js';
import { PodLifecycle } from './pods.js';
import { startKubeletServer } from './server.js';
import { waitFor } from './runtime/runtime.case.js';

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-srv-'));
  const heap = new TimerHeap(realClock);
  const runtime = await openProcessRuntime({ stateDir: join(dir, 'runtime'), heap, podIP: '127.0.0.1', pumpIntervalMs: 20 });
  const statuses = new Map<string, PodStatus>();
  const lifecycle = new PodLifecycle({
    runtime,
    heap,
    rootDir: dir,
    nodeName: 'n',
    nodeIP: '127.0.0.1',
    host: { recordEvent: () => {}, setPodStatus: (p, s) => void statuses.set(p.metadata!.name!, s), deletePod: async () => {} },
    sources: { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async () => [] },
  });
  const pod: Pod = {
    metadata: { name: 'talker', namespace: 'default', uid: 'uid-talker' },
    spec: { containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'i=0; while :; do echo line$i; i=$((i+1)); sleep 0.1; done'] }] },
  };
  lifecycle.updatePod(pod);
  await waitFor('running', () => statuses.get('talker')?.phase === 'Running');
  const server = await startKubeletServer({ lifecycle });
  return {
    server,
    cleanup: async () => {
      await server.close();
      lifecycle.stop();
      for (const s of (await runtime.listPodSandbox()).items) await runtime.removePodSandbox({ podSandboxId: s.id });
      await runtime.close();
      heap.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function get(url: string, untilText?: RegExp): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => {
        body += b.toString();
        if (untilText?.test(body)) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', (e) => (untilText ? undefined : reject(e)));
    req.end();
  });
}

interface Frames {
  out: string;
  err: string;
  status: string;
}

function wsExec(url: string, protocol: string, send: (ws: WebSocket) => void = () => {}): Promise<Frames> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [protocol]);
    const f: Frames = { out: '', err: '', status: '' };
    ws.on('open', () => send(ws));
    ws.on('message', (data: Buffer) => {
      const ch = data[0];
      const s = data.subarray(1).toString();
      if (ch === 1) f.out += s;
      else if (ch === 2) f.err += s;
      else if (ch === 3) f.status += s;
    });
    ws.on('close', () => resolve(f));
    ws.on('error', reject);
  });
}

test('kubelet server: healthz, pods, containerLogs (tail, timestamps, limitBytes, follow), exec over v5/v4 WebSocket, port-forward', async () => {
  const s = await setup();
  try {
    const { url } = s.server;
    assert.deepEqual(await get(`${url}/healthz`), { status: 200, body: 'ok' });
    const pods = JSON.parse((await get(`${url}/pods`)).body) as { kind: string; items: Pod[] };
    assert.equal(pods.kind, 'PodList');
    assert.equal(pods.items[0]!.metadata!.name, 'talker');

    await waitFor('some logs', async () => (await get(`${url}/containerLogs/default/talker/app`)).body.includes('line3'));
    const all = (await get(`${url}/containerLogs/default/talker/app`)).body.trimEnd().split('\n');
    assert.equal(all[0], 'line0');
    const tail = (await get(`${url}/containerLogs/default/talker/app?tailLines=2`)).body.trimEnd().split('\n');
    assert.equal(tail.length, 2);
    assert.match(tail[1]!, /^line\d+$/);
    const ts = (await get(`${url}/containerLogs/default/talker/app?tailLines=1&timestamps=true`)).body;
    assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line\d+\n$/);
    assert.equal((await get(`${url}/containerLogs/default/talker/app?limitBytes=7`)).body, 'line0\nl');
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.equal((await get(`${url}/containerLogs/default/talker/app?sinceTime=${future}`)).body, '');
    const followed = await get(`${url}/containerLogs/default/talker/app?follow=true&tailLines=0`, /line\d+\n.*line\d+\n/s);
    assert.match(followed.body, /^line\d+\n/);
    assert.equal((await get(`${url}/containerLogs/default/nope/app`)).status, 404);
    assert.equal((await get(`${url}/containerLogs/default/talker/other`)).status, 400);
    assert.equal((await get(`${url}/containerLogs/default/talker/app?previous=true`)).status, 400);

    const execUrl = `${url.replace('http', 'ws')}/exec/default/talker/app?command=sh&command=-c&command=${encodeURIComponent('echo out; echo err >&2; exit 3')}&stdout=1&stderr=1`;
    for (const proto of ['v5.channel.k8s.io', 'v4.channel.k8s.io']) {
      const r = await wsExec(execUrl, proto);
      assert.equal(r.out, 'out\n', proto);
      assert.equal(r.err, 'err\n', proto);
      const status = JSON.parse(r.status) as { status: string; reason: string; details: { causes: Array<{ reason: string; message: string }> } };
      assert.equal(status.status, 'Failure');
      assert.equal(status.reason, 'NonZeroExitCode');
      assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
    }
    const cat = await wsExec(`${url.replace('http', 'ws')}/exec/default/talker/app?command=cat&stdin=1&stdout=1&stderr=1`, 'v5.channel.k8s.io', (ws) => {
      ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('piped input')]));
      ws.send(Buffer.from([255, 0]));
    });
    assert.equal(cat.out, 'piped input');
    assert.deepEqual(JSON.parse(cat.status), { metadata: {}, status: 'Success' });

    // Port-forward to a port on the pod IP (host network: an echo server here).
    const echo = createServer((sock) => sock.pipe(sock));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
    const port = (echo.address() as AddressInfo).port;
    try {
      const got = await new Promise<{ prefix: number[]; data: string }>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/portForward/default/talker?ports=${port}`, ['portforward.k8s.io']);
        const prefix: number[] = [];
        let data = '';
        ws.on('message', (m: Buffer) => {
          if (m.length === 3 && m.readUInt16LE(1) === port) {
            prefix.push(m[0]!);
            if (prefix.length === 2) ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('ping')]));
            return;
          }
          if (m[0] === 0) data += m.subarray(1).toString();
          if (data === 'ping') {
            ws.close();
            resolve({ prefix, data });
          }
        });
        ws.on('error', reject);
      });
      assert.deepEqual(got.prefix.sort(), [0, 1]);
      assert.equal(got.data, 'ping');
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  } finally {
    await s.cleanup();
  }
});
