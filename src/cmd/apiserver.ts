/**
 * `k8ts apiserver`: flags named as kube-apiserver's (and k3s's for the datastore and data dir),
 * then run. Secure by default: TLS with a generated CA, client-certificate and token
 * authentication, Node+RBAC authorization, anonymous access only to the public health and
 * version endpoints; the admin kubeconfig is written to `<data-dir>/kubeconfig.yaml`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { startApiServer } from '../apiserver/index.js';
import { AVAILABLE_ADMISSION_PLUGINS, enabledAdmissionPlugins } from '../apiserver/admission/index.js';
import { kubeconfigYAML, type ClusterPKI } from '../pki/index.js';
import { defaultDataDir } from '../storage/index.js';
import { hostIPv4 } from '../util/net.js';

interface Flags {
  bindAddress: string;
  securePort: string;
  datastoreEndpoint: string;
  dataDir?: string;
  serviceClusterIpRange: string;
  serviceNodePortRange: string;
  advertiseAddress?: string;
  tlsSan: string[];
  tokenAuthFile?: string;
  authorizationMode: string;
  anonymousAuth?: boolean;
  insecureHttp: boolean;
  writeKubeconfig?: string;
  serviceAccountIssuer: string[];
  serviceAccountKeyFile?: string;
  apiAudiences: string[];
  token?: string;
  enableBootstrapTokenAuth: boolean;
  legacyServiceAccountTokens: boolean;
  enableAdmissionPlugins: string[];
  disableAdmissionPlugins: string[];
  encryptionProviderConfig?: string;
  auditPolicyFile?: string;
  auditLogPath?: string;
  kubeletCertificateAuthority?: string;
  kubeletInsecureSkipTlsVerify: boolean;
  enablePriorityAndFairness: boolean;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
}

const parseBool = (v: string | undefined): boolean => {
  if (v === undefined || v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new Error(`invalid boolean ${JSON.stringify(v)}`);
};

/** inflightLimit parses an in-flight limit flag as kube-apiserver's: an integer, not negative. */
const inflightLimit = (flag: string) => (v: string): number => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n)) throw new InvalidArgumentError('not an integer.');
  if (n < 0) throw new InvalidArgumentError(`${flag} can not be negative value`);
  return n;
};

