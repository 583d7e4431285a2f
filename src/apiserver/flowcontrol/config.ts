/**
 * The API Priority and Fairness configuration as cluster state, as upstream's
 * pkg/registry/flowcontrol/ensurer (the "apf-bootstrap-config" post-start hook) and the status
 * half of k8s.io/apiserver/pkg/util/flowcontrol's configuration controller:
 *
 * - ensureFlowControlBootstrap creates the built-in FlowSchemas and PriorityLevelConfigurations
 *   (./bootstrap.ts) when missing, restores the spec of mandatory ones always and of suggested
 *   ones when their `apf.kubernetes.io/autoupdate-spec` annotation says so, and deletes
 *   auto-updated objects that are no longer built in.
 * - watchFlowControlConfig follows both resources in the watch cache and hands the full current
 *   sets to a callback after every change (at most once per event-loop turn).
 * - startFlowControlConfigController does both continuously: the FlowSchemas' `Dangling`
 *   condition tracks whether their priority level exists, and deleted or edited built-in
 *   objects come back as upstream's periodic ensurer would bring them back.
 *
 * All reads come from the apiserver's watch cache; writes go through the registry (defaulting,
 * validation, admission) as the apiserver's own identity.
 */
import type { FlowSchema, FlowSchemaCondition, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { isStatusError } from '../../api/errors.js';
import { cloneJSON, deepEqual } from '../../api/patch/index.js';
import type { KubeObject } from '../../api/types.js';
import type { CachedObject, CacheWatcher, ResourceCache } from '../cache/watchcache.js';
import type { Admission } from '../pipeline.js';
import { ANONYMOUS_ADMIN } from '../pipeline.js';
import { timestamp, type Resource, type Store, type WriteContext } from '../registry/store.js';
import { autoUpdateAnnotationKey, bootstrapFlowSchemas, bootstrapPriorityLevels, isMandatory } from './bootstrap.js';

export const FLOWCONTROL_GROUP = 'flowcontrol.apiserver.k8s.io';
/** The field managers upstream's ensurer (producer) and configuration controller (consumer) write as. */
export const PRODUCER_FIELD_MANAGER = 'api-priority-and-fairness-config-producer-v1';
export const CONSUMER_FIELD_MANAGER = 'api-priority-and-fairness-config-consumer-v1';

/** FlowControlDeps is what the configuration code needs from the apiserver. */
export interface FlowControlDeps {
  store: Store;
  resolve: (group: string, version: string, resource: string) => Resource | undefined;
  admission: Admission;
  /** now is the clock for condition transition times (default: the wall clock). */
  now?: () => Date;
}

/** FlowControlConfigCallback receives the complete current configuration, sorted by name. */
export type FlowControlConfigCallback = (flowSchemas: FlowSchema[], priorityLevels: PriorityLevelConfiguration[]) => void;

type Kind = 'FlowSchema' | 'PriorityLevelConfiguration';
type ConfigObject = FlowSchema | PriorityLevelConfiguration;

function resources(deps: FlowControlDeps): { fs: Resource; pl: Resource } {
  const fs = deps.resolve(FLOWCONTROL_GROUP, 'v1', 'flowschemas');
  const pl = deps.resolve(FLOWCONTROL_GROUP, 'v1', 'prioritylevelconfigurations');
  if (!fs || !pl) throw new Error('flowcontrol.apiserver.k8s.io/v1 is not served');
  return { fs, pl };
}

function writeContext(deps: FlowControlDeps, fieldManager: string): WriteContext {
  return { dryRun: false, fieldManager, user: ANONYMOUS_ADMIN, admission: deps.admission, now: deps.now?.() ?? new Date() };
}

/**
 * cacheReader decodes a resource's cached objects, once per cached revision of each object:
 * every change re-reads the whole (small) set, but only changed objects are parsed again.
 */
function cacheReader<T>(cache: ResourceCache): () => T[] {
  const decoded = new WeakMap<CachedObject, T>();
  return () =>
    cache.list('').map((o) => {
      let v = decoded.get(o);
      if (v === undefined) {
        v = JSON.parse(o.bytes.toString('utf8')) as T;
        decoded.set(o, v);
      }
      return v;
    });
}

const defaultedBuiltins = new WeakMap<ConfigObject, ConfigObject>();

/**
 * defaulted returns a built-in object as the registry would store its spec, computed once per
 * built-in (every configuration change compares all of them): shared, do not mutate.
 */
function defaulted<T extends ConfigObject>(kind: Kind, obj: T): T {
  let copy = defaultedBuiltins.get(obj) as T | undefined;
  if (!copy) {
    copy = cloneJSON(obj);
    applyDefaults({ group: FLOWCONTROL_GROUP, version: 'v1', kind }, copy as unknown as KubeObject);
    defaultedBuiltins.set(obj, copy);
  }
  return copy;
}

/**
 * specEqualish compares a built-in spec with a stored one, as upstream's ensurer: the mandatory
 * `exempt` level's spec.exempt (its concurrency shares and lendable percent) is the operator's
 * to set, so it is not a difference.
 */
function specEqualish(kind: Kind, wanted: ConfigObject, current: ConfigObject): boolean {
  let want = wanted.spec as unknown;
  if (kind === 'PriorityLevelConfiguration' && wanted.metadata?.name === 'exempt') {
    const cur = (current as PriorityLevelConfiguration).spec?.exempt;
    if (!cur) return false;
    want = { ...(wanted as PriorityLevelConfiguration).spec, exempt: { ...((wanted as PriorityLevelConfiguration).spec?.exempt ?? {}), ...cur } };
  }
  return deepEqual(want, current.spec ?? {});
}

function parseBool(v: string | undefined): boolean | undefined {
  // Go's strconv.ParseBool spellings.
  if (v === undefined) return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/**
 * shouldAutoUpdateSpec is upstream's shouldUpdateSpec: the annotation decides when it holds a
 * boolean; otherwise only an object never edited since it was created (generation 1) is updated.
 */
function shouldAutoUpdateSpec(current: ConfigObject): boolean {
  const parsed = parseBool(current.metadata?.annotations?.[autoUpdateAnnotationKey]);
  if (parsed !== undefined) return parsed;
  return current.metadata?.generation === 1;
}

/**
 * desiredUpdate returns the object a built-in one should be updated to, or undefined when
 * `current` is fine as it is (upstream's ensureStrategy.ShouldUpdate).
 */
function desiredUpdate<T extends ConfigObject>(kind: Kind, wanted: T, current: T): T | undefined {
  const autoUpdate = isMandatory(kind, wanted.metadata!.name!) || shouldAutoUpdateSpec(current);
  const annotationOK = parseBool(current.metadata?.annotations?.[autoUpdateAnnotationKey]) === autoUpdate;
  const specChanged = autoUpdate && !specEqualish(kind, wanted, current);
  if (annotationOK && !specChanged) return undefined;
  const next = cloneJSON(current);
  const meta = (next.metadata ??= {});
  if (!annotationOK) meta.annotations = { ...(meta.annotations ?? {}), [autoUpdateAnnotationKey]: String(autoUpdate) };
  if (specChanged) (next as { spec?: unknown }).spec = cloneJSON(wanted.spec);
  return next;
}

/** FlowControlSnapshot is what an ensure pass decides from (objects by name, or all of them). */
interface Snapshot {
  flowSchemas: readonly FlowSchema[];
  priorityLevels: readonly PriorityLevelConfiguration[];
}

/** pendingWork lists the built-in objects a snapshot says need a write (empty: nothing to do). */
function pendingWork(snap: Snapshot): { kind: Kind; name: string; action: 'ensure' | 'remove' }[] {
  const out: { kind: Kind; name: string; action: 'ensure' | 'remove' }[] = [];
  const visit = <T extends ConfigObject>(kind: Kind, builtins: readonly T[], existing: readonly T[]): void => {
    const byName = new Map(existing.map((o) => [o.metadata?.name ?? '', o]));
    const names = new Set<string>();
    for (const b of builtins) {
      const name = b.metadata!.name!;
      names.add(name);
      const cur = byName.get(name);
      if (!cur || desiredUpdate(kind, defaulted(kind, b), cur)) out.push({ kind, name, action: 'ensure' });
    }
    // Auto-updated objects that are no longer built in are removed (upstream's removeConfiguration).
    for (const o of existing) {
      const name = o.metadata?.name ?? '';
      if (!names.has(name) && parseBool(o.metadata?.annotations?.[autoUpdateAnnotationKey]) === true) out.push({ kind, name, action: 'remove' });
    }
  };
  visit('PriorityLevelConfiguration', bootstrapPriorityLevels, snap.priorityLevels);
  visit('FlowSchema', bootstrapFlowSchemas, snap.flowSchemas);
  return out;
}

/** applyWork performs ensure/remove actions, each re-deciding on the stored object it writes. */
async function applyWork(deps: FlowControlDeps, work: ReturnType<typeof pendingWork>): Promise<void> {
  const r = resources(deps);
  const one = async (w: (typeof work)[number]): Promise<void> => {
    const res = w.kind === 'FlowSchema' ? r.fs : r.pl;
    const builtin = (w.kind === 'FlowSchema' ? bootstrapFlowSchemas : bootstrapPriorityLevels).find((o) => o.metadata?.name === w.name);
    try {
      if (w.action === 'remove') {
        // Delete only what is still auto-updated, at the revision that said so.
        const cur = (await deps.store.get(res, '', w.name)) as ConfigObject;
        if (parseBool(cur.metadata?.annotations?.[autoUpdateAnnotationKey]) !== true) return;
        await deps.store.delete(res, '', w.name, { preconditions: { resourceVersion: cur.metadata!.resourceVersion! } }, writeContext(deps, PRODUCER_FIELD_MANAGER));
        return;
      }
      const wanted = defaulted(w.kind, builtin!);
      await deps.store.update(
        res,
        '',
        w.name,
        (cur) => {
          if (!cur) return cloneJSON(wanted) as unknown as KubeObject;
          return (desiredUpdate(w.kind, wanted, cur as ConfigObject) ?? cur) as KubeObject;
        },
        writeContext(deps, PRODUCER_FIELD_MANAGER),
        '',
        { forceAllowCreate: true },
      );
    } catch (err) {
      // Someone else changed or removed it meanwhile: the next pass sees the new state.
      if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict') || isStatusError(err, 'AlreadyExists')) return;
      throw err;
    }
  };
  // Priority levels before the flow schemas that name them, as upstream; the writes of one kind
  // are independent and share the storage's group commits.
  for (const kind of ['PriorityLevelConfiguration', 'FlowSchema'] as const) await Promise.all(work.filter((w) => w.kind === kind).map(one));
}

/**
 * ensureFlowControlBootstrap brings the built-in APF configuration objects into the cluster, as
 * upstream's apf-bootstrap-config post-start hook: priority levels first, then flow schemas.
 * Missing ones are created; mandatory ones get their spec back whenever it differs; suggested
 * ones only when they are still auto-updated (annotation "true", or no annotation and never
 * edited); the annotation is set to the decision. Rejects on an unexpected storage failure.
 */
export async function ensureFlowControlBootstrap(deps: FlowControlDeps): Promise<void> {
  const r = resources(deps);
  // The built-in names are read from storage: at startup the cache may lag behind writes made
  // just before. Other objects (removal candidates) come from the cache.
  const read = async <T extends ConfigObject>(res: Resource): Promise<T[]> => {
    const names = bootstrapNames(res);
    const out = cacheReader<T>(res.stored.cache)().filter((o) => !names.includes(o.metadata?.name ?? ''));
    const stored = await Promise.all(names.map((name) => deps.store.get(res, '', name).catch((err: unknown) => (isStatusError(err, 'NotFound') ? undefined : Promise.reject(err)))));
    for (const o of stored) if (o) out.push(o as unknown as T);
    return out;
  };
  const snap: Snapshot = { flowSchemas: await read<FlowSchema>(r.fs), priorityLevels: await read<PriorityLevelConfiguration>(r.pl) };
  await applyWork(deps, pendingWork(snap));
}

function bootstrapNames(res: Resource): string[] {
  const all: readonly ConfigObject[] = res.info.kind === 'FlowSchema' ? bootstrapFlowSchemas : bootstrapPriorityLevels;
  return all.map((o) => o.metadata!.name!);
}

/**
 * watchFlowControlConfig calls onChange with every FlowSchema and PriorityLevelConfiguration
 * (sorted by name; shared decoded objects: do not mutate) once at the next turn of the event
 * loop and again after each change, coalescing the changes of one turn into one call. The
 * returned function stops it. A watch cache relist (storage watch lost) is followed by a call
 * with the relisted state.
 */
export function watchFlowControlConfig(deps: FlowControlDeps, onChange: FlowControlConfigCallback): () => void {
  const r = resources(deps);
  const readFS = cacheReader<FlowSchema>(r.fs.stored.cache);
  const readPL = cacheReader<PriorityLevelConfiguration>(r.pl.stored.cache);
  let stopped = false;
  let scheduled: NodeJS.Immediate | undefined;
  const schedule = (): void => {
    if (stopped || scheduled) return;
    scheduled = setImmediate(() => {
      scheduled = undefined;
      if (!stopped) onChange(readFS(), readPL());
    });
  };
  const watchers: { cache: ResourceCache; w: CacheWatcher }[] = [];
  const stops: (() => void)[] = [];
  const follow = (cache: ResourceCache): void => {
    let retry: NodeJS.Timeout | undefined;
    const w: CacheWatcher = {
      namespace: '',
      afterRv: 0,
      filter: () => true,
      deliver: () => {
        schedule();
        return true;
      },
      stop: () => {
        // The cache dropped every watcher to relist: join again once it has the new state.
        if (stopped) return;
        const rejoin = (): void => {
          if (stopped) return;
          const rv = Math.max(cache.oldestRv, 0);
          if (cache.addWatcher(w, rv)) schedule();
          else retry = setTimeout(rejoin, 100).unref();
        };
        retry = setTimeout(rejoin, 100).unref();
      },
    };
    // From "now": the current state is reported by the first scheduled call. (A delete newer
    // than every remaining object is replayed: one extra, harmless call.)
    const latest = cache.list('').reduce((m, o) => Math.max(m, o.rv), cache.oldestRv);
    if (!cache.addWatcher(w, latest)) cache.addWatcher(w, cache.oldestRv);
    watchers.push({ cache, w });
    stops.push(() => {
      if (retry) clearTimeout(retry);
    });
  };
  follow(r.fs.stored.cache);
  follow(r.pl.stored.cache);
  schedule();
  return () => {
    stopped = true;
    if (scheduled) clearImmediate(scheduled);
    for (const s of stops) s();
    for (const { cache, w } of watchers) cache.removeWatcher(w);
  };
}

/**
 * danglingCondition is the `Dangling` condition upstream's configuration controller keeps on a
 * FlowSchema: True (reason NotFound) when the referenced priority level does not exist.
 */
export function danglingCondition(fs: FlowSchema, priorityLevelNames: ReadonlySet<string>): Omit<FlowSchemaCondition, 'lastTransitionTime'> {
  const pl = fs.spec?.priorityLevelConfiguration?.name ?? '';
  return priorityLevelNames.has(pl)
    ? { type: 'Dangling', status: 'False', reason: 'Found', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" and it exists` }
    : { type: 'Dangling', status: 'True', reason: 'NotFound', message: `This FlowSchema references the PriorityLevelConfiguration object named "${pl}" but there is no such object` };
}

const sameCondition = (a: FlowSchemaCondition | undefined, b: Omit<FlowSchemaCondition, 'lastTransitionTime'>): boolean =>
  a !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;

/** updateDanglingConditions writes the Dangling condition of every FlowSchema whose condition is stale. */
async function updateDanglingConditions(deps: FlowControlDeps, flowSchemas: readonly FlowSchema[], priorityLevels: readonly PriorityLevelConfiguration[]): Promise<void> {
  const { fs: res } = resources(deps);
  const names = new Set(priorityLevels.map((p) => p.metadata?.name ?? ''));
  const stale = flowSchemas.filter((fs) => !fs.metadata?.deletionTimestamp && !sameCondition(fs.status?.conditions?.find((c) => c.type === 'Dangling'), danglingCondition(fs, names)));
  await Promise.all(stale.map(async (fs) => {
    const ctx = writeContext(deps, CONSUMER_FIELD_MANAGER);
    try {
      await deps.store.update(
        res,
        '',
        fs.metadata!.name!,
        (cur) => {
          const obj = cur as FlowSchema;
          // Decide again on the stored object: the cache may be behind.
          const conds = obj.status?.conditions ?? [];
          const current = conds.find((c) => c.type === 'Dangling');
          const fresh = danglingCondition(obj, names);
          if (sameCondition(current, fresh)) return obj as KubeObject;
          // Upstream applies the one condition by type: other writers' conditions stay.
          const next: FlowSchemaCondition = { ...fresh, lastTransitionTime: timestamp(ctx.now) };
          const i = conds.findIndex((c) => c.type === 'Dangling');
          obj.status = { ...(obj.status ?? {}), conditions: i < 0 ? [...conds, next] : conds.map((c, j) => (j === i ? next : c)) };
          return obj as KubeObject;
        },
        ctx,
        'status',
      );
    } catch (err) {
      if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict')) return;
      throw err;
    }
  }));
}

/**
 * startFlowControlConfigController keeps the APF configuration in shape while the apiserver
 * runs: after every change it reports the configuration to onChange (the dispatcher's hook),
 * brings back deleted or edited built-in objects, and keeps each FlowSchema's Dangling
 * condition current unless `opts.status` is false (upstream writes it from the APF filter's
 * configuration controller, which does not run with --enable-priority-and-fairness=false).
 * Passes never overlap; a change during a pass runs one more. Errors are logged and retried on
 * the next change. Returns the stop function.
 */
export function startFlowControlConfigController(deps: FlowControlDeps, onChange?: FlowControlConfigCallback, opts: { status?: boolean } = {}): () => void {
  let running = false;
  let again: Snapshot | undefined;
  const pass = async (snap: Snapshot): Promise<void> => {
    const work = pendingWork(snap);
    if (work.length) await applyWork(deps, work);
    if (!stopped && opts.status !== false) await updateDanglingConditions(deps, snap.flowSchemas, snap.priorityLevels);
  };
  const run = (snap: Snapshot): void => {
    if (running) {
      again = snap;
      return;
    }
    running = true;
    pass(snap)
      .catch((err: unknown) => {
        // A pass cut short by shutdown (storage closed under it) is not worth a log line.
        if (!stopped) console.error('apiserver: flowcontrol configuration:', err);
      })
      .finally(() => {
        running = false;
        const next = again;
        again = undefined;
        if (next && !stopped) run(next);
      });
  };
  let stopped = false;
  const stopWatch = watchFlowControlConfig(deps, (flowSchemas, priorityLevels) => {
    onChange?.(flowSchemas, priorityLevels);
    run({ flowSchemas, priorityLevels });
  });
  return () => {
    stopped = true;
    stopWatch();
  };
}
