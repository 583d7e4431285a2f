/**
 * The cluster's PKI on disk, as k3s lays it out under `<data-dir>/server/tls`: a server CA that
 * signs serving certificates, a separate client CA that signs client identities, the
 * apiserver's serving certificate, the admin's client certificate (group system:masters) and the
 * apiserver's client certificate towards kubelets (kube-apiserver-kubelet-client).
 * Created on first start, reused after, renewed when they near expiry or miss a wanted SAN.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { canonicalIP, certInfo, createCA, signCert, type CertKey } from './certs.js';

export { certInfo, createCA, createCSR, issue, readCSR, signCert, type CertInfo, type CertKey, type CertOptions, type CSRInfo } from './certs.js';

/** RENEW_BEFORE_DAYS: leaf certificates are reissued this long before they expire (as k3s). */
export const RENEW_BEFORE_DAYS = 90;

export interface ClusterPKI {
  dir: string;
  serverCA: CertKey;
  clientCA: CertKey;
  serving: CertKey;
  admin: CertKey;
  /** kubeletClient is the apiserver's identity towards kubelets (kube-apiserver-kubelet-client, group system:masters; `--kubelet-client-certificate`). */
  kubeletClient: CertKey;
  /** paths of every PEM file, for flags such as --tls-cert-file. */
  files: {
    serverCACert: string;
    serverCAKey: string;
    clientCACert: string;
    clientCAKey: string;
    servingCert: string;
    servingKey: string;
    adminCert: string;
    adminKey: string;
    kubeletClientCert: string;
    kubeletClientKey: string;
  };
}

export interface EnsurePKIOptions {
  /** tlsSANs are extra names or addresses for the serving certificate (--tls-san). */
  tlsSANs?: string[];
  /** serviceIP is the first address of the service range (the `kubernetes` Service). */
  serviceIP?: string;
  now?: Date;
}

const isIP = (s: string): boolean => /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':');

/** servingSANs lists the names the apiserver is reached by: localhost, the host and --tls-san. */
export function servingSANs(opts: EnsurePKIOptions): { dnsNames: string[]; ipAddresses: string[] } {
  const names = new Set<string>(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname()]);
  const ips = new Set<string>(['127.0.0.1', '::1']);
  if (opts.serviceIP) ips.add(opts.serviceIP);
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (!a.internal) ips.add(a.address);
  for (const s of opts.tlsSANs ?? []) (isIP(s) ? ips : names).add(s);
  return { dnsNames: [...names], ipAddresses: [...ips].map(canonicalIP) };
}

