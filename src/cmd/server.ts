/**
 * `k8ts server`: the whole cluster in one process (k3s server). Flags are k3s's, grouped by
 * category in --help; each also comes from `K8TS_<FLAG>` or the config file (config.ts).
 */
import type { Command } from 'commander';
import { defaultDataDir } from '../storage/index.js';
import { DirLockedError, startServer, type ProgressEvent } from '../server/index.js';
import { parseMap, parseTaints } from './kubelet.js';
import { addNodeFlags, collect, onStopSignals, withEnvAndConfig } from './config.js';

interface Flags {
  v: string;
  bindAddress: string;
  httpsListenPort: string;
  advertiseAddress?: string;
  tlsSan: string[];
  dataDir?: string;
  clusterCidr: string;
  serviceCidr: string;
  serviceNodePortRange: string;
  clusterDns: string;
  clusterDomain: string;
  token?: string;
  writeKubeconfig?: string;
  writeKubeconfigMode?: string;
  datastoreEndpoint: string;
  disable: string[];
  disableScheduler?: boolean;
  disableControllerManager?: boolean;
  disableAgent?: boolean;
  nodeName?: string;
  nodeIp?: string;
  nodeLabel: string[];
  nodeTaint: string[];
  containerRuntime: string;
  kubeletPort: string;
  stopPodsOnExit?: boolean;
}

/** KNOWN_DISABLE: names `--disable` accepts now; add-ons (dns, ingress, servicelb, ...) are accepted as not yet present. */
const KNOWN_DISABLE = new Set(['scheduler', 'controller-manager', 'agent', 'coredns', 'dns', 'ingress', 'traefik', 'servicelb', 'metrics-server', 'local-storage', 'proxy']);

/** progressLine renders one start-up step as `k8ts server: [ 0.123s] apiserver: ready (serving on ...)`. */
export function progressLine(e: ProgressEvent): string {
  const t = (e.elapsedMs / 1000).toFixed(3).padStart(7);
  return `k8ts server: [${t}s] ${e.component}: ${e.phase}${e.message ? ` (${e.message})` : ''}`;
}

