/**
 * Leader election on coordination.k8s.io/v1 Leases, as client-go's tools/leaderelection:
 * candidates race to write their identity into one Lease with optimistic concurrency; the
 * holder renews it every retryPeriod and gives up leadership if it cannot renew within
 * renewDeadline; others take over once they have not seen the record change for
 * leaseDuration (measured on their own clock, so clock skew between hosts does not matter).
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { isStatusError } from '../../api/errors.js';
import { realClock, jitter, type Clock, type TimerHandle } from '../util/clock.js';
import type { RestClient } from '../rest/client.js';
import { gvr } from '../rest/gvr.js';

/** LeaderElectionRecord is the lease state, in milliseconds since the epoch. */
export interface LeaderElectionRecord {
  /** holderIdentity is '' when the lease was released. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: number;
  renewTime: number;
  leaseTransitions: number;
}

/** ResourceLock is where the record lives. Errors other than NotFound/Conflict propagate. */
export interface ResourceLock {
  /** get returns the record, or undefined if the lock object does not exist. */
  get(signal?: AbortSignal): Promise<LeaderElectionRecord | undefined>;
  /** create makes the lock object; rejects with AlreadyExists if someone was faster. */
  create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** update writes the record over the version last read by get(); rejects with Conflict if stale. */
  update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void>;
  /** describe names the lock for messages: `kube-system/kube-scheduler`. */
  describe(): string;
}

/** toMicroTime renders metav1.MicroTime: RFC 3339 with exactly six fractional digits. */
export function toMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function parseTime(s: string | undefined): number {
  if (!s) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
}

/** LeaseLock keeps the record in a coordination.k8s.io/v1 Lease. */
export class LeaseLock implements ResourceLock {
  private lease: Lease | undefined;

  constructor(
    private readonly client: RestClient,
    readonly namespace: string,
    readonly name: string,
  ) {}

  private api() {
    return this.client.resource<Lease & { [k: string]: unknown }>(gvr.leases).namespace(this.namespace);
  }

  async get(signal?: AbortSignal): Promise<LeaderElectionRecord | undefined> {
    try {
      this.lease = await this.api().get(this.name, { signal });
    } catch (err) {
      if (isStatusError(err, 'NotFound')) {
        this.lease = undefined;
        return undefined;
      }
      throw err;
    }
    const s = this.lease.spec ?? {};
    return {
      holderIdentity: s.holderIdentity ?? '',
      leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
      acquireTime: parseTime(s.acquireTime),
      renewTime: parseTime(s.renewTime),
      leaseTransitions: s.leaseTransitions ?? 0,
    };
  }

  private spec(r: LeaderElectionRecord): Lease['spec'] {
    return {
      holderIdentity: r.holderIdentity,
      leaseDurationSeconds: r.leaseDurationSeconds,
      acquireTime: toMicroTime(r.acquireTime),
      renewTime: toMicroTime(r.renewTime),
      leaseTransitions: r.leaseTransitions,
    };
  }

  async create(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    this.lease = await this.api().create(
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.name, namespace: this.namespace }, spec: this.spec(record) },
      { signal },
    );
  }

  async update(record: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error('lease not initialized, call get or create first');
    this.lease = await this.api().update({ ...this.lease, spec: this.spec(record) }, { signal });
  }

  describe(): string {
    return `${this.namespace}/${this.name}`;
  }
}

export interface LeaderCallbacks {
  /** onStartedLeading runs when leadership is won; `signal` aborts when it is lost or run() is cancelled. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** onStoppedLeading runs once when run() ends, whether or not this candidate ever led (as upstream). */
  onStoppedLeading(): void;
  /** onNewLeader runs whenever a different holder is observed (including ourselves). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: ResourceLock;
  /** identity must be unique per candidate (host name + random suffix is customary). */
  identity: string;
  /** leaseDurationMs (default 15 s): how long non-leaders wait before taking over a silent lease. */
  leaseDurationMs?: number;
  /** renewDeadlineMs (default 10 s): how long the leader keeps retrying a renewal before giving up. */
  renewDeadlineMs?: number;
  /** retryPeriodMs (default 2 s): the interval between attempts. */
  retryPeriodMs?: number;
  callbacks: LeaderCallbacks;
  /** releaseOnCancel clears the holder when run() is cancelled, so others take over at once. */
  releaseOnCancel?: boolean;
  name?: string;
  clock?: Clock;
  onError?: (err: unknown) => void;
}

const JITTER_FACTOR = 1.2;

export class LeaderElector {
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly clock: Clock;
  private observed: LeaderElectionRecord | undefined;
  private observedTime = 0;
  private reportedLeader = '';
  private leading = false;

  constructor(private readonly config: LeaderElectionConfig) {
    this.leaseDurationMs = config.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = config.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = config.retryPeriodMs ?? 2_000;
    this.clock = config.clock ?? realClock;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (!config.identity) throw new Error('Lock identity is empty');
  }

  /** isLeader reports whether this candidate currently holds the lease (as last observed). */
  isLeader(): boolean {
    return this.leading;
  }

  /** getLeader returns the last observed holder identity ('' if none). */
  getLeader(): string {
    return this.observed?.holderIdentity ?? '';
  }

