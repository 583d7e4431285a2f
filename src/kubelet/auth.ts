/**
 * Authentication and authorization of the kubelet's API as upstream's kubelet with
 * `--client-ca-file`, `--authentication-token-webhook` and `--authorization-mode=Webhook`:
 *
 * - who: a client certificate verified against the client CA (CN = user, O = groups), else a
 *   bearer token checked with a TokenReview at the apiserver, else anonymous (refused with 401
 *   unless anonymous is allowed, as upstream's `--anonymous-auth=false`).
 * - may they: a SubjectAccessReview for the `nodes` resource named after this node, verb from
 *   the HTTP method (GET → get, POST → create, ...), subresource from the path: /stats → stats,
 *   /metrics → metrics, /logs → log, /spec → spec, /checkpoint → checkpoint, everything else
 *   (exec, attach, portForward, containerLogs, run, pods) → proxy. Denied: 403 with upstream's
 *   `Forbidden (user=…, verb=…, resource=nodes, subresource(s)=[…])`.
 *
 * Decisions are cached briefly (upstream: 2 min authenticated, 5 min allowed, 30 s denied).
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RestClient } from '../client/rest/client.js';
import type { ApiObject } from '../client/object.js';

export interface KubeletUser {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface KubeletAuthOptions {
  client: RestClient;
  nodeName: string;
  /** tokenWebhook checks bearer tokens with TokenReview (`--authentication-token-webhook`). */
  tokenWebhook: boolean;
  /** authorization: `Webhook` asks SubjectAccessReview; `AlwaysAllow` lets any authenticated caller in. */
  authorization: 'Webhook' | 'AlwaysAllow';
  /** anonymous lets unauthenticated requests through as system:anonymous (default false). */
  anonymous?: boolean;
  /** cacheMs for review results (default 30 s). */
  cacheMs?: number;
}

export type AuthDecision = { ok: true; user: KubeletUser } | { ok: false; code: 401 | 403; message: string };

/** requestAttributes maps a kubelet request onto upstream's node authorization attributes. */
export function requestAttributes(method: string, path: string): { verb: string; subresource: string } {
  const verbs: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
  const verb = verbs[method.toUpperCase()] ?? method.toLowerCase();
  const prefixes: Array<[string, string]> = [
    ['/stats', 'stats'],
    ['/metrics', 'metrics'],
    ['/logs', 'log'],
    ['/spec', 'spec'],
    ['/checkpoint', 'checkpoint'],
  ];
  const hit = prefixes.find(([p]) => path === p || path.startsWith(`${p}/`));
  return { verb, subresource: hit ? hit[1] : 'proxy' };
}

const TOKEN_REVIEWS = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews' };
const SARS = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews' };

export class KubeletAuth {
  private tokens = new Map<string, { at: number; user?: KubeletUser }>();
  private decisions = new Map<string, { at: number; allowed: boolean }>();

  constructor(private readonly o: KubeletAuthOptions) {}

  private fresh(at: number): boolean {
    return Date.now() - at < (this.o.cacheMs ?? 30_000);
  }

  /** authenticate identifies the caller (undefined: anonymous). */
  async authenticate(req: IncomingMessage): Promise<KubeletUser | undefined> {
    const sock = req.socket as TLSSocket;
    if (sock.encrypted && sock.authorized) {
      const cert = sock.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (cn) {
        const o = cert.subject.O;
        return { name: Array.isArray(cn) ? cn[0]! : cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
      }
    }
    const m = /^Bearer\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    if (!m || !this.o.tokenWebhook) return undefined;
    const token = m[1]!;
    const cached = this.tokens.get(token);
    if (cached && this.fresh(cached.at)) return cached.user;
    const review = (await this.o.client.resource<ApiObject & { status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } }>(TOKEN_REVIEWS).create({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: {},
      spec: { token },
    } as ApiObject)) as ApiObject & { status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } };
    const u = review.status?.authenticated ? review.status.user : undefined;
    const user = u?.username ? { name: u.username, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) } : undefined;
    this.tokens.set(token, { at: Date.now(), user });
    return user;
  }

  /** authorize asks whether user may `verb` nodes/<subresource> on this node. */
  async authorize(user: KubeletUser, verb: string, subresource: string): Promise<boolean> {
    if (this.o.authorization === 'AlwaysAllow') return true;
    const key = JSON.stringify([user.name, user.groups, verb, subresource]);
    const cached = this.decisions.get(key);
    if (cached && this.fresh(cached.at)) return cached.allowed;
    const sar = (await this.o.client.resource<ApiObject & { status?: { allowed?: boolean } }>(SARS).create({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: user.name,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        resourceAttributes: { verb, group: '', version: 'v1', resource: 'nodes', subresource, name: this.o.nodeName },
      },
    } as ApiObject)) as ApiObject & { status?: { allowed?: boolean } };
    const allowed = sar.status?.allowed === true;
    this.decisions.set(key, { at: Date.now(), allowed });
    return allowed;
  }

  /** check authenticates and authorizes one request. */
  async check(req: IncomingMessage): Promise<AuthDecision> {
    let user: KubeletUser | undefined;
    try {
      user = await this.authenticate(req);
    } catch (err) {
      return { ok: false, code: 401, message: `Unauthorized: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!user) {
      if (!this.o.anonymous) return { ok: false, code: 401, message: 'Unauthorized' };
      user = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
    }
    const path = new URL(req.url ?? '/', 'http://kubelet').pathname;
    const { verb, subresource } = requestAttributes(req.method ?? 'GET', path);
    let allowed: boolean;
    try {
      allowed = await this.authorize(user, verb, subresource);
    } catch (err) {
      return { ok: false, code: 403, message: `Authorization error (user=${user.name}, verb=${verb}, resource=nodes, subresource(s)=[${subresource}]): ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!allowed) return { ok: false, code: 403, message: `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource(s)=[${subresource}])` };
    return { ok: true, user };
  }
}
