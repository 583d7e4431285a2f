import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Lister } from '../client/index.js';
import { DELETED, SliceTracker } from './slicetracker.js';

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
