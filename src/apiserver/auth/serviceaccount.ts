/**
 * ServiceAccount tokens as upstream's pkg/serviceaccount and the TokenRequest API: JWTs signed
 * with the cluster's service-account key (generated into `<data-dir>/server/tls/service.key`
 * unless --service-account-key-file names one), carrying upstream's claims (`iss`, `sub`,
 * `aud`, `exp`, `iat`, `nbf`, `jti` and the `kubernetes.io` private claim with the namespace,
 * the ServiceAccount and, for bound tokens, the Pod or Secret and the Pod's Node).
 *
 * Validation checks signature, issuer, audience and lifetime, then that the ServiceAccount
 * (and any bound object) still exists with the same uid, so a token dies with what it is
 * bound to. The user is `system:serviceaccount:<ns>:<name>` in groups system:serviceaccounts
 * and system:serviceaccounts:<ns>, with upstream's extra keys.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { decodeJwt, exportJWK, generateKeyPair, exportPKCS8, importPKCS8, importSPKI, jwtVerify, SignJWT, type CryptoKey as JoseKey, type JWTPayload } from 'jose';
import { badRequest, conflict, invalid, notFound } from '../../api/errors.js';
import { field } from '../../api/field.js';
import type { KubeObject } from '../../api/types.js';
import { decodeBody } from '../encoding.js';
import { readBody } from '../handlers.js';
import { writeBytes, writeValue } from '../negotiation.js';
import type { UserInfo } from '../pipeline.js';
import { decodeProtobufObject, isProtobuf } from '../protobuf.js';
import type { RequestInfo } from '../requestinfo.js';
import type { TokenAuthenticator } from './authn.js';
import type { ObjectSource } from './objects.js';
import { SERVICE_ACCOUNT_PREFIX } from './rbac/rules.js';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** issuerOf reads a JWT's unverified issuer (undefined when it does not parse). */
function issuerOf(token: string): string | undefined {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

/** LEGACY_ISSUER and LEGACY_CLAIM are upstream's secret-based token issuer and claim prefix. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
const LEGACY_CLAIM = 'kubernetes.io/serviceaccount';

/** The extra keys upstream puts on service-account users. */
export const EXTRA = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUID: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUID: 'authentication.kubernetes.io/node-uid',
  credentialID: 'authentication.kubernetes.io/credential-id',
};

interface Ref {
  name: string;
  uid: string;
}

/** KubernetesClaims is the `kubernetes.io` private claim of a bound token. */
export interface KubernetesClaims {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  warnafter?: number;
}

export interface ServiceAccountTokenOptions {
  /** keyFile is a PEM private key to sign with (default: generated `<dataDir>/server/tls/service.key`). */
  keyFile?: string;
  dataDir: string;
  /** issuers: the first signs, all are accepted (--service-account-issuer, repeatable). */
  issuers?: string[];
  now?: () => Date;
}

/**
 * loadSigningKey reads or creates the service-account signing key. A generated key is ECDSA
 * P-256 (ES256, which kube-apiserver supports as well as RSA): it takes a millisecond where an
 * RSA key takes a quarter second of a first start. A --service-account-key-file may be either.
 */
async function loadSigningKey(o: ServiceAccountTokenOptions): Promise<string> {
  const path = o.keyFile ?? join(o.dataDir, 'server', 'tls', 'service.key');
  if (existsSync(path)) return readFileSync(path, 'utf8');
  if (o.keyFile) throw new Error(`service account key file ${path} does not exist`);
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const pem = await exportPKCS8(privateKey);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, pem, { mode: 0o600 });
  chmodSync(`${path}.tmp`, 0o600);
  renameSync(`${path}.tmp`, path);
  return pem;
}

interface SA {
  metadata: { name: string; namespace?: string; uid?: string };
}

/** ServiceAccountTokens issues and validates service-account JWTs. */
export class ServiceAccountTokens implements TokenAuthenticator {
  private constructor(
    private readonly signKey: JoseKey,
    private readonly verifyKey: JoseKey,
    readonly keyID: string,
    readonly issuers: string[],
    private readonly objects: ObjectSource,
    private readonly now: () => Date,
  ) {}

