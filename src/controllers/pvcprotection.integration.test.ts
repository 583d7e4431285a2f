/**
 * pvc-protection controller against a real apiserver: claims get the finalizer, and a claim
 * being deleted stays until no scheduled pod uses it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr } from '../client/index.js';
import { startHarness, waitFor, type Harness } from './testing.js';
import { newPVCProtectionController, podUsesPVC, PVC_PROTECTION_FINALIZER } from './pvcprotection.js';
import { enabledControllers } from './manager.js';

describe('pvc-protection controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [newPVCProtectionController(ctx)]);
  });
  after(async () => {
    await h?.stop();
  });
  const claims = () => h.client.resource<PersistentVolumeClaim>(gvr.persistentvolumeclaims).namespace('default');
  const pods = () => h.client.resource<Pod>(gvr.pods).namespace('default');
  const claim = (name: string): PersistentVolumeClaim => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  const podUsing = (name: string, claimName: string, nodeName?: string): Pod => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }] },
  });
  const gone = async (name: string): Promise<boolean> =>
    claims()
      .get(name)
      .then(
        () => false,
        (err: unknown) => isStatusError(err, 'NotFound'),
      );

  test('a claim created without the finalizer gets it', async () => {
    await claims().create(claim('old-claim'));
    await waitFor('finalizer added', async () => (await claims().get('old-claim')).metadata?.finalizers?.includes(PVC_PROTECTION_FINALIZER));
  });

  test('a claim used by a scheduled pod is deleted only once the pod is gone', async () => {
    await claims().create({ ...claim('in-use'), metadata: { name: 'in-use', finalizers: [PVC_PROTECTION_FINALIZER] } });
    await pods().create(podUsing('user', 'in-use', 'node-1'));
    await claims().delete('in-use');
    // Long enough for the controller to have looked (its cache and a live list) and kept it.
    await new Promise((r) => setTimeout(r, 300));
    const held = await claims().get('in-use');
    assert.ok(held.metadata?.deletionTimestamp, 'Terminating');
    assert.deepEqual(held.metadata?.finalizers, [PVC_PROTECTION_FINALIZER]);
    await pods().delete('user', { gracePeriodSeconds: 0 });
    await waitFor('claim deleted after its pod', () => gone('in-use'));
  });

  test('an unscheduled pod does not hold a claim', async () => {
    await claims().create({ ...claim('pending-user'), metadata: { name: 'pending-user', finalizers: [PVC_PROTECTION_FINALIZER] } });
    await pods().create(podUsing('pending', 'pending-user'));
    await claims().delete('pending-user');
    await waitFor('claim deleted', () => gone('pending-user'));
  });

  test('podUsesPVC: which pods hold a claim', () => {
    const pvc = (name: string, ownerUid?: string): PersistentVolumeClaim => ({ metadata: { name, ...(ownerUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: ownerUid, controller: true }] } : {}) } });
    const eph = (extra: Partial<NonNullable<Pod['metadata']>> = {}): Pod => ({ metadata: { name: 'p', uid: 'u1', ...extra }, spec: { nodeName: 'n', containers: [], volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } });
    const cases: Array<{ name: string; pod: Pod; pvc: PersistentVolumeClaim; want: boolean }> = [
      { name: 'scheduled, names the claim', pod: podUsing('p', 'c', 'n'), pvc: pvc('c'), want: true },
      { name: 'scheduled, another claim', pod: podUsing('p', 'other', 'n'), pvc: pvc('c'), want: false },
      { name: 'not scheduled', pod: podUsing('p', 'c'), pvc: pvc('c'), want: false },
      { name: 'ephemeral claim of the pod', pod: eph(), pvc: pvc('p-scratch', 'u1'), want: true },
      { name: 'ephemeral name, not owned by the pod', pod: eph(), pvc: pvc('p-scratch', 'u2'), want: false },
      { name: 'ephemeral, pod shut down', pod: eph({ deletionTimestamp: '2024-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 }), pvc: pvc('p-scratch', 'u1'), want: false },
    ];
    for (const tc of cases) assert.equal(podUsesPVC(tc.pod, tc.pvc), tc.want, tc.name);
  });
});

describe('--controllers names the protection controllers as upstream', () => {
  const cases: Array<{ name: string; spec: string[]; has: string[]; lacks: string[] }> = [
    { name: 'on by default', spec: ['*'], has: ['persistentvolumeclaim-protection-controller', 'persistentvolume-protection-controller'], lacks: [] },
    { name: 'disabled by alias', spec: ['*', '-pvc-protection', '-pv-protection'], has: ['deployment-controller'], lacks: ['persistentvolumeclaim-protection-controller', 'persistentvolume-protection-controller'] },
    { name: 'enabled alone by alias', spec: ['pv-protection'], has: ['persistentvolume-protection-controller'], lacks: ['persistentvolumeclaim-protection-controller'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const got = enabledControllers(c.spec);
      for (const n of c.has) assert.ok(got.includes(n), n);
      for (const n of c.lacks) assert.ok(!got.includes(n), n);
    });
  }
});
