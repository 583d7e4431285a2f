/**
 * The API Priority and Fairness request dispatcher, as upstream's
 * k8s.io/apiserver/pkg/util/flowcontrol: each request is classified by the
 * FlowSchemas (lowest matchingPrecedence first) into a priority level and a flow;
 * Exempt levels run everything at once, Limited levels run up to their concurrency
 * limit and queue the rest fairly between flows (shuffle sharding over
 * `queues` queues with `handSize` queues per flow, served round robin), or
 * reject at once (LimitResponse Reject).
 *
 * Simplifications (every request costs one seat; no work estimation nor watch
 * initialization seats; fair queuing is round robin between non-empty queues
 * rather than virtual finish times; borrowing takes idle lendable seats of other
 * levels on demand rather than in upstream's periodic 10 s adjustment) are named
 * where they are made.
 */
import { randomUUID } from 'node:crypto';
import type { FlowSchema, PolicyRulesWithSubjects, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.js';
import {
  FLOW_SCHEMA_DEFAULT_MATCHING_PRECEDENCE,
  PRIORITY_LEVEL_DEFAULT_HAND_SIZE,
  PRIORITY_LEVEL_DEFAULT_NOMINAL_CONCURRENCY_SHARES,
  PRIORITY_LEVEL_DEFAULT_QUEUE_LENGTH_LIMIT,
  PRIORITY_LEVEL_DEFAULT_QUEUES,
} from '../../api/defaults/index.js';
import { bootstrapFlowSchemas, bootstrapPriorityLevels } from './bootstrap.js';
import { matchesRule } from './match.js';

/** RequestDigest is what classification looks at: the (impersonated) user and the request's attributes. */
export interface RequestDigest {
  user: { readonly username: string; readonly groups: readonly string[] };
  info: {
    readonly isResourceRequest: boolean;
    readonly path: string;
    readonly verb: string;
    readonly apiGroup: string;
    readonly namespace: string;
    readonly resource: string;
    readonly subresource: string;
  };
}

/** Classification names the FlowSchema and priority level a request matched (UIDs go to the X-Kubernetes-PF-* headers). */
export interface Classification {
  readonly flowSchema: string;
  readonly flowSchemaUID: string;
  readonly priorityLevel: string;
  readonly priorityLevelUID: string;
  /** flowDistinguisher is the user name (ByUser), the namespace (ByNamespace) or ''. */
  readonly flowDistinguisher: string;
}

/**
 * defaultRequestWaitLimitMs is how long a request may wait in a queue: upstream allows a
 * fourth of the request's deadline, which is --request-timeout (60 s by default).
 */
export const defaultRequestWaitLimitMs = 15_000;

/** maxRetryAfterSeconds caps the Retry-After of rejections, as upstream's dropped-requests tracker. */
const maxRetryAfterSeconds = 32;

export interface DispatcherOptions {
  /** serverConcurrencyLimit is divided among the levels by their shares (upstream: max-requests-inflight + max-mutating-requests-inflight). */
  serverConcurrencyLimit: number;
  /** requestWaitLimitMs bounds the time a request spends queued (default defaultRequestWaitLimitMs). */
  requestWaitLimitMs?: number;
  /** now returns milliseconds (tests); default Date.now. */
  now?: () => number;
}

type TicketState = 'queued' | 'executing' | 'rejected' | 'done';

/**
 * Ticket is one request's passage through the dispatcher. `state` is 'executing' (run it,
 * then call finish()), 'rejected' (answer 429 with retryAfterSeconds) or 'queued' (await
 * settled(); call finish() if the client goes away).
 */
export class Ticket {
  state: TicketState;
  /** retryAfterSeconds is the Retry-After to send with a rejection. */
  retryAfterSeconds = 1;
  /** @internal */ enqueuedAt = 0;
  /** @internal */ queue: Queue | undefined;
  private waiter: ((executing: boolean) => void) | undefined;

  /** @internal */
  constructor(
    readonly classification: Classification,
    private readonly level: Level | undefined,
    state: TicketState,
  ) {
    this.state = state;
  }

  /** settled resolves true when the ticket starts executing, false when it is rejected (or finished while queued). */
  settled(): Promise<boolean> {
    if (this.state !== 'queued') return Promise.resolve(this.state === 'executing');
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /**
   * finish ends the request: an executing ticket frees its seat (so the next queued request
   * runs), a queued one leaves its queue. Calling it again, or on a rejected ticket, does nothing.
   */
  finish(): void {
    const was = this.state;
    if (was === 'done' || was === 'rejected') return;
    this.state = 'done';
    if (was === 'executing') this.level?.release();
    else if (was === 'queued') {
      this.level?.forget(this);
      this.wake(false);
    }
  }

  /** @internal */
  start(): void {
    this.state = 'executing';
    this.wake(true);
  }

  /** @internal */
  reject(retryAfterSeconds: number): void {
    this.state = 'rejected';
    this.retryAfterSeconds = retryAfterSeconds;
    this.wake(false);
  }

  private wake(executing: boolean): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(executing);
  }
}

/** Queue is one FIFO of a level's fair queues; cancelled tickets are skipped lazily. */
class Queue {
  items: Ticket[] = [];
  head = 0;
  /** live counts queued tickets not yet finished. */
  live = 0;
  /** active: the queue is in its level's round-robin ring. */
  active = false;

  push(t: Ticket): void {
    this.items.push(t);
    this.live++;
  }

  /** shift returns the oldest still-queued ticket. */
  shift(): Ticket | undefined {
    while (this.head < this.items.length) {
      const t = this.items[this.head]!;
      this.items[this.head++] = undefined as unknown as Ticket;
      if (this.head > 64 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      if (t.state === 'queued') {
        this.live--;
        return t;
      }
    }
    return undefined;
  }

  /** peek returns the oldest still-queued ticket without removing it. */
  peek(): Ticket | undefined {
    while (this.head < this.items.length) {
      const t = this.items[this.head]!;
      if (t.state === 'queued') return t;
      this.items[this.head++] = undefined as unknown as Ticket;
    }
    return undefined;
  }
}

/** Level is the run-time state of one priority level; it outlives config changes while requests use it. */
class Level {
  name: string;
  uid: string;
  exempt: boolean;
  reject = false;
  nominal = 0;
  lendable = 0;
  /** borrowLimit is the most seats this level may borrow (Infinity when borrowingLimitPercent is unset). */
  borrowLimit = Infinity;
  handSize = 1;
  queueLengthLimit = 0;
  queues: Queue[] = [];
  /** ring holds the non-empty queues in round-robin order. */
  ring: Queue[] = [];
  ringHead = 0;
  executing = 0;
  queued = 0;
  drops = new DropTracker();

  constructor(
    readonly dispatcher: Dispatcher,
    pl: PriorityLevelConfiguration,
  ) {
    this.name = pl.metadata?.name ?? '';
    this.uid = '';
    this.exempt = false;
  }

  /** configure applies a (new) spec; queued requests are re-dealt when the queue count changes. */
  configure(pl: PriorityLevelConfiguration, uid: string, nominal: number): void {
    this.uid = uid;
    const spec = pl.spec;
    this.exempt = spec?.type === 'Exempt';
    const limited = spec?.limited;
    this.nominal = nominal;
    this.lendable = this.exempt ? 0 : Math.round((nominal * (limited?.lendablePercent ?? 0)) / 100);
    this.borrowLimit = limited?.borrowingLimitPercent === undefined ? Infinity : Math.round((nominal * limited.borrowingLimitPercent) / 100);
    const lr = limited?.limitResponse;
    this.reject = !this.exempt && lr?.type === 'Reject';
    const queues = this.reject ? 0 : (lr?.queuing?.queues ?? PRIORITY_LEVEL_DEFAULT_QUEUES);
    this.handSize = Math.max(1, Math.min(lr?.queuing?.handSize ?? PRIORITY_LEVEL_DEFAULT_HAND_SIZE, queues || 1));
    this.queueLengthLimit = lr?.queuing?.queueLengthLimit ?? PRIORITY_LEVEL_DEFAULT_QUEUE_LENGTH_LIMIT;
    if (queues !== this.queues.length) {
      const waiting: Ticket[] = [];
      for (const q of this.ring) for (let t = q.shift(); t; t = q.shift()) waiting.push(t);
      this.queues = Array.from({ length: queues }, () => new Queue());
      this.ring = [];
      this.ringHead = 0;
      this.queued = 0;
      for (const t of waiting) {
        if (queues === 0) t.reject(this.retryAfter());
        else this.enqueue(t, this.pickQueue(t.classification));
      }
    }
  }

  /**
   * canRun: a seat is free, its own or one it may borrow. An exempt level has no limit: new
   * requests skip it (Dispatcher.admit), and those queued before it became exempt run at once.
   */
  canRun(): boolean {
    if (this.exempt || this.executing < this.nominal) return true;
    if (this.executing - this.nominal >= this.borrowLimit) return false;
    return this.dispatcher.borrowable(this) > 0;
  }

  admit(t: Ticket): void {
    if (this.queued === 0 && this.canRun()) {
      this.executing++;
      t.start();
      return;
    }
    if (this.reject) return t.reject(this.drop());
    const q = this.pickQueue(t.classification);
    if (q.live >= this.queueLengthLimit) return t.reject(this.drop());
    t.enqueuedAt = this.dispatcher.now();
    this.enqueue(t, q);
    this.dispatcher.queuedSomething();
  }

  private enqueue(t: Ticket, q: Queue): void {
    t.queue = q;
    q.push(t);
    this.queued++;
    if (!q.active) {
      q.active = true;
      this.ring.push(q);
    }
  }

  /**
   * pickQueue deals the flow its hand of queues (shuffle sharding, as upstream's Dealer: a
   * hash of flow schema and distinguisher picks handSize distinct queues) and takes the one
   * with the fewest requests waiting (upstream also counts the queue's seats in use).
   */
  private pickQueue(c: Classification): Queue {
    const n = this.queues.length;
    let h = hashFlow(c.flowSchema, c.flowDistinguisher);
    const picked: number[] = [];
    let best: Queue | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < this.handSize; i++) {
      // Choose among the queues not yet dealt: an index into the remaining n - i.
      let idx = h % (n - i);
      h = Math.floor(h / (n - i));
      for (const p of picked) if (idx >= p) idx++;
      picked.push(idx);
      picked.sort((a, b) => a - b);
      const q = this.queues[idx]!;
      const load = q.live;
      if (load < bestLoad) {
        best = q;
        bestLoad = load;
      }
    }
    return best!;
  }

  /** release frees a seat and starts what can run now (here first, then levels waiting to borrow). */
  release(): void {
    this.executing--;
    this.dispatch();
    if (this.dispatcher.anyQueued) this.dispatcher.dispatchAll(this);
  }

  /** dispatch starts queued requests round robin between queues while seats allow. */
  dispatch(): void {
    while (this.queued > 0 && this.canRun()) {
      const t = this.next();
      if (!t) break;
      this.executing++;
      t.start();
    }
  }

  private next(): Ticket | undefined {
    while (this.ring.length > this.ringHead) {
      const q = this.ring[this.ringHead++]!;
      const t = q.shift();
      if (q.live > 0) this.ring.push(q);
      else q.active = false;
      this.compactRing();
      if (t) {
        this.queued--;
        return t;
      }
    }
    return undefined;
  }

  private compactRing(): void {
    if (this.ringHead > 64 && this.ringHead * 2 > this.ring.length) {
      this.ring = this.ring.slice(this.ringHead);
      this.ringHead = 0;
    }
  }

  /** forget accounts for a queued ticket that left early. */
  forget(t: Ticket): void {
    const q = t.queue;
    if (q) q.live--;
    this.queued--;
  }

  /** expire rejects queued requests that waited since before `deadline` (the queue heads are the oldest). */
  expire(deadline: number): void {
    for (const q of this.ring.slice(this.ringHead)) {
      for (let t = q.peek(); t && t.enqueuedAt <= deadline; t = q.peek()) {
        q.shift();
        this.queued--;
        t.reject(this.drop());
      }
    }
  }

  /** drop records a rejection and returns the Retry-After to send. */
  drop(): number {
    return this.drops.record(Math.floor(this.dispatcher.now() / 1000));
  }

  retryAfter(): number {
    return this.drops.retryAfter;
  }
}

/**
 * DropTracker is upstream's droppedRequestsTracker for one level: Retry-After starts at 1 s,
 * doubles (to at most 32 s) when at least 3×retryAfter requests were dropped in the last
 * retryAfter seconds, and goes down by one when fewer than retryAfter were.
 */
class DropTracker {
  retryAfter = 1;
  private history: { unix: number; count: number }[] = [];
  private currentUnix = 0;
  private currentCount = 0;
  private lastIncrease = 0;

  record(unix: number): number {
    if (unix === this.currentUnix) {
      this.currentCount++;
      return this.retryAfter;
    }
    this.history.push({ unix: this.currentUnix, count: this.currentCount });
    const keep = Math.min(2 * this.retryAfter, maxRetryAfterSeconds);
    while (this.history.length > 0 && unix - this.history[0]!.unix > keep) this.history.shift();
    this.currentUnix = unix;
    this.currentCount = 1;
    let dropped = 0;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (unix - h.unix > this.retryAfter) break;
      if (h.unix < unix) dropped += h.count;
    }
    if (unix - this.lastIncrease >= this.retryAfter && dropped >= 3 * this.retryAfter) {
      this.retryAfter = Math.min(this.retryAfter * 2, maxRetryAfterSeconds);
      this.lastIncrease = unix;
    } else if (dropped < this.retryAfter && this.retryAfter > 1) {
      this.retryAfter--;
    }
    return this.retryAfter;
  }
}

