/**
 * @module IPv4/IPv6 prefix arithmetic with BigInt: parse, contains, first host, free-block search and
 * allocation pools around reserved addresses (aux addresses, `--ip-range`).
 */
import { isIP } from 'node:net';
import { ValidationError } from '../common/errors/index.js';

/** A parsed prefix. */
export interface Cidr {
  version: 4 | 6;
  /** Network address as an integer. */
  base: bigint;
  prefixLen: number;
  bits: number;
}

/** Parses an IP address into an integer. @throws ValidationError */
export function ipToBig(ip: string): { value: bigint; version: 4 | 6 } {
  const v = isIP(ip);
  if (v === 4) {
    return {
      version: 4,
      value: ip.split('.').reduce((acc, o) => (acc << 8n) + BigInt(Number(o)), 0n),
    };
  }
  if (v === 6) {
    const [head = '', tail] = ip.split('::');
    const parse = (s: string) => (s === '' ? [] : s.split(':'));
    let h = parse(head);
    let t = tail === undefined ? [] : parse(tail);
    const last = (t.length ? t : h).at(-1);
    if (last?.includes('.')) {
      // embedded IPv4 (::ffff:1.2.3.4)
      const v4 = ipToBig(last).value;
      const words = [(v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16)];
      if (t.length) t = [...t.slice(0, -1), ...words];
      else h = [...h.slice(0, -1), ...words];
    }
    const zeros = tail === undefined ? 0 : 8 - h.length - t.length;
    const all = [...h, ...Array<string>(zeros).fill('0'), ...t];
    return {
      version: 6,
      value: all.reduce((acc, w) => (acc << 16n) + BigInt(parseInt(w, 16)), 0n),
    };
  }
  throw new ValidationError(`"${ip}" is not an IP address`);
}

/** Formats an integer as an address of the given version (IPv6 compressed). */
export function bigToIp(value: bigint, version: 4 | 6): string {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  }
  const words = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses `ip/len`. @throws ValidationError */
export function parseCidr(cidr: string): Cidr {
  const [ip = '', len] = cidr.split('/');
  const { value, version } = ipToBig(ip);
  const bits = version === 4 ? 32 : 128;
  const prefixLen = len === undefined ? bits : Number(len);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > bits) {
    throw new ValidationError(`"${cidr}" is not a valid CIDR`);
  }
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefixLen)) - 1n);
  return { version, base: value & mask, prefixLen, bits };
}

/** Canonical text of a prefix (`10.0.0.0/24`). */
export function formatCidr(c: Cidr): string {
  return `${bigToIp(c.base, c.version)}/${c.prefixLen}`;
}

/** Number of addresses in the prefix. */
export function size(c: Cidr): bigint {
  return 1n << BigInt(c.bits - c.prefixLen);
}

/** True when `inner` lies inside `outer`. */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    inner.prefixLen >= outer.prefixLen &&
    inner.base >= outer.base &&
    inner.base + size(inner) <= outer.base + size(outer)
  );
}

/** True when two prefixes share an address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The first host address (the conventional gateway): network + 1. */
export function firstHost(c: Cidr): string {
  return bigToIp(c.base + 1n, c.version);
}

/** The first `prefixLen` block of `within` that overlaps none of `used`, or undefined. */
export function freeBlock(within: Cidr[], prefixLen: number, used: Cidr[]): Cidr | undefined {
  for (const parent of within) {
    if (prefixLen < parent.prefixLen) continue;
    const step = 1n << BigInt(parent.bits - prefixLen);
    for (let base = parent.base; base < parent.base + size(parent); base += step) {
      const candidate: Cidr = { version: parent.version, base, prefixLen, bits: parent.bits };
      const clash = used.find((u) => overlaps(u, candidate));
      if (!clash) return candidate;
      // jump to the first aligned block after the clash (a /64 search in a /32 must not walk 2^32 blocks)
      const end = clash.base + size(clash);
      const aligned = parent.base + ((end - parent.base + step - 1n) / step) * step;
      if (aligned - step > base) base = aligned - step;
    }
  }
  return undefined;
}

/**
 * Allocation pools covering `range` (default: the whole subnet minus network/broadcast for v4, minus the
 * subnet-router anycast for v6) without the `reserved` addresses (gateway, aux addresses).
 */
export function allocationPools(
  subnet: Cidr,
  reserved: string[],
  range?: Cidr,
): { start: string; end: string }[] {
  const r = range ?? subnet;
  let start = r.base;
  let end = r.base + size(r) - 1n;
  if (subnet.version === 4 && subnet.prefixLen < 31) {
    start = start > subnet.base ? start : subnet.base + 1n;
    const bcast = subnet.base + size(subnet) - 1n;
    end = end < bcast ? end : bcast - 1n;
  } else if (subnet.version === 6) {
    start = start > subnet.base ? start : subnet.base + 1n;
  }
  const holes = reserved
    .map((ip) => ipToBig(ip).value)
    .filter((v) => v >= start && v <= end)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pools: { start: string; end: string }[] = [];
  let cur = start;
  for (const h of holes) {
    if (h > cur)
      pools.push({ start: bigToIp(cur, subnet.version), end: bigToIp(h - 1n, subnet.version) });
    if (h + 1n > cur) cur = h + 1n;
  }
  if (cur <= end)
    pools.push({ start: bigToIp(cur, subnet.version), end: bigToIp(end, subnet.version) });
  return pools;
}
