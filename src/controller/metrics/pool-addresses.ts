/**
 * @module Free addresses of a subnet's allocation pools: pool sizes minus the fixed IPs inside them
 * (for `kuryr_port_quota_per_subnet`). IPv4 and IPv6, exact with bigint.
 */
import { isIP } from 'node:net';
import type { AllocationPool, Port } from '../../openstack/neutron/index.js';

/** An address as an integer; undefined when it is not an IP address. */
export function addressValue(ip: string): bigint | undefined {
  const version = isIP(ip);
  if (version === 4) return ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n);
  if (version !== 6) return undefined;
  let text = ip;
  // embedded IPv4 tail (::ffff:10.0.0.1): rewrite it as two hex words
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4 !== undefined) {
    const n = addressValue(v4) ?? 0n;
    text = `${text.slice(0, -v4.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const words = (s: string) => (s === '' ? [] : s.split(':'));
  const h = words(head);
  const t = tail === undefined ? [] : words(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((acc, w) => (acc << 16n) + BigInt(parseInt(w, 16)), 0n);
}

/**
 * Addresses left in `pools` of subnet `subnetId`: the pools' sizes minus the fixed IPs of `ports` on
 * that subnet that fall inside a pool. Addresses outside the pools (the gateway, a router interface on
 * it) are not in the pools to begin with, so they are not subtracted (Python Kuryr subtracts one port
 * for the gateway instead, which is off when the router port is not on the gateway address).
 */
export function freePoolAddresses(
  subnetId: string,
  pools: readonly AllocationPool[],
  ports: readonly Pick<Port, 'fixed_ips'>[],
): number {
  const ranges = pools.flatMap((p) => {
    const start = addressValue(p.start);
    const end = addressValue(p.end);
    return start !== undefined && end !== undefined && end >= start ? [{ start, end }] : [];
  });
  let free = ranges.reduce((sum, r) => sum + (r.end - r.start + 1n), 0n);
  for (const port of ports) {
    for (const ip of port.fixed_ips ?? []) {
      if (ip.subnet_id !== subnetId) continue;
      const v = addressValue(ip.ip_address);
      if (v !== undefined && ranges.some((r) => v >= r.start && v <= r.end)) free -= 1n;
    }
  }
  return Number(free > 0n ? free : 0n);
}
