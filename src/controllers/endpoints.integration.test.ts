/**
 * Endpoints and EndpointSlice controllers against a real in-process apiserver: both follow
 * pod readiness, resolve named ports per pod, honour publishNotReadyAddresses, and slices
 * hold at most maxEndpointsPerSlice endpoints without churning once converged.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { gvr } from '../client/index.js';
import { newEndpointsController } from './endpoints.js';
import { newEndpointSliceController } from './endpointslice.js';
import { setPodReady, startHarness, waitFor, type Harness } from './testing.js';

describe('endpoints and endpointslice controllers', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [newEndpointsController(ctx), newEndpointSliceController(ctx, { maxEndpointsPerSlice: 3 })]);
  });
  after(async () => h?.stop());

  const pods = () => h.client.resource<Pod>(gvr.pods).namespace('default');
  const svcs = () => h.client.resource<Service>(gvr.services).namespace('default');
  const eps = () => h.client.resource<Endpoints>(gvr.endpoints).namespace('default');
  const slicesOf = async (svc: string) => (await h.client.resource<EndpointSlice>(gvr.endpointslices).namespace('default').list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;
  const pod = (name: string, app: string, port: number) =>
    pods().create({ metadata: { name, labels: { app } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ name: 'http', containerPort: port }] }] } });

  test('addresses follow readiness, named target ports resolve per pod, slices carry conditions', async () => {
    await svcs().create({ metadata: { name: 'web', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
    const a = await setPodReady(h.client, await pod('a', 'web', 8080), true);
    const b = await setPodReady(h.client, await pod('b', 'web', 9090), false);
    const ep = await waitFor('endpoints', async () => {
      const e = await eps().get('web');
      return e.subsets?.length === 2 && e;
    });
    const byPort = Object.fromEntries((ep.subsets ?? []).map((s) => [s.ports?.[0]?.port, s]));
    assert.deepEqual(byPort[8080]?.addresses?.map((x: { ip: string; targetRef?: { name?: string } }) => [x.ip, x.targetRef?.name]), [[a.status?.podIP, 'a']]);
    assert.deepEqual(byPort[9090]?.notReadyAddresses?.map((x: { targetRef?: { name?: string } }) => x.targetRef?.name), ['b']);
    assert.equal(ep.metadata?.labels?.['tier'], 'front');
    assert.ok(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

    const slices = await waitFor('slices', async () => {
      const l = await slicesOf('web');
      return l.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) === 2 && l;
    });
    for (const s of slices) {
      assert.equal(s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(s.metadata?.ownerReferences?.[0]?.kind, 'Service');
      assert.equal(s.addressType, 'IPv4');
    }
    const eb = slices.flatMap((s) => s.endpoints ?? []).find((e) => e.targetRef?.name === 'b');
    assert.deepEqual(eb?.conditions, { ready: false, serving: false, terminating: false });

    await setPodReady(h.client, b, true);
    await waitFor('b ready in endpoints', async () => (await eps().get('web')).subsets?.every((s) => s.addresses?.length === 1 && !s.notReadyAddresses));
    await waitFor('b ready in slices', async () => (await slicesOf('web')).flatMap((s) => s.endpoints ?? []).every((e) => e.conditions?.ready === true));
  });

  test('publishNotReadyAddresses lists unready pods as ready', async () => {
    await svcs().create({ metadata: { name: 'pnr' }, spec: { selector: { app: 'pnr' }, publishNotReadyAddresses: true, ports: [{ port: 80 }] } });
    await setPodReady(h.client, await pod('pnr-0', 'pnr', 80), false);
    const ep = await waitFor('endpoints', async () => (await eps().get('pnr')).subsets?.[0]);
    assert.deepEqual(ep.addresses?.map((x) => x.targetRef?.name), ['pnr-0']);
    const e = await waitFor('slice', async () => (await slicesOf('pnr'))[0]?.endpoints?.[0]);
    assert.deepEqual(e.conditions, { ready: true, serving: false, terminating: false });
  });

  test('slices split at maxEndpointsPerSlice, shrink on scale-down, and do not churn', async () => {
    await svcs().create({ metadata: { name: 'many' }, spec: { selector: { app: 'many' }, ports: [{ port: 80 }] } });
    for (let i = 0; i < 7; i++) await setPodReady(h.client, await pod(`many-${i}`, 'many', 80), true);
    const slices = await waitFor('3 slices', async () => {
      const l = await slicesOf('many');
      return l.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) === 7 && l;
    });
    assert.deepEqual(slices.map((s) => s.endpoints?.length).sort(), [1, 3, 3]);
    const versions = slices.map((s) => s.metadata?.resourceVersion).sort();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual((await slicesOf('many')).map((s) => s.metadata?.resourceVersion).sort(), versions, 'converged slices are not rewritten');
    for (let i = 0; i < 5; i++) await pods().delete(`many-${i}`);
    await waitFor('shrunk', async () => {
      const l = await slicesOf('many');
      return l.reduce((n, s) => n + (s.endpoints?.length ?? 0), 0) === 2 && l.every((s) => (s.endpoints?.length ?? 0) > 0);
    });
    await svcs().delete('many');
    await waitFor('endpoints gone', async () => eps().get('many').then(() => false, () => true));
  });
});
