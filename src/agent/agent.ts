/**
 * startAgent is `k8ts agent` (k3s agent): it joins a node (or N simulated nodes) to a running
 * `k8ts server`, k3s-style (src/pki joinCluster): the agent fetches the server CA from
 * `<server>/cacerts` and, for a full `K10<hash>::server:<secret>` token, checks its hash before
 * sending the token; the server then signs a client certificate `system:node:<name>` for a key
 * made here, so each kubelet is its own node identity (Node authorizer, NodeRestriction). The
 * node password in `<data-dir>/agent/node-password` (as k3s's /etc/rancher/node/password) keeps
 * another holder of the token from taking the node's name later. Each kubelet serves HTTPS on
 * every address with a certificate signed by a CA of the node's own (`<data-dir>/agent/
 * kubelet-ca.crt`: the join flow hands out no serving certificates, and the apiserver does not
 * verify kubelets' certificates yet), checks client certificates against the cluster's client CA
 * (sent with the node certificate at join), bearer tokens by TokenReview, and authorizes by
 * SubjectAccessReview; anonymous callers are refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { gvr, RestClient } from '../client/index.js';
import { Kubelet } from '../kubelet/index.js';
import { SimulatedNodes } from '../kubelet/simnodes.js';
import { ensureKubeletServing, joinCluster, kubeconfigYAML, requestKubeletServing, type CertKey } from '../pki/index.js';
import { acquireDirLock, isReady, parseToken, stopAllPods } from '../server/index.js';
import { hostIPv4 } from '../util/net.js';

export interface AgentOptions {
  /** server is the URL printed by `k8ts server` (`https://host:6443`). */
  server: string;
  token: string;
  dataDir: string;
  nodeName?: string;
  nodeIP?: string;
  nodeLabels?: Record<string, string>;
  nodeTaints?: Taint[];
  containerRuntime?: string;
  /** kubeletPort of the kubelet API (HTTPS on every address; default 10250; 0 picks one; simulated nodes always pick). */
  kubeletPort?: number;
  /** simulateNodes > 0 hosts that many simulated nodes named `<nodeName>-<i>` instead of one real node. */
  simulateNodes?: number;
  /**
   * simulateWith hosts the simulated nodes kwok-style (src/kubelet SimulatedNodes: one pod watch
   * and one heap for all) through this client, which must be allowed to act for every node (e.g.
   * the admin's). Without it each simulated node is a full kubelet with its own node certificate.
   */
  simulateWith?: RestClient;
  stopPodsOnExit?: boolean;
  startedAt?: number;
  progress?: (e: { component: string; phase: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped' | 'info'; message?: string; elapsedMs: number }) => void;
  log?: (component: string, msg: string) => void;
}

export interface RunningAgent {
  nodeNames: string[];
  readyMs: number;
  /** done resolves after close() or a kubelet failure (then with the error). */
  done: Promise<Error | undefined>;
  close(): Promise<void>;
}

/** statusMessage shortens a refusal carrying a metav1.Status body to its message. */
function statusMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /^(.*HTTP \d+): (\{.*\})\s*$/s.exec(msg);
  if (!m) return msg;
  try {
    const status = JSON.parse(m[2]!) as { message?: string };
    return status.message ? `${m[1]}: ${status.message}` : msg;
  } catch {
    return msg;
  }
}

/** nodePassword returns the agent's node password, made once and kept in `path` (mode 0600). */
function nodePassword(path: string): string {
  if (existsSync(path)) {
    const pw = readFileSync(path, 'utf8').trim();
    if (pw) return pw;
  }
  const pw = randomBytes(16).toString('hex');
  writeFileSync(path, `${pw}\n`, { mode: 0o600 });
  return pw;
}

