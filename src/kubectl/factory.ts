/**
 * Factory holds what every command needs (cmdutil.Factory upstream): the streams, the parsed
 * global flags, a lazily built RestClient from kubectl's kubeconfig rules (plus k8ts's own
 * admin kubeconfig when nothing else is configured), the namespace, and discovery.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { RestClient, kubeconfigPaths, loadKubeconfig, loadRestConfig, type Kubeconfig, type RestConfig } from '../client/rest/index.js';
import type { KubeObject } from '../api/types.js';
import { Flags } from './args.js';
import { Discovery } from './discovery.js';

export interface IOStreams {
  out: (s: string) => void;
  err: (s: string) => void;
  /** readStdin reads all of standard input. */
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  /** outIsTerminal: stdout is a terminal (kubectl colours cluster-info only then). */
  outIsTerminal?: boolean;
  /**
   * stdin, when the process has one, streams standard input as it arrives (exec/attach -i send
   * keystrokes as typed); setRawMode exists when it is a terminal.
   */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /** terminalSize is the size of the terminal stdout writes to, when it is one. */
  terminalSize?: () => { width: number; height: number } | undefined;
  /** onTerminalResize calls fn when that terminal changes size; returns the unsubscribe. */
  onTerminalResize?: (fn: () => void) => () => void;
}

/** CmdError is a failure kubectl prints as `error: <message>` (exit code 1 unless given). */
export class CmdError extends Error {
  override readonly name = 'CmdError';
  constructor(
    message: string,
    readonly exitCode = 1,
    /** raw: print the message as is, without the `error: ` prefix. */
    readonly raw = false,
  ) {
    super(message);
  }
}

/**
 * kubeconfigFiles returns the files kubectl would read, falling back to the k8ts server's admin
 * kubeconfig (`<data-dir>/kubeconfig.yaml`, data dir as `k8ts server`: /var/lib/k8ts as root,
 * ~/.k8ts otherwise; `--data-dir` or $K8TS_DATA_DIR name another) when neither $KUBECONFIG nor
 * ~/.kube/config exists.
 */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv, dataDir?: string): { paths: string[]; explicit: boolean } {
  if (explicit) return { paths: [explicit], explicit: true };
  const paths = kubeconfigPaths(env);
  if (env['KUBECONFIG'] || paths.some((p) => existsSync(p))) return { paths, explicit: false };
  const own = join(dataDir || env['K8TS_DATA_DIR'] || defaultDataDir(env), 'kubeconfig.yaml');
  if (existsSync(own)) return { paths: [own], explicit: true };
  return { paths, explicit: false };
}

export class Factory {
  private restClient: RestClient | undefined;
  private disco: Promise<Discovery> | undefined;
  private restConfig: RestConfig | undefined;

  constructor(
    readonly io: IOStreams,
    readonly flags: Flags,
  ) {}

  kubeconfigPaths(): { paths: string[]; explicit: boolean } {
    return kubeconfigFiles(this.flags.str('kubeconfig') || undefined, this.io.env, this.flags.str('data-dir') || undefined);
  }

  rawConfig(): Kubeconfig {
    const { paths, explicit } = this.kubeconfigPaths();
    return loadKubeconfig(explicit ? paths : paths, this.io.env);
  }

