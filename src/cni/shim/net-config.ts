/**
 * @module Decodes and checks the network configuration on stdin (PROTOCOLS.md B.1): JSON (code 6), the
 * cniVersion to answer in — honouring a `cniVersions` list (code 1) — and the fields every plugin entry
 * needs (code 7). Also reads where the daemon lives: settings belong in the network config, never in the
 * runtime's environment, because DEL runs in another process (PROTOCOLS.md B.2).
 */
import {
  compareCniVersions,
  isSupportedCniVersion,
  SUPPORTED_CNI_VERSIONS,
  type CniVersion,
} from '../../models/cni-result.js';
import { CniCode, CniShimError } from './cni-error.js';

/** Default root-only unix socket of the node daemon. */
export const DEFAULT_DAEMON_SOCKET = '/run/kuryr/cni.sock';

/** Default time the shim waits for the daemon (a Kubernetes ADD may wait 60 s for its VIF). */
export const DEFAULT_DAEMON_TIMEOUT_MS = 120_000;

/** Where and how to reach the daemon. */
export interface DaemonEndpoint {
  /** Unix socket path, or undefined when `tcp` is used. */
  socketPath?: string;
  /** `host:port` (COMPATIBILITY.md §9 #11: `daemon_address` in the conflist). */
  tcp?: { host: string; port: number };
  timeoutMs: number;
}

/** The decoded stdin plus what the shim derived from it. */
export interface NetConfig {
  /** The cniVersion the answer is printed in. */
  cniVersion: CniVersion;
  /** The whole stdin object, forwarded to the daemon as `config_kuryr`. */
  raw: Record<string, unknown>;
  daemon: DaemonEndpoint;
  debug: boolean;
}

/** The cniVersion to answer in: the request's, or the highest supported one of `cniVersions`. */
export function pickCniVersion(raw: Record<string, unknown>): CniVersion {
  const list = Array.isArray(raw.cniVersions) ? raw.cniVersions : [];
  if (isSupportedCniVersion(raw.cniVersion)) return raw.cniVersion;
  const candidates = list.filter(isSupportedCniVersion).sort(compareCniVersions);
  const best = candidates[candidates.length - 1];
  if (best !== undefined) return best;
  const asked = raw.cniVersion ?? (list.length > 0 ? list.join(',') : undefined);
  if (asked === undefined) {
    throw new CniShimError(
      CniCode.INVALID_CONFIG,
      'missing cniVersion',
      'the network config has no cniVersion',
    );
  }
  throw new CniShimError(
    CniCode.INCOMPATIBLE_VERSION,
    'incompatible CNI version',
    `config asks for ${JSON.stringify(asked)}; kuryr-cni supports ${SUPPORTED_CNI_VERSIONS.join(', ')}`,
  );
}

function parseDaemonAddress(value: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new CniShimError(
      CniCode.INVALID_CONFIG,
      'invalid daemon_address',
      `"${value}" is not host:port`,
    );
  }
  return { host: m[1]!, port };
}

/** Reads the daemon endpoint from the plugin's config keys. */
export function daemonEndpoint(raw: Record<string, unknown>): DaemonEndpoint {
  const t = raw.daemon_timeout;
  const timeoutMs = typeof t === 'number' && t > 0 ? t * 1000 : DEFAULT_DAEMON_TIMEOUT_MS;
  if (typeof raw.daemon_socket === 'string' && raw.daemon_socket !== '') {
    return { socketPath: raw.daemon_socket, timeoutMs };
  }
  if (typeof raw.daemon_address === 'string' && raw.daemon_address !== '') {
    return { tcp: parseDaemonAddress(raw.daemon_address), timeoutMs };
  }
  return { socketPath: DEFAULT_DAEMON_SOCKET, timeoutMs };
}

/** Decodes stdin; `code 6` for bad JSON, `7` for a config without `name`/`type`. */
export function parseNetConfig(stdin: string): NetConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdin);
  } catch (err) {
    throw new CniShimError(
      CniCode.DECODE,
      'failed to decode network config',
      (err as Error).message,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CniShimError(
      CniCode.DECODE,
      'failed to decode network config',
      'stdin is not a JSON object',
    );
  }
  const raw = parsed as Record<string, unknown>;
  const cniVersion = pickCniVersion(raw);
  for (const key of ['name', 'type'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') {
      throw new CniShimError(
        CniCode.INVALID_CONFIG,
        `invalid network config: missing ${key}`,
        `"${key}" must be a non-empty string`,
      );
    }
  }
  return { cniVersion, raw, daemon: daemonEndpoint(raw), debug: raw.debug === true };
}
