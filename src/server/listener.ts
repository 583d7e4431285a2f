/**
 * The server's HTTPS port (k3s: 6443), opened before the apiserver starts so that the server
 * can log requests (-v 3) and answers 503 "starting" rather than refusing connections while
 * the apiserver boots. The apiserver's handler (which also serves the agents' join endpoints)
 * does the rest; its TLS settings are kube-apiserver's: client certificates requested, then
 * verified by the authenticator.
 */
import { createServer as createHTTPSServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface SharedListener {
  /** port actually bound (useful with port 0). */
  port: number;
  /** url is `https://<loopback or bind address>:<port>` for local clients. */
  url: string;
  /** serve hands requests to handler, and HTTP upgrades (exec, attach, port-forward) to upgrade. */
  serve(handler: (req: IncomingMessage, res: ServerResponse) => void, upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void): void;
  /** setTLS swaps in renewed certificates; new connections use them, open ones keep theirs. */
  setTLS(tls: ListenerOptions['tls']): void;
  close(): Promise<void>;
}

export interface ListenerOptions {
  bindAddress: string;
  port: number;
  /** tls: serving key and certificate, and the client CA that verifies client certificates. */
  tls: { key: string; cert: string; ca: string };
}

export async function openListener(o: ListenerOptions): Promise<SharedListener> {
  let inner: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let innerUpgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => void) | undefined;
  // Client certificates are requested but checked by the apiserver's authenticator, as kube-apiserver does.
  const server: Server = createHTTPSServer({ ...o.tls, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    if (!inner) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
      res.end('k8ts server is starting\n');
      return;
    }
    inner(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (innerUpgrade) return innerUpgrade(req, socket, head);
    socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 1\r\nConnection: close\r\n\r\nk8ts server is starting\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const wildcard = o.bindAddress === '0.0.0.0' || o.bindAddress === '::' || o.bindAddress === '';
  const host = wildcard ? '127.0.0.1' : o.bindAddress;
  return {
    port,
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    serve(handler, upgrade) {
      inner = handler;
      innerUpgrade = upgrade;
    },
    setTLS(tls) {
      server.setSecureContext({ ...tls });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
