/**
 * Reading the cluster join token, k3s's `K10<sha256 of the server CA PEM>::server:<secret>`
 * (the apiserver's security layer makes and checks it; agents only need to read it). A bare
 * secret is also a valid token, without the CA check.
 */
import { createHash } from 'node:crypto';

export interface ParsedToken {
  /** caHash is the hex sha256 of the server CA PEM, when the token carries one. */
  caHash?: string;
  secret: string;
}

/** caHash is the hex sha256 of a CA's PEM text, as k3s hashes /cacerts. */
export function caHash(caPem: string): string {
  return createHash('sha256').update(caPem).digest('hex');
}

/** parseToken splits a full `K10<hash>::<user>:<secret>` token; anything else is a bare secret. */
export function parseToken(token: string): ParsedToken {
  const m = /^K10([0-9a-f]{64})::[^:]+:(.+)$/.exec(token.trim());
  if (m) return { caHash: m[1]!, secret: m[2]! };
  return { secret: token.trim() };
}
