/**
 * Bootstrap tokens, as upstream's plugin/pkg/auth/authenticator/token/bootstrap
 * (--enable-bootstrap-token-auth): a bearer token `<id>.<secret>` (6 and 16 characters of
 * [a-z0-9]) is valid while the kube-system Secret `bootstrap-token-<id>` of type
 * `bootstrap.kubernetes.io/token` holds the same secret, allows authentication
 * (`usage-bootstrap-authentication: "true"`) and has not expired. The user is
 * `system:bootstrap:<id>` in system:bootstrappers plus the Secret's `auth-extra-groups`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from '../pipeline.js';
import type { TokenAuthenticator } from './authn.js';
import type { ObjectSource } from './objects.js';

const TOKEN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const EXTRA_GROUP = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

interface Secret {
  type?: string;
  data?: Record<string, string>;
  metadata?: { deletionTimestamp?: string };
}

const text = (s: Secret, key: string): string | undefined => {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
};

/** bootstrapTokenAuthenticator validates bootstrap tokens against their kube-system Secrets. */
export function bootstrapTokenAuthenticator(objects: ObjectSource, now: () => Date = () => new Date()): TokenAuthenticator {
  return {
    authenticateToken(token): UserInfo | undefined {
      const m = TOKEN.exec(token);
      if (!m) return undefined;
      const [, id, secret] = m as unknown as [string, string, string];
      const s = objects.get<Secret>('', 'secrets', 'kube-system', `bootstrap-token-${id}`);
      if (!s || s.type !== 'bootstrap.kubernetes.io/token' || s.metadata?.deletionTimestamp) return undefined;
      if (text(s, 'token-id') !== id) return undefined;
      const want = Buffer.from(text(s, 'token-secret') ?? '');
      const got = Buffer.from(secret);
      if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
      if (text(s, 'usage-bootstrap-authentication') !== 'true') return undefined;
      const expiration = text(s, 'expiration');
      if (expiration && !(new Date(expiration).getTime() > now().getTime())) return undefined;
      const groups = ['system:bootstrappers'];
      for (const g of (text(s, 'auth-extra-groups') ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
        if (!EXTRA_GROUP.test(g)) return undefined;
        if (!groups.includes(g)) groups.push(g);
      }
      return { username: `system:bootstrap:${id}`, groups };
    },
  };
}
