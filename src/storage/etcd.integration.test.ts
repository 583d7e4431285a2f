import { after, before, describe } from 'node:test';
import { storageConformance } from './conformance.case.js';
import { openStorage } from './index.js';
import { etcdUnavailableReason, startEtcd, type RunningEtcd } from './testing/etcd.js';

const skip = etcdUnavailableReason();
if (skip) console.log(`# skipping etcd storage tests: ${skip}`);

describe('etcd backend', { skip: skip ?? false }, () => {
  let etcd: RunningEtcd;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.stop();
  });
  storageConformance('etcd', () => openStorage(etcd.endpoint, { compactIntervalMs: 0 }));
});
