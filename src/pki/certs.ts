/**
 * Certificates for the cluster's TLS: a CA, serving certificates with SANs, and client
 * certificates whose subject carries the Kubernetes identity (CN = user, O = groups), as
 * kube-apiserver's x509 authenticator reads it. ECDSA P-256 keys, as k3s uses.
 */
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto';
import type * as X509 from '@peculiar/x509';

let loading: Promise<typeof X509> | undefined;
/**
 * x509lib loads @peculiar/x509 on first use: importing it costs ~300 ms of CPU, and a restart
 * that only reads existing certificates (certInfo, through node:crypto) never needs it.
 */
function x509lib(): Promise<typeof X509> {
  return (loading ??= (async () => {
    await import('reflect-metadata');
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  })());
}

const alg: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

/** CertKey is a PEM certificate with its PEM (PKCS#8) private key. */
export interface CertKey {
  certPem: string;
  keyPem: string;
}

export interface CertOptions {
  commonName: string;
  /** organizations become O= attributes: the user's groups for client certificates. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  /** usage selects the extended key usages. */
  usage: 'server' | 'client' | 'server+client';
  validityDays?: number;
  /** now is injectable for tests; defaults to the current time. */
  now?: Date;
}

const DAY = 24 * 3600 * 1000;

function subjectName(cn: string, orgs: readonly string[] = []): X509.JsonName {
  const name: X509.JsonName = [];
  // Organizations first, CN last, as Go's pkix.Name renders (O=..., CN=...).
  for (const o of orgs) name.push({ O: [o] });
  name.push({ CN: [cn] });
  return name;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function fromPem(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function importSigningKey(keyPem: string): Promise<webcrypto.CryptoKey> {
  return (await webcrypto.subtle.importKey('pkcs8', fromPem(keyPem), alg, true, ['sign'])) as webcrypto.CryptoKey;
}

function serial(): string {
  // A positive 128-bit serial: clear the top bit.
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0]! &= 0x7f;
  return Buffer.from(b).toString('hex');
}

/** createCA makes a self-signed CA certificate valid for validityDays (default 10 years). */
export async function createCA(commonName: string, validityDays = 3650, now = new Date()): Promise<CertKey> {
  const x509 = await x509lib();
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: subjectName(commonName),
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + validityDays * DAY),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

/** signCert issues a certificate for a new key pair, signed by the CA. */
export async function signCert(ca: CertKey, opts: CertOptions): Promise<CertKey> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await issue(ca, opts, keys.publicKey);
  return { certPem: cert, keyPem: await exportKey(keys.privateKey) };
}

/**
 * signPublicKey issues a certificate for a public key someone else holds (a CSR's key), signed
 * by the CA. Returns the PEM certificate.
 */
export async function issue(ca: CertKey, opts: CertOptions, publicKey: webcrypto.CryptoKey | X509.PublicKey): Promise<string> {
  const x509 = await x509lib();
  const now = opts.now ?? new Date();
  const caCert = new x509.X509Certificate(ca.certPem);
  const usages: string[] = [];
  if (opts.usage.includes('server')) usages.push(x509.ExtendedKeyUsage.serverAuth);
  if (opts.usage.includes('client')) usages.push(x509.ExtendedKeyUsage.clientAuth);
  const altNames: X509.JsonGeneralName[] = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages, false),
    await x509.AuthorityKeyIdentifierExtension.create(caCert, false),
  ];
  if (altNames.length) extensions.push(new x509.SubjectAlternativeNameExtension(altNames, false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: subjectName(opts.commonName, opts.organizations),
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + (opts.validityDays ?? 365) * DAY),
    publicKey,
    signingKey: await importSigningKey(ca.keyPem),
    signingAlgorithm: alg,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/** CertInfo is what the cluster needs to know of a certificate. */
export interface CertInfo {
  commonName: string;
  organizations: string[];
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
}

/** canonicalIP renders IPv6 in its compressed form (`::1`), as users write it. */
export function canonicalIP(ip: string): string {
  return ip.includes(':') ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/** certInfo reads identity, expiry and SANs of a PEM certificate. */
export function certInfo(certPem: string): CertInfo {
  const c = new NodeX509(certPem);
  const fields = c.subject.split('\n');
  const pick = (k: string): string[] => fields.filter((f) => f.startsWith(k + '=')).map((f) => f.slice(k.length + 1));
  const sans = (c.subjectAltName ?? '').split(', ').filter(Boolean);
  return {
    commonName: pick('CN')[0] ?? '',
    organizations: pick('O'),
    notAfter: new Date(c.validTo),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => canonicalIP(s.slice(11))),
  };
}

/**
 * createCSR makes a new key pair and a PKCS#10 certificate request for it (subject CN = user,
 * O = groups), so a node can ask for a certificate without its key leaving the node.
 */
export async function createCSR(commonName: string, organizations: readonly string[] = []): Promise<{ csrPem: string; keyPem: string }> {
  const x509 = await x509lib();
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subjectName(commonName, organizations), keys, signingAlgorithm: alg });
  return { csrPem: csr.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

/** CSRInfo is a verified certificate request: its public key and requested subject. */
export interface CSRInfo {
  publicKey: X509.PublicKey;
  commonName: string;
  organizations: string[];
}

/** readCSR parses a PEM PKCS#10 request and checks its self-signature; throws when it is malformed or forged. */
export async function readCSR(csrPem: string): Promise<CSRInfo> {
  const x509 = await x509lib();
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) throw new Error('certificate request signature is invalid');
  const rdn = csr.subjectName.toJSON();
  const pick = (k: string): string[] => rdn.flatMap((r) => (r[k] ?? []) as string[]);
  return { publicKey: csr.publicKey, commonName: pick('CN')[0] ?? '', organizations: pick('O') };
}
