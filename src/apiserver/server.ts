/**
 * The apiserver: storage + watch cache + registry behind an explicit request pipeline
 * (authentication -> authorization -> routing -> admission inside the registry), serving the
 * Kubernetes REST API, discovery, OpenAPI and health endpoints.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createServer as createHTTPSServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostIPv4 } from '../util/net.js';
import { builtinResources } from '../api/resources.js';
import { badRequest, forbidden, internalError, isStatusError, StatusError, tooManyRequests } from '../api/errors.js';
import { selectableFields } from '../api/fields.js';
import type { KubeObject, ResourceInfo } from '../api/types.js';
import { openStorage, type Storage } from '../storage/index.js';
import { WatchCache } from './cache/watchcache.js';
import { Discovery } from './discovery.js';
import { handleResource, type HandlerDeps, type RequestContext } from './handlers.js';
import { ResponseWarnings, writeBytes, writeStatusError } from './negotiation.js';
import { OpenAPI } from './openapi.js';
import { Admission, ANONYMOUS_ADMIN, allowAllAuthenticator, alwaysAllowAuthorizer, type AdmissionPlugin, type Authenticator, type Authorizer, type UserInfo } from './pipeline.js';
import { parseRequestURL, requestInfo, type RequestInfo, type RequestURL } from './requestinfo.js';
import { containerFor, kubeletFor, kubeletStreamPath, proxyUpgrade } from './proxy.js';
import { ClusterIPAllocator, IPv4Range, NodePortAllocator } from './registry/allocator.js';
import { serviceHooks, reserveExisting } from './registry/service.js';
import { gvkOf, Store, type Resource, type StoredResource } from './registry/store.js';
import { strategyFor } from './registry/strategy.js';
import { namespaceLifecycle } from './admission.js';
import { bootstrap } from './bootstrap.js';
import { ensureFlowControlBootstrap, startFlowControlConfigController, type FlowControlConfigCallback } from './flowcontrol/config.js';
import type { WatchStream } from './watch.js';
import { cacheObjectSource, createSecurity, type Security, type SecurityOptions } from './auth/index.js';
import { limitObjectSize, serverOptions, type ConnectionLimits } from './limits/index.js';
import { encryptedStorage, loadEncryptionConfiguration } from './encryption/index.js';
import { Auditor, fileSink, loadPolicy, type AuditSink, type Policy } from './audit/index.js';
import { admissionPlugins, bootstrapAdmission, cachedAdmissionObjects } from './admission/index.js';
import { alwaysAllowReviews, isReview, serveReview } from './auth/reviews.js';
import { Dispatcher } from './flowcontrol/index.js';
import { ApiServerMetrics, isLongRunningRequest, stamp, traceRequest, tracedStorage, tracing, withRequest } from './metrics/index.js';

/** The Kubernetes version k8ts speaks (discovery, /version). */
export const KUBE_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0+k8ts' };

