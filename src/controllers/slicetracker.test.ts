import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Lister } from '../client/index.js';
import { DELETED, SliceTracker, recycleSlices } from './slicetracker.js';

/** cacheOf is a lister over fixed slices of namespace ns (name → resourceVersion). */
const cacheOf = (slices: Record<string, string>): Lister<EndpointSlice> =>
  ({ namespace: () => ({ get: (name: string) => (name in slices ? { metadata: { name, resourceVersion: slices[name] } } : undefined) }) }) as unknown as Lister<EndpointSlice>;

test('SliceTracker: a key is stale until the cache shows each tracked write or delete', () => {
  const t = new SliceTracker();
  t.track('ns/svc', 'a', 10);
  t.track('ns/svc', 'b', DELETED);
  assert.equal(t.stale('ns/svc', 'ns', cacheOf({ a: '9', b: '3' })), true, 'a not yet at 10, b still there');
  assert.equal(t.stale('ns/svc', 'ns', cacheOf({ a: '12', b: '3' })), true, 'a seen (and forgotten); b still there');
  assert.equal(t.expected('ns/svc', 'a'), undefined);
  assert.equal(t.expected('ns/svc', 'b'), DELETED);
  assert.equal(t.stale('ns/svc', 'ns', cacheOf({ a: '12' })), false, 'both seen');
  assert.equal(t.stale('ns/svc', 'ns', cacheOf({})), false, 'nothing tracked any more');
  t.track('ns/other', 'c', 5);
  t.forget('ns/other', 'c');
  assert.equal(t.stale('ns/other', 'ns', cacheOf({})), false, 'forgotten');
  t.track('ns/gone', 'd', 7);
  t.delete('ns/gone');
  assert.equal(t.expected('ns/gone', 'd'), undefined);
});

test('recycleSlices: the first create and a delete of its address type become one update, as upstream finalize', () => {
  const del = (name: string, addressType: string): EndpointSlice => ({ metadata: { name }, addressType, endpoints: [] }) as EndpointSlice;
  const toCreate = [{ t: 'IPv6' }, { t: 'IPv4' }];
  const toDelete = [del('a', 'IPv4'), del('b', 'IPv6'), del('c', 'IPv4')];
  const pairs = recycleSlices(toCreate, toDelete, (c) => c.t);
  // IPv6 pairs with b; then the IPv4 create pairs with the next IPv4 delete after b's place (c), as upstream's single pass does.
  assert.deepEqual(pairs.map(([c, s]) => [c.t, s.metadata?.name]), [['IPv6', 'b'], ['IPv4', 'c']]);
  assert.deepEqual(toCreate, []);
  assert.deepEqual(toDelete.map((s) => s.metadata?.name), ['a']);
});