/**
 * hashFlow is the shuffle-sharding entropy of a flow: a non-negative integer of 53 bits (exact in
 * a double), from two 32-bit FNV-1a-style lanes. Dealing a hand of handSize from `queues` queues
 * consumes log2(queues) bits per card (48 for the default 64 queues and hand of 8; upstream
 * allows up to 60): with only 32 bits the last cards of a hand were always the lowest-numbered
 * queues left, so every flow's hand shared them.
 */
function hashFlow(flowSchema: string, distinguisher: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  const s = `${flowSchema}\0${distinguisher}`;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  // Final mix of each lane, so the last characters reach every bit.
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a ^= a >>> 13;
  b = Math.imul(b ^ (b >>> 15), 0xc2b2ae35);
  b ^= b >>> 16;
  return (b >>> 11) * 0x1_0000_0000 + (a >>> 0);
}

/** CompiledSchema is a FlowSchema ready to match, with its level. */
interface CompiledSchema {
  name: string;
  uid: string;
  precedence: number;
  distinguisher: string | undefined;
  rules: PolicyRulesWithSubjects[];
  level: Level;
}

interface MemoEntry {
  groups: readonly string[];
  schema: CompiledSchema;
  classification: Classification;
}

/** Config is one generation of the configuration: schemas in matching order and the classification memo. */
interface Config {
  schemas: CompiledSchema[];
  catchAll: CompiledSchema;
  memo: Map<string, MemoEntry>;
}