  static async create(o: ServiceAccountTokenOptions, objects: ObjectSource): Promise<ServiceAccountTokens> {
    let pem = await loadSigningKey(o);
    // Accept PKCS#1 ("RSA PRIVATE KEY") and SEC1 keys too, as kube-apiserver does.
    const key = createPrivateKey(pem);
    pem = key.export({ type: 'pkcs8', format: 'pem' }).toString();
    const alg = key.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256';
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    const spkiPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
    // Upstream's key id: base64url(sha256(DER public key)).
    const kid = createHash('sha256').update(spki).digest('base64url');
    return new ServiceAccountTokens(await importPKCS8(pem, alg), await importSPKI(spkiPem, alg), kid, o.issuers?.length ? o.issuers : [DEFAULT_ISSUER], objects, o.now ?? (() => new Date()));
  }

  private get alg(): string {
    return this.signKey.algorithm.name === 'ECDSA' ? 'ES256' : 'RS256';
  }

  /** issue signs a token for claims valid expirationSeconds from now. */
  async issue(claims: KubernetesClaims, audiences: readonly string[], expirationSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(this.now().getTime() / 1000);
    const exp = now + expirationSeconds;
    const token = await new SignJWT({ 'kubernetes.io': claims } as JWTPayload)
      .setProtectedHeader({ alg: this.alg, kid: this.keyID })
      .setIssuer(this.issuers[0]!)
      .setSubject(`${SERVICE_ACCOUNT_PREFIX}${claims.namespace}:${claims.serviceaccount.name}`)
      .setAudience([...audiences])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.signKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** legacy enables secret-based tokens (issue and accept), off unless asked. */
  legacy = false;

  /** issueLegacy signs a secret-based token as upstream's legacy tokens controller (no expiry, no audience). */
  async issueLegacy(namespace: string, serviceAccount: { name: string; uid: string }, secretName: string): Promise<string> {
    return new SignJWT({
      [`${LEGACY_CLAIM}/namespace`]: namespace,
      [`${LEGACY_CLAIM}/secret.name`]: secretName,
      [`${LEGACY_CLAIM}/service-account.name`]: serviceAccount.name,
      [`${LEGACY_CLAIM}/service-account.uid`]: serviceAccount.uid,
    } as JWTPayload)
      .setProtectedHeader({ alg: this.alg, kid: this.keyID })
      .setIssuer(LEGACY_ISSUER)
      .setSubject(`${SERVICE_ACCOUNT_PREFIX}${namespace}:${serviceAccount.name}`)
      .sign(this.signKey);
  }

  /** authenticateLegacy accepts a secret-based token while its Secret still holds it and its ServiceAccount is the same. */
  private async authenticateLegacy(token: string): Promise<UserInfo | undefined> {
    let p: JWTPayload;
    try {
      p = (await jwtVerify(token, this.verifyKey, { issuer: LEGACY_ISSUER })).payload;
    } catch {
      return undefined;
    }
    const ns = p[`${LEGACY_CLAIM}/namespace`] as string | undefined;
    const secretName = p[`${LEGACY_CLAIM}/secret.name`] as string | undefined;
    const saName = p[`${LEGACY_CLAIM}/service-account.name`] as string | undefined;
    const saUID = p[`${LEGACY_CLAIM}/service-account.uid`] as string | undefined;
    if (!ns || !secretName || !saName) return undefined;
    const secret = this.objects.get<{ data?: Record<string, string>; metadata?: { deletionTimestamp?: string } }>('', 'secrets', ns, secretName);
    if (!secret || secret.metadata?.deletionTimestamp || Buffer.from(secret.data?.token ?? '', 'base64').toString() !== token) return undefined;
    const sa = this.objects.get<SA>('', 'serviceaccounts', ns, saName);
    if (!sa || (saUID && sa.metadata.uid !== saUID)) return undefined;
    const user: UserInfo = { username: `${SERVICE_ACCOUNT_PREFIX}${ns}:${saName}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`] };
    if (sa.metadata.uid) user.uid = sa.metadata.uid;
    return user;
  }

