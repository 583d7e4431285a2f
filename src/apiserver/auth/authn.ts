/**
 * Authentication as kube-apiserver's chain, in upstream's order: client certificates (x509,
 * verified against the client CA by the TLS layer), bearer tokens (static token file,
 * ServiceAccount JWTs, bootstrap/join tokens), then anonymous. A presented credential that no
 * authenticator accepts is 401, never anonymous. Every authenticated user also gets
 * `system:authenticated`.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../../api/errors.js';
import type { Authenticator, UserInfo } from '../pipeline.js';
import { parseRequestURL } from '../requestinfo.js';

export const ANONYMOUS_USER = 'system:anonymous';
export const GROUP_AUTHENTICATED = 'system:authenticated';
export const GROUP_UNAUTHENTICATED = 'system:unauthenticated';
export const GROUP_MASTERS = 'system:masters';

/** TokenAuthenticator checks one bearer token; undefined = not its token. */
export interface TokenAuthenticator {
  authenticateToken(token: string, audiences?: readonly string[]): Promise<UserInfo | undefined> | UserInfo | undefined;
}

const CLIENT_AUTH_EKU = '1.3.6.1.5.5.7.3.2';

/** X509Identity is what a connection's client certificate says, worked out once per connection. */
interface X509Identity {
  /** user is undefined for a certificate that must be refused (401). */
  user: UserInfo | undefined;
  notBefore: number;
  notAfter: number;
}

/**
 * identities caches each TLS connection's certificate identity: the peer certificate cannot
 * change during a connection, and getPeerCertificate builds a fresh object of the whole
 * certificate on every call (it was a few percent of the apiserver's CPU under load).
 * Connections without a certificate are cached as null.
 */
const identities = new WeakMap<object, X509Identity | null>();

function x509Identity(socket: TLSSocket): X509Identity | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.subject) return null;
  const notBefore = Date.parse(cert.valid_from);
  const notAfter = Date.parse(cert.valid_to);
  const refuse: X509Identity = { user: undefined, notBefore, notAfter };
  if (!socket.authorized) return refuse;
  const eku = cert.ext_key_usage ?? [];
  if (eku.length && !eku.includes(CLIENT_AUTH_EKU)) return refuse;
  const cn = cert.subject.CN;
  const o = cert.subject.O;
  const username = Array.isArray(cn) ? cn[0] : cn;
  if (!username) return refuse;
  return { user: { username, groups: o === undefined ? [] : Array.isArray(o) ? [...o] : [o] }, notBefore, notAfter };
}

/**
 * x509User reads the identity of a verified client certificate (CN = user, O = groups).
 * Returns undefined without a certificate; throws 401 for one the client CA did not sign, or
 * that is not for client authentication, or (checked on every request, as upstream verifies
 * the chain at request time) that is expired or not yet valid.
 */
export function x509User(req: IncomingMessage): UserInfo | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  let id = identities.get(socket);
  if (id === undefined) {
    id = x509Identity(socket as TLSSocket);
    identities.set(socket, id);
  }
  if (id === null) return undefined;
  const now = Date.now();
  if (!id.user || now < id.notBefore || now > id.notAfter) throw unauthorized();
  return id.user;
}

/** parseCSVLine splits one CSV record with double-quoted fields, as Go's encoding/csv. */
function parseCSVLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * tokenFileAuthenticator reads a static token file as --token-auth-file: CSV records
 * `token,user,uid[,"group1,group2"]`. Throws for a malformed file, as kube-apiserver refuses to start.
 */
export function tokenFileAuthenticator(path: string): TokenAuthenticator {
  const tokens = parseTokenFile(readFileSync(path, 'utf8'), path);
  return { authenticateToken: (t) => tokens.get(t) };
}

export function parseTokenFile(text: string, name = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const rec = parseCSVLine(line);
    if (rec.length < 3) throw new Error(`${name}: line ${i + 1}: token file is expected to contain at least 3 columns (token, user, uid)`);
    const [token, username, uid, groups] = rec as [string, string, string, string?];
    if (!token) throw new Error(`${name}: line ${i + 1}: token must not be empty`);
    const user: UserInfo = { username, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] };
    tokens.set(token, user);
  });
  return tokens;
}

/** bearerToken extracts the token of an `Authorization: Bearer` header (undefined when absent). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  if (!m || !m[1]!.trim()) return undefined;
  return m[1]!.trim();
}

/** withAuthenticatedGroup adds system:authenticated as upstream's AuthenticatedGroupAdder. */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  if (u.username === ANONYMOUS_USER || u.groups.includes(GROUP_AUTHENTICATED) || u.groups.includes(GROUP_UNAUTHENTICATED)) return u;
  return { ...u, groups: [...u.groups, GROUP_AUTHENTICATED] };
}

export interface ChainOptions {
  tokens: readonly TokenAuthenticator[];
  /**
   * anonymous: 'all' lets every unauthenticated request in as system:anonymous (upstream's
   * --anonymous-auth=true), 'public' only the public-info endpoints, 'none' nothing.
   */
  anonymous: 'all' | 'public' | 'none';
  /** audiences a token must be meant for (--api-audiences). */
  audiences?: readonly string[];
}

/** Paths anonymous requests may reach in 'public' mode (upstream's anonymous endpoint conditions). */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/', '/cacerts']);

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path);
}

/** TokenChain asks each token authenticator in order; a token none accepts is 401. */
export async function authenticateToken(tokens: readonly TokenAuthenticator[], token: string, audiences?: readonly string[]): Promise<UserInfo | undefined> {
  for (const t of tokens) {
    const u = await t.authenticateToken(token, audiences);
    if (u) return u;
  }
  return undefined;
}

/** authenticationChain assembles the request authenticator. */
export function authenticationChain(o: ChainOptions): Authenticator {
  return {
    async authenticate(req) {
      const cert = x509User(req);
      if (cert) return withAuthenticatedGroup(cert);
      const token = bearerToken(req);
      if (token !== undefined) {
        const u = await authenticateToken(o.tokens, token, o.audiences);
        if (!u) throw unauthorized();
        return withAuthenticatedGroup(u);
      }
      const path = parseRequestURL(req.url ?? '/').pathname;
      if (o.anonymous === 'all' || (o.anonymous === 'public' && isPublicPath(path))) return { username: ANONYMOUS_USER, groups: [GROUP_UNAUTHENTICATED] };
      return undefined;
    },
  };
}
