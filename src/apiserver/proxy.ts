/**
 * Proxying of the pod subresources the kubelet serves, as kube-apiserver's pod REST: `pods/log`
 * (plain HTTP, streamed when following) and the upgrade-based `pods/exec`, `pods/attach` and
 * `pods/portforward` (the WebSocket handshake and frames are passed through untouched). The
 * kubelet is found from the pod's node: its InternalIP and `daemonEndpoints.kubeletEndpoint`.
 * TLS is tried first, presenting the apiserver's kubelet client certificate when one is
 * configured (kube-apiserver-kubelet-client, as `--kubelet-client-certificate`), then plain HTTP.
 *
 * With a CA (`--kubelet-certificate-authority`; `k8ts server` uses its server CA, which signs
 * kubelet serving certificates) the kubelet's certificate must chain to it and name the address
 * dialed, or the request fails with upstream's x509 message, never falling back to plain HTTP.
 * Without a CA it is not verified, upstream's default: an attacker who can take over a node's
 * address could then read what is proxied (it learns no reusable credential).
 */
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { badRequest, notFound, serviceUnavailable, StatusError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import type { Resource, Store } from './registry/store.js';

/**
 * KubeletClientConfig is how the apiserver dials kubelets: `cert`/`key` (PEM) are presented as
 * its client certificate, `ca` (PEM) verifies the kubelets' serving certificates; without `ca`
 * they are not verified (upstream's behaviour when no --kubelet-certificate-authority is given).
 */
export interface KubeletClientConfig {
  cert?: string;
  key?: string;
  ca?: string;
}

export interface KubeletTarget {
  host: string;
  port: number;
  nodeName: string;
  /** clientCert is presented when dialing the kubelet over TLS (PEM certificate and key). */
  clientCert?: { cert: string; key: string };
  /** ca verifies the kubelet's serving certificate; absent: not verified. */
  ca?: string;
}

interface PodShape {
  spec?: { nodeName?: string; containers?: Array<{ name: string }>; initContainers?: Array<{ name: string }>; ephemeralContainers?: Array<{ name: string }> };
  metadata?: { annotations?: Record<string, string> };
}

/** kubeletFor finds the kubelet serving a pod (400 when the pod is not scheduled yet); `client` says how to dial it. */
export async function kubeletFor(store: Store, pods: Resource, nodes: Resource, ns: string, name: string, client?: KubeletClientConfig): Promise<{ target: KubeletTarget; pod: KubeObject }> {
  const pod = await store.get(pods, ns, name);
  const nodeName = (pod as PodShape).spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  let node: KubeObject;
  try {
    node = await store.get(nodes, '', nodeName);
  } catch (err) {
    if (err instanceof StatusError && err.reason === 'NotFound') throw notFound({ group: '', resource: 'nodes' }, nodeName);
    throw err;
  }
  const status = (node.status ?? {}) as { addresses?: Array<{ type: string; address: string }>; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const addrs = status.addresses ?? [];
  const host = (addrs.find((a) => a.type === 'InternalIP') ?? addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'Hostname'))?.address;
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) throw serviceUnavailable(`no kubelet address known for node ${nodeName}`);
  const clientCert = client?.cert && client.key ? { cert: client.cert, key: client.key } : undefined;
  return { target: { host, port, nodeName, ...(clientCert ? { clientCert } : {}), ...(client?.ca ? { ca: client.ca } : {}) }, pod };
}

/** containerFor picks the container a request names, or the only/default one, as upstream. */
export function containerFor(pod: KubeObject, requested: string | null): string {
  const p = pod as PodShape;
  const name = pod.metadata?.name ?? '';
  const all = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? []), ...(p.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (requested) {
    if (!all.includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = (p.spec?.containers ?? []).map((c) => c.name);
  const annotated = p.metadata?.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && containers.includes(annotated)) return annotated;
  if (containers.length === 1) return containers[0]!;
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
}

/** Which kubelets speak TLS, learned on first contact. */
const schemes = new Map<string, 'https' | 'http'>();

/** tlsOptions verifies the kubelet against `ca` when there is one (the host name or IP dialed must be in its certificate). */
function tlsOptions(t: KubeletTarget): { ca?: string; rejectUnauthorized: boolean; servername?: string; cert?: string; key?: string } {
  return {
    ...(t.ca ? { ca: t.ca, rejectUnauthorized: true } : { rejectUnauthorized: false }),
    ...(t.ca && !isIP(t.host) ? { servername: t.host } : {}),
    ...t.clientCert,
  };
}

const UNKNOWN_AUTHORITY = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED']);

/**
 * certificateError renders a failed verification of the kubelet's certificate as Go's
 * crypto/tls and x509 say it (what upstream's apiserver passes on); undefined for other errors.
 */
export function certificateError(err: unknown, host: string): string | undefined {
  const e = err as NodeJS.ErrnoException & { cert?: { subjectaltname?: string } };
  if (UNKNOWN_AUTHORITY.has(e.code ?? '')) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (e.code === 'CERT_HAS_EXPIRED' || e.code === 'CERT_NOT_YET_VALID') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = (e.cert?.subjectaltname ?? '').split(', ').map((n) => n.replace(/^(DNS|IP Address):/, '')).filter(Boolean);
    return `tls: failed to verify certificate: x509: certificate is valid for ${names.join(', ')}, not ${host}`;
  }
  return undefined;
}

/** A failed verification is final: falling back to plain HTTP would undo it. */
function verificationFailure(t: KubeletTarget, err: unknown, what: string): StatusError | undefined {
  const msg = t.ca ? certificateError(err, t.host) : undefined;
  return msg === undefined ? undefined : new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'InternalError', code: 500, message: `${what}: ${msg}` });
}

