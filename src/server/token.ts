/**
 * The cluster join token, in k3s's format `K10<sha256 of the server CA PEM>::server:<secret>`.
 * The CA hash lets an agent verify the server's CA (fetched from /cacerts) before it sends the
 * secret; a bare secret (`--token mysecret`) also works, without that check.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ParsedToken {
  /** caHash is the hex sha256 of the server CA bundle, when the token carries one. */
  caHash?: string;
  /** secret is the part the server authenticates (the bearer token). */
  secret: string;
}

/** caHash is the hex sha256 of a CA bundle's PEM text, as k3s hashes /cacerts. */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

/** parseToken splits a full `K10<hash>::<user>:<secret>` token; anything else is a bare secret. */
export function parseToken(token: string): ParsedToken {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(token.trim());
  if (m) return { caHash: m[1]!, secret: m[2]! };
  return { secret: token.trim() };
}

/** fullToken renders the token printed for agents. */
export function fullToken(caPem: string, secret: string): string {
  return `K10${caHash(caPem)}::server:${secret}`;
}

/**
 * ensureServerToken returns the join token: `given` (a bare secret or a full token) or the one
 * in `path` from an earlier start, else a new random secret. The full token is (re)written to
 * `path` (mode 0600). Throws when a full token's CA hash does not match this server's CA.
 */
export function ensureServerToken(path: string, caPem: string, given?: string): { token: string; secret: string } {
  const source = given?.trim() || (existsSync(path) ? readFileSync(path, 'utf8').trim() : '') || randomBytes(16).toString('hex');
  const parsed = parseToken(source);
  if (parsed.caHash && parsed.caHash !== caHash(caPem)) {
    throw new Error(`token ${given ? 'given' : `in ${path}`} was made for another cluster CA (hash ${parsed.caHash.slice(0, 12)}…, this server's CA is ${caHash(caPem).slice(0, 12)}…)`);
  }
  const token = fullToken(caPem, parsed.secret);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return { token, secret: parsed.secret };
}
