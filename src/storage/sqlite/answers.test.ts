/**
 * Writes during a long turn of the event loop (the apiserver under load reads many requests in
 * one poll phase): a batch that has waited is sent before the turn ends, and the writer's
 * answer is handled by the next write of the same turn instead of on a later turn.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStorage } from '../index.js';

const root = mkdtempSync(join(tmpdir(), 'k8ts-answers-'));
after(() => rmSync(root, { recursive: true, force: true }));

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test('a write committed during a long turn is answered within that turn, in order, before its end', async () => {
  const store = await openStorage(`sqlite://${join(root, 'state.db')}`, { compactIntervalMs: 0 });
  try {
    const order: string[] = [];
    // The check phase: where the turn's remaining writes leave, and after which, before this
    // change, the first answer could be handled at the earliest.
    setImmediate(() => order.push('turn ended'));
    const first = store.create('/registry/t/a', Buffer.from('{"a":1}')).then((kv) => (order.push('a answered'), kv));
    busy(20);
    // The batch holding `a` has waited: it leaves with this write, and the writer commits it while the turn goes on.
    const second = store.create('/registry/t/b', Buffer.from('{"b":1}')).then((kv) => (order.push('b answered'), kv));
    busy(300);
    // This write takes the answer for `a`, which arrived meanwhile.
    const third = store.create('/registry/t/c', Buffer.from('{"c":1}')).then((kv) => (order.push('c answered'), kv));
    const [a, b, c] = await Promise.all([first, second, third]);
    assert.deepEqual(order, ['a answered', 'turn ended', 'b answered', 'c answered']);
    assert.ok(a.modRevision < b.modRevision && b.modRevision < c.modRevision, 'revisions follow the order of the writes');
    assert.equal((await store.get('/registry/t/a')).kv?.value.toString(), '{"a":1}');
  } finally {
    await store.close();
  }
});
