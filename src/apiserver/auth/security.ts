/**
 * createSecurity assembles the apiserver's security from options, as kube-apiserver's
 * authentication and authorization flags do: the cluster PKI and TLS material, the
 * authenticator chain, the authorizer chain (privileged groups, then --authorization-mode), the
 * RBAC admission checks, and the start-up work (default policy, ClusterRole aggregation loop).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ensurePKI, type ClusterPKI } from '../../pki/index.js';
import type { AdmissionPlugin, Authenticator, Authorizer, UserInfo } from '../pipeline.js';
import type { RequestInfo } from '../requestinfo.js';
import { ANONYMOUS_ADMIN } from '../pipeline.js';
import type { Admission } from '../pipeline.js';
import type { Resource, Store } from '../registry/store.js';
import { authenticateToken, authenticationChain, tokenFileAuthenticator, withAuthenticatedGroup, type TokenAuthenticator } from './authn.js';
import { impersonate } from './impersonation.js';
import { isReview, serveReview, type ReviewDeps } from './reviews.js';
import { findResource } from '../../api/resources.js';
import { bootstrapTokenAuthenticator } from './bootstraptoken.js';
import { csrAdmission, csrApprovalAdmission, CSRController } from './csr.js';
import { ensureJoinToken, joinAuthorizer, JoinEndpoints, joinTokenAuthenticator } from './join.js';
import { NodeAuthorizer, nodeRestriction } from './node.js';
import { isTokenRequest, populateLegacyTokens, serveIssuerDiscovery, serveTokenRequest, ServiceAccountTokens } from './serviceaccount.js';
import { notFound } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { alwaysAllow, alwaysDeny, ChainAuthorizer, privilegedGroups } from './authz.js';
import type { ObjectSource } from './objects.js';
import { RBACAuthorizer, type AttributesAuthorizer } from './rbac/authorizer.js';
import { rbacEscalation } from './rbac/escalation.js';
import { RBAC_GROUP } from './rbac/policy.js';
import { aggregateClusterRoles, reconcileBootstrapPolicy } from './rbac/reconcile.js';

export interface SecurityOptions {
  /** dataDir holds the PKI (`<dataDir>/server/tls`) and the service-account signing key. */
  dataDir: string;
  /** tls: false serves plain HTTP (tests, --insecure-http); client certificates are then unavailable. */
  tls?: boolean;
  /** tlsSANs are extra serving-certificate names and addresses (--tls-san). */
  tlsSANs?: string[];
  /** tokenAuthFile is a static token CSV (--token-auth-file). */
  tokenAuthFile?: string;
  /** authorizationModes as --authorization-mode, in order (default Node, RBAC). */
  authorizationModes?: string[];
  /** anonymousAuth: true lets every unauthenticated request in as system:anonymous, false none; default (undefined) only /healthz, /livez, /readyz, /version, /cacerts. */
  anonymousAuth?: boolean;
  /** apiAudiences are the audiences tokens must be meant for (--api-audiences; default the first issuer). */
  apiAudiences?: string[];
  /** serviceAccountIssuers as --service-account-issuer: the first signs, all are accepted (default https://kubernetes.default.svc.cluster.local). */
  serviceAccountIssuers?: string[];
  /** serviceAccountKeyFile is a PEM private key for service-account tokens (default generated into the data dir). */
  serviceAccountKeyFile?: string;
  /** legacyServiceAccountTokens turns on secret-based ServiceAccount tokens: Secrets of type kubernetes.io/service-account-token are filled, and their tokens accepted. Off unless asked. */
  legacyServiceAccountTokens?: boolean;
  /** enableBootstrapTokenAuth accepts bootstrap tokens (kube-system `bootstrap-token-<id>` Secrets), as --enable-bootstrap-token-auth. */
  enableBootstrapTokenAuth?: boolean;
  /** joinToken is the agents' join token (--token; full `K10...::server:secret` form or a bare secret). Default: generated once into `<dataDir>/server/token`. */
  joinToken?: string;
  /** renewCheckIntervalMs is how often certificates are checked for renewal while running (default 12 h). */
  renewCheckIntervalMs?: number;
  /** now is the clock certificates are checked against (tests move it). */
  now?: () => Date;
  /** aggregationIntervalMs is how often ClusterRole aggregation looks for changes (default 200 ms). */
  aggregationIntervalMs?: number;
}

export interface SecurityDeps {
  objects: ObjectSource;
  /** serviceIP is the `kubernetes` Service's ClusterIP (a serving-certificate SAN). */
  serviceIP: string;
}

