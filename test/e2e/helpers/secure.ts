/**
 * A secure `k8ts apiserver` for end-to-end tests: started as a child process with its defaults
 * (TLS, authentication, Node+RBAC) on in-memory SQLite and a free loopback port, with the admin
 * kubeconfig it writes. `userKubeconfig` makes kubeconfigs for other identities (a client
 * certificate signed by the cluster's client CA, or a bearer token), and `request` sends real
 * HTTPS requests as one of them. `stop()` kills the process (by pid) and removes the data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigYAML, signCert } from '../../../src/pki/index.js';

const bin = join(import.meta.dirname, '..', '..', '..', '..', 'bin', 'k8ts.js');

/** Identity is a client certificate subject or a bearer token. */
export type Identity = { user: string; groups?: string[] } | { token: string } | { anonymous: true } | { certPem: string; keyPem: string };

export interface HttpResult {
  status: number;
  body: string;
  json(): Record<string, unknown>;
}

export interface SecureApiServer {
  url: string;
  dataDir: string;
  /** kubeconfig is the admin kubeconfig the server wrote (system:admin in system:masters). */
  kubeconfig: string;
  process: ChildProcess;
  /** userKubeconfig writes a kubeconfig for an identity and returns its path. */
  userKubeconfig(id: Identity): Promise<string>;
  /** request sends one HTTPS request as an identity. */
  request(id: Identity, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  stop(): Promise<void>;
}

export interface SecureOptions {
  /** tokenFile is the content of a --token-auth-file (CSV). */
  tokenFile?: string;
  /** args are extra `k8ts apiserver` flags. */
  args?: string[];
  /** dataDir reuses a data directory (a restart); stop() then leaves it in place. Default: a new temporary one. */
  dataDir?: string;
  /** persistent stores state in the data dir's SQLite file instead of memory. */
  persistent?: boolean;
}

export async function startSecureApiServer(o: SecureOptions = {}): Promise<SecureApiServer> {
  const ownsDir = !o.dataDir;
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'k8ts-secure-'));
  const args = [bin, 'apiserver', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--secure-port', '0', ...(o.persistent ? [] : ['--datastore-endpoint', 'sqlite::memory:']), ...(o.args ?? [])];
  if (o.tokenFile !== undefined) {
    writeFileSync(join(dataDir, 'tokens.csv'), o.tokenFile);
    args.push('--token-auth-file', join(dataDir, 'tokens.csv'));
  }
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apiserver did not start: ${log}`)), 30_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      log += d;
      const m = /serving on (https?:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`apiserver exited (${code}): ${log}`));
    });
  });
  const tls = join(dataDir, 'server', 'tls');
  const serverCA = readFileSync(join(tls, 'server-ca.crt'), 'utf8');
  const clientCA = { certPem: readFileSync(join(tls, 'client-ca.crt'), 'utf8'), keyPem: readFileSync(join(tls, 'client-ca.key'), 'utf8') };
  const certs = new Map<string, { certPem: string; keyPem: string }>();
  const credentials = async (id: Identity): Promise<{ certPem?: string; keyPem?: string; token?: string }> => {
    if ('token' in id) return { token: id.token };
    if ('anonymous' in id) return {};
    if ('certPem' in id) return id;
    const key = JSON.stringify(id);
    let c = certs.get(key);
    if (!c) {
      c = await signCert(clientCA, { commonName: id.user, organizations: id.groups ?? [], usage: 'client', validityDays: 1 });
      certs.set(key, c);
    }
    return c;
  };
  let n = 0;
  return {
    url,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig.yaml'),
    process: child,
    async userKubeconfig(id) {
      const path = join(dataDir, `user-${++n}.kubeconfig`);
      writeFileSync(path, kubeconfigYAML({ server: url, caPem: serverCA, ...(await credentials(id)) }), { mode: 0o600 });
      return path;
    },
    async request(id, method, path, body, headers = {}) {
      const c = await credentials(id);
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      return new Promise<HttpResult>((resolve, reject) => {
        const req = httpsRequest(
          new URL(path, url),
          {
            method,
            ca: serverCA,
            ...(c.certPem ? { cert: c.certPem, key: c.keyPem } : {}),
            headers: { ...(c.token ? { authorization: `Bearer ${c.token}` } : {}), ...(data ? { 'content-type': 'application/json' } : {}), ...headers },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) as Record<string, unknown> }));
          },
        );
        req.on('error', reject);
        req.end(data);
      });
    },
    async stop() {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        process.kill(child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      }
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