export interface ApiServerOptions {
  /**
   * kubeletCertificateAuthority (PEM) verifies kubelets' serving certificates when proxying
   * logs/exec/attach/port-forward (--kubelet-certificate-authority). Default with security on:
   * the server CA, which signs kubelet serving certificates; false: not verified (upstream's
   * behaviour without the flag, for kubelets whose certificates no known CA signed).
   */
  kubeletCertificateAuthority?: string | false;
  /** datastoreEndpoint as k3s's --datastore-endpoint; default sqlite in dataDir; 'sqlite::memory:' for tests. */
  datastoreEndpoint?: string;
  dataDir?: string;
  /** bindAddress to listen on (default 127.0.0.1 until TLS and authentication land). */
  bindAddress?: string;
  /** port to listen on; 0 picks a free port (default 6443). */
  port?: number;
  /** serviceClusterIPRange as --service-cluster-ip-range (default 10.43.0.0/16). */
  serviceClusterIPRange?: string;
  /** serviceNodePortRange as --service-node-port-range (default 30000-32767). */
  serviceNodePortRange?: string;
  /** storage to use instead of opening datastoreEndpoint (the caller closes it). */
  storage?: Storage;
  /** authenticators are asked in order; the default accepts everyone as system:admin. */
  authenticators?: Authenticator[];
  authorizer?: Authorizer;
  /**
   * security turns on TLS, authentication, authorization (RBAC, Node), impersonation and the
   * auth APIs (src/apiserver/auth). Absent: the in-process test mode (plain HTTP, every
   * request is system:admin). `authenticators`/`authorizer` given explicitly still win.
   */
  security?: SecurityOptions;
  /** admissionPlugins run after the built-in NamespaceLifecycle. */
  admissionPlugins?: AdmissionPlugin[];
  /**
   * enableAdmissionPlugins as --enable-admission-plugins: upstream plugins by name (src/apiserver/admission;
   * DEFAULT_ADMISSION_PLUGINS there is kube-apiserver's default set). Absent: none (in-process test mode).
   */
  enableAdmissionPlugins?: readonly string[];
  /**
   * advertiseAddress is the IP put into the `kubernetes` Endpoints (default: the host's first
   * non-loopback IPv4 address, as kube-apiserver picks it; the Endpoints API rejects loopback).
   */
  advertiseAddress?: string;
  /** listen: false builds the handler without opening a socket (in-process use; url is ''). */
  listen?: boolean;
  /** bookmarkIntervalMs is how often watchers that allow bookmarks get one (default 10 s). */
  bookmarkIntervalMs?: number;
  /**
   * maxRequestsInflight / maxMutatingRequestsInflight as upstream's flags (400 / 200; watches are not counted):
   * with priority and fairness on, their sum is APF's server concurrency limit; off, each caps its kind.
   */
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /**
   * enablePriorityAndFairness as --enable-priority-and-fairness (default true): requests over the
   * limit are queued fairly per FlowSchema and priority level (src/apiserver/flowcontrol); false
   * restores the max-in-flight filter, which answers 429 at once.
   */
  enablePriorityAndFairness?: boolean;
  /** watchCacheEvents caps the events each resource's watch cache keeps (default 100,000; tests shrink it). */
  watchCacheEvents?: number;
  /** connectionLimits: header/request timeouts and header size (src/apiserver/limits). */
  connectionLimits?: ConnectionLimits;
  /** encryptionProviderConfig is the path of an EncryptionConfiguration, as --encryption-provider-config. */
  encryptionProviderConfig?: string;
  /** audit: policy (a file path, as --audit-policy-file, or a Policy) and log (a path, as --audit-log-path, '-' for stdout, or a sink). */
  audit?: { policy: string | Policy; log: string | AuditSink };
}

export interface RunningApiServer {
  /** url is `http://host:port` or `https://host:port` ('' when not listening). */
  url: string;
  /** security is the TLS/authn/authz layer when ApiServerOptions.security was given (its pki holds the CAs and admin credentials). */
  security?: Security;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** upgrade serves HTTP upgrades (pods/exec, attach, portforward); a listener that is not the apiserver's own forwards its 'upgrade' events here. */
  upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  storage: Storage;
  /** store is the registry every write of a resource goes through. */
  store: Store;
  close(): Promise<void>;
}

/** buildResources groups the served resources by storage prefix (versions of a kind share one). */
function buildResources(
  resources: readonly ResourceInfo[],
  cache: WatchCache,
  hooks: (r: ResourceInfo) => StoredResource['hooks'],
  writeHints: Map<string, { value: Buffer; obj: KubeObject }>,
): Map<string, Resource> {
  const stored = new Map<string, StoredResource>();
  const served = new Map<string, Resource>();
  // bindings has no storage of its own: it writes pods, so it is wired after them.
  const isBindings = (info: ResourceInfo): boolean => info.resource === 'bindings' && info.group === '';
  for (const info of [...resources.filter((i) => !isBindings(i)), ...resources.filter(isBindings)]) {
    const storageName = isBindings(info) ? 'pods' : info.resource;
    let s = stored.get(storageName);
    if (!s) {
      const prefix = `/registry/${storageName}/`;
      const gvk = gvkOf(info);
      s = {
        prefix,
        info,
        strategy: strategyFor(info),
        cache: cache.register(prefix, (key, value) => {
          // Objects this apiserver just wrote are indexed from the writer's copy (no parse).
          const hinted = writeHints.get(key);
          const reuse = hinted !== undefined && hinted.value.equals(value);
          if (reuse) writeHints.delete(key);
          const obj = reuse ? hinted.obj : (JSON.parse(value.toString('utf8')) as KubeObject);
          return { labels: obj.metadata?.labels ?? {}, fields: selectableFields(gvk, obj) };
        }),
      };
      const h = hooks(info);
      if (h) s.hooks = h;
      stored.set(storageName, s);
    }
    served.set(`${info.group}/${info.version}/${info.resource}`, { info, stored: s });
  }
  return served;
}

