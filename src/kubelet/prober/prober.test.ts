import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import type { Container, Pod, Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock, realClock } from '../clock.js';
import { TimerHeap } from '../timerheap.js';
import { SimulatedRuntime, simulatedAnnotations } from '../runtime/simulated.js';
import { runProbe, type ProbeOutcome } from './prober.js';
import { ProbeManager, type ContainerProbeState, type ProbeResultEvent } from './manager.js';

const listen = (s: Server): Promise<number> => new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

test('runProbe: httpGet, tcpSocket and exec against real endpoints', async () => {
  const seen: Array<Record<string, string | string[] | undefined>> = [];
  const http = createServer((req, res) => {
    seen.push(req.headers);
    if (req.url === '/ok') res.end('fine');
    else if (req.url === '/redirect') res.writeHead(302, { Location: '/ok' }).end();
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 1500);
    else res.writeHead(500).end('broken');
  });
  const port = await listen(http);
  const tcp = createTcpServer((s) => s.end());
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const tcpPort = (tcp.address() as AddressInfo).port;
  const closed = createTcpServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));

  const heap = new TimerHeap(realClock);
  const runtime = new SimulatedRuntime({ heap });
  const sc = { metadata: { name: 'p', uid: 'u', namespace: 'default', attempt: 0 }, logDirectory: '/x' };
  const { podSandboxId } = await runtime.runPodSandbox({ config: sc });
  const mk = async (code: number): Promise<string> => {
    const { containerId } = await runtime.createContainer({
      podSandboxId,
      sandboxConfig: sc,
      config: { metadata: { name: `c${code}`, attempt: 0 }, image: { image: 'x' }, logPath: 'x', annotations: { [simulatedAnnotations.execExitCode]: String(code) } },
    });
    await runtime.startContainer({ containerId });
    return containerId;
  };
  const container: Container = { name: 'app', ports: [{ name: 'http', containerPort: port }] };
  const pod: Pod = { metadata: { name: 'p', uid: 'u' }, spec: { containers: [container] } };
  const ctx = (containerId = ''): Parameters<typeof runProbe>[1] => ({ pod, container, containerId, runtime, podIP: '127.0.0.1' });
  try {
    const cases: Array<[string, Probe, string, RegExp?, string?]> = [
      ['http 200', { httpGet: { path: '/ok', port } }, 'Success'],
      ['http named port', { httpGet: { path: '/ok', port: 'http' } as Probe['httpGet'] }, 'Success'],
      ['http redirect', { httpGet: { path: '/redirect', port } }, 'Success'],
      ['http 500', { httpGet: { path: '/bad', port } }, 'Failure', /HTTP probe failed with statuscode: 500/],
      ['http timeout', { httpGet: { path: '/slow', port }, timeoutSeconds: 1 }, 'Failure', /context deadline exceeded/],
      ['http refused', { httpGet: { path: '/', port: closedPort } }, 'Failure', /connection refused/],
      ['unknown named port', { httpGet: { path: '/', port: 'nope' } as Probe['httpGet'] }, 'Unknown', /couldn't find port/],
      ['tcp open', { tcpSocket: { port: tcpPort } }, 'Success'],
      ['tcp closed', { tcpSocket: { port: closedPort } }, 'Failure', /connect: connection refused/],
    ];
    for (const [name, probe, want, re] of cases) {
      const out = await runProbe(probe, ctx());
      assert.equal(out.result, want, `${name}: ${out.output}`);
      if (re) assert.match(out.output, re, name);
    }
    assert.equal(seen[0]!['user-agent'], 'kube-probe/1.31');
    assert.equal((await runProbe({ exec: { command: ['check'] } }, ctx(await mk(0)))).result, 'Success');
    assert.equal((await runProbe({ exec: { command: ['check'] } }, ctx(await mk(1)))).result, 'Failure');
  } finally {
    http.closeAllConnections();
    await new Promise<void>((r) => http.close(() => r()));
    await new Promise<void>((r) => tcp.close(() => r()));
    await runtime.close();
    heap.stop();
  }
});

