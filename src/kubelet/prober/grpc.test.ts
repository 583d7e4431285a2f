import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Server, ServerCredentials, type ServiceDefinition, type handleUnaryCall } from '@grpc/grpc-js';
import { grpcProbe } from './prober.js';

/** A real grpc.health.v1 server whose per-service status the test chooses (wire format by hand). */
async function healthServer(statuses: Record<string, number>): Promise<{ port: number; stop(): Promise<void> }> {
  const server = new Server();
  const def: ServiceDefinition = {
    Check: {
      path: '/grpc.health.v1.Health/Check',
      requestStream: false,
      responseStream: false,
      // The request is wrapped in an object: grpc-js takes a falsy request for a missing one.
      requestDeserialize: (b: Buffer) => ({ service: b.length > 2 ? b.subarray(2).toString() : '' }),
      requestSerialize: (r: { service: string }) => Buffer.from(r.service),
      responseSerialize: (v: number) => Buffer.from([0x08, v]),
      responseDeserialize: (b: Buffer) => b[1] ?? 0,
    },
  };
  const check: handleUnaryCall<{ service: string }, number> = (call, cb) => cb(null, statuses[call.request.service] ?? 3);
  server.addService(def, { Check: check });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { port, stop: () => new Promise((r) => server.tryShutdown(() => r())) };
}

test('grpcProbe: SERVING succeeds, other statuses and unreachable servers fail', async () => {
  const srv = await healthServer({ '': 1, db: 2 });
  try {
    assert.deepEqual(await grpcProbe('', '127.0.0.1', srv.port, 1000), { result: 'Success', output: 'service healthy' });
    const notServing = await grpcProbe('db', '127.0.0.1', srv.port, 1000);
    assert.equal(notServing.result, 'Failure');
    assert.match(notServing.output, /NOT_SERVING/);
    assert.match((await grpcProbe('other', '127.0.0.1', srv.port, 1000)).output, /SERVICE_UNKNOWN/);
  } finally {
    await srv.stop();
  }
  const down = await grpcProbe('', '127.0.0.1', srv.port, 500);
  assert.equal(down.result, 'Failure');
});
