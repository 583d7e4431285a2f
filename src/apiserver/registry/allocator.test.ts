import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIPAllocator, IPv4Range, NodePortAllocator } from './allocator.js';

test('ClusterIPAllocator hands out unique addresses of the range and reuses released ones', () => {
  const range = new IPv4Range('10.43.0.0/29'); // 6 hosts: .1-.6
  assert.equal(range.nth(1), '10.43.0.1');
  const a = new ClusterIPAllocator(range);
  assert.equal(a.reserve('10.43.0.1'), true);
  assert.equal(a.reserve('10.43.0.1'), false);
  const got = new Set<string>();
  for (let i = 0; i < 5; i++) got.add(a.allocate()!);
  assert.equal(got.size, 5);
  assert.ok(!got.has('10.43.0.0') && !got.has('10.43.0.7') && !got.has('10.43.0.1'));
  assert.equal(a.allocate(), undefined, 'full');
  a.release('10.43.0.4');
  assert.equal(a.allocate(), '10.43.0.4');
  assert.throws(() => a.reserve('192.168.0.1'), RangeError);
  assert.throws(() => new IPv4Range('nonsense'));
});

test('NodePortAllocator stays within its range', () => {
  const p = new NodePortAllocator(30000, 30002);
  assert.deepEqual([p.allocate(), p.allocate(), p.allocate(), p.allocate()], [30000, 30001, 30002, undefined]);
  p.release(30001);
  assert.equal(p.reserve(30001), true);
  assert.equal(p.reserve(30001), false);
  assert.equal(p.contains(29999), false);
});
