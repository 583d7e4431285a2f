/**
 * `k8ts kubelet`: flags named as upstream's kubelet (plus `--container-runtime` and
 * `--capacity` as k8ts extensions), then run the node agent until SIGINT/SIGTERM. Containers
 * keep running when the kubelet stops; the next kubelet adopts them.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Taint } from 'kubernetes-types/core/v1.js';
import { RestClient } from '../client/rest/client.js';
import { loadRestConfig } from '../client/rest/kubeconfig.js';
import { Kubelet } from '../kubelet/kubelet.js';
import { defaultHostname } from '../kubelet/node.js';
import { hostIPv4 } from '../util/net.js';
import { parseQuantity } from '../api/quantity.js';

interface Flags {
  kubeconfig?: string;
  nodeName?: string;
  nodeIp?: string;
  nodeLabels?: string;
  registerWithTaints?: string;
  containerRuntime: string;
  rootDir?: string;
  podManifestPath?: string;
  address: string;
  port: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  capacity?: string;
  systemReserved?: string;
  network: string;
  clientCaFile?: string;
  authenticationTokenWebhook?: boolean;
  authorizationMode: string;
  anonymousAuth: string;
  podCidr?: string;
  cniBridge?: string;
  containerLogMaxSize: string;
  containerLogMaxFiles: string;
  containerLogMonitorInterval: string;
}

/** parseMap parses `k=v,k2=v2` as upstream's map flags. */
export function parseMap(s: string | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new Error(`invalid argument "${s}" for "${flag}": ${part} must be formatted as key=value`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** parseTaints parses `key=value:Effect` / `key:Effect` as --register-with-taints. */
export function parseTaints(s: string | undefined): Taint[] {
  const out: Taint[] = [];
  for (const spec of (s ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(spec);
    if (!m) throw new Error(`invalid taint spec: ${spec}, unknown taint effect or wrong format (want key=value:Effect)`);
    out.push({ key: m[1]!, ...(m[2] !== undefined ? { value: m[2] } : {}), effect: m[3]! });
  }
  return out;
}

export function registerKubelet(program: Command): void {
  program
    .command('kubelet')
    .description('Run the node agent: registers the Node and runs the pods bound to it')
    .option('--kubeconfig <path>', '(api) kubeconfig to reach the apiserver (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--node-name <name>', '(node) name of the Node object (default: the host name)')
    .option('--node-ip <ip>', '(node) IP reported as InternalIP and used as the pod IP (default: first non-loopback IPv4)')
    .option('--node-labels <k=v,...>', '(node) labels to add when registering the Node')
    .option('--register-with-taints <key=value:Effect,...>', '(node) taints to register the Node with')
    .option('--capacity <name=quantity,...>', '(node) override the reported capacity (cpu, memory, pods, ephemeral-storage)')
    .option('--system-reserved <name=quantity,...>', '(node) resources reserved for the system, subtracted for allocatable')
    .option('--container-runtime <name>', '(runtime) process (default) or simulated', 'process')
    .option('--root-dir <dir>', '(runtime) directory for pods, logs and runtime state (default <data-dir>/agent/kubelet)')
    .option('--network <mode>', '(network) host (pods share the node network) or cni (own network namespace and pod-CIDR IP per pod through the CNI bridge plugin; root)', 'host')
    .option('--pod-cidr <cidr>', '(network) pod CIDR for --network cni (default: the Node spec.podCIDR the controllers assign)')
    .option('--cni-bridge <name>', '(network) bridge for --network cni (default k8ts0)')
    .option('--container-log-max-size <quantity>', '(runtime) size a container log grows to before it is rotated', '10Mi')
    .option('--container-log-max-files <n>', '(runtime) most log files kept per container, the current one included (at least 2)', '5')
    .option('--container-log-monitor-interval <duration>', '(runtime) how often container logs are checked for rotation', '10s')
    .option('--pod-manifest-path <dir>', '(runtime) directory of static pod manifests')
    .option('--address <ip>', '(server) address of the kubelet API (without the (auth) flags it is open to anyone who reaches it)', '127.0.0.1')
    .option('--port <port>', '(server) port of the kubelet API', '10250')
    .option('--tls-cert-file <path>', '(server) serve HTTPS with this certificate')
    .option('--tls-private-key-file <path>', '(server) private key of --tls-cert-file')
    .option('--client-ca-file <path>', '(auth) trust client certificates signed by this CA (CN = user, O = groups); needs --tls-cert-file')
    .option('--authentication-token-webhook', '(auth) check bearer tokens with TokenReview at the apiserver')
    .option('--authorization-mode <mode>', '(auth) AlwaysAllow, or Webhook (SubjectAccessReview on nodes/proxy, nodes/stats, ...)', 'AlwaysAllow')
    .option('--anonymous-auth <bool>', '(auth) let unauthenticated requests in as system:anonymous (only consulted when authentication is on)', 'false')
    .action(async (f: Flags) => {
      // Upstream's kubelet defaults (kubeAPIQPS 50, kubeAPIBurst 100): client-go's 5/10 would
      // queue a node's pod status updates for tens of seconds.
      const client = new RestClient({ ...loadRestConfig({ kubeconfig: f.kubeconfig }), userAgent: 'k8ts-kubelet', qps: 50, burst: 100 });
      const dataDir = process.getuid?.() === 0 ? '/var/lib/k8ts' : join(homedir(), '.k8ts');
      const nodeName = f.nodeName ?? defaultHostname();
      const kubelet = new Kubelet({
        client,
        nodeName,
        nodeIP: f.nodeIp ?? hostIPv4(),
        rootDir: f.rootDir ?? join(dataDir, 'agent', 'kubelet'),
        containerRuntime: f.containerRuntime,
        nodeLabels: parseMap(f.nodeLabels, '--node-labels'),
        registerWithTaints: parseTaints(f.registerWithTaints),
        capacity: f.capacity ? parseMap(f.capacity, '--capacity') : undefined,
        systemReserved: f.systemReserved ? parseMap(f.systemReserved, '--system-reserved') : undefined,
        address: f.address,
        port: Number(f.port),
        tls: f.tlsCertFile && f.tlsPrivateKeyFile ? { cert: readFileSync(f.tlsCertFile), key: readFileSync(f.tlsPrivateKeyFile), ...(f.clientCaFile ? { clientCA: readFileSync(f.clientCaFile) } : {}) } : undefined,
        // Authentication is on once any of its flags is: the kubelet API then refuses unknown callers.
        auth:
          f.clientCaFile || f.authenticationTokenWebhook || f.authorizationMode === 'Webhook'
            ? { tokenWebhook: f.authenticationTokenWebhook === true, authorization: f.authorizationMode === 'Webhook' ? 'Webhook' : 'AlwaysAllow', anonymous: f.anonymousAuth === 'true' }
            : undefined,
        podManifestPath: f.podManifestPath,
        network: f.network === 'cni' ? 'cni' : 'host',
        podCIDR: f.podCidr,
        cniBridge: f.cniBridge,
        containerLogMaxSize: parseQuantity(f.containerLogMaxSize).value(),
        containerLogMaxFiles: Number(f.containerLogMaxFiles),
        containerLogMonitorInterval: parseSimpleDuration(f.containerLogMonitorInterval, '--container-log-monitor-interval'),
      });
      if (!Number.isInteger(Number(f.containerLogMaxFiles)) || Number(f.containerLogMaxFiles) < 2) throw new Error(`invalid configuration: containerLogMaxFiles must be greater than 1, got ${f.containerLogMaxFiles}`);
      if (f.authorizationMode !== 'Webhook' && f.authorizationMode !== 'AlwaysAllow') throw new Error(`invalid argument "${f.authorizationMode}" for "--authorization-mode": AlwaysAllow or Webhook`);
      if (f.clientCaFile && !f.tlsCertFile) throw new Error('--client-ca-file needs --tls-cert-file and --tls-private-key-file');
      if (f.network !== 'cni' && f.network !== 'host') throw new Error(`invalid argument "${f.network}" for "--network": host or cni`);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      process.once('SIGTERM', () => ac.abort());
      await kubelet.run(ac.signal, () => console.error(`k8ts kubelet: node ${nodeName} running (${f.containerRuntime} runtime), kubelet API on ${kubelet.server.url}`));
      client.close();
      process.exit(0);
    });
}

/** parseSimpleDuration reads a one-unit Go duration (`500ms`, `10s`, `1m`, `1h`) in ms. */
function parseSimpleDuration(v: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(v);
  if (!m) throw new Error(`invalid argument "${v}" for "${flag}": a duration such as 10s`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}