function openSocket(t: KubeletTarget, tls: boolean): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tls ? tlsConnect({ host: t.host, port: t.port, ...tlsOptions(t) }) : netConnect({ host: t.host, port: t.port });
    const ok = tls ? 'secureConnect' : 'connect';
    s.once(ok, () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** connectKubelet opens a socket to the kubelet (TLS when it speaks TLS). */
async function connectKubelet(t: KubeletTarget): Promise<Socket> {
  const key = `${t.host}:${t.port}`;
  const known = schemes.get(key);
  if (known) {
    try {
      return await openSocket(t, known === 'https');
    } catch (err) {
      throw verificationFailure(t, err, 'error dialing backend') ?? err;
    }
  }
  try {
    const s = await openSocket(t, true);
    schemes.set(key, 'https');
    return s;
  } catch (err) {
    const failed = verificationFailure(t, err, 'error dialing backend');
    if (failed) throw failed;
    const s = await openSocket(t, false);
    schemes.set(key, 'http');
    return s;
  }
}

/** proxyLog streams `/containerLogs/...` from the kubelet to the client. */
export async function proxyLog(res: ServerResponse, t: KubeletTarget, ns: string, pod: string, container: string, query: URLSearchParams): Promise<void> {
  const q = new URLSearchParams();
  for (const k of ['follow', 'previous', 'sinceSeconds', 'sinceTime', 'timestamps', 'tailLines', 'limitBytes']) {
    const v = query.get(k);
    if (v !== null) q.set(k, v);
  }
  const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(pod)}/${encodeURIComponent(container)}${q.size ? `?${q}` : ''}`;
  const attempt = (scheme: 'https' | 'http'): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const req = (scheme === 'https' ? httpsRequest : httpRequest)({ host: t.host, port: t.port, path, method: 'GET', ...(scheme === 'https' ? tlsOptions(t) : {}) }, resolve);
      req.on('error', reject);
      req.end();
    });
  const key = `${t.host}:${t.port}`;
  let upstream: IncomingMessage;
  const known = schemes.get(key);
  const getURL = `Get "${known ?? 'https'}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}${path}"`;
  try {
    upstream = await attempt(known ?? 'https');
    if (!known) schemes.set(key, 'https');
  } catch (err) {
    const failed = verificationFailure(t, err, getURL);
    if (failed) throw failed;
    if (known) throw serviceUnavailable(`error dialing kubelet on node ${t.nodeName}: ${(err as Error).message}`);
    try {
      upstream = await attempt('http');
      schemes.set(key, 'http');
    } catch (err2) {
      throw serviceUnavailable(`error dialing kubelet on node ${t.nodeName}: ${(err2 as Error).message}`);
    }
  }
  const status = upstream.statusCode ?? 502;
  if (status >= 400) {
    // Surface the kubelet's message as a Status, as upstream does for log errors.
    const chunks: Buffer[] = [];
    for await (const c of upstream) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    throw new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: status === 404 ? 'NotFound' : 'BadRequest', code: status === 404 ? 404 : 400, message: text || `kubelet answered ${status}` });
  }
  res.writeHead(200, { 'Content-Type': upstream.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  upstream.pipe(res);
  res.on('close', () => upstream.destroy());
}

/** kubeletStreamPath maps an exec/attach/portforward request onto the kubelet's path. */
export function kubeletStreamPath(sub: 'exec' | 'attach' | 'portforward', ns: string, pod: string, container: string, query: URLSearchParams): string {
  const q = new URLSearchParams(query);
  q.delete('container');
  const qs = q.size ? `?${q}` : '';
  const e = encodeURIComponent;
  if (sub === 'portforward') return `/portForward/${e(ns)}/${e(pod)}${qs}`;
  return `/${sub}/${e(ns)}/${e(pod)}/${e(container)}${qs}`;
}

const HOP_HEADERS = new Set(['host', 'authorization', 'impersonate-user', 'impersonate-group', 'content-length']);

/**
 * proxyUpgrade replays an upgrade request (WebSocket) to the kubelet on `path` and then joins
 * the two sockets; the client and the kubelet finish the handshake between themselves.
 */
export async function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, t: KubeletTarget, path: string): Promise<void> {
  const upstream = await connectKubelet(t);
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${t.host}:${t.port}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    if (!HOP_HEADERS.has(k.toLowerCase()) && !k.toLowerCase().startsWith('impersonate-')) lines.push(`${k}: ${req.rawHeaders[i + 1]}`);
  }
  upstream.write(lines.join('\r\n') + '\r\n\r\n');
  if (head.length) upstream.write(head);
  upstream.pipe(client);
  client.pipe(upstream);
  const destroyBoth = (): void => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', destroyBoth);
  client.on('error', destroyBoth);
  // A side that closes ends the other (pipe ends it on 'end' too) instead of destroying it:
  // destroy drops what is still buffered for that peer, such as the exec status frame and the
  // close frame a WebSocket client reads last (kubectl then failed with "close 1006 (abnormal
  // closure)" and exit code 1 instead of the command's). A peer that never closes after that
  // is destroyed after a grace period.
  const endAfter = (closed: Duplex, other: Duplex): void => {
    closed.on('close', () => {
      if (other.destroyed) return;
      if (!other.writableEnded) other.end();
      setTimeout(() => other.destroy(), UPGRADE_CLOSE_GRACE_MS).unref();
    });
  };
  endAfter(upstream, client);
  endAfter(client, upstream);
}

/** UPGRADE_CLOSE_GRACE_MS bounds how long a joined upgrade socket may stay open after its peer closed. */
const UPGRADE_CLOSE_GRACE_MS = 5_000;
