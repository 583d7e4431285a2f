/** Host network facts shared by the components. */
import { networkInterfaces } from 'node:os';

/**
 * hostIPv4 is the host's first non-loopback IPv4 address, as kube-apiserver picks its advertise
 * address and the kubelet its node IP; 127.0.0.1 when the host has none.
 */
export function hostIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  return '127.0.0.1';
}
