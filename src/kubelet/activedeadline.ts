/**
 * Active deadlines as upstream's kubelet enforces them (pkg/kubelet/active_deadline.go): a pod
 * active on the node for its `spec.activeDeadlineSeconds` since `status.startTime` fails with
 * reason DeadlineExceeded and is killed. Pure: the pod worker (pods.ts) asks here whether a pod
 * is past its deadline, and when the deadline falls, so it can sync the pod at that moment
 * instead of polling every pod each second as upstream's housekeeping does.
 */
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { SyncReason } from './status.js';

/** DEADLINE_EXCEEDED is the status reason and message (and the event's) of a pod failed past its deadline. */
export const DEADLINE_EXCEEDED: Readonly<SyncReason> = Object.freeze({
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
});

/**
 * startTimeMs reads status.startTime (ms since the epoch); undefined when the status has none
 * (the kubelet has not acknowledged the pod yet) or it does not parse.
 */
export function startTimeMs(status: PodStatus | undefined): number | undefined {
  const s = status?.startTime;
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * activeDeadlineAt answers when the pod's active deadline falls (ms since the epoch): startMs
 * plus spec.activeDeadlineSeconds. Undefined when the pod has no deadline or has not started
 * (startMs undefined): upstream's pastActiveDeadline is false for both.
 */
export function activeDeadlineAt(pod: Pod, startMs: number | undefined): number | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  if (seconds === undefined || seconds === null || startMs === undefined) return undefined;
  return startMs + seconds * 1000;
}

/** pastActiveDeadline is upstream's pastActiveDeadline: the pod has been active at least its deadline at `now`. */
export function pastActiveDeadline(pod: Pod, startMs: number | undefined, now: number): boolean {
  const at = activeDeadlineAt(pod, startMs);
  return at !== undefined && now >= at;
}
