/**
 * startServer is `k8ts server` (k3s server): in one process, the datastore, the apiserver
 * (TLS, client-cert and token authentication, Node,RBAC), the controller-manager, the
 * scheduler and, unless disabled, a kubelet for the local node. The in-process components
 * reach the apiserver through an in-memory transport (no TLS, no sockets) with their own
 * bearer tokens, so RBAC sees the same users as upstream (system:kube-scheduler, ...).
 *
 * Data dir layout (k3s's): `server/db/state.db`, `server/tls/*`, `server/token`,
 * `server/cred/tokens.csv`, `agent/kubelet/*`, `kubeconfig.yaml`.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { startApiServer, type RunningApiServer } from '../apiserver/index.js';
import { DEFAULT_ADMISSION_PLUGINS } from '../apiserver/admission/index.js';
import { isStatusError } from '../api/errors.js';
import { gvr, InProcessTransport, RestClient, type ApiObject } from '../client/index.js';
import { runControllerManager } from '../controllers/index.js';
import { Kubelet } from '../kubelet/index.js';
import { ensureKubeletServing, ensurePKI, kubeconfigYAML } from '../pki/index.js';
import { resolveConfig, type ResolvedConfig } from '../scheduler/index.js';
import { startScheduler } from '../scheduler/run.js';
import { openStorage, type Storage } from '../storage/index.js';
import { acquireDirLock } from './lock.js';
import { startComponentsWorker, type ComponentSpec } from './components.js';
import { openListener, type SharedListener } from './listener.js';
import { stopAllPods, waitForNodeReady } from './node.js';
import { hostIPv4 } from '../util/net.js';

/** DEFAULT_COMPONENT_THREADS is where the scheduler and controller-manager run unless told (see ServerOptions.componentThreads). */
export const DEFAULT_COMPONENT_THREADS: 'main' | 'worker' = 'worker';

/** Components `--disable` accepts; the add-ons of later issues join this list. */
export const DISABLEABLE = ['scheduler', 'controller-manager', 'agent'] as const;

export interface ServerOptions {
  dataDir: string;
  /** datastoreEndpoint as k3s: '' = sqlite in `<dataDir>/server/db/state.db`, or etcd URLs. */
  datastoreEndpoint?: string;
  /** token is the join secret (bare or full K10 form); default: `<dataDir>/server/token` or a new one. */
  token?: string;
  tlsSANs?: string[];
  /** bindAddress for the HTTPS port (default 0.0.0.0, as k3s). */
  bindAddress?: string;
  /** httpsListenPort (default 6443; 0 picks a free port). */
  httpsListenPort?: number;
  /** advertiseAddress is published in the `kubernetes` Endpoints and the join command (default: the node IP). */
  advertiseAddress?: string;
  nodeName?: string;
  nodeIP?: string;
  nodeLabels?: Record<string, string>;
  nodeTaints?: Taint[];
  clusterCIDR?: string;
  serviceCIDR?: string;
  serviceNodePortRange?: string;
  /** clusterDNS and clusterDomain are accepted as k3s's; they take effect once the DNS add-on and the kubelet's DNS settings land. */
  clusterDNS?: string;
  clusterDomain?: string;
  /** writeKubeconfig is an extra path for the admin kubeconfig (always written to `<dataDir>/kubeconfig.yaml`). */
  writeKubeconfig?: string;
  /** writeKubeconfigMode as k3s's octal string (default 0600). */
  writeKubeconfigMode?: string;
  containerRuntime?: string;
  /** disable lists components not to start (`scheduler`, `controller-manager`, `agent`, and later add-ons). */
  disable?: readonly string[];
  /** kubeletPort for the local node's kubelet API (default 10250; 0 picks a free port). */
  kubeletPort?: number;
  /** stopPodsOnExit stops the local node's containers on shutdown (default: they keep running, as k3s). */
  stopPodsOnExit?: boolean;
  /** startedAt is the performance.now() that elapsed times count from (default: the call; the CLI passes 0, the process start). */
  startedAt?: number;
  /**
   * verbosity as k3s's -v: 3 logs every request on the HTTPS port (as upstream's httplog, which
   * logs requests from -v 3). For request latencies scrape GET /metrics (apiserver_request_duration_seconds).
   */
  verbosity?: number;
  /**
   * componentThreads: `worker` runs the scheduler and the controller-manager each in a thread
   * of its own (talking to the apiserver over a MessagePort), `main` runs them on the
   * apiserver's event loop. Default: $K8TS_COMPONENT_THREADS, else DEFAULT_COMPONENT_THREADS.
   */
  componentThreads?: 'main' | 'worker';
  /** progress receives start-up and shut-down steps (default: ignored). */
  progress?: (e: ProgressEvent) => void;
  /** log receives the components' own messages (default: stderr). */
  log?: (component: string, msg: string) => void;
}

