/**
 * The shared controller runner (controller-runtime's Manager + Controller): it owns one
 * rate-limited work queue per controller, starts the shared informers, waits for every cache
 * to sync, then runs each controller's workers. A controller is only its reconcile function
 * plus the sources it watches; the runner's event handlers only enqueue `namespace/name` keys.
 */
import { setMaxListeners } from 'node:events';
import { isStatusError } from '../api/errors.js';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  runWorkers,
  metaNamespaceKeyFunc,
  type ApiObject,
  type Clock,
  type EventRecorder,
  type RestClient,
  type SharedIndexInformer,
  type SharedInformerFactory,
  chainTrace,
} from '../client/index.js';

/** ReconcileResult asks the runner to look at the key again after a delay (level-based). */
export interface ReconcileResult {
  requeueAfter?: number;
}

/**
 * Watch maps the events of one informer to the keys of the objects to reconcile: one mapping
 * per event, and an event it leaves out enqueues nothing. Mappings run on every event of a
 * shared informer (for pods, several per pod), so they should cost no more than a cache lookup.
 */
export interface Watch {
  informer: SharedIndexInformer<ApiObject>;
  on: WatchEvents<ApiObject>;
}

/** WatchEvents are per-event key mappings (upstream: a controller's own add/update/delete handlers). */
export interface WatchEvents<T> {
  add?(obj: T): string[];
  update?(oldObj: T, newObj: T): string[];
  /** delete gets the final state (a tombstone's last known object when the deletion was missed). */
  delete?(obj: T): string[];
  /**
   * urgent, when present, names the events whose keys are queued ahead of all others
   * (Queue.addUrgent): the changes that give a reconcile real work to do, so they are not
   * served after every routine key (say, status changes of other objects) already waiting.
   * Only the order of reconciles changes; each key is still reconciled once at a time.
   */
  urgent?: {
    add?(obj: T): boolean;
    update?(oldObj: T, newObj: T): boolean;
    delete?(obj: T): boolean;
  };
}

/**
 * watch builds a Watch that maps every event with `keys` (both states of an update); without
 * `keys` the object's own `namespace/name` is enqueued.
 */
export function watch<T extends ApiObject>(
  informer: SharedIndexInformer<T>,
  keys: (obj: T) => string[] = (o) => [metaNamespaceKeyFunc(o)],
  urgent?: WatchEvents<T>['urgent'],
): Watch {
  return watchEvents(informer, {
    urgent,
    add: keys,
    update: (a, b) => {
      const ka = keys(a);
      const kb = keys(b);
      return ka.length === 0 ? kb : kb.length === 0 ? ka : [...ka, ...kb];
    },
    delete: keys,
  });
}

/** watchEvents builds a Watch that maps only the events named in `on`. */
export function watchEvents<T extends ApiObject>(informer: SharedIndexInformer<T>, on: WatchEvents<T>): Watch {
  return { informer: informer as unknown as SharedIndexInformer<ApiObject>, on: on as WatchEvents<ApiObject> };
}

/**
 * handleWatch registers w's mappings on its informer, enqueueing each key they return, with
 * urgent set for the events w.on.urgent picks (a controller adding watches after run(), as the
 * garbage collector for discovered resources, wires them the same way the runner does).
 */
export function handleWatch(w: Watch, enqueue: (key: string, urgent?: boolean) => void): void {
  const on = w.on;
  const u = on.urgent;
  const all = (keys: readonly string[], urgent: boolean): void => {
    for (const k of keys) enqueue(k, urgent);
  };
  w.informer.addEventHandler({
    add: on.add && ((o) => all(on.add!(o), u?.add?.(o) ?? false)),
    update: on.update && ((a, b) => all(on.update!(a, b), u?.update?.(a, b) ?? false)),
    delete:
      on.delete &&
      ((o) => {
        const obj = o instanceof DeletedFinalStateUnknown ? o.obj : o;
        all(on.delete!(obj), u?.delete?.(obj) ?? false);
      }),
  });
}

