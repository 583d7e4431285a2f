/**
 * StatusManager as upstream's pkg/kubelet/status: keeps the newest status per pod and patches
 * it through `pods/status` when it differs from what the apiserver last accepted. A new status
 * is sent at once (upstream's syncPod on the status channel; there is no batching delay and no
 * client-side rate limit here beyond the RestClient's own); while a patch of a pod is in
 * flight its newer statuses wait and only the newest is sent next. While the apiserver is
 * unreachable the newest status simply waits; every pod is retried with backoff and caught up
 * when it returns. Final deletion (grace 0, uid precondition) goes through here.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { isStatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { RestClient } from '../client/rest/client.js';
import { gvr } from '../client/rest/gvr.js';
import { resourcePath } from '../client/rest/resource.js';
import type { TimerHandle, TimerHeap } from './timerheap.js';

interface Entry {
  namespace: string;
  name: string;
  /** uid is the precondition of the patch (a mirror pod's uid for static pods: undefined). */
  uid: string | undefined;
  status: PodStatus;
  /** body is `status` serialised (once per setPodStatus: it is both the patch and the change test). */
  body: string;
  /** setAt is when `status` was handed over (for onPatched). */
  setAt: number;
  sent?: string;
  inFlight: boolean;
  retryMs: number;
  timer?: TimerHandle;
}

/** PatchObserver hears of every accepted status patch (benchmarks break pod startup latency down with it). */
export type PatchObserver = (p: { uid: string; status: PodStatus; setAt: number; sentAt: number; doneAt: number }) => void;

export interface StatusManagerOptions {
  /** onPatched is called after each accepted patch; times are epoch ms (performance.timeOrigin + performance.now()). */
  onPatched?: PatchObserver;
}

const nowMs = (): number => performance.timeOrigin + performance.now();

export class StatusManager {
  private entries = new Map<string, Entry>();
  private stopped = false;
  /** patches counts the status patches the apiserver accepted. */
  patches = 0;

  constructor(
    private readonly client: RestClient,
    private readonly heap: TimerHeap,
    private readonly onError: (msg: string, err: unknown) => void = () => {},
    private readonly opts: StatusManagerOptions = {},
  ) {}

  /** setPodStatus records the newest status; `target` redirects a static pod to its mirror. */
  setPodStatus(pod: Pod, status: PodStatus, target?: { namespace: string; name: string; uid?: string }): void {
    const key = pod.metadata?.uid ?? '';
    const e = this.entries.get(key);
    const ns = target?.namespace ?? pod.metadata?.namespace ?? 'default';
    const name = target?.name ?? pod.metadata?.name ?? '';
    const uid = target ? target.uid : pod.metadata?.uid;
    const body = JSON.stringify(status);
    if (e && e.body === body && e.namespace === ns && e.name === name && e.uid === uid) return;
    const setAt = this.opts.onPatched ? nowMs() : 0;
    if (e) {
      e.status = status;
      e.body = body;
      e.setAt = setAt;
      e.namespace = ns;
      e.name = name;
      e.uid = uid;
    } else this.entries.set(key, { namespace: ns, name, uid, status, body, setAt, inFlight: false, retryMs: 500 });
    void this.flush(key);
  }

  /** pending is the number of pods whose newest status is not yet accepted by the apiserver. */
  get pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.sent !== e.body) n++;
    return n;
  }

  /** forget drops a pod's entry (it was deleted). */
  forget(uid: string): void {
    this.entries.get(uid)?.timer?.cancel();
    this.entries.delete(uid);
  }

  private async flush(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e || e.inFlight || this.stopped) return;
    const body = e.body;
    if (body === e.sent) return;
    const status = e.status;
    const setAt = e.setAt;
    e.inFlight = true;
    try {
      const sentAt = this.opts.onPatched ? nowMs() : 0;
      // A merge patch of the whole status with the uid as precondition. Sent pre-serialised and
      // its response (the whole pod) drained unparsed: nothing here reads it.
      const patch = e.uid ? `{"metadata":{"uid":${JSON.stringify(e.uid)}},"status":${body}}` : `{"status":${body}}`;
      const path = resourcePath(gvr.pods, e.namespace, e.name, 'status');
      await this.client.requestDiscard({ method: 'PATCH', path, body: patch, contentType: 'application/merge-patch+json' });
      e.sent = body;
      e.retryMs = 500;
      this.patches++;
      this.opts.onPatched?.({ uid: key, status, setAt, sentAt, doneAt: nowMs() });
    } catch (err) {
      if (isStatusError(err, 'NotFound')) {
        // The pod is gone from the API; nothing left to report to.
        e.sent = body;
      } else {
        this.onError(`failed to update status of pod ${e.namespace}/${e.name}`, err);
        e.timer?.cancel();
        e.timer = this.heap.after(e.retryMs, () => {
          e.timer = undefined;
          void this.flush(key);
        });
        e.retryMs = Math.min(e.retryMs * 2, 10_000);
      }
    } finally {
      e.inFlight = false;
    }
    if (e.body !== e.sent && !e.timer) void this.flush(key);
    else if (e.timer && e.body === e.sent) {
      e.timer.cancel();
      e.timer = undefined;
    }
  }

  /** deletePod deletes the API object with grace 0 once the kubelet has stopped everything. */
  async deletePod(pod: Pod): Promise<void> {
    const ns = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    // Let the final status land first, so watchers see the terminated containers.
    await this.flush(pod.metadata?.uid ?? '');
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, 10_000)) {
      try {
        await this.client.resource<Pod & KubeObject>(gvr.pods).namespace(ns).delete(name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
        break;
      } catch (err) {
        if (isStatusError(err, 'NotFound') || isStatusError(err, 'Conflict')) break;
        this.onError(`failed to delete pod ${ns}/${name}`, err);
        await new Promise<void>((r) => this.heap.after(delay, r));
      }
    }
    this.forget(pod.metadata?.uid ?? '');
  }

  stop(): void {
    this.stopped = true;
    for (const e of this.entries.values()) e.timer?.cancel();
  }
}
