/**
 * EndpointSliceMirroring controller against a real in-process apiserver: custom Endpoints of
 * selector-less Services are mirrored (labels, annotations, ownerReference, ready conditions,
 * one slice per port set and address type, the per-subset cap), follow updates without churn,
 * and their slices go away when the Endpoints or Service go, the Service gains a selector or the
 * Endpoints is labeled skip-mirror. Pure helpers (IP canonicalisation, repacking) are table-tested.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Endpoints, EndpointSubset, ObjectReference, Service } from 'kubernetes-types/core/v1.js';
import { gvr, sprintf, type ApiObject, type EventRecorder } from '../client/index.js';
import { canonicalIP, newEndpointSliceMirroringController, repackSubsets, shouldMirror } from './endpointslicemirroring.js';
import { startHarness, waitFor, type Harness } from './testing.js';

describe('canonicalIP', () => {
  const cases: Array<{ name: string; in: string; want: string | undefined; type?: string }> = [
    { name: 'plain IPv4', in: '10.1.2.3', want: '10.1.2.3', type: 'IPv4' },
    { name: 'IPv4 with leading zeros (ParseIPSloppy)', in: '010.001.002.003', want: '10.1.2.3', type: 'IPv4' },
    { name: 'IPv4 out of range', in: '10.1.2.256', want: undefined },
    { name: 'IPv6 compressed longest zero run', in: '2001:DB8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1', type: 'IPv6' },
    { name: 'IPv6 loopback', in: '0:0:0:0:0:0:0:1', want: '::1', type: 'IPv6' },
    { name: 'IPv6 single zero group not compressed', in: '2001:db8:0:1:1:1:1:1', want: '2001:db8:0:1:1:1:1:1', type: 'IPv6' },
    { name: 'IPv4-mapped IPv6 is IPv4', in: '::ffff:192.0.2.1', want: '192.0.2.1', type: 'IPv4' },
    { name: 'IPv6 embedded IPv4 printed in hex', in: '64:ff9b::192.0.2.1', want: '64:ff9b::c000:201', type: 'IPv6' },
    { name: 'hostname', in: 'example.com', want: undefined },
    { name: 'two double colons', in: '1::2::3', want: undefined },
    { name: 'empty', in: '', want: undefined },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = canonicalIP(c.in);
      assert.equal(got?.address, c.want);
      if (c.type) assert.equal(got?.type, c.type);
    });
  }
});

describe('repackSubsets', () => {
  const cases: Array<{ name: string; in: EndpointSubset[]; want: EndpointSubset[] }> = [
    {
      name: 'same ports in two subsets merge',
      in: [
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ port: 80 }] },
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] },
      ],
      want: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }],
    },
    {
      name: 'not ready wins over ready for the same address and port',
      in: [
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] },
        { notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] },
      ],
      want: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
    },
    {
      name: 'ports offered by the same addresses join one subset',
      in: [
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] },
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 81 }] },
      ],
      want: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 81 }] }],
    },
    { name: 'a subset without ports drops out', in: [{ addresses: [{ ip: '10.0.0.1' }] }], want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(repackSubsets(c.in), c.want));
});

describe('shouldMirror', () => {
  const cases: Array<{ name: string; ep: Endpoints | undefined; want: boolean }> = [
    { name: 'plain', ep: { metadata: { name: 'a' } }, want: true },
    { name: 'skip-mirror true', ep: { metadata: { name: 'a', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } }, want: false },
    { name: 'skip-mirror other value', ep: { metadata: { name: 'a', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } } }, want: true },
    { name: 'leader election record', ep: { metadata: { name: 'a', annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } } }, want: false },
    { name: 'missing', ep: undefined, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(shouldMirror(c.ep), c.want));
});

describe('endpointslicemirroring controller', () => {
  let h: Harness;
  const events: Array<{ name: string; type: string; reason: string; message: string }> = [];
  before(async () => {
    // The harness's broadcaster has no sink: keep the controller's events here instead.
    const recorder: EventRecorder = {
      event: (obj, type, reason, message) => void events.push({ name: (obj as ObjectReference).name ?? (obj as ApiObject).metadata?.name ?? '', type, reason, message }),
      eventf: (obj, type, reason, f, ...args) => recorder.event(obj, type, reason, sprintf(f, ...args)),
      annotatedEventf: (obj, _a, type, reason, f, ...args) => recorder.event(obj, type, reason, sprintf(f, ...args)),
    };
    h = await startHarness((ctx) => [newEndpointSliceMirroringController({ ...ctx, recorder: () => recorder }, { maxEndpointsPerSubset: 3 })], { transport: 'in-process' });
  });
  after(async () => h?.stop());

  const svcs = () => h.client.resource<Service>(gvr.services).namespace('default');
  const eps = () => h.client.resource<Endpoints>(gvr.endpoints).namespace('default');
  const slicesOf = async (svc: string) =>
    (await h.client.resource<EndpointSlice>(gvr.endpointslices).namespace('default').list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items.filter(
      (s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === 'endpointslicemirroring-controller.k8s.io',
    );
  const settle = () => new Promise((r) => setTimeout(r, 300));

  test('mirrors a custom Endpoints: labels, annotations, owner, ports, ready conditions; updates in place; deletes', async () => {
    await svcs().create({ metadata: { name: 'ext' }, spec: { ports: [{ name: 'http', port: 80 }] } });
    const ep = await eps().create({
      metadata: { name: 'ext', labels: { team: 'a' }, annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': '2020-01-01T00:00:00Z' } },
      subsets: [{ addresses: [{ ip: '10.1.2.3', hostname: 'h1', nodeName: 'n1' }], notReadyAddresses: [{ ip: '10.1.2.4' }], ports: [{ name: 'http', port: 8080 }] }],
    });
    const [s] = await waitFor('mirrored slice', async () => {
      const l = await slicesOf('ext');
      return l.length === 1 && l;
    });
    assert.ok(s);
    assert.equal(s.addressType, 'IPv4');
    assert.equal(s.metadata?.labels?.['team'], 'a');
    assert.equal(s.metadata?.generateName, 'ext-');
    assert.deepEqual(s.metadata?.annotations, { note: 'x' });
    assert.deepEqual(
      s.metadata?.ownerReferences?.map((o) => [o.apiVersion, o.kind, o.name, o.uid, o.controller]),
      [['v1', 'Endpoints', 'ext', ep.metadata?.uid, true]],
    );
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      s.endpoints?.map((e) => [e.addresses, e.conditions, e.hostname, e.nodeName]),
      [
        [['10.1.2.3'], { ready: true }, 'h1', 'n1'],
        [['10.1.2.4'], { ready: false }, undefined, undefined],
      ],
    );

    // Converged: no further writes.
    await settle();
    const [again] = await slicesOf('ext');
    assert.equal(again?.metadata?.resourceVersion, s.metadata?.resourceVersion, 'no churn once converged');

    // An update keeps the same slice (updated in place).
    const cur = await eps().get('ext');
    await eps().update({ ...cur, subsets: [{ addresses: [{ ip: '10.2.3.4' }], ports: [{ name: 'http', port: 8080 }] }] });
    const [u] = await waitFor('updated slice', async () => {
      const l = await slicesOf('ext');
      return l.length === 1 && l[0]?.endpoints?.[0]?.addresses[0] === '10.2.3.4' && l;
    });
    assert.equal(u?.metadata?.name, s.metadata?.name);
    assert.equal(u?.endpoints?.length, 1);

    await eps().delete('ext');
    await waitFor('slices deleted with the Endpoints', async () => (await slicesOf('ext')).length === 0);
  });

  test('one slice per port set and address type; recycled when the ports change', async () => {
    await svcs().create({ metadata: { name: 'multi' }, spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] } });
    await eps().create({
      metadata: { name: 'multi' },
      subsets: [
        { addresses: [{ ip: '10.0.0.1' }, { ip: '2001:db8::1' }], ports: [{ name: 'a', port: 80 }] },
        { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'b', port: 81 }] },
      ],
    });
    const slices = await waitFor('three slices', async () => {
      const l = await slicesOf('multi');
      return l.length === 3 && l;
    });
    const summary = slices.map((s) => `${s.addressType} ${s.ports?.map((p) => p.port).join(',')} ${s.endpoints?.map((e) => e.addresses[0]).join(',')}`).sort();
    assert.deepEqual(summary, ['IPv4 80 10.0.0.1', 'IPv4 81 10.0.0.2', 'IPv6 80 2001:db8::1']);

    const names = new Set(slices.map((s) => s.metadata?.name));
    const cur = await eps().get('multi');
    await eps().update({ ...cur, subsets: [{ addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'c', port: 82 }] }] });
    const [one] = await waitFor('one slice for the new port', async () => {
      const l = await slicesOf('multi');
      return l.length === 1 && l[0]?.ports?.[0]?.port === 82 && l;
    });
    assert.ok(names.has(one?.metadata?.name), 'an IPv4 slice about to be deleted is reused instead of creating a new one');
  });

  test('at most maxEndpointsPerSubset addresses per subset, ready first, with a warning event', async () => {
    await svcs().create({ metadata: { name: 'big' }, spec: { ports: [{ port: 80 }] } });
    await eps().create({
      metadata: { name: 'big' },
      subsets: [{ addresses: ['10.0.1.1', '10.0.1.2', 'not-an-ip'].map((ip) => ({ ip })), notReadyAddresses: ['10.0.1.3', '10.0.1.4'].map((ip) => ({ ip })), ports: [{ port: 80 }] }],
    }).catch(async () =>
      // The apiserver may reject the invalid IP; mirror without it then.
      eps().create({ metadata: { name: 'big' }, subsets: [{ addresses: ['10.0.1.1', '10.0.1.2'].map((ip) => ({ ip })), notReadyAddresses: ['10.0.1.3', '10.0.1.4'].map((ip) => ({ ip })), ports: [{ port: 80 }] }] }),
    );
    const [s] = await waitFor('capped slice', async () => {
      const l = await slicesOf('big');
      return l.length === 1 && l;
    });
    assert.deepEqual(
      s?.endpoints?.map((e) => [e.addresses[0], e.conditions?.ready]),
      [
        ['10.0.1.1', true],
        ['10.0.1.2', true],
        ['10.0.1.3', false],
      ],
    );
    const big = events.filter((e) => e.name === 'big');
    assert.ok(big.length > 0, 'events recorded on the Endpoints');
    for (const e of big) assert.equal(e.type, 'Warning');
    // Whether the apiserver let the invalid IP in decides which events there are.
    const accepted = ((await eps().get('big')).subsets?.[0]?.addresses ?? []).some((a) => a.ip === 'not-an-ip');
    assert.deepEqual(
      [...new Set(big.map((e) => `${e.reason}: ${e.message}`))].sort(),
      [
        ...(accepted ? ['InvalidIPAddress: Skipped 1 invalid IP addresses when mirroring to EndpointSlices'] : []),
        'TooManyAddressesToMirror: A max of 3 addresses can be mirrored to EndpointSlices per Endpoints subset. ' + (accepted ? '2' : '1') + ' addresses were skipped',
      ].sort(),
    );
  });

  test("someone else's edit or deletion of a mirrored slice is undone", async () => {
    await svcs().create({ metadata: { name: 'heal' }, spec: { ports: [{ port: 80 }] } });
    await eps().create({ metadata: { name: 'heal' }, subsets: [{ addresses: [{ ip: '10.5.0.1' }], ports: [{ port: 80 }] }] });
    const [s] = await waitFor('mirrored', async () => {
      const l = await slicesOf('heal');
      return l.length === 1 && l;
    });
    const api = h.client.resource<EndpointSlice>(gvr.endpointslices).namespace('default');
    await api.update({ ...s!, endpoints: [{ addresses: ['10.9.9.9'], conditions: { ready: true } }] });
    await waitFor('edit reverted', async () => (await slicesOf('heal'))[0]?.endpoints?.[0]?.addresses[0] === '10.5.0.1');
    await api.delete(s!.metadata!.name!);
    const [again] = await waitFor('recreated', async () => {
      const l = await slicesOf('heal');
      return l.length === 1 && l;
    });
    assert.notEqual(again?.metadata?.uid, s?.metadata?.uid);
    assert.deepEqual(again?.endpoints?.map((e) => e.addresses[0]), ['10.5.0.1']);
  });

  const cleanupCases: Array<{ name: string; act: (svc: string) => Promise<unknown> }> = [
    { name: 'Service deleted', act: (n) => svcs().delete(n) },
    { name: 'Service gains a selector', act: async (n) => svcs().update({ ...(await svcs().get(n)), spec: { ...(await svcs().get(n)).spec, selector: { app: n } } }) },
    {
      name: 'Endpoints labeled skip-mirror',
      act: async (n) => {
        const e = await eps().get(n);
        return eps().update({ ...e, metadata: { ...e.metadata, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } } });
      },
    },
  ];
  for (const [i, c] of cleanupCases.entries()) {
    test(`mirrored slices are deleted when: ${c.name}`, async () => {
      const name = `gone-${i}`;
      await svcs().create({ metadata: { name }, spec: { ports: [{ port: 80 }] } });
      await eps().create({ metadata: { name }, subsets: [{ addresses: [{ ip: '10.3.0.1' }], ports: [{ port: 80 }] }] });
      await waitFor('mirrored', async () => (await slicesOf(name)).length === 1);
      await c.act(name);
      await waitFor('slices deleted', async () => (await slicesOf(name)).length === 0);
    });
  }

  test('Endpoints without a Service, and the apiserver-managed default/kubernetes, are not mirrored', async () => {
    await eps().create({ metadata: { name: 'orphan' }, subsets: [{ addresses: [{ ip: '10.4.0.1' }], ports: [{ port: 80 }] }] });
    await settle();
    assert.equal((await slicesOf('orphan')).length, 0);
    assert.equal((await slicesOf('kubernetes')).length, 0);
    // The apiserver's own slice for default/kubernetes is left alone.
    const k = await h.client.resource<EndpointSlice>(gvr.endpointslices).namespace('default').get('kubernetes');
    assert.equal(k.metadata?.labels?.['kubernetes.io/service-name'], 'kubernetes');
  });
});
