/**
 * `k8ts apiserver`: flags named as kube-apiserver's (and k3s's for the datastore), then run.
 */
import type { Command } from 'commander';
import { startApiServer } from '../apiserver/index.js';

interface Flags {
  bindAddress: string;
  securePort: string;
  datastoreEndpoint: string;
  dataDir?: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  advertiseAddress?: string;
}

export function registerApiserver(program: Command): void {
  program
    .command('apiserver')
    .description('Run the Kubernetes API server (plain HTTP on loopback until TLS and authentication land)')
    .option('--bind-address <ip>', '(listener) address to listen on', '127.0.0.1')
    .option('--secure-port <port>', '(listener) port to serve the API on', '6443')
    .option('--advertise-address <ip>', '(listener) address published in the kubernetes Endpoints')
    .option('--datastore-endpoint <url>', "(db) sqlite (default), sqlite:///abs/path.db, 'sqlite::memory:' or etcd http(s)://host:2379", '')
    .option('--data-dir <dir>', '(data) directory for state (default /var/lib/k8ts as root, ~/.k8ts otherwise)')
    .option('--service-cluster-ip-range <cidr>', '(networking) CIDR for Service ClusterIPs', '10.43.0.0/16')
    .option('--service-node-port-range <range>', '(networking) port range for NodePort Services', '30000-32767')
    .action(async (f: Flags) => {
      const server = await startApiServer({
        bindAddress: f.bindAddress,
        port: Number(f.securePort),
        datastoreEndpoint: f.datastoreEndpoint,
        serviceClusterIPRange: f.serviceClusterIpRange,
        serviceNodePortRange: f.serviceNodePortRange,
        ...(f.dataDir ? { dataDir: f.dataDir } : {}),
        ...(f.advertiseAddress ? { advertiseAddress: f.advertiseAddress } : {}),
      });
      console.error(`k8ts apiserver: serving on ${server.url}`);
      const stop = (): void => {
        server.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