/** A scripted world: one container whose state and probe answers the test controls. */
function world(containers: Container[]) {
  const clock = new FakeClock();
  const heap = new TimerHeap(clock);
  const pod: Pod = { metadata: { name: 'p', uid: 'u1', namespace: 'default' }, spec: { containers, restartPolicy: 'Always' } };
  const states = new Map<string, ContainerProbeState>();
  const answers = new Map<string, ProbeOutcome['result']>();
  const events: ProbeResultEvent[] = [];
  const calls: string[] = [];
  const m = new ProbeManager({
    heap,
    runtime: new SimulatedRuntime({ heap }),
    containerState: (_uid, name) => states.get(name),
    podIP: () => '127.0.0.1',
    onResult: (e) => events.push(e),
    probe: async (probe, ctx) => {
      const kind = probe === ctx.container.livenessProbe ? 'liveness' : probe === ctx.container.readinessProbe ? 'readiness' : 'startup';
      calls.push(`${clock.now() - t0}:${kind}`);
      const r = answers.get(kind) ?? 'Success';
      return { result: r, output: r === 'Failure' ? 'boom' : '' };
    },
  });
  const t0 = clock.now();
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  const advance = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 1000) {
      clock.advance(1000);
      await flush();
    }
  };
  return { clock, heap, pod, states, answers, events, calls, m, t0, flush, advance };
}

test('ProbeManager: readiness honours initialDelay, period and thresholds on one heap', async () => {
  const w = world([{ name: 'app', readinessProbe: { exec: { command: ['x'] }, initialDelaySeconds: 5, periodSeconds: 2, successThreshold: 2, failureThreshold: 2 } }]);
  w.states.set('app', { containerId: 'c1', running: true, terminated: false, startedAtMs: w.clock.now() });
  w.m.addPod(w.pod);
  assert.equal(w.heap.size, 1, 'one heap entry per worker, no per-probe timers');
  assert.equal(w.clock.pending, 1);
  await w.flush();
  assert.equal(w.m.ready('u1', 'app', 'c1'), false, 'readiness starts failed');
  await w.advance(6000);
  assert.deepEqual(w.calls, ['6000:readiness'], 'first probe at the first tick after initialDelaySeconds');
  assert.equal(w.m.ready('u1', 'app', 'c1'), false, 'one success is below successThreshold 2');
  await w.advance(2000);
  assert.equal(w.m.ready('u1', 'app', 'c1'), true);
  assert.equal(w.events.filter((e) => e.changed).length, 1);
  w.answers.set('readiness', 'Failure');
  await w.advance(2000);
  assert.equal(w.m.ready('u1', 'app', 'c1'), true, 'one failure is below failureThreshold 2');
  assert.equal(w.events.at(-1)!.message, 'Readiness probe failed: boom');
  await w.advance(2000);
  assert.equal(w.m.ready('u1', 'app', 'c1'), false);
  w.m.stop();
  assert.equal(w.heap.size, 0);
});

test('ProbeManager: startup gates liveness; liveness failure holds until a new container', async () => {
  const w = world([
    {
      name: 'app',
      startupProbe: { exec: { command: ['x'] }, periodSeconds: 1, failureThreshold: 30 },
      livenessProbe: { exec: { command: ['x'] }, periodSeconds: 3, failureThreshold: 3 },
    },
  ]);
  w.states.set('app', { containerId: 'c1', running: true, terminated: false, startedAtMs: w.clock.now() });
  w.answers.set('startup', 'Failure');
  w.m.addPod(w.pod);
  await w.flush();
  await w.advance(4000);
  assert.equal(w.m.started('u1', 'app', 'c1'), false);
  assert.ok(!w.calls.some((c) => c.endsWith('liveness')), 'no liveness probe before startup succeeds');
  w.answers.set('startup', 'Success');
  await w.advance(1000);
  assert.equal(w.m.started('u1', 'app', 'c1'), true);
  w.calls.length = 0;
  w.answers.set('liveness', 'Failure');
  await w.advance(12_000);
  assert.equal(w.m.failed('u1', 'app', 'c1'), 'liveness');
  const livenessCalls = w.calls.filter((c) => c.endsWith('liveness')).length;
  assert.equal(livenessCalls, 3, 'held after reaching failureThreshold');
  assert.ok(!w.calls.some((c) => c.endsWith('startup')), 'startup stops probing once started');
  // The kubelet restarts the container: a new instance starts from the initial values.
  w.answers.set('liveness', 'Success');
  w.states.set('app', { containerId: 'c2', running: true, terminated: false, startedAtMs: w.clock.now() });
  assert.equal(w.m.failed('u1', 'app', 'c2'), undefined);
  assert.equal(w.m.started('u1', 'app', 'c2'), false);
  await w.advance(3000);
  assert.equal(w.m.started('u1', 'app', 'c2'), true);
  w.m.stop();
});
