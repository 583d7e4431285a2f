/**
 * The server's one HTTPS port (k3s: 6443), shared as in k3s by the apiserver and the small
 * "supervisor" API agents use to join: `GET /cacerts` (no authentication) returns the server
 * CA bundle, so an agent can check it against the hash in its join token before it sends the
 * token anywhere. Everything else goes to the apiserver's handler.
 *
 * The socket is opened before the apiserver starts (a port of 0 must be known to bootstrap the
 * `kubernetes` Endpoints); requests arriving earlier get 503 until `serve` is called.
 */
import { createServer as createHTTPSServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SharedListener {
  /** port actually bound (useful with port 0). */
  port: number;
  /** url is `https://<loopback or bind address>:<port>` for local clients. */
  url: string;
  serve(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export interface ListenerOptions {
  bindAddress: string;
  port: number;
  /** tls: serving key and certificate, and the client CA that verifies client certificates. */
  tls: { key: string; cert: string; ca: string };
  /** serverCA is the PEM served at /cacerts. */
  serverCA: string;
}

export async function openListener(o: ListenerOptions): Promise<SharedListener> {
  let inner: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  // Client certificates are requested but checked by the apiserver's authenticator, as kube-apiserver does.
  const server: Server = createHTTPSServer({ ...o.tls, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    if (req.method === 'GET' && (req.url === '/cacerts' || req.url?.startsWith('/cacerts?'))) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(o.serverCA);
      return;
    }
    if (!inner) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '1' });
      res.end('k8ts server is starting\n');
      return;
    }
    inner(req, res);
  });
  server.keepAliveTimeout = 65_000;
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
    serve(handler) {
      inner = handler;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
