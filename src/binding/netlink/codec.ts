/**
 * @module The few rtnetlink encodings the `netlink` package leaves as raw Buffers: IFLA_LINKINFO for
 * veth (with the VETH_INFO_PEER ifinfomsg), macvlan, vlan and bridge; plus IP/MAC/CIDR helpers.
 */
import { isIP } from 'node:net';
import { ValidationError } from '../../common/errors/index.js';

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_NET_NS_FD = 28;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFLA_MACVLAN_MODE = 1;
const MACVLAN_MODE_BRIDGE = 4;
const IFLA_VLAN_ID = 1;
const NLA_F_NESTED = 0x8000;

/** Encodes one netlink attribute (length, type, payload, padding to 4 bytes). */
export function attr(type: number, payload: Buffer): Buffer {
  const len = 4 + payload.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
};
const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v, 0);
  return b;
};
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');
const nested = (type: number, parts: Buffer[]): Buffer =>
  attr(type | NLA_F_NESTED, Buffer.concat(parts));

/** Attributes of the veth peer: name, MAC, MTU, and the netns (fd) it is created in. */
export interface PeerAttrs {
  name: string;
  mac?: string;
  mtu?: number;
  netnsFd?: number;
}

/** IFLA_LINKINFO for a veth pair whose peer is described by `peer`. */
export function vethLinkInfo(peer: PeerAttrs): Buffer {
  const ifinfomsg = Buffer.alloc(16); // family AF_UNSPEC, type 0, index 0, flags, change
  // NOTE: no IFF_UP here: the kernel configures the peer before pairing it and answers ENOTCONN.
  const parts = [ifinfomsg, attr(IFLA_IFNAME, cstr(peer.name))];
  if (peer.mac !== undefined) parts.push(attr(IFLA_ADDRESS, macToBuffer(peer.mac)));
  if (peer.mtu !== undefined) parts.push(attr(IFLA_MTU, u32(peer.mtu)));
  if (peer.netnsFd !== undefined) parts.push(attr(IFLA_NET_NS_FD, u32(peer.netnsFd)));
  return Buffer.concat([
    attr(IFLA_INFO_KIND, cstr('veth')),
    nested(IFLA_INFO_DATA, [attr(VETH_INFO_PEER | NLA_F_NESTED, Buffer.concat(parts))]),
  ]);
}

/** IFLA_LINKINFO for a bridge-mode macvlan. */
export function macvlanLinkInfo(): Buffer {
  return Buffer.concat([
    attr(IFLA_INFO_KIND, cstr('macvlan')),
    nested(IFLA_INFO_DATA, [attr(IFLA_MACVLAN_MODE, u32(MACVLAN_MODE_BRIDGE))]),
  ]);
}

/** IFLA_LINKINFO for an 802.1Q VLAN device. */
export function vlanLinkInfo(vlanId: number): Buffer {
  return Buffer.concat([
    attr(IFLA_INFO_KIND, cstr('vlan')),
    nested(IFLA_INFO_DATA, [attr(IFLA_VLAN_ID, u16(vlanId))]),
  ]);
}

/** IFLA_LINKINFO for a Linux bridge. */
export function bridgeLinkInfo(): Buffer {
  return attr(IFLA_INFO_KIND, cstr('bridge'));
}

/** Reads IFLA_INFO_KIND out of a raw IFLA_LINKINFO payload. */
export function parseLinkKind(linkinfo: Buffer | undefined): string | undefined {
  if (linkinfo === undefined) return undefined;
  let off = 0;
  while (off + 4 <= linkinfo.length) {
    const len = linkinfo.readUInt16LE(off);
    const type = linkinfo.readUInt16LE(off + 2) & ~NLA_F_NESTED;
    if (len < 4) break;
    if (type === IFLA_INFO_KIND) {
      return linkinfo
        .subarray(off + 4, off + len)
        .toString('utf8')
        .replace(/\0+$/, '');
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

/** `aa:bb:…` → 6 bytes. @throws ValidationError */
export function macToBuffer(mac: string): Buffer {
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new ValidationError(`bad MAC "${mac}"`);
  return Buffer.from(mac.split(':').map((h) => parseInt(h, 16)));
}

/** 6 bytes → `aa:bb:…`. */
export function bufferToMac(b: Buffer | undefined): string {
  return b === undefined ? '' : [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Parsed `ip/len`. */
export interface Cidr {
  family: 4 | 6;
  ip: Buffer;
  prefixLen: number;
  text: string;
}

/** Parses an IP address to its bytes. @throws ValidationError */
export function ipToBuffer(ip: string): { family: 4 | 6; bytes: Buffer } {
  const v = isIP(ip);
  if (v === 4) return { family: 4, bytes: Buffer.from(ip.split('.').map(Number)) };
  if (v !== 6) throw new ValidationError(`bad IP address "${ip}"`);
  const [head = '', tail] = ip.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const bytes = Buffer.alloc(16);
  groups.forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return { family: 6, bytes };
}

/** Bytes → textual IP (v6 compressed the usual way). */
export function bufferToIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  const text = groups.join(':');
  const runs = text.match(/(^|:)0(:0)+(:|$)/g);
  if (runs === null) return text;
  const longest = runs.reduce((a, r) => (r.length > a.length ? r : a), '');
  return text.replace(longest, '::');
}

/** Parses `ip/len`; `default` means the v4 default route. @throws ValidationError */
export function parseCidr(cidr: string): Cidr {
  const text = cidr === 'default' ? '0.0.0.0/0' : cidr;
  const [ip = '', len] = text.split('/');
  const { family, bytes } = ipToBuffer(ip);
  const max = family === 4 ? 32 : 128;
  const prefixLen = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > max) {
    throw new ValidationError(`bad prefix length in "${cidr}"`);
  }
  return { family, ip: bytes, prefixLen, text };
}
