/**
 * pv-protection controller against a real apiserver: volumes get the finalizer, and a volume
 * being deleted stays while it is Bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import { gvr } from '../client/index.js';
import { startHarness, waitFor, type Harness } from './testing.js';
import { newPVProtectionController, PV_PROTECTION_FINALIZER } from './pvprotection.js';

describe('pv-protection controller', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness((ctx) => [newPVProtectionController(ctx)]);
  });
  after(async () => {
    await h?.stop();
  });
  const volumes = () => h.client.resource<PersistentVolume>(gvr.persistentvolumes);

  test('a volume gets the finalizer; deleting it waits while it is Bound, then completes', async () => {
    await volumes().create({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-a' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv-a' } } });
    await waitFor('finalizer added', async () => (await volumes().get('pv-a')).metadata?.finalizers?.includes(PV_PROTECTION_FINALIZER));
    await volumes().patch('pv-a', 'merge', { status: { phase: 'Bound' } }, { subresource: 'status' });
    await volumes().delete('pv-a');
    await new Promise((r) => setTimeout(r, 300));
    const held = await volumes().get('pv-a');
    assert.ok(held.metadata?.deletionTimestamp, 'Terminating');
    assert.deepEqual(held.metadata?.finalizers, [PV_PROTECTION_FINALIZER]);
    await volumes().patch('pv-a', 'merge', { status: { phase: 'Released' } }, { subresource: 'status' });
    await waitFor('volume deleted once Released', () =>
      volumes()
        .get('pv-a')
        .then(
          () => false,
          (err: unknown) => isStatusError(err, 'NotFound'),
        ),
    );
  });
});