export interface ProgressEvent {
  component: string;
  phase: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped' | 'info';
  message?: string;
  /** elapsedMs since startServer was called. */
  elapsedMs: number;
}

export interface RunningServer {
  /** url for local clients: `https://127.0.0.1:<port>`. */
  url: string;
  port: number;
  dataDir: string;
  kubeconfigPath: string;
  /** token is the full join token; the join command is `k8ts agent --server <joinURL> --token <token>`. */
  token: string;
  joinURL: string;
  nodeName?: string;
  /** readyMs is how long start-up took until the local node was Ready (or the control plane, without an agent). */
  readyMs: number;
  /** done resolves when every component stopped, after close() or a component failure (then with the error). */
  done: Promise<Error | undefined>;
  close(): Promise<void>;
}


/** firstIP returns the first usable address of an IPv4 CIDR (`10.43.0.0/16` → 10.43.0.1). */
function firstIP(cidr: string): string {
  const [ip] = cidr.split('/');
  const parts = ip!.split('.').map(Number);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const m = n + 1;
  return [m >>> 24, (m >>> 16) & 255, (m >>> 8) & 255, m & 255].join('.');
}

/** writePrivate writes credentials atomically enough for a restart: mode first, content second. */
function writeFile(path: string, data: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data, { mode });
  chmodSync(path, mode);
}