/** StartAccess is what the security layer needs to write its start-up objects. */
export interface StartAccess {
  store: Store;
  resolve: (g: string, v: string, r: string) => Resource | undefined;
  admission: Admission;
}

export interface ServeContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  user: UserInfo;
}

export interface Security {
  /** pki is the cluster's CAs and certificates (undefined when tls is false). */
  pki?: ClusterPKI;
  /** joinToken is the full join token agents use (`K10<ca hash>::server:<secret>`; undefined without TLS). */
  joinToken?: string;
  /** tls is the HTTPS server material: serving key and certificate, client CA to verify client certificates. */
  tls?: { key: string; cert: string; ca: string };
  authenticator: Authenticator;
  authorizer: Authorizer;
  admissionPlugins: AdmissionPlugin[];
  /** serve answers the security APIs; returns false when the request is not one of them. */
  serve(ctx: ServeContext): Promise<boolean>;
  /** impersonate applies Impersonate-* headers after authorizing them; returns the user to act as. */
  impersonate(req: IncomingMessage, user: UserInfo): Promise<UserInfo>;
  /** start reconciles the default RBAC policy and starts the aggregation loop. */
  start(w: StartAccess): Promise<void>;
  /**
   * watchTLS registers a callback that receives new TLS material whenever certificates are
   * renewed while running (the serving certificate is reissued RENEW_BEFORE_DAYS before expiry).
   */
  watchTLS(apply: (tls: { key: string; cert: string; ca: string }, pki: ClusterPKI) => void): void;
  /** renewCertificates checks for renewal now (the timer does it every renewCheckIntervalMs). */
  renewCertificates(): Promise<void>;
  stop(): void;
}