function sameGroups(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const memoLimit = 10_000;

/**
 * Dispatcher is the APF filter's core: admit() classifies a request and gives it a Ticket
 * that runs it, queues it or rejects it. Until setConfig is called it uses the bootstrap
 * configuration.
 */
export class Dispatcher {
  readonly serverConcurrencyLimit: number;
  readonly requestWaitLimitMs: number;
  readonly now: () => number;
  private levels = new Map<string, Level>();
  /** draining holds removed levels that still have queued requests: they run out under their old limits. */
  private draining = new Set<Level>();
  private config!: Config;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** @internal */ anyQueued = false;

  constructor(opts: DispatcherOptions) {
    this.serverConcurrencyLimit = opts.serverConcurrencyLimit;
    this.requestWaitLimitMs = opts.requestWaitLimitMs ?? defaultRequestWaitLimitMs;
    this.now = opts.now ?? Date.now;
    this.setConfig(bootstrapFlowSchemas, bootstrapPriorityLevels);
  }

  /**
   * setConfig replaces the configuration. Requests already queued or executing keep their
   * level: a level that still exists takes the new limits at once; a removed one drains with
   * its old limits. The mandatory exempt and catch-all objects are filled in from the
   * bootstrap configuration when missing, as upstream's config controller keeps them.
   * Schemas naming a missing level are ignored (upstream marks them dangling).
   */
  setConfig(flowSchemas: readonly FlowSchema[], priorityLevels: readonly PriorityLevelConfiguration[]): void {
    const pls = [...priorityLevels];
    const fss = [...flowSchemas];
    for (const name of ['exempt', 'catch-all']) {
      if (!pls.some((p) => p.metadata?.name === name)) pls.push(bootstrapPriorityLevels.find((p) => p.metadata?.name === name)!);
      if (!fss.some((f) => f.metadata?.name === name)) fss.push(bootstrapFlowSchemas.find((f) => f.metadata?.name === name)!);
    }
    // NominalCL(i) = ceil(ServerCL × NCS(i) / Σ NCS), over every level (exempt ones count their own shares, 0 by default).
    const shares = (p: PriorityLevelConfiguration): number =>
      p.spec?.type === 'Exempt' ? (p.spec.exempt?.nominalConcurrencyShares ?? 0) : (p.spec?.limited?.nominalConcurrencyShares ?? PRIORITY_LEVEL_DEFAULT_NOMINAL_CONCURRENCY_SHARES);
    const sum = pls.reduce((s, p) => s + shares(p), 0);
    const next = new Map<string, Level>();
    for (const pl of pls) {
      const name = pl.metadata?.name ?? '';
      const level = this.levels.get(name) ?? new Level(this, pl);
      const nominal = sum > 0 ? Math.ceil((this.serverConcurrencyLimit * shares(pl)) / sum) : 0;
      level.configure(pl, pl.metadata?.uid ?? stableUID('PriorityLevelConfiguration', name), nominal);
      next.set(name, level);
    }
    const schemas: CompiledSchema[] = [];
    for (const fs of fss) {
      const level = next.get(fs.spec?.priorityLevelConfiguration.name ?? '');
      if (!level) continue;
      const name = fs.metadata?.name ?? '';
      schemas.push({
        name,
        uid: fs.metadata?.uid ?? stableUID('FlowSchema', name),
        precedence: fs.spec?.matchingPrecedence ?? FLOW_SCHEMA_DEFAULT_MATCHING_PRECEDENCE,
        distinguisher: fs.spec?.distinguisherMethod?.type,
        rules: fs.spec?.rules ?? [],
        level,
      });
    }
    schemas.sort((a, b) => a.precedence - b.precedence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const [name, l] of this.levels) if (next.get(name) !== l && l.queued > 0) this.draining.add(l);
    for (const l of next.values()) this.draining.delete(l);
    this.levels = next;
    this.config = { schemas, catchAll: schemas.find((s) => s.name === 'catch-all')!, memo: new Map() };
    // New limits may let queued requests run.
    this.dispatchAll(undefined);
  }

  /** admit classifies the request and runs, queues or rejects it (see Ticket). */
  admit(req: RequestDigest): Ticket {
    const { schema, classification } = this.lookup(req);
    const level = schema.level;
    if (level.exempt) return new Ticket(classification, undefined, 'executing');
    const t = new Ticket(classification, level, 'queued');
    level.admit(t);
    return t;
  }

  /** classify answers which FlowSchema and priority level the request belongs to. */
  classify(req: RequestDigest): Classification {
    return this.lookup(req).classification;
  }

  /** lookup classifies, memoized per user, groups, verb and target. */
  private lookup(req: RequestDigest): MemoEntry {
    const { user, info } = req;
    // The groups are compared on a hit rather than joined into the key: cheaper on the hot path.
    const key = info.isResourceRequest
      ? `${user.username}\0${info.verb}\0${info.apiGroup}\0${info.resource}\0${info.subresource}\0${info.namespace}`
      : `${user.username}\0${info.verb}\0\0${info.path}`;
    const config = this.config;
    const hit = config.memo.get(key);
    if (hit && sameGroups(hit.groups, user.groups)) return hit;
    let schema = config.schemas.find((s) => s.rules.some((r) => matchesRule(r, req)));
    if (!schema) schema = config.catchAll;
    const flowDistinguisher = schema.distinguisher === 'ByUser' ? user.username : schema.distinguisher === 'ByNamespace' ? info.namespace : '';
    const entry: MemoEntry = {
      groups: user.groups,
      schema,
      classification: { flowSchema: schema.name, flowSchemaUID: schema.uid, priorityLevel: schema.level.name, priorityLevelUID: schema.level.uid, flowDistinguisher },
    };
    if (config.memo.size >= memoLimit) config.memo.clear();
    config.memo.set(key, entry);
    return entry;
  }

  /** stats reports each level's nominal limit, executing and queued requests (tests, debugging). */
  stats(): Record<string, { nominal: number; executing: number; queued: number }> {
    const out: Record<string, { nominal: number; executing: number; queued: number }> = {};
    for (const [name, l] of this.levels) out[name] = { nominal: l.exempt ? Infinity : l.nominal, executing: l.executing, queued: l.queued };
    return out;
  }

  /** close stops the queue-expiry timer and rejects every queued request. */
  close(): void {
    this.closed = true;
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.expiryTimer = undefined;
    for (const l of [...this.levels.values(), ...this.draining]) l.expire(Infinity);
    this.draining.clear();
  }

  /**
   * borrowable counts the idle lendable seats of the other limited levels not already
   * taken by borrowers (upstream adjusts limits every 10 s; this lends on demand).
   * @internal
   */
  borrowable(borrower: Level): number {
    let idle = 0;
    let borrowed = 0;
    for (const l of this.levels.values()) {
      if (l.exempt) continue;
      if (l.executing > l.nominal) borrowed += l.executing - l.nominal;
      else if (l !== borrower) idle += Math.min(l.lendable, l.nominal - l.executing);
    }
    return idle - borrowed;
  }

  /** @internal */
  queuedSomething(): void {
    this.anyQueued = true;
    if (this.expiryTimer || this.closed) return;
    // Queue heads are the oldest requests: one coarse timer finds the expired ones.
    const tick = Math.max(10, Math.min(1000, Math.floor(this.requestWaitLimitMs / 10)));
    this.expiryTimer = setInterval(() => this.expire(), tick);
    this.expiryTimer.unref();
  }

  private expire(): void {
    const deadline = this.now() - this.requestWaitLimitMs;
    let queued = 0;
    for (const l of [...this.levels.values(), ...this.draining]) {
      if (l.queued > 0) l.expire(deadline);
      if (l.queued === 0) this.draining.delete(l);
      queued += l.queued;
    }
    if (queued === 0) {
      this.anyQueued = false;
      clearInterval(this.expiryTimer);
      this.expiryTimer = undefined;
    }
  }

  /** @internal dispatchAll lets every level with queued requests start what it can (after a seat was freed elsewhere). */
  dispatchAll(except: Level | undefined): void {
    for (const l of this.levels.values()) if (l !== except && l.queued > 0) l.dispatch();
  }
}

const uids = new Map<string, string>();
/** stableUID gives configuration objects that have no UID yet (not stored) one UID for the process's life. */
function stableUID(kind: string, name: string): string {
  const key = `${kind}/${name}`;
  let u = uids.get(key);
  if (!u) uids.set(key, (u = randomUUID()));
  return u;
}