  config(): RestConfig {
    if (this.restConfig) return this.restConfig;
    const { paths, explicit } = this.kubeconfigPaths();
    const f = this.flags;
    const overrides = {
      ...(f.str('context') ? { context: f.str('context') } : {}),
      ...(f.str('cluster') ? { cluster: f.str('cluster') } : {}),
      ...(f.str('user') ? { user: f.str('user') } : {}),
      ...(f.str('server') ? { server: f.str('server') } : {}),
    };
    let cfg: RestConfig;
    try {
      if (explicit) cfg = loadRestConfig({ kubeconfig: paths[0], env: this.io.env, ...overrides });
      else {
        // kubectl skips KUBECONFIG entries that do not exist (an empty config when none does).
        const existing = paths.filter((p) => existsSync(p));
        if (existing.length === 0 && !overrides.server && !this.io.env['KUBERNETES_SERVICE_HOST']) {
          throw new Error('invalid configuration: no configuration has been provided');
        }
        cfg = existing.length > 0 ? loadRestConfig({ env: { ...this.io.env, KUBECONFIG: existing.join(delimiter) }, ...overrides }) : loadRestConfig({ env: this.io.env, ...overrides });
      }
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (/no configuration has been provided/.test(msg)) {
        throw new CmdError('The connection to the server localhost:8080 was refused - did you specify the right host or port?', 1, true);
      }
      throw new CmdError(msg);
    }
    if (f.str('token')) cfg.bearerToken = f.str('token');
    if (f.bool('insecure-skip-tls-verify')) cfg.insecureSkipTLSVerify = true;
    cfg.qps = 50;
    cfg.burst = 300;
    cfg.userAgent = `kubectl/v1.32.0 (${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}) kubernetes/k8ts`;
    cfg.warningHandler = (m) => this.io.err(`Warning: ${m}\n`);
    this.restConfig = cfg;
    return cfg;
  }

  client(): RestClient {
    this.restClient ??= new RestClient(this.config());
    return this.restClient;
  }

  /** namespace is `-n`, else the context's namespace, else `default`; explicit says `-n` was given. */
  namespace(): { namespace: string; explicit: boolean } {
    const n = this.flags.str('namespace');
    if (n) return { namespace: n, explicit: true };
    try {
      return { namespace: this.config().namespace || 'default', explicit: false };
    } catch {
      return { namespace: 'default', explicit: false };
    }
  }

  discovery(): Promise<Discovery> {
    this.disco ??= Discovery.load(this.client());
    return this.disco;
  }

  close(): void {
    this.restClient?.close();
  }
}

/** readManifests reads `-f` arguments (files, directories, `-`) into objects, expanding Lists. */
export async function readManifests(io: IOStreams, filenames: readonly string[], recursive = false): Promise<Array<{ obj: KubeObject; source: string }>> {
  const out: Array<{ obj: KubeObject; source: string }> = [];
  const parse = (text: string, source: string): void => {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new CmdError(`error parsing ${source}: ${doc.errors[0]!.message}`);
      const v = doc.toJS() as unknown;
      if (v === null || v === undefined) continue;
      if (typeof v !== 'object' || Array.isArray(v)) throw new CmdError(`error validating "${source}": error validating data: invalid object`);
      const obj = v as KubeObject;
      if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj['items'])) {
        for (const item of obj['items'] as KubeObject[]) out.push({ obj: item, source });
      } else out.push({ obj, source });
    }
  };
  for (const f of filenames) {
    if (f === '-') {
      parse(await io.readStdin(), 'STDIN');
      continue;
    }
    if (!existsSync(f)) throw new CmdError(`the path "${f}" does not exist`);
    if (statSync(f).isDirectory()) {
      const walk = (dir: string, top: boolean): void => {
        for (const name of readdirSync(dir).sort()) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) {
            if (recursive || top) if (recursive) walk(p, false);
          } else if (/\.(ya?ml|json)$/.test(name)) parse(readFileSync(p, 'utf8'), p);
        }
      };
      walk(f, true);
    } else parse(readFileSync(f, 'utf8'), f);
  }
  return out;
}

/**
 * defaultDataDir mirrors `k8ts server`'s default (src/storage's defaultDataDir): /var/lib/k8ts
 * as root, ~/.k8ts otherwise. Kept here so kubectl does not load the storage layer.
 */
function defaultDataDir(env: NodeJS.ProcessEnv): string {
  return process.getuid?.() === 0 ? '/var/lib/k8ts' : join(env['HOME'] || homedir(), '.k8ts');
}
