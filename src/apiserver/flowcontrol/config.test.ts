import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import { findResource } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import { openStorage } from '../../storage/index.js';
import type { Storage } from '../../storage/interface.js';
import { WatchCache } from '../cache/watchcache.js';
import { Admission, ANONYMOUS_ADMIN } from '../pipeline.js';
import { Store, type Resource } from '../registry/store.js';
import { strategyFor } from '../registry/strategy.js';
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from './bootstrap.js';
import { danglingCondition, ensureFlowControlBootstrap, startFlowControlConfigController, watchFlowControlConfig, type FlowControlDeps } from './config.js';

const GROUP = 'flowcontrol.apiserver.k8s.io';

/** A real store and watch cache on in-memory SQLite serving only the two flowcontrol resources. */
interface Harness {
  deps: FlowControlDeps;
  fs: Resource;
  pl: Resource;
  cache: WatchCache;
  storage: Storage;
}

async function harness(): Promise<Harness> {
  const storage = await openStorage('sqlite::memory:');
  const cache = new WatchCache(storage);
  const make = (resource: string): Resource => {
    const info = findResource(GROUP, 'v1', resource)!;
    const prefix = `/registry/${resource}/`;
    const rc = cache.register(prefix, (_key, value) => ({ labels: (JSON.parse(value.toString('utf8')) as KubeObject).metadata?.labels ?? {}, fields: {} }));
    return { info, stored: { prefix, info, strategy: strategyFor(info), cache: rc } };
  };
  const fs = make('flowschemas');
  const pl = make('prioritylevelconfigurations');
  await cache.start();
  const store = new Store(storage);
  const resolve = (g: string, v: string, r: string): Resource | undefined => (g === GROUP && v === 'v1' ? (r === 'flowschemas' ? fs : r === 'prioritylevelconfigurations' ? pl : undefined) : undefined);
  return { deps: { store, resolve, admission: new Admission([]) }, fs, pl, cache, storage };
}

const ctx = (h: Harness) => ({ dryRun: false, fieldManager: 'test', user: ANONYMOUS_ADMIN, admission: h.deps.admission, now: new Date() });
const names = (objs: readonly { metadata?: { name?: string } }[]): string[] => objs.map((o) => o.metadata!.name!).sort();
const get = async <T>(h: Harness, r: Resource, name: string): Promise<T | undefined> =>
  (await h.deps.store.get(r, '', name).catch(() => undefined)) as T | undefined;

