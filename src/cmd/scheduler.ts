/**
 * `k8ts scheduler`: flags named as kube-scheduler's, then run; `k8ts scheduler explain
 * <ns>/<pod>` explains one pod's placement.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadRestConfig, RestClient } from '../client/index.js';
import { loadConfig, resolveConfig, type ResolvedConfig } from '../scheduler/config/config.js';
import { explainPod, formatExplain } from '../scheduler/explain.js';
import { startScheduler } from '../scheduler/run.js';

interface Flags {
  config?: string;
  kubeconfig?: string;
  master?: string;
  leaderElect?: boolean;
  leaderElectLeaseDuration?: string;
  leaderElectRenewDeadline?: string;
  leaderElectRetryPeriod?: string;
  leaderElectResourceName?: string;
  leaderElectResourceNamespace?: string;
  kubeApiQps?: string;
  kubeApiBurst?: string;
}

/** resolve applies the flags over the --config file, as kube-scheduler does for its deprecated flags. */
function resolve(f: Flags): { config: ResolvedConfig; client: RestClient } {
  const config = f.config ? loadConfig(readFileSync(f.config, 'utf8')) : resolveConfig();
  const le = config.leaderElection;
  if (f.leaderElect !== undefined) le.leaderElect = f.leaderElect;
  if (f.leaderElectLeaseDuration) le.leaseDuration = f.leaderElectLeaseDuration;
  if (f.leaderElectRenewDeadline) le.renewDeadline = f.leaderElectRenewDeadline;
  if (f.leaderElectRetryPeriod) le.retryPeriod = f.leaderElectRetryPeriod;
  if (f.leaderElectResourceName) le.resourceName = f.leaderElectResourceName;
  if (f.leaderElectResourceNamespace) le.resourceNamespace = f.leaderElectResourceNamespace;
  const kubeconfig = f.kubeconfig ?? config.kubeconfig;
  const rc = loadRestConfig({ ...(kubeconfig ? { kubeconfig } : {}), ...(f.master ? { server: f.master } : {}) });
  // kube-scheduler's clientConnection defaults: 50 qps, burst 100
  rc.qps = Number(f.kubeApiQps ?? config.clientQPS ?? 50);
  rc.burst = Number(f.kubeApiBurst ?? config.clientBurst ?? 100);
  rc.userAgent ??= 'k8ts-scheduler';
  return { config, client: new RestClient(rc) };
}

export function registerScheduler(program: Command): void {
  const cmd = program
    .command('scheduler')
    .description('Run the Kubernetes scheduler: bind pending pods to nodes (kube-scheduler)')
    .option('--config <file>', '(misc) KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)')
    .option('--kubeconfig <file>', '(misc) kubeconfig file with authorization and master location')
    .option('--master <url>', '(misc) address of the API server (overrides the kubeconfig)')
    .option('--leader-elect [bool]', '(leader election) campaign for leadership before scheduling (default true; --leader-elect=false as upstream)', (v: string) => v !== 'false')
    .option('--no-leader-elect', '(leader election) schedule without leader election')
    .option('--leader-elect-lease-duration <d>', '(leader election) lease duration', undefined)
    .option('--leader-elect-renew-deadline <d>', '(leader election) renew deadline', undefined)
    .option('--leader-elect-retry-period <d>', '(leader election) retry period', undefined)
    .option('--leader-elect-resource-name <name>', '(leader election) Lease name (default kube-scheduler)')
    .option('--leader-elect-resource-namespace <ns>', '(leader election) Lease namespace (default kube-system)')
    .option('--kube-api-qps <n>', '(misc) QPS to the apiserver (default 50)')
    .option('--kube-api-burst <n>', '(misc) burst to the apiserver (default 100)')
    .action(async (f: Flags) => {
      const { config, client } = resolve(f);
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      console.error(`k8ts scheduler: profiles ${config.profiles.map((p) => p.schedulerName).join(', ')}; leader election ${config.leaderElection.leaderElect ? 'on' : 'off'}`);
      await startScheduler({ client, config, signal: ac.signal });
      client.close();
    });
  cmd
    .command('explain <pod>')
    .description('Explain, for every node, which filter rejects the pod (namespace/name) and why, and the scores of the rest')
    .action(async (podRef: string, _o: unknown, sub: Command) => {
      const f = sub.parent!.opts<Flags>();
      const [ns, name] = podRef.includes('/') ? podRef.split('/', 2) : ['default', podRef];
      const { config, client } = resolve(f);
      try {
        process.stdout.write(formatExplain(await explainPod(client, config, ns!, name!)));
      } finally {
        client.close();
      }
    });
}