export async function createSecurity(o: SecurityOptions, deps: SecurityDeps): Promise<Security> {
  const now = o.now ?? (() => new Date());
  const loadPKI = (): Promise<ClusterPKI> => ensurePKI(o.dataDir, { tlsSANs: o.tlsSANs ?? [], serviceIP: deps.serviceIP, now: now() });
  const tlsOf = (p: ClusterPKI): { key: string; cert: string; ca: string } => ({ key: p.serving.keyPem, cert: p.serving.certPem + p.serverCA.certPem, ca: p.clientCA.certPem });
  let pki = o.tls === false ? undefined : await loadPKI();
  const tokens: TokenAuthenticator[] = [];
  if (o.tokenAuthFile) tokens.push(tokenFileAuthenticator(o.tokenAuthFile));
  const saTokens = await ServiceAccountTokens.create(
    { dataDir: o.dataDir, ...(o.serviceAccountKeyFile ? { keyFile: o.serviceAccountKeyFile } : {}), ...(o.serviceAccountIssuers?.length ? { issuers: o.serviceAccountIssuers } : {}) },
    deps.objects,
  );
  tokens.push(saTokens);
  saTokens.legacy = o.legacyServiceAccountTokens === true;
  if (o.enableBootstrapTokenAuth) tokens.push(bootstrapTokenAuthenticator(deps.objects, now));
  let join: JoinEndpoints | undefined;
  let csr: CSRController | undefined;
  let joinToken: string | undefined;
  if (pki) {
    const t = ensureJoinToken(o.dataDir, pki.serverCA.certPem, o.joinToken);
    tokens.push(joinTokenAuthenticator(t.secret, pki.serverCA.certPem));
    join = new JoinEndpoints(pki, deps.objects);
    joinToken = t.token;
  }
  const apiAudiences = o.apiAudiences?.length ? o.apiAudiences : [saTokens.issuers[0]!];
  const authenticator = authenticationChain({ tokens, anonymous: o.anonymousAuth === true ? 'all' : o.anonymousAuth === false ? 'none' : 'public', audiences: apiAudiences });

  const rbac = new RBACAuthorizer(deps.objects);
  const links: AttributesAuthorizer[] = [privilegedGroups, joinAuthorizer];
  const admissionPlugins: AdmissionPlugin[] = [];
  for (const mode of o.authorizationModes ?? ['Node', 'RBAC']) {
    switch (mode) {
      case 'RBAC':
        links.push(rbac);
        break;
      case 'AlwaysAllow':
        links.push(alwaysAllow);
        break;
      case 'AlwaysDeny':
        links.push(alwaysDeny);
        break;
      case 'Node':
        links.push(new NodeAuthorizer(deps.objects));
        admissionPlugins.push(nodeRestriction(deps.objects));
        break;
      default:
        throw new Error(`authorization mode ${JSON.stringify(mode)} is not supported (Node, RBAC, AlwaysAllow, AlwaysDeny)`);
    }
  }
  const chain = new ChainAuthorizer(links);
  if (pki) csr = new CSRController(pki.clientCA, deps.objects, chain, now);
  admissionPlugins.push(csrAdmission(), csrApprovalAdmission(chain));
  const authorizer: Authorizer = chain.asRequestAuthorizer();

  const reviewDeps: ReviewDeps = {
    authorizer: chain,
    rbac,
    apiAudiences,
    async authenticateToken(token, audiences) {
      const user = await authenticateToken(tokens, token, audiences);
      return user ? { user: withAuthenticatedGroup(user), audiences: [...audiences] } : undefined;
    },
  };
  let timer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  const tlsWatchers: ((tls: { key: string; cert: string; ca: string }, pki: ClusterPKI) => void)[] = [];
  let admission: Admission | undefined;
  const security: Security = {
    authenticator,
    authorizer,
    admissionPlugins: [...admissionPlugins, rbacEscalation(chain, rbac)],
    async serve({ req, res, info, user }) {
      if (!info.isResourceRequest) {
        if (await serveIssuerDiscovery(saTokens, res, info.path)) return true;
        return join ? join.serve(req, res, info.path, user) : false;
      }
      if (isTokenRequest(info)) {
        await serveTokenRequest(saTokens, deps.objects, apiAudiences, req, res, info, async (obj) => {
          const resource = findResource('', 'v1', 'serviceaccounts')!;
          await admission?.validate({ operation: 'CREATE', resource, subresource: 'token', namespace: info.namespace, name: info.name, object: obj, dryRun: false, user });
        });
        return true;
      }
      if (!isReview(info)) return false;
      await serveReview(reviewDeps, req, res, info, user);
      return true;
    },
    impersonate: async (req, user) => impersonate(req, user, chain),
    async start(w) {
      admission = w.admission;
      join?.start(w);
      csr?.start(w);
      const access = { ...w, user: ANONYMOUS_ADMIN };
      await reconcileBootstrapPolicy(access);
      let seen = '';
      let running = false;
      let seenSecrets = '';
      const populate = async (): Promise<void> => {
        const rev = deps.objects.revision('', 'secrets');
        if (rev === seenSecrets) return;
        seenSecrets = rev;
        await populateLegacyTokens(saTokens, deps.objects, pki?.serverCA.certPem ?? '', async (ns, name, mutate) => {
          const secrets = w.resolve('', 'v1', 'secrets')!;
          await w.store.update(secrets, ns, name, (cur) => (cur ? (mutate(cur as never) as unknown as KubeObject) : Promise.reject(notFound({ group: '', resource: 'secrets' }, name))), { dryRun: false, fieldManager: 'tokens-controller', user: ANONYMOUS_ADMIN, admission: w.admission, now: now() }, '');
        });
      };
      const tick = async (): Promise<void> => {
        await csr?.reconcile().catch((err: unknown) => console.error('csr controller:', err));
        if (saTokens.legacy) await populate().catch((err: unknown) => console.error('tokens controller:', err));
        const rev = deps.objects.revision(RBAC_GROUP, 'clusterroles');
        if (rev === seen || running) return;
        running = true;
        try {
          seen = rev;
          await aggregateClusterRoles(access, deps.objects);
        } catch (err) {
          console.error('clusterrole-aggregation:', err);
        } finally {
          running = false;
        }
      };
      timer = setInterval(() => void tick(), o.aggregationIntervalMs ?? 200);
      timer.unref();
    },
    watchTLS(apply) {
      tlsWatchers.push(apply);
      if (renewTimer || !pki) return;
      renewTimer = setInterval(() => {
        security.renewCertificates().catch((err: unknown) => console.error('certificate renewal:', err));
      }, o.renewCheckIntervalMs ?? 12 * 3600 * 1000);
      renewTimer.unref();
    },
    async renewCertificates() {
      if (!pki) return;
      const next = await loadPKI();
      if (next.serving.certPem === pki.serving.certPem && next.admin.certPem === pki.admin.certPem && next.kubeletClient.certPem === pki.kubeletClient.certPem) return;
      pki = next;
      security.pki = next;
      security.tls = tlsOf(next);
      for (const w of tlsWatchers) w(security.tls, next);
    },
    stop() {
      if (timer) clearInterval(timer);
      if (renewTimer) clearInterval(renewTimer);
    },
  };
  if (joinToken) security.joinToken = joinToken;
  if (pki) {
    security.pki = pki;
    security.tls = tlsOf(pki);
  }
  return security;
}
