/**
 * Test helper: an apiserver on in-memory SQLite, on a free loopback port, with a kubeconfig
 * file pointing at it (for kubectl and client tests). Call `stop()` to close the server and
 * remove the temporary directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import { join } from 'node:path';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from './server.js';

export interface TestApiServer {
  server: RunningApiServer;
  url: string;
  /** kubeconfig is the path of a kubeconfig file for the server (context `k8ts`). */
  kubeconfig: string;
  /** dir is a temporary directory removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** kubeconfigYAML renders a kubeconfig for a plain-HTTP server URL. */
export function kubeconfigYAML(url: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: k8ts',
    '  cluster:',
    `    server: ${url}`,
    // The JavaScript client refuses plain http unless TLS verification is marked skipped.
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: admin',
    '  user: {}',
    'contexts:',
    '- name: k8ts',
    '  context:',
    '    cluster: k8ts',
    '    user: admin',
    '    namespace: default',
    'current-context: k8ts',
    '',
  ].join('\n');
}

export async function startTestApiServer(opts: ApiServerOptions = {}): Promise<TestApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-apiserver-'));
  const server = await startApiServer({ datastoreEndpoint: 'sqlite::memory:', port: 0, bindAddress: '127.0.0.1', ...opts });
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(kubeconfig, kubeconfigYAML(server.url));
  return {
    server,
    url: server.url,
    kubeconfig,
    dir,
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * postUnfinished starts a POST of `body` to `url` and sends only its first 5 bytes, so the request
 * stays in flight (holding its in-flight slot, APF seat or queue place) until finish() sends the
 * rest; finish() answers the response's status code.
 */
export function postUnfinished(url: string, body: string, headers: Record<string, string> = {}): { finish: () => Promise<number> } {
  const u = new URL(url);
  const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
  const answered = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 5));
  return {
    finish: () => {
      req.end(body.slice(5));
      return answered;
    },
  };
}