export function registerServer(program: Command): void {
  const cmd = program
    .command('server')
    .description('Run a whole cluster in one process: datastore, apiserver, controller-manager, scheduler and a local node (k3s server)')
    .option('-v <n>', '(logging) log verbosity: 3 also logs every request on the HTTPS port (request latencies: GET /metrics)', '0')
    .option('--bind-address <ip>', '(listener) address the HTTPS port listens on', '0.0.0.0')
    .option('--https-listen-port <port>', '(listener) HTTPS port of the apiserver (0 picks a free port)', '6443')
    .option('--advertise-address <ip>', '(listener) address agents and the kubernetes Service use to reach this server (default: the node IP)')
    .option('--tls-san <name>', '(listener) extra hostname or IP for the serving certificate (repeatable)', collect, [])
    .option('--data-dir <dir>', '(data) directory for state and certificates (default /var/lib/k8ts as root, ~/.k8ts otherwise)')
    .option('--cluster-cidr <cidr>', '(networking) IPv4 CIDR for pod IPs', '10.42.0.0/16')
    .option('--service-cidr <cidr>', '(networking) IPv4 CIDR for Service ClusterIPs', '10.43.0.0/16')
    .option('--service-node-port-range <range>', '(networking) port range for NodePort Services', '30000-32767')
    .option('--cluster-dns <ip>', '(networking) cluster DNS Service IP (used once the DNS add-on lands)', '10.43.0.10')
    .option('--cluster-domain <domain>', '(networking) cluster domain (used once the DNS add-on lands)', 'cluster.local')
    .option('-t, --token <token>', '(cluster) shared secret agents join with (default: <data-dir>/server/token, generated on first start)')
    .option('-o, --write-kubeconfig <path>', '(client) also write the admin kubeconfig to this path')
    .option('--write-kubeconfig-mode <mode>', '(client) file mode of --write-kubeconfig, octal (default 0600)')
    .option('--datastore-endpoint <url>', "(db) sqlite (default, <data-dir>/server/db/state.db), sqlite:///abs/path.db or etcd http(s)://host:2379[,...]", '')
    .option('--disable <components>', '(components) do not start these (comma separated or repeated): scheduler, controller-manager, agent; later dns, ingress, servicelb', collect, [])
    .option('--disable-scheduler', '(components) do not run the scheduler')
    .option('--disable-controller-manager', '(components) do not run the controller-manager')
    .option('--disable-agent', '(components) do not run a local node (control plane only)');
  addNodeFlags(cmd, {
    nodeName: 'name of the local node (default: the host name)',
    stopPods: 'server stops (default: they keep running and the next start adopts them, as k3s)',
  });
  withEnvAndConfig(cmd);
  cmd.action(async (f: Flags) => {
    const disable = new Set(f.disable);
    for (const d of disable) if (!KNOWN_DISABLE.has(d)) cmd.error(`error: --disable: unknown component ${JSON.stringify(d)} (known: ${[...KNOWN_DISABLE].join(', ')})`);
    if (f.disableScheduler) disable.add('scheduler');
    if (f.disableControllerManager) disable.add('controller-manager');
    if (f.disableAgent) disable.add('agent');
    const nodeLabels = parseMap(f.nodeLabel.join(','), '--node-label');
    const nodeTaints = parseTaints(f.nodeTaint.join(','));
    const verbosity = Number(f.v) || 0;
    const out = (line: string): void => void process.stderr.write(`${line}\n`);
    // Signals are handled from the start: one arriving during start-up stops the server as soon as it is up.
    let server: Awaited<ReturnType<typeof startServer>> | undefined;
    let stopRequested = false;
    onStopSignals('k8ts server', () => {
      stopRequested = true;
      void server?.close();
    });
    try {
      server = await startServer({
        dataDir: f.dataDir ?? defaultDataDir(),
        datastoreEndpoint: f.datastoreEndpoint,
        ...(f.token ? { token: f.token } : {}),
        tlsSANs: f.tlsSan,
        bindAddress: f.bindAddress,
        httpsListenPort: Number(f.httpsListenPort),
        ...(f.advertiseAddress ? { advertiseAddress: f.advertiseAddress } : {}),
        ...(f.nodeName ? { nodeName: f.nodeName } : {}),
        ...(f.nodeIp ? { nodeIP: f.nodeIp } : {}),
        nodeLabels,
        nodeTaints,
        clusterCIDR: f.clusterCidr,
        serviceCIDR: f.serviceCidr,
        serviceNodePortRange: f.serviceNodePortRange,
        clusterDNS: f.clusterDns,
        clusterDomain: f.clusterDomain,
        ...(f.writeKubeconfig ? { writeKubeconfig: f.writeKubeconfig } : {}),
        ...(f.writeKubeconfigMode ? { writeKubeconfigMode: f.writeKubeconfigMode } : {}),
        containerRuntime: f.containerRuntime,
        disable: [...disable],
        kubeletPort: Number(f.kubeletPort),
        stopPodsOnExit: f.stopPodsOnExit === true,
        verbosity,
        // Times count from process start, so module loading is part of the reported figure.
        startedAt: 0,
        progress: (e) => out(progressLine(e)),
      });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      out(`k8ts server: ${err instanceof DirLockedError ? '' : 'failed to start: '}${msg}`);
      process.exit(1);
    }
    const onNode = server.nodeName ? `node ${server.nodeName} Ready` : 'control plane up';
    // CPU time next to wall time: on a busy machine the difference is time spent waiting for a core.
    const cpu = process.cpuUsage();
    out(
      [
        '',
        `k8ts server is ready: ${onNode} in ${(server.readyMs / 1000).toFixed(2)} s (${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU) since process start, API at ${server.url}`,
        '',
        `  kubeconfig:   ${server.kubeconfigPath}`,
        `  use it:       export KUBECONFIG=${server.kubeconfigPath}`,
        `                k8ts kubectl get nodes`,
        `  join a node:  k8ts agent --server ${server.joinURL} --token ${server.token}`,
        '',
      ].join('\n'),
    );
    if (stopRequested) void server.close();
    const failure = await server.done;
    if (failure) out(`k8ts server: stopped after a failure: ${failure.message}`);
    process.exit(failure ? 1 : 0);
  });
}