  private log(err: unknown): void {
    (this.config.onError ?? ((e: unknown) => console.warn(`leaderelection ${this.config.lock.describe()}: ${e instanceof Error ? e.message : String(e)}`)))(err);
  }

  /**
   * run campaigns until leadership is won, leads until it is lost or `signal` aborts, then
   * calls onStoppedLeading and resolves. It does not campaign again; callers that want to
   * may call run() in a loop (upstream's RunOrDie also exits).
   */
  async run(signal: AbortSignal): Promise<void> {
    const leaderCtl = new AbortController();
    const onAbort = (): void => leaderCtl.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (!(await this.acquire(signal))) return;
      this.config.callbacks.onNewLeader?.(this.config.identity);
      try {
        void Promise.resolve(this.config.callbacks.onStartedLeading(leaderCtl.signal)).catch((err) => this.log(err));
      } catch (err) {
        this.log(err);
      }
      await this.renew(signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      const wasLeading = this.leading;
      this.leading = false;
      leaderCtl.abort(new Error('leadership lost'));
      if (wasLeading && signal.aborted && this.config.releaseOnCancel) await this.release();
      try {
        this.config.callbacks.onStoppedLeading();
      } catch (err) {
        this.log(err);
      }
    }
  }

  private async acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew(signal)) return true;
      try {
        await this.clock.after(jitter(this.retryPeriodMs, JITTER_FACTOR), signal);
      } catch {
        return false;
      }
    }
    return false;
  }

  private async renew(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const deadline = this.clock.now() + this.renewDeadlineMs;
      // One deadline for all attempts of this round, enforced on the injected clock.
      const round = new AbortController();
      const onAbort = (): void => round.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const timer: TimerHandle = this.clock.setTimeout(() => round.abort(new Error('renew deadline exceeded')), this.renewDeadlineMs);
      let ok = false;
      try {
        while (!round.signal.aborted && this.clock.now() < deadline) {
          if (await this.tryAcquireOrRenew(round.signal)) {
            ok = true;
            break;
          }
          await this.clock.after(this.retryPeriodMs, round.signal).catch(() => undefined);
        }
      } finally {
        this.clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
      if (signal.aborted) return;
      if (!ok) {
        this.log(new Error(`failed to renew lease ${this.config.lock.describe()}: timed out waiting for the condition`));
        return;
      }
      try {
        await this.clock.after(this.retryPeriodMs, signal);
      } catch {
        return;
      }
    }
  }

  /** tryAcquireOrRenew makes one attempt and reports whether we hold the lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const lock = this.config.lock;
    const id = this.config.identity;
    const now = this.clock.now();
    const desired: LeaderElectionRecord = {
      holderIdentity: id,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    let current: LeaderElectionRecord | undefined;
    try {
      current = await lock.get(signal);
    } catch (err) {
      if (!signal.aborted) this.log(err);
      return false;
    }
    if (!current) {
      try {
        await lock.create(desired, signal);
      } catch (err) {
        if (!signal.aborted && !isStatusError(err, 'AlreadyExists')) this.log(err);
        return false;
      }
      this.setObserved(desired);
      return true;
    }
    if (!this.observed || !sameRecord(this.observed, current)) this.setObserved(current);
    const held = current.holderIdentity !== '' && current.holderIdentity !== id;
    if (held && this.observedTime + this.leaseDurationMs > this.clock.now()) {
      this.leading = false;
      return false;
    }
    if (current.holderIdentity === id) {
      desired.acquireTime = current.acquireTime;
      desired.leaseTransitions = current.leaseTransitions;
    } else {
      desired.leaseTransitions = current.leaseTransitions + 1;
    }
    try {
      await lock.update(desired, signal);
    } catch (err) {
      if (!signal.aborted && !isStatusError(err, 'Conflict')) this.log(err);
      return false;
    }
    this.setObserved(desired);
    return true;
  }

  private setObserved(r: LeaderElectionRecord): void {
    this.observed = r;
    this.observedTime = this.clock.now();
    this.leading = r.holderIdentity === this.config.identity;
    if (r.holderIdentity !== this.reportedLeader) {
      this.reportedLeader = r.holderIdentity;
      // Our own win is reported by run() just before onStartedLeading.
      if (r.holderIdentity && r.holderIdentity !== this.config.identity) this.config.callbacks.onNewLeader?.(r.holderIdentity);
    }
  }

  /**
   * release clears the holder so another candidate can take over without waiting. The lease is
   * re-read first: a renewal cut short by the cancellation may have landed on the server after
   * all, leaving our cached copy stale.
   */
  private async release(): Promise<void> {
    if (!this.observed || this.observed.holderIdentity !== this.config.identity) return;
    const signal = AbortSignal.timeout(this.renewDeadlineMs);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const current = await this.config.lock.get(signal);
        if (!current || current.holderIdentity !== this.config.identity) return;
        const now = this.clock.now();
        const r: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: current.leaseTransitions };
        await this.config.lock.update(r, signal);
        this.setObserved(r);
        return;
      } catch (err) {
        if (isStatusError(err, 'Conflict') && !signal.aborted) continue;
        this.log(err);
        return;
      }
    }
  }
}

function sameRecord(a: LeaderElectionRecord, b: LeaderElectionRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}
