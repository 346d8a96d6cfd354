/**
 * @module One CNI result model and a printer per cniVersion (PROTOCOLS.md B.1). The daemon produces the
 * version-neutral {@link CniResult}; the shim prints it in the cniVersion of the request, because older
 * libcni rejects newer shapes. Also parses a `prevResult` of any supported version back into the model.
 * Imports nothing: the CNI shim bundles this file and must stay dependency-free.
 */

/** Every cniVersion kuryr-cni speaks, oldest first. */
export const SUPPORTED_CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

/** One of {@link SUPPORTED_CNI_VERSIONS}. */
export type CniVersion = (typeof SUPPORTED_CNI_VERSIONS)[number];

/** An interface the plugin created; `sandbox` is the netns path for container-side ones. */
export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
  /** 1.1 only. */
  mtu?: number;
}

/** An address; `interface` indexes {@link CniResult.interfaces}. */
export interface CniIp {
  /** CIDR, e.g. `10.0.0.5/24`. */
  address: string;
  gateway?: string;
  interface?: number;
}

/** A route; the extra fields are printed from 1.1 on. */
export interface CniRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

/** DNS settings. */
export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/** Version-neutral result of an ADD (and the shape of a parsed `prevResult`). */
export interface CniResult {
  interfaces: CniInterface[];
  ips: CniIp[];
  routes: CniRoute[];
  dns: CniDns;
}

/** True when `v` is a cniVersion kuryr-cni supports. */
export function isSupportedCniVersion(v: unknown): v is CniVersion {
  return typeof v === 'string' && (SUPPORTED_CNI_VERSIONS as readonly string[]).includes(v);
}

/** Compares two dotted versions numerically (`0.10.0` > `0.4.0`). */
export function compareCniVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** IP family of an address or CIDR, as the pre-1.0 `ips[].version` field wants it. */
export function ipFamily(address: string): '4' | '6' {
  return address.includes(':') ? '6' : '4';
}

/** The result printed in `version`'s shape (a plain JSON object, `cniVersion` first). */
export function printCniResult(result: CniResult, version: CniVersion): Record<string, unknown> {
  const v11 = version === '1.1.0';
  const pre10 = compareCniVersions(version, '1.0.0') < 0;
  const interfaces = result.interfaces.map((i) => {
    const out: Record<string, unknown> = { name: i.name };
    if (i.mac !== undefined) out.mac = i.mac;
    if (v11 && i.mtu !== undefined) out.mtu = i.mtu;
    if (i.sandbox !== undefined && i.sandbox !== '') out.sandbox = i.sandbox;
    return out;
  });
  const ips = result.ips.map((ip) => {
    const out: Record<string, unknown> = {};
    // Only before 1.0 does an address carry its family; 1.0 removed the field.
    if (pre10) out.version = ipFamily(ip.address);
    if (ip.interface !== undefined) out.interface = ip.interface;
    out.address = ip.address;
    if (ip.gateway !== undefined) out.gateway = ip.gateway;
    return out;
  });
  const routes = result.routes.map((r) => {
    const out: Record<string, unknown> = { dst: r.dst };
    if (r.gw !== undefined) out.gw = r.gw;
    if (v11) {
      for (const k of ['mtu', 'advmss', 'priority', 'table', 'scope'] as const) {
        if (r[k] !== undefined) out[k] = r[k];
      }
    }
    return out;
  });
  return { cniVersion: version, interfaces, ips, routes, dns: { ...result.dns } };
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function strList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * Parses a result of any supported version (a `prevResult`) into the model. Unknown fields are ignored;
 * returns undefined when `raw` is not an object at all.
 */
export function parseCniResult(raw: unknown): CniResult | undefined {
  const o = asObject(raw);
  if (!o) return undefined;
  const interfaces = (Array.isArray(o.interfaces) ? o.interfaces : [])
    .map(asObject)
    .filter((i): i is Record<string, unknown> => i !== undefined && typeof i.name === 'string')
    .map((i) =>
      defined<CniInterface>({
        name: i.name as string,
        mac: str(i.mac),
        sandbox: str(i.sandbox),
        mtu: num(i.mtu),
      }),
    );
  const ips = (Array.isArray(o.ips) ? o.ips : [])
    .map(asObject)
    .filter((i): i is Record<string, unknown> => i !== undefined && typeof i.address === 'string')
    .map((i) =>
      defined<CniIp>({
        address: i.address as string,
        gateway: str(i.gateway),
        interface: num(i.interface),
      }),
    );
  const routes = (Array.isArray(o.routes) ? o.routes : [])
    .map(asObject)
    .filter((r): r is Record<string, unknown> => r !== undefined && typeof r.dst === 'string')
    .map((r) =>
      defined<CniRoute>({
        dst: r.dst as string,
        gw: str(r.gw),
        mtu: num(r.mtu),
        advmss: num(r.advmss),
        priority: num(r.priority),
        table: num(r.table),
        scope: num(r.scope),
      }),
    );
  const d = asObject(o.dns) ?? {};
  const dns = defined<CniDns>({
    nameservers: strList(d.nameservers),
    domain: str(d.domain),
    search: strList(d.search),
    options: strList(d.options),
  });
  return { interfaces, ips, routes, dns };
}