/** startAgent joins the node(s) and resolves once every one of them is Ready. */
export async function startAgent(o: AgentOptions): Promise<RunningAgent> {
  const t0 = o.startedAt ?? performance.now();
  const progress = (component: string, phase: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped' | 'info', message?: string): void =>
    o.progress?.({ component, phase, elapsedMs: performance.now() - t0, ...(message !== undefined ? { message } : {}) });
  const log = o.log ?? ((c: string, m: string) => process.stderr.write(`${c}: ${m}\n`));
  const agentDir = join(o.dataDir, 'agent');
  const release = acquireDirLock(join(agentDir, 'k8ts.lock'), (pid) => `data dir ${o.dataDir} is in use by another k8ts node (pid ${pid}); stop it first or pass a different --data-dir`);
  try {
    const base = o.nodeName ?? hostname().toLowerCase();
    const n = o.simulateNodes ?? 0;
    const names = n > 0 ? Array.from({ length: n }, (_, i) => `${base}-${i}`) : [base];
    if (n > 0 && o.simulateWith) return await runSimulated(o, o.simulateWith, base, names, progress, log, t0, release);
    const pinned = parseToken(o.token).caHash !== undefined;
    progress('join', 'starting', `${o.server}: CA from /cacerts${pinned ? ', checked against the token' : ' (the token has no CA hash: trusted on first use)'}, then a client certificate per node`);
    mkdirSync(agentDir, { recursive: true });
    const password = nodePassword(join(agentDir, 'node-password'));
    const clients = new Map<string, RestClient>();
    let clientCA = '';
    let serverCA = '';
    for (const name of names) {
      const creds = await joinCluster({ server: o.server, token: o.token, nodeName: name, nodePassword: password }).catch((err: unknown) => {
        throw new Error(statusMessage(err), { cause: err });
      });
      if (n === 0) {
        writeFileSync(join(agentDir, 'server-ca.crt'), creds.caPem, { mode: 0o644 });
        writeFileSync(join(agentDir, 'kubelet.kubeconfig'), kubeconfigYAML({ server: o.server, caPem: creds.caPem, certPem: creds.certPem, keyPem: creds.keyPem, user: `system:node:${name}` }), { mode: 0o600 });
      }
      clientCA ||= creds.clientCAPem;
      serverCA ||= creds.caPem;
      clients.set(name, new RestClient({ host: o.server, caData: creds.caPem, certData: creds.certPem, keyData: creds.keyPem, userAgent: 'k8ts-kubelet', qps: Infinity }));
    }
    const client = clients.get(names[0]!)!;
    progress('join', 'ready', `${names.length === 1 ? `node ${base} has` : `${names.length} nodes have`} client certificates (system:node:<name>)`);
    const runtimeName = n > 0 ? 'simulated' : (o.containerRuntime ?? 'process');
    const nodeIP = o.nodeIP ?? hostIPv4();
    if (!clientCA) throw new Error('join: the server sent no client CA with the node certificate; the kubelet could not authenticate the apiserver');
    const servings = new Map<string, CertKey>();
    for (const name of names) {
      // Signed by the server CA so the apiserver can verify this kubelet; a server that does not
      // sign serving certificates leaves it to a CA of the node's own (then unverifiable).
      const signed = await requestKubeletServing({ server: o.server, token: o.token, nodeName: name, nodePassword: password, caPem: serverCA, nodeIP }).catch(() => undefined);
      servings.set(name, signed ?? (await ensureKubeletServing(n > 0 ? join(agentDir, 'kubelet', name) : agentDir, undefined, { nodeName: name, nodeIP })));
    }
    const stop = new AbortController();
    setMaxListeners(0, stop.signal);
    let failure: Error | undefined;
    const running: Array<Promise<void>> = [];
    const readies: Array<Promise<void>> = [];
    progress('kubelet', 'starting', n > 0 ? `${n} simulated nodes ${names[0]} … ${names[n - 1]}` : `node ${base} (${runtimeName} runtime)`);
    for (const name of names) {
      const kubelet = new Kubelet({
        client: clients.get(name)!,
        nodeName: name,
        nodeIP,
        rootDir: n > 0 ? join(agentDir, 'kubelet', name) : join(agentDir, 'kubelet'),
        containerRuntime: runtimeName,
        nodeLabels: o.nodeLabels ?? {},
        registerWithTaints: o.nodeTaints ?? [],
        address: '0.0.0.0',
        port: n > 0 ? 0 : (o.kubeletPort ?? 10250),
        tls: { cert: servings.get(name)!.certPem, key: servings.get(name)!.keyPem, clientCA },
        auth: { tokenWebhook: true, authorization: 'Webhook', anonymous: false },
        log: (m) => log(n > 0 ? `kubelet ${name}` : 'kubelet', m),
      });
      readies.push(
        new Promise<void>((resolve, reject) => {
          const run = kubelet.run(stop.signal, () => resolve());
          running.push(
            run.then(
              () => {
                if (!stop.signal.aborted) {
                  failure ??= new Error(`kubelet ${name} stopped unexpectedly`);
                  stop.abort();
                }
              },
              (err: unknown) => {
                failure ??= err instanceof Error ? err : new Error(String(err));
                progress('kubelet', 'failed', `${name}: ${failure.message}`);
                reject(failure);
                stop.abort();
              },
            ),
          );
        }),
      );
    }
    const closeAll = async (): Promise<void> => {
      stop.abort();
      await Promise.allSettled(running);
      if (o.stopPodsOnExit && n === 0) {
        await stopAllPods(join(agentDir, 'kubelet'), runtimeName, nodeIP).catch((err: unknown) => log('kubelet', `stopping pods: ${err instanceof Error ? err.message : String(err)}`));
      }
      for (const c of clients.values()) c.close();
    };
    try {
      await Promise.all(readies);
      progress('kubelet', 'ready');
      progress('node', 'starting', `waiting for ${names.length === 1 ? `node ${base}` : `${names.length} nodes`} to be Ready`);
      await waitForNodesReady(client, names, stop.signal);
      progress('node', 'ready', names.length === 1 ? `node ${base} is Ready` : `${names.length} nodes are Ready`);
    } catch (err) {
      await closeAll();
      throw err;
    }
    const readyMs = performance.now() - t0;
    let closing: Promise<void> | undefined;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        progress('agent', 'stopping');
        await closeAll();
        release();
        progress('agent', 'stopped');
      })());
    const done = (async () => {
      await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
      await close();
      return failure;
    })();
    return { nodeNames: names, readyMs, done, close };
  } catch (err) {
    release();
    throw err;
  }
}

