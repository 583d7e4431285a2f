import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { resourceExpired, tooManyRequests } from '../../api/errors.js';
import { FakeClock } from '../util/clock.js';
import type { ListOptions, ObjectList, WatchOptions } from '../rest/resource.js';
import type { WatchEvent } from '../rest/watch.js';
import { ExponentialBackoff, Reflector, type ListerWatcher } from './reflector.js';
import { newIndexer } from './store.js';

const cm = (name: string, rv: string): KubeObject => ({ metadata: { namespace: 'ns', name, resourceVersion: rv } });

/**
 * A scripted ListerWatcher: each list() and watch() call takes the next scripted answer, so
 * failure paths (errors, early closes) can be driven deterministically on a FakeClock.
 */
class Script implements ListerWatcher<KubeObject> {
  lists: ListOptions[] = [];
  watches: WatchOptions[] = [];
  constructor(
    private readonly listAnswers: Array<ObjectList<KubeObject> | Error>,
    private readonly watchAnswers: Array<Array<WatchEvent<KubeObject>> | Error | 'hang'>,
  ) {}
  async list(o: ListOptions): Promise<ObjectList<KubeObject>> {
    this.lists.push(o);
    const a = this.listAnswers.shift();
    if (!a) throw new Error('no more lists');
    if (a instanceof Error) throw a;
    return a;
  }
  async *watch(o: WatchOptions): AsyncGenerator<WatchEvent<KubeObject>> {
    this.watches.push(o);
    const a = this.watchAnswers.shift() ?? 'hang';
    if (a instanceof Error) throw a;
    if (a === 'hang') {
      await new Promise<void>((resolve) => o.signal?.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    for (const ev of a) yield ev;
  }
}

const page = (items: KubeObject[], rv: string, cont?: string): ObjectList<KubeObject> => ({
  kind: 'ConfigMapList',
  apiVersion: 'v1',
  metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) },
  items,
});

test('Reflector: pages the list, watches from its RV, follows bookmarks, rewatches, relists on 410, backs off on errors', async () => {
  const clock = new FakeClock();
  const script = new Script(
    [page([cm('a', '5')], '10', 'c1'), page([cm('b', '6')], '99', undefined), new Error('list down'), page([cm('a', '30')], '30')],
    [
      [
        { type: 'ADDED', object: cm('c', '11') },
        { type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } },
      ],
      [{ type: 'DELETED', object: cm('b', '16') }],
      [{ type: 'ERROR', object: resourceExpired('too old resource version: 16 (20)').status }],
      'hang',
    ],
  );
  const store = newIndexer<KubeObject>();
  const errors: string[] = [];
  const r = new Reflector<KubeObject>({
    listerWatcher: script,
    store,
    pageSize: 1,
    clock,
    random: () => 0,
    backoff: { initialMs: 100, maxMs: 1000 },
    onError: (e) => errors.push(String(e)),
  });
  const ctl = new AbortController();
  const done = r.run(ctl.signal);
  await clock.step(0);
  // Two pages; the resourceVersion is the first page's, continue is passed on.
  assert.deepEqual(script.lists.slice(0, 2).map((l) => [l.limit, l.continue]), [
    [1, undefined],
    [1, 'c1'],
  ]);
  // After the first watch (bookmark to 15) closes, the second watch resumes at 15;
  // the third reports 410, so the reflector relists (list fails: backoff 100 ms), lists again
  // and watches from the new list's RV.
  await clock.step(2000);
  assert.deepEqual(
    script.watches.map((w) => w.resourceVersion),
    ['10', '15', '16', '30'],
  );
  assert.ok(script.watches.every((w) => w.allowWatchBookmarks === true && (w.timeoutSeconds ?? 0) >= 300));
  assert.deepEqual(errors, ['Error: list down']);
  assert.deepEqual(store.listKeys(), ['ns/a'], 'the relist replaced the store');
  assert.equal(store.getByKey('ns/a')?.kind, 'ConfigMap', 'list items get kind from the list');
  assert.equal(r.lastSyncResourceVersion(), '30');
  ctl.abort();
  await done;
});

test('Reflector: 429 on watch keeps the resourceVersion and retries the watch', async () => {
  const clock = new FakeClock();
  const script = new Script([page([], '7')], [tooManyRequests('busy', 1), 'hang']);
  const r = new Reflector<KubeObject>({ listerWatcher: script, store: newIndexer<KubeObject>(), clock, random: () => 0, backoff: { initialMs: 100 } });
  const ctl = new AbortController();
  const done = r.run(ctl.signal);
  await clock.step(500);
  assert.equal(script.lists.length, 1, 'no relist');
  assert.deepEqual(script.watches.map((w) => w.resourceVersion), ['7', '7']);
  ctl.abort();
  await done;
});

test('Reflector: a watch that closes at once with nothing is treated as an error (no hot loop)', async () => {
  const clock = new FakeClock();
  const script = new Script([page([], '7'), page([], '8')], [[], 'hang']);
  const errors: string[] = [];
  const r = new Reflector<KubeObject>({ listerWatcher: script, store: newIndexer<KubeObject>(), clock, random: () => 0, backoff: { initialMs: 100 }, onError: (e) => errors.push(String(e)) });
  const ctl = new AbortController();
  const done = r.run(ctl.signal);
  await clock.step(50);
  assert.equal(script.watches.length, 1, 'waiting out the backoff');
  await clock.step(100);
  assert.equal(script.lists.length, 2);
  assert.match(errors[0] ?? '', /very short watch/);
  ctl.abort();
  await done;
});

test('ExponentialBackoff: grows by factor with jitter, caps, resets after quiet period', async () => {
  const clock = new FakeClock();
  const b = new ExponentialBackoff({ initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1, resetAfterMs: 120_000 }, clock, () => 0.5);
  assert.deepEqual([b.next(), b.next(), b.next()], [1200, 2400, 4800]);
  for (let i = 0; i < 10; i++) b.next();
  assert.equal(b.next(), 30_000);
  await clock.step(120_001);
  assert.equal(b.next(), 1200);
});
