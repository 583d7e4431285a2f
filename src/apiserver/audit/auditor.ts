/**
 * Auditor records audit.k8s.io/v1 Events for requests, as kube-apiserver's audit filter: a
 * RequestReceived event once the caller is known, ResponseStarted for long-running requests
 * (watches, log streams) when the response begins, and ResponseComplete when it ends; each
 * event carries the policy's level worth of detail (metadata, request object, response object).
 * Events are written as JSON lines to a sink (a file, or a function in tests).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../pipeline.js';
import type { RequestInfo } from '../requestinfo.js';
import { levelAtLeast, ruleFor, type Level, type Policy, type Stage } from './policy.js';

/** AuditSink receives one event at a time. */
export type AuditSink = (event: AuditEvent) => void;

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Level;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: { username: string; uid?: string; groups: string[]; extra?: Record<string, string[]> };
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { metadata: Record<string, never>; status?: string; message?: string; reason?: string; code: number };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

/** Request bodies as the handlers read them, for Request-level events (kept only while auditing). */
const requestBodies = new WeakMap<IncomingMessage, Buffer>();
let auditing = false;

/** recordRequestBody is called by the handlers with each request body they read. */
export function recordRequestBody(req: IncomingMessage, body: Buffer): void {
  if (auditing) requestBodies.set(req, body);
}

/** Annotations added while a request is served (admission plugins), read when its events are written. */
const requestAnnotations = new WeakMap<IncomingMessage, Record<string, string>>();

/** annotateRequest adds an audit annotation to a request's events (a no-op when nobody audits). */
export function annotateRequest(req: IncomingMessage, key: string, value: string): void {
  if (!auditing) return;
  const a = requestAnnotations.get(req) ?? {};
  a[key] = value;
  requestAnnotations.set(req, a);
}

/** MAX_CAPTURE bounds the bytes of a body kept for an event. */
const MAX_CAPTURE = 4 * 1024 * 1024;

interface Context {
  id: string;
  received: Date;
  req: IncomingMessage;
  res: ServerResponse;
  level: Level;
  omit: Set<Stage>;
  event?: AuditEvent;
  longRunning: boolean;
  responseChunks: Buffer[];
  responseBytes: number;
  annotations: Record<string, string>;
  started: boolean;
}

