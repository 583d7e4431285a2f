/**
 * Deployment revisions, as the deployment controller and kubectl's rollout commands read them:
 * the `deployment.kubernetes.io/revision` annotation parsed as strconv.ParseInt(v, 10, 64).
 * Revisions are int64 upstream, so they are bigints here: past 2^53 a number loses digits.
 */

/** REVISION_ANNOTATION holds a ReplicaSet's (and its Deployment's) revision. */
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** parseRevision parses a revision annotation value as strconv.ParseInt(v, 10, 64) does; undefined and malformed values are 0. */
export function parseRevision(v: string | undefined): bigint {
  if (v === undefined || !/^[+-]?\d{1,19}$/.test(v)) return 0n;
  const n = BigInt(v);
  return n > 9223372036854775807n || n < -9223372036854775808n ? 0n : n;
}
