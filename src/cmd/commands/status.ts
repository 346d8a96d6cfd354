/**
 * @module `kuryr status [--json] [--require-octavia]`: checks Keystone, Neutron (version, extensions,
 * default subnetpools) and Octavia with the credentials of kuryr.conf `[neutron]`; prints a table (or
 * JSON) and exits 1 when a mandatory piece is missing.
 */
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { KuryrConfig } from '../../common/config/schema/index.js';
import { snakeSection } from '../../common/config/schema/index.js';
import { collectStatus } from '../../openstack/status/collect-status.js';
import { formatStatus } from '../../openstack/status/format-status.js';
import { createOpenStackSession } from '../../openstack/session.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { loadCommandConfig } from './load-config.js';

interface StatusFlags {
  json?: boolean;
  requireOctavia?: boolean;
  timeout?: string;
}

/** How the command gets its configuration (injected by tests; default: kuryr.conf via the global options). */
export type StatusConfigLoader = (cmd: Command) => Promise<{ config: KuryrConfig; log: Logger }>;

async function run(flags: StatusFlags, cmd: Command, load: StatusConfigLoader): Promise<void> {
  const out = (text: string): boolean => process.stdout.write(text);
  let session;
  try {
    const { config, log } = await load(cmd);
    const timeoutMs = Math.round(Number(flags.timeout ?? '15') * 1000);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new Error(`--timeout '${flags.timeout}' is not a positive number of seconds`);
    }
    const options = connectionOptionsFromKeystoneauth(snakeSection(config, 'neutron'));
    // A status probe must answer quickly: few retries, short per-call deadline.
    options.retries = { attempts: 2, baseDelayMs: 200, maxDelayMs: 1000, ...options.retries };
    options.timeouts = { ...options.timeouts, requestMs: timeoutMs };
    session = createOpenStackSession(options, log);
    const report = await collectStatus(session, {
      defaultSubnetpoolV4: config.neutron.defaultSubnetpoolV4,
      defaultSubnetpoolV6: config.neutron.defaultSubnetpoolV6,
      requireOctavia: flags.requireOctavia === true,
      requestTimeoutMs: timeoutMs,
    });
    out(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
    if (!report.ok) process.exitCode = 1;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (flags.json === true) out(`${JSON.stringify({ ok: false, error: message }, null, 2)}\n`);
    else process.stderr.write(`kuryr status: ${message}\n`);
    process.exitCode = 1;
  } finally {
    await session?.close();
  }
}

/**
 * Registers `kuryr status`.
 * @param program the `kuryr` commander program.
 * @param load configuration loader (default: kuryr.conf through the global options).
 */
export function registerStatusCommand(
  program: Command,
  load: StatusConfigLoader = (cmd) => loadCommandConfig(cmd, { name: 'kuryr-status' }),
): void {
  program
    .command('status')
    .description(
      'check Keystone, Neutron (version, extensions, default subnetpools) and Octavia with the [neutron] credentials',
    )
    .option('--json', 'machine-readable report')
    .option('--require-octavia', 'fail when Octavia is unreachable (Kubernetes services in use)')
    .option('--timeout <seconds>', 'deadline of each request', '15')
    .action((flags: StatusFlags, cmd: Command) => run(flags, cmd, load));
}
