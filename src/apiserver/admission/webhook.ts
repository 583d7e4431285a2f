/**
 * Admission webhooks (upstream MutatingAdmissionWebhook and ValidatingAdmissionWebhook): the
 * apiserver sends an admission.k8s.io/v1 AdmissionReview over HTTPS to each webhook whose rules,
 * namespaceSelector and objectSelector match the request, in configuration-name order. Mutating
 * webhooks may answer a base64 JSONPatch; any webhook may deny (upstream's `admission webhook
 * "x" denied the request: ...`) or add warnings. failurePolicy decides whether an unreachable or
 * broken webhook fails the request (Fail, the default) or is skipped (Ignore).
 *
 * Not supported: matchConditions (CEL: no well-kept JavaScript CEL library is available, so
 * webhooks with matchConditions are called as if they had none), reinvocationPolicy IfNeeded
 * (each mutating webhook runs once), matchPolicy Equivalent across API versions.
 */
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { Endpoints, Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhook, ValidatingWebhookConfiguration } from 'kubernetes-types/admissionregistration/v1.js';
import { badRequest, StatusError } from '../../api/errors.js';
import { selectorFromLabelSelector } from '../../api/labels.js';
import { applyJSONPatch } from '../../api/patch/index.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../pipeline.js';
import type { AdmissionObjects } from './objects.js';

const GROUP = 'admissionregistration.k8s.io';
type Webhook = MutatingWebhook | ValidatingWebhook;

/** Rule is admissionregistration/v1 RuleWithOperations (kubernetes-types lacks its inlined Rule fields). */
export interface Rule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  status?: { code?: number; message?: string; reason?: string; status?: string; details?: unknown };
  patch?: string;
  patchType?: string;
  warnings?: string[];
}

/** ruleMatches is upstream's rules.Matcher: operation, group, version, resource[/subresource] and scope. */
export function ruleMatches(rule: Rule, a: AdmissionAttributes): boolean {
  const has = (list: string[] | undefined, v: string): boolean => (list ?? []).some((x) => x === '*' || x === v);
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, a.resource.group) || !has(rule.apiVersions, a.resource.version)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && a.resource.namespaced) return false;
  if (scope === 'Namespaced' && !a.resource.namespaced) return false;
  const want = a.subresource ? `${a.resource.resource}/${a.subresource}` : a.resource.resource;
  return (rule.resources ?? []).some((r) => {
    if (r === '*') return !a.subresource;
    if (r === '*/*') return true;
    const [res, sub] = r.split('/');
    if (sub === undefined) return r === want;
    if (res === '*') return sub === a.subresource;
    if (sub === '*') return res === a.resource.resource && !!a.subresource;
    return r === want;
  });
}

/** WebhookCaller posts an AdmissionReview; tests can replace it, production uses HTTPS. */
export type WebhookCaller = (url: string, body: Buffer, opts: { ca?: Buffer; servername?: string; timeoutMs: number }) => Promise<unknown>;

/** httpsCall posts JSON to url with the webhook's CA bundle and resolves the decoded answer. */
export const httpsCall: WebhookCaller = (url, body, opts) =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpsRequest(
      {
        method: 'POST',
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port || 443,
        path: `${u.pathname}${u.search}`,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': body.length },
        ...(opts.ca ? { ca: opts.ca } : {}),
        ...(opts.servername ? { servername: opts.servername } : {}),
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`the server responded with the status code ${res.statusCode} but did not return more information`));
          try {
            resolve(JSON.parse(text) as unknown);
          } catch {
            reject(new Error(`the server responded with a body that is not JSON`));
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded')));
    req.on('error', reject);
    req.end(body);
  });

export interface WebhookDeps {
  objects: AdmissionObjects;
  call?: WebhookCaller;
}

function webhookFailure(name: string, url: string, err: unknown): StatusError {
  const message = `Internal error occurred: failed calling webhook "${name}": failed to call webhook: Post "${url}": ${(err as Error).message}`;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500, details: { causes: [{ message: `failed calling webhook "${name}": failed to call webhook: Post "${url}": ${(err as Error).message}` }] } });
}