/** waitForNodesReady polls the node list until every named node is Ready. */
async function waitForNodesReady(client: RestClient, names: readonly string[], signal: AbortSignal): Promise<void> {
  const want = new Set(names);
  for (;;) {
    if (signal.aborted) throw new Error('stopped while waiting for the nodes to be Ready');
    const { items } = await client.resource<Node>(gvr.nodes).list();
    const ready = items.filter((n) => want.has(n.metadata?.name ?? '') && isReady(n)).length;
    if (ready === want.size) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Progress = (component: string, phase: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped' | 'info', message?: string) => void;

/** runSimulated hosts the nodes on one SimulatedNodes through a client that may act for all of them. */
async function runSimulated(o: AgentOptions, client: RestClient, base: string, names: string[], progress: Progress, log: (c: string, m: string) => void, t0: number, release: () => void): Promise<RunningAgent> {
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const sim = new SimulatedNodes({ client, count: names.length, namePrefix: `${base}-`, labels: o.nodeLabels ?? {}, log: (m) => log('simulated nodes', m) });
  let failure: Error | undefined;
  progress('kubelet', 'starting', `${names.length} simulated nodes ${names[0]} … ${names[names.length - 1]} on one watch`);
  const running = new Promise<void>((resolve, reject) => {
    sim.run(stop.signal, () => resolve()).then(
      () => {
        if (!stop.signal.aborted) failure ??= new Error('simulated nodes stopped unexpectedly');
        stop.abort();
      },
      (err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
        reject(failure);
        stop.abort();
      },
    );
  });
  const finished = new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
  try {
    await running;
    progress('kubelet', 'ready');
    progress('node', 'starting', `waiting for ${names.length} nodes to be Ready`);
    await waitForNodesReady(client, names, stop.signal);
    progress('node', 'ready', `${names.length} nodes are Ready`);
  } catch (err) {
    stop.abort();
    client.close();
    release();
    throw err;
  }
  const readyMs = performance.now() - t0;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      progress('agent', 'stopping');
      stop.abort();
      await finished;
      client.close();
      release();
      progress('agent', 'stopped');
    })());
  const done = (async () => {
    await finished;
    await close();
    return failure;
  })();
  return { nodeNames: names, readyMs, done, close };
}
