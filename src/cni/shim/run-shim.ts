/**
 * @module The shim's logic for ADD, DEL, CHECK, GC and STATUS: validate env + stdin, forward to the node
 * daemon, print the result in the requested cniVersion. Pure function of (env, stdin, transport) so unit
 * tests drive it without a process; the entry point wires real stdin/stdout.
 */
import { parseCniResult, printCniResult, type CniResult } from '../../models/cni-result.js';
import { CniCode, CniShimError } from './cni-error.js';
import { readCniEnv, type CniEnv } from './cni-env.js';
import { parseNetConfig, type DaemonEndpoint, type NetConfig } from './net-config.js';
import { postToDaemon, replyToError, type DaemonReply } from './daemon-client.js';
import { versionReply } from './version-reply.js';

/** How the shim talks to the daemon (injected so tests can fake it). */
export type DaemonTransport = (
  ep: DaemonEndpoint,
  path: string,
  body: unknown,
) => Promise<DaemonReply>;

/** What the process should print and exit with. */
export interface ShimOutcome {
  stdout: string;
  exitCode: 0 | 1;
}

/** Daemon path per command (our API; /addNetwork and /delNetwork stay for the Python Go shim). */
export const DAEMON_PATHS = {
  ADD: '/cni/v1/add',
  DEL: '/cni/v1/del',
  CHECK: '/cni/v1/check',
  GC: '/cni/v1/gc',
  STATUS: '/cni/v1/status',
} as const;

/** Puts a chained plugin's `prevResult` in front of ours, re-indexing our `ips[].interface`. */
export function mergeWithPrevious(prev: CniResult | undefined, ours: CniResult): CniResult {
  if (!prev) return ours;
  const offset = prev.interfaces.length;
  return {
    interfaces: [...prev.interfaces, ...ours.interfaces],
    ips: [
      ...prev.ips,
      ...ours.ips.map((ip) =>
        ip.interface === undefined ? ip : { ...ip, interface: ip.interface + offset },
      ),
    ],
    routes: [...prev.routes, ...ours.routes],
    dns: Object.keys(ours.dns).length > 0 ? ours.dns : prev.dns,
  };
}

function requestBody(env: CniEnv, cfg: NetConfig): Record<string, unknown> {
  // The Python daemon's body shape, so one daemon route family serves both shims.
  return {
    CNI_COMMAND: env.command,
    CNI_CONTAINERID: env.containerId,
    CNI_NETNS: env.netns,
    CNI_IFNAME: env.ifName,
    CNI_ARGS: env.args,
    CNI_PATH: env.path,
    config_kuryr: cfg.raw,
  };
}

async function forward(env: CniEnv, cfg: NetConfig, transport: DaemonTransport): Promise<string> {
  if (env.command === 'CHECK' && cfg.cniVersion.startsWith('0.3')) {
    throw new CniShimError(
      CniCode.INCOMPATIBLE_VERSION,
      'CHECK needs cniVersion 0.4.0 or later',
      `config is ${cfg.cniVersion}`,
    );
  }
  const path = DAEMON_PATHS[env.command as keyof typeof DAEMON_PATHS];
  let reply: DaemonReply;
  try {
    reply = await transport(cfg.daemon, path, requestBody(env, cfg));
  } catch (err) {
    // STATUS reports unreachability as "plugin not available", not "try again".
    if (
      env.command === 'STATUS' &&
      err instanceof CniShimError &&
      err.code === CniCode.TRY_AGAIN_LATER
    ) {
      throw new CniShimError(CniCode.NOT_AVAILABLE, err.message, err.details);
    }
    throw err;
  }
  if (reply.status < 200 || reply.status > 299) throw replyToError(reply);
  if (env.command !== 'ADD') return '';
  const body = reply.body as { result?: unknown } | undefined;
  const ours = parseCniResult(body?.result);
  if (!ours) {
    throw new CniShimError(
      CniCode.INTERNAL,
      'kuryr-daemon returned no result',
      JSON.stringify(reply.body ?? null),
    );
  }
  const merged = mergeWithPrevious(parseCniResult(cfg.raw.prevResult), ours);
  return JSON.stringify(printCniResult(merged, cfg.cniVersion));
}

function versionOf(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && v !== '' ? v : '1.0.0';
  } catch {
    return '1.0.0';
  }
}

/** Runs one invocation; never throws (every failure becomes a CNI error object and exit 1). */
export async function runShim(
  env: NodeJS.ProcessEnv,
  stdin: string,
  transport: DaemonTransport = postToDaemon,
  log: (line: string) => void = () => {},
): Promise<ShimOutcome> {
  try {
    const cniEnv = readCniEnv(env);
    if (cniEnv.command === 'VERSION') return { stdout: versionReply(stdin), exitCode: 0 };
    const cfg = parseNetConfig(stdin);
    if (cfg.debug)
      log(
        `kuryr-cni ${cniEnv.command} ${cniEnv.containerId} ${cniEnv.ifName} netns=${cniEnv.netns}`,
      );
    return { stdout: await forward(cniEnv, cfg, transport), exitCode: 0 };
  } catch (err) {
    const e =
      err instanceof CniShimError
        ? err
        : new CniShimError(
            CniCode.INTERNAL,
            'kuryr-cni internal error',
            (err as Error)?.message ?? String(err),
          );
    log(`kuryr-cni: ${e.message}: ${e.details}`);
    return { stdout: JSON.stringify(e.toJSON(versionOf(stdin))), exitCode: 1 };
  }
}
