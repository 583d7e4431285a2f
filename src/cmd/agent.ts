/**
 * `k8ts agent`: join this machine (or N simulated nodes) to a k8ts server (k3s agent). Flags are
 * k3s's; each also comes from `K8TS_<FLAG>` or the config file (config.ts).
 */
import type { Command } from 'commander';
import { defaultDataDir } from '../storage/index.js';
import { startAgent } from '../agent/index.js';
import { loadRestConfig, RestClient } from '../client/index.js';
import { parseMap, parseTaints } from './kubelet.js';
import { addNodeFlags, onStopSignals, withEnvAndConfig } from './config.js';

interface Flags {
  server?: string;
  token?: string;
  dataDir?: string;
  nodeName?: string;
  nodeIp?: string;
  nodeLabel: string[];
  nodeTaint: string[];
  containerRuntime: string;
  kubeletPort: string;
  simulateNodes: string;
  kubeconfig?: string;
  stopPodsOnExit?: boolean;
}

export function registerAgent(program: Command): void {
  const cmd = program
    .command('agent')
    .description('Join a node to a k8ts server: runs a kubelet against it (k3s agent)')
    .option('-s, --server <url>', '(cluster) server to join, as printed by k8ts server (https://host:6443)')
    .option('-t, --token <token>', '(cluster) join token, as printed by k8ts server (or in <server data-dir>/server/token)')
    .option('-d, --data-dir <dir>', '(agent/data) directory for the node\'s state (default /var/lib/k8ts as root, ~/.k8ts otherwise)')
    .option('--simulate-nodes <n>', '(agent/node) host N simulated nodes (<node-name>-0 … -N-1, simulated runtime) instead of this machine', '0')
    .option('--kubeconfig <file>', "(agent/node) with --simulate-nodes: host them kwok-style on one watch with this kubeconfig's identity (e.g. the admin's; no --server/--token then)");
  addNodeFlags(cmd, {
    nodeName: 'node name (default: the host name); with --simulate-nodes the prefix of the names',
    stopPods: 'agent stops (default: they keep running)',
  });
  withEnvAndConfig(cmd);
  cmd.action(async (f: Flags) => {
    const simulate = Number(f.simulateNodes);
    if (!Number.isInteger(simulate) || simulate < 0) cmd.error(`error: --simulate-nodes: want a whole number, got ${JSON.stringify(f.simulateNodes)}`);
    if (f.kubeconfig && simulate === 0) cmd.error('error: --kubeconfig is for --simulate-nodes; a real node joins with --server and --token');
    const simulateWith = f.kubeconfig ? new RestClient({ ...loadRestConfig({ kubeconfig: f.kubeconfig }), userAgent: 'k8ts-simulated-nodes', qps: Infinity }) : undefined;
    if (!simulateWith && !f.server) cmd.error('error: --server is required (or K8TS_SERVER, or server: in the config file)');
    if (!simulateWith && !f.token) cmd.error('error: --token is required (or K8TS_TOKEN, or token: in the config file)');
    const out = (line: string): void => void process.stderr.write(`${line}\n`);
    // Signals are handled from the start: one arriving while joining stops the agent once it is up.
    let agent: Awaited<ReturnType<typeof startAgent>> | undefined;
    let stopRequested = false;
    onStopSignals('k8ts agent', () => {
      stopRequested = true;
      void agent?.close();
    });
    try {
      agent = await startAgent({
        server: (f.server ?? simulateWith?.config.host ?? '').replace(/\/+$/, ''),
        token: f.token ?? '',
        ...(simulateWith ? { simulateWith } : {}),
        dataDir: f.dataDir ?? defaultDataDir(),
        ...(f.nodeName ? { nodeName: f.nodeName } : {}),
        ...(f.nodeIp ? { nodeIP: f.nodeIp } : {}),
        nodeLabels: parseMap(f.nodeLabel.join(','), '--node-label'),
        nodeTaints: parseTaints(f.nodeTaint.join(',')),
        containerRuntime: f.containerRuntime,
        kubeletPort: Number(f.kubeletPort),
        simulateNodes: simulate,
        stopPodsOnExit: f.stopPodsOnExit === true,
        startedAt: 0,
        progress: (e) => out(`k8ts agent: [${(e.elapsedMs / 1000).toFixed(3).padStart(7)}s] ${e.component}: ${e.phase}${e.message ? ` (${e.message})` : ''}`),
      });
    } catch (err) {
      out(`k8ts agent: failed to join: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    }
    const what = agent.nodeNames.length === 1 ? `node ${agent.nodeNames[0]}` : `${agent.nodeNames.length} simulated nodes`;
    out(`k8ts agent: ${what} joined ${f.server ?? simulateWith?.config.host} and Ready in ${(agent.readyMs / 1000).toFixed(2)} s`);
    if (stopRequested) void agent.close();
    const failure = await agent.done;
    if (failure) out(`k8ts agent: stopped after a failure: ${failure.message}`);
    process.exit(failure ? 1 : 0);
  });
}