/** denied is upstream's webhookerrors.ToStatusErr. */
function denied(name: string, s: AdmissionResponse['status']): StatusError {
  const by = `admission webhook "${name}" denied the request`;
  const message = s?.message ? `${by}: ${s.message}` : s?.reason ? `${by}: ${s.reason}` : `${by} without explanation`;
  const code = !s?.code || s.code < 400 ? 400 : s.code;
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: (s?.reason ?? '') as never, code, ...(s?.details ? { details: s.details as never } : {}) });
}

const OPTIONS_KIND: Record<AdmissionAttributes['operation'], string> = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions', CONNECT: 'ConnectOptions' };

function webhookPlugin(kind: 'mutating' | 'validating', d: WebhookDeps): AdmissionPlugin {
  const call = d.call ?? httpsCall;
  const resource = kind === 'mutating' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations';

  /** target resolves a webhook's URL, CA and TLS server name (service references through their Endpoints). */
  const target = async (w: Webhook): Promise<{ url: string; ca?: Buffer; servername?: string }> => {
    const cc = w.clientConfig;
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64') : undefined;
    if (cc.url) return { url: cc.url, ...(ca ? { ca } : {}) };
    const s = cc.service!;
    const port = s.port ?? 443;
    const host = `${s.name}.${s.namespace}.svc`;
    const shown = `https://${host}:${port}${s.path ?? ''}`;
    const svc = await d.objects.get<Service>('', 'services', s.namespace, s.name);
    if (!svc) throw Object.assign(new Error(`service "${s.name}" not found`), { shown });
    const sp = svc.spec?.ports?.find((p) => p.port === port);
    if (!sp) throw Object.assign(new Error(`no service port ${port} found for service "${s.name}"`), { shown });
    const ep = await d.objects.get<Endpoints>('', 'endpoints', s.namespace, s.name);
    const subset = ep?.subsets?.find((x) => x.addresses?.length);
    const epPort = subset?.ports?.find((p) => !sp.name || p.name === sp.name) ?? subset?.ports?.[0];
    if (!subset || !epPort) throw Object.assign(new Error(`no endpoints available for service "${s.name}"`), { shown });
    const ip = subset.addresses![0]!.ip;
    return { url: `https://${ip.includes(':') ? `[${ip}]` : ip}:${epPort.port}${s.path ?? ''}`, servername: host, ...(ca ? { ca } : {}) };
  };

  const matches = async (w: Webhook, a: AdmissionAttributes): Promise<boolean> => {
    if (!((w.rules ?? []) as Rule[]).some((r) => ruleMatches(r, a))) return false;
    const sel = (ls: Webhook['objectSelector']): ReturnType<typeof selectorFromLabelSelector> => selectorFromLabelSelector(ls ?? {});
    if (a.resource.namespaced && a.namespace && w.namespaceSelector) {
      const ns = await d.objects.get<Namespace>('', 'namespaces', '', a.namespace);
      if (!sel(w.namespaceSelector).matches(ns?.metadata?.labels ?? {})) return false;
    } else if (a.resource.group === '' && a.resource.resource === 'namespaces' && w.namespaceSelector) {
      if (!sel(w.namespaceSelector).matches((a.object ?? a.oldObject)?.metadata?.labels ?? {})) return false;
    }
    if (w.objectSelector) {
      const s = sel(w.objectSelector);
      if (!s.matches(a.object?.metadata?.labels ?? {}) && !s.matches(a.oldObject?.metadata?.labels ?? {})) return false;
    }
    return true;
  };

  const run = async (a: AdmissionAttributes): Promise<void> => {
    // Webhooks never see webhook configurations, so a broken webhook can always be removed.
    if (a.resource.group === GROUP) return;
    const configs = d.objects.list<MutatingWebhookConfiguration | ValidatingWebhookConfiguration>(GROUP, resource, '');
    if (!configs.length) return;
    configs.sort((x, y) => (x.metadata!.name! < y.metadata!.name! ? -1 : 1));
    for (const cfg of configs) {
      for (const w of (cfg.webhooks ?? []) as Webhook[]) {
        if (!(await matches(w, a))) continue;
        const failOpen = w.failurePolicy === 'Ignore';
        if (a.dryRun && w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun') throw badRequest(`admission webhook "${w.name}" does not support dry run`);
        const timeoutSeconds = w.timeoutSeconds ?? 10;
        let shownURL = '';
        let resp: AdmissionResponse;
        const uid = randomUUID();
        try {
          const t = await target(w);
          const sep = t.url.includes('?') ? '&' : '?';
          const url = `${t.url}${sep}timeout=${timeoutSeconds}s`;
          shownURL = t.servername ? `${new URL(t.url).protocol}//${t.servername}:${new URL(t.url).port || 443}${new URL(t.url).pathname}${sep}timeout=${timeoutSeconds}s` : url;
          const review = {
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            request: {
              uid,
              kind: { group: a.resource.group, version: a.resource.version, kind: a.resource.kind },
              resource: { group: a.resource.group, version: a.resource.version, resource: a.resource.resource },
              ...(a.subresource ? { subResource: a.subresource } : {}),
              requestKind: { group: a.resource.group, version: a.resource.version, kind: a.resource.kind },
              requestResource: { group: a.resource.group, version: a.resource.version, resource: a.resource.resource },
              ...(a.subresource ? { requestSubResource: a.subresource } : {}),
              name: a.name || a.object?.metadata?.name || '',
              ...(a.namespace ? { namespace: a.namespace } : {}),
              operation: a.operation,
              userInfo: { username: a.user.username, ...(a.user.uid ? { uid: a.user.uid } : {}), groups: a.user.groups, ...(a.user.extra ? { extra: a.user.extra } : {}) },
              object: a.object ?? null,
              oldObject: a.oldObject ?? null,
              dryRun: a.dryRun,
              options: { kind: OPTIONS_KIND[a.operation], apiVersion: 'meta.k8s.io/v1' },
            },
          };
          const answer = (await call(url, Buffer.from(JSON.stringify(review)), { timeoutMs: timeoutSeconds * 1000, ...(t.ca ? { ca: t.ca } : {}), ...(t.servername ? { servername: t.servername } : {}) })) as { response?: AdmissionResponse };
          if (!answer?.response) throw new Error('webhook response was absent');
          resp = answer.response;
          if (resp.uid !== uid) throw new Error(`expected response.uid="${uid}", got "${resp.uid ?? ''}"`);
        } catch (err) {
          if (failOpen) continue;
          throw webhookFailure(w.name, shownURL || (err as { shown?: string }).shown || w.clientConfig.url || '', err);
        }
        for (const warning of resp.warnings ?? []) a.warn?.(warning);
        if (!resp.allowed) throw denied(w.name, resp.status);
        if (kind === 'mutating' && resp.patch && a.object) {
          if (resp.patchType !== 'JSONPatch') {
            if (failOpen) continue;
            throw webhookFailure(w.name, shownURL, new Error(`unsupported patch type "${resp.patchType ?? ''}"`));
          }
          let patched: KubeObject;
          try {
            patched = applyJSONPatch(a.object, JSON.parse(Buffer.from(resp.patch, 'base64').toString('utf8')) as unknown);
          } catch (err) {
            if (failOpen) continue;
            throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', code: 500, message: `Internal error occurred: JSON Patch: ${(err as Error).message}` });
          }
          // The plugin chain holds a reference to a.object: change it in place.
          for (const k of Object.keys(a.object)) delete (a.object as Record<string, unknown>)[k];
          Object.assign(a.object, patched);
        }
      }
    }
  };

  return kind === 'mutating' ? { name: 'MutatingAdmissionWebhook', admit: run } : { name: 'ValidatingAdmissionWebhook', validate: run };
}

/** mutatingWebhooks is upstream's MutatingAdmissionWebhook plugin. */
export function mutatingWebhooks(d: WebhookDeps): AdmissionPlugin {
  return webhookPlugin('mutating', d);
}

/** validatingWebhooks is upstream's ValidatingAdmissionWebhook plugin. */
export function validatingWebhooks(d: WebhookDeps): AdmissionPlugin {
  return webhookPlugin('validating', d);
}
