/**
 * Objects and plain-HTTP helpers the apiserver benchmarks share, so bench:apiserver,
 * bench:apiserver-ops and bench/watchcache load the same ~2 KiB pods and the same nodes.
 */
import { Agent, request } from 'node:http';

const PAD = 'x'.repeat(900);

/** benchPod is a realistic ~2 KiB pod (`pod-<i>` unless named), bound to nodeName when given. */
export function benchPod(ns: string, i: number, o: { name?: string; nodeName?: string } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name ?? `pod-${i}`, namespace: ns, labels: { app: `app-${i % 50}`, tier: 'bench' }, annotations: { 'bench/pad': PAD } },
    spec: {
      ...(o.nodeName ? { nodeName: o.nodeName } : { schedulerName: 'default-scheduler' }),
      containers: [
        {
          name: 'main',
          image: 'registry.example.com/team/app:1.2.3',
          command: ['/bin/app', '--port=8080', '--verbose'],
          env: [{ name: 'MODE', value: 'bench' }, { name: 'INDEX', value: String(i) }],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
        },
      ],
    },
  };
}

/** benchNode is `node-<i>` with 8 CPUs, 32 GiB and 110 pods. */
export function benchNode(i: number): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux' } },
    status: { capacity: { cpu: '8', memory: '32Gi', pods: '110' }, allocatable: { cpu: '8', memory: '32Gi', pods: '110' } },
  };
}

/** HttpCall sends one request and collects the response; close() drops its idle connections. */
export interface HttpCall {
  (method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: Buffer }>;
  close(): void;
}

/** httpClient sends JSON requests to base() (read on each call) over one keep-alive agent. */
export function httpClient(base: () => string, o: { maxSockets?: number; userAgent?: string } = {}): HttpCall {
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 64 });
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
      const headers: Record<string, string | number> = { 'Content-Type': contentType, ...(o.userAgent ? { 'User-Agent': o.userAgent } : {}), ...(data ? { 'Content-Length': data.length } : {}) };
      const req = request(base() + path, { method, agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(data);
    });
  return Object.assign(call, { close: () => agent.destroy() });
}
