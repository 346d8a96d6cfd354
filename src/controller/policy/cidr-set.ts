/**
 * @module Exact CIDR set arithmetic (IPv4 and IPv6, BigInt) for NetworkPolicy `ipBlock`s.
 *
 * WHY: the original cuts each `except` out of the block separately and unions the pieces, so two
 * disjoint excepts give back the whole block (COMPATIBILITY.md §9 #8). Here all excepts are removed at
 * once as intervals, and the remainder is turned into the minimal list of CIDRs.
 */
import { isIP } from 'node:net';
import { ValidationError } from '../../common/errors/index.js';

/** A parsed CIDR: family, first address and prefix length (host bits cleared). */
export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefixLen: number;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Parses `a.b.c.d/n` or `x::y/n` (a bare address means a host route); host bits are cleared. */
export function parseCidr(text: string): Cidr {
  const [addr = '', len, extra] = text.trim().split('/');
  const family = isIP(addr);
  if ((family !== 4 && family !== 6) || extra !== undefined) {
    throw new ValidationError(`'${text}' is not a valid CIDR`);
  }
  const bits = BITS[family];
  const prefixLen = len === undefined ? bits : Number(len);
  if (!/^\d{1,3}$/.test(len ?? String(bits)) || prefixLen > bits) {
    throw new ValidationError(`'${text}' has an invalid prefix length (0-${bits})`);
  }
  const value = family === 4 ? v4ToBig(addr) : v6ToBig(addr);
  return { family, base: value & mask(bits, prefixLen), prefixLen };
}

/** Formats a CIDR canonically (IPv6 per RFC 5952: lower-case, longest zero run compressed). */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.family, c.base)}/${c.prefixLen}`;
}

/** The canonical text of a CIDR (`10.0.0.5/24` → `10.0.0.0/24`, `2001:DB8:0::/48` → `2001:db8::/48`). */
export function normalizeCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

/**
 * `cidr` minus every CIDR in `excepts`, as the minimal sorted CIDR list covering exactly the rest.
 * Excepts outside the block or of the other family remove nothing; an except covering the block
 * leaves an empty list.
 *
 * @example subtract('10.0.0.0/24', ['10.0.0.0/26', '10.0.0.128/26']) // ['10.0.0.64/26', '10.0.0.192/26']
 */
export function subtract(cidr: string, excepts: readonly string[]): string[] {
  const block = parseCidr(cidr);
  let ranges: [bigint, bigint][] = [range(block)];
  for (const text of excepts) {
    const ex = parseCidr(text);
    if (ex.family !== block.family) continue;
    const [lo, hi] = range(ex);
    const next: [bigint, bigint][] = [];
    for (const [a, b] of ranges) {
      if (hi < a || lo > b) {
        next.push([a, b]);
        continue;
      }
      if (lo > a) next.push([a, lo - 1n]);
      if (hi < b) next.push([hi + 1n, b]);
    }
    ranges = next;
  }
  return ranges.flatMap(([a, b]) => rangeToCidrs(block.family, a, b)).map(formatCidr);
}

function range(c: Cidr): [bigint, bigint] {
  const size = 1n << BigInt(BITS[c.family] - c.prefixLen);
  return [c.base, c.base + size - 1n];
}

/** Greedy: at each start take the largest aligned block that fits; this is minimal for one interval. */
function rangeToCidrs(family: 4 | 6, first: bigint, last: bigint): Cidr[] {
  const bits = BITS[family];
  const out: Cidr[] = [];
  let start = first;
  while (start <= last) {
    let size = bits;
    while (size > 0) {
      const block = 1n << BigInt(bits - size + 1);
      if (start % block !== 0n || start + block - 1n > last) break;
      size -= 1;
    }
    out.push({ family, base: start, prefixLen: size });
    start += 1n << BigInt(bits - size);
  }
  return out;
}

function mask(bits: number, prefixLen: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefixLen)) - 1n);
}

function v4ToBig(addr: string): bigint {
  return addr.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBig(addr: string): bigint {
  let text = addr;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1] !== undefined) {
    const n = v4ToBig(v4[1]);
    text = `${text.slice(0, -v4[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((value >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** True when `address` (a bare IP or a CIDR) lies entirely inside `cidr`; false across families. */
export function cidrContains(cidr: string, address: string): boolean {
  const outer = parseCidr(cidr);
  const inner = parseCidr(address);
  if (outer.family !== inner.family || inner.prefixLen < outer.prefixLen) return false;
  return (inner.base & mask(BITS[outer.family], outer.prefixLen)) === outer.base;
}
