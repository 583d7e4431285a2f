/**
 * Turning non-2xx responses into StatusError (upstream: rest.Result.Error and
 * errors.NewGenericServerResponse): a metav1.Status body is kept as the server sent it;
 * anything else gets upstream's generic message for the HTTP code.
 */
import type { Status } from 'kubernetes-types/meta/v1.js';
import { StatusError, type StatusReason } from '../../api/errors.js';

const generic: Record<number, [StatusReason, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Gone', 'the server reported that the requested resource is gone'],
  413: ['RequestEntityTooLarge', 'the server rejected our request because the request entity is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to handle the media type requested'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

/** isStatus reports whether a parsed body is a metav1.Status. */
export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

/**
 * statusErrorFrom builds the StatusError for a failed response. `body` is the raw response
 * text. A Status body without a code gets the HTTP code.
 */
export function statusErrorFrom(httpCode: number, body: string, retryAfterSeconds?: number): StatusError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed) && parsed.status !== 'Success') {
    const code = parsed.code || httpCode;
    const reason = (parsed.reason || generic[code]?.[0] || (code >= 500 ? 'InternalError' : 'BadRequest')) as StatusReason;
    return new StatusError({ ...parsed, code, reason, message: parsed.message ?? generic[code]?.[1] ?? `unknown (${code})` });
  }
  const g = generic[httpCode];
  let reason: StatusReason = g?.[0] ?? (httpCode >= 500 ? 'InternalError' : 'BadRequest');
  let message = g?.[1] ?? `an error on the server (${JSON.stringify(body.trim().slice(0, 200) || 'unknown')}) has prevented the request from succeeding`;
  if (httpCode >= 500 && !g) reason = 'InternalError';
  if (httpCode === 500) message = `an error on the server (${JSON.stringify(body.trim().slice(0, 200) || 'unknown')}) has prevented the request from succeeding`;
  const status: Status & { code: number; reason: StatusReason; message: string } = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    code: httpCode,
    reason,
    message,
    details: { causes: [{ reason: 'UnexpectedServerResponse', message: body.trim().slice(0, 1024) }] },
  };
  if (retryAfterSeconds !== undefined && status.details) status.details.retryAfterSeconds = retryAfterSeconds;
  return new StatusError(status);
}
