/**
 * Upstream conformance test of sig-network's EndpointSliceMirroring (test/e2e/network/
 * endpointslicemirroring.go), replayed over plain HTTP against one apiserver and one
 * `k8ts controller-manager` child run with its default controllers. The case is named after the
 * upstream test; its steps and assertions are upstream's, polled more often than upstream's 2 s.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../../src/apiserver/testing.js';
import { spawnControllerManager, type ChildProcessHandle } from '../../src/controllers/testing.js';
import { fetchCall, restClient, type Obj } from './helpers/apiserver.js';
import { until } from './helpers/wait.js';

describe('conformance: sig-network EndpointSliceMirroring with the controller-manager', () => {
  let srv: TestApiServer;
  let cm: ChildProcessHandle | undefined;

  const { ok, newNamespace } = restClient(fetchCall(() => srv.url), { waitForServiceAccount: true });

  before(async () => {
    srv = await startTestApiServer();
    cm = await spawnControllerManager(srv.kubeconfig, ['--leader-elect=false']);
    // Upstream runs its 12 s steps against a controller-manager long up. Here it has just
    // started: wait (up to a minute, for a loaded machine) until it mirrors a first Endpoints,
    // so the test's own clock measures mirroring rather than start-up.
    const ns = await newNamespace('mirroring-ready');
    await ok('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'ready' }, spec: { ports: [{ port: 80 }] } });
    await ok('POST', `/api/v1/namespaces/${ns}/endpoints`, { metadata: { name: 'ready' }, subsets: [{ ports: [{ port: 80 }], addresses: [{ ip: '10.9.9.9' }] }] });
    await until('the controller-manager mirrors a first Endpoints', async () => ((await ok('GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dready`)).items.length > 0 ? true : undefined), 60_000, 100);
  });
  after(async () => {
    await cm?.kill();
    await srv?.stop();
  });
  // Upstream polls every 2 s for at most 12 s; the timeout is upstream's, the interval shorter.
  const poll = <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => until(what, fn, 12_000, 100);

  test('[sig-network] EndpointSliceMirroring should mirror a custom Endpoints resource through create update and delete [Conformance]', async () => {
    const ns = await newNamespace('endpointslicemirroring');
    const svc = await ok('POST', `/api/v1/namespaces/${ns}/services`, {
      metadata: { name: 'example-custom-endpoints' },
      spec: { ports: [{ name: 'example', port: 80, protocol: 'TCP' }] },
    });
    const name = svc.metadata.name as string;
    const slicesPath = `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${name}`)}`;
    const endpoints: Obj = { metadata: { name }, subsets: [{ ports: [{ port: 80 }], addresses: [{ ip: '10.1.2.3' }] }] };

    // mirroring a new custom Endpoint
    await ok('POST', `/api/v1/namespaces/${ns}/endpoints`, endpoints);
    // A slice that is there but wrong fails at once, as upstream's condition returning an error.
    const created = await poll('at least 1 EndpointSlice', async () => {
      const items = (await ok('GET', slicesPath)).items as Obj[];
      if (items.length === 0) return undefined;
      // Due to informer caching the controller may create a second slice; all must be valid.
      try {
        for (const s of items) {
          assert.equal(s.ports?.length, 1, 'Expected EndpointSlice to have 1 Port');
          assert.equal(s.ports[0].port, 80, 'Expected port to be 80');
          assert.equal(s.endpoints?.length, 1, 'Expected EndpointSlice to have 1 endpoints');
          assert.equal(s.endpoints[0].addresses?.length, 1, 'Expected EndpointSlice endpoint to have 1 address');
          assert.equal(s.endpoints[0].addresses[0], '10.1.2.3', 'Expected EndpointSlice to have 10.1.2.3 as address');
        }
      } catch (err) {
        return err;
      }
      return true;
    });
    if (created !== true) throw created;

    // mirroring an update to a custom Endpoint
    endpoints.subsets[0].addresses = [{ ip: '10.2.3.4' }];
    await ok('PUT', `/api/v1/namespaces/${ns}/endpoints/${name}`, endpoints);
    await poll('1 EndpointSlice mirroring 10.2.3.4', async () => {
      const items = (await ok('GET', slicesPath)).items as Obj[];
      if (items.length !== 1) return undefined;
      const s = items[0]!;
      if (s.ports?.length !== 1 || s.ports[0].port !== 80) return undefined;
      if (s.endpoints?.length !== 1 || s.endpoints[0].addresses?.length !== 1) return undefined;
      return s.endpoints[0].addresses[0] === '10.2.3.4' ? true : undefined;
    });

    // mirroring deletion of a custom Endpoint
    await ok('DELETE', `/api/v1/namespaces/${ns}/endpoints/${name}`);
    await poll('0 EndpointSlices', async () => (((await ok('GET', slicesPath)).items as Obj[]).length === 0 ? true : undefined));
  });
});