/** Controller is a reconcile function keyed by `namespace/name` and what it watches. */
export interface Controller {
  /** name is the upstream controller name (`deployment`, `replicaset`, `garbage-collector`...). */
  readonly name: string;
  /** workers is the number of concurrent reconciles (the `--concurrent-*-syncs` flags). */
  readonly workers: number;
  readonly watches: readonly Watch[];
  /**
   * reconcile converges the object named by key towards its desired state. It must be
   * idempotent; a thrown error retries the key with rate limiting.
   */
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
  /** start, when present, runs background loops (monitors, periodic scans) until signal aborts. */
  start?(signal: AbortSignal, enqueue: (key: string) => void): Promise<void>;
}

/** ControllerContext is what every controller constructor receives. */
export interface ControllerContext {
  client: RestClient;
  informers: SharedInformerFactory;
  clock: Clock;
  /** recorder returns an event recorder whose source component is `component`. */
  recorder(component: string): EventRecorder;
  /** log reports errors and notable transitions (stderr by default). */
  log(msg: string, err?: unknown): void;
}

interface Running {
  controller: Controller;
  queue: RateLimitingQueue<string>;
}

/**
 * ControllerRunner runs controllers on shared informers. Add controllers, then `run(signal)`;
 * it resolves once every worker has stopped after `signal` aborts.
 */
export class ControllerRunner {
  private readonly running: Running[] = [];

  constructor(private readonly ctx: ControllerContext) {}

  /** add registers a controller and its event handlers; call before run(). */
  add(controller: Controller): void {
    const queue = new RateLimitingQueue<string>({ name: controller.name, clock: this.ctx.clock });
    const trace = chainTrace;
    const name = controller.name;
    const enqueue = (k: string, urgent?: boolean): void => (urgent ? queue.addUrgent(k) : queue.add(k));
    for (const w of controller.watches) handleWatch(w, trace ? (k, urgent) => (trace(k, `${name} enqueue${urgent ? ' urgent' : ''} (queue ${queue.len()})`), enqueue(k, urgent)) : enqueue);
    this.running.push({ controller, queue });
  }

  /** names lists the registered controllers. */
  names(): string[] {
    return this.running.map((r) => r.controller.name);
  }

  /** run starts informers, waits for their caches, and runs every controller until signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    // Every informer, queue and worker listens on the one signal.
    setMaxListeners(0, signal);
    this.ctx.informers.start(signal);
    const synced = await this.ctx.informers.waitForCacheSync(signal);
    if (!synced || signal.aborted) {
      for (const r of this.running) r.queue.shutDown();
      await this.ctx.informers.shutdown();
      return;
    }
    const loops = this.running.map(async ({ controller, queue }) => {
      const extra = controller.start?.(signal, (k) => queue.add(k)).catch((err: unknown) => {
        if (!signal.aborted) this.ctx.log(`controller ${controller.name}: background loop failed`, err);
      });
      const trace = chainTrace;
      const reconcile = trace
        ? async (key: string): Promise<ReconcileResult | void> => {
            trace(key, `${controller.name} reconcile start`);
            try {
              return await controller.reconcile(key, signal);
            } finally {
              trace(key, `${controller.name} reconcile end`);
            }
          }
        : (key: string): Promise<ReconcileResult | void> => controller.reconcile(key, signal);
      await runWorkers(queue, controller.workers, reconcile, signal, {
        onError: (key, err) => {
          // A Conflict only means the cache was behind a write; the retry reads the newer object.
          if (!signal.aborted && !isStatusError(err, 'Conflict')) this.ctx.log(`controller ${controller.name}: error syncing ${key}`, err);
        },
      });
      await extra;
    });
    await Promise.all(loops);
    await this.ctx.informers.shutdown();
  }
}