/** microTime formats a time as metav1.MicroTime (microsecond precision, UTC). */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class Auditor {
  private readonly contexts = new WeakMap<IncomingMessage, Context>();

  constructor(
    private readonly policy: Policy,
    private readonly sink: AuditSink,
    private readonly now: () => Date = () => new Date(),
  ) {
    auditing = true;
  }

  /** begin starts tracking a request (call first thing in the handler). */
  begin(req: IncomingMessage, res: ServerResponse): void {
    const ctx: Context = { id: (req.headers['audit-id'] as string | undefined) ?? randomUUID(), received: this.now(), req, res, level: 'None', omit: new Set(), longRunning: false, responseChunks: [], responseBytes: 0, annotations: {}, started: false };
    this.contexts.set(req, ctx);
    res.setHeader('Audit-Id', ctx.id);
    // Keep the response body for RequestResponse and for error Status details.
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const keep = (chunk: unknown): void => {
      if (ctx.level === 'None') return;
      // The response has begun (headers at the latest): long-running requests log ResponseStarted.
      this.started(ctx, true);
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      if (ctx.longRunning || ctx.responseBytes > MAX_CAPTURE) return;
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      ctx.responseChunks.push(b);
      ctx.responseBytes += b.length;
    };
    res.write = ((...args: unknown[]) => {
      keep(args[0]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0]);
      return end(...args);
    }) as typeof res.end;
    res.once('close', () => this.complete(ctx));
  }

  /** authenticated decides the level from the policy and emits RequestReceived. */
  authenticated(req: IncomingMessage, user: UserInfo, info: RequestInfo): void {
    const ctx = this.contexts.get(req);
    if (!ctx) return;
    const rule = ruleFor(this.policy, user, info);
    ctx.level = rule?.level ?? 'None';
    if (ctx.level === 'None') return;
    ctx.omit = new Set([...(this.policy.omitStages ?? []), ...(rule?.omitStages ?? [])]);
    ctx.longRunning = info.verb === 'watch' || (info.resource === 'pods' && (info.subresource === 'log' || info.subresource === 'exec' || info.subresource === 'attach' || info.subresource === 'portforward'));
    const event: AuditEvent = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: ctx.level,
      auditID: ctx.id,
      stage: 'RequestReceived',
      requestURI: req.url ?? '/',
      verb: info.verb,
      user: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}) },
      sourceIPs: sourceIPs(req),
      ...(req.headers['user-agent'] ? { userAgent: req.headers['user-agent'] } : {}),
      requestReceivedTimestamp: microTime(ctx.received),
      stageTimestamp: microTime(ctx.received),
    };
    if (info.isResourceRequest) {
      event.objectRef = {
        resource: info.resource,
        ...(info.namespace ? { namespace: info.namespace } : {}),
        ...(info.name ? { name: info.name } : {}),
        ...(info.apiGroup ? { apiGroup: info.apiGroup } : {}),
        apiVersion: info.apiVersion,
        ...(info.subresource ? { subresource: info.subresource } : {}),
      };
    }
    ctx.event = event;
    this.emit(ctx, 'RequestReceived');
  }

  /** authorized records the authorization decision as upstream's annotations. */
  authorized(req: IncomingMessage, allowed: boolean, reason: string): void {
    const ctx = this.contexts.get(req);
    if (!ctx) return;
    ctx.annotations['authorization.k8s.io/decision'] = allowed ? 'allow' : 'forbid';
    ctx.annotations['authorization.k8s.io/reason'] = reason;
  }

  private started(ctx: Context, set = false): boolean {
    if (set && !ctx.started) {
      ctx.started = true;
      if (ctx.longRunning) this.emit(ctx, 'ResponseStarted');
    }
    return ctx.started;
  }

  private complete(ctx: Context): void {
    if (!ctx.event) return;
    this.emit(ctx, 'ResponseComplete');
    ctx.event = undefined;
  }

  private emit(ctx: Context, stage: Stage): void {
    if (!ctx.event || ctx.omit.has(stage)) return;
    const e: AuditEvent = { ...ctx.event, stage, stageTimestamp: microTime(this.now()) };
    if (stage !== 'RequestReceived') {
      const code = ctx.res.statusCode;
      const body = Buffer.concat(ctx.responseChunks);
      const parsed = parseJSON(body);
      const status = parsed && (parsed as { kind?: string }).kind === 'Status' ? (parsed as { status?: string; message?: string; reason?: string }) : undefined;
      e.responseStatus = { metadata: {}, code, ...(status?.status ? { status: status.status } : {}), ...(status?.message ? { message: status.message } : {}), ...(status?.reason ? { reason: status.reason } : {}) };
      if (levelAtLeast(ctx.level, 'RequestResponse') && stage === 'ResponseComplete' && parsed !== undefined) e.responseObject = parsed;
      const annotations = { ...ctx.annotations, ...(requestAnnotations.get(ctx.req) ?? {}) };
      if (Object.keys(annotations).length) e.annotations = annotations;
    }
    const requestBody = requestBodies.get(ctx.req);
    if (levelAtLeast(ctx.level, 'Request') && requestBody && requestBody.length <= MAX_CAPTURE) {
      const obj = parseJSON(requestBody);
      if (obj !== undefined) e.requestObject = obj;
    }
    this.sink(e);
  }
}

function parseJSON(b: Buffer): unknown {
  if (!b.length) return undefined;
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** sourceIPs lists X-Forwarded-For and X-Real-Ip addresses, then the peer, as upstream's utilnet.SourceIPs. */
function sourceIPs(req: IncomingMessage): string[] {
  const out: string[] = [];
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff === 'string') out.push(...xff.split(',').map((s) => s.trim()).filter(Boolean));
  const real = req.headers['x-real-ip'];
  if (typeof real === 'string' && real && !out.includes(real)) out.push(real);
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (peer && !out.includes(peer)) out.push(peer);
  return out;
}

/** fileSink appends JSON lines to a file ('-' is standard output); close() flushes. */
export function fileSink(path: string): { sink: AuditSink; close(): Promise<void> } {
  if (path === '-') return { sink: (e) => process.stdout.write(`${JSON.stringify(e)}\n`), close: async () => {} };
  const out: WriteStream = createWriteStream(path, { flags: 'a', mode: 0o600 });
  return {
    sink: (e) => out.write(`${JSON.stringify(e)}\n`),
    close: () => new Promise<void>((r) => out.end(() => r())),
  };
}
