/**
 * Kubeconfig loading as kubectl and client-go's clientcmd do: a KUBECONFIG list of files
 * merged (the first file to define a cluster/user/context name or current-context wins;
 * missing files are skipped), relative paths resolved against the file that names them,
 * then one context resolved into a RestConfig. Also the in-cluster config of a pod.
 */
import { readFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { RestConfig } from './client.js';

export interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

export interface KubeconfigUser {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
}

export interface KubeconfigContext {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** Kubeconfig is the `kind: Config` document (clientcmdapi v1), after merging. */
export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters: Array<{ name: string; cluster: KubeconfigCluster }>;
  users: Array<{ name: string; user: KubeconfigUser }>;
  contexts: Array<{ name: string; context: KubeconfigContext }>;
  'current-context'?: string;
  preferences?: Record<string, unknown>;
}

/** kubeconfigPaths returns the files kubectl would read: $KUBECONFIG split, else ~/.kube/config. */
export function kubeconfigPaths(env: NodeJS.ProcessEnv = process.env): string[] {
  const v = env['KUBECONFIG'];
  if (v) return v.split(delimiter).filter((p) => p !== '');
  return [join(env['HOME'] || homedir(), '.kube', 'config')];
}

type Named<K extends string, V> = { name: string } & { [k in K]: V };

function absolutize(base: string, p: string | undefined): string | undefined {
  if (!p) return p;
  return isAbsolute(p) ? p : resolve(base, p);
}

/**
 * parseKubeconfig parses one kubeconfig document, resolving relative file references
 * against `dir`. Throws on malformed YAML or a non-object document.
 */
export function parseKubeconfig(text: string, dir: string): Kubeconfig {
  const doc = (parseYaml(text) ?? {}) as Partial<Kubeconfig> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('kubeconfig: document is not a mapping');
  const clusters = (doc.clusters ?? []).filter((c) => c && c.name).map((c) => {
    const cluster = { ...(c.cluster ?? {}) };
    cluster['certificate-authority'] = absolutize(dir, cluster['certificate-authority']);
    if (cluster['certificate-authority'] === undefined) delete cluster['certificate-authority'];
    return { name: c.name, cluster };
  });
  const users = (doc.users ?? []).filter((u) => u && u.name).map((u) => {
    const user = { ...(u.user ?? {}) };
    for (const k of ['client-certificate', 'client-key', 'tokenFile'] as const) {
      const v = absolutize(dir, user[k]);
      if (v === undefined) delete user[k];
      else user[k] = v;
    }
    return { name: u.name, user };
  });
  const contexts = (doc.contexts ?? []).filter((c) => c && c.name).map((c) => ({ name: c.name, context: { ...(c.context ?? {}) } }));
  const kc: Kubeconfig = { apiVersion: doc.apiVersion ?? 'v1', kind: doc.kind ?? 'Config', clusters, users, contexts };
  if (doc['current-context']) kc['current-context'] = doc['current-context'];
  if (doc.preferences) kc.preferences = doc.preferences;
  return kc;
}

function mergeNamed<K extends string, V>(into: Array<Named<K, V>>, from: Array<Named<K, V>>): void {
  const seen = new Set(into.map((x) => x.name));
  for (const x of from) if (!seen.has(x.name)) {
    into.push(x);
    seen.add(x.name);
  }
}

/** mergeKubeconfigs merges in kubectl's order: earlier documents win every conflict. */
export function mergeKubeconfigs(docs: readonly Kubeconfig[]): Kubeconfig {
  const out: Kubeconfig = { apiVersion: 'v1', kind: 'Config', clusters: [], users: [], contexts: [] };
  for (const d of docs) {
    mergeNamed(out.clusters, d.clusters);
    mergeNamed(out.users, d.users);
    mergeNamed(out.contexts, d.contexts);
    if (!out['current-context'] && d['current-context']) out['current-context'] = d['current-context'];
    if (!out.preferences && d.preferences) out.preferences = d.preferences;
  }
  return out;
}

/**
 * loadKubeconfig reads and merges the given files (default: kubeconfigPaths()). Files in a
 * KUBECONFIG list that do not exist are skipped; an explicitly named single file must exist.
 */
export function loadKubeconfig(paths?: readonly string[], env: NodeJS.ProcessEnv = process.env): Kubeconfig {
  const explicit = paths !== undefined;
  const list = paths ?? kubeconfigPaths(env);
  const docs: Kubeconfig[] = [];
  for (const p of list) {
    if (!existsSync(p)) {
      if (explicit && list.length === 1) throw new Error(`kubeconfig: stat ${p}: no such file or directory`);
      continue;
    }
    try {
      docs.push(parseKubeconfig(readFileSync(p, 'utf8'), dirname(resolve(p))));
    } catch (err) {
      throw new Error(`error loading config file "${p}": ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return mergeKubeconfigs(docs);
}

export interface ContextOverrides {
  /** context selects a context other than current-context. */
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');

/**
 * restConfigFromKubeconfig resolves a context into a RestConfig: inline `-data` fields win
 * over their file twins; files are read now (tokenFile is re-read by the client). Throws the
 * errors kubectl prints for a missing context, cluster or server.
 */
export function restConfigFromKubeconfig(kc: Kubeconfig, overrides: ContextOverrides = {}): RestConfig {
  const ctxName = overrides.context ?? kc['current-context'];
  let ctx: KubeconfigContext = {};
  if (ctxName) {
    const found = kc.contexts.find((c) => c.name === ctxName);
    if (!found) throw new Error(`context "${ctxName}" does not exist`);
    ctx = found.context;
  }
  const clusterName = overrides.cluster ?? ctx.cluster;
  const userName = overrides.user ?? ctx.user;
  const cluster = kc.clusters.find((c) => c.name === clusterName)?.cluster ?? {};
  if (clusterName && !kc.clusters.some((c) => c.name === clusterName)) throw new Error(`cluster "${clusterName}" does not exist`);
  const user = kc.users.find((u) => u.name === userName)?.user ?? {};
  const server = overrides.server ?? cluster.server;
  if (!server) throw new Error('invalid configuration: no configuration has been provided, try setting KUBERNETES_MASTER environment variable');
  const cfg: RestConfig = { host: server, namespace: overrides.namespace ?? ctx.namespace ?? 'default' };
  if (cluster['certificate-authority-data']) cfg.caData = b64(cluster['certificate-authority-data']);
  else if (cluster['certificate-authority']) cfg.caData = readFileSync(cluster['certificate-authority']);
  if (cluster['insecure-skip-tls-verify']) cfg.insecureSkipTLSVerify = true;
  if (cluster['tls-server-name']) cfg.tlsServerName = cluster['tls-server-name'];
  if (user['client-certificate-data']) cfg.certData = b64(user['client-certificate-data']);
  else if (user['client-certificate']) cfg.certData = readFileSync(user['client-certificate']);
  if (user['client-key-data']) cfg.keyData = b64(user['client-key-data']);
  else if (user['client-key']) cfg.keyData = readFileSync(user['client-key']);
  if (user.token) cfg.bearerToken = user.token;
  if (user.tokenFile) cfg.bearerTokenFile = user.tokenFile;
  if (user.username !== undefined) cfg.username = user.username;
  if (user.password !== undefined) cfg.password = user.password;
  return cfg;
}

/** SERVICE_ACCOUNT_DIR is where the kubelet mounts a pod's service account credentials. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * inClusterConfig builds the config of a process running in a pod, from
 * KUBERNETES_SERVICE_HOST/PORT and the service account token, CA and namespace files.
 * Throws (as client-go's ErrNotInCluster) when the environment variables are unset.
 */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir: string = SERVICE_ACCOUNT_DIR): RestConfig {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) throw new Error('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = join(dir, 'token');
  // Read once now so a missing token fails fast, as client-go does.
  const token = readFileSync(tokenFile, 'utf8').trim();
  const h = host.includes(':') ? `[${host}]` : host;
  const cfg: RestConfig = { host: `https://${h}:${port}`, bearerToken: token, bearerTokenFile: tokenFile };
  const ca = join(dir, 'ca.crt');
  if (existsSync(ca)) cfg.caData = readFileSync(ca);
  const ns = join(dir, 'namespace');
  cfg.namespace = existsSync(ns) ? readFileSync(ns, 'utf8').trim() || 'default' : 'default';
  return cfg;
}

export interface LoadRestConfigOptions extends ContextOverrides {
  /** kubeconfig is an explicit file (the `--kubeconfig` flag); it must exist. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * loadRestConfig follows client-go's deferred loading: an explicit kubeconfig file, else
 * $KUBECONFIG, else ~/.kube/config; if none of those exists and the process runs in a pod,
 * the in-cluster config.
 */
export function loadRestConfig(opts: LoadRestConfigOptions = {}): RestConfig {
  const env = opts.env ?? process.env;
  if (opts.kubeconfig) return restConfigFromKubeconfig(loadKubeconfig([opts.kubeconfig], env), opts);
  const paths = kubeconfigPaths(env);
  if (!paths.some((p) => existsSync(p)) && env['KUBERNETES_SERVICE_HOST']) {
    const cfg = inClusterConfig(env);
    if (opts.namespace) cfg.namespace = opts.namespace;
    return cfg;
  }
  // Not `paths`: passing them would make a lone missing $KUBECONFIG file an error, and kubectl
  // skips missing entries of the list.
  return restConfigFromKubeconfig(loadKubeconfig(undefined, env), opts);
}
