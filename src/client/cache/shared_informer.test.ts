/**
 * SharedIndexInformer delivery: every handler in registration order, a throwing handler not
 * stopping the others, and the handler list as it was when the event arrived.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../object.js';
import type { WatchEvent } from '../rest/watch.js';
import type { ListerWatcher } from './reflector.js';
import { SharedIndexInformer } from './shared_informer.js';

const obj = (name: string, rv: string): ApiObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ns', name, resourceVersion: rv } });

/** scripted lists `initial` and then watches the events pushed with send(). */
function scripted(initial: ApiObject[]): { lw: ListerWatcher<ApiObject>; send(ev: WatchEvent<ApiObject>): void } {
  const pending: Array<WatchEvent<ApiObject>> = [];
  let wake: (() => void) | undefined;
  return {
    lw: {
      list: async () => ({ apiVersion: 'v1', kind: 'ConfigMapList', metadata: { resourceVersion: '1' }, items: initial }),
      watch: async function* (o) {
        o.signal?.addEventListener('abort', () => wake?.());
        while (!o.signal?.aborted) {
          const ev = pending.shift();
          if (ev) yield ev;
          else await new Promise<void>((r) => (wake = r));
        }
      },
    },
    send(ev) {
      pending.push(ev);
      wake?.();
    },
  };
}

test('SharedIndexInformer: handlers in order, a throwing one does not stop the rest, changes to the list apply from the next event', async () => {
  const { lw, send } = scripted([obj('a', '1')]);
  const inf = new SharedIndexInformer<ApiObject>(lw, { name: 'configmaps' });
  const seen: string[] = [];
  const errors = console.error;
  console.error = () => {};
  const ac = new AbortController();
  try {
    let late: (() => void) | undefined;
    inf.addEventHandler({ add: (o) => seen.push(`1 add ${o.metadata?.name}`), update: (_o, n) => seen.push(`1 update ${n.metadata?.name}`) });
    inf.addEventHandler({
      update: (_o, n) => {
        seen.push(`2 update ${n.metadata?.name}`);
        // added during a delivery: told about the cache at once, not about this event
        late ??= inf.addEventHandler({ add: (o, initial) => seen.push(`late add ${o.metadata?.name} ${initial}`), update: (_o, m) => seen.push(`late update ${m.metadata?.name}`) }).remove;
        third.remove();
        throw new Error('handler 2 fails');
      },
    });
    const third = inf.addEventHandler({ update: (_o, n) => seen.push(`3 update ${n.metadata?.name}`) });
    const running = inf.run(ac.signal);
    assert.ok(await inf.waitForSync());
    send({ type: 'MODIFIED', object: obj('a', '2') });
    send({ type: 'MODIFIED', object: obj('a', '3') });
    while (seen.filter((s) => s.includes('update')).length < 4) await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, ['1 add a', '1 update a', '2 update a', 'late add a true', '1 update a', '2 update a', 'late update a']);
    ac.abort();
    await running;
  } finally {
    console.error = errors;
    ac.abort();
  }
});