/** ServerStartError names the component that failed to start. */
export class ServerStartError extends Error {
  override name = 'ServerStartError';
  constructor(
    readonly component: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * startServer starts every enabled component, in dependency order, and resolves once the local
 * node is Ready (or the control plane serves, with the agent disabled). On a start-up failure
 * it stops what it started and throws ServerStartError; a second server on the same data dir
 * fails with a DirLockedError naming the holder's pid.
 */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const t0 = o.startedAt ?? performance.now();
  const progress = (component: string, phase: ProgressEvent['phase'], message?: string): void =>
    o.progress?.({ component, phase, elapsedMs: performance.now() - t0, ...(message !== undefined ? { message } : {}) });
  const log = o.log ?? ((c: string, m: string) => process.stderr.write(`${c}: ${m}\n`));
  const disabled = new Set(o.disable ?? []);
  const dataDir = o.dataDir;
  const serverDir = join(dataDir, 'server');
  const nodeName = o.nodeName ?? hostname().toLowerCase();
  const nodeIP = o.nodeIP ?? hostIPv4();
  const advertise = o.advertiseAddress ?? nodeIP;
  const serviceCIDR = o.serviceCIDR ?? '10.43.0.0/16';
  const runAgent = !disabled.has('agent');

  const cleanups: Array<() => Promise<void> | void> = [];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log('server', `shutdown: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  /** hint adds what to do about the usual start-up failures. */
  const hint = (err: unknown, flag: string): string => {
    const msg = err instanceof Error ? err.message : String(err);
    return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' || msg.includes('EADDRINUSE') ? `${msg}: another k8ts (or k3s) running? pick a free port with ${flag}` : msg;
  };
  const step = async <T>(component: string, fn: () => Promise<T>, ready?: (v: T) => string): Promise<T> => {
    progress(component, 'starting');
    try {
      const v = await fn();
      progress(component, 'ready', ready?.(v));
      return v;
    } catch (err) {
      const msg = component === 'listener' ? hint(err, '--https-listen-port') : err instanceof Error ? err.message : String(err);
      progress(component, 'failed', msg);
      await stopAll();
      throw new ServerStartError(component, `${component}: ${msg}`, { cause: err });
    }
  };

  // The lock comes first: nothing under the data dir is touched while another server owns it.
  const releaseServer = acquireDirLock(join(serverDir, 'k8ts.lock'), (pid) => `data dir ${dataDir} is in use by another k8ts server (pid ${pid}); stop it first or pass a different --data-dir`);
  cleanups.push(releaseServer);
  if (runAgent) {
    try {
      cleanups.push(acquireDirLock(join(dataDir, 'agent', 'k8ts.lock'), (pid) => `the node in ${join(dataDir, 'agent')} is run by another k8ts process (pid ${pid}); stop it first or pass a different --data-dir`));
    } catch (err) {
      await stopAll();
      throw err;
    }
  }

  // Key generation (first start) and opening the datastore overlap: both wait on other threads.
  const opening = openStorage(o.datastoreEndpoint ?? '', { dataDir: serverDir });
  opening.then((st) => cleanups.push(() => st.close()), () => {});
  progress('datastore', 'starting');
  const pki = await step('certificates', () => ensurePKI(dataDir, { tlsSANs: o.tlsSANs ?? [], serviceIP: firstIP(serviceCIDR) }), (p) => `CA and certificates in ${p.dir}`).catch(async (err: unknown) => {
    await opening.then((st) => st.close(), () => {});
    throw err;
  });

  // The local kubelet's serving certificate (`<dataDir>/agent/serving-kubelet.crt`), signed by the server CA for the node's name and IP.
  const kubeletServing = runAgent
    ? await step('certificates', () => ensureKubeletServing(join(dataDir, 'agent'), pki.serverCA, { nodeName, nodeIP })).catch(async (err: unknown) => {
        await opening.then((st) => st.close(), () => {});
        throw err;
      })
    : undefined;

  // In-process identities, as the static token file kube-apiserver would be given.
  const mint = (): string => randomBytes(24).toString('hex');
  const ids = {
    supervisor: mint(),
    controllerManager: mint(),
    scheduler: mint(),
    kubelet: mint(),
  };
  const tokenFile = join(serverDir, 'cred', 'tokens.csv');
  writeFile(
    tokenFile,
    [
      `${ids.supervisor},system:k8ts:supervisor,k8ts-supervisor,"system:masters"`,
      `${ids.controllerManager},system:kube-controller-manager,k8ts-kube-controller-manager`,
      `${ids.scheduler},system:kube-scheduler,k8ts-kube-scheduler`,
      `${ids.kubelet},system:node:${nodeName},k8ts-node-${nodeName},"system:nodes"`,
    ].join('\n') + '\n',
    0o600,
  );

  let storage: Storage;
  try {
    storage = await opening;
    progress('datastore', 'ready', o.datastoreEndpoint ? `etcd ${o.datastoreEndpoint}` : `sqlite ${join(serverDir, 'db', 'state.db')}`);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    progress('datastore', 'failed', msg);
    await stopAll();
    throw new ServerStartError('datastore', `datastore: ${msg}`, { cause: err });
  }

  const listener: SharedListener = await step(
    'listener',
    () => openListener({ bindAddress: o.bindAddress ?? '0.0.0.0', port: o.httpsListenPort ?? 6443, tls: { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.clientCA.certPem } }),
    (l) => `https port ${l.port}`,
  );
  cleanups.push(() => listener.close());

  const apiserver: RunningApiServer = await step(
    'apiserver',
    () =>
      startApiServer({
        storage,
        dataDir,
        listen: false,
        port: listener.port,
        advertiseAddress: advertise,
        serviceClusterIPRange: serviceCIDR,
        enableAdmissionPlugins: DEFAULT_ADMISSION_PLUGINS,
        ...(o.serviceNodePortRange ? { serviceNodePortRange: o.serviceNodePortRange } : {}),
        // The security layer also owns the join token (`<dataDir>/server/token`), /cacerts and the agents' certificate endpoint.
        security: { dataDir, tls: true, tlsSANs: o.tlsSANs ?? [], tokenAuthFile: tokenFile, authorizationModes: ['Node', 'RBAC'], ...(o.token ? { joinToken: o.token } : {}) },
      }),
    () => `serving on ${listener.url}`,
  );
  cleanups.push(() => apiserver.close());
  if ((o.verbosity ?? 0) >= 3) {
    listener.serve((req, res) => {
      const start = performance.now();
      res.once('finish', () => log('apiserver', `${req.method} ${req.url} ${res.statusCode} ${(performance.now() - start).toFixed(1)}ms`));
      apiserver.handler(req, res);
    }, apiserver.upgrade);
  } else listener.serve(apiserver.handler, apiserver.upgrade);

  const transports: InProcessTransport[] = [];
  const clientFor = (bearerToken: string, userAgent: string): RestClient => {
    const transport = new InProcessTransport(apiserver.handler);
    transports.push(transport);
    return new RestClient({ host: listener.url, transport, bearerToken, userAgent, qps: Infinity });
  };
  cleanups.push(() => transports.forEach((t) => t.close()));
  const admin = clientFor(ids.supervisor, 'k8ts-server');

  // The controller-manager runs every controller as itself (upstream's
  // --use-service-account-credentials=false): without the per-controller system:controller:*
  // roles it needs cluster-admin, as its own system:kube-controller-manager role is not enough.
  await step('rbac', async () => {
    const binding = (name: string, role: string, subject: { kind: 'User' | 'Group'; name: string }): ApiObject =>
      ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', ...subject }],
      }) as ApiObject;
    const crbs = admin.resource<ApiObject>(gvr.clusterrolebindings);
    for (const crb of [binding('k8ts:kube-controller-manager', 'cluster-admin', { kind: 'User', name: 'system:kube-controller-manager' })]) {
      try {
        await crbs.create(crb);
      } catch (err) {
        if (!isStatusError(err, 'AlreadyExists')) throw err;
      }
    }
  }, () => 'controller-manager bound to cluster-admin');

  const kubeconfigPath = o.writeKubeconfig ?? join(dataDir, 'kubeconfig.yaml');
  const mode = Number.parseInt(o.writeKubeconfigMode ?? '0600', 8);
  const writeKubeconfigs = (p: typeof pki): void => {
    const kubeconfig = kubeconfigYAML({ server: listener.url, caPem: p.serverCA.certPem, certPem: p.admin.certPem, keyPem: p.admin.keyPem });
    writeFile(join(dataDir, 'kubeconfig.yaml'), kubeconfig, 0o600);
    if (o.writeKubeconfig) writeFile(o.writeKubeconfig, kubeconfig, Number.isNaN(mode) ? 0o600 : mode);
  };
  await step('kubeconfig', async () => writeKubeconfigs(pki), () => `admin kubeconfig written to ${kubeconfigPath}`);
  // Certificates renewed while running (RENEW_BEFORE_DAYS before expiry) reach the listener and the kubeconfigs.
  apiserver.security?.watchTLS((tls, renewed) => {
    listener.setTLS(tls);
    writeKubeconfigs(renewed);
  });

  // Long-running components: each runs until `stop` aborts; an early end is a failure.
  const stop = new AbortController();
  // Each component gets its own signal (they tune its listener limit), all following `stop`.
  const componentSignal = (): AbortSignal => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    stop.signal.addEventListener('abort', () => c.abort(), { once: true });
    return c.signal;
  };
  let failure: Error | undefined;
  const running: Array<Promise<void>> = [];
  const supervise = (component: string, run: Promise<unknown>): void => {
    running.push(
      run.then(
        () => {
          if (!stop.signal.aborted) {
            failure ??= new Error(`${component} stopped unexpectedly`);
            progress(component, 'failed', 'stopped unexpectedly');
            stop.abort();
          }
        },
        (err: unknown) => {
          const msg = component === 'kubelet' ? hint(err, '--kubelet-port') : err instanceof Error ? err.message : String(err);
          failure ??= new Error(`${component}: ${msg}`, { cause: err });
          progress(component, 'failed', msg);
          stop.abort();
        },
      ),
    );
  };

  const leaderElect = Boolean(o.datastoreEndpoint && !o.datastoreEndpoint.startsWith('sqlite'));
  // As k3s: every node gets a pod CIDR out of --cluster-cidr (/24 each).
  const cmSettings = { rootCA: pki.serverCA.certPem, allocateNodeCIDRs: true, clusterCIDR: o.clusterCIDR ?? '10.42.0.0/16', nodeCIDRMaskSize: 24 };
  const envThreads = process.env['K8TS_COMPONENT_THREADS'];
  const threaded = (o.componentThreads ?? (envThreads === 'main' || envThreads === 'worker' ? envThreads : DEFAULT_COMPONENT_THREADS)) === 'worker';
  const inWorker: ComponentSpec[] = [];
  let componentsReady: Promise<void> = Promise.resolve();
  if (threaded && !disabled.has('controller-manager')) inWorker.push({ component: 'controller-manager', bearerToken: ids.controllerManager, userAgent: 'kube-controller-manager/k8ts', leaderElect, settings: cmSettings });
  if (threaded && !disabled.has('scheduler')) inWorker.push({ component: 'scheduler', bearerToken: ids.scheduler, userAgent: 'k8ts-scheduler', leaderElect });
  // One thread per component: at 1000 nodes the scheduler alone saturated a thread it shared
  // with the controller-manager (created → scheduled was most of the pod startup latency).
  const readies: Array<Promise<void>> = [];
  for (const spec of inWorker) {
    progress(spec.component, 'starting', 'in its own thread');
    const w = startComponentsWorker({
      host: listener.url,
      handler: apiserver.handler,
      specs: [spec],
      ready: (c) => progress(c, 'ready'),
      log: (c, m) => log(c, m),
    });
    // The thread stops with the other components (stop aborts), before the apiserver closes.
    const stopped = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => void w.stop().then(resolve), { once: true }));
    readies.push(w.ready);
    // A component that ends before stop is a failure (supervise sees it at once); after stop, wait for the thread to exit.
    for (const [c, ended] of w.ended) supervise(c, ended.then(() => (stop.signal.aborted ? stopped : undefined)));
  }
  // Start-up waits for them as for in-process ones, unless leadership may sit elsewhere.
  if (!leaderElect) componentsReady = Promise.all(readies).then(() => undefined);
  if (!threaded && !disabled.has('controller-manager')) {
    progress('controller-manager', 'starting');
    const client = clientFor(ids.controllerManager, 'kube-controller-manager/k8ts');
    supervise(
      'controller-manager',
      runControllerManager(
        {
          client,
          // One server owns its datastore; leader election only matters with a shared etcd.
          leaderElect,
          settings: cmSettings,
          log: (m, err) => log('controller-manager', err === undefined ? m : `${m}: ${err instanceof Error ? err.message : String(err)}`),
          onStartedLeading: () => progress('controller-manager', 'ready'),
        },
        componentSignal(),
      ),
    );
  }
  if (!threaded && !disabled.has('scheduler')) {
    progress('scheduler', 'starting');
    const config: ResolvedConfig = resolveConfig();
    config.leaderElection.leaderElect = leaderElect;
    const client = clientFor(ids.scheduler, 'k8ts-scheduler');
    supervise(
      'scheduler',
      startScheduler({ client, config, signal: componentSignal(), log: (m) => log('scheduler', m), onScheduler: () => progress('scheduler', 'ready') }),
    );
  }

  let kubeletReady: Promise<void> = Promise.resolve();
  let kubeletURL = '';
  const kubeletRoot = join(dataDir, 'agent', 'kubelet');
  if (runAgent) {
    progress('kubelet', 'starting', `node ${nodeName} (${o.containerRuntime ?? 'process'} runtime)`);
    const client = clientFor(ids.kubelet, 'k8ts-kubelet');
    // As a kubelet with --tls-cert-file, --client-ca-file, --authentication-token-webhook and
    // --authorization-mode=Webhook, --anonymous-auth=false: it listens on every address (the
    // apiserver dials the node's InternalIP) and serves only authenticated, authorized callers,
    // the apiserver among them with its kube-apiserver-kubelet-client certificate.
    const serving = kubeletServing!;
    const kubelet = new Kubelet({
      client,
      nodeName,
      nodeIP,
      rootDir: kubeletRoot,
      containerRuntime: o.containerRuntime ?? 'process',
      nodeLabels: o.nodeLabels ?? {},
      registerWithTaints: o.nodeTaints ?? [],
      address: '0.0.0.0',
      port: o.kubeletPort ?? 10250,
      tls: { cert: serving.certPem + pki.serverCA.certPem, key: serving.keyPem, clientCA: pki.clientCA.certPem },
      auth: { tokenWebhook: true, authorization: 'Webhook', anonymous: false },
      log: (m) => log('kubelet', m),
    });
    kubeletReady = new Promise<void>((resolve, reject) => {
      const run = kubelet.run(componentSignal(), () => {
        kubeletURL = kubelet.server.url;
        resolve();
      });
      run.catch(reject);
      supervise('kubelet', run);
    });
  }

  const failed = new Promise<never>((_, reject) => stop.signal.addEventListener('abort', () => reject(failure ?? new Error('stopped during start-up')), { once: true }));
  failed.catch(() => {});
  try {
    await Promise.race([componentsReady, failed]);
    if (runAgent) {
      await Promise.race([kubeletReady, failed]);
      progress('kubelet', 'ready', `kubelet API on ${kubeletURL}`);
      progress('node', 'starting', `waiting for node ${nodeName} to be Ready`);
      await Promise.race([waitForNodeReady(admin, nodeName, stop.signal), failed]);
      // k3s labels its server nodes with their roles from the server side (NodeRestriction keeps kubelets from doing it).
      await admin.resource<ApiObject>(gvr.nodes).patch(nodeName, 'merge', { metadata: { labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/master': 'true' } } });
      progress('node', 'ready', `node ${nodeName} is Ready`);
    }
  } catch (err) {
    stop.abort();
    await Promise.allSettled(running);
    await stopAll();
    const msg = failure?.message ?? (err instanceof Error ? err.message : String(err));
    throw new ServerStartError(failure ? 'component' : 'node', msg, { cause: err });
  }
  const readyMs = performance.now() - t0;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      progress('server', 'stopping');
      stop.abort();
      await Promise.allSettled(running);
      if (runAgent && o.stopPodsOnExit) {
        progress('kubelet', 'stopping', 'stopping pods (--stop-pods-on-exit)');
        await stopAllPods(kubeletRoot, o.containerRuntime ?? 'process', nodeIP).catch((err: unknown) => log('kubelet', `stopping pods: ${err instanceof Error ? err.message : String(err)}`));
      }
      await stopAll();
      progress('server', 'stopped');
    })());
  const done = (async () => {
    await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
    await close();
    return failure;
  })();

  return {
    url: listener.url,
    port: listener.port,
    dataDir,
    kubeconfigPath,
    token: apiserver.security?.joinToken ?? '',
    joinURL: `https://${advertise.includes(':') ? `[${advertise}]` : advertise}:${listener.port}`,
    ...(runAgent ? { nodeName } : {}),
    readyMs,
    done,
    close,
  };
}