function read(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function writePrivate(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

async function loadOrCreate(certPath: string, keyPath: string, fresh: (old: CertKey | undefined) => boolean, make: () => Promise<CertKey>): Promise<CertKey> {
  const certPem = read(certPath);
  const keyPem = read(keyPath);
  const old = certPem && keyPem ? { certPem, keyPem } : undefined;
  if (old && fresh(old)) return old;
  const made = await make();
  writePrivate(keyPath, made.keyPem);
  writePrivate(certPath, made.certPem);
  return made;
}

/**
 * ensurePKI loads the cluster PKI from `<dataDir>/server/tls`, creating what is missing and
 * renewing leaf certificates that expire within RENEW_BEFORE_DAYS or lack a wanted SAN. CAs are
 * never replaced while present: replacing one would invalidate every issued credential.
 */
export async function ensurePKI(dataDir: string, opts: EnsurePKIOptions = {}): Promise<ClusterPKI> {
  const dir = join(dataDir, 'server', 'tls');
  const now = opts.now ?? new Date();
  const f = (n: string): string => join(dir, n);
  const files = {
    serverCACert: f('server-ca.crt'),
    serverCAKey: f('server-ca.key'),
    clientCACert: f('client-ca.crt'),
    clientCAKey: f('client-ca.key'),
    servingCert: f('serving-kube-apiserver.crt'),
    servingKey: f('serving-kube-apiserver.key'),
    adminCert: f('client-admin.crt'),
    adminKey: f('client-admin.key'),
    // k3s's names for kube-apiserver's --kubelet-client-certificate/--kubelet-client-key.
    kubeletClientCert: f('client-kube-apiserver.crt'),
    kubeletClientKey: f('client-kube-apiserver.key'),
  };
  const stamp = Math.floor(now.getTime() / 1000);
  const serverCA = await loadOrCreate(files.serverCACert, files.serverCAKey, () => true, () => createCA(`k8ts-server-ca@${stamp}`, 3650, now));
  const clientCA = await loadOrCreate(files.clientCACert, files.clientCAKey, () => true, () => createCA(`k8ts-client-ca@${stamp}`, 3650, now));
  const renewAt = now.getTime() + RENEW_BEFORE_DAYS * 24 * 3600 * 1000;
  const sans = servingSANs(opts);
  const serving = await loadOrCreate(
    files.servingCert,
    files.servingKey,
    (old) => {
      const info = certInfo(old!.certPem);
      return info.notAfter.getTime() > renewAt && sans.dnsNames.every((n) => info.dnsNames.includes(n)) && sans.ipAddresses.every((ip) => info.ipAddresses.includes(ip));
    },
    () => signCert(serverCA, { commonName: 'kube-apiserver', usage: 'server', ...sans, now }),
  );
  const admin = await loadOrCreate(
    files.adminCert,
    files.adminKey,
    (old) => certInfo(old!.certPem).notAfter.getTime() > renewAt,
    () => signCert(clientCA, { commonName: 'system:admin', organizations: ['system:masters'], usage: 'client', now }),
  );
  const kubeletClient = await loadOrCreate(
    files.kubeletClientCert,
    files.kubeletClientKey,
    (old) => certInfo(old!.certPem).notAfter.getTime() > renewAt,
    () => signCert(clientCA, { commonName: 'kube-apiserver-kubelet-client', organizations: ['system:masters'], usage: 'client', now }),
  );
  return { dir, serverCA, clientCA, serving, admin, kubeletClient, files };
}

/**
 * ensureKubeletServing loads or issues a kubelet's serving certificate in `dir`
 * (`serving-kubelet.crt`/`.key`, k3s's names), signed by `ca` for the node's name and IP (plus
 * localhost); reissued RENEW_BEFORE_DAYS before expiry or when a wanted SAN is missing. Without
 * `ca` (an agent, which holds no cluster CA key) it is signed by a CA of the node's own, kept in
 * `dir` as `kubelet-ca.crt`/`.key`, as upstream's kubelet self-signs without --tls-cert-file.
 */
export async function ensureKubeletServing(dir: string, ca: CertKey | undefined, o: { nodeName: string; nodeIP: string; now?: Date }): Promise<CertKey> {
  const now = o.now ?? new Date();
  ca ??= await loadOrCreate(join(dir, 'kubelet-ca.crt'), join(dir, 'kubelet-ca.key'), () => true, () => createCA(`${o.nodeName}-ca@${Math.floor(now.getTime() / 1000)}`, 3650, now));
  const signer = ca;
  const renewAt = now.getTime() + RENEW_BEFORE_DAYS * 24 * 3600 * 1000;
  const dnsNames = [...new Set([o.nodeName, 'localhost'])];
  const ipAddresses = [...new Set([o.nodeIP, '127.0.0.1'])].map(canonicalIP);
  return loadOrCreate(
    join(dir, 'serving-kubelet.crt'),
    join(dir, 'serving-kubelet.key'),
    (old) => {
      const info = certInfo(old!.certPem);
      return info.notAfter.getTime() > renewAt && dnsNames.every((n) => info.dnsNames.includes(n)) && ipAddresses.every((ip) => info.ipAddresses.includes(ip));
    },
    () => signCert(signer, { commonName: o.nodeName, usage: 'server', dnsNames, ipAddresses, now }),
  );
}

/** kubeconfigYAML renders a kubeconfig with embedded credentials for one cluster and user. */
export function kubeconfigYAML(opts: { server: string; caPem: string; certPem?: string; keyPem?: string; token?: string; name?: string; user?: string }): string {
  const name = opts.name ?? 'default';
  const user = opts.user ?? 'default';
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(opts.caPem)}`,
    `    server: ${opts.server}`,
    `  name: ${name}`,
    'contexts:',
    '- context:',
    `    cluster: ${name}`,
    `    user: ${user}`,
    `  name: ${name}`,
    `current-context: ${name}`,
    'preferences: {}',
    'users:',
    `- name: ${user}`,
    '  user:',
  ];
  if (opts.certPem) lines.push(`    client-certificate-data: ${b64(opts.certPem)}`);
  if (opts.keyPem) lines.push(`    client-key-data: ${b64(opts.keyPem)}`);
  if (opts.token) lines.push(`    token: ${opts.token}`);
  return lines.join('\n') + '\n';
}

export { joinCluster, requestKubeletServing, type JoinOptions, type NodeCredentials } from './join.js';