/** eventually retries an assertion until it holds (the controller reacts asynchronously). */
async function eventually(check: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('flowcontrol configuration', () => {
  let h: Harness;
  const cleanups: (() => void | Promise<void>)[] = [];
  beforeEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    h = await harness();
    cleanups.push(async () => {
      h.cache.stop();
      await h.storage.close();
    });
  });
  after(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('ensureFlowControlBootstrap creates every built-in object, defaulted, and is idempotent', async () => {
    await ensureFlowControlBootstrap(h.deps);
    const pls = (await h.deps.store.get(h.pl, '', 'global-default')) as PriorityLevelConfiguration;
    assert.equal(pls.spec?.limited?.limitResponse?.queuing?.queueLengthLimit, 50);
    const rev = await h.storage.currentRevision();
    await ensureFlowControlBootstrap(h.deps);
    assert.equal(await h.storage.currentRevision(), rev, 'a second pass writes nothing');
    await h.cache.waitForFresh();
    assert.deepEqual(names(h.pl.stored.cache.list('').map((o) => ({ metadata: { name: o.name } }))), names(bootstrapPriorityLevels));
    assert.deepEqual(names(h.fs.stored.cache.list('').map((o) => ({ metadata: { name: o.name } }))), names(bootstrapFlowSchemas));
  });

  const cases: { name: string; setup: (h: Harness) => Promise<void>; check: (h: Harness) => Promise<void> }[] = [
    {
      name: 'a mandatory object with an edited spec is restored even when its annotation says false',
      setup: async (h) => {
        await h.deps.store.update(h.pl, '', 'catch-all', (cur) => {
          const pl = cur as PriorityLevelConfiguration;
          pl.metadata!.annotations = { 'apf.kubernetes.io/autoupdate-spec': 'false' };
          pl.spec!.limited!.nominalConcurrencyShares = 99;
          return pl as KubeObject;
        }, ctx(h), '');
      },
      check: async (h) => {
        const pl = (await get<PriorityLevelConfiguration>(h, h.pl, 'catch-all'))!;
        assert.equal(pl.spec?.limited?.nominalConcurrencyShares, 5);
        assert.equal(pl.metadata?.annotations?.['apf.kubernetes.io/autoupdate-spec'], 'true');
      },
    },
    {
      name: "the exempt level's exempt settings belong to the operator",
      setup: async (h) => {
        await h.deps.store.update(h.pl, '', 'exempt', (cur) => ({ ...cur!, spec: { type: 'Exempt', exempt: { nominalConcurrencyShares: 7, lendablePercent: 20 } } }), ctx(h), '');
      },
      check: async (h) => {
        const pl = (await get<PriorityLevelConfiguration>(h, h.pl, 'exempt'))!;
        assert.deepEqual(pl.spec, { type: 'Exempt', exempt: { nominalConcurrencyShares: 7, lendablePercent: 20 } });
      },
    },
    {
      name: 'a suggested object whose annotation is false keeps its spec',
      setup: async (h) => {
        await h.deps.store.update(h.pl, '', 'workload-low', (cur) => {
          const pl = cur as PriorityLevelConfiguration;
          pl.metadata!.annotations = { 'apf.kubernetes.io/autoupdate-spec': 'false' };
          pl.spec!.limited!.nominalConcurrencyShares = 3;
          return pl as KubeObject;
        }, ctx(h), '');
      },
      check: async (h) => {
        const pl = (await get<PriorityLevelConfiguration>(h, h.pl, 'workload-low'))!;
        assert.equal(pl.spec?.limited?.nominalConcurrencyShares, 3);
      },
    },
    {
      name: 'a suggested object edited without the annotation (generation > 1) is left alone and marked false',
      setup: async (h) => {
        await h.deps.store.update(h.fs, '', 'probes', (cur) => {
          const fs = cur as FlowSchema;
          delete fs.metadata!.annotations;
          fs.spec!.matchingPrecedence = 3;
          return fs as KubeObject;
        }, ctx(h), '');
      },
      check: async (h) => {
        const fs = (await get<FlowSchema>(h, h.fs, 'probes'))!;
        assert.equal(fs.spec?.matchingPrecedence, 3);
        assert.equal(fs.metadata?.annotations?.['apf.kubernetes.io/autoupdate-spec'], 'false');
      },
    },
    {
      name: 'a suggested object with the annotation true gets its spec back',
      setup: async (h) => {
        await h.deps.store.update(h.fs, '', 'probes', (cur) => {
          (cur as FlowSchema).spec!.matchingPrecedence = 3;
          return cur!;
        }, ctx(h), '');
      },
      check: async (h) => {
        assert.equal((await get<FlowSchema>(h, h.fs, 'probes'))!.spec?.matchingPrecedence, 2);
      },
    },
    {
      name: 'an auto-updated object that is no longer built in is removed; an unannotated one stays',
      setup: async (h) => {
        const mk = (name: string, annotations?: Record<string, string>): KubeObject => ({
          apiVersion: `${GROUP}/v1`,
          kind: 'PriorityLevelConfiguration',
          metadata: { name, ...(annotations ? { annotations } : {}) },
          spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } },
        });
        await h.deps.store.create(h.pl, '', mk('retired', { 'apf.kubernetes.io/autoupdate-spec': 'true' }), ctx(h));
        await h.deps.store.create(h.pl, '', mk('mine'), ctx(h));
      },
      check: async (h) => {
        assert.equal(await get(h, h.pl, 'retired'), undefined);
        assert.ok(await get(h, h.pl, 'mine'));
      },
    },
  ];
  for (const c of cases) {
    it(`ensure: ${c.name}`, async () => {
      await ensureFlowControlBootstrap(h.deps);
      await c.setup(h);
      await h.cache.waitForFresh();
      await ensureFlowControlBootstrap(h.deps);
      await c.check(h);
    });
  }

  it('watchFlowControlConfig reports the full sets once per turn, after every change, until stopped', async () => {
    await ensureFlowControlBootstrap(h.deps);
    await h.cache.waitForFresh();
    const calls: { fs: string[]; pl: string[] }[] = [];
    const stop = watchFlowControlConfig(h.deps, (fs, pl) => calls.push({ fs: names(fs), pl: names(pl) }));
    cleanups.push(stop);
    await eventually(async () => assert.equal(calls.length, 1));
    assert.deepEqual(calls[0], { fs: names(bootstrapFlowSchemas), pl: names(bootstrapPriorityLevels) });
    // Two deletes applied by the cache in one batch give one call.
    await h.deps.store.delete(h.fs, '', 'probes', {}, ctx(h));
    await h.deps.store.delete(h.pl, '', 'workload-low', {}, ctx(h));
    await eventually(async () => assert.ok(!calls.at(-1)!.pl.includes('workload-low')));
    assert.ok(!calls.at(-1)!.fs.includes('probes'));
    assert.ok(calls.length <= 3);
    stop();
    const n = calls.length;
    await h.deps.store.delete(h.fs, '', 'exempt', {}, ctx(h));
    await h.cache.waitForFresh();
    await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, n, 'no call after stop');
  });

  it('the controller restores deleted built-ins and keeps the Dangling condition', async () => {
    await ensureFlowControlBootstrap(h.deps);
    await h.cache.waitForFresh();
    let last: { fs: number; pl: number } | undefined;
    const stop = startFlowControlConfigController(h.deps, (fs, pl) => (last = { fs: fs.length, pl: pl.length }));
    cleanups.push(stop);
    await h.deps.store.delete(h.pl, '', 'catch-all', {}, ctx(h));
    await h.deps.store.delete(h.fs, '', 'catch-all', {}, ctx(h));
    await eventually(async () => {
      assert.ok(await get(h, h.pl, 'catch-all'));
      assert.ok(await get(h, h.fs, 'catch-all'));
    });
    await h.deps.store.create(h.fs, '', { apiVersion: `${GROUP}/v1`, kind: 'FlowSchema', metadata: { name: 'orphan' }, spec: { priorityLevelConfiguration: { name: 'nowhere' } } }, ctx(h));
    await eventually(async () => {
      const c = (await get<FlowSchema>(h, h.fs, 'orphan'))?.status?.conditions?.find((x) => x.type === 'Dangling');
      assert.equal(c?.status, 'True');
      assert.equal(c?.reason, 'NotFound');
      assert.equal(c?.message, 'This FlowSchema references the PriorityLevelConfiguration object named "nowhere" but there is no such object');
      assert.ok(c?.lastTransitionTime);
    });
    // Another writer's condition survives the controller's status writes.
    await h.deps.store.update(h.fs, '', 'orphan', (cur) => ({ ...cur!, status: { conditions: [...((cur as FlowSchema).status?.conditions ?? []), { type: 'Mine', status: 'False' }] } }), ctx(h), 'status');
    await h.deps.store.create(h.pl, '', { apiVersion: `${GROUP}/v1`, kind: 'PriorityLevelConfiguration', metadata: { name: 'nowhere' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } } }, ctx(h));
    await eventually(async () => {
      const conds = (await get<FlowSchema>(h, h.fs, 'orphan'))?.status?.conditions ?? [];
      assert.deepEqual(conds.map((c) => [c.type, c.status, c.reason]), [['Dangling', 'False', 'Found'], ['Mine', 'False', undefined]]);
    });
    assert.deepEqual(last, { fs: bootstrapFlowSchemas.length + 1, pl: bootstrapPriorityLevels.length + 1 });
  });

  it('with status: false (APF off) the controller still restores built-ins but writes no conditions', async () => {
    await ensureFlowControlBootstrap(h.deps);
    await h.cache.waitForFresh();
    const stop = startFlowControlConfigController(h.deps, undefined, { status: false });
    cleanups.push(stop);
    await h.deps.store.delete(h.fs, '', 'exempt', {}, ctx(h));
    await eventually(async () => assert.ok(await get(h, h.fs, 'exempt')));
    await h.cache.waitForFresh();
    await new Promise((r) => setTimeout(r, 50));
    for (const o of h.fs.stored.cache.list('')) assert.deepEqual((JSON.parse(o.bytes.toString('utf8')) as FlowSchema).status, {}, o.name);
  });

  it('danglingCondition uses upstream reasons and messages', () => {
    const fs: FlowSchema = { metadata: { name: 'x' }, spec: { priorityLevelConfiguration: { name: 'pl' } } };
    assert.deepEqual(danglingCondition(fs, new Set(['pl'])), {
      type: 'Dangling',
      status: 'False',
      reason: 'Found',
      message: 'This FlowSchema references the PriorityLevelConfiguration object named "pl" and it exists',
    });
    assert.equal(danglingCondition(fs, new Set()).reason, 'NotFound');
  });
});
