/**
 * Pod networking for the process runtime through the standard CNI plugins (Debian's
 * containernetworking-plugins in /usr/lib/cni), as the kubenet-era kubelet did: each pod
 * sandbox gets a network namespace (`ip netns add k8ts-<sandbox id prefix>`) and, through the
 * `bridge` plugin with `host-local` IPAM, a veth on the node's bridge and an IP from the node's
 * pod CIDR (the bridge is the pods' gateway, traffic leaving the CIDR is masqueraded);
 * `loopback` brings `lo` up; `portmap` maps hostPorts. Needs root.
 *
 * Teardown is by name only: CNI DEL for the sandbox (the plugins remove the veth, the IPAM
 * lease and the iptables chains they made for it), then `ip netns delete` of the namespace this
 * module created. `removeBridge` deletes the bridge when the caller knows no pod uses it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PortMapping } from './api.js';

export interface CniOptions {
  /** podCIDR hands out pod IPs; a getter, as the node's spec.podCIDR may arrive after start. */
  podCIDR: () => string | undefined;
  /** dataDir keeps host-local's leases (per node: kubelets on one host need their own). */
  dataDir: string;
  /** bridge is the Linux bridge the pods' veths join (default `k8ts0`; at most 15 characters). */
  bridge?: string;
  /** pluginDir holds the CNI plugin binaries (default /usr/lib/cni). */
  pluginDir?: string;
}

export const CNI_PLUGIN_DIR = '/usr/lib/cni';
const CNI_VERSION = '1.0.0';
const NETWORK_NAME = 'k8ts-pod-network';

/** cniAvailable: running as root with the bridge, host-local and loopback plugins installed. */
export function cniAvailable(pluginDir = CNI_PLUGIN_DIR): boolean {
  return process.getuid?.() === 0 && ['bridge', 'host-local', 'loopback'].every((p) => existsSync(join(pluginDir, p)));
}

function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env: opts.env, timeout: 30_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file} ${args.join(' ')}: ${(stdout || stderr || err.message).trim()}`));
      else resolve(stdout);
    });
    // Commands that ignore stdin (ip) may exit before reading it: EPIPE is not a failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(opts.input ?? '');
  });
}

export class CniNetwork {
  readonly bridge: string;
  readonly pluginDir: string;

  constructor(private readonly opts: CniOptions) {
    this.bridge = opts.bridge ?? 'k8ts0';
    this.pluginDir = opts.pluginDir ?? CNI_PLUGIN_DIR;
    if (this.bridge.length > 15) throw new Error(`bridge name ${this.bridge} is longer than 15 characters`);
  }

  /** netnsName is the namespace of a sandbox (`ip netns` names live in /run/netns). */
  static netnsName(sandboxId: string): string {
    return `k8ts-${sandboxId.slice(0, 12)}`;
  }

  private bridgeConf(cidr: string): Record<string, unknown> {
    return {
      cniVersion: CNI_VERSION,
      name: NETWORK_NAME,
      type: 'bridge',
      bridge: this.bridge,
      isGateway: true,
      ipMasq: true,
      hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: cidr }]], dataDir: this.opts.dataDir },
    };
  }

  private invoke(plugin: string, command: 'ADD' | 'DEL', sandboxId: string, netns: string, ifname: string, conf: Record<string, unknown>): Promise<string> {
    const env = { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', CNI_COMMAND: command, CNI_CONTAINERID: sandboxId, CNI_NETNS: netns, CNI_IFNAME: ifname, CNI_PATH: this.pluginDir };
    return run(join(this.pluginDir, plugin), [], { env, input: JSON.stringify(conf) });
  }

  /** setUp creates the sandbox's namespace and network; resolves with its IP and netns path. */
  async setUp(sandboxId: string, portMappings: PortMapping[] = []): Promise<{ ip: string; netns: string }> {
    const cidr = this.opts.podCIDR();
    if (!cidr) throw new Error('network is not ready: no pod CIDR assigned to this node yet');
    mkdirSync(this.opts.dataDir, { recursive: true });
    const name = CniNetwork.netnsName(sandboxId);
    const netns = `/run/netns/${name}`;
    if (!existsSync(netns)) await run('ip', ['netns', 'add', name]);
    try {
      await this.invoke('loopback', 'ADD', sandboxId, netns, 'lo', { cniVersion: CNI_VERSION, name: NETWORK_NAME, type: 'loopback' });
      const out = await this.invoke('bridge', 'ADD', sandboxId, netns, 'eth0', this.bridgeConf(cidr));
      const result = JSON.parse(out) as { ips?: Array<{ address: string }> };
      const ip = result.ips?.[0]?.address.split('/')[0];
      if (!ip) throw new Error(`bridge plugin returned no IP: ${out.trim()}`);
      if (portMappings.length && existsSync(join(this.pluginDir, 'portmap'))) {
        await this.invoke('portmap', 'ADD', sandboxId, netns, 'eth0', this.portmapConf(portMappings, result));
      }
      return { ip, netns };
    } catch (err) {
      await this.tearDown(sandboxId, portMappings).catch(() => undefined);
      throw err;
    }
  }

  private portmapConf(portMappings: PortMapping[], prevResult?: unknown): Record<string, unknown> {
    return {
      cniVersion: CNI_VERSION,
      name: NETWORK_NAME,
      type: 'portmap',
      capabilities: { portMappings: true },
      runtimeConfig: { portMappings: portMappings.map((p) => ({ hostPort: p.hostPort, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() })) },
      ...(prevResult ? { prevResult } : {}),
    };
  }

  /** tearDown runs CNI DEL for the sandbox and deletes its namespace; safe to repeat. */
  async tearDown(sandboxId: string, portMappings: PortMapping[] = []): Promise<void> {
    const name = CniNetwork.netnsName(sandboxId);
    const netns = `/run/netns/${name}`;
    const cidr = this.opts.podCIDR() ?? '0.0.0.0/32';
    const errors: string[] = [];
    if (portMappings.length && existsSync(join(this.pluginDir, 'portmap'))) {
      await this.invoke('portmap', 'DEL', sandboxId, netns, 'eth0', this.portmapConf(portMappings)).catch((e: Error) => errors.push(e.message));
    }
    await this.invoke('bridge', 'DEL', sandboxId, existsSync(netns) ? netns : '', 'eth0', this.bridgeConf(cidr)).catch((e: Error) => errors.push(e.message));
    if (existsSync(netns)) await run('ip', ['netns', 'delete', name]).catch((e: Error) => errors.push(e.message));
    if (errors.length) throw new Error(errors.join('; '));
  }

  /** removeBridge deletes this network's bridge (call only when no pod of it remains). */
  async removeBridge(): Promise<void> {
    await run('ip', ['link', 'delete', this.bridge, 'type', 'bridge']).catch(() => undefined);
  }
}
