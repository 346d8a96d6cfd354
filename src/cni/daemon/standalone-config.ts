/**
 * @module Reads the standalone-mode keys of a kuryr-cni plugin entry (docs/cni.md): the Neutron network
 * (id or name), optional subnets, security groups and project, plus the requested address/MAC from
 * CNI_ARGS (`IP=`, `MAC=`, podman `--ip`/`--mac-address`) or `runtimeConfig.ips`/`mac` capabilities.
 */
import { CniCodedError } from '../cni-errors.js';
import type { CniRequest } from './types.js';

/** What ADD needs to create the port. */
export interface StandaloneSpec {
  network: string;
  subnets: string[];
  securityGroups: string[];
  project?: string;
  /** Requested fixed IPs (no prefix). */
  ips: string[];
  mac?: string;
  /** Wait for Neutron to report the port ACTIVE before answering. */
  waitActive: boolean;
  /** Warm ports kept ready for this network (`pool_size`; 0 = no pool). */
  poolSize: number;
}

function invalid(msg: string): CniCodedError {
  return new CniCodedError(7, 400, `invalid network config: ${msg}`);
}

function strings(v: unknown, key: string): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (Array.isArray(v) && v.every((x): x is string => typeof x === 'string')) return v;
  throw invalid(`"${key}" must be a string or a list of strings`);
}

function poolSize(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1000) {
    throw invalid('"pool_size" must be an integer from 0 to 1000');
  }
  return v;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

function stripPrefix(ip: string): string {
  return ip.split('/')[0]!;
}

/** Decodes the standalone keys; config errors are code 7, bad IP=/MAC= args code 4. */
export function standaloneSpec(req: CniRequest): StandaloneSpec {
  const c = req.config;
  if (typeof c.network !== 'string' || c.network === '') {
    throw invalid('"network" (a Neutron network id or name) is required in standalone mode');
  }
  const subnets = [...strings(c.subnet, 'subnet'), ...strings(c.subnets, 'subnets')];
  const securityGroups = strings(c.security_groups, 'security_groups');
  if (c.project !== undefined && typeof c.project !== 'string')
    throw invalid('"project" must be a string');
  const rc = (
    typeof c.runtimeConfig === 'object' && c.runtimeConfig !== null ? c.runtimeConfig : {}
  ) as Record<string, unknown>;
  const ips = new Set<string>();
  const argIp = req.args.get('IP');
  if (argIp)
    for (const ip of argIp.split(',')) if (ip.trim() !== '') ips.add(stripPrefix(ip.trim()));
  for (const ip of strings(rc.ips, 'runtimeConfig.ips')) ips.add(stripPrefix(ip));
  const mac = req.args.get('MAC') || (typeof rc.mac === 'string' ? rc.mac : undefined);
  if (mac !== undefined && !MAC.test(mac)) {
    throw new CniCodedError(4, 400, `invalid MAC "${mac}"`);
  }
  for (const ip of ips) {
    if (!/^[0-9a-fA-F.:]+$/.test(ip)) throw new CniCodedError(4, 400, `invalid IP "${ip}"`);
  }
  return {
    network: c.network,
    subnets,
    securityGroups,
    ...(typeof c.project === 'string' && c.project !== '' ? { project: c.project } : {}),
    ips: [...ips],
    ...(mac ? { mac: mac.toLowerCase() } : {}),
    waitActive: c.wait_active === true,
    poolSize: poolSize(c.pool_size),
  };
}