  /** openIDConfiguration is the issuer discovery document served at /.well-known/openid-configuration. */
  openIDConfiguration(): object {
    return {
      issuer: this.issuers[0],
      jwks_uri: `${this.issuers[0]}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.alg],
    };
  }

  /** jwks is the public key set served at /openid/v1/jwks. */
  async jwks(): Promise<object> {
    const jwk = await exportJWK(this.verifyKey);
    return { keys: [{ use: 'sig', kty: jwk.kty, kid: this.keyID, alg: this.alg, ...(jwk.n ? { n: jwk.n, e: jwk.e } : { crv: jwk.crv, x: jwk.x, y: jwk.y }) }] };
  }

  /** authenticateToken returns the service-account user of a valid token for one of the audiences. */
  async authenticateToken(token: string, audiences?: readonly string[]): Promise<UserInfo | undefined> {
    // Not a JWT at all: leave it to the next authenticator.
    if (token.split('.').length !== 3) return undefined;
    if (this.legacy && issuerOf(token) === LEGACY_ISSUER) return this.authenticateLegacy(token);
    let payload: JWTPayload;
    try {
      const r = await jwtVerify(token, this.verifyKey, {
        issuer: this.issuers,
        ...(audiences?.length ? { audience: [...audiences] } : {}),
        currentDate: this.now(),
        clockTolerance: 0,
      });
      payload = r.payload;
    } catch {
      return undefined;
    }
    const k = payload['kubernetes.io'] as KubernetesClaims | undefined;
    if (!k?.namespace || !k.serviceaccount?.name) return undefined;
    const sa = this.objects.get<SA>('', 'serviceaccounts', k.namespace, k.serviceaccount.name);
    if (!sa || (k.serviceaccount.uid && sa.metadata.uid !== k.serviceaccount.uid)) return undefined;
    const extra: Record<string, string[]> = {};
    if (k.pod) {
      const pod = this.objects.get<KubeObject>('', 'pods', k.namespace, k.pod.name);
      if (!pod || pod.metadata?.uid !== k.pod.uid) return undefined;
      extra[EXTRA.podName] = [k.pod.name];
      extra[EXTRA.podUID] = [k.pod.uid];
    }
    if (k.secret) {
      const secret = this.objects.get<KubeObject>('', 'secrets', k.namespace, k.secret.name);
      if (!secret || secret.metadata?.uid !== k.secret.uid) return undefined;
    }
    if (k.node) {
      extra[EXTRA.nodeName] = [k.node.name];
      if (k.node.uid) extra[EXTRA.nodeUID] = [k.node.uid];
    }
    if (payload.jti) extra[EXTRA.credentialID] = [`JTI=${payload.jti}`];
    const user: UserInfo = { username: `${SERVICE_ACCOUNT_PREFIX}${k.namespace}:${k.serviceaccount.name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`] };
    if (sa.metadata.uid) user.uid = sa.metadata.uid;
    if (Object.keys(extra).length) user.extra = extra;
    return user;
  }
}

interface TokenRequestBody {
  metadata?: Record<string, unknown>;
  spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } };
}

/** isTokenRequest reports whether a request is `create serviceaccounts/<name>/token`. */
export function isTokenRequest(info: RequestInfo): boolean {
  return info.apiGroup === '' && info.resource === 'serviceaccounts' && info.subresource === 'token';
}

/** serveTokenRequest answers the TokenRequest API as upstream's serviceaccount token REST. */
export async function serveTokenRequest(
  tokens: ServiceAccountTokens,
  objects: ObjectSource,
  apiAudiences: readonly string[],
  req: IncomingMessage,
  res: ServerResponse,
  info: RequestInfo,
  validate: (tokenRequest: KubeObject) => Promise<void>,
): Promise<void> {
  if (info.verb !== 'create') throw badRequest(`the server does not allow this method on the requested resource`);
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] ?? 'application/json';
  const body = ((isProtobuf(contentType) ? decodeProtobufObject(raw) : decodeBody(raw, contentType, false).value) ?? {}) as TokenRequestBody;
  const gk = { group: 'authentication.k8s.io', kind: 'TokenRequest' };
  const sa = objects.get<SA>('', 'serviceaccounts', info.namespace, info.name);
  if (!sa) throw notFound({ group: '', resource: 'serviceaccounts' }, info.name);
  const spec = body.spec ?? {};
  const expirationSeconds = spec.expirationSeconds ?? 3600;
  if (expirationSeconds < 600) throw invalid(gk, info.name, [field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes')]);
  if (expirationSeconds > 2 ** 32) throw invalid(gk, info.name, [field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds')]);
  const claims: KubernetesClaims = { namespace: info.namespace, serviceaccount: { name: sa.metadata.name, uid: sa.metadata.uid ?? '' } };
  const ref = spec.boundObjectRef;
  if (ref) {
    const kind = ref.kind ?? '';
    const resource = kind === 'Pod' ? 'pods' : kind === 'Secret' ? 'secrets' : kind === 'Node' ? 'nodes' : '';
    if (!resource) throw invalid(gk, info.name, [field.notSupported('spec.boundObjectRef.kind', kind, ['Pod', 'Secret', 'Node'])]);
    const obj = objects.get<KubeObject & { spec?: { nodeName?: string; serviceAccountName?: string } }>('', resource, kind === 'Node' ? '' : info.namespace, ref.name ?? '');
    if (!obj) throw notFound({ group: '', resource }, ref.name ?? '');
    if (ref.uid && obj.metadata?.uid !== ref.uid) {
      throw conflict({ group: '', resource: kind }, ref.name ?? '', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    const r: Ref = { name: obj.metadata!.name!, uid: obj.metadata!.uid! };
    if (kind === 'Pod') {
      if ((obj.spec?.serviceAccountName ?? 'default') !== sa.metadata.name) throw badRequest(`cannot request token for service account ${info.namespace}/${sa.metadata.name} bound to pod ${info.namespace}/${r.name}: pod uses service account ${obj.spec?.serviceAccountName ?? 'default'}`);
      claims.pod = r;
      const nodeName = obj.spec?.nodeName;
      if (nodeName) {
        const node = objects.get<KubeObject>('', 'nodes', '', nodeName);
        claims.node = { name: nodeName, uid: node?.metadata?.uid ?? '' };
      }
    } else if (kind === 'Secret') claims.secret = r;
    else claims.node = r;
  }
  const audiences = spec.audiences?.length ? spec.audiences : [...apiAudiences];
  await validate({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: info.name, namespace: info.namespace }, spec: { audiences, expirationSeconds, ...(ref ? { boundObjectRef: ref } : {}) } });
  const { token, expiresAt } = await tokens.issue(claims, audiences, expirationSeconds);
  writeValue(res, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ?? null },
    status: { token, expirationTimestamp: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}

export const OIDC_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

/** serveIssuerDiscovery answers the service-account issuer discovery paths; false for other paths. */
export async function serveIssuerDiscovery(tokens: ServiceAccountTokens, res: ServerResponse, path: string): Promise<boolean> {
  if (path === OIDC_CONFIG_PATH) {
    writeBytes(res, 200, Buffer.from(JSON.stringify(tokens.openIDConfiguration())), 'application/json');
    return true;
  }
  if (path === JWKS_PATH) {
    writeBytes(res, 200, Buffer.from(JSON.stringify(await tokens.jwks())), 'application/jwk-set+json');
    return true;
  }
  return false;
}

export const LEGACY_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

interface TokenSecret {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

/**
 * populateLegacyTokens fills `kubernetes.io/service-account-token` Secrets that name an existing
 * ServiceAccount (annotation kubernetes.io/service-account.name) with token, ca.crt and
 * namespace, as upstream's tokens controller does for secrets users create on purpose.
 */
export async function populateLegacyTokens(tokens: ServiceAccountTokens, objects: ObjectSource, caPem: string, write: (ns: string, name: string, mutate: (s: TokenSecret) => TokenSecret) => Promise<void>): Promise<void> {
  for (const s of objects.list<TokenSecret>('', 'secrets', '')) {
    if (s.type !== LEGACY_TOKEN_TYPE || s.data?.token) continue;
    const saName = s.metadata.annotations?.[SA_NAME_ANNOTATION];
    const sa = saName ? objects.get<SA>('', 'serviceaccounts', s.metadata.namespace, saName) : undefined;
    if (!sa?.metadata.uid) continue;
    const token = await tokens.issueLegacy(s.metadata.namespace, { name: sa.metadata.name, uid: sa.metadata.uid }, s.metadata.name);
    await write(s.metadata.namespace, s.metadata.name, (cur) => {
      if (cur.data?.token) return cur;
      const b64 = (v: string): string => Buffer.from(v).toString('base64');
      return {
        ...cur,
        metadata: { ...cur.metadata, annotations: { ...(cur.metadata.annotations ?? {}), [SA_UID_ANNOTATION]: sa.metadata.uid! } },
        data: { ...(cur.data ?? {}), token: b64(token), 'ca.crt': b64(caPem), namespace: b64(s.metadata.namespace) },
      };
    });
  }
}
