/**
 * Kubernetes API errors as metav1.Status objects, built as upstream's
 * k8s.io/apimachinery/pkg/api/errors does, so kubectl prints them the way users know
 * (`Error from server (NotFound): pods "x" not found`).
 */
import type { Status, StatusCause } from 'kubernetes-types/meta/v1.js';
import { aggregateString, errorBody, type FieldError } from './field.js';

export type StatusReason =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

/** GroupResource names a resource for messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** GroupKind names a kind for messages: `Pod`, `Deployment.apps`. */
export interface GroupKind {
  group: string;
  kind: string;
}

export const grString = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);
export const gkString = (gk: GroupKind): string => (gk.group ? `${gk.kind}.${gk.group}` : gk.kind);

/** StatusError carries a metav1.Status; the apiserver writes `status` as the response body. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  constructor(
    readonly status: Status & { code: number; reason: StatusReason; message: string },
    options?: { cause?: unknown },
  ) {
    super(status.message, options);
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): StatusReason {
    return this.status.reason;
  }
}

export function isStatusError(err: unknown, reason?: StatusReason): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

function make(
  code: number,
  reason: StatusReason,
  message: string,
  details?: Status['details'],
  cause?: unknown,
): StatusError {
  const status: Status & { code: number; reason: StatusReason; message: string } = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return new StatusError(status, cause === undefined ? undefined : { cause });
}

const q = (s: string): string => JSON.stringify(s);

export function notFound(gr: GroupResource, name: string): StatusError {
  return make(404, 'NotFound', `${grString(gr)} ${q(name)} not found`, { name, group: gr.group, kind: gr.resource });
}

export function alreadyExists(gr: GroupResource, name: string): StatusError {
  return make(409, 'AlreadyExists', `${grString(gr)} ${q(name)} already exists`, { name, group: gr.group, kind: gr.resource });
}

export const OPTIMISTIC_LOCK_MESSAGE = 'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, reason: string = OPTIMISTIC_LOCK_MESSAGE): StatusError {
  return make(409, 'Conflict', `Operation cannot be fulfilled on ${grString(gr)} ${q(name)}: ${reason}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

export function invalid(gk: GroupKind, name: string, errs: readonly FieldError[]): StatusError {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return make(422, 'Invalid', `${gkString(gk)} ${q(name)} is invalid: ${aggregateString(errs)}`, {
    name,
    group: gk.group,
    kind: gk.kind,
    causes,
  });
}

export function badRequest(message: string): StatusError {
  return make(400, 'BadRequest', message);
}

export function methodNotSupported(gr: GroupResource, action: string): StatusError {
  return make(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${q(grString(gr))}`, {
    group: gr.group,
    kind: gr.resource,
  });
}

export function gone(message: string): StatusError {
  return make(410, 'Gone', message);
}

/** resourceExpired is the 410 a watch or list gets for a compacted resourceVersion. */
export function resourceExpired(message: string): StatusError {
  return make(410, 'Expired', message);
}

export function tooManyRequests(message: string, retryAfterSeconds: number): StatusError {
  return make(429, 'TooManyRequests', message, { retryAfterSeconds });
}

export function requestEntityTooLarge(message: string): StatusError {
  return make(413, 'RequestEntityTooLarge', `Request entity too large: ${message}`);
}

export function unsupportedMediaType(accepted: readonly string[]): StatusError {
  return make(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function notAcceptable(message: string): StatusError {
  return make(406, 'NotAcceptable', message);
}

export function forbidden(gr: GroupResource, name: string, reason: string): StatusError {
  const message = name ? `${grString(gr)} ${q(name)} is forbidden: ${reason}` : `${grString(gr)} is forbidden: ${reason}`;
  return make(403, 'Forbidden', message, { name, group: gr.group, kind: gr.resource });
}

export function unauthorized(reason = ''): StatusError {
  return make(401, 'Unauthorized', reason || 'Unauthorized');
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return make(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] }, err);
}

export function serviceUnavailable(reason: string): StatusError {
  return make(503, 'ServiceUnavailable', reason);
}

export function timeout(message: string, retryAfterSeconds = 0): StatusError {
  return make(504, 'Timeout', `Timeout: ${message}`, retryAfterSeconds ? { retryAfterSeconds } : undefined);
}

export function serverTimeout(gr: GroupResource, operation: string, retryAfterSeconds: number): StatusError {
  return make(500, 'ServerTimeout', `The ${operation} operation against ${grString(gr)} could not be completed at this time, please try again.`, {
    group: gr.group,
    kind: gr.resource,
    retryAfterSeconds,
  });
}
