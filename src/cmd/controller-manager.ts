/**
 * `k8ts controller-manager`: flags named as kube-controller-manager's, then run.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { RestClient, loadRestConfig } from '../client/index.js';
import { enabledControllers, runControllerManager } from '../controllers/index.js';

interface Flags {
  kubeconfig?: string;
  master?: string;
  leaderElect: string | boolean;
  leaderElectLeaseDuration: string;
  leaderElectRenewDeadline: string;
  leaderElectRetryPeriod: string;
  controllers: string;
  kubeApiQps: string;
  kubeApiBurst: string;
  concurrentDeploymentSyncs: string;
  concurrentReplicasetSyncs: string;
  concurrentRcSyncs: string;
  concurrentGcSyncs: string;
  concurrentNamespaceSyncs: string;
  concurrentServiceaccountSyncs: string;
  concurrentEndpointSyncs: string;
  concurrentServiceEndpointSyncs: string;
  mirroringConcurrentServiceEndpointSyncs: string;
  mirroringMaxEndpointsPerSubset: string;
  rootCaFile?: string;
  nodeMonitorGracePeriod: string;
  podEvictionTimeout: string;
  terminatedPodGcThreshold: string;
  allocateNodeCidrs: string | boolean;
  clusterCidr: string;
  nodeCidrMaskSize: string;
}

/** parseDuration reads a Go duration (`1h2m3.5s`, `500ms`) into milliseconds. */
export function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]!]!;
    pos = re.lastIndex;
  }
  if (pos !== s.length || s.length === 0) throw new Error(`invalid duration "${s}"`);
  return total;
}

const bool = (v: string | boolean): boolean => v === true || v === 'true' || v === '1';

export function registerControllerManager(program: Command): void {
  program
    .command('controller-manager')
    .description('Run the Kubernetes controller manager')
    .option('--kubeconfig <path>', '(generic) path to a kubeconfig file')
    .option('--master <url>', '(generic) the address of the API server (overrides the kubeconfig)')
    .option('--controllers <list>', "(generic) controllers to enable: '*' for the defaults, 'foo' enables, '-foo' disables", '*')
    .option('--kube-api-qps <n>', '(generic) QPS to use while talking with the apiserver', '20')
    .option('--kube-api-burst <n>', '(generic) burst to use while talking with the apiserver', '30')
    .option('--leader-elect [bool]', '(leader election) elect a leader before running controllers', 'true')
    .option('--leader-elect-lease-duration <d>', '(leader election) how long non-leaders wait before taking over', '15s')
    .option('--leader-elect-renew-deadline <d>', '(leader election) how long the leader retries renewing', '10s')
    .option('--leader-elect-retry-period <d>', '(leader election) the interval between attempts', '2s')
    .option('--concurrent-deployment-syncs <n>', '(deployment) deployments synced concurrently', '5')
    .option('--concurrent-replicaset-syncs <n>', '(replicaset) replica sets synced concurrently', '5')
    .option('--concurrent-rc-syncs <n>', '(replicationcontroller) replication controllers synced concurrently', '5')
    .option('--concurrent-gc-syncs <n>', '(garbagecollector) garbage collector workers', '20')
    .option('--concurrent-namespace-syncs <n>', '(namespace) namespaces synced concurrently', '10')
    .option('--concurrent-serviceaccount-syncs <n>', '(serviceaccount) service accounts synced concurrently', '5')
    .option('--concurrent-endpoint-syncs <n>', '(endpoint) endpoints synced concurrently', '5')
    .option('--concurrent-service-endpoint-syncs <n>', '(endpointslice) endpoint slices synced concurrently', '5')
    .option('--mirroring-concurrent-service-endpoint-syncs <n>', '(endpointslicemirroring) endpoints mirrored concurrently', '5')
    .option('--mirroring-max-endpoints-per-subset <n>', '(endpointslicemirroring) addresses mirrored per Endpoints subset', '1000')
    .option('--root-ca-file <path>', '(serviceaccount) root CA published in every namespace as kube-root-ca.crt')
    .option('--node-monitor-grace-period <d>', '(nodelifecycle) how long a node may be silent before it is marked unhealthy', '40s')
    .option('--pod-eviction-timeout <d>', '(nodelifecycle) unused with taint-based eviction, accepted for compatibility', '5m0s')
    .option('--terminated-pod-gc-threshold <n>', '(podgc) terminated pods kept before the collector deletes them', '12500')
    .option('--allocate-node-cidrs [bool]', '(nodeipam) allocate pod CIDRs to nodes', 'false')
    .option('--cluster-cidr <cidr>', '(nodeipam) CIDR range for pods', '10.42.0.0/16')
    .option('--node-cidr-mask-size <n>', '(nodeipam) mask size of each node CIDR', '24')
    .action(async (f: Flags) => {
      const controllers = f.controllers.split(',');
      try {
        enabledControllers(controllers);
      } catch (err) {
        console.error(`Error: ${(err as Error).message}`);
        process.exit(1);
      }
      console.error(`k8ts controller-manager: starting (controllers: ${enabledControllers(controllers).join(', ')})`);
      const cfg = loadRestConfig(f.kubeconfig ? { kubeconfig: f.kubeconfig } : {});
      if (f.master) cfg.host = f.master;
      cfg.qps = Number(f.kubeApiQps);
      cfg.burst = Number(f.kubeApiBurst);
      cfg.userAgent = 'kube-controller-manager/k8ts';
      const client = new RestClient(cfg);
      const ctl = new AbortController();
      const stop = (): void => ctl.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const { lost } = await runControllerManager(
        {
          client,
          controllers,
          leaderElect: bool(f.leaderElect),
          leaseDurationMs: parseDuration(f.leaderElectLeaseDuration),
          renewDeadlineMs: parseDuration(f.leaderElectRenewDeadline),
          retryPeriodMs: parseDuration(f.leaderElectRetryPeriod),
          concurrency: {
            deployment: Number(f.concurrentDeploymentSyncs),
            replicaset: Number(f.concurrentReplicasetSyncs),
            replicationcontroller: Number(f.concurrentRcSyncs),
            garbagecollector: Number(f.concurrentGcSyncs),
            namespace: Number(f.concurrentNamespaceSyncs),
            serviceaccount: Number(f.concurrentServiceaccountSyncs),
            endpoint: Number(f.concurrentEndpointSyncs),
            endpointslice: Number(f.concurrentServiceEndpointSyncs),
            endpointslicemirroring: Number(f.mirroringConcurrentServiceEndpointSyncs),
          },
          settings: {
            ...(f.rootCaFile ? { rootCA: readFileSync(f.rootCaFile, 'utf8') } : {}),
            nodeMonitorGracePeriodMs: parseDuration(f.nodeMonitorGracePeriod),
            terminatedPodGCThreshold: Number(f.terminatedPodGcThreshold),
            allocateNodeCIDRs: bool(f.allocateNodeCidrs),
            clusterCIDR: f.clusterCidr,
            nodeCIDRMaskSize: Number(f.nodeCidrMaskSize),
            mirroringMaxEndpointsPerSubset: Number(f.mirroringMaxEndpointsPerSubset),
          },
          onStartedLeading: () => console.error('k8ts controller-manager: started leading'),
        },
        ctl.signal,
      );
      if (lost) {
        console.error('k8ts controller-manager: leaderelection lost');
        process.exit(1);
      }
      process.exit(0);
    });
}