const collect = (v: string, prev: string[]): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerApiserver(program: Command): void {
  program
    .command('apiserver')
    .description('Run the Kubernetes API server (HTTPS, authentication and RBAC by default)')
    .option('--bind-address <ip>', '(listener) address to listen on (all interfaces by default, as kube-apiserver and k3s)', '0.0.0.0')
    .option('--secure-port <port>', '(listener) port to serve the API on (0 picks a free port)', '6443')
    .option('--advertise-address <ip>', '(listener) address published in the kubernetes Endpoints')
    .option('--tls-san <name>', '(listener) extra hostname or IP for the serving certificate (repeatable)', collect, [])
    .option('--insecure-http', '(listener) serve plain HTTP without TLS (tests only; client certificates cannot be used)', false)
    .option('--datastore-endpoint <url>', "(db) sqlite (default), sqlite:///abs/path.db, 'sqlite::memory:' or etcd http(s)://host:2379", '')
    .option('--data-dir <dir>', '(data) directory for state and certificates (default /var/lib/k8ts as root, ~/.k8ts otherwise)')
    .option('--write-kubeconfig <path>', '(client) also write the admin kubeconfig to this path')
    .option('-t, --token <token>', '(cluster) join token agents use to get node certificates (default generated into <data-dir>/server/token)')
    .option('--enable-bootstrap-token-auth', '(auth) accept bootstrap tokens from kube-system bootstrap-token-<id> Secrets', false)
    .option('--legacy-service-account-tokens', '(auth) fill and accept secret-based ServiceAccount tokens (kubernetes.io/service-account-token Secrets)', false)
    .option('--token-auth-file <file>', '(auth) static bearer tokens: CSV token,user,uid,"group1,group2"')
    .option('--authorization-mode <modes>', '(auth) ordered authorization modes: Node, RBAC, AlwaysAllow, AlwaysDeny', 'Node,RBAC')
    .option('--anonymous-auth [bool]', '(auth) true: unauthenticated requests are system:anonymous everywhere (RBAC decides); false: nowhere; default: only /healthz, /livez, /readyz, /version', parseBool)
    .option('--service-account-issuer <url>', '(auth) issuer of service-account tokens; the first signs, all are accepted (repeatable)', collect, [])
    .option('--service-account-key-file <file>', '(auth) PEM private key that signs service-account tokens (default generated into the data dir)')
    .option('--api-audiences <list>', '(auth) audiences the API accepts in tokens (default the issuer)', collect, [])
    .option('--enable-admission-plugins <names>', `(admission) admission plugins to turn on besides the defaults (${AVAILABLE_ADMISSION_PLUGINS.join(', ')})`, collect, [])
    .option('--disable-admission-plugins <names>', '(admission) default admission plugins to turn off', collect, [])
    .option('--encryption-provider-config <file>', '(db) EncryptionConfiguration (apiserver.config.k8s.io/v1): encrypt resources such as secrets at rest with aescbc/aesgcm')
    .option('--audit-policy-file <file>', '(audit) audit.k8s.io/v1 Policy deciding what is logged at which level')
    .option('--audit-log-path <path>', "(audit) file the audit Events are appended to as JSON lines ('-' for standard output)")
    .option('--kubelet-certificate-authority <file>', '(kubelet) CA (PEM) that verifies kubelet serving certificates when proxying logs/exec/attach/port-forward (default: the server CA, which signs them)')
    .option('--kubelet-insecure-skip-tls-verify', "(kubelet) do not verify kubelets' serving certificates (kubelets whose certificates no known CA signed)", false)
    .option('--enable-priority-and-fairness [bool]', '(limits) queue requests over the limit fairly by FlowSchema and priority level (API Priority and Fairness); false: answer 429 at once past the max-in-flight limits', parseBool, true)
    .option('--max-requests-inflight <n>', '(limits) read-only requests in flight (with priority and fairness: added to the mutating limit as the server concurrency limit)', inflightLimit('--max-requests-inflight'), 400)
    .option('--max-mutating-requests-inflight <n>', '(limits) mutating requests in flight (with priority and fairness: see --max-requests-inflight)', inflightLimit('--max-mutating-requests-inflight'), 200)
    .option('--service-cluster-ip-range <cidr>', '(networking) CIDR for Service ClusterIPs', '10.43.0.0/16')
    .option('--service-node-port-range <range>', '(networking) port range for NodePort Services', '30000-32767')
    .action(async (f: Flags) => {
      if (f.enablePriorityAndFairness && f.maxRequestsInflight + f.maxMutatingRequestsInflight <= 0) {
        // APF divides their sum among the priority levels, as upstream's BuildPriorityAndFairness.
        throw new Error(`invalid configuration: MaxRequestsInFlight=${f.maxRequestsInflight} and MaxMutatingRequestsInFlight=${f.maxMutatingRequestsInflight}; they must add up to something positive`);
      }
      const dataDir = f.dataDir ?? defaultDataDir();
      const server = await startApiServer({
        bindAddress: f.bindAddress,
        port: Number(f.securePort),
        datastoreEndpoint: f.datastoreEndpoint,
        serviceClusterIPRange: f.serviceClusterIpRange,
        serviceNodePortRange: f.serviceNodePortRange,
        dataDir,
        advertiseAddress: f.advertiseAddress ?? hostIPv4(),
        enablePriorityAndFairness: f.enablePriorityAndFairness,
        maxRequestsInflight: f.maxRequestsInflight,
        maxMutatingRequestsInflight: f.maxMutatingRequestsInflight,
        enableAdmissionPlugins: enabledAdmissionPlugins(f.enableAdmissionPlugins, f.disableAdmissionPlugins),
        ...(f.kubeletInsecureSkipTlsVerify ? { kubeletCertificateAuthority: false as const } : f.kubeletCertificateAuthority ? { kubeletCertificateAuthority: readFileSync(f.kubeletCertificateAuthority, 'utf8') } : {}),
        ...(f.encryptionProviderConfig ? { encryptionProviderConfig: f.encryptionProviderConfig } : {}),
        // As kube-apiserver: auditing needs both a policy and a log.
        ...(f.auditPolicyFile && f.auditLogPath ? { audit: { policy: f.auditPolicyFile, log: f.auditLogPath } } : {}),
        security: {
          dataDir,
          tls: !f.insecureHttp,
          tlsSANs: f.tlsSan,
          authorizationModes: f.authorizationMode.split(',').map((s) => s.trim()).filter(Boolean),
          ...(f.anonymousAuth !== undefined ? { anonymousAuth: f.anonymousAuth } : {}),
          ...(f.tokenAuthFile ? { tokenAuthFile: f.tokenAuthFile } : {}),
          ...(f.serviceAccountKeyFile ? { serviceAccountKeyFile: f.serviceAccountKeyFile } : {}),
          serviceAccountIssuers: f.serviceAccountIssuer,
          apiAudiences: f.apiAudiences,
          ...(f.token ? { joinToken: f.token } : {}),
          ...(f.enableBootstrapTokenAuth ? { enableBootstrapTokenAuth: true } : {}),
          ...(f.legacyServiceAccountTokens ? { legacyServiceAccountTokens: true } : {}),
        },
      });
      const writeKubeconfigs = (pki: ClusterPKI): void => {
        const yaml = kubeconfigYAML({ server: server.url, caPem: pki.serverCA.certPem, certPem: pki.admin.certPem, keyPem: pki.admin.keyPem });
        for (const path of [join(dataDir, 'kubeconfig.yaml'), ...(f.writeKubeconfig ? [f.writeKubeconfig] : [])]) {
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, yaml, { mode: 0o600 });
        }
      };
      if (server.security?.pki) {
        writeKubeconfigs(server.security.pki);
        // A renewed admin certificate is written out again.
        server.security.watchTLS((_tls, pki) => writeKubeconfigs(pki));
      }
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