function parseNodePortRange(s: string | undefined): [number, number] {
  if (!s) return [30000, 32767];
  const m = /^(\d+)-(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`invalid service node port range ${JSON.stringify(s)}`);
  return [Number(m[1]), Number(m[2])];
}

/** startApiServer opens storage, fills the watch cache, bootstraps and starts serving. */
export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  const rawStorage = opts.storage ?? (await openStorage(opts.datastoreEndpoint ?? '', opts.dataDir ? { dataDir: opts.dataDir } : {}));
  // Writes over etcd's request limit fail as they would on etcd, whatever the backend.
  // Encryption at rest sits between the size limit and the backend, so the limit applies to what is stored.
  const storage = limitObjectSize(opts.encryptionProviderConfig ? encryptedStorage(rawStorage, loadEncryptionConfiguration(opts.encryptionProviderConfig)) : rawStorage);
  const ownsStorage = !opts.storage;
  const cache = new WatchCache(storage, opts.watchCacheEvents ? { maxEvents: opts.watchCacheEvents } : {});
  const range = new IPv4Range(opts.serviceClusterIPRange ?? '10.43.0.0/16');
  const ips = new ClusterIPAllocator(range);
  const [npMin, npMax] = parseNodePortRange(opts.serviceNodePortRange);
  const nodePorts = new NodePortAllocator(npMin, npMax);
  // Objects this apiserver is writing, by key, until the watch cache indexes them (matched by value).
  const writeHints = new Map<string, { value: Buffer; obj: KubeObject }>();
  const resources = buildResources(builtinResources, cache, (r) => (r.group === '' && r.resource === 'services' ? serviceHooks(ips, nodePorts) : undefined), writeHints);
  await cache.start();
  const store = new Store(tracedStorage(storage), (key, value, obj) => {
    // Failed writes leave stale hints behind: bound the map.
    if (writeHints.size > 10_000) writeHints.clear();
    writeHints.set(key, { value, obj });
  });
  const resolve = (g: string, v: string, res: string): Resource | undefined => resources.get(`${g}/${v}/${res}`);
  const services = resolve('', 'v1', 'services')!;
  for (const o of services.stored.cache.list('')) reserveExisting(JSON.parse(o.bytes.toString('utf8')) as KubeObject, ips, nodePorts);
  const namespaces = resolve('', 'v1', 'namespaces')!;

  const security = opts.security
    ? await createSecurity(opts.security, { objects: cacheObjectSource((g, r) => [...resources.values()].find((x) => x.info.group === g && x.info.resource === r)?.stored.cache), serviceIP: range.nth(1) })
    : undefined;
  // Quota charges are the apiserver's own status writes: they skip admission, as upstream's.
  const noAdmission = new Admission([]);
  const admission = new Admission([
    namespaceLifecycle({
      phase: async (name) => {
        const cached = namespaces.stored.cache.objects.get(`${namespaces.stored.prefix}${name}`);
        // The cache indexes status.phase as a selectable field: no parse on the hot create path.
        const indexed = cached?.field('status.phase');
        if (indexed !== undefined) return indexed || 'Active';
        const bytes = cached?.bytes ?? (await storage.get(`${namespaces.stored.prefix}${name}`)).kv?.value;
        if (!bytes) return undefined;
        return ((JSON.parse(bytes.toString('utf8')) as KubeObject).status as { phase?: string } | undefined)?.phase ?? 'Active';
      },
    }),
    ...(security?.admissionPlugins ?? []),
    ...admissionPlugins(opts.enableAdmissionPlugins ?? [], {
      objects: cachedAdmissionObjects((g, r) => [...resources.values()].find((x) => x.info.group === g && x.info.resource === r)?.stored.cache, storage),
      writeQuotaStatus: async (q) => {
        const ctx = { dryRun: false, fieldManager: 'kube-apiserver', user: ANONYMOUS_ADMIN, admission: noAdmission, now: new Date() };
        await store.update(resolve('', 'v1', 'resourcequotas')!, q.metadata!.namespace!, q.metadata!.name!, () => q as KubeObject, ctx, 'status');
      },
    }),
    ...(opts.admissionPlugins ?? []),
  ]);
  const auditLog = opts.audit && typeof opts.audit.log === 'string' ? fileSink(opts.audit.log) : undefined;
  const auditor = opts.audit ? new Auditor(typeof opts.audit.policy === 'string' ? loadPolicy(opts.audit.policy) : opts.audit.policy, auditLog?.sink ?? (opts.audit.log as AuditSink)) : undefined;
  const watches = new Set<WatchStream>();
  const openapi = new OpenAPI(builtinResources);
  // Read on every proxied request, so a renewed certificate is used at once.
  const kubeletCA = (): string | undefined => (opts.kubeletCertificateAuthority === false ? undefined : (opts.kubeletCertificateAuthority ?? security?.pki?.serverCA.certPem));
  const kubeletClientCert = (): { cert: string; key: string; ca?: string } | undefined => {
    const ca = kubeletCA();
    return security?.pki ? { cert: security.pki.kubeletClient.certPem, key: security.pki.kubeletClient.keyPem, ...(ca ? { ca } : {}) } : undefined;
  };
  const deps: HandlerDeps = { store, storage, cache, admission, resolve, watches, openapi, now: () => new Date(), kubeletClientCert };
  const authenticators = opts.authenticators ?? (security ? [security.authenticator] : [allowAllAuthenticator]);
  const authorizer = opts.authorizer ?? security?.authorizer ?? alwaysAllowAuthorizer;
  let discovery = new Discovery(builtinResources, '127.0.0.1:6443');

  /** authenticate identifies the caller, impersonation applied; it throws the 401 Status. */
  const authenticate = async (req: IncomingMessage, info: RequestInfo): Promise<UserInfo> => {
    let user: UserInfo | undefined;
    for (const a of authenticators) {
      user = await a.authenticate(req);
      if (user) break;
    }
    if (!user) throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    if (security) user = await security.impersonate(req, user);
    auditor?.authenticated(req, user, info);
    return user;
  };

  /** authorize asks the authorizer; it throws the 403 Status. */
  const authorize = async (req: IncomingMessage, info: RequestInfo, user: UserInfo): Promise<void> => {
    const decision = await authorizer.authorize(user, info);
    auditor?.authorized(req, decision.allowed, decision.allowed ? '' : decision.reason);
    if (!decision.allowed) {
      if (info.isResourceRequest) {
        const what = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
        const scope = info.namespace ? ` in the namespace "${info.namespace}"` : ' at the cluster scope';
        throw forbidden({ group: info.apiGroup, resource: info.resource }, info.name, `User "${user.username}" cannot ${info.verb} resource "${what}" in API group "${info.apiGroup}"${scope}${decision.reason ? `: ${decision.reason}` : ''}`);
      }
      throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, message: `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"` });
    }
  };

  /** authenticateAndAuthorize runs the first two pipeline stages; it throws the 401/403 Status. */
  const authenticateAndAuthorize = async (req: IncomingMessage, info: RequestInfo): Promise<UserInfo> => {
    const user = await authenticate(req, info);
    await authorize(req, info, user);
    return user;
  };

  // API Priority and Fairness (on by default, as upstream): requests over a priority level's
  // share of the server's concurrency wait in fair queues instead of being refused.
  const apf = opts.enablePriorityAndFairness === false ? undefined : new Dispatcher({ serverConcurrencyLimit: (opts.maxRequestsInflight ?? 400) + (opts.maxMutatingRequestsInflight ?? 200) });

  /**
   * priorityAndFairness admits the request into APF, between authentication and authorization as
   * upstream's handler chain; it answers false when the request was rejected (the 429 is written).
   */
  const priorityAndFairness = async (res: ServerResponse, info: RequestInfo, user: UserInfo, dispatcher: Dispatcher): Promise<boolean> => {
    // A client gone during authentication already emitted 'close': a ticket admitted now would
    // never be finished and would hold its seat for good.
    if (res.closed) return false;
    const ticket = dispatcher.admit({ user, info });
    const c = ticket.classification;
    res.setHeader('X-Kubernetes-PF-FlowSchema-UID', c.flowSchemaUID);
    res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', c.priorityLevelUID);
    // One listener: a queued request leaves its queue when the client goes, a running one frees its seat.
    if (ticket.state !== 'rejected') res.once('close', () => ticket.finish());
    if (ticket.state === 'queued') await ticket.settled();
    if (ticket.state === 'executing') return true;
    if (res.destroyed) return false;
    // As upstream's APF filter: plain text, with the level's current Retry-After.
    res.setHeader('Retry-After', String(ticket.retryAfterSeconds));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    writeBytes(res, 429, apfTooManyBody, 'text/plain; charset=utf-8');
    return false;
  };

  // Request metrics for GET /metrics (src/apiserver/metrics), this apiserver's own registry.
  const metrics = new ApiServerMetrics();
  /**
   * served: the request names a resource (and subresource) this apiserver serves. Only those are
   * recorded, as upstream instruments its installed handlers: the labels come from the path, and
   * made-up paths (each a 404) would otherwise add series without bound.
   */
  const served = (info: RequestInfo): boolean => {
    if (isReview(info)) return true;
    const r = resolve(info.apiGroup, info.apiVersion, info.resource);
    return r !== undefined && (info.subresource === '' || (r.info.subresources ?? []).some((s) => s.name === info.subresource));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const received = performance.now();
    auditor?.begin(req, res);
    const url = parseRequestURL(req.url ?? '/');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    if (tracing && info.isResourceRequest && !isLongRunningRequest(info)) traceRequest(req, res, received, `${req.method} ${info.resource}${info.subresource ? `/${info.subresource}` : ''}`);
    const user = await authenticate(req, info);
    stamp(req, 'authn');
    if (apf && !isLongRunningRequest(info) && !(await priorityAndFairness(res, info, user, apf))) return;
    stamp(req, 'apf');
    await authorize(req, info, user);
    stamp(req, 'authz');
    if (info.isResourceRequest && served(info)) metrics.begin(req, res, info, url, received);
    if (security && (await security.serve({ req, res, info, user }))) return;
    // The review APIs exist on every apiserver; without security they answer as AlwaysAllow.
    if (!security && isReview(info)) return serveReview(alwaysAllowReviews, req, res, info, user);
    if (info.isResourceRequest) {
      const ctx: RequestContext = { req, res, info, query: url.searchParams, user, warnings: new ResponseWarnings() };
      return handleResource(deps, ctx);
    }
    if (url.pathname === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) return metrics.serve(res);
    return handleNonResource(req, res, url, discovery, openapi, cache);
  };

  /** handleUpgrade serves pods/exec, pods/attach and pods/portforward by joining the client to the kubelet. */
  const handleUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = parseRequestURL(req.url ?? '/');
    const info = requestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    // Upstream authorizes exec/attach/portforward as `create` on the subresource.
    if (info.isResourceRequest && info.verb === 'get') info.verb = 'create';
    await authenticateAndAuthorize(req, info);
    const sub = info.subresource;
    if (!info.isResourceRequest || info.apiGroup !== '' || info.resource !== 'pods' || (sub !== 'exec' && sub !== 'attach' && sub !== 'portforward')) {
      throw badRequest(`upgrade is not supported on ${url.pathname}`);
    }
    const pods = resolve('', 'v1', 'pods')!;
    const { target, pod } = await kubeletFor(store, pods, resolve('', 'v1', 'nodes')!, info.namespace, info.name, kubeletClientCert());
    const container = sub === 'portforward' ? '' : containerFor(pod, url.searchParams.get('container'));
    await proxyUpgrade(req, socket, head, target, kubeletStreamPath(sub, info.namespace, info.name, container, url.searchParams));
  };

  // Max-in-flight limiting as upstream's generic filter: long-running watches are exempt.
  const limits = { readonly: opts.maxRequestsInflight ?? 400, mutating: opts.maxMutatingRequestsInflight ?? 200 };
  const inflight = { readonly: 0, mutating: 0 };
  // The refusal is the same every time and, under overload, frequent: its body is built once,
  // not as a StatusError per request (an Error captures a stack trace).
  const tooManyBody = Buffer.from(JSON.stringify(tooManyRequests('Too many requests, please try again later.', 1).status));
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (!apf) maxInFlight(req, res);
    else serve(req, res);
  };
  const maxInFlight = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    // Long-running requests (watches, log streams, exec/attach/port-forward) are not limited, as upstream.
    const longRunning = (method === 'GET' && /[?&]watch=(1|true)(&|$)|\/watch\//.test(req.url ?? '')) || /\/pods\/[^/?]+\/(log|exec|attach|portforward)(\?|$)/.test(req.url ?? '');
    const kind = method === 'GET' || method === 'HEAD' ? 'readonly' : 'mutating';
    if (!longRunning) {
      if (limits[kind] > 0 && inflight[kind] >= limits[kind]) {
        res.setHeader('Retry-After', '1');
        return writeBytes(res, 429, tooManyBody);
      }
      inflight[kind]++;
      res.once('close', () => inflight[kind]--);
    }
    serve(req, res);
  };
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    withRequest(req, () => handle(req, res)).catch((err: unknown) => {
      if (isStatusError(err)) return writeStatusError(res, err);
      console.error('apiserver: internal error:', err);
      writeStatusError(res, internalError(err));
    });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    handleUpgrade(req, socket, head).catch((err: unknown) => {
      const status = isStatusError(err) ? err.status : internalError(err).status;
      const body = JSON.stringify(status);
      socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  };

  let server: Server | undefined;
  let url = '';
  let port = opts.port ?? 6443;
  if (opts.listen !== false) {
    server = security?.tls ? createHTTPSServer({ ...serverOptions(opts.connectionLimits), ...security.tls, requestCert: true, rejectUnauthorized: false }, handler) : createServer(serverOptions(opts.connectionLimits), handler);
    if (security?.tls) {
      // Certificates renewed while running replace the TLS context for new connections.
      const tlsServer = server as import('node:https').Server;
      security.watchTLS((tls) => tlsServer.setSecureContext(tls));
    }
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolveListen, reject) => {
      server!.once('error', reject);
      server!.listen(port, opts.bindAddress ?? '127.0.0.1', () => resolveListen());
    });
    server.on('upgrade', upgrade);
    port = (server.address() as AddressInfo).port;
    const host = opts.bindAddress && opts.bindAddress !== '0.0.0.0' && opts.bindAddress !== '::' ? opts.bindAddress : '127.0.0.1';
    url = `${security?.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    discovery = new Discovery(builtinResources, `${opts.advertiseAddress ?? host}:${port}`);
  }
  await bootstrap(store, resolve, admission, {
    kubernetesServiceIP: range.nth(1),
    advertiseAddress: opts.advertiseAddress ?? hostIPv4(),
    port,
  });
  await bootstrapAdmission(opts.enableAdmissionPlugins ?? [], async (g, v, res, obj) => {
    await store.create(resolve(g, v, res)!, '', obj, { dryRun: false, fieldManager: 'kube-apiserver', user: ANONYMOUS_ADMIN, admission, now: new Date() }).catch((err: unknown) => {
      if (!isStatusError(err, 'AlreadyExists')) throw err;
    });
  });
  await security?.start({ store, resolve, admission });
  // API Priority and Fairness configuration: upstream's bootstrap objects, kept in place, and
  // every change of FlowSchemas or priority levels handed to the dispatcher.
  const onFlowControlConfig: FlowControlConfigCallback = (fs, pl) => apf?.setConfig(fs, pl);
  await ensureFlowControlBootstrap({ store, resolve, admission });
  const stopFlowControl = startFlowControlConfigController({ store, resolve, admission }, onFlowControlConfig, { status: apf !== undefined });

  const bookmarkTimer = setInterval(() => {
    for (const w of watches) if (w.allowBookmarks && !w.isStopped) w.bookmark(cache.rv);
  }, opts.bookmarkIntervalMs ?? 10_000);
  bookmarkTimer.unref();

  return {
    url,
    handler,
    upgrade,
    storage,
    store,
    ...(security ? { security } : {}),
    async close() {
      clearInterval(bookmarkTimer);
      await auditLog?.close();
      security?.stop();
      stopFlowControl();
      // Queued requests are answered (429) rather than left hanging.
      apf?.close();
      for (const w of [...watches]) w.stop('closed');
      cache.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((r) => server!.close(() => r()));
      }
      if (ownsStorage) await storage.close();
    },
  };
}

function handleNonResource(req: IncomingMessage, res: ServerResponse, url: RequestURL, discovery: Discovery, openapi: OpenAPI, cache: WatchCache): void {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const aggregatedVersion = aggregatedDiscoveryVersion(req.headers.accept ?? '');
  switch (path) {
    case '/version':
      return writeBytes(res, 200, Buffer.from(JSON.stringify({
        ...KUBE_VERSION,
        gitCommit: '0000000000000000000000000000000000000000',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: `node${process.versions.node}`,
        compiler: 'tsc',
        platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
      }, null, 2)));
    case '/healthz':
    case '/livez':
    case '/readyz': {
      const ok = cache.healthy;
      if (url.searchParams.has('verbose')) {
        const checks = ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer'];
        const body = checks.map((c) => (c === 'etcd' && !ok ? `[-]${c} failed: reason withheld` : `[+]${c} ok`)).join('\n') + `\n${path.slice(1)} check ${ok ? 'passed' : 'failed'}\n`;
        return writeBytes(res, ok ? 200 : 500, Buffer.from(body), 'text/plain; charset=utf-8');
      }
      return writeBytes(res, ok ? 200 : 500, Buffer.from(ok ? 'ok' : `${path.slice(1)} check failed`), 'text/plain; charset=utf-8');
    }
    case '/api':
      if (aggregatedVersion) return writeBytes(res, 200, discovery.aggregatedList('api', aggregatedVersion), `application/json;g=apidiscovery.k8s.io;v=${aggregatedVersion};as=APIGroupDiscoveryList`);
      return writeBytes(res, 200, discovery.apiVersions);
    case '/apis':
      if (aggregatedVersion) return writeBytes(res, 200, discovery.aggregatedList('apis', aggregatedVersion), `application/json;g=apidiscovery.k8s.io;v=${aggregatedVersion};as=APIGroupDiscoveryList`);
      return writeBytes(res, 200, discovery.apiGroupList);
    case '/openapi/v2':
      if (!acceptsJSON(req.headers.accept) && /com\.github\.proto-openapi\.spec\.v2/.test(req.headers.accept ?? '')) {
        return writeBytes(res, 200, openapi.swaggerProtobuf(), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      }
      return writeBytes(res, 200, openapi.swagger());
    case '/openapi/v3':
      return writeBytes(res, 200, openapi.index());
  }
  if (path === '/api/v1') {
    const b = discovery.resourceList('v1');
    if (b) return writeBytes(res, 200, b);
  }
  const g = /^\/apis\/([^/]+)$/.exec(path);
  if (g) {
    const b = discovery.group(g[1]!);
    if (b) return writeBytes(res, 200, b);
  }
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
  if (gv) {
    const b = discovery.resourceList(`${gv[1]}/${gv[2]}`);
    if (b) return writeBytes(res, 200, b);
  }
  if (path.startsWith('/openapi/v3/')) {
    const b = openapi.groupVersion(path.slice('/openapi/v3/'.length));
    if (b) return writeBytes(res, 200, b);
  }
  writeBytes(res, 404, Buffer.from('404 page not found\n'), 'text/plain; charset=utf-8');
}

const apfTooManyBody = Buffer.from('Too many requests, please try again later.\n');

/** aggregatedDiscoveryVersion picks v2 or v2beta1 when the Accept header asks for aggregated discovery first. */
function aggregatedDiscoveryVersion(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    const [type, ...ps] = part.split(';').map((x) => x.trim());
    const params = Object.fromEntries(ps.map((p) => p.split('=').map((x) => x.trim()) as [string, string]));
    if (params.as === 'APIGroupDiscoveryList' && params.g === 'apidiscovery.k8s.io' && (params.v === 'v2' || params.v === 'v2beta1')) return params.v;
    if (!params.as && (type === 'application/json' || type === '*/*')) return undefined;
  }
  return undefined;
}

function acceptsJSON(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((p) => {
    const t = p.split(';')[0]!.trim();
    return t === 'application/json' || t === '*/*' || t === 'application/*';
  });
}

